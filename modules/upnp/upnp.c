/**
 * @file modules/upnp/upnp.c  UPnP IGD port mapping (traversal)
 *
 * This module registers its ops table so the core can list and order it;
 * its behaviour arrives with its own issue. Until then it says so
 * (state=not-implemented) instead of pretending.
 */
#include "ataua.h"


static int upnp_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=not-implemented\n");
}


static struct ata_traversal upnp_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "upnp",
	.status  = upnp_status,
};


static int module_init(void)
{
	return ata_traversal_register(&upnp_ops);
}


static int module_close(void)
{
	ata_traversal_unregister(&upnp_ops);
	return 0;
}


ATA_MODULE("upnp", "traversal", module_init, module_close);
