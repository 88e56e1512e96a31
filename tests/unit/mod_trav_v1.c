/**
 * @file tests/unit/mod_trav_v1.c  A traversal module built for version 1
 *
 * Its table is as long as a version 1 table was (status and bind, no
 * network_changed, no method), so a core that read a later hook would
 * read past its end: ASan (make test-asan) reports that. Named "stun",
 * it must be found for the stun step by its name.
 */
#include "ataua.h"

/* struct ata_traversal as version 1 had it */
struct traversal_v1 {
	struct le le;
	uint32_t version;
	const char *name;
	int (*status)(struct re_printf *pf);
	int (*bind)(void **bindp, struct udp_sock *us, const struct sa *laddr,
		    uint32_t timeout_ms, ata_nat_bind_h *h, void *arg);
};


static int v1_status(struct re_printf *pf)
{
	return re_hprintf(pf, "state=v1\n");
}


static struct traversal_v1 v1_ops = {
	.version = 1,
	.name    = "stun",
	.status  = v1_status,
};


static int module_init(void)
{
	return ata_traversal_register((struct ata_traversal *)&v1_ops);
}


static int module_close(void)
{
	ata_traversal_unregister((struct ata_traversal *)&v1_ops);
	return 0;
}


ATA_MODULE("mod_trav_v1", "traversal", module_init, module_close);
