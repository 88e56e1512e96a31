/**
 * @file tests/unit/test_sip_check.c  RFC 3261 request checks: 400/416/420
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "sip/sip_check.h"

#define VIA "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
#define TO "To: <sip:1001@192.0.2.2>\r\n"
#define FROM "From: <sip:2000@192.0.2.1>;tag=a\r\n"
#define CID "Call-ID: c1\r\n"
#define MF "Max-Forwards: 70\r\n"
#define CL0 "Content-Length: 0\r\n"
#define CONTACT "Contact: <sip:2000@192.0.2.1>\r\n"


/* Decode @p text as libre's UDP transport would, then check it; the
   message stays in *msgp (chk's tags point into it) */
static uint16_t check_keep(const char *text, struct sip_check *chk,
			   struct sip_msg **msgp)
{
	struct mbuf *mb = mbuf_alloc(strlen(text) + 1);

	assert_non_null(mb);
	assert_int_equal(mbuf_write_str(mb, text), 0);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(msgp, mb), 0);
	mem_deref(mb);  /* the message holds a reference */
	(*msgp)->tp = SIP_TRANSP_UDP;

	sip_check_request(chk, *msgp);

	return chk->scode;
}


static uint16_t check1(const char *text)
{
	struct sip_msg *msg = NULL;
	struct sip_check chk;
	uint16_t scode;

	scode = check_keep(text, &chk, &msg);
	mem_deref(msg);

	return scode;
}


static void test_good_requests_pass(void **state)
{
	(void)state;

	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 OPTIONS\r\n" MF CL0
				"\r\n"), 0);
	assert_int_equal(check1("INVITE sips:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 2147483647 INVITE\r\n"
				CONTACT "Max-Forwards: 0\r\n"
				"Content-Length: 4\r\n\r\nv=0\n"), 0);
	/* no Content-Length is fine on UDP */
	assert_int_equal(check1("BYE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 3 BYE\r\n" "\r\n"), 0);
	/* escaped quote inside a display name */
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA "To: \"a \\\" b\" <sip:1001@x>\r\n" FROM
				CID "CSeq: 1 OPTIONS\r\n" CL0 "\r\n"), 0);
}


static void test_bad_syntax_400(void **state)
{
	(void)state;

	/* RFC 4475 3.3.1: no Call-ID, From, To */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA "CSeq: 1 INVITE\r\n" CL0 "\r\n"), 400);
	/* RFC 4475 3.3.8: two To, two Call-ID */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO TO FROM CID CID "CSeq: 1 INVITE\r\n"
				CL0 "\r\n"), 400);
	/* RFC 4475 3.1.2.4: CSeq past 2**31 - 1, Max-Forwards past 255 */
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID
				"CSeq: 36893488147419103232 OPTIONS\r\n"
				CL0 "\r\n"), 400);
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 2147483648 OPTIONS\r\n"
				CL0 "\r\n"), 400);
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 OPTIONS\r\n"
				"Max-Forwards: 300\r\n" CL0 "\r\n"), 400);
	/* RFC 4475 3.1.2.17: CSeq method differs */
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n" CL0
				"\r\n"), 400);
	/* RFC 4475 3.1.2.6: unterminated quoted display name */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA "To: \"Mr. J. User <sip:1001@x>\r\n" FROM
				CID "CSeq: 1 INVITE\r\n" CL0 "\r\n"), 400);
}


static void test_bad_length_400(void **state)
{
	(void)state;

	/* RFC 4475 3.1.2.2: Content-Length beyond the datagram */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n"
				"Content-Length: 9999\r\n\r\nv=0\n"), 400);
	/* RFC 4475 3.1.2.3: negative */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n"
				"Content-Length: -999\r\n\r\nv=0\n"), 400);
	/* RFC 4475 3.3.9: two values */
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 OPTIONS\r\n"
				"Content-Length: 3\r\nl: 4\r\n\r\nabcd"), 400);
}


static void test_scheme_416(void **state)
{
	(void)state;

	assert_int_equal(check1("OPTIONS nobodyKnowsThisScheme:opaque "
				"SIP/2.0\r\n" VIA TO FROM CID
				"CSeq: 1 OPTIONS\r\n" CL0 "\r\n"), 416);
	assert_int_equal(check1("INVITE tel:+15551234 SIP/2.0\r\n" VIA TO
				FROM CID "CSeq: 1 INVITE\r\n" CL0 "\r\n"),
			 416);
}


static void test_require_420(void **state)
{
	struct sip_msg *msg = NULL;
	struct sip_check chk;
	char hdr[128];
	(void)state;

	assert_int_equal(check_keep("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				    VIA TO FROM CID "CSeq: 1 OPTIONS\r\n"
				    "Require: foo, bar\r\n"
				    "Proxy-Require: baz\r\n" CL0 "\r\n",
				    &chk, &msg), 420);
	assert_int_equal(chk.unsupc, 2);
	assert_true(re_snprintf(hdr, sizeof(hdr), "%H",
				sip_check_unsupported, &chk) > 0);
	assert_string_equal(hdr, "Unsupported: foo, bar\r\n");
	mem_deref(msg);

	/* CANCEL and ACK are not checked for Require */
	assert_int_equal(check1("CANCEL sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 CANCEL\r\n"
				"Require: foo\r\n" CL0 "\r\n"), 0);
	assert_int_equal(check1("ACK sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA "CSeq: 1 ACK\r\nRequire: foo\r\n" CL0
				"\r\n"), 0);
}


/* Without a Contact libre cannot accept an INVITE: the call would ring
   with no transaction for its CANCEL to reach (issue #11) */
static void test_invite_contact_400(void **state)
{
	(void)state;

	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n" CL0
				"\r\n"), 400);
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n"
				"Contact: <>\r\n" CL0
				"\r\n"), 400);
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 INVITE\r\n"
				"m: sip:2000@192.0.2.1\r\n" CL0 "\r\n"), 0);
	/* a re-INVITE keeps the dialog's target; other methods need none */
	assert_int_equal(check1("INVITE sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA "To: <sip:1001@192.0.2.2>;tag=b\r\n"
				FROM CID "CSeq: 2 INVITE\r\n" CL0 "\r\n"),
			 0);
	assert_int_equal(check1("OPTIONS sip:1001@192.0.2.2 SIP/2.0\r\n"
				VIA TO FROM CID "CSeq: 1 OPTIONS\r\n" CL0
				"\r\n"), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_requests_pass),
		cmocka_unit_test(test_bad_syntax_400),
		cmocka_unit_test(test_bad_length_400),
		cmocka_unit_test(test_scheme_416),
		cmocka_unit_test(test_require_420),
		cmocka_unit_test(test_invite_contact_400),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
