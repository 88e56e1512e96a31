/**
 * @file line.c  One FXS line: binds the state machine to SIP and tones
 *
 * The decisions live in line_fsm.c; this file only carries them out:
 * calls through call.h, registration through reg.h, tones through the
 * tone generator, timers through libre, and events to control clients.
 * The line owns its calls (at most LINE_CALLS_MAX: current, waiting,
 * held) and releases each exactly once, when it closes or is hung up.
 */
#include <string.h>
#include "ataua.h"
#include "call/call.h"
#include "conf/config.h"
#include "base/ctrl_proto.h"
#include "dialplan.h"
#include "line.h"
#include "line_int.h"
#include "line_metrics.h"
#include "sip/reg.h"
#include "sip/sip_stack.h"
#include "dsp/tone.h"


static void line_destructor(void *arg)
{
	struct line *ln = arg;
	size_t i;

	line_metrics_line_done(ln);
	tmr_cancel(&ln->tmr_fsm);
	line_oneway_close(ln);
	line_hook_close(ln);
	line_clip_close(ln);
	line_vmwi_close(ln);
	line_offhook_cid_close(ln);
	line_media_stop(ln);
	line_media_close(ln);

	/* no FSM callbacks from here on: calls are simply dropped */
	for (i = 0; i < LINE_CALLS_MAX; i++)
		ln->callv[i] = mem_deref(ln->callv[i]);

	mem_deref(ln->mwi);
	mem_deref(ln->reg);
	mem_deref(ln->lsnr);
	mem_deref(ln->dp);
	mem_deref(ln->tg);
	mem_deref(ln->ss);
	mem_deref(ln->cfg);
}


bool line_call_add(struct line *ln, struct call *call)
{
	size_t i;

	for (i = 0; i < LINE_CALLS_MAX; i++) {
		if (!ln->callv[i]) {
			ln->callv[i] = call;
			line_oneway_watch(ln);
			return true;
		}
	}

	return false;
}


/* Forget and release a call of ours; false if it was not ours */
bool line_call_release(struct line *ln, struct call *call)
{
	size_t i;

	for (i = 0; i < LINE_CALLS_MAX; i++) {
		if (call && ln->callv[i] == call) {
			ln->callv[i] = NULL;
			line_metrics_call_done(ln, call);
			mem_deref(call);
			return true;
		}
	}

	return false;
}


/*
 * A call this side ends (call_hangup, call_reject) closes without its
 * state handler: the CLOSED a control client waits for is ours to send,
 * before the line lets go of the call. Every call that was announced
 * in the event stream is closed in it.
 */
void line_call_ended(struct line *ln, struct call *call, bool was_open,
		     uint16_t scode, const char *reason)
{
	/* one closed already came through call_state_handler */
	if (was_open)
		ata_event(ATA_LOG_INFO, ATA_EVENT_CALL,
			  "line=%u id=%u state=closed scode=%u "
			  "reason=%H", ln->id, call_id(call), scode,
			  ata_quoted, reason);
	line_history_end(ln, call, scode, reason);
	line_call_release(ln, call);
}


static void call_state_handler(struct call *call, enum call_state st,
			       uint16_t scode, const char *reason, void *arg)
{
	struct line *ln = arg;
	struct line_ev_arg ea = { .call = call, .scode = scode };

	ata_event(ATA_LOG_INFO, ATA_EVENT_CALL,
		  "line=%u id=%u state=%s scode=%u reason=%H",
		  ln->id, call_id(call), call_state_name(st), scode,
		  ata_quoted, reason);

	switch (st) {

	case CALL_RINGING:
		line_fsm_event(&ln->fsm, LEV_CALL_RINGING, &ea);
		break;

	case CALL_EARLY:
		line_fsm_event(&ln->fsm, LEV_CALL_EARLY, &ea);
		break;

	case CALL_ESTABLISHED:
		line_fsm_event(&ln->fsm, LEV_CALL_ANSWERED, &ea);
		break;

	case CALL_CLOSED:
		/* before the machine, which may hang up what is closed */
		line_history_end(ln, call, scode, reason);
		line_fsm_event(&ln->fsm, LEV_CALL_CLOSED, &ea);
		line_call_release(ln, call);
		break;

	default:
		break;
	}

	line_media_update(ln);
}


static void call_digit_handler(struct call *call, char key, void *arg)
{
	struct line *ln = arg;

	ata_event(ATA_LOG_INFO, ATA_EVENT_DTMF, "line=%u id=%u key=%c",
		  ln->id, call_id(call), key);
}


void line_call_handlers(struct line *ln, struct call *call)
{
	call_set_handlers(call, call_state_handler, call_digit_handler,
			  line_audio_rx, ln);
}


struct call *line_dial(struct line *ln, const char *digits)
{
	struct call *call = NULL;
	char number[LINE_DIGITS_MAX + 1];
	int err;

	if (dialplan_number(ln->dp, digits, number, sizeof(number)))
		str_ncpy(number, digits, sizeof(number));

	err = call_connect(&call, ln->ss, ln->reg, &ln->mc, number,
			   call_state_handler, call_digit_handler,
			   line_audio_rx, ln);
	if (err) {
		ata_warn("line %u: cannot call %s: %s\n", ln->id, number,
			 err == RESOLVER_ENOSERVER ? "DNS: no name server to "
			 "ask (none in resolv.conf)" : strerror(err));
		/* refused by call admission: the handset hears busy */
		ln->fsm.dial_busy = err == ENOSPC;
		return NULL;
	}

	if (!line_call_add(ln, call)) {
		mem_deref(call);
		return NULL;
	}

	ata_info("line %u: calling %s (call %u)\n", ln->id, number,
		 call_id(call));

	return call;
}


static void incoming_handler(struct call *call, void *arg)
{
	struct line *ln = arg;
	struct line_ev_arg ea = { .call = call };

	line_call_handlers(ln, call);

	if (!line_call_add(ln, call)) {
		call_reject(call, 486, "Busy Here");
		mem_deref(call);
		return;
	}

	ata_event(ATA_LOG_INFO, ATA_EVENT_CALL,
		  "line=%u id=%u state=incoming peer=%s", ln->id,
		  call_id(call), call_peer(call));

	line_fsm_event(&ln->fsm, LEV_INCOMING, &ea);
	/* the ring control and a call-waiting tone follow at once */
	line_media_update(ln);
}


static void reg_state_handler(enum reg_state st, const char *reason,
			      void *arg)
{
	struct line *ln = arg;

	ata_event(st == REG_FAILED ? ATA_LOG_WARN : ATA_LOG_NOTICE,
		  ATA_EVENT_REG, "line=%u state=%s reason=%H",
		  ln->id, reg_state_name(st), ata_quoted, reason);
	line_mwi_reg(ln, st);
}


static const char *opt_str(const char *s)
{
	return str_isset(s) ? s : NULL;
}


static int reg_start(struct line *ln)
{
	const struct ata_conf_account *acc = &ln->lc->account;
	struct reg_conf rc;

	if (!str_isset(acc->aor))
		return 0;

	memset(&rc, 0, sizeof(rc));
	/* the config says "" for unset; reg.h says NULL. No registrar:
	   the account still places calls, it only never REGISTERs */
	rc.aor            = acc->aor;
	rc.registrar      = opt_str(acc->registrar);
	rc.no_register    = !str_isset(acc->registrar);
	rc.outbound_proxy = opt_str(acc->outbound_proxy);
	rc.auth_user      = opt_str(acc->auth_user);
	rc.password       = acc->password;
	rc.display_name   = opt_str(acc->display_name);
	rc.tp             = line_sip_transp(acc->transport);
	rc.expiry_s       = acc->expiry_ms / 1000;
	rc.tp_auto        = acc->transport == ATA_TRANSPORT_AUTO;

	return reg_alloc(&ln->reg, ln->ss, &rc, reg_state_handler, ln);
}


static int user_of(char *buf, size_t sz, const char *aor)
{
	struct uri uri;
	struct pl pl;
	int err;

	pl_set_str(&pl, aor);
	err = uri_decode(&uri, &pl);
	if (err)
		return err;

	return pl_strcpy(&uri.user, buf, sz);
}


int line_alloc(struct line **lnp, struct sip_stack *ss,
	       const struct ata_config *cfg, const struct ata_conf_line *lc)
{
	const struct ata_conf_dialplan *dpc;
	struct line *ln;
	char err_msg[128] = "";
	int err;

	if (!lnp || !ss || !cfg || !lc)
		return EINVAL;

	ln = mem_zalloc(sizeof(*ln), line_destructor);
	if (!ln)
		return ENOMEM;

	ln->id  = lc->id;
	ln->cfg = mem_ref((void *)cfg);
	ln->lc  = lc;
	ln->ss  = mem_ref(ss);
	ln->tone = LINE_TONE_NONE;
	tmr_init(&ln->tmr_fsm);
	tmr_init(&ln->tmr_oneway);
	line_hook_init(ln);
	line_media_conf(ln);
	line_clip_init(ln);
	line_offhook_cid_init(ln);

	dpc = &lc->dialplan;
	err = dialplan_alloc(&ln->dp, (const char * const *)dpc->patternv,
			     dpc->patternc, err_msg, sizeof(err_msg));
	if (err) {
		ata_err("line %u: dial plan: %s\n", ln->id, err_msg);
		goto out;
	}

	line_fsm_setup(ln);

	err = user_of(ln->user, sizeof(ln->user), lc->account.aor);
	if (err) {
		ata_err("line %u: bad aor %s\n", ln->id, lc->account.aor);
		goto out;
	}

	/* incoming calls take this line's account SRTP policy */
	err = call_listen(&ln->lsnr, ss, ln->user, &ln->mc, incoming_handler,
			  ln);
	if (err)
		goto out;

	err = reg_start(ln);
	if (!err)
		err = line_mwi_start(ln);

 out:
	if (err)
		mem_deref(ln);
	else
		*lnp = ln;

	return err;
}


uint32_t line_id(const struct line *ln)
{
	return ln ? ln->id : 0;
}


void line_input(struct line *ln, enum line_ev ev, char key)
{
	struct line_ev_arg ea = { .key = key };

	if (!ln)
		return;

	line_fsm_event(&ln->fsm, ev, &ea);
	line_media_update(ln);
}


enum line_state line_state(const struct line *ln)
{
	return ln ? ln->fsm.st : LINE_IDLE;
}


bool line_busy(const struct line *ln)
{
	size_t i;

	for (i = 0; ln && i < LINE_CALLS_MAX; i++) {
		if (ln->callv[i])
			return true;
	}

	return false;
}
