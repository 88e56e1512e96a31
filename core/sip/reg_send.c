/**
 * @file reg_send.c  The REGISTER: sent, answered, guarded, restarted
 *
 * Each try starts afresh (reg_send_retry): the first hop's name looked
 * up (sip_hop.c), libre's sipreg started, a guard timer beside it for a
 * request stuck before it was sent, and the name server probed. The
 * answer says OK or goes to reg_backoff.c; a NAT change re-registers.
 */
#include <re.h>
#include "ataua.h"
#include "nat/nat.h"
#include "reg_priv.h"
#include "sip_stack.h"


static int auth_handler(char **user, char **pass, const char *realm,
			void *arg)
{
	struct reg *reg = arg;
	int err;

	if (!reg->password)
		return EAUTH;

	err  = str_dup(user, reg->auth_user ? reg->auth_user : reg->user);
	err |= str_dup(pass, reg->password);
	reg->auth_sent = !err;

	return err;
}


/*
 * What the registrar stored for us: our Contact said the public address
 * where nat_sip.c rewrote it (UDP behind a NAT), else the local one
 */
static void reg_contact_update(struct reg *reg, const struct sip_msg *msg)
{
	const struct sa *pub = nat_sip_public();
	const struct sa *laddr = sipreg_laddr(reg->sipreg);
	char *c = reg->contact;

	if (!pub || reg_contact_stored(msg, reg->user, pub, c,
				       sizeof(reg->contact)))
		(void)reg_contact_stored(msg, reg->user, laddr, c,
					 sizeof(reg->contact));
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct reg *reg = arg;

	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	if (msg)
		(void)sip_stack_trust(reg->ss, &msg->src);
	if (reg_family_answered(reg, err, msg))
		return;                /* IPv6 failed: IPv4 goes now */

	nat_reg_observe(err, msg);
	nat_flow_observe(sip_stack_sip(reg->ss), msg);
	if (reg_tcp_alg(reg, msg))
		return;

	if (err || !msg || msg->scode >= 300) {
		reg_backoff_fail(reg, err, msg);
		return;
	}

	reg_lookup_over(reg);

	if (msg->scode < 200)
		return;

	if (reg->state != REG_OK)
		ata_info("reg: %s registered via %J", reg->aor, &msg->src);

	reg->failures = 0;
	reg->reason[0] = '\0';
	reg_contact_update(reg, msg);
	nat_reg_dns_observe(RESOLVER_OK);
	reg_set_state(reg, REG_OK, false);
}


/* No answer and no error for far too long: give up on this REGISTER */
static void guard_handler(void *arg)
{
	struct reg *reg = arg;

	reg->sipreg = mem_deref(reg->sipreg);
	reg_backoff_fail(reg, ETIME, NULL);
}


/* The name server's verdict on the first hop's name (resolver_probe.c) */
static void probe_handler(const struct resolver_fail *f, void *arg)
{
	struct reg *reg = arg;

	reg->hop.probe = mem_deref(reg->hop.probe);
	if (f->fault == RESOLVER_OK || !reg->sipreg) {
		reg_lookup_over(reg);
		return;
	}

	/* libre's lookups would go on for minutes: this try is over */
	reg->sipreg = mem_deref(reg->sipreg);
	reg->hop.fail = *f;
	reg_backoff_fail(reg, 0, NULL);
}


static int reg_start(struct reg *reg)
{
	const char *routev[1];
	uint32_t expiry = reg->conf.expiry_s ? reg->conf.expiry_s
		: DEFAULT_EXPIRY_S;
	int err;

	reg->auth_sent = false;
	tmr_cancel(&reg->tmr_dns);

	/* the policy already saw UDP blocked: do not wait for a timeout */
	if (reg_tcp_auto(reg) && nat_udp_blocked())
		(void)reg_tcp_switch(reg, "STUN unanswered");

	/* /etc/hosts names the first hop: the REGISTER goes to its
	   address; no name server (yet): say so, rather than wait */
	err = sip_hop_prepare(&reg->hop, reg->ss, reg_first_hop(reg));
	if (!err && reg->hop.route)
		ata_debug("reg: %s: %s from /etc/hosts: via %s", reg->aor,
			  reg_first_hop(reg), reg->hop.route);
	if (err)
		return err;

	routev[0] = reg->hop.route ? reg->hop.route :
		reg->fam.route ? reg->fam.route : reg->proxy;

	err = sipreg_register(&reg->sipreg, sip_stack_sip(reg->ss),
			      reg->registrar, reg->aor, reg->display,
			      reg->aor, expiry, reg->user,
			      routev[0] ? routev : NULL, routev[0] ? 1 : 0,
			      0, auth_handler, reg, false, resp_handler, reg,
			      NULL, NULL);
	if (err)
		return err;

	tmr_start(&reg->tmr_guard, ANSWER_GUARD_MS, guard_handler, reg);
	if (!reg->hop.route)
		reg_family_sent(reg);

	/* a name to look up: is the name server there at all? */
	sip_hop_probe(&reg->hop, reg->ss, reg_first_hop(reg), probe_handler,
		      reg);
	if (reg->hop.probe && !reg->lookup) {
		reg->lookup = true;
		nat_reg_lookup(true);
	}
	else if (!reg->hop.probe) {
		reg_lookup_over(reg);   /* an address or /etc/hosts */
	}

	return 0;
}


void reg_send_retry(void *arg)
{
	struct reg *reg = arg;
	int err;

	/* the family first: a dual-stack box looks up A and AAAA */
	if (reg_family_prepare(reg)) {
		reg_set_state(reg, REG_REGISTERING, false);
		return;
	}

	err = reg_start(reg);
	if (err) {
		reg_backoff_fail(reg, err, NULL);
		return;
	}

	reg_set_state(reg, REG_REGISTERING, false);
}


/* NAT policy decided (first REGISTER may go) or our address changed */
void reg_send_nat_handler(bool changed, void *arg)
{
	struct reg *reg = arg;

	if (!changed) {
		if (!reg->sipreg && reg->state == REG_REGISTERING)
			tmr_start(&reg->tmr, 0, reg_send_retry, reg);
		return;
	}

	ata_info("reg: %s: public address changed, re-registering",
		 reg->aor);
	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	reg_lookup_over(reg);
	reg->sipreg = mem_deref(reg->sipreg);
	tmr_start(&reg->tmr, NAT_RESTART_MS, reg_send_retry, reg);
}


/*
 * The lookup of the registrar's name is over (answered, failed, given
 * up); a failure tells nat its DNS fault first, so that the verdict
 * goes from "looking up" to the fault, never through "no reply"
 */
void reg_lookup_over(struct reg *reg)
{
	if (!reg->lookup)
		return;

	reg->lookup = false;
	nat_reg_lookup(false);
}
