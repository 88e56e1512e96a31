/**
 * @file call_out.c  The INVITE we send: its first hop, auth, its failure
 *
 * The first hop (outbound proxy, else the callee) is looked up as a
 * REGISTER's is (sip/sip_hop.c): /etc/hosts, no name server, and the
 * name server's verdict, which may end the call in words before libre
 * would give up.
 */
#include <re.h>
#include "ataua.h"
#include "call_priv.h"
#include "sip/reg.h"
#include "sip/sip_hop.h"
#include "sip/sip_stack.h"
#include "nat/nat.h"


/* The first hop of our INVITE: the outbound proxy, else the callee */
const char *call_out_hop(const struct call *call)
{
	const struct reg_conf *rc = reg_config(call->reg);

	return rc && rc->outbound_proxy ? rc->outbound_proxy : call->peer;
}


/*
 * The name server's verdict on the first hop's name (resolver_probe.c),
 * as for a REGISTER: one that refuses or is silent ends the call now,
 * in words, instead of leaving the handset in silence through libre's
 * NAPTR, SRV and A tries. A call the far end has answered in any way
 * (ringing, early media, established) found its way: left alone.
 */
static void probe_handler(const struct resolver_fail *f, void *arg)
{
	struct call *call = arg;

	call->hop.probe = mem_deref(call->hop.probe);
	if (f->fault == RESOLVER_OK || call->state != CALL_OUTGOING)
		return;

	resolver_describe_uri(call->fail, sizeof(call->fail), f,
			      call_out_hop(call));
	call_end_handler(EDESTADDRREQ, NULL, call);
}


static int auth_handler(char **user, char **pass, const char *realm,
			void *arg)
{
	struct call *call = arg;
	const struct reg_conf *rc = reg_config(call->reg);
	int err;

	if (!rc || !rc->password)
		return EAUTH;

	err  = str_dup(user, rc->auth_user ? rc->auth_user
		       : reg_user(call->reg));
	err |= str_dup(pass, rc->password);

	return err;
}


/*
 * The family of an INVITE to @p peer: an IP literal's own (a v4-only
 * peer dialled by address from a dual-stack box goes over IPv4); to
 * the registration's first hop, the registration's (reg_family_route
 * keeps it there); else IPv4 where we have it (libre looks it up)
 */
static int call_out_family(const struct reg *reg, const char *peer)
{
	const struct reg_conf *rc = reg_config(reg);
	struct uri u;
	struct pl pl;
	struct sa sa;

	pl_set_str(&pl, peer);
	if (!rc->outbound_proxy && !uri_decode(&u, &pl) &&
	    !sa_set(&sa, &u.host, 0))
		return sa_af(&sa);

	if (reg_family_route(reg, rc->outbound_proxy ? rc->outbound_proxy :
			     peer))
		return reg_family_af(reg);

	return AF_UNSPEC;
}


/* The INVITE with our offer */
int call_out_send(struct call *call)
{
	const struct reg_conf *rc = reg_config(call->reg);
	struct mbuf *offer = NULL;
	const char *routev[1];
	int err;

	/* a name in /etc/hosts needs no DNS; no name server (yet): fail
	   now, not wait for ever */
	err = sip_hop_prepare(&call->hop, call->ss, call_out_hop(call));
	if (call->hop.fail.fault)
		sip_hop_describe(&call->hop, call->fail, sizeof(call->fail),
				 call_out_hop(call));
	if (err)
		return err;

	err = call_sdp_offer(call->sdp, &offer);
	if (err)
		return err;

	routev[0] = call->hop.route ? call->hop.route :
		reg_family_route(call->reg, call_out_hop(call));
	if (!routev[0])
		routev[0] = rc->outbound_proxy;
	err = sipsess_connect(&call->sess, sip_stack_sock(call->ss),
			      call->peer, rc->display_name, rc->aor,
			      call->cuser, routev[0] ? routev : NULL,
			      routev[0] ? 1 : 0, call_ctype_sdp, offer,
			      auth_handler, call, false, call_sess_offer,
			      call_sess_answer, call_sess_progress,
			      call_sess_estab, NULL, NULL, call_end_handler,
			      call, NULL);
	mem_deref(offer);
	if (err)
		return err;

	ata_info("call: %u calling %s", call->id, call->peer);
	/* a name to look up: is the name server there at all? */
	sip_hop_probe(&call->hop, call->ss, call_out_hop(call), probe_handler,
		      call);

	return 0;
}


/**
 * Call @p target (a number, dialled at the account's domain, or a SIP
 * URI) from the account of @p reg, with @p mc media.
 * Returns EINVAL (bad target), EPROTONOSUPPORT (transport not enabled),
 * ENOMEM, or the socket/SIP error.
 */
int call_connect(struct call **callp, struct sip_stack *ss, struct reg *reg,
		 const struct call_media_conf *mc, const char *target,
		 call_state_h *sh, call_digit_h *dh, call_audio_h *ah,
		 void *arg)
{
	const struct reg_conf *rc = reg_config(reg);
	struct call_mprefs mp;
	struct call *call = NULL;
	char *peer = NULL;
	int err;

	if (!callp || !ss || !rc || !mc || !str_isset(target))
		return EINVAL;

	err = call_mprefs_set(&mp, mc);
	if (err)
		return err;

	err = call_target_uri(&peer, target, reg_domain(reg), rc->tp);
	if (err)
		return err;

	err = call_alloc(&call, ss, &mp, rc->tp, call_out_family(reg, peer));
	if (err) {
		mem_deref(peer);
		return err;
	}

	call->peer = peer;
	call->reg = mem_ref(reg);
	call_set_handlers(call, sh, dh, ah, arg);

	err = str_dup(&call->cuser, reg_user(reg));
	if (err)
		goto out;

	err = call_admit(call);
	if (err)
		goto out;

	call->state = CALL_OUTGOING;
	/* a TURN relay still being allocated: the INVITE waits for it */
	if (nat_media_pending(call_media_nat(call->media))) {
		call->wait_nat = true;
		ata_info("call: %u waits for its media relay", call->id);
	}
	else
		err = call_out_send(call);

 out:
	if (err)
		mem_deref(call);
	else
		*callp = call;

	return err;
}
