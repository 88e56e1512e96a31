/**
 * @file test_jbuf_pass.c  Jitter buffer pass-through (fax and modem)
 *
 * A steady stream of ramp packets (every sample tells its index): the
 * switch inserts exactly the added delay as silence and loses nothing;
 * then every sample plays unchanged (no concealment cross-fade, no
 * drift step) and a lost packet plays as silence. jitbuf_reset() ends
 * pass-through.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/jitbuf.h"

enum {
	SR = 8000,
	PERIOD = 80,            /* 10 ms device period */
	PTIME = 160,            /* 20 ms packets       */
	DELAY = 360,            /* 45 ms               */
	PASS = 960,             /* 120 ms              */
	SSRC = 0x5eed,
};

static const struct jitbuf_conf conf = {
	.srate = SR, .delay_ms = 45, .max_frame = 480, .max_delay_ms = 120,
};


static int16_t ramp(uint32_t s)
{
	/* never 0, so silence is told from audio */
	return (int16_t)(1 + s % 30000);
}


static void put_k(struct jitbuf *jb, uint32_t k, uint64_t now)
{
	int16_t pcm[PTIME];

	for (size_t i = 0; i < PTIME; i++)
		pcm[i] = ramp(k * PTIME + (uint32_t)i);

	(void)jitbuf_put(jb, SSRC, (uint16_t)k, k * PTIME, false, pcm,
			 PTIME, now);
}


/*
 * Run the device for @p ms: a packet arrives every 20 ms on time
 * (packet @p skip never does); the output samples are appended to
 * @p out
 */
static void play(struct jitbuf *jb, uint32_t *k, unsigned ms,
		 uint32_t skip, int16_t *out, size_t *outn)
{
	for (unsigned t = 0; t < ms / 10; t++) {
		uint64_t clk = jitbuf_clock(jb);

		if (clk % PTIME == 0) {
			if (*k != skip)
				put_k(jb, *k, clk);
			++*k;
		}
		jitbuf_get(jb, out + *outn, PERIOD);
		*outn += PERIOD;
	}
}


static int16_t out[SR * 12];


static void test_switch_exact(void **state)
{
	struct jitbuf *jb = NULL;
	struct jitbuf_stats st;
	uint32_t k = 0;
	size_t n = 0, i, first, zeros = 0, next;

	(void)state;
	assert_int_equal(0, jitbuf_alloc(&jb, &conf));
	play(jb, &k, 3000, UINT32_MAX, out, &n);
	assert_int_equal(0, jitbuf_passthrough(jb, 120));
	play(jb, &k, 8000, UINT32_MAX, out, &n);

	/*
	 * The ramp from its first sample (faded in over 10 ms by the PLC
	 * before the switch), once, with PASS - DELAY zeros
	 */
	for (first = 0; first < n && !out[first]; first++)
		;
	assert_int_equal(DELAY, first);
	next = PTIME;
	for (i = first + PTIME; i < n; i++) {
		if (!out[i]) {
			++zeros;
			continue;
		}
		assert_int_equal(ramp((uint32_t)next), out[i]);
		++next;
	}
	assert_int_equal(PASS - DELAY, zeros);

	jitbuf_stats(jb, &st);
	assert_int_equal(0, st.dropped_samples);
	assert_int_equal(0, st.inserted_samples);
	assert_int_equal(0, st.late);
	mem_deref(jb);
}


/* A lost packet: 160 zeros, and the audio on both sides untouched */
static void test_no_concealment(void **state)
{
	struct jitbuf *jb = NULL;
	uint32_t k = 0;
	size_t n = 0, i, zeros = 0;

	(void)state;
	assert_int_equal(0, jitbuf_alloc(&jb, &conf));
	assert_int_equal(0, jitbuf_passthrough(jb, 120));
	play(jb, &k, 4000, 100, out, &n);

	for (i = PASS; i < n; i++) {
		uint32_t s = (uint32_t)(i - PASS);

		if (s / PTIME == 100) {
			zeros += !out[i];
			continue;
		}
		assert_int_equal(ramp(s), out[i]);
	}
	assert_int_equal(PTIME, zeros);
	mem_deref(jb);
}


static void test_reset_and_limits(void **state)
{
	struct jitbuf_conf c = conf;
	struct jitbuf *jb = NULL;
	uint32_t k = 0;
	size_t n = 0;

	(void)state;
	c.max_delay_ms = 0;
	assert_int_equal(0, jitbuf_alloc(&jb, &c));
	assert_int_equal(EINVAL, jitbuf_passthrough(jb, 400));
	assert_int_equal(EINVAL, jitbuf_passthrough(NULL, 120));
	mem_deref(jb);

	c.max_delay_ms = 1001;
	assert_int_equal(EINVAL, jitbuf_alloc(&jb, &c));

	/* after a reset: the configured delay, with concealment again */
	assert_int_equal(0, jitbuf_alloc(&jb, &conf));
	assert_int_equal(0, jitbuf_passthrough(jb, 120));
	jitbuf_reset(jb);
	play(jb, &k, 1000, UINT32_MAX, out, &n);
	assert_int_equal(0, out[DELAY - 1]);
	assert_int_not_equal(0, out[DELAY + 100]);
	mem_deref(jb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_exact),
		cmocka_unit_test(test_no_concealment),
		cmocka_unit_test(test_reset_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
