/**
 * @file media_cmds.h  The `stats` control verb
 */
#ifndef ATA_MEDIA_CMDS_H
#define ATA_MEDIA_CMDS_H

/** The verb table, for the daemon to register (core/daemon.c) */
struct ata_cmd;
const struct ata_cmd *media_cmds(size_t *cmdc);

#endif
