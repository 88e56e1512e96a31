/** @file fuzz_echo_can.c  libFuzzer: arbitrary capture and reference into
 * the line echo canceller
 *
 * fuzz-max-len: 2048
 * (in make test: 20000 inputs of up to 16 kB took 10 min under ASan;
 * 2 kB is 511 sample pairs, still several periods of any size)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "dsp/echo_can.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/*
 * Input: [tail:1][piece:1][flags:1] then pairs of S16 samples (capture,
 * reference; native order) cut into the driver's periods by the piece
 * byte. Flags: bit 0 NLP off; a piece starting with a zero capture
 * sample when n % 11 == 0 resets. ASan/UBSan judge: no overflow of
 * the tap arrays for any tail, no undefined conversion of the output.
 */
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct echo_can *ec = NULL;
	int16_t cap[256], ref[256], out[256];
	size_t piece;

	if (n < 3 || echo_can_alloc(&ec, ECHO_CAN_TAIL_MIN +
				    d[0] % (ECHO_CAN_TAIL_MAX -
					    ECHO_CAN_TAIL_MIN + 1)))
		return 0;

	piece = d[1] ? d[1] : 1;
	echo_can_nlp(ec, !(d[2] & 1));
	d += 3;
	n -= 3;
	while (n >= 4) {
		size_t k = n / 4 < piece ? n / 4 : piece;

		for (size_t i = 0; i < k; i++) {
			memcpy(&cap[i], d + 4 * i, 2);
			memcpy(&ref[i], d + 4 * i + 2, 2);
		}
		echo_can_process(ec, out, cap, ref, k);
		(void)echo_can_dtalk(ec);
		d += 4 * k;
		n -= 4 * k;
		if (k && cap[0] == 0 && n % 11 == 0)
			echo_can_reset(ec);
	}

	mem_deref(ec);

	return 0;
}
