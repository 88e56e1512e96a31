/**
 * @file test_dtmf_det.c  In-band DTMF detector: keys, tolerances, talk-off
 *
 * Signals are made here with sin() at levels in dBm0 (a 0 dBm0 sine
 * peaks at TONE_0DBM0_PEAK), fed in odd-sized pieces as a driver's
 * periods would come, with the tone starting at every offset within a
 * block where the block alignment matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/dtmf_det.h"
#include "dsp/tone.h"

enum { SR = 8000, BUF = 4 * SR };

static const double rowf[4] = {697, 770, 852, 941};
static const double colf[4] = {1209, 1336, 1477, 1633};
static const char keys[] = "123A456B789C*0#D";

struct rec {
	char pressed[64];
	size_t npress, nrel;
	uint32_t dur;        /* of the last release */
	bool end_first;      /* a release came before its press */
};

static int16_t buf[BUF];
static size_t len;


static void det_handler(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct rec *r = arg;

	if (end) {
		if (r->nrel >= r->npress || r->pressed[r->nrel] != key)
			r->end_first = true;
		++r->nrel;
		r->dur = dur_ms;
		return;
	}
	if (r->npress < sizeof(r->pressed) - 1)
		r->pressed[r->npress++] = key;
}


static double amp(double dbm0)
{
	return TONE_0DBM0_PEAK * pow(10.0, dbm0 / 20.0);
}


/* Append @p ms of f1 at l1 dBm0 plus f2 at l2 dBm0 (f = 0: none) */
static void add(double f1, double l1, double f2, double l2, unsigned ms)
{
	size_t n = (size_t)ms * SR / 1000;

	assert_true(len + n <= BUF);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / SR, v = 0;

		if (f1 > 0)
			v += amp(l1) * sin(2 * M_PI * f1 * t);
		if (f2 > 0)
			v += amp(l2) * sin(2 * M_PI * f2 * t + 1.0);
		buf[len + i] = (int16_t)lrint(v);
	}
	len += n;
}


static void add_samples_silence(size_t n)
{
	assert_true(len + n <= BUF);
	memset(buf + len, 0, n * 2);
	len += n;
}


static void key_freqs(char key, double *fr, double *fc)
{
	const char *p = strchr(keys, key);

	assert_non_null(p);
	*fr = rowf[(p - keys) / 4];
	*fc = colf[(p - keys) % 4];
}


/* Run the buffer through a fresh detector in pieces of 7..160 */
static void run(struct rec *r)
{
	struct dtmf_det *d = NULL;
	size_t pos = 0, k = 7;

	memset(r, 0, sizeof(*r));
	assert_int_equal(0, dtmf_det_alloc(&d, det_handler, r));
	while (pos < len) {
		size_t n = len - pos < k ? len - pos : k;

		dtmf_det_process(d, buf + pos, n);
		pos += n;
		k = k * 7 % 160 + 1;
	}
	mem_deref(d);
	assert_false(r->end_first);
}


/* One key: @p lead silent samples, the tone, 100 ms silence */
static size_t one(char key, double off_r, double off_c, double lr,
		  double lc, unsigned ms, size_t lead, struct rec *r)
{
	double fr, fc;

	key_freqs(key, &fr, &fc);
	len = 0;
	add_samples_silence(lead);
	add(fr * (1 + off_r), lr, fc * (1 + off_c), lc, ms);
	add(0, 0, 0, 0, 100);
	run(r);

	return r->npress;
}


static void expect_key(char key, double off_r, double off_c, double lr,
		       double lc, unsigned ms)
{
	struct rec r;

	for (size_t lead = 0; lead < DTMF_DET_BLOCK; lead += 17) {
		if (one(key, off_r, off_c, lr, lc, ms, lead, &r) != 1 ||
		    r.pressed[0] != key)
			fail_msg("key %c (%+.3f %+.3f, %.0f/%.0f dBm0, %u ms"
				 ", lead %zu): %zu presses '%s'", key, off_r,
				 off_c, lr, lc, ms, lead, r.npress,
				 r.pressed);
		assert_int_equal(1, r.nrel);
	}
}


static void expect_none(char key, double off_r, double off_c, double lr,
			double lc, unsigned ms)
{
	struct rec r;

	for (size_t lead = 0; lead < DTMF_DET_BLOCK; lead += 17) {
		if (one(key, off_r, off_c, lr, lc, ms, lead, &r))
			fail_msg("key %c (%+.3f %+.3f, %.0f/%.0f dBm0, %u ms"
				 ", lead %zu) detected as %c", key, off_r,
				 off_c, lr, lc, ms, lead, r.pressed[0]);
	}
}


static void test_all_keys(void **state)
{
	(void)state;

	for (const char *k = keys; *k; k++)
		expect_key(*k, 0, 0, -10, -10, 60);
}


static void test_freq_deviation(void **state)
{
	static const double acc[] = {0.015, -0.015};
	static const double rej[] = {0.035, -0.035, 0.05, -0.05};
	(void)state;

	for (const char *k = keys; *k; k++) {
		for (size_t i = 0; i < ARRAY_SIZE(acc); i++) {
			expect_key(*k, acc[i], 0, -10, -10, 60);
			expect_key(*k, 0, acc[i], -10, -10, 60);
			expect_key(*k, acc[i], acc[i], -10, -10, 60);
			expect_key(*k, acc[i], -acc[i], -10, -10, 60);
		}
		for (size_t i = 0; i < ARRAY_SIZE(rej); i++) {
			expect_none(*k, rej[i], 0, -10, -10, 60);
			expect_none(*k, 0, rej[i], -10, -10, 60);
		}
	}
}


static void test_twist(void **state)
{
	(void)state;

	for (const char *k = keys; *k; k++) {
		/* normal: the column weaker, up to 8 dB */
		expect_key(*k, 0, 0, -6, -14, 60);
		expect_none(*k, 0, 0, -6, -18, 60);
		/* reverse: the row weaker, up to 4 dB */
		expect_key(*k, 0, 0, -14, -10, 60);
		expect_none(*k, 0, 0, -18, -10, 60);
	}
}


static void test_duration(void **state)
{
	struct rec r;
	(void)state;

	for (const char *k = keys; *k; k++) {
		expect_key(*k, 0, 0, -10, -10, 40);
		expect_key(*k, 0.015, -0.015, -10, -10, 40);
		expect_key(*k, 0, 0, -25, -25, 40);
		expect_none(*k, 0, 0, -10, -10, 20);
		expect_none(*k, 0, 0, -10, -10, 22);
		/* an off-frequency short tone is no easier */
		expect_none(*k, 0.015, 0.015, -10, -10, 20);
	}

	/* the duration of a press, to a block */
	one('5', 0, 0, -10, -10, 200, 0, &r);
	assert_int_equal(1, r.nrel);
	assert_true(r.dur >= 190 && r.dur <= 215);
}


static void test_sequence_gaps(void **state)
{
	static const char seq[] = "1002##0*D9";
	struct rec r;
	(void)state;

	for (size_t lead = 0; lead < DTMF_DET_BLOCK; lead += 13) {
		len = 0;
		add_samples_silence(lead);
		for (const char *k = seq; *k; k++) {
			double fr, fc;

			key_freqs(*k, &fr, &fc);
			add(fr, -10, fc, -10, 40);
			add(0, 0, 0, 0, 40);
		}
		add(0, 0, 0, 0, 60);
		run(&r);
		assert_string_equal(seq, r.pressed);
		assert_int_equal(strlen(seq), r.nrel);
	}
}


static void test_level(void **state)
{
	(void)state;

	for (const char *k = keys; *k; k++) {
		expect_key(*k, 0, 0, -25, -25, 60);
		expect_key(*k, 0, 0, -3, -3, 60);
		/* the -35 dBm0 floor, on both sides: the energy gate that
		   skips quiet blocks must not move it */
		expect_key(*k, 0, 0, -33, -33, 60);
		expect_key(*k, 0, 0, -33, -34, 60);
		expect_none(*k, 0, 0, -37, -37, 60);
		expect_none(*k, 0, 0, -45, -45, 60);
	}
}


static void test_held(void **state)
{
	struct rec r;
	(void)state;

	one('#', 0, 0, -10, -10, 2000, 33, &r);
	assert_int_equal(1, r.npress);
	assert_int_equal(1, r.nrel);
	assert_true(r.dur >= 1985 && r.dur <= 2015);
}


static void test_no_tone(void **state)
{
	struct rec r;
	uint32_t x = 12345;
	(void)state;

	/* silence */
	len = 0;
	add(0, 0, 0, 0, 3000);
	run(&r);
	assert_int_equal(0, r.npress);

	/* white noise at about -10 dBm0 */
	len = 0;
	for (size_t i = 0; i < 3 * SR; i++) {
		x = x * 1103515245u + 12345u;
		buf[len++] = (int16_t)((int32_t)(x >> 16) % 16000 - 8000);
	}
	run(&r);
	assert_int_equal(0, r.npress);

	/* dial tone, and single tones at each DTMF frequency */
	len = 0;
	add(350, -13, 440, -13, 3000);
	run(&r);
	assert_int_equal(0, r.npress);
	for (size_t i = 0; i < 4; i++) {
		len = 0;
		add(rowf[i], -10, 0, 0, 300);
		add(colf[i], -10, 0, 0, 300);
		run(&r);
		assert_int_equal(0, r.npress);
	}
}


/*
 * Speech-like: voiced sound, a glottal pitch gliding between 85 and
 * 255 Hz, its harmonics up to 3.4 kHz falling off as 1/h and lifted by
 * two moving formants (the spectrum between them 20 dB down), so over
 * the seconds every DTMF frequency is near some strong harmonic. Eight
 * voices of 4 s, each with its own rates.
 */
static void test_talk_off(void **state)
{
	struct rec r;
	(void)state;

	for (int var = 0; var < 8; var++) {
		double ph = 0;

		len = 0;
		for (size_t i = 0; i < 4 * SR; i++) {
			double t = (double)i / SR, w = 2 * M_PI * t;
			double f0 = 170 + 85 * sin((0.5 + 0.1 * var) * w +
						   var);
			double fm1 = 650 + 250 * sin((1.1 + 0.2 * var) * w);
			double fm2 = 1500 + 400 * sin(0.9 * w + 1 + var);
			double v = 0;

			ph += 2 * M_PI * f0 / SR;
			for (int h = 1; h * f0 < 3400; h++) {
				double f = h * f0;
				double a = 0.1 +
					exp(-pow((f - fm1) / 120, 2)) +
					0.7 * exp(-pow((f - fm2) / 150, 2));

				v += a / h * sin(h * ph);
			}
			buf[len++] = (int16_t)lrint(6000 * v);
		}
		run(&r);
		if (r.npress)
			fail_msg("voice %d: '%s'", var, r.pressed);
	}
}


static void test_bad_args(void **state)
{
	struct dtmf_det *d = NULL;
	struct rec r;
	(void)state;

	assert_int_equal(EINVAL, dtmf_det_alloc(NULL, det_handler, &r));
	assert_int_equal(EINVAL, dtmf_det_alloc(&d, NULL, &r));
	dtmf_det_process(NULL, buf, 10);
	dtmf_det_reset(NULL);
	assert_false(dtmf_det_busy(NULL));

	/* reset drops a key down without a release */
	memset(&r, 0, sizeof(r));
	assert_int_equal(0, dtmf_det_alloc(&d, det_handler, &r));
	len = 0;
	add(697, -10, 1209, -10, 100);
	dtmf_det_process(d, buf, len);
	assert_int_equal(1, r.npress);
	assert_true(dtmf_det_busy(d));
	dtmf_det_reset(d);
	assert_false(dtmf_det_busy(d));
	len = 0;
	add(0, 0, 0, 0, 100);
	dtmf_det_process(d, buf, len);
	assert_int_equal(0, r.nrel);
	mem_deref(d);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_freq_deviation),
		cmocka_unit_test(test_twist),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_sequence_gaps),
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_no_tone),
		cmocka_unit_test(test_talk_off),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
