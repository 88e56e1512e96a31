/**
 * @file line_fax.c  Fax, modem and alarm panel calls: tone detection
 *
 * Two detectors per line (core/dsp/fax_det.c) watch a connected call's
 * audio on the main loop: what the far end sends (decoded RTP, "rx")
 * and what the phone side says (the captured frames sent, "tx"). The
 * first answer or calling tone switches the call to pass-through for
 * the rest of the call: the jitter buffer at a fixed LINE_AUDIO_PASS_MS
 * without concealment, the handset DTMF detector off (keys pass as
 * audio), and on the phase-reversed answer tone the echo canceller
 * (G.168). The call keeps the mode for `calls`; an event says so.
 *
 * lines[].dtmf_detect off takes handset keys only while the line dials: in a
 * call the keys an alarm panel or modem sends reach the far end as the
 * tones themselves, never as RFC 4733 events.
 */
#include <re.h>
#include "ataua.h"
#include "call/call.h"
#include "conf/config.h"
#include "dsp/fax_det.h"
#include "line.h"
#include "line_audio.h"
#include "line_int.h"


static void fax_handler(const struct fax_det_result *res, void *arg)
{
	struct line_fax *lf = arg;
	struct line *ln = lf->ln;
	struct call *call = ln->fsm.cur;
	bool ec_off = res->tone == FAX_TONE_ANS && res->reversals;

	if (!call || ln->fsm.st != LINE_CONNECTED)
		return;

	/* once per call; again only to take the echo canceller out */
	if (call_mode_is_passthrough(call) && (!ec_off || ln->fax_ec_off))
		return;

	ln->fax_ec_off |= ec_off;
	call_mode_passthrough(call, fax_det_name(res), lf->dir);
	line_media_update(ln);     /* line_audio_passthrough(), DTMF off */

	ata_event(ATA_LOG_INFO, ATA_EVENT_CALL_MODE, "line=%u id=%u "
		  "mode=passthrough tone=%s dir=%s", ln->id, call_id(call),
		  fax_det_name(res), lf->dir);
}


/*
 * The detectors, if lines[].fax_detect; without them, voice only. With
 * a line driver the audio thread listens too (line_audio_rx.c): the
 * far end over what it plays, the phone over what it sends itself;
 * the main loop no longer sees those frames.
 */
void line_fax_init(struct line *ln)
{
	static const char *dirs[2] = {"rx", "tx"};

	for (size_t i = 0; i < ARRAY_SIZE(ln->fax); i++) {
		ln->fax[i].ln = ln;
		ln->fax[i].dir = dirs[i];
		if (ln->lc->fax_detect &&
		    fax_det_alloc(&ln->fax[i].det, fax_handler,
				  &ln->fax[i]))
			ata_warn("line %u: no fax tone detector\n", ln->id);
	}

	for (unsigned i = 0; ln->au && i < ARRAY_SIZE(ln->fax); i++) {
		if (ln->fax[i].det &&
		    line_audio_fax(ln->au, i, fax_handler, &ln->fax[i]))
			ata_warn("line %u: no fax tone detector\n", ln->id);
	}
}


/* Another call: the detectors start over, the canceller may run */
static void fax_call_check(struct line *ln, const struct call *call)
{
	if (call_id(call) == ln->fax_call)
		return;

	ln->fax_call = call_id(call);
	ln->fax_ec_off = false;
	for (size_t i = 0; i < ARRAY_SIZE(ln->fax); i++)
		fax_det_reset(ln->fax[i].det);
	line_audio_fax_on(ln->au, false, true);
}


/** The audio thread listens while a connected call may turn to fax */
void line_fax_sync(struct line *ln)
{
	struct call *call = ln->fsm.cur;
	bool on = call && ln->fsm.st == LINE_CONNECTED && ln->fax[0].det;

	if (!ln->au)
		return;
	if (on)
		fax_call_check(ln, call);
	line_audio_fax_on(ln->au, on && !ln->fax_ec_off, false);
}


void line_fax_close(struct line *ln)
{
	for (size_t i = 0; i < ARRAY_SIZE(ln->fax); i++)
		ln->fax[i].det = mem_deref(ln->fax[i].det);
}


/** A connected call's audio: @p rx from the far end, else the phone's */
void line_fax_audio(struct line *ln, const int16_t *pcm, size_t n,
		    bool rx)
{
	struct call *call = ln->fsm.cur;

	if (!call || ln->fsm.st != LINE_CONNECTED)
		return;

	fax_call_check(ln, call);

	/* nothing more to switch; the far end's is the thread's */
	if (ln->fax_ec_off || (rx && ln->au))
		return;

	fax_det_process(ln->fax[rx ? 0 : 1].det, pcm, n);
}


/**
 * A handset key at its press or release (@p end): false if the call
 * takes keys as audio (the release follows its press, so a key that
 * dialled is reported whole even if it ends in the call it placed)
 */
bool line_fax_key_taken(struct line *ln, bool end)
{
	if (!end)
		ln->key_as_audio = !line_fax_dtmf_on(ln);

	return !ln->key_as_audio;
}


/** Handset keys are taken: dialling, or a voice call (else audio) */
bool line_fax_dtmf_on(const struct line *ln)
{
	if (ln->fsm.st != LINE_CONNECTED)
		return true;

	return ln->lc->dtmf_detect &&
		!call_mode_is_passthrough(ln->fsm.cur);
}
