/** @file fuzz_nat_rewrite.c  libFuzzer: nat_sip_rewrite on SIP-like input */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "nat/nat.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/*
 * Input: [sel:1][msg...]. sel picks the address pair (IPv4 or IPv6,
 * local equal to public or not) and the mbuf offset of the message.
 * Checked after every call: the result is 0, ENOENT or ENOMEM; pos is
 * kept; the bytes before pos are untouched; on ENOENT the message is
 * unchanged; everything from the blank line on (the body) is unchanged.
 */
static const char *const addrv[][2] = {
	{"192.168.1.10", "44.0.0.60"},
	{"fd00::10", "2001:db8::60"},
	{"10.0.0.1", "10.0.0.1"},
	{"10.0.0.1", "[::1]"},
};


static const uint8_t *body_of(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++) {
		if (!memcmp(p + i, "\r\n\r\n", 4))
			return p + i + 2;
	}

	return NULL;
}


int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sa laddr, pub;
	struct mbuf *mb = NULL;
	const uint8_t *msg, *body_in, *body_out;
	size_t pos, len, i, sel;
	int err;

	if (n < 1)
		return 0;

	sel = d[0];
	msg = d + 1;
	len = n - 1;
	pos = (sel >> 4) & 7;

	i = sel & 3;
	if (sa_set_str(&laddr, addrv[i][0], 5060))
		return 0;
	if (sa_set_str(&pub, addrv[i][1][0] == '[' ? "::1" : addrv[i][1],
		       (sel & 8) ? 5060 : 61000))
		return 0;

	mb = mbuf_alloc(len + pos + 1);
	if (!mb)
		return 0;
	memset(mb->buf, 'X', pos);
	mb->pos = pos;
	mb->end = pos;
	if (mbuf_write_mem(mb, msg, len))
		goto out;
	mb->pos = pos;

	err = nat_sip_rewrite(mb, &laddr, &pub);
	if (err && err != ENOENT && err != ENOMEM)
		__builtin_trap();
	if (mb->pos != pos || mb->end < pos)
		__builtin_trap();
	for (i = 0; i < pos; i++) {
		if (mb->buf[i] != 'X')
			__builtin_trap();
	}
	if (err == ENOENT && (mbuf_get_left(mb) != len ||
			      memcmp(mbuf_buf(mb), msg, len)))
		__builtin_trap();

	if (!err) {
		body_in = body_of(msg, len);
		body_out = body_of(mbuf_buf(mb), mbuf_get_left(mb));
		if (!body_in || !body_out)
			__builtin_trap();
		len -= (size_t)(body_in - msg);
		if ((size_t)(mbuf_buf(mb) + mbuf_get_left(mb) - body_out)
		    != len || memcmp(body_in, body_out, len))
			__builtin_trap();
	}

 out:
	mem_deref(mb);
	return 0;
}
