/**
 * @file test_line_echo.c  A line's echo canceller against a model device
 *
 * The model (as audio-alsa drives a SLIC): at each wake k the audio
 * thread reads the capture of line samples [kN - N, kN), and what it
 * writes plays from kN + queue on; the hybrid returns the line's
 * playback 8 ms later, 10 dB down, through a short FIR. A late wake
 * reports a shorter queue but reads and writes the same contiguous
 * streams. Checked: line_echo finds the alignment itself and cancels
 * (>= 30 dB within 1 s), also with late wakes; after the capture loses
 * samples (a short read, padded, which the driver reports) it keeps
 * its alignment, and after the playback shifted unannounced it finds
 * the new one;
 * disabled, the capture passes bit-exact and enabled again it cancels;
 * and through line_audio, a line with echo_canceller off (or bypassed)
 * sends exactly what was captured.
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

#include "ataua.h"
#include "line/line_audio.h"
#include "line/line_echo.h"
#include "dsp/tone.h"
#include "re_spin.h"

enum {
	SR = 8000,
	N = 80,                 /* period */
	QUEUE = 80,             /* a 2-period buffer, punctual wake */
	HYB = 64,               /* 8 ms */
	SECS = 4,
	LINE = SECS * SR + 4 * N,
};

static int16_t line_play[LINE], line_cap[LINE], echo_only[LINE];
static int16_t sent[SECS * SR];
static uint32_t rnd = 12345;


static double urand(void)
{
	rnd = rnd * 1664525u + 1013904223u;
	return (double)rnd / 4294967296.0;
}


/* the far end: noise through a slowly moving resonance, syllables */
static int16_t far_sample(size_t i)
{
	static double y1, y2;
	double f = 600 + 400 * sin(2 * M_PI * 0.5 * i / SR);
	double r = 0.8, y;

	y = (urand() - 0.5) * 3000 + 2 * r * cos(2 * M_PI * f / SR) * y1 -
		r * r * y2;
	y2 = y1;
	y1 = y;

	/* 800 ms talk, 200 ms pause */
	return (i / 1600) % 5 == 4 ? 0 : (int16_t)lrint(y * 0.6);
}


static void hybrid_at(size_t t)
{
	static const double h[] = {0.5, 0.3, -0.15, 0.05};
	double s = 0;

	for (size_t k = 0; k < ARRAY_SIZE(h); k++)
		if (t >= HYB + k)
			s += h[k] * line_play[t - HYB - k];
	echo_only[t] = (int16_t)lrint(s * 0.316);
	line_cap[t] = echo_only[t];
}


/*
 * Run wakes [k0, k1): late[k] samples late wakes; drop: capture samples
 * lost before wake k1 (the driver's forward); sent[] gets the output
 */
static size_t cap_pos, hyb_done, play_shift;

static void run(struct line_echo *le, size_t k0, size_t k1, bool jitter)
{
	int16_t play[N];

	for (size_t k = k0; k < k1; k++) {
		size_t late = jitter && urand() < 0.3 ?
			(size_t)(urand() * 40) : 0;
		const int16_t *out;

		/* the line up to what is read: playback so far, its echo */
		for (; hyb_done < cap_pos + N; hyb_done++)
			hybrid_at(hyb_done);
		out = line_echo_capture(le, line_cap + cap_pos, N,
					QUEUE - late, true);
		if (cap_pos < SECS * SR)
			memcpy(sent + cap_pos, out, sizeof(play));
		cap_pos += N;

		for (size_t j = 0; j < N; j++)
			play[j] = far_sample(k * N + j);
		line_echo_played(le, play, N);
		for (size_t j = 0; j < N; j++)
			if ((k + 1) * N + QUEUE + play_shift + j < LINE)
				line_play[(k + 1) * N + QUEUE + play_shift +
					  j] = play[j];
	}
}


static double erle(size_t from, size_t to)
{
	double pe = 0, ps = 0;

	for (size_t i = from; i < to; i++) {
		pe += (double)echo_only[i] * echo_only[i];
		ps += (double)sent[i] * sent[i];
	}

	return 10 * log10((pe + 1) / (ps + 1));
}


static void reset_line(void)
{
	memset(line_play, 0, sizeof(line_play));
	memset(line_cap, 0, sizeof(line_cap));
	memset(echo_only, 0, sizeof(echo_only));
	memset(sent, 0, sizeof(sent));
	cap_pos = hyb_done = play_shift = 0;
}


/* a fresh line and canceller, one second of the call */
static struct line_echo *first_second(bool jitter)
{
	struct line_echo *le = NULL;

	reset_line();
	assert_int_equal(0, line_echo_alloc(&le, 32));
	run(le, 0, SR / N, jitter);

	return le;
}


/* ERLE at 0.6..0.8 s of talk: within the call's first second */
static double erle_late(size_t from)
{
	return erle(from + SR * 3 / 5, from + SR * 4 / 5);
}


static void test_aligns(void **state)
{
	struct line_echo *le = first_second(false);

	(void)state;
	print_message("aligned: %.1f dB after 1 s\n", erle_late(0));
	assert_true(erle_late(0) >= 30);
	mem_deref(le);
}


static void test_late_wakes(void **state)
{
	struct line_echo *le = first_second(true);

	(void)state;
	print_message("late wakes: %.1f dB after 1 s\n", erle_late(0));
	assert_true(erle_late(0) >= 30);
	mem_deref(le);
}


/*
 * A short read: the driver got 40 samples less than a period, padded
 * the period with silence and says so; the capture goes on from where
 * it stopped, so what follows is read that much later. Kept aligned,
 * the canceller goes on cancelling at once, without relearning.
 */
static void test_short_read(void **state)
{
	struct line_echo *le = first_second(false);
	int16_t play[N], cap[N];
	const int16_t *out;
	double e;

	(void)state;

	for (; hyb_done < cap_pos + N; hyb_done++)
		hybrid_at(hyb_done);
	memcpy(cap, line_cap + cap_pos, sizeof(cap));
	memset(cap + N - 40, 0, 40 * sizeof(int16_t));
	line_echo_slip(le, -40);
	out = line_echo_capture(le, cap, N, QUEUE, true);
	memcpy(sent + cap_pos, out, (N - 40) * sizeof(int16_t));
	cap_pos += N - 40;
	for (size_t j = 0; j < N; j++)
		play[j] = far_sample(SR + j);
	line_echo_played(le, play, N);
	for (size_t j = 0; j < N; j++)
		line_play[SR + N + QUEUE + j] = play[j];

	run(le, SR / N + 1, 2 * SR / N, false);
	e = erle(SR + N, SR + SR * 3 / 10);
	print_message("right after a short read: %.1f dB\n", e);
	assert_true(e >= 30);
	mem_deref(le);
}


/* the device played 100 samples more than it was given (an underrun's
   silence, unreported): the canceller finds the new alignment itself */
static void test_timeline_shift(void **state)
{
	struct line_echo *le = first_second(false);
	double e;

	(void)state;
	play_shift = 100;
	run(le, SR / N, 3 * SR / N, false);
	e = erle_late(2 * SR);
	print_message("after a shift: %.1f dB\n", e);
	assert_true(e >= 30);
	mem_deref(le);
}


static void test_bypass(void **state)
{
	struct line_echo *le = first_second(false);

	(void)state;
	assert_true(line_echo_enabled(le));
	line_echo_enable(le, false);
	assert_false(line_echo_enabled(le));
	run(le, SR / N, 2 * SR / N, false);
	assert_memory_equal(sent + SR, line_cap + SR, SR * sizeof(int16_t));
	line_echo_enable(le, true);
	run(le, 2 * SR / N, 3 * SR / N, false);
	print_message("enabled again: %.1f dB after 1 s\n",
		      erle_late(2 * SR));
	assert_true(erle_late(2 * SR) >= 30);
	/* on-hook: nobody hears it, the filter is not run */
	assert_ptr_equal(line_cap, line_echo_capture(le, line_cap, N,
						     QUEUE, false));
	mem_deref(le);

	assert_int_equal(EINVAL, line_echo_alloc(&le, 4));
	assert_int_equal(EINVAL, line_echo_alloc(NULL, 32));
	assert_null(line_echo_capture(NULL, NULL, 1, 0, true));
	line_echo_played(NULL, NULL, 1);
	line_echo_enable(NULL, true);
	assert_false(line_echo_enabled(NULL));
}


/* ---- through line_audio: off is bit-exact ---- */

struct sink {
	int16_t pcm[8 * SR];
	size_t n;
};


static void tx_handler(const int16_t *pcm, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->n + n <= ARRAY_SIZE(s->pcm)) {
		memcpy(s->pcm + s->n, pcm, n * sizeof(*pcm));
		s->n += n;
	}
}


/* one second of loud capture through a line; true if sent unchanged */
static bool passes(struct ata_audio *au, struct sink *s)
{
	int16_t play[N];

	reset_line();
	s->n = 0;
	line_audio_start(au, 20);
	for (size_t k = 0; k < SR / N; k++) {
		for (size_t j = 0; j < N; j++)
			line_cap[k * N + j] = far_sample(k * N + j);
		ata_audio_delay(au, QUEUE);
		ata_audio_period(au, play, line_cap + k * N, N);
		if (k % 2)
			re_spin(1);
	}
	line_audio_stop(au);

	return s->n == SR &&
		!memcmp(s->pcm, line_cap, SR * sizeof(int16_t));
}


static void test_off_bit_exact(void **state)
{
	static struct sink s;
	struct ata_audio *au = NULL;

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, 30, tx_handler, &s));
	assert_int_equal(0, line_audio_echo(au, 0));
	assert_true(passes(au, &s));

	/* a canceller, bypassed (fax): also bit-exact */
	assert_int_equal(0, line_audio_echo(au, 32));
	line_audio_echo_enable(au, false);
	assert_true(passes(au, &s));

	/* on, and the line off-hook: it runs over the capture; with
	   nothing played there is no echo, and the capture passes */
	line_audio_echo_enable(au, true);
	line_audio_dtmf(au, true, false);
	assert_true(passes(au, &s));

	assert_int_equal(EINVAL, line_audio_echo(NULL, 32));
	assert_int_equal(EINVAL, line_audio_echo(au, 65));
	mem_deref(au);
}


/*
 * One second of a call whose far end is a loud tone (mixed into the
 * call as call waiting's would be) that comes back through the hybrid:
 * the capture of each period is the last period's playback, 10 dB
 * down. Returns true if what was sent is the capture unchanged.
 */
static bool echo_passes(struct ata_audio *au, struct sink *s)
{
	int16_t play[N] = {0};

	reset_line();
	s->n = 0;
	line_audio_start(au, 20);
	for (size_t k = 0; k < SR / N; k++) {
		for (size_t j = 0; j < N; j++)
			line_cap[k * N + j] = (int16_t)(play[j] * 0.316);
		ata_audio_delay(au, QUEUE);
		ata_audio_period(au, play, line_cap + k * N, N);
		if (k % 2)
			re_spin(1);
	}
	line_audio_stop(au);

	return s->n == SR &&
		!memcmp(s->pcm, line_cap, SR * sizeof(int16_t));
}


/*
 * A call that does not send (held, recvonly, inactive) takes nothing
 * of the capture: the canceller rests and the echo is not touched
 * (what the call would send is the capture as is, bit-exact); sending
 * again, it cancels.
 */
static void test_rests_unsent(void **state)
{
	static const struct ata_tone_spec spec = {
		.nfreq = 2, .freq = {350, 440}, .level = -10,
	};
	static struct sink s;
	struct ata_audio *au = NULL;
	struct tone_gen *tg = NULL;

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, 30, tx_handler, &s));
	assert_int_equal(0, line_audio_echo(au, 32));
	assert_int_equal(0, tone_gen_alloc(&tg, &spec));
	line_audio_tone(au, tg);
	line_audio_dtmf(au, true, false);

	line_audio_sending(au, false);
	assert_true(echo_passes(au, &s));

	line_audio_sending(au, true);
	assert_false(echo_passes(au, &s));

	line_audio_sending(NULL, true);
	mem_deref(tg);
	mem_deref(au);
}


/*
 * Nothing played (an off-hook line that dials, a call's pauses): the
 * filter does not run, the capture passes; a far end that speaks
 * is filtered, but not over its pauses longer than the tail.
 */
static void test_quiet_reference(void **state)
{
	struct line_echo *le = NULL;
	int16_t play[N] = {0};
	const int16_t *out;

	(void)state;
	reset_line();
	assert_int_equal(0, line_echo_alloc(&le, 32));
	for (size_t k = 0; k < SR / N; k++) {
		for (size_t j = 0; j < N; j++)
			line_cap[k * N + j] = far_sample(k * N + j) / 8;
		out = line_echo_capture(le, line_cap + k * N, N, QUEUE,
					true);
		assert_memory_equal(out, line_cap + k * N, sizeof(play));
		line_echo_played(le, play, N);
	}
	/* the first period filters a little, then a tail of quiet */
	assert_true(line_echo_filtered(le) <= 512);
	reset_line();
	cap_pos = hyb_done = 0;
	run(le, SR / N, 2 * SR / N, false);
	/* its talk filtered; its 200 ms pause, past a tail, not */
	print_message("filtered %llu of %d samples\n",
		      (unsigned long long)line_echo_filtered(le), SR);
	assert_true(line_echo_filtered(le) >= SR * 3 / 4);
	assert_true(line_echo_filtered(le) <= SR - SR / 10);
	assert_int_equal(0, line_echo_filtered(NULL));
	mem_deref(le);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aligns),
		cmocka_unit_test(test_late_wakes),
		cmocka_unit_test(test_short_read),
		cmocka_unit_test(test_timeline_shift),
		cmocka_unit_test(test_bypass),
		cmocka_unit_test(test_off_bit_exact),
		cmocka_unit_test(test_rests_unsent),
		cmocka_unit_test(test_quiet_reference),
	};
	int err;

	err = libre_init();
	if (err)
		return 1;
	err = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return err;
}
