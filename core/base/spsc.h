/**
 * @file spsc.h  A ring from one thread to one other, no lock, no allocation
 */
#ifndef ATA_SPSC_H
#define ATA_SPSC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/** Embed it next to its storage; spsc_init() before use */
struct spsc {
	atomic_uint head;        /* the producer's */
	atomic_uint tail;        /* the consumer's */
	unsigned cap;            /* elements */
	size_t size;             /* bytes an element */
	unsigned char *buf;      /* cap * size, the caller's */
};

void spsc_init(struct spsc *q, void *buf, unsigned cap, size_t size);
bool spsc_push(struct spsc *q, const void *e);
bool spsc_pop(struct spsc *q, void *e);
void spsc_clear(struct spsc *q);

/** A ring of @p cap elements of type @p T, storage included */
#define SPSC_OF(T, cap_) struct { struct spsc q; T v[cap_]; }
#define SPSC_INIT(r) spsc_init(&(r)->q, (r)->v, \
			       sizeof((r)->v) / sizeof((r)->v[0]), \
			       sizeof((r)->v[0]))

#endif
