/**
 * @file log.h  Core-private logging controls (modules use ataua.h)
 */
#ifndef ATA_LOG_H
#define ATA_LOG_H

#include <stdbool.h>

void log_use_syslog(bool enable);

#endif
