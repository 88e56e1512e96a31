/**
 * @file call_caller.c  Who calls: the identity an INVITE carries
 *
 * For caller ID on the line. The number is the user part of the
 * P-Asserted-Identity (RFC 3325: what the proxy vouches for), else of
 * the From URI; a tel: URI gives its subscriber number. The name is
 * the display name of the same headers, PAI first. "anonymous" as
 * user or name (RFC 3323's From) or a Privacy header with "id" make
 * the caller hidden: the line says "private", never the number.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "ataua.h"
#include "call_priv.h"


/* The subscriber part of sip:user@host;p or tel:+123;p, dialable only */
static void number_of(char *out, size_t sz, const struct pl *auri)
{
	const char *p = auri->p, *end = auri->p + auri->l, *c;
	bool tel = auri->l >= 4 && !strncasecmp(auri->p, "tel:", 4);
	size_t n = 0;

	out[0] = '\0';
	c = pl_strchr(auri, ':');
	if (c)
		p = c + 1;
	if (!tel) {
		/* sip: without a user part: no number */
		for (c = p; c < end && *c != '@'; c++)
			;
		if (c == end)
			return;
		end = c;
	}

	for (; p < end && *p != ';' && n + 1 < sz; p++) {
		if (isdigit((unsigned char)*p) || *p == '*' || *p == '#' ||
		    (*p == '+' && n == 0))
			out[n++] = *p;
		else if (!strchr("-.()", *p))
			break;    /* a name ("alice"), not a number */
	}
	if (p < end && *p != ';' && n + 1 < sz) {
		out[0] = '\0';
		return;
	}
	out[n] = '\0';
}


static bool is_anonymous(const struct pl *pl)
{
	struct pl user;

	if (!pl_strcasecmp(pl, "anonymous"))
		return true;

	/* sip:anonymous@anonymous.invalid */
	return !re_regex(pl->p, pl->l, "[^:]+:anonymous@", NULL, &user) ||
		!re_regex(pl->p, pl->l, "anonymous.invalid", NULL);
}


static bool privacy_id(const struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_msg_hdr(msg, SIP_HDR_PRIVACY);
	struct pl v, tok;

	if (!h)
		return false;

	v = h->val;
	while (!re_regex(v.p, v.l, "[^; \t,]+", &tok)) {
		if (!pl_strcasecmp(&tok, "id"))
			return true;
		pl_advance(&v, (size_t)(tok.p + tok.l - v.p));
	}

	return false;
}


/**
 * Fill @p cc from the INVITE @p msg. Returns EINVAL on NULL; a message
 * without an identity gives an empty caller (unavailable), not an error
 */
int call_caller_decode(struct call_caller *cc, const struct sip_msg *msg)
{
	const struct sip_hdr *pai;
	struct sip_addr addr;
	const struct pl *dname, *auri;

	if (!cc || !msg)
		return EINVAL;

	memset(cc, 0, sizeof(*cc));
	dname = &msg->from.dname;
	auri = &msg->from.auri;

	pai = sip_msg_hdr(msg, SIP_HDR_P_ASSERTED_IDENTITY);
	if (pai && !sip_addr_decode(&addr, &pai->val)) {
		auri = &addr.auri;
		if (pl_isset(&addr.dname))
			dname = &addr.dname;
	}

	cc->hidden = privacy_id(msg) || is_anonymous(auri) ||
		(pl_isset(dname) && is_anonymous(dname));
	if (cc->hidden)
		return 0;

	number_of(cc->number, sizeof(cc->number), auri);
	if (pl_isset(dname))
		(void)pl_strcpy(dname, cc->name, sizeof(cc->name));

	return 0;
}


/** The caller of an incoming call; NULL for an outgoing one */
const struct call_caller *call_caller(const struct call *call)
{
	return call && call->incoming ? &call->caller : NULL;
}
