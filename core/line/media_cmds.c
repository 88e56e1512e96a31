/**
 * @file media_cmds.c  The `stats` verb: each line's audio path and call
 *
 * `stats` or `stats N` prints, per line, the current call's RTP counters
 * (packets, lost, RTCP) and the jitter buffer and device counters (late,
 * duplicates, concealed, playout delay, jitter, xruns), one block per
 * line starting with `line=N`.
 */
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "call/call.h"
#include "line.h"
#include "line_int.h"
#include "phone.h"
#include "media_cmds.h"


static int line_stats(struct re_printf *pf, struct line *ln)
{
	int err;

	err = re_hprintf(pf, "line=%u\n", ln->id);
	if (ln->fsm.cur && ln->fsm.st == LINE_CONNECTED)
		err |= call_status(pf, ln->fsm.cur);
	err |= line_media_stats(pf, ln);

	return err;
}


static int cmd_stats(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct line *ln;
	uint32_t id = 0;
	size_t i;
	int err = 0;

	if (pl_isset(&ca->args)) {
		if (!ata_pl_isnum(&ca->args))
			return ata_cmd_fail(ca, EINVAL, "usage: stats [N]");
		id = pl_u32(&ca->args);
	}

	for (i = 0; i < phone_line_count(); i++) {
		ln = phone_line_at(i);
		if (!ln || (id && ln->id != id))
			continue;
		err |= line_stats(pf, ln);
		if (id)
			return err;
	}

	if (id)
		return ata_cmd_fail(ca, ENOENT, "no line %u", id);

	return err;
}


static const struct ata_cmd media_cmdv[] = {
	{ATA_VERB_STATS, cmd_stats},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *media_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(media_cmdv);
	return media_cmdv;
}
