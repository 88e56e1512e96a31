/**
 * @file line_mwi.c  Message waiting on one line: state, event, tones
 *
 * The account's summaries (core/sip/mwi.c) arrive here; a change of
 * what waits is an MWI event and shows in `atactl line N`. While
 * messages wait and `mwi: on`, going off-hook plays the profile's
 * stutter dial tone instead of the dial tone (us: stutter, then
 * steady). The visual indication (MDMF message waiting by FSK, sent
 * on-hook) is line_vmwi.c's.
 */
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "conf/config.h"
#include "dsp/tone.h"
#include "line_int.h"
#include "sip/mwi.h"
#include "sip/reg.h"


static void summary_handler(const struct mwi_sum *sum, void *arg)
{
	struct line *ln = arg;

	if (sum->waiting == ln->mwi_waiting && sum->new_msgs == ln->mwi_new
	    && sum->old_msgs == ln->mwi_old)
		return;

	ln->mwi_waiting = sum->waiting;
	ln->mwi_new = sum->new_msgs;
	ln->mwi_old = sum->old_msgs;

	ata_event(ATA_LOG_NOTICE, ATA_EVENT_MWI,
		  "line=%u waiting=%s new=%u old=%u", ln->id,
		  ln->mwi_waiting ? "yes" : "no", ln->mwi_new, ln->mwi_old);

	if (ln->lc->mwi)
		line_vmwi_change(ln);
}


/** The line's account (if any) takes message-waiting NOTIFYs */
int line_mwi_start(struct line *ln)
{
	if (!ln->reg)
		return 0;

	return mwi_alloc(&ln->mwi, ln->ss, ln->reg, summary_handler, ln);
}


/** Registered: the subscription may start (mwi: off, it never does) */
void line_mwi_reg(struct line *ln, int reg_state)
{
	if (reg_state == REG_OK && ln->lc->mwi)
		mwi_registered(ln->mwi);
}


/** The tone to play for @p tone: the dial tone stutters while waiting */
int line_mwi_tone(const struct line *ln, int tone)
{
	if (tone == ATA_TONE_DIAL && ln->mwi_waiting && ln->lc->mwi)
		return ATA_TONE_STUTTER;

	return tone;
}


int line_mwi_status(struct re_printf *pf, const struct line *ln)
{
	return re_hprintf(pf, " mwi=%s mwi_new=%u mwi_old=%u",
			  ln->mwi_waiting ? "yes" : "no", ln->mwi_new,
			  ln->mwi_old);
}
