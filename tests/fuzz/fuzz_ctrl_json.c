/**
 * @file fuzz_ctrl_json.c  libFuzzer: any reply or event text through
 * core/ctrl/ctrl_json.c (FORMAT json): it reads only the bytes given,
 * and what it prints is one JSON value that libre's own decoder reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "ctrl/ctrl_json.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int (*conv)(struct re_printf *, const struct pl *),
		  const struct pl *in)
{
	struct odict *od = NULL;
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return;

	err = mbuf_printf(mb, "%H", conv, in);
	if (!err) {
		if (!mb->end || (mb->buf[0] != '{' && mb->buf[0] != '['))
			abort();
		if (memchr(mb->buf, '\n', mb->end))
			abort();
		/* libre's decoder takes objects at the top only */
		if (mb->buf[0] == '{' &&
		    json_decode_odict(&od, 8, (const char *)mb->buf, mb->end,
				      4))
			abort();
	}

	mem_deref(od);
	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl in;
	char *copy;

	/* an exact-size copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);

	in.p = copy;
	in.l = size;
	check(ctrl_json_reply, &in);
	check(ctrl_json_event, &in);

	free(copy);

	return 0;
}
