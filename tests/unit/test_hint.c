/**
 * @file tests/unit/test_hint.c  alg-hint's text: the Contact srcadr
 *                              parameter, a=x-private, Contact insertion
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/alg-hint/hint.h"


static void test_srcadr_print(void **state)
{
	char buf[HINT_PARAM_MAX];
	struct sa sa;

	(void)state;

	assert_int_equal(sa_set_str(&sa, "192.168.0.4", 5060), 0);
	assert_int_equal(hint_srcadr_print(buf, sizeof(buf), &sa), 0);
	assert_string_equal(buf, ";srcadr=192.168.0.4%3A5060");

	assert_int_equal(sa_set_str(&sa, "fd00::4", 5062), 0);
	assert_int_equal(hint_srcadr_print(buf, sizeof(buf), &sa), 0);
	assert_string_equal(buf, ";srcadr=[fd00::4]%3A5062");

	/* too small a buffer, unset address */
	assert_int_equal(hint_srcadr_print(buf, 10, &sa), ENOSPC);
	sa_init(&sa, AF_INET);
	assert_int_equal(hint_srcadr_print(buf, sizeof(buf), &sa), EINVAL);
	assert_int_equal(hint_srcadr_print(NULL, 8, &sa), EINVAL);
}


static int srcadr(struct sa *sa, const char *params)
{
	struct pl pl;

	pl_set_str(&pl, params);
	return hint_srcadr_decode(sa, &pl);
}


static void test_srcadr_decode(void **state)
{
	struct sa sa, want;
	char big[300];

	(void)state;

	assert_int_equal(sa_set_str(&want, "192.168.0.4", 5060), 0);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%3A5060"), 0);
	assert_true(sa_cmp(&sa, &want, SA_ALL));
	assert_int_equal(srcadr(&sa, ";transport=udp;srcadr=192.168.0.4"
				"%3a5060;lr"), 0);
	assert_true(sa_cmp(&sa, &want, SA_ALL));
	/* an unescaped colon is what a sloppy peer might send: accepted */
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4:5060"), 0);
	assert_int_equal(srcadr(&sa, ";srcadr=[fd00::4]%3A5062"), 0);
	assert_int_equal(sa_af(&sa), AF_INET6);
	assert_int_equal(sa_port(&sa), 5062);

	/* absent */
	assert_int_equal(srcadr(&sa, ";transport=udp"), ENOENT);
	assert_int_equal(srcadr(&sa, ""), ENOENT);

	/* hostile */
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4"), EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%3A0"), EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%3A65536"),
			 EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%3"), EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%zz5060"), EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%00%3A5060"),
			 EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=192.168.0.4%20%3A5060"),
			 EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=0.0.0.0%3A5060"), EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=host.example%3A5060"),
			 EINVAL);
	assert_int_equal(srcadr(&sa, ";srcadr=%"), EINVAL);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, ";srcadr=", 8);
	assert_int_equal(srcadr(&sa, big), EINVAL);
	assert_int_equal(hint_srcadr_decode(NULL, NULL), EINVAL);
}


static int print_h(struct re_printf *pf, void *arg)
{
	const struct sa *v = arg;

	return hint_xpriv_print(pf, &v[0], &v[1]);
}


static void test_xpriv_print(void **state)
{
	struct sa v[2];
	char buf[128];

	(void)state;

	assert_int_equal(sa_set_str(&v[0], "192.168.0.4", 10004), 0);
	assert_int_equal(sa_set_str(&v[1], "218.230.0.59", 10004), 0);
	assert_true(re_snprintf(buf, sizeof(buf), "%H", print_h, v) > 0);
	assert_string_equal(buf, "192.168.0.4:10004 218.230.0.59:10004");

	assert_int_equal(sa_set_str(&v[0], "fd00::4", 20000), 0);
	assert_true(re_snprintf(buf, sizeof(buf), "%H", print_h, v) > 0);
	assert_string_equal(buf, "[fd00::4]:20000 218.230.0.59:10004");

	sa_init(&v[1], AF_INET);
	assert_true(re_snprintf(buf, sizeof(buf), "%H", print_h, v) < 0 ||
		    !strcmp(buf, ""));
}


static void test_xpriv_decode(void **state)
{
	struct sa priv, pub, want;
	char big[400];

	(void)state;

	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:10004 "
					   "218.230.0.59:10004"), 0);
	assert_int_equal(sa_set_str(&want, "192.168.0.4", 10004), 0);
	assert_true(sa_cmp(&priv, &want, SA_ALL));
	assert_int_equal(sa_set_str(&want, "218.230.0.59", 10004), 0);
	assert_true(sa_cmp(&pub, &want, SA_ALL));

	/* trailing space or CR tolerated, IPv6 */
	assert_int_equal(hint_xpriv_decode(&priv, &pub, "10.0.0.2:1234 "
					   "123.123.123.123:5678 \r"), 0);
	assert_int_equal(hint_xpriv_decode(&priv, &pub, "[fd00::1]:20000 "
					   "[2001:db8::1]:20000"), 0);
	assert_int_equal(sa_af(&priv), AF_INET6);

	/* hostile */
	assert_int_equal(hint_xpriv_decode(&priv, &pub, ""), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub, " "), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:10004"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:10004  "
					   "1.2.3.4:5"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4 1.2.3.4:5"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:0 1.2.3.4:5"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:1 1.2.3.4:5 x"),
			 EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "192.168.0.4:1 1.2.3.4:99999"),
			 EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "a.b.c.d:1 1.2.3.4:5"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub,
					   "0.0.0.0:1 1.2.3.4:5"), EINVAL);
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[100] = ' ';
	assert_int_equal(hint_xpriv_decode(&priv, &pub, big), EINVAL);
	assert_int_equal(hint_xpriv_decode(NULL, &pub, "x"), EINVAL);
	assert_int_equal(hint_xpriv_decode(&priv, &pub, NULL), EINVAL);
}


static int insert(char *out, size_t sz, const char *msg)
{
	struct mbuf *mb = mbuf_alloc(512);
	int err;

	assert_non_null(mb);
	assert_int_equal(mbuf_write_str(mb, msg), 0);
	mb->pos = 0;
	err = hint_contact_insert(mb, ";srcadr=192.168.0.4%3A5060");
	mb->pos = 0;
	if (!err) {
		size_t n = mb->end < sz ? mb->end : sz - 1;

		memcpy(out, mb->buf, n);
		out[n] = '\0';
	}
	mem_deref(mb);

	return err;
}


static void test_contact_insert(void **state)
{
	char out[512];

	(void)state;

	assert_int_equal(insert(out, sizeof(out),
		"REGISTER sip:44.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.168.0.4:5060;branch=z9hG4bK1\r\n"
		"Contact: <sip:1001@192.168.0.4:5060>;expires=60\r\n"
		"Content-Length: 11\r\n\r\n"
		"Contact: <x>"), 0);
	assert_string_equal(out,
		"REGISTER sip:44.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.168.0.4:5060;branch=z9hG4bK1\r\n"
		"Contact: <sip:1001@192.168.0.4:5060"
		";srcadr=192.168.0.4%3A5060>;expires=60\r\n"
		"Content-Length: 11\r\n\r\n"
		"Contact: <x>");

	/* compact form, case */
	assert_int_equal(insert(out, sizeof(out),
		"SIP/2.0 200 OK\r\nm : <sip:a@b>\r\n\r\n"), 0);
	assert_string_equal(out, "SIP/2.0 200 OK\r\n"
			    "m : <sip:a@b;srcadr=192.168.0.4%3A5060>\r\n\r\n");

	/* a retransmission already has it; a wildcard, no Contact, STUN,
	   a CRLF keep-alive, an unterminated URI: nothing to do */
	assert_int_equal(insert(out, sizeof(out),
		"SIP/2.0 200 OK\r\nContact: <sip:a@b;srcadr=1.2.3.4%3A5>\r\n"
		"\r\n"), ENOENT);
	assert_int_equal(insert(out, sizeof(out),
		"REGISTER sip:x SIP/2.0\r\nContact: *\r\n\r\n"), ENOENT);
	assert_int_equal(insert(out, sizeof(out),
		"BYE sip:x SIP/2.0\r\nVia: x\r\n\r\n"), ENOENT);
	assert_int_equal(insert(out, sizeof(out), "\r\n\r\n"), ENOENT);
	assert_int_equal(insert(out, sizeof(out), "\x00\x01\x00\x00"),
			 ENOENT);
	assert_int_equal(insert(out, sizeof(out),
		"SIP/2.0 200 OK\r\nContact: <sip:a@b\r\n\r\n"), ENOENT);
	/* a header that only starts like Contact */
	assert_int_equal(insert(out, sizeof(out),
		"SIP/2.0 200 OK\r\nContacts: <sip:a@b>\r\n"
		"max: <sip:a@b>\r\n\r\n"), ENOENT);

	assert_int_equal(hint_contact_insert(NULL, ";x"), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srcadr_print),
		cmocka_unit_test(test_srcadr_decode),
		cmocka_unit_test(test_xpriv_print),
		cmocka_unit_test(test_xpriv_decode),
		cmocka_unit_test(test_contact_insert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
