/**
 * @file test_jbuf_stall.c  The jitter buffer across stalls
 *
 * A device underrun, as the line handles it (core/line/line_audio.c
 * ata_audio_skip): the device stood still, the packets of that time
 * reached the jitter buffer stamped with the stalled clock, then the
 * missed line time is skipped. And the network's: a spike of delay
 * (packets late for a while, then on time again), and a delay that
 * grows for good. Each time the delay must stay at its depth, or come
 * back to it at once, without seconds of drift steering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/jitbuf.h"

enum {
	SR     = 8000,
	PERIOD = 80,		/* device period, 10 ms */
	PTIME  = 160,		/* far end packets, 20 ms */
	DELAY  = 320,		/* 40 ms */
	BASE   = 400,		/* packet 0 arrives here */
	STALL  = 400,		/* 50 ms without the device */
	PRIME  = 160,		/* the silence queued at the restart */
	SSRC   = 0x1234abcd,
};

static const struct jitbuf_conf conf = {
	.srate = SR, .delay_ms = 40, .max_frame = 480,
};

struct line {
	struct jitbuf *jb;
	uint32_t next;		/* next packet to arrive */
	int64_t dmin, dmax;	/* delay seen, samples */
	uint64_t measured;	/* samples whose delay was seen */
	uint32_t lag_from, lag_to, lag;	/* these packets come late */
	int32_t skip_err;	/* the caller's skip misses this much */
	int64_t shift;		/* device clock minus line time */
};

/* Far-end audio: a ramp, so every output sample tells its source index */
static int16_t ramp(uint64_t s)
{
	return (int16_t)(uint16_t)s;
}

static int64_t unramp(int16_t v, int64_t guess)
{
	return guess + (int16_t)(uint16_t)((uint16_t)v - (uint16_t)guess);
}

static void put(struct line *l, uint32_t k, uint64_t now)
{
	int16_t pcm[PTIME];

	for (size_t i = 0; i < PTIME; i++)
		pcm[i] = ramp((uint64_t)k * PTIME + i);
	(void)jitbuf_put(l->jb, SSRC, (uint16_t)k, k * PTIME, false, pcm,
			 PTIME, now);
}

/* One period: the packets due in it arrive on time, then it plays */
static void period(struct line *l, bool measure)
{
	uint64_t t = jitbuf_clock(l->jb);
	int16_t out[PERIOD];

	for (;;) {
		uint32_t k = l->next;
		uint64_t arr = BASE + (uint64_t)k * PTIME + l->shift;

		if (k >= l->lag_from && k < l->lag_to)
			arr += l->lag;
		if (arr >= t + PERIOD)
			break;
		put(l, k, arr > t ? arr : t);
		++l->next;
	}
	jitbuf_get(l->jb, out, PERIOD);

	for (size_t i = 0; measure && i < PERIOD; i++) {
		/* what should play at t + i: source BASE + s + DELAY */
		int64_t now = (int64_t)(t + i) - l->shift;
		int64_t guess = now - BASE - DELAY;
		int64_t d;

		if (!out[i] && !guess)
			continue;
		d = now - BASE - unramp(out[i], guess);
		if (d < -PTIME || d > 4 * SR / 10)
			continue;	/* concealment, not a source sample */
		if (d < l->dmin)
			l->dmin = d;
		if (d > l->dmax)
			l->dmax = d;
		++l->measured;
	}
}

/* The underrun: STALL samples of packets stamped at the stalled clock */
static void underrun(struct line *l, bool restart)
{
	uint64_t t = jitbuf_clock(l->jb);
	int16_t scratch[PERIOD];
	size_t n = STALL + PRIME + l->skip_err;

	while (BASE + (uint64_t)l->next * PTIME + l->shift < t + STALL) {
		put(l, l->next, t);
		++l->next;
	}
	while (n) {
		size_t k = n < PERIOD ? n : PERIOD;

		jitbuf_get(l->jb, scratch, k);
		n -= k;
	}
	/* a wrong skip leaves the device clock off the line's time */
	l->shift += l->skip_err;
	if (restart)
		jitbuf_restart_estimate(l->jb);
}

static void run(bool restart, struct line *l, struct jitbuf_stats *st)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(jitbuf_alloc(&l->jb, &conf), 0);

	for (int i = 0; i < 10 * SR / PERIOD; i++)
		period(l, false);
	underrun(l, restart);
	l->dmin = INT64_MAX;
	l->dmax = INT64_MIN;
	for (int i = 0; i < 10 * SR / PERIOD; i++)
		period(l, i >= 4);

	jitbuf_stats(l->jb, st);
	l->jb = mem_deref(l->jb);
}


/* With the estimate restarted: the delay holds, no drift steps */
static void test_underrun_delay_kept(void **state)
{
	struct jitbuf_stats st;
	struct line l;
	(void)state;

	run(true, &l, &st);
	print_message("restart: delay %ld..%ld samples, %lu dropped, "
		      "%lu inserted\n", (long)l.dmin, (long)l.dmax,
		      (unsigned long)st.dropped_samples,
		      (unsigned long)st.inserted_samples);
	assert_true(l.measured > 9 * SR);
	assert_true(l.dmin >= DELAY - 8 && l.dmax <= DELAY + PERIOD);
	assert_true(st.dropped_samples + st.inserted_samples <= 8);
}


/* The case the restart is for: without it, the stale stamps steer */
static void test_underrun_without_restart_steers(void **state)
{
	struct jitbuf_stats st;
	struct line l;
	(void)state;

	run(false, &l, &st);
	print_message("no restart: delay %ld..%ld samples, %lu dropped, "
		      "%lu inserted\n", (long)l.dmin, (long)l.dmax,
		      (unsigned long)st.dropped_samples,
		      (unsigned long)st.inserted_samples);
	assert_true(st.dropped_samples > 40);
	assert_true(l.dmin < DELAY - PERIOD);
}


/*
 * The caller's skip is off by @p err samples (a queue it did not count,
 * a stall longer than it saw): the delay is back at its depth one
 * second after the underrun, not after seconds of drift steps.
 */
static void skip_wrong_case(int32_t err)
{
	struct jitbuf_stats st;
	struct line l = { .skip_err = err };

	assert_int_equal(jitbuf_alloc(&l.jb, &conf), 0);
	for (int i = 0; i < 10 * SR / PERIOD; i++)
		period(&l, false);
	underrun(&l, true);
	for (int i = 0; i < SR / PERIOD; i++)
		period(&l, false);
	l.dmin = INT64_MAX;
	l.dmax = INT64_MIN;
	for (int i = 0; i < 5 * SR / PERIOD; i++)
		period(&l, true);
	jitbuf_stats(l.jb, &st);
	print_message("skip %+d: delay %ld..%ld from 1 s on, resync %lu, "
		      "%lu dropped %lu inserted\n", (int)err, (long)l.dmin,
		      (long)l.dmax, (unsigned long)st.resync,
		      (unsigned long)st.dropped_samples,
		      (unsigned long)st.inserted_samples);
	assert_true(l.measured > 4 * SR);
	assert_true(l.dmin >= DELAY - 8 && l.dmax <= DELAY + PERIOD);
	assert_int_equal(st.resync, 1);
	assert_true(st.dropped_samples + st.inserted_samples <= 8);
	mem_deref(l.jb);
}

/* a period too little: the audio would play 20 ms late */
static void test_underrun_skip_short(void **state)
{
	(void)state;
	skip_wrong_case(-PTIME);
}

/* 20 ms too much: the audio would play early, its start concealed */
static void test_underrun_skip_long(void **state)
{
	(void)state;
	skip_wrong_case(PTIME);
}


/* @p secs of the stream, measuring the delay in all but the first */
static void play(struct line *l, unsigned secs)
{
	l->dmin = INT64_MAX;
	l->dmax = INT64_MIN;
	l->measured = 0;
	for (unsigned i = 0; i < secs * SR / PERIOD; i++)
		period(l, i >= 4);
}


/*
 * The network stalls: 300 ms of packets come 70 ms late (a router's
 * hiccup, then the backlog), then all is on time again. Late audio is
 * lost, and that is all: no resync onto a late packet.
 */
static void test_delay_spike_no_resync(void **state)
{
	struct jitbuf_stats st;
	struct line l = { .lag_from = 500, .lag_to = 515, .lag = 560 };
	(void)state;

	assert_int_equal(jitbuf_alloc(&l.jb, &conf), 0);
	play(&l, 12);
	play(&l, 10);
	jitbuf_stats(l.jb, &st);
	print_message("spike: delay %ld..%ld, resync %lu late %lu, "
		      "%lu dropped %lu inserted\n", (long)l.dmin,
		      (long)l.dmax, (unsigned long)st.resync,
		      (unsigned long)st.late,
		      (unsigned long)st.dropped_samples,
		      (unsigned long)st.inserted_samples);
	assert_true(l.measured > 9 * SR);
	assert_int_equal(st.resync, 0);
	assert_true(st.late >= 10);
	assert_true(l.dmin >= DELAY - 8 && l.dmax <= DELAY + PERIOD);
	assert_true(st.dropped_samples + st.inserted_samples <= 8);
	mem_deref(l.jb);
}


/* The delay grows by 100 ms for good: a resync after about a second */
static void test_delay_step_resync(void **state)
{
	struct jitbuf_stats st;
	struct line l = { .lag_from = 500, .lag_to = UINT32_MAX,
			  .lag = 800 };
	(void)state;

	assert_int_equal(jitbuf_alloc(&l.jb, &conf), 0);
	play(&l, 12);
	play(&l, 5);
	jitbuf_stats(l.jb, &st);
	print_message("step: delay %ld..%ld after, resync %lu late %lu\n",
		      (long)l.dmin, (long)l.dmax, (unsigned long)st.resync,
		      (unsigned long)st.late);
	assert_int_equal(st.resync, 1);
	/* a second of late packets, then the new timeline */
	assert_true(st.late >= 45 && st.late <= 55);
	assert_true(l.measured > 4 * SR);
	assert_true(l.dmin >= DELAY + 800 - 8 &&
		    l.dmax <= DELAY + 800 + PERIOD);
	mem_deref(l.jb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_underrun_delay_kept),
		cmocka_unit_test(test_underrun_without_restart_steers),
		cmocka_unit_test(test_underrun_skip_short),
		cmocka_unit_test(test_underrun_skip_long),
		cmocka_unit_test(test_delay_spike_no_resync),
		cmocka_unit_test(test_delay_step_resync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
