/**
 * @file line_ops.c  The line state machine's actions, carried out
 */
#include <string.h>
#include "ataua.h"
#include "call/call.h"
#include "conf/config.h"
#include "base/ctrl_proto.h"
#include "dialplan.h"
#include "line.h"
#include "line_int.h"
#include "sip/reg.h"
#include "dsp/tone.h"
#include "line_audio.h"


static const char *tone_name(int t)
{
	static const char * const names[ATA_TONE_COUNT] = {
		"dial", "ringback", "busy", "congestion", "callwait", "howler",
		"stutter"
	};

	return (t >= 0 && t < ATA_TONE_COUNT) ? names[t] : "none";
}


static void op_tone(int t, void *arg)
{
	struct line *ln = arg;

	ln->tg = mem_deref(ln->tg);
	t = line_mwi_tone(ln, t);
	ln->tone = t;
	line_offhook_cid_tone(ln, t);

	if (t >= 0 && t < ATA_TONE_COUNT && ln->lc->tone &&
	    tone_gen_alloc(&ln->tg, &ln->lc->tone->tone[t]))
		ata_warn("line %u: cannot generate %s tone\n", ln->id,
			 tone_name(t));

	/* to the device (line driver), from its next period */
	line_audio_tone(ln->au, ln->tg);
}


static void op_ring(bool on, void *arg)
{
	struct line *ln = arg;

	if (ln->ringing == on)
		return;

	ln->ringing = on;
	line_clip_ring(ln, on);
	ata_event(ATA_LOG_INFO, on ? ATA_EVENT_RING_START :
		  ATA_EVENT_RING_STOP, "line=%u", ln->id);
}


static void fsm_timeout(void *arg)
{
	struct line *ln = arg;

	line_fsm_event(&ln->fsm, LEV_TIMEOUT, NULL);
	line_media_update(ln);
}


static void op_timer(uint32_t ms, void *arg)
{
	struct line *ln = arg;

	if (ms)
		tmr_start(&ln->tmr_fsm, ms, fsm_timeout, ln);
	else
		tmr_cancel(&ln->tmr_fsm);
}


static enum line_match op_match(const char *digits, void *arg)
{
	struct line *ln = arg;

	switch (dialplan_match(ln->dp, digits)) {

	case DIALPLAN_PARTIAL:   return LINE_MATCH_PARTIAL;
	case DIALPLAN_FULL:      return LINE_MATCH_FULL;
	case DIALPLAN_FULL_MORE: return LINE_MATCH_MORE;
	default:                 return LINE_MATCH_NONE;
	}
}


static void *op_dial(const char *number, void *arg)
{
	return line_dial(arg, number);
}


static int op_alert(void *call, void *arg)
{
	struct line *ln = arg;
	int err = call_ring(call, ln->lc->ring_timeout_ms);

	if (err)
		ata_warn("line %u: cannot ring for call %u: %m\n", ln->id,
			 call_id(call), err);

	return err;
}


static void op_answer(void *call, void *arg)
{
	struct line *ln = arg;
	int err = call_answer(call);

	if (err)
		ata_warn("line %u: answer failed: %m\n", ln->id, err);
}


static void op_reject(void *call, uint16_t scode, void *arg)
{
	struct line *ln = arg;
	const char *reason = scode == 486 ? "Busy Here" :
		scode == 500 ? "Server Internal Error" : "Rejected";
	bool was_open = call_state(call) != CALL_CLOSED;

	call_reject(call, scode, reason);
	line_call_ended(ln, call, was_open, scode, reason);
}


static void op_hangup(void *call, void *arg)
{
	struct line *ln = arg;
	bool was_open = call_state(call) != CALL_CLOSED;

	call_hangup(call);
	line_call_ended(ln, call, was_open, 0, "hung up here");
}


static void op_hold(void *call, bool hold, void *arg)
{
	struct line *ln = arg;
	int err = call_hold(call, hold);

	if (err)
		ata_warn("line %u: %s failed: %m\n", ln->id,
			 hold ? "hold" : "resume", err);
}


static void op_digit(void *call, char key, void *arg)
{
	(void)arg;
	(void)call_send_digit(call, key);
}


static void op_state(enum line_state st, void *arg)
{
	struct line *ln = arg;

	ata_event(ATA_LOG_INFO, ATA_EVENT_LINE, "line=%u state=%s tone=%s",
		  ln->id, line_state_name(st), tone_name(ln->tone));
	line_vmwi_state(ln, st);
	line_offhook_cid_state(ln, st);
}


static const struct line_fsm_ops line_ops = {
	.tone   = op_tone,
	.ring   = op_ring,
	.timer  = op_timer,
	.match  = op_match,
	.dial   = op_dial,
	.alert  = op_alert,
	.answer = op_answer,
	.reject = op_reject,
	.hangup = op_hangup,
	.hold   = op_hold,
	.digit  = op_digit,
	.state  = op_state,
};


void line_fsm_setup(struct line *ln)
{
	const struct ata_conf_dialplan *dpc = &ln->lc->dialplan;
	struct line_timing tm;

	tm.first_digit_ms = dpc->first_digit_ms;
	tm.interdigit_ms  = dpc->interdigit_ms;
	tm.critical_ms    = dpc->critical_ms;
	tm.busy_ms        = 60000;

	line_fsm_init(&ln->fsm, &tm, &line_ops, ln);
}


enum sip_transp line_sip_transp(int transport)
{
	switch (transport) {

	case ATA_TRANSPORT_TCP: return SIP_TRANSP_TCP;
	case ATA_TRANSPORT_TLS: return SIP_TRANSP_TLS;
	default:                return SIP_TRANSP_UDP;
	}
}


int line_status(struct re_printf *pf, const struct line *ln)
{
	size_t i, ncalls = 0;

	if (!ln)
		return EINVAL;

	for (i = 0; i < LINE_CALLS_MAX; i++)
		ncalls += ln->callv[i] != NULL;

	/* reg= stays last: scripts match " reg=registered$" */
	return re_hprintf(pf, "line=%u state=%s hook=%s tone=%s ring=%s "
			  "digits=%s calls=%zu%H reg=%s\n", ln->id,
			  line_state_name(ln->fsm.st),
			  ln->fsm.offhook ? "off" : "on", tone_name(ln->tone),
			  ln->ringing ? "yes" : "no",
			  ln->fsm.ndigits ? ln->fsm.digits : "-", ncalls,
			  line_mwi_status, ln,
			  reg_state_name(reg_state(ln->reg)));
}


int line_reg_status(struct re_printf *pf, const struct line *ln)
{
	int err;

	if (!ln)
		return EINVAL;

	err = re_hprintf(pf, "line=%u ", ln->id);
	if (ln->reg)
		err |= reg_status(pf, ln->reg);
	else
		err |= re_hprintf(pf, "state=off reason=\"no registrar\"\n");

	return err;
}


unsigned line_calls_print(struct re_printf *pf, const struct line *ln)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; ln && i < LINE_CALLS_MAX; i++) {
		if (!ln->callv[i])
			continue;
		(void)re_hprintf(pf, "line=%u ", ln->id);
		(void)call_status(pf, ln->callv[i]);
		(void)line_history_quality(pf, ln, ln->callv[i]);
		++n;
	}

	return n;
}


int line_call_hangup(struct line *ln, uint32_t id)
{
	struct line_ev_arg ea = { .scode = 0 };
	bool was_open;
	size_t i;

	for (i = 0; ln && i < LINE_CALLS_MAX; i++) {
		struct call *call = ln->callv[i];

		if (!call || call_id(call) != id)
			continue;

		/* as if the far end hung up: the handset hears busy */
		ea.call = call;
		was_open = call_state(call) != CALL_CLOSED;
		call_hangup(call);
		line_fsm_event(&ln->fsm, LEV_CALL_CLOSED, &ea);
		line_call_ended(ln, call, was_open, 0, "call hangup");
		line_media_update(ln);
		return 0;
	}

	return ENOENT;
}
