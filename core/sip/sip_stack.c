/**
 * @file sip_stack.c  libre SIP stack, transports, and who may talk to us
 *
 * With accept_from: proxy, a request whose source is not a registrar or
 * outbound proxy (learnt by reg.c) and not inside one of our dialogs is
 * dropped without any reply: a scanner learns nothing. Each dropping
 * source is logged as a SECURITY record at most once a minute.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "mod/hint.h"
#include "nat/nat.h"
#include "sip_check.h"
#include "sip_tls.h"
#include "sys/resolver.h"
#include "sip_stack.h"
#include "sip_version.h"

enum {
	HASH_SIZE = 16,
	SEEN_MAX = 32,            /* sources remembered for the log limit */
	SEEN_INTERVAL_MS = 60000,
	TRUST_MAX = 64,
};

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
	struct sa laddr[SIP_TRANSPC];
	bool accept_any;
	bool nat_started;         /* our UDP socket went to nat.c */
	uint64_t dropped;
};

struct stack_user {
	struct le le;
	char *user;
	sip_stack_invite_h *inh;
	void *arg;
};

struct sip_stack_dialog {
	struct le le;
	struct sip_stack *ss;
	sip_stack_match_h *dialogh;  /* a request inside the dialog */
	sip_stack_match_h *inviteh;  /* the INVITE that opens it, again */
	void *arg;
};

struct stack_addr {
	struct le le;
	struct sa addr;
	uint64_t last;            /* seen list: last logged, ms */
	uint32_t count;
};


static void sip_stack_destructor(void *arg)
{
	struct sip_stack *ss = arg;

	if (ss->nat_started) {
		hint_sip_socket(NULL, NULL);
		nat_sip_stop();
	}
	mem_deref(ss->ver);
	list_flush(&ss->users);
	list_flush(&ss->trusted);
	list_flush(&ss->seen);
	mem_deref(ss->lsnr_options);
	mem_deref(ss->lsnr_filter);
	/* a hung-up session lives on until its BYE is answered, holding
	   the socket and so the whole stack: end them now */
	sipsess_close_all(ss->sock);
	mem_deref(ss->sock);
	sip_close(ss->sip, true);
	mem_deref(ss->sip);
	mem_deref(ss->tls);
	sip_tls_reset();
	mem_deref(ss->dns);
}


static void user_destructor(void *arg)
{
	struct stack_user *u = arg;

	list_unlink(&u->le);
	mem_deref(u->user);
}


static struct stack_addr *addr_find(const struct list *l, const struct sa *a)
{
	struct le *le;

	for (le = list_head(l); le; le = le->next) {
		struct stack_addr *sa = le->data;

		if (sa_cmp(&sa->addr, a, SA_ADDR))
			return sa;
	}

	return NULL;
}


static bool in_dialog(const struct sip_stack *ss, const struct sip_msg *msg)
{
	struct le *le;

	if (!pl_isset(&msg->to.tag))
		return false;

	for (le = list_head(&ss->dialogs); le; le = le->next) {
		const struct sip_stack_dialog *d = le->data;

		if (d->dialogh && d->dialogh(msg, d->arg))
			return true;
	}

	return false;
}


/* A retransmission of an INVITE a dialog is still deciding on */
static bool invite_again(const struct sip_stack *ss,
			 const struct sip_msg *msg)
{
	struct le *le;

	for (le = list_head(&ss->dialogs); le; le = le->next) {
		const struct sip_stack_dialog *d = le->data;

		if (d->inviteh && d->inviteh(msg, d->arg))
			return true;
	}

	return false;
}


/* accept_from: any, a registrar or proxy, or one of our dialogs */
static bool source_ok(const struct sip_stack *ss, const struct sip_msg *msg)
{
	return ss->accept_any || addr_find(&ss->trusted, &msg->src) ||
		in_dialog(ss, msg);
}


static void log_rejected(struct sip_stack *ss, const struct sip_msg *msg)
{
	uint64_t now = tmr_jiffies();
	struct stack_addr *seen;

	seen = addr_find(&ss->seen, &msg->src);
	if (seen) {
		++seen->count;
		if (now - seen->last < SEEN_INTERVAL_MS)
			return;
		list_unlink(&seen->le);
	}
	else {
		if (list_count(&ss->seen) >= SEEN_MAX) {
			struct le *oldest = list_head(&ss->seen);

			list_unlink(oldest);
			mem_deref(oldest->data);
		}

		seen = mem_zalloc(sizeof(*seen), NULL);
		if (!seen)
			return;
		seen->addr = msg->src;
		seen->count = 1;
	}

	list_append(&ss->seen, &seen->le, seen);
	seen->last = now;

	ata_security("event=rejected src=%J method=%r ruri=%r count=%u "
		     "reason=untrusted-source", &msg->src, &msg->met,
		     &msg->ruri, seen->count);
}


/* A request of another SIP version (sip_version.c): 505 to a source we
   answer at all; never an ACK (RFC 3261 17.2.1) */
static void version_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;

	if (!source_ok(ss, msg)) {
		++ss->dropped;
		log_rejected(ss, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "ACK"))
		return;

	ata_info("sip: %r from %J refused: 505 SIP version not 2.0",
		 &msg->met, &msg->src);
	(void)sip_reply(ss->sip, msg, 505, "Version Not Supported");
}


/* Our own probe (probe_self): hand the UDP socket to the NAT policy and
   to the version check */
static bool self_probe(struct sip_stack *ss, const struct sip_msg *msg)
{
	if (ss->nat_started || msg->tp != SIP_TRANSP_UDP ||
	    !sa_cmp(&msg->src, &ss->laddr[SIP_TRANSP_UDP], SA_ALL) ||
	    pl_strcmp(&msg->met, "OPTIONS"))
		return false;

	ss->nat_started = true;
	nat_sip_start(msg->sock, &ss->laddr[SIP_TRANSP_UDP]);
	hint_sip_socket(msg->sock, &ss->laddr[SIP_TRANSP_UDP]);
	if (sip_version_alloc(&ss->ver, msg->sock,
			      &ss->laddr[SIP_TRANSP_UDP], version_handler, ss))
		ata_warn("sip: no 505 for other SIP versions (no memory)");
	else
		ata_debug("sip: UDP requests of other SIP versions get 505");

	return true;
}


/* A request we may answer: refuse what RFC 3261 8.2 says a UAS must
   refuse (true = answered here, libre's listeners never see it) */
static bool checked_reply(struct sip_stack *ss, const struct sip_msg *msg)
{
	struct sip_check chk;

	sip_check_request(&chk, msg);
	if (!chk.scode)
		return false;
	if (!pl_isset(&msg->via.sentby))
		return true;  /* nowhere to send a response */

	ata_info("sip: %r from %J refused: %u %s", &msg->met, &msg->src,
		 chk.scode, chk.reason);
	(void)sip_treplyf(NULL, NULL, ss->sip, msg, false, chk.scode,
			  chk.reason, "%HContent-Length: 0\r\n\r\n",
			  sip_check_unsupported, &chk);

	return true;
}


/* First request listener: true = consumed (dropped silently) */
static bool filter_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;

	if (self_probe(ss, msg))
		return true;

	if (source_ok(ss, msg))
		return checked_reply(ss, msg);

	++ss->dropped;
	log_rejected(ss, msg);

	return true;
}


/* Proxies ping us with OPTIONS (keep-alive, nathelper) */
static bool options_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;

	if (pl_strcmp(&msg->met, "OPTIONS"))
		return false;

	(void)sip_treplyf(NULL, NULL, ss->sip, msg, false, 200, "OK",
			  "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n"
			  "Accept: application/sdp\r\n"
			  "Content-Length: 0\r\n\r\n");

	return true;
}


static struct stack_user *user_find(const struct sip_stack *ss,
				    const struct pl *user)
{
	struct le *le;

	for (le = list_head(&ss->users); le; le = le->next) {
		struct stack_user *u = le->data;

		if (!pl_strcmp(user, u->user))
			return u;
	}

	return NULL;
}


/* A new INVITE (libre's sipsess_conn_h): to the user it is for */
static void conn_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;
	struct stack_user *u;

	if (invite_again(ss, msg))
		return;  /* retransmission, still being decided */

	u = user_find(ss, &msg->uri.user);
	if (!u) {
		ata_info("sip: INVITE from %J for unknown user '%r'",
			 &msg->src, &msg->uri.user);
		(void)sip_treply(NULL, ss->sip, msg, 404, "Not Found");
		return;
	}

	u->inh(msg, u->arg);
}


/* An unspecified listen address cannot go into Via/Contact: use the
   address of the default route, like a phone does. No default route
   yet (a box booted before its DHCP lease, a cable not in):
   EADDRNOTAVAIL, which phone.c waits out. */
static int listen_addr(struct sa *laddr, const char *listen)
{
	int err;

	err = sa_decode(laddr, listen, str_len(listen));
	if (err) {
		err = sa_set_str(laddr, listen, 0);
		if (err)
			return EINVAL;
	}

	if (!sa_is_any(laddr))
		return 0;

	{
		uint16_t port = sa_port(laddr);

		err = net_default_source_addr_get(sa_af(laddr), laddr);
		if (err)
			return EADDRNOTAVAIL;
		sa_set_port(laddr, port);
	}

	return 0;
}


/** Read resolv.conf again (see sip_dns.c): on a network change */
int sip_stack_dns_reload(struct sip_stack *ss)
{
	return ss ? resolver_reload(ss->dns) : EINVAL;
}


/** RESOLVER_OK when a request to @p uri can go out (resolver_check) */
enum resolver_fault sip_stack_dns_check(struct sip_stack *ss, const char *uri)
{
	return ss ? resolver_check(ss->dns, uri) : RESOLVER_OK;
}


/** The resolver, for resolver_probe_alloc() */
const struct resolver *sip_stack_dns(const struct sip_stack *ss)
{
	return ss ? ss->dns : NULL;
}


static int transports_add(struct sip_stack *ss, const struct sa *laddr,
			  const struct sip_stack_conf *c)
{
	int err = 0;

	if (c->udp)
		err = sip_transp_add(ss->sip, SIP_TRANSP_UDP, laddr);
	if (!err && c->tcp)
		err = sip_transp_add(ss->sip, SIP_TRANSP_TCP, laddr);
	if (!err && c->tls) {
		err = tls_alloc(&ss->tls, TLS_METHOD_SSLV23, NULL, NULL);
		if (!err && c->tls_ca)
			err = tls_add_ca(ss->tls, c->tls_ca);
		if (!err && c->tls_verify)
			err = sip_tls_verify(ss->tls, c->tls_hostv,
					     c->tls_hostc);
		if (!err)
			err = sip_transp_add(ss->sip, SIP_TRANSP_TLS, laddr,
					     ss->tls);
	}

	return err;
}


static void probe_resp_handler(int err, const struct sip_msg *msg,
			       void *arg)
{
	(void)err;
	(void)msg;
	(void)arg;
}


/* libre 1.1.0 never hands out the SIP UDP socket, which the NAT policy
   must bind; a request to ourselves arrives with it in msg->sock. */
static int probe_self(struct sip_stack *ss)
{
	const struct sa *la = &ss->laddr[SIP_TRANSP_UDP];
	char uri[80];

	if (!sa_isset(la, SA_ALL) ||
	    re_snprintf(uri, sizeof(uri), "sip:probe@%J", la) < 0)
		return EINVAL;

	return sip_requestf(NULL, ss->sip, false, "OPTIONS", uri, NULL,
			    NULL, NULL, probe_resp_handler, ss,
			    "To: <%s>\r\n"
			    "From: <%s>;tag=%x\r\n"
			    "Call-ID: %x\r\n"
			    "CSeq: 1 OPTIONS\r\n"
			    "Max-Forwards: 1\r\n"
			    "Content-Length: 0\r\n\r\n",
			    uri, uri, rand_u32(), rand_u32());
}


/**
 * Start the SIP stack. Returns EINVAL (bad listen address, media conf or
 * no transport), EADDRINUSE and other socket errors, or ENOMEM.
 */
int sip_stack_alloc(struct sip_stack **ssp, const struct sip_stack_conf *c)
{
	struct sip_stack *ss;
	struct sa laddr;
	enum sip_transp tp;
	int err;

	if (!ssp || !c || !c->listen || !(c->udp || c->tcp || c->tls))
		return EINVAL;

	ss = mem_zalloc(sizeof(*ss), sip_stack_destructor);
	if (!ss)
		return ENOMEM;

	ss->accept_any = c->accept_any;

	err = listen_addr(&laddr, c->listen);
	if (err == EADDRNOTAVAIL)
		goto out;              /* no network yet: phone.c says so */
	if (err) {
		ata_err("sip: listen address '%s': %m", c->listen, err);
		goto out;
	}

	err = resolver_alloc(&ss->dns);
	if (err)
		goto out;

	err = sip_alloc(&ss->sip, resolver_client(ss->dns), 32, 32, 32,
			c->user_agent ? c->user_agent : "ataua", NULL, NULL);
	if (err)
		goto out;

	/* the filter must see requests before sipsess does */
	err = sip_listen(&ss->lsnr_filter, ss->sip, true, filter_handler, ss);
	if (err)
		goto out;

	err = transports_add(ss, &laddr, c);
	if (err == EADDRNOTAVAIL)
		goto out;              /* our address is not there (yet) */
	if (err) {
		ata_err("sip: listen on %J: %m", &laddr, err);
		goto out;
	}

	for (tp = SIP_TRANSP_UDP; tp <= SIP_TRANSP_TLS; tp++)
		(void)sip_transp_laddr(ss->sip, &ss->laddr[tp], tp, &laddr);

	err = sipsess_listen(&ss->sock, ss->sip, HASH_SIZE, conn_handler, ss);
	if (err)
		goto out;

	err = sip_listen(&ss->lsnr_options, ss->sip, true, options_handler,
			 ss);
	if (err)
		goto out;

	if (c->udp) {
		err = probe_self(ss);
		if (err) {
			ata_warn("sip: cannot start NAT probing: %m", err);
			err = 0;
		}
	}

	if (c->tls && !c->tls_verify)
		ata_warn("sip: tls_verify is off: SIP over TLS is encrypted "
			 "but the server is not authenticated");

 out:
	if (err)
		mem_deref(ss);
	else
		*ssp = ss;

	return err;
}


struct sip *sip_stack_sip(const struct sip_stack *ss)
{
	return ss ? ss->sip : NULL;
}


/** Bound address of transport @p tp (learn a random port), or NULL */
const struct sa *sip_stack_laddr(const struct sip_stack *ss,
				 enum sip_transp tp)
{
	if (!ss || tp < SIP_TRANSP_UDP || tp > SIP_TRANSP_TLS ||
	    !sa_isset(&ss->laddr[tp], SA_ALL))
		return NULL;

	return &ss->laddr[tp];
}


/**
 * Accept requests from @p addr's IP (any port: proxies answer from
 * other ports, TCP from ephemeral ones). ENOSPC past TRUST_MAX.
 */
int sip_stack_trust(struct sip_stack *ss, const struct sa *addr)
{
	struct stack_addr *ta;

	if (!ss || !addr || !sa_isset(addr, SA_ADDR))
		return EINVAL;

	if (addr_find(&ss->trusted, addr))
		return 0;

	if (list_count(&ss->trusted) >= TRUST_MAX)
		return ENOSPC;

	ta = mem_zalloc(sizeof(*ta), NULL);
	if (!ta)
		return ENOMEM;

	ta->addr = *addr;
	list_append(&ss->trusted, &ta->le, ta);
	ata_debug("sip: trusting %j", addr);

	return 0;
}


/**
 * Hand new INVITEs whose Request-URI user is @p user to @p inh.
 * EALREADY if taken.
 */
int sip_stack_add_user(struct sip_stack *ss, const char *user,
		       sip_stack_invite_h *inh, void *arg)
{
	struct stack_user *u;
	struct pl pl;
	int err;

	if (!ss || !str_isset(user) || !inh)
		return EINVAL;

	pl_set_str(&pl, user);
	if (user_find(ss, &pl))
		return EALREADY;

	u = mem_zalloc(sizeof(*u), user_destructor);
	if (!u)
		return ENOMEM;

	err = str_dup(&u->user, user);
	if (err) {
		mem_deref(u);
		return err;
	}

	u->inh = inh;
	u->arg = arg;
	list_append(&ss->users, &u->le, u);

	return 0;
}


void sip_stack_del_user(struct sip_stack *ss, const char *user)
{
	struct pl pl;

	if (!ss || !user)
		return;

	pl_set_str(&pl, user);
	mem_deref(user_find(ss, &pl));
}


int sip_stack_status(struct re_printf *pf, const struct sip_stack *ss)
{
	enum sip_transp tp;
	int err = 0;

	if (!ss)
		return 0;

	for (tp = SIP_TRANSP_UDP; tp <= SIP_TRANSP_TLS; tp++) {
		if (sa_isset(&ss->laddr[tp], SA_ALL))
			err |= re_hprintf(pf, "sip_%s=%J\n",
					  sip_transp_name(tp),
					  &ss->laddr[tp]);
	}

	err |= re_hprintf(pf, "accept_from=%s\n",
			  ss->accept_any ? "any" : "proxy");
	err |= re_hprintf(pf, "trusted=%u\nrejected=%llu\n",
			  list_count(&ss->trusted), ss->dropped);

	return err;
}


struct sipsess_sock *sip_stack_sock(const struct sip_stack *ss)
{
	return ss ? ss->sock : NULL;
}


static void dialog_destructor(void *arg)
{
	struct sip_stack_dialog *d = arg;

	list_unlink(&d->le);
	mem_deref(d->ss);
}


/**
 * A dialog of the upper layer (a call): requests that @p dialogh says
 * are inside it pass accept_from, and INVITEs that @p inviteh says are
 * its opening INVITE again reach no user. Dropping it unregisters.
 */
int sip_stack_dialog_alloc(struct sip_stack_dialog **dp,
			   struct sip_stack *ss, sip_stack_match_h *dialogh,
			   sip_stack_match_h *inviteh, void *arg)
{
	struct sip_stack_dialog *d;

	if (!dp || !ss)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), dialog_destructor);
	if (!d)
		return ENOMEM;

	d->ss = mem_ref(ss);
	d->dialogh = dialogh;
	d->inviteh = inviteh;
	d->arg = arg;
	list_append(&ss->dialogs, &d->le, d);
	*dp = d;

	return 0;
}
