/**
 * @file dialplan_priv.h  Dial plan internals shared by parse and match
 *
 * A key is one of 12 bits: 0-9, then * (10) and # (11). A compiled
 * element is the set of keys it accepts and whether it repeats ('.').
 */
#ifndef ATA_DIALPLAN_PRIV_H
#define ATA_DIALPLAN_PRIV_H

#include <stdint.h>

#include "dialplan.h"

enum {
	KEY_STAR = 10,
	KEY_HASH = 11,
	KEYS_DIGITS = 0x3ff,
};

struct dialplan_elem {
	uint16_t keys;
	bool repeat;
};

struct dialplan_pattern {
	unsigned nelem;
	struct dialplan_elem elemv[DIALPLAN_PATTERN_MAX];
};

/** Key index 0..11 of a character, or -1 if it is not a key */
static inline int dialplan_key(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return KEY_STAR;
	if (c == '#')
		return KEY_HASH;

	return -1;
}

bool dialplan_compile(struct dialplan_pattern *cp, const char *pat,
		      char *err, size_t errsz);

#endif
