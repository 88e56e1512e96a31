/**
 * @file line_history.c  Each finished call: one log line and a history
 *                       record; the `history [N]` verb
 *
 * The history belongs to the daemon, not to the lines: it opens with
 * the daemon, takes a new size on reload (history.calls) and survives
 * the lines' restarts. A line reports each call it releases exactly
 * once (line_history_end, before line_call_release), with the SIP
 * status and reason that ended it; who ended it the call itself knows
 * (CALL_BY_*). The quality's one-way delay counts the line's receive
 * delay: the jitter buffer's depth plus half a device period, the
 * centre of what line_media.c promises.
 */
#include <string.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "call/call.h"
#include "history.h"
#include "line.h"
#include "line_int.h"
#include "line_history.h"

static struct history *hist;


int line_history_open(size_t size)
{
	hist = mem_deref(hist);

	return history_alloc(&hist, size);
}


int line_history_resize(size_t size)
{
	return hist ? history_resize(hist, size) : line_history_open(size);
}


void line_history_close(void)
{
	hist = mem_deref(hist);
}


/* The delay this line adds to what the phone hears */
static uint32_t line_rx_delay_ms(const struct line *ln)
{
	const struct ata_conf_media *m = &ln->cfg->media;

	return m->jitter_delay_ms + m->period_ms / 2;
}


/** The line's figures of @p call for `calls`, one key a line */
int line_history_quality(struct re_printf *pf, const struct line *ln,
			 const struct call *call)
{
	struct call_quality q;
	int err;

	err = call_quality(call, line_rx_delay_ms(ln), &q);
	if (err)
		return err;

	return call_quality_print(pf, &q, '\n');
}


static int rec_print(struct re_printf *pf, void *arg)
{
	return history_rec_print(pf, arg, false);
}


/**
 * @p call of @p ln ended (@p scode and @p reason say why): log it, keep
 * it. Only a call the line still holds counts, so each call once.
 */
void line_history_end(struct line *ln, struct call *call, uint16_t scode,
		      const char *reason)
{
	struct history_rec rec;
	size_t i;

	for (i = 0; i < LINE_CALLS_MAX; i++) {
		if (call && ln->callv[i] == call)
			break;
	}
	if (i == LINE_CALLS_MAX)
		return;

	memset(&rec, 0, sizeof(rec));
	rec.line  = ln->id;
	rec.scode = scode;
	history_set_reason(&rec, reason);
	if (call_quality(call, line_rx_delay_ms(ln), &rec.q))
		return;

	ata_info("call end: %H\n", rec_print, &rec);
	history_add(hist, &rec);
}


static int cmd_history(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	uint32_t n = 0;

	/* 0 is refused, not taken as "all": leave N out for all */
	if (pl_isset(&ca->args)) {
		if (ata_pl_isnum(&ca->args) && ca->args.l <= 5)
			n = pl_u32(&ca->args);
		if (n < 1 || n > HISTORY_MAX)
			return ata_cmd_fail(ca, EINVAL, "usage: history [N], "
					    "N 1..%u", HISTORY_MAX);
	}

	return history_print(pf, hist, n);
}


static const struct ata_cmd history_cmdv[] = {
	{ATA_VERB_HISTORY, cmd_history},
};


const struct ata_cmd *line_history_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(history_cmdv);
	return history_cmdv;
}
