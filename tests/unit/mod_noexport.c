/** @file tests/unit/mod_noexport.c  a shared object that is no module */
#include "ataua.h"

int mod_noexport_dummy(void);

int mod_noexport_dummy(void)
{
	return 42;
}
