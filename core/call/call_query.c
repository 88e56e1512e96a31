/**
 * @file call_query.c  What the line asks of a call, and what it sends
 *
 * Digits and audio to send, and read-only questions: state, id, peer,
 * ptime, direction, telephone-events, the `calls` status lines.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "call_priv.h"


int call_send_digit(struct call *call, char key)
{
	if (!call || !call->media)
		return EINVAL;

	if (call->state == CALL_CLOSED)
		return EPROTO;

	return call_media_send_digit(call->media, key);
}


int call_send_audio(struct call *call, const int16_t *pcm, size_t n)
{
	if (!call || !call->media)
		return EINVAL;

	if (call->state == CALL_CLOSED)
		return EPROTO;

	return call_media_send_audio(call->media, pcm, n);
}


int call_rx_thread(struct call *call, call_rx_attach_h *attach, void *arg)
{
	if (!call || !call->media)
		return EINVAL;

	if (call->state == CALL_CLOSED)
		return EPROTO;

	return call_media_thread(call->media, attach, arg);
}


void call_rx_thread_stop(struct call *call)
{
	if (call)
		call_media_thread_stop(call->media);
}


void call_rx_thread_poll(struct call *call)
{
	if (call)
		call_media_poll(call->media);
}


enum call_state call_state(const struct call *call)
{
	return call ? call->state : CALL_CLOSED;
}


uint32_t call_id(const struct call *call)
{
	return call ? call->id : 0;
}


const char *call_peer(const struct call *call)
{
	return call ? call->peer : NULL;
}


uint32_t call_ptime(const struct call *call)
{
	const struct call_neg *neg;

	if (!call)
		return 0;

	neg = call_sdp_neg(call->sdp);

	return neg && neg->ok ? neg->ptime : call->mp.ptime;
}


int call_status(struct re_printf *pf, const struct call *call)
{
	int err;

	if (!call)
		return 0;

	err  = re_hprintf(pf, "id=%u\nstate=%s\ndirection=%s\npeer=%s\n",
			  call->id, call_state_name(call->state),
			  call->incoming ? "in" : "out", call->peer);
	err |= call_media_status(pf, call->media);
	if (call->passthrough)
		err |= re_hprintf(pf, "mode=passthrough\nmode_tone=%s\n"
				  "mode_dir=%s\n", call->mode_tone,
				  call->mode_dir);

	return err;
}


/** true while the agreed direction lets us send audio (not held) */
bool call_sends_audio(const struct call *call)
{
	const struct call_neg *neg;

	if (!call || call->state == CALL_CLOSED)
		return false;

	neg = call_sdp_neg(call->sdp);

	return neg && neg->ok && (neg->dir & SDP_SENDONLY) &&
		sa_isset(&neg->rtp, SA_ALL);
}


/** The peer takes our digits as RFC 4733 telephone-events */
bool call_sends_telev(const struct call *call)
{
	const struct call_neg *neg;

	if (!call || call->state == CALL_CLOSED)
		return false;

	neg = call_sdp_neg(call->sdp);

	return neg && neg->ok && neg->telev_pt >= 0;
}


/** Add the call's RTP counters so far to c (for the metrics) */
void call_rtp_counters(const struct call *call, struct call_rtp_counters *c)
{
	if (call)
		call_media_counters(call->media, c);
}


/* Audio is due both ways: established, sendrecv agreed, a peer address */
static bool expects_audio(const struct call *call)
{
	const struct call_neg *neg = call_sdp_neg(call->sdp);

	return call->state == CALL_ESTABLISHED && neg && neg->ok &&
		neg->dir == SDP_SENDRECV && sa_isset(&neg->rtp, SA_ALL);
}


/**
 * One look for one-way audio (rx_watch.c): @p limit_ms without a packet
 * while we send. Fills @p c with the call's counters.
 * @return an enum rx_watch_ev (RX_WATCH_NONE for a NULL call)
 */
int call_rx_check(struct call *call, uint32_t limit_ms,
		  struct call_rtp_counters *c)
{
	if (!c)
		return RX_WATCH_NONE;

	memset(c, 0, sizeof(*c));
	if (!call || call->state == CALL_CLOSED)
		return RX_WATCH_NONE;

	call_media_counters(call->media, c);

	return rx_watch_tick(&call->rxw, tmr_jiffies(), c->rx_pkts,
			     c->tx_pkts, expects_audio(call), limit_ms);
}
