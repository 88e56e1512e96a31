/**
 * @file modules/alg-hint/hint_contact.c  ;srcadr= in our Contact
 *
 * libre builds Contact itself, so a send helper on the SIP socket adds
 * the parameter to each outgoing message (as core/nat/nat_sip.c rewrites
 * the address). The escaped colon keeps the NAT rewrite, which looks
 * for "ip:port", from touching it. Peers ignore unknown URI parameters
 * (RFC 3261 19.1.1), so this is harmless to them.
 */
#include <re.h>
#include "ataua.h"
#include "hint.h"

static struct {
	struct udp_helper *uh;
	struct sa laddr;
	char param[HINT_PARAM_MAX];
	uint64_t added;
} hc;


static bool send_handler(int *err, struct sa *dst, struct mbuf *mb,
			 void *arg)
{
	int e;

	(void)dst;
	(void)arg;

	e = hint_contact_insert(mb, hc.param);
	if (!e)
		++hc.added;
	else if (e != ENOENT)
		*err = e;

	return false;
}


/** Watch the SIP socket @p us (NULL: stop) */
void hint_contact_socket(struct udp_sock *us, const struct sa *laddr)
{
	int err;

	hc.uh = mem_deref(hc.uh);
	hc.param[0] = '\0';
	if (!us || !laddr)
		return;

	err = hint_srcadr_print(hc.param, sizeof(hc.param), laddr);
	if (!err)
		/* send side only: libre passes what we receive on */
		err = udp_register_helper(&hc.uh, us,
					  ATA_UDP_LAYER_HINT_CONTACT,
					  send_handler, NULL, NULL);
	if (err) {
		ata_warn("alg-hint: no Contact hint: %m", err);
		hc.param[0] = '\0';
		return;
	}

	hc.laddr = *laddr;
}


int hint_contact_print(struct re_printf *pf)
{
	return re_hprintf(pf, "contact_param=%s\ncontact_hinted=%llu\n",
			  hc.param[0] ? hc.param + 1 : "none",
			  (unsigned long long)hc.added);
}
