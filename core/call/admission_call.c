/**
 * @file admission_call.c  The daemon's bandwidth ledger: reservations that
 *                         calls hold, BANDWIDTH-* events, `bandwidth`
 *
 * A call reserves its need when it is decided on (an incoming INVITE
 * before we ring, an outgoing one before it is sent) and gives it back
 * when it ends (mem_deref of the slot). Capacity is read from the config
 * in force at each decision, so a reload applies to the next call.
 */
#include <re.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "admission.h"
#include "base/ctrl_proto.h"
#include "nat/nat_int.h"

struct adm_slot {
	struct admission_need need;
};

static struct adm_ledger ledger;
static char last_reason[96];


static void refresh_capacity(void)
{
	const struct ata_config *cfg = ata_config();

	if (cfg)
		admission_set_capacity(&ledger, cfg->bandwidth.uplink_kbps,
				       cfg->bandwidth.downlink_kbps);
	else
		admission_set_capacity(&ledger, 0, 0);
}


static uint64_t free_bps(uint64_t cap, uint64_t used)
{
	return used < cap ? cap - used : 0;
}


static void slot_destructor(void *arg)
{
	struct adm_slot *s = arg;

	refresh_capacity();
	if (!admission_release(&ledger, &s->need))
		return;

	ata_event(ATA_LOG_NOTICE, ATA_EVENT_BW_AVAILABLE,
		  "uplink_free=%u downlink_free=%u calls=%u",
		  ledger.cap_up ? admission_kbps(free_bps(ledger.cap_up,
						    ledger.used_up)) : 0,
		  ledger.cap_down ? admission_kbps(free_bps(ledger.cap_down,
						      ledger.used_down)) : 0,
		  ledger.calls);
}


/**
 * Reserve bandwidth for a call with media @p m. ENOSPC when it does not
 * fit: admission_reason() says why, a BANDWIDTH-REFUSED event tells the
 * control clients. A TURN relay in the path adds ChannelData framing.
 */
int admission_reserve(struct adm_slot **sp, const struct adm_media *m)
{
	struct adm_media am;
	struct adm_slot *s;
	struct admission_need need;
	int err;

	if (!sp || !m)
		return EINVAL;

	am = *m;
	if (nat.method == NAT_METHOD_TURN && am.relay == ADM_RELAY_NONE)
		am.relay = ADM_RELAY_CHANNEL;

	err = admission_need(&need, &am);
	if (err)
		return err;

	refresh_capacity();
	err = admission_admit(&ledger, &need, last_reason,
			      sizeof(last_reason));
	if (err == ENOSPC) {
		ata_info("admission: call refused: %s", last_reason);
		ata_event(ATA_LOG_NOTICE, ATA_EVENT_BW_REFUSED,
			  "reason=\"%s\"", last_reason);
		return err;
	}
	if (err)
		return err;

	s = mem_zalloc(sizeof(*s), slot_destructor);
	if (!s) {
		(void)admission_release(&ledger, &need);
		return ENOMEM;
	}

	s->need = need;
	*sp = s;

	return 0;
}


/** The call's media were agreed: account for what it really sends */
void admission_update(struct adm_slot *s, const struct adm_media *m)
{
	struct adm_media am;
	struct admission_need need;

	if (!s || !m)
		return;

	am = *m;
	if (nat.method == NAT_METHOD_TURN && am.relay == ADM_RELAY_NONE)
		am.relay = ADM_RELAY_CHANNEL;

	if (admission_need(&need, &am) || (need.up_bps == s->need.up_bps &&
				     need.down_bps == s->need.down_bps))
		return;

	admission_adjust(&ledger, &s->need, &need);
	s->need = need;
}


/** Why the last call was refused ("" before any refusal) */
const char *admission_reason(void)
{
	return last_reason;
}


/** `bandwidth` lines: capacity (0 = unlimited), in use, calls, refusals */
int admission_print(struct re_printf *pf)
{
	int err;

	refresh_capacity();
	err  = re_hprintf(pf, "uplink_kbps=%u\n",
			  admission_kbps(ledger.cap_up));
	err |= re_hprintf(pf, "uplink_used_kbps=%u\n",
			  admission_kbps(ledger.used_up));
	err |= re_hprintf(pf, "downlink_kbps=%u\n",
			  admission_kbps(ledger.cap_down));
	err |= re_hprintf(pf, "downlink_used_kbps=%u\n",
			  admission_kbps(ledger.used_down));
	err |= re_hprintf(pf, "admitted_calls=%u\n", ledger.calls);
	err |= re_hprintf(pf, "refused_calls=%u\n", ledger.refusals);
	if (last_reason[0])
		err |= re_hprintf(pf, "last_refusal=%s\n", last_reason);

	return err;
}


static int cmd_bandwidth(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	if (pl_isset(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: bandwidth");

	return admission_print(pf);
}


static const struct ata_cmd admission_cmdv[] = {
	{ATA_VERB_BANDWIDTH, cmd_bandwidth},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *admission_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(admission_cmdv);
	return admission_cmdv;
}
