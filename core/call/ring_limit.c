/**
 * @file ring_limit.c  How long an incoming call may ring, and then what
 *
 * No call may ring for ever: one whose CANCEL never comes (lost, or sent
 * by a caller that is gone) would hold the line until someone lifts the
 * handset. Two limits, the shorter wins:
 * - the INVITE's Expires: RFC 3261 13.3.1, when it elapses before the
 *   UAS answers, the UAS "SHOULD generate a 487 (Request Terminated)":
 *   the caller set the limit, so it is told its request ended;
 * - the line's ring_timeout: nobody answered in time, 480 (Temporarily
 *   Unavailable, RFC 3261 21.4.18): the callee was reached but is not
 *   there, so the caller (or its voicemail) may try again later.
 * On a tie the caller's own limit is the reason given.
 */
#include "ring_limit.h"

enum {
	EXPIRES_DIGITS_MAX = 10,   /* delta-seconds beyond 2**32 - 1: none */
};


/* delta-seconds (RFC 3261 20.19: 1*DIGIT); false if not one */
static bool delta_seconds(const struct pl *pl, uint64_t *secs)
{
	uint64_t v = 0;
	size_t i;

	if (!pl_isset(pl) || pl->l > EXPIRES_DIGITS_MAX)
		return false;

	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(pl->p[i] - '0');
	}

	*secs = v;

	return true;
}


/**
 * The ring limit for an INVITE with Expires @p expires (NULL or unset:
 * none; not a number: ignored) on a line that rings at most @p max_ms
 * (0: RING_LIMIT_DEFAULT_MS).
 */
void ring_limit_decide(struct ring_limit *rl, const struct pl *expires,
		       uint32_t max_ms)
{
	uint64_t secs;

	if (!rl)
		return;

	rl->ms = max_ms ? max_ms : RING_LIMIT_DEFAULT_MS;
	rl->scode = 480;
	rl->reason = "Temporarily Unavailable";

	if (expires && delta_seconds(expires, &secs) &&
	    secs * 1000 <= rl->ms) {
		rl->ms = (uint32_t)(secs * 1000);
		rl->scode = 487;
		rl->reason = "Request Terminated";
	}
}
