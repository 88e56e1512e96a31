/**
 * @file rtp_rx.h  One received RTP packet, parsed in place (no mbuf)
 */
#ifndef ATA_RTP_RX_H
#define ATA_RTP_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rtp_rx_pkt {
	uint32_t ts;
	uint32_t ssrc;
	uint16_t seq;
	uint8_t pt;
	bool marker;
	const uint8_t *payload;   /* into the packet, padding excluded */
	size_t len;
};

int rtp_rx_parse(struct rtp_rx_pkt *pkt, const uint8_t *p, size_t n);

#endif
