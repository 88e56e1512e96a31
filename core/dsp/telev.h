/**
 * @file telev.h  RFC 4733 telephone-event: payload, sender and receiver
 *
 * Payload (4 bytes): event (8 bits), E (end), R (reserved, sent as 0 and
 * ignored), volume (6 bits, -dBm0), duration (16 bits, timestamp units).
 *
 * Both state machines are driven by explicit RTP timestamps and contain
 * no timers, so they are deterministic and allocation-free per packet.
 *
 * Sender: telev_tx_start() at the key press, then telev_tx_poll() once
 * per packet time: the first packet carries the marker bit, updates carry
 * the growing duration, all with the event's start timestamp. After
 * telev_tx_stop() three end packets (E bit, same timestamp, same final
 * duration) are sent (RFC 4733 2.5.1.4). An event longer than the 16-bit
 * duration is split into segments (2.5.1.3): the segment ends with
 * duration 0xffff and the next starts at timestamp + 0xffff, no marker.
 *
 * Receiver: telev_rx_recv() for each packet; it says "new" exactly once
 * per event despite duplicates, the redundant end packets, reordering
 * and the segments of a long event.
 *
 * Names avoid libre's telev_* symbols (re_telev.h is part of re.h).
 */
#ifndef ATA_TELEV_H
#define ATA_TELEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TELEV_PAYLOAD_SIZE = 4,
	TELEV_VOLUME_MAX   = 63,     /**< -63 dBm0                    */
	TELEV_DURATION_MAX = 0xffff,
	TELEV_END_PACKETS  = 3,      /**< end packets per event       */
	TELEV_RX_HISTORY   = 16,     /**< segments remembered by rx   */
};

/** One telephone-event payload */
struct telev_ev {
	uint8_t event;      /**< 0-9, 10 '*', 11 '#', 12-15 'A'-'D', ... */
	bool end;           /**< E bit                                  */
	uint8_t volume;     /**< 0..63, power level in -dBm0            */
	uint16_t duration;  /**< timestamp units since the event start  */
};

/** One RTP packet the sender wants sent */
struct telev_pkt {
	uint32_t ts;        /**< RTP timestamp                          */
	bool marker;        /**< RTP marker bit                         */
	uint8_t payload[TELEV_PAYLOAD_SIZE];
	struct telev_ev ev; /**< what the payload says                  */
};

int  telev_encode(uint8_t *buf, size_t sz, const struct telev_ev *ev);
int  telev_decode(struct telev_ev *ev, const uint8_t *buf, size_t n);
int  telev_char2event(char c);
char telev_event2char(int event);

struct telev_tx;

int  telev_tx_alloc(struct telev_tx **txp);
int  telev_tx_start(struct telev_tx *tx, uint8_t event, uint8_t volume,
		    uint32_t ts);
int  telev_tx_stop(struct telev_tx *tx, uint32_t ts);
bool telev_tx_poll(struct telev_tx *tx, uint32_t now, struct telev_pkt *pkt);
bool telev_tx_busy(const struct telev_tx *tx);

struct telev_rx;

int  telev_rx_alloc(struct telev_rx **rxp);
void telev_rx_reset(struct telev_rx *rx);
int  telev_rx_recv(struct telev_rx *rx, uint32_t ts, bool marker,
		   const uint8_t *buf, size_t n, struct telev_ev *ev,
		   bool *newp);

#endif
