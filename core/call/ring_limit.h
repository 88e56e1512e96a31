/**
 * @file ring_limit.h  How long an incoming call may ring, and then what
 */
#ifndef ATA_RING_LIMIT_H
#define ATA_RING_LIMIT_H

#include <stdint.h>
#include <re.h>

enum { RING_LIMIT_DEFAULT_MS = 180000 };

struct ring_limit {
	uint32_t ms;           /**< ring no longer than this            */
	uint16_t scode;        /**< then answer this: 487 or 480        */
	const char *reason;
};

void ring_limit_decide(struct ring_limit *rl, const struct pl *expires,
		       uint32_t max_ms);

#endif
