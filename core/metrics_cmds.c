/**
 * @file metrics_cmds.c  The `metrics` verb: the daemon's counters and
 *                       gauges in Prometheus' text exposition format
 *
 * The wiring of the metrics: one registry (core/base/metrics.c) for the
 * daemon's life, so a `reload` keeps every counter. Calls,
 * registrations, NAT verdicts and device errors are counted from the
 * event stream (core/base/metrics_ev.c, through the event tap); RTP and
 * xrun counters are read from the lines when asked
 * (core/line/line_metrics.c), as are uptime and start time.
 */
#include <time.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "base/event_tap.h"
#include "base/metrics.h"
#include "base/metrics_ev.h"
#include "base/version.h"
#include "line/line_metrics.h"
#include "metrics_cmds.h"

static struct {
	struct metrics *m;
	struct metrics_ev *ev;
	uint64_t started;          /* tmr_jiffies() */
	uint64_t start_time;       /* seconds since the epoch */
} mc;

static const struct {
	const char *name, *help;
	enum metrics_type type;
} familyv[] = {
	{"ataua_build_info", "The running version (1)", METRICS_GAUGE},
	{"ataua_start_time_seconds", "When the daemon started, in seconds "
	 "since the epoch", METRICS_GAUGE},
	{"ataua_uptime_seconds", "Seconds since the daemon started",
	 METRICS_GAUGE},
	{"ataua_rtp_packets_total", "RTP packets by line and direction "
	 "(rx, tx)", METRICS_COUNTER},
	{"ataua_rtp_bytes_total", "RTP payload bytes by line and direction "
	 "(rx, tx)", METRICS_COUNTER},
	{"ataua_rtp_lost_packets_total", "Received RTP packets lost (gaps "
	 "in the sequence not filled later) by line", METRICS_COUNTER},
	{"ataua_audio_xruns_total", "Audio device over- and underruns by "
	 "line", METRICS_COUNTER},
};


static void tap_handler(enum ata_log_level lvl, const char *line, void *arg)
{
	(void)lvl;
	(void)arg;

	metrics_ev_feed(mc.ev, line);
}


/** The registry and the event tap, before anything sends an event */
int metrics_cmds_open(void)
{
	size_t i;
	int err;

	metrics_cmds_close();

	err = metrics_alloc(&mc.m);
	for (i = 0; i < ARRAY_SIZE(familyv) && !err; i++)
		err = metrics_family(mc.m, familyv[i].name, familyv[i].type,
				     familyv[i].help);
	if (!err)
		err = metrics_ev_alloc(&mc.ev, mc.m);
	if (err) {
		metrics_cmds_close();
		return err;
	}

	mc.started = tmr_jiffies();
	mc.start_time = (uint64_t)time(NULL);
	event_tap_set(tap_handler, NULL);

	return 0;
}


void metrics_cmds_close(void)
{
	event_tap_set(NULL, NULL);
	mc.ev = mem_deref(mc.ev);
	mc.m = mem_deref(mc.m);
}


static void line_handler(const struct line_metrics *lm, void *arg)
{
	struct metrics *m = arg;
	char ln[12];

	(void)re_snprintf(ln, sizeof(ln), "%u", lm->line);

	(void)metrics_set(m, "ataua_rtp_packets_total", lm->rtp.rx_pkts,
			  "line", ln, "dir", "rx", NULL);
	(void)metrics_set(m, "ataua_rtp_packets_total", lm->rtp.tx_pkts,
			  "line", ln, "dir", "tx", NULL);
	(void)metrics_set(m, "ataua_rtp_bytes_total", lm->rtp.rx_bytes,
			  "line", ln, "dir", "rx", NULL);
	(void)metrics_set(m, "ataua_rtp_bytes_total", lm->rtp.tx_bytes,
			  "line", ln, "dir", "tx", NULL);
	(void)metrics_set(m, "ataua_rtp_lost_packets_total",
			  lm->rtp.rx_lost, "line", ln, NULL);
	(void)metrics_set(m, "ataua_audio_xruns_total", lm->xruns,
			  "line", ln, NULL);
	/* counted from events (metrics_ev.c): shown at 0 before the first */
	(void)metrics_add(m, "ataua_audio_device_errors_total", 0,
			  "line", ln, NULL);
	(void)metrics_add(m, "ataua_calls_one_way_total", 0,
			  "line", ln, NULL);
}


static int cmd_metrics(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	if (pl_isset(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: metrics");

	if (!mc.m)
		return ata_cmd_fail(ca, ENODEV, "no metrics");

	(void)metrics_set(mc.m, "ataua_build_info", 1, "version",
			  ATAUA_VERSION, NULL);
	(void)metrics_set(mc.m, "ataua_start_time_seconds", mc.start_time,
			  NULL);
	(void)metrics_set(mc.m, "ataua_uptime_seconds",
			  (tmr_jiffies() - mc.started) / 1000, NULL);
	line_metrics_collect(line_handler, mc.m);

	return metrics_print(pf, mc.m);
}


static const struct ata_cmd metrics_cmdv[] = {
	{ATA_VERB_METRICS, cmd_metrics},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *metrics_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(metrics_cmdv);
	return metrics_cmdv;
}
