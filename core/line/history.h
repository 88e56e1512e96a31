/**
 * @file history.h  The last finished calls: a bounded ring of records
 *
 * A fixed number of slots (history.calls, 0 keeps none); a new record
 * over a full ring replaces the oldest. Printed newest first, one line
 * per record. Only the re_main thread touches it.
 */
#ifndef ATA_HISTORY_H
#define ATA_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "call/call.h"

enum { HISTORY_MAX = 1000 };

/** One finished call */
struct history_rec {
	uint32_t line;
	struct call_quality q;   /**< figures at its end                  */
	uint16_t scode;          /**< SIP status that ended it, 0: none    */
	char reason[128];        /**< "BYE", "Busy Here", a DNS failure... */
};

struct history;

int    history_alloc(struct history **hp, size_t size);
int    history_resize(struct history *h, size_t size);
void   history_add(struct history *h, const struct history_rec *rec);
void   history_set_reason(struct history_rec *r, const char *reason);
size_t history_count(const struct history *h);
size_t history_size(const struct history *h);
const struct history_rec *history_get(const struct history *h, size_t i);
int    history_rec_print(struct re_printf *pf, const struct history_rec *r,
			 bool start);
int    history_print(struct re_printf *pf, const struct history *h,
		     size_t n);

#endif
