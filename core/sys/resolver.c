/**
 * @file resolver.c  The SIP stack's resolver and its name servers
 *
 * libre's resolver (dnsc) with the servers resolv.conf names, read by
 * resolv_conf.c: a box that booted before its DHCP lease has none yet,
 * so they are read again on a network change (resolver_reload) and
 * whenever a request to a name finds none (resolver_check). That check
 * matters: libre's resolver with no server leaves a query, and the SIP
 * request waiting on it, pending for ever.
 *
 * A name in /etc/hosts needs no name server (resolver_hosts_route), as
 * for every C-library program. What went wrong is told in words of its
 * own (resolver_describe): no name server, name not found, a name server
 * that does not answer, or one that refuses (resolver_probe.c finds
 * those two in seconds, where libre's resolver takes minutes).
 */
#include <string.h>
#include <re.h>
#include "hosts.h"
#include "resolv_conf.h"
#include "resolver.h"

enum { SERVERS_MAX = 8 };

struct resolver {
	struct dnsc *dnsc;
	struct sa srvv[SERVERS_MAX];
	uint32_t srvc;             /* name servers dnsc has */
};


static void dns_destructor(void *arg)
{
	struct resolver *d = arg;

	mem_deref(d->dnsc);
}


/* The name servers of resolv.conf; none (no file, no lease yet): 0,
   and IP literals still work */
static uint32_t servers(struct sa *srvv, uint32_t n)
{
	return resolv_conf_read("/etc/resolv.conf", srvv, n);
}


int resolver_alloc(struct resolver **dp)
{
	struct resolver *d;
	int err;

	if (!dp)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), dns_destructor);
	if (!d)
		return ENOMEM;

	d->srvc = servers(d->srvv, SERVERS_MAX);
	err = dnsc_alloc(&d->dnsc, NULL, d->srvv, d->srvc);
	if (err)
		mem_deref(d);
	else
		*dp = d;

	return err;
}


struct dnsc *resolver_client(const struct resolver *d)
{
	return d ? d->dnsc : NULL;
}


/**
 * Read resolv.conf again: a DHCP client writes it after we started, and
 * a new lease may change it. ENOENT when it names no server (the old
 * ones stay).
 */
int resolver_reload(struct resolver *d)
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
	if (!err) {
		memcpy(d->srvv, srvv, srvc * sizeof(srvv[0]));
		d->srvc = srvc;
	}

	return err;
}


/** The name servers asked (at most @p n), for resolver_probe.c */
uint32_t resolver_servers(const struct resolver *d, struct sa *srvv,
			  uint32_t n)
{
	uint32_t i;

	if (!d || !srvv)
		return 0;

	for (i = 0; i < d->srvc && i < n; i++)
		srvv[i] = d->srvv[i];

	return i;
}


/**
 * Can a request to @p uri go out? RESOLVER_OK when its host is an IP
 * literal or there is a name server to ask (resolv.conf read again if
 * there was none), and for a URI libre will refuse by itself;
 * RESOLVER_NO_SERVER when it would wait for ever
 */
enum resolver_fault resolver_check(struct resolver *d, const char *uri)
{
	struct uri u;
	struct pl pl;
	struct sa sa;

	if (!d || !uri)
		return RESOLVER_OK;

	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl))
		return RESOLVER_OK;

	if (!sa_set(&sa, &u.host, 0))
		return RESOLVER_OK;

	if (!d->srvc)
		(void)resolver_reload(d);

	return d->srvc ? RESOLVER_OK : RESOLVER_NO_SERVER;
}


/**
 * The route to @p uri's host when the hosts file at @p path names it:
 * the URI with the address for the name, and ";lr" (the request is
 * still for the name; this only says where it goes first). *routep is
 * NULL when the host is an IP literal or not in the file.
 */
int resolver_hosts_route(char **routep, const char *uri, const char *path)
{
	char port[8] = "";
	struct uri u;
	struct pl pl, lr;
	struct sa sa;
	bool v6;

	if (!routep || !uri)
		return EINVAL;

	*routep = NULL;
	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl))
		return EINVAL;

	if (!sa_set(&sa, &u.host, 0) || hosts_lookup(&sa, path, &u.host))
		return 0;

	if (u.port)
		(void)re_snprintf(port, sizeof(port), ":%u", u.port);
	v6 = sa_af(&sa) == AF_INET6;

	return re_sdprintf(routep, "%r:%s%j%s%s%r%s", &u.scheme,
			   v6 ? "[" : "", &sa, v6 ? "]" : "", port,
			   &u.params, msg_param_exists(&u.params, "lr", &lr) ?
			   ";lr" : "");
}


/** What libre's ending of a request says about DNS: @p err from a
    request's response handler, with no response @p msg */
enum resolver_fault resolver_fault_of(int err, const struct sip_msg *msg)
{
	/* libre 1.1.0 (sip/request.c, addr_handler): the lookups ended
	   and found no address: NXDOMAIN, no A/AAAA records, SERVFAIL */
	if (!msg && err == EDESTADDRREQ)
		return RESOLVER_NOT_FOUND;

	return RESOLVER_OK;
}


/** The fault's name, as `atactl nat` and the events say it */
const char *resolver_fault_name(enum resolver_fault f)
{
	switch (f) {

	case RESOLVER_OK:          return "ok";
	case RESOLVER_NO_SERVER:   return "no name server";
	case RESOLVER_NOT_FOUND:   return "name not found";
	case RESOLVER_TIMEOUT:     return "DNS timeout";
	case RESOLVER_UNREACHABLE: return "name server unreachable";
	default:                  return "?";
	}
}


/** The host of @p uri (no port) into @p buf, or "?" */
int resolver_uri_host(char *buf, size_t sz, const char *uri)
{
	struct uri u;
	struct pl pl;

	if (!buf || !sz)
		return EINVAL;

	pl_set_str(&pl, uri ? uri : "");
	if (uri_decode(&u, &pl) || pl_strcpy(&u.host, buf, sz))
		str_ncpy(buf, "?", sz);

	return 0;
}


/** One line saying what went wrong looking up @p host */
void resolver_describe(char *buf, size_t sz, const struct resolver_fail *f,
		     const char *host)
{
	if (!buf || !sz)
		return;

	buf[0] = '\0';
	if (!f)
		return;

	if (!host)
		host = "?";

	switch (f->fault) {

	case RESOLVER_NO_SERVER:
		(void)re_snprintf(buf, sz, "DNS: no name server to ask for "
				  "%s (none in resolv.conf)", host);
		break;

	case RESOLVER_NOT_FOUND:
		(void)re_snprintf(buf, sz, "DNS: %s: name not found (no such "
				  "name, or no address for it)", host);
		break;

	case RESOLVER_TIMEOUT:
		(void)re_snprintf(buf, sz, "DNS timeout: name server %J does "
				  "not answer (looking up %s)", &f->srv, host);
		break;

	case RESOLVER_UNREACHABLE:
		if (f->err == ECONNREFUSED)
			(void)re_snprintf(buf, sz, "DNS: name server %J "
					  "refuses (port unreachable; looking "
					  "up %s)", &f->srv, host);
		else
			(void)re_snprintf(buf, sz, "DNS: name server %J "
					  "unreachable (%m; looking up %s)",
					  &f->srv, f->err, host);
		break;

	default:
		break;
	}
}


/** resolver_describe() for the host of @p uri (a request's first hop) */
void resolver_describe_uri(char *buf, size_t sz, const struct resolver_fail *f,
			   const char *uri)
{
	char host[96];

	(void)resolver_uri_host(host, sizeof(host), uri);
	resolver_describe(buf, sz, f, host);
}
