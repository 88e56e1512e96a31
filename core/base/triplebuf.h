/**
 * @file triplebuf.h  The latest value from one thread to another, no lock
 */
#ifndef ATA_TRIPLEBUF_H
#define ATA_TRIPLEBUF_H

#include <stdbool.h>
#include <stddef.h>

struct triplebuf;

int triplebuf_alloc(struct triplebuf **tbp, size_t size);
void *triplebuf_back(struct triplebuf *tb);
void triplebuf_publish(struct triplebuf *tb);
const void *triplebuf_front(struct triplebuf *tb, bool *changed);

#endif
