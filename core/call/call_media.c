/**
 * @file call_media.c  RTP for one call: G.711 both ways, RFC 4733 digits
 *
 * The socket comes from the configured port range (RTCP on port+1, or
 * muxed when negotiated). Received audio is decoded by its own PT, so a
 * peer switching between PCMU and PCMA is still heard; we send only the
 * negotiated codec, and only while the direction lets us. What each
 * packet goes through is call_rx.c and call_tx.c, on whichever thread
 * reads and sends it; handing them to the line's media thread is
 * call_media_thread.c.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "dsp/g711.h"
#include "call_int.h"
#include "call_media_priv.h"
#include "call_rx.h"
#include "call_tx.h"
#include "nat/nat.h"
#include "dsp/telev.h"

enum {
	FRAME_MAX = 480,          /* 60 ms at 8 kHz */
	DIGIT_QUEUE_MAX = 16,
	SRTP_LAYER = 20,          /* above NAT helpers (TURN, STUN) */
	RX_SIZE = 2048,           /* one datagram: RTP, RTCP, STUN, TURN */
};


static void call_media_destructor(void *arg)
{
	struct call_media *cm = arg;

	tmr_cancel(&cm->tmr_telev);
	call_media_thread_stop(cm);
	mem_deref(cm->telev);
	mem_deref(cm->rx);
	mem_deref(cm->tx);
	mem_deref(cm->nat);
	mem_deref(cm->uh_rtp);
	mem_deref(cm->uh_rtcp);
	mem_deref(cm->rtp);
	mem_deref(cm->srtp);
}


/* RTP version 2 (not STUN, not TURN channel data) */
static bool is_rtp_or_rtcp(const struct mbuf *mb)
{
	return mbuf_get_left(mb) >= 8 && (mbuf_buf(mb)[0] & 0xc0) == 0x80;
}


/* RTCP packet types 200..204 fall on PT 72..76 when read as RTP */
static bool is_rtcp(const struct mbuf *mb)
{
	uint8_t pt = mbuf_buf(mb)[1] & 0x7f;

	return pt >= 64 && pt <= 95;
}


/* Every RTP/RTCP send passes here: protect in place when SRTP is on */
static bool srtp_send_helper(int *err, struct sa *dst, struct mbuf *mb,
			     void *arg)
{
	struct call_media *cm = arg;
	size_t len = mbuf_get_left(mb);
	int e;

	(void)dst;
	if (!cm->srtp || !is_rtp_or_rtcp(mb))
		return false;

	e = mbuf_resize(mb, mb->pos + len + CALL_SRTP_TRAILER + 16);
	if (!e && is_rtcp(mb))
		e = call_srtp_protect_rtcp(cm->srtp, mbuf_buf(mb), &len,
					   mb->size - mb->pos);
	else if (!e)
		e = call_srtp_protect(cm->srtp, mbuf_buf(mb), &len,
				      mb->size - mb->pos);
	if (e) {
		*err = e;
		return true;  /* never send it in clear */
	}

	mb->end = mb->pos + len;
	return false;
}


/* Every receive passes here first: unprotect, drop what fails */
static bool srtp_recv_helper(struct sa *src, struct mbuf *mb, void *arg)
{
	struct call_media *cm = arg;
	size_t len = mbuf_get_left(mb);
	int e;

	(void)src;
	if (!is_rtp_or_rtcp(mb))
		return false;

	/* the media thread owns RTP's receive state: what libre still
	   reads (queued before the switch) is dropped; a relayed call
	   (TURN) gives the path back to the main loop */
	if (cm->attached && !is_rtcp(mb)) {
		if (strcmp(nat_media_path(cm->nat), "relay"))
			return true;
		call_media_thread_stop(cm);
	}

	if (!cm->srtp)
		return false;

	if (is_rtcp(mb))
		e = call_srtp_unprotect_rtcp(cm->srtp, mbuf_buf(mb), &len);
	else
		e = call_srtp_unprotect(cm->srtp, mbuf_buf(mb), &len);
	if (e) {
		++cm->cnt.srtp_fail;
		return true;  /* consumed: dropped */
	}

	mb->end = mb->pos + len;
	return false;
}


/* libre read it (main loop): TURN, an old kernel, no line driver;
   never while the thread reads (srtp_recv_helper drops it then) */
static void rtp_recv_handler(const struct sa *src, const struct rtp_header *h,
			     struct mbuf *mb, void *arg)
{
	struct call_media *cm = arg;
	int16_t pcm[FRAME_MAX];
	size_t n = 0;
	char key = 0;

	call_rx_set_src(cm->rx, src);
	switch (call_rx_packet(cm->rx, h->ssrc, h->seq, h->ts,
			       (uint8_t)(h->pt | (h->m ? 0x80 : 0)),
			       mbuf_buf(mb), mbuf_get_left(mb),
			       call_rx_now_ns(), pcm, &n, &key)) {

	case CALL_RX_AUDIO:
		if (cm->ah)
			cm->ah(h, pcm, n, cm->arg);
		break;

	case CALL_RX_DIGIT:
		if (cm->dh)
			cm->dh(key, cm->arg);
		break;

	default:
		break;
	}
}


/* RTCP from the peer (libre keeps the numbers; we count reports) */
static void rtcp_recv_handler(const struct sa *src, struct rtcp_msg *msg,
			      void *arg)
{
	struct call_media *cm = arg;

	(void)src;
	if (msg->hdr.pt == RTCP_SR)
		++cm->cnt.rtcp_sr;
	else if (msg->hdr.pt == RTCP_RR)
		++cm->cnt.rtcp_rr;
}


/**
 * Open the RTP (and RTCP) socket on @p laddr's IP, port from the range.
 * Returns EINVAL, ENOMEM or the socket error (EADDRINUSE: range full).
 */
int call_media_alloc(struct call_media **cmp, const struct call_mprefs *mp,
		     const struct sa *laddr, call_media_digit_h *dh,
		     call_media_audio_h *ah, void *arg)
{
	struct call_media *cm;
	int err;

	if (!cmp || !mp || !laddr)
		return EINVAL;

	cm = mem_zalloc(sizeof(*cm), call_media_destructor);
	if (!cm)
		return ENOMEM;

	cm->mp = *mp;
	cm->neg.telev_pt = -1;
	cm->dh = dh;
	cm->ah = ah;
	cm->arg = arg;
	tmr_init(&cm->tmr_telev);
	tmr_init(&cm->tmr_rx);

	err = rtp_listen(&cm->rtp, IPPROTO_UDP, laddr, mp->rtp_min,
			 mp->rtp_max, true, rtp_recv_handler,
			 rtcp_recv_handler, cm);
	if (err)
		goto out;

	/* G.711's clock both ways: without it libre computes no jitter
	   (ours, and in the reports we send) and SRs carry no clock */
	rtcp_set_srate(cm->rtp, CALL_SRATE, CALL_SRATE);

	/* libre reads every datagram into a new buffer of 8 kB; 50 a
	   second per call, freed at once, among SIP buffers that stay for
	   32 s, they fragment the heap (tests/soak): 2 kB holds the largest
	   packet these sockets get (60 ms of G.711 in SRTP over TURN) */
	udp_rxsz_set(rtp_sock(cm->rtp), RX_SIZE);
	if (rtcp_sock(cm->rtp))
		udp_rxsz_set(rtcp_sock(cm->rtp), RX_SIZE);

	err = telev_alloc(&cm->telev, mp->ptime);
	if (!err)
		err = call_rx_alloc(&cm->rx);
	if (!err)
		err = call_tx_alloc(&cm->tx, cm->rtp);
	if (err)
		goto out;
	call_rx_set(cm->rx, NULL, mp->telev_pt, -1);
	call_rx_set_tx(cm->rx, cm->tx);

	cm->laddr = *rtp_local(cm->rtp);
	err = nat_media_bind(&cm->nat, cm->rtp, &cm->laddr);
	if (err)
		goto out;

	err = udp_register_helper(&cm->uh_rtp, rtp_sock(cm->rtp),
				  SRTP_LAYER, srtp_send_helper,
				  srtp_recv_helper, cm);
	if (!err && rtcp_sock(cm->rtp))
		err = udp_register_helper(&cm->uh_rtcp, rtcp_sock(cm->rtp),
					  SRTP_LAYER, srtp_send_helper,
					  srtp_recv_helper, cm);

 out:
	if (err)
		mem_deref(cm);
	else
		*cmp = cm;

	return err;
}


const struct sa *call_media_laddr(const struct call_media *cm)
{
	return cm ? &cm->laddr : NULL;
}


/** The NAT side of the media (nat_media.c), NULL when none is handled */
struct nat_media *call_media_nat(const struct call_media *cm)
{
	return cm ? cm->nat : NULL;
}


static bool may_send(const struct call_media *cm)
{
	return cm->neg.ok && (cm->neg.dir & SDP_SENDONLY) &&
		sa_isset(&cm->neg.rtp, SA_ALL);
}


/* What the sender needs of the agreement (while no thread sends) */
static void tx_set(struct call_media *cm)
{
	struct call_tx_conf tc = {
		.dst = &cm->neg.rtp,
		.may_send = may_send(cm),
		.pt = cm->neg.pt,
		.telev_pt = cm->neg.telev_pt,
		.ptime = cm->neg.ptime,
		.srtp = cm->srtp,
	};

	call_tx_set(cm->tx, &tc);
}


/** Apply a new offer/answer result: peer address, codec, mux, RTCP */
void call_media_update(struct call_media *cm, const struct call_neg *neg)
{
	if (!cm || !neg || !neg->ok)
		return;

	cm->neg = *neg;
	cm->negotiated = true;
	/* what the thread reads changes only while it does not read */
	call_media_thread_pause(cm);
	if (cm->srtp != neg->srtp) {
		mem_deref(cm->srtp);
		cm->srtp = mem_ref(neg->srtp);
	}
	call_rx_set(cm->rx, cm->srtp, cm->mp.telev_pt, neg->telev_pt);
	tx_set(cm);
	call_media_thread_resume(cm);
	nat_media_set_peer(cm->nat, &neg->rtp, &neg->rtcp);
	rtcp_enable_mux(cm->rtp, neg->rtcp_mux);
	if (sa_isset(&neg->rtcp, SA_ALL))
		rtcp_start(cm->rtp, "ataua", &neg->rtcp);
}


/** The call ended: send nothing more, keep the counters */
void call_media_stop(struct call_media *cm)
{
	if (!cm)
		return;

	tmr_cancel(&cm->tmr_telev);
	call_media_thread_stop(cm);
	cm->neg.ok = false;
	tx_set(cm);
	cm->dh = NULL;
	cm->ah = NULL;
}


static int send_rtp(struct call_media *cm, bool marker, uint8_t pt,
		    uint32_t ts, struct mbuf *mb)
{
	size_t len = mbuf_get_left(mb);
	int err;

	err = rtp_send(cm->rtp, &cm->neg.rtp, false, marker, pt, ts, mb);
	if (err)
		return err;

	++cm->cnt.tx_pkts;
	cm->cnt.tx_bytes += len;

	return 0;
}


/**
 * Encode and send one frame of @p n samples (n = ptime * 8). Frames are
 * dropped without error while we may not send (hold, no answer yet),
 * and while the line's media thread sends (it has its own).
 */
int call_media_send_audio(struct call_media *cm, const int16_t *pcm,
			  size_t n)
{
	if (!cm)
		return EINVAL;

	return cm->attached ? 0 : call_tx_audio(cm->tx, pcm, n);
}


/* Every ptime while a digit is on air: all packets of one event carry
   the timestamp of its start (RFC 4733 2.5.1.2). */
static void telev_tmr_handler(void *arg)
{
	struct call_media *cm = arg;
	struct mbuf *mb;
	bool marker;

	mb = mbuf_alloc(RTP_HEADER_SIZE + 4);
	if (!mb)
		goto again;

	mb->pos = mb->end = RTP_HEADER_SIZE;
	if (telev_poll(cm->telev, &marker, mb)) {
		mem_deref(mb);
		return;  /* queue empty: done */
	}

	if (marker)
		cm->ts_event = call_tx_ts(cm->tx);

	mb->pos = RTP_HEADER_SIZE;
	if (may_send(cm) && cm->neg.telev_pt >= 0)
		(void)send_rtp(cm, marker, (uint8_t)cm->neg.telev_pt,
			       cm->ts_event, mb);
	mem_deref(mb);

 again:
	tmr_start(&cm->tmr_telev, cm->mp.ptime, telev_tmr_handler, cm);
}


/**
 * Queue one digit as an RFC 4733 event. Returns EINVAL for a key that is
 * not a digit, ENOTSUP when the peer did not offer telephone-event,
 * EOVERFLOW when too many digits are queued.
 */
int call_media_send_digit(struct call_media *cm, char key)
{
	int code, err;

	if (!cm)
		return EINVAL;

	code = telev_digit2code(key);
	if (code < 0 || code > 15)
		return EINVAL;

	if (cm->neg.ok && cm->neg.telev_pt < 0)
		return ENOTSUP;

	/* the thread sends: one sequence, one SRTP context */
	if (cm->attached) {
		err = call_tx_digit(cm->tx, key);
		if (!err)
			++cm->cnt.tx_digits;
		return err;
	}

	err = telev_send(cm->telev, code, false);
	if (err)
		return err;

	err = telev_send(cm->telev, 0, true);
	if (err)
		return err;

	++cm->cnt.tx_digits;
	if (!tmr_isrunning(&cm->tmr_telev))
		tmr_start(&cm->tmr_telev, 0, telev_tmr_handler, cm);

	return 0;
}


/*
 * RTCP (RFC 3550 6.4): reports received, and libre's figures for the
 * source we hear: what the peer's reports say of our stream (peer_*),
 * what we would report of theirs (rx_*, jitter in us) and the RTT.
 */
static int rtcp_status(struct re_printf *pf, const struct call_media *cm,
		       const struct call_rx_counters *rc)
{
	struct rtcp_stats rs;
	int err;

	err = re_hprintf(pf, "rtcp_sr_rx=%llu\nrtcp_rr_rx=%llu\n",
			 cm->cnt.rtcp_sr, cm->cnt.rtcp_rr);
	if (!rc->pkts || rtcp_stats(cm->rtp, call_rx_ssrc(cm->rx), &rs))
		return err;

	err |= re_hprintf(pf, "rtcp_peer_lost=%d\nrtcp_peer_jitter_us=%u\n",
			  rs.tx.lost, rs.tx.jit);
	/* ours: libre's is wrong once the media thread feeds it late */
	err |= re_hprintf(pf, "rtcp_rx_lost=%d\nrtcp_rx_jitter_us=%u\n",
			  rs.rx.lost, rc->jitter_us);
	err |= re_hprintf(pf, "rtcp_rtt_us=%u\n", rs.rtt);

	return err;
}


int call_media_status(struct re_printf *pf, const struct call_media *cm)
{
	uint64_t txp = 0, txb = 0;
	struct call_rx_counters rc;
	struct sa src;
	int err;

	if (!cm)
		return 0;

	memset(&rc, 0, sizeof(rc));
	call_rx_counters(cm->rx, &rc);
	call_tx_counters(cm->tx, &txp, &txb);
	if (!call_rx_last_src(cm->rx, &src))
		sa_init(&src, AF_UNSPEC);

	err  = re_hprintf(pf, "rtp_local=%J\n", &cm->laddr);
	err |= re_hprintf(pf, "rtp_remote=%J\n", &cm->neg.rtp);
	err |= re_hprintf(pf, "rtp_path=%s\n", nat_media_path(cm->nat));
	err |= re_hprintf(pf, "codec=%s\n", !cm->neg.ok ? "none" :
			  cm->neg.pt == CALL_PT_PCMA ? "pcma" : "pcmu");
	err |= re_hprintf(pf, "ptime=%u\n", cm->neg.ptime);
	err |= re_hprintf(pf, "dir=%s\n", sdp_dir_name(cm->neg.dir));
	err |= re_hprintf(pf, "rtcp_mux=%s\n",
			  cm->neg.rtcp_mux ? "yes" : "no");
	err |= re_hprintf(pf, "rx_packets=%llu\nrx_bytes=%llu\n",
			  rc.pkts, rc.bytes);
	err |= re_hprintf(pf, "rx_lost=%llu\nrx_bad=%llu\n",
			  rc.lost, rc.bad);
	err |= re_hprintf(pf, "tx_packets=%llu\ntx_bytes=%llu\n",
			  cm->cnt.tx_pkts + txp, cm->cnt.tx_bytes + txb);
	err |= re_hprintf(pf, "rx_digits=%llu\ntx_digits=%llu\n",
			  rc.digits, cm->cnt.tx_digits);
	err |= re_hprintf(pf, "last_remote=%J\n", &src);
	err |= re_hprintf(pf, "rx_thread=%s\n",
			  cm->attached ? "media" : "main");
	err |= re_hprintf(pf, "srtp=%s\nsrtp_failed=%llu\n",
			  cm->srtp ? "yes" : "no",
			  cm->cnt.srtp_fail + rc.srtp_fail);
	err |= rtcp_status(pf, cm, &rc);

	return err;
}


/* ----- for signalling hints (core/mod/hint.c, alg-hint), appended ----- */

/** The RTP socket, for a hint module's connectivity checks */
struct udp_sock *call_media_sock(const struct call_media *cm)
{
	return cm ? rtp_sock(cm->rtp) : NULL;
}


/**
 * Send RTP to @p rtp from now on (a private address that answered a
 * connectivity check); RTCP goes to the next port unless muxed. The next
 * offer/answer sets the SDP's address again.
 */
void call_media_set_dst(struct call_media *cm, const struct sa *rtp)
{
	if (!cm || !rtp || !sa_isset(rtp, SA_ALL))
		return;

	cm->neg.rtp = *rtp;
	cm->neg.rtcp = *rtp;
	nat_media_set_direct(cm->nat, rtp);
	if (!cm->neg.rtcp_mux)
		sa_set_port(&cm->neg.rtcp, sa_port(rtp) + 1);
	if (cm->neg.ok)
		rtcp_start(cm->rtp, "ataua", &cm->neg.rtcp);

	call_media_thread_pause(cm);
	tx_set(cm);
	call_media_thread_resume(cm);
}


/* ----- for the metrics (core/line/line_metrics.c), appended ----- */

/** Add this call's RTP counters to c (nothing for a NULL cm) */
void call_media_counters(const struct call_media *cm,
			 struct call_rtp_counters *c)
{
	uint64_t txp = 0, txb = 0;
	struct call_rx_counters rc;

	if (!cm || !c)
		return;

	memset(&rc, 0, sizeof(rc));
	call_rx_counters(cm->rx, &rc);
	c->rx_pkts  += rc.pkts;
	c->rx_bytes += rc.bytes;
	c->rx_lost  += rc.lost;
	call_tx_counters(cm->tx, &txp, &txb);
	c->tx_pkts  += cm->cnt.tx_pkts + txp;
	c->tx_bytes += cm->cnt.tx_bytes + txb;
}


/* ----- for call quality (call_quality.c, issue #15), appended ----- */

/** What RTP and RTCP measured of the stream we receive; the call may
 *  have ended (the counters and RTCP's figures stay) */
void call_media_measure(const struct call_media *cm,
			struct call_media_meas *mm)
{
	struct call_rx_counters rc;
	struct rtcp_stats rs;

	memset(mm, 0, sizeof(*mm));
	if (!cm)
		return;

	memset(&rc, 0, sizeof(rc));
	call_rx_counters(cm->rx, &rc);
	mm->rx_pkts    = rc.pkts;
	mm->rx_lost    = rc.lost;
	mm->negotiated = cm->negotiated;
	mm->pt         = cm->neg.pt;
	mm->ptime      = cm->neg.ptime;
	mm->jitter_us  = rc.jitter_us;
	if (rc.pkts && !rtcp_stats(cm->rtp, call_rx_ssrc(cm->rx), &rs)) {
		mm->rtt_us    = rs.rtt;
		/*
		 * libre's round trip is MAX(A - LSR - DLSR, 0) in us: on a
		 * LAN it may be exactly 0 (under the 1/65536 s units of
		 * LSR and DLSR), so 0 alone cannot mean "not yet". A
		 * report on our stream (its jitter) says the far end
		 * answered: the round trip is then measured, if under a ms.
		 */
		mm->rtt_known = rs.rtt > 0 || rs.tx.jit > 0;
	}
}
