/**
 * @file rand_sys.c  libre's rand_* on getrandom(2), without OpenSSL
 *
 * Debian's libre 1.1.0 is built with OpenSSL, so its rand_* call
 * RAND_bytes(), and the first SIP branch or tag would start OpenSSL's
 * DRBG and fault in megabytes of libcrypto for nothing. ataua exports
 * these (core/ataua.map), so they interpose libre's own: libre calls
 * its rand_* through the PLT and the dynamic linker finds the
 * executable's first. Unit tests and modules get them the same way.
 *
 * getrandom() is the kernel CSPRNG that OpenSSL itself seeds from; it
 * blocks only before the pool is first initialised, early at boot.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <re_types.h>
#include <re_sys.h>


/** Nothing to seed: the kernel keeps the state */
void rand_init(void)
{
}


void rand_bytes(uint8_t *p, size_t size)
{
	ssize_t n;

	if (!p)
		return;

	while (size) {
		n = getrandom(p, size, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;

			/* no CSPRNG (pre-3.17 kernel, seccomp): random
			   IDs and keys must never silently repeat */
			abort();
		}

		p += n;
		size -= (size_t)n;
	}
}


uint32_t rand_u32(void)
{
	uint32_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));

	return v;
}


uint16_t rand_u16(void)
{
	uint16_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));

	return v;
}


uint64_t rand_u64(void)
{
	uint64_t v;

	rand_bytes((uint8_t *)&v, sizeof(v));

	return v;
}


/** A string of [0-9a-zA-Z], @p size includes the NUL (as libre's) */
void rand_str(char *str, size_t size)
{
	static const char alnum[] = "0123456789"
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t i;

	if (!str || !size)
		return;

	--size;
	rand_bytes((uint8_t *)str, size);

	/* 256 % 62 = 8: a bias of a fraction of a bit is irrelevant for
	   tags and nonces, which only need to be unpredictable */
	for (i = 0; i < size; i++)
		str[i] = alnum[(uint8_t)str[i] % (sizeof(alnum) - 1)];

	str[size] = '\0';
}


char rand_char(void)
{
	char s[2];

	rand_str(s, sizeof(s));

	return s[0];
}
