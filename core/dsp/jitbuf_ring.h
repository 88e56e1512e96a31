/**
 * @file jitbuf_ring.h  The jitter buffer's ring: samples and a filled bit
 *
 * Slots are indexed modulo a power of two (mask = size - 1); every
 * operation takes a start slot and a count and handles the wrap, a word
 * of 64 slots at a time for the bits and one memcpy per piece for the
 * samples, so a 20 ms frame costs a few dozen instructions, not a loop
 * per sample.
 */
#ifndef ATA_JITBUF_RING_H
#define ATA_JITBUF_RING_H

#include <stdbool.h>
#include <stdint.h>

/** Set (@p on) or clear the bits of @p n slots from slot @p k */
void jitbuf_ring_mark(uint64_t *bits, uint32_t mask, uint32_t k, uint32_t n,
		      bool on);
/** How many slots from @p k (at most @p n) have their bit == @p on */
uint32_t jitbuf_ring_run(const uint64_t *bits, uint32_t mask, uint32_t k,
			 uint32_t n, bool on);
/** Copy @p n samples into the ring at slot @p k */
void jitbuf_ring_write(int16_t *ring, uint32_t mask, uint32_t k,
		       const int16_t *src, uint32_t n);
/** Copy @p n samples out of the ring from slot @p k */
void jitbuf_ring_read(const int16_t *ring, uint32_t mask, uint32_t k,
		      int16_t *dst, uint32_t n);

#endif
