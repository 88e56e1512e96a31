/**
 * @file modules/turn/turn_frame.c  Split a TURN TCP stream into messages
 *
 * Over TCP and TLS (RFC 8656 section 12.5) the server sends STUN messages
 * (length in the header, 20 bytes of header) and ChannelData (4 bytes of
 * header, payload padded to a multiple of 4). The first two bits tell
 * them apart: 00 is STUN, 01 is a channel number 0x4000-0x7fff.
 */
#include <re.h>
#include "ataua.h"
#include "turn.h"

enum {
	STUN_HDR_LEN = 20,
	CHAN_HDR_LEN = 4,
};


/**
 * Length of the frame at the start of @p p (@p n bytes available).
 *
 * @return 0 with *lenp set, ENODATA if more bytes are needed to know or
 *         to hold the whole frame, EBADMSG if the stream is not TURN
 *         (the connection cannot be resynchronised), EINVAL on NULL
 */
int turn_frame_len(const uint8_t *p, size_t n, size_t *lenp)
{
	size_t len;

	if (!p || !lenp)
		return EINVAL;

	if (n < CHAN_HDR_LEN)
		return ENODATA;

	len = (size_t)p[2] << 8 | p[3];

	switch (p[0] >> 6) {

	case 0:
		if (len & 3)
			return EBADMSG;
		if (n < 8)
			return ENODATA;
		if (p[4] != 0x21 || p[5] != 0x12 || p[6] != 0xa4 ||
		    p[7] != 0x42)
			return EBADMSG;
		len += STUN_HDR_LEN;
		break;

	case 1:
		len = CHAN_HDR_LEN + ((len + 3) & ~(size_t)3);
		break;

	default:
		return EBADMSG;
	}

	if (n < len)
		return ENODATA;

	*lenp = len;

	return 0;
}
