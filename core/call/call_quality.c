/**
 * @file call_quality.c  A call's figures: times, who ended it, and the
 *                       quality of the audio the phone hears
 *
 * The call marks its life here (start, answer, end and by whom); the
 * line asks call_quality() for `calls`, the history and the log line at
 * its end. The E-model's one-way delay is half the RTCP round trip (0
 * while RTCP has none: we do not guess the network), plus what the line
 * says it adds (jitter buffer and device), plus one packet time (the
 * sender fills a packet before it goes). The far end's own buffers are
 * unknown, so the estimate is a lower bound of the delay.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "ataua.h"
#include "call_priv.h"
#include "dsp/emodel.h"


/** The call's state changed (call_set_state) or it ended here (@p by) */
void call_quality_mark(struct call *call, enum call_state st,
		       const char *by)
{
	if (!call)
		return;

	if (!call->q_start)
		call->q_start = (uint64_t)time(NULL);

	if (st == CALL_ESTABLISHED && !call->q_answered)
		call->q_answered = tmr_jiffies();

	if (st == CALL_CLOSED && !call->q_ended) {
		call->q_ended = tmr_jiffies();
		call->q_by = by ? by : CALL_BY_ERROR;
	}
}


static void quality_rate(struct call_quality *q,
			 const struct call_media_meas *mm, uint32_t local_ms)
{
	struct emodel_in in = {
		.burst_r = 1.0, .ie = EMODEL_G711_IE, .bpl = EMODEL_G711_BPL,
	};

	q->rx_packets = mm->rx_pkts;
	q->rx_lost    = mm->rx_lost;
	q->measured   = mm->rx_pkts > 0;
	q->rtt_ms     = mm->rtt_known ?
		(int32_t)((mm->rtt_us + 500) / 1000) : -1;
	q->jitter_ms  = mm->jitter_us / 1000.0;
	q->loss_pct   = q->measured ? 100.0 * (double)mm->rx_lost /
		(double)(mm->rx_pkts + mm->rx_lost) : 0.0;
	q->delay_ms   = local_ms + mm->ptime +
		(q->rtt_ms > 0 ? (uint32_t)q->rtt_ms / 2 : 0);

	in.delay_ms = q->delay_ms;
	in.loss_pct = q->loss_pct;
	q->r   = emodel_r(&in);
	q->mos = emodel_mos(q->r);
}


/**
 * The call's figures now, or at its end once it ended. @p local_ms is
 * the delay the line adds on receive (jitter buffer, device).
 * @return 0 or EINVAL
 */
int call_quality(const struct call *call, uint32_t local_ms,
		 struct call_quality *q)
{
	struct call_media_meas mm;
	uint64_t end;

	if (!call || !q)
		return EINVAL;

	memset(q, 0, sizeof(*q));
	q->id       = call->id;
	q->incoming = call->incoming;
	str_ncpy(q->peer, call->peer ? call->peer : "", sizeof(q->peer));
	q->start    = call->q_start;
	q->by       = call->q_by;
	end         = call->q_ended ? call->q_ended : tmr_jiffies();
	if (call->q_answered && end > call->q_answered)
		q->dur_ms = (uint32_t)(end - call->q_answered);

	call_media_measure(call->media, &mm);
	q->codec = !mm.negotiated ? "none" :
		mm.pt == CALL_PT_PCMA ? "pcma" : "pcmu";
	quality_rate(q, &mm, local_ms);

	return 0;
}


/* x with two decimals, or "-" when nothing was measured */
static int print_fixed(struct re_printf *pf, bool valid, double x)
{
	long v;

	if (!valid)
		return re_hprintf(pf, "-");

	v = (long)(x * 100.0 + 0.5);

	return re_hprintf(pf, "%ld.%02ld", v / 100, v % 100);
}


/**
 * The quality keys, each followed by @p sep ('\n' for `calls`, ' ' for
 * one-line records): loss_pct jitter_ms rtt_ms delay_ms r_factor mos,
 * "-" for what was not measured
 */
int call_quality_print(struct re_printf *pf, const struct call_quality *q,
		       char sep)
{
	int err;

	if (!q)
		return 0;

	err  = re_hprintf(pf, "loss_pct=");
	err |= print_fixed(pf, q->measured, q->loss_pct);
	err |= re_hprintf(pf, "%cjitter_ms=", sep);
	err |= print_fixed(pf, q->measured, q->jitter_ms);
	if (q->rtt_ms >= 0)
		err |= re_hprintf(pf, "%crtt_ms=%d", sep, q->rtt_ms);
	else
		err |= re_hprintf(pf, "%crtt_ms=-", sep);
	if (q->measured)
		err |= re_hprintf(pf, "%cdelay_ms=%u", sep, q->delay_ms);
	else
		err |= re_hprintf(pf, "%cdelay_ms=-", sep);
	err |= re_hprintf(pf, "%cr_factor=", sep);
	err |= print_fixed(pf, q->measured, q->r);
	err |= re_hprintf(pf, "%cmos=", sep);
	err |= print_fixed(pf, q->measured, q->mos);
	err |= re_hprintf(pf, "%c", sep);

	return err;
}
