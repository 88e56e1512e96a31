/**
 * @file line_metrics.c  Each line's RTP and xrun counters, kept across
 *                       calls and line restarts
 *
 * A call's RTP counters live in its call_media and an xrun count in the
 * line's audio; both go when the call or the line does (every `reload`
 * restarts the lines). So a call's counters are added to its line's
 * retired totals as the line lets go of it, and the line's as it goes;
 * a reading is retired plus live. The totals are kept by line id in a
 * small table that lives as long as the process. Main thread only.
 */
#include <string.h>
#include "ataua.h"
#include "call/call.h"
#include "line.h"
#include "line_audio.h"
#include "line_int.h"
#include "line_metrics.h"
#include "phone.h"

enum { RETIRED_MAX = 32 };

static struct {
	struct line_metrics v[RETIRED_MAX];
	size_t n;
} retired;


static struct line_metrics *retired_get(uint32_t id, bool add)
{
	size_t i;

	for (i = 0; i < retired.n; i++) {
		if (retired.v[i].line == id)
			return &retired.v[i];
	}

	if (!add || retired.n >= RETIRED_MAX)
		return NULL;

	memset(&retired.v[retired.n], 0, sizeof(retired.v[0]));
	retired.v[retired.n].line = id;

	return &retired.v[retired.n++];
}


static void live_add(struct line_metrics *lm, const struct line *ln)
{
	struct line_audio_stats st;
	size_t i;

	for (i = 0; i < LINE_CALLS_MAX; i++)
		call_rtp_counters(ln->callv[i], &lm->rtp);

	if (ln->au) {
		line_audio_stats(ln->au, &st);
		lm->xruns += st.xruns;
	}
}


/** The line lets go of a call: keep what its RTP counted */
void line_metrics_call_done(const struct line *ln, const struct call *call)
{
	struct line_metrics *lm = ln ? retired_get(ln->id, true) : NULL;

	if (lm)
		call_rtp_counters(call, &lm->rtp);
}


/** The line goes (stop, reload): keep its calls' and device counters */
void line_metrics_line_done(const struct line *ln)
{
	struct line_metrics *lm = ln ? retired_get(ln->id, true) : NULL;

	if (lm)
		live_add(lm, ln);
}


/**
 * Hand each line's totals to h: every line running now and every line
 * that ran since the start, by id (a line dropped from the config stays)
 */
void line_metrics_collect(line_metrics_h *h, void *arg)
{
	struct line_metrics lm;
	struct line *ln;
	size_t i;

	if (!h)
		return;

	/* a running line is in the table from here on */
	for (i = 0; i < phone_line_count(); i++) {
		ln = phone_line_at(i);
		if (ln)
			(void)retired_get(ln->id, true);
	}

	for (i = 0; i < retired.n; i++) {
		lm = retired.v[i];
		ln = phone_line(lm.line);
		if (ln)
			live_add(&lm, ln);
		h(&lm, arg);
	}
}
