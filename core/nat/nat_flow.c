/**
 * @file nat_flow.c  Keep a SIP flow over TCP/TLS open (RFC 5626 CRLF)
 *
 * When UDP is blocked, SIP runs over TCP or TLS and inbound requests
 * come back on the connection we opened: the registrar reuses it (the
 * flow), so the NAT's TCP mapping must outlive any silence. After a
 * REGISTER over TCP/TLS succeeds, libre's sip_keepalive sends a
 * double-CRLF ping on that connection every interval (the SIP
 * keep-alive of the policy) and expects the single-CRLF pong within
 * 10 s (RFC 5626 section 4.4.1); no pong closes the connection, which
 * the next REGISTER opens again.
 */
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "nat_int.h"

enum {
	FLOW_KA_DEFAULT_S = 25,
};

static struct {
	struct sip_keepalive *ka;
	struct sa dst;
	enum sip_transp tp;
	uint32_t interval_s;
	uint32_t failures;
	bool failed;
	char tp_note[32];           /* "tcp (udp blocked)", or "" */
} flow;


static const char *tp_name(enum sip_transp tp)
{
	return tp == SIP_TRANSP_TLS ? "tls" : tp == SIP_TRANSP_TCP ? "tcp" :
		"udp";
}


static void ka_handler(int err, void *arg)
{
	(void)arg;

	++flow.failures;
	flow.failed = true;
	ata_warn("nat: SIP %s flow to %J: keep-alive failed: %m",
		 tp_name(flow.tp), &flow.dst, err);
	ata_event(ATA_LOG_WARN, ATA_EVENT_KA_FAILED,
		  "module=sip-%s dst=%J err=%s", tp_name(flow.tp),
		  &flow.dst, ata_errname(err));
}


static uint32_t flow_interval_s(void)
{
	const struct ata_config *cfg = ata_config();
	uint32_t ms = nat_keepalive_interval(cfg ?
					     cfg->traversal.stun.keepalive_ms
					     : 0, nat.lifetime_s);

	return ms >= 1000 ? ms / 1000 : FLOW_KA_DEFAULT_S;
}


/**
 * A response to our REGISTER: over TCP/TLS and successful, keep its
 * connection alive (once per flow; a new connection gets a new one).
 */
void nat_flow_observe(struct sip *sip, const struct sip_msg *msg)
{
	int err;

	if (!sip || !msg || msg->tp == SIP_TRANSP_UDP ||
	    msg->scode < 200 || msg->scode >= 300)
		return;

	if (flow.ka && !flow.failed && flow.tp == msg->tp &&
	    sa_cmp(&flow.dst, &msg->src, SA_ALL))
		return;

	flow.ka = mem_deref(flow.ka);
	flow.dst = msg->src;
	flow.tp = msg->tp;
	flow.failed = false;
	flow.interval_s = flow_interval_s();
	err = sip_keepalive_start(&flow.ka, sip, msg, flow.interval_s,
				  ka_handler, NULL);
	if (err) {
		ata_warn("nat: SIP %s flow to %J: no keep-alive: %m",
			 tp_name(msg->tp), &msg->src, err);
		return;
	}

	ata_info("nat: SIP %s flow to %J: CRLF keep-alive every %u s",
		 tp_name(msg->tp), &msg->src, flow.interval_s);
}


void nat_sip_transport_note(const char *note)
{
	str_ncpy(flow.tp_note, note, sizeof(flow.tp_note));
}


/** `sip_flow=...` for `atactl nat`, nothing without a TCP/TLS flow */
int nat_flow_print(struct re_printf *pf)
{
	if (flow.tp_note[0] &&
	    re_hprintf(pf, "sip_transport=%s\n", flow.tp_note))
		return ENOMEM;

	if (!flow.ka)
		return 0;

	return re_hprintf(pf, "sip_flow=%s %J keepalive=crlf interval=%u "
			  "state=%s failures=%u\n", tp_name(flow.tp),
			  &flow.dst, flow.interval_s,
			  flow.failed ? "failed" : "ok", flow.failures);
}


void nat_flow_close(void)
{
	flow.ka = mem_deref(flow.ka);
	flow.failures = 0;
	flow.failed = false;
}
