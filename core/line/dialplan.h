/**
 * @file dialplan.h  Per-line dial plan: when has the user dialled enough?
 *
 * A dial plan is a list of patterns; a pattern is a sequence of elements:
 *
 *   0-9 * #   that key
 *   x         any digit 0-9 (also X)
 *   [..]      one key of a class: keys and digit ranges, e.g. [1-5*#]
 *   .         zero or more of the previous element: "0x." is 0 and any
 *             further digits, "0" included; "0xx." needs one at least
 *
 * A `#` typed last means "send now", unless some pattern has a literal #
 * (or a class with #) at that position: then it is just a key. A number
 * ended by `#` must fully match a pattern, else it is rejected.
 *
 * Patterns are at most DIALPLAN_PATTERN_MAX characters and must not match
 * the empty number.
 */
#ifndef ATA_DIALPLAN_H
#define ATA_DIALPLAN_H

#include <stdbool.h>
#include <stddef.h>

enum {
	DIALPLAN_PATTERN_MAX = 64,   /**< characters per pattern */
};

/** What the line does after a key */
enum dialplan_result {
	DIALPLAN_NOMATCH = 0,  /**< no pattern can match: reorder tone      */
	DIALPLAN_PARTIAL,      /**< keep collecting, interdigit timer       */
	DIALPLAN_FULL,         /**< complete, nothing longer: dial now      */
	DIALPLAN_FULL_MORE,    /**< complete, longer possible: short timer  */
};

struct dialplan;

int  dialplan_alloc(struct dialplan **dpp, const char * const *patv,
		    size_t patc, char *err, size_t errsz);
enum dialplan_result dialplan_match(const struct dialplan *dp,
				    const char *digits);
int  dialplan_number(const struct dialplan *dp, const char *digits,
		     char *buf, size_t sz);
bool dialplan_valid_pattern(const char *pat, char *err, size_t errsz);
const char *dialplan_result_name(enum dialplan_result res);

#endif
