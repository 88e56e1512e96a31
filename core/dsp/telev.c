/** @file telev.c  RFC 4733 telephone-event payload and sender */
#include <errno.h>
#include <string.h>
#include <re.h>

#include "telev.h"

static const char event_chars[] = "0123456789*#ABCD";

struct telev_tx {
	bool active;        /* an event is being sent                */
	bool stopping;      /* key released: sending end packets     */
	bool marked;        /* the marker packet has gone            */
	uint8_t event;
	uint8_t volume;
	uint32_t seg_ts;    /* timestamp of the current segment      */
	uint32_t end_ts;    /* when the key was released             */
	unsigned ends_sent;
};


/**
 * Write a telephone-event payload
 *
 * @param buf Destination
 * @param sz  Size of @p buf, at least TELEV_PAYLOAD_SIZE
 * @param ev  Event
 *
 * @return 0 if success, EINVAL for a NULL argument or a volume above 63,
 *         EOVERFLOW if @p buf is too small
 */
int telev_encode(uint8_t *buf, size_t sz, const struct telev_ev *ev)
{
	if (!buf || !ev || ev->volume > TELEV_VOLUME_MAX)
		return EINVAL;

	if (sz < TELEV_PAYLOAD_SIZE)
		return EOVERFLOW;

	buf[0] = ev->event;
	buf[1] = (uint8_t)((ev->end ? 0x80 : 0) | ev->volume);
	buf[2] = (uint8_t)(ev->duration >> 8);
	buf[3] = (uint8_t)(ev->duration & 0xff);

	return 0;
}


/**
 * Read a telephone-event payload; the R bit is ignored
 *
 * @param ev  Decoded event
 * @param buf Payload
 * @param n   Payload length: 4, or a multiple of 4 (the first is read)
 *
 * @return 0 if success, EINVAL for NULL, EBADMSG for a bad length
 */
int telev_decode(struct telev_ev *ev, const uint8_t *buf, size_t n)
{
	if (!ev || !buf)
		return EINVAL;

	if (n < TELEV_PAYLOAD_SIZE || n % TELEV_PAYLOAD_SIZE)
		return EBADMSG;

	ev->event    = buf[0];
	ev->end      = (buf[1] & 0x80) != 0;
	ev->volume   = buf[1] & 0x3f;
	ev->duration = (uint16_t)((buf[2] << 8) | buf[3]);

	return 0;
}


/**
 * Event code of a DTMF key
 *
 * @param c One of 0-9 * # A-D (a-d)
 *
 * @return Event code 0..15, or -1 if @p c is not a key
 */
int telev_char2event(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');

	p = c ? strchr(event_chars, c) : NULL;

	return p ? (int)(p - event_chars) : -1;
}


/**
 * DTMF key of an event code
 *
 * @param event Event code
 *
 * @return One of 0-9 * # A-D, or '\0' if @p event is not a DTMF event
 */
char telev_event2char(int event)
{
	if (event < 0 || event > 15)
		return '\0';

	return event_chars[event];
}


/**
 * Allocate a sender for one event at a time
 *
 * @param txp Pointer to allocated sender
 *
 * @return 0 if success, EINVAL, ENOMEM
 */
int telev_tx_alloc(struct telev_tx **txp)
{
	struct telev_tx *tx;

	if (!txp)
		return EINVAL;

	tx = mem_zalloc(sizeof(*tx), NULL);
	if (!tx)
		return ENOMEM;

	*txp = tx;

	return 0;
}


/**
 * Start an event (key pressed)
 *
 * @param tx     Sender
 * @param event  Event code
 * @param volume Power level, 0..63 (-dBm0)
 * @param ts     RTP timestamp of the start
 *
 * @return 0 if success, EINVAL, EBUSY while the previous event is sent
 */
int telev_tx_start(struct telev_tx *tx, uint8_t event, uint8_t volume,
		   uint32_t ts)
{
	if (!tx || volume > TELEV_VOLUME_MAX)
		return EINVAL;

	if (tx->active)
		return EBUSY;

	memset(tx, 0, sizeof(*tx));
	tx->active = true;
	tx->event  = event;
	tx->volume = volume;
	tx->seg_ts = ts;

	return 0;
}


/**
 * End the event (key released); the end packets follow from poll
 *
 * @param tx Sender
 * @param ts RTP timestamp of the end (not before the start)
 *
 * @return 0 if success, EINVAL, ENOENT if no event, EALREADY if stopped
 */
int telev_tx_stop(struct telev_tx *tx, uint32_t ts)
{
	if (!tx)
		return EINVAL;

	if (!tx->active)
		return ENOENT;

	if (tx->stopping)
		return EALREADY;

	tx->stopping = true;
	tx->end_ts = (int32_t)(ts - tx->seg_ts) < 0 ? tx->seg_ts : ts;

	return 0;
}


/**
 * The packet to send at this packet time, if any
 *
 * @param tx  Sender
 * @param now Current RTP timestamp
 * @param pkt Packet to send, filled when true is returned
 *
 * @return true if @p pkt is to be sent
 */
bool telev_tx_poll(struct telev_tx *tx, uint32_t now, struct telev_pkt *pkt)
{
	uint32_t at, span;
	int32_t d;

	if (!tx || !pkt || !tx->active)
		return false;

	at = tx->stopping ? tx->end_ts : now;
	d = (int32_t)(at - tx->seg_ts);
	span = d < 0 ? 0 : (uint32_t)d;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ts = tx->seg_ts;
	pkt->marker = !tx->marked;
	pkt->ev.event = tx->event;
	pkt->ev.volume = tx->volume;
	tx->marked = true;

	if (span > TELEV_DURATION_MAX) {
		/* the segment is full: close it, the next one goes on */
		pkt->ev.duration = TELEV_DURATION_MAX;
		tx->seg_ts += TELEV_DURATION_MAX;
	}
	else {
		pkt->ev.duration = (uint16_t)span;
		pkt->ev.end = tx->stopping;

		if (tx->stopping && ++tx->ends_sent >= TELEV_END_PACKETS)
			tx->active = false;
	}

	(void)telev_encode(pkt->payload, sizeof(pkt->payload), &pkt->ev);

	return true;
}


/**
 * Is an event still being sent (including its end packets)?
 *
 * @param tx Sender
 *
 * @return true if busy
 */
bool telev_tx_busy(const struct telev_tx *tx)
{
	return tx && tx->active;
}
