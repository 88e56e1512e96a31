/**
 * @file triplebuf.c  The latest value from one thread to another, no lock
 *
 * For what the main loop changes in a call and the line's media thread
 * must see at its next period (issue #13: the peer's address, codec,
 * direction, SRTP keys): one writer, one reader, the reader wants only
 * the newest value and may never wait, lock or free. Three slots of
 * the same size, allocated once: the writer owns one (back), the reader
 * one (front), the third is in the middle. Publishing swaps back with
 * the middle and marks it new; reading, when marked, swaps front with
 * the middle. Each side only ever touches its own slot, so a value is
 * never read while written, and both sides are wait-free (one atomic
 * exchange). Values published between two reads are skipped: only the
 * last counts.
 */
#include <stdatomic.h>
#include <string.h>
#include <re.h>
#include "triplebuf.h"

enum {
	SLOT_MASK = 3,
	FRESH = 4,      /* the middle slot holds a value not read yet */
};

struct triplebuf {
	size_t size;
	uint8_t *slot[3];
	unsigned back;        /* the writer's */
	unsigned front;       /* the reader's */
	atomic_uint mid;      /* slot index | FRESH */
	uint8_t mem[];
};


/**
 * Allocate a triple buffer of values of @p size bytes, all zero: the
 * reader sees zeros until the first publish. Returns 0, EINVAL, ENOMEM.
 */
int triplebuf_alloc(struct triplebuf **tbp, size_t size)
{
	struct triplebuf *tb;
	uintptr_t base;
	size_t stride;

	if (!tbp || !size || size > (1u << 20))
		return EINVAL;

	/* each slot on its own cache lines: the two threads never write
	   the same line, except for mid */
	stride = (size + 63) & ~(size_t)63;
	tb = mem_zalloc(sizeof(*tb) + 3 * stride + 63, NULL);
	if (!tb)
		return ENOMEM;

	tb->size = size;
	base = ((uintptr_t)tb->mem + 63) & ~(uintptr_t)63;
	for (unsigned i = 0; i < 3; i++)
		tb->slot[i] = (uint8_t *)(base + i * stride);
	tb->front = 0;
	atomic_init(&tb->mid, 1);
	tb->back = 2;
	*tbp = tb;

	return 0;
}


/** Writer: the slot to fill before triplebuf_publish() */
void *triplebuf_back(struct triplebuf *tb)
{
	return tb ? tb->slot[tb->back] : NULL;
}


/** Writer: what is in the back slot is the newest value now */
void triplebuf_publish(struct triplebuf *tb)
{
	unsigned old;

	if (!tb)
		return;

	old = atomic_exchange_explicit(&tb->mid, tb->back | FRESH,
				       memory_order_acq_rel);
	tb->back = old & SLOT_MASK;
}


/**
 * Reader: the newest value published (zeros before the first);
 * @p changed (may be NULL) says whether it is new since the last call.
 * The pointer stays valid and unchanged until the next call.
 */
const void *triplebuf_front(struct triplebuf *tb, bool *changed)
{
	bool fresh;

	if (!tb)
		return NULL;

	fresh = atomic_load_explicit(&tb->mid, memory_order_relaxed) & FRESH;
	if (fresh) {
		unsigned old = atomic_exchange_explicit(&tb->mid, tb->front,
							memory_order_acq_rel);
		tb->front = old & SLOT_MASK;
	}
	if (changed)
		*changed = fresh;

	return tb->slot[tb->front];
}
