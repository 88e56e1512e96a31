/**
 * @file log.h  Core-private logging controls (modules use ataua.h)
 *
 * Include ataua.h first (enum ata_log_level).
 */
#ifndef ATA_LOG_H
#define ATA_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_use_syslog(bool enable);

/* log_dbg.c: libre's debug output (re_dbg.h) through our log */
enum ata_log_level log_dbg_level(int dbg_level);
size_t log_dbg_clean(char *buf, size_t sz, const char *p, size_t len);
void log_dbg_handler(int level, const char *p, size_t len, void *arg);
void log_dbg_sync(enum ata_log_level lvl);
void log_dbg_attach(void);

#endif
