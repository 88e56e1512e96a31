/** @file tests/fuzz/fuzz_sdp.c  SDP text into offer/answer negotiation,
    and into the media family it asks for (call_family.c) */
#include <stdint.h>
#include <stddef.h>
#include <re.h>
#include "call/call_int.h"
#include "call/call_family.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct call_sdp *sdp_new(void)
{
	static const struct call_media_conf mc = {
		.rtp_min = 30000, .rtp_max = 30100,
		.codecs = {"pcmu", "pcma"}, .codecc = 2,
		.ptime_ms = 20, .telev_pt = 101, .rtcp_mux = true,
	};
	struct call_mprefs mp;
	struct call_sdp *cs = NULL;
	struct sa laddr;

	if (call_mprefs_set(&mp, &mc) ||
	    sa_set_str(&laddr, "192.0.2.10", 30000) ||
	    call_sdp_alloc(&cs, &mp, &laddr))
		return NULL;

	return cs;
}


/* The input's media family, as an offer we answer, then as the answer
   to our offer */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct call_sdp *cs;
	struct mbuf *mb, *out = NULL;

	/* the exact bytes, no terminator: a read past them is ASan's */
	(void)call_family_of_sdp((const char *)data, size);

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	cs = sdp_new();
	if (cs && !call_sdp_answer(cs, mb, &out)) {
		call_sdp_set_hold(cs, true);
		out = mem_deref(out);
		(void)call_sdp_offer(cs, &out);
	}
	mem_deref(out);
	out = NULL;
	mem_deref(cs);

	cs = sdp_new();
	mb->pos = 0;
	if (cs && !call_sdp_offer(cs, &out))
		(void)call_sdp_recv_answer(cs, mb);
	mem_deref(out);
	mem_deref(cs);

	mem_deref(mb);
	return 0;
}
