/** @file jitbuf_ring.c  The jitter buffer's ring: samples and a filled bit */
#include <string.h>

#include "jitbuf_ring.h"


/* Bits [k, k + n) of one linear stretch (no wrap) */
static void mark_linear(uint64_t *bits, uint32_t k, uint32_t n, bool on)
{
	while (n) {
		uint32_t off = k & 63, len = 64 - off;
		uint64_t m;

		if (len > n)
			len = n;
		m = (len == 64 ? ~0ULL : ((1ULL << len) - 1)) << off;
		if (on)
			bits[k >> 6] |= m;
		else
			bits[k >> 6] &= ~m;
		k += len;
		n -= len;
	}
}


void jitbuf_ring_mark(uint64_t *bits, uint32_t mask, uint32_t k, uint32_t n,
		      bool on)
{
	uint32_t first;

	k &= mask;
	first = mask + 1 - k;
	if (first > n)
		first = n;
	mark_linear(bits, k, first, on);
	mark_linear(bits, 0, n - first, on);
}


uint32_t jitbuf_ring_run(const uint64_t *bits, uint32_t mask, uint32_t k,
			 uint32_t n, bool on)
{
	uint32_t run = 0;

	while (run < n) {
		uint32_t s = (k + run) & mask, off = s & 63;
		uint64_t w = bits[s >> 6];
		uint32_t len;

		if (!on)
			w = ~w;
		w >>= off;
		/* slots of this word left, from off: the first 0 ends it */
		len = ~w ? (uint32_t)__builtin_ctzll(~w) : 64;
		if (len > 64 - off)
			len = 64 - off;
		run += len;
		if (off + len < 64)
			break;
	}

	return run < n ? run : n;
}


void jitbuf_ring_write(int16_t *ring, uint32_t mask, uint32_t k,
		       const int16_t *src, uint32_t n)
{
	uint32_t first;

	k &= mask;
	first = mask + 1 - k;
	if (first > n)
		first = n;
	memcpy(ring + k, src, first * sizeof(*ring));
	memcpy(ring, src + first, (n - first) * sizeof(*ring));
}


void jitbuf_ring_read(const int16_t *ring, uint32_t mask, uint32_t k,
		      int16_t *dst, uint32_t n)
{
	uint32_t first;

	k &= mask;
	first = mask + 1 - k;
	if (first > n)
		first = n;
	memcpy(dst, ring + k, first * sizeof(*ring));
	memcpy(dst + first, ring, (n - first) * sizeof(*ring));
}
