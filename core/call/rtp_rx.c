/**
 * @file rtp_rx.c  One received RTP packet, parsed in place (no mbuf)
 *
 * For the line's media thread (issue #13), which reads RTP with
 * recvmmsg() into buffers of its own and must not allocate: libre's
 * rtp_hdr_decode() wants an mbuf. The fixed header, CSRCs and a header
 * extension are checked against the packet's length and skipped; the
 * payload is returned as a pointer into the packet. Unlike libre 1.1.0,
 * padding (RFC 3550 5.1: the last octet counts the padding octets,
 * itself included) is taken off the payload, and a payload type in
 * 64..95 is refused: there RTCP (RFC 5761 4) and RTP cannot be told
 * apart.
 */
#include <errno.h>
#include "rtp_rx.h"

enum {
	FIXED = 12,      /* RFC 3550 5.1 */
	VERSION = 2,
};


static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}


static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}


/**
 * Parse the @p n bytes at @p p as one RTP packet. Returns 0, EINVAL
 * (NULL), EBADMSG (not RTP version 2, or its CSRCs, extension or
 * padding run past the packet) or EPROTO (payload type 64..95).
 */
int rtp_rx_parse(struct rtp_rx_pkt *pkt, const uint8_t *p, size_t n)
{
	size_t hdr, pad = 0;

	if (!pkt || !p)
		return EINVAL;

	if (n < FIXED || p[0] >> 6 != VERSION)
		return EBADMSG;

	hdr = FIXED + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (n < hdr + 4)
			return EBADMSG;
		hdr += 4 + 4u * get16(p + hdr + 2);
	}
	if (n < hdr)
		return EBADMSG;

	if (p[0] & 0x20) {
		pad = p[n - 1];
		if (!pad || pad > n - hdr)
			return EBADMSG;
	}

	pkt->pt = p[1] & 0x7f;
	if (pkt->pt >= 64 && pkt->pt <= 95)
		return EPROTO;

	pkt->marker = p[1] >> 7;
	pkt->seq = get16(p + 2);
	pkt->ts = get32(p + 4);
	pkt->ssrc = get32(p + 8);
	pkt->payload = p + hdr;
	pkt->len = n - hdr - pad;

	return 0;
}
