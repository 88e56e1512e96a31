/**
 * @file tests/unit/test_sip_version.c  SIP versions libre 1.1.0 drops:
 * which requests get 505, which are SIP/2.0 in another case
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "sip/sip_version.h"

#define HDRS "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" \
	"To: <sip:1001@192.0.2.2>\r\nFrom: <sip:2000@192.0.2.1>;tag=a\r\n" \
	"Call-ID: v1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"


static enum sip_version_kind classify(const char *text, char *ver,
				      size_t sz)
{
	enum sip_version_kind k;
	struct pl raw, v = PL_INIT;

	pl_set_str(&raw, text);
	k = sip_version_classify(&raw, &v);
	if (ver)
		(void)pl_strcpy(&v, ver, sz);

	return k;
}


static void test_version_kinds(void **state)
{
	char ver[64];
	(void)state;

	assert_int_equal(classify("INVITE sip:1001@x SIP/2.0\r\n" HDRS,
				  NULL, 0), SIP_VERSION_OK);

	/* RFC 3261 7.1: "The SIP-Version string is case-insensitive" */
	assert_int_equal(classify("INVITE sip:1001@x sip/2.0\r\n" HDRS,
				  ver, sizeof(ver)), SIP_VERSION_CASE);
	assert_string_equal(ver, "sip/2.0");
	assert_int_equal(classify("INVITE sip:1001@x Sip/2.0\n" HDRS,
				  NULL, 0), SIP_VERSION_CASE);

	/* RFC 3261 21.5.7: a version we do not speak, 505 */
	assert_int_equal(classify("INVITE sip:1001@x SIP/2.1\r\n" HDRS,
				  ver, sizeof(ver)), SIP_VERSION_OTHER);
	assert_string_equal(ver, "SIP/2.1");
	assert_int_equal(classify("INVITE sip:1001@x SIP/3.0\r\n" HDRS,
				  NULL, 0), SIP_VERSION_OTHER);
	assert_int_equal(classify("INVITE sip:1001@x SIP/2.00\r\n" HDRS,
				  NULL, 0), SIP_VERSION_OTHER);
	assert_int_equal(classify("INVITE sip:1001@x "
				  "SIP/2.99999999999999999999999999999999"
				  "\r\n" HDRS, NULL, 0), SIP_VERSION_OTHER);
	assert_int_equal(classify("OPTIONS sip:a@x sip/7.0\r\n" HDRS,
				  NULL, 0), SIP_VERSION_OTHER);
}


static void test_not_requests(void **state)
{
	(void)state;

	/* responses are libre's, whatever their version */
	assert_int_equal(classify("SIP/2.0 200 OK\r\n" HDRS, NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("SIP/3.0 200 OK\r\n" HDRS, NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("sip/2.0 200 OK\r\n" HDRS, NULL, 0),
			 SIP_VERSION_NONE);
	/* not a SIP-Version at all: libre drops it (RFC 4475 3.1.2.10) */
	assert_int_equal(classify("INVITE sip:1001@x SIP/2.0 \r\n" HDRS,
				  NULL, 0), SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE sip:1001@x HTTP/1.1\r\n" HDRS,
				  NULL, 0), SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE sip:1001@x SIP/2\r\n", NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE sip:1001@x SIP/.0\r\n", NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE sip:1001@x SIP/2.0.1\r\n", NULL,
				  0), SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE  sip:1001@x SIP/3.0\r\n", NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify(" INVITE sip:1001@x SIP/3.0\r\n", NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("INVITE sip:1001@x SIP/3.0", NULL, 0),
			 SIP_VERSION_NONE);
	assert_int_equal(classify("", NULL, 0), SIP_VERSION_NONE);
	assert_int_equal(classify("\r\n\r\n", NULL, 0), SIP_VERSION_NONE);
}


/* copy_decode TEXT: sip_version_copy, then libre's decoder */
static struct sip_msg *copy_decode(const char *text)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb = NULL;
	struct pl raw, ver;

	pl_set_str(&raw, text);
	assert_int_equal(sip_version_classify(&raw, &ver), SIP_VERSION_OTHER);
	assert_int_equal(sip_version_copy(&mb, &raw, &ver), 0);
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);

	return msg;
}


static void test_copy_decodes(void **state)
{
	struct sip_msg *msg;
	(void)state;

	msg = copy_decode("INVITE sip:1001@x SIP/2.9999999999999\r\n" HDRS);
	assert_true(msg->req);
	assert_int_equal(pl_strcmp(&msg->met, "INVITE"), 0);
	assert_int_equal(pl_strcmp(&msg->ver, "SIP/2.0"), 0);
	assert_int_equal(pl_strcmp(&msg->via.branch, "z9hG4bK1"), 0);
	assert_int_equal(pl_strcmp(&msg->callid, "v1"), 0);
	mem_deref(msg);

	/* RFC 4475 3.1.2.16 badvers: the Via says SIP/7.0 too */
	msg = copy_decode("OPTIONS sip:t.watson@example.org SIP/7.0\r\n"
			  "Via:     SIP/7.0/UDP c.example.com;"
			  "branch=z9hG4bKkdjuw\r\n"
			  "Max-Forwards:     70\r\n"
			  "From:    A. Bell <sip:a.g.bell@example.com>;"
			  "tag=qweoiqpe\r\n"
			  "To:      T. Watson <sip:t.watson@example.org>\r\n"
			  "Call-ID: badvers.31417@c.example.com\r\n"
			  "CSeq:    1 OPTIONS\r\nl: 0\r\n\r\n");
	assert_int_equal(pl_strcmp(&msg->met, "OPTIONS"), 0);
	assert_int_equal(pl_strcmp(&msg->via.sentby, "c.example.com"), 0);
	assert_int_equal(pl_strcmp(&msg->via.branch, "z9hG4bKkdjuw"), 0);
	mem_deref(msg);

	/* compact Via, spaces around the slashes */
	msg = copy_decode("OPTIONS sip:a@x SIP/3.0\r\n"
			  "v: SIP / 3.0 / UDP 192.0.2.1:5070;branch=z9hG4bK2"
			  "\r\nTo: <sip:a@x>\r\nf: <sip:b@y>;tag=1\r\n"
			  "i: c2\r\nCSeq: 1 OPTIONS\r\n\r\n");
	assert_int_equal(sa_port(&msg->via.addr), 5070);
	mem_deref(msg);
}


static void test_copy_bad_args(void **state)
{
	struct mbuf *mb = NULL;
	struct pl raw, ver;
	(void)state;

	pl_set_str(&raw, "OPTIONS sip:a@x SIP/3.0\r\n\r\n");
	pl_set_str(&ver, "SIP/3.0");  /* not inside raw */
	assert_int_equal(sip_version_copy(&mb, &raw, &ver), EINVAL);
	assert_int_equal(sip_version_copy(NULL, &raw, &ver), EINVAL);
	assert_null(mb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_kinds),
		cmocka_unit_test(test_not_requests),
		cmocka_unit_test(test_copy_decodes),
		cmocka_unit_test(test_copy_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
