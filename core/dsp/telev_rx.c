/** @file telev_rx.c  RFC 4733 telephone-event receiver: each event once */
#include <errno.h>
#include <string.h>
#include <re.h>

#include "telev.h"

/*
 * An event is identified by its RTP timestamp. The receiver keeps the
 * newest segment (its event code and whether an end packet was seen) and
 * a short history of the timestamps it has seen, so that:
 *
 *  - more packets with a known timestamp (updates, the redundant end
 *    packets, duplicates) are not new;
 *  - a later timestamp with the same event, no end seen, no marker, and
 *    at most two segments ahead continues a long event (RFC 4733
 *    2.5.1.3) and is not new;
 *  - an earlier timestamp that is not in the history and at most one
 *    segment old is an event overtaken by a later one: new, once.
 */
struct telev_rx {
	bool have;          /* a newest segment exists               */
	uint32_t ts;        /* newest segment                        */
	uint8_t event;
	bool ended;         /* an end packet of it was seen          */
	uint32_t histv[TELEV_RX_HISTORY];  /* timestamps seen */
	unsigned nhist;
	unsigned hist_next;
};


static void remember(struct telev_rx *rx, uint32_t ts)
{
	rx->histv[rx->hist_next] = ts;
	rx->hist_next = (rx->hist_next + 1) % TELEV_RX_HISTORY;
	if (rx->nhist < TELEV_RX_HISTORY)
		++rx->nhist;
}


static bool known(const struct telev_rx *rx, uint32_t ts)
{
	for (unsigned i = 0; i < rx->nhist; i++) {
		if (rx->histv[i] == ts)
			return true;
	}

	return false;
}


/**
 * Allocate a receiver
 *
 * @param rxp Pointer to allocated receiver
 *
 * @return 0 if success, EINVAL, ENOMEM
 */
int telev_rx_alloc(struct telev_rx **rxp)
{
	struct telev_rx *rx;

	if (!rxp)
		return EINVAL;

	rx = mem_zalloc(sizeof(*rx), NULL);
	if (!rx)
		return ENOMEM;

	*rxp = rx;

	return 0;
}


/**
 * Forget all events, e.g. when the SSRC changes
 *
 * @param rx Receiver
 */
void telev_rx_reset(struct telev_rx *rx)
{
	if (rx)
		memset(rx, 0, sizeof(*rx));
}


/**
 * Take one telephone-event packet
 *
 * @param rx     Receiver
 * @param ts     RTP timestamp
 * @param marker RTP marker bit
 * @param buf    Payload
 * @param n      Payload length
 * @param ev     Decoded payload
 * @param newp   Set to true if this packet starts an event not seen yet
 *
 * @return 0 if success, EINVAL, EBADMSG for a malformed payload
 */
int telev_rx_recv(struct telev_rx *rx, uint32_t ts, bool marker,
		  const uint8_t *buf, size_t n, struct telev_ev *ev,
		  bool *newp)
{
	int32_t d;
	int err;

	if (!rx || !buf || !ev || !newp)
		return EINVAL;

	*newp = false;

	err = telev_decode(ev, buf, n);
	if (err)
		return err;

	d = rx->have ? (int32_t)(ts - rx->ts) : 1;

	if (d == 0) {
		rx->ended |= ev->end;
		return 0;
	}

	if (d < 0) {
		if (known(rx, ts) || -(int64_t)d > TELEV_DURATION_MAX)
			return 0;

		remember(rx, ts);
		*newp = true;
		return 0;
	}

	*newp = !(rx->have && ev->event == rx->event && !rx->ended &&
		  !marker && d <= 2 * TELEV_DURATION_MAX);

	rx->have = true;
	rx->ts = ts;
	rx->event = ev->event;
	rx->ended = ev->end;
	remember(rx, ts);

	return 0;
}
