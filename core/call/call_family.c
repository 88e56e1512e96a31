/**
 * @file call_family.c  Which family a call's media uses on a dual-stack box
 *
 * The signalling's family is not the media's: a dual-stack registrar
 * with no media relay (kamailio) hands an IPv4-only peer's INVITE to
 * our IPv6 registration, and that peer can only send and receive RTP
 * in IPv4. So an offer's own connection address decides (RFC 4566
 * section 5.7: the media's c=, else the session's), where we have an
 * address of that family; the signalling's family only where the
 * offer names none we can use (no SDP, a 0.0.0.0 hold). Pure
 * functions, so the rule is tested on its own
 * (tests/unit/test_call_family.c).
 */
#include <sys/socket.h>
#include <string.h>
#include "call_family.h"


/* One "c=IN IP4 addr" line's family; AF_UNSPEC for an address that
   says "nowhere" (0.0.0.0 or ::, RFC 3264 hold) or a line we cannot
   read. @p ln has no line end. */
static int conn_family(const char *ln, size_t n)
{
	static const char in4[] = "c=IN IP4 ", in6[] = "c=IN IP6 ";
	const size_t pre = sizeof(in4) - 1;
	const char *addr;
	size_t alen;
	int af;

	if (n <= pre)
		return AF_UNSPEC;

	if (!memcmp(ln, in4, pre))
		af = AF_INET;
	else if (!memcmp(ln, in6, pre))
		af = AF_INET6;
	else
		return AF_UNSPEC;

	addr = ln + pre;
	alen = n - pre;
	while (alen && (addr[alen - 1] == ' ' || addr[alen - 1] == '\t'))
		--alen;

	/* nothing but zeros, dots and colons: the unspecified address */
	for (size_t i = 0; i < alen; i++) {
		if (addr[i] != '0' && addr[i] != '.' && addr[i] != ':')
			return af;
	}

	return AF_UNSPEC;
}


/**
 * The family of the first audio stream in SDP text @p sdp: its own
 * c= line, else the session-level one. AF_UNSPEC when there is no
 * audio stream, no c= for it, or only an unspecified address.
 */
int call_family_of_sdp(const char *sdp, size_t len)
{
	int session_af = AF_UNSPEC, media_af = AF_UNSPEC;
	bool in_media = false, in_audio = false, media_c = false;
	size_t pos = 0;

	if (!sdp)
		return AF_UNSPEC;

	while (pos < len) {
		const char *ln = sdp + pos;
		const char *nl = memchr(ln, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - ln) : len - pos;

		pos += nl ? n + 1 : n;
		if (n && ln[n - 1] == '\r')
			--n;

		if (n >= 2 && ln[0] == 'm' && ln[1] == '=') {
			/* the first audio stream ends at the next m= */
			if (in_audio)
				break;
			in_media = true;
			in_audio = n >= 8 && !memcmp(ln, "m=audio ", 8);
			continue;
		}

		if (n < 2 || ln[0] != 'c' || ln[1] != '=')
			continue;

		if (!in_media)
			session_af = conn_family(ln, n);
		else if (in_audio) {
			media_af = conn_family(ln, n);
			media_c = true;  /* it overrides the session's */
		}
	}

	if (!in_audio)
		return AF_UNSPEC;

	return media_c ? media_af : session_af;
}


/**
 * The family of an incoming call's media: the offer's @p offer_af when
 * we have an address of it (@p have4, @p have6), else the family the
 * INVITE came in (@p sig_af).
 */
int call_family_pick(int offer_af, bool have4, bool have6, int sig_af)
{
	if (offer_af == AF_INET && have4)
		return AF_INET;

	if (offer_af == AF_INET6 && have6)
		return AF_INET6;

	return sig_af;
}


/**
 * The family to offer again in when the peer could not take an offer
 * in @p af: the other one, if we have an address of it; AF_UNSPEC if
 * not (nothing more to try).
 */
int call_family_other(int af, bool have4, bool have6)
{
	if (af == AF_INET6 && have4)
		return AF_INET;

	if (af == AF_INET && have6)
		return AF_INET6;

	return AF_UNSPEC;
}
