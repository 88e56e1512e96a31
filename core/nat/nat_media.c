/**
 * @file nat_media.c  A call's RTP and RTCP behind NAT: address, keep-alive
 *
 * Each call's RTP and RTCP socket (a "leg" each) uses the method the
 * policy chose for SIP, through the same traversal bind hook:
 *
 * - stun: the public address is predicted (the SIP public IP with the
 *   local port: the policy only gets here for endpoint-independent
 *   mappings, which keep the port) so the SDP can be written at once;
 *   a STUN binding on each socket checks the guess.
 * - upnp: the IGD's external IP with the local port, predicted the same
 *   way; an AddPortMapping per socket makes it true (a conflict gives
 *   another external port, which the SDP then carries). Released at
 *   call end, refreshed by the module meanwhile.
 * - turn: nothing can be predicted. A relay is allocated per socket and
 *   the media is "pending" until both answered; call.c holds its offer
 *   or answer until then (nat_media_set_handler). Released at call end.
 * - register: the address the registrar saw, with the local port.
 *
 * Whatever the method, a STUN Binding Indication goes to the peer every
 * rtp_keepalive while the call lives, so the NAT's mapping (or the TURN
 * permission and channel) stays open through long ringing and hold when
 * no RTP flows (RFC 6263; peers drop it as non-RTP). The first one goes
 * as soon as the peer's address is known: through TURN it makes the
 * permission before the peer's media arrives, through a NAT it opens
 * the mapping before the peer's first packets can race it.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "conf/config.h"
#include "mod/traversal.h"
#include "nat_int.h"

enum {
	STUN_HDR = 20,
	RTP_KA_DEFAULT_MS = 15000,
	BIND_TIMEOUT_MS = 3000,
};

enum leg_state {
	LEG_NONE = 0,   /**< no module works on it: the prediction holds */
	LEG_WAIT,       /**< bind started, no answer yet                 */
	LEG_OK,
	LEG_FAILED,
};

struct nat_media;

/** The RTP or the RTCP socket of a call */
struct media_leg {
	struct nat_media *nm;
	struct udp_sock *us;      /* the rtp_sock's, not ours          */
	struct sa local;
	struct sa pub;            /* what the SDP carries              */
	void *bind;               /* the module's binding handle       */
	enum leg_state state;
	bool verified;            /* the module confirmed pub          */
	bool relayed;
};

struct nat_media {
	struct le le;
	struct rtp_sock *rtp;
	enum nat_method method;
	struct media_leg leg[2];  /* RTP, RTCP                         */
	struct sa peer_rtp, peer_rtcp;
	struct sa direct;         /* a hint's destination behind our NAT:
				     the public address goes unused    */
	struct tmr tmr_ka;
	uint32_t ka_ms;
	nat_media_h *h;
	void *arg;
};

static struct list medias;


static void nat_media_destructor(void *arg)
{
	struct nat_media *nm = arg;

	tmr_cancel(&nm->tmr_ka);
	list_unlink(&nm->le);
	/* releases mappings and relays (DeletePortMapping, Refresh 0) */
	mem_deref(nm->leg[0].bind);
	mem_deref(nm->leg[1].bind);
	mem_deref(nm->rtp);
}


static void send_indication(void *sock, const struct sa *dst)
{
	uint8_t buf[STUN_HDR];
	struct mbuf mb;
	size_t i;

	if (!sock || !sa_isset(dst, SA_ALL))
		return;

	buf[0] = 0x00;            /* Binding Indication 0x0011 */
	buf[1] = 0x11;
	buf[2] = buf[3] = 0;      /* no attributes */
	buf[4] = 0x21; buf[5] = 0x12; buf[6] = 0xa4; buf[7] = 0x42;
	for (i = 8; i < STUN_HDR; i++)
		buf[i] = (uint8_t)rand_u32();

	mb.buf = buf;
	mb.size = mb.end = sizeof(buf);
	mb.pos = 0;
	(void)udp_send(sock, dst, &mb);
}


static void send_keepalives(struct nat_media *nm)
{
	send_indication(rtp_sock(nm->rtp), &nm->peer_rtp);
	if (!sa_cmp(&nm->peer_rtp, &nm->peer_rtcp, SA_ALL))
		send_indication(rtcp_sock(nm->rtp), &nm->peer_rtcp);
}


static void ka_handler(void *arg)
{
	struct nat_media *nm = arg;

	send_keepalives(nm);
	tmr_start(&nm->tmr_ka, nm->ka_ms, ka_handler, nm);
}


/** true while a relay the SDP must carry is still being allocated */
bool nat_media_pending(const struct nat_media *nm)
{
	return nm && (nm->leg[0].state == LEG_WAIT ||
		      nm->leg[1].state == LEG_WAIT) &&
		nm->method == NAT_METHOD_TURN;
}


static void report(struct nat_media *nm)
{
	if (nat_media_pending(nm) || !nm->h)
		return;

	nm->h(&nm->leg[0].pub, nm->leg[1].us ? &nm->leg[1].pub : NULL,
	      nm->arg);
}


static void leg_bind_handler(int err, const struct ata_nat_binding *b,
			     void *arg)
{
	struct media_leg *leg = arg;
	struct nat_media *nm = leg->nm;
	bool was_wait = leg->state == LEG_WAIT;
	bool changed = false;

	if (err || !b) {
		if (leg->state == LEG_OK)
			ata_event(ATA_LOG_WARN, ATA_EVENT_NAT_LOST,
				  "module=%s local=%J err=%s",
				  nat_method_name(nm->method), &leg->local,
				  ata_errname(err));
		ata_info("nat: media %J: no %s binding: %m", &leg->local,
			 nat_method_name(nm->method), err);
		leg->state = LEG_FAILED;
		leg->verified = false;
		if (was_wait)
			report(nm);
		return;
	}

	leg->state = LEG_OK;
	leg->relayed = b->relayed;
	if (nm->method == NAT_METHOD_STUN) {
		/* a check of the prediction: the SDP is out already */
		leg->verified = sa_cmp(&b->public, &leg->pub, SA_ALL);
		if (!leg->verified) {
			ata_warn("nat: RTP %J maps to %J, SDP said %J",
				 &leg->local, &b->public, &leg->pub);
			ata_event(ATA_LOG_WARN, ATA_EVENT_RTP_MISMATCH,
				  "local=%J public=%J sdp=%J", &leg->local,
				  &b->public, &leg->pub);
		}
		return;
	}

	leg->verified = true;
	if (!sa_cmp(&b->public, &leg->pub, SA_ALL)) {
		changed = sa_isset(&leg->pub, SA_ALL);
		ata_info("nat: media %J: public %J (%s%s)", &leg->local,
			 &b->public, nat_method_name(nm->method),
			 changed ? ", changed" : "");
		leg->pub = b->public;
		changed = true;
	}

	if (changed || was_wait)
		report(nm);
}


static void leg_start(struct nat_media *nm, struct media_leg *leg,
		      struct udp_sock *us, const struct sa *pub)
{
	const struct ata_config *cfg = ata_config();
	const struct ata_traversal *t;
	enum ata_trav_method m;
	uint32_t to = BIND_TIMEOUT_MS;
	int err;

	leg->nm = nm;
	leg->us = us;
	if (!us || udp_local_get(us, &leg->local))
		return;

	if (pub) {
		leg->pub = *pub;
		sa_set_port(&leg->pub, sa_port(&leg->local));
	}
	else {
		leg->pub = leg->local;  /* until the relay is known */
	}

	switch (nm->method) {

	case NAT_METHOD_STUN:
		m = ATA_TRAV_STUN;
		if (cfg)
			to = cfg->traversal.stun.timeout_ms;
		break;

	case NAT_METHOD_UPNP:
		m = ATA_TRAV_UPNP;
		if (cfg)
			to = cfg->traversal.upnp.timeout_ms;
		break;

	case NAT_METHOD_TURN:
		m = ATA_TRAV_TURN;
		if (cfg)
			to = cfg->traversal.turn.timeout_ms;
		break;

	default:
		return;
	}

	t = traversal_find(m);
	if (!t || !t->bind)
		return;

	leg->state = LEG_WAIT;
	err = t->bind(&leg->bind, us, &leg->local, to ? to : BIND_TIMEOUT_MS,
		      leg_bind_handler, leg);
	if (err && leg->state == LEG_WAIT) {
		ata_warn("nat: media %J: %s bind: %m", &leg->local,
			 traversal_method_name(m), err);
		leg->state = LEG_FAILED;
	}
}


/**
 * Give @p rtp's sockets a public address with the method the policy
 * chose: @p addr (the local RTP address on entry) becomes what the SDP
 * must carry, as far as known now (see nat_media_pending). *nmp is NULL
 * when no NAT is handled. Returns EINVAL or ENOMEM; a module that
 * cannot help is not an error (the local or predicted address stays).
 */
int nat_media_bind(struct nat_media **nmp, struct rtp_sock *rtp,
		   struct sa *addr)
{
	const struct ata_config *cfg = ata_config();
	const struct sa *pub = nat_sip_public();
	struct nat_media *nm;

	if (!nmp || !rtp || !addr)
		return EINVAL;

	*nmp = NULL;
	/* IPv6 media has no NAT to traverse: no STUN, TURN, UPnP for it */
	if (!pub || sa_af(addr) == AF_INET6)
		return 0;

	nm = mem_zalloc(sizeof(*nm), nat_media_destructor);
	if (!nm)
		return ENOMEM;

	nm->rtp = mem_ref(rtp);
	nm->method = nat.method;
	nm->ka_ms = cfg && cfg->traversal.rtp_keepalive_ms ?
		cfg->traversal.rtp_keepalive_ms : RTP_KA_DEFAULT_MS;
	tmr_init(&nm->tmr_ka);
	list_append(&medias, &nm->le, nm);

	if (nm->method == NAT_METHOD_TURN)
		pub = NULL;  /* the SIP relay is no address for media */

	leg_start(nm, &nm->leg[0], rtp_sock(rtp), pub);
	leg_start(nm, &nm->leg[1], rtcp_sock(rtp), pub);

	*addr = nm->leg[0].pub;
	*nmp = nm;

	return 0;
}


/**
 * @p h is told when the SDP's addresses become known or change (a
 * relay allocated, another UPnP port); with the RTCP address, or NULL
 * when there is no RTCP socket. Set it right after nat_media_bind.
 */
void nat_media_set_handler(struct nat_media *nm, nat_media_h *h, void *arg)
{
	if (!nm)
		return;

	nm->h = h;
	nm->arg = arg;
}


/** The peer's media addresses are known: keep them reachable */
void nat_media_set_peer(struct nat_media *nm, const struct sa *rtp,
			const struct sa *rtcp)
{
	bool first;

	if (!nm || !rtp || !sa_isset(rtp, SA_ALL))
		return;

	first = !sa_cmp(&nm->peer_rtp, rtp, SA_ALL);
	nm->peer_rtp = *rtp;
	sa_init(&nm->direct, AF_UNSPEC);  /* media goes where the SDP says */
	nm->peer_rtcp = rtcp && sa_isset(rtcp, SA_ALL) ? *rtcp : *rtp;

	/* at once: through a relay it makes the permission before the
	   peer's media comes; through a NAT it opens the filter and takes
	   the mapping before a peer's early packet can make the router
	   pick another port for us (conntrack clash) */
	if (first)
		send_keepalives(nm);

	if (!tmr_isrunning(&nm->tmr_ka))
		tmr_start(&nm->tmr_ka, nm->ka_ms, ka_handler, nm);
}


/**
 * A hint (alg-hint) found the peer behind our own NAT: the media goes
 * to @p dst on the LAN, not through our public address (the keep-alives
 * still go to the SDP's address, the way back should the LAN path go)
 */
void nat_media_set_direct(struct nat_media *nm, const struct sa *dst)
{
	if (!nm || !dst || !sa_isset(dst, SA_ALL))
		return;

	if (!sa_cmp(&nm->direct, dst, SA_ALL))
		ata_info("nat: media %J goes directly to %J behind our NAT;"
			 " public %J unused", &nm->leg[0].local, dst,
			 &nm->leg[0].pub);
	nm->direct = *dst;
}


/**
 * Which way a call's media goes: `lan` (directly to a peer behind our
 * NAT, a hint's find), `relay` (TURN), `public` (through our public
 * address: the NAT's mapping or the IGD's), `local` (@p nm NULL: no NAT
 * is handled, our own address)
 */
const char *nat_media_path(const struct nat_media *nm)
{
	if (!nm)
		return "local";
	if (sa_isset(&nm->direct, SA_ALL))
		return "lan";

	return nm->leg[0].relayed ? "relay" : "public";
}


static const char *leg_note(const struct nat_media *nm,
			    const struct media_leg *leg)
{
	/* not "(verified)" for an address the media does not use */
	if (sa_isset(&nm->direct, SA_ALL))
		return " (unused)";

	switch (leg->state) {

	case LEG_WAIT:   return " (pending)";
	case LEG_FAILED: return " (failed)";
	case LEG_NONE:   return "";
	default:         break;
	}

	if (leg->relayed)
		return " (relayed)";
	if (nm->method == NAT_METHOD_UPNP)
		return " (mapped)";

	return leg->verified ? " (verified)" : " (mismatch)";
}


/**
 * The traversal modules are about to be unloaded: drop the bindings
 * they made for calls (their destructors are module code). The calls
 * keep the addresses their SDP carries; keep-alives go on.
 */
void nat_media_release(void)
{
	struct le *le;
	size_t i;

	for (le = list_head(&medias); le; le = le->next) {
		struct nat_media *nm = le->data;

		for (i = 0; i < ARRAY_SIZE(nm->leg); i++) {
			nm->leg[i].bind = mem_deref(nm->leg[i].bind);
			if (nm->leg[i].state == LEG_WAIT)
				nm->leg[i].state = LEG_FAILED;
		}
	}
}


/** `rtp_public=LOCAL>PUBLIC` (and rtcp_public, rtp_path) for each
    call's media */
int nat_media_print(struct re_printf *pf)
{
	struct le *le;
	int err = 0;

	for (le = list_head(&medias); le; le = le->next) {
		const struct nat_media *nm = le->data;
		const struct media_leg *rtp = &nm->leg[0];
		const struct media_leg *rtcp = &nm->leg[1];

		err |= re_hprintf(pf, "rtp_public=%J>%J%s\n", &rtp->local,
				  &rtp->pub, leg_note(nm, rtp));
		if (rtcp->us)
			err |= re_hprintf(pf, "rtcp_public=%J>%J%s\n",
					  &rtcp->local, &rtcp->pub,
					  leg_note(nm, rtcp));
		err |= re_hprintf(pf, "rtp_path=%s\n", nat_media_path(nm));
		if (sa_isset(&nm->direct, SA_ALL))
			err |= re_hprintf(pf, "rtp_direct=%J\n",
					  &nm->direct);
	}

	return err;
}
