/** @file tests/fuzz/fuzz_crypto.c  a=crypto values and SDP with crypto */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <re.h>
#include "call/call_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { VALUE_MAX = 4096 };


static struct call_sdp *sdp_new(enum call_srtp_policy policy)
{
	struct call_media_conf mc = {
		.rtp_min = 30000, .rtp_max = 30100,
		.codecs = {"pcmu", "pcma"}, .codecc = 2,
		.ptime_ms = 20, .telev_pt = 101, .srtp = policy,
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


/* A value that parses prints back to a value that parses the same */
static void value_roundtrip(const char *val)
{
	struct call_crypto c, d;
	char buf[256];

	if (call_crypto_decode(&c, val))
		return;

	if (re_snprintf(buf, sizeof(buf), "%H", call_crypto_encode, &c) < 0)
		abort();
	if (call_crypto_decode(&d, buf) || memcmp(&c, &d, sizeof(c)))
		abort();
}


/* The value as the crypto line of an offer and of an answer */
static void sdp_with_crypto(const char *proto, const char *val)
{
	static const enum call_srtp_policy pol[] = {
		CALL_SRTP_OFF, CALL_SRTP_OPTIONAL, CALL_SRTP_MANDATORY,
	};
	struct mbuf *mb, *out = NULL;
	size_t i;

	mb = mbuf_alloc(512 + strlen(val));
	if (!mb)
		return;
	(void)mbuf_printf(mb, "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\n"
			  "c=IN IP4 198.51.100.7\r\nt=0 0\r\n"
			  "m=audio 4000 %s 0 8\r\n"
			  "a=crypto:%s\r\n", proto, val);

	for (i = 0; i < sizeof(pol) / sizeof(pol[0]); i++) {
		struct call_sdp *cs = sdp_new(pol[i]);

		mb->pos = 0;
		if (cs && !call_sdp_answer(cs, mb, &out)) {
			out = mem_deref(out);
			(void)call_sdp_offer(cs, &out);
		}
		out = mem_deref(out);
		cs = mem_deref(cs);

		cs = sdp_new(pol[i]);
		mb->pos = 0;
		if (cs && !call_sdp_offer(cs, &out))
			(void)call_sdp_recv_answer(cs, mb);
		out = mem_deref(out);
		mem_deref(cs);
	}

	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char *val;

	if (!ready) {
		if (call_srtp_init())
			abort();
		ready = true;
	}

	if (size > VALUE_MAX)
		return 0;

	val = malloc(size + 1);
	if (!val)
		return 0;
	memcpy(val, data, size);
	val[size] = '\0';

	value_roundtrip(val);

	/* SDP lines end at CR/LF: keep the value on one line */
	val[strcspn(val, "\r\n")] = '\0';
	sdp_with_crypto((size && data[0] & 1) ? "RTP/SAVP" : "RTP/AVP", val);

	free(val);
	return 0;
}
