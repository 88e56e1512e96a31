/** @file dialplan_parse.c  Dial plan patterns: syntax check and compile */
#include <stdio.h>
#include <string.h>
#include <re.h>

#include "dialplan_priv.h"


static void fail(char *err, size_t errsz, const char *pat, size_t pos,
		 const char *why)
{
	if (err && errsz)
		(void)snprintf(err, errsz, "pattern '%s' position %zu: %s",
			       pat, pos + 1, why);
}


/* Parse "[...]" starting at pat[*pos] == '['; leaves *pos on ']' */
static bool parse_class(const char *pat, size_t *pos, uint16_t *keys,
			char *err, size_t errsz)
{
	size_t open = *pos, i = open + 1;

	*keys = 0;

	for (; pat[i] && pat[i] != ']'; i++) {
		int lo = dialplan_key(pat[i]), hi;

		if (lo < 0) {
			fail(err, errsz, pat, i, pat[i] == '[' ?
			     "'[' inside [...]" : "illegal key in [...]");
			return false;
		}

		if (pat[i + 1] != '-') {
			*keys |= (uint16_t)(1u << lo);
			continue;
		}

		hi = dialplan_key(pat[i + 2]);
		if (lo > 9 || hi < 0 || hi > 9) {
			fail(err, errsz, pat, i + 1,
			     "a range needs a digit on each side of '-'");
			return false;
		}
		if (lo > hi) {
			fail(err, errsz, pat, i + 1, "reversed range");
			return false;
		}

		/* bits lo..hi */
		*keys |= (uint16_t)((2u << hi) - (1u << lo));
		i += 2;
	}

	if (!pat[i]) {
		fail(err, errsz, pat, open, "'[' without ']'");
		return false;
	}
	if (!*keys) {
		fail(err, errsz, pat, open, "empty [...]");
		return false;
	}

	*pos = i;

	return true;
}


/**
 * Compile one pattern
 *
 * @param cp    Compiled pattern
 * @param pat   Pattern text
 * @param err   Buffer for "pattern '...' position N: why" (may be NULL)
 * @param errsz Size of @p err
 *
 * @return true if @p pat is valid
 */
bool dialplan_compile(struct dialplan_pattern *cp, const char *pat,
		      char *err, size_t errsz)
{
	size_t len = strlen(pat);
	bool can_be_empty = true;

	cp->nelem = 0;

	if (!len) {
		fail(err, errsz, pat, 0, "empty pattern");
		return false;
	}
	if (len > DIALPLAN_PATTERN_MAX) {
		if (err && errsz)
			(void)snprintf(err, errsz, "pattern '%s' is longer"
				       " than %d characters", pat,
				       DIALPLAN_PATTERN_MAX);
		return false;
	}

	for (size_t i = 0; i < len; i++) {
		struct dialplan_elem *e = &cp->elemv[cp->nelem];
		char c = pat[i];

		if (c == '.') {
			if (!cp->nelem || cp->elemv[cp->nelem - 1].repeat) {
				fail(err, errsz, pat, i, "'.' must follow a"
				     " key, 'x' or [...]");
				return false;
			}
			cp->elemv[cp->nelem - 1].repeat = true;
			continue;
		}

		e->repeat = false;
		if (c == 'x' || c == 'X')
			e->keys = KEYS_DIGITS;
		else if (dialplan_key(c) >= 0)
			e->keys = (uint16_t)(1u << dialplan_key(c));
		else if (c == '[') {
			if (!parse_class(pat, &i, &e->keys, err, errsz))
				return false;
		}
		else if (c == ']') {
			fail(err, errsz, pat, i, "']' without '['");
			return false;
		}
		else {
			unsigned u = (uint8_t)c;
			char why[32];

			if (u > ' ' && u < 127)
				(void)snprintf(why, sizeof(why),
					       "illegal character '%c'", u);
			else
				(void)snprintf(why, sizeof(why),
					       "illegal character 0x%02x", u);
			fail(err, errsz, pat, i, why);
			return false;
		}

		cp->nelem++;
	}

	for (unsigned i = 0; i < cp->nelem; i++)
		can_be_empty &= cp->elemv[i].repeat;

	if (can_be_empty) {
		fail(err, errsz, pat, 0, "matches the empty number");
		return false;
	}

	return true;
}


/**
 * Check one pattern, for the config validator
 *
 * @param pat   Pattern
 * @param err   Buffer for "pattern '...' position N: why" (may be NULL)
 * @param errsz Size of @p err
 *
 * @return true if @p pat is a valid pattern
 */
bool dialplan_valid_pattern(const char *pat, char *err, size_t errsz)
{
	struct dialplan_pattern cp;

	if (!pat) {
		if (err && errsz)
			(void)snprintf(err, errsz, "no pattern");
		return false;
	}

	return dialplan_compile(&cp, pat, err, errsz);
}
