/** @file g711.c  G.711 mu-law and A-law block conversion and tables */
#include "g711.h"

/*
 * The decode tables are constant expressions of the G.191 expansion
 * formulas, expanded 256 times by the preprocessor, so they are built at
 * compile time and cannot drift from the algorithm they document.
 */

/* mu-law: code words are stored inverted; exponent, then mantissa */
#define U_INV(c)  (0xff ^ (c))
#define U_EXP(c)  ((U_INV(c) >> 4) & 0x07)
#define U_MANT(c) (U_INV(c) & 0x0f)
/* (0x80 << e) + step * mant + step / 2 - 4 * 33, with step = 8 << e */
#define U_MAG(c)  ((0x80 << U_EXP(c)) + (8 << U_EXP(c)) * U_MANT(c) \
		   + (4 << U_EXP(c)) - 132)
#define ULAW(c)   ((c) & 0x80 ? U_MAG(c) : -U_MAG(c))

/* A-law: even bits are inverted (0x55); segment 0 has no leading one */
#define A_X(c)    ((c) ^ 0x55)
#define A_EXP(c)  ((A_X(c) >> 4) & 0x07)
#define A_MANT(c) ((((A_X(c) & 0x0f) + (A_EXP(c) ? 16 : 0)) << 4) + 8)
/* segments 0 and 1 share one step: the shift is exp - 1 floored at 0,
   written so that no branch of the constant expression shifts by a
   negative count (clang rejects that even where it is not taken) */
#define A_SHIFT(c) (A_EXP(c) > 1 ? A_EXP(c) - 1 : 0)
#define A_MAG(c)  (A_MANT(c) << A_SHIFT(c))
#define ALAW(c)   (A_X(c) & 0x80 ? A_MAG(c) : -A_MAG(c))

#define R4(f, c)   f(c), f((c) + 1), f((c) + 2), f((c) + 3)
#define R16(f, c)  R4(f, c), R4(f, (c) + 4), R4(f, (c) + 8), R4(f, (c) + 12)
#define R64(f, c)  R16(f, c), R16(f, (c) + 16), R16(f, (c) + 32), \
		   R16(f, (c) + 48)
#define R256(f)    R64(f, 0), R64(f, 64), R64(f, 128), R64(f, 192)

const int16_t g711_ulaw_table[256] = { R256(ULAW) };
const int16_t g711_alaw_table[256] = { R256(ALAW) };


/**
 * Encode @p n linear samples to mu-law
 *
 * @param dst Destination, @p n bytes
 * @param src Source, @p n samples
 * @param n   Number of samples
 */
void g711_ulaw_encode(uint8_t *dst, const int16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_ulaw_enc1(src[i]);
}


/**
 * Decode @p n mu-law code words to linear samples
 *
 * @param dst Destination, @p n samples
 * @param src Source, @p n bytes
 * @param n   Number of samples
 */
void g711_ulaw_decode(int16_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;

	/* four at a time: the loop overhead was half the cost */
	for (; i + 4 <= n; i += 4) {
		dst[i]     = g711_ulaw_table[src[i]];
		dst[i + 1] = g711_ulaw_table[src[i + 1]];
		dst[i + 2] = g711_ulaw_table[src[i + 2]];
		dst[i + 3] = g711_ulaw_table[src[i + 3]];
	}
	for (; i < n; i++)
		dst[i] = g711_ulaw_table[src[i]];
}


/**
 * Encode @p n linear samples to A-law
 *
 * @param dst Destination, @p n bytes
 * @param src Source, @p n samples
 * @param n   Number of samples
 */
void g711_alaw_encode(uint8_t *dst, const int16_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = g711_alaw_enc1(src[i]);
}


/**
 * Decode @p n A-law code words to linear samples
 *
 * @param dst Destination, @p n samples
 * @param src Source, @p n bytes
 * @param n   Number of samples
 */
void g711_alaw_decode(int16_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		dst[i]     = g711_alaw_table[src[i]];
		dst[i + 1] = g711_alaw_table[src[i + 1]];
		dst[i + 2] = g711_alaw_table[src[i + 2]];
		dst[i + 3] = g711_alaw_table[src[i + 3]];
	}
	for (; i < n; i++)
		dst[i] = g711_alaw_table[src[i]];
}
