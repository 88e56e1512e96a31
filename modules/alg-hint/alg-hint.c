/**
 * @file modules/alg-hint/alg-hint.c  private-address hints for same-NAT
 *                                   calls
 *
 * Two phones behind one NAT that does not hairpin cannot reach each
 * other's public address. Each advertises its private address: in the
 * Contact URI (;srcadr=, hint_contact.c) and in SDP (a=x-private:PRIVATE
 * PUBLIC, hint_check.c). A phone that sees the peer's public address
 * equal to its own checks the private ones with STUN and sends media to
 * the first that answers (an ICE-like check that needs no ICE support in
 * proxies or PBXs).
 *
 * Identities: the socket's local address, the inner router's address
 * on a middle network when alg_hint.tier_stun names a STUN server there
 * (nested NATs, hint_tier.c), each paired with the public address the
 * NAT policy put in the SDP (STUN/UPnP/registrar): one a=x-private per
 * identity. The srcadr parameter is
 * written for proxies and diagnostics; signalling itself keeps going
 * through the registrar, which every phone can reach through its NAT.
 */
#include <re.h>
#include "ataua.h"
#include "hint.h"

enum {
	CHECK_TIMEOUT_DEFAULT_MS = 500,
};


static uint32_t check_timeout(void)
{
	const struct ata_conf_alg_hint *hc = ata_conf_alg_hint();

	return hc && hc->check_timeout_ms ?
		hc->check_timeout_ms : CHECK_TIMEOUT_DEFAULT_MS;
}


static int alg_hint_status(struct re_printf *pf)
{
	const struct ata_conf_alg_hint *hc = ata_conf_alg_hint();
	int err;

	err  = re_hprintf(pf, "state=%s\ncheck_timeout_ms=%u\n",
			  !hc || hc->enabled ? "on" : "off",
			  check_timeout());
	err |= hint_contact_print(pf);
	err |= hint_tier_print(pf);
	err |= hint_calls_print(pf);

	return err;
}


static void alg_hint_sip_socket(struct udp_sock *us, const struct sa *laddr)
{
	hint_contact_socket(us, laddr);
	hint_tier_socket(us, laddr);
}


static int alg_hint_media_alloc(void **statep, struct udp_sock *us,
				const struct sa *laddr, const struct sa *pub,
				struct sdp_media *m)
{
	struct hint_call *hc = NULL;
	int err;

	err = hint_call_alloc(&hc, us, laddr, pub, check_timeout());
	if (err)
		return err;

	err = hint_call_sdp(hc, m);
	if (err) {
		mem_deref(hc);
		return err;
	}

	*statep = hc;

	return 0;
}


static void alg_hint_media_remote(void *state, const struct sdp_media *m,
				  const struct sa *dst, ata_hint_dst_h *h,
				  void *arg)
{
	hint_call_remote(state, m, dst, h, arg);
}


static int cmd_alg_hint(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;

	return alg_hint_status(pf);
}


static const struct ata_cmd alg_hint_cmdv[] = {
	{ATA_VERB_ALG_HINT, cmd_alg_hint},
};


static struct ata_hint alg_hint_ops = {
	.version      = ATA_HINT_VERSION,
	.name         = "alg-hint",
	.status       = alg_hint_status,
	.sip_socket   = alg_hint_sip_socket,
	.media_alloc  = alg_hint_media_alloc,
	.media_remote = alg_hint_media_remote,
};


static int module_init(void)
{
	int err;

	err = ata_hint_register(&alg_hint_ops);
	if (!err)
		err = ata_cmd_register(alg_hint_cmdv,
				       ARRAY_SIZE(alg_hint_cmdv), NULL);

	return err;
}


static int module_close(void)
{
	ata_cmd_unregister(alg_hint_cmdv);
	/* the core forgets our call states first; then they are ours */
	ata_hint_unregister(&alg_hint_ops);
	hint_calls_flush();
	hint_contact_socket(NULL, NULL);
	hint_tier_socket(NULL, NULL);
	return 0;
}


ATA_MODULE("alg-hint", "hint", module_init, module_close);
