/**
 * @file line_history.h  The daemon's call history and the `history` verb
 */
#ifndef ATA_LINE_HISTORY_H
#define ATA_LINE_HISTORY_H

#include <stddef.h>

struct ata_cmd;

int  line_history_open(size_t size);
int  line_history_resize(size_t size);
void line_history_close(void);
/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *line_history_cmds(size_t *cmdc);

#endif
