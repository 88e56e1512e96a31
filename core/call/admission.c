/**
 * @file admission.c  Call admission arithmetic: need per call, the ledger
 *
 * folder core/call/: one call: its SIP session (out and in), the
 * SDP offer and answer, SDES keys and SRTP, the RTP media socket, and
 * call admission (will it fit the uplink). Incoming INVITEs reach it
 * through the handler it gives the SIP stack (call_listen.c); it never
 * names a line.
 *
 * A call's need, each way, is its RTP packets as they cross the access
 * link, counted per packet:
 *
 *   payload  = codec_bps / 8 * ptime / 1000      (G.711, 20 ms: 160 B)
 *   + 12 RTP header + SRTP auth tag (10 for _80, 4 for _32)
 *   + relay framing: ChannelData 4 B, or a Send/Data indication
 *     (20 STUN header + 12 XOR-PEER-ADDRESS (IPv4) + 4 DATA header +
 *     DATA padded to 4)
 *   + 8 UDP + 20 IPv4 + 18 Ethernet (14 header + 4 FCS)
 *   bit/s = bytes * 8 * 1000 / ptime, rounded up
 *
 * G.711 at 20 ms: (160 + 12 + 8 + 20 + 18) * 8 * 50 = 87200 bit/s, the
 * figure of the usual VoIP tables. Preamble and inter-frame gap (20 B)
 * are left out on purpose: the uplink the user configures is what the
 * modem or shaper sells, which counts frames, not the LAN's idle
 * symbols. RTCP (a report every ~5 s, < 1 kbit/s) and telephone-events
 * (they replace audio packets) are not counted.
 *
 * The decision: a call is admitted when, in both directions, what the
 * admitted calls use plus its need is at most the capacity; capacity 0
 * means unlimited. Equal to the capacity still fits (the configured
 * figure is what the link carries).
 */
#include <re.h>
#include "admission.h"

enum {
	RTP_HDR = 12,
	UDP_HDR = 8,
	IPV4_HDR = 20,
	ETH_HDR_FCS = 18,
	CHANNELDATA_HDR = 4,
	INDICATION_HDR = 20 + 12 + 4,
	PTIME_DEFAULT = 20,
};


/** bit/s of one RTP stream on the wire (rounded up); 0 if ptime is 0 */
uint32_t admission_stream_bps(uint32_t codec_bps, uint32_t ptime_ms,
			      uint32_t srtp_tag, enum adm_relay relay)
{
	uint64_t payload, bytes;

	if (!ptime_ms)
		return 0;

	payload = ((uint64_t)codec_bps * ptime_ms + 7999) / 8000;
	bytes = payload + RTP_HDR + srtp_tag;

	switch (relay) {

	case ADM_RELAY_CHANNEL:
		bytes += CHANNELDATA_HDR;
		break;

	case ADM_RELAY_INDICATION:
		bytes = INDICATION_HDR + ((bytes + 3) & ~(uint64_t)3);
		break;

	default:
		break;
	}

	bytes += UDP_HDR + IPV4_HDR + ETH_HDR_FCS;

	return (uint32_t)((bytes * 8 * 1000 + ptime_ms - 1) / ptime_ms);
}


/** Need of a call each way; EINVAL for no codec rate */
int admission_need(struct admission_need *n, const struct adm_media *m)
{
	if (!n || !m || !m->codec_bps)
		return EINVAL;

	n->up_bps = admission_stream_bps(m->codec_bps,
					 m->ptime_tx ? m->ptime_tx :
					 PTIME_DEFAULT, m->srtp_tag, m->relay);
	n->down_bps = admission_stream_bps(m->codec_bps, m->ptime_rx ?
					   m->ptime_rx : PTIME_DEFAULT,
					   m->srtp_tag, m->relay);

	return 0;
}


/** Capacity from the config; calls already admitted stay admitted */
void admission_set_capacity(struct adm_ledger *l, uint32_t up_kbps,
			    uint32_t down_kbps)
{
	if (!l)
		return;

	l->cap_up = (uint64_t)up_kbps * 1000;
	l->cap_down = (uint64_t)down_kbps * 1000;
}


/** kbit/s for people, rounded to nearest */
uint32_t admission_kbps(uint64_t bps)
{
	return (uint32_t)((bps + 500) / 1000);
}


static bool fits(uint64_t cap, uint64_t used, uint32_t need)
{
	return !cap || used + need <= cap;
}


/**
 * Admit a call of need @p n, or refuse it with ENOSPC and a reason in
 * @p why ("uplink full: 87 of 100 kbit/s in use, call needs 88").
 */
int admission_admit(struct adm_ledger *l, const struct admission_need *n,
		    char *why, size_t sz)
{
	const char *dir = NULL;
	uint64_t used = 0, cap = 0;
	uint32_t need = 0;

	if (!l || !n)
		return EINVAL;

	if (!fits(l->cap_up, l->used_up, n->up_bps)) {
		dir = "uplink";
		used = l->used_up, cap = l->cap_up, need = n->up_bps;
	}
	else if (!fits(l->cap_down, l->used_down, n->down_bps)) {
		dir = "downlink";
		used = l->used_down, cap = l->cap_down, need = n->down_bps;
	}

	if (dir) {
		++l->refusals;
		l->refused = true;
		if (why && sz)
			(void)re_snprintf(why, sz, "%s full: %u of %u kbit/s"
					  " in use, call needs %u", dir,
					  admission_kbps(used),
					  admission_kbps(cap),
					  (uint32_t)((need + 999) / 1000));
		return ENOSPC;
	}

	l->used_up += n->up_bps;
	l->used_down += n->down_bps;
	++l->calls;

	return 0;
}


/**
 * Give an admitted call's need back. Returns true when a call was
 * refused since capacity last came free: the caller says so (event).
 */
bool admission_release(struct adm_ledger *l, const struct admission_need *n)
{
	bool was_refused;

	if (!l || !n || !l->calls)
		return false;

	l->used_up -= n->up_bps <= l->used_up ? n->up_bps : l->used_up;
	l->used_down -= n->down_bps <= l->used_down ? n->down_bps :
		l->used_down;
	--l->calls;

	was_refused = l->refused;
	l->refused = false;

	return was_refused;
}


/**
 * An admitted call's need changed (the answer's ptime, SRTP agreed or
 * not): the books follow, even past the capacity; the call is not cut.
 */
void admission_adjust(struct adm_ledger *l, const struct admission_need *old,
		      const struct admission_need *n)
{
	if (!l || !old || !n || !l->calls)
		return;

	l->used_up -= old->up_bps <= l->used_up ? old->up_bps : l->used_up;
	l->used_down -= old->down_bps <= l->used_down ? old->down_bps :
		l->used_down;
	l->used_up += n->up_bps;
	l->used_down += n->down_bps;
}
