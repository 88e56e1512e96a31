/**
 * @file nat_alg_obs.c  The router's SIP ALG: evidence, policy, `nat` line
 *
 * Every REGISTER answer over UDP is held against what we sent and what
 * STUN saw (nat_alg.c). Once an ALG shows, it stays known (it does not
 * come and go); `traversal.sip_alg: bypass` then lets the registration
 * move SIP off UDP (core/sip/reg_tcp.c asks nat_sip_alg_bypass()), and
 * the verdict says both in words.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "conf/config.h"
#include "nat_int.h"


/** A UDP REGISTER answer whose Via says the registrar saw us at @p seen */
void nat_alg_observe(const struct sip_msg *msg, const struct sa *seen)
{
	struct nat_alg_view v;
	enum nat_alg_sign s;

	memset(&v, 0, sizeof(v));
	if (!nat_sip_reg_sent(nat.ns, &msg->via.branch, &v.sent))
		sa_init(&v.sent, AF_UNSPEC);
	v.echoed = msg->via.addr;
	if (seen)
		v.seen = *seen;
	v.laddr = nat.laddr;
	v.registrar = msg->src;
	if (nat.obs.stun_ok && sa_isset(&nat.stun.b.public, SA_ALL))
		v.stun = nat.stun.b.public;

	s = nat_alg_check(&v);
	if (s == NAT_ALG_NONE || nat.obs.sip_alg)
		return;

	nat.obs.sip_alg = true;
	nat.alg_sign = s;
	ata_warn("nat: the router's SIP ALG rewrites our SIP: %s "
		 "(sent %J, came back %J, registrar saw %J)",
		 nat_alg_sign_text(s), &v.sent, &v.echoed, &v.seen);
	ata_event(ATA_LOG_WARN, ATA_EVENT_NAT, "sip_alg=yes sign=%s",
		  s == NAT_ALG_VIA ? "via" : "stun");
}


bool nat_sip_alg_bypass(void)
{
	const struct ata_config *cfg = ata_config();

	return nat.obs.sip_alg && !nat.obs.sip_alg_moved &&
		(!cfg || cfg->traversal.sip_alg == ATA_SIP_ALG_BYPASS);
}


void nat_sip_alg_moved(void)
{
	if (nat.obs.sip_alg_moved)
		return;

	nat.obs.sip_alg_moved = true;
	nat_update();
}


/** `sip_alg=no|yes: SIGN` for `atactl nat` (unknown before an answer) */
int nat_alg_print(struct re_printf *pf)
{
	if (nat.obs.sip_alg)
		return re_hprintf(pf, "sip_alg=yes: %s%s\n",
				  nat_alg_sign_text(nat.alg_sign),
				  nat.obs.sip_alg_moved ?
				  "; SIP moved to tcp" : "");

	return re_hprintf(pf, "sip_alg=%s\n",
			  nat.obs.reg_answered ? "no" : "unknown");
}
