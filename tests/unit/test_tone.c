/** @file test_tone.c  Tone generator: frequencies, level, cadence, phase */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/g711.h"
#include "dsp/tone.h"

enum { SEC = 8000 };

static int16_t buf_a[4 * SEC], buf_b[4 * SEC];

static struct tone_gen *gen(const struct ata_tone_spec *spec)
{
	struct tone_gen *tg = NULL;

	assert_int_equal(tone_gen_alloc(&tg, spec), 0);
	assert_non_null(tg);

	return tg;
}

/*
 * Peak amplitude of the component at @p freq over @p n samples: a
 * Goertzel filter in double precision, written here as the reference
 * so the check does not lean on the code (or library) under test.
 * For a bin-centred sine of amplitude A the power is (n * A)^2 / 4.
 */
static double amp_at(const int16_t *s, size_t n, double freq)
{
	const double coef = 2.0 * cos(2.0 * M_PI * freq / TONE_SRATE);
	double q1 = 0, q2 = 0, power;

	for (size_t i = 0; i < n; i++) {
		double q0 = coef * q1 - q2 + s[i];

		q2 = q1;
		q1 = q0;
	}

	power = q1 * q1 + q2 * q2 - coef * q1 * q2;

	return 2.0 * sqrt(power) / (double)n;
}

static double rms(const int16_t *s, size_t n)
{
	double acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += (double)s[i] * s[i];

	return sqrt(acc / (double)n);
}

/* 0 dBm0 measured independently: the mu-law digital milliwatt */
static double dmw_rms(void)
{
	static const uint8_t dmw[8] = {
		0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e
	};
	int16_t lin[8];

	g711_ulaw_decode(lin, dmw, 8);

	return rms(lin, 8);
}

static void test_level(void **state)
{
	struct ata_tone_spec spec = {
		.nfreq = 1, .freq = {1004}, .level = -13,
	};
	struct tone_gen *tg = gen(&spec);
	double want = dmw_rms() * pow(10.0, -13 / 20.0);
	double got;
	(void)state;

	/* 0 dBm0 sine and the digital milliwatt agree */
	assert_true(fabs(20 * log10(dmw_rms() / (TONE_0DBM0_PEAK / M_SQRT2)))
		    < 0.02);

	tone_gen_fill(tg, buf_a, SEC);
	got = rms(buf_a, SEC);
	assert_true(fabs(20 * log10(got / want)) < 0.2);

	mem_deref(tg);
}

static void test_frequencies(void **state)
{
	struct ata_tone_spec spec = {
		.nfreq = 4, .freq = {1400, 2060, 2450, 2600}, .level = -20,
	};
	struct tone_gen *tg = gen(&spec);
	double comp = TONE_0DBM0_PEAK * pow(10.0, -20 / 20.0);
	(void)state;

	tone_gen_fill(tg, buf_a, SEC);

	for (unsigned i = 0; i < spec.nfreq; i++) {
		double a = amp_at(buf_a, SEC, spec.freq[i]);

		assert_true(fabs(20 * log10(a / comp)) < 0.1);
	}

	/* nothing at other frequencies: 60 dB below one component */
	for (unsigned f = 50; f < 4000; f += 25) {
		bool configured = false;

		for (unsigned i = 0; i < spec.nfreq; i++)
			configured |= spec.freq[i] == f;
		if (configured)
			continue;

		assert_true(amp_at(buf_a, SEC, f) < comp / 1000);
	}

	mem_deref(tg);
}

static void test_continuous_phase(void **state)
{
	struct ata_tone_spec spec = {
		.nfreq = 2, .freq = {350, 440}, .level = -13,
		.ncadence = 4, .cadence_ms = {400, 200, 400, 2000},
	};
	struct tone_gen *one = gen(&spec), *two = gen(&spec);
	static const size_t splits[] = {1, 160, 161, 3199, 3200, 3201, 7999};
	size_t total = 3 * SEC, done = 0, k = 0;
	(void)state;

	tone_gen_fill(one, buf_a, total);

	/* odd chunk sizes, crossing every cadence boundary */
	while (done < total) {
		size_t n = splits[k++ % ARRAY_SIZE(splits)];

		if (n > total - done)
			n = total - done;
		tone_gen_fill(two, buf_b + done, n);
		done += n;
	}

	assert_memory_equal(buf_a, buf_b, total * sizeof(int16_t));

	/* reset starts over */
	tone_gen_reset(two);
	tone_gen_fill(two, buf_b, total);
	assert_memory_equal(buf_a, buf_b, total * sizeof(int16_t));

	mem_deref(one);
	mem_deref(two);
}

static void test_cadence(void **state)
{
	struct ata_tone_spec spec = {
		.nfreq = 2, .freq = {480, 620}, .level = -24,
		.ncadence = 4, .cadence_ms = {500, 300, 250, 450},
	};
	struct ata_tone_spec cont = spec;
	struct tone_gen *tg, *ref;
	const size_t on1 = 4000, off1 = 2400, on2 = 2000, off2 = 3600;
	const size_t cycle = on1 + off1 + on2 + off2;
	size_t base;
	(void)state;

	cont.ncadence = 0;
	tg = gen(&spec);
	ref = gen(&cont);
	tone_gen_fill(ref, buf_b, on1);

	/* 2.5 cycles: each burst is the continuous tone from phase 0 */
	tone_gen_fill(tg, buf_a, 2 * cycle + on1 + 100);

	for (base = 0; base < 2 * cycle; base += cycle) {
		const int16_t *c = buf_a + base;
		size_t i;

		assert_memory_equal(c, buf_b, on1 * sizeof(int16_t));
		assert_memory_equal(c + on1 + off1, buf_b,
				    on2 * sizeof(int16_t));
		for (i = 0; i < off1; i++)
			assert_int_equal(c[on1 + i], 0);
		for (i = 0; i < off2; i++)
			assert_int_equal(c[on1 + off1 + on2 + i], 0);
		/* the bursts carry the energy: not silence at the edges */
		assert_true(rms(c + on1 - 40, 40) > 500);
		assert_true(rms(c + on1 + off1, 40) > 500);
	}

	assert_memory_equal(buf_a + 2 * cycle, buf_b, 100 * sizeof(int16_t));

	mem_deref(tg);
	mem_deref(ref);
}

static void test_cadence_odd_and_zero(void **state)
{
	/* one period only: always on, no restart of the phase */
	struct ata_tone_spec one = {
		.nfreq = 1, .freq = {425}, .level = -10,
		.ncadence = 1, .cadence_ms = {250},
	};
	struct ata_tone_spec cont = one;
	/* zero-length periods are skipped: on 100, off 100, on 100 */
	struct ata_tone_spec zeros = {
		.nfreq = 1, .freq = {425}, .level = -10,
		.ncadence = 6, .cadence_ms = {0, 0, 100, 100, 0, 0},
	};
	struct ata_tone_spec allzero = zeros;
	struct tone_gen *a, *b;
	(void)state;

	cont.ncadence = 0;
	a = gen(&one);
	b = gen(&cont);
	tone_gen_fill(a, buf_a, SEC);
	tone_gen_fill(b, buf_b, SEC);
	assert_memory_equal(buf_a, buf_b, SEC * sizeof(int16_t));
	mem_deref(a);

	a = gen(&zeros);
	tone_gen_reset(b);
	tone_gen_fill(a, buf_a, 2400);
	assert_memory_equal(buf_a, buf_b, 800 * sizeof(int16_t));
	for (size_t i = 800; i < 1600; i++)
		assert_int_equal(buf_a[i], 0);
	assert_memory_equal(buf_a + 1600, buf_b, 800 * sizeof(int16_t));
	mem_deref(a);

	memset(allzero.cadence_ms, 0, sizeof(allzero.cadence_ms));
	a = gen(&allzero);
	tone_gen_fill(a, buf_a, SEC);
	assert_memory_equal(buf_a, buf_b, SEC * sizeof(int16_t));

	mem_deref(a);
	mem_deref(b);
}

/* steady_ms: the cadence that long, then the tone without a break;
   a reset stutters again; chunked fills equal one fill */
static void test_stutter_then_steady(void **state)
{
	const struct ata_tone_spec spec = {
		.nfreq = 2, .freq = {350, 440}, .level = -13,
		.ncadence = 2, .cadence_ms = {100, 100}, .steady_ms = 2000,
	};
	struct tone_gen *tg = gen(&spec);
	size_t i, zeros = 0;
	(void)state;

	tone_gen_fill(tg, buf_a, 3 * SEC);
	/* ten bursts: 100..200 ms, ..., 1900..2000 ms are silence */
	for (i = 0; i < 10; i++) {
		assert_true(rms(buf_a + (2 * i + 1) * SEC / 10, SEC / 10)
			    == 0);
		assert_true(rms(buf_a + 2 * i * SEC / 10, SEC / 10) > 1000);
	}
	/* then steady: no run of zeros longer than a sample or two */
	for (i = 2 * SEC; i < 3 * SEC; i++) {
		zeros = buf_a[i] ? 0 : zeros + 1;
		assert_true(zeros < 3);
	}
	assert_true(amp_at(buf_a + 2 * SEC, SEC, 350) > 1000);

	tone_gen_reset(tg);
	for (i = 0; i < 3 * SEC; i += 77)
		tone_gen_fill(tg, buf_b + i,
			      3 * SEC - i < 77 ? 3 * SEC - i : 77);
	assert_memory_equal(buf_a, buf_b, 3 * SEC * sizeof(buf_a[0]));
	mem_deref(tg);
}

static void test_clipping(void **state)
{
	struct ata_tone_spec spec = {
		.nfreq = 4, .freq = {400, 800, 1200, 1600}, .level = 3,
	};
	struct tone_gen *tg = gen(&spec);
	int max = 0, min = 0;
	(void)state;

	tone_gen_fill(tg, buf_a, SEC);
	for (size_t i = 0; i < SEC; i++) {
		max = buf_a[i] > max ? buf_a[i] : max;
		min = buf_a[i] < min ? buf_a[i] : min;
	}

	/* saturates instead of wrapping around */
	assert_int_equal(max, INT16_MAX);
	assert_int_equal(min, INT16_MIN);

	mem_deref(tg);
}

static void test_bad_spec(void **state)
{
	const struct ata_tone_spec good = {
		.nfreq = 1, .freq = {440}, .level = -13,
	};
	struct ata_tone_spec s;
	struct tone_gen *tg = NULL;
	char err[128] = "";
	(void)state;

	assert_int_equal(tone_gen_alloc(NULL, &good), EINVAL);
	assert_int_equal(tone_gen_alloc(&tg, NULL), EINVAL);
	assert_false(tone_spec_valid(NULL, err, sizeof(err)));

#define BAD(field, val, msg) do {					\
		s = good; s.field = val;				\
		assert_int_equal(tone_gen_alloc(&tg, &s), EINVAL);	\
		assert_null(tg);					\
		assert_false(tone_spec_valid(&s, err, sizeof(err)));	\
		assert_non_null(strstr(err, msg));			\
	} while (0)

	BAD(nfreq, 0, "0 frequencies");
	BAD(nfreq, 5, "5 frequencies");
	BAD(freq[0], 0, "frequency 0 Hz");
	BAD(freq[0], 3401, "frequency 3401 Hz");
	BAD(level, 4, "level 4 dBm0");
	BAD(level, -61, "level -61 dBm0");
	BAD(ncadence, 9, "9 cadence periods");
	s = good;
	s.ncadence = 2;
	s.cadence_ms[1] = TONE_CADENCE_MS_MAX + 1;
	assert_int_equal(tone_gen_alloc(&tg, &s), EINVAL);
	assert_false(tone_spec_valid(&s, NULL, 0));

	assert_true(tone_spec_valid(&good, err, sizeof(err)));

	/* NULL arguments to the per-sample path are ignored */
	tone_gen_fill(NULL, buf_a, 10);
	tone_gen_reset(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_frequencies),
		cmocka_unit_test(test_continuous_phase),
		cmocka_unit_test(test_cadence),
		cmocka_unit_test(test_cadence_odd_and_zero),
		cmocka_unit_test(test_stutter_then_steady),
		cmocka_unit_test(test_clipping),
		cmocka_unit_test(test_bad_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
