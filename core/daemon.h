/**
 * @file daemon.h  The daemon's life: start, reload, stop
 */
#ifndef ATA_DAEMON_H
#define ATA_DAEMON_H

#include <re.h>

struct ata_config;

/** Bring everything up from a validated config (takes a reference) */
int  daemon_start(struct ata_config *cfg);
/**
 * Load @p path (NULL: the current file) and apply it whole, or keep the
 * old config whole. Errors go to @p errpf as `FILE:LINE:COL: message`.
 */
int  daemon_reload(const char *path, struct re_printf *errpf);
void daemon_stop(void);

#endif
