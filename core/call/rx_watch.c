/**
 * @file rx_watch.c  One-way audio: nothing received while we send (pure)
 *
 * Looked at every few seconds with the call's RTP counters. While
 * the call should carry audio both ways (@p expect: established, both
 * directions agreed, not on hold), a stretch of @p limit_ms in which
 * our packets went out and none came in is one-way audio: said once
 * (RX_WATCH_ONE_WAY), and once more when packets arrive again
 * (RX_WATCH_BACK). A look where we sent nothing, or where audio is not
 * expected (hold, early media, a new offer/answer), starts the stretch
 * again: silence both ways is no fault of the path, and after a
 * re-INVITE the peer's stream gets a whole limit to arrive.
 */
#include <string.h>
#include "rx_watch.h"


void rx_watch_reset(struct rx_watch *w)
{
	if (w)
		memset(w, 0, sizeof(*w));
}


/** A new offer/answer: the stretch starts again at the next look (a
 *  ONE_WAY said stays, so that audio coming back is still told) */
void rx_watch_restart(struct rx_watch *w)
{
	if (w)
		w->started = false;
}


/**
 * One look at the counters. @p now_ms is monotonic; @p limit_ms 0 is
 * RX_WATCH_DEFAULT_MS. Returns what is to be said now, if anything.
 */
enum rx_watch_ev rx_watch_tick(struct rx_watch *w, uint64_t now_ms,
			       uint64_t rx, uint64_t tx, bool expect,
			       uint32_t limit_ms)
{
	bool got, sent;

	if (!w)
		return RX_WATCH_NONE;

	if (!limit_ms)
		limit_ms = RX_WATCH_DEFAULT_MS;

	got = w->started && rx > w->rx;
	sent = w->started && tx > w->tx;
	if (!w->started)
		w->since = now_ms;
	w->started = true;
	w->rx = rx;
	w->tx = tx;

	if (got) {
		w->since = now_ms;
		if (w->oneway_at) {
			w->oneway_at = 0;
			return RX_WATCH_BACK;
		}
		return RX_WATCH_NONE;
	}

	if (!expect || !sent) {
		w->since = now_ms;
		return RX_WATCH_NONE;
	}

	if (w->oneway_at || now_ms - w->since < limit_ms)
		return RX_WATCH_NONE;

	w->oneway_at = now_ms;

	return RX_WATCH_ONE_WAY;
}
