/**
 * @file modules/alg-hint/alg-hint.c  private-address hints for same-NAT calls
 *
 * This module registers its ops table so the core can list and order it;
 * its behaviour arrives with its own issue. Until then it says so
 * (state=not-implemented) instead of pretending.
 */
#include "ataua.h"


static int alg_hint_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=not-implemented\n");
}


static struct ata_hint alg_hint_ops = {
	.version = ATA_HINT_VERSION,
	.name    = "alg-hint",
	.status  = alg_hint_status,
};


static int module_init(void)
{
	return ata_hint_register(&alg_hint_ops);
}


static int module_close(void)
{
	ata_hint_unregister(&alg_hint_ops);
	return 0;
}


ATA_MODULE("alg-hint", "hint", module_init, module_close);
