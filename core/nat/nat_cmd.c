/**
 * @file nat_cmd.c  `nat`: method, addresses, NAT behaviour, verdict
 */
#include <re.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "nat_int.h"


static const char *tri(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}


static int print_step(struct re_printf *pf, const struct nat_step *st)
{
	static const char *statev[] = {"idle", "running", "ok", "failed"};

	if (!st->name || st->state == STEP_IDLE ||
	    (size_t)st->state >= ARRAY_SIZE(statev))
		return 0;

	return re_hprintf(pf, "step_%s=%s\n", st->name, statev[st->state]);
}


/* How long the NAT keeps an idle mapping: the longest idle time seen
   survived ("15": survived 15 s, not the next time tried), ">=75" when
   none lapsed, "<10" when even the shortest did, else unknown */
static int print_lifetime(struct re_printf *pf)
{
	if (!nat.lifetime_s && !nat.lifetime_lapsed_s)
		return re_hprintf(pf, "binding_lifetime=unknown\n");
	if (!nat.lifetime_lapsed_s)
		return re_hprintf(pf, "binding_lifetime=>=%u\n",
				  nat.lifetime_s);
	if (!nat.lifetime_s)
		return re_hprintf(pf, "binding_lifetime=<%u\n",
				  nat.lifetime_lapsed_s);

	return re_hprintf(pf, "binding_lifetime=%u\nbinding_lapsed=%u\n",
			  nat.lifetime_s, nat.lifetime_lapsed_s);
}


/* Which steps ran and how: the evidence behind the method */
static int print_steps(struct re_printf *pf)
{
	int err = 0;

	err |= print_step(pf, &nat.reg);
	if (nat.reg_scode)
		err |= re_hprintf(pf, "register_answer=%u\n",
				  nat.reg_scode);
	err |= print_step(pf, &nat.upnp);
	err |= print_step(pf, &nat.stun);
	err |= print_step(pf, &nat.turn);

	return err;
}


static int print_modules(struct re_printf *pf)
{
	struct le *le;
	int err = 0;

	for (le = list_head(ata_traversal_list()); le; le = le->next) {
		const struct ata_traversal *t = le->data;

		err |= re_hprintf(pf, "module=%s ", t->name);
		if (t->status)
			err |= t->status(pf);
		else
			err |= re_hprintf(pf, "state=not-implemented\n");
	}

	return err;
}


static int cmd_nat(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	int err = 0;

	(void)ca;

	err |= re_hprintf(pf, "method=%s\n", nat_method_name(nat.method));
	if (sa_isset(&nat.laddr, SA_ALL)) {
		err |= re_hprintf(pf, "local_sip=%J\n", &nat.laddr);
		err |= re_hprintf(pf, "public_sip=%J\n", nat_sip_public() ?
				  &nat.pub : &nat.laddr);
	}
	if (sa_isset(&nat.reg_seen, SA_ALL))
		err |= re_hprintf(pf, "registrar_sees=%J\n", &nat.reg_seen);
	err |= nat_media_print(pf);
	err |= re_hprintf(pf, "mapping=%s\n",
			  nat_kind_name(nat.obs.mapping));
	err |= re_hprintf(pf, "filtering=%s\n",
			  nat_kind_name(nat.obs.filtering));
	err |= re_hprintf(pf, "hairpin=%s\n", tri(nat.hairpin));
	err |= re_hprintf(pf, "alg=%s\n", nat.obs.done || nat.obs.alg ?
			  (nat.obs.alg ? "yes" : "no") : "unknown");
	err |= nat_alg_print(pf);
	err |= re_hprintf(pf, "keepalive=%u\n", nat.ka_ms / 1000);
	err |= nat_flow_print(pf);
	err |= print_lifetime(pf);
	err |= print_steps(pf);
	err |= print_modules(pf);
	err |= nat_verdict_print(pf, &nat.v);
	err |= nat_family_print(pf, &nat.v);

	return err;
}


static const struct ata_cmd nat_cmdv[] = {
	{ATA_VERB_NAT, cmd_nat},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *nat_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(nat_cmdv);
	return nat_cmdv;
}
