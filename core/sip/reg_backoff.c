/**
 * @file reg_backoff.c  A failed REGISTER: its words, and the wait
 *
 * Every failure, DNS or not, counts and backs off (capped at 30 min,
 * jittered) so that a wrong password or a dead registrar is not
 * hammered; with no name server, the retry comes as soon as resolv.conf
 * names one. UDP with no reply falls back to TCP first (reg_tcp.c).
 */
#include <re.h>
#include "ataua.h"
#include "nat/nat.h"
#include "reg_priv.h"
#include "sip_stack.h"


/**
 * Seconds to wait after the @p failures-th failure in a row: 30, 60,
 * 120 ... capped at 1800, minus up to a quarter of jitter from @p rnd so
 * that many ATAs rebooted together do not retry in lockstep.
 */
uint32_t reg_backoff(unsigned failures, uint32_t rnd)
{
	uint32_t nominal;
	unsigned shift;

	if (!failures)
		return 0;

	shift = failures - 1;
	if (shift > BACKOFF_SHIFT_MAX)
		shift = BACKOFF_SHIFT_MAX;

	nominal = REG_BACKOFF_BASE_S << shift;
	if (nominal > REG_BACKOFF_MAX_S)
		nominal = REG_BACKOFF_MAX_S;

	return nominal - rnd % (nominal / 4 + 1);
}


static void describe_failure(struct reg *reg, int err,
			     const struct sip_msg *msg)
{
	char *r = reg->reason;
	size_t sz = sizeof(reg->reason);

	if (reg->hop.fail.fault)
		sip_hop_describe(&reg->hop, r, sz, reg_first_hop(reg));
	else if (msg && msg->scode >= 300) {
		bool creds = reg->auth_sent &&
			(msg->scode == 401 || msg->scode == 407);

		(void)re_snprintf(r, sz, "%u %r%s", msg->scode, &msg->reason,
				  creds ? ": wrong password?" : "");
	}
	else if (err == ETIMEDOUT)
		(void)re_snprintf(r, sz, "timeout: no reply from %s over %s",
				  reg->peer, reg_tp_name(reg->conf.tp));
	else if (err == ETIME)
		(void)re_snprintf(r, sz, "timeout: no answer in %u s (looking "
				  "up %s, or the registrar)",
				  ANSWER_GUARD_MS / 1000, reg->peer);
	else if (err == ENOENT || err == EBADMSG || err == ENODATA)
		(void)re_snprintf(r, sz, "DNS: %s: %m", reg->peer, err);
	else
		(void)re_snprintf(r, sz, "%s: %m", reg->peer,
				  err ? err : EPROTO);
}


/* No name server: the retry comes as soon as resolv.conf names one
   (written by a DHCP client after we started), not at the backoff's end */
static void dns_wait_handler(void *arg)
{
	struct reg *reg = arg;

	if (sip_stack_dns_check(reg->ss, reg_first_hop(reg)) ==
	    RESOLVER_NO_SERVER) {
		tmr_start(&reg->tmr_dns, DNS_WAIT_MS, dns_wait_handler, reg);
		return;
	}

	ata_info("reg: %s: resolv.conf names a name server now",
		 reg->aor);
	tmr_start(&reg->tmr, 0, reg_send_retry, reg);
}


/* Every failure, DNS or not, counts and backs off (capped, jittered) */
void reg_backoff_fail(struct reg *reg, int err, const struct sip_msg *msg)
{
	uint32_t wait;

	tmr_cancel(&reg->tmr_guard);
	reg->hop.probe = mem_deref(reg->hop.probe);
	(void)sip_hop_failed(&reg->hop, err, msg);
	describe_failure(reg, err, msg);
	if (reg->hop.fail.fault)
		nat_reg_dns_observe(reg->hop.fail.fault);
	reg_lookup_over(reg);
	if (!reg->hop.fail.fault && reg_tcp_fallback(reg, err))
		return;

	++reg->failures;
	wait = reg_backoff(reg->failures, rand_u32());
	reg->retry_at = tmr_jiffies() + (uint64_t)wait * 1000;
	tmr_start(&reg->tmr, (uint64_t)wait * 1000, reg_send_retry, reg);
	if (reg->hop.fail.fault == RESOLVER_NO_SERVER)
		tmr_start(&reg->tmr_dns, DNS_WAIT_MS, dns_wait_handler, reg);

	/* sipreg would retry on its own schedule: ours replaces it */
	reg->sipreg = mem_deref(reg->sipreg);

	ata_warn("reg: %s: %s (retry in %u s)", reg->aor, reg->reason, wait);
	reg_set_state(reg, REG_FAILED, true);
}
