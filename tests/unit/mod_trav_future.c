/**
 * @file tests/unit/mod_trav_future.c  A traversal module from a newer core
 *
 * Its table says a version this core does not know yet: the core must
 * refuse it (it cannot know what the later hooks mean), and say why.
 */
#include "ataua.h"

static struct ata_traversal future_ops = {
	.version = ATA_TRAVERSAL_VERSION + 1,
	.name    = "future",
	.method  = ATA_TRAV_STUN,
};


static int module_init(void)
{
	return ata_traversal_register(&future_ops);
}


static int module_close(void)
{
	ata_traversal_unregister(&future_ops);
	return 0;
}


ATA_MODULE("mod_trav_future", "traversal", module_init, module_close);
