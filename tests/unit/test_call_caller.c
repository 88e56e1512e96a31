/**
 * @file test_call_caller.c  Who calls: number, name, privacy of an INVITE
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "call/call.h"


/* An INVITE with @p from and the extra header lines @p hdrs */
static void decode(struct call_caller *cc, const char *from,
		   const char *hdrs)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb = mbuf_alloc(1024);

	assert_non_null(mb);
	assert_int_equal(mbuf_printf(mb,
		"INVITE sip:1001@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1\r\n"
		"From: %s;tag=1\r\nTo: <sip:1001@127.0.0.1>\r\n"
		"Call-ID: c1\r\nCSeq: 1 INVITE\r\n%s"
		"Content-Length: 0\r\n\r\n", from, hdrs), 0);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);

	assert_int_equal(call_caller_decode(cc, msg), 0);
	mem_deref(msg);
}


static void test_from(void **state)
{
	struct call_caller cc;

	(void)state;
	decode(&cc, "\"Alice Example\" <sip:5551234@example.com>", "");
	assert_string_equal(cc.number, "5551234");
	assert_string_equal(cc.name, "Alice Example");
	assert_false(cc.hidden);

	decode(&cc, "<sip:+49-30-555.1234;phone-context=x@example.com>",
	       "");
	assert_string_equal(cc.number, "+49305551234");
	assert_string_equal(cc.name, "");

	/* a user that is a name: no number; no user: none */
	decode(&cc, "Bob <sip:bob@example.com>", "");
	assert_string_equal(cc.number, "");
	assert_string_equal(cc.name, "Bob");
	decode(&cc, "<sip:example.com>", "");
	assert_string_equal(cc.number, "");
	assert_false(cc.hidden);
}


static void test_pai(void **state)
{
	struct call_caller cc;

	(void)state;
	decode(&cc, "\"Spoof\" <sip:999@example.com>",
	       "P-Asserted-Identity: \"Carol\" <sip:2000@proxy>\r\n");
	assert_string_equal(cc.number, "2000");
	assert_string_equal(cc.name, "Carol");

	/* no display name in PAI: From's */
	decode(&cc, "\"Dave\" <sip:999@example.com>",
	       "P-Asserted-Identity: <tel:+15551234;cpc=x>\r\n");
	assert_string_equal(cc.number, "+15551234");
	assert_string_equal(cc.name, "Dave");
}


static void test_private(void **state)
{
	struct call_caller cc;

	(void)state;
	decode(&cc, "\"Anonymous\" <sip:anonymous@anonymous.invalid>", "");
	assert_true(cc.hidden);
	assert_string_equal(cc.number, "");
	assert_string_equal(cc.name, "");

	decode(&cc, "<sip:anonymous@example.com>", "");
	assert_true(cc.hidden);

	decode(&cc, "\"Eve\" <sip:555@example.com>",
	       "P-Asserted-Identity: <sip:555@proxy>\r\n"
	       "Privacy: header; id\r\n");
	assert_true(cc.hidden);
	assert_string_equal(cc.number, "");

	decode(&cc, "\"Eve\" <sip:555@example.com>", "Privacy: none\r\n");
	assert_false(cc.hidden);
	assert_string_equal(cc.number, "555");

	assert_int_equal(call_caller_decode(NULL, NULL), EINVAL);
	assert_null(call_caller(NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_pai),
		cmocka_unit_test(test_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
