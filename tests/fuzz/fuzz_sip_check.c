/**
 * @file fuzz_sip_check.c  libFuzzer: hostile SIP requests through the
 * RFC 3261 checks of core/sip_check.c (after libre's decoder, as the
 * stack's first listener sees them), and the 420 Unsupported header.
 * Seeds: the RFC 4475 torture messages.
 *
 * fuzz-seeds: rfc4475
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "sip_check.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg *msg = NULL;
	struct sip_check chk;
	struct mbuf *mb;
	char hdr[1024];

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (!sip_msg_decode(&msg, mb)) {
		msg->tp = (size & 1) ? SIP_TRANSP_UDP : SIP_TRANSP_TCP;
		sip_check_request(&chk, msg);

		if (chk.scode && chk.scode != 400 && chk.scode != 416 &&
		    chk.scode != 420)
			abort();
		if (chk.scode && !chk.reason)
			abort();
		if ((chk.scode == 420) != (chk.unsupc > 0))
			abort();
		if (chk.unsupc > SIP_CHECK_UNSUP_MAX)
			abort();
		(void)re_snprintf(hdr, sizeof(hdr), "%H",
				  sip_check_unsupported, &chk);
	}

	mem_deref(msg);
	mem_deref(mb);

	return 0;
}
