/**
 * @file modules/stun/stun.c  STUN binding, keep-alive, NAT discovery
 *
 * bind: a STUN keep-alive (libre stun_keepalive, a UDP helper on the
 * caller's socket, so STUN answers are taken out before SIP or RTP sees
 * them) learns the socket's public address, refreshes it every
 * keep-alive interval and reports changes; silence before the first
 * answer is ETIMEDOUT, a failure after it ENOTCONN (mapping lost).
 * The first bind also starts RFC 5780 discovery (libre natbd: mapping,
 * filtering, hairpinning, generic ALG) on sockets of its own; what it
 * finds goes to the core's verdict through ata_nat_report().
 * A server given by name is resolved first (stun_dns.c); the bind's
 * time limit covers the lookup too.
 *
 * With an adaptive keep-alive (`keepalive: 0`, the default) the first
 * bind also measures how long the NAT keeps an idle mapping (RFC 5780
 * section 4.6, stun_probe.c); until it knows, every keep-alive runs at
 * the safe 15 s, after it at 4/5 of the lifetime within 15..60 s (the
 * core does the same for the SIP flow). A new public address or a
 * network change measures again.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "stun_int.h"
#include "stun_life.h"

struct stun_bind {
	struct le le;
	struct stun_keepalive *ska;
	struct stun_lookup *lookup;
	struct udp_sock *us;
	uint32_t ka_s;
	struct tmr tmr;
	ata_nat_bind_h *h;
	void *arg;
	struct ata_nat_binding b;
	bool got;
};

/* RFC 5780 tests wait out unanswered CHANGE-REQUESTs: libre's default
   39.5 s transaction timeout would keep the verdict open that long */
static struct stun_conf discover_conf = {
	.rto = 250, .rc = 4, .rm = 4, .ti = 2000, .tos = 0,
};

static struct {
	struct nat_mapping *nm;
	struct nat_filtering *nf;
	struct nat_hairpinning *nh;
	struct nat_genalg *ng;
	struct ata_nat_info info;
	struct sa srv;
	bool discovered;
	uint32_t binds;
	struct list bindl;
	struct stun_life *life;
	enum {LIFE_OFF = 0, LIFE_MEASURING, LIFE_DONE, LIFE_FAILED} lstate;
} st;


static void stun_bind_destructor(void *arg)
{
	struct stun_bind *sb = arg;

	tmr_cancel(&sb->tmr);
	list_unlink(&sb->le);
	mem_deref(sb->ska);
	mem_deref(sb->lookup);
	mem_deref(sb->us);
	if (st.binds)
		--st.binds;
}


/* The configured server; ENOENT when there is none */
static int server_conf(const char **hostp, uint16_t *portp)
{
	const struct ata_conf_stun *sc = ata_conf_stun();
	const struct ata_conf_server *s;

	if (!sc || !str_isset(sc->server.host))
		return ENOENT;

	s = &sc->server;
	*hostp = s->host;
	*portp = s->port ? s->port : STUN_PORT;

	return 0;
}


static void report(void)
{
	ata_nat_report("stun", &st.info);
}


static bool adaptive(void)
{
	const struct ata_conf_stun *sc = ata_conf_stun();

	return !sc || !sc->keepalive_ms;
}


/* The STUN keep-alive interval (s) for what is known now */
static uint32_t keepalive_s(void)
{
	const struct ata_conf_stun *sc = ata_conf_stun();

	return stun_life_keepalive_s(sc ? sc->keepalive_ms : 0,
				     st.info.lifetime_s,
				     st.info.lifetime_lapsed_s);
}


static void life_handler(enum stun_life_res res, uint32_t survived_s,
			 uint32_t lapsed_s, void *arg)
{
	struct le *le;

	(void)arg;

	st.life = mem_deref(st.life);
	if (res != STUN_LIFE_DONE) {
		st.lstate = LIFE_FAILED;
		ata_info("stun: binding lifetime not measured: keep-alive"
			 " stays at %u s", keepalive_s());
		return;
	}

	st.lstate = LIFE_DONE;
	st.info.lifetime_s = survived_s;
	st.info.lifetime_lapsed_s = lapsed_s;
	if (!lapsed_s)
		ata_info("stun: NAT keeps idle mappings %u s or longer",
			 survived_s);
	else if (!survived_s)
		ata_warn("stun: NAT forgets idle mappings in under %u s:"
			 " keep-alives every %u s cannot hold them",
			 lapsed_s, STUN_KA_MIN_S);
	else
		ata_info("stun: NAT keeps idle mappings %u s, not %u s",
			 survived_s, lapsed_s);

	/* enabling sends a request at once: only when it changes */
	for (le = list_head(&st.bindl); le; le = le->next) {
		struct stun_bind *sb = le->data;

		if (sb->ka_s == keepalive_s())
			continue;
		sb->ka_s = keepalive_s();
		if (sb->ska)
			stun_keepalive_enable(sb->ska, sb->ka_s);
	}

	report();
}


/* How long the NAT keeps an idle mapping: only the adaptive keep-alive
   needs it (a fixed one is what the user chose) */
static void life_start(const struct sa *laddr)
{
	int err;

	st.life = mem_deref(st.life);
	st.info.lifetime_s = 0;
	st.info.lifetime_lapsed_s = 0;
	st.lstate = LIFE_OFF;
	if (!adaptive())
		return;

	err = stun_life_start(&st.life, laddr, &st.srv, life_handler, NULL);
	if (err) {
		st.lstate = LIFE_FAILED;
		ata_info("stun: cannot measure the binding lifetime: %m",
			 err);
		return;
	}

	st.lstate = LIFE_MEASURING;
	ata_info("stun: measuring the NAT's binding lifetime (keep-alive"
		 " %u s meanwhile)", keepalive_s());
}


static void mapping_handler(int err, enum nat_type type, void *arg)
{
	(void)arg;
	if (!err)
		st.info.mapping = (int)type;
	ata_info("stun: NAT mapping %s%s", nat_type_str(type),
		 err ? " (test failed)" : "");
	report();
	st.nm = mem_deref(st.nm);
}


static void filtering_handler(int err, enum nat_type type, void *arg)
{
	(void)arg;
	if (!err)
		st.info.filtering = (int)type;
	ata_info("stun: NAT filtering %s%s", nat_type_str(type),
		 err ? " (test failed)" : "");
	report();
	st.nf = mem_deref(st.nf);
}


static void hairpin_handler(int err, bool supported, void *arg)
{
	(void)arg;
	if (!err)
		st.info.hairpin = supported;
	report();
	st.nh = mem_deref(st.nh);
}


static void genalg_handler(int err, uint16_t scode, const char *reason,
			   int status, const struct sa *map, void *arg)
{
	(void)scode;
	(void)reason;
	(void)map;
	(void)arg;
	if (!err)
		st.info.alg = status > 0;
	report();
	st.ng = mem_deref(st.ng);
}


/* RFC 5780 discovery, once per server, each test on its own socket */
static void discover(const struct sa *laddr)
{
	const struct stun_conf *c = &discover_conf;
	struct sa l = *laddr;

	if (st.discovered)
		return;

	st.discovered = true;
	sa_set_port(&l, 0);

	if (!nat_mapping_alloc(&st.nm, &l, &st.srv, IPPROTO_UDP, c,
			       mapping_handler, NULL))
		(void)nat_mapping_start(st.nm);
	if (!nat_filtering_alloc(&st.nf, &st.srv, c, filtering_handler,
				 NULL))
		(void)nat_filtering_start(st.nf);
	if (!nat_hairpinning_alloc(&st.nh, &st.srv, IPPROTO_UDP, c,
				   hairpin_handler, NULL))
		(void)nat_hairpinning_start(st.nh);
	if (!nat_genalg_alloc(&st.ng, &st.srv, IPPROTO_UDP, c,
			      genalg_handler, NULL))
		(void)nat_genalg_start(st.ng);

	life_start(laddr);
}


static void timeout_handler(void *arg)
{
	struct stun_bind *sb = arg;

	if (!sb->got)
		sb->h(ETIMEDOUT, NULL, sb->arg);
}


static void mapped_handler(int err, const struct sa *map, void *arg)
{
	struct stun_bind *sb = arg;

	if (err || !map) {
		if (sb->got)
			sb->h(ENOTCONN, NULL, sb->arg);
		sb->got = false;
		return;
	}

	tmr_cancel(&sb->tmr);

	/* another NAT (or the same one restarted): measure it again */
	if (sa_isset(&sb->b.public, SA_ALL) &&
	    !sa_cmp(map, &sb->b.public, SA_ALL) &&
	    st.lstate != LIFE_MEASURING)
		life_start(&sb->b.local);

	sb->got = true;
	sb->b.public = *map;
	sb->h(0, &sb->b, sb->arg);
}


/* The server's address is in st.srv: start the keep-alive on it */
static int bind_go(struct stun_bind *sb)
{
	int err;

	err = stun_keepalive_alloc(&sb->ska, IPPROTO_UDP, sb->us,
				   ATA_UDP_LAYER_STUN, &st.srv, NULL,
				   mapped_handler, sb);
	if (err)
		return err;

	stun_keepalive_enable(sb->ska, sb->ka_s);
	discover(&sb->b.local);

	return 0;
}


static void lookup_handler(int err, const struct sa *srv, void *arg)
{
	struct stun_bind *sb = arg;

	sb->lookup = mem_deref(sb->lookup);

	if (!err) {
		st.srv = *srv;
		err = bind_go(sb);
	}
	if (err) {
		tmr_cancel(&sb->tmr);
		sb->h(err, NULL, sb->arg);
	}
}


static int stun_bind(void **bindp, struct udp_sock *us,
		     const struct sa *laddr, uint32_t timeout_ms,
		     ata_nat_bind_h *h, void *arg)
{
	struct stun_bind *sb;
	const char *host = NULL;
	uint16_t port = 0;
	struct sa srv;
	int err;

	if (!bindp || !us || !laddr || !h)
		return EINVAL;

	err = server_conf(&host, &port);
	if (err)
		return err;

	sb = mem_zalloc(sizeof(*sb), stun_bind_destructor);
	if (!sb)
		return ENOMEM;

	++st.binds;
	list_append(&st.bindl, &sb->le, sb);
	sb->h = h;
	sb->arg = arg;
	sb->us = mem_ref(us);
	sb->b.local = *laddr;
	sb->ka_s = keepalive_s();
	tmr_init(&sb->tmr);

	if (!sa_set_str(&srv, host, port)) {
		st.srv = srv;
		err = bind_go(sb);
	}
	else {
		err = stun_lookup_start(&sb->lookup, host, port,
					lookup_handler, sb);
	}
	if (err)
		goto out;

	tmr_start(&sb->tmr, timeout_ms ? timeout_ms : 2000,
		  timeout_handler, sb);

 out:
	if (err)
		mem_deref(sb);
	else
		*bindp = sb;

	return err;
}


static int stun_status(struct re_printf *pf)
{
	static const char *lifev[] = {"off", "measuring", "measured",
				      "unmeasurable"};

	if (!sa_isset(&st.srv, SA_ALL))
		return re_hprintf(pf, "state=idle\n");

	return re_hprintf(pf, "state=active server=%J bindings=%u"
			  " lifetime=%s keepalive=%u\n", &st.srv, st.binds,
			  lifev[st.lstate], keepalive_s());
}


static void discovery_reset(void)
{
	st.nm = mem_deref(st.nm);
	st.nf = mem_deref(st.nf);
	st.nh = mem_deref(st.nh);
	st.ng = mem_deref(st.ng);
	st.life = mem_deref(st.life);
	st.lstate = LIFE_OFF;
	memset(&st.info, 0, sizeof(st.info));
	st.info.hairpin = -1;
	st.info.alg = -1;
	st.discovered = false;
}


/* Behind another router now, perhaps: the next bind discovers again
   (tests half-done on the old link are dropped; the server stays) */
static void stun_network_changed(void)
{
	discovery_reset();
}


static struct ata_traversal stun_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "stun",
	.status  = stun_status,
	.bind    = stun_bind,
	.network_changed = stun_network_changed,
	.method  = ATA_TRAV_STUN,
};


static int module_init(void)
{
	memset(&st, 0, sizeof(st));
	discovery_reset();

	return ata_traversal_register(&stun_ops);
}


static int module_close(void)
{
	ata_traversal_unregister(&stun_ops);
	discovery_reset();
	stun_dns_close();

	return 0;
}


ATA_MODULE("stun", "traversal", module_init, module_close);
