/**
 * @file echo_can.c  Line echo canceller: IPNLMS, two paths, Geigel, NLP
 *
 * The filter: w (taps = tail x 8 samples) estimates the echo as w . x,
 * x the last `taps` reference samples, and the error e = capture -
 * estimate is what the far end hears. Plain NLMS converged too slowly
 * on speech (25 dB after 1 s, tests/unit/test_echo_can.c): a hybrid's
 * echo path is sparse (a delay, then a few ms of response), which IPNLMS
 * exploits (33..40 dB after 1 s on the same signal). A fixed pre-
 * whitening filter and an adaptive LPC one were tried and were worse:
 * they spend the adaptation on frequencies that speech hardly has.
 * Cost per sample: three passes over `taps` floats (background estimate,
 * foreground estimate, update), the step gains once per 16 samples:
 * measured with callgrind (x86-64, -O2), 175,000 instructions per 10 ms
 * period with the 32 ms tail, 337,000 with 64 ms; the first version,
 * with exact IPNLMS normalisation and gains per sample, took 554,000.
 *
 * Double talk (Geigel): the near end speaks when |capture| exceeds half
 * the largest |reference| of the tail (a hybrid returns at least 6 dB
 * less, G.168's assumption); adaptation then stops for 30 ms after the
 * last such sample. What Geigel misses (a soft near end) only harms the
 * background filter of a two-path structure (compare() below): the
 * foreground, which cancels, never adapts itself.
 *
 * NLP: while the far end speaks, no double talk is seen and the error
 * is far below the capture (the filter removed the echo and nothing
 * else is there), what is left is residual echo; it is replaced by
 * comfort noise at the background level (the error's floor, followed
 * down at once and up slowly), so the far end hears neither its echo
 * nor the line going dead.
 */
#include <math.h>
#include <string.h>
#include <re.h>
#include "echo_can.h"

enum {
	TAPS_MAX = ECHO_CAN_TAIL_MAX * (ECHO_CAN_SRATE / 1000),
	BLK = 16,                       /* Geigel: max per block */
	NBLK = TAPS_MAX / BLK,
	HANG = 240,                     /* 30 ms */
	CMP = 64,                       /* two paths compared per 8 ms */
};

static const float MU = 0.5f;           /* step size              */
static const float ALPHA = 0.0f;       /* IPNLMS: 1 = all proportionate */
static const float GEIGEL = 0.5f;       /* 6 dB hybrid loss       */
static const float ACT_FLOOR = 30.f * 30.f;  /* far end active (ms) */
static const float SMOOTH = 1.f / 64;   /* 8 ms power averages    */
static const float NLP_RATIO = 1.f / 8; /* residual 9 dB below    */

struct echo_can {
	size_t taps;
	size_t pos;                   /* newest sample at x[pos]          */
	float w[TAPS_MAX];            /* background: adapts               */
	float g[TAPS_MAX];            /* its taps' step gains (IPNLMS)    */
	float wf[TAPS_MAX];           /* foreground: cancels              */
	float eb, ef, ed;             /* errors' and capture's energies   */
	size_t cmp_n;
	unsigned better;              /* blocks in a row w beat wf        */
	float x[2 * TAPS_MAX];        /* mirrored: x[pos .. pos+taps)     */
	double pw;                    /* sum of x^2 over the tail         */
	float blkmax[NBLK];           /* Geigel: |x| max per block        */
	size_t blk, blk_n;
	float xmax;                   /* max over the whole tail          */
	unsigned hang;                /* double talk: samples left        */
	float pd, pe, px;             /* short-term powers                */
	float noise;                  /* background level (power)         */
	uint32_t rnd;
	bool nlp;
};


/*
 * IPNLMS (Benesty & Gay 2002): tap k's step is in proportion to
 * g_k = (1 - a) / 2N + (1 + a) |w_k| / 2|w|_1. An echo path is sparse (a
 * delay, then a few ms of response), so the taps that matter grow
 * faster than the rest, and a zero filter still learns (the first term
 * is NLMS's). The gains are refreshed every BLK samples (they follow
 * |w|, which moves slowly), and the step is normalised by |x|^2 / N,
 * what x' G x is on average: the update is then one pass of
 * multiply-adds.
 */
static void gains(struct echo_can *ec)
{
	const size_t n = ec->taps;
	const float c0 = (1 - ALPHA) / (2.f * (float)n);
	float l1 = 0, c1;

	for (size_t k = 0; k < n; k++)
		l1 += fabsf(ec->w[k]);
	c1 = (1 + ALPHA) / (2.f * l1 + 1e-3f);
	for (size_t k = 0; k < n; k++)
		ec->g[k] = c0 + c1 * fabsf(ec->w[k]);
}


/**
 * Allocate a canceller for an echo path of up to @p tail_ms
 * (ECHO_CAN_TAIL_MIN..MAX). Returns 0, EINVAL or ENOMEM.
 */
int echo_can_alloc(struct echo_can **ecp, uint32_t tail_ms)
{
	struct echo_can *ec;

	if (!ecp || tail_ms < ECHO_CAN_TAIL_MIN ||
	    tail_ms > ECHO_CAN_TAIL_MAX)
		return EINVAL;

	ec = mem_zalloc(sizeof(*ec), NULL);
	if (!ec)
		return ENOMEM;

	/* a whole number of Geigel blocks */
	ec->taps = tail_ms * (ECHO_CAN_SRATE / 1000) / BLK * BLK;
	ec->nlp = true;
	echo_can_reset(ec);
	*ecp = ec;

	return 0;
}


/** Forget the echo path (a new call, or after a bypass) */
void echo_can_reset(struct echo_can *ec)
{
	if (!ec)
		return;

	memset(ec->w, 0, sizeof(ec->w));
	memset(ec->wf, 0, sizeof(ec->wf));
	gains(ec);
	ec->eb = ec->ef = ec->ed = 0;
	ec->cmp_n = 0;
	ec->better = 0;
	memset(ec->x, 0, sizeof(ec->x));
	memset(ec->blkmax, 0, sizeof(ec->blkmax));
	ec->pos = 0;
	ec->pw = 0;
	ec->blk = ec->blk_n = 0;
	ec->xmax = 0;
	ec->hang = 0;
	ec->pd = ec->pe = ec->px = 0;
	ec->noise = 100.f;
	ec->rnd = 0x2545f491u;
}


/** The non-linear processor on (default) or off (measurements) */
void echo_can_nlp(struct echo_can *ec, bool on)
{
	if (ec)
		ec->nlp = on;
}


/** The near end is speaking (double talk, or its hangover) */
bool echo_can_dtalk(const struct echo_can *ec)
{
	return ec && ec->hang > 0;
}


/* four partial sums: lets the compiler keep several in flight */
static float dot(const float *a, const float *b, size_t n)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t k = 0; k < n; k += 4) {
		s0 += a[k] * b[k];
		s1 += a[k + 1] * b[k + 1];
		s2 += a[k + 2] * b[k + 2];
		s3 += a[k + 3] * b[k + 3];
	}

	return (s0 + s1) + (s2 + s3);
}


/* Push a reference sample; keeps its power and the Geigel max */
static void push(struct echo_can *ec, float s)
{
	const size_t n = ec->taps;
	float old = ec->x[ec->pos + n - 1];
	float a = fabsf(s);
	ec->pos = ec->pos ? ec->pos - 1 : n - 1;
	ec->x[ec->pos] = ec->x[ec->pos + n] = s;
	ec->pw += (double)s * s - (double)old * old;
	if (ec->pw < 0)
		ec->pw = 0;

	if (!ec->blk_n)
		ec->blkmax[ec->blk] = 0;
	if (a > ec->blkmax[ec->blk])
		ec->blkmax[ec->blk] = a;
	if (a > ec->xmax)
		ec->xmax = a;
	if (++ec->blk_n == BLK) {
		/* a block ended: the oldest leaves the window */
		ec->blk_n = 0;
		ec->blk = (ec->blk + 1) % (n / BLK);
		ec->xmax = 0;
		for (size_t b = 0; b < n / BLK; b++)
			if (b != ec->blk && ec->blkmax[b] > ec->xmax)
				ec->xmax = ec->blkmax[b];
	}
}


static float comfort(struct echo_can *ec)
{
	/* uniform in [-1, 1): rms 1/sqrt(3) */
	ec->rnd = ec->rnd * 1664525u + 1013904223u;

	return ((float)(int32_t)ec->rnd / 2147483648.f) * 1.7320508f *
		sqrtf(ec->noise);
}


static int16_t sat(float v)
{
	return (int16_t)(v > 32767.f ? 32767 : v < -32768.f ? -32768 :
			 lrintf(v));
}


static void adapt(struct echo_can *ec, const float *x, float e)
{
	const size_t n = ec->taps;
	const float s = MU * e * (float)n / (float)(ec->pw + 1e4);
	float *w = ec->w;
	const float *g = ec->g;

	for (size_t k = 0; k < n; k++)
		w[k] += s * g[k] * x[k];
}


/*
 * Two paths (Ochiai 1977, as in OSLEC): the background filter adapts,
 * the foreground one cancels. The background is copied over when it has
 * left less echo than the foreground for two blocks in a row and clearly
 * removes something; double talk that Geigel missed makes the
 * background worse, never the foreground, which then is copied back so
 * that the background restarts from the good filter.
 */
static void compare(struct echo_can *ec, float d, float ef, float eb)
{
	const size_t bytes = ec->taps * sizeof(float);

	ec->ed += d * d;
	ec->ef += ef * ef;
	ec->eb += eb * eb;
	if (++ec->cmp_n < CMP)
		return;

	if (ec->eb < 0.5f * ec->ef && ec->eb < 0.5f * ec->ed) {
		if (++ec->better >= 2)
			memcpy(ec->wf, ec->w, bytes);
	}
	else {
		ec->better = 0;
		if (ec->ef < 0.125f * ec->eb && !ec->hang) {
			memcpy(ec->w, ec->wf, bytes);
			gains(ec);
		}
	}
	ec->cmp_n = 0;
	ec->ed = ec->ef = ec->eb = 0;
}


/* One sample: returns what the far end hears */
static float step(struct echo_can *ec, float d, float r)
{
	const float *x;
	float e, eb;
	bool far;

	push(ec, r);
	x = ec->x + ec->pos;

	eb = d - dot(ec->w, x, ec->taps);
	e = d - dot(ec->wf, x, ec->taps);
	compare(ec, d, e, eb);

	if (fabsf(d) > GEIGEL * ec->xmax && fabsf(d) > 64.f)
		ec->hang = HANG;
	else if (ec->hang)
		--ec->hang;

	ec->px += SMOOTH * (r * r - ec->px);
	ec->pd += SMOOTH * (d * d - ec->pd);
	ec->pe += SMOOTH * (e * e - ec->pe);
	far = ec->px > ACT_FLOOR;

	if (!ec->hang && far && ec->pw > 1e3) {
		if (!ec->blk_n)
			gains(ec);
		adapt(ec, x, eb);
	}

	/* the background: down at once, up by 1 dB in about 0.3 s */
	if (ec->pe < ec->noise)
		ec->noise = ec->pe;
	else if (!far)
		ec->noise *= 1.0001f;
	if (ec->noise < 1.f)
		ec->noise = 1.f;

	if (ec->nlp && far && !ec->hang && ec->pe < NLP_RATIO * ec->pd)
		return comfort(ec);

	return e;
}


/**
 * Cancel the echo of @p ref in @p cap, @p n samples, into @p out (may
 * be @p cap)
 */
void echo_can_process(struct echo_can *ec, int16_t *out,
		      const int16_t *cap, const int16_t *ref, size_t n)
{
	if (!ec || !out || !cap || !ref)
		return;

	for (size_t i = 0; i < n; i++)
		out[i] = sat(step(ec, cap[i], ref[i]));
}
