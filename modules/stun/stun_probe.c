/**
 * @file modules/stun/stun_probe.c  Measure the NAT's binding lifetime
 *
 * RFC 5780 section 4.6, for every idle time of the ladder at once: a
 * probe socket of its own sends a Binding request to the server and
 * learns its mapped port; after the idle time a Binding request from
 * another socket (shared by the probes) carries RESPONSE-PORT set to
 * that mapped port, so the server answers to the idle mapping. The
 * answer arriving on the probe socket means the mapping lived; none
 * after a few retransmissions means the NAT forgot it. An answer on
 * the asking socket (the server ignored RESPONSE-PORT) or an error
 * means the server cannot measure. The SIP socket is not touched: its
 * keep-alive goes on at the safe interval meanwhile.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "stun_life.h"

enum {
	RTX_MS_1 = 500,        /* retransmit the request at these times */
	RTX_MS_2 = 1500,
	ANSWER_MS = 3000,      /* and wait this long in all             */
};

enum phase {
	PH_MAP = 0,            /* learning the probe socket's mapping   */
	PH_IDLE,
	PH_PROBE,              /* asking the server to answer to it     */
	PH_DONE,
};

struct stun_life;

struct rung {
	struct stun_life *sl;
	struct udp_sock *us;
	struct tmr tmr;
	uint8_t tid[STUN_TID_SIZE];
	enum phase ph;
	uint32_t idle_ms;
	uint32_t sent;         /* requests of this phase sent           */
	uint16_t port;         /* the probe socket's mapped port        */
};

struct stun_life {
	struct rung rv[STUN_LIFE_RUNGS];
	enum stun_rung resv[STUN_LIFE_RUNGS];
	struct udp_sock *ask;  /* sends the RESPONSE-PORT requests      */
	struct sa srv;
	struct tmr tmr_done;
	enum stun_life_res res;
	uint32_t survived_s, lapsed_s;
	bool decided;
	stun_life_h *h;
	void *arg;
};


static void rung_stop(struct rung *r)
{
	tmr_cancel(&r->tmr);
	r->us = mem_deref(r->us);
	r->ph = PH_DONE;
}


static void stun_life_destructor(void *arg)
{
	struct stun_life *sl = arg;
	size_t i;

	tmr_cancel(&sl->tmr_done);
	for (i = 0; i < STUN_LIFE_RUNGS; i++) {
		tmr_cancel(&sl->rv[i].tmr);
		mem_deref(sl->rv[i].us);
	}
	mem_deref(sl->ask);
}


/* Reported from a timer: the owner may free us in its handler, never
   inside one of our own sockets' receive handlers */
static void done_handler(void *arg)
{
	struct stun_life *sl = arg;

	sl->h(sl->res, sl->survived_s, sl->lapsed_s, sl->arg);
}


static void rung_result(struct rung *r, enum stun_rung res)
{
	struct stun_life *sl = r->sl;
	size_t i;

	if (r->ph == PH_DONE || sl->decided)
		return;

	sl->resv[r - sl->rv] = res;
	rung_stop(r);

	sl->res = stun_life_eval(sl->resv, STUN_LIFE_RUNGS, &sl->survived_s,
				 &sl->lapsed_s);
	if (sl->res == STUN_LIFE_PENDING)
		return;

	/* longer idle times cannot change the answer any more */
	sl->decided = true;
	for (i = 0; i < STUN_LIFE_RUNGS; i++)
		rung_stop(&sl->rv[i]);
	sl->ask = mem_deref(sl->ask);
	tmr_start(&sl->tmr_done, 0, done_handler, sl);
}


static int send_req(struct udp_sock *us, const struct sa *dst,
		    const uint8_t *tid, uint16_t resp_port)
{
	struct mbuf *mb;
	int err;

	mb = mbuf_alloc(64);
	if (!mb)
		return ENOMEM;

	if (resp_port)
		err = stun_msg_encode(mb, STUN_METHOD_BINDING,
				      STUN_CLASS_REQUEST, tid, NULL, NULL, 0,
				      true, 0x00, 1, STUN_ATTR_RESP_PORT,
				      &resp_port);
	else
		err = stun_msg_encode(mb, STUN_METHOD_BINDING,
				      STUN_CLASS_REQUEST, tid, NULL, NULL, 0,
				      true, 0x00, 0);
	if (!err) {
		mb->pos = 0;
		err = udp_send(us, dst, mb);
	}

	mem_deref(mb);
	return err;
}


static void rung_tmr(void *arg);


/* Send (or send again) this phase's request; the next try is timed */
static void rung_send(struct rung *r)
{
	struct stun_life *sl = r->sl;
	uint32_t next;
	int err;

	if (r->ph == PH_MAP)
		err = send_req(r->us, &sl->srv, r->tid, 0);
	else
		err = send_req(sl->ask, &sl->srv, r->tid, r->port);
	if (err) {
		ata_debug("stun: lifetime probe %us: send: %m",
			  r->idle_ms / 1000, err);
	}

	++r->sent;
	next = r->sent == 1 ? RTX_MS_1 : r->sent == 2 ?
		RTX_MS_2 - RTX_MS_1 : ANSWER_MS - RTX_MS_2;
	tmr_start(&r->tmr, next, rung_tmr, r);
}


static void rung_tmr(void *arg)
{
	struct rung *r = arg;

	switch (r->ph) {

	case PH_IDLE:
		r->ph = PH_PROBE;
		r->sent = 0;
		rand_bytes(r->tid, sizeof(r->tid));
		rung_send(r);
		break;

	case PH_MAP:
	case PH_PROBE:
		if (r->sent < 3) {
			rung_send(r);
			break;
		}
		if (r->ph == PH_MAP) {
			ata_info("stun: lifetime probe %us: no mapping",
				 r->idle_ms / 1000);
			rung_result(r, STUN_RUNG_FAILED);
		}
		else {
			ata_debug("stun: lifetime probe %us: lapsed",
				  r->idle_ms / 1000);
			rung_result(r, STUN_RUNG_LAPSED);
		}
		break;

	default:
		break;
	}
}


/* A STUN response of ours in @p mb (by transaction), else NULL */
static struct stun_msg *our_resp(struct mbuf *mb, const uint8_t *tid)
{
	struct stun_msg *msg = NULL;

	if (stun_msg_decode(&msg, mb, NULL))
		return NULL;

	if (stun_msg_method(msg) != STUN_METHOD_BINDING ||
	    stun_msg_class(msg) == STUN_CLASS_REQUEST ||
	    stun_msg_class(msg) == STUN_CLASS_INDICATION ||
	    memcmp(stun_msg_tid(msg), tid, STUN_TID_SIZE))
		return mem_deref(msg);

	return msg;
}


/* On a probe socket: its mapping (PH_MAP), or the proof it lived */
static void rung_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct rung *r = arg;
	struct stun_msg *msg;
	struct stun_attr *a;

	(void)src;

	if (r->ph != PH_MAP && r->ph != PH_PROBE)
		return;

	msg = our_resp(mb, r->tid);
	if (!msg)
		return;

	if (r->ph == PH_PROBE) {
		rung_result(r, stun_msg_class(msg) ==
			    STUN_CLASS_SUCCESS_RESP ? STUN_RUNG_ALIVE :
			    STUN_RUNG_FAILED);
		goto out;
	}

	a = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
	if (!a)
		a = stun_msg_attr(msg, STUN_ATTR_MAPPED_ADDR);
	if (stun_msg_class(msg) != STUN_CLASS_SUCCESS_RESP || !a) {
		rung_result(r, STUN_RUNG_FAILED);
		goto out;
	}

	/* idle from now: the answer was the last packet the NAT saw */
	r->port = sa_port(a->type == STUN_ATTR_XOR_MAPPED_ADDR ?
			  &a->v.xor_mapped_addr : &a->v.mapped_addr);
	r->ph = PH_IDLE;
	tmr_start(&r->tmr, r->idle_ms, rung_tmr, r);

 out:
	mem_deref(msg);
}


/* On the asking socket: the server answered there, not to the port */
static void ask_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct stun_life *sl = arg;
	size_t pos = mb->pos;
	size_t i;

	(void)src;

	for (i = 0; i < STUN_LIFE_RUNGS; i++) {
		struct rung *r = &sl->rv[i];
		struct stun_msg *msg;

		if (r->ph != PH_PROBE)
			continue;

		mb->pos = pos;
		msg = our_resp(mb, r->tid);
		if (!msg)
			continue;

		mem_deref(msg);
		ata_info("stun: the server ignores RESPONSE-PORT: binding"
			 " lifetime not measured");
		rung_result(r, STUN_RUNG_FAILED);
		return;
	}
}


/**
 * Measure how long the NAT keeps an idle UDP mapping toward @p srv,
 * from sockets on @p laddr's address; @p h gets the answer once.
 */
int stun_life_start(struct stun_life **slp, const struct sa *laddr,
		    const struct sa *srv, stun_life_h *h, void *arg)
{
	struct stun_life *sl;
	struct sa l;
	size_t i;
	int err;

	if (!slp || !laddr || !srv || !h)
		return EINVAL;

	sl = mem_zalloc(sizeof(*sl), stun_life_destructor);
	if (!sl)
		return ENOMEM;

	sl->srv = *srv;
	sl->h = h;
	sl->arg = arg;
	tmr_init(&sl->tmr_done);
	l = *laddr;
	sa_set_port(&l, 0);

	err = udp_listen(&sl->ask, &l, ask_recv, sl);
	if (err)
		goto out;

	for (i = 0; i < STUN_LIFE_RUNGS; i++) {
		struct rung *r = &sl->rv[i];

		r->sl = sl;
		r->idle_ms = stun_life_idle_s[i] * 1000;
		tmr_init(&r->tmr);
		rand_bytes(r->tid, sizeof(r->tid));
		err = udp_listen(&r->us, &l, rung_recv, r);
		if (err)
			goto out;
	}

	for (i = 0; i < STUN_LIFE_RUNGS; i++)
		rung_send(&sl->rv[i]);

 out:
	if (err)
		mem_deref(sl);
	else
		*slp = sl;

	return err;
}
