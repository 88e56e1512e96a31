/**
 * @file sip_dns.c  The SIP stack's resolver and its name servers
 *
 * libre's resolver (dnsc) with the servers resolv.conf names, read by
 * resolv_conf.c: a box that booted before its DHCP lease has none yet,
 * so they are read again on a network change (sip_dns_reload) and
 * whenever a request to a name finds none (sip_dns_check). That check
 * matters: libre's resolver with no server leaves a query, and the SIP
 * request waiting on it, pending for ever.
 */
#include <re.h>
#include "resolv_conf.h"
#include "sip_dns.h"

enum { SERVERS_MAX = 8 };

struct sip_dns {
	struct dnsc *dnsc;
	uint32_t srvc;             /* name servers dnsc has */
};


static void dns_destructor(void *arg)
{
	struct sip_dns *d = arg;

	mem_deref(d->dnsc);
}


/* The name servers of resolv.conf; none (no file, no lease yet): 0,
   and IP literals still work */
static uint32_t servers(struct sa *srvv, uint32_t n)
{
	return resolv_conf_read("/etc/resolv.conf", srvv, n);
}


int sip_dns_alloc(struct sip_dns **dp)
{
	struct sa srvv[SERVERS_MAX];
	struct sip_dns *d;
	int err;

	if (!dp)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), dns_destructor);
	if (!d)
		return ENOMEM;

	d->srvc = servers(srvv, SERVERS_MAX);
	err = dnsc_alloc(&d->dnsc, NULL, srvv, d->srvc);
	if (err)
		mem_deref(d);
	else
		*dp = d;

	return err;
}


struct dnsc *sip_dns_client(const struct sip_dns *d)
{
	return d ? d->dnsc : NULL;
}


/**
 * Read resolv.conf again: a DHCP client writes it after we started, and
 * a new lease may change it. ENOENT when it names no server (the old
 * ones stay).
 */
int sip_dns_reload(struct sip_dns *d)
{
	struct sa srvv[SERVERS_MAX];
	uint32_t srvc;
	int err;

	if (!d)
		return EINVAL;

	srvc = servers(srvv, SERVERS_MAX);
	if (!srvc)
		return ENOENT;

	err = dnsc_srv_set(d->dnsc, srvv, srvc);
	if (!err)
		d->srvc = srvc;

	return err;
}


/**
 * Can a request to @p uri go out? 0 when its host is an IP literal or
 * there is a name server to ask (resolv.conf read again if there was
 * none); EDESTADDRREQ when it would wait for ever; EINVAL on a bad URI
 */
int sip_dns_check(struct sip_dns *d, const char *uri)
{
	struct uri u;
	struct pl pl;
	struct sa sa;

	if (!d || !uri)
		return EINVAL;

	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl))
		return EINVAL;

	if (!sa_set(&sa, &u.host, 0))
		return 0;

	if (!d->srvc)
		(void)sip_dns_reload(d);

	return d->srvc ? 0 : EDESTADDRREQ;
}
