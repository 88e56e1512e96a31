/** @file tests/unit/mod_badkind.c  A module for the loader's unit test */
#include "ataua.h"

static int module_init(void)
{
	return 0;
}


static int module_close(void)
{
	return 0;
}


ATA_MODULE("mod_badkind", "frobnicator", module_init, module_close);
