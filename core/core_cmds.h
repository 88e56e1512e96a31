/**
 * @file core_cmds.h  The core's control verbs (status, reload, ...)
 */
#ifndef ATA_CORE_CMDS_H
#define ATA_CORE_CMDS_H

#include <stddef.h>
#include <stdint.h>

struct ata_cmd;
struct re_printf;

/**
 * What the core's verbs ask of the daemon: the arg they are registered
 * with, so this file never names the daemon that registers it
 */
struct core_cmds_env {
	/** Reload the config file in force (see daemon_reload) */
	int (*reload)(const char *path, struct re_printf *errpf);
	/** Seconds since start */
	uint64_t (*uptime)(void);
	/** Control connections open now (the asking one included) */
	unsigned (*ctrl_clients)(void);
};

/** The verb table; register it with a struct core_cmds_env as arg */
const struct ata_cmd *core_cmds(size_t *cmdc);

#endif
