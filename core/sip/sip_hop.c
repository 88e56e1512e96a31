/**
 * @file sip_hop.c  The first hop of a request we send: its name looked up
 *
 * reg.c and the call layer each send requests to a name; the steps
 * before and after sending are the same for both, so they live here
 * (see sip_hop.h). The words of a fault are resolver_describe_uri's.
 */
#include <string.h>
#include <re.h>
#include "sip_hop.h"
#include "sip_stack.h"


/**
 * Before a request to @p uri: its address from /etc/hosts (hop->route),
 * and without one, is there a name server at all? RESOLVER_ENOSERVER
 * when there is none (hop->fail says so), or the hosts file's error.
 * Forgets the last try's route, probe and fault.
 */
int sip_hop_prepare(struct sip_hop *hop, struct sip_stack *ss,
		    const char *uri)
{
	int err;

	if (!hop)
		return EINVAL;

	hop->probe = mem_deref(hop->probe);
	hop->route = mem_deref(hop->route);
	memset(&hop->fail, 0, sizeof(hop->fail));

	/* a name in /etc/hosts needs no DNS */
	err = resolver_hosts_route(&hop->route, uri, RESOLVER_HOSTS);
	if (err || hop->route)
		return err;

	/* no name server (yet): fail now, not wait for ever */
	hop->fail.fault = sip_stack_dns_check(ss, uri);

	return hop->fail.fault ? RESOLVER_ENOSERVER : 0;
}


/**
 * The request went: when its first hop is a name to look up, ask the
 * name server whether it is there at all; @p ph gets the verdict.
 */
void sip_hop_probe(struct sip_hop *hop, struct sip_stack *ss,
		   const char *uri, resolver_probe_h *ph, void *arg)
{
	if (!hop || hop->route)
		return;

	(void)resolver_probe_alloc(&hop->probe, sip_stack_dns(ss), uri, ph,
				   arg);
}


/**
 * The request failed with @p err / @p msg: was it the name lookup?
 * A fault found before (no name server, the probe's) stays.
 */
bool sip_hop_failed(struct sip_hop *hop, int err, const struct sip_msg *msg)
{
	if (!hop)
		return false;

	if (!hop->fail.fault)
		hop->fail.fault = resolver_fault_of(err, msg);

	return hop->fail.fault != RESOLVER_OK;
}


/** The fault in words, naming @p uri's host */
void sip_hop_describe(const struct sip_hop *hop, char *buf, size_t sz,
		      const char *uri)
{
	if (hop)
		resolver_describe_uri(buf, sz, &hop->fail, uri);
}


/** The owner ends: no route, no probe */
void sip_hop_close(struct sip_hop *hop)
{
	if (!hop)
		return;

	hop->probe = mem_deref(hop->probe);
	hop->route = mem_deref(hop->route);
}
