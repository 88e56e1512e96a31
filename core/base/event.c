/**
 * @file event.c  Format `<level>NAME k=v ...` events and hand them to a sink
 *
 * The control transport is the only sink today; keeping the formatting
 * here means modules never see the transport and tests can capture events
 * with a sink of their own.
 */
#include <string.h>
#include "ataua.h"
#include "event_tap.h"

enum { EVENT_LINE_MAX = 4096 };

static struct {
	ata_event_sink_h *h;
	void *arg;
} sink, tap;


/**
 * Set (or with NULL clear) the one event sink of the process
 *
 * The sink gets the complete wire line without the trailing newline.
 */
void ata_event_set_sink(ata_event_sink_h *sinkh, void *arg)
{
	sink.h   = sinkh;
	sink.arg = sinkh ? arg : NULL;
}


/**
 * Set (or with NULL clear) the tap: it sees every event line the sink
 * sees, and also while no sink is set (the metrics count from it).
 */
void event_tap_set(ata_event_sink_h *taph, void *arg)
{
	tap.h   = taph;
	tap.arg = taph ? arg : NULL;
}


/*
 * Values may quote outside input (a SIP reason phrase): a CR or LF in it
 * would let a remote party forge event or reply lines, so replace them.
 */
static void sanitize(char *p)
{
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}


/* A too-long line is cut and marked, never dropped or sent without values */
void ata_event(enum ata_log_level lvl, const char *name,
	       const char *fmt, ...)
{
	char *kv = NULL, *line = NULL;
	va_list ap;
	int err = 0;

	if ((!sink.h && !tap.h) || !str_isset(name))
		return;

	if (lvl < ATA_LOG_ERR)
		lvl = ATA_LOG_ERR;
	else if (lvl > ATA_LOG_DEBUG)
		lvl = ATA_LOG_DEBUG;

	if (fmt) {
		va_start(ap, fmt);
		err = re_vsdprintf(&kv, fmt, ap);
		va_end(ap);
	}

	if (!err)
		err = re_sdprintf(&line, "<%d>%s%s%s", (int)lvl, name,
				  kv ? " " : "", kv ? kv : "");
	if (err)
		goto out;

	if (str_len(line) > EVENT_LINE_MAX)
		memcpy(line + EVENT_LINE_MAX - 3, "...", 4);

	sanitize(line);
	if (sink.h)
		sink.h(lvl, line, sink.arg);
	if (tap.h)
		tap.h(lvl, line, tap.arg);

 out:
	mem_deref(line);
	mem_deref(kv);
}
