/**
 * @file sip_stack.c  libre SIP stack, transports, DNS, status
 *
 * One stack per daemon: the listen address (the default route's when
 * unspecified), UDP/TCP/TLS, the resolver, sipsess and the listeners.
 * Who may talk to us is sip_stack_trust.c; requests for the layers
 * above go through sip_stack_route.c; sip_stack_self.c finds our own
 * UDP socket for the NAT policy and the SIP version check.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "mod/hint.h"
#include "nat/nat.h"
#include "sip_tls.h"
#include "sys/resolver.h"
#include "sys/src_addr.h"
#include "sip_stack_priv.h"
#include "sip_version.h"

enum {
	HASH_SIZE = 16,
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
	mem_deref(ss->evsock);
	mem_deref(ss->lsnr_notify);
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

		err = sa_af(laddr) == AF_INET6 ? src_addr_global6(laddr) :
			net_default_source_addr_get(sa_af(laddr), laddr);
		if (err)
			return EADDRNOTAVAIL;
		sa_set_port(laddr, port);
	}

	return 0;
}


/*
 * "[::]:P" is both families, as a socket on :: is on Linux: IPv4 on
 * the default route's address (the NAT policy's socket), IPv6 on our
 * global address. A box with no IPv6 (no route, only link-local) runs
 * IPv4 alone and says so once at info level: that is no fault. *v6 is
 * cleared when there is no IPv6 to listen on; a box with no IPv4 (an
 * IPv6-only line) runs IPv6 alone. EADDRNOTAVAIL: neither (yet).
 */
static int listen_dual(struct sa *laddr, struct sa *laddr6,
		       const char *listen)
{
	int err4, err6;

	err6 = listen_addr(laddr6, listen);
	if (err6 == EINVAL)
		return EINVAL;

	{
		char v4[32];

		(void)re_snprintf(v4, sizeof(v4), "0.0.0.0:%u",
				  sa_port(laddr6));
		err4 = listen_addr(laddr, v4);
	}

	if (err6) {
		sa_init(laddr6, AF_UNSPEC);
		if (!err4)
			ata_info("sip: no global IPv6 address: listening on "
				 "IPv4 only");
	}
	if (err4)
		sa_init(laddr, AF_UNSPEC);

	return err4 && err6 ? EADDRNOTAVAIL : 0;
}


/* Does the listen address mean both families ("[::]:P")? */
static bool listen_is_dual(const char *listen)
{
	struct sa sa;

	return !sa_decode(&sa, listen, str_len(listen)) &&
		sa_af(&sa) == AF_INET6 && sa_is_any(&sa);
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
	if (!err && c->tls && !ss->tls) {
		err = tls_alloc(&ss->tls, TLS_METHOD_SSLV23, NULL, NULL);
		if (!err && c->tls_ca)
			err = tls_add_ca(ss->tls, c->tls_ca);
		if (!err && c->tls_verify)
			err = sip_tls_verify(ss->tls, c->tls_hostv,
					     c->tls_hostc);
	}
	if (!err && c->tls)
		err = sip_transp_add(ss->sip, SIP_TRANSP_TLS, laddr, ss->tls);

	return err;
}


/**
 * Start the SIP stack. Returns EINVAL (bad listen address, media conf or
 * no transport), EADDRINUSE and other socket errors, or ENOMEM.
 */
int sip_stack_alloc(struct sip_stack **ssp, const struct sip_stack_conf *c)
{
	struct sip_stack *ss;
	struct sa laddr, laddr6;
	enum sip_transp tp;
	int err;

	if (!ssp || !c || !c->listen || !(c->udp || c->tcp || c->tls))
		return EINVAL;

	ss = mem_zalloc(sizeof(*ss), sip_stack_destructor);
	if (!ss)
		return ENOMEM;

	ss->accept_any = c->accept_any;

	sa_init(&laddr6, AF_UNSPEC);
	if (listen_is_dual(c->listen))
		err = listen_dual(&laddr, &laddr6, c->listen);
	else
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
	err = sip_listen(&ss->lsnr_filter, ss->sip, true,
			 sip_stack_trust_filter, ss);
	if (err)
		goto out;

	if (sa_isset(&laddr, SA_ADDR)) {
		err = transports_add(ss, &laddr, c);
		if (err == EADDRNOTAVAIL)
			goto out;      /* our address is not there (yet) */
		if (err) {
			ata_err("sip: listen on %J: %m", &laddr, err);
			goto out;
		}
	}

	if (sa_isset(&laddr6, SA_ADDR)) {
		err = transports_add(ss, &laddr6, c);
		if (err == EADDRNOTAVAIL)
			goto out;
		if (err) {
			ata_err("sip: listen on %J: %m", &laddr6, err);
			goto out;
		}
	}

	for (tp = SIP_TRANSP_UDP; tp <= SIP_TRANSP_TLS; tp++) {
		if (sa_isset(&laddr, SA_ADDR))
			(void)sip_transp_laddr(ss->sip, &ss->laddr[tp], tp,
					       &laddr);
		if (sa_isset(&laddr6, SA_ADDR))
			(void)sip_transp_laddr(ss->sip, &ss->laddr6[tp], tp,
					       &laddr6);
	}

	/* an explicit IPv6 address, or an IPv6-only box: its one family */
	if (sa_af(&laddr) == AF_INET6) {
		memcpy(ss->laddr6, ss->laddr, sizeof(ss->laddr6));
		memset(ss->laddr, 0, sizeof(ss->laddr));
	}

	err = sipsess_listen(&ss->sock, ss->sip, HASH_SIZE,
			     sip_stack_route_invite, ss);
	if (err)
		goto out;

	err = sip_listen(&ss->lsnr_options, ss->sip, true, options_handler,
			 ss);
	if (err)
		goto out;

	/* NOTIFYs: unsolicited ones to their user, then subscriptions'
	   (after sipsess: what it answers stays as it was) */
	err = sip_listen(&ss->lsnr_notify, ss->sip, true,
			 sip_stack_notify_route, ss);
	if (!err)
		err = sipevent_listen(&ss->evsock, ss->sip, HASH_SIZE,
				      HASH_SIZE, NULL, NULL);
	if (err)
		goto out;

	if (c->udp && sa_isset(&ss->laddr[SIP_TRANSP_UDP], SA_ALL)) {
		err = sip_stack_self_probe(ss);
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


/** Bound address of transport @p tp in family @p af (AF_UNSPEC: IPv4
    where we have it, else IPv6), or NULL */
const struct sa *sip_stack_laddr_af(const struct sip_stack *ss,
				    enum sip_transp tp, int af)
{
	if (!ss || tp < SIP_TRANSP_UDP || tp > SIP_TRANSP_TLS)
		return NULL;

	if (af != AF_INET6 && sa_isset(&ss->laddr[tp], SA_ALL))
		return &ss->laddr[tp];

	if (af != AF_INET && sa_isset(&ss->laddr6[tp], SA_ALL))
		return &ss->laddr6[tp];

	return NULL;
}


/** Bound address of transport @p tp (learn a random port), or NULL: the
    IPv4 one on a dual-stack box (the NAT policy's) */
const struct sa *sip_stack_laddr(const struct sip_stack *ss,
				 enum sip_transp tp)
{
	return sip_stack_laddr_af(ss, tp, AF_UNSPEC);
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
		if (sa_isset(&ss->laddr6[tp], SA_ALL))
			err |= re_hprintf(pf, "sip_%s6=%J\n",
					  sip_transp_name(tp),
					  &ss->laddr6[tp]);
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
