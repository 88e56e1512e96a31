/**
 * @file sip_stack_self.c  Our own OPTIONS: the SIP UDP socket found
 *
 * libre 1.1.0 never hands out the SIP UDP socket, which the NAT policy
 * must bind and the SIP version check (sip_version.c) must read; a
 * request to ourselves arrives with it in msg->sock.
 */
#include <re.h>
#include "ataua.h"
#include "mod/hint.h"
#include "nat/nat.h"
#include "sip_stack_priv.h"
#include "sip_version.h"


/* A request of another SIP version (sip_version.c): 505 to a source we
   answer at all; never an ACK (RFC 3261 17.2.1) */
static void version_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;

	if (!sip_stack_trust_ok(ss, msg)) {
		sip_stack_trust_drop(ss, msg);
		return;
	}

	if (!pl_strcmp(&msg->met, "ACK"))
		return;

	ata_info("sip: %r from %J refused: 505 SIP version not 2.0",
		 &msg->met, &msg->src);
	(void)sip_reply(ss->sip, msg, 505, "Version Not Supported");
}


/* Our own probe (probe_self): hand the UDP socket to the NAT policy and
   to the version check */
bool sip_stack_self_seen(struct sip_stack *ss, const struct sip_msg *msg)
{
	if (ss->nat_started || msg->tp != SIP_TRANSP_UDP ||
	    !sa_cmp(&msg->src, &ss->laddr[SIP_TRANSP_UDP], SA_ALL) ||
	    pl_strcmp(&msg->met, "OPTIONS"))
		return false;

	ss->nat_started = true;
	nat_sip_start(msg->sock, &ss->laddr[SIP_TRANSP_UDP]);
	hint_sip_socket(msg->sock, &ss->laddr[SIP_TRANSP_UDP]);
	if (sip_version_alloc(&ss->ver, msg->sock,
			      &ss->laddr[SIP_TRANSP_UDP], version_handler, ss))
		ata_warn("sip: no 505 for other SIP versions (no memory)");
	else
		ata_debug("sip: UDP requests of other SIP versions get 505");

	return true;
}


static void probe_resp_handler(int err, const struct sip_msg *msg,
			       void *arg)
{
	(void)err;
	(void)msg;
	(void)arg;
}


/* libre 1.1.0 never hands out the SIP UDP socket, which the NAT policy
   must bind; a request to ourselves arrives with it in msg->sock. */
int sip_stack_self_probe(struct sip_stack *ss)
{
	const struct sa *la = &ss->laddr[SIP_TRANSP_UDP];
	char uri[80];

	if (!sa_isset(la, SA_ALL) ||
	    re_snprintf(uri, sizeof(uri), "sip:probe@%J", la) < 0)
		return EINVAL;

	return sip_requestf(NULL, ss->sip, false, "OPTIONS", uri, NULL,
			    NULL, NULL, probe_resp_handler, ss,
			    "To: <%s>\r\n"
			    "From: <%s>;tag=%x\r\n"
			    "Call-ID: %x\r\n"
			    "CSeq: 1 OPTIONS\r\n"
			    "Max-Forwards: 1\r\n"
			    "Content-Length: 0\r\n\r\n",
			    uri, uri, rand_u32(), rand_u32());
}
