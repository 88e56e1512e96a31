/**
 * @file sip_family.c  IPv6 first, IPv4 when IPv6 cannot or did not work
 *
 * An IPv6 registration needs no NAT traversal at all, so it is
 * preferred whenever both ends have IPv6 (RFC 8305, RFC 6724: IPv6
 * first); where the IPv6 path went unanswered (a broken tunnel, a
 * firewall dropping it) IPv4 carries on. A pure function, so the rule
 * is tested on its own (tests/unit/test_sip_family.c).
 */
#include <sys/socket.h>
#include "sip_family.h"


/**
 * The family to register over: AF_INET6, AF_INET, or AF_UNSPEC when no
 * family of ours reaches an address of the first hop. IPv6 that failed
 * is still used where IPv4 cannot be.
 */
int sip_family_pick(const struct sip_family_in *in)
{
	bool v6, v4;

	if (!in)
		return AF_UNSPEC;

	v6 = in->local6 && in->addr6;
	v4 = in->local4 && in->addr4;

	if (v6 && (!in->v6_failed || !v4))
		return AF_INET6;

	if (v4)
		return AF_INET;

	return AF_UNSPEC;
}


/** "ipv4", "ipv6" or "none", as `atactl nat` says it */
const char *sip_family_name(int af)
{
	switch (af) {

	case AF_INET:  return "ipv4";
	case AF_INET6: return "ipv6";
	default:       return "none";
	}
}
