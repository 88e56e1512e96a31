/**
 * @file test_echo_can.c  The line echo canceller on a synthetic hybrid
 *
 * The echo path: 16 ms delay, a short FIR (the hybrid's and the line's
 * colouring) and 10 dB loss. The far end talks speech-like sound:
 * harmonics of a gliding pitch (90..250 Hz) under three formants, in
 * syllables of 150..300 ms, with pauses. Checked: the linear filter
 * (NLP off) reaches 30 dB ERLE within the first second; near-end speech
 * (another voice) added after convergence, at the far end's level, does
 * not make it diverge (25 dB again right after) and passes within 1 dB;
 * with the NLP on, the far end's echo is gone (comfort noise at the
 * background's level) while the near end's voice still passes; tails
 * 8..64 ms, and nothing else is accepted. A far end silent over the
 * whole tail (under 16 LSB rms, below G.711's steps) costs nothing and
 * leaves the capture exactly as it was, also after the filter learned.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/echo_can.h"

enum {
	SR = 8000,
	SECS = 4,
	LEN = SECS * SR,
	DELAY = 128,           /* 16 ms */
	PERIOD = 80,
};

struct voice {
	double f0, phase[40];
	double y1[2], y2[2];      /* noise resonators */
	uint32_t rnd;
};

static int16_t far_sig[LEN], near_sig[LEN], echo[LEN], cap[LEN],
	out[LEN];


static double urand(uint32_t *r)
{
	*r = *r * 1664525u + 1013904223u;
	return (double)*r / 4294967296.0;
}


/* formant gain at f: three resonances, as a vowel */
static double formant(double f, double f1, double f2)
{
	double g = 0;
	const double fc[3] = {f1, f2, 2500}, bw[3] = {90, 120, 200};

	for (int k = 0; k < 3; k++)
		g += 1.0 / (1.0 + pow((f - fc[k]) / bw[k], 2));

	return g;
}


/* a two-pole resonator at f (bandwidth bw) over white noise */
static double reson(struct voice *v, int k, double x, double f, double bw)
{
	double r = exp(-M_PI * bw / SR);
	double y = (1 - r) * x + 2 * r * cos(2 * M_PI * f / SR) * v->y1[k] -
		r * r * v->y2[k];

	v->y2[k] = v->y1[k];
	v->y1[k] = y;

	return y;
}


/*
 * speech-like: syllables of 150..300 ms, voiced (harmonics of a gliding
 * pitch under three formants, with some breath noise), unvoiced (noise
 * through a high resonance, as a fricative) or a pause
 */
static void speech(int16_t *dst, size_t n, double level, uint32_t seed,
		   double fbase)
{
	struct voice v = {.rnd = seed};
	size_t syl_end = 0, i;
	double f1 = 500, f2 = 1500, fn = 3000, env = 0, target = 0;
	double kind = 0;

	for (i = 0; i < n; i++) {
		double s = 0, w = urand(&v.rnd) - 0.5;

		if (i >= syl_end) {
			syl_end = i + 1200 + (size_t)(urand(&v.rnd) * 1200);
			kind = urand(&v.rnd);
			target = kind < 0.15 ? 0 : 1;
			f1 = 300 + urand(&v.rnd) * 500;
			f2 = 900 + urand(&v.rnd) * 1400;
			fn = 2500 + urand(&v.rnd) * 1000;
		}
		env += (target - env) * 0.004;
		v.f0 = fbase * (1 + 0.35 * sin(2 * M_PI * 0.7 * i / SR +
					       seed));
		if (kind < 0.4) {
			/* a fricative */
			s = 12 * reson(&v, 0, w, fn, 600);
		}
		else {
			for (int h = 1; h < 40 && h * v.f0 < 3800; h++) {
				v.phase[h] += 2 * M_PI * h * v.f0 / SR;
				s += formant(h * v.f0, f1, f2) *
					sin(v.phase[h]) / sqrt(h);
			}
			s += 2 * reson(&v, 1, w, f1, 150);
		}
		dst[i] = (int16_t)lrint(level * env * s);
	}
}


/* the hybrid: 16 ms, FIR, 10 dB */
static void hybrid(const int16_t *x, int16_t *y, size_t n)
{
	static const double h[] = {0.1, 0.6, 0.35, -0.2, 0.1, -0.05};
	const double loss = pow(10, -10 / 20.0);

	for (size_t i = 0; i < n; i++) {
		double s = 0;

		for (size_t k = 0; k < ARRAY_SIZE(h); k++)
			if (i >= DELAY + k)
				s += h[k] * x[i - DELAY - k];
		y[i] = (int16_t)lrint(s * loss);
	}
}


static double power(const int16_t *x, size_t from, size_t to)
{
	double p = 0;

	for (size_t i = from; i < to; i++)
		p += (double)x[i] * x[i];

	return p / (double)(to - from) + 1e-9;
}


static double db(double p)
{
	return 10 * log10(p);
}


/* what was left of the echo: out minus the near end, over [from, to) */
static double erle(size_t from, size_t to)
{
	double pe = 0;

	for (size_t i = from; i < to; i++) {
		double r = (double)out[i] - near_sig[i];

		pe += r * r;
	}
	pe = pe / (double)(to - from) + 1e-9;

	return db(power(echo, from, to)) - db(pe);
}


static void run(struct echo_can *ec, size_t from, size_t to)
{
	for (size_t i = from; i < to; i += PERIOD)
		echo_can_process(ec, out + i, cap + i, far_sig + i, PERIOD);
}


static void make(bool with_near)
{
	speech(far_sig, LEN, 1800, 7, 120);
	hybrid(far_sig, echo, LEN);
	memset(near_sig, 0, sizeof(near_sig));
	if (with_near)
		speech(near_sig + 2 * SR, SR, 1800, 99, 200);
	for (size_t i = 0; i < LEN; i++)
		cap[i] = (int16_t)(echo[i] + near_sig[i]);
}


static void test_converges(void **state)
{
	struct echo_can *ec = NULL;
	double e;

	(void)state;
	make(false);
	assert_int_equal(0, echo_can_alloc(&ec, 32));
	echo_can_nlp(ec, false);
	run(ec, 0, SR);
	e = erle(SR * 3 / 4, SR);
	print_message("ERLE after 1 s (linear): %.1f dB\n", e);
	assert_true(e >= 30);
	run(ec, SR, LEN);
	e = erle(3 * SR, LEN);
	print_message("ERLE after 4 s (linear): %.1f dB\n", e);
	assert_true(e >= 30);
	mem_deref(ec);
}


static void test_double_talk(void **state)
{
	struct echo_can *ec = NULL;
	double e, pn, po, r;

	(void)state;
	make(true);
	assert_int_equal(0, echo_can_alloc(&ec, 32));
	echo_can_nlp(ec, false);
	run(ec, 0, LEN);

	/* the near end spoke in [2 s, 3 s) */
	pn = power(near_sig, 2 * SR, 3 * SR);
	po = power(out, 2 * SR, 3 * SR);
	print_message("near end: %.2f dB change\n", db(po) - db(pn));
	assert_true(fabs(db(po) - db(pn)) < 1.0);
	e = erle(3 * SR, 3 * SR + SR / 4);
	r = erle(3 * SR + SR / 2, LEN);
	print_message("ERLE after double talk: %.1f dB, %.1f dB\n", e, r);
	assert_true(e >= 25);
	assert_true(r >= 25);
	mem_deref(ec);
}


static void test_nlp(void **state)
{
	struct echo_can *ec = NULL;
	double pn, po;

	(void)state;
	make(true);
	assert_int_equal(0, echo_can_alloc(&ec, 32));
	run(ec, 0, LEN);

	/* single talk after convergence: no echo left to speak of */
	print_message("with NLP, far end alone: %.1f dB\n",
		      db(power(echo, SR, 2 * SR)) -
		      db(power(out, SR, 2 * SR)));
	assert_true(db(power(echo, SR, 2 * SR)) -
		    db(power(out, SR, 2 * SR)) >= 40);
	pn = power(near_sig, 2 * SR, 3 * SR);
	po = power(out, 2 * SR, 3 * SR);
	print_message("with NLP, near end: %.2f dB change\n",
		      db(po) - db(pn));
	assert_true(fabs(db(po) - db(pn)) < 1.0);
	mem_deref(ec);
}


static void test_tails(void **state)
{
	struct echo_can *ec = NULL;

	(void)state;
	assert_int_equal(EINVAL, echo_can_alloc(&ec, 7));
	assert_int_equal(EINVAL, echo_can_alloc(&ec, 65));
	assert_int_equal(EINVAL, echo_can_alloc(NULL, 32));
	assert_null(ec);

	/* 8 ms does not reach a 16 ms echo; 64 ms does */
	make(false);
	assert_int_equal(0, echo_can_alloc(&ec, 8));
	echo_can_nlp(ec, false);
	run(ec, 0, 2 * SR);
	assert_true(erle(SR, 2 * SR) < 10);
	mem_deref(ec);
	assert_int_equal(0, echo_can_alloc(&ec, 64));
	echo_can_nlp(ec, false);
	run(ec, 0, 2 * SR);
	print_message("64 ms tail: ERLE %.1f dB after 1 s\n",
		      erle(SR * 3 / 4, SR));
	assert_true(erle(SR * 3 / 4, SR) >= 30);
	assert_true(erle(SR * 3 / 2, 2 * SR) >= 30);
	mem_deref(ec);
	echo_can_process(NULL, out, cap, far_sig, 1);
	echo_can_reset(NULL);
}


static void test_silent_far_end(void **state)
{
	struct echo_can *ec = NULL;
	uint32_t rnd = 5;
	size_t i;

	(void)state;
	make(false);
	assert_int_equal(0, echo_can_alloc(&ec, 32));
	echo_can_nlp(ec, false);
	run(ec, 0, 2 * SR);
	assert_true(erle(SR * 3 / 2, 2 * SR) >= 30);

	/* the far end falls to a faint noise (+-12): the filter, which
	 * learned a real path, would subtract its echo; below the floor
	 * the capture (a near end alone) must pass bit-exact */
	for (i = 2 * SR; i < LEN; i++) {
		far_sig[i] = (int16_t)(urand(&rnd) * 25) - 12;
		cap[i] = (int16_t)(urand(&rnd) * 2000) - 1000;
	}
	run(ec, 2 * SR, LEN);
	/* after one tail (256 samples) of it, nothing is subtracted */
	for (i = 2 * SR + 256; i < LEN; i++)
		if (out[i] != cap[i])
			break;
	assert_int_equal(LEN, i);
	mem_deref(ec);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converges),
		cmocka_unit_test(test_double_talk),
		cmocka_unit_test(test_nlp),
		cmocka_unit_test(test_tails),
		cmocka_unit_test(test_silent_far_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
