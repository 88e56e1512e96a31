/**
 * @file call_sess.c  Offer/answer on libre sipsess, for both directions
 *
 * The handlers sipsess_connect() and sipsess_accept() are given: SDP
 * offers and answers in (call_sdp.c decides), 180 and early media,
 * established. What offer/answer agreed goes to the media, to the
 * bandwidth reservation and to the hints (call_sess_apply).
 */
#include <re.h>
#include "ataua.h"
#include "admission.h"
#include "mod/hint.h"
#include "call_priv.h"


bool call_sess_has_sdp(const struct sip_msg *msg)
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
void call_sess_apply(struct call *call)
{
	const struct call_neg *neg = call_sdp_neg(call->sdp);
	struct adm_media am;

	call_media_update(call->media, neg);
	rx_watch_restart(&call->rxw);  /* a new stream gets its time */
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

	call_sess_apply(call);

	return 0;
}


int call_sess_offer(struct mbuf **descp, const struct sip_msg *msg,
		    void *arg)
{
	struct call *call = arg;
	int err;

	if (!call_sess_has_sdp(msg))
		return call_sdp_offer(call->sdp, descp);

	err = call_sdp_answer(call->sdp, msg->mb, descp);
	if (err)
		return err;  /* libre answers 488 */

	call_sess_apply(call);

	return 0;
}


int call_sess_answer(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	if (!call_sess_has_sdp(msg))
		return 0;  /* 2xx to a re-INVITE may repeat nothing */

	return recv_answer(call, msg);
}


void call_sess_progress(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	if (call_sess_has_sdp(msg) && !recv_answer(call, msg)) {
		call_set_state(call, CALL_EARLY, msg->scode, "early media");
		return;
	}

	if (msg->scode == 180 && call->state == CALL_OUTGOING)
		call_set_state(call, CALL_RINGING, msg->scode, "Ringing");
}


void call_sess_estab(const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;

	/* msg is the 200 (outgoing) or the ACK (incoming) */
	call_set_state(call, CALL_ESTABLISHED,
		       msg && !msg->req ? msg->scode : 200, "OK");
}
