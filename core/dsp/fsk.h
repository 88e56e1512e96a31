/**
 * @file fsk.h  Continuous-phase FSK modulator, 1200 baud at 8 kHz
 *
 * The two on-hook data standards of caller ID: Bell 202 (mark 1200 Hz,
 * space 2200 Hz) and ITU-T V.23 as ETSI EN 300 659 uses it (mark
 * 1300 Hz, space 2100 Hz). One phase runs through every bit, so a
 * change of frequency never jumps the waveform (no splatter that a
 * receiver's band filter would see as noise). At 8000 samples/s a bit
 * is 6 2/3 samples: the bit clock counts bits and gives bit k the
 * samples from floor(k*20/3) to floor((k+1)*20/3), so timing never
 * drifts, however long the message. Pure: libc and libm only.
 */
#ifndef ATA_FSK_H
#define ATA_FSK_H

#include <stddef.h>
#include <stdint.h>

enum fsk_std {
	FSK_BELL202 = 0,
	FSK_V23,
};

enum {
	FSK_SRATE       = 8000,
	FSK_BAUD        = 1200,
	FSK_BIT_MAX     = 7,      /**< most samples one bit takes */
	FSK_BYTE_BITS   = 10,     /**< 8N1: start, 8 data, stop  */
};

struct fsk_mod {
	double phase;             /**< radians, carried over bits */
	double w_mark, w_space;   /**< radians per sample         */
	double amp;               /**< peak, 16-bit scale         */
	uint64_t nbits;           /**< the bit clock              */
};

void   fsk_mod_init(struct fsk_mod *m, enum fsk_std std, int level_cdb);
size_t fsk_mod_bit(struct fsk_mod *m, int bit, int16_t *out);
size_t fsk_mod_byte(struct fsk_mod *m, uint8_t byte, int16_t *out);
size_t fsk_samples(size_t nbits);
unsigned fsk_mark_hz(enum fsk_std std);
unsigned fsk_space_hz(enum fsk_std std);

#endif
