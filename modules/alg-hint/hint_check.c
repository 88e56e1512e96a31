/**
 * @file modules/alg-hint/hint_check.c  Per call: a=x-private out, STUN
 *                                      answers, and the connectivity check
 *
 * From the moment a call's RTP socket exists it answers STUN Binding
 * requests (the peer's check may arrive before our own SDP exchange is
 * done) and swallows Binding indications (RTP keep-alives). When the
 * peer's SDP is applied and its public address equals ours (same NAT,
 * which need not hairpin), each of its x-private addresses gets a STUN
 * Binding request from our RTP socket; the first to answer proves the
 * path both ways and media goes there. None within alg_hint.
 * check_timeout: media stays on the public path. A peer without hints
 * sees nothing but one more SDP attribute.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "hint.h"

enum {
	HELPER_LAYER = ATA_UDP_LAYER_HINT_CHECK,
	STUN_RTO_MS = 100,        /* a LAN answers fast: retry quickly  */
	STUN_RC = 5,
	TEXT_MAX = 160,
};

enum check_state {
	CHECK_IDLE = 0,           /* no remote SDP yet                  */
	CHECK_NONE,               /* no candidate: public path          */
	CHECK_RUNNING,
	CHECK_DIRECT,             /* a private address answered         */
	CHECK_FALLBACK,           /* none answered in time: public path */
};

struct hint_call;

struct hint_cand {
	struct hint_call *hc;
	struct stun_ctrans *ct;
	struct sa addr;
};

struct hint_call {
	struct le le;
	struct udp_sock *us;
	struct udp_helper *uh;
	struct stun *stun;
	struct sa laddr, pub;
	struct hint_cand candv[HINT_CAND_MAX];
	size_t candc;
	struct sa chosen;
	struct tmr tmr;
	enum check_state st;
	uint32_t timeout_ms;
	uint64_t answered;        /* Binding requests we answered       */
	ata_hint_dst_h *h;
	void *arg;
};

static struct list calls;


static void cands_cancel(struct hint_call *hc)
{
	size_t i;

	for (i = 0; i < hc->candc; i++)
		hc->candv[i].ct = mem_deref(hc->candv[i].ct);
	tmr_cancel(&hc->tmr);
}


static void hint_call_destructor(void *arg)
{
	struct hint_call *hc = arg;

	cands_cancel(hc);
	list_unlink(&hc->le);
	mem_deref(hc->uh);
	mem_deref(hc->stun);
}


/* A STUN message on the call's RTP socket (hint_stun_recv) */
static bool stun_h(const struct sa *src, struct stun_msg *msg,
		   struct stun_unknown_attr *ua, void *arg)
{
	struct hint_call *hc = arg;

	if (stun_msg_method(msg) != STUN_METHOD_BINDING)
		return false;

	switch (stun_msg_class(msg)) {

	case STUN_CLASS_REQUEST:
		(void)stun_reply(IPPROTO_UDP, hc->us, src, 0, msg,
				 NULL, 0, false, 1,
				 STUN_ATTR_XOR_MAPPED_ADDR, src);
		++hc->answered;
		return true;

	case STUN_CLASS_INDICATION:
		return true;  /* a keep-alive: not for RTP */

	default:
		/* ours, or another helper's (stun module) */
		return !stun_ctrans_recv(hc->stun, msg, ua);
	}
}


static bool recv_helper(struct sa *src, struct mbuf *mb, void *arg)
{
	return hint_stun_recv(src, mb, stun_h, arg);
}


static int xpriv_h(struct re_printf *pf, void *arg)
{
	const struct sa *v = arg;

	return hint_xpriv_print(pf, &v[0], &v[1]);
}


/**
 * State for one call's RTP socket @p us (bound to @p laddr, advertised
 * as @p pub); EINVAL, ENOMEM or the helper's error.
 */
int hint_call_alloc(struct hint_call **hcp, struct udp_sock *us,
		    const struct sa *laddr, const struct sa *pub,
		    uint32_t timeout_ms)
{
	struct stun_conf conf = {
		.rto = STUN_RTO_MS, .rc = STUN_RC, .rm = 16, .ti = 39500,
	};
	struct hint_call *hc;
	int err;

	if (!hcp || !us || !sa_isset(laddr, SA_ALL) ||
	    !sa_isset(pub, SA_ALL))
		return EINVAL;

	hc = mem_zalloc(sizeof(*hc), hint_call_destructor);
	if (!hc)
		return ENOMEM;

	hc->us = us;  /* the call's: it outlives this state */
	hc->laddr = *laddr;
	hc->pub = *pub;
	hc->timeout_ms = timeout_ms;
	tmr_init(&hc->tmr);
	list_append(&calls, &hc->le, hc);

	err = stun_alloc(&hc->stun, &conf, NULL, NULL);
	if (!err)
		err = udp_register_helper(&hc->uh, us, HELPER_LAYER,
					  NULL, recv_helper, hc);
	if (err)
		mem_deref(hc);
	else
		*hcp = hc;

	return err;
}


/** a=x-private for our SDP, when we are behind a NAT */
int hint_call_sdp(struct hint_call *hc, struct sdp_media *m)
{
	if (!hc || !m)
		return EINVAL;

	struct sa v[2];
	const struct sa *tier = hint_tier_addr();
	int err;

	if (sa_cmp(&hc->laddr, &hc->pub, SA_ADDR))
		return 0;  /* no NAT: nothing to hint */

	v[0] = hc->laddr;
	v[1] = hc->pub;
	err = sdp_media_set_lattr(m, true, "x-private", "%H", xpriv_h, v);

	/* nested NATs: the inner router's address, our port (predicted) */
	if (!err && tier && sa_af(tier) == sa_af(&hc->laddr) &&
	    !sa_cmp(tier, &hc->laddr, SA_ADDR) &&
	    !sa_cmp(tier, &hc->pub, SA_ADDR)) {
		sa_cpy(&v[0], tier);
		sa_set_port(&v[0], sa_port(&hc->laddr));
		err = sdp_media_set_lattr(m, false, "x-private", "%H",
					  xpriv_h, v);
	}

	return err;
}


static void timeout_handler(void *arg)
{
	struct hint_call *hc = arg;

	cands_cancel(hc);
	hc->st = CHECK_FALLBACK;
	ata_info("alg-hint: no private candidate answered in %u ms: "
		 "public path", hc->timeout_ms);
}


static void resp_handler(int err, uint16_t scode, const char *reason,
			 const struct stun_msg *msg, void *arg)
{
	struct hint_cand *c = arg;
	struct hint_call *hc = c->hc;

	(void)reason;
	(void)msg;

	c->ct = NULL;  /* libre frees a finished transaction */
	if (err || scode || hc->st != CHECK_RUNNING)
		return;

	hc->chosen = c->addr;
	hc->st = CHECK_DIRECT;
	cands_cancel(hc);
	ata_info("alg-hint: %J answers: media goes direct", &c->addr);
	if (hc->h)
		hc->h(&hc->chosen, hc->arg);
}


struct collect {
	struct hint_call *hc;
	const struct sa *dst;
	struct sa v[HINT_CAND_MAX];
	size_t c;
};


static bool xpriv_attr(const char *name, const char *value, void *arg)
{
	struct collect *co = arg;
	struct sa priv, pub;
	size_t i;

	(void)name;

	if (hint_xpriv_decode(&priv, &pub, value))
		return false;  /* skip a bad line, read the next */

	/* only the peer's own identity behind the public address in c= */
	if (!sa_cmp(&pub, co->dst, SA_ADDR) ||
	    sa_cmp(&priv, co->dst, SA_ALL) || sa_af(&priv) != sa_af(co->dst))
		return false;

	for (i = 0; i < co->c; i++) {
		if (sa_cmp(&co->v[i], &priv, SA_ALL))
			return false;
	}

	co->v[co->c++] = priv;

	return co->c >= HINT_CAND_MAX;  /* enough: stop */
}


static bool same_cands(const struct hint_call *hc, const struct collect *co)
{
	size_t i;

	if (hc->candc != co->c)
		return false;

	for (i = 0; i < co->c; i++) {
		if (!sa_cmp(&hc->candv[i].addr, &co->v[i], SA_ALL))
			return false;
	}

	return true;
}


/**
 * The peer's SDP @p m is applied, RTP goes to @p dst: check the peer's
 * private addresses when it is behind our own NAT.
 */
void hint_call_remote(struct hint_call *hc, const struct sdp_media *m,
		      const struct sa *dst, ata_hint_dst_h *h, void *arg)
{
	struct collect co;
	size_t i;

	if (!hc || !m || !dst)
		return;

	hc->h = h;
	hc->arg = arg;

	memset(&co, 0, sizeof(co));
	co.hc = hc;
	co.dst = dst;

	/* behind a NAT, and the peer behind the same public address */
	if (!sa_cmp(&hc->laddr, &hc->pub, SA_ADDR) &&
	    sa_cmp(dst, &hc->pub, SA_ADDR))
		(void)sdp_media_rattr_apply(m, "x-private", xpriv_attr, &co);

	/* a re-INVITE with the same hints keeps what the check found */
	if (same_cands(hc, &co) && hc->st == CHECK_DIRECT) {
		if (h)
			h(&hc->chosen, arg);
		return;
	}
	if (same_cands(hc, &co) && hc->st == CHECK_RUNNING)
		return;

	cands_cancel(hc);
	hc->candc = 0;
	if (!co.c) {
		hc->st = CHECK_NONE;
		return;
	}

	hc->st = CHECK_RUNNING;
	for (i = 0; i < co.c; i++) {
		struct hint_cand *c = &hc->candv[hc->candc];
		int err;

		c->hc = hc;
		c->addr = co.v[i];
		err = stun_request(&c->ct, hc->stun, IPPROTO_UDP, hc->us,
				   &c->addr, 0, STUN_METHOD_BINDING, NULL, 0,
				   false, resp_handler, c, 0);
		if (err) {
			ata_info("alg-hint: check %J: %m", &c->addr, err);
			continue;
		}
		ata_debug("alg-hint: checking %J", &c->addr);
		++hc->candc;
	}

	if (!hc->candc) {
		hc->st = CHECK_FALLBACK;
		return;
	}

	tmr_start(&hc->tmr, hc->timeout_ms, timeout_handler, hc);
}


static const char *state_name(enum check_state st)
{
	switch (st) {

	case CHECK_IDLE:     return "idle";
	case CHECK_NONE:     return "public";
	case CHECK_RUNNING:  return "checking";
	case CHECK_DIRECT:   return "direct";
	case CHECK_FALLBACK: return "fallback";
	default:             return "?";
	}
}


/** `call=LOCAL check=STATE [direct=ADDR] answered=N` per call */
int hint_calls_print(struct re_printf *pf)
{
	struct le *le;
	int err = 0;

	for (le = list_head(&calls); le; le = le->next) {
		const struct hint_call *hc = le->data;

		err |= re_hprintf(pf, "call=%J check=%s", &hc->laddr,
				  state_name(hc->st));
		if (hc->st == CHECK_DIRECT)
			err |= re_hprintf(pf, " direct=%J", &hc->chosen);
		err |= re_hprintf(pf, " candidates=%zu answered=%llu\n",
				  hc->candc,
				  (unsigned long long)hc->answered);
	}

	return err;
}


/** Module unload: free every call's state (the core forgot them) */
void hint_calls_flush(void)
{
	struct le *le;

	while ((le = list_head(&calls)))
		mem_deref(le->data);  /* unlinks itself */
}
