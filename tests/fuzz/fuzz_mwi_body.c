/**
 * @file fuzz_mwi_body.c  libFuzzer: hostile simple-message-summary bodies
 * (a NOTIFY's body, from the network) through core/sip/mwi_body.c: it
 * reads only the bytes given, and what it returns is consistent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/mwi_body.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mwi_sum sum;
	char *copy;
	int err;

	/* an exact-size copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);

	err = mwi_body_parse(&sum, copy, size);
	if (err && err != EBADMSG)
		abort();
	if (sum.new_msgs > MWI_COUNT_MAX || sum.old_msgs > MWI_COUNT_MAX ||
	    sum.urgent_new > MWI_COUNT_MAX || sum.urgent_old > MWI_COUNT_MAX)
		abort();
	if (err && sum.waiting)
		abort();

	free(copy);

	return 0;
}
