/**
 * @file fuzz_sip_check.c  libFuzzer: hostile SIP requests through the
 * RFC 3261 checks of core/sip/sip_check.c (after libre's decoder, as the
 * stack's first listener sees them), and the 420 Unsupported header;
 * before that, as the SIP socket's helper sees the raw datagram, the
 * version check of core/sip/sip_version.c and the SIP/2.0 copy it decodes.
 * Each decoded request also gives its caller (core/call/call_caller.c):
 * a dialable number or none, nothing shown for a hidden caller; and its
 * Contact headers go through the REGISTER answer's binding pick
 * (core/sip/reg_contact.c): 0 or ENOENT, a terminated "host:port".
 * Seeds: the RFC 4475 torture messages.
 *
 * fuzz-seeds: rfc4475
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "call/call.h"
#include "sip/reg.h"
#include "sip/sip_check.h"
#include "sip/sip_version.h"


static void check_caller(const struct sip_msg *msg)
{
	struct call_caller cc;
	size_t i;

	memset(&cc, 0x5a, sizeof(cc));
	if (call_caller_decode(&cc, msg))
		abort();
	if (!memchr(cc.number, 0, sizeof(cc.number)) ||
	    !memchr(cc.name, 0, sizeof(cc.name)))
		abort();
	for (i = 0; cc.number[i]; i++) {
		if (!strchr("0123456789*#", cc.number[i]) &&
		    !(cc.number[i] == '+' && i == 0))
			abort();
	}
	if (cc.hidden && (cc.number[0] || cc.name[0]))
		abort();
}


/* The registrar's view of our binding, from any Contact headers */
static void check_contact(const struct sip_msg *msg, size_t size)
{
	struct sa sent;
	char buf[80];
	int err;

	(void)sa_set_str(&sent, "192.0.2.1", 5060);
	memset(buf, 0x5a, sizeof(buf));
	err = reg_contact_stored(msg, (size & 2) ? "alice" : "",
				 (size & 4) ? &sent : NULL, buf, sizeof(buf));
	if ((err && err != ENOENT) || !memchr(buf, 0, sizeof(buf)) ||
	    (err && buf[0]))
		abort();
}


static void check_decoded(struct sip_msg *msg, size_t size)
{
	struct sip_check chk;
	char hdr[1024];

	check_caller(msg);
	check_contact(msg, size);

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
	(void)re_snprintf(hdr, sizeof(hdr), "%H", sip_check_unsupported,
			  &chk);
}


/* The raw datagram: another version is decoded from a SIP/2.0 copy */
static void check_version(const uint8_t *data, size_t size)
{
	enum sip_version_kind k;
	struct sip_msg *msg = NULL;
	struct mbuf *copy = NULL;
	struct pl raw, ver;

	raw.p = (const char *)data;
	raw.l = size;
	k = sip_version_classify(&raw, &ver);
	if (k == SIP_VERSION_NONE || k == SIP_VERSION_OK)
		return;
	if (ver.p < raw.p || ver.p + ver.l > raw.p + raw.l)
		abort();
	if (k == SIP_VERSION_CASE)
		return;

	if (sip_version_copy(&copy, &raw, &ver))
		return;
	if (mbuf_get_left(copy) > size + 8)
		abort();
	if (!sip_msg_decode(&msg, copy)) {
		if (!msg->req || pl_strcmp(&msg->ver, "SIP/2.0"))
			abort();
		check_decoded(msg, size);
	}
	mem_deref(msg);
	mem_deref(copy);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb;

	check_version(data, size);

	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	(void)mbuf_write_mem(mb, data, size);
	mb->pos = 0;

	if (!sip_msg_decode(&msg, mb))
		check_decoded(msg, size);

	mem_deref(msg);
	mem_deref(mb);

	return 0;
}


