/**
 * @file reg_family.c  The registration's IP family: IPv6 first, IPv4 after
 *
 * On a dual-stack stack ("[::]:P") libre would look up A and AAAA of
 * the first hop and try them in a random order, waiting a whole
 * transaction timeout (32 s) on a dead one. So we look both up first
 * (an AAAA answer goes at once, an A one waits 50 ms for the AAAA,
 * RFC 8305 section 3; a silent name server is left after 3 s to the
 * lookups and probe that put its fault in words),
 * pick the family (sip_family.c: IPv6 when both ends have it) and send
 * the REGISTER to that address literally, as a loose route: Via and
 * Contact then come from the transport of that family. An IPv6 REGISTER
 * unanswered after SIP_FAMILY_FALLBACK_MS gives way to IPv4 (RFC 8305
 * in spirit; one REGISTER at a time, for a registrar must not hold two
 * bindings of one box). IPv6 is not tried again for this registration
 * (it lives until the network or the config changes). A first hop
 * without a port is looked up for SIP SRV records too (RFC 3263): where
 * it has them, they name the servers, which need not be the name's own
 * A/AAAA (often a web server), so the family is left to libre's RFC
 * 3263 resolution and only a name without SRV gets the preference.
 *
 * An IPv6 registration has no NAT, so no STUN, TURN or UPnP runs for
 * it; but an IPv6 firewall still drops unsolicited inbound, so the flow
 * to the registrar is kept open with a CRLF keep-alive (RFC 5626 3.5.1
 * for UDP) at the configured keep-alive interval.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "conf/config.h"
#include "nat/nat.h"
#include "reg_priv.h"
#include "sip_family.h"
#include "sip_stack.h"

enum {
	KEEPALIVE_DEFAULT_MS = 25000,   /* traversal.keepalive: 0 (adaptive) */
	/* RFC 8305 3: an A answer waits this long for the AAAA one */
	RESOLUTION_DELAY_MS = 50,
	/* a silent name server: the REGISTER goes anyway, and libre's
	   lookup with resolver_probe.c's says what is wrong, in words */
	LOOKUP_MAX_MS = 3000,
};


static void family_report(struct reg *reg)
{
	struct reg_family *f = &reg->fam;
	const char *why;

	if (!f->have6)
		why = "none: no global IPv6 address";
	else if (f->af == AF_INET6)
		why = reg->state == REG_OK ?
			"ok: registered over IPv6, no NAT" :
			"pending: registering over IPv6";
	else if (f->srv)
		why = f->af == AF_INET ?
			"none: SRV records of the registrar chose IPv4" :
			"pending: SRV records of the registrar choose "
			"the family";
	else if (f->v6_failed)
		why = "broken: no answer from the registrar over IPv6: "
			"using IPv4";
	else if (f->looked_up && !f->addr6)
		why = "none: the registrar has no IPv6 address (no AAAA)";
	else if (!f->looked_up && f->af == AF_INET)
		why = "none: the registrar is an IPv4 address";
	else
		why = "pending";

	nat_family_note(f->af, why);
}


/* The lookup is over (both answered, AAAA found, or the timer): the
   REGISTER goes; a late A answer is still kept for the fallback */
static void lookup_decide(void *arg)
{
	struct reg *reg = arg;

	if (reg->fam.looked_up)
		return;

	tmr_cancel(&reg->fam.tmr_lookup);
	reg->fam.qsrv = mem_deref(reg->fam.qsrv);  /* unanswered: no SRV */
	reg->fam.looked_up = true;
	reg_send_retry(reg);
}


/* A and AAAA say go; the SRV answer, if still out, has the last word */
static void lookup_ready(struct reg *reg)
{
	if (reg->fam.qsrv) {
		reg->fam.ready = true;
		return;
	}

	lookup_decide(reg);
}


static void resolution_over(void *arg)
{
	lookup_ready(arg);
}


static void srv_handler(int err, const struct dnshdr *hdr,
			struct list *ansl, struct list *authl,
			struct list *addl, void *arg)
{
	struct reg *reg = arg;
	(void)err; (void)hdr; (void)authl; (void)addl;

	reg->fam.srv = dns_rrlist_find(ansl, NULL, DNS_TYPE_SRV, DNS_CLASS_IN,
				       false) != NULL;
	reg->fam.qsrv = mem_deref(reg->fam.qsrv);
	if (reg->fam.ready || reg->fam.srv)
		lookup_decide(reg);
}


/* RFC 3263 4.1's SRV name for a first hop with transport @p tp */
static const char *srv_prefix(enum sip_transp tp)
{
	switch (tp) {

	case SIP_TRANSP_TCP: return "_sip._tcp.";
	case SIP_TRANSP_TLS: return "_sips._tcp.";
	default:             return "_sip._udp.";
	}
}


static void a_handler(int err, const struct dnshdr *hdr, struct list *ansl,
		      struct list *authl, struct list *addl, void *arg)
{
	struct reg *reg = arg;
	struct dnsrr *rr;
	(void)err; (void)hdr; (void)authl; (void)addl;

	rr = dns_rrlist_find(ansl, NULL, DNS_TYPE_A, DNS_CLASS_IN, false);
	if (rr) {
		sa_set_in(&reg->fam.sa4, rr->rdata.a.addr, 0);
		reg->fam.addr4 = true;
	}

	reg->fam.q4 = mem_deref(reg->fam.q4);
	if (!reg->fam.q6)
		lookup_ready(reg);
	else if (!reg->fam.looked_up)   /* RFC 8305 3: Resolution Delay */
		tmr_start(&reg->fam.tmr_lookup, RESOLUTION_DELAY_MS,
			  resolution_over, reg);
}


static void aaaa_handler(int err, const struct dnshdr *hdr,
			 struct list *ansl, struct list *authl,
			 struct list *addl, void *arg)
{
	struct reg *reg = arg;
	struct dnsrr *rr;
	(void)err; (void)hdr; (void)authl; (void)addl;

	rr = dns_rrlist_find(ansl, NULL, DNS_TYPE_AAAA, DNS_CLASS_IN, false);
	if (rr) {
		sa_set_in6(&reg->fam.sa6, rr->rdata.aaaa.addr, 0);
		reg->fam.addr6 = true;
	}

	reg->fam.q6 = mem_deref(reg->fam.q6);
	if (reg->fam.addr6 || !reg->fam.q4)
		lookup_ready(reg);      /* IPv6 first: no wait for A */
}


static int srv_query(struct reg_family *f, struct dnsc *dnsc,
		     const char *host, struct reg *reg)
{
	char name[300];

	if (re_snprintf(name, sizeof(name), "%s%s",
			srv_prefix(reg->conf.tp), host) < 0)
		return ENAMETOOLONG;

	return dnsc_query(&f->qsrv, dnsc, name, DNS_TYPE_SRV, DNS_CLASS_IN,
			  true, srv_handler, reg);
}


/* The first hop with its host replaced by @p sa: a loose route */
static int route_to(char **routep, const struct uri *u, const struct sa *sa)
{
	char port[8] = "";
	struct pl lr;
	bool v6 = sa_af(sa) == AF_INET6;

	if (u->port)
		(void)re_snprintf(port, sizeof(port), ":%u", u->port);

	return re_sdprintf(routep, "%r:%s%j%s%s%r%s", &u->scheme,
			   v6 ? "[" : "", sa, v6 ? "]" : "", port,
			   &u->params, msg_param_exists(&u->params, "lr",
							&lr) ? "" : ";lr");
}


/**
 * Before a REGISTER: pick its family. True when a lookup of the first
 * hop started (reg_send_retry is called again when it is over); false
 * to go on now, with reg->fam.route set when it must go to one address.
 */
bool reg_family_prepare(struct reg *reg)
{
	struct reg_family *f = &reg->fam;
	struct sip_family_in in;
	const char *hop = reg_first_hop(reg);
	struct dnsc *dnsc;
	struct uri u;
	struct pl pl;
	struct sa sa;
	char host[256];

	f->route = mem_deref(f->route);
	f->have6 = sip_stack_laddr_af(reg->ss, reg->conf.tp, AF_INET6)
		!= NULL;
	f->af = AF_UNSPEC;

	pl_set_str(&pl, hop);
	if (uri_decode(&u, &pl))
		goto out;

	/* an IP literal is its own family */
	if (!sa_set(&sa, &u.host, 0)) {
		f->af = sa_af(&sa);
		goto out;
	}

	if (!f->have6) {
		f->af = AF_INET;
		goto out;
	}

	if (!f->looked_up) {
		if (sip_stack_dns_check(reg->ss, hop) != RESOLVER_OK ||
		    pl_strcpy(&u.host, host, sizeof(host)))
			goto out;       /* reg_start says what is wrong */

		dnsc = resolver_client(sip_stack_dns(reg->ss));
		f->srv = f->ready = false;
		if (dnsc_query(&f->q4, dnsc, host, DNS_TYPE_A, DNS_CLASS_IN,
			       true, a_handler, reg) ||
		    dnsc_query(&f->q6, dnsc, host, DNS_TYPE_AAAA,
			       DNS_CLASS_IN, true, aaaa_handler, reg) ||
		    (!u.port && srv_query(f, dnsc, host, reg))) {
			f->q4 = mem_deref(f->q4);
			f->q6 = mem_deref(f->q6);
			f->qsrv = mem_deref(f->qsrv);
			goto out;
		}

		tmr_start(&f->tmr_lookup, LOOKUP_MAX_MS, lookup_decide, reg);
		return true;
	}

	if (f->srv)
		goto out;       /* libre follows the SRV records */

	in.local4 = sip_stack_laddr_af(reg->ss, reg->conf.tp, AF_INET)
		!= NULL;
	in.local6 = f->have6;
	in.addr4 = f->addr4;
	in.addr6 = f->addr6;
	in.v6_failed = f->v6_failed;
	f->af = sip_family_pick(&in);

	if (f->af == AF_INET6)
		(void)route_to(&f->route, &u, &f->sa6);
	else if (f->af == AF_INET && f->addr6)
		(void)route_to(&f->route, &u, &f->sa4);

 out:
	family_report(reg);

	return false;
}


/* The IPv6 REGISTER went unanswered: IPv4 now */
static void fallback_handler(void *arg)
{
	struct reg *reg = arg;

	ata_info("reg: %s: no answer over IPv6 within %u ms: registering "
		 "over IPv4", reg->aor, SIP_FAMILY_FALLBACK_MS);
	reg->fam.v6_failed = true;
	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	reg_lookup_over(reg);
	reg->sipreg = mem_deref(reg->sipreg);
	reg_send_retry(reg);
}


/* Could IPv4 take over from IPv6? */
static bool v4_possible(const struct reg *reg)
{
	return reg->fam.af == AF_INET6 && !reg->fam.v6_failed &&
		reg->fam.addr4 &&
		sip_stack_laddr_af(reg->ss, reg->conf.tp, AF_INET);
}


/** The REGISTER went: an IPv6 one has SIP_FAMILY_FALLBACK_MS */
void reg_family_sent(struct reg *reg)
{
	if (v4_possible(reg))
		tmr_start(&reg->fam.tmr_he, SIP_FAMILY_FALLBACK_MS,
			  fallback_handler, reg);
}


static void keepalive_handler(void *arg)
{
	struct reg *reg = arg;
	const struct ata_config *cfg = ata_config();
	uint32_t ms = cfg && cfg->traversal.stun.keepalive_ms ?
		cfg->traversal.stun.keepalive_ms : KEEPALIVE_DEFAULT_MS;
	struct mbuf *mb = mbuf_alloc(4);

	if (mb && !mbuf_write_str(mb, "\r\n\r\n")) {
		mb->pos = 0;
		(void)sip_send(sip_stack_sip(reg->ss), NULL, SIP_TRANSP_UDP,
			       &reg->fam.ka_dst, mb);
	}
	mem_deref(mb);

	tmr_start(&reg->fam.tmr_ka, ms, keepalive_handler, reg);
}


/**
 * An answer (@p msg) or an error for the REGISTER. True when it was an
 * IPv6 one that failed and IPv4 takes over (the caller stops there).
 */
bool reg_family_answered(struct reg *reg, int err, const struct sip_msg *msg)
{
	tmr_cancel(&reg->fam.tmr_he);

	if (!msg && err && v4_possible(reg)) {
		fallback_handler(reg);
		return true;
	}

	/* the SRV's choice (libre's resolution): the family it took */
	if (msg && msg->scode >= 200 && msg->scode < 300 &&
	    reg->fam.af == AF_UNSPEC && reg->fam.srv)
		reg->fam.af = sa_af(&msg->dst);

	if (msg && msg->scode >= 200 && msg->scode < 300 &&
	    reg->fam.af == AF_INET6 && msg->tp == SIP_TRANSP_UDP) {
		/* the IPv6 firewall keeps the flow open only while used */
		reg->fam.ka_dst = msg->src;
		if (!tmr_isrunning(&reg->fam.tmr_ka))
			keepalive_handler(reg);
	}

	return false;
}


/** The registration is OK or failed: the verdict per family again */
void reg_family_state(struct reg *reg)
{
	family_report(reg);
}


/** The route an INVITE to @p uri takes: the registration's address
    when it goes to the same host, else NULL (libre looks it up) */
const char *reg_family_route(const struct reg *reg, const char *uri)
{
	struct uri a, b;
	struct pl pa, pb;

	if (!reg || !reg->fam.route || !uri)
		return NULL;

	pl_set_str(&pa, reg_first_hop(reg));
	pl_set_str(&pb, uri);
	if (uri_decode(&a, &pa) || uri_decode(&b, &pb) ||
	    pl_casecmp(&a.host, &b.host))
		return NULL;

	return reg->fam.route;
}


/** The family the registration runs over, AF_UNSPEC when unknown */
int reg_family_af(const struct reg *reg)
{
	return reg ? reg->fam.af : AF_UNSPEC;
}


void reg_family_close(struct reg *reg)
{
	tmr_cancel(&reg->fam.tmr_lookup);
	tmr_cancel(&reg->fam.tmr_he);
	tmr_cancel(&reg->fam.tmr_ka);
	reg->fam.q4 = mem_deref(reg->fam.q4);
	reg->fam.q6 = mem_deref(reg->fam.q6);
	reg->fam.qsrv = mem_deref(reg->fam.qsrv);
	reg->fam.route = mem_deref(reg->fam.route);
	nat_family_note(AF_UNSPEC, NULL);
}
