/**
 * @file mwi.c  SUBSCRIBE to message-summary; NOTIFYs to the handler
 *
 * folder core/sip/: SIP signalling below the call: the stack (its
 * sockets, TLS, which requests it trusts, the 505 check), the first
 * hop's name lookup, REGISTER and the message-waiting subscription.
 * Requests that start a call or belong to one go up through handlers
 * the call layer registers; NOTIFYs through handlers too.
 *
 * The subscription starts when the account is first registered
 * (mwi_registered: a SUBSCRIBE before the REGISTER is refused by many
 * servers), to the AOR with the REGISTER's route and credentials, and
 * libre's sipsub refreshes it before it expires. When it ends, a
 * notifier that ended it (timeout, deactivated) gets a new SUBSCRIBE at
 * once; any other failure (489 Bad Event, 403, no answer) waits as a
 * failed REGISTER does (reg_backoff: 30 s doubling to 30 min). The
 * account's unsolicited NOTIFYs come through sip_stack_notify_alloc.
 * Dropping the mwi ends both (a reload drops the line and its account).
 */
#include <re.h>
#include "ataua.h"
#include "mwi.h"
#include "reg.h"
#include "sip_stack.h"

#define MWI_EVENT "message-summary"

struct mwi {
	struct sip_stack *ss;
	struct reg *reg;
	struct sipsub *sub;
	struct sip_stack_notify *unsol;
	struct tmr tmr;
	mwi_h *h;
	void *arg;
	unsigned failures;
	bool started;
	bool active;             /* a NOTIFY came in the subscription */
};


static void mwi_destructor(void *arg)
{
	struct mwi *mwi = arg;

	tmr_cancel(&mwi->tmr);
	mem_deref(mwi->sub);     /* un-SUBSCRIBEs */
	mem_deref(mwi->unsol);
	mem_deref(mwi->reg);
	mem_deref(mwi->ss);
}


static int auth_handler(char **user, char **pass, const char *realm,
			void *arg)
{
	const struct reg_conf *rc = reg_config(((struct mwi *)arg)->reg);
	int err;
	(void)realm;

	if (!rc->password)
		return EAUTH;

	err  = str_dup(user, rc->auth_user ? rc->auth_user :
		       reg_user(((struct mwi *)arg)->reg));
	err |= str_dup(pass, rc->password);

	return err;
}


/* Parse and hand up; false if the body is no message summary */
static bool summary_up(struct mwi *mwi, const struct sip_msg *msg)
{
	struct mwi_sum sum;

	if (mwi_body_parse(&sum, (const char *)mbuf_buf(msg->mb),
			   mbuf_get_left(msg->mb))) {
		ata_info("mwi: %s: NOTIFY from %J without a message "
			 "summary", reg_config(mwi->reg)->aor, &msg->src);
		return false;
	}

	ata_debug("mwi: %s: waiting=%s new=%u old=%u",
		  reg_config(mwi->reg)->aor, sum.waiting ? "yes" : "no",
		  sum.new_msgs, sum.old_msgs);
	if (mwi->h)
		mwi->h(&sum, mwi->arg);

	return true;
}


static void notify_handler(struct sip *sip, const struct sip_msg *msg,
			   void *arg)
{
	struct mwi *mwi = arg;

	if (!mwi->active)
		ata_info("mwi: %s: subscribed (NOTIFY from %J)",
			 reg_config(mwi->reg)->aor, &msg->src);
	mwi->failures = 0;
	mwi->active = true;
	/* the subscription stays: a bad body is not worth ending it */
	(void)sip_treply(NULL, sip, msg, 200, "OK");
	if (mbuf_get_left(msg->mb))
		(void)summary_up(mwi, msg);
}


/* No subscription: a NOTIFY to our user from a trusted source */
static void unsolicited_handler(const struct sip_msg *msg, void *arg)
{
	struct mwi *mwi = arg;
	struct sip *sip = sip_stack_sip(mwi->ss);

	if (summary_up(mwi, msg))
		(void)sip_treply(NULL, sip, msg, 200, "OK");
	else
		(void)sip_treply(NULL, sip, msg, 400, "Bad Message Summary");
}


static void subscribe_retry(void *arg);


/**
 * Milliseconds until the next SUBSCRIBE once one ended: soon when the
 * notifier ended it (RFC 6665 4.1.3: deactivated or timeout, re-subscribe
 * at once), else the registration's backoff after @p failures failures in
 * a row (30 s doubling to 30 min, less up to a quarter from @p rnd).
 */
uint64_t mwi_retry_ms(int err, uint16_t scode,
		      const struct sipevent_substate *substate,
		      unsigned failures, uint32_t rnd)
{
	if (!err && !scode && substate &&
	    (substate->reason == SIPEVENT_DEACTIVATED ||
	     substate->reason == SIPEVENT_TIMEOUT))
		return MWI_RETRY_NOW_MS;

	return (uint64_t)reg_backoff(failures ? failures : 1, rnd) * 1000;
}


static void close_handler(int err, const struct sip_msg *msg,
			  const struct sipevent_substate *substate,
			  void *arg)
{
	struct mwi *mwi = arg;
	const char *aor = reg_config(mwi->reg)->aor;
	uint16_t scode = msg ? msg->scode : 0;
	uint64_t wait_ms;

	mwi->active = false;
	wait_ms = mwi_retry_ms(err, scode, substate, mwi->failures + 1,
			       rand_u32());

	if (wait_ms == MWI_RETRY_NOW_MS)
		ata_info("mwi: %s: subscription ended (%s): again", aor,
			 sipevent_reason_name(substate->reason));
	else if (msg)
		ata_warn("mwi: %s: SUBSCRIBE: %u %r (retry in %llu s)", aor,
			 msg->scode, &msg->reason, wait_ms / 1000);
	else
		ata_warn("mwi: %s: subscription closed: %m (retry in %llu "
			 "s)", aor, err ? err : EPROTO, wait_ms / 1000);

	if (wait_ms != MWI_RETRY_NOW_MS)
		++mwi->failures;

	/* libre is still in this sipsub: let go of it from the loop */
	tmr_start(&mwi->tmr, wait_ms, subscribe_retry, mwi);
}


static int subscribe(struct mwi *mwi)
{
	const struct reg_conf *rc = reg_config(mwi->reg);
	const char *routev[1];

	routev[0] = reg_route(mwi->reg);

	return sipevent_subscribe(&mwi->sub, sip_stack_evsock(mwi->ss),
				  rc->aor, rc->display_name, rc->aor,
				  MWI_EVENT, NULL, MWI_EXPIRES_S,
				  reg_user(mwi->reg),
				  routev[0] ? routev : NULL, routev[0] ? 1 : 0,
				  auth_handler, mwi, false,
				  NULL, notify_handler, close_handler, mwi,
				  "Accept: application/simple-message-summary"
				  "\r\n");
}


static void subscribe_retry(void *arg)
{
	struct mwi *mwi = arg;
	int err;

	mwi->sub = mem_deref(mwi->sub);
	err = subscribe(mwi);
	if (!err)
		return;

	mwi->sub = mem_deref(mwi->sub);
	ata_warn("mwi: %s: cannot SUBSCRIBE: %m",
		 reg_config(mwi->reg)->aor, err);
	tmr_start(&mwi->tmr, (uint64_t)reg_backoff(++mwi->failures,
						   rand_u32()) * 1000,
		  subscribe_retry, mwi);
}


/**
 * Message waiting of @p reg's account: unsolicited NOTIFYs from now
 * on, a subscription once mwi_registered() says the account is
 * registered. EINVAL, ENOMEM, EALREADY.
 */
int mwi_alloc(struct mwi **mwip, struct sip_stack *ss, struct reg *reg,
	      mwi_h *h, void *arg)
{
	struct mwi *mwi;
	int err;

	if (!mwip || !ss || !reg || !reg_user(reg))
		return EINVAL;

	mwi = mem_zalloc(sizeof(*mwi), mwi_destructor);
	if (!mwi)
		return ENOMEM;

	mwi->ss = mem_ref(ss);
	mwi->reg = mem_ref(reg);
	mwi->h = h;
	mwi->arg = arg;
	tmr_init(&mwi->tmr);

	err = sip_stack_notify_alloc(&mwi->unsol, ss, reg_user(reg),
				     MWI_EVENT, unsolicited_handler, mwi);
	if (err)
		mem_deref(mwi);
	else
		*mwip = mwi;

	return err;
}


/** The account is registered: subscribe, if not yet (first time only) */
void mwi_registered(struct mwi *mwi)
{
	if (!mwi || mwi->started || reg_config(mwi->reg)->no_register)
		return;

	mwi->started = true;
	tmr_start(&mwi->tmr, 0, subscribe_retry, mwi);
}


const char *mwi_sub_state(const struct mwi *mwi)
{
	if (!mwi || !mwi->started)
		return "off";
	if (mwi->active)
		return "subscribed";

	return mwi->failures ? "retrying" : "subscribing";
}
