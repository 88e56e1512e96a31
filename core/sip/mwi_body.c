/**
 * @file mwi_body.c  Parse a simple-message-summary body (RFC 3842 5.2)
 *
 *   Messages-Waiting: yes
 *   Message-Account: sip:alice@example.com
 *   Voice-Message: 2/8 (0/2)
 *
 * Only Messages-Waiting is required; a Voice-Message line gives the
 * counts (new/old, urgent new/old in brackets), other message classes
 * (fax, text ...) only count through Messages-Waiting. Header names are
 * case-insensitive, lines end in CRLF or LF. Pure: libc only, bounded by
 * @p len, no allocation (a fuzz target drives it).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "mwi_body.h"


struct cursor {
	const char *p;
	const char *end;
};


static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		++c->p;
}


/* Digits into *vp, clamped to MWI_COUNT_MAX; false if none */
static bool number(struct cursor *c, uint32_t *vp)
{
	uint32_t v = 0;
	bool any = false;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (uint32_t)(*c->p - '0');
		if (v > MWI_COUNT_MAX)
			v = MWI_COUNT_MAX;
		any = true;
		++c->p;
	}

	if (any)
		*vp = v;

	return any;
}


/* "a/b" with optional blanks; false if malformed */
static bool pair(struct cursor *c, uint32_t *ap, uint32_t *bp)
{
	skip_ws(c);
	if (!number(c, ap))
		return false;
	skip_ws(c);
	if (c->p >= c->end || *c->p != '/')
		return false;
	++c->p;
	skip_ws(c);

	return number(c, bp);
}


/* "new/old" and an optional "(urgent_new/urgent_old)" */
static bool voice_message(struct cursor c, struct mwi_sum *sum)
{
	struct mwi_sum s = *sum;

	if (!pair(&c, &s.new_msgs, &s.old_msgs))
		return false;

	skip_ws(&c);
	if (c.p < c.end && *c.p == '(') {
		++c.p;
		if (!pair(&c, &s.urgent_new, &s.urgent_old))
			return false;
		skip_ws(&c);
		if (c.p >= c.end || *c.p != ')')
			return false;
	}

	*sum = s;

	return true;
}


/* The value of one line, trailing blanks cut off */
static bool value_is(struct cursor c, const char *word)
{
	size_t n = strlen(word);

	skip_ws(&c);
	while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
		--c.end;

	return (size_t)(c.end - c.p) == n && !strncasecmp(c.p, word, n);
}


static bool name_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && !strncasecmp(p, name, n);
}


/**
 * Parse @p len bytes of @p body into @p sum (zeroed first).
 *
 * @return 0, EINVAL for NULL arguments, EBADMSG when there is no valid
 * Messages-Waiting line (a Voice-Message line that does not parse is
 * ignored: the flag is what matters)
 */
int mwi_body_parse(struct mwi_sum *sum, const char *body, size_t len)
{
	const char *p, *end;
	bool have_flag = false;

	if (!sum || (!body && len))
		return EINVAL;

	memset(sum, 0, sizeof(*sum));
	p = body;
	end = body + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol ? eol : end;
		const char *colon;
		struct cursor val;
		size_t nlen;

		if (lend > p && lend[-1] == '\r')
			--lend;

		colon = memchr(p, ':', (size_t)(lend - p));
		if (colon) {
			nlen = (size_t)(colon - p);
			while (nlen && (p[nlen - 1] == ' ' ||
					p[nlen - 1] == '\t'))
				--nlen;
			val.p = colon + 1;
			val.end = lend;

			if (name_is(p, nlen, "Messages-Waiting")) {
				if (value_is(val, "yes"))
					sum->waiting = have_flag = true;
				else if (value_is(val, "no")) {
					sum->waiting = false;
					have_flag = true;
				}
			}
			else if (name_is(p, nlen, "Voice-Message"))
				(void)voice_message(val, sum);
		}

		p = eol ? eol + 1 : end;
	}

	return have_flag ? 0 : EBADMSG;
}
