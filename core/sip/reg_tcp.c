/**
 * @file reg_tcp.c  UDP looks blocked: register over TCP, once and for good
 *
 * Only for an account that named no transport (tp_auto): the STUN
 * verdict or a REGISTER over UDP with no reply at all moves it to TCP.
 * So does a router's SIP ALG that rewrites our SIP over UDP (nat_alg.c,
 * `traversal.sip_alg: bypass`): home routers' ALGs watch UDP port 5060.
 */
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "nat/nat.h"
#include "reg_priv.h"
#include "sip_stack.h"


/* Append ";transport=tcp" to a URI string we own */
static int uri_to_tcp(char **urip)
{
	char *uri = NULL;
	int err;

	if (!*urip)
		return 0;

	err = re_sdprintf(&uri, "%s;transport=tcp", *urip);
	if (err)
		return err;

	mem_deref(*urip);
	*urip = uri;

	return 0;
}


/*
 * The account named no transport and UDP looks blocked (STUN or the
 * REGISTER went unanswered): an ATA is plugged in anywhere, so register
 * over TCP instead, once and for good. Calls follow, as they take the
 * transport from reg_config(). False if we cannot (no TCP listener).
 */
static bool tcp_switch(struct reg *reg, const char *why, bool alg)
{
	int err;

	reg->conf.tp_auto = false;

	if (!sip_stack_laddr(reg->ss, SIP_TRANSP_TCP)) {
		ata_warn("reg: %s: %s, and no TCP to fall back to "
			 "(sip.transports has no tcp)", reg->aor, why);
		return false;
	}

	err = uri_to_tcp(&reg->registrar);
	if (!err)
		err = uri_to_tcp(&reg->proxy);

	/* the old strings are gone even on ENOMEM */
	reg->conf.registrar = reg->registrar;
	reg->conf.outbound_proxy = reg->proxy;
	if (err)
		return false;

	reg->conf.tp = SIP_TRANSP_TCP;

	ata_warn("reg: %s: %s: %s registering over tcp", reg->aor, why,
		 alg ? "the router's SIP ALG rewrites SIP over udp:" :
		 "udp blocked?");
	ata_event(ATA_LOG_WARN, ATA_EVENT_SIP_TRANSPORT,
		  "aor=%s transport=tcp reason=\"%s\"", reg->aor,
		  alg ? "sip alg" : "udp blocked");
	nat_sip_transport_note(alg ? "tcp (sip alg)" : "tcp (udp blocked)");
	if (alg)
		nat_sip_alg_moved();

	return true;
}


bool reg_tcp_switch(struct reg *reg, const char *why)
{
	return tcp_switch(reg, why, false);
}


bool reg_tcp_auto(const struct reg *reg)
{
	return reg->conf.tp_auto && reg->conf.tp == SIP_TRANSP_UDP;
}


/*
 * A REGISTER answer over UDP showed the router's SIP ALG and the policy
 * says go around it: register over TCP at once (the UDP binding is
 * removed as the old registration goes). True if it switched.
 */
bool reg_tcp_alg(struct reg *reg, const struct sip_msg *msg)
{
	if (!msg || msg->tp != SIP_TRANSP_UDP || !reg_tcp_auto(reg) ||
	    !nat_sip_alg_bypass())
		return false;

	if (!tcp_switch(reg, "SIP ALG", true))
		return false;

	reg->reason[0] = '\0';
	reg->sipreg = mem_deref(reg->sipreg);
	tmr_start(&reg->tmr, 0, reg_send_retry, reg);

	return true;
}


/* A REGISTER over UDP got no reply at all: retry over TCP at once */
bool reg_tcp_fallback(struct reg *reg, int err)
{
	size_t n = str_len(reg->reason);

	if (err != ETIMEDOUT || !reg_tcp_auto(reg))
		return false;

	if (!reg_tcp_switch(reg, reg->reason)) {
		(void)re_snprintf(reg->reason + n, sizeof(reg->reason) - n,
				  "; no tcp in sip.transports");
		return false;
	}

	reg->reason[0] = '\0';
	reg->sipreg = mem_deref(reg->sipreg);
	tmr_start(&reg->tmr, 0, reg_send_retry, reg);

	return true;
}
