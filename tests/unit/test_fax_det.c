/**
 * @file test_fax_det.c  Fax/modem tone detector: ANS, ANSam, CNG, talk-off
 *
 * Signals are made here with sin() at levels in dBm0 (a 0 dBm0 sine
 * peaks at TONE_0DBM0_PEAK) and fed in odd-sized pieces as a driver's
 * periods would come. The negatives are what a voice line carries:
 * DTMF, dial tone, short tone bursts, and a minute of synthetic vowels
 * (harmonics of a gliding pitch under formant peaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/fax_det.h"
#include "dsp/tone.h"

enum { SR = 8000, BUF = 16 * SR };

struct rec {
	size_t n;                     /* reports                   */
	struct fax_det_result first, last;
	size_t at;                    /* samples fed at the first  */
};

static int16_t buf[BUF];
static size_t len;
static size_t fed;
static uint32_t seed = 12345;


static void det_handler(const struct fax_det_result *res, void *arg)
{
	struct rec *r = arg;

	if (!r->n++) {
		r->first = *res;
		r->at = fed;
	}
	r->last = *res;
}


static double amp(double dbm0)
{
	return TONE_0DBM0_PEAK * pow(10.0, dbm0 / 20.0);
}


static double rnd(void)
{
	seed = seed * 1103515245u + 12345u;

	return (double)((seed >> 8) & 0xffff) / 65536.0;
}


static int16_t clip(double v)
{
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
}


/*
 * Append @p ms of @p f Hz at @p lev dBm0: phase reversals every
 * @p rev_ms (0: none), 15 Hz AM of depth @p am (0: none)
 */
static void add_tone(double f, double lev, unsigned ms, unsigned rev_ms,
		     double am)
{
	size_t n = (size_t)ms * SR / 1000;

	assert_true(len + n <= BUF);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / SR;
		double ph = rev_ms && (i / (rev_ms * SR / 1000)) % 2 ? M_PI :
			0;
		double env = 1 + am * sin(2 * M_PI * 15 * t);

		buf[len + i] = clip(amp(lev) * env *
				    sin(2 * M_PI * f * t + ph + 0.3));
	}
	len += n;
}


static void add_two(double f1, double f2, double lev, unsigned ms)
{
	size_t n = (size_t)ms * SR / 1000;

	assert_true(len + n <= BUF);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / SR;

		buf[len + i] = clip(amp(lev) * (sin(2 * M_PI * f1 * t) +
						sin(2 * M_PI * f2 * t)));
	}
	len += n;
}


static void add_silence(unsigned ms)
{
	size_t n = (size_t)ms * SR / 1000;

	assert_true(len + n <= BUF);
	memset(buf + len, 0, n * 2);
	len += n;
}


static void add_noise(double lev)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = clip(buf[i] + amp(lev) * 1.41 * (rnd() - rnd()) *
			      1.73);
}


static void feed(struct fax_det *d, const int16_t *x, size_t n)
{
	size_t pos = 0, k = 7;

	while (pos < n) {
		size_t m = n - pos < k ? n - pos : k;

		fed += m;
		fax_det_process(d, x + pos, m);
		pos += m;
		k = k * 7 % 160 + 1;
	}
}


static void run(struct rec *r)
{
	struct fax_det *d = NULL;

	memset(r, 0, sizeof(*r));
	fed = 0;
	assert_int_equal(0, fax_det_alloc(&d, det_handler, r));
	feed(d, buf, len);
	mem_deref(d);
}


static void test_ans_reversals(void **state)
{
	struct rec r;

	(void)state;
	len = 0;
	add_silence(100);
	add_tone(2100, -12, 3300, 450, 0);
	run(&r);
	assert_true(r.n >= 1);
	assert_int_equal(FAX_TONE_ANS, r.first.tone);
	assert_true(r.first.reversals);
	assert_false(r.first.am);
	assert_string_equal("ans-pr", fax_det_name(&r.first));
	/* the first reversal at 450 ms: told by 600 ms of tone */
	assert_true(r.at <= (100 + 600) * 8);
}


static void test_ans_plain(void **state)
{
	struct rec r;

	(void)state;
	len = 0;
	add_tone(2100, -12, 3300, 0, 0);
	run(&r);
	assert_int_equal(1, r.n);
	assert_int_equal(FAX_TONE_ANS, r.first.tone);
	assert_false(r.first.reversals);
	assert_false(r.first.am);
	assert_string_equal("ans", fax_det_name(&r.first));
	assert_true(r.at <= 600 * 8);
}


static void test_ansam(void **state)
{
	struct rec r;

	(void)state;
	len = 0;
	add_tone(2100, -12, 3000, 450, 0.2);
	run(&r);
	assert_true(r.n >= 1);
	assert_true(r.first.reversals);
	assert_true(r.last.am);

	len = 0;
	add_tone(2100, -15, 3000, 0, 0.2);
	run(&r);
	assert_int_equal(1, r.n);
	assert_false(r.first.reversals);
	assert_true(r.first.am);
}


/* 15 Hz off, -30 dBm0, in noise 20 dB down: still found */
static void test_ans_tolerance(void **state)
{
	struct rec r;

	(void)state;
	for (int off = -15; off <= 15; off += 15) {
		len = 0;
		add_tone(2100 + off, -30, 2000, 450, 0);
		add_noise(-50);
		run(&r);
		assert_true(r.n >= 1);
		assert_true(r.first.reversals);
	}
}


/* A reversal seen only after the first report upgrades it */
static void test_ans_late_reversal(void **state)
{
	struct rec r;

	(void)state;
	len = 0;
	add_tone(2100, -12, 1800, 900, 0);  /* reversal at 900 ms */
	run(&r);
	assert_int_equal(2, r.n);
	assert_false(r.first.reversals);
	assert_true(r.last.reversals);
}


static void test_cng(void **state)
{
	struct rec r;

	(void)state;
	for (int off = -38; off <= 38; off += 38) {
		len = 0;
		add_silence(200);
		add_tone(1100 + off, -20, 500, 0, 0);
		add_silence(3000);
		add_tone(1100 + off, -20, 500, 0, 0);
		add_silence(500);
		run(&r);
		assert_int_equal(2, r.n);
		assert_int_equal(FAX_TONE_CNG, r.first.tone);
		assert_string_equal("cng", fax_det_name(&r.first));
		/* at the end of the first burst */
		assert_true(r.at <= (200 + 500 + 40) * 8);
	}
}


static void test_too_short_quiet_long(void **state)
{
	struct rec r;

	(void)state;
	len = 0;
	add_tone(2100, -10, 330, 0, 0);        /* too short */
	add_silence(200);
	add_tone(1100, -10, 300, 0, 0);        /* too short */
	add_silence(200);
	add_tone(1100, -10, 2000, 0, 0);       /* too long for CNG */
	add_silence(200);
	add_tone(2100, -40, 2000, 450, 0);     /* too quiet */
	add_silence(200);
	run(&r);
	assert_int_equal(0, r.n);
}


/* DTMF, call progress tones, the 1004 Hz test tone, 2 kHz */
static void test_dtmf_dial_tone(void **state)
{
	static const double rowf[4] = {697, 770, 852, 941};
	static const double colf[4] = {1209, 1336, 1477, 1633};
	struct rec r;

	(void)state;
	len = 0;
	for (int k = 0; k < 16; k++) {
		add_two(rowf[k / 4], colf[k % 4], -6, 100);
		add_silence(60);
	}
	add_two(697, 1209, -3, 2000);          /* a held key */
	add_two(350, 440, -13, 3000);          /* dial tone  */
	add_two(480, 620, -10, 2000);          /* busy       */
	add_tone(1004, -10, 2000, 0, 0);       /* test tone  */
	add_tone(2000, -10, 2000, 0, 0);
	run(&r);
	assert_int_equal(0, r.n);
}


/* One vowel: harmonics of a gliding pitch under three formants */
static void add_vowel(double f0, double f0_end, const double *fmt,
		      double lev, unsigned ms, double *ph)
{
	size_t n = (size_t)ms * SR / 1000;

	assert_true(len + n <= BUF);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / n, v = 0;
		double f = f0 + (f0_end - f0) * t +
			f0 * 0.02 * sin(2 * M_PI * 5.5 * i / SR);

		for (int h = 1; h * f < 3800; h++) {
			double fh = h * f, a = 0;

			for (int k = 0; k < 3; k++) {
				double x = (fh - fmt[k]) / (60 + 40 * k);

				a += exp(-x * x) / (1 + k);
			}
			a *= 200 / (fh + 100);
			ph[h] += 2 * M_PI * fh / SR;
			v += a * sin(ph[h]);
		}
		buf[len + i] = clip(amp(lev) * v);
	}
	len += n;
}


/* A minute of speech-like sound: vowels, glides, pauses */
static void test_vowels(void **state)
{
	static const double fmts[][3] = {
		{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240},
		{530, 1840, 2480}, {570, 840, 2410}, {660, 1720, 2410},
		{440, 1020, 2240}, {390, 1990, 2550}, {640, 1190, 2390},
		{1100, 2100, 2900}, {550, 1100, 2100},
	};
	struct fax_det *d = NULL;
	double ph[64];
	struct rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(ph, 0, sizeof(ph));
	fed = 0;
	assert_int_equal(0, fax_det_alloc(&d, det_handler, &r));
	for (unsigned ms = 0; ms < 60000;) {
		unsigned v = (unsigned)(rnd() * ARRAY_SIZE(fmts));
		unsigned dur = 150 + (unsigned)(rnd() * 1050);
		double f0 = 90 + rnd() * 160;

		len = 0;
		add_vowel(f0, f0 * (0.8 + rnd() * 0.4), fmts[v],
			  -3 - rnd() * 15, dur, ph);
		if (rnd() < 0.3)
			add_silence(20 + (unsigned)(rnd() * 100));
		feed(d, buf, len);
		ms += (unsigned)(len / 8);
	}
	mem_deref(d);
	assert_int_equal(0, r.n);
}


/* fed as run() does; returns the blocks past the energy gate */
static uint64_t run_tracked(struct rec *r)
{
	struct fax_det *d = NULL;
	uint64_t t;

	memset(r, 0, sizeof(*r));
	fed = 0;
	assert_int_equal(0, fax_det_alloc(&d, det_handler, r));
	feed(d, buf, len);
	t = fax_det_tracked(d);
	mem_deref(d);

	return t;
}


/*
 * The energy gate: silence and line noise cost no tracking (neither
 * tracker correlates a block), while CED (ANS with reversals) and CNG
 * at the weakest level they are specified for (-33 dBm0) are still
 * found, and the blocks tracked are the tone's.
 */
static void test_energy_gate(void **state)
{
	struct rec r;
	uint64_t t;

	(void)state;
	len = 0;
	add_silence(2000);
	add_noise(-50);
	assert_int_equal(0, run_tracked(&r));
	assert_int_equal(0, r.n);

	len = 0;
	add_silence(500);
	add_tone(2100, -33, 2000, 450, 0);
	add_silence(500);
	t = run_tracked(&r);
	assert_true(r.n >= 1);
	assert_int_equal(FAX_TONE_ANS, r.first.tone);
	assert_true(r.first.reversals);
	/* the tone's 200 blocks (one across each edge), no silence */
	assert_true(t >= 199 && t <= 201);

	len = 0;
	add_silence(200);
	add_tone(1100, -33, 500, 0, 0);
	add_silence(3000);
	add_tone(1100, -33, 500, 0, 0);
	add_silence(500);
	t = run_tracked(&r);
	assert_int_equal(2, r.n);
	assert_int_equal(FAX_TONE_CNG, r.first.tone);
	assert_true(t >= 99 && t <= 102);
}


static void test_bad_args(void **state)
{
	struct fax_det *d = NULL;
	struct rec r;

	(void)state;
	assert_int_equal(EINVAL, fax_det_alloc(NULL, det_handler, &r));
	assert_int_equal(EINVAL, fax_det_alloc(&d, NULL, &r));
	fax_det_process(NULL, buf, 10);
	fax_det_reset(NULL);
	assert_string_equal("none", fax_det_name(NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ans_reversals),
		cmocka_unit_test(test_ans_plain),
		cmocka_unit_test(test_ansam),
		cmocka_unit_test(test_ans_tolerance),
		cmocka_unit_test(test_ans_late_reversal),
		cmocka_unit_test(test_cng),
		cmocka_unit_test(test_too_short_quiet_long),
		cmocka_unit_test(test_dtmf_dial_tone),
		cmocka_unit_test(test_vowels),
		cmocka_unit_test(test_energy_gate),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
