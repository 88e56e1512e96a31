/**
 * @file tests/unit/test_reg_contact.c  Which binding of a REGISTER's 2xx
 * is ours (reg_contact_stored): the one of our user at the address our
 * Contact said, else the only one of our user; none, or several of our
 * user elsewhere, is ENOENT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "sip/reg.h"

static struct sip_msg *msg_of(const char *contacts)
{
	struct sip_msg *msg = NULL;
	struct mbuf *mb = mbuf_alloc(1024);

	assert_non_null(mb);
	assert_int_equal(mbuf_printf(mb,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1\r\n"
		"From: <sip:1001@example.net>;tag=a\r\n"
		"To: <sip:1001@example.net>;tag=b\r\n"
		"Call-ID: c1\r\n"
		"CSeq: 2 REGISTER\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n", contacts), 0);
	mb->pos = 0;
	assert_int_equal(sip_msg_decode(&msg, mb), 0);
	mem_deref(mb);

	return msg;
}


static void check(const char *contacts, const char *sent, int want_err,
		  const char *want)
{
	struct sip_msg *msg = msg_of(contacts);
	char buf[80] = "x";
	struct sa sa;

	assert_int_equal(sa_decode(&sa, sent, strlen(sent)), 0);
	assert_int_equal(reg_contact_stored(msg, "1001", &sa, buf,
					    sizeof(buf)), want_err);
	assert_string_equal(buf, want);
	mem_deref(msg);
}


/* Behind a NAT: our Contact went out with the public address */
static void test_ours_at_sent(void **state)
{
	(void)state;
	check("Contact: <sip:1001@203.0.113.7:5060>;expires=300\r\n",
	      "203.0.113.7:5060", 0, "203.0.113.7:5060");
}


/* Another device of the same account is not ours */
static void test_other_device_skipped(void **state)
{
	(void)state;
	check("Contact: <sip:1001@198.51.100.9:5062>;expires=120, "
	      "<sip:1001@203.0.113.7:5060>;expires=300\r\n",
	      "203.0.113.7:5060", 0, "203.0.113.7:5060");
	check("Contact: <sip:1002@198.51.100.9>;expires=120\r\n"
	      "Contact: <sip:1001@203.0.113.7>;expires=300\r\n",
	      "203.0.113.7:5060", 0, "203.0.113.7:5060");
}


/* A registrar that rewrote our binding: the only one of our user */
static void test_rewritten_by_registrar(void **state)
{
	(void)state;
	check("Contact: <sip:1001@203.0.113.7:40123;transport=udp>\r\n",
	      "192.168.1.10:5060", 0, "203.0.113.7:40123");
}


static void test_none_or_ambiguous(void **state)
{
	(void)state;
	check("", "203.0.113.7:5060", ENOENT, "");
	check("Contact: <sip:1002@203.0.113.7:5060>\r\n",
	      "203.0.113.7:5060", ENOENT, "");
	check("Contact: <sip:1001@198.51.100.9:5062>, "
	      "<sip:1001@198.51.100.10:5062>\r\n",
	      "203.0.113.7:5060", ENOENT, "");
	check("Contact: garbage\r\n", "203.0.113.7:5060", ENOENT, "");
}


static void test_ipv6_and_bad_args(void **state)
{
	struct sip_msg *msg = msg_of("Contact: <sip:1001@[2001:db8::1]:5060>"
				     "\r\n");
	char buf[80];
	(void)state;

	assert_int_equal(reg_contact_stored(msg, "1001", NULL, buf,
					    sizeof(buf)), 0);
	assert_string_equal(buf, "[2001:db8::1]:5060");
	assert_int_equal(reg_contact_stored(NULL, "1001", NULL, buf,
					    sizeof(buf)), EINVAL);
	assert_int_equal(reg_contact_stored(msg, NULL, NULL, buf,
					    sizeof(buf)), EINVAL);
	mem_deref(msg);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ours_at_sent),
		cmocka_unit_test(test_other_device_skipped),
		cmocka_unit_test(test_rewritten_by_registrar),
		cmocka_unit_test(test_none_or_ambiguous),
		cmocka_unit_test(test_ipv6_and_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
