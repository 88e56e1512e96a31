/**
 * @file line_oneway.c  One-way audio in a call: said, not only heard
 *
 * A path that carries our RTP out but nothing back (UDP blocked one
 * way, a relay or a firewall losing the return path) leaves the phone
 * hearing silence while the far end hears us, and nothing else tells.
 * Every LOOK_MS while the line has calls, each call's counters are
 * looked at (core/call/rx_watch.c): LINE_ONEWAY_MS of nothing received
 * while we send, in an established sendrecv call, is a warning and an
 * event; packets coming back are a notice and another.
 */
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "call/call.h"
#include "call/rx_watch.h"
#include "line.h"
#include "line_int.h"

enum {
	LINE_ONEWAY_MS = RX_WATCH_DEFAULT_MS,
	/* said 5..7.5 s into the silence, its end within 2.5 s: the main
	   loop wakes for it 0.4 times a second in a call, not once (a
	   media-thread call wakes it for little else) */
	LOOK_MS = 2500,
};


static void look_handler(void *arg)
{
	struct line *ln = arg;
	struct call_rtp_counters c;
	bool any = false;
	size_t i;

	for (i = 0; i < LINE_CALLS_MAX; i++) {
		struct call *call = ln->callv[i];

		if (!call)
			continue;

		any = true;
		switch (call_rx_check(call, LINE_ONEWAY_MS, &c)) {

		case RX_WATCH_ONE_WAY:
			ata_warn("line %u: call %u: one-way audio: nothing "
				 "received for %u s while we send (%llu "
				 "packets out, %llu in)", ln->id,
				 call_id(call), LINE_ONEWAY_MS / 1000,
				 (unsigned long long)c.tx_pkts,
				 (unsigned long long)c.rx_pkts);
			ata_event(ATA_LOG_WARN, ATA_EVENT_ONE_WAY,
				  "line=%u id=%u dir=rx silent_ms=%u "
				  "tx_packets=%llu rx_packets=%llu", ln->id,
				  call_id(call), LINE_ONEWAY_MS,
				  (unsigned long long)c.tx_pkts,
				  (unsigned long long)c.rx_pkts);
			break;

		case RX_WATCH_BACK:
			ata_notice("line %u: call %u: audio received again",
				   ln->id, call_id(call));
			ata_event(ATA_LOG_NOTICE, ATA_EVENT_TWO_WAY,
				  "line=%u id=%u rx_packets=%llu", ln->id,
				  call_id(call),
				  (unsigned long long)c.rx_pkts);
			break;

		default:
			break;
		}
	}

	if (any)
		tmr_start(&ln->tmr_oneway, LOOK_MS, look_handler, ln);
}


/** A call joined the line: look at its audio until the line has none */
void line_oneway_watch(struct line *ln)
{
	if (ln && !tmr_isrunning(&ln->tmr_oneway))
		tmr_start(&ln->tmr_oneway, LOOK_MS, look_handler, ln);
}


void line_oneway_close(struct line *ln)
{
	if (ln)
		tmr_cancel(&ln->tmr_oneway);
}
