/**
 * @file sip_stack.c  libre SIP stack, transports, DNS, status
 *
 * One stack per daemon: the listen address (the default route's when
 * unspecified), UDP/TCP/TLS, the resolver, sipsess and the listeners.
 * Who may talk to us is sip_stack_trust.c; requests for the layers
 * above go through sip_stack_route.c; sip_stack_self.c finds our own
 * UDP socket for the NAT policy and the SIP version check.
 */
#include <re.h>
#include "ataua.h"
#include "mod/hint.h"
#include "nat/nat.h"
#include "sip_tls.h"
#include "sys/resolver.h"
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
	err = sip_listen(&ss->lsnr_filter, ss->sip, true,
			 sip_stack_trust_filter, ss);
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

	if (c->udp) {
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


/** Bound address of transport @p tp (learn a random port), or NULL */
const struct sa *sip_stack_laddr(const struct sip_stack *ss,
				 enum sip_transp tp)
{
	if (!ss || tp < SIP_TRANSP_UDP || tp > SIP_TRANSP_TLS ||
	    !sa_isset(&ss->laddr[tp], SA_ALL))
		return NULL;

	return &ss->laddr[tp];
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
