/**
 * @file modules/upnp/upnp_sched.c  Pure UPnP mapping logic
 *
 * Kept free of miniupnpc and of the main loop so the unit tests can
 * drive every branch (tests/unit/test_upnp_sched.c).
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "upnp_sched.h"


/** The lease we ask for, in seconds: never 0 (permanent), at most 7 d */
uint32_t upnp_lease_s(uint32_t lease_ms)
{
	uint32_t s = lease_ms / 1000;

	if (s < UPNP_LEASE_MIN_S)
		s = UPNP_LEASE_MIN_S;
	if (s > UPNP_LEASE_MAX_S)
		s = UPNP_LEASE_MAX_S;

	return s;
}


/**
 * When to renew a lease of @p lease_s seconds: at half of it, so one
 * lost refresh still leaves a second try before the mapping expires.
 * A lease of 0 (the IGD made it permanent after all) is rechecked, not
 * refreshed: 0 means "no refresh timer".
 */
uint32_t upnp_refresh_ms(uint32_t lease_s)
{
	uint64_t ms;

	if (!lease_s)
		return 0;

	ms = (uint64_t)lease_s * 500;
	if (ms < UPNP_REFRESH_MIN_MS)
		ms = UPNP_REFRESH_MIN_MS;

	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}


static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;

	return x;
}


/**
 * The external port to ask for on try @p attempt: the internal port
 * first (peers and logs are simplest then), then ports spread over
 * 1024..65535 from @p seed (our LAN address), so two hosts behind one
 * IGD do not keep colliding on the same sequence. The parity of the
 * internal port is kept (RTP even, RTCP odd).
 */
uint16_t upnp_port_candidate(uint16_t int_port, uint32_t seed,
			     unsigned attempt)
{
	const uint32_t span = (65536 - UPNP_PORT_LOW) / 2;
	uint32_t x, port;

	if (!attempt)
		return int_port;

	x = mix32(seed ^ mix32((uint32_t)int_port * 2654435761U + attempt));
	port = UPNP_PORT_LOW + (x % span) * 2 + (int_port & 1);
	if (port == int_port) {
		port += 2;
		if (port > 65535)
			port = UPNP_PORT_LOW + (uint32_t)(int_port & 1);
	}

	return (uint16_t)port;
}


/* A decimal port 1..65535, else 0 */
static uint16_t port_parse(const char *s)
{
	uint32_t v = 0;
	size_t i, n;

	if (!s)
		return 0;

	n = strlen(s);
	if (!n || n > 5)
		return 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}

	return v > 65535 ? 0 : (uint16_t)v;
}


/**
 * Judge a GetSpecificPortMappingEntry answer (@p code, the internal
 * client and port it returned) against our address and port. Anything
 * but our exact client and port is STOLEN: another LAN host, or another
 * program on this host, would receive the traffic meant for us.
 */
enum upnp_entry_verdict upnp_entry_check(int code, const char *client,
					 const char *port,
					 const struct sa *ours,
					 uint16_t our_port)
{
	struct sa got;

	if (code == UPNP_E_NO_SUCH_ENTRY)
		return UPNP_ENTRY_MISSING;

	if (code || !ours)
		return UPNP_ENTRY_UNKNOWN;

	if (!client || !*client)
		return UPNP_ENTRY_UNKNOWN;

	if (sa_set_str(&got, client, 0))
		return UPNP_ENTRY_STOLEN;   /* not even an address of ours */

	if (!sa_cmp(&got, ours, SA_ADDR))
		return UPNP_ENTRY_STOLEN;

	if (port_parse(port) != our_port)
		return UPNP_ENTRY_STOLEN;

	return UPNP_ENTRY_OURS;
}


/**
 * A miniupnpc result (0, a negative UPNPCOMMAND_* or a UPnP error code)
 * as a positive errno for the policy and the logs.
 */
int upnp_code_errno(int code)
{
	switch (code) {

	case 0:                       return 0;
	case -2:                      return EINVAL;  /* invalid args */
	case -3:                      return ENETUNREACH; /* HTTP error */
	case UPNP_E_INVALID_ARGS:     return EINVAL;
	case UPNP_E_NOT_AUTHORIZED:   return EPERM;
	case UPNP_E_NO_SUCH_ENTRY:    return ENOENT;
	case UPNP_E_CONFLICT:         return EADDRINUSE;
	case UPNP_E_SAME_PORT:        return EADDRINUSE;
	case UPNP_E_PERMANENT_ONLY:   return ENOTSUP;
	default:                      return EPROTO;
	}
}


const char *upnp_code_str(int code)
{
	switch (code) {

	case 0:                       return "success";
	case -1:                      return "unknown error";
	case -2:                      return "invalid arguments";
	case -3:                      return "HTTP error (IGD unreachable)";
	case UPNP_E_INVALID_ARGS:     return "InvalidArgs";
	case UPNP_E_ACTION_FAILED:    return "ActionFailed";
	case UPNP_E_NOT_AUTHORIZED:   return "ActionNotAuthorized";
	case UPNP_E_NO_SUCH_ENTRY:    return "NoSuchEntryInArray";
	case UPNP_E_CONFLICT:         return "ConflictInMappingEntry";
	case UPNP_E_SAME_PORT:        return "SamePortValuesRequired";
	case UPNP_E_PERMANENT_ONLY:   return "OnlyPermanentLeasesSupported";
	default:                      return "UPnP error";
	}
}


/**
 * true if an IGD's external address can be reached from the Internet:
 * not unspecified, loopback, link-local, RFC 1918 or RFC 6598 shared
 * (carrier-grade NAT) space. A private one means a NAT in front of the
 * IGD (double NAT): its port mappings would not be reachable.
 */
bool upnp_addr_public(const struct sa *sa)
{
	uint32_t a;

	if (!sa || sa_af(sa) != AF_INET)
		return sa && sa_af(sa) == AF_INET6 && !sa_is_any(sa) &&
			!sa_is_loopback(sa) && !sa_is_linklocal(sa);

	a = sa_in(sa);

	return !(a == 0 ||
		 (a >> 24) == 10 || (a >> 24) == 127 ||
		 (a >> 20) == 0xac1 ||             /* 172.16/12  */
		 (a >> 16) == 0xc0a8 ||            /* 192.168/16 */
		 (a >> 16) == 0xa9fe ||            /* 169.254/16 */
		 (a >> 22) == (0x6440 >> 6));      /* 100.64/10  */
}


const char *upnp_verdict_str(enum upnp_entry_verdict v)
{
	switch (v) {

	case UPNP_ENTRY_OURS:    return "ours";
	case UPNP_ENTRY_MISSING: return "missing";
	case UPNP_ENTRY_STOLEN:  return "stolen";
	default:                 return "unknown";
	}
}
