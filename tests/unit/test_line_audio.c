/**
 * @file test_line_audio.c  A line's audio: periods in, frames out
 *
 * Drives core/line/line_audio.c as the driver thread would (ata_audio_period)
 * and as RTP receive would (line_audio_put), on one thread: the played
 * audio is the received audio after the configured delay, capture comes
 * back in whole ptime frames through the main loop, and a line without a
 * call plays silence and sends nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <re.h>

#include "ataua.h"
#include "line/line_audio.h"
#include "dsp/tone.h"
#include "re_spin.h"

enum {
	PERIOD = 80,
	PTIME = 160,
	DELAY_MS = 30,
};

struct sink {
	size_t frames;
	size_t n;
	int16_t first;
};


static void tx_handler(const int16_t *pcm, size_t n, void *arg)
{
	struct sink *s = arg;

	if (!s->frames)
		s->first = pcm[0];
	++s->frames;
	s->n = n;
}


static void test_bad_args(void **state)
{
	struct ata_audio *au = NULL;

	(void)state;
	assert_int_equal(EINVAL, line_audio_alloc(NULL, 40, NULL, NULL));
	assert_int_equal(EINVAL, line_audio_alloc(&au, 5, NULL, NULL));
	assert_int_equal(EINVAL, line_audio_put(NULL, 1, 1, 1, false,
						NULL, 0));
	assert_null(au);
	ata_audio_period(NULL, NULL, NULL, 0);
	ata_audio_xrun(NULL);
}


static void test_idle_is_silent(void **state)
{
	struct ata_audio *au = NULL;
	struct sink s = {0};
	int16_t play[PERIOD], cap[PERIOD], pcm[PTIME];
	struct line_audio_stats st;
	size_t i;

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, tx_handler, &s));

	for (i = 0; i < PTIME; i++)
		pcm[i] = 1000;
	assert_int_equal(ENOTCONN, line_audio_put(au, 1, 1, 0, true, pcm,
						  PTIME));

	memset(play, 0x55, sizeof(play));
	for (i = 0; i < PERIOD; i++)
		cap[i] = 7;
	for (i = 0; i < 10; i++)
		ata_audio_period(au, play, cap, PERIOD);
	re_spin(20);

	assert_int_equal(0, play[0]);
	assert_int_equal(0, play[PERIOD - 1]);
	assert_int_equal(0, s.frames);

	ata_audio_xrun(au);
	line_audio_stats(au, &st);
	assert_int_equal(1, st.xruns);
	assert_int_equal(10, st.periods);

	mem_deref(au);
}


/*
 * A line tone reaches the device: the generator's own samples while no
 * call is connected, mixed over the call's audio while one is, silence
 * again once the tone is cleared.
 */
static void test_tone_to_device(void **state)
{
	static const struct ata_tone_spec dial = {
		.nfreq = 2, .freq = {350, 440}, .level = -13,
	};
	struct ata_audio *au = NULL;
	struct tone_gen *tg = NULL, *ref = NULL;
	int16_t play[PERIOD], want[PERIOD], pcm[PTIME];
	size_t i;
	int peak = 0;

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, NULL, NULL));
	assert_int_equal(0, tone_gen_alloc(&tg, &dial));
	assert_int_equal(0, tone_gen_alloc(&ref, &dial));

	line_audio_tone(au, tg);
	line_audio_tone(au, tg);		/* same one: no restart */
	mem_deref(tg);				/* au holds it */
	for (int k = 0; k < 5; k++) {
		ata_audio_period(au, play, NULL, PERIOD);
		tone_gen_fill(ref, want, PERIOD);
		assert_memory_equal(play, want, sizeof(play));
	}
	for (i = 0; i < PERIOD; i++)
		peak = abs(play[i]) > peak ? abs(play[i]) : peak;
	assert_true(peak > 1000);

	/* during a call: call audio (silence before its packet) + tone */
	line_audio_start(au, 20);
	for (i = 0; i < PTIME; i++)
		pcm[i] = 0;
	assert_int_equal(0, line_audio_put(au, 9, 1, 0, true, pcm, PTIME));
	ata_audio_period(au, play, NULL, PERIOD);
	tone_gen_fill(ref, want, PERIOD);
	assert_memory_equal(play, want, sizeof(play));

	line_audio_tone(au, NULL);
	line_audio_stop(au);
	ata_audio_period(au, play, NULL, PERIOD);
	for (i = 0; i < PERIOD; i++)
		assert_int_equal(0, play[i]);

	mem_deref(ref);
	mem_deref(au);
}


/* Caller ID samples go to the device on-hook, over the tone, once */
static void test_clip_to_device(void **state)
{
	static const struct ata_tone_spec dial = {
		.nfreq = 1, .freq = {350}, .level = -13,
	};
	struct ata_audio *au = NULL;
	struct tone_gen *tg = NULL, *ref = NULL;
	int16_t play[PERIOD], want[PERIOD];
	int16_t *clip = mem_alloc(200 * sizeof(int16_t), NULL);
	size_t i;

	(void)state;
	assert_non_null(clip);
	for (i = 0; i < 200; i++)
		clip[i] = (int16_t)(i + 1);
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, NULL, NULL));
	assert_int_equal(0, tone_gen_alloc(&tg, &dial));
	assert_int_equal(0, tone_gen_alloc(&ref, &dial));
	line_audio_tone(au, tg);
	mem_deref(tg);

	line_audio_clip(au, clip, 200);
	mem_deref(clip);                        /* au holds it */
	ata_audio_period(au, play, NULL, PERIOD);
	for (i = 0; i < PERIOD; i++)
		assert_int_equal(play[i], (int16_t)(i + 1));
	ata_audio_period(au, play, NULL, PERIOD);
	assert_int_equal(play[0], PERIOD + 1);
	/* the last 40, then silence to the period's end */
	ata_audio_period(au, play, NULL, PERIOD);
	assert_int_equal(play[39], 200);
	for (i = 40; i < PERIOD; i++)
		assert_int_equal(play[i], 0);
	/* played out: the tone again, from where it was */
	ata_audio_period(au, play, NULL, PERIOD);
	tone_gen_fill(ref, want, PERIOD);
	assert_memory_equal(play, want, sizeof(play));

	/* NULL stops it at once */
	clip = mem_zalloc(PERIOD * 4 * sizeof(int16_t), NULL);
	assert_non_null(clip);
	line_audio_clip(au, clip, PERIOD * 4);
	mem_deref(clip);
	ata_audio_period(au, play, NULL, PERIOD);
	line_audio_clip(au, NULL, 0);
	ata_audio_period(au, play, NULL, PERIOD);
	tone_gen_fill(ref, want, PERIOD);
	assert_memory_equal(play, want, sizeof(play));

	line_audio_clip(NULL, NULL, 0);
	mem_deref(ref);
	mem_deref(au);
}


static void test_delay_and_capture(void **state)
{
	struct ata_audio *au = NULL;
	struct sink s = {0};
	int16_t play[PERIOD], cap[PERIOD], pcm[PTIME];
	struct line_audio_stats st;
	size_t i, first_loud = 0, k;

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, tx_handler, &s));
	line_audio_start(au, 20);

	for (i = 0; i < PTIME; i++)
		pcm[i] = 8000;
	for (i = 0; i < PERIOD; i++)
		cap[i] = (int16_t)(100 + i);

	/* one packet at clock 0; then periods until it plays */
	assert_int_equal(0, line_audio_put(au, 9, 100, 5000, true, pcm,
					   PTIME));
	for (k = 0; k < 8 && !first_loud; k++) {
		ata_audio_period(au, play, cap, PERIOD);
		for (i = 0; i < PERIOD; i++) {
			if (play[i] > 4000) {
				first_loud = k * PERIOD + i + 1;
				break;
			}
		}
	}

	/* the packet's first sample plays `delay` after its arrival */
	assert_int_equal(DELAY_MS * 8 + 1, first_loud);

	re_spin(20);
	/* 4 periods of capture = 2 ptime frames, starting with cap[0] */
	assert_int_equal(k / 2, s.frames);
	assert_int_equal(PTIME, s.n);
	assert_int_equal(100, s.first);

	line_audio_stats(au, &st);
	assert_int_equal(1, st.jb.packets);
	assert_int_equal(DELAY_MS, st.delay_ms);

	/* stop: back to silence, nothing more sent */
	line_audio_stop(au);
	ata_audio_period(au, play, cap, PERIOD);
	assert_int_equal(0, play[0]);

	mem_deref(au);
}


/*
 * Off-hook caller ID: while the call is muted the phone hears only the
 * clip (not the far end, not the tone) and the far end gets silence;
 * the jitter buffer's clock runs on. Unmuted, both come back.
 */
static void test_call_mute(void **state)
{
	static const struct ata_tone_spec cw = {
		.nfreq = 1, .freq = {440}, .level = -13,
	};
	struct ata_audio *au = NULL;
	struct tone_gen *tg = NULL;
	struct sink s = {0};
	int16_t play[PERIOD], cap[PERIOD], pcm[PTIME];
	int16_t *clip = mem_alloc(100 * sizeof(int16_t), NULL);
	size_t i, k;

	(void)state;
	assert_non_null(clip);
	for (i = 0; i < 100; i++)
		clip[i] = (int16_t)(i + 1);
	for (i = 0; i < PTIME; i++)
		pcm[i] = 8000;
	for (i = 0; i < PERIOD; i++)
		cap[i] = (int16_t)(100 + i);
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, tx_handler, &s));
	assert_int_equal(0, tone_gen_alloc(&tg, &cw));
	line_audio_start(au, 20);
	line_audio_tone(au, tg);
	mem_deref(tg);

	line_audio_call_mute(au, true);
	line_audio_clip(au, clip, 100);
	mem_deref(clip);
	assert_int_equal(0, line_audio_put(au, 9, 100, 5000, true, pcm,
					   PTIME));
	for (k = 0; k < 8; k++) {
		ata_audio_period(au, play, cap, PERIOD);
		for (i = 0; i < PERIOD; i++) {
			size_t n = k * PERIOD + i;

			assert_int_equal(n < 100 ? (int)n + 1 : 0, play[i]);
		}
	}
	re_spin(20);
	assert_int_equal(4, s.frames);
	assert_int_equal(0, s.first);           /* capture muted */

	/* unmuted: the tone (over the far end's silence) and the capture */
	line_audio_call_mute(au, false);
	line_audio_clip(au, NULL, 0);
	s.frames = 0;
	ata_audio_period(au, play, cap, PERIOD);
	ata_audio_period(au, play, cap, PERIOD);
	k = 0;
	for (i = 0; i < PERIOD; i++)
		k = abs(play[i]) > (int)k ? (size_t)abs(play[i]) : k;
	assert_true(k > 1000);
	re_spin(20);
	assert_int_equal(1, s.frames);
	assert_int_equal(100, s.first);

	line_audio_call_mute(NULL, true);
	mem_deref(au);
}


struct keys {
	char seen[16];
	size_t n, ends;
	uint32_t dur;
};


static void key_handler(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct keys *k = arg;

	if (end) {
		++k->ends;
		k->dur = dur_ms;
	}
	else if (k->n < sizeof(k->seen) - 1) {
		k->seen[k->n++] = key;
	}
}


struct loud {
	size_t frames, tone_frames;
};


static void loud_handler(const int16_t *pcm, size_t n, void *arg)
{
	struct loud *l = arg;
	bool tone = false;

	for (size_t i = 0; i < n; i++)
		tone |= pcm[i] > 1000 || pcm[i] < -1000;
	++l->frames;
	l->tone_frames += tone;
}


/* @p ms of key 9 (852 + 1477 Hz, -10 dBm0 each), then as long silent */
static void feed_key9(struct ata_audio *au, unsigned ms)
{
	int16_t play[PERIOD], cap[PERIOD];
	size_t total = 2 * (size_t)ms * 8, pos = 0;
	double a = TONE_0DBM0_PEAK * pow(10.0, -10 / 20.0);

	while (pos < total) {
		for (size_t i = 0; i < PERIOD; i++, pos++) {
			double t = pos / 8000.0;

			cap[i] = pos >= total / 2 ? 0 : (int16_t)lrint(
				a * sin(2 * M_PI * 852 * t) +
				a * sin(2 * M_PI * 1477 * t));
		}
		ata_audio_period(au, play, cap, PERIOD);
		if (pos % PTIME == 0)
			re_spin(20);
	}
	re_spin(20);
}


/*
 * Handset DTMF: keys in the capture reach the main loop, at the press
 * and at the release, only while the detector is on (off-hook), with
 * or without a call, not while the call sends nothing; muted, the
 * call's frames go silent while the key sounds, unmuted they carry it.
 */
static void test_handset_keys(void **state)
{
	struct ata_audio *au = NULL;
	struct keys k = {0};
	struct loud l = {0};

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, loud_handler,
					     &l));
	line_audio_key_handler(au, key_handler, &k);

	/* on-hook: not listened to */
	feed_key9(au, 100);
	assert_int_equal(0, k.n);

	line_audio_dtmf(au, true, false);
	feed_key9(au, 100);
	assert_string_equal("9", k.seen);
	assert_int_equal(1, k.ends);
	assert_true(k.dur >= 75 && k.dur <= 110);

	/* in a call, not muted: the tone goes out in-band too */
	line_audio_start(au, PTIME / 8);
	feed_key9(au, 200);
	assert_string_equal("99", k.seen);
	assert_true(l.tone_frames >= 9);

	/* muted: silence from the detection on (2 blocks, 25 ms) */
	l.frames = l.tone_frames = 0;
	line_audio_dtmf(au, true, true);
	feed_key9(au, 200);
	assert_string_equal("999", k.seen);
	assert_int_equal(3, k.ends);
	assert_true(l.frames >= 18);
	assert_true(l.tone_frames <= 2);

	/* a call that sends nothing (held, recvonly): the detector rests,
	   a key could go nowhere; sending again, it listens again */
	line_audio_sending(au, false);
	feed_key9(au, 100);
	assert_int_equal(3, k.n);
	line_audio_sending(au, true);
	feed_key9(au, 100);
	assert_string_equal("9999", k.seen);

	line_audio_dtmf(au, false, true);
	feed_key9(au, 100);
	assert_int_equal(4, k.n);
	line_audio_dtmf(NULL, true, true);
	line_audio_key_handler(NULL, key_handler, &k);

	mem_deref(au);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_idle_is_silent),
		cmocka_unit_test(test_tone_to_device),
		cmocka_unit_test(test_clip_to_device),
		cmocka_unit_test(test_call_mute),
		cmocka_unit_test(test_delay_and_capture),
		cmocka_unit_test(test_handset_keys),
	};
	int err;

	if (libre_init())
		return 1;

	err = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return err;
}
