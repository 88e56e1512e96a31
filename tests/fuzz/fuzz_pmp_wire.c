/**
 * @file fuzz_pmp_wire.c  libFuzzer: a hostile gateway's PCP and NAT-PMP
 * answers and a strange /proc/net/route, ipv6_route or if_inet6
 * (modules/upnp/pmp_wire.c)
 *
 * Input: the first byte picks the part; the rest is a packet for both
 * decoders, the route table as text, or 8-byte (epoch, seconds) steps
 * for the epoch check. An accepted answer must respect what its
 * decoder promises (length, version, alignment); nothing may read past
 * the input (ASan) or trap (UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../modules/upnp/pmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void packet(const uint8_t *p, size_t n)
{
	struct pmp_answer a;
	uint8_t *copy;
	int err;

	/* an exact-size heap copy: ASan sees a read past the end */
	copy = malloc(n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, p, n);

	err = pcp_decode(&a, copy, n);
	if (!err) {
		if (n < PCP_HDR_LEN || n > PCP_PKT_MAX || n % 4 ||
		    a.version != PCP_VERSION)
			abort();
		if (a.opcode == PCP_OP_MAP && n < PCP_HDR_LEN + PCP_MAP_LEN)
			abort();
		(void)pcp_result_errno(a.result);
		(void)pcp_result_str(a.result);
	}

	err = natpmp_decode(&a, copy, n);
	if (!err) {
		if (n < 8 || a.version != NATPMP_VERSION)
			abort();
		if (!a.result && a.opcode == NATPMP_OP_UDP && n < 16)
			abort();
		(void)natpmp_result_errno(a.result);
	}

	free(copy);
}


static void route(const uint8_t *p, size_t n)
{
	static const uint8_t zero[16];
	char *text = malloc(n + 1), ifname[8];
	uint8_t gw6[16], a6[16];
	uint32_t gw;

	if (!text)
		return;
	memcpy(text, p, n);
	text[n] = '\0';
	if (!pmp_route_gateway(text, &gw) && !gw)
		abort();   /* a default route without a gateway */

	/* the same text as /proc/net/ipv6_route and /proc/net/if_inet6;
	   a short ifname buffer: truncated, never overrun */
	if (!pmp_route6_gateway(text, gw6, ifname, sizeof(ifname)) &&
	    (!memcmp(gw6, zero, 16) || strlen(ifname) >= sizeof(ifname)))
		abort();
	if (!pmp_if6_global(text, "", a6) && !pmp_v6_global(a6))
		abort();   /* only a global address is ever picked */
	if (!pmp_if6_global(text, "eth0", a6) && !pmp_v6_global(a6))
		abort();
	free(text);
}


static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}


static void epochs(const uint8_t *p, size_t n)
{
	struct pmp_epoch e;
	uint64_t now = 0;

	memset(&e, 0, sizeof(e));
	for (; n >= 8; p += 8, n -= 8) {
		uint32_t prev = e.server_s, epoch = get32(p);
		bool valid = e.valid, lost;

		/* our clock never goes back */
		now += (uint64_t)get32(p + 4) * 10;
		lost = pmp_epoch_lost(&e, epoch, now);
		if (valid && (uint64_t)epoch + 1 < prev && !lost)
			abort();   /* an epoch that went back is a restart */
		if (!valid && lost)
			abort();
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;

	switch (data[0] % 3) {

	case 0:  packet(data + 1, size - 1); break;
	case 1:  route(data + 1, size - 1);  break;
	default: epochs(data + 1, size - 1); break;
	}

	return 0;
}
