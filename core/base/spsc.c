/**
 * @file spsc.c  A ring from one thread to one other, no lock, no allocation
 *
 * What the line's media thread hands the main loop (digits, fax tones,
 * RTCP figures) and back (digits to send): one producer, one consumer,
 * neither may wait. Free-running indexes (unsigned wrap-around: head -
 * tail is the fill), each written by its side only, published with
 * release and read with acquire, so an element is complete before the
 * other side sees it. A full ring refuses (the producer drops and
 * counts, it never waits).
 */
#include <string.h>
#include "spsc.h"


void spsc_init(struct spsc *q, void *buf, unsigned cap, size_t size)
{
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	q->cap = cap;
	q->size = size;
	q->buf = buf;
}


/** Producer: copy @p e in; false when full */
bool spsc_push(struct spsc *q, const void *e)
{
	unsigned h = atomic_load_explicit(&q->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&q->tail, memory_order_acquire) >= q->cap)
		return false;

	memcpy(q->buf + (size_t)(h % q->cap) * q->size, e, q->size);
	atomic_store_explicit(&q->head, h + 1, memory_order_release);

	return true;
}


/** Consumer: copy the oldest out into @p e; false when empty */
bool spsc_pop(struct spsc *q, void *e)
{
	unsigned t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (t == atomic_load_explicit(&q->head, memory_order_acquire))
		return false;

	memcpy(e, q->buf + (size_t)(t % q->cap) * q->size, q->size);
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);

	return true;
}


/** Consumer: drop everything queued */
void spsc_clear(struct spsc *q)
{
	atomic_store_explicit(&q->tail,
			      atomic_load_explicit(&q->head,
						   memory_order_acquire),
			      memory_order_release);
}
