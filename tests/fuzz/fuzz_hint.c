/** @file fuzz_hint.c  libFuzzer: alg-hint's parsers and Contact insertion */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "ataua.h"
/* hint_fmt.o comes from the module's archive (run.sh) */
#include "../../modules/alg-hint/hint.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/*
 * Input: [sel:1][text...]. sel & 3 picks the parser: 0 srcadr in URI
 * parameters, 1 an x-private value, 2 Contact insertion into a SIP
 * message, 3 all three. Checked: results are only the documented
 * errors; what parses prints and parses back to the same addresses;
 * insertion keeps pos, leaves the message alone on ENOENT and only ever
 * adds whole copies of the parameter.
 */
static const char param[] = ";srcadr=192.168.0.4%3A5060";


static void srcadr(const uint8_t *p, size_t n)
{
	char buf[HINT_PARAM_MAX];
	struct sa sa, again;
	struct pl pl;
	int err;

	pl.p = (const char *)p;
	pl.l = n;
	err = hint_srcadr_decode(&sa, &pl);
	if (err && err != ENOENT && err != EINVAL)
		__builtin_trap();
	if (err)
		return;

	if (hint_srcadr_print(buf, sizeof(buf), &sa))
		__builtin_trap();
	pl_set_str(&pl, buf);
	if (hint_srcadr_decode(&again, &pl) || !sa_cmp(&sa, &again, SA_ALL))
		__builtin_trap();
}


static int print_h(struct re_printf *pf, void *arg)
{
	const struct sa *v = arg;

	return hint_xpriv_print(pf, &v[0], &v[1]);
}


static void xpriv(const uint8_t *p, size_t n)
{
	struct sa v[2], w[2];
	char *s, buf[160];
	int err;

	s = mem_zalloc(n + 1, NULL);
	if (!s)
		return;
	memcpy(s, p, n);

	err = hint_xpriv_decode(&v[0], &v[1], s);
	if (err && err != EINVAL)
		__builtin_trap();
	if (!err) {
		if (re_snprintf(buf, sizeof(buf), "%H", print_h, v) <= 0)
			__builtin_trap();
		if (hint_xpriv_decode(&w[0], &w[1], buf) ||
		    !sa_cmp(&v[0], &w[0], SA_ALL) ||
		    !sa_cmp(&v[1], &w[1], SA_ALL))
			__builtin_trap();
	}

	mem_deref(s);
}


static void contact(const uint8_t *p, size_t n)
{
	struct mbuf *mb;
	size_t pos = 3, grown;
	int err;

	mb = mbuf_alloc(n + pos + 1);
	if (!mb)
		return;
	memset(mb->buf, 'X', pos);
	mb->pos = mb->end = pos;
	if (mbuf_write_mem(mb, p, n))
		goto out;
	mb->pos = pos;

	err = hint_contact_insert(mb, param);
	if (err && err != ENOENT && err != ENOMEM)
		__builtin_trap();
	if (mb->pos != pos || memcmp(mb->buf, "XXX", pos))
		__builtin_trap();
	if (mbuf_get_left(mb) < n)
		__builtin_trap();
	grown = mbuf_get_left(mb) - n;
	if (err == ENOENT && (grown || memcmp(mbuf_buf(mb), p, n)))
		__builtin_trap();
	if (!err && (!grown || grown % (sizeof(param) - 1)))
		__builtin_trap();

	/* a second pass finds every Contact hinted already */
	if (!err && hint_contact_insert(mb, param) != ENOENT)
		__builtin_trap();

 out:
	mem_deref(mb);
}


int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n < 1)
		return 0;

	switch (d[0] & 3) {

	case 0:  srcadr(d + 1, n - 1);  break;
	case 1:  xpriv(d + 1, n - 1);   break;
	case 2:  contact(d + 1, n - 1); break;
	default:
		srcadr(d + 1, n - 1);
		xpriv(d + 1, n - 1);
		contact(d + 1, n - 1);
		break;
	}

	return 0;
}
