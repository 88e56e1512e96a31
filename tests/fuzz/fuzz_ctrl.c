/**
 * @file tests/fuzz/fuzz_ctrl.c  libFuzzer: bytes as a control request stream
 *
 * The input goes through the transport's line splitter in chunks whose
 * sizes the input itself picks, then every line through ata_cmd_exec.
 * Besides crashes and sanitizer reports, aborts when a reply breaks the
 * protocol: it must end with exactly one `OK` or `FAIL ...` line and
 * hold no control bytes but TAB and LF.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "ctrl/ctrl_unix.h"

enum { MAX_REQ = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	char buf[8192];
	size_t n;
};


static int h_echo(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return re_hprintf(pf, "args=%r\n", &ca->args);
}


static int h_fail(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return ata_cmd_fail(ca, EINVAL, "bad %r", &ca->args);
}


static int h_partial(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return re_hprintf(pf, "x=%r", &ca->args);
}


static const struct ata_cmd verbv[] = {
	{"echo", "ARGS", "print the arguments", h_echo},
	{"a", NULL, "print the arguments", h_echo},
	{"a b c", NULL, "print part of a line", h_partial},
	{"fail", NULL, "fail", h_fail},
	{"partial", NULL, "print part of a line", h_partial},
};


static int out_vph(const char *p, size_t size, void *arg)
{
	struct out *o = arg;

	if (o->n + size > sizeof(o->buf))
		return EOVERFLOW;

	memcpy(o->buf + o->n, p, size);
	o->n += size;

	return 0;
}


static void check_reply(const struct out *o)
{
	size_t last = 0;

	if (!o->n || o->buf[o->n - 1] != '\n')
		abort();

	for (size_t i = 0; i < o->n; i++) {
		unsigned char c = (unsigned char)o->buf[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
		if (c == '\n' && i + 1 < o->n)
			last = i + 1;
	}

	if (strncmp(o->buf + last, ATA_CTRL_OK "\n", 3) &&
	    strncmp(o->buf + last, ATA_CTRL_FAIL " ", 5))
		abort();
}


static bool line_handler(int err, const char *line, size_t len, void *arg)
{
	struct out o;
	struct re_printf pf = {out_vph, &o};
	size_t *nlines = arg;

	++*nlines;
	if (err == E2BIG)
		return true;
	if (err || len > MAX_REQ)
		abort();

	o.n = 0;
	(void)ata_cmd_exec(&pf, line, len);
	check_reply(&o);

	return true;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool registered;
	struct ctrl_split sp = {NULL, MAX_REQ, false};
	size_t nlines = 0, nlf = 0;

	if (!registered) {
		if (ata_cmd_register(verbv, ARRAY_SIZE(verbv), NULL))
			abort();
		ata_log_set_level(ATA_LOG_ERR);
		registered = true;
	}

	sp.mb = mbuf_alloc(64);
	if (!sp.mb)
		return 0;

	for (size_t i = 0; i < size; i++)
		nlf += data[i] == '\n';

	/* First byte: chunk size, so lines arrive split at many places */
	if (size) {
		size_t chunk = (size_t)data[0] % 17 + 1;

		for (size_t off = 1; off < size; off += chunk) {
			size_t n = size - off < chunk ? size - off : chunk;

			if (ctrl_split_feed(&sp, data + off, n,
					    line_handler, &nlines))
				abort();
		}
	}

	/* One report per LF, plus one for an unterminated too-long tail */
	if (nlines > nlf + 1)
		abort();

	mem_deref(sp.mb);

	return 0;
}
