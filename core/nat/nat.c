/**
 * @file nat.c  NAT traversal policy: run the steps, keep the evidence
 *
 * folder core/nat/: NAT traversal policy: which traversal steps
 * run (modules registered in mod/), the verdict "will VoIP work here",
 * keep-alives, and the addresses SIP and media put in their messages.
 * Below sip/: the SIP layer feeds it evidence and asks it for
 * addresses; it never calls SIP.
 *
 * As soon as the SIP socket exists the configured steps start (all at
 * once with `parallel`, else one after the other); REGISTERs wait until
 * they have answered or timed out, so the first REGISTER already
 * carries the right Contact. TURN is asked only when the rest cannot
 * work (symmetric mapping, STUN silent). Every later REGISTER response
 * is evidence too: if the registrar sees another address than ours and
 * nothing else gave us one, its received/rport becomes our address.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "conf/config.h"
#include "mod/traversal.h"
#include "nat.h"
#include "nat_int.h"

struct nat_state nat;


struct nat_lsnr {
	struct le le;
	nat_change_h *h;
	void *arg;
};


static void lsnr_destructor(void *arg)
{
	struct nat_lsnr *l = arg;

	list_unlink(&l->le);
}


/** Be told when REGISTERs may go out and when our address changes */
int nat_listen(struct nat_lsnr **lp, nat_change_h *h, void *arg)
{
	struct nat_lsnr *l;

	if (!lp || !h)
		return EINVAL;

	l = mem_zalloc(sizeof(*l), lsnr_destructor);
	if (!l)
		return ENOMEM;

	l->h = h;
	l->arg = arg;
	list_append(&nat.lsnrs, &l->le, l);
	*lp = l;

	return 0;
}


static void notify(bool changed)
{
	struct le *le = list_head(&nat.lsnrs);

	while (le) {
		struct nat_lsnr *l = le->data;

		le = le->next;   /* the handler may free its listener */
		l->h(changed, l->arg);
	}
}


bool nat_ready(void)
{
	return nat.ready || nat.reg_probe;
}


/** The register step: REGISTERs may go out before the policy decides */
void nat_reg_probe_start(void)
{
	if (nat.reg_probe || nat.ready)
		return;

	nat.reg_probe = true;
	notify(false);
}


const struct sa *nat_sip_public(void)
{
	return sa_isset(&nat.pub, SA_ALL) ? &nat.pub : NULL;
}


/** Re-evaluate; an event when the verdict or the method changes */
void nat_update(void)
{
	struct nat_verdict v;

	nat.obs.local_private = nat_addr_private(&nat.laddr);
	nat.obs.turn_running = nat.turn.state == STEP_RUNNING;
	nat_verdict_eval(&v, &nat.obs);

	if (v.level == nat.v.level && v.method == nat.v.method &&
	    !str_cmp(v.reason, nat.v.reason))
		return;

	nat.v = v;
	ata_info("nat: verdict %s%s%s (method %s)", nat_level_name(v.level),
		 v.reason[0] ? ": " : "", v.reason, nat_method_name(v.method));
	ata_event(ATA_LOG_NOTICE, ATA_EVENT_NAT,
		  "verdict=%s method=%s public=%J reason=\"%s\"",
		  nat_level_name(v.level), nat_method_name(v.method),
		  nat_sip_public() ? &nat.pub : &nat.laddr, v.reason);
}


int ata_nat_public_sip(struct sa *pub)
{
	if (!pub)
		return EINVAL;

	if (!nat_sip_public())
		return ENOENT;

	*pub = nat.pub;

	return 0;
}


/** Use @p pub for SIP (NULL: our own address); re-register on change */
void nat_set_public(const struct sa *pub, enum nat_method m)
{
	bool changed;

	if (pub && sa_cmp(pub, &nat.laddr, SA_ALL))
		pub = NULL;

	changed = pub ? !sa_cmp(pub, &nat.pub, SA_ALL)
		: sa_isset(&nat.pub, SA_ALL);
	nat.method = m;
	if (!changed)
		return;

	if (sa_isset(&nat.pub, SA_ALL) || pub)
		ata_event(ATA_LOG_NOTICE, ATA_EVENT_PUBLIC_ADDR,
			  "old=%J new=%J method=%s",
			  sa_isset(&nat.pub, SA_ALL) ? &nat.pub : &nat.laddr,
			  pub ? pub : &nat.laddr, nat_method_name(m));

	if (pub)
		nat.pub = *pub;
	else
		sa_init(&nat.pub, AF_UNSPEC);

	nat_sip_set_public(nat.ns, pub);
	ata_notice("nat: public SIP address %J (%s)",
		   pub ? pub : &nat.laddr, nat_method_name(m));

	/* a REGISTER already went out with the old Contact (after a
	   network change every line re-registers anyway, once) */
	if ((nat.ready || nat.reg_probe) && !nat.rerun)
		notify(true);
}


/** Every step has answered (or given up): choose, let REGISTERs go */
void nat_decide(void)
{
	if (nat.ready && nat.upnp.state != STEP_OK && nat_step_turn_late())
		return;  /* the relay's answer decides */

	nat.obs.turn_ok = false;
	if (nat.turn.state == STEP_OK &&
	    (nat.upnp.state == STEP_OK || !nat_step_need_turn()))
		nat_step_turn_unneeded();

	if (nat.upnp.state == STEP_OK) {
		nat.obs.upnp_ok = true;
		nat_set_public(&nat.upnp.b.public, NAT_METHOD_UPNP);
	}
	else if (nat.turn.state == STEP_OK && nat_step_need_turn()) {
		nat.obs.turn_ok = true;
		nat_set_public(&nat.turn.b.public, NAT_METHOD_TURN);
	}
	else if (nat.stun.state == STEP_OK && nat.obs.stun_ok &&
		 nat.obs.mapping != NAT_KIND_AD &&
		 nat.obs.mapping != NAT_KIND_APD) {
		nat_set_public(&nat.stun.b.public, NAT_METHOD_STUN);
	}
	else if (!nat_step_want_turn()) {
		nat_set_public(NULL, NAT_METHOD_NONE);
	}

	nat.obs.done = true;
	nat_update();
	nat_keepalive_update();

	if (!nat.ready) {
		nat.ready = true;
		tmr_cancel(&nat.tmr_deadline);
		notify(false);
	}
	if (nat.rerun) {
		nat.rerun = false;
		notify(true);
	}
}


static void deadline_handler(void *arg)
{
	(void)arg;

	ata_warn("nat: traversal steps did not all answer in time");
	nat_decide();
}


/* No line registers ("registrar" empty everywhere): nobody to ask */
static bool no_registrar(const struct ata_config *cfg)
{
	size_t i;

	if (!cfg)
		return false;

	for (i = 0; i < cfg->linec; i++) {
		if (str_isset(cfg->linev[i].account.registrar))
			return false;
	}

	return true;
}


/** The SIP UDP socket exists: start the steps on it */
void nat_sip_start(struct udp_sock *us, const struct sa *laddr)
{
	const struct ata_config *cfg = ata_config();
	int err;

	if (!us || !laddr)
		return;

	nat_sip_stop();
	nat.us = mem_ref(us);
	nat.laddr = *laddr;
	err = nat_sip_alloc(&nat.ns, us, laddr);
	if (err)
		ata_warn("nat: SIP address rewriting unavailable: %m", err);

	nat.obs.reg_none = no_registrar(cfg);
	tmr_start(&nat.tmr_deadline, nat_steps_deadline(cfg),
		  deadline_handler, NULL);
	nat_steps_start(cfg);
}


/*
 * Lines whose registrar's name is being looked up: until that ends,
 * the registrar was not asked, and "no reply" would be untrue. The
 * lines count, not the policy: its observations start over, this not.
 */
static unsigned reg_lookups;


void nat_sip_stop(void)
{
	tmr_cancel(&nat.tmr_deadline);
	nat_flow_close();
	nat_steps_stop();
	nat.ns = mem_deref(nat.ns);
	nat.us = mem_deref(nat.us);
	memset(&nat.obs, 0, sizeof(nat.obs));
	nat.obs.reg_lookup = reg_lookups > 0;
	memset(&nat.v, 0, sizeof(nat.v));
	sa_init(&nat.pub, AF_UNSPEC);
	sa_init(&nat.reg_seen, AF_UNSPEC);
	nat.alg_sign = NAT_ALG_NONE;
	nat.method = NAT_METHOD_NONE;
	nat.ready = false;
}


/* Via received/rport of our own Via in a response */
static bool via_seen(struct sa *seen, const struct sip_msg *msg)
{
	struct pl rcv, rport;
	uint16_t port;

	port = sa_port(&msg->via.addr);
	if (!msg_param_decode(&msg->via.params, "rport", &rport) &&
	    pl_isset(&rport))
		port = (uint16_t)pl_u32(&rport);

	if (msg_param_decode(&msg->via.params, "received", &rcv)) {
		*seen = msg->via.addr;
		sa_set_port(seen, port);
		return true;
	}

	if (sa_set(seen, &rcv, port))
		return false;

	return true;
}


static bool rejects_contact(uint16_t scode)
{
	return scode == 403 || scode == 488 || scode == 606 ||
		scode == 400 || scode == 484;
}


/** Evidence from a REGISTER that never went out: its name not found */
void nat_reg_dns_observe(enum resolver_fault f)
{
	if (f)
		nat_reg_step_done(false);

	if (nat.obs.reg_dns == f)
		return;

	nat.obs.reg_dns = f;
	if (nat.obs.done)
		nat_update();
}


void nat_reg_lookup(bool started)
{
	bool was = nat.obs.reg_lookup;

	if (started)
		++reg_lookups;
	else if (reg_lookups)
		--reg_lookups;

	nat.obs.reg_lookup = reg_lookups > 0;
	if (nat.obs.reg_lookup != was && nat.obs.done)
		nat_update();
}


/** Evidence from a REGISTER response (or its failure) */
void nat_reg_observe(int err, const struct sip_msg *msg)
{
	struct sa seen;

	if (!msg) {   /* a timeout: no reply stays "no reply" */
		if (err)
			nat_reg_step_done(false);
		return;
	}

	if (msg->tp != SIP_TRANSP_UDP)
		return;

	nat.obs.reg_answered = true;
	nat.registrar = msg->src;

	if (via_seen(&seen, msg)) {
		nat.reg_seen = seen;
		nat.obs.reg_saw_other = !sa_cmp(&seen, &nat.laddr, SA_ALL);
		nat.obs.port_mismatch = nat.obs.stun_ok &&
			sa_isset(&nat.stun.b.public, SA_ALL) &&
			!sa_cmp(&seen, &nat.stun.b.public, SA_ALL) &&
			sa_cmp(&seen, &nat.stun.b.public, SA_ADDR);
	}
	nat_alg_observe(msg, via_seen(&seen, msg) ? &seen : NULL);

	if (msg->scode >= 200 && msg->scode < 300) {
		nat.obs.reg_ok = true;
		nat.obs.reg_rejected = false;
	}
	else if (msg->scode >= 300 && rejects_contact(msg->scode) &&
		 nat.obs.reg_saw_other && !nat_sip_public()) {
		nat.obs.reg_rejected = true;
		nat.obs.reg_ok = false;
	}

	/* the original design: a registrar that sees another address
	   than ours reveals a NAT, and the next step (STUN) runs */
	if (msg->scode >= 200 && nat.reg.state == STEP_RUNNING) {
		if (msg->scode < 300 && nat.obs.reg_saw_other)
			ata_info("nat: register: accepted, but the registrar"
				 " sees %J: a NAT", &nat.reg_seen);
		nat.reg_scode = msg->scode;
		nat_reg_step_done(msg->scode < 300 && !nat.obs.reg_saw_other);
	}

	/* the registrar sees a NAT nothing else handled: use its view */
	if (nat.ready && nat.obs.reg_saw_other && !nat_sip_public() &&
	    !nat.obs.port_mismatch) {
		ata_notice("nat: registrar sees us as %J", &nat.reg_seen);
		nat_set_public(&nat.reg_seen, NAT_METHOD_REGISTER);
	}

	nat_keepalive_update();
	/* a port mismatch calls for a relay: ask for it before a verdict
	   says TURN is needed (its answer decides again) */
	if (nat.ready && nat_step_want_turn())
		nat_decide();
	else
		nat_update();
}


/** A module's findings about the NAT (RFC 5780, ALG, lifetime) */
void ata_nat_report(const char *module, const struct ata_nat_info *info)
{
	if (!info)
		return;

	if (info->mapping > 0 && info->mapping <= NAT_KIND_APD)
		nat.obs.mapping = (enum nat_kind)info->mapping;
	if (info->filtering > 0 && info->filtering <= NAT_KIND_APD)
		nat.obs.filtering = (enum nat_kind)info->filtering;
	if (info->hairpin >= 0)
		nat.hairpin = info->hairpin;
	if (info->alg >= 0)
		nat.obs.alg = info->alg > 0;
	if (info->lifetime_s || info->lifetime_lapsed_s) {
		nat.lifetime_s = info->lifetime_s;
		nat.lifetime_lapsed_s = info->lifetime_lapsed_s;
	}

	ata_debug("nat: %s reports mapping=%s filtering=%s",
		  module ? module : "?", nat_kind_name(nat.obs.mapping),
		  nat_kind_name(nat.obs.filtering));

	/* no policy running (stopped: a module's test that ends at its
	   unload reports after the steps are gone): recorded, no verdict */
	if (!nat.us)
		return;

	if (nat.ready)
		nat_decide();
	else
		nat_steps_check();
}


int nat_init(void)
{
	if (nat.inited)
		return 0;

	tmr_init(&nat.tmr_deadline);
	tmr_init(&nat.tmr_reg);
	nat.hairpin = -1;
	nat.inited = true;

	return 0;
}


static struct {
	struct udp_sock *us;
	struct sa laddr;
} held;


/**
 * The module list is about to change (reload): every binding a module
 * made (steps on the SIP socket, calls' media) is released now, while
 * its code is still loaded. nat_modules_back() runs the policy again.
 */
void nat_modules_release(void)
{
	nat_media_release();
	if (!nat.us)
		return;

	held.us = mem_ref(nat.us);
	held.laddr = nat.laddr;
	nat_sip_stop();
}


/** The new modules are loaded: the policy runs on the SIP socket again */
void nat_modules_back(void)
{
	if (!held.us)
		return;

	nat_sip_start(held.us, &held.laddr);
	held.us = mem_deref(held.us);
}


/**
 * The network changed under us (a link came back, a global address came
 * or went: core/sys/netmon.c): mappings and the registrar's binding may be
 * gone although our address looks the same. The steps run again from
 * the start on the same socket; what they find replaces what was, with
 * events only for what differs (the verdict, the public address), and
 * every line re-registers once they have decided. Calls keep their
 * media bindings.
 */
void nat_network_changed(const char *why)
{
	const struct ata_config *cfg = ata_config();
	struct nat_obs obs;

	ata_event(ATA_LOG_NOTICE, ATA_EVENT_NETWORK, "reason=%s", why);
	if (!nat.us)
		return;

	ata_notice("nat: network changed (%s): running the policy again",
		   why);
	/* what the steps found goes; what the registrar said stays until
	   the re-REGISTER tells again (no verdict flapping meanwhile) */
	obs = nat.obs;
	memset(&nat.obs, 0, sizeof(nat.obs));
	nat.obs.reg_answered = obs.reg_answered;
	nat.obs.reg_ok = obs.reg_ok;
	nat.obs.reg_saw_other = obs.reg_saw_other;
	nat.obs.reg_rejected = obs.reg_rejected;
	nat.obs.reg_dns = obs.reg_dns;
	/* an ALG does not go away with the link; SIP stays where it went */
	nat.obs.sip_alg = obs.sip_alg;
	nat.obs.sip_alg_moved = obs.sip_alg_moved;
	nat.obs.reg_lookup = reg_lookups > 0;
	nat.obs.reg_none = no_registrar(cfg);
	nat_steps_stop();
	traversal_network_changed();
	nat.hairpin = -1;
	nat.lifetime_s = 0;      /* another NAT, perhaps: measured again */
	nat.lifetime_lapsed_s = 0;
	nat.ready = false;
	nat.rerun = true;
	tmr_start(&nat.tmr_deadline, nat_steps_deadline(cfg),
		  deadline_handler, NULL);
	nat_steps_start(cfg);
}


void nat_close(void)
{
	if (!nat.inited)
		return;

	held.us = mem_deref(held.us);
	nat_sip_stop();
	list_flush(&nat.lsnrs);
	nat.inited = false;
}
