/** @file test_telev.c  RFC 4733 payload, sender and receiver */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/telev.h"

enum { PTIME = 160, MAXPKT = 4096 };

struct wire {
	size_t n;
	struct telev_pkt v[MAXPKT];
};

static struct wire wire_a, wire_b;

static void assert_ev_equal(const struct telev_ev *a,
			    const struct telev_ev *b)
{
	assert_int_equal(a->event, b->event);
	assert_int_equal(a->end, b->end);
	assert_int_equal(a->volume, b->volume);
	assert_int_equal(a->duration, b->duration);
}

static void test_payload(void **state)
{
	const struct telev_ev ev = {5, true, 10, 0x1234};
	const uint8_t rbit[4] = {0x0b, 0xc7, 0x00, 0xa0};
	uint8_t buf[8] = {0};
	struct telev_ev d;
	(void)state;

	assert_int_equal(telev_encode(buf, sizeof(buf), &ev), 0);
	assert_memory_equal(buf, "\x05\x8a\x12\x34", 4);
	assert_int_equal(telev_decode(&d, buf, 4), 0);
	assert_int_equal(d.event, 5);
	assert_true(d.end);
	assert_int_equal(d.volume, 10);
	assert_int_equal(d.duration, 0x1234);

	/* R is ignored on receive */
	assert_int_equal(telev_decode(&d, rbit, 4), 0);
	assert_int_equal(d.event, 11);
	assert_true(d.end);
	assert_int_equal(d.volume, 7);
	assert_int_equal(d.duration, 160);

	/* every event, E bit and volume round-trips */
	for (unsigned e = 0; e < 256; e++) {
		for (unsigned v = 0; v <= TELEV_VOLUME_MAX; v++) {
			struct telev_ev in = {(uint8_t)e, v & 1, (uint8_t)v,
					      (uint16_t)(e * 257 + v)};

			assert_int_equal(telev_encode(buf, 4, &in), 0);
			assert_int_equal(buf[1] & 0x40, 0);
			assert_int_equal(telev_decode(&d, buf, 4), 0);
			assert_ev_equal(&d, &in);
		}
	}
}

static void test_payload_errors(void **state)
{
	struct telev_ev ev = {1, false, 64, 0};
	uint8_t buf[8] = {0};
	(void)state;

	assert_int_equal(telev_encode(buf, 4, &ev), EINVAL);
	ev.volume = 63;
	assert_int_equal(telev_encode(buf, 3, &ev), EOVERFLOW);
	assert_int_equal(telev_encode(NULL, 4, &ev), EINVAL);
	assert_int_equal(telev_encode(buf, 4, NULL), EINVAL);

	for (size_t n = 0; n < 4; n++)
		assert_int_equal(telev_decode(&ev, buf, n), EBADMSG);
	assert_int_equal(telev_decode(&ev, buf, 5), EBADMSG);
	assert_int_equal(telev_decode(&ev, buf, 8), 0);
	assert_int_equal(telev_decode(NULL, buf, 4), EINVAL);
	assert_int_equal(telev_decode(&ev, NULL, 4), EINVAL);
}

static void test_chars(void **state)
{
	const char *keys = "0123456789*#ABCD";
	(void)state;

	for (int i = 0; i < 16; i++) {
		assert_int_equal(telev_char2event(keys[i]), i);
		assert_int_equal(telev_event2char(i), keys[i]);
	}
	assert_int_equal(telev_char2event('a'), 12);
	assert_int_equal(telev_char2event('d'), 15);
	assert_int_equal(telev_char2event('E'), -1);
	assert_int_equal(telev_char2event('x'), -1);
	assert_int_equal(telev_char2event('\0'), -1);
	assert_int_equal(telev_event2char(16), '\0');
	assert_int_equal(telev_event2char(-1), '\0');
}

static void expect_pkt(const struct telev_pkt *p, uint32_t ts, bool m,
		       bool end, uint16_t dur)
{
	struct telev_ev d;

	assert_int_equal(p->ts, ts);
	assert_int_equal(p->marker, m);
	assert_int_equal(p->ev.end, end);
	assert_int_equal(p->ev.duration, dur);
	assert_int_equal(telev_decode(&d, p->payload, 4), 0);
	assert_ev_equal(&d, &p->ev);
}

static void test_tx(void **state)
{
	struct telev_tx *tx = NULL;
	struct telev_pkt p;
	(void)state;

	assert_int_equal(telev_tx_alloc(&tx), 0);
	assert_false(telev_tx_busy(tx));
	assert_false(telev_tx_poll(tx, 0, &p));
	assert_int_equal(telev_tx_stop(tx, 0), ENOENT);
	assert_int_equal(telev_tx_start(tx, 1, 64, 0), EINVAL);

	assert_int_equal(telev_tx_start(tx, 1, 10, 1000), 0);
	assert_true(telev_tx_busy(tx));
	assert_int_equal(telev_tx_start(tx, 2, 10, 1100), EBUSY);

	assert_true(telev_tx_poll(tx, 1000, &p));
	expect_pkt(&p, 1000, true, false, 0);
	assert_int_equal(p.ev.event, 1);
	assert_int_equal(p.ev.volume, 10);
	assert_true(telev_tx_poll(tx, 1160, &p));
	expect_pkt(&p, 1000, false, false, 160);
	assert_true(telev_tx_poll(tx, 1320, &p));
	expect_pkt(&p, 1000, false, false, 320);

	assert_int_equal(telev_tx_stop(tx, 1400), 0);
	assert_int_equal(telev_tx_stop(tx, 1400), EALREADY);
	for (int i = 0; i < TELEV_END_PACKETS; i++) {
		assert_true(telev_tx_busy(tx));
		assert_true(telev_tx_poll(tx, 1480 + 160 * i, &p));
		expect_pkt(&p, 1000, false, true, 400);
	}
	assert_false(telev_tx_busy(tx));
	assert_false(telev_tx_poll(tx, 2000, &p));

	/* released before the first packet: marker on the first end */
	assert_int_equal(telev_tx_start(tx, 11, 0, 5000), 0);
	assert_int_equal(telev_tx_stop(tx, 4000), 0);
	assert_true(telev_tx_poll(tx, 5160, &p));
	expect_pkt(&p, 5000, true, true, 0);
	assert_true(telev_tx_poll(tx, 5320, &p));
	expect_pkt(&p, 5000, false, true, 0);
	assert_true(telev_tx_poll(tx, 5480, &p));
	assert_false(telev_tx_poll(tx, 5640, &p));

	assert_int_equal(telev_tx_alloc(NULL), EINVAL);
	assert_false(telev_tx_poll(tx, 0, NULL));
	mem_deref(tx);
}

/* Press each key for @p press units, starting @p gap apart, from @p t0 */
static void send_keys(struct wire *w, const char *keys, uint32_t t0,
		      uint32_t press, uint32_t gap)
{
	struct telev_tx *tx = NULL;
	uint32_t t = t0;

	w->n = 0;
	assert_int_equal(telev_tx_alloc(&tx), 0);

	for (const char *k = keys; *k; k++, t += gap) {
		uint32_t now = t;

		assert_int_equal(telev_tx_start(tx, (uint8_t)
						telev_char2event(*k), 10, t),
				 0);
		for (; now - t < press; now += PTIME) {
			assert_true(w->n < MAXPKT);
			assert_true(telev_tx_poll(tx, now, &w->v[w->n++]));
		}
		assert_int_equal(telev_tx_stop(tx, t + press), 0);
		while (telev_tx_poll(tx, now, &w->v[w->n])) {
			assert_true(++w->n < MAXPKT);
			now += PTIME;
		}
	}

	mem_deref(tx);
}

/* Feed a wire to a fresh receiver; returns the keys reported */
static void receive(const struct wire *w, char *out, size_t sz)
{
	struct telev_rx *rx = NULL;
	size_t o = 0;

	assert_int_equal(telev_rx_alloc(&rx), 0);

	for (size_t i = 0; i < w->n; i++) {
		const struct telev_pkt *p = &w->v[i];
		struct telev_ev ev;
		bool fresh;

		assert_int_equal(telev_rx_recv(rx, p->ts, p->marker,
					       p->payload, 4, &ev, &fresh), 0);
		if (fresh) {
			assert_true(o + 1 < sz);
			out[o++] = telev_event2char(ev.event);
		}
	}
	out[o] = '\0';

	mem_deref(rx);
}

static void test_rx_in_order(void **state)
{
	char got[32];
	(void)state;

	/* the RTP timestamp wraps in the middle */
	send_keys(&wire_a, "1123#*9", 0xfffff000u, 800, 1600);
	receive(&wire_a, got, sizeof(got));
	assert_string_equal(got, "1123#*9");

	/* every packet twice */
	wire_b.n = 0;
	for (size_t i = 0; i < wire_a.n; i++) {
		wire_b.v[wire_b.n++] = wire_a.v[i];
		wire_b.v[wire_b.n++] = wire_a.v[i];
	}
	receive(&wire_b, got, sizeof(got));
	assert_string_equal(got, "1123#*9");

	/* lost marker packets: the first update still reports the key */
	wire_b.n = 0;
	for (size_t i = 0; i < wire_a.n; i++) {
		if (!wire_a.v[i].marker)
			wire_b.v[wire_b.n++] = wire_a.v[i];
	}
	receive(&wire_b, got, sizeof(got));
	assert_string_equal(got, "1123#*9");

	/* only the end packets survive */
	wire_b.n = 0;
	for (size_t i = 0; i < wire_a.n; i++) {
		if (wire_a.v[i].ev.end)
			wire_b.v[wire_b.n++] = wire_a.v[i];
	}
	receive(&wire_b, got, sizeof(got));
	assert_string_equal(got, "1123#*9");
}

static void test_rx_reordered(void **state)
{
	uint32_t seed = 12345;
	char got[32];
	(void)state;

	/* keys close together: end packets overlap the next start */
	send_keys(&wire_a, "55555", 1000, 480, 800);

	for (int round = 0; round < 500; round++) {
		wire_b = wire_a;

		/* swap neighbours at random: a jittery network */
		for (size_t i = 0; i + 1 < wire_b.n; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0) {
				struct telev_pkt t = wire_b.v[i];

				wire_b.v[i] = wire_b.v[i + 1];
				wire_b.v[i + 1] = t;
				i++;
			}
		}

		receive(&wire_b, got, sizeof(got));
		assert_string_equal(got, "55555");
	}

	/* a whole key overtaken by the next one is still reported once */
	send_keys(&wire_a, "12", 1000, 320, 800);
	wire_b.n = 0;
	for (size_t i = 0; i < wire_a.n; i++) {
		if (wire_a.v[i].ts != 1000)
			wire_b.v[wire_b.n++] = wire_a.v[i];
	}
	for (size_t i = 0; i < wire_a.n; i++) {
		if (wire_a.v[i].ts == 1000)
			wire_b.v[wire_b.n++] = wire_a.v[i];
	}
	receive(&wire_b, got, sizeof(got));
	assert_string_equal(got, "21");
}

static void test_long_event(void **state)
{
	const uint32_t press = 3 * TELEV_DURATION_MAX + 1000;
	unsigned segments = 0;
	char got[8];
	(void)state;

	send_keys(&wire_a, "7", 0xffff0000u, press, press);

	/* three full segments, each ended at 0xffff, then the last one */
	for (size_t i = 0; i < wire_a.n; i++) {
		const struct telev_pkt *p = &wire_a.v[i];

		assert_int_equal(p->marker, i == 0);
		if (p->ev.duration == TELEV_DURATION_MAX) {
			assert_false(p->ev.end);
			assert_int_equal(wire_a.v[i + 1].ts,
					 p->ts + TELEV_DURATION_MAX);
			segments++;
		}
	}
	assert_int_equal(segments, 3);
	expect_pkt(&wire_a.v[wire_a.n - 1],
		   0xffff0000u + 3 * TELEV_DURATION_MAX, false, true, 1000);

	receive(&wire_a, got, sizeof(got));
	assert_string_equal(got, "7");
}

static void test_rx_misc(void **state)
{
	const uint8_t start[4] = {3, 0x0a, 0, 0};
	struct telev_rx *rx = NULL;
	struct telev_ev ev;
	bool fresh = true;
	(void)state;

	assert_int_equal(telev_rx_alloc(&rx), 0);
	assert_int_equal(telev_rx_recv(rx, 1, true, start, 3, &ev, &fresh),
			 EBADMSG);
	assert_false(fresh);
	assert_int_equal(telev_rx_recv(rx, 1, true, start, 4, NULL, &fresh),
			 EINVAL);

	assert_int_equal(telev_rx_recv(rx, 100, true, start, 4, &ev, &fresh),
			 0);
	assert_true(fresh);

	/* far in the past: a stale packet, not a key */
	assert_int_equal(telev_rx_recv(rx, 100 - 0x10000, true, start, 4,
				       &ev, &fresh), 0);
	assert_false(fresh);

	/* a new stream forgets the old one */
	telev_rx_reset(rx);
	assert_int_equal(telev_rx_recv(rx, 100, true, start, 4, &ev, &fresh),
			 0);
	assert_true(fresh);

	assert_int_equal(telev_rx_alloc(NULL), EINVAL);
	mem_deref(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload),
		cmocka_unit_test(test_payload_errors),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_tx),
		cmocka_unit_test(test_rx_in_order),
		cmocka_unit_test(test_rx_reordered),
		cmocka_unit_test(test_long_event),
		cmocka_unit_test(test_rx_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
