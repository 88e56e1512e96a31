/**
 * @file dialplan.c  Dial plan: match keys against compiled patterns
 *
 * folder core/line/: the phone lines: the FXS state machine, the
 * dial plan, a line's audio between the driver's clock and its call,
 * and the phone (all lines and their SIP stack). The top of the
 * subsystems: it drives call/ and sip/, and nothing below names it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <re.h>

#include "dialplan_priv.h"

/*
 * Matching tracks the set of positions a pattern can be at after the
 * keys so far (a small NFA), so repeats never need backtracking.
 */
struct dialplan {
	size_t patc;
	struct dialplan_pattern *patv;
};

/* One pattern's answer: can it be complete now, can it go on */
struct verdict {
	bool complete;
	bool more;
};


static void dialplan_destructor(void *arg)
{
	struct dialplan *dp = arg;

	mem_deref(dp->patv);
}


/**
 * Compile a dial plan
 *
 * @param dpp   Pointer to allocated dial plan
 * @param patv  Patterns
 * @param patc  Number of patterns, at least one
 * @param err   Buffer for the reason of an EINVAL (may be NULL)
 * @param errsz Size of @p err
 *
 * @return 0 if success, EINVAL for a bad pattern (named in @p err), ENOMEM
 */
int dialplan_alloc(struct dialplan **dpp, const char * const *patv,
		   size_t patc, char *err, size_t errsz)
{
	struct dialplan *dp;
	int err2 = 0;

	if (err && errsz)
		err[0] = '\0';

	if (!dpp || !patv || !patc) {
		if (err && errsz)
			(void)snprintf(err, errsz, "no patterns");
		return EINVAL;
	}

	dp = mem_zalloc(sizeof(*dp), dialplan_destructor);
	if (!dp)
		return ENOMEM;

	dp->patv = mem_zalloc(patc * sizeof(*dp->patv), NULL);
	if (!dp->patv) {
		err2 = ENOMEM;
		goto out;
	}
	dp->patc = patc;

	for (size_t i = 0; i < patc; i++) {
		if (!patv[i]) {
			if (err && errsz)
				(void)snprintf(err, errsz,
					       "pattern %zu missing", i + 1);
			err2 = EINVAL;
			goto out;
		}

		if (!dialplan_compile(&dp->patv[i], patv[i], err, errsz)) {
			err2 = EINVAL;
			goto out;
		}
	}

 out:
	if (err2)
		mem_deref(dp);
	else
		*dpp = dp;

	return err2;
}


/* Zero-or-more elements may be skipped: follow them to the right */
static void closure(const struct dialplan_pattern *cp, bool *at)
{
	for (unsigned i = 0; i < cp->nelem; i++) {
		if (at[i] && cp->elemv[i].repeat)
			at[i + 1] = true;
	}
}


static struct verdict run(const struct dialplan_pattern *cp, const char *keys,
			  size_t n)
{
	bool at[DIALPLAN_PATTERN_MAX + 1] = {true};
	struct verdict v = {false, false};
	bool alive = true;

	closure(cp, at);

	for (size_t k = 0; k < n && alive; k++) {
		bool next[DIALPLAN_PATTERN_MAX + 1] = {false};
		int key = dialplan_key(keys[k]);

		alive = false;
		for (unsigned i = 0; key >= 0 && i < cp->nelem; i++) {
			const struct dialplan_elem *e = &cp->elemv[i];

			if (!at[i] || !(e->keys & (1u << key)))
				continue;

			next[e->repeat ? i : i + 1] = true;
			alive = true;
		}

		closure(cp, next);
		memcpy(at, next, sizeof(at));
	}

	if (!alive)
		return v;

	v.complete = at[cp->nelem];
	for (unsigned i = 0; i < cp->nelem; i++)
		v.more |= at[i];

	return v;
}


static enum dialplan_result match_keys(const struct dialplan *dp,
				       const char *keys, size_t n)
{
	struct verdict all = {false, false};

	for (size_t i = 0; i < dp->patc; i++) {
		struct verdict v = run(&dp->patv[i], keys, n);

		all.complete |= v.complete;
		all.more |= v.more;
	}

	if (all.complete)
		return all.more ? DIALPLAN_FULL_MORE : DIALPLAN_FULL;

	return all.more ? DIALPLAN_PARTIAL : DIALPLAN_NOMATCH;
}


/* Is the last key a "send now" #, i.e. no pattern takes it literally? */
static bool hash_sends(const struct dialplan *dp, const char *digits,
		       size_t n)
{
	return n && digits[n - 1] == '#' &&
		match_keys(dp, digits, n) == DIALPLAN_NOMATCH;
}


/**
 * Match the keys dialled so far against the plan
 *
 * @param dp     Dial plan
 * @param digits Keys so far (0-9 * #), NUL-terminated
 *
 * @return What the line should do next; NOMATCH for NULL arguments or a
 *         character that is not a key
 */
enum dialplan_result dialplan_match(const struct dialplan *dp,
				    const char *digits)
{
	size_t n;

	if (!dp || !digits)
		return DIALPLAN_NOMATCH;

	n = strlen(digits);

	if (!hash_sends(dp, digits, n))
		return match_keys(dp, digits, n);

	switch (match_keys(dp, digits, n - 1)) {

	case DIALPLAN_FULL:
	case DIALPLAN_FULL_MORE:
		return DIALPLAN_FULL;

	default:
		return DIALPLAN_NOMATCH;
	}
}


/**
 * The number to send: @p digits without a "send now" #
 *
 * @param dp     Dial plan
 * @param digits Keys dialled
 * @param buf    Destination
 * @param sz     Size of @p buf
 *
 * @return 0 if success, EINVAL, EOVERFLOW if @p buf is too small
 */
int dialplan_number(const struct dialplan *dp, const char *digits,
		    char *buf, size_t sz)
{
	size_t n;

	if (!dp || !digits || !buf || !sz)
		return EINVAL;

	n = strlen(digits);
	if (hash_sends(dp, digits, n))
		--n;

	if (n >= sz)
		return EOVERFLOW;

	memcpy(buf, digits, n);
	buf[n] = '\0';

	return 0;
}


/**
 * Name of a match result, for logs and events
 *
 * @param res Match result
 *
 * @return "nomatch", "partial", "full", "full-more" or "?"
 */
const char *dialplan_result_name(enum dialplan_result res)
{
	switch (res) {

	case DIALPLAN_NOMATCH:   return "nomatch";
	case DIALPLAN_PARTIAL:   return "partial";
	case DIALPLAN_FULL:      return "full";
	case DIALPLAN_FULL_MORE: return "full-more";
	default:                 return "?";
	}
}
