/** @file plc.c  Packet loss concealment by pitch repetition (G.711 App. I) */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <re.h>

#include "plc.h"

enum {
	GAIN_ONE  = 32768,	/* Q15 unity gain */
	MAX_LOOPS = 3,		/* periods repeated after 20 ms */
};

struct plc {
	/* lengths in samples at this rate */
	uint32_t pmin, pmax;	/* pitch search range: 5..15 ms */
	uint32_t win;		/* correlation window: 20 ms */
	uint32_t hlen;		/* history: 3 periods + a quarter */
	uint32_t stage;		/* 10 ms: full level, then a new loop */
	uint32_t fade_end;	/* 60 ms: silent from here on */
	uint32_t ola_step;	/* 4 ms: resume fade grows per 10 ms */

	int16_t *hist;		/* last output samples, oldest first */
	int16_t *pb;		/* history frozen at the erasure start */

	bool concealing;
	uint32_t pitch;		/* P of this or the last erasure */
	uint32_t erased;	/* samples concealed so far (saturates) */
	uint32_t loops;		/* periods looped: 1..3 */
	uint32_t pos;		/* read position inside the loop */

	uint32_t xf_left, xf_len;	/* fade from a smaller loop */
	uint32_t xf_loops, xf_pos;

	int32_t offset;			/* jump at the erasure start */
	uint32_t off_left, off_len;

	uint32_t res_left, res_len;	/* fade back to real audio */
};


static void plc_destructor(void *arg)
{
	struct plc *plc = arg;

	mem_deref(plc->hist);
	mem_deref(plc->pb);
}


int plc_alloc(struct plc **plcp, uint32_t srate)
{
	struct plc *plc;
	int err = 0;

	if (!plcp || srate < 8000 || srate > 48000)
		return EINVAL;

	plc = mem_zalloc(sizeof(*plc), plc_destructor);
	if (!plc)
		return ENOMEM;

	plc->pmin     = srate / 200;
	plc->pmax     = srate * 15 / 1000;
	plc->win      = srate / 50;
	plc->hlen     = MAX_LOOPS * plc->pmax + plc->pmax / 4;
	plc->stage    = srate / 100;
	plc->fade_end = srate * 6 / 100;
	plc->ola_step = srate / 250;

	plc->hist = mem_zalloc(plc->hlen * sizeof(int16_t), NULL);
	plc->pb   = mem_zalloc(plc->hlen * sizeof(int16_t), NULL);
	if (!plc->hist || !plc->pb) {
		err = ENOMEM;
		goto out;
	}

 out:
	if (err)
		mem_deref(plc);
	else
		*plcp = plc;

	return err;
}


void plc_reset(struct plc *plc)
{
	if (!plc)
		return;

	memset(plc->hist, 0, plc->hlen * sizeof(int16_t));
	plc->concealing = false;
	plc->pitch = 0;
	plc->erased = 0;
	plc->res_left = 0;
}


uint32_t plc_pitch(const struct plc *plc)
{
	return plc ? plc->pitch : 0;
}


static void hist_push(struct plc *plc, const int16_t *pcm, size_t n)
{
	size_t keep;

	if (n >= plc->hlen) {
		memcpy(plc->hist, pcm + n - plc->hlen,
		       plc->hlen * sizeof(int16_t));
		return;
	}

	keep = plc->hlen - n;
	memmove(plc->hist, plc->hist + n, keep * sizeof(int16_t));
	memcpy(plc->hist + keep, pcm, n * sizeof(int16_t));
}


static int16_t clip16(int32_t v)
{
	if (v > INT16_MAX)
		return INT16_MAX;
	if (v < INT16_MIN)
		return INT16_MIN;

	return (int16_t)v;
}


/* Normalised correlation at lag @p p, every @p step-th sample; <0: none */
static double lag_score(const struct plc *plc, uint32_t p, uint32_t step)
{
	const int16_t *x = plc->pb;
	int64_t c = 0, e = 0;

	for (uint32_t i = plc->hlen - plc->win; i < plc->hlen; i += step) {
		c += (int32_t)x[i] * x[i - p];
		e += (int32_t)x[i - p] * x[i - p];
	}

	if (c <= 0 || e == 0)
		return -1.0;

	return (double)c * (double)c / (double)e;
}


/*
 * The lag with the best normalised correlation over the last 20 ms; a
 * negative or zero correlation never wins, so silence gives pmin. As
 * Appendix I does, in two steps: every other lag on every other
 * sample (a quarter of the work), then the lags either side of the best
 * at full resolution. An erasure start costs about 20 k instructions,
 * not 80 k, which matters when a late packet leaves a gap of a few
 * samples.
 */
static uint32_t find_pitch(const struct plc *plc)
{
	uint32_t best = plc->pmin, coarse = plc->pmin, lo, hi;
	double score, best_score = 0.0;

	for (uint32_t p = plc->pmin; p <= plc->pmax; p += 2) {
		score = lag_score(plc, p, 2);
		if (score > best_score) {
			best_score = score;
			coarse = p;
		}
	}
	if (best_score <= 0.0)
		return plc->pmin;

	lo = coarse > plc->pmin ? coarse - 1 : coarse;
	hi = coarse < plc->pmax ? coarse + 1 : coarse;
	best_score = 0.0;
	best = coarse;
	for (uint32_t p = lo; p <= hi; p++) {
		score = lag_score(plc, p, 1);
		if (score > best_score) {
			best_score = score;
			best = p;
		}
	}

	return best;
}


static void erasure_start(struct plc *plc)
{
	uint32_t p, end = plc->hlen;

	memcpy(plc->pb, plc->hist, end * sizeof(int16_t));
	p = find_pitch(plc);

	/* the loop starts at end - P, naturally preceded by end - P - 1 */
	plc->offset   = plc->hist[end - 1] - plc->pb[end - p - 1];
	plc->off_len  = p / 4 ? p / 4 : 1;
	plc->off_left = plc->off_len;

	plc->pitch    = p;
	plc->erased   = 0;
	plc->loops    = 1;
	plc->pos      = 0;
	plc->xf_left  = 0;
	plc->res_left = 0;
	plc->concealing = true;
}


/*
 * Sample @p pos of a loop over the last @p loops periods. Its last
 * quarter period fades into the quarter period before the loop's start,
 * so that jumping back to the start is seamless.
 */
static int32_t loop_read(const struct plc *plc, uint32_t loops, uint32_t pos)
{
	uint32_t len = loops * plc->pitch, ql = plc->pitch / 4, j;
	const int16_t *base = plc->pb + plc->hlen - len;

	if (pos + ql < len)
		return base[pos];

	j = pos + ql - len;

	return (base[pos] * (int32_t)(ql - j) +
		base[(int32_t)pos - (int32_t)len] * (int32_t)(j + 1)) /
		(int32_t)(ql + 1);
}


/* Every 10 ms loop one period more, cross-faded over a quarter period */
static void grow_loop(struct plc *plc)
{
	plc->xf_loops = plc->loops;
	plc->xf_pos   = plc->pos;
	plc->xf_len   = plc->pitch / 4 ? plc->pitch / 4 : 1;
	plc->xf_left  = plc->xf_len;

	/* same phase, one period further back */
	++plc->loops;
}


static int16_t synth_next(struct plc *plc)
{
	uint32_t p = plc->pitch;
	int32_t s, gain;

	if (plc->erased >= plc->fade_end)
		return 0;

	s = loop_read(plc, plc->loops, plc->pos);
	plc->pos = (plc->pos + 1) % (plc->loops * p);

	if (plc->xf_left) {
		uint32_t j = plc->xf_len - plc->xf_left;
		int32_t old = loop_read(plc, plc->xf_loops, plc->xf_pos);

		s = (old * (int32_t)(plc->xf_len - j) +
		     s * (int32_t)(j + 1)) / (int32_t)(plc->xf_len + 1);
		plc->xf_pos = (plc->xf_pos + 1) % (plc->xf_loops * p);
		--plc->xf_left;
	}

	if (plc->off_left) {
		s += plc->offset * (int32_t)plc->off_left /
			(int32_t)plc->off_len;
		--plc->off_left;
	}

	if (plc->erased < plc->stage)
		gain = GAIN_ONE;
	else
		gain = (int32_t)((uint64_t)GAIN_ONE *
				 (plc->fade_end - plc->erased) /
				 (plc->fade_end - plc->stage));

	s = (clip16(s) * gain) >> 15;

	++plc->erased;
	if (plc->erased % plc->stage == 0 && plc->loops < MAX_LOOPS)
		grow_loop(plc);

	return (int16_t)s;
}


void plc_conceal(struct plc *plc, int16_t *pcm, size_t n)
{
	if (!plc || !pcm)
		return;

	if (!plc->concealing)
		erasure_start(plc);

	for (size_t i = 0; i < n; i++)
		pcm[i] = synth_next(plc);

	hist_push(plc, pcm, n);
}


/* Appendix I: a quarter period, + 4 ms per further 10 ms, up to 10 ms */
static uint32_t resume_len(const struct plc *plc)
{
	uint32_t len;

	if (plc->erased >= plc->fade_end)
		return plc->stage;

	len = plc->pitch / 4 + plc->erased / plc->stage * plc->ola_step;

	return len < plc->stage ? len : plc->stage;
}


void plc_good(struct plc *plc, int16_t *pcm, size_t n)
{
	size_t i;

	if (!plc || !pcm)
		return;

	if (plc->concealing) {
		plc->concealing = false;
		plc->res_len  = resume_len(plc);
		plc->res_left = plc->res_len;
	}

	for (i = 0; i < n && plc->res_left; i++) {
		uint32_t j = plc->res_len - plc->res_left;
		int32_t s = synth_next(plc);

		pcm[i] = (int16_t)((s * (int32_t)(plc->res_len - j) +
				    pcm[i] * (int32_t)(j + 1)) /
				   (int32_t)(plc->res_len + 1));
		--plc->res_left;
	}

	hist_push(plc, pcm, n);
}
