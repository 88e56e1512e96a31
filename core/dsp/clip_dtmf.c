/**
 * @file clip_dtmf.c  DTMF caller ID (ETSI EN 300 659-1 annex, Nordic)
 *
 * The format most DTMF CLIP phones read (Denmark, Finland, Sweden,
 * the Netherlands, India...): 'A', the number's digits, 'C'. Without a
 * number, 'B' and a two-digit reason: "00" unavailable, "10" private,
 * then 'C'. Each key sounds CLIP_DTMF_ON_MS, then a pause as long.
 * No name and no date travel this way.
 */
#include <math.h>
#include <string.h>
#include "clip.h"
#include "tone.h"


/** The keys to send for @p c into @p keys; returns their count */
size_t clip_dtmf_keys(char *keys, size_t sz, const struct clip_caller *c)
{
	size_t n = 0, i;

	if (!keys || !c || sz < CLIP_DTMF_KEYS)
		return 0;

	if (c->number[0]) {
		keys[n++] = 'A';
		for (i = 0; c->number[i] && i < CLIP_NUMBER_MAX; i++) {
			char k = c->number[i];

			if ((k >= '0' && k <= '9') || k == '*' || k == '#')
				keys[n++] = k;
		}
	}
	else {
		keys[n++] = 'B';
		keys[n++] = c->absent == CLIP_PRIVATE ? '1' : '0';
		keys[n++] = '0';
	}
	keys[n++] = 'C';
	keys[n] = '\0';

	return n;
}


static size_t key_samples(void)
{
	return (CLIP_DTMF_ON_MS + CLIP_DTMF_OFF_MS) * (TONE_SRATE / 1000);
}


/** Samples clip_dtmf_render() writes for @p keys */
size_t clip_dtmf_samples(const char *keys)
{
	return keys ? strlen(keys) * key_samples() : 0;
}


static bool freqs(char k, double *lo, double *hi)
{
	static const char pad[] = "123A456B789C*0#D";
	static const double row[] = {697, 770, 852, 941};
	static const double col[] = {1209, 1336, 1477, 1633};
	const char *p = k ? strchr(pad, k) : NULL;

	if (!p)
		return false;

	*lo = row[(p - pad) / 4];
	*hi = col[(p - pad) % 4];

	return true;
}


/**
 * The keys as tones of @p level_cdb per component (CLIP_DTMF_CDB)
 * into @p out. Returns the samples written; 0 for a key that is not
 * DTMF or when @p max is smaller than clip_dtmf_samples()
 */
size_t clip_dtmf_render(int16_t *out, size_t max, const char *keys,
			int level_cdb)
{
	const size_t on = CLIP_DTMF_ON_MS * (TONE_SRATE / 1000);
	double amp, lo, hi;
	size_t n = 0, i;

	if (!out || !keys || max < clip_dtmf_samples(keys))
		return 0;

	amp = TONE_0DBM0_PEAK * pow(10.0, level_cdb / 2000.0);

	for (; *keys; keys++) {
		if (!freqs(*keys, &lo, &hi))
			return 0;
		for (i = 0; i < key_samples(); i++) {
			double t = (double)i / TONE_SRATE;

			out[n++] = i >= on ? 0 : (int16_t)lrint(amp *
				(sin(2 * M_PI * lo * t) +
				 sin(2 * M_PI * hi * t)));
		}
	}

	return n;
}
