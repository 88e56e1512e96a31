/**
 * @file fuzz_hosts.c  libFuzzer: /etc/hosts text (core/sys/hosts.c)
 *
 * Any bytes, the first line of them the name to look up: never read
 * past the length; a name found has a real, specified address, port 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>
#include "sys/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const uint8_t *nl = memchr(d, '\n', n);
	struct pl name;
	struct sa sa;
	size_t skip;
	int err;

	if (!nl)
		return 0;

	name.p = (const char *)d;
	name.l = (size_t)(nl - d);
	skip = name.l + 1;

	err = hosts_find(&sa, (const char *)d + skip, n - skip, &name);
	if (err && err != ENOENT && err != EINVAL)
		__builtin_trap();
	if (!err && (!sa_isset(&sa, SA_ADDR) || sa_is_any(&sa) ||
		     sa_port(&sa) != 0))
		__builtin_trap();

	return 0;
}
