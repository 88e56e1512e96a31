/**
 * @file call_rx.c  A call's received RTP, on the main loop or the media thread
 *
 * See call_rx.h. The media thread's part reads the demux socket with
 * recvmmsg() into buffers allocated with the call, BATCH datagrams a
 * system call, each with the kernel's arrival time (SO_TIMESTAMPNS), so
 * a packet's wait in the jitter buffer is measured from when it came,
 * not from when the thread happened to look. What the main loop needs
 * from it goes through two single-producer rings: digits (the media
 * thread says so and the line wakes the main loop once) and, for
 * libre's RTCP, {ssrc, seq, ts, size} of every packet, which the main
 * loop feeds to libre when it next polls.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "base/spsc.h"
#include "base/triplebuf.h"
#include "dsp/g711.h"
#include "dsp/telev.h"
#include "sys/rtp_demux.h"
#include "call_int.h"
#include "call_rx.h"
#include "call_srtp.h"
#include "rtp_rx.h"

enum {
	BATCH = 8,          /* datagrams a recvmmsg()                  */
	DRAIN_MAX = 8,      /* batches a drain: a flood cannot starve
			       the device                              */
	PKT_MAX = 2048,     /* 60 ms of G.711 in SRTP, with room        */
	FRAME_MAX = 480,    /* 60 ms at 8 kHz                           */
	DIGQ = 16,
	RTCPQ = 512,        /* 5 s at 100 packets a second (ptime 10)   */
	NS_PER_TS = 1000000000 / CALL_SRATE,
};

struct rtcp_rec {
	uint32_t ssrc, ts;
	uint16_t seq, size;
};

union ctl_buf {
	char buf[CMSG_SPACE(sizeof(struct timespec))];
	struct cmsghdr align;
};

struct call_rx {
	int fd;                      /* demux socket, -1: main loop only */
	struct call_tx *tx;          /* borrowed: call_media holds it    */
	struct call_srtp *srtp;      /* borrowed: call_media holds it    */
	uint8_t telev_pt;            /* ours                             */
	int telev_pt_neg;            /* the peer's, -1: none             */
	struct telev_rx *trx;

	/* the thread that reads (see call_rx.h) */
	uint32_t ssrc;
	bool started;
	uint16_t seq_next;
	uint64_t seen;               /* bit i: seq_next - 1 - i arrived  */
	bool jit_started;
	uint32_t transit;
	uint32_t jitter16;           /* RFC 3550 A.8, x16, in ts units   */

	/* written by the reader, read by the main loop at any time */
	atomic_uint_fast64_t pkts, bytes, lost, bad, digits, srtp_fail;
	atomic_uint jitter_ts, ssrc_pub;
	struct sa src;               /* the reader's: last published     */
	struct triplebuf *src_tb;    /* the source, reader -> main loop  */

	/* media thread -> main loop */
	SPSC_OF(char, DIGQ) digq;
	SPSC_OF(struct rtcp_rec, RTCPQ) rtcpq;

	/* recvmmsg(), ready before the first packet */
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	union ctl_buf ctl[BATCH];
	uint8_t buf[BATCH][PKT_MAX];
};


static void call_rx_destructor(void *arg)
{
	struct call_rx *rx = arg;

	call_rx_close(rx);
	mem_deref(rx->trx);
	mem_deref(rx->src_tb);
}


int call_rx_alloc(struct call_rx **rxp)
{
	struct call_rx *rx;
	int err;

	if (!rxp)
		return EINVAL;

	rx = mem_zalloc(sizeof(*rx), call_rx_destructor);
	if (!rx)
		return ENOMEM;

	SPSC_INIT(&rx->digq);
	SPSC_INIT(&rx->rtcpq);
	rx->fd = -1;
	rx->telev_pt = 0xff;     /* none: a PT has 7 bits */
	rx->telev_pt_neg = -1;
	for (size_t i = 0; i < BATCH; i++) {
		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = PKT_MAX;
		rx->msg[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msg[i].msg_hdr.msg_iovlen = 1;
		rx->msg[i].msg_hdr.msg_name = &rx->from[i];
		rx->msg[i].msg_hdr.msg_control = rx->ctl[i].buf;
	}

	err = telev_rx_alloc(&rx->trx);
	if (!err)
		err = triplebuf_alloc(&rx->src_tb, sizeof(struct sa));
	if (err)
		mem_deref(rx);
	else
		*rxp = rx;

	return err;
}


/** Main loop, while no other thread reads: SRTP and the digits' PTs */
void call_rx_set(struct call_rx *rx, struct call_srtp *srtp,
		 uint8_t telev_pt, int telev_pt_neg)
{
	if (!rx)
		return;

	rx->srtp = srtp;
	rx->telev_pt = telev_pt;
	rx->telev_pt_neg = telev_pt_neg;
}


/**
 * Main loop: take the RTP arriving on @p us from now on (rtp_demux.c).
 * Returns 0, EALREADY, or why the kernel refused (the call keeps
 * libre's path).
 */
int call_rx_open(struct call_rx *rx, struct udp_sock *us)
{
	const int one = 1;
	int err;

	if (!rx || !us)
		return EINVAL;
	if (rx->fd >= 0)
		return EALREADY;

	err = rtp_demux_open(&rx->fd, us);
	if (err)
		return err;

	/* without it the arrival is when the thread looked: still right
	   to a period */
	(void)setsockopt(rx->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one,
			 sizeof(one));

	return 0;
}


/** Main loop, the drainer detached: RTP goes back to libre's socket */
void call_rx_close(struct call_rx *rx)
{
	if (!rx || rx->fd < 0)
		return;

	(void)close(rx->fd);
	rx->fd = -1;
}


int call_rx_fd(const struct call_rx *rx)
{
	return rx ? rx->fd : -1;
}


void call_rx_set_tx(struct call_rx *rx, struct call_tx *tx)
{
	if (rx)
		rx->tx = tx;
}


struct call_tx *call_rx_tx(const struct call_rx *rx)
{
	return rx ? rx->tx : NULL;
}


uint64_t call_rx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


static void add(atomic_uint_fast64_t *c, uint64_t v)
{
	/* one writer: a relaxed load and store, no locked instruction */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
			      + v, memory_order_relaxed);
}


/*
 * A gap counts as lost until the missing packet turns up late (reordered
 * within the last 64): then it is taken back. Duplicates change nothing.
 */
static void count_seq(struct call_rx *rx, uint16_t seq)
{
	int16_t gap;
	uint64_t bit;

	if (rx->started) {
		gap = (int16_t)(seq - rx->seq_next);
		if (gap < 0) {
			if (-gap > 64)
				return;
			bit = 1ULL << (-gap - 1);
			if (!(rx->seen & bit) &&
			    atomic_load_explicit(&rx->lost,
						 memory_order_relaxed))
				add(&rx->lost, (uint64_t)-1);
			rx->seen |= bit;
			return;
		}
		add(&rx->lost, (uint16_t)gap);
		rx->seen = gap >= 63 ? 0 : rx->seen << (gap + 1);
	}

	rx->seen |= 1;
	rx->started = true;
	rx->seq_next = (uint16_t)(seq + 1);
}


/* RFC 3550 A.8: J += (|D| - J) / 16, on the arrival in timestamp units */
static void count_jitter(struct call_rx *rx, uint32_t ts, uint64_t arr_ns)
{
	uint32_t transit = (uint32_t)(arr_ns / NS_PER_TS) - ts;
	int32_t d = (int32_t)(transit - rx->transit);

	rx->transit = transit;
	if (!rx->jit_started) {
		rx->jit_started = true;
		return;
	}

	if (d < 0)
		d = -d;
	rx->jitter16 += (uint32_t)d - ((rx->jitter16 + 8) >> 4);
	atomic_store_explicit(&rx->jitter_ts, rx->jitter16 >> 4,
			      memory_order_relaxed);
}


static bool is_telev_pt(const struct call_rx *rx, uint8_t pt)
{
	return pt == rx->telev_pt ||
		(rx->telev_pt_neg >= 0 && pt == rx->telev_pt_neg);
}


/*
 * RFC 4733 in: telev_rx reports each event once, by its RTP timestamp,
 * whichever of its packets arrives first (start, update or only the
 * end ones), and not again for retransmitted ends.
 */
static enum call_rx_kind telev_in(struct call_rx *rx, uint32_t ts,
				  bool marker, const uint8_t *p, size_t len,
				  char *keyp)
{
	struct telev_ev ev;
	bool isnew = false;
	int key;

	if (telev_rx_recv(rx->trx, ts, marker, p, len, &ev, &isnew) || !isnew)
		return CALL_RX_NONE;

	key = telev_event2char(ev.event);
	if (!key)
		return CALL_RX_NONE;  /* flash and tones are not digits */

	add(&rx->digits, 1);
	*keyp = (char)key;

	return CALL_RX_DIGIT;
}


/**
 * One RTP packet's payload, from either thread: counted, and decoded
 * into @p pcm (FRAME_MAX samples) or read as a digit into @p keyp.
 * @p pt's marker bit is bit 7.
 */
enum call_rx_kind call_rx_packet(struct call_rx *rx, uint32_t ssrc,
				 uint16_t seq, uint32_t ts, uint8_t pt,
				 const uint8_t *payload, size_t len,
				 uint64_t arrival_ns, int16_t *pcm,
				 size_t *np, char *keyp)
{
	bool marker = pt & 0x80;

	pt &= 0x7f;
	if (rx->ssrc != ssrc || !rx->pkts) {
		telev_rx_reset(rx->trx);
		rx->jit_started = false;
		atomic_store_explicit(&rx->ssrc_pub, ssrc,
				      memory_order_relaxed);
	}
	rx->ssrc = ssrc;
	add(&rx->pkts, 1);
	add(&rx->bytes, len);
	count_seq(rx, seq);

	if (is_telev_pt(rx, pt))
		return telev_in(rx, ts, marker, payload, len, keyp);

	if (len > FRAME_MAX || (pt != CALL_PT_PCMU && pt != CALL_PT_PCMA)) {
		add(&rx->bad, 1);
		return CALL_RX_NONE;
	}

	if (pt == CALL_PT_PCMU)
		g711_ulaw_decode(pcm, payload, len);
	else
		g711_alaw_decode(pcm, payload, len);
	*np = len;
	count_jitter(rx, ts, arrival_ns);

	return CALL_RX_AUDIO;
}


/** The reader: where the last packet came from (published on a change
 *  only: one compare a packet) */
void call_rx_set_src(struct call_rx *rx, const struct sa *src)
{
	if (!rx || !src || sa_cmp(&rx->src, src, SA_ALL))
		return;

	rx->src = *src;
	memcpy(triplebuf_back(rx->src_tb), src, sizeof(*src));
	triplebuf_publish(rx->src_tb);
}


/** Main loop: the source of the last packet; false before any */
bool call_rx_last_src(struct call_rx *rx, struct sa *src)
{
	const struct sa *s;

	if (!rx || !src)
		return false;

	s = triplebuf_front(rx->src_tb, NULL);
	*src = *s;

	return sa_isset(src, SA_ADDR);
}


static void push_rtcp(struct call_rx *rx, uint32_t ssrc, uint16_t seq,
		      uint32_t ts, size_t size)
{
	struct rtcp_rec r = {
		.ssrc = ssrc, .ts = ts, .seq = seq, .size = (uint16_t)size,
	};

	/* full: libre's report misses it; our counters have it */
	(void)spsc_push(&rx->rtcpq.q, &r);
}


static uint64_t arrival_of(struct msghdr *mh, int64_t real2mono,
			   uint64_t now)
{
	struct cmsghdr *c;
	struct timespec t;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS)
			continue;

		memcpy(&t, CMSG_DATA(c), sizeof(t));
		int64_t a = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec
			+ real2mono;

		/* a clock step between the two readings: now is close */
		return a > 0 && (uint64_t)a <= now ? (uint64_t)a : now;
	}

	return now;
}


/* One datagram from the demux socket */
static bool one_packet(struct call_rx *rx, size_t i, uint64_t arr,
		       call_rx_audio_h *ah, void *arg)
{
	struct mmsghdr *m = &rx->msg[i];
	int16_t pcm[FRAME_MAX];
	struct rtp_rx_pkt pkt;
	size_t len = m->msg_len, n = 0;
	enum call_rx_kind kind;
	struct sa src;
	char key = 0;

	if (rx->srtp && call_srtp_unprotect(rx->srtp, rx->buf[i], &len)) {
		add(&rx->srtp_fail, 1);
		return false;
	}

	if (rtp_rx_parse(&pkt, rx->buf[i], len)) {
		add(&rx->bad, 1);
		return false;
	}

	if (!sa_set_sa(&src, (struct sockaddr *)&rx->from[i]))
		call_rx_set_src(rx, &src);

	push_rtcp(rx, pkt.ssrc, pkt.seq, pkt.ts, pkt.len);
	kind = call_rx_packet(rx, pkt.ssrc, pkt.seq, pkt.ts,
			      (uint8_t)(pkt.pt | (pkt.marker ? 0x80 : 0)),
			      pkt.payload, pkt.len, arr, pcm, &n, &key);
	if (kind == CALL_RX_AUDIO && ah)
		ah(pkt.ssrc, pkt.seq, pkt.ts, pkt.marker, pcm, n, arr, arg);
	/* 16 digits unread: the main loop is stuck, the key is lost */
	if (kind == CALL_RX_DIGIT)
		return spsc_push(&rx->digq.q, &key);

	return false;
}


/**
 * The media thread: everything waiting on the demux socket, without
 * blocking. Returns true when a digit was queued (poll the main loop).
 */
bool call_rx_drain(struct call_rx *rx, call_rx_audio_h *ah, void *arg)
{
	struct timespec rt;
	int64_t real2mono = 0;
	uint64_t now = 0;
	bool digit = false;
	int n;

	if (!rx || rx->fd < 0)
		return false;

	for (int b = 0; b < DRAIN_MAX; b++) {
		for (size_t i = 0; i < BATCH; i++) {
			rx->msg[i].msg_hdr.msg_namelen = sizeof(rx->from[i]);
			rx->msg[i].msg_hdr.msg_controllen =
				sizeof(rx->ctl[i].buf);
			rx->msg[i].msg_hdr.msg_flags = 0;
		}

		n = recvmmsg(rx->fd, rx->msg, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;

		/* the clocks once a drain, and only when something came
		   (half the periods at 10 ms bring no packet) */
		if (!now) {
			now = call_rx_now_ns();
			clock_gettime(CLOCK_REALTIME, &rt);
			real2mono = (int64_t)now -
				((int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec);
		}

		for (int i = 0; i < n; i++) {
			uint64_t arr = arrival_of(&rx->msg[i].msg_hdr,
						  real2mono, now);

			digit |= one_packet(rx, (size_t)i, arr, ah, arg);
		}

		if (n < BATCH)
			break;
	}

	return digit;
}


/** Main loop: the digits and RTCP records the media thread queued */
void call_rx_poll(struct call_rx *rx, call_rx_digit_h *dh,
		  call_rx_rtcp_h *rh, void *arg)
{
	struct rtcp_rec r;
	char key;

	if (!rx)
		return;

	while (spsc_pop(&rx->rtcpq.q, &r)) {
		if (rh)
			rh(r.ssrc, r.seq, r.ts, r.size, arg);
	}

	while (spsc_pop(&rx->digq.q, &key)) {
		if (dh)
			dh(key, arg);
	}
}


void call_rx_counters(const struct call_rx *rx, struct call_rx_counters *c)
{
	if (!rx || !c)
		return;

	c->pkts = atomic_load_explicit(&rx->pkts, memory_order_relaxed);
	c->bytes = atomic_load_explicit(&rx->bytes, memory_order_relaxed);
	c->lost = atomic_load_explicit(&rx->lost, memory_order_relaxed);
	c->bad = atomic_load_explicit(&rx->bad, memory_order_relaxed);
	c->digits = atomic_load_explicit(&rx->digits, memory_order_relaxed);
	c->srtp_fail = atomic_load_explicit(&rx->srtp_fail,
					    memory_order_relaxed);
	c->jitter_us = atomic_load_explicit(&rx->jitter_ts,
					    memory_order_relaxed)
		* (NS_PER_TS / 1000);
}


uint32_t call_rx_ssrc(const struct call_rx *rx)
{
	return rx ? atomic_load_explicit(&rx->ssrc_pub,
					 memory_order_relaxed) : 0;
}
