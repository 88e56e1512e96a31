/**
 * @file dtmf_det.c  In-band DTMF detector (Goertzel) for 8 kHz S16 audio
 *
 * Why 102-sample blocks (12.75 ms): a press needs two consecutive
 * blocks that show the key, each with at least 90 % of its power in
 * the two tones (a block only partly covered by the tone has no more
 * of it than that part), so the tone must cover 2 x 92 samples: tones
 * shorter than 23 ms are refused, while a 40 ms tone (320 samples)
 * holds two whole blocks in any alignment. The bins (78 Hz wide)
 * still separate the 73 Hz spaced rows by more than the 8 dB relative
 * peak test needs; longer blocks could not meet both durations.
 *
 * Frequency: besides each nominal frequency f, bins at f * (1 -+ 5 %)
 * are run; a tone passes when its nominal bin is stronger than both
 * of them, i.e. when it lies nearer to f than to them: within
 * +-2.5 %, between the 1.5 % to accept and the 3.5 % to reject. Its
 * power is the best of the bins at f and f * (1 -+ 1 %), so a tone
 * 1.5 % off loses under 3 % of it (the nominal bin alone: up to 28 %
 * at 1633 Hz) and twist and energy share do not depend on the offset.
 *
 * Twist is refused beyond 10 dB normal and 6 dB reverse: the 8 and
 * 4 dB to accept plus room for the rectangular window's leakage from
 * the other tone (up to 1.5 dB at the nearest pair).
 *
 * Levels are compared as powers (mean square, 2 |X|^2 / N^2 is a
 * sine's A^2 / 2), so every test is independent of the signal level
 * above the floor.
 *
 * Cost: the 40 Goertzel bins are run over a block only when its energy
 * allows a key at all. A bin's power cannot exceed twice the block's
 * mean square (Cauchy-Schwarz: |X|^2 <= N * sum x^2), so a block whose
 * mean square is under PWR_MIN / 2 cannot hold a tone of PWR_MIN; the
 * gate is set a further factor 2 lower for float rounding. Silence and
 * line noise (most of a call) then cost a sum of squares, not 40 filters
 * per sample (measured 21,000 instructions a 20 ms packet before), and
 * the result is the same as with every block analysed.
 */
#include <math.h>
#include <string.h>
#include <re.h>
#include "dtmf_det.h"

enum {
	NTONE = 8,             /* rows 0-3, columns 4-7 */
	NB = 5,                /* bins per tone, see mult[]    */
	NBIN = NB * NTONE,
	HIT_BLOCKS = 2,        /* blocks that make a press    */
	MISS_BLOCKS = 2,       /* blocks that end it          */
};

/* 0 dBm0 sine: peak 22657 (tone.h), mean square 22657^2 / 2 */
#define PWR_0DBM0    256669825.0f
#define PWR_MIN      (PWR_0DBM0 * 3.16e-4f)  /* -35 dBm0 per tone      */
#define TWIST_NORMAL 10.0f                   /* 10 dB: 8 dB + margin   */
#define TWIST_REV    3.98f                   /* 6 dB: 4 dB + margin    */
#define REL_PEAK     6.31f                   /* 8 dB over other tones  */
#define SHARE_MIN    0.9f                    /* of the block's power   */
/* block energy (sum of squares) below which no tone reaches PWR_MIN */
#define ENERGY_GATE  (PWR_MIN / 4.0f * DTMF_DET_BLOCK)

/* a tone's bins: the frequency test's sides, its power's near ones */
static const float mult[NB] = {0.95f, 0.99f, 1.0f, 1.01f, 1.05f};

static const float freqv[NTONE] = {
	697, 770, 852, 941, 1209, 1336, 1477, 1633
};

static const char keymap[4][4] = {
	{'1', '2', '3', 'A'},
	{'4', '5', '6', 'B'},
	{'7', '8', '9', 'C'},
	{'*', '0', '#', 'D'},
};

struct dtmf_det {
	float coef[NBIN];
	float s1[NBIN], s2[NBIN];  /* Goertzel state after a block */
	int16_t blk[DTMF_DET_BLOCK];  /* the block so far          */
	uint64_t energy;        /* sum of squares of the block */
	size_t nblk;            /* samples in the block so far */
	char cand;              /* key of the last blocks      */
	uint32_t cand_n;        /* consecutive blocks of it    */
	char down;              /* key reported pressed        */
	uint32_t down_n;        /* blocks since its first hit  */
	uint32_t miss_n;        /* blocks without it           */
	dtmf_det_h *h;
	void *arg;
};


static uint32_t blocks_ms(uint32_t n)
{
	return (uint32_t)((uint64_t)n * DTMF_DET_BLOCK * 1000 /
			  DTMF_DET_SRATE);
}


/** Allocate a detector calling @p h for each press and release */
int dtmf_det_alloc(struct dtmf_det **dp, dtmf_det_h *h, void *arg)
{
	struct dtmf_det *d;
	size_t i;

	if (!dp || !h)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), NULL);
	if (!d)
		return ENOMEM;

	for (i = 0; i < NTONE; i++) {
		for (size_t k = 0; k < NB; k++) {
			double w = 2 * M_PI * freqv[i] * mult[k] /
				DTMF_DET_SRATE;

			d->coef[NB * i + k] = (float)(2 * cos(w));
		}
	}
	d->h = h;
	d->arg = arg;
	*dp = d;

	return 0;
}


/* Power of bin @p b over the block, as a sine's mean square */
static float bin_power(const struct dtmf_det *d, size_t b)
{
	float s1 = d->s1[b], s2 = d->s2[b];
	float x2 = s1 * s1 + s2 * s2 - d->coef[b] * s1 * s2;

	return 2.0f * x2 / (float)(DTMF_DET_BLOCK * DTMF_DET_BLOCK);
}


/* Best of tones [lo, lo + 4): its index, or -1 if another is near it */
static int best_of(const float *pwr, size_t lo)
{
	size_t best = lo;

	for (size_t i = lo + 1; i < lo + 4; i++) {
		if (pwr[i] > pwr[best])
			best = i;
	}
	for (size_t i = lo; i < lo + 4; i++) {
		if (i != best && pwr[i] * REL_PEAK > pwr[best])
			return -1;
	}

	return (int)best;
}


/* The nominal bin of tone @p t is above both its side bins */
static bool on_freq(const struct dtmf_det *d, size_t t)
{
	float p = bin_power(d, NB * t + 2);

	return p > bin_power(d, NB * t) && p > bin_power(d, NB * t + 4);
}


/*
 * A tone's power: the best of its bins at f and f -+ 1 %; within 1.5 %
 * a tone is at most 0.5 % off one of them and loses under 3 %
 */
static float tone_power(const struct dtmf_det *d, size_t t)
{
	float p = bin_power(d, NB * t + 1);

	for (size_t k = 2; k < 4; k++) {
		float q = bin_power(d, NB * t + k);

		if (q > p)
			p = q;
	}

	return p;
}


/* The key the finished block shows, or '\0' */
static char block_key(const struct dtmf_det *d)
{
	float nom[NTONE], r_pwr, c_pwr, total;
	int r, c;

	for (size_t i = 0; i < NTONE; i++)
		nom[i] = bin_power(d, NB * i + 2);

	/* the neighbours by the nominal bins: the near ones would
	 * reach half way to the next row */
	r = best_of(nom, 0);
	c = best_of(nom, 4);
	if (r < 0 || c < 0)
		return '\0';

	if (!on_freq(d, (size_t)r) || !on_freq(d, (size_t)c))
		return '\0';

	r_pwr = tone_power(d, (size_t)r);
	c_pwr = tone_power(d, (size_t)c);
	if (r_pwr < PWR_MIN || c_pwr < PWR_MIN)
		return '\0';

	/* normal twist: the column (high group) weaker */
	if (r_pwr > c_pwr * TWIST_NORMAL || c_pwr > r_pwr * TWIST_REV)
		return '\0';

	/* talk-off and partial blocks: the pair carries the block */
	total = (float)d->energy / (float)DTMF_DET_BLOCK;
	if (r_pwr + c_pwr < SHARE_MIN * total)
		return '\0';

	return keymap[r][c - 4];
}


static void release(struct dtmf_det *d)
{
	char key = d->down;

	d->down = '\0';
	d->h(key, true, blocks_ms(d->down_n), d->arg);
}


/* Press and release from the blocks' keys */
static void block_done(struct dtmf_det *d, char key)
{
	if (key && key == d->cand) {
		++d->cand_n;
	}
	else {
		d->cand = key;
		d->cand_n = key ? 1 : 0;
	}

	if (d->down) {
		if (key == d->down) {
			++d->down_n;
			d->miss_n = 0;
		}
		else {
			++d->down_n;
			if (++d->miss_n >= MISS_BLOCKS) {
				d->down_n -= d->miss_n;
				release(d);
			}
		}
	}

	if (!d->down && d->cand && d->cand_n >= HIT_BLOCKS) {
		d->down = d->cand;
		d->down_n = d->cand_n;
		d->miss_n = 0;
		d->h(d->down, false, blocks_ms(d->down_n), d->arg);
	}
}


/* Run every bin over the finished block (bin by bin: each one's
   recurrence is its own, so this is what sample by sample would give) */
static void block_filter(struct dtmf_det *d)
{
	for (size_t b = 0; b < NBIN; b++) {
		const float c = d->coef[b];
		float s1 = 0, s2 = 0;

		for (size_t i = 0; i < DTMF_DET_BLOCK; i++) {
			float s = (float)d->blk[i] + c * s1 - s2;

			s2 = s1;
			s1 = s;
		}
		d->s1[b] = s1;
		d->s2[b] = s2;
	}
}


/** Feed @p n samples of 8 kHz audio */
void dtmf_det_process(struct dtmf_det *d, const int16_t *pcm, size_t n)
{
	if (!d || !pcm)
		return;

	while (n) {
		size_t k = DTMF_DET_BLOCK - d->nblk;
		uint64_t e = 0;

		if (k > n)
			k = n;

		/* exact in integers, and a loop the compiler can vectorise */
		for (size_t i = 0; i < k; i++)
			e += (uint64_t)((int32_t)pcm[i] * pcm[i]);
		memcpy(&d->blk[d->nblk], pcm, k * sizeof(*pcm));
		d->energy += e;
		d->nblk += k;
		pcm += k;
		n -= k;

		if (d->nblk < DTMF_DET_BLOCK)
			continue;

		if ((float)d->energy < ENERGY_GATE) {
			block_done(d, '\0');
		}
		else {
			block_filter(d);
			block_done(d, block_key(d));
		}
		d->energy = 0;
		d->nblk = 0;
	}
}


/** Forget the audio so far (a key down is dropped without release) */
void dtmf_det_reset(struct dtmf_det *d)
{
	if (!d)
		return;

	d->energy = 0;
	d->nblk = 0;
	d->cand = d->down = '\0';
	d->cand_n = d->down_n = d->miss_n = 0;
}


/** A key is down or about to be: capture is a tone, not speech */
bool dtmf_det_busy(const struct dtmf_det *d)
{
	return d && (d->down || d->cand);
}
