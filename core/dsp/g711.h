/**
 * @file g711.h  G.711 mu-law and A-law, bit-exact to ITU-T G.711
 *
 * The conversions follow the reference algorithm of ITU-T G.191 (g711.c):
 * 16-bit left-justified linear samples, of which mu-law uses the 14 most
 * significant bits and A-law the 13 most significant. Negative samples are
 * quantised on their ones' complement, so -1 encodes to the negative
 * zero code (mu-law 0x7f, A-law 0x55) and 0 to the positive one. Both
 * mu-law zero codes (0x7f, 0xff) decode to 0; 0 re-encodes as 0xff.
 *
 * Decoding is a lookup in a 256-entry const table; encoding finds the
 * segment with a count-leading-zeros, so neither needs a big table.
 */
#ifndef ATA_G711_H
#define ATA_G711_H

#include <stddef.h>
#include <stdint.h>

/** Linear value of each mu-law / A-law code word, 16-bit scale */
extern const int16_t g711_ulaw_table[256];
extern const int16_t g711_alaw_table[256];

/** Decode one mu-law code word */
static inline int16_t g711_ulaw_dec1(uint8_t u)
{
	return g711_ulaw_table[u];
}

/** Decode one A-law code word */
static inline int16_t g711_alaw_dec1(uint8_t a)
{
	return g711_alaw_table[a];
}

/** Encode one linear sample to mu-law (G.191 ulaw_compress) */
static inline uint8_t g711_ulaw_enc1(int16_t x)
{
	/* ones' complement magnitude on the 14-bit scale, biased by 33 */
	uint32_t mag = (uint32_t)((x ^ (x >> 15)) >> 2) + 33;
	uint32_t seg, code;

	if (mag > 0x1fff)
		mag = 0x1fff;

	/* mag >= 33: bit length 6 is segment 0, 13 is segment 7 */
	seg  = 26 - (uint32_t)__builtin_clz(mag);
	code = (seg << 4) | ((mag >> (seg + 1)) & 0x0f);
	code ^= 0x7f;

	return (uint8_t)(x >= 0 ? code | 0x80 : code);
}

/** Encode one linear sample to A-law (G.191 alaw_compress) */
static inline uint8_t g711_alaw_enc1(int16_t x)
{
	/* ones' complement magnitude on the 12-bit scale (0..2047) */
	uint32_t mag = (uint32_t)((x ^ (x >> 15)) >> 4);
	uint32_t code = mag;

	if (mag > 15) {
		/* bit length 5 is segment 1, 11 is segment 7 */
		uint32_t seg = 28 - (uint32_t)__builtin_clz(mag);

		code = (seg << 4) | ((mag >> (seg - 1)) & 0x0f);
	}

	if (x >= 0)
		code |= 0x80;

	return (uint8_t)(code ^ 0x55);
}

void g711_ulaw_encode(uint8_t *dst, const int16_t *src, size_t n);
void g711_ulaw_decode(int16_t *dst, const uint8_t *src, size_t n);
void g711_alaw_encode(uint8_t *dst, const int16_t *src, size_t n);
void g711_alaw_decode(int16_t *dst, const uint8_t *src, size_t n);

#endif
