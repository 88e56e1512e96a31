/** @file tests/unit/mod_misnamed.c  exports a name not matching its file */
#include "ataua.h"

ATA_MODULE("something-else", "test", NULL, NULL);
