/**
 * @file sip_hop.h  The first hop of a request we send: its name looked up
 *
 * A REGISTER (reg.c) or an INVITE (call/) goes first to a name: an
 * outbound proxy, the registrar or the callee. /etc/hosts is asked
 * first (its address becomes the route); else a request needs a name
 * server, and with none in resolv.conf it would wait for ever, so it
 * does not go; else a probe of our own asks the name server beside
 * libre's lookups, to tell a server that refuses or is silent in
 * seconds. The owner embeds a struct sip_hop and keeps its own words.
 */
#ifndef ATA_SIP_HOP_H
#define ATA_SIP_HOP_H

#include <stdbool.h>
#include "sys/resolver.h"

struct sip_stack;

struct sip_hop {
	char *route;                   /**< From /etc/hosts, or NULL     */
	struct resolver_probe *probe;  /**< The name server being asked  */
	struct resolver_fail fail;     /**< What went wrong, if anything */
};

int  sip_hop_prepare(struct sip_hop *hop, struct sip_stack *ss,
		     const char *uri);
void sip_hop_probe(struct sip_hop *hop, struct sip_stack *ss,
		   const char *uri, resolver_probe_h *ph, void *arg);
bool sip_hop_failed(struct sip_hop *hop, int err, const struct sip_msg *msg);
void sip_hop_describe(const struct sip_hop *hop, char *buf, size_t sz,
		      const char *uri);
void sip_hop_close(struct sip_hop *hop);

#endif
