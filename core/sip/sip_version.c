/**
 * @file sip_version.c  Answer 505 to a request of another SIP version
 *
 * libre 1.1.0 takes a start line for a request only if it ends in
 * exactly "SIP/2.0"; anything else it reads as a response, finds no
 * status code and drops without a word. RFC 3261 wants more: the
 * version is case-insensitive (7.1: "sip/2.0" is SIP/2.0), and a request
 * of a version we do not speak gets 505 (8.2, 21.5.7). So a UDP helper
 * on the SIP socket looks at each datagram before libre: "sip/2.0" is
 * set upright in place and goes on to libre; another version is decoded
 * from a copy that says SIP/2.0 (in the start line and the top Via, for
 * libre's parser) and handed to the stack, which answers it 505 if it
 * answers that source at all. Such a request never reaches a listener,
 * so it can never ring a line. TCP and TLS: libre closes the connection
 * on a start line it cannot read, as before.
 */
#include <ctype.h>
#include <string.h>
#include <re.h>
#include "sip_version.h"

enum {
	HELPER_LAYER = 32,        /* plain SIP text: above nat_sip (30) */
};

struct sip_version {
	struct udp_helper *uh;
	struct udp_sock *us;
	struct sa laddr;
	sip_version_h *h;
	void *arg;
};


static bool is_token_char(char c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n';
}


static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}


/* "SIP/" any case, then 1*DIGIT "." 1*DIGIT (RFC 3261 25.1); the digits
   in @p num */
static bool version_syntax_ok(const struct pl *ver, struct pl *num)
{
	size_t i, dots = 0, digits = 0;

	if (ver->l < 7 || strncasecmp(ver->p, "SIP/", 4))
		return false;

	for (i = 4; i < ver->l; i++) {
		if (ver->p[i] == '.') {
			if (!digits || dots++)
				return false;
			digits = 0;
		}
		else if (isdigit((unsigned char)ver->p[i]))
			++digits;
		else
			return false;
	}

	num->p = ver->p + 4;
	num->l = ver->l - 4;

	return dots == 1 && digits > 0;
}


/**
 * Classify the start line of datagram @p raw as libre's decoder reads
 * it: "Method SP Request-URI SP Version" then CR* LF. @p ver is the
 * version for SIP_VERSION_CASE and SIP_VERSION_OTHER.
 */
enum sip_version_kind sip_version_classify(const struct pl *raw,
					   struct pl *ver)
{
	struct pl num;
	size_t i = 0, eol;

	if (!raw || !ver || !raw->p)
		return SIP_VERSION_NONE;

	for (eol = 0; eol < raw->l && raw->p[eol] != '\n'; eol++)
		;
	if (eol == raw->l)
		return SIP_VERSION_NONE;
	while (eol > 0 && raw->p[eol - 1] == '\r')
		--eol;

	/* method (a response's first word is its version), SP, URI, SP */
	while (i < eol && is_token_char(raw->p[i]))
		++i;
	if (!i || i >= eol || raw->p[i] != ' ' ||
	    (i >= 4 && !strncasecmp(raw->p, "SIP/", 4)))
		return SIP_VERSION_NONE;
	if (++i >= eol || !is_token_char(raw->p[i]))
		return SIP_VERSION_NONE;
	while (i < eol && is_token_char(raw->p[i]))
		++i;
	if (i >= eol || raw->p[i] != ' ')
		return SIP_VERSION_NONE;

	ver->p = raw->p + i + 1;
	ver->l = eol - i - 1;

	if (!version_syntax_ok(ver, &num))
		return SIP_VERSION_NONE;  /* libre drops it: 400 or silence */
	if (pl_strcmp(&num, "2.0"))
		return SIP_VERSION_OTHER;

	return strncmp(ver->p, "SIP", 3) ? SIP_VERSION_CASE : SIP_VERSION_OK;
}


/* The version in the first Via header line after the start line that
   @p rest finishes ("SIP" LWS "/" LWS version LWS "/"), where libre's
   Via parser wants "2.0" */
static bool via_version(const struct pl *rest, struct pl *num)
{
	const char *end = rest->p + rest->l;
	const char *p = memchr(rest->p, '\n', rest->l);

	if (!p)
		return false;

	for (++p; p < end;) {
		const char *eol = memchr(p, '\n', end - p);
		const char *q = p, *name_end;

		if (!eol)
			eol = end;
		if (q < eol && (*q == '\r' || *q == '\n'))
			return false;  /* end of the header */

		while (q < eol && *q != ':')
			++q;
		name_end = q;
		while (name_end > p && is_lws(name_end[-1]))
			--name_end;

		if (q < eol && ((name_end - p == 3 &&
				 !strncasecmp(p, "Via", 3)) ||
				(name_end - p == 1 && tolower(*p) == 'v'))) {
			for (++q; q < eol && is_lws(*q); q++)
				;
			if (eol - q < 3 || strncmp(q, "SIP", 3))
				return false;
			for (q += 3; q < eol && is_lws(*q); q++)
				;
			if (q >= eol || *q != '/')
				return false;
			for (++q; q < eol && is_lws(*q); q++)
				;
			num->p = q;
			while (q < eol && (isdigit((unsigned char)*q) ||
					   *q == '.'))
				++q;
			num->l = q - num->p;
			return num->l > 0;
		}

		p = eol + 1;
	}

	return false;
}


/**
 * A copy of @p raw that libre decodes: @p ver (from sip_version_classify)
 * and the top Via's version say SIP/2.0. ENOMEM.
 */
int sip_version_copy(struct mbuf **mbp, const struct pl *raw,
		     const struct pl *ver)
{
	struct pl rest, vnum;
	struct mbuf *mb;
	int err;

	if (!mbp || !raw || !ver || ver->p < raw->p ||
	    ver->p + ver->l > raw->p + raw->l)
		return EINVAL;

	mb = mbuf_alloc(raw->l + 8);
	if (!mb)
		return ENOMEM;

	rest.p = ver->p + ver->l;
	rest.l = raw->p + raw->l - rest.p;

	err  = mbuf_write_mem(mb, (const uint8_t *)raw->p, ver->p - raw->p);
	err |= mbuf_write_str(mb, "SIP/2.0");

	if (via_version(&rest, &vnum) && pl_strcmp(&vnum, "2.0")) {
		err |= mbuf_write_mem(mb, (const uint8_t *)rest.p,
				      vnum.p - rest.p);
		err |= mbuf_write_str(mb, "2.0");
		rest.l -= vnum.p + vnum.l - rest.p;
		rest.p = vnum.p + vnum.l;
	}

	err |= mbuf_write_mem(mb, (const uint8_t *)rest.p, rest.l);

	if (err) {
		mem_deref(mb);
		return err;
	}

	mb->pos = 0;
	*mbp = mb;

	return 0;
}


static void answer_other(struct sip_version *sv, const struct sa *src,
			 const struct pl *raw, const struct pl *ver)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb = NULL;

	if (sip_version_copy(&mb, raw, ver))
		return;

	if (!sip_msg_decode(&msg, mb)) {
		/* what libre's UDP transport fills in */
		msg->sock = mem_ref(sv->us);
		msg->src = *src;
		msg->dst = sv->laddr;
		msg->tp = SIP_TRANSP_UDP;
		sv->h(msg, sv->arg);
	}

	mem_deref(msg);
	mem_deref(mb);
}


static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	struct sip_version *sv = arg;
	struct pl raw, ver;

	raw.p = (const char *)mbuf_buf(mb);
	raw.l = mbuf_get_left(mb);

	switch (sip_version_classify(&raw, &ver)) {

	case SIP_VERSION_CASE:
		memcpy(mbuf_buf(mb) + (ver.p - raw.p), "SIP", 3);
		return false;

	case SIP_VERSION_OTHER:
		answer_other(sv, src, &raw, &ver);
		return true;

	default:
		return false;
	}
}


static void sip_version_destructor(void *arg)
{
	struct sip_version *sv = arg;

	mem_deref(sv->uh);
	mem_deref(sv->us);
}


/**
 * Watch SIP socket @p us (bound to @p laddr): requests of another
 * version go to @p h, never to libre. EINVAL, ENOMEM.
 */
int sip_version_alloc(struct sip_version **svp, struct udp_sock *us,
		      const struct sa *laddr, sip_version_h *h, void *arg)
{
	struct sip_version *sv;
	int err;

	if (!svp || !us || !laddr || !h)
		return EINVAL;

	sv = mem_zalloc(sizeof(*sv), sip_version_destructor);
	if (!sv)
		return ENOMEM;

	sv->us = mem_ref(us);
	sv->laddr = *laddr;
	sv->h = h;
	sv->arg = arg;

	err = udp_register_helper(&sv->uh, us, HELPER_LAYER, NULL,
				  recv_handler, sv);
	if (err)
		mem_deref(sv);
	else
		*svp = sv;

	return err;
}
