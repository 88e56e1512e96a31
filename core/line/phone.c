/**
 * @file phone.c  The SIP stack and every FXS line, as one unit
 *
 * A reload that changes SIP or line settings rebuilds the stack and the
 * lines (re-registering); a person talking must not be cut off by that,
 * so while any line has a call the new config waits for the last call to
 * end.
 *
 * The network may not be there yet: an ATA powered on before its DHCP
 * lease, or with the cable out, has no default route, so the SIP stack
 * has no address for Via and Contact. The daemon then runs on (control
 * socket, status) and starts the stack and the lines as soon as the
 * network monitor sees a change, or at the latest every 5 s. When the
 * address of the default route changes under a stack listening on any
 * address (a new lease), the stack and lines are rebuilt the same way a
 * reload does, after the last call.
 */
#include <string.h>
#include "ataua.h"
#include "conf/config.h"
#include "line.h"
#include "phone.h"
#include "sip/sip_stack.h"
#include "sys/src_addr.h"

static struct {
	struct sip_stack *ss;
	struct line **linev;
	size_t linec;
	struct ata_config *pending;
	struct tmr tmr_pending;
	struct ata_config *waiting;   /* no network yet: to start later */
	struct tmr tmr_wait;
	bool wait_said;               /* logged once until it starts */
} ph;

enum { WAIT_RETRY_MS = 5000 };

static void wait_check(void *arg);
static bool phone_busy(void);


enum { TLS_HOSTS_MAX = 2 * ATA_CONF_MAX_LINES };


/* Host part of a SIP URI into @p buf ("" when unset or unparsable) */
static void uri_host(char *buf, size_t sz, const char *uristr)
{
	struct uri uri;
	struct pl pl;

	buf[0] = '\0';
	if (!str_isset(uristr))
		return;

	pl_set_str(&pl, uristr);
	if (!uri_decode(&uri, &pl))
		(void)pl_strcpy(&uri.host, buf, sz);
}


/* The names TLS servers must prove: every registrar and outbound proxy */
static size_t tls_hosts(const struct ata_config *cfg,
			char (*hostv)[256], const char **ptrv)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->linec && n + 2 <= TLS_HOSTS_MAX; i++) {
		const struct ata_conf_account *a = &cfg->linev[i].account;

		const char *uris[2] = {a->registrar, a->outbound_proxy};
		size_t j;

		for (j = 0; j < 2; j++) {
			uri_host(hostv[n], sizeof(hostv[n]), uris[j]);
			if (hostv[n][0]) {
				ptrv[n] = hostv[n];
				++n;
			}
		}
	}

	return n;
}


static int stack_start(const struct ata_config *cfg)
{
	static char hostv[TLS_HOSTS_MAX][256];
	const char *ptrv[TLS_HOSTS_MAX];
	const struct ata_conf_sip *s = &cfg->sip;
	struct sip_stack_conf sc;
	char listen[64];
	size_t i;

	if (re_snprintf(listen, sizeof(listen), "%J", &s->listen) < 0)
		return EINVAL;

	memset(&sc, 0, sizeof(sc));
	sc.listen     = listen;
	sc.user_agent = s->user_agent;
	sc.accept_any = s->accept_from == ATA_ACCEPT_ANY;
	sc.tls_ca     = str_isset(s->tls_ca) ? s->tls_ca : NULL;
	sc.tls_verify = s->tls_verify;
	sc.tls_hostv  = ptrv;
	sc.tls_hostc  = tls_hosts(cfg, hostv, ptrv);

	for (i = 0; i < s->transportc; i++) {
		switch (s->transportv[i]) {

		case ATA_TRANSPORT_UDP: sc.udp = true; break;
		case ATA_TRANSPORT_TCP: sc.tcp = true; break;
		case ATA_TRANSPORT_TLS: sc.tls = true; break;
		default:                break;  /* "auto": accounts only */
		}
	}

	return sip_stack_alloc(&ph.ss, &sc);
}


int phone_start(const struct ata_config *cfg)
{
	size_t i;
	int err;

	if (!cfg)
		return EINVAL;

	err = stack_start(cfg);
	if (err == EADDRNOTAVAIL) {
		if (!ph.wait_said)
			ata_warn("sip: no network address yet (no default "
				 "route, or the listen address is not "
				 "there): the lines start when it is\n");
		ph.wait_said = true;
		mem_deref(ph.waiting);
		ph.waiting = mem_ref((void *)cfg);
		tmr_start(&ph.tmr_wait, WAIT_RETRY_MS, wait_check, NULL);
		return 0;
	}
	if (err) {
		ata_err("sip: cannot start: %m\n", err);
		goto out;
	}
	ph.wait_said = false;

	ph.linev = mem_zalloc(cfg->linec * sizeof(*ph.linev), NULL);
	if (!ph.linev && cfg->linec) {
		err = ENOMEM;
		goto out;
	}

	for (i = 0; i < cfg->linec; i++) {
		err = line_alloc(&ph.linev[i], ph.ss, cfg, &cfg->linev[i]);
		if (err) {
			ata_err("line %u: %m\n", cfg->linev[i].id, err);
			goto out;
		}
		ph.linec = i + 1;
	}

 out:
	if (err)
		phone_stop();

	return err;
}


/* Waiting for the network: try again */
static void wait_check(void *arg)
{
	struct ata_config *cfg = ph.waiting;
	(void)arg;

	if (!cfg)
		return;

	ph.waiting = NULL;      /* phone_start waits again if it must */
	if (phone_start(cfg))
		ata_err("sip: the lines failed to start\n");
	else if (!ph.waiting)
		ata_notice("sip: the network is up: SIP and lines started\n");
	mem_deref(cfg);
}


/* Listening on both families ("[::]:P"): did our global IPv6 address
   come, go or change? The registration's family depends on it */
static bool v6_changed(const struct ata_config *cfg)
{
	const struct sa *was;
	struct sa now;
	bool have;

	if (sa_af(&cfg->sip.listen) != AF_INET6)
		return false;

	was = sip_stack_laddr_af(ph.ss, SIP_TRANSP_UDP, AF_INET6);
	if (!was)
		was = sip_stack_laddr_af(ph.ss, SIP_TRANSP_TCP, AF_INET6);
	have = !src_addr_global6(&now);

	if (!was && !have)
		return false;
	if (was && have && sa_cmp(&now, was, SA_ADDR))
		return false;

	{
		char a[64] = "none", b[64] = "none";

		if (was)
			(void)re_snprintf(a, sizeof(a), "%j", was);
		if (have)
			(void)re_snprintf(b, sizeof(b), "%j", &now);
		ata_notice("sip: IPv6 address %s -> %s: restarting SIP and "
			   "the lines%s\n", a, b, phone_busy() ?
			   " after the last call" : "");
	}

	return true;
}


/**
 * The network changed (core/sys/netmon.c). True when that started or
 * rebuilds the SIP stack, whose new socket runs the NAT policy anyway.
 */
bool phone_network_changed(void)
{
	const struct ata_config *cfg = ata_config();
	const struct sa *was;
	struct sa now;

	if (ph.waiting) {
		tmr_start(&ph.tmr_wait, 0, wait_check, NULL);
		return true;
	}

	if (!ph.ss)
		return false;

	/* a new lease may bring other name servers */
	(void)sip_stack_dns_reload(ph.ss);

	if (!cfg || ph.pending || !sa_is_any(&cfg->sip.listen))
		return false;

	if (v6_changed(cfg)) {
		(void)phone_reload(cfg);
		return true;
	}

	was = sip_stack_laddr(ph.ss, SIP_TRANSP_UDP);
	if (!was || !sa_isset(was, SA_ADDR))
		return false;
	sa_init(&now, sa_af(was));
	if (net_default_source_addr_get(sa_af(was), &now) ||
	    sa_cmp(&now, was, SA_ADDR))
		return false;   /* no route now (wait for it), or the same */

	ata_notice("sip: local address %j -> %j: restarting SIP and the "
		   "lines%s\n", was, &now,
		   phone_busy() ? " after the last call" : "");
	(void)phone_reload(cfg);

	return true;
}


void phone_stop(void)
{
	size_t i;

	tmr_cancel(&ph.tmr_pending);
	ph.pending = mem_deref(ph.pending);
	tmr_cancel(&ph.tmr_wait);
	ph.waiting = mem_deref(ph.waiting);

	for (i = 0; i < ph.linec; i++)
		ph.linev[i] = mem_deref(ph.linev[i]);

	ph.linev = mem_deref(ph.linev);
	ph.linec = 0;
	ph.ss = mem_deref(ph.ss);
}


static bool phone_busy(void)
{
	size_t i;

	for (i = 0; i < ph.linec; i++) {
		if (line_busy(ph.linev[i]))
			return true;
	}

	return false;
}


static void pending_check(void *arg)
{
	struct ata_config *cfg = ph.pending;

	(void)arg;

	if (phone_busy()) {
		tmr_start(&ph.tmr_pending, 1000, pending_check, NULL);
		return;
	}

	ph.pending = NULL;
	phone_stop();
	if (phone_start(cfg))
		ata_err("reload: lines failed to start with the new config\n");
	else
		ata_notice("reload: lines restarted with the new config\n");
	mem_deref(cfg);
}


int phone_reload(const struct ata_config *cfg)
{
	if (!cfg)
		return EINVAL;

	mem_deref(ph.pending);
	ph.pending = mem_ref((void *)cfg);

	if (phone_busy())
		ata_notice("reload: line changes wait for calls to end\n");

	pending_check(NULL);

	return 0;
}


struct line *phone_line(uint32_t id)
{
	size_t i;

	for (i = 0; i < ph.linec; i++) {
		if (line_id(ph.linev[i]) == id)
			return ph.linev[i];
	}

	return NULL;
}


int phone_status(struct re_printf *pf)
{
	size_t i;
	int err = 0;

	if (ph.waiting)
		err |= re_hprintf(pf, "sip=waiting for a network address\n");
	if (ph.ss)
		err |= sip_stack_status(pf, ph.ss);

	for (i = 0; i < ph.linec; i++)
		err |= line_status(pf, ph.linev[i]);

	return err;
}


size_t phone_line_count(void)
{
	return ph.linec;
}


struct line *phone_line_at(size_t i)
{
	return i < ph.linec ? ph.linev[i] : NULL;
}
