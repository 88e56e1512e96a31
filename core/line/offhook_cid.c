/**
 * @file offhook_cid.c  Caller ID on call waiting (type II): the sequence
 *
 * CAS, ack window, (ack pressed, released, gap, FSK), unmute.
 * The ack window runs from the CAS's start for cas_ms + OHCID_ACK_MS +
 * path_ms: the phone answers within 160 ms of the CAS's end as it
 * hears it, and the key reaches the machine later by the device's
 * playout and capture queues and the detector's decision time
 * (path_ms, the line's to say). The FSK starts after the phone has let
 * the key go (GR-30: 50 to 500 ms after the acknowledgement ends), or
 * OHCID_REL_MS after it pressed, should the release not be seen.
 */
#include <errno.h>
#include <stddef.h>
#include "offhook_cid.h"

#define OP(c, op, ...) \
	do { if ((c)->ops->op) (c)->ops->op(__VA_ARGS__, (c)->arg); } \
	while (0)


void offhook_cid_init(struct offhook_cid *c,
		      const struct offhook_cid_ops *ops, void *arg)
{
	if (!c)
		return;

	c->st = OHCID_IDLE;
	c->ops = ops;
	c->arg = arg;
}


static void finish(struct offhook_cid *c, enum offhook_cid_result res)
{
	c->st = OHCID_IDLE;
	OP(c, timer, 0);
	OP(c, play, OHCID_SIG_NONE);
	OP(c, mute, false);
	OP(c, done, res);
}


/**
 * After the call-waiting tone: mute, play the CAS, open the window.
 * Returns 0, EINVAL, or EBUSY while a sequence runs
 */
int offhook_cid_start(struct offhook_cid *c, uint32_t cas_ms,
		      uint32_t fsk_ms, uint32_t path_ms)
{
	if (!c || !c->ops || !cas_ms || !fsk_ms)
		return EINVAL;
	if (c->st != OHCID_IDLE)
		return EBUSY;

	c->cas_ms = cas_ms;
	c->fsk_ms = fsk_ms;
	c->path_ms = path_ms;
	c->st = OHCID_CAS;
	OP(c, mute, true);
	OP(c, play, OHCID_SIG_CAS);
	OP(c, timer, cas_ms + OHCID_ACK_MS + path_ms);

	return 0;
}


static void send_fsk(struct offhook_cid *c)
{
	c->st = OHCID_FSK;
	OP(c, play, OHCID_SIG_FSK);
	OP(c, timer, c->fsk_ms + c->path_ms);
}


/**
 * A handset key (pressed, or released with @p end). Returns true when
 * the sequence takes it: the call must not see it.
 */
bool offhook_cid_key(struct offhook_cid *c, char key, bool end)
{
	if (!c || c->st == OHCID_IDLE)
		return false;

	switch (c->st) {

	case OHCID_CAS:
		/* another key is no answer: the window stays open */
		if (end || (key != 'A' && key != 'D'))
			break;
		c->st = OHCID_ACKED;
		OP(c, timer, OHCID_REL_MS);
		break;

	case OHCID_ACKED:
		if (!end)
			break;
		c->st = OHCID_GAP;
		OP(c, timer, OHCID_GAP_MS);
		break;

	default:
		break;
	}

	return true;
}


/** The machine's timer fired */
void offhook_cid_timeout(struct offhook_cid *c)
{
	if (!c)
		return;

	switch (c->st) {

	case OHCID_CAS:
		finish(c, OHCID_NO_ACK);
		break;

	case OHCID_ACKED:
	case OHCID_GAP:
		send_fsk(c);
		break;

	case OHCID_FSK:
		finish(c, OHCID_SENT);
		break;

	default:
		break;
	}
}


/** On-hook, flash, the waiting call gone: end at once, unmuted */
void offhook_cid_stop(struct offhook_cid *c)
{
	if (c && c->st != OHCID_IDLE)
		finish(c, OHCID_STOPPED);
}


bool offhook_cid_busy(const struct offhook_cid *c)
{
	return c && c->st != OHCID_IDLE;
}
