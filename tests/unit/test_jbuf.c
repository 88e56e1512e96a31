/** @file test_jbuf.c  Fixed-delay jitter buffer, rule by rule, and drift */
#include <errno.h>
#include <malloc.h>
#include <math.h>
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
	TOL    = 24,		/* drift: 2 ms dead band + 1 ms */
	SSRC   = 0x1234abcd,
	FL_MAX = 256,
};

static const struct jitbuf_conf conf = {
	.srate = SR, .delay_ms = 40, .max_frame = 480,
};

/* Far-end audio: a ramp, so every output sample tells its source index */
static int16_t ramp(uint64_t s)
{
	return (int16_t)(uint16_t)s;
}

/* The source index nearest @p guess whose ramp value is @p v */
static int64_t unramp(int16_t v, int64_t guess)
{
	return guess + (int16_t)(uint16_t)((uint16_t)v - (uint16_t)guess);
}

static struct jitbuf *new_jb(void)
{
	struct jitbuf *jb = NULL;

	assert_int_equal(jitbuf_alloc(&jb, &conf), 0);
	return jb;
}

/* Put far-end packet k (ramp content from k * PTIME) at time @p now */
static int put_k(struct jitbuf *jb, uint32_t k, uint64_t now)
{
	int16_t pcm[PTIME];

	for (size_t i = 0; i < PTIME; i++)
		pcm[i] = ramp((uint64_t)k * PTIME + i);

	return jitbuf_put(jb, SSRC, (uint16_t)k, k * PTIME, false, pcm,
			  PTIME, now);
}

static void get_n(struct jitbuf *jb, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i += PERIOD)
		jitbuf_get(jb, out + i, n - i < PERIOD ? n - i : PERIOD);
}

static void stats(const struct jitbuf *jb, struct jitbuf_stats *st)
{
	memset(st, 0xff, sizeof(*st));
	jitbuf_stats(jb, st);
}


static void test_alloc_args(void **state)
{
	struct jitbuf_conf c = conf;
	struct jitbuf *jb = NULL;
	(void)state;

	assert_int_equal(jitbuf_alloc(NULL, &conf), EINVAL);
	assert_int_equal(jitbuf_alloc(&jb, NULL), EINVAL);
	c.srate = 4000;
	assert_int_equal(jitbuf_alloc(&jb, &c), EINVAL);
	c = conf;
	c.delay_ms = 5;
	assert_int_equal(jitbuf_alloc(&jb, &c), EINVAL);
	c.delay_ms = 1001;
	assert_int_equal(jitbuf_alloc(&jb, &c), EINVAL);
	c = conf;
	c.max_frame = 0;
	assert_int_equal(jitbuf_alloc(&jb, &c), EINVAL);
	c.max_frame = SR / 5 + 1;
	assert_int_equal(jitbuf_alloc(&jb, &c), EINVAL);
	assert_null(jb);

	jb = new_jb();
	assert_true(jitbuf_capacity(jb) >= 2 * (DELAY + 480));
	assert_int_equal(jitbuf_ts_offset(jb, 0), INT32_MIN);
	mem_deref(jb);
}


static void test_put_args(void **state)
{
	struct jitbuf *jb = new_jb();
	struct jitbuf_stats st;
	int16_t pcm[481] = {0};
	(void)state;

	assert_int_equal(jitbuf_put(NULL, 1, 0, 0, false, pcm, 80, 0),
			 EINVAL);
	assert_int_equal(jitbuf_put(jb, 1, 0, 0, false, NULL, 80, 0),
			 EINVAL);
	assert_int_equal(jitbuf_put(jb, 1, 0, 0, false, pcm, 0, 0), EINVAL);
	assert_int_equal(jitbuf_put(jb, 1, 0, 0, false, pcm, 481, 0),
			 EINVAL);
	stats(jb, &st);
	assert_int_equal(st.packets, 0);

	/* harmless no-ops */
	jitbuf_get(NULL, pcm, 80);
	jitbuf_get(jb, NULL, 80);
	jitbuf_stats(NULL, &st);
	jitbuf_reset(NULL);
	assert_int_equal(jitbuf_clock(jb), 0);
	mem_deref(jb);
}


static void test_silence_before_first(void **state)
{
	struct jitbuf *jb = new_jb();
	struct jitbuf_stats st;
	int16_t out[1000];
	(void)state;

	memset(out, 0x55, sizeof(out));
	get_n(jb, out, 1000);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(jitbuf_clock(jb), 1000);
	stats(jb, &st);
	assert_int_equal(st.concealed_samples, 0);
	assert_int_equal(st.underflow_frames, 0);
	assert_int_equal(st.delay_samples, 0);
	mem_deref(jb);
}


/* The first packet's first sample plays exactly DELAY after arrival */
static void test_first_packet_timing(void **state)
{
	static const uint64_t arrivals[] = {200, 240, 267};
	(void)state;

	for (size_t a = 0; a < ARRAY_SIZE(arrivals); a++) {
		struct jitbuf *jb = new_jb();
		struct jitbuf_stats st;
		int16_t out[960];
		uint64_t play = arrivals[a] + DELAY;

		get_n(jb, out, 240);
		assert_int_equal(put_k(jb, 10, arrivals[a]), 0);
		assert_int_equal(jitbuf_ts_offset(jb, 10 * PTIME),
				 play - 240);
		get_n(jb, out + 240, 720);

		for (size_t i = 0; i < play; i++)
			assert_int_equal(out[i], 0);
		for (size_t i = 0; i < PTIME; i++)
			assert_int_equal(out[play + i], ramp(10 * PTIME + i));

		stats(jb, &st);
		assert_int_equal(st.packets, 1);
		assert_int_equal(st.delay_samples, DELAY);
		assert_int_equal(st.resync, 0);
		mem_deref(jb);
	}
}


/*
 * The first packet was read 64 samples late, the next one on time (and
 * before anything was heard): the start moves earlier, so packet 11
 * plays DELAY after its prompt arrival; the first packet's audio just
 * before it, nothing lost, no drift step.
 */
static void test_late_first_packet(void **state)
{
	struct jitbuf *jb = new_jb();
	struct jitbuf_stats st;
	int16_t out[960];
	uint64_t play = 200 + PTIME + DELAY;
	(void)state;

	get_n(jb, out, 240);
	assert_int_equal(put_k(jb, 10, 200 + 64), 0);
	assert_int_equal(put_k(jb, 11, 200 + PTIME), 0);
	get_n(jb, out + 240, 720);

	for (size_t i = 0; i < play - PTIME; i++)
		assert_int_equal(out[i], 0);
	for (size_t i = 0; i < 2 * PTIME; i++)
		assert_int_equal(out[play - PTIME + i],
				 ramp(10 * PTIME + i));

	stats(jb, &st);
	assert_int_equal(st.delay_samples, DELAY);
	assert_int_equal(st.dropped_samples + st.inserted_samples, 0);
	/* only after packet 11 */
	assert_int_equal(st.concealed_samples, 960 - (play + PTIME));
	mem_deref(jb);
}


/* A far-end clock, a network and a device pulling PERIOD samples */
struct sim {
	struct jitbuf *jb;
	double ratio;		/* far-end rate / device rate */
	uint32_t base, jit;	/* network delay: base + [0, jit) */
	unsigned loss, dup, reord;	/* per mille */
	uint64_t rng;
	uint32_t ts0;
	uint16_t seq0;
	uint32_t next_k;
	struct { double at; uint32_t k; } fl[FL_MAX];
	size_t nfl;
	double net_sum;
	uint64_t net_cnt;
	uint8_t *lost;		/* per packet: never sent */
	uint32_t max_k;
};

static uint32_t rnd(struct sim *s, uint32_t n)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)(s->rng % n);
}

static void sim_send(struct sim *s, uint32_t k, double at)
{
	assert_true(s->nfl < FL_MAX);
	s->fl[s->nfl].at = at;
	s->fl[s->nfl].k = k;
	++s->nfl;
}

/* Everything that reaches the ATA by device time @p t, then one period */
static void sim_period(struct sim *s, int16_t *out, size_t n)
{
	double t = (double)jitbuf_clock(s->jb);

	for (;;) {
		uint32_t k = s->next_k;
		double sent = (k + 1.0) * PTIME / s->ratio;
		double net;

		if (sent > t || k >= s->max_k)
			break;
		++s->next_k;
		if (rnd(s, 1000) < s->loss) {
			s->lost[k] = 1;
			continue;
		}
		/* the first packets on time, like lib/impair.py's: the
		   anchor is clean, so the check holds from the start */
		net = s->base + (s->jit && k >= 10 ? rnd(s, s->jit) : 0);
		if (rnd(s, 1000) < s->reord)
			net += PTIME;
		s->net_sum += net;
		++s->net_cnt;
		sim_send(s, k, sent + net);
		if (rnd(s, 1000) < s->dup)
			sim_send(s, k, sent + net + rnd(s, 2 * PTIME));
	}

	for (;;) {
		size_t best = FL_MAX;
		int16_t pcm[PTIME];
		uint32_t k;

		for (size_t i = 0; i < s->nfl; i++)
			if (s->fl[i].at <= t &&
			    (best == FL_MAX || s->fl[i].at < s->fl[best].at))
				best = i;
		if (best == FL_MAX)
			break;

		k = s->fl[best].k;
		for (size_t i = 0; i < PTIME; i++)
			pcm[i] = ramp((uint64_t)k * PTIME + i);
		(void)jitbuf_put(s->jb, SSRC, (uint16_t)(s->seq0 + k),
				 s->ts0 + k * PTIME, false, pcm, PTIME,
				 (uint64_t)s->fl[best].at);
		s->fl[best] = s->fl[--s->nfl];
	}

	jitbuf_get(s->jb, out, n);
}

static void sim_init(struct sim *s, double ppm, uint32_t npackets)
{
	memset(s, 0, sizeof(*s));
	s->jb = new_jb();
	s->ratio = 1.0 + ppm * 1e-6;
	s->base = 240;
	s->rng = 0x9e3779b97f4a7c15ULL;
	s->max_k = npackets;
	s->lost = calloc(npackets + 1, 1);
	assert_non_null(s->lost);
}

static void sim_close(struct sim *s)
{
	mem_deref(s->jb);
	free(s->lost);
}


/* Concealment or its fade-out may be playing around source index @p g */
static bool near_loss(const struct sim *s, int64_t g)
{
	int64_t k = g / PTIME;

	for (int64_t j = k - 2; j <= k + 1; j++)
		if (j >= 0 && j < s->max_k && s->lost[j])
			return true;

	return false;
}

/*
 * Run @p secs of a call; check every fresh ramp sample's end-to-end delay
 * against DELAY + the network's base delay (its least-delayed packets) +
 * packetisation, within one period.
 * Samples near a lost packet are skipped (concealment copies old audio).
 */
static void sim_run(struct sim *s, uint32_t secs, uint64_t *checked)
{
	uint64_t periods = (uint64_t)secs * SR / PERIOD;
	int64_t max_s = -1, prev = INT64_MIN;
	struct jitbuf_stats st;
	int16_t out[PERIOD];
	double target = 0;

	*checked = 0;
	for (uint64_t p = 0; p < periods; p++) {
		uint64_t x0 = jitbuf_clock(s->jb);

		sim_period(s, out, PERIOD);
		if (!s->net_cnt)
			continue;
		target = DELAY + PTIME / s->ratio + s->base;

		for (size_t i = 0; i < PERIOD; i++) {
			double x = (double)(x0 + i);
			int64_t guess = llround((x - target) * s->ratio);
			int64_t src = unramp(out[i], guess);
			bool fresh = src > max_s && src == prev + 1;

			prev = src;
			if (!fresh || src < 0 || near_loss(s, guess))
				continue;
			max_s = src;
			++*checked;
			assert_true(fabs(x - src / s->ratio - target) <=
				    TOL);
		}

		stats(s->jb, &st);
		if (st.packets)
			assert_true(abs(st.delay_samples - DELAY) <= TOL);
	}
}


/* Same clocks, no jitter: output is the input, shifted, bit-exact */
static void test_steady_exact(void **state)
{
	struct jitbuf_stats st;
	struct sim s;
	uint64_t checked;
	(void)state;

	sim_init(&s, 0, 1400);
	s.ts0 = 0xfffff000;		/* timestamps and seq wrap */
	s.seq0 = 0xfff0;
	sim_run(&s, 30, &checked);
	/* all but sample 0 (nothing before it to check), maybe plus the
	   concealment's first sample, a linear prediction */
	assert_true(checked >= (uint64_t)1400 * PTIME - 1 &&
		    checked <= (uint64_t)1400 * PTIME);

	stats(s.jb, &st);
	assert_int_equal(st.packets, 1400);
	assert_int_equal(st.late + st.duplicate + st.too_early, 0);
	assert_int_equal(st.resync, 0);
	assert_int_equal(st.dropped_samples + st.inserted_samples, 0);
	assert_int_equal(st.jitter, 0);
	assert_int_equal(st.delay_samples, DELAY);
	/* only after the far end stopped (packet 1400) */
	assert_int_equal(st.concealed_samples,
			 (uint64_t)30 * SR - (uint64_t)1400 * PTIME -
			 (PTIME + 240 + DELAY));
	sim_close(&s);
}


/*
 * +-200 ppm over 10 minutes, with jitter, loss, reordering and
 * duplicates: the delay holds within one period and the samples
 * dropped or inserted match the clock difference within 10 %.
 */
static void drift_case(double ppm)
{
	uint32_t secs = 600, npk = secs * SR / PTIME + 100;
	double want = fabs(ppm) * 1e-6 * secs * SR;
	struct jitbuf_stats st;
	struct sim s;
	uint64_t checked, fix, wrong;

	sim_init(&s, ppm, npk);
	s.jit = 120;
	s.loss = 10;
	s.dup = 10;
	s.reord = 20;
	sim_run(&s, secs, &checked);
	assert_true(checked > (uint64_t)secs * SR * 9 / 10);

	stats(s.jb, &st);
	print_message("%+.0f ppm: dropped %lu inserted %lu (expected %.0f) "
		      "concealed %lu jitter %u checked %lu\n", ppm,
		      (unsigned long)st.dropped_samples,
		      (unsigned long)st.inserted_samples, want,
		      (unsigned long)st.concealed_samples, st.jitter,
		      (unsigned long)checked);
	fix = ppm > 0 ? st.dropped_samples : st.inserted_samples;
	wrong = ppm > 0 ? st.inserted_samples : st.dropped_samples;
	if (ppm == 0) {
		assert_true(st.dropped_samples + st.inserted_samples <= 40);
	}
	else {
		assert_true(fabs((double)fix - wrong - want) <= want / 10);
		assert_true(wrong <= 40);
	}
	assert_int_equal(st.resync, 0);
	assert_int_equal(st.late, 0);
	assert_true(st.duplicate > 0);
	assert_true(st.concealed_samples >= (uint64_t)PTIME * 100);
	assert_true(st.jitter > 10 && st.jitter < 120);
	sim_close(&s);
}

static void test_drift_plus_200ppm(void **state)
{
	(void)state;
	drift_case(200.0);
}

static void test_drift_minus_200ppm(void **state)
{
	(void)state;
	drift_case(-200.0);
}

static void test_drift_none(void **state)
{
	(void)state;
	drift_case(0.0);
}


/* ----- rule tests on one timeline: packet k arrives at ARR(k) ----- */

#define ARR(k)  (400 + (uint64_t)(k) * PTIME)
#define PLAY(k) (ARR(0) + DELAY + (uint64_t)(k) * PTIME)

static int16_t tl[40000];	/* output, indexed by device time */

static int put_pkt(struct jitbuf *jb, uint32_t ssrc, uint32_t k,
		   uint32_t ts, bool marker, uint64_t now)
{
	int16_t pcm[PTIME];

	for (size_t i = 0; i < PTIME; i++)
		pcm[i] = ramp((uint64_t)k * PTIME + i);

	return jitbuf_put(jb, ssrc, (uint16_t)k, ts, marker, pcm, PTIME,
			  now);
}

/* Pull periods into tl[] until the device clock reaches @p t */
static void run_to(struct jitbuf *jb, uint64_t t)
{
	while (jitbuf_clock(jb) < t)
		jitbuf_get(jb, tl + jitbuf_clock(jb), PERIOD);
}

/* Packets from..to-1 arrive on time, in order */
static void stream(struct jitbuf *jb, uint32_t from, uint32_t to)
{
	for (uint32_t k = from; k < to; k++) {
		run_to(jb, ARR(k));
		assert_int_equal(put_k(jb, k, ARR(k)), 0);
	}
}

/* Packet k's audio is in tl[] from @p at (after @p skip samples) */
static void assert_plays(uint32_t k, uint64_t at, size_t skip)
{
	for (size_t i = skip; i < PTIME; i++)
		assert_int_equal(tl[at + i], ramp((uint64_t)k * PTIME + i));
}

static struct jitbuf *tl_start(void)
{
	memset(tl, 0x55, sizeof(tl));
	return new_jb();
}


static void test_reorder_repaired(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 2);
	run_to(jb, ARR(3));
	assert_int_equal(put_k(jb, 3, ARR(3)), 0);
	assert_int_equal(put_k(jb, 2, ARR(3) + 20), 0);
	stream(jb, 4, 10);
	run_to(jb, PLAY(10));

	for (uint32_t k = 0; k < 10; k++)
		assert_plays(k, PLAY(k), 0);
	stats(jb, &st);
	assert_int_equal(st.concealed_samples, 0);
	assert_int_equal(st.late + st.duplicate + st.resync, 0);
	mem_deref(jb);
}


static void test_duplicate_dropped(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 5);
	assert_int_equal(put_k(jb, 4, ARR(4) + 50), EALREADY);
	stream(jb, 5, 10);
	/* long after its playout: still recognised by sequence number */
	assert_int_equal(put_k(jb, 2, ARR(9)), EALREADY);
	run_to(jb, PLAY(10));

	for (uint32_t k = 0; k < 10; k++)
		assert_plays(k, PLAY(k), 0);
	stats(jb, &st);
	assert_int_equal(st.packets, 12);
	assert_int_equal(st.duplicate, 2);
	assert_int_equal(st.late + st.concealed_samples, 0);
	mem_deref(jb);
}


static void test_late_dropped(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 5);
	stream(jb, 6, 12);
	/* packet 5 ends playing at PLAY(6): from then on it is late */
	run_to(jb, PLAY(6));
	assert_int_equal(put_k(jb, 5, PLAY(6)), ETIMEDOUT);
	run_to(jb, PLAY(12));

	assert_plays(4, PLAY(4), 0);
	assert_plays(7, PLAY(7), 0);
	stats(jb, &st);
	assert_int_equal(st.late, 1);
	assert_int_equal(st.concealed_samples, PTIME);
	assert_int_equal(st.underflow_frames, PTIME / PERIOD);
	assert_int_equal(st.resync, 0);
	mem_deref(jb);
}


static void test_too_early_single(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	uint32_t far = 5 * PTIME + jitbuf_capacity(jb);
	(void)state;

	stream(jb, 0, 5);
	assert_int_equal(put_pkt(jb, SSRC, 50, far, false, ARR(4)),
			 EOVERFLOW);
	stream(jb, 5, 10);
	run_to(jb, PLAY(10));

	for (uint32_t k = 0; k < 10; k++)
		assert_plays(k, PLAY(k), 0);
	stats(jb, &st);
	assert_int_equal(st.too_early, 1);
	assert_int_equal(st.resync + st.concealed_samples, 0);
	mem_deref(jb);
}


/* A timestamp jump of @p jump without marker: resync on the 3rd packet */
static void ts_jump_case(int32_t jump, int err)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)err;

	stream(jb, 0, 10);
	for (uint32_t k = 10; k < 16; k++) {
		run_to(jb, ARR(k));
		assert_int_equal(put_pkt(jb, SSRC, k, k * PTIME + jump,
					 false, ARR(k)),
				 k < 12 ? err : 0);
	}
	run_to(jb, ARR(16) + DELAY);

	/* 10 and 11 were never played, 12 plays DELAY after arrival */
	assert_plays(9, PLAY(9), 0);
	assert_plays(13, ARR(13) + DELAY, 0);
	assert_plays(14, ARR(14) + DELAY, 0);
	stats(jb, &st);
	assert_int_equal(st.resync, 1);
	assert_int_equal(st.concealed_samples, ARR(12) + DELAY - PLAY(10));
	if (err == EOVERFLOW)
		assert_int_equal(st.too_early, 2);
	else
		assert_int_equal(st.late, 2);
	mem_deref(jb);
}

static void test_resync_jump_forward(void **state)
{
	(void)state;
	ts_jump_case(5 * SR, EOVERFLOW);
}

static void test_resync_jump_backward(void **state)
{
	(void)state;
	ts_jump_case(-5 * SR, ETIMEDOUT);
}


static void test_resync_ssrc(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 10);
	for (uint32_t k = 10; k < 14; k++) {
		run_to(jb, ARR(k));
		assert_int_equal(put_pkt(jb, SSRC + 1, k, 777 + k * PTIME,
					 false, ARR(k) - 40), 0);
	}
	run_to(jb, ARR(14) - PERIOD + DELAY);

	/* the new source starts 40 samples early: it cuts the old one */
	for (size_t i = 0; i < PTIME - 40; i++)
		assert_int_equal(tl[PLAY(9) + i], ramp(9 * PTIME + i));
	assert_plays(10, ARR(10) - 40 + DELAY, 0);
	assert_plays(11, ARR(11) - 40 + DELAY, 0);
	stats(jb, &st);
	assert_int_equal(st.resync, 1);
	assert_int_equal(st.concealed_samples, 0);
	assert_int_equal(st.delay_samples, DELAY);
	mem_deref(jb);
}


static void test_marker(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	/* talk spurt after 1 s of silence suppression: same timeline */
	stream(jb, 0, 10);
	run_to(jb, ARR(60));
	assert_int_equal(put_pkt(jb, SSRC, 60, 60 * PTIME, true, ARR(60)),
			 0);
	stream(jb, 61, 64);
	run_to(jb, PLAY(64));
	assert_plays(61, PLAY(61), 0);
	stats(jb, &st);
	assert_int_equal(st.resync, 0);

	/* marker and a jump: a new timeline at once */
	run_to(jb, ARR(64));
	assert_int_equal(put_pkt(jb, SSRC, 64, 99999, true, ARR(64)), 0);
	run_to(jb, ARR(64) + DELAY + PTIME);
	assert_plays(64, ARR(64) + DELAY, PERIOD);
	stats(jb, &st);
	assert_int_equal(st.resync, 1);
	mem_deref(jb);
}


/* 400 ms without packets, then all at once: no resync, delay kept */
static void test_stall_burst(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 20);
	run_to(jb, ARR(40));
	for (uint32_t k = 20; k <= 40; k++)
		(void)put_k(jb, k, ARR(40));
	stream(jb, 41, 50);
	run_to(jb, PLAY(50));

	for (uint32_t k = 39; k < 50; k++)
		assert_plays(k, PLAY(k), 0);
	stats(jb, &st);
	assert_int_equal(st.resync, 0);
	assert_int_equal(st.late, 18);		/* 20..37 */
	assert_int_equal(st.concealed_samples, PLAY(38) - PLAY(20));
	mem_deref(jb);
}


static void test_loss_concealed(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 5);
	stream(jb, 6, 10);
	stream(jb, 20, 25);		/* 10..19: 200 ms lost */
	run_to(jb, PLAY(25));

	stats(jb, &st);
	assert_int_equal(st.concealed_samples, 11 * PTIME);
	assert_int_equal(st.underflow_frames, 11 * PTIME / PERIOD);
	assert_int_equal(st.late + st.resync, 0);

	/* short loss: audible concealment, not silence */
	assert_true(tl[PLAY(5)] != 0 || tl[PLAY(5) + 1] != 0);
	assert_plays(6, PLAY(6), PERIOD);
	assert_plays(7, PLAY(7), 0);

	/* long loss: silent from 60 ms on, then a fade-in */
	for (uint64_t x = PLAY(10) + 60 * SR / 1000; x < PLAY(20); x++)
		assert_int_equal(tl[x], 0);
	assert_true(abs(tl[PLAY(20)]) <= abs(ramp(20 * PTIME)) / 40 + 1);
	assert_plays(20, PLAY(20), PERIOD);
	assert_plays(21, PLAY(21), 0);
	mem_deref(jb);
}


/*
 * The call's first 300 ms reach the buffer 15 ms late (a main loop busy
 * answering the call), too long for the start to move earlier: the
 * first half second measures it, and the delay is right from then on,
 * not after seconds of drift steps.
 */
static void test_late_start_realigned(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	(void)state;

	for (uint32_t k = 0; k < 200; k++) {
		uint64_t at = ARR(k) + (k < 15 ? 120 : 0);

		run_to(jb, at);
		assert_int_equal(put_k(jb, k, at), 0);
	}
	run_to(jb, PLAY(200));

	for (uint32_t k = 50; k < 200; k++)
		assert_plays(k, PLAY(k), 0);
	stats(jb, &st);
	assert_int_equal(st.resync, 1);
	assert_int_equal(st.dropped_samples + st.inserted_samples, 0);
	mem_deref(jb);
}


/*
 * Arrival stamps off the device clock (fuzz_jbuf found it): most of a
 * 1 s window stamped long ago (every wait past the ring: drift drops),
 * then two windows with one packet each, stamped far in the future. A
 * future stamp counts as no later than the device can have reached,
 * and the estimate stays within the ring, so the delay reported (and
 * steered to) never leaves it; before, the drops of the first window
 * pushed the later ones' peaks below -capacity, and the drift control
 * would have inserted samples for a minute.
 */
static void test_arrival_off_clock(void **state)
{
	struct jitbuf *jb = tl_start();
	int64_t cap = jitbuf_capacity(jb);
	struct jitbuf_stats st;
	(void)state;

	stream(jb, 0, 60);
	for (uint32_t k = 60; k < 215; k++) {
		uint64_t at = k < 100 ? 0 : ARR(k) + 2 * SR;

		run_to(jb, ARR(k));
		if (k < 100 || k % 50 == 10)
			(void)put_k(jb, k, at);
		stats(jb, &st);
		assert_in_range(st.delay_samples + cap, 0, 2 * cap);
	}

	/* at most a frame and a piece of get() ahead of the clock */
	assert_true(st.delay_samples >= -(int64_t)(conf.max_frame + 400));
	mem_deref(jb);
}


/* RFC 3550 6.4.1 against the formula in floating point */
static void test_jitter_rfc3550(void **state)
{
	static const int dev[] = {0, 30, 5, 60, 10, 0, 45, 3, 80, 20};
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	double j = 0, prev = 0;
	(void)state;

	for (uint32_t k = 0; k < 200; k++) {
		uint64_t at = ARR(k) + dev[k % ARRAY_SIZE(dev)];
		double transit = (double)at - (double)k * PTIME;

		run_to(jb, ARR(k));
		assert_int_equal(put_k(jb, k, at), 0);
		if (k)
			j += (fabs(transit - prev) - j) / 16;
		prev = transit;
	}

	stats(jb, &st);
	assert_true(j > 20);
	assert_true(fabs(st.jitter - j) <= 1.0);
	mem_deref(jb);
}


/* No allocation after jitbuf_alloc(), whatever the traffic */
static void test_no_alloc(void **state)
{
	struct mallinfo2 before, after;
	int16_t out[PERIOD];
	struct sim s;
	(void)state;

	sim_init(&s, 150, 2000);
	s.jit = 400;
	s.loss = 50;
	s.dup = 50;
	s.reord = 50;
	for (int p = 0; p < 10; p++)
		sim_period(&s, out, PERIOD);

	before = mallinfo2();
	for (int p = 0; p < 3000; p++)
		sim_period(&s, out, PERIOD);
	after = mallinfo2();

	assert_int_equal(before.uordblks, after.uordblks);
	assert_int_equal(before.hblkhd, after.hblkhd);
	sim_close(&s);
}


/* Any request size gets exactly that many samples, seamlessly */
static void test_get_sizes(void **state)
{
	static const size_t sizes[] = {1, 7, 80, 161, 300, 13, 160, 2};
	static int16_t out[12 * SR];
	struct jitbuf_stats st;
	struct sim s;
	size_t pos = 0;
	(void)state;

	sim_init(&s, 0, 500);
	for (size_t i = 0; pos + 300 < ARRAY_SIZE(out); i++) {
		size_t n = sizes[i % ARRAY_SIZE(sizes)];

		out[pos + n] = 0x1234;
		sim_period(&s, out + pos, n);
		assert_int_equal(out[pos + n], 0x1234);
		pos += n;
		assert_int_equal(jitbuf_clock(s.jb), pos);
	}

	for (uint64_t x = 0; x < (uint64_t)500 * PTIME; x++)
		assert_int_equal(out[x + PTIME + 240 + DELAY], ramp(x));
	stats(s.jb, &st);
	assert_int_equal(st.dropped_samples + st.inserted_samples, 0);
	sim_close(&s);
}


static void test_reset(void **state)
{
	struct jitbuf *jb = tl_start();
	struct jitbuf_stats st;
	int16_t out[PERIOD];
	uint64_t t;
	(void)state;

	stream(jb, 0, 10);
	jitbuf_reset(jb);
	stats(jb, &st);
	assert_int_equal(st.packets + st.concealed_samples, 0);
	assert_int_equal(st.delay_samples, 0);
	assert_int_equal(jitbuf_ts_offset(jb, 0), INT32_MIN);

	jitbuf_get(jb, out, PERIOD);
	for (size_t i = 0; i < PERIOD; i++)
		assert_int_equal(out[i], 0);

	/* a new call: the first-packet rule again, no resync counted */
	t = jitbuf_clock(jb);
	assert_int_equal(put_pkt(jb, 42, 0, 5, false, t), 0);
	assert_int_equal(jitbuf_ts_offset(jb, 5), DELAY);
	stats(jb, &st);
	assert_int_equal(st.resync, 0);
	assert_int_equal(st.packets, 1);
	mem_deref(jb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_args),
		cmocka_unit_test(test_put_args),
		cmocka_unit_test(test_silence_before_first),
		cmocka_unit_test(test_first_packet_timing),
		cmocka_unit_test(test_late_first_packet),
		cmocka_unit_test(test_reorder_repaired),
		cmocka_unit_test(test_duplicate_dropped),
		cmocka_unit_test(test_late_dropped),
		cmocka_unit_test(test_too_early_single),
		cmocka_unit_test(test_resync_jump_forward),
		cmocka_unit_test(test_resync_jump_backward),
		cmocka_unit_test(test_resync_ssrc),
		cmocka_unit_test(test_marker),
		cmocka_unit_test(test_stall_burst),
		cmocka_unit_test(test_loss_concealed),
		cmocka_unit_test(test_jitter_rfc3550),
		cmocka_unit_test(test_arrival_off_clock),
		cmocka_unit_test(test_late_start_realigned),
		cmocka_unit_test(test_no_alloc),
		cmocka_unit_test(test_get_sizes),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_steady_exact),
		cmocka_unit_test(test_drift_plus_200ppm),
		cmocka_unit_test(test_drift_minus_200ppm),
		cmocka_unit_test(test_drift_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
