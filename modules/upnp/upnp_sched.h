/**
 * @file modules/upnp/upnp_sched.h  Pure UPnP mapping logic (unit-tested)
 *
 * No miniupnpc, no timers, no globals: lease arithmetic, the choice of
 * another external port on a conflict, the check that a mapping the IGD
 * reports is still ours, and what UPnP error codes mean to us.
 */
#ifndef UPNP_SCHED_H
#define UPNP_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct sa;

enum {
	UPNP_LEASE_MIN_S   = 60,        /**< config allows 1m..24h        */
	UPNP_LEASE_MAX_S   = 604800,    /**< IGDv2 caps a lease at 7 days */
	UPNP_REFRESH_MIN_MS = 1000,
	UPNP_PORT_TRIES    = 8,         /**< external ports tried in all  */
	UPNP_PORT_LOW      = 1024,      /**< no privileged external ports */
};

/** UPnP error codes we act on (UPnP IGD WANIPConnection spec) */
enum {
	UPNP_E_INVALID_ARGS  = 402,
	UPNP_E_ACTION_FAILED = 501,
	UPNP_E_NOT_AUTHORIZED = 606,
	UPNP_E_NO_SUCH_ENTRY = 714,
	UPNP_E_CONFLICT      = 718,
	UPNP_E_SAME_PORT     = 724,
	UPNP_E_PERMANENT_ONLY = 725,
};

/** What GetSpecificPortMappingEntry says about our mapping */
enum upnp_entry_verdict {
	UPNP_ENTRY_OURS = 0,     /**< internal client and port are ours   */
	UPNP_ENTRY_MISSING,      /**< no such entry (router restarted)    */
	UPNP_ENTRY_STOLEN,       /**< another LAN host or port holds it   */
	UPNP_ENTRY_UNKNOWN,      /**< the IGD did not answer usefully     */
};

uint32_t upnp_lease_s(uint32_t lease_ms);
uint32_t upnp_refresh_ms(uint32_t lease_s);
uint16_t upnp_port_candidate(uint16_t int_port, uint32_t seed,
			     unsigned attempt);
enum upnp_entry_verdict upnp_entry_check(int code, const char *client,
					 const char *port,
					 const struct sa *ours,
					 uint16_t our_port);
int upnp_code_errno(int code);
const char *upnp_code_str(int code);
bool upnp_addr_public(const struct sa *sa);
const char *upnp_verdict_str(enum upnp_entry_verdict v);

#endif
