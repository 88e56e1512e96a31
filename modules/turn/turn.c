/**
 * @file modules/turn/turn.c  TURN relay for symmetric NATs, blocked UDP
 *
 * bind: allocate a relay on the TURN server for the caller's socket
 * (turn_relay.c) and report the relayed address (relayed = true); after
 * that, a lost allocation reports ENOTCONN and, once re-made, the new
 * address. Config: traversal.turn {server, transport, username,
 * password, timeout}; transport auto (the default) is UDP, or TCP when
 * UDP goes unanswered (turn_auto.c). Server names are not resolved
 * yet (IP literals), as in the stun module.
 *
 * Test verbs (`turn alloc|peer|send|release`) drive one relay on a
 * socket of our own that echoes what it receives, so the relay path can
 * be proven without a call.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "turn.h"

struct turn_bind {
	struct turn_relay *tr;
	struct ata_nat_binding b;
	ata_nat_bind_h *h;
	void *arg;
};

static struct {
	struct udp_sock *us;
	struct turn_relay *tr;
	uint64_t echoed;
} tst;


static int conf_prm(struct turn_relay_prm *prm, uint32_t timeout_ms)
{
	const struct ata_conf_turn *tc = ata_conf_turn();

	memset(prm, 0, sizeof(*prm));
	if (!tc || !str_isset(tc->server.host))
		return ENOENT;

	if (sa_set_str(&prm->srv, tc->server.host,
		       tc->server.port ? tc->server.port :
		       (tc->transport == ATA_TRANSPORT_TLS ? 5349 : 3478))) {
		ata_warn("turn: server '%s' is not an IP address",
			 tc->server.host);
		return EINVAL;
	}

	prm->transport = tc->transport;
	if (tc->transport == ATA_TRANSPORT_AUTO) {
		prm->transport = turn_auto_transport();
		prm->tcp_fallback = true;
	}
	prm->username = tc->username;
	prm->password = tc->password ? tc->password : "";
	prm->timeout_ms = timeout_ms ? timeout_ms : tc->timeout_ms;

	return str_isset(prm->username) ? 0 : EINVAL;
}


static void bind_destructor(void *arg)
{
	struct turn_bind *tb = arg;

	mem_deref(tb->tr);
}


static void relay_handler(int err, const struct sa *relay,
			  const struct sa *mapped, uint32_t lifetime_s,
			  void *arg)
{
	struct turn_bind *tb = arg;
	(void)mapped;

	if (err) {
		tb->h(err, NULL, tb->arg);
		return;
	}

	tb->b.public = *relay;
	tb->b.relayed = true;
	tb->b.lifetime_s = lifetime_s;
	tb->h(0, &tb->b, tb->arg);
}


static int turn_bind(void **bindp, struct udp_sock *us,
		     const struct sa *laddr, uint32_t timeout_ms,
		     ata_nat_bind_h *h, void *arg)
{
	struct turn_relay_prm prm;
	struct turn_bind *tb;
	int err;

	if (!bindp || !us || !laddr || !h)
		return EINVAL;

	err = conf_prm(&prm, timeout_ms);
	if (err)
		return err == ENOENT ? ENOTSUP : err;

	tb = mem_zalloc(sizeof(*tb), bind_destructor);
	if (!tb)
		return ENOMEM;

	tb->b.local = *laddr;
	tb->h = h;
	tb->arg = arg;
	err = turn_relay_alloc(&tb->tr, us, &prm, relay_handler, tb);
	if (err)
		mem_deref(tb);
	else
		*bindp = tb;

	return err;
}


static int turn_status(struct re_printf *pf)
{
	const struct ata_conf_turn *tc = ata_conf_turn();
	struct le *le;
	unsigned i = 0;
	int err;

	err = re_hprintf(pf, "configured=%s\nrelays=%u\n",
			 tc && str_isset(tc->server.host) ?
			 "yes" : "no", list_count(turn_relay_list()));

	for (le = list_head(turn_relay_list()); le; le = le->next) {
		err |= re_hprintf(pf, "relay=%u%s\n", i++,
				  le->data == tst.tr ? " (test)" : "");
		err |= turn_relay_print(pf, le->data);
	}

	return err;
}


static int cmd_status(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;
	return turn_status(pf);
}


/* The test socket echoes what a peer sends, back through the relay */
static void test_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	(void)arg;
	if (!udp_send(tst.us, src, mb))
		++tst.echoed;
}


static void test_relay_handler(int err, const struct sa *relay,
			       const struct sa *mapped, uint32_t lifetime_s,
			       void *arg)
{
	(void)mapped;
	(void)arg;

	if (err)
		ata_event(ATA_LOG_WARN, "TURN-LOST", "err=%s",
			  ata_errname(err));
	else
		ata_event(ATA_LOG_INFO, "TURN-RELAY", "relayed=%J lifetime=%u",
			  relay, lifetime_s);
}


static int cmd_alloc(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct turn_relay_prm prm;
	struct pl tp = PL_INIT, lt = PL_INIT;
	struct sa any;
	int err;

	err = conf_prm(&prm, 0);
	if (err)
		return ata_cmd_fail(ca, err, "traversal.turn not configured");

	(void)re_regex(ca->args.p, ca->args.l, "[a-z]*[ ]*[0-9]*",
		       &tp, NULL, &lt);
	if (!pl_strcmp(&tp, "auto")) {
		prm.transport = turn_auto_transport();
		prm.tcp_fallback = true;
	}
	else if (!pl_strcmp(&tp, "tcp"))
		prm.transport = ATA_TRANSPORT_TCP;
	else if (!pl_strcmp(&tp, "tls"))
		prm.transport = ATA_TRANSPORT_TLS;
	else if (!pl_strcmp(&tp, "udp")) {
		prm.transport = ATA_TRANSPORT_UDP;
		prm.tcp_fallback = false;     /* forced: no fallback */
	}
	else if (pl_isset(&tp))
		return ata_cmd_fail(ca, EINVAL,
				    "transport auto|udp|tcp|tls");
	if (pl_isset(&lt))
		prm.lifetime_s = pl_u32(&lt);

	tst.tr = mem_deref(tst.tr);
	tst.us = mem_deref(tst.us);
	tst.echoed = 0;
	(void)sa_set_str(&any, "0.0.0.0", 0);
	err = udp_listen(&tst.us, &any, test_recv, NULL);
	if (!err)
		err = turn_relay_alloc(&tst.tr, tst.us, &prm,
				       test_relay_handler, NULL);
	if (err) {
		tst.us = mem_deref(tst.us);
		return ata_cmd_fail(ca, err, "alloc: %m", err);
	}

	return re_hprintf(pf, "server=%J\ntransport=%s\n", &prm.srv,
			  turn_transport_name(prm.transport));
}


static int peer_arg(struct ata_cmd_arg *ca, struct sa *peer, struct pl *rest)
{
	struct pl addr;

	if (!tst.tr)
		return ata_cmd_fail(ca, ENOENT, "no test relay (turn alloc)");
	if (re_regex(ca->args.p, ca->args.l, "[^ ]+[ ]*[^]*", &addr, NULL,
		     rest) || sa_decode(peer, addr.p, addr.l))
		return ata_cmd_fail(ca, EINVAL, "want IP:PORT");

	return 0;
}


static int cmd_peer(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct sa peer;
	struct pl rest;
	int err;
	(void)pf;

	err = peer_arg(ca, &peer, &rest);
	if (err)
		return err;

	err = turn_relay_add_peer(tst.tr, &peer);

	return err ? ata_cmd_fail(ca, err, "%m", err) : 0;
}


static int cmd_send(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct mbuf *mb;
	struct sa peer;
	struct pl rest;
	int err;

	err = peer_arg(ca, &peer, &rest);
	if (err)
		return err;

	mb = mbuf_alloc(rest.l + 1);
	if (!mb)
		return ENOMEM;

	err = mbuf_write_pl(mb, &rest);
	mb->pos = 0;
	if (!err)
		err = udp_send(tst.us, &peer, mb);
	mem_deref(mb);
	if (err)
		return ata_cmd_fail(ca, err, "%m", err);

	return re_hprintf(pf, "echoed=%llu\n",
			  (unsigned long long)tst.echoed);
}


static int cmd_release(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)pf;
	(void)ca;
	tst.tr = mem_deref(tst.tr);
	tst.us = mem_deref(tst.us);

	return 0;
}


static const struct ata_cmd turn_cmds[] = {
	{ATA_VERB_TURN_STATUS,  cmd_status},
	{ATA_VERB_TURN_ALLOC,   cmd_alloc},
	{ATA_VERB_TURN_PEER,    cmd_peer},
	{ATA_VERB_TURN_SEND,    cmd_send},
	{ATA_VERB_TURN_RELEASE, cmd_release},
};


static struct ata_traversal turn_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "turn",
	.status  = turn_status,
	.bind    = turn_bind,
	.method  = ATA_TRAV_TURN,
};


static int module_init(void)
{
	int err;

	err = ata_cmd_register(turn_cmds, ARRAY_SIZE(turn_cmds), NULL);
	if (err)
		return err;

	err = ata_traversal_register(&turn_ops);
	if (err)
		ata_cmd_unregister(turn_cmds);

	return err;
}


static int module_close(void)
{
	tst.tr = mem_deref(tst.tr);
	tst.us = mem_deref(tst.us);
	turn_inject_close();
	turn_auto_reset();
	ata_traversal_unregister(&turn_ops);
	ata_cmd_unregister(turn_cmds);

	return 0;
}


ATA_MODULE("turn", "traversal", module_init, module_close);
