/**
 * @file line_metrics.h  Each line's RTP and device counters for the
 *                       metrics, kept across line restarts
 */
#ifndef ATA_LINE_METRICS_H
#define ATA_LINE_METRICS_H

#include <stdint.h>
#include "call/call.h"

struct line;

/** What one line has counted since the daemon started */
struct line_metrics {
	uint32_t line;
	struct call_rtp_counters rtp;
	uint64_t xruns;
};

typedef void (line_metrics_h)(const struct line_metrics *lm, void *arg);

void line_metrics_call_done(const struct line *ln, const struct call *call);
void line_metrics_line_done(const struct line *ln);
void line_metrics_collect(line_metrics_h *h, void *arg);

#endif
