/**
 * @file clip_cas.c  The CPE alerting signal (CAS) of type II caller ID
 *
 * 2130 Hz + 2750 Hz for 80 ms (Bell GR-30 / GR-575 and ETSI EN 300
 * 659-2 alike): a phone that can show caller ID while off-hook answers
 * it with DTMF 'A' or 'D', and then gets the FSK.
 */
#include <math.h>
#include "clip.h"
#include "tone.h"


/** Samples clip_cas_render() writes */
size_t clip_cas_samples(void)
{
	return CLIP_CAS_MS * (TONE_SRATE / 1000);
}


/**
 * The CAS at @p level_cdb per component (CLIP_CAS_CDB) into @p out.
 * Returns the samples written, 0 when @p max is too small
 */
size_t clip_cas_render(int16_t *out, size_t max, int level_cdb)
{
	const size_t n = clip_cas_samples();
	double amp;
	size_t i;

	if (!out || max < n)
		return 0;

	amp = TONE_0DBM0_PEAK * pow(10.0, level_cdb / 2000.0);
	for (i = 0; i < n; i++) {
		double t = (double)i / TONE_SRATE;

		out[i] = (int16_t)lrint(amp * (sin(2 * M_PI * 2130 * t) +
					       sin(2 * M_PI * 2750 * t)));
	}

	return n;
}
