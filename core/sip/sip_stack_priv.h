/**
 * @file sip_stack_priv.h  struct sip_stack, shared by its files
 *
 * sip_stack.c (the stack, transports, status), sip_stack_trust.c (who
 * may talk to us), sip_stack_self.c (our own OPTIONS: the UDP socket),
 * sip_stack_route.c (requests up: users and dialogs).
 */
#ifndef ATA_SIP_STACK_PRIV_H
#define ATA_SIP_STACK_PRIV_H

#include <re.h>
#include "sip_stack.h"

struct sip_stack {
	struct sip *sip;
	struct resolver *dns;
	struct tls *tls;
	struct sipsess_sock *sock;
	struct sip_lsnr *lsnr_filter;
	struct sip_lsnr *lsnr_options;
	struct sip_version *ver;  /* 505 for other SIP versions (UDP) */
	struct list users;
	struct list trusted;
	struct list dialogs;      /* of the upper layer: its calls */
	struct list seen;
	struct list notifies;     /* out-of-dialog NOTIFY handlers */
	struct sip_lsnr *lsnr_notify;
	struct sipevent_sock *evsock;
	struct sa laddr[SIP_TRANSPC];   /* IPv4 (or the one explicit family) */
	struct sa laddr6[SIP_TRANSPC];  /* IPv6 beside it ("[::]:P") */
	bool accept_any;
	bool nat_started;         /* our UDP socket went to nat.c */
	uint64_t dropped;
};

/* sip_stack_trust.c */
bool sip_stack_trust_ok(const struct sip_stack *ss,
			const struct sip_msg *msg);
void sip_stack_trust_drop(struct sip_stack *ss, const struct sip_msg *msg);
bool sip_stack_trust_filter(const struct sip_msg *msg, void *arg);

/* sip_stack_self.c */
int  sip_stack_self_probe(struct sip_stack *ss);
bool sip_stack_self_seen(struct sip_stack *ss, const struct sip_msg *msg);

/* sip_stack_route.c */
bool sip_stack_route_in_dialog(const struct sip_stack *ss,
			       const struct sip_msg *msg);
void sip_stack_route_invite(const struct sip_msg *msg, void *arg);

/* sip_stack_notify.c */
bool sip_stack_notify_route(const struct sip_msg *msg, void *arg);

#endif
