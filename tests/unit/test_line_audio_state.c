/**
 * @file test_line_audio_state.c  Main loop to audio thread, no lock
 *
 * core/line/line_audio_state.c: what the main loop sets reaches the
 * audio thread at its next period (or, with the PCM stopped, when
 * ata_audio_wanted() is asked); a replaced tone or caller ID is freed
 * only after the thread has let go of it, and on the main loop; frames
 * the main loop decoded for a call that has since ended never play in
 * the next one. The last test runs a real audio thread against a busy
 * main loop: under ASan or TSan (make test-asan) a use after free or a
 * race shows there, and every reference comes back in the end.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "ataua.h"
#include "line/line_audio.h"
#include "dsp/tone.h"
#include "re_spin.h"

enum {
	PERIOD = 160,
	PTIME_MS = 20,
	DELAY_MS = 40,
};

static const struct ata_tone_spec dial = {
	.nfreq = 2, .freq = {350, 440}, .level = -13,
};


static bool loud(const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (pcm[i] > 1000 || pcm[i] < -1000)
			return true;
	}

	return false;
}


/*
 * A replaced tone stays alive while the thread may still play it: the
 * main loop lets go of it only after a period took the settings that
 * no longer hold it.
 */
static void test_replaced_tone_freed_after_thread(void **state)
{
	struct ata_audio *au = NULL;
	struct tone_gen *a = NULL, *b = NULL;
	int16_t play[PERIOD];

	(void)state;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, NULL, NULL));
	assert_int_equal(0, tone_gen_alloc(&a, &dial));
	assert_int_equal(0, tone_gen_alloc(&b, &dial));

	line_audio_tone(au, a);
	ata_audio_period(au, play, NULL, PERIOD);
	assert_true(loud(play, PERIOD));
	assert_int_equal(2, mem_nrefs(a));

	/* the thread still plays `a` until its next period */
	line_audio_tone(au, b);
	re_spin(20);
	assert_int_equal(2, mem_nrefs(a));

	ata_audio_period(au, play, NULL, PERIOD);
	re_spin(20);
	assert_int_equal(1, mem_nrefs(a));
	assert_int_equal(2, mem_nrefs(b));

	mem_deref(au);
	assert_int_equal(1, mem_nrefs(b));
	mem_deref(a);
	mem_deref(b);
}


/*
 * With the PCM stopped, the thread asks ata_audio_wanted() when woken:
 * that takes the settings, so a tone wants the device at once and its
 * end lets it go, with no period run.
 */
static void test_wanted_takes_settings(void **state)
{
	struct ata_audio *au = NULL;
	struct tone_gen *tg = NULL;
	int16_t *clip = mem_zalloc(PERIOD * sizeof(int16_t), NULL);
	int16_t play[PERIOD];

	(void)state;
	assert_non_null(clip);
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, NULL, NULL));
	assert_int_equal(0, tone_gen_alloc(&tg, &dial));
	assert_false(ata_audio_wanted(au));

	line_audio_tone(au, tg);
	assert_true(ata_audio_wanted(au));
	line_audio_tone(au, NULL);
	assert_false(ata_audio_wanted(au));
	re_spin(20);
	assert_int_equal(1, mem_nrefs(tg));

	/* caller ID: wanted until played out */
	line_audio_clip(au, clip, PERIOD);
	assert_true(ata_audio_wanted(au));
	ata_audio_period(au, play, NULL, PERIOD);
	assert_false(ata_audio_wanted(au));

	line_audio_start(au, PTIME_MS);
	assert_true(ata_audio_wanted(au));
	line_audio_stop(au);
	assert_false(ata_audio_wanted(au));

	mem_deref(clip);
	mem_deref(tg);
	mem_deref(au);
}


/*
 * Frames the main loop queued for a call that ended before the thread
 * ran are not the next call's: they are dropped, and the new call's
 * play. A put with no call, or past what the ring holds, says so.
 */
static void test_old_call_frames_dropped(void **state)
{
	struct ata_audio *au = NULL;
	struct line_audio_stats st;
	int16_t pcm[PERIOD], play[PERIOD];
	bool heard = false;
	int err = 0;
	int k;

	(void)state;
	for (size_t i = 0; i < PERIOD; i++)
		pcm[i] = 8000;
	assert_int_equal(0, line_audio_alloc(&au, DELAY_MS, NULL, NULL));
	assert_int_equal(ENOTCONN, line_audio_put(au, 1, 1, 0, true, pcm,
						  PERIOD));

	line_audio_start(au, PTIME_MS);
	assert_int_equal(0, line_audio_put(au, 1, 1, 0, true, pcm, PERIOD));
	line_audio_stop(au);
	line_audio_start(au, PTIME_MS);
	for (k = 0; k < 10; k++) {
		ata_audio_period(au, play, NULL, PERIOD);
		assert_false(loud(play, PERIOD));
	}
	line_audio_stats(au, &st);
	assert_int_equal(0, st.jb.packets);

	assert_int_equal(0, line_audio_put(au, 2, 7, 0, true, pcm, PERIOD));
	for (k = 0; k < 10 && !heard; k++) {
		ata_audio_period(au, play, NULL, PERIOD);
		heard = loud(play, PERIOD);
	}
	assert_true(heard);
	line_audio_stats(au, &st);
	assert_int_equal(1, st.jb.packets);
	assert_int_equal(0, st.rx_dropped);

	/* the thread stalled: the ring is full, the main loop is told */
	for (k = 0; k < 64 && !err; k++)
		err = line_audio_put(au, 2, (uint16_t)(8 + k),
				     (uint32_t)(PERIOD * (k + 1)), false,
				     pcm, PERIOD);
	assert_int_equal(ENOBUFS, err);
	assert_int_equal(EINVAL, line_audio_put(au, 2, 99, 0, false, pcm,
						0));
	line_audio_stats(au, &st);
	assert_int_equal(1, st.rx_dropped);

	/* pass-through: the bounds the buffer was sized for */
	assert_int_equal(EINVAL, line_audio_passthrough(au, 0, false));
	assert_int_equal(EINVAL, line_audio_passthrough(
				 au, LINE_AUDIO_PASS_MS + 1, false));
	assert_int_equal(0, line_audio_passthrough(au, LINE_AUDIO_PASS_MS,
						   false));

	mem_deref(au);
}


struct thread_arg {
	struct ata_audio *au;
	atomic_bool run;
	atomic_uint periods;
};


static void *audio_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int16_t play[PERIOD], cap[PERIOD];

	memset(cap, 0, sizeof(cap));
	while (atomic_load(&ta->run)) {
		(void)ata_audio_wanted(ta->au);
		ata_audio_period(ta->au, play, cap, PERIOD);
		atomic_fetch_add(&ta->periods, 1);
		sched_yield();
	}

	return NULL;
}


/*
 * A real audio thread runs periods while the main loop changes
 * everything it may change, as fast as it can. Nothing crashes, and
 * once the thread has taken the last settings every tone and clip the
 * main loop gave is back to the test's own reference.
 */
static void test_thread_against_main_loop(void **state)
{
	enum { TONES = 4, ROUNDS = 3000 };
	struct thread_arg ta = {0};
	struct tone_gen *tg[TONES] = {0};
	int16_t *clip = mem_zalloc(PERIOD * 3 * sizeof(int16_t), NULL);
	int16_t pcm[PERIOD], play[PERIOD];
	pthread_t tid;
	int i;

	(void)state;
	assert_non_null(clip);
	memset(pcm, 0, sizeof(pcm));
	assert_int_equal(0, line_audio_alloc(&ta.au, DELAY_MS, NULL, NULL));
	for (i = 0; i < TONES; i++)
		assert_int_equal(0, tone_gen_alloc(&tg[i], &dial));

	atomic_store(&ta.run, true);
	assert_int_equal(0, pthread_create(&tid, NULL, audio_thread, &ta));

	for (i = 0; i < ROUNDS; i++) {
		line_audio_tone(ta.au, i % 5 ? tg[i % TONES] : NULL);
		if (i % 7 == 0)
			line_audio_clip(ta.au, clip, PERIOD * 3);
		if (i % 11 == 0)
			line_audio_start(ta.au, i % 22 ? 20 : 30);
		if (i % 13 == 0)
			line_audio_stop(ta.au);
		line_audio_call_mute(ta.au, i % 3 == 0);
		(void)line_audio_put(ta.au, 5, (uint16_t)i,
				     (uint32_t)i * PERIOD, false, pcm,
				     PERIOD);
		if (i % 50 == 0)
			re_spin(20);
	}

	atomic_store(&ta.run, false);
	assert_int_equal(0, pthread_join(tid, NULL));
	assert_true(atomic_load(&ta.periods) > 0);

	/* the last settings: no tone, no clip; taken, then collected */
	line_audio_tone(ta.au, NULL);
	line_audio_clip(ta.au, NULL, 0);
	ata_audio_period(ta.au, play, NULL, PERIOD);
	re_spin(20);
	for (i = 0; i < TONES; i++)
		assert_int_equal(1, mem_nrefs(tg[i]));
	assert_int_equal(1, mem_nrefs(clip));

	mem_deref(ta.au);
	for (i = 0; i < TONES; i++)
		mem_deref(tg[i]);
	mem_deref(clip);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replaced_tone_freed_after_thread),
		cmocka_unit_test(test_wanted_takes_settings),
		cmocka_unit_test(test_old_call_frames_dropped),
		cmocka_unit_test(test_thread_against_main_loop),
	};
	int err;

	if (libre_init())
		return 1;

	err = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return err;
}
