/**
 * @file reg.c  One account to REGISTER: its settings, whom to trust
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
 *
 * The jobs: this file (the account's settings, start), reg_send.c (the
 * REGISTER and its answer), reg_backoff.c (a failure and the wait),
 * reg_tcp.c (UDP blocked: TCP), reg_query.c (state and status).
 */
#include <re.h>
#include "ataua.h"
#include "nat/nat.h"
#include "reg_priv.h"
#include "sip_stack.h"


static void reg_destructor(void *arg)
{
	struct reg *reg = arg;

	tmr_cancel(&reg->tmr);
	tmr_cancel(&reg->tmr_guard);
	tmr_cancel(&reg->tmr_dns);
	reg_family_close(reg);
	reg_lookup_over(reg);
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


/* Last statement of its callers: the handler may deref the reg */
void reg_set_state(struct reg *reg, enum reg_state st, bool always)
{
	if (reg->state == st && !always)
		return;

	reg->state = st;
	reg_family_state(reg);
	if (reg->sh)
		reg->sh(st, st == REG_FAILED ? reg->reason : NULL, reg->arg);
}


const char *reg_tp_name(enum sip_transp tp)
{
	return tp == SIP_TRANSP_TLS ? "tls" : tp == SIP_TRANSP_TCP ? "tcp" :
		"udp";
}


/* Where the REGISTER goes first: the outbound proxy, else the registrar */
const char *reg_first_hop(const struct reg *reg)
{
	return reg->proxy ? reg->proxy : reg->registrar;
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


/* Is the URI's host a name (to be looked up), not an IP literal? */
static bool uri_host_is_name(const char *uristr)
{
	struct uri uri;
	struct pl pl;
	struct sa sa;

	pl_set_str(&pl, uristr);

	return !uri_decode(&uri, &pl) && sa_set(&sa, &uri.host, 0);
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
	tmr_init(&reg->fam.tmr_lookup);
	tmr_init(&reg->fam.tmr_he);
	tmr_init(&reg->fam.tmr_ka);

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

	err = nat_listen(&reg->nat_lsnr, reg_send_nat_handler, reg);
	if (err)
		goto out;

	/* the first REGISTER waits for the NAT policy (its Contact); it
	   goes from the loop, where a failure to start is retried */
	tmr_start(&reg->tmr, nat_ready() ||
		  !sip_stack_laddr_af(ss, SIP_TRANSP_UDP, AF_INET) ? 0 :
		  NAT_WAIT_MAX_MS,
		  reg_send_retry, reg);

	/* a registrar by name is not asked before its name is looked up
	   (reg_start): the NAT verdict must not say "no reply" meanwhile */
	if (uri_host_is_name(reg_first_hop(reg))) {
		reg->lookup = true;
		nat_reg_lookup(true);
	}

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
