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

struct reg {
	struct sip_stack *ss;
	struct sipreg *sipreg;
	struct tmr tmr;
	struct tmr tmr_guard;      /* the REGISTER in flight: see above */
	struct tmr tmr_dns;        /* waiting for a name server */
	struct sip_hop hop;        /* this try's first hop and DNS fault */
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
	uint64_t retry_at;
	char reason[160];
};


static void reg_destructor(void *arg)
{
	struct reg *reg = arg;

	tmr_cancel(&reg->tmr);
	tmr_cancel(&reg->tmr_guard);
	tmr_cancel(&reg->tmr_dns);
	sip_hop_close(&reg->hop);
	mem_deref(reg->nat_lsnr);
	mem_deref(reg->sipreg);  /* un-REGISTERs if registered */
	mem_deref(reg->aor);
	mem_deref(reg->registrar);
	mem_deref(reg->proxy);
	mem_deref(reg->auth_user);
	mem_deref(reg->password);
	mem_deref(reg->display);
	mem_deref(reg->user);
	mem_deref(reg->domain);
	mem_deref(reg->peer);
	mem_deref(reg->ss);
}


/**
 * Seconds to wait after the @p failures-th failure in a row: 30, 60,
 * 120 ... capped at 1800, minus up to a quarter of jitter from @p rnd so
 * that many ATAs rebooted together do not retry in lockstep.
 */
uint32_t reg_backoff(unsigned failures, uint32_t rnd)
{
	uint32_t nominal;
	unsigned shift;

	if (!failures)
		return 0;

	shift = failures - 1;
	if (shift > BACKOFF_SHIFT_MAX)
		shift = BACKOFF_SHIFT_MAX;

	nominal = REG_BACKOFF_BASE_S << shift;
	if (nominal > REG_BACKOFF_MAX_S)
		nominal = REG_BACKOFF_MAX_S;

	return nominal - rnd % (nominal / 4 + 1);
}


const char *reg_state_name(enum reg_state st)
{
	switch (st) {

	case REG_OFF:         return "off";
	case REG_REGISTERING: return "registering";
	case REG_OK:          return "registered";
	case REG_FAILED:      return "failed";
	default:              return "?";
	}
}


/* Last statement of its callers: the handler may deref the reg */
static void set_state(struct reg *reg, enum reg_state st, bool always)
{
	if (reg->state == st && !always)
		return;

	reg->state = st;
	if (reg->sh)
		reg->sh(st, st == REG_FAILED ? reg->reason : NULL, reg->arg);
}


static int auth_handler(char **user, char **pass, const char *realm,
			void *arg)
{
	struct reg *reg = arg;
	int err;

	if (!reg->password)
		return EAUTH;

	err  = str_dup(user, reg->auth_user ? reg->auth_user : reg->user);
	err |= str_dup(pass, reg->password);
	reg->auth_sent = !err;

	return err;
}


static const char *tp_name(enum sip_transp tp)
{
	return tp == SIP_TRANSP_TLS ? "tls" : tp == SIP_TRANSP_TCP ? "tcp" :
		"udp";
}


/* Where the REGISTER goes first: the outbound proxy, else the registrar */
static const char *first_hop(const struct reg *reg)
{
	return reg->proxy ? reg->proxy : reg->registrar;
}


static void describe_failure(struct reg *reg, int err,
			     const struct sip_msg *msg)
{
	char *r = reg->reason;
	size_t sz = sizeof(reg->reason);

	if (reg->hop.fail.fault)
		sip_hop_describe(&reg->hop, r, sz, first_hop(reg));
	else if (msg && msg->scode >= 300) {
		bool creds = reg->auth_sent &&
			(msg->scode == 401 || msg->scode == 407);

		(void)re_snprintf(r, sz, "%u %r%s", msg->scode, &msg->reason,
				  creds ? ": wrong password?" : "");
	}
	else if (err == ETIMEDOUT)
		(void)re_snprintf(r, sz, "timeout: no reply from %s over %s",
				  reg->peer, tp_name(reg->conf.tp));
	else if (err == ETIME)
		(void)re_snprintf(r, sz, "timeout: no answer in %u s (looking "
				  "up %s, or the registrar)",
				  ANSWER_GUARD_MS / 1000, reg->peer);
	else if (err == ENOENT || err == EBADMSG || err == ENODATA)
		(void)re_snprintf(r, sz, "DNS: %s: %m", reg->peer, err);
	else
		(void)re_snprintf(r, sz, "%s: %m", reg->peer,
				  err ? err : EPROTO);
}


static void retry_handler(void *arg);


/* Append ";transport=tcp" to a URI string we own */
static int uri_to_tcp(char **urip)
{
	char *uri = NULL;
	int err;

	if (!*urip)
		return 0;

	err = re_sdprintf(&uri, "%s;transport=tcp", *urip);
	if (err)
		return err;

	mem_deref(*urip);
	*urip = uri;

	return 0;
}


/*
 * The account named no transport and UDP looks blocked (STUN or the
 * REGISTER went unanswered): an ATA is plugged in anywhere, so register
 * over TCP instead, once and for good. Calls follow, as they take the
 * transport from reg_config(). False if we cannot (no TCP listener).
 */
static bool to_tcp(struct reg *reg, const char *why)
{
	int err;

	reg->conf.tp_auto = false;

	if (!sip_stack_laddr(reg->ss, SIP_TRANSP_TCP)) {
		ata_warn("reg: %s: %s, and no TCP to fall back to "
			 "(sip.transports has no tcp)", reg->aor, why);
		return false;
	}

	err = uri_to_tcp(&reg->registrar);
	if (!err)
		err = uri_to_tcp(&reg->proxy);

	/* the old strings are gone even on ENOMEM */
	reg->conf.registrar = reg->registrar;
	reg->conf.outbound_proxy = reg->proxy;
	if (err)
		return false;

	reg->conf.tp = SIP_TRANSP_TCP;

	ata_warn("reg: %s: %s: udp blocked? registering over tcp",
		 reg->aor, why);
	ata_event(ATA_LOG_WARN, ATA_EVENT_SIP_TRANSPORT,
		  "aor=%s transport=tcp reason=\"udp blocked\"", reg->aor);
	nat_sip_transport_note("tcp (udp blocked)");

	return true;
}


static bool may_fall_back(const struct reg *reg)
{
	return reg->conf.tp_auto && reg->conf.tp == SIP_TRANSP_UDP;
}


/* A REGISTER over UDP got no reply at all: retry over TCP at once */
static bool fallback_tcp(struct reg *reg, int err)
{
	size_t n = str_len(reg->reason);

	if (err != ETIMEDOUT || !may_fall_back(reg))
		return false;

	if (!to_tcp(reg, reg->reason)) {
		(void)re_snprintf(reg->reason + n, sizeof(reg->reason) - n,
				  "; no tcp in sip.transports");
		return false;
	}

	reg->reason[0] = '\0';
	reg->sipreg = mem_deref(reg->sipreg);
	tmr_start(&reg->tmr, 0, retry_handler, reg);

	return true;
}


/* No name server: the retry comes as soon as resolv.conf names one
   (written by a DHCP client after we started), not at the backoff's end */
static void dns_wait_handler(void *arg)
{
	struct reg *reg = arg;

	if (sip_stack_dns_check(reg->ss, first_hop(reg)) ==
	    RESOLVER_NO_SERVER) {
		tmr_start(&reg->tmr_dns, DNS_WAIT_MS, dns_wait_handler, reg);
		return;
	}

	ata_info("reg: %s: resolv.conf names a name server now",
		 reg->aor);
	tmr_start(&reg->tmr, 0, retry_handler, reg);
}


/* Every failure, DNS or not, counts and backs off (capped, jittered) */
static void fail(struct reg *reg, int err, const struct sip_msg *msg)
{
	uint32_t wait;

	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	(void)sip_hop_failed(&reg->hop, err, msg);
	describe_failure(reg, err, msg);
	if (reg->hop.fail.fault)
		nat_reg_dns_observe(reg->hop.fail.fault);
	else if (fallback_tcp(reg, err))
		return;

	++reg->failures;
	wait = reg_backoff(reg->failures, rand_u32());
	reg->retry_at = tmr_jiffies() + (uint64_t)wait * 1000;
	tmr_start(&reg->tmr, (uint64_t)wait * 1000, retry_handler, reg);
	if (reg->hop.fail.fault == RESOLVER_NO_SERVER)
		tmr_start(&reg->tmr_dns, DNS_WAIT_MS, dns_wait_handler, reg);

	/* sipreg would retry on its own schedule: ours replaces it */
	reg->sipreg = mem_deref(reg->sipreg);

	ata_warn("reg: %s: %s (retry in %u s)", reg->aor, reg->reason, wait);
	set_state(reg, REG_FAILED, true);
}


static void resp_handler(int err, const struct sip_msg *msg, void *arg)
{
	struct reg *reg = arg;

	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	if (msg)
		(void)sip_stack_trust(reg->ss, &msg->src);

	nat_reg_observe(err, msg);
	nat_flow_observe(sip_stack_sip(reg->ss), msg);

	if (err || !msg || msg->scode >= 300) {
		fail(reg, err, msg);
		return;
	}

	if (msg->scode < 200)
		return;

	if (reg->state != REG_OK)
		ata_info("reg: %s registered via %J", reg->aor, &msg->src);

	reg->failures = 0;
	reg->reason[0] = '\0';
	nat_reg_dns_observe(RESOLVER_OK);
	set_state(reg, REG_OK, false);
}


/* No answer and no error for far too long: give up on this REGISTER */
static void guard_handler(void *arg)
{
	struct reg *reg = arg;

	reg->sipreg = mem_deref(reg->sipreg);
	fail(reg, ETIME, NULL);
}


/* The name server's verdict on the first hop's name (resolver_probe.c) */
static void probe_handler(const struct resolver_fail *f, void *arg)
{
	struct reg *reg = arg;

	reg->hop.probe = mem_deref(reg->hop.probe);
	if (f->fault == RESOLVER_OK || !reg->sipreg)
		return;

	/* libre's lookups would go on for minutes: this try is over */
	reg->sipreg = mem_deref(reg->sipreg);
	reg->hop.fail = *f;
	fail(reg, 0, NULL);
}


static int reg_start(struct reg *reg)
{
	const char *routev[1];
	uint32_t expiry = reg->conf.expiry_s ? reg->conf.expiry_s
		: DEFAULT_EXPIRY_S;
	int err;

	reg->auth_sent = false;
	tmr_cancel(&reg->tmr_dns);

	/* the policy already saw UDP blocked: do not wait for a timeout */
	if (may_fall_back(reg) && nat_udp_blocked())
		(void)to_tcp(reg, "STUN unanswered");

	/* /etc/hosts names the first hop: the REGISTER goes to its
	   address; no name server (yet): say so, rather than wait */
	err = sip_hop_prepare(&reg->hop, reg->ss, first_hop(reg));
	if (!err && reg->hop.route)
		ata_debug("reg: %s: %s from /etc/hosts: via %s", reg->aor,
			  first_hop(reg), reg->hop.route);
	if (err)
		return err;

	routev[0] = reg->hop.route ? reg->hop.route : reg->proxy;

	err = sipreg_register(&reg->sipreg, sip_stack_sip(reg->ss),
			      reg->registrar, reg->aor, reg->display,
			      reg->aor, expiry, reg->user,
			      routev[0] ? routev : NULL, routev[0] ? 1 : 0,
			      0, auth_handler, reg, false, resp_handler, reg,
			      NULL, NULL);
	if (err)
		return err;

	tmr_start(&reg->tmr_guard, ANSWER_GUARD_MS, guard_handler, reg);

	/* a name to look up: is the name server there at all? */
	sip_hop_probe(&reg->hop, reg->ss, first_hop(reg), probe_handler, reg);

	return 0;
}


static void retry_handler(void *arg)
{
	struct reg *reg = arg;
	int err;

	err = reg_start(reg);
	if (err) {
		fail(reg, err, NULL);
		return;
	}

	set_state(reg, REG_REGISTERING, false);
}


/* NAT policy decided (first REGISTER may go) or our address changed */
static void nat_handler(bool changed, void *arg)
{
	struct reg *reg = arg;

	if (!changed) {
		if (!reg->sipreg && reg->state == REG_REGISTERING)
			tmr_start(&reg->tmr, 0, retry_handler, reg);
		return;
	}

	ata_info("reg: %s: public address changed, re-registering",
		 reg->aor);
	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	reg->sipreg = mem_deref(reg->sipreg);
	tmr_start(&reg->tmr, NAT_RESTART_MS, retry_handler, reg);
}


/* An IP-literal registrar or proxy is trusted before it ever answers */
static int trust_uri(struct reg *reg, const char *uristr, bool set_peer)
{
	struct uri uri;
	struct pl pl;
	struct sa sa;
	uint16_t port;

	pl_set_str(&pl, uristr);
	if (uri_decode(&uri, &pl))
		return EINVAL;

	port = uri.port ? uri.port
		: sip_transp_port(reg->conf.tp, 0);

	if (!sa_set(&sa, &uri.host, port))
		(void)sip_stack_trust(reg->ss, &sa);

	if (!set_peer)
		return 0;

	reg->peer = mem_deref(reg->peer);

	return re_sdprintf(&reg->peer, "%r:%u", &uri.host, port);
}


/* Does the URI say ";transport="? Then *tpp is what it says */
static bool uri_names_transport(const char *uristr, enum sip_transp *tpp)
{
	struct uri uri;
	struct pl pl, val;

	if (!uristr)
		return false;

	pl_set_str(&pl, uristr);
	if (uri_decode(&uri, &pl) ||
	    msg_param_decode(&uri.params, "transport", &val))
		return false;

	*tpp = !pl_strcasecmp(&val, "tcp") ? SIP_TRANSP_TCP :
		!pl_strcasecmp(&val, "tls") ? SIP_TRANSP_TLS : SIP_TRANSP_UDP;

	return true;
}


static int parse_aor(struct reg *reg)
{
	struct uri uri;
	struct pl pl;
	int err;

	pl_set_str(&pl, reg->aor);
	if (uri_decode(&uri, &pl) || !pl_isset(&uri.user) ||
	    !pl_isset(&uri.host))
		return EINVAL;

	err = pl_strdup(&reg->user, &uri.user);
	if (uri.port)
		err |= re_sdprintf(&reg->domain, "%r:%u", &uri.host,
				   uri.port);
	else
		err |= pl_strdup(&reg->domain, &uri.host);

	return err;
}


static int copy_conf(struct reg *reg, const struct reg_conf *c)
{
	int err;

	reg->conf = *c;

	err = str_dup(&reg->aor, c->aor);
	if (c->registrar)
		err |= str_dup(&reg->registrar, c->registrar);
	if (c->outbound_proxy)
		err |= str_dup(&reg->proxy, c->outbound_proxy);
	if (c->auth_user)
		err |= str_dup(&reg->auth_user, c->auth_user);
	if (c->password)
		err |= str_dup(&reg->password, c->password);
	if (c->display_name)
		err |= str_dup(&reg->display, c->display_name);
	if (err)
		return err;

	err = parse_aor(reg);
	if (err)
		return err;

	if (!reg->registrar)
		err = re_sdprintf(&reg->registrar, "sip:%s%s", reg->domain,
				  sip_transp_param(c->tp));
	if (err)
		return err;

	/* a ";transport=" in a URI is an explicit choice too */
	if (reg->conf.tp_auto &&
	    (uri_names_transport(reg->proxy, &reg->conf.tp) ||
	     uri_names_transport(reg->registrar, &reg->conf.tp)))
		reg->conf.tp_auto = false;

	reg->conf.aor = reg->aor;
	reg->conf.registrar = reg->registrar;
	reg->conf.outbound_proxy = reg->proxy;
	reg->conf.auth_user = reg->auth_user;
	reg->conf.password = reg->password;
	reg->conf.display_name = reg->display;

	err = trust_uri(reg, reg->registrar, !reg->proxy);
	if (!err && reg->proxy)
		err = trust_uri(reg, reg->proxy, true);

	return err;
}


/**
 * Register @p c's account now and keep it registered. Returns EINVAL for
 * a bad AOR/registrar/proxy URI, ENOMEM, or libre's error. A failure
 * after that is reported through @p sh and retried with backoff.
 */
int reg_alloc(struct reg **regp, struct sip_stack *ss,
	      const struct reg_conf *c, reg_state_h *sh, void *arg)
{
	struct reg *reg;
	int err;

	if (!regp || !ss || !c || !str_isset(c->aor))
		return EINVAL;

	reg = mem_zalloc(sizeof(*reg), reg_destructor);
	if (!reg)
		return ENOMEM;

	reg->ss = mem_ref(ss);
	tmr_init(&reg->tmr);
	tmr_init(&reg->tmr_guard);
	tmr_init(&reg->tmr_dns);

	err = copy_conf(reg, c);
	if (err)
		goto out;

	/* an account with no registrar (peer-to-peer, an IP trunk): its
	   calls need the account, nothing is ever registered */
	if (c->no_register) {
		reg->state = REG_OFF;
		str_ncpy(reg->reason, "no registrar", sizeof(reg->reason));
		goto out;
	}

	err = nat_listen(&reg->nat_lsnr, nat_handler, reg);
	if (err)
		goto out;

	/* the first REGISTER waits for the NAT policy (its Contact); it
	   goes from the loop, where a failure to start is retried */
	tmr_start(&reg->tmr, nat_ready() || !sip_stack_laddr(ss,
		  SIP_TRANSP_UDP) ? 0 : NAT_WAIT_MAX_MS, retry_handler, reg);

	reg->state = REG_REGISTERING;
	reg->sh = sh;
	reg->arg = arg;

 out:
	if (err)
		mem_deref(reg);
	else
		*regp = reg;

	return err;
}


enum reg_state reg_state(const struct reg *reg)
{
	return reg ? reg->state : REG_OFF;
}


const char *reg_reason(const struct reg *reg)
{
	return reg && reg->reason[0] ? reg->reason : NULL;
}


uint32_t reg_retry_in(const struct reg *reg)
{
	uint64_t now = tmr_jiffies();

	if (!reg || reg->state != REG_FAILED || reg->retry_at <= now)
		return 0;

	return (uint32_t)((reg->retry_at - now + 999) / 1000);
}


int reg_status(struct re_printf *pf, const struct reg *reg)
{
	int err;

	if (!reg)
		return 0;

	err  = re_hprintf(pf, "aor=%s\nstate=%s\n", reg->aor,
			  reg_state_name(reg->state));
	if (reg->conf.no_register)
		return err | re_hprintf(pf, "reason=no registrar\n");

	err |= re_hprintf(pf, "server=%s\nfailures=%u\n", reg->peer,
			  reg->failures);
	err |= re_hprintf(pf, "transport=%s%s\n", tp_name(reg->conf.tp),
			  reg->conf.tp_auto ? " (auto)" : "");
	if (reg->reason[0])
		err |= re_hprintf(pf, "reason=%s\n", reg->reason);
	if (reg->state == REG_FAILED)
		err |= re_hprintf(pf, "retry_in=%u\n", reg_retry_in(reg));
	if (reg->sipreg && reg->state == REG_OK)
		err |= re_hprintf(pf, "contact=%J\nexpires=%u\n",
				  sipreg_laddr(reg->sipreg),
				  sipreg_proxy_expires(reg->sipreg));

	return err;
}


const struct reg_conf *reg_config(const struct reg *reg)
{
	return reg ? &reg->conf : NULL;
}


const char *reg_user(const struct reg *reg)
{
	return reg ? reg->user : NULL;
}


const char *reg_domain(const struct reg *reg)
{
	return reg ? reg->domain : NULL;
}
