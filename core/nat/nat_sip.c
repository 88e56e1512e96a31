/**
 * @file nat_sip.c  Public address in outgoing SIP; keep the SIP mapping
 *
 * libre 1.1.0 builds Via and Contact from the socket's own address and
 * has no hook to change them, so a UDP send helper on the SIP socket
 * rewrites our local "ip:port" to the public one in those header lines
 * (nat_rewrite.c). A CRLF-CRLF every interval to the registrar (RFC
 * 5626 3.5.1 style) keeps the NAT mapping open so the registrar can
 * still reach us with INVITEs. The interval counts from the last packet
 * we sent to the registrar (a REGISTER refreshes the mapping as well),
 * so the first keep-alive is due one interval after the REGISTER, and
 * a new interval (measured lifetime, later findings) does not restart
 * the count.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "nat.h"

struct nat_sip {
	struct udp_helper *uh;
	struct udp_sock *us;
	struct sa laddr;
	struct sa pub;
	struct reg_sent {       /**< recent REGISTERs: their Via      */
		char branch[64];
		struct sa sentby;
	} regv[8];
	unsigned regi;
	struct sa ka_dst;
	struct tmr tmr_ka;
	uint32_t ka_ms;
	uint64_t ka_last;      /* last send to ka_dst (jiffies)   */
	struct sa last_dst;    /* the last send's destination ... */
	uint64_t last;         /* ... and when                    */
};


static void nat_sip_destructor(void *arg)
{
	struct nat_sip *ns = arg;

	tmr_cancel(&ns->tmr_ka);
	mem_deref(ns->uh);
	mem_deref(ns->us);
}


/* A REGISTER goes out: keep its Via branch and the sent-by it carries
   (ours, or the public address the rewrite below puts in) */
static void remember_register(struct nat_sip *ns, struct mbuf *mb)
{
	struct reg_sent *r = &ns->regv[ns->regi % ARRAY_SIZE(ns->regv)];
	struct sip_msg *msg = NULL;
	size_t pos = mb->pos;

	if (sip_msg_decode(&msg, mb) || !pl_isset(&msg->via.branch) ||
	    msg->via.branch.l >= sizeof(r->branch))
		goto out;

	(void)pl_strcpy(&msg->via.branch, r->branch, sizeof(r->branch));
	r->sentby = sa_isset(&ns->pub, SA_ALL) ? ns->pub : ns->laddr;
	++ns->regi;

 out:
	mem_deref(msg);
	mb->pos = pos;
}


static bool send_handler(int *err, struct sa *dst, struct mbuf *mb,
			 void *arg)
{
	struct nat_sip *ns = arg;
	int e;

	ns->last_dst = *dst;
	ns->last = tmr_jiffies();
	if (sa_cmp(dst, &ns->ka_dst, SA_ALL))
		ns->ka_last = ns->last;

	/* what a SIP ALG may change on the way (nat_alg.c compares) */
	if (mbuf_get_left(mb) > 9 &&
	    !memcmp(mbuf_buf(mb), "REGISTER ", 9))
		remember_register(ns, mb);

	if (!sa_isset(&ns->pub, SA_ALL))
		return false;

	e = nat_sip_rewrite(mb, &ns->laddr, &ns->pub);
	if (e && e != ENOENT)
		*err = e;

	return false;
}


/* Due one interval after the last send to the registrar */
static void ka_arm(struct nat_sip *ns);


static void ka_handler(void *arg)
{
	static const uint8_t crlf2[4] = {'\r', '\n', '\r', '\n'};
	struct nat_sip *ns = arg;
	struct mbuf mb;
	int err;

	if (tmr_jiffies() < ns->ka_last + ns->ka_ms) {
		ka_arm(ns);   /* SIP went out meanwhile */
		return;
	}

	mb.buf = (uint8_t *)crlf2;
	mb.size = sizeof(crlf2);
	mb.pos = 0;
	mb.end = sizeof(crlf2);

	err = udp_send(ns->us, &ns->ka_dst, &mb);
	if (err)
		ata_debug("nat: SIP keep-alive to %J: %m", &ns->ka_dst, err);

	ns->ka_last = tmr_jiffies();
	ka_arm(ns);
}


static void ka_arm(struct nat_sip *ns)
{
	uint64_t now = tmr_jiffies(), due = ns->ka_last + ns->ka_ms;

	tmr_start(&ns->tmr_ka, due > now ? due - now : 0, ka_handler, ns);
}


/** Watch the SIP socket @p us bound to @p laddr. EINVAL, ENOMEM. */
int nat_sip_alloc(struct nat_sip **nsp, struct udp_sock *us,
		  const struct sa *laddr)
{
	struct nat_sip *ns;
	int err;

	if (!nsp || !us || !laddr)
		return EINVAL;

	ns = mem_zalloc(sizeof(*ns), nat_sip_destructor);
	if (!ns)
		return ENOMEM;

	ns->us = mem_ref(us);
	ns->laddr = *laddr;
	tmr_init(&ns->tmr_ka);

	/* send side only: libre passes what we receive on by itself */
	err = udp_register_helper(&ns->uh, us, ATA_UDP_LAYER_NAT_SIP,
				  send_handler, NULL, ns);
	if (err)
		mem_deref(ns);
	else
		*nsp = ns;

	return err;
}


/** Use @p pub in Via/Contact from now on (NULL: our own address) */
void nat_sip_set_public(struct nat_sip *ns, const struct sa *pub)
{
	if (!ns)
		return;

	if (pub && !sa_cmp(pub, &ns->laddr, SA_ALL))
		ns->pub = *pub;
	else
		sa_init(&ns->pub, AF_UNSPEC);
}


/** The Via sent-by of our REGISTER with Via @p branch; false: unknown */
bool nat_sip_reg_sent(const struct nat_sip *ns, const struct pl *branch,
		      struct sa *sent)
{
	size_t i;

	if (!ns || !branch || !sent || !pl_isset(branch))
		return false;

	for (i = 0; i < ARRAY_SIZE(ns->regv); i++) {
		const struct reg_sent *r = &ns->regv[i];

		if (r->branch[0] && !pl_strcmp(branch, r->branch)) {
			*sent = r->sentby;
			return true;
		}
	}

	return false;
}


/** CRLF keep-alives to @p dst every @p interval_ms (0 or NULL: off) */
void nat_sip_set_keepalive(struct nat_sip *ns, const struct sa *dst,
			   uint32_t interval_ms)
{
	if (!ns)
		return;

	if (!dst || !sa_isset(dst, SA_ALL) || !interval_ms) {
		tmr_cancel(&ns->tmr_ka);
		sa_init(&ns->ka_dst, AF_UNSPEC);
		return;
	}

	/* a new destination: its flow's last packet, if that was ours */
	if (!tmr_isrunning(&ns->tmr_ka) ||
	    !sa_cmp(dst, &ns->ka_dst, SA_ALL)) {
		ns->ka_dst = *dst;
		ns->ka_last = sa_cmp(dst, &ns->last_dst, SA_ALL) ?
			ns->last : tmr_jiffies();
	}

	ns->ka_ms = interval_ms;
	ka_arm(ns);
}
