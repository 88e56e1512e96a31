/** @file fuzz_telev.c  libFuzzer: telephone-event receiver and sender */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "dsp/telev.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/*
 * Input: records of [ts:4][flags:1][len:1][payload:len]. Each record goes
 * to the receiver; flags also drive a sender (start, stop, poll) whose
 * output must follow RFC 4733: marker only first, ends exactly three.
 */
static void drive_tx(struct telev_tx *tx, uint8_t flags, uint32_t ts,
		     unsigned *ends, bool *started)
{
	struct telev_pkt pkt;

	switch (flags & 3) {

	case 0:
		if (!telev_tx_start(tx, flags >> 2, flags & 0x3f, ts)) {
			*ends = 0;
			*started = true;
		}
		break;

	case 1:
		(void)telev_tx_stop(tx, ts);
		break;

	default:
		if (!telev_tx_poll(tx, ts, &pkt))
			break;
		if (pkt.marker != *started)
			__builtin_trap();
		*started = false;
		if (pkt.ev.end && ++*ends > TELEV_END_PACKETS)
			__builtin_trap();
		if (!telev_tx_busy(tx) && *ends != TELEV_END_PACKETS)
			__builtin_trap();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct telev_rx *rx = NULL;
	struct telev_tx *tx = NULL;
	unsigned ends = 0;
	bool started = false;
	size_t off = 0;

	if (telev_rx_alloc(&rx) || telev_tx_alloc(&tx))
		goto out;

	while (off + 6 <= n) {
		uint32_t ts = (uint32_t)d[off] << 24 | d[off + 1] << 16 |
			d[off + 2] << 8 | d[off + 3];
		uint8_t flags = d[off + 4];
		size_t len = d[off + 5];
		struct telev_ev ev;
		bool fresh;

		off += 6;
		if (len > n - off)
			len = n - off;

		if (telev_rx_recv(rx, ts, flags & 0x80, d + off, len, &ev,
				  &fresh) && fresh)
			__builtin_trap();
		if (flags == 0xff)
			telev_rx_reset(rx);

		drive_tx(tx, flags, ts, &ends, &started);
		off += len;
	}

 out:
	mem_deref(rx);
	mem_deref(tx);

	return 0;
}
