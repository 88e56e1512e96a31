/**
 * @file fsk.c  Continuous-phase FSK modulator (Bell 202, V.23)
 *
 * Level: @p level_cdb is in hundredths of a dB relative to 0 dBm0, the
 * sine of peak TONE_0DBM0_PEAK (22657, see dsp/tone.h): -1350 gives
 * the -13.5 dBm0 of Bell 202 caller ID and EN 300 659: a peak of
 * 4788.5 (RMS 3386) on the 16-bit scale, about -20.5 dBFS.
 */
#include <math.h>
#include "fsk.h"
#include "tone.h"


unsigned fsk_mark_hz(enum fsk_std std)
{
	return std == FSK_V23 ? 1300 : 1200;
}


unsigned fsk_space_hz(enum fsk_std std)
{
	return std == FSK_V23 ? 2100 : 2200;
}


/** Start a transmission: phase 0, bit clock 0 */
void fsk_mod_init(struct fsk_mod *m, enum fsk_std std, int level_cdb)
{
	if (!m)
		return;

	m->phase = 0.0;
	m->w_mark = 2.0 * M_PI * fsk_mark_hz(std) / FSK_SRATE;
	m->w_space = 2.0 * M_PI * fsk_space_hz(std) / FSK_SRATE;
	m->amp = TONE_0DBM0_PEAK * pow(10.0, level_cdb / 2000.0);
	m->nbits = 0;
}


/** Samples of the first @p nbits bits of a transmission */
size_t fsk_samples(size_t nbits)
{
	return (size_t)((uint64_t)nbits * FSK_SRATE / FSK_BAUD);
}


/**
 * One bit (1 = mark) into @p out, which holds FSK_BIT_MAX samples;
 * returns how many were written (6 or 7)
 */
size_t fsk_mod_bit(struct fsk_mod *m, int bit, int16_t *out)
{
	size_t n, i;
	double w;

	if (!m || !out)
		return 0;

	n = fsk_samples(m->nbits + 1) - fsk_samples(m->nbits);
	w = bit ? m->w_mark : m->w_space;

	for (i = 0; i < n; i++) {
		out[i] = (int16_t)lrint(m->amp * sin(m->phase));
		m->phase += w;
		if (m->phase >= 2.0 * M_PI)
			m->phase -= 2.0 * M_PI;
	}
	++m->nbits;

	return n;
}


/**
 * One byte 8N1 (start bit 0, data LSB first, stop bit 1) into @p out,
 * which holds FSK_BYTE_BITS * FSK_BIT_MAX samples; returns the count
 */
size_t fsk_mod_byte(struct fsk_mod *m, uint8_t byte, int16_t *out)
{
	size_t n;
	int i;

	if (!m || !out)
		return 0;

	n = fsk_mod_bit(m, 0, out);
	for (i = 0; i < 8; i++)
		n += fsk_mod_bit(m, (byte >> i) & 1, out + n);
	n += fsk_mod_bit(m, 1, out + n);

	return n;
}
