/**
 * @file call_end.c  How a call ends, and the reason CALL_CLOSED carries
 *
 * By us (call_reject, call_hangup, the ring limit): no handler runs.
 * By the far end or an error (libre's close handler): CALL_CLOSED with
 * the SIP status, our own failure's words, the name lookup's fault,
 * CANCEL or BYE.
 */
#include <re.h>
#include "ataua.h"
#include "call_priv.h"
#include "sip/sip_hop.h"
#include "sip/sip_stack.h"
#include "nat/nat.h"
#include "call_family.h"


/*
 * Our INVITE's offer was refused as not acceptable (488, 606): a peer
 * that has only the other family says so (baresip without IPv6 answers
 * an IN IP6 offer with 488). Once per call, where the box has the other
 * family, the same call is offered again in it with a new INVITE.
 * True if it went (or waits for its media relay).
 */
static bool offer_other_family(struct call *call, const struct sip_msg *msg)
{
	int af, err;

	if (call->incoming || call->af_retried || !msg ||
	    (msg->scode != 488 && msg->scode != 606) ||
	    (call->state != CALL_OUTGOING && call->state != CALL_RINGING))
		return false;

	af = call_family_other(call->af, call_has_family(call, AF_INET),
			       call_has_family(call, AF_INET6));
	if (af == AF_UNSPEC)
		return false;

	call->af_retried = true;
	call->sess = mem_deref(call->sess);
	err = call_media_build(call, call->tp, af);
	if (err)
		goto out;

	ata_info("call: %u %u %r to an offer in %s: offering %s", call->id,
		 msg->scode, &msg->reason,
		 af == AF_INET ? "IPv6" : "IPv4",
		 af == AF_INET ? "IPv4" : "IPv6");

	/* a TURN relay for the new media: the INVITE waits for it */
	if (nat_media_pending(call_media_nat(call->media)))
		call->wait_nat = true;
	else
		err = call_out_send(call);

 out:
	if (err)
		ata_warn("call: %u offer in the other family: %m", call->id,
			 err);
	return !err;
}


/*
 * Ended here (reject, hangup, rang too long) after the final response
 * went: no more ringing, signalling, media or bandwidth. The media
 * object stays for its counters.
 */
void call_end_release(struct call *call)
{
	call_quality_mark(call, CALL_CLOSED, CALL_BY_LOCAL);
	tmr_cancel(&call->tmr_ring);
	call->msg = mem_deref((void *)call->msg);
	call->sess = mem_deref(call->sess);
	call_media_stop(call->media);
	call->adm = mem_deref(call->adm);
}


/* libre's close handler: the far end or an error ended the call */
void call_end_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct call *call = arg;
	char reason[128];
	uint16_t scode = 0;

	/* media stays for its counters; nothing is sent once closed */
	tmr_cancel(&call->tmr_ring);
	call->hop.probe = mem_deref(call->hop.probe);
	if (offer_other_family(call, msg))
		return;

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
				 call_out_hop(call));
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
	call_quality_mark(call, CALL_CLOSED, msg || err == ECONNRESET ?
			  CALL_BY_REMOTE : CALL_BY_ERROR);

	call_set_state(call, CALL_CLOSED, scode, reason);
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

	call_end_release(call);
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

	call_end_release(call);
	call->state = CALL_CLOSED;
}
