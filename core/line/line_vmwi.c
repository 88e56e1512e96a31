/**
 * @file line_vmwi.c  Visual message waiting: the MDMF indication by FSK
 *
 * When what waits changes (line_mwi.c), the phone's lamp or display is
 * told by an MDMF message-waiting message (type 0x82, parameter 0x0b:
 * 0xff on, 0x00 off) sent on-hook without ringing, in the line's
 * caller ID modulation: Bell 202 (us, Telcordia SR-3004 non-ring VMWI)
 * or V.23 (ETSI EN 300 659-1, data not associated with ringing). The
 * transmission is that of on-hook caller ID: 300 bits of channel
 * seizure and the mark signal before the message (dsp/clip_fsk.c),
 * played through the same path (line_audio_clip()).
 *
 * Only while the line is idle: a state change while the phone is
 * off-hook, ringing or in a call waits for the line to go idle again,
 * then VMWI_SETTLE_MS more, so the phone is surely on-hook and its
 * receiver settled. Ringing or going off-hook during the data stops it
 * at once; it is sent again later. DTMF caller ID has no message
 * waiting indication: nothing is sent there, and the log says so.
 *
 * Polarity: ETSI's non-ring data starts with a line reversal (or an
 * open switching interval) that wakes many European phones, and BT
 * SIN 227 needs one too. No line driver exposes the SLIC's polarity,
 * so the plain US style is sent everywhere; a SLIC with a polarity
 * control would reverse the line VMWI_SETTLE_MS before the data (ETSI:
 * >= 100 ms before the first seizure bit, with a TE-alert tone in the
 * uk) and restore it after the message.
 */
#include "ataua.h"
#include "conf/config.h"
#include "dsp/clip.h"
#include "line_audio.h"
#include "line_int.h"

enum {
	VMWI_SETTLE_MS = 2000,    /* idle again to the data            */
};


static bool idle(const struct line *ln)
{
	return ln->fsm.st == LINE_IDLE && !ln->fsm.offhook;
}


static bool playing(const struct line *ln)
{
	return ln->vmwi_end && tmr_jiffies() < ln->vmwi_end;
}


static void vmwi_send(struct line *ln)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);
	enum fsk_std std = m == ATA_CID_V23 ? FSK_V23 : FSK_BELL202;
	struct clip_msg msg;
	int16_t *pcm;
	size_t n;
	int err;

	err = clip_msg_mwi(&msg, ln->mwi_waiting);
	if (err)
		goto out;

	n = clip_fsk_samples(std, msg.len);
	pcm = mem_alloc(n * sizeof(*pcm), NULL);
	if (!pcm) {
		err = ENOMEM;
		goto out;
	}

	n = clip_fsk_render(pcm, n, std, &msg, CLIP_LEVEL_CDB);
	/* the audio takes its own reference until the data ends */
	line_audio_clip(ln->au, pcm, n);
	mem_deref(pcm);

	ln->vmwi_due = false;
	ln->vmwi_end = tmr_jiffies() + n / 8 + 100;
	ata_info("line %u: visual MWI %s (%s, %u ms)\n", ln->id,
		 ln->mwi_waiting ? "on" : "off",
		 std == FSK_V23 ? "v23" : "bell202", (unsigned)(n / 8));

 out:
	if (err)
		ata_warn("line %u: visual MWI: %m\n", ln->id, err);
}


static void settled(void *arg)
{
	struct line *ln = arg;

	if (ln->vmwi_due && idle(ln))
		vmwi_send(ln);
}


/**
 * What waits changed (line_mwi.c, `mwi: on`): send the indication now
 * if the line is idle, else once it is idle again.
 */
void line_vmwi_change(struct line *ln)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);

	if (m == ATA_CID_OFF || !ln->au)
		return;

	if (m == ATA_CID_DTMF) {
		ata_info("line %u: visual MWI: DTMF caller ID has none, "
			 "not sent\n", ln->id);
		return;
	}

	ln->vmwi_due = true;
	if (idle(ln) && !tmr_isrunning(&ln->tmr_vmwi))
		vmwi_send(ln);
}


/**
 * The line state machine entered @p st: leaving idle stops the data
 * (sent again later); coming back to idle sends what is due after the
 * settle time.
 */
void line_vmwi_state(struct line *ln, enum line_state st)
{
	if (st != LINE_IDLE) {
		tmr_cancel(&ln->tmr_vmwi);
		if (playing(ln)) {
			line_audio_clip(ln->au, NULL, 0);
			ln->vmwi_due = true;
		}
		ln->vmwi_end = 0;
		return;
	}

	if (ln->vmwi_due)
		tmr_start(&ln->tmr_vmwi, VMWI_SETTLE_MS, settled, ln);
}


void line_vmwi_close(struct line *ln)
{
	tmr_cancel(&ln->tmr_vmwi);
}
