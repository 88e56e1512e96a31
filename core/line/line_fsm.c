/**
 * @file line_fsm.c  The FXS line state machine
 *
 * What a person at an analog phone expects, written down as transitions:
 * lift the handset and hear dial tone; dial and the number goes out as
 * soon as the dial plan says it is complete; hear ringback, talk; when the
 * far end hangs up, hear busy until you hang up; leave the handset off too
 * long and the howler reminds you. A second call while talking beeps, and
 * flash swaps between the two; flash with one call holds and resumes it.
 */
#include <string.h>
#include "line_fsm.h"

#define CALL_OP(f, op, ...) \
	do { if ((f)->ops->op) (f)->ops->op(__VA_ARGS__, (f)->arg); } while (0)


static void set_state(struct line_fsm *f, enum line_state st)
{
	if (f->st == st)
		return;

	f->st = st;
	if (f->ops->state)
		f->ops->state(st, f->arg);
}


static void tone(struct line_fsm *f, int t)
{
	CALL_OP(f, tone, t);
}


static void timer(struct line_fsm *f, uint32_t ms)
{
	CALL_OP(f, timer, ms);
}


static void ring(struct line_fsm *f, bool on)
{
	CALL_OP(f, ring, on);
}


static void to_idle(struct line_fsm *f)
{
	tone(f, LINE_TONE_NONE);
	timer(f, 0);
	f->ndigits = 0;
	f->digits[0] = '\0';
	set_state(f, LINE_IDLE);
}


static void to_dialtone(struct line_fsm *f)
{
	f->ndigits = 0;
	f->digits[0] = '\0';
	tone(f, ATA_TONE_DIAL);
	timer(f, f->tm.first_digit_ms);
	set_state(f, LINE_DIALTONE);
}


static void to_busy(struct line_fsm *f, int t)
{
	tone(f, t);
	timer(f, f->tm.busy_ms);
	set_state(f, LINE_BUSY);
}


static void to_howler(struct line_fsm *f)
{
	tone(f, ATA_TONE_HOWLER);
	timer(f, 0);
	set_state(f, LINE_HOWLER);
}


/* Ring the bell for a call that waits (or was held) once the handset is
 * down, so a caller on hold is never forgotten. */
static void ring_for(struct line_fsm *f, void *call, bool recall)
{
	tone(f, LINE_TONE_NONE);
	timer(f, 0);
	f->ndigits = 0;
	f->digits[0] = '\0';
	f->cur = call;
	f->recall = recall;
	ring(f, true);
	set_state(f, LINE_RINGING);
}


static void dial(struct line_fsm *f)
{
	void *call = NULL;

	timer(f, 0);
	tone(f, LINE_TONE_NONE);

	if (f->ops->dial)
		call = f->ops->dial(f->digits, f->arg);

	if (!call) {
		to_busy(f, f->dial_busy ? ATA_TONE_BUSY :
			ATA_TONE_CONGESTION);
		f->dial_busy = false;
		return;
	}

	f->cur = call;
	set_state(f, LINE_CALLING);
}


static void digit_collect(struct line_fsm *f, char key)
{
	enum line_match m = LINE_MATCH_NONE;

	/* `#` means "send now" unless the plan wants a literal `#` here */
	if (key == '#' && f->ndigits > 0) {
		f->digits[f->ndigits] = '#';
		f->digits[f->ndigits + 1] = '\0';
		m = f->ops->match ? f->ops->match(f->digits, f->arg) :
			LINE_MATCH_NONE;
		f->digits[f->ndigits] = '\0';
		if (m == LINE_MATCH_NONE) {
			dial(f);
			return;
		}
	}

	if (f->ndigits >= LINE_DIGITS_MAX) {
		to_busy(f, ATA_TONE_CONGESTION);
		return;
	}

	tone(f, LINE_TONE_NONE);
	f->digits[f->ndigits++] = key;
	f->digits[f->ndigits] = '\0';
	set_state(f, LINE_DIALING);

	m = f->ops->match ? f->ops->match(f->digits, f->arg) : LINE_MATCH_FULL;

	switch (m) {

	case LINE_MATCH_NONE:
		timer(f, 0);
		to_busy(f, ATA_TONE_CONGESTION);
		break;

	case LINE_MATCH_PARTIAL:
		timer(f, f->tm.interdigit_ms);
		break;

	case LINE_MATCH_MORE:
		timer(f, f->tm.critical_ms);
		break;

	case LINE_MATCH_FULL:
		dial(f);
		break;
	}
}


static void dialing_timeout(struct line_fsm *f)
{
	enum line_match m;

	m = f->ops->match ? f->ops->match(f->digits, f->arg) : LINE_MATCH_NONE;
	if (m == LINE_MATCH_MORE || m == LINE_MATCH_FULL)
		dial(f);
	else
		to_busy(f, ATA_TONE_CONGESTION);
}


/* The call the handset talked to is gone (far end, or failure) */
static void current_closed(struct line_fsm *f, uint16_t scode)
{
	bool talked = f->st == LINE_CONNECTED || f->st == LINE_HELD;

	f->cur = NULL;
	tone(f, LINE_TONE_NONE);

	if (!f->offhook) {
		ring(f, false);
		if (f->held) {
			void *held = f->held;
			f->held = NULL;
			ring_for(f, held, true);
		}
		else {
			to_idle(f);
		}
		return;
	}

	if (f->held) {
		/* the other party is still there: stay with a held call */
		f->cur = f->held;
		f->held = NULL;
		set_state(f, LINE_HELD);
		return;
	}

	if (talked || scode == 486 || scode == 600 || scode == 603)
		to_busy(f, ATA_TONE_BUSY);
	else
		to_busy(f, ATA_TONE_CONGESTION);
}


static void call_closed(struct line_fsm *f, void *call, uint16_t scode)
{
	if (!call)
		return;

	if (call == f->waiting) {
		f->waiting = NULL;
		if (f->st == LINE_CONNECTED || f->st == LINE_HELD)
			tone(f, LINE_TONE_NONE);
		return;
	}

	if (call == f->held) {
		f->held = NULL;
		return;
	}

	if (call == f->cur)
		current_closed(f, scode);
}


/* 180 for a new call; one that cannot even be alerted (its INVITE is
   one libre cannot accept) is refused at once and never rings: nothing
   could stop the bell, not even a CANCEL */
static bool alert(struct line_fsm *f, void *call)
{
	if (!f->ops->alert || !f->ops->alert(call, f->arg))
		return true;

	CALL_OP(f, reject, call, 500);

	return false;
}


static void incoming(struct line_fsm *f, void *call)
{
	switch (f->st) {

	case LINE_IDLE:
		if (!alert(f, call))
			break;
		f->cur = call;
		f->recall = false;
		ring(f, true);
		set_state(f, LINE_RINGING);
		break;

	case LINE_CONNECTED:
		if (!f->waiting && !f->held) {
			if (!alert(f, call))
				break;
			f->waiting = call;
			tone(f, ATA_TONE_CALLWAIT);
			break;
		}
		CALL_OP(f, reject, call, 486);
		break;

	default:
		CALL_OP(f, reject, call, 486);
		break;
	}
}


static void offhook(struct line_fsm *f)
{
	f->offhook = true;

	switch (f->st) {

	case LINE_IDLE:
		to_dialtone(f);
		break;

	case LINE_RINGING:
		ring(f, false);
		if (f->recall)
			CALL_OP(f, hold, f->cur, false);
		else
			CALL_OP(f, answer, f->cur);
		f->recall = false;
		set_state(f, LINE_CONNECTED);
		break;

	default:
		break;
	}
}


static void onhook(struct line_fsm *f)
{
	void *other;

	f->offhook = false;

	if (f->st == LINE_IDLE || f->st == LINE_RINGING)
		return;

	if (f->cur) {
		void *call = f->cur;
		f->cur = NULL;
		CALL_OP(f, hangup, call);
	}

	/* a waiting or held call rings the bell again */
	other = f->waiting ? f->waiting : f->held;
	if (other) {
		bool recall = other == f->held;
		f->waiting = f->held = NULL;
		ring_for(f, other, recall);
		return;
	}

	to_idle(f);
}


static void flash(struct line_fsm *f)
{
	void *prev = f->cur;

	switch (f->st) {

	case LINE_CONNECTED:
		if (f->waiting) {
			/* answer the waiting call, hold the current one */
			tone(f, LINE_TONE_NONE);
			CALL_OP(f, hold, prev, true);
			CALL_OP(f, answer, f->waiting);
			f->held = prev;
			f->cur = f->waiting;
			f->waiting = NULL;
		}
		else if (f->held) {
			CALL_OP(f, hold, prev, true);
			CALL_OP(f, hold, f->held, false);
			f->cur = f->held;
			f->held = prev;
		}
		else {
			CALL_OP(f, hold, prev, true);
			set_state(f, LINE_HELD);
		}
		break;

	case LINE_HELD:
		CALL_OP(f, hold, f->cur, false);
		set_state(f, LINE_CONNECTED);
		break;

	case LINE_BUSY:
	case LINE_HOWLER:
		/* flash on a dead line: a fresh dial tone, as on a PBX */
		to_dialtone(f);
		break;

	default:
		break;
	}
}


void line_fsm_event(struct line_fsm *f, enum line_ev ev,
		    const struct line_ev_arg *ea)
{
	static const struct line_ev_arg none;

	if (!f || !f->ops)
		return;
	if (!ea)
		ea = &none;

	switch (ev) {

	case LEV_OFFHOOK: offhook(f); break;
	case LEV_ONHOOK:  onhook(f);  break;
	case LEV_FLASH:   flash(f);   break;

	case LEV_DIGIT:
		if (f->st == LINE_DIALTONE || f->st == LINE_DIALING)
			digit_collect(f, ea->key);
		else if (f->st == LINE_CONNECTED)
			CALL_OP(f, digit, f->cur, ea->key);
		break;

	case LEV_TIMEOUT:
		if (f->st == LINE_DIALTONE || f->st == LINE_BUSY)
			to_howler(f);
		else if (f->st == LINE_DIALING)
			dialing_timeout(f);
		break;

	case LEV_INCOMING:
		if (ea->call)
			incoming(f, ea->call);
		break;

	case LEV_CALL_RINGING:
		if (ea->call == f->cur && f->st == LINE_CALLING)
			tone(f, ATA_TONE_RINGBACK);
		break;

	case LEV_CALL_EARLY:
		if (ea->call == f->cur && f->st == LINE_CALLING)
			tone(f, LINE_TONE_NONE);
		break;

	case LEV_CALL_ANSWERED:
		if (ea->call == f->cur && f->st == LINE_CALLING) {
			tone(f, LINE_TONE_NONE);
			set_state(f, LINE_CONNECTED);
		}
		break;

	case LEV_CALL_CLOSED:
		call_closed(f, ea->call, ea->scode);
		break;
	}
}


void line_fsm_init(struct line_fsm *f, const struct line_timing *tm,
		   const struct line_fsm_ops *ops, void *arg)
{
	if (!f)
		return;

	memset(f, 0, sizeof(*f));
	if (tm)
		f->tm = *tm;
	f->ops = ops;
	f->arg = arg;
	f->st = LINE_IDLE;
}


bool line_fsm_owns(const struct line_fsm *f, const void *call)
{
	return f && call &&
		(call == f->cur || call == f->waiting || call == f->held);
}


const char *line_state_name(enum line_state st)
{
	static const char * const names[] = {
		"idle", "ringing", "dialtone", "dialing", "calling",
		"connected", "held", "busy", "howler",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ?
		names[st] : "?";
}
