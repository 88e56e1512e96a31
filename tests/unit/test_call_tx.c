/**
 * @file test_call_tx.c  A call's sent RTP, from the media thread
 *
 * core/call/call_tx.c as the line's audio thread drives it: G.711
 * frames with one sequence shared with libre's sender, the timestamp
 * moving on while held (and the marker on resume), RFC 4733 digits
 * queued by the main loop (marker once, the start's timestamp, three
 * end packets), SRTP in place, and {ts, size} for libre's reports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <re.h>
#include "call/call_srtp.h"
#include "call/call_tx.h"

enum { N = 160, TELEV = 101 };

struct pkt {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	size_t len;
	uint8_t b[256];
};

struct lab {
	struct rtp_sock *rs;
	struct call_tx *tx;
	int fd;           /* the thread's socket           */
	int peer;         /* receives what is sent         */
	struct sa dst;
};


static void rtp_h(const struct sa *src, const struct rtp_header *h,
		  struct mbuf *mb, void *arg)
{
	(void)src;
	(void)h;
	(void)mb;
	(void)arg;
}


static void lab_open(struct lab *l, struct call_srtp *srtp, int telev_pt)
{
	struct call_tx_conf tc = {0};
	struct sa a;

	memset(l, 0, sizeof(*l));
	assert_int_equal(sa_set_str(&a, "127.0.0.1", 0), 0);
	assert_int_equal(rtp_listen(&l->rs, IPPROTO_UDP, &a, 31000, 31999,
				    false, rtp_h, NULL, NULL), 0);
	assert_int_equal(call_tx_alloc(&l->tx, l->rs), 0);

	l->peer = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(l->peer >= 0);
	assert_int_equal(bind(l->peer, &a.u.sa, a.len), 0);
	l->dst = a;
	l->dst.len = sizeof(l->dst.u.in);
	assert_int_equal(getsockname(l->peer, &l->dst.u.sa, &l->dst.len), 0);

	l->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(l->fd >= 0);
	call_tx_set_fd(l->tx, l->fd);

	tc.dst = &l->dst;
	tc.may_send = true;
	tc.pt = 0;
	tc.telev_pt = telev_pt;
	tc.ptime = 20;
	tc.srtp = srtp;
	call_tx_set(l->tx, &tc);
}


static void lab_close(struct lab *l)
{
	(void)close(l->fd);
	(void)close(l->peer);
	mem_deref(l->tx);
	mem_deref(l->rs);
}


static bool recv_pkt(struct lab *l, struct pkt *p)
{
	ssize_t r = recv(l->peer, p->b, sizeof(p->b), MSG_DONTWAIT);

	if (r < 12)
		return false;

	p->len = (size_t)r;
	p->marker = p->b[1] >> 7;
	p->pt = p->b[1] & 0x7f;
	p->seq = (uint16_t)(p->b[2] << 8 | p->b[3]);
	p->ts = (uint32_t)p->b[4] << 24 | (uint32_t)p->b[5] << 16 |
		(uint32_t)p->b[6] << 8 | p->b[7];

	return true;
}


static void test_audio(void **state)
{
	int16_t pcm[N];
	struct pkt a, b, c;
	uint64_t pkts = 0, bytes = 0;
	struct lab l;
	struct call_tx_conf held = {0};

	(void)state;
	memset(pcm, 0, sizeof(pcm));
	lab_open(&l, NULL, -1);

	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_true(recv_pkt(&l, &a));
	assert_true(recv_pkt(&l, &b));
	assert_int_equal(a.len, 12 + N);
	assert_true(a.marker);             /* the first starts talk   */
	assert_false(b.marker);
	assert_int_equal((uint16_t)(b.seq - a.seq), 1);
	assert_int_equal(b.ts - a.ts, N);
	assert_int_equal(a.b[12], 0xff);   /* G.711 u-law of 0        */

	/* held: nothing sent, the clock runs on, resume marks */
	held.dst = &l.dst;
	held.may_send = false;
	call_tx_set(l.tx, &held);
	assert_false(call_tx_may_send(l.tx));
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_false(recv_pkt(&l, &c));
	held.may_send = true;
	call_tx_set(l.tx, &held);
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_true(recv_pkt(&l, &c));
	assert_true(c.marker);
	assert_int_equal(c.ts - b.ts, 2 * N);
	assert_int_equal((uint16_t)(c.seq - b.seq), 1);

	/* libre's sender (the main loop's path) goes on in sequence */
	assert_int_equal(rtp_sess_ssrc(l.rs),
			 (uint32_t)c.b[8] << 24 | (uint32_t)c.b[9] << 16 |
			 (uint32_t)c.b[10] << 8 | c.b[11]);

	call_tx_counters(l.tx, &pkts, &bytes);
	assert_int_equal(pkts, 3);
	assert_int_equal(bytes, 3 * N);
	lab_close(&l);
}


static unsigned sr_n;
static size_t sr_size;
static uint32_t sr_ts[4];

static void sr_h(uint32_t ts, size_t size, void *arg)
{
	(void)arg;
	if (sr_n < 4)
		sr_ts[sr_n] = ts;
	++sr_n;
	sr_size = size;
}


/*
 * libre takes the first timestamp it is told after a report as the RTP
 * clock of that moment: told 60 ms after the send, it must hear the
 * timestamp 60 ms on (at least: the machine may sleep longer), and the
 * later records as they went.
 */
static void test_sr_clock(void **state)
{
	const struct timespec gap = {.tv_nsec = 60000000};
	int16_t pcm[N];
	struct pkt p[2];
	struct lab l;

	(void)state;
	memset(pcm, 0, sizeof(pcm));
	lab_open(&l, NULL, -1);
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_true(recv_pkt(&l, &p[0]));
	assert_true(recv_pkt(&l, &p[1]));
	(void)nanosleep(&gap, NULL);

	sr_n = 0;
	call_tx_poll(l.tx, sr_h, NULL);
	assert_int_equal(sr_n, 2);
	assert_true(sr_ts[0] - p[0].ts >= 480);      /* 60 ms at 8 kHz */
	assert_int_equal(sr_ts[1], p[1].ts);
	lab_close(&l);
}


static void test_digit(void **state)
{
	int16_t pcm[N];
	struct pkt p;
	unsigned ev = 0, ends = 0, marks = 0, audio = 0;
	uint32_t ev_ts = 0;
	struct lab l;

	(void)state;
	memset(pcm, 0, sizeof(pcm));
	lab_open(&l, NULL, TELEV);

	assert_int_equal(call_tx_digit(l.tx, 'x'), EINVAL);
	assert_int_equal(call_tx_digit(l.tx, '5'), 0);
	/* 100 ms of event and the ends: 10 packet times are plenty */
	for (int i = 0; i < 10; i++)
		assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);

	while (recv_pkt(&l, &p)) {
		if (p.pt != TELEV) {
			++audio;
			continue;
		}
		assert_int_equal(p.len, 16);
		assert_int_equal(p.b[12], 5);
		if (!ev++)
			ev_ts = p.ts;
		assert_int_equal(p.ts, ev_ts);
		marks += p.marker;
		ends += (p.b[13] & 0x80) != 0;
	}
	assert_int_equal(marks, 1);
	assert_int_equal(ends, 3);
	assert_true(ev >= 5 + 3);
	assert_int_equal(audio, 10);

	sr_n = 0;
	call_tx_poll(l.tx, sr_h, NULL);
	assert_int_equal(sr_n, ev + audio);

	/* no telephone-event agreed: refused */
	struct call_tx_conf tc = {.dst = &l.dst, .may_send = true,
				  .telev_pt = -1};
	call_tx_set(l.tx, &tc);
	assert_int_equal(call_tx_digit(l.tx, '1'), ENOTSUP);
	lab_close(&l);
}


static void test_srtp(void **state)
{
	uint8_t key[CALL_SRTP_KEYSALT];
	struct call_srtp *tx = NULL, *rx = NULL;
	int16_t pcm[N];
	struct pkt p;
	struct lab l;
	size_t len;
	int err;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 5 + 3);
	err = call_srtp_alloc(&tx, CALL_SRTP_AES_CM_128_HMAC_SHA1_80, key,
			      key);
	if (err == ELIBACC || err == ELIBBAD)
		skip();
	assert_int_equal(err, 0);
	assert_int_equal(call_srtp_alloc(&rx,
					 CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 key, key), 0);

	for (size_t i = 0; i < N; i++)
		pcm[i] = (int16_t)(i * 50);
	lab_open(&l, tx, -1);
	assert_int_equal(call_tx_audio_thread(l.tx, pcm, N), 0);
	assert_true(recv_pkt(&l, &p));
	assert_int_equal(p.len, 12 + N + 10);   /* the 80-bit tag */
	len = p.len;
	assert_int_equal(call_srtp_unprotect(rx, p.b, &len), 0);
	assert_int_equal(len, 12 + N);

	sr_n = 0;
	call_tx_poll(l.tx, sr_h, NULL);
	assert_int_equal(sr_n, 1);
	assert_int_equal(sr_size, N);

	lab_close(&l);
	mem_deref(tx);
	mem_deref(rx);
}


static void test_bad_args(void **state)
{
	struct call_tx *tx = NULL;
	int16_t pcm[N] = {0};

	(void)state;
	assert_int_equal(call_tx_alloc(&tx, NULL), EINVAL);
	assert_int_equal(call_tx_audio_thread(NULL, pcm, N), EINVAL);
	assert_int_equal(call_tx_audio(NULL, pcm, N), EINVAL);
	assert_int_equal(call_tx_digit(NULL, '1'), EINVAL);
	assert_false(call_tx_may_send(NULL));
	call_tx_poll(NULL, NULL, NULL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audio),
		cmocka_unit_test(test_digit),
		cmocka_unit_test(test_srtp),
		cmocka_unit_test(test_sr_clock),
		cmocka_unit_test(test_bad_args),
	};
	int r;

	libre_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return r;
}
