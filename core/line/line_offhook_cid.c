/**
 * @file line_offhook_cid.c  Caller ID on call waiting (type II), done
 *
 * When a second call waits on a line in a call, the call-waiting tone
 * plays (line_fsm.c); once its first burst is over (the profile's
 * cadence up to its last pause: us 300 ms), the sequence of
 * offhook_cid.c runs here: the call is muted both ways
 * (line_audio_call_mute()), the CAS and then, on the phone's 'A' or
 * 'D', the FSK (clip_fsk_render_offhook(): 80 marks, no seizure) play
 * through line_audio_clip(), then the call is unmuted. The handset's
 * keys go to the sequence while it runs (line_media.c), never to the
 * call. Any other tone (the waiting call answered by a flash or gone)
 * or leaving the call state stops it at once.
 *
 * lines[].caller_id_waiting (on) with caller_id bell202 or v23 (or auto
 * resolving to one); DTMF caller ID has no off-hook form, and with the
 * handset DTMF detector off (dtmf_detect: off, a fax or modem call in
 * pass-through) no answer could be heard, so nothing starts. The
 * message is the call setup MDMF of the waiting call.
 */
#include "ataua.h"
#include "conf/config.h"
#include "dsp/clip.h"
#include "line_audio.h"
#include "line_int.h"

enum {
	/* the ack's way back: playout and capture queues (a few 10 ms
	   periods) and the DTMF detector's decision (~40 ms) */
	OHCID_PATH_MS = 100,
	OHCID_AFTER_TONE_MS = 20,    /* call-waiting tone end to the CAS */
};


static bool enabled(const struct line *ln)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);

	return ln->au && ln->lc->caller_id_waiting &&
		(m == ATA_CID_BELL202 || m == ATA_CID_V23);
}


static void op_mute(bool on, void *arg)
{
	struct line *ln = arg;

	line_audio_call_mute(ln->au, on);
}


static void op_play(enum offhook_cid_signal sig, void *arg)
{
	struct line *ln = arg;

	switch (sig) {

	case OHCID_SIG_CAS:
		line_audio_clip(ln->au, ln->ohcid_cas, ln->ohcid_cas_n);
		break;

	case OHCID_SIG_FSK:
		line_audio_clip(ln->au, ln->ohcid_fsk, ln->ohcid_fsk_n);
		break;

	default:
		line_audio_clip(ln->au, NULL, 0);
		break;
	}
}


static void machine_timeout(void *arg)
{
	struct line *ln = arg;

	offhook_cid_timeout(&ln->ohcid);
}


static void op_timer(uint32_t ms, void *arg)
{
	struct line *ln = arg;

	if (ms)
		tmr_start(&ln->tmr_ohcid, ms, machine_timeout, ln);
	else
		tmr_cancel(&ln->tmr_ohcid);
}


static void release(struct line *ln)
{
	ln->ohcid_cas = mem_deref(ln->ohcid_cas);
	ln->ohcid_fsk = mem_deref(ln->ohcid_fsk);
	ln->ohcid_cas_n = ln->ohcid_fsk_n = 0;
}


static void op_done(enum offhook_cid_result res, void *arg)
{
	static const char *what[] = {
		"sent", "no acknowledgement from the phone, not sent",
		"stopped"
	};
	struct line *ln = arg;

	ata_info("line %u: caller ID on call waiting: %s\n", ln->id,
		 what[res]);
	release(ln);
}


static const struct offhook_cid_ops ohcid_ops = {
	.mute  = op_mute,
	.play  = op_play,
	.timer = op_timer,
	.done  = op_done,
};


void line_offhook_cid_init(struct line *ln)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);

	tmr_init(&ln->tmr_ohcid);
	tmr_init(&ln->tmr_ohcid_cw);
	offhook_cid_init(&ln->ohcid, &ohcid_ops, ln);

	if (ln->lc->caller_id_waiting && m == ATA_CID_DTMF && ln->au)
		ata_info("line %u: caller ID on call waiting: DTMF caller ID "
			 "has no off-hook form, none sent\n", ln->id);
}


/* The CAS and the FSK for the waiting call; 0 or an errno */
static int render(struct line *ln)
{
	enum fsk_std std = line_clip_mode(ln->lc) == ATA_CID_V23 ?
		FSK_V23 : FSK_BELL202;
	struct clip_caller c;
	struct clip_msg msg;
	size_t n;
	int err;

	line_clip_caller(&c, call_caller(ln->fsm.waiting));
	err = clip_msg_mdmf(&msg, &c);
	if (err)
		return err;

	n = clip_cas_samples();
	ln->ohcid_cas = mem_alloc(n * sizeof(int16_t), NULL);
	n = clip_fsk_samples_offhook(msg.len);
	ln->ohcid_fsk = mem_alloc(n * sizeof(int16_t), NULL);
	if (!ln->ohcid_cas || !ln->ohcid_fsk)
		return ENOMEM;

	ln->ohcid_cas_n = clip_cas_render(ln->ohcid_cas, clip_cas_samples(),
					  CLIP_CAS_CDB);
	ln->ohcid_fsk_n = clip_fsk_render_offhook(ln->ohcid_fsk, n, std,
						  &msg, CLIP_LEVEL_CDB);

	return ln->ohcid_cas_n && ln->ohcid_fsk_n ? 0 : EINVAL;
}


static void tone_over(void *arg)
{
	struct line *ln = arg;
	int err;

	if (ln->fsm.st != LINE_CONNECTED || !ln->fsm.waiting ||
	    offhook_cid_busy(&ln->ohcid))
		return;

	/* no detector (dtmf_detect: off, a fax or modem call): no answer
	   could be heard, so the call is not muted for nothing */
	if (!line_fax_dtmf_on(ln)) {
		ata_info("line %u: caller ID on call waiting: the handset "
			 "DTMF detector is off, none sent\n", ln->id);
		return;
	}

	err = render(ln);
	if (!err)
		err = offhook_cid_start(&ln->ohcid,
					(uint32_t)(ln->ohcid_cas_n / 8),
					(uint32_t)(ln->ohcid_fsk_n / 8),
					OHCID_PATH_MS);
	if (err) {
		ata_warn("line %u: caller ID on call waiting: %m\n", ln->id,
			 err);
		release(ln);
	}
}


/* The call-waiting tone's first burst: its cadence to the last pause */
static uint32_t burst_ms(const struct line *ln)
{
	const struct ata_tone_spec *ts;
	uint32_t ms = 0;
	unsigned i;

	if (!ln->lc->tone)
		return 300;

	ts = &ln->lc->tone->tone[ATA_TONE_CALLWAIT];
	if (ts->ncadence < 2)
		return 300;
	for (i = 0; i + 1 < ts->ncadence; i++)
		ms += ts->cadence_ms[i];

	return ms;
}


/** The line state machine plays @p tone: call waiting starts it */
void line_offhook_cid_tone(struct line *ln, int tone)
{
	if (tone != ATA_TONE_CALLWAIT) {
		tmr_cancel(&ln->tmr_ohcid_cw);
		offhook_cid_stop(&ln->ohcid);
		return;
	}

	if (!enabled(ln) || offhook_cid_busy(&ln->ohcid))
		return;

	tmr_start(&ln->tmr_ohcid_cw, burst_ms(ln) + OHCID_AFTER_TONE_MS,
		  tone_over, ln);
}


/** The line left the call (on-hook, held, busy): stop, unmuted */
void line_offhook_cid_state(struct line *ln, enum line_state st)
{
	if (st == LINE_CONNECTED)
		return;

	tmr_cancel(&ln->tmr_ohcid_cw);
	offhook_cid_stop(&ln->ohcid);
}


/** A handset key: true when the sequence takes it */
bool line_offhook_cid_key(struct line *ln, char key, bool end)
{
	return offhook_cid_key(&ln->ohcid, key, end);
}


void line_offhook_cid_close(struct line *ln)
{
	tmr_cancel(&ln->tmr_ohcid_cw);
	offhook_cid_stop(&ln->ohcid);
	tmr_cancel(&ln->tmr_ohcid);
	release(ln);
}
