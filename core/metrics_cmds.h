/**
 * @file metrics_cmds.h  The `metrics` verb: counters in Prometheus' text
 *                       format (core/metrics_cmds.c)
 */
#ifndef ATA_METRICS_CMDS_H
#define ATA_METRICS_CMDS_H

#include <stddef.h>

struct ata_cmd;

int  metrics_cmds_open(void);
void metrics_cmds_close(void);
const struct ata_cmd *metrics_cmds(size_t *cmdc);

#endif
