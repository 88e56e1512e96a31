/**
 * @file reg_priv.h  struct reg, shared by the files of the reg unit
 *
 * reg.c (the account), reg_send.c (the REGISTER and its answer),
 * reg_backoff.c (failures and the wait), reg_tcp.c (UDP blocked: TCP)
 * and reg_query.c (status).
 */
#ifndef ATA_REG_PRIV_H
#define ATA_REG_PRIV_H

#include <re.h>
#include "reg.h"
#include "sip_hop.h"

/**
 * @file reg.c  REGISTER one account with libre sipreg; back off on failure
 *
 * libre's sipreg does digest auth and refreshes at 90% of the granted
 * expiry. On any failure we drop it and start over after our own capped
 * exponential backoff with jitter, so a wrong password or a dead
 * registrar is not hammered and the wait is known (reg_retry_in). Every
 * response teaches the stack whom to trust (accept_from: proxy).
 *
 * The first hop's name is looked up in /etc/hosts first (sip_hop.c);
 * otherwise libre asks DNS, and a probe of our own (resolver_probe.c)
 * runs beside it, so that a name server that refuses or is silent is
 * told in seconds, in words, not as a 45 s timeout. Every DNS fault
 * (resolver.h) has its own words and goes through the same backoff.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "nat/nat.h"
#include "reg.h"
#include "sip_hop.h"
#include "sip_stack.h"

enum {
	DEFAULT_EXPIRY_S = 3600,
	BACKOFF_SHIFT_MAX = 6,     /* 30 s << 6 > 1800 s: capped anyway */
	NAT_WAIT_MAX_MS = 10000,   /* register anyway if NAT never decides */
	NAT_RESTART_MS = 500,      /* let the un-REGISTER go out first */
	/* a REGISTER has its answer or a timeout within 32 s (64 T1);
	   past this the request is stuck before it was sent: libre's
	   resolver waits for ever on a name server it cannot reach */
	ANSWER_GUARD_MS = 45000,
	/* no name server: resolv.conf is read again this often while we
	   back off (reading a file sends nothing) */
	DNS_WAIT_MS = 1000,
};

/* The registration's IP family (reg_family.c) */
struct reg_family {
	struct dns_query *q4, *q6; /* the first hop's A and AAAA */
	struct dns_query *qsrv;    /* its SIP SRV, when it has no port */
	struct sa sa4, sa6;        /* their first addresses */
	bool addr4, addr6;         /* found */
	bool srv;                  /* SRV records: they choose the host */
	bool ready;                /* A/AAAA done, waiting for the SRV */
	bool looked_up;
	bool have6;                /* we listen on a global IPv6 address */
	bool v6_failed;            /* IPv6 unanswered: IPv4 from now on */
	int af;                    /* this try's family, AF_UNSPEC unknown */
	char *route;               /* the first hop's address, as a route */
	struct tmr tmr_lookup;     /* A waits for AAAA; a silent server */
	struct tmr tmr_he;         /* IPv6 answer or IPv4 (fallback) */
	struct tmr tmr_ka;         /* IPv6: keep the firewall's flow */
	struct sa ka_dst;
};

struct reg {
	struct sip_stack *ss;
	struct sipreg *sipreg;
	struct tmr tmr;
	struct tmr tmr_guard;      /* the REGISTER in flight: see above */
	struct tmr tmr_dns;        /* waiting for a name server */
	struct sip_hop hop;        /* this try's first hop and DNS fault */
	struct reg_family fam;
	struct nat_lsnr *nat_lsnr;
	struct reg_conf conf;      /* points at the copies below */
	char *aor, *registrar, *proxy, *auth_user, *password, *display;
	char *user, *domain;
	char *peer;                /* "host:port" we talk to, for reasons */
	reg_state_h *sh;
	void *arg;
	enum reg_state state;
	unsigned failures;
	bool auth_sent;
	bool lookup;               /* told nat: its name is being looked up */
	uint64_t retry_at;
	char reason[160];
	char contact[80];          /* the binding the registrar stored,
				      "host:port" from its last 2xx,
				      "" when it listed none of ours */
};

/* reg.c */
void reg_set_state(struct reg *reg, enum reg_state st, bool always);
const char *reg_first_hop(const struct reg *reg);
const char *reg_tp_name(enum sip_transp tp);

/* reg_send.c */
void reg_send_retry(void *arg);
void reg_send_nat_handler(bool changed, void *arg);
void reg_lookup_over(struct reg *reg);

/* reg_family.c */
bool reg_family_prepare(struct reg *reg);
void reg_family_sent(struct reg *reg);
bool reg_family_answered(struct reg *reg, int err,
			 const struct sip_msg *msg);
void reg_family_state(struct reg *reg);
void reg_family_close(struct reg *reg);

/* reg_backoff.c */
void reg_backoff_fail(struct reg *reg, int err, const struct sip_msg *msg);

/* reg_tcp.c */
bool reg_tcp_switch(struct reg *reg, const char *why);
bool reg_tcp_auto(const struct reg *reg);
bool reg_tcp_alg(struct reg *reg, const struct sip_msg *msg);
bool reg_tcp_fallback(struct reg *reg, int err);

#endif
