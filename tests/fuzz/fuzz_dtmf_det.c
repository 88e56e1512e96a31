/** @file fuzz_dtmf_det.c  libFuzzer: arbitrary PCM into the DTMF detector */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "dsp/dtmf_det.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

struct state {
	char down;          /* the key pressed, '\0' if none */
};

/* Presses and releases alternate, each release is of the key pressed */
static void det_handler(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct state *st = arg;

	if (!strchr("0123456789*#ABCD", key) || !key)
		__builtin_trap();
	if (end) {
		if (st->down != key || dur_ms == 0)
			__builtin_trap();
		st->down = '\0';
	}
	else {
		if (st->down)
			__builtin_trap();
		st->down = key;
	}
}


/*
 * Input: [piece:1] then S16 samples (native order); the piece size
 * byte cuts them as a driver's periods would, a zero byte resets.
 */
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct dtmf_det *det = NULL;
	struct state st = {0};
	int16_t pcm[256];
	size_t piece;

	if (n < 1 || dtmf_det_alloc(&det, det_handler, &st))
		return 0;

	piece = d[0] ? d[0] : 1;
	++d;
	--n;
	while (n >= 2) {
		size_t k = n / 2 < piece ? n / 2 : piece;

		memcpy(pcm, d, k * 2);
		dtmf_det_process(det, pcm, k);
		d += k * 2;
		n -= k * 2;
		if (n && d[0] == 0 && n % 7 == 0) {
			dtmf_det_reset(det);
			st.down = '\0';
		}
	}
	(void)dtmf_det_busy(det);
	mem_deref(det);

	return 0;
}
