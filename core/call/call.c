/**
 * @file call.c  Call signalling on libre sipsess: INVITE in and out, hold
 *
 * The owner holds the only reference. Our own actions (reject, hangup,
 * deref) never call the owner back; the far end's actions arrive as
 * state changes, CALL_CLOSED last. A handler is always the last thing a
 * libre callback does, so the owner may mem_deref the call inside it.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "admission.h"
#include "mod/hint.h"
#include "call_priv.h"
#include "sip/reg.h"
#include "sip/sip_hop.h"
#include "sip/sip_stack.h"
#include "nat/nat.h"

static uint32_t call_next_id = 1;

static void media_nat_handler(const struct sa *rtp, const struct sa *rtcp,
			      void *arg);

static const char ctype_sdp[] = "application/sdp";


static void call_destructor(void *arg)
{
	struct call *call = arg;

	mem_deref(call->dlg);
	tmr_cancel(&call->tmr_ring);

	/* an undecided INVITE still needs its final response */
	if (call->msg && !call->sess && call->state == CALL_INCOMING)
		(void)sip_treply(NULL, sip_stack_sip(call->ss), call->msg,
				 486, "Busy Here");

	mem_deref(call->sess);  /* BYE, CANCEL or 486 as libre sees fit */
	mem_deref((void *)call->msg);
	mem_deref(call->hint);
	mem_deref(call->adm);
	mem_deref(call->media);
	mem_deref(call->sdp);
	mem_deref(call->peer);
	sip_hop_close(&call->hop);
	mem_deref(call->cuser);
	mem_deref(call->reg);
	mem_deref(call->ss);
}


const char *call_state_name(enum call_state st)
{
	switch (st) {

	case CALL_IDLE:        return "idle";
	case CALL_OUTGOING:    return "outgoing";
	case CALL_RINGING:     return "ringing";
	case CALL_EARLY:       return "early";
	case CALL_INCOMING:    return "incoming";
	case CALL_ESTABLISHED: return "established";
	case CALL_HELD:        return "held";
	case CALL_CLOSED:      return "closed";
	default:               return "?";
	}
}


/* Last statement of every caller: the handler may deref the call */
static void set_state(struct call *call, enum call_state st,
		      uint16_t scode, const char *reason)
{
	if (call->state == st && st != CALL_EARLY)
		return;

	call->state = st;
	ata_debug("call: %u %s %u %s", call->id, call_state_name(st),
		  scode, reason ? reason : "");

	if (call->sh)
		call->sh(call, st, scode, reason, call->arg);
}


static void media_digit_handler(char key, void *arg)
{
	struct call *call = arg;

	if (call->dh && call->state != CALL_CLOSED)
		call->dh(call, key, call->arg);
}


static void media_audio_handler(const struct rtp_header *h,
				const int16_t *pcm, size_t n, void *arg)
{
	struct call *call = arg;

	if (call->ah && call->state != CALL_CLOSED)
		call->ah(call, h, pcm, n, call->arg);
}


static bool has_sdp(const struct sip_msg *msg)
{
	return msg && mbuf_get_left(msg->mb) > 0 &&
		msg_ctype_cmp(&msg->ctyp, "application", "sdp");
}


static void hint_dst_handler(const struct sa *rtp, void *arg)
{
	struct call *call = arg;

	if (call->state == CALL_CLOSED)
		return;

	ata_info("call: %u media to %J (hint)", call->id, rtp);
	call_media_set_dst(call->media, rtp);
}


/* The peer's SDP is agreed: media goes there, unless a hint finds a
   shorter way (alg-hint: a private address behind the same NAT) */
static void call_adm_media(const struct call *call, struct adm_media *am);


static void media_apply(struct call *call)
{
	const struct call_neg *neg = call_sdp_neg(call->sdp);
	struct adm_media am;

	call_media_update(call->media, neg);
	if (!neg->ok)
		return;

	/* the agreed ptime and SRTP may differ from the reservation */
	call_adm_media(call, &am);
	admission_update(call->adm, &am);
	hint_media_remote(call->hint, call_sdp_media(call->sdp), &neg->rtp,
			  hint_dst_handler, call);
}


static int recv_answer(struct call *call, const struct sip_msg *msg)
{
	int err;

	err = call_sdp_recv_answer(call->sdp, msg->mb);
	if (err) {
		re_snprintf(call->fail, sizeof(call->fail),
			    "488 SDP answer: %m", err);
		return err;
	}

	media_apply(call);

	return 0;
}


static int offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			 void *arg)
{
	struct call *call = arg;
	int err;

	if (!has_sdp(msg))
		return call_sdp_offer(call->sdp, descp);

	err = call_sdp_answer(call->sdp, msg->mb, descp);
	if (err)
		return err;  /* libre answers 488 */

	media_apply(call);

	return 0;
}


static int answer_handler(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	if (!has_sdp(msg))
		return 0;  /* 2xx to a re-INVITE may repeat nothing */

	return recv_answer(call, msg);
}


static void progress_handler(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	if (has_sdp(msg) && !recv_answer(call, msg)) {
		set_state(call, CALL_EARLY, msg->scode, "early media");
		return;
	}

	if (msg->scode == 180 && call->state == CALL_OUTGOING)
		set_state(call, CALL_RINGING, msg->scode, "Ringing");
}


static void estab_handler(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	/* msg is the 200 (outgoing) or the ACK (incoming) */
	set_state(call, CALL_ESTABLISHED,
		  msg && !msg->req ? msg->scode : 200, "OK");
}


/* The first hop of our INVITE: the outbound proxy, else the callee */
static const char *first_hop(const struct call *call)
{
	const struct reg_conf *rc = reg_config(call->reg);

	return rc && rc->outbound_proxy ? rc->outbound_proxy : call->peer;
}


static void close_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;
	char reason[128];
	uint16_t scode = 0;

	/* media stays for its counters; nothing is sent once closed */
	tmr_cancel(&call->tmr_ring);
	call->hop.probe = mem_deref(call->hop.probe);
	call_media_stop(call->media);
	call->adm = mem_deref(call->adm);
	call->sess = mem_deref(call->sess);

	if (msg && msg->scode >= 300) {
		scode = msg->scode;
		(void)re_snprintf(reason, sizeof(reason), "%r", &msg->reason);
	}
	else if (call->fail[0])
		str_ncpy(reason, call->fail, sizeof(reason));
	else if (!call->incoming && sip_hop_failed(&call->hop, err, msg))
		sip_hop_describe(&call->hop, reason, sizeof(reason),
				 first_hop(call));
	else if (err == ECONNRESET)
		str_ncpy(reason, call->state == CALL_INCOMING ||
			 call->state == CALL_RINGING ? "CANCEL" : "BYE",
			 sizeof(reason));
	else
		(void)re_snprintf(reason, sizeof(reason), "%m", err);

	/* ended by an error of ours (DNS, a timeout), not by the peer */
	if (!msg && err && err != ECONNRESET)
		ata_warn("call: %u to %s failed: %s", call->id, call->peer,
			 reason);

	set_state(call, CALL_CLOSED, scode, reason);
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
			      first_hop(call));
	close_handler(EDESTADDRREQ, NULL, call);
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
 * Reserve the call's bandwidth (core/call/admission.c): what we send follows
 * the agreed ptime (ours until the peer's answer is known), what we
 * receive follows ours; SRTP counts when agreed, or for an offer that
 * may be taken encrypted (the worst case). ENOSPC: it does not fit.
 */
static void call_adm_media(const struct call *call, struct adm_media *am)
{
	const struct call_neg *neg = call_sdp_neg(call->sdp);

	am->codec_bps = 64000;  /* both codecs we speak are G.711 */
	am->ptime_tx = neg->ok && neg->ptime ? neg->ptime : call->mp.ptime;
	am->ptime_rx = call->mp.ptime;
	am->srtp_tag = (neg->ok ? neg->srtp != NULL :
			call->mp.srtp != CALL_SRTP_OFF) ? 10 : 0;
	am->relay = ADM_RELAY_NONE;
}


static int call_admit(struct call *call)
{
	struct adm_media am;

	call_adm_media(call, &am);

	return admission_reserve(&call->adm, &am);
}


static bool dialog_match(const struct sip_msg *msg, void *arg);
static bool invite_match(const struct sip_msg *msg, void *arg);


static int call_base_alloc(struct call **callp, struct sip_stack *ss,
			   const struct call_mprefs *mp, enum sip_transp tp)
{
	const struct sa *sipaddr;
	struct call *call;
	struct sa laddr;
	int err;

	sipaddr = sip_stack_laddr(ss, tp);
	if (!sipaddr)
		return EPROTONOSUPPORT;

	call = mem_zalloc(sizeof(*call), call_destructor);
	if (!call)
		return ENOMEM;

	call->ss = mem_ref(ss);
	call->mp = *mp;
	call->id = call_next_id++;

	/* requests in its dialog pass accept_from; its INVITE again is
	   not a new call */
	err = sip_stack_dialog_alloc(&call->dlg, ss, dialog_match,
				     invite_match, call);
	if (err)
		goto out;

	/* RTP on the address SIP uses, which is what the peer can reach */
	sa_cpy(&laddr, sipaddr);
	sa_set_port(&laddr, 0);
	err = call_media_alloc(&call->media, mp, &laddr,
			       media_digit_handler, media_audio_handler, call);
	if (err)
		goto out;

	err = call_sdp_alloc(&call->sdp, mp, call_media_laddr(call->media));
	if (err)
		goto out;

	/* hints see the socket's own address and the one the SDP says */
	sa_set_port(&laddr, sa_port(call_media_laddr(call->media)));
	err = hint_media_alloc(&call->hint, call_media_sock(call->media),
			       &laddr, call_media_laddr(call->media),
			       call_sdp_media(call->sdp));
	if (err)
		goto out;

	nat_media_set_handler(call_media_nat(call->media), media_nat_handler,
			      call);

 out:
	if (err)
		mem_deref(call);
	else
		*callp = call;

	return err;
}


/* The INVITE with our offer */
static int connect_send(struct call *call)
{
	const struct reg_conf *rc = reg_config(call->reg);
	struct mbuf *offer = NULL;
	const char *routev[1];
	int err;

	/* a name in /etc/hosts needs no DNS; no name server (yet): fail
	   now, not wait for ever */
	err = sip_hop_prepare(&call->hop, call->ss, first_hop(call));
	if (call->hop.fail.fault)
		sip_hop_describe(&call->hop, call->fail, sizeof(call->fail),
				 first_hop(call));
	if (err)
		return err;

	err = call_sdp_offer(call->sdp, &offer);
	if (err)
		return err;

	routev[0] = call->hop.route ? call->hop.route : rc->outbound_proxy;
	err = sipsess_connect(&call->sess, sip_stack_sock(call->ss),
			      call->peer, rc->display_name, rc->aor,
			      call->cuser, routev[0] ? routev : NULL,
			      routev[0] ? 1 : 0, ctype_sdp, offer,
			      auth_handler, call, false, offer_handler,
			      answer_handler, progress_handler, estab_handler,
			      NULL, NULL, close_handler, call, NULL);
	mem_deref(offer);
	if (err)
		return err;

	ata_info("call: %u calling %s", call->id, call->peer);
	/* a name to look up: is the name server there at all? */
	sip_hop_probe(&call->hop, call->ss, first_hop(call), probe_handler,
		      call);

	return 0;
}


/* The media's public addresses are known or changed (nat_media.c):
   later SDP carries them; a held INVITE or answer goes now */
static void media_nat_handler(const struct sa *rtp, const struct sa *rtcp,
			      void *arg)
{
	struct call *call = arg;
	int err;

	call_sdp_set_laddr(call->sdp, rtp, rtcp);
	if (!call->wait_nat || call->state == CALL_CLOSED)
		return;

	call->wait_nat = false;
	if (call->incoming) {
		err = call_answer(call);
		if (err)
			ata_warn("call: %u answer: %m", call->id, err);
		return;
	}

	err = connect_send(call);
	if (err) {
		if (!call->fail[0])
			re_snprintf(call->fail, sizeof(call->fail),
				    "connect: %m", err);
		ata_warn("call: %u to %s failed: %s", call->id, call->peer,
			 call->fail);
		set_state(call, CALL_CLOSED, 0, call->fail);
	}
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
	int err;

	if (!callp || !ss || !rc || !mc || !str_isset(target))
		return EINVAL;

	err = call_mprefs_set(&mp, mc);
	if (err)
		return err;

	err = call_base_alloc(&call, ss, &mp, rc->tp);
	if (err)
		return err;

	call->reg = mem_ref(reg);
	call_set_handlers(call, sh, dh, ah, arg);

	err = call_target_uri(&call->peer, target, reg_domain(reg), rc->tp);
	err |= str_dup(&call->cuser, reg_user(reg));
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
		err = connect_send(call);

 out:
	if (err)
		mem_deref(call);
	else
		*callp = call;

	return err;
}


/**
 * For call_listen.c: wrap an INVITE for @p cuser, with the called
 * line's media and SRTP policy @p mp. Returns EBADMSG for SDP we
 * cannot parse (400), ENOTSUP/EPROTO when no codec is common, EACCES
 * when the SRTP policy refuses the offer (both 488).
 */
int call_incoming_alloc(struct call **callp, struct sip_stack *ss,
			const struct call_mprefs *mp,
			const struct sip_msg *msg, const char *cuser)
{
	struct mbuf *answer = NULL;
	struct call *call = NULL;
	int err;

	if (!callp || !ss || !mp || !msg || !cuser)
		return EINVAL;

	err = call_base_alloc(&call, ss, mp, msg->tp);
	if (err)
		return err;

	call->incoming = true;
	call->state = CALL_INCOMING;
	call->msg = mem_ref((void *)msg);

	err = str_dup(&call->cuser, cuser);
	err |= re_sdprintf(&call->peer, "%r", &msg->from.auri);
	if (err)
		goto out;

	/* negotiate now, so a hopeless offer is refused before ringing */
	if (has_sdp(msg))
		err = call_sdp_answer(call->sdp, msg->mb, &answer);
	if (!err)
		err = call_admit(call);  /* ENOSPC: 486 with a Warning */

 out:
	mem_deref(answer);
	if (err) {
		/* the caller sends the final response (400/488/500): keep
		   the destructor from answering 486 first */
		call->state = CALL_CLOSED;
		mem_deref(call);
	}
	else {
		*callp = call;
	}

	return err;
}


/* For sip_stack: a request inside this call's dialog */
static bool dialog_match(const struct sip_msg *msg, void *arg)
{
	const struct call *call = arg;

	if (!call || !call->sess)
		return false;

	return sip_dialog_cmp(sipsess_dialog(call->sess), msg);
}


/* For sip_stack: a retransmission of the INVITE we are still deciding on */
static bool invite_match(const struct sip_msg *msg, void *arg)
{
	const struct call *call = arg;

	if (!call || !call->msg || call->sess || !msg)
		return false;

	return !pl_cmp(&call->msg->callid, &msg->callid) &&
		call->msg->cseq.num == msg->cseq.num;
}


void call_set_handlers(struct call *call, call_state_h *sh,
		       call_digit_h *dh, call_audio_h *ah, void *arg)
{
	if (!call)
		return;

	call->sh = sh;
	call->dh = dh;
	call->ah = ah;
	call->arg = arg;
}


static int accept_invite(struct call *call, uint16_t scode,
			 const char *reason, struct mbuf *desc)
{
	int err;

	err = sipsess_accept(&call->sess, sip_stack_sock(call->ss),
			     call->msg, scode, reason, call->cuser,
			     ctype_sdp, desc, NULL, NULL, false,
			     offer_handler, answer_handler, estab_handler,
			     NULL, NULL, close_handler, call, NULL);
	if (!err)
		call->msg = mem_deref((void *)call->msg);

	return err;
}


/* Rang too long (ring_limit.c): the final response, then CLOSED */
static void ring_timeout(void *arg)
{
	struct call *call = arg;
	const struct ring_limit *rl = &call->ring;

	if (call->state != CALL_INCOMING)
		return;

	ata_info("call: %u unanswered after %u ms: %u %s", call->id, rl->ms,
		 rl->scode, rl->reason);

	if (call->sess)
		(void)sipsess_reject(call->sess, rl->scode, rl->reason, NULL);
	else if (call->msg)
		(void)sip_treply(NULL, sip_stack_sip(call->ss), call->msg,
				 rl->scode, rl->reason);

	call->msg = mem_deref((void *)call->msg);
	call->sess = mem_deref(call->sess);
	call_media_stop(call->media);
	call->adm = mem_deref(call->adm);
	set_state(call, CALL_CLOSED, rl->scode, rl->reason);
}


/**
 * Send 180 Ringing for an incoming call, which then rings no longer than
 * the INVITE's Expires (then 487) and @p max_ms (then 480; 0: the
 * default). EPROTO if not ringable; libre's error if it cannot accept
 * the INVITE: the caller must then refuse the call.
 */
int call_ring(struct call *call, uint32_t max_ms)
{
	int err;

	if (!call)
		return EINVAL;

	if (call->state != CALL_INCOMING || !call->msg)
		return EPROTO;

	ring_limit_decide(&call->ring, &call->msg->expires, max_ms);

	err = accept_invite(call, 180, "Ringing", NULL);
	if (!err)
		tmr_start(&call->tmr_ring, call->ring.ms, ring_timeout, call);

	return err;
}


/**
 * Answer an incoming call with 200 and our SDP (an answer, or an offer
 * when the INVITE had none). EPROTO if the call is not incoming.
 */
int call_answer(struct call *call)
{
	struct mbuf *desc = NULL;
	int err;

	if (!call)
		return EINVAL;

	if (call->state != CALL_INCOMING)
		return EPROTO;

	/* answered: whatever follows, it no longer rings */
	tmr_cancel(&call->tmr_ring);

	/* a TURN relay still being allocated: answer once it is known */
	if (nat_media_pending(call_media_nat(call->media))) {
		call->wait_nat = true;
		return 0;
	}

	/* the answer was negotiated when the INVITE came; encode it now */
	if (call_sdp_neg(call->sdp)->ok) {
		err = call_sdp_answer_again(call->sdp, &desc);
		media_apply(call);
	}
	else
		err = call_sdp_offer(call->sdp, &desc);
	if (err)
		goto out;

	if (call->sess)
		err = sipsess_answer(call->sess, 200, "OK", desc, NULL);
	else
		err = accept_invite(call, 200, "OK", desc);

 out:
	mem_deref(desc);
	return err;
}


/** Refuse an incoming call (486, 603 ...), or end any call */
void call_reject(struct call *call, uint16_t scode, const char *reason)
{
	if (!call || call->state == CALL_CLOSED)
		return;

	if (call->state != CALL_INCOMING || scode < 300 || scode > 699) {
		call_hangup(call);
		return;
	}

	if (call->sess)
		(void)sipsess_reject(call->sess, scode, reason, NULL);
	else if (call->msg)
		(void)sip_treply(NULL, sip_stack_sip(call->ss), call->msg,
				 scode, reason);

	tmr_cancel(&call->tmr_ring);
	call->msg = mem_deref((void *)call->msg);
	call->sess = mem_deref(call->sess);
	call_media_stop(call->media);
	call->adm = mem_deref(call->adm);
	call->state = CALL_CLOSED;
}


/** End the call: BYE, CANCEL, or 486 for one still ringing here */
void call_hangup(struct call *call)
{
	if (!call || call->state == CALL_CLOSED)
		return;

	if (call->msg && !call->sess)
		(void)sip_treply(NULL, sip_stack_sip(call->ss), call->msg,
				 486, "Busy Here");

	tmr_cancel(&call->tmr_ring);
	call->msg = mem_deref((void *)call->msg);
	call->sess = mem_deref(call->sess);
	call_media_stop(call->media);
	call->adm = mem_deref(call->adm);
	call->state = CALL_CLOSED;
}


/**
 * Put the far end on hold (re-INVITE with sendonly) or take it off.
 * EPROTO unless established/held; the far end's answer updates media.
 */
int call_hold(struct call *call, bool hold)
{
	struct mbuf *desc = NULL;
	int err;

	if (!call)
		return EINVAL;

	if (call->state != CALL_ESTABLISHED && call->state != CALL_HELD)
		return EPROTO;

	if (hold == (call->state == CALL_HELD))
		return 0;

	call_sdp_set_hold(call->sdp, hold);
	err = call_sdp_offer(call->sdp, &desc);
	if (!err)
		err = sipsess_modify(call->sess, desc);
	mem_deref(desc);
	if (err) {
		call_sdp_set_hold(call->sdp, !hold);
		return err;
	}

	set_state(call, hold ? CALL_HELD : CALL_ESTABLISHED, 0,
		  hold ? "hold" : "resume");

	return 0;
}
