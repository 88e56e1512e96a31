/**
 * @file modules/stun/stun.c  STUN binding, keep-alive, NAT discovery
 *
 * This module registers its ops table so the core can list and order it;
 * its behaviour arrives with its own issue. Until then it says so
 * (state=not-implemented) instead of pretending.
 */
#include "ataua.h"


static int stun_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=not-implemented\n");
}


static struct ata_traversal stun_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "stun",
	.status  = stun_status,
};


static int module_init(void)
{
	return ata_traversal_register(&stun_ops);
}


static int module_close(void)
{
	ata_traversal_unregister(&stun_ops);
	return 0;
}


ATA_MODULE("stun", "traversal", module_init, module_close);
