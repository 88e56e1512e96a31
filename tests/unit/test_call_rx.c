/**
 * @file test_call_rx.c  A call's received RTP, on either thread
 *
 * core/call/call_rx.c: the counting every packet gets (loss with
 * reordering taken back, duplicates, bad payload types, RFC 3550
 * jitter, RFC 4733 digits once), and the media thread's drain of the
 * demux socket: frames decoded with the kernel's arrival time, digits
 * and RTCP records queued for the main loop, SRTP checked in place,
 * the sender's address kept. The drain tests skip where the kernel has
 * no reuseport BPF (qemu-user).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <re.h>
#include "call/call_rx.h"
#include "call/call_srtp.h"

enum { TELEV_PT = 101, FRAME = 160, NS_PER_TS = 125000 };

struct frames {
	unsigned n;
	uint16_t last_seq;
	int16_t first_sample;
	uint64_t arrival_min, arrival_max;
};

struct polled {
	char keys[16];
	unsigned nkeys;
	unsigned nrtcp;
	uint16_t rtcp_seq;
	size_t rtcp_size;
};


static void audio_h(uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker,
		    const int16_t *pcm, size_t n, uint64_t arrival_ns,
		    void *arg)
{
	struct frames *f = arg;

	(void)ssrc;
	(void)ts;
	(void)marker;
	assert_int_equal(n, FRAME);
	if (!f->n++) {
		f->first_sample = pcm[0];
		f->arrival_min = arrival_ns;
	}
	f->last_seq = seq;
	f->arrival_max = arrival_ns;
}


static void digit_h(char key, void *arg)
{
	struct polled *p = arg;

	if (p->nkeys < sizeof(p->keys))
		p->keys[p->nkeys++] = key;
}


static void rtcp_h(uint32_t ssrc, uint16_t seq, uint32_t ts, size_t size,
		   void *arg)
{
	struct polled *p = arg;

	(void)ssrc;
	(void)ts;
	++p->nrtcp;
	p->rtcp_seq = seq;
	p->rtcp_size = size;
}


static size_t rtp_pkt(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts,
		      const uint8_t *payload, size_t len)
{
	p[0] = 0x80;
	p[1] = pt;
	p[2] = seq >> 8;
	p[3] = seq & 0xff;
	p[4] = ts >> 24;
	p[5] = ts >> 16;
	p[6] = ts >> 8;
	p[7] = ts & 0xff;
	p[8] = 0x12;
	p[9] = 0x34;
	p[10] = 0x56;
	p[11] = 0x78;
	memcpy(p + 12, payload, len);

	return 12 + len;
}


/* packet i of a PCMU stream, on time */
static enum call_rx_kind put(struct call_rx *rx, uint16_t seq,
			     uint64_t transit_ns)
{
	uint8_t payload[FRAME];
	int16_t pcm[480];
	size_t n = 0;
	char key = 0;

	memset(payload, 0xff, sizeof(payload));
	return call_rx_packet(rx, 0x12345678, seq, seq * FRAME, 0, payload,
			      FRAME, seq * 20000000ull + transit_ns, pcm, &n,
			      &key);
}


static void test_loss_and_reorder(void **state)
{
	struct call_rx *rx = NULL;
	struct call_rx_counters c;

	(void)state;
	assert_int_equal(call_rx_alloc(&rx), 0);
	call_rx_set(rx, NULL, TELEV_PT, -1);

	assert_int_equal(put(rx, 1, 0), CALL_RX_AUDIO);
	assert_int_equal(put(rx, 2, 0), CALL_RX_AUDIO);
	assert_int_equal(put(rx, 5, 0), CALL_RX_AUDIO);   /* 3, 4 lost  */
	call_rx_counters(rx, &c);
	assert_int_equal(c.lost, 2);

	assert_int_equal(put(rx, 3, 0), CALL_RX_AUDIO);   /* late: back */
	assert_int_equal(put(rx, 3, 0), CALL_RX_AUDIO);   /* duplicate  */
	call_rx_counters(rx, &c);
	assert_int_equal(c.lost, 1);
	assert_int_equal(c.pkts, 5);
	assert_int_equal(c.bytes, 5 * FRAME);
	assert_int_equal(call_rx_ssrc(rx), 0x12345678);

	mem_deref(rx);
}


static void test_jitter(void **state)
{
	struct call_rx *rx = NULL;
	struct call_rx_counters c;
	uint16_t seq;

	(void)state;
	assert_int_equal(call_rx_alloc(&rx), 0);

	/* on time: no jitter */
	for (seq = 1; seq <= 50; seq++)
		put(rx, seq, 1000000);
	call_rx_counters(rx, &c);
	assert_int_equal(c.jitter_us, 0);

	/* every other packet 8 ms late: |D| = 8 ms, J -> 8 ms */
	for (; seq <= 400; seq++)
		put(rx, seq, seq % 2 ? 9000000 : 1000000);
	call_rx_counters(rx, &c);
	assert_in_range(c.jitter_us, 7500, 8000);

	mem_deref(rx);
}


static void test_bad_and_digits(void **state)
{
	static const uint8_t ev5[4] = {5, 0x0a, 0x00, 0xa0};
	static const uint8_t ev5end[4] = {5, 0x8a, 0x03, 0x20};
	struct call_rx *rx = NULL;
	struct call_rx_counters c;
	uint8_t big[481] = {0};
	int16_t pcm[480];
	size_t n = 0;
	char key = 0;

	(void)state;
	assert_int_equal(call_rx_alloc(&rx), 0);
	call_rx_set(rx, NULL, TELEV_PT, 96);

	/* G.722 is not ours; 481 samples do not fit */
	assert_int_equal(call_rx_packet(rx, 1, 1, 0, 9, big, 160, 0, pcm,
					&n, &key), CALL_RX_NONE);
	assert_int_equal(call_rx_packet(rx, 1, 2, 0, 0, big, sizeof(big), 0,
					pcm, &n, &key), CALL_RX_NONE);
	call_rx_counters(rx, &c);
	assert_int_equal(c.bad, 2);

	/* the peer's PT, marker: reported once, its end not again */
	assert_int_equal(call_rx_packet(rx, 1, 3, 800, 96 | 0x80, ev5, 4, 0,
					pcm, &n, &key), CALL_RX_DIGIT);
	assert_int_equal(key, '5');
	assert_int_equal(call_rx_packet(rx, 1, 4, 800, 96, ev5end, 4, 0,
					pcm, &n, &key), CALL_RX_NONE);
	assert_int_equal(call_rx_packet(rx, 1, 5, 800, 96, ev5end, 4, 0,
					pcm, &n, &key), CALL_RX_NONE);
	call_rx_counters(rx, &c);
	assert_int_equal(c.digits, 1);

	/* PCMA by its own PT: 0xd5 is the smallest positive step */
	memset(big, 0xd5, 160);
	assert_int_equal(call_rx_packet(rx, 1, 6, 960, 8, big, 160, 0, pcm,
					&n, &key), CALL_RX_AUDIO);
	assert_int_equal(n, 160);
	assert_int_equal(pcm[0], 8);

	mem_deref(rx);
}


static void test_last_src(void **state)
{
	struct call_rx *rx = NULL;
	struct sa a, b;

	(void)state;
	assert_int_equal(call_rx_alloc(&rx), 0);
	assert_false(call_rx_last_src(rx, &b));

	assert_int_equal(sa_set_str(&a, "192.0.2.7", 4000), 0);
	call_rx_set_src(rx, &a);
	assert_true(call_rx_last_src(rx, &b));
	assert_true(sa_cmp(&a, &b, SA_ALL));

	mem_deref(rx);
}


static void udp_h(const struct sa *src, struct mbuf *mb, void *arg)
{
	unsigned *libre = arg;

	(void)src;
	(void)mb;
	++*libre;
}


static int open_pair(struct udp_sock **usp, struct call_rx *rx,
		     struct sa *laddr, unsigned *libre)
{
	int err;

	assert_int_equal(sa_set_str(laddr, "127.0.0.1", 0), 0);
	assert_int_equal(udp_listen(usp, laddr, udp_h, libre), 0);
	assert_int_equal(udp_local_get(*usp, laddr), 0);

	err = call_rx_open(rx, *usp);
	if (err == ENOPROTOOPT || err == EINVAL)
		return err;
	assert_int_equal(err, 0);
	assert_true(call_rx_fd(rx) >= 0);
	assert_int_equal(call_rx_open(rx, *usp), EALREADY);

	return 0;
}


static void test_drain(void **state)
{
	static const uint8_t ev7[4] = {7, 0x0a, 0x00, 0xa0};
	struct call_rx *rx = NULL;
	struct udp_sock *us = NULL;
	struct call_rx_counters c;
	struct frames f = {0};
	struct polled p;
	uint8_t payload[FRAME], pkt[256];
	struct sa laddr, csrc, src;
	unsigned libre = 0;
	uint64_t t0, t1;
	size_t len;
	int s;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(call_rx_alloc(&rx), 0);
	call_rx_set(rx, NULL, TELEV_PT, -1);
	if (open_pair(&us, rx, &laddr, &libre)) {
		mem_deref(us);
		mem_deref(rx);
		skip();
	}

	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(sa_set_str(&csrc, "127.0.0.1", 0), 0);
	assert_int_equal(bind(s, &csrc.u.sa, csrc.len), 0);
	csrc.len = sizeof(csrc.u.in);
	assert_int_equal(getsockname(s, &csrc.u.sa, &csrc.len), 0);

	t0 = call_rx_now_ns();
	memset(payload, 0xff, sizeof(payload));
	/* 20 frames (more than one recvmmsg() batch) and a digit */
	for (uint16_t seq = 1; seq <= 20; seq++) {
		len = rtp_pkt(pkt, 0, seq, seq * FRAME, payload, FRAME);
		assert_int_equal(sendto(s, pkt, len, 0, &laddr.u.sa,
					laddr.len), (ssize_t)len);
	}
	len = rtp_pkt(pkt, TELEV_PT | 0x80, 21, 21 * FRAME, ev7, 4);
	assert_int_equal(sendto(s, pkt, len, 0, &laddr.u.sa, laddr.len),
			 (ssize_t)len);
	t1 = call_rx_now_ns();

	assert_true(call_rx_drain(rx, audio_h, &f));
	assert_int_equal(f.n, 20);
	assert_int_equal(f.last_seq, 20);
	assert_int_equal(f.first_sample, 0);   /* G.711: 0xff is 0 */
	/* the kernel's arrival, not when the drain looked */
	assert_true(f.arrival_min >= t0 - 1000000);
	assert_true(f.arrival_max <= t1 + 1000000);

	/* nothing more: no wait */
	assert_false(call_rx_drain(rx, audio_h, &f));
	assert_int_equal(f.n, 20);

	call_rx_poll(rx, digit_h, rtcp_h, &p);
	assert_int_equal(p.nkeys, 1);
	assert_int_equal(p.keys[0], '7');
	assert_int_equal(p.nrtcp, 21);
	assert_int_equal(p.rtcp_seq, 21);
	assert_int_equal(p.rtcp_size, 4);

	call_rx_counters(rx, &c);
	assert_int_equal(c.pkts, 21);
	assert_int_equal(c.lost, 0);
	assert_true(call_rx_last_src(rx, &src));
	assert_true(sa_cmp(&src, &csrc, SA_ALL));
	assert_int_equal(libre, 0);

	(void)close(s);
	call_rx_close(rx);
	assert_int_equal(call_rx_fd(rx), -1);
	mem_deref(us);
	mem_deref(rx);
}


static void test_drain_srtp(void **state)
{
	uint8_t key[CALL_SRTP_KEYSALT];
	struct call_srtp *tx = NULL, *rxs = NULL;
	struct call_rx *rx = NULL;
	struct udp_sock *us = NULL;
	struct call_rx_counters c;
	struct frames f = {0};
	uint8_t payload[FRAME], pkt[256];
	unsigned libre = 0;
	struct sa laddr;
	size_t len;
	int s, err;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	err = call_srtp_alloc(&tx, CALL_SRTP_AES_CM_128_HMAC_SHA1_80, key,
			      key);
	if (err == ELIBACC || err == ELIBBAD)
		skip();
	assert_int_equal(err, 0);
	assert_int_equal(call_srtp_alloc(&rxs,
					 CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 key, key), 0);

	assert_int_equal(call_rx_alloc(&rx), 0);
	call_rx_set(rx, rxs, TELEV_PT, -1);
	if (open_pair(&us, rx, &laddr, &libre)) {
		mem_deref(us);
		mem_deref(rx);
		mem_deref(tx);
		mem_deref(rxs);
		skip();
	}

	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	memset(payload, 0xff, sizeof(payload));
	for (uint16_t seq = 1; seq <= 3; seq++) {
		len = rtp_pkt(pkt, 0, seq, seq * FRAME, payload, FRAME);
		assert_int_equal(call_srtp_protect(tx, pkt, &len,
						   sizeof(pkt)), 0);
		if (seq == 3)
			pkt[20] ^= 1;   /* tampered: the tag fails */
		assert_int_equal(sendto(s, pkt, len, 0, &laddr.u.sa,
					laddr.len), (ssize_t)len);
	}

	(void)call_rx_drain(rx, audio_h, &f);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.first_sample, 0);
	call_rx_counters(rx, &c);
	assert_int_equal(c.srtp_fail, 1);
	assert_int_equal(c.pkts, 2);

	(void)close(s);
	mem_deref(us);
	mem_deref(rx);
	mem_deref(tx);
	mem_deref(rxs);
}


static void test_bad_args(void **state)
{
	struct call_rx_counters c = {0};

	(void)state;
	assert_int_equal(call_rx_alloc(NULL), EINVAL);
	assert_int_equal(call_rx_open(NULL, NULL), EINVAL);
	assert_false(call_rx_drain(NULL, NULL, NULL));
	assert_int_equal(call_rx_fd(NULL), -1);
	call_rx_counters(NULL, &c);
	call_rx_poll(NULL, NULL, NULL, NULL);
	call_rx_close(NULL);
	assert_int_equal(call_rx_ssrc(NULL), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_and_reorder),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_bad_and_digits),
		cmocka_unit_test(test_last_src),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_drain_srtp),
		cmocka_unit_test(test_bad_args),
	};
	int r;

	libre_init();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return r;
}
