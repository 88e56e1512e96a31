/**
 * @file test_jbuf_ring.c  The jitter buffer's ring against a per-slot model
 *
 * Random marks, runs, writes and reads at every offset, wrapping or
 * not, on a 1024-slot ring; the model is one bool and one sample per
 * slot, updated a slot at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dsp/jitbuf_ring.h"

enum { SIZE = 1024, MASK = SIZE - 1, ROUNDS = 20000 };

static uint32_t rng = 12345;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}


static void test_model(void **state)
{
	static uint64_t bits[SIZE / 64];
	static bool model[SIZE];
	static int16_t ring[SIZE], mring[SIZE], buf[SIZE];
	(void)state;

	for (int r = 0; r < ROUNDS; r++) {
		uint32_t k = rnd(4 * SIZE), n = rnd(r % 7 ? 200 : SIZE + 1);
		bool on = rnd(2);
		uint32_t run = 0;

		switch (rnd(4)) {

		case 0:
			jitbuf_ring_mark(bits, MASK, k, n, on);
			for (uint32_t i = 0; i < n; i++)
				model[(k + i) & MASK] = on;
			break;

		case 1:
			while (run < n && model[(k + run) & MASK] == on)
				++run;
			assert_int_equal(
				jitbuf_ring_run(bits, MASK, k, n, on), run);
			break;

		case 2:
			for (uint32_t i = 0; i < n; i++)
				buf[i] = (int16_t)rnd(65536);
			jitbuf_ring_write(ring, MASK, k, buf, n);
			for (uint32_t i = 0; i < n; i++)
				mring[(k + i) & MASK] = buf[i];
			break;

		default:
			jitbuf_ring_read(ring, MASK, k, buf, n);
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(buf[i],
						 mring[(k + i) & MASK]);
			break;
		}
	}
}


/* Runs that end exactly at word edges, and a full ring */
static void test_edges(void **state)
{
	static uint64_t bits[SIZE / 64];
	(void)state;

	memset(bits, 0, sizeof(bits));
	jitbuf_ring_mark(bits, MASK, 60, 68, true);		/* 60..127 */
	assert_int_equal(jitbuf_ring_run(bits, MASK, 60, 500, true), 68);
	assert_int_equal(jitbuf_ring_run(bits, MASK, 64, 500, true), 64);
	assert_int_equal(jitbuf_ring_run(bits, MASK, 128, 500, false), 500);
	assert_int_equal(jitbuf_ring_run(bits, MASK, 0, 500, false), 60);

	jitbuf_ring_mark(bits, MASK, SIZE - 3, 6, true);	/* wraps */
	assert_int_equal(jitbuf_ring_run(bits, MASK, SIZE - 3, 100, true), 6);
	assert_int_equal(bits[0] & 7, 7);

	jitbuf_ring_mark(bits, MASK, 5, SIZE, true);
	assert_int_equal(jitbuf_ring_run(bits, MASK, 17, SIZE, true), SIZE);
	jitbuf_ring_mark(bits, MASK, 0, 0, false);
	assert_int_equal(jitbuf_ring_run(bits, MASK, 17, 0, true), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
