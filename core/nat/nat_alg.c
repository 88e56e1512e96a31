/**
 * @file nat_alg.c  Does a router's SIP ALG rewrite our SIP? (pure)
 *
 * A SIP ALG (a router's "SIP helper") rewrites the addresses in SIP it
 * forwards: out, our private Via/Contact become the public address; in,
 * the public address becomes our private one again. It hides itself
 * well, but not from two comparisons:
 *
 * - the Via a registrar sends back must be the Via we sent, byte for
 *   byte (RFC 3261 8.2.6.2). If our Via carried the public address and
 *   the answer names another (the ALG "translated it back"), something
 *   in the path rewrote it.
 * - a registrar on the Internet cannot see our private address: STUN
 *   shows a NAT (mapped address not ours), yet the registrar's
 *   received/rport says it saw exactly our private address. Only a
 *   rewrite of the answer on the way back explains that.
 *
 * Observations in, a sign out; nat.c keeps the evidence, the verdict
 * (nat_verdict.c) puts it in words.
 */
#include <re.h>
#include "nat.h"


/** Which of the comparisons above shows an ALG; NAT_ALG_NONE if none */
enum nat_alg_sign nat_alg_check(const struct nat_alg_view *v)
{
	if (!v)
		return NAT_ALG_NONE;

	if (sa_isset(&v->sent, SA_ALL) && sa_isset(&v->echoed, SA_ALL) &&
	    !sa_cmp(&v->sent, &v->echoed, SA_ALL))
		return NAT_ALG_VIA;

	/* the second needs a registrar out there and a STUN answer */
	if (!sa_isset(&v->stun, SA_ALL) || !sa_isset(&v->seen, SA_ALL) ||
	    !sa_isset(&v->laddr, SA_ALL) || !sa_isset(&v->registrar, SA_ADDR))
		return NAT_ALG_NONE;

	if (nat_addr_private(&v->registrar) || !nat_addr_private(&v->laddr))
		return NAT_ALG_NONE;

	if (!sa_cmp(&v->stun, &v->laddr, SA_ADDR) &&
	    sa_cmp(&v->seen, &v->laddr, SA_ADDR))
		return NAT_ALG_STUN;

	return NAT_ALG_NONE;
}


/** For `atactl nat` and the log: what gave the ALG away */
const char *nat_alg_sign_text(enum nat_alg_sign s)
{
	switch (s) {

	case NAT_ALG_VIA:
		return "the registrar's answer carries another Via than we "
			"sent";
	case NAT_ALG_STUN:
		return "a registrar on the Internet says it saw our private "
			"address, STUN sees the router's";
	default:
		return "";
	}
}
