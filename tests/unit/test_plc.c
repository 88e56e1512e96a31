/** @file test_plc.c  Loss concealment: pitch, continuity, fading, resume */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/plc.h"

enum { SR = 8000, MS = SR / 1000 };

/* Two tones, integer-period at 8 kHz for f = 8000 / k */
static int16_t tone(size_t i, double f1, double f2)
{
	double t = (double)i / SR;

	return (int16_t)lrint(6000.0 * sin(2 * M_PI * f1 * t) +
			      (f2 > 0 ? 3000.0 * sin(2 * M_PI * f2 * t) : 0));
}

static void fill(int16_t *x, size_t from, size_t n, double f1, double f2)
{
	for (size_t i = 0; i < n; i++)
		x[i] = tone(from + i, f1, f2);
}

static int max_step(const int16_t *x, size_t n)
{
	int m = 0;

	for (size_t i = 1; i < n; i++) {
		int d = abs(x[i] - x[i - 1]);

		if (d > m)
			m = d;
	}

	return m;
}

static double rms(const int16_t *x, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];

	return sqrt(e / (double)n);
}

static struct plc *fed_plc(double f1, double f2, int16_t *last)
{
	struct plc *plc = NULL;
	int16_t buf[800];

	assert_int_equal(plc_alloc(&plc, SR), 0);
	fill(buf, 0, 800, f1, f2);
	plc_good(plc, buf, 800);
	if (last)
		*last = buf[799];

	return plc;
}


static void test_alloc_args(void **state)
{
	struct plc *plc = NULL;
	(void)state;

	assert_int_equal(plc_alloc(NULL, SR), EINVAL);
	assert_int_equal(plc_alloc(&plc, 7999), EINVAL);
	assert_int_equal(plc_alloc(&plc, 48001), EINVAL);
	assert_null(plc);
	assert_int_equal(plc_alloc(&plc, 16000), 0);
	assert_int_equal(plc_pitch(plc), 0);
	mem_deref(plc);

	/* NULL objects are ignored, not dereferenced */
	plc_good(NULL, NULL, 5);
	plc_conceal(NULL, NULL, 5);
	plc_reset(NULL);
}


/* A periodic signal is continued almost exactly for the first 10 ms */
static void test_pitch_and_continuation(void **state)
{
	static const struct { double f; uint32_t p; } cases[] = {
		{200.0, 40}, {100.0, 80}, {8000.0 / 110, 110},
	};
	(void)state;

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct plc *plc = fed_plc(cases[c].f, 0, NULL);
		int16_t out[10 * MS];

		plc_conceal(plc, out, ARRAY_SIZE(out));
		assert_int_equal(plc_pitch(plc), cases[c].p);
		for (size_t i = 0; i < ARRAY_SIZE(out); i++)
			assert_true(abs(out[i] - tone(800 + i, cases[c].f,
						      0)) <= 40);
		mem_deref(plc);
	}
}


/* Full level for 10 ms, then weaker every 10 ms, silent from 60 ms */
static void test_fade_out(void **state)
{
	struct plc *plc = fed_plc(200.0, 0, NULL);
	int16_t out[80 * MS];
	double lvl[6];
	(void)state;

	plc_conceal(plc, out, ARRAY_SIZE(out));
	for (int b = 0; b < 6; b++)
		lvl[b] = rms(out + b * 10 * MS, 10 * MS);

	assert_true(fabs(lvl[0] - 6000 / M_SQRT2) < 100);
	assert_true(lvl[1] < 0.95 * lvl[0] && lvl[1] > 0.70 * lvl[0]);
	for (int b = 2; b < 6; b++)
		assert_true(lvl[b] < lvl[b - 1] - 300);
	for (size_t i = 60 * MS; i < ARRAY_SIZE(out); i++)
		assert_int_equal(out[i], 0);

	mem_deref(plc);
}


static int max_curve(const int16_t *x, size_t n)
{
	int m = 0;

	for (size_t i = 2; i < n; i++) {
		int d = abs(x[i] - 2 * x[i - 1] + x[i - 2]);

		if (d > m)
			m = d;
	}

	return m;
}

/*
 * No click where concealment starts, loops or grows: a swelling tone is
 * not periodic, so each junction needs its fade. The output's curvature
 * (second difference) stays within about twice the input's.
 */
static void test_no_clicks(void **state)
{
	static const double freqs[] = {137.0, 8000.0 / 110, 95.0, 200.0};
	(void)state;

	for (size_t c = 0; c < ARRAY_SIZE(freqs); c++) {
		int16_t in[800], out[60 * MS];
		struct plc *plc = NULL;
		int curve, pred;

		for (size_t i = 0; i < 800; i++)
			in[i] = (int16_t)lrint(2000.0 * (1 + i / 200.0) *
					       sin(2 * M_PI * freqs[c] * i /
						   SR));
		curve = max_curve(in + 600, 200);
		pred = 2 * in[799] - in[798];

		assert_int_equal(plc_alloc(&plc, SR), 0);
		plc_good(plc, in, 800);
		plc_conceal(plc, out, ARRAY_SIZE(out));

		assert_true(abs(out[0] - pred) <= 2 * curve + 20);
		assert_true(max_curve(out, ARRAY_SIZE(out)) <=
			    2 * curve + 20);
		assert_true(rms(out, 10 * MS) > 0.5 * rms(in + 640, 160));
		mem_deref(plc);
	}
}


/* Real audio after 20 ms of loss is cross-faded in, then passed as is */
static void test_resume_crossfade(void **state)
{
	struct plc *plc = fed_plc(200.0, 0, NULL);
	int16_t gap[20 * MS], in[160], out[160];
	bool changed = false;
	(void)state;

	plc_conceal(plc, gap, ARRAY_SIZE(gap));
	fill(in, 800 + ARRAY_SIZE(gap), 160, 200.0, 0);
	memcpy(out, in, sizeof(in));
	plc_good(plc, out, 160);

	/* quarter period + 2 x 4 ms = 74 samples of cross-fade */
	for (size_t i = 0; i < 74; i++)
		changed |= out[i] != in[i];
	assert_true(changed);
	assert_memory_equal(out + 74, in + 74, (160 - 74) * sizeof(int16_t));
	assert_true(abs(out[0] - gap[ARRAY_SIZE(gap) - 1]) <=
		    max_step(in, 160));
	assert_true(max_step(out, 160) <= max_step(in, 160) * 3 / 2);

	mem_deref(plc);
}


/* After silence (> 60 ms) real audio fades in over 10 ms */
static void test_resume_fade_in(void **state)
{
	struct plc *plc = fed_plc(200.0, 0, NULL);
	int16_t gap[100 * MS], in[160], out[160];
	(void)state;

	plc_conceal(plc, gap, ARRAY_SIZE(gap));
	fill(in, 5000, 160, 200.0, 0);
	memcpy(out, in, sizeof(in));
	plc_good(plc, out, 160);

	for (size_t i = 0; i < 10 * MS; i++) {
		int want = in[i] * (int)(i + 1) / (10 * MS + 1);

		assert_true(abs(out[i] - want) <= 1);
	}
	assert_memory_equal(out + 10 * MS, in + 10 * MS,
			    (160 - 10 * MS) * sizeof(int16_t));

	mem_deref(plc);
}


static void test_silence_without_history(void **state)
{
	struct plc *plc = NULL;
	int16_t out[300];
	(void)state;

	assert_int_equal(plc_alloc(&plc, SR), 0);
	memset(out, 0x55, sizeof(out));
	plc_conceal(plc, out, 300);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(out[i], 0);

	/* after a reset the old history is gone too */
	plc_reset(plc);
	assert_int_equal(plc_pitch(plc), 0);
	mem_deref(plc);

	plc = fed_plc(200.0, 0, NULL);
	plc_reset(plc);
	memset(out, 0x55, sizeof(out));
	plc_conceal(plc, out, 300);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(out[i], 0);
	mem_deref(plc);
}


/* The state machine gives the same audio whatever the call sizes */
static void run_pattern(struct plc *plc, int16_t *out, size_t step)
{
	static const struct { bool good; size_t n; } pat[] = {
		{true, 800}, {false, 300}, {true, 45}, {false, 50},
		{true, 300}, {false, 700}, {true, 200},
	};
	size_t pos = 0, src = 0;

	for (size_t p = 0; p < ARRAY_SIZE(pat); p++) {
		for (size_t i = 0; i < pat[p].n; i += step) {
			size_t m = pat[p].n - i < step ? pat[p].n - i : step;

			if (pat[p].good) {
				fill(out + pos, src, m, 180.0, 290.0);
				plc_good(plc, out + pos, m);
			}
			else {
				plc_conceal(plc, out + pos, m);
			}
			pos += m;
			src += m;
		}
	}
}

static void test_call_size_invariance(void **state)
{
	static int16_t a[2395], b[2395];
	struct plc *p1 = NULL, *p2 = NULL;
	(void)state;

	assert_int_equal(plc_alloc(&p1, SR), 0);
	assert_int_equal(plc_alloc(&p2, SR), 0);
	run_pattern(p1, a, 10000);
	run_pattern(p2, b, 1);
	assert_memory_equal(a, b, sizeof(a));
	mem_deref(p1);
	mem_deref(p2);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_args),
		cmocka_unit_test(test_pitch_and_continuation),
		cmocka_unit_test(test_fade_out),
		cmocka_unit_test(test_no_clicks),
		cmocka_unit_test(test_resume_crossfade),
		cmocka_unit_test(test_resume_fade_in),
		cmocka_unit_test(test_silence_without_history),
		cmocka_unit_test(test_call_size_invariance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
