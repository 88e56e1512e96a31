/**
 * @file call_tx.c  A call's sent RTP, from the main loop or the media thread
 *
 * See call_tx.h. Digits on the media thread use core/dsp/telev.c's
 * sender, driven by the audio timestamp: an event lasts DIGIT_MS, is
 * updated every packet time and ends with three end packets, all with
 * the timestamp of its start (RFC 4733 2.5).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <re.h>
#include "base/spsc.h"
#include "dsp/g711.h"
#include "dsp/telev.h"
#include "call_int.h"
#include "call_rx.h"
#include "call_srtp.h"
#include "call_tx.h"

enum {
	FRAME_MAX = 480,                 /* 60 ms at 8 kHz            */
	DIGIT_MS = 100,                  /* what libre's sender sends */
	DIGQ = 16,
	SRQ = 512,                       /* 5 s of packets at ptime 10 */
	BUF = RTP_HEADER_SIZE + FRAME_MAX + CALL_SRTP_TRAILER,
};

struct sr_rec {
	uint64_t t_ns;               /* sent (CLOCK_MONOTONIC), 0: not kept */
	uint32_t ts;
	uint16_t size;
};

struct call_tx {
	struct rtp_sock *rs;         /* libre's: the sequence, SSRC       */
	int fd;                      /* call_rx's demux socket, -1: none  */
	struct sa dst;
	bool may_send;
	uint8_t pt;
	int telev_pt;
	uint32_t ptime_ts;
	struct call_srtp *srtp;      /* borrowed: call_media holds it     */
	uint32_t ts;                 /* next audio timestamp              */
	bool marker;                 /* next audio packet starts talk     */
	struct mbuf *mb;             /* BUF bytes, never grown            */

	/* digits on the media thread */
	struct telev_tx *ttx;
	uint32_t digit_end;          /* ts the event on air stops         */
	bool digit_stopping;
	SPSC_OF(char, DIGQ) digq;           /* main loop -> thread        */
	SPSC_OF(struct sr_rec, SRQ) srq;    /* thread -> main loop        */
	atomic_bool sr_stamp;        /* main loop: time the next record */
	atomic_uint_fast64_t pkts, bytes;
};


static void call_tx_destructor(void *arg)
{
	struct call_tx *tx = arg;

	mem_deref(tx->mb);
	mem_deref(tx->ttx);
}


int call_tx_alloc(struct call_tx **txp, struct rtp_sock *rs)
{
	struct call_tx *tx;
	int err;

	if (!txp || !rs)
		return EINVAL;

	tx = mem_zalloc(sizeof(*tx), call_tx_destructor);
	if (!tx)
		return ENOMEM;

	SPSC_INIT(&tx->digq);
	SPSC_INIT(&tx->srq);
	atomic_init(&tx->sr_stamp, true);
	tx->rs = rs;
	tx->fd = -1;
	tx->telev_pt = -1;
	tx->ts = rand_u32();
	tx->marker = true;
	tx->ptime_ts = 20 * (CALL_SRATE / 1000);
	tx->mb = mbuf_alloc(BUF);
	err = tx->mb ? telev_tx_alloc(&tx->ttx) : ENOMEM;
	if (err)
		mem_deref(tx);
	else
		*txp = tx;

	return err;
}


/** Main loop, while no other thread sends */
void call_tx_set(struct call_tx *tx, const struct call_tx_conf *conf)
{
	if (!tx || !conf)
		return;

	if (conf->dst && !sa_cmp(&tx->dst, conf->dst, SA_ALL))
		tx->marker = true;
	if (conf->dst)
		tx->dst = *conf->dst;
	else
		sa_init(&tx->dst, AF_UNSPEC);
	tx->may_send = conf->may_send && sa_isset(&tx->dst, SA_ALL);
	tx->pt = conf->pt;
	tx->telev_pt = conf->telev_pt;
	if (conf->ptime)
		tx->ptime_ts = conf->ptime * (CALL_SRATE / 1000);
	tx->srtp = conf->srtp;
}


/** Main loop, while no other thread sends: the socket the thread uses */
void call_tx_set_fd(struct call_tx *tx, int fd)
{
	if (tx)
		tx->fd = fd;
}


bool call_tx_may_send(const struct call_tx *tx)
{
	return tx && tx->may_send;
}


uint32_t call_tx_ts(const struct call_tx *tx)
{
	return tx ? tx->ts : 0;
}


/** The next audio packet starts a talk spurt (a new destination) */
void call_tx_mark(struct call_tx *tx)
{
	if (tx)
		tx->marker = true;
}


static void add(atomic_uint_fast64_t *c, uint64_t v)
{
	/* one writer at a time: no locked instruction */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
			      + v, memory_order_relaxed);
}


/* The payload after the header's room; false: not now (held). The
   caller moves the timestamp on either way. */
static bool encode(struct call_tx *tx, const int16_t *pcm, size_t n)
{
	if (!tx->may_send) {
		tx->marker = true;
		return false;
	}

	/* never grown here (the media thread allocates nothing) */
	if (tx->mb->size < RTP_HEADER_SIZE + n + CALL_SRTP_TRAILER)
		return false;

	tx->mb->pos = RTP_HEADER_SIZE;
	if (tx->pt == CALL_PT_PCMA)
		g711_alaw_encode(tx->mb->buf + RTP_HEADER_SIZE, pcm, n);
	else
		g711_ulaw_encode(tx->mb->buf + RTP_HEADER_SIZE, pcm, n);
	tx->mb->end = RTP_HEADER_SIZE + n;

	return true;
}


/**
 * Main loop: encode and send one frame through libre (helpers: TURN,
 * SRTP). Frames are dropped without error while we may not send.
 */
int call_tx_audio(struct call_tx *tx, const int16_t *pcm, size_t n)
{
	int err;

	if (!tx || !pcm || !n || n > FRAME_MAX)
		return EINVAL;

	if (!encode(tx, pcm, n)) {
		tx->ts += (uint32_t)n;
		return 0;
	}

	err = rtp_send(tx->rs, &tx->dst, false, tx->marker, tx->pt, tx->ts,
		       tx->mb);
	tx->ts += (uint32_t)n;
	tx->marker = false;
	/* call_media's SRTP helper sizes the buffer to the packet: back
	   to BUF here, so the media thread never needs to grow it */
	if (tx->mb->size < BUF && mbuf_resize(tx->mb, BUF))
		err = err ? err : ENOMEM;
	if (err)
		return err;

	add(&tx->pkts, 1);
	add(&tx->bytes, n);

	return 0;
}


static void push_sr(struct call_tx *tx, uint32_t ts, size_t size)
{
	struct sr_rec r = {.ts = ts, .size = (uint16_t)size};

	/* only the record the next poll hands libre first needs its time:
	   no clock read for the others */
	if (atomic_load_explicit(&tx->sr_stamp, memory_order_relaxed) &&
	    atomic_exchange_explicit(&tx->sr_stamp, false,
				     memory_order_relaxed))
		r.t_ns = call_rx_now_ns();

	/* full: the next report counts fewer; never waits */
	(void)spsc_push(&tx->srq.q, &r);
}


/* The media thread: the header at the buffer's start, SRTP, the wire */
static int send_thread(struct call_tx *tx, bool marker, uint8_t pt,
		       uint32_t ts)
{
	size_t size = mbuf_get_left(tx->mb), len;
	ssize_t r;
	int err;

	tx->mb->pos = 0;
	err = rtp_encode(tx->rs, false, marker, pt, ts, tx->mb);
	if (err)
		return err;

	len = RTP_HEADER_SIZE + size;
	if (tx->srtp) {
		err = call_srtp_protect(tx->srtp, tx->mb->buf, &len,
					tx->mb->size);
		if (err)
			return err;  /* never in clear */
	}

	r = sendto(tx->fd, tx->mb->buf, len, MSG_DONTWAIT, &tx->dst.u.sa,
		   tx->dst.len);
	if (r < 0)
		return errno;

	add(&tx->pkts, 1);
	add(&tx->bytes, size);
	push_sr(tx, ts, size);

	return 0;
}


/* The media thread, every packet time: the digit on air, if any */
static void digits(struct call_tx *tx)
{
	struct telev_pkt pkt;
	char key;
	int ev;

	if (!telev_tx_busy(tx->ttx)) {
		if (!spsc_pop(&tx->digq.q, &key))
			return;
		ev = telev_char2event(key);
		if (ev < 0 || telev_tx_start(tx->ttx, (uint8_t)ev, 10,
					     tx->ts))
			return;
		tx->digit_end = tx->ts + DIGIT_MS * (CALL_SRATE / 1000);
		tx->digit_stopping = false;
	}

	if (!tx->digit_stopping && (int32_t)(tx->ts - tx->digit_end) >= 0) {
		(void)telev_tx_stop(tx->ttx, tx->digit_end);
		tx->digit_stopping = true;
	}

	if (!telev_tx_poll(tx->ttx, tx->ts, &pkt) || tx->telev_pt < 0 ||
	    !tx->may_send)
		return;

	memcpy(tx->mb->buf + RTP_HEADER_SIZE, pkt.payload,
	       sizeof(pkt.payload));
	tx->mb->pos = RTP_HEADER_SIZE;
	tx->mb->end = RTP_HEADER_SIZE + sizeof(pkt.payload);
	(void)send_thread(tx, pkt.marker, (uint8_t)tx->telev_pt, pkt.ts);
}


/**
 * The media thread: one frame of @p n samples (a ptime), then the
 * digit on air. Returns 0, EINVAL, or the send's error (counted by the
 * caller; the timeline moves on regardless).
 */
int call_tx_audio_thread(struct call_tx *tx, const int16_t *pcm, size_t n)
{
	int err = 0;

	if (!tx || !pcm || !n || n > FRAME_MAX || tx->fd < 0)
		return EINVAL;

	digits(tx);
	if (encode(tx, pcm, n)) {
		err = send_thread(tx, tx->marker, tx->pt, tx->ts);
		tx->marker = false;
	}
	tx->ts += (uint32_t)n;

	return err;
}


/**
 * Main loop: a digit for the media thread to send. EINVAL (not a
 * digit), ENOTSUP (the peer takes none), EOVERFLOW (16 queued).
 */
int call_tx_digit(struct call_tx *tx, char key)
{
	if (!tx || telev_char2event(key) < 0 || telev_char2event(key) > 15)
		return EINVAL;
	if (tx->telev_pt < 0)
		return ENOTSUP;

	return spsc_push(&tx->digq.q, &key) ? 0 : EOVERFLOW;
}


/**
 * Main loop: what the media thread sent, for libre's sender reports.
 * libre pairs the first timestamp it is told after each report with
 * the moment it is told (its SR's timestamp counts on from there), and
 * is told here up to a poll later than the packet went: the first
 * record of each poll is handed over with its timestamp moved on by
 * the time since it was sent, the RTP clock at the moment of telling.
 * libre counts the others' packets and octets only, so only that
 * record is timed: the thread times the first it queues after a poll
 * (one the thread queued while the poll ended goes as it was).
 */
void call_tx_poll(struct call_tx *tx, call_tx_rtcp_h *rh, void *arg)
{
	struct sr_rec r;
	bool first = true;
	uint64_t now;

	if (!tx)
		return;

	while (spsc_pop(&tx->srq.q, &r)) {
		if (first && r.t_ns) {
			now = call_rx_now_ns();
			if (now > r.t_ns)
				r.ts += (uint32_t)((now - r.t_ns) *
						   CALL_SRATE / 1000000000u);
		}
		first = false;
		if (rh)
			rh(r.ts, r.size, arg);
	}
	atomic_store_explicit(&tx->sr_stamp, true, memory_order_relaxed);
}


void call_tx_counters(const struct call_tx *tx, uint64_t *pkts,
		      uint64_t *bytes)
{
	if (!tx)
		return;

	*pkts = atomic_load_explicit(&tx->pkts, memory_order_relaxed);
	*bytes = atomic_load_explicit(&tx->bytes, memory_order_relaxed);
}
