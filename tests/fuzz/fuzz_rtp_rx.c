/** @file fuzz_rtp_rx.c  libFuzzer: the media thread's RTP parser
 *
 * Input: one datagram. core/call/rtp_rx.c must stay inside it and agree
 * with libre's rtp_decode(), which the main loop uses: what ours accepts,
 * libre accepts with the same fields and payload start; ours is stricter
 * only on padding and RTCP's payload types.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "call/rtp_rx.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct rtp_rx_pkt pkt;
	struct rtp_header h;
	struct mbuf mb;
	uint8_t *copy;
	int err, lerr;

	/* an exact-size copy: ASan sees any read past the datagram */
	copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, d, n);

	err = rtp_rx_parse(&pkt, copy, n);

	mbuf_init(&mb);
	mb.buf = copy;
	mb.size = mb.end = n;
	memset(&h, 0, sizeof(h));
	lerr = rtp_hdr_decode(&h, &mb);
	if (!lerr && h.ver != 2)
		lerr = EBADMSG;

	if (!err) {
		if (lerr || h.pt != pkt.pt || h.m != pkt.marker ||
		    h.seq != pkt.seq || h.ts != pkt.ts || h.ssrc != pkt.ssrc ||
		    mbuf_buf(&mb) != pkt.payload ||
		    pkt.payload + pkt.len > copy + n)
			__builtin_trap();
	}
	else if (err != EBADMSG && err != EPROTO) {
		__builtin_trap();
	}
	else if (!lerr && err == EBADMSG && !(copy[0] & 0x20)) {
		/* libre took it and it has no padding: ours must too */
		__builtin_trap();
	}

	free(copy);

	return 0;
}
