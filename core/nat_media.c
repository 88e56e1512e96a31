/**
 * @file nat_media.c  A call's RTP and RTCP behind NAT: address, keep-alive
 *
 * The SDP is written as soon as the socket exists, before any STUN
 * answer could arrive, so the public address is predicted: the SIP
 * public IP with the local port (the NAT kept the SIP port, and the
 * policy only gets here for endpoint-independent mappings). A STUN
 * binding on each socket then checks the guess and keeps the mapping
 * towards the STUN server; a STUN Binding Indication to the peer every
 * rtp_keepalive keeps the peer's own mapping open through long ringing
 * and hold, when no RTP flows (RFC 6263; peers drop it as non-RTP).
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "ctrl_proto.h"
#include "nat_int.h"

enum {
	STUN_HDR = 20,
	RTP_KA_DEFAULT_MS = 15000,
};

struct nat_media {
	struct le le;
	struct rtp_sock *rtp;
	struct sa local;
	struct sa predicted;
	struct sa peer_rtp, peer_rtcp;
	void *bind_rtp;
	struct ata_nat_binding b_rtp;
	struct tmr tmr_ka;
	uint32_t ka_ms;
	bool checked;
};

static struct list medias;


static void nat_media_destructor(void *arg)
{
	struct nat_media *nm = arg;

	tmr_cancel(&nm->tmr_ka);
	list_unlink(&nm->le);
	mem_deref(nm->bind_rtp);
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


static void ka_handler(void *arg)
{
	struct nat_media *nm = arg;

	send_indication(rtp_sock(nm->rtp), &nm->peer_rtp);
	if (!sa_cmp(&nm->peer_rtp, &nm->peer_rtcp, SA_ALL))
		send_indication(rtcp_sock(nm->rtp), &nm->peer_rtcp);

	tmr_start(&nm->tmr_ka, nm->ka_ms, ka_handler, nm);
}


static void bind_handler(int err, const struct ata_nat_binding *b,
			 void *arg)
{
	struct nat_media *nm = arg;

	if (err || !b) {
		ata_info("nat: RTP %J: no STUN binding: %m", &nm->local,
			 err);
		return;
	}

	nm->b_rtp = *b;
	nm->checked = true;
	if (!sa_cmp(&b->public, &nm->predicted, SA_ALL)) {
		ata_warn("nat: RTP %J maps to %J, SDP said %J", &nm->local,
			 &b->public, &nm->predicted);
		ata_event(ATA_LOG_WARN, ATA_EVENT_RTP_MISMATCH,
			  "local=%J public=%J sdp=%J", &nm->local,
			  &b->public, &nm->predicted);
	}
}


/**
 * Give @p rtp's socket a public address: @p addr (the local one on
 * entry) becomes what the SDP must carry. *nmp is NULL when no NAT is
 * handled. Returns EINVAL or ENOMEM; a failed STUN check is not an error.
 */
int nat_media_bind(struct nat_media **nmp, struct rtp_sock *rtp,
		   struct sa *addr)
{
	const struct ata_config *cfg = ata_config();
	const struct ata_traversal *stun;
	const struct sa *pub = nat_sip_public();
	struct nat_media *nm;

	if (!nmp || !rtp || !addr)
		return EINVAL;

	*nmp = NULL;
	if (!pub || nat.method == NAT_METHOD_TURN)
		return 0;

	nm = mem_zalloc(sizeof(*nm), nat_media_destructor);
	if (!nm)
		return ENOMEM;

	nm->rtp = mem_ref(rtp);
	nm->local = *addr;
	nm->predicted = *pub;
	sa_set_port(&nm->predicted, sa_port(addr));
	nm->ka_ms = cfg && cfg->traversal.rtp_keepalive_ms ?
		cfg->traversal.rtp_keepalive_ms : RTP_KA_DEFAULT_MS;
	tmr_init(&nm->tmr_ka);
	list_append(&medias, &nm->le, nm);

	stun = nat_module("stun");
	if (nat.method == NAT_METHOD_STUN && stun && stun->bind)
		(void)stun->bind(&nm->bind_rtp, rtp_sock(rtp), addr,
				 cfg ? cfg->traversal.stun.timeout_ms : 2000,
				 bind_handler, nm);

	*addr = nm->predicted;
	*nmp = nm;

	return 0;
}


/** The peer's media addresses are known: keep them reachable */
void nat_media_set_peer(struct nat_media *nm, const struct sa *rtp,
			const struct sa *rtcp)
{
	if (!nm || !rtp || !sa_isset(rtp, SA_ALL))
		return;

	nm->peer_rtp = *rtp;
	nm->peer_rtcp = rtcp && sa_isset(rtcp, SA_ALL) ? *rtcp : *rtp;
	if (!tmr_isrunning(&nm->tmr_ka))
		tmr_start(&nm->tmr_ka, nm->ka_ms, ka_handler, nm);
}


/** `rtp_public=LOCAL>PUBLIC` for each call's media */
int nat_media_print(struct re_printf *pf)
{
	struct le *le;
	int err = 0;

	for (le = list_head(&medias); le; le = le->next) {
		const struct nat_media *nm = le->data;

		err |= re_hprintf(pf, "rtp_public=%J>%J%s\n", &nm->local,
				  &nm->predicted, !nm->checked ? "" :
				  sa_cmp(&nm->b_rtp.public, &nm->predicted,
					 SA_ALL) ? " (verified)" :
				  " (mismatch)");
	}

	return err;
}
