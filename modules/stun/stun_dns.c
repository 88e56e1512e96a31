/**
 * @file modules/stun/stun_dns.c  The STUN server's host name to an address
 *
 * `traversal.stun.server` may be a name ("stun.example.net:3478"). It is
 * resolved on the main loop with libre's DNS client (A record, servers
 * from /etc/resolv.conf), once per bind; the caller keeps the answer.
 * No SRV lookup (RFC 5389 _stun._udp): a provider that needs it is
 * configured with host and port.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "stun_int.h"

struct stun_lookup {
	struct dns_query *q;
	char *host;
	uint16_t port;
	stun_lookup_h *h;
	void *arg;
};

static struct dnsc *dnsc;


static void lookup_destructor(void *arg)
{
	struct stun_lookup *l = arg;

	mem_deref(l->q);
	mem_deref(l->host);
}


static void query_handler(int err, const struct dnshdr *hdr,
			  struct list *ansl, struct list *authl,
			  struct list *addl, void *arg)
{
	struct stun_lookup *l = arg;
	struct dnsrr *rr;
	struct sa srv;

	(void)authl;
	(void)addl;

	l->q = mem_deref(l->q);

	if (!err && hdr && hdr->rcode)
		err = hdr->rcode == DNS_RCODE_NAME_ERR ? ENOENT : EPROTO;

	rr = err ? NULL : dns_rrlist_find(ansl, l->host, DNS_TYPE_A,
					  DNS_CLASS_IN, true);
	if (!err && !rr)
		err = ENOENT;

	if (err) {
		ata_warn("stun: cannot resolve %s: %m", l->host, err);
		l->h(err, NULL, l->arg);
		return;
	}

	sa_set_in(&srv, rr->rdata.a.addr, l->port);
	ata_info("stun: %s is %J", l->host, &srv);
	l->h(0, &srv, l->arg);
}


static int dnsc_get(void)
{
	struct sa srvv[8];
	uint32_t srvc = ARRAY_SIZE(srvv);
	char domain[64] = "";
	int err;

	if (dnsc)
		return 0;

	err = dns_srv_get(domain, sizeof(domain), srvv, &srvc);
	if (err)
		return err;
	if (!srvc)
		return ENOENT;

	return dnsc_alloc(&dnsc, NULL, srvv, srvc);
}


/**
 * Resolve @p host; @p h gets the address with @p port, or an error
 * (ENOENT: no such name or no A record). Freeing *lp cancels it.
 * @return EINVAL, ENOENT (no DNS server configured), ENOMEM.
 */
int stun_lookup_start(struct stun_lookup **lp, const char *host,
		      uint16_t port, stun_lookup_h *h, void *arg)
{
	struct stun_lookup *l;
	int err;

	if (!lp || !str_isset(host) || !h)
		return EINVAL;

	err = dnsc_get();
	if (err)
		return err;

	l = mem_zalloc(sizeof(*l), lookup_destructor);
	if (!l)
		return ENOMEM;

	l->port = port;
	l->h = h;
	l->arg = arg;
	err = str_dup(&l->host, host);
	if (err)
		goto out;

	err = dnsc_query(&l->q, dnsc, host, DNS_TYPE_A, DNS_CLASS_IN, true,
			 query_handler, l);

 out:
	if (err)
		mem_deref(l);
	else
		*lp = l;

	return err;
}


void stun_dns_close(void)
{
	dnsc = mem_deref(dnsc);
}
