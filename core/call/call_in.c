/**
 * @file call_in.c  The INVITE we get: negotiate, ring, answer
 *
 * call_listen.c turns an INVITE into a call here, or refuses it by the
 * error this returns; the line then rings it (180, bounded by
 * ring_limit.c) and answers it (200).
 */
#include <re.h>
#include "ataua.h"
#include "call_priv.h"
#include "sip/sip_stack.h"
#include "nat/nat.h"
#include "call_family.h"


/* The family of an incoming call's media (call_family.c): the offer's
   c=, so an IPv4-only peer behind a dual-stack registrar gets IPv4
   media though its INVITE reached our IPv6 registration; the INVITE's
   family where the offer names none we can use */
static int incoming_family(const struct sip_stack *ss,
			   const struct sip_msg *msg)
{
	int offer_af = AF_UNSPEC;

	if (call_sess_has_sdp(msg))
		offer_af = call_family_of_sdp(
			(const char *)mbuf_buf(msg->mb),
			mbuf_get_left(msg->mb));

	return call_family_pick(offer_af,
		sip_stack_laddr_af(ss, msg->tp, AF_INET) != NULL,
		sip_stack_laddr_af(ss, msg->tp, AF_INET6) != NULL,
		sa_af(&msg->dst));
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

	err = call_alloc(&call, ss, mp, msg->tp, incoming_family(ss, msg));
	if (err)
		return err;

	call->incoming = true;
	call->state = CALL_INCOMING;
	call->msg = mem_ref((void *)msg);

	err = str_dup(&call->cuser, cuser);
	err |= re_sdprintf(&call->peer, "%r", &msg->from.auri);
	err |= call_caller_decode(&call->caller, msg);
	if (err)
		goto out;

	/* negotiate now, so a hopeless offer is refused before ringing */
	if (call_sess_has_sdp(msg))
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


static int accept_invite(struct call *call, uint16_t scode,
			 const char *reason, struct mbuf *desc)
{
	int err;

	err = sipsess_accept(&call->sess, sip_stack_sock(call->ss),
			     call->msg, scode, reason, call->cuser,
			     call_ctype_sdp, desc, NULL, NULL, false,
			     call_sess_offer, call_sess_answer,
			     call_sess_estab, NULL, NULL, call_end_handler,
			     call, NULL);
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

	call_end_release(call);
	call_set_state(call, CALL_CLOSED, rl->scode, rl->reason);
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
		call_sess_apply(call);
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
