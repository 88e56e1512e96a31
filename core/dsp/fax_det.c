/**
 * @file fax_det.c  Fax and modem tone detector (ANS, ANSam, CNG)
 *
 * Each tone has a tracker that correlates every 10 ms block with the
 * nominal frequency. Both 2100 and 1100 Hz make a whole number of
 * cycles in 80 samples, so the reference phase is the same at every
 * block start: a steady tone shows the same phase block after block,
 * turned by 2 pi f_off / 100 when it is f_off Hz off (unambiguous to
 * +-50 Hz), and a phase reversal turns it by pi once.
 *
 * A block is good when the tone holds at least half of its power and
 * is loud enough (2 |Z|^2 / N^2 is a sine's mean square, as in
 * dtmf_det.c). A run of good blocks must keep its phase advance within
 * pi/4 of the tracked one, and its frequency within the tone's
 * tolerance; a jump near pi is a reversal (ANS only, at most one per
 * 400 ms). Up to MISS_MAX blocks in a row may fail while the signal
 * stays loud: the block a reversal falls in cancels itself. Anything
 * else ends the run. Speech puts its power in the first formants and
 * moves its harmonics with the pitch, DTMF splits its power between
 * two tones far from both bins: neither keeps a run going for long.
 *
 * ANSam: the envelope (the tone's amplitude per block) of good blocks
 * not next to a reversal varies by 20 % at 15 Hz; a depth over AM_MIN
 * of its extremes says ANSam.
 *
 * Cost: a block too quiet for either tone to be good (block()'s energy
 * gate) costs its sum of squares only; the two correlations (four
 * floats at a time) run on louder blocks.
 */
#include <math.h>
#include <string.h>
#include <re.h>
#include "fax_det.h"

enum {
	N = FAX_DET_BLOCK,
	MS_PER_BLOCK = N * 1000 / FAX_DET_SRATE,
	MISS_MAX = 2,        /* failed blocks a run survives        */
	REV_MIN = 40,        /* blocks between two reversals (450 ms) */
	AM_BLOCKS = 10,      /* envelopes before a depth is trusted */
};

/* 0 dBm0 sine: peak 22657 (tone.h), mean square 22657^2 / 2 */
#define PWR_0DBM0  256669825.0f
#define PWR_MIN    (PWR_0DBM0 * 5.01e-4f)    /* -33 dBm0             */
#define SHARE_MIN  0.5f                      /* of the block's power */
#define DEV_OK     0.785f                    /* pi / 4               */
#define DEV_REV    2.094f                    /* 2 pi / 3             */
#define AM_MIN     0.1f                      /* ANSam: 0.2 nominal   */
#define TWO_PI     6.2831853f

struct track {
	float cosv[N], sinv[N];   /* e^-jwn over one block          */
	float max_dph;            /* frequency tolerance, per block */
	bool ans;                 /* reversals and AM: the 2100 Hz  */

	uint32_t run;             /* blocks in the run, 0: none     */
	uint32_t miss;            /* failed blocks in a row         */
	float ph;                 /* phase of the last good block   */
	uint32_t since;           /* blocks since that one          */
	float dph;                /* phase advance per block        */
	bool have_dph;
	uint32_t nrev, last_rev;  /* reversals; run block of the last */
	float env_pend;           /* envelope waiting for its next  */
	bool pend;
	float env_min, env_max;
	uint32_t nenv;
	bool told, told_rev;
};

struct fax_det {
	struct track ans, cng;
	int16_t blk[N];
	size_t nblk;
	fax_det_h *h;
	void *arg;
	uint64_t tracked;         /* blocks past the energy gate    */
};


static void track_init(struct track *t, double freq, double tol_hz,
		       bool ans)
{
	for (int i = 0; i < N; i++) {
		double w = 2.0 * M_PI * freq * i / FAX_DET_SRATE;

		t->cosv[i] = (float)cos(w);
		t->sinv[i] = (float)sin(w);
	}
	t->max_dph = (float)(2.0 * M_PI * tol_hz * N / FAX_DET_SRATE);
	t->ans = ans;
}


int fax_det_alloc(struct fax_det **dp, fax_det_h *h, void *arg)
{
	struct fax_det *d;

	if (!dp || !h)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;

	/* V.25: 2100 +- 15 Hz; T.30: 1100 +- 38 Hz; with some room */
	track_init(&d->ans, 2100, 25, true);
	track_init(&d->cng, 1100, 45, false);
	d->h = h;
	d->arg = arg;
	*dp = d;

	return 0;
}


static void run_clear(struct track *t)
{
	t->run = 0;
	t->miss = 0;
	t->have_dph = false;
	t->nrev = 0;
	t->pend = false;
	t->nenv = 0;
	t->told = false;
	t->told_rev = false;
}


void fax_det_reset(struct fax_det *d)
{
	if (!d)
		return;

	run_clear(&d->ans);
	run_clear(&d->cng);
	d->nblk = 0;
}


static float wrap(float a)
{
	while (a > (float)M_PI)
		a -= TWO_PI;
	while (a <= -(float)M_PI)
		a += TWO_PI;

	return a;
}


static uint32_t run_ms(const struct track *t)
{
	return (t->run - t->miss) * MS_PER_BLOCK;
}


static bool am_seen(const struct track *t)
{
	float sum = t->env_max + t->env_min;

	return t->nenv >= AM_BLOCKS && sum > 0 &&
		(t->env_max - t->env_min) / sum >= AM_MIN;
}


static void report(struct fax_det *d, struct track *t)
{
	struct fax_det_result res = {
		.tone = t->ans ? FAX_TONE_ANS : FAX_TONE_CNG,
		.reversals = t->nrev > 0,
		.am = t->ans && am_seen(t),
		.dur_ms = run_ms(t),
	};

	d->h(&res, d->arg);
}


/* The run is over: a CNG burst of the right length is one */
static void run_end(struct fax_det *d, struct track *t)
{
	uint32_t ms = run_ms(t);

	if (!t->ans && t->run && ms >= FAX_DET_CNG_MIN_MS &&
	    ms <= FAX_DET_CNG_MAX_MS)
		report(d, t);
	run_clear(t);
}


static void env_commit(struct track *t)
{
	if (!t->pend)
		return;

	if (!t->nenv || t->env_pend < t->env_min)
		t->env_min = t->env_pend;
	if (!t->nenv || t->env_pend > t->env_max)
		t->env_max = t->env_pend;
	++t->nenv;
	t->pend = false;
}


/* A good block's phase against the run's: false if it breaks the run */
static bool phase_fits(struct track *t, float phase, float env)
{
	float dev;

	if (!t->have_dph) {
		dev = wrap(phase - t->ph);
		if (t->since != 1 || fabsf(dev) > t->max_dph)
			return false;
		t->dph = dev;
		t->have_dph = true;
		t->env_pend = env;
		t->pend = true;
		return true;
	}

	dev = wrap(phase - t->ph - (float)t->since * t->dph);
	if (fabsf(dev) < DEV_OK) {
		if (t->since == 1)
			t->dph += dev / 4;
		env_commit(t);
		t->env_pend = env;
		t->pend = true;
		return fabsf(t->dph) <= t->max_dph;
	}

	if (!t->ans || fabsf(dev) < DEV_REV ||
	    (t->nrev && t->run - t->last_rev < REV_MIN))
		return false;

	/* a reversal: the envelopes next to it are not the tone's */
	++t->nrev;
	t->last_rev = t->run;
	t->pend = false;

	return true;
}


/*
 * The sums go four floats at a time (GCC's vector extension, as in
 * echo_can.c: SSE on x86-64, NEON where the target has it, scalar
 * elsewhere; at -O2 GCC keeps a float sum's order and would not
 * vectorise it): a block (N, a multiple of 8) in 20 steps, not 80.
 */
typedef float vf4 __attribute__((vector_size(16)));
_Static_assert(FAX_DET_BLOCK % 4 == 0, "whole vectors a block");

static inline vf4 ld(const float *p)
{
	vf4 v;

	memcpy(&v, p, sizeof(v));
	return v;
}


static inline float lanes(vf4 v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}


static void track_block(struct fax_det *d, struct track *t,
			const float *x, float ms)
{
	vf4 vr = {0}, vi = {0};
	float re, im, pwr, phase;
	bool good;

	for (int i = 0; i < N; i += 4) {
		vf4 v = ld(x + i);

		vr += v * ld(t->cosv + i);
		vi += v * ld(t->sinv + i);
	}
	re = lanes(vr);
	im = -lanes(vi);
	pwr = 2.0f * (re * re + im * im) / (float)(N * N);
	good = pwr >= PWR_MIN && pwr >= SHARE_MIN * ms;

	if (!good) {
		if (!t->run)
			return;
		if (ms < PWR_MIN || t->miss >= MISS_MAX) {
			run_end(d, t);
			return;
		}
		++t->miss;
		++t->run;
		++t->since;
		return;
	}

	phase = atan2f(im, re);
	if (t->run && !phase_fits(t, phase, sqrtf(pwr)))
		run_end(d, t);

	if (!t->run) {
		t->pend = false;
		t->nenv = 0;
	}
	t->miss = 0;
	t->ph = phase;
	t->since = 1;
	++t->run;

	if (!t->ans)
		return;

	if (!t->told && run_ms(t) >= FAX_DET_ANS_MS &&
	    (t->nrev || run_ms(t) >= FAX_DET_ANS_WAIT_MS)) {
		t->told = true;
		t->told_rev = t->nrev > 0;
		report(d, t);
	}
	else if (t->told && !t->told_rev && t->nrev) {
		t->told_rev = true;
		report(d, t);
	}
}


/*
 * The energy gate, as in dtmf_det.c: a tone's power in a block cannot
 * exceed twice the block's mean square (Cauchy-Schwarz: |Z|^2 <= N *
 * sum x^2 with |e^-jwn| = 1), so a block under PWR_MIN / 2 holds no
 * good block for either tracker, and one under PWR_MIN ends their runs:
 * track_block() would do exactly that, after both correlations. Set a
 * further factor 2 lower for float rounding. Silence, line noise and
 * quiet speech (most of a call) then cost a sum of squares a block.
 */
static void block(struct fax_det *d, const int16_t *x)
{
	float xf[N];
	vf4 ve = {0};
	float ms;

	for (int i = 0; i < N; i++)
		xf[i] = x[i];
	for (int i = 0; i < N; i += 4) {
		vf4 v = ld(xf + i);

		ve += v * v;
	}
	ms = lanes(ve) / N;

	if (ms < PWR_MIN / 4) {
		if (d->ans.run)
			run_end(d, &d->ans);
		if (d->cng.run)
			run_end(d, &d->cng);
		return;
	}

	++d->tracked;
	track_block(d, &d->ans, xf, ms);
	track_block(d, &d->cng, xf, ms);
}


/** Blocks the trackers correlated (not gated off as too quiet): tests */
uint64_t fax_det_tracked(const struct fax_det *d)
{
	return d ? d->tracked : 0;
}


void fax_det_process(struct fax_det *d, const int16_t *pcm, size_t n)
{
	if (!d || !pcm)
		return;

	while (n) {
		size_t k = N - d->nblk;

		if (k > n)
			k = n;
		memcpy(d->blk + d->nblk, pcm, k * sizeof(*pcm));
		d->nblk += k;
		pcm += k;
		n -= k;

		if (d->nblk == N) {
			block(d, d->blk);
			d->nblk = 0;
		}
	}
}


const char *fax_det_name(const struct fax_det_result *res)
{
	if (!res)
		return "none";

	switch (res->tone) {

	case FAX_TONE_ANS:
		return res->reversals ? "ans-pr" : "ans";

	case FAX_TONE_CNG:
		return "cng";

	default:
		return "none";
	}
}
