/**
 * @file call.c  One call: its life, its media, what it reserves
 *
 * The owner holds the only reference. Our own actions (reject, hangup,
 * deref) never call the owner back; the far end's actions arrive as
 * state changes, CALL_CLOSED last. A handler is always the last thing a
 * libre callback does, so the owner may mem_deref the call inside it.
 *
 * The signalling is split by job: call_out.c (the INVITE we send),
 * call_in.c (the INVITE we get), call_sess.c (offer/answer on libre's
 * sipsess), call_end.c (how a call ends, and the reason).
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "admission.h"
#include "mod/hint.h"
#include "call_priv.h"
#include "sip/sip_stack.h"
#include "nat/nat.h"

const char call_ctype_sdp[] = "application/sdp";

static uint32_t call_next_id = 1;

static void media_nat_handler(const struct sa *rtp, const struct sa *rtcp,
			      void *arg);


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
void call_set_state(struct call *call, enum call_state st,
		    uint16_t scode, const char *reason)
{
	if (call->state == st && st != CALL_EARLY)
		return;

	call->state = st;
	call_quality_mark(call, st, NULL);
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


/*
 * The call's bandwidth (admission.c): what we send follows
 * the agreed ptime (ours until the peer's answer is known), what we
 * receive follows ours; SRTP counts when agreed, or for an offer that
 * may be taken encrypted (the worst case). ENOSPC: it does not fit.
 */
void call_adm_media(const struct call *call, struct adm_media *am)
{
	const struct call_neg *neg = call_sdp_neg(call->sdp);

	am->codec_bps = 64000;  /* both codecs we speak are G.711 */
	am->ptime_tx = neg->ok && neg->ptime ? neg->ptime : call->mp.ptime;
	am->ptime_rx = call->mp.ptime;
	am->srtp_tag = (neg->ok ? neg->srtp != NULL :
			call->mp.srtp != CALL_SRTP_OFF) ? 10 : 0;
	am->relay = ADM_RELAY_NONE;
}


int call_admit(struct call *call)
{
	struct adm_media am;

	call_adm_media(call, &am);

	return admission_reserve(&call->adm, &am);
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


/*
 * The call's media on transport @p tp's address in family @p af
 * (call_family.c decides it; AF_UNSPEC: IPv4 where we have it), its
 * SDP and hints; media an earlier offer built (the other family) goes.
 */
int call_media_build(struct call *call, enum sip_transp tp, int af)
{
	const struct sa *sipaddr;
	struct sa laddr;
	int err;

	sipaddr = sip_stack_laddr_af(call->ss, tp, af);
	if (!sipaddr)
		sipaddr = sip_stack_laddr(call->ss, tp);
	if (!sipaddr)
		return EPROTONOSUPPORT;

	call->hint = mem_deref(call->hint);
	call->sdp = mem_deref(call->sdp);
	call->media = mem_deref(call->media);
	call->tp = tp;
	call->af = sa_af(sipaddr);

	/* RTP on the address SIP uses, which is what the peer can reach */
	sa_cpy(&laddr, sipaddr);
	sa_set_port(&laddr, 0);
	err = call_media_alloc(&call->media, &call->mp, &laddr,
			       media_digit_handler, media_audio_handler, call);
	if (err)
		return err;

	err = call_sdp_alloc(&call->sdp, &call->mp,
			     call_media_laddr(call->media));
	if (err)
		return err;

	/* hints see the socket's own address and the one the SDP says */
	sa_set_port(&laddr, sa_port(call_media_laddr(call->media)));
	err = hint_media_alloc(&call->hint, call_media_sock(call->media),
			       &laddr, call_media_laddr(call->media),
			       call_sdp_media(call->sdp));
	if (err)
		return err;

	nat_media_set_handler(call_media_nat(call->media), media_nat_handler,
			      call);

	return 0;
}


/* The box has a SIP address in family @p af on the call's transport */
bool call_has_family(const struct call *call, int af)
{
	return sip_stack_laddr_af(call->ss, call->tp, af) != NULL;
}


/* A call of either direction: its media (call_media_build), and the
   stack told its dialog is ours */
int call_alloc(struct call **callp, struct sip_stack *ss,
	       const struct call_mprefs *mp, enum sip_transp tp, int af)
{
	struct call *call;
	int err;

	if (!sip_stack_laddr_af(ss, tp, af) && !sip_stack_laddr(ss, tp))
		return EPROTONOSUPPORT;

	call = mem_zalloc(sizeof(*call), call_destructor);
	if (!call)
		return ENOMEM;

	call->ss = mem_ref(ss);
	call->mp = *mp;
	call->id = call_next_id++;
	call_quality_mark(call, CALL_IDLE, NULL);

	/* requests in its dialog pass accept_from; its INVITE again is
	   not a new call */
	err = sip_stack_dialog_alloc(&call->dlg, ss, dialog_match,
				     invite_match, call);
	if (err)
		goto out;

	err = call_media_build(call, tp, af);

 out:
	if (err)
		mem_deref(call);
	else
		*callp = call;

	return err;
}


/* The media's public addresses are known or changed (nat_media.c):
   later SDP carries them; a held INVITE or answer goes now */
static void media_nat_handler(const struct sa *rtp, const struct sa *rtcp,
			      void *arg)
{
	struct call *call = arg;
	int err;

	call_sdp_set_laddr(call->sdp, rtp, rtcp);
	/* relayed from now on: TURN's helper must see what is sent */
	if (!strcmp(nat_media_path(call_media_nat(call->media)), "relay"))
		call_media_thread_stop(call->media);
	if (!call->wait_nat || call->state == CALL_CLOSED)
		return;

	call->wait_nat = false;
	if (call->incoming) {
		err = call_answer(call);
		if (err)
			ata_warn("call: %u answer: %m", call->id, err);
		return;
	}

	err = call_out_send(call);
	if (err) {
		if (!call->fail[0])
			re_snprintf(call->fail, sizeof(call->fail),
				    "connect: %m", err);
		ata_warn("call: %u to %s failed: %s", call->id, call->peer,
			 call->fail);
		call_set_state(call, CALL_CLOSED, 0, call->fail);
	}
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

	call_set_state(call, hold ? CALL_HELD : CALL_ESTABLISHED, 0,
		       hold ? "hold" : "resume");

	return 0;
}
