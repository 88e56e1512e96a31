/**
 * @file modules/audio-alsa/audio-alsa.c  the SLIC through ALSA (line driver)
 *
 * This module registers its ops table so the core can list and order it;
 * its behaviour arrives with its own issue. Until then it says so
 * (state=not-implemented) instead of pretending.
 */
#include "ataua.h"


static int alsa_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=not-implemented\n");
}


static struct ata_linedrv alsa_ops = {
	.version = ATA_LINEDRV_VERSION,
	.name    = "audio-alsa",
	.status  = alsa_status,
};


static int module_init(void)
{
	return ata_linedrv_register(&alsa_ops);
}


static int module_close(void)
{
	ata_linedrv_unregister(&alsa_ops);
	return 0;
}


ATA_MODULE("audio-alsa", "linedrv", module_init, module_close);
