/**
 * @file modules/alg-hint/hint_tier.c  The middle tier of nested NATs
 *
 * Behind two NATs (a home router inside a carrier's or an office's
 * NAT), STUN on the public side only shows the outermost address, and
 * the local address is unreachable from the other inner networks. What
 * a phone behind a sibling inner NAT can reach is our inner router's
 * address on the middle network. The only one who can tell us that
 * address is a server on that network: alg_hint.tier_stun, a STUN server
 * inside the outer NAT (the carrier's or the office's). A Binding from
 * the SIP socket gives the inner router's address; RTP sockets are then
 * assumed to map to that address with their own port (port-preserving
 * inner NAT, as nat_media.c assumes for the outer one); the check on
 * the call proves or disproves it.
 */
#include <re.h>
#include "ataua.h"
#include "hint.h"

enum {
	HELPER_LAYER = ATA_UDP_LAYER_HINT_TIER,
	RETRY_MS = 10000,
};

static struct {
	struct udp_sock *us;
	struct udp_helper *uh;
	struct stun *stun;
	struct stun_ctrans *ct;
	struct sa server;
	struct sa mapped;
	struct tmr tmr;
	int err;
} tier;


static void request(void);


static void retry_handler(void *arg)
{
	(void)arg;
	request();
}


static void resp_handler(int err, uint16_t scode, const char *reason,
			 const struct stun_msg *msg, void *arg)
{
	struct stun_attr *attr;

	(void)reason;
	(void)arg;

	attr = NULL;
	if (!err && !scode)
		attr = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
	if (!attr) {
		tier.err = err ? err : EPROTO;
		ata_info("alg-hint: tier STUN %J: %m", &tier.server,
			 tier.err);
		tmr_start(&tier.tmr, RETRY_MS, retry_handler, NULL);
		return;
	}

	tier.err = 0;
	if (!sa_cmp(&tier.mapped, &attr->v.xor_mapped_addr, SA_ALL))
		ata_info("alg-hint: inner tier address %J (from %J)",
			 &attr->v.xor_mapped_addr, &tier.server);
	tier.mapped = attr->v.xor_mapped_addr;
}


static void request(void)
{
	int err;

	if (!tier.us || tier.ct)
		return;

	err = stun_request(&tier.ct, tier.stun, IPPROTO_UDP, tier.us,
			   &tier.server, 0, STUN_METHOD_BINDING, NULL, 0,
			   false, resp_handler, NULL, 0);
	if (err) {
		tier.err = err;
		tmr_start(&tier.tmr, RETRY_MS, retry_handler, NULL);
	}
}


/* A STUN message from the tier server (hint_stun_recv) */
static bool stun_h(const struct sa *src, struct stun_msg *msg,
		   struct stun_unknown_attr *ua, void *arg)
{
	(void)src;
	(void)arg;

	return !stun_ctrans_recv(tier.stun, msg, ua);
}


static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
	if (!sa_cmp(src, &tier.server, SA_ALL))
		return false;

	return hint_stun_recv(src, mb, stun_h, arg);
}


/** Learn the middle tier on the SIP socket @p us (NULL: stop) */
void hint_tier_socket(struct udp_sock *us, const struct sa *laddr)
{
	const struct ata_conf_alg_hint *hc = ata_conf_alg_hint();
	int err;

	(void)laddr;

	tmr_cancel(&tier.tmr);
	tier.ct = mem_deref(tier.ct);
	tier.uh = mem_deref(tier.uh);
	tier.stun = mem_deref(tier.stun);
	tier.us = NULL;
	sa_init(&tier.mapped, AF_UNSPEC);
	tier.err = 0;

	if (!us || !hc || !sa_isset(&hc->tier_stun, SA_ALL))
		return;

	tier.server = hc->tier_stun;
	err = stun_alloc(&tier.stun, NULL, NULL, NULL);
	if (!err)
		err = udp_register_helper(&tier.uh, us, HELPER_LAYER,
					  NULL, recv_handler, NULL);
	if (err) {
		ata_warn("alg-hint: tier STUN: %m", err);
		tier.stun = mem_deref(tier.stun);
		return;
	}

	tier.us = us;
	request();
}


/** The inner router's address on the middle network, NULL if unknown */
const struct sa *hint_tier_addr(void)
{
	return sa_isset(&tier.mapped, SA_ADDR) ? &tier.mapped : NULL;
}


int hint_tier_print(struct re_printf *pf)
{
	if (!sa_isset(&tier.server, SA_ALL))
		return re_hprintf(pf, "tier=none\n");

	if (!hint_tier_addr())
		return re_hprintf(pf, "tier=pending server=%J err=%m\n",
				  &tier.server, tier.err);

	return re_hprintf(pf, "tier=%j server=%J\n", &tier.mapped,
			  &tier.server);
}
