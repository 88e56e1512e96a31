/**
 * @file fuzz_netmon.c  libFuzzer: rtnetlink datagrams
 *                     (core/sys/netmon_parse.c)
 *
 * The kernel is trusted, but the parser walks lengths it is given: any
 * datagram must be read within its bounds. Checked: only the documented
 * bits come out, the link and address tables never exceed their sizes,
 * and parsing twice is harmless.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sys/netmon.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* aligned, as recv() into the daemon's buffer gives it */
	static uint32_t buf[2048];
	static struct netmon_state lk;
	const unsigned all = NETMON_LINK_UP | NETMON_LINK_DOWN |
		NETMON_ADDR4 | NETMON_ADDR6;
	unsigned what;

	if (n > sizeof(buf))
		n = sizeof(buf);
	memcpy(buf, d, n);

	/* the table carries over between inputs, as in the daemon */
	what = netmon_parse(&lk, buf, n);
	if (what & ~all || lk.n > NETMON_LINKS || lk.addrc > NETMON_ADDRS)
		__builtin_trap();
	what = netmon_parse(&lk, buf, n);
	if (what & ~all || lk.n > NETMON_LINKS || lk.addrc > NETMON_ADDRS)
		__builtin_trap();

	/* misaligned input is refused, not read */
	if (n > 1 && netmon_parse(&lk, (char *)buf + 1, n - 1))
		__builtin_trap();

	return 0;
}
