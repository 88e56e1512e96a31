/** @file tests/unit/mod_good.c  A module for the loader's unit test */
#include "ataua.h"

static int module_init(void)
{
	ata_info("mod_good: init\n");
	return 0;
}


static int module_close(void)
{
	return 0;
}


ATA_MODULE("mod_good", "test", module_init, module_close);
