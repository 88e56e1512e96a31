/** @file tone.c  Call-progress tone generator: summed sines and cadence */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <re.h>

#include "tone.h"

/*
 * Each component is a 32-bit phase accumulator reading a 1024-entry sine
 * table with linear interpolation (error below -95 dBFS), so the per-sample
 * path is integer-only, never calls libm, and is exactly reproducible: a
 * fill of n1 then n2 samples equals one fill of n1 + n2.
 */
enum {
	SINE_BITS = 10,
	SINE_LEN  = 1 << SINE_BITS,
	FRAC_BITS = 32 - SINE_BITS,
};

struct tone_gen {
	struct ata_tone_spec spec;
	uint32_t phase[ATA_TONE_MAX_FREQS];
	uint32_t inc[ATA_TONE_MAX_FREQS];
	int32_t amp[ATA_TONE_MAX_FREQS];     /* peak, 16-bit scale     */
	uint32_t seg_len[ATA_TONE_MAX_CADENCE]; /* samples               */
	unsigned nseg;                       /* 0 = continuous (now)   */
	unsigned nseg_cad;                   /* the cadence's periods  */
	uint32_t cad_len;                    /* steady after, samples  */
	uint32_t cad_pos;                    /* samples of cadence     */
	unsigned seg;                        /* current cadence period */
	uint32_t seg_pos;                    /* samples into it        */
	bool after_off;                      /* last sample was silence */
};

static int16_t sine_table[SINE_LEN + 1];
static pthread_once_t sine_once = PTHREAD_ONCE_INIT;


static void sine_init(void)
{
	for (int i = 0; i <= SINE_LEN; i++)
		sine_table[i] = (int16_t)lrint(32767.0 *
					      sin(2.0 * M_PI * i / SINE_LEN));
}


static inline int32_t sine_q15(uint32_t phase)
{
	uint32_t i = phase >> FRAC_BITS;
	int32_t frac = (int32_t)((phase >> (FRAC_BITS - 15)) & 0x7fff);
	int32_t a = sine_table[i], b = sine_table[i + 1];

	return a + (((b - a) * frac) >> 15);
}


static void fmt_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}


/**
 * Check a tone spec against the generator's limits
 *
 * @param spec  Tone spec
 * @param err   Buffer for a message naming the bad field (may be NULL)
 * @param errsz Size of @p err
 *
 * @return true if tone_gen_alloc() accepts @p spec
 */
bool tone_spec_valid(const struct ata_tone_spec *spec, char *err,
		     size_t errsz)
{
	if (!spec) {
		fmt_err(err, errsz, "no tone spec");
		return false;
	}

	if (spec->nfreq < 1 || spec->nfreq > ATA_TONE_MAX_FREQS) {
		fmt_err(err, errsz, "%u frequencies (want 1..%d)",
			spec->nfreq, ATA_TONE_MAX_FREQS);
		return false;
	}

	for (unsigned i = 0; i < spec->nfreq; i++) {
		if (spec->freq[i] < TONE_FREQ_MIN ||
		    spec->freq[i] > TONE_FREQ_MAX) {
			fmt_err(err, errsz, "frequency %u Hz out of %d..%d",
				spec->freq[i], TONE_FREQ_MIN, TONE_FREQ_MAX);
			return false;
		}
	}

	if (spec->level < TONE_LEVEL_MIN || spec->level > TONE_LEVEL_MAX) {
		fmt_err(err, errsz, "level %d dBm0 out of %d..%d",
			spec->level, TONE_LEVEL_MIN, TONE_LEVEL_MAX);
		return false;
	}

	if (spec->steady_ms > TONE_CADENCE_MS_MAX) {
		fmt_err(err, errsz, "steady after %u ms (max %d)",
			spec->steady_ms, TONE_CADENCE_MS_MAX);
		return false;
	}

	if (spec->ncadence > ATA_TONE_MAX_CADENCE) {
		fmt_err(err, errsz, "%u cadence periods (max %d)",
			spec->ncadence, ATA_TONE_MAX_CADENCE);
		return false;
	}

	for (unsigned i = 0; i < spec->ncadence; i++) {
		if (spec->cadence_ms[i] > TONE_CADENCE_MS_MAX) {
			fmt_err(err, errsz, "cadence period %u ms (max %d)",
				spec->cadence_ms[i], TONE_CADENCE_MS_MAX);
			return false;
		}
	}

	return true;
}


/**
 * Restart a tone from the beginning of its cadence, at phase zero
 *
 * @param tg Tone generator
 */
void tone_gen_reset(struct tone_gen *tg)
{
	if (!tg)
		return;

	memset(tg->phase, 0, sizeof(tg->phase));
	tg->seg = 0;
	tg->seg_pos = 0;
	tg->after_off = false;
	tg->nseg = tg->nseg_cad;
	tg->cad_pos = 0;
}


/**
 * Allocate a generator for one tone (8000 Hz, S16)
 *
 * A cadence lists on, off, on, off... periods in ms and repeats; an odd
 * count makes the last (on) period run into the first. Zero-length
 * periods are skipped; a cadence of only zeros, or none, is continuous.
 *
 * @param tgp  Pointer to allocated generator
 * @param spec Tone spec, copied
 *
 * @return 0 if success, EINVAL for a bad spec, ENOMEM
 */
int tone_gen_alloc(struct tone_gen **tgp, const struct ata_tone_spec *spec)
{
	struct tone_gen *tg;
	uint64_t total = 0;

	if (!tgp || !tone_spec_valid(spec, NULL, 0))
		return EINVAL;

	tg = mem_zalloc(sizeof(*tg), NULL);
	if (!tg)
		return ENOMEM;

	(void)pthread_once(&sine_once, sine_init);

	tg->spec = *spec;

	for (unsigned i = 0; i < spec->nfreq; i++) {
		uint64_t f = (uint64_t)spec->freq[i] << 32;

		tg->inc[i] = (uint32_t)((f + TONE_SRATE / 2) / TONE_SRATE);
		tg->amp[i] = (int32_t)lrint(TONE_0DBM0_PEAK *
					    pow(10.0, spec->level / 20.0));
	}

	for (unsigned i = 0; i < spec->ncadence; i++) {
		tg->seg_len[i] = spec->cadence_ms[i] * (TONE_SRATE / 1000);
		total += tg->seg_len[i];
	}

	tg->nseg = tg->nseg_cad = total ? spec->ncadence : 0;
	tg->cad_len = spec->steady_ms * (TONE_SRATE / 1000);

	*tgp = tg;

	return 0;
}


static void gen_sines(struct tone_gen *tg, int16_t *buf, size_t n)
{
	const unsigned nfreq = tg->spec.nfreq;

	for (size_t k = 0; k < n; k++) {
		int32_t sum = 0;

		for (unsigned i = 0; i < nfreq; i++) {
			int32_t s = sine_q15(tg->phase[i]);

			sum += (s * tg->amp[i] + (1 << 14)) >> 15;
			tg->phase[i] += tg->inc[i];
		}

		/* several components at a high level may clip */
		if (sum > INT16_MAX)
			sum = INT16_MAX;
		else if (sum < INT16_MIN)
			sum = INT16_MIN;

		buf[k] = (int16_t)sum;
	}
}


/**
 * Generate the next @p n samples of the tone
 *
 * Allocation-free; off periods are exact zeros, and each on period that
 * follows a silence starts at phase zero (a sine's zero crossing), so
 * every burst is alike and starts without a click. A spec with
 * steady_ms plays its cadence that long, then the tone without breaks.
 *
 * @param tg  Tone generator
 * @param buf Destination, @p n samples
 * @param n   Number of samples
 */
void tone_gen_fill(struct tone_gen *tg, int16_t *buf, size_t n)
{
	if (!tg || !buf)
		return;

	while (n) {
		uint32_t left;
		size_t chunk;

		if (!tg->nseg) {
			if (tg->after_off)
				memset(tg->phase, 0, sizeof(tg->phase));
			tg->after_off = false;
			gen_sines(tg, buf, n);
			return;
		}

		left = tg->seg_len[tg->seg] - tg->seg_pos;
		if (tg->cad_len && tg->cad_len - tg->cad_pos < left)
			left = tg->cad_len - tg->cad_pos;
		chunk = n < left ? n : left;

		/* a zero-length period plays nothing and changes nothing */
		if (chunk && tg->seg % 2 == 0) {
			if (tg->after_off)
				memset(tg->phase, 0, sizeof(tg->phase));
			tg->after_off = false;
			gen_sines(tg, buf, chunk);
		}
		else if (chunk) {
			tg->after_off = true;
			memset(buf, 0, chunk * sizeof(*buf));
		}

		buf += chunk;
		n -= chunk;
		tg->seg_pos += (uint32_t)chunk;
		tg->cad_pos += (uint32_t)chunk;

		if (tg->cad_len && tg->cad_pos >= tg->cad_len) {
			tg->nseg = 0;       /* the cadence is over: steady */
			continue;
		}

		if (tg->seg_pos < tg->seg_len[tg->seg])
			continue;

		/* next non-empty period; the cadence has at least one */
		do {
			tg->seg = (tg->seg + 1) % tg->nseg;
		} while (!tg->seg_len[tg->seg]);

		tg->seg_pos = 0;
	}
}
