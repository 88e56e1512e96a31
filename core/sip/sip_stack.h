/**
 * @file sip_stack.h  The SIP stack: transports, DNS, incoming-request policy
 *
 * One per daemon. Registrations (reg.h) and calls (call.h) run on it.
 * With accept_any false, requests from addresses other than the
 * registrars/outbound proxies (sip_stack_trust) are dropped without a
 * reply, unless they belong to a dialog of one of our calls.
 */
#ifndef ATA_SIP_STACK_H
#define ATA_SIP_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "sys/resolver.h"

struct call;
struct call_media_conf;
struct sip_stack;

struct sip_stack_conf {
	const char *listen;        /**< "0.0.0.0:5060"; port 0 = random */
	bool udp, tcp, tls;
	const char *user_agent;
	bool accept_any;           /**< false = accept_from: proxy       */
	const char *tls_ca;        /**< CA file, NULL = none             */
	bool tls_verify;
	/** Names TLS servers must prove (registrars, outbound proxies) */
	const char * const *tls_hostv;
	size_t tls_hostc;
	/** Media for incoming calls (copied); NULL = PCMU, PCMA, 20 ms */
	const struct call_media_conf *media;
};

/** An incoming call for @p user; the handler takes the reference */
typedef void (sip_incoming_h)(struct call *call, void *arg);

int  sip_stack_alloc(struct sip_stack **ssp, const struct sip_stack_conf *c);
struct sip *sip_stack_sip(const struct sip_stack *ss);
int  sip_stack_dns_reload(struct sip_stack *ss);
enum resolver_fault sip_stack_dns_check(struct sip_stack *ss, const char *uri);
const struct resolver *sip_stack_dns(const struct sip_stack *ss);
const struct sa *sip_stack_laddr(const struct sip_stack *ss,
				 enum sip_transp tp);
int  sip_stack_trust(struct sip_stack *ss, const struct sa *addr);
int  sip_stack_add_user(struct sip_stack *ss, const char *user,
			sip_incoming_h *inh, void *arg);
int  sip_stack_user_media(struct sip_stack *ss, const char *user,
			  const struct call_media_conf *mc);
void sip_stack_del_user(struct sip_stack *ss, const char *user);
int  sip_stack_status(struct re_printf *pf, const struct sip_stack *ss);

#endif
