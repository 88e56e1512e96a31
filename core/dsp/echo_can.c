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
 * Cost per sample: two passes over `taps` floats (both estimates in one,
 * the update), four floats at a time, the step gains once per 16
 * samples; no filter while the far end is silent over the whole tail,
 * and no update while it is silent or the near end speaks (Geigel).
 * Measured with callgrind (x86-64, -O2, `make bench` duplex row: a far
 * end 1 s tone, 1 s silence), about 180,000 instructions per 20 ms
 * packet with the 32 ms tail while the far end speaks, 95,000 on
 * average; scalar code with a pass per estimate took 290,000-380,000,
 * the first version (exact IPNLMS normalisation, gains per sample)
 * more again. A period whose reference is quiet (under 16 LSB peak)
 * after a quiet tail is not stepped at all (rest()): a scan of the
 * samples, about 1,000 instructions a packet. Whether to run at all is
 * the line's choice (core/line/line_echo.c: not for a call that does
 * not send, nor on-hook).
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
static const double SILENT_PW = 16. * 16; /* far end silent (mean) */
static const float HANG_MIN = 64.f;     /* Geigel: |capture| floor */

enum {
	QUIET = 16,   /* |ref| below: far end silent (peak), see rest() */
};

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
	size_t quiet;                 /* reference samples in a row < QUIET */
	uint64_t filtered;            /* samples that went through step()  */
};


/*
 * The loops over the tail (both estimates in one pass, the update, the
 * step gains) go four floats at a time: GCC's vector extension, which
 * becomes SSE on x86-64 and NEON where the target has it, plain scalar
 * code elsewhere (the same results but for the order of the float sums;
 * no intrinsics to port). At -O2 GCC 12 vectorises none of these loops
 * by itself (a sum must keep its order; the others need a remainder
 * loop its cheap cost model will not add); the vectors cut the
 * canceller's cost by about three (tests/bench/README.md).
 * The tail is a whole number of Geigel blocks (16 samples), so there is
 * no remainder loop. Loads and stores go through memcpy: x + pos has no
 * alignment, and this keeps the type rules.
 */
typedef float vf4 __attribute__((vector_size(16)));
typedef int32_t vi4 __attribute__((vector_size(16)));

static inline vf4 ld(const float *p)
{
	vf4 v;

	memcpy(&v, p, sizeof(v));
	return v;
}


static inline void st(float *p, vf4 v)
{
	memcpy(p, &v, sizeof(v));
}


static inline float lanes(vf4 v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}


static inline vf4 vabs(vf4 v)
{
	const vi4 m = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};

	return (vf4)((vi4)v & m);
}


/* Both estimates in one pass over x: wb . x into *b, wf . x into *f */
static void dot2(const float *wb, const float *wf, const float *x,
		 size_t n, float *b, float *f)
{
	vf4 b0 = {0}, b1 = {0}, f0 = {0}, f1 = {0};

	for (size_t k = 0; k < n; k += 8) {
		vf4 x0 = ld(x + k), x1 = ld(x + k + 4);

		b0 += ld(wb + k) * x0;
		b1 += ld(wb + k + 4) * x1;
		f0 += ld(wf + k) * x0;
		f1 += ld(wf + k + 4) * x1;
	}

	*b = lanes(b0 + b1);
	*f = lanes(f0 + f1);
}


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
	vf4 l1 = {0}, c0v = {c0, c0, c0, c0}, c1v;
	float c1;

	for (size_t k = 0; k < n; k += 4)
		l1 += vabs(ld(ec->w + k));
	c1 = (1 + ALPHA) / (2.f * lanes(l1) + 1e-3f);
	c1v = (vf4){c1, c1, c1, c1};
	for (size_t k = 0; k < n; k += 4)
		st(ec->g + k, c0v + c1v * vabs(ld(ec->w + k)));
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
	ec->quiet = 0;
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


/* Push a reference sample; keeps its power and the Geigel max */
static inline void push(struct echo_can *ec, float s)
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
	const vf4 sv = {s, s, s, s};
	float *w = ec->w;
	const float *g = ec->g;

	for (size_t k = 0; k < n; k += 4)
		st(w + k, ld(w + k) + sv * ld(g + k) * ld(x + k));
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

	/*
	 * A far end silent over the whole tail leaves no echo to estimate
	 * (the far end is silent for about half a call): under 16 LSB rms
	 * its echo is below G.711's smallest step. Nothing adapts then
	 * either (far is false below).
	 */
	if (ec->pw < SILENT_PW * (double)ec->taps) {
		e = eb = d;
	}
	else {
		float yb, yf;

		dot2(ec->w, ec->wf, x, ec->taps, &yb, &yf);
		eb = d - yb;
		e = d - yf;
	}
	compare(ec, d, e, eb);

	if (fabsf(d) > GEIGEL * ec->xmax && fabsf(d) > HANG_MIN)
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


/* Length of the run of quiet samples at the end of ref[0..n) */
static size_t quiet_tail(const int16_t *ref, size_t n)
{
	size_t k = n;

	while (k && ref[k - 1] < QUIET && ref[k - 1] > -QUIET)
		--k;

	return n - k;
}


/*
 * The far end was silent over the whole tail and stays so for these n
 * samples: no echo can be in them (a reference under QUIET peak has a
 * mean power under SILENT_PW, where step() does not filter either), so
 * the capture passes and nothing adapts (step() would not: the far end
 * is not `far`). What step() would still have kept up is brought along
 * in one go: the powers decay toward the capture's, the double-talk
 * hangover runs down (or restarts on a loud near end), the background
 * level creeps up, the two-path comparison starts afresh. The tail
 * (x, its power and Geigel maxima) is left as it was: it holds quiet
 * samples, as the skipped ones were, and fills with the far end's
 * next words from the first of them. Cost: two passes over n int16.
 */
static void rest(struct echo_can *ec, int16_t *out, const int16_t *cap,
		 size_t n)
{
	const float a = powf(1.f - SMOOTH, (float)n);
	float ms = 0, peak = 0;

	for (size_t i = 0; i < n; i++) {
		float d = cap[i];

		ms += d * d;
		if (fabsf(d) > peak)
			peak = fabsf(d);
	}
	ms /= (float)n;
	if (out != cap)
		memmove(out, cap, n * sizeof(*out));

	ec->px *= a;
	ec->pd = a * ec->pd + (1.f - a) * ms;
	ec->pe = a * ec->pe + (1.f - a) * ms;
	if (peak > GEIGEL * ec->xmax && peak > HANG_MIN)
		ec->hang = HANG;
	else
		ec->hang = ec->hang > n ? ec->hang - (unsigned)n : 0;
	if (ec->pe < ec->noise)
		ec->noise = ec->pe;
	else if (ec->px <= ACT_FLOOR)
		ec->noise *= powf(1.0001f, (float)n);
	if (ec->noise < 1.f)
		ec->noise = 1.f;
	ec->better = 0;
	ec->cmp_n = 0;
	ec->ed = ec->ef = ec->eb = 0;
}


/**
 * Cancel the echo of @p ref in @p cap, @p n samples, into @p out (may
 * be @p cap). While the far end has been silent over the whole tail
 * and stays so (the reference under 16 LSB peak: half of a call, and
 * all of dial tone's pauses), nothing is filtered: the capture passes
 * and the cost is a scan of the samples (rest()).
 */
void echo_can_process(struct echo_can *ec, int16_t *out,
		      const int16_t *cap, const int16_t *ref, size_t n)
{
	size_t q;

	if (!ec || !out || !cap || !ref || !n)
		return;

	q = quiet_tail(ref, n);
	if (q == n && ec->quiet >= ec->taps) {
		ec->quiet += n;
		rest(ec, out, cap, n);
		return;
	}
	ec->quiet = q == n ? ec->quiet + n : q;

	for (size_t i = 0; i < n; i++)
		out[i] = sat(step(ec, cap[i], ref[i]));
	ec->filtered += n;
}


/**
 * Feed @p n reference samples without capture: what the far end said
 * while the canceller did not run (the line's call did not send), so
 * that its tail is current when it runs again. Keeps the filters.
 */
void echo_can_prime(struct echo_can *ec, const int16_t *ref, size_t n)
{
	size_t q;

	if (!ec || !ref)
		return;

	for (size_t i = 0; i < n; i++)
		push(ec, ref[i]);
	q = quiet_tail(ref, n);
	ec->quiet = q == n ? ec->quiet + n : q;
}


/** Samples the filter ran over (not passed as quiet): for tests */
uint64_t echo_can_filtered(const struct echo_can *ec)
{
	return ec ? ec->filtered : 0;
}
