/**
 * @file memlock.h  Keep the daemon's memory in RAM once it is used
 */
#ifndef ATA_MEMLOCK_H
#define ATA_MEMLOCK_H

#include <stdbool.h>

int memlock_apply(bool on);

#endif
