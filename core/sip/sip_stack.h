/**
 * @file sip_stack.h  The SIP stack: transports, DNS, incoming-request policy
 *
 * One per daemon. Registrations (reg.h) and calls (call.h) run on it.
 * With accept_any false, requests from addresses other than the
 * registrars/outbound proxies (sip_stack_trust) are dropped without a
 * reply, unless they belong to a dialog of one of our calls.
 *
 * The stack names no upper layer: a new INVITE goes to the handler of
 * the user it is for (sip_stack_add_user, as libre's sipsess_conn_h),
 * and each dialog (a call) tells the stack which requests are its own
 * (sip_stack_dialog_alloc).
 */
#ifndef ATA_SIP_STACK_H
#define ATA_SIP_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "sys/resolver.h"

struct sip_stack;
struct sip_stack_dialog;
struct sip_stack_notify;

struct sip_stack_conf {
	const char *listen;  /**< "[::]:5060": both families; port 0 random */
	bool udp, tcp, tls;
	const char *user_agent;
	bool accept_any;           /**< false = accept_from: proxy       */
	const char *tls_ca;        /**< CA file, NULL = none             */
	bool tls_verify;
	/** Names TLS servers must prove (registrars, outbound proxies) */
	const char * const *tls_hostv;
	size_t tls_hostc;
};

/**
 * A new INVITE for a user of sip_stack_add_user (not a retransmission
 * of one a dialog is still deciding on). The handler sends the final
 * response, now or later (mem_ref @p msg to keep it).
 */
typedef void (sip_stack_invite_h)(const struct sip_msg *msg, void *arg);
/** An out-of-dialog NOTIFY (sip_stack_notify_alloc); the handler replies */
typedef void (sip_stack_notify_h)(const struct sip_msg *msg, void *arg);
/** Does @p msg belong to the dialog that registered this handler? */
typedef bool (sip_stack_match_h)(const struct sip_msg *msg, void *arg);

int  sip_stack_alloc(struct sip_stack **ssp, const struct sip_stack_conf *c);
struct sip *sip_stack_sip(const struct sip_stack *ss);
int  sip_stack_dns_reload(struct sip_stack *ss);
enum resolver_fault sip_stack_dns_check(struct sip_stack *ss, const char *uri);
const struct resolver *sip_stack_dns(const struct sip_stack *ss);
const struct sa *sip_stack_laddr(const struct sip_stack *ss,
				 enum sip_transp tp);
const struct sa *sip_stack_laddr_af(const struct sip_stack *ss,
				    enum sip_transp tp, int af);
int  sip_stack_trust(struct sip_stack *ss, const struct sa *addr);
int  sip_stack_add_user(struct sip_stack *ss, const char *user,
			sip_stack_invite_h *inh, void *arg);
void sip_stack_del_user(struct sip_stack *ss, const char *user);
int  sip_stack_dialog_alloc(struct sip_stack_dialog **dp,
			    struct sip_stack *ss, sip_stack_match_h *dialogh,
			    sip_stack_match_h *inviteh, void *arg);
struct sipsess_sock *sip_stack_sock(const struct sip_stack *ss);
int  sip_stack_notify_alloc(struct sip_stack_notify **np,
			    struct sip_stack *ss, const char *user,
			    const char *event, sip_stack_notify_h *h,
			    void *arg);
struct sipevent_sock *sip_stack_evsock(const struct sip_stack *ss);
int  sip_stack_status(struct re_printf *pf, const struct sip_stack *ss);

#endif
