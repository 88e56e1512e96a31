/**
 * @file reg_query.c  What others ask of a registration: state, status
 */
#include <re.h>
#include "reg_priv.h"


const char *reg_state_name(enum reg_state st)
{
	switch (st) {

	case REG_OFF:         return "off";
	case REG_REGISTERING: return "registering";
	case REG_OK:          return "registered";
	case REG_FAILED:      return "failed";
	default:              return "?";
	}
}


enum reg_state reg_state(const struct reg *reg)
{
	return reg ? reg->state : REG_OFF;
}


const char *reg_reason(const struct reg *reg)
{
	return reg && reg->reason[0] ? reg->reason : NULL;
}


uint32_t reg_retry_in(const struct reg *reg)
{
	uint64_t now = tmr_jiffies();

	if (!reg || reg->state != REG_FAILED || reg->retry_at <= now)
		return 0;

	return (uint32_t)((reg->retry_at - now + 999) / 1000);
}


int reg_status(struct re_printf *pf, const struct reg *reg)
{
	int err;

	if (!reg)
		return 0;

	err  = re_hprintf(pf, "aor=%s\nstate=%s\n", reg->aor,
			  reg_state_name(reg->state));
	if (reg->conf.no_register)
		return err | re_hprintf(pf, "reason=no registrar\n");

	err |= re_hprintf(pf, "server=%s\nfailures=%u\n", reg->peer,
			  reg->failures);
	err |= re_hprintf(pf, "transport=%s%s\n", reg_tp_name(reg->conf.tp),
			  reg->conf.tp_auto ? " (auto)" : "");
	if (reg->reason[0])
		err |= re_hprintf(pf, "reason=%s\n", reg->reason);
	if (reg->state == REG_FAILED)
		err |= re_hprintf(pf, "retry_in=%u\n", reg_retry_in(reg));
	/* where the registrar sends our calls (the binding it stored)
	   and our local address beside it; the local one alone, with
	   `contact_from=local`, when its answer listed no binding of
	   ours */
	if (reg->sipreg && reg->state == REG_OK) {
		const struct sa *laddr = sipreg_laddr(reg->sipreg);

		if (reg->contact[0])
			err |= re_hprintf(pf, "contact=%s\n"
					  "contact_local=%J\n",
					  reg->contact, laddr);
		else
			err |= re_hprintf(pf, "contact=%J\n"
					  "contact_from=local\n", laddr);
		err |= re_hprintf(pf, "expires=%u\n",
				  sipreg_proxy_expires(reg->sipreg));
	}

	return err;
}


/**
 * The first hop of this account's requests, as for the last REGISTER:
 * the address /etc/hosts gave it, else the outbound proxy, else the
 * registrar (a SUBSCRIBE to the AOR goes the same way)
 */
const char *reg_route(const struct reg *reg)
{
	if (!reg)
		return NULL;

	return reg->hop.route ? reg->hop.route : reg->fam.route ?
		reg->fam.route : reg_first_hop(reg);
}
