/**
 * @file sip_check.c  RFC 3261 sanity checks libre 1.1.0 leaves to the UAS
 *
 * libre decodes a request leniently: a missing or repeated To/From/
 * Call-ID, a negative or oversized Content-Length, an overlarge CSeq or
 * an unbalanced quote reach the listeners as if all were well. A UAS
 * must answer such a request 400 (RFC 3261 8.2, 18.3; RFC 4475 3.1.2,
 * 3.3), one for a URI scheme it does not serve 416 (8.2.2.1) and one
 * that requires an extension it lacks 420 with Unsupported (8.2.2.3).
 * The order follows RFC 3261 8.2: syntax, then scheme, then extensions,
 * then what the request asks for (8.2.3). An INVITE that would start a
 * dialog needs a Contact libre can read (RFC 3261 8.1.1.8): without one
 * libre cannot accept it, and a call that cannot be accepted has no
 * transaction a CANCEL could reach.
 */
#include <string.h>
#include <re.h>
#include "sip_check.h"

enum {
	CSEQ_MAX = 0x7fffffff,     /* RFC 3261 8.1.1.5: less than 2**31 */
	MAXFWD_MAX = 255,          /* RFC 3261 25.1: 1*DIGIT, 0-255      */
};

/* Headers a request must carry exactly once (RFC 3261 8.1.1, 20) */
static const enum sip_hdrid once[] = {
	SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
};


static void verdict(struct sip_check *chk, uint16_t scode,
		    const char *reason)
{
	chk->scode = scode;
	chk->reason = reason;
}


/* 1*DIGIT no larger than @p max; false for "", "-999", "1e3", overflow */
static bool number_ok(const struct pl *pl, uint64_t max)
{
	uint64_t v = 0;
	size_t i;

	if (!pl || !pl->l || pl->l > 20)
		return false;

	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(pl->p[i] - '0');
		if (v > max)
			return false;
	}

	return true;
}


/* An odd number of unescaped '"' leaves a quoted string open */
static bool quotes_balanced(const struct pl *pl)
{
	bool open = false;
	size_t i;

	for (i = 0; i < pl->l; i++) {
		if (open && pl->p[i] == '\\')
			++i;
		else if (pl->p[i] == '"')
			open = !open;
	}

	return !open;
}


/* The CSeq number: the text before the first LWS */
static bool cseq_ok(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct pl num;

	if (!hdr || re_regex(hdr->val.p, hdr->val.l, "[^ \t\r\n]+", &num))
		return false;

	return number_ok(&num, CSEQ_MAX) &&
		!pl_cmp(&msg->cseq.met, &msg->met);
}


/* RFC 3261 8.1.1.8, 12.1.1: the remote target of the dialog to be */
static bool contact_ok(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr;
	struct sip_addr addr;

	if (pl_strcmp(&msg->met, "INVITE") || pl_isset(&msg->to.tag))
		return true;

	hdr = sip_msg_hdr(msg, SIP_HDR_CONTACT);

	return hdr && !sip_addr_decode(&addr, &hdr->val);
}


static bool header_syntax_ok(const struct sip_msg *msg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(once); i++) {
		if (sip_msg_hdr_count(msg, once[i]) != 1)
			return false;
	}

	if (!pl_isset(&msg->via.sentby) || !pl_isset(&msg->callid) ||
	    !cseq_ok(msg))
		return false;

	if (!quotes_balanced(&msg->to.val) ||
	    !quotes_balanced(&msg->from.val))
		return false;

	if (sip_msg_hdr_count(msg, SIP_HDR_MAX_FORWARDS) > 1 ||
	    (pl_isset(&msg->maxfwd) && !number_ok(&msg->maxfwd, MAXFWD_MAX)))
		return false;

	return true;
}


/* RFC 3261 18.3: one Content-Length, no more than the body we got */
static bool length_ok(const struct sip_msg *msg)
{
	uint32_t n = sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH);
	size_t body = msg->mb ? mbuf_get_left(msg->mb) : 0;

	if (n == 0)
		return msg->tp == SIP_TRANSP_UDP;  /* optional on UDP only */
	if (n > 1 || !number_ok(&msg->clen, UINT32_MAX))
		return false;

	return pl_u32(&msg->clen) <= body;
}


static bool scheme_ok(const struct sip_msg *msg)
{
	return !pl_strcasecmp(&msg->uri.scheme, "sip") ||
		!pl_strcasecmp(&msg->uri.scheme, "sips");
}


static bool require_handler(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	struct sip_check *chk = arg;
	(void)msg;

	if (!pl_isset(&hdr->val))
		return false;

	/* we implement no option tag: every required one is unsupported */
	if (chk->unsupc < ARRAY_SIZE(chk->unsupv))
		chk->unsupv[chk->unsupc++] = hdr->val;

	return false;
}


/**
 * Check request @p msg. On return chk->scode is 0 (carry on) or the final
 * response to send: 400 (also for a dialog-starting INVITE without a
 * usable Contact), 416, or 420 (chk->unsupv lists the tags for the
 * Unsupported header). Responses and ACKs are never checked: an ACK is
 * never answered (RFC 3261 17.2.1) and libre drops bad ones itself.
 */
void sip_check_request(struct sip_check *chk, const struct sip_msg *msg)
{
	if (!chk)
		return;

	memset(chk, 0, sizeof(*chk));

	if (!msg || !msg->req || !pl_strcmp(&msg->met, "ACK"))
		return;

	if (!header_syntax_ok(msg)) {
		verdict(chk, 400, "Bad Request");
		return;
	}

	if (!length_ok(msg)) {
		verdict(chk, 400, "Bad Content-Length");
		return;
	}

	if (!scheme_ok(msg)) {
		verdict(chk, 416, "Unsupported URI Scheme");
		return;
	}

	/* RFC 3261 8.2.2.3: not for CANCEL (nor ACK) */
	if (pl_strcmp(&msg->met, "CANCEL")) {
		(void)sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE,
					require_handler, chk);
		if (chk->unsupc) {
			verdict(chk, 420, "Bad Extension");
			return;
		}
	}

	if (!contact_ok(msg))
		verdict(chk, 400, "Missing or Bad Contact");
}


/** The Unsupported header for a 420 (CRLF-terminated), or nothing */
int sip_check_unsupported(struct re_printf *pf, const struct sip_check *chk)
{
	size_t i;
	int err = 0;

	if (!chk || !chk->unsupc)
		return 0;

	err |= re_hprintf(pf, "Unsupported: ");
	for (i = 0; i < chk->unsupc; i++)
		err |= re_hprintf(pf, "%s%r", i ? ", " : "", &chk->unsupv[i]);
	err |= re_hprintf(pf, "\r\n");

	return err;
}
