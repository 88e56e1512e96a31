/**
 * @file modules/turn/turn.c  TURN relay for symmetric NATs, blocked UDP
 *
 * This module registers its ops table so the core can list and order it;
 * its behaviour arrives with its own issue. Until then it says so
 * (state=not-implemented) instead of pretending.
 */
#include "ataua.h"


static int turn_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=not-implemented\n");
}


static struct ata_traversal turn_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "turn",
	.status  = turn_status,
};


static int module_init(void)
{
	return ata_traversal_register(&turn_ops);
}


static int module_close(void)
{
	ata_traversal_unregister(&turn_ops);
	return 0;
}


ATA_MODULE("turn", "traversal", module_init, module_close);
