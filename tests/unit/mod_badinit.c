/** @file tests/unit/mod_badinit.c  A module for the loader's unit test */
#include "ataua.h"

static int module_init(void)
{
	return ENOMEM;
}


static int module_close(void)
{
	return 0;
}


ATA_MODULE("mod_badinit", "test", module_init, module_close);
