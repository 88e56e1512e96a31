/**
 * @file fuzz_resolv_conf.c  libFuzzer: resolv.conf text
 *                          (core/sys/resolv_conf.c)
 *
 * Any bytes: never read past the length, never more servers than room,
 * each one a real address with port 53.
 */
#include <stddef.h>
#include <stdint.h>
#include <re.h>
#include "sys/resolv_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sa v[4];
	uint32_t c, i;

	c = resolv_conf_servers((const char *)d, n, v, 4);
	if (c > 4)
		__builtin_trap();
	for (i = 0; i < c; i++) {
		if (!sa_isset(&v[i], SA_ADDR) || sa_port(&v[i]) != 53)
			__builtin_trap();
	}

	return 0;
}
