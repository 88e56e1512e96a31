/** @file tests/unit/test_nat_rewrite.c  nat_sip_rewrite: Via/Contact only */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "nat/nat.h"

struct fix {
	struct sa laddr;
	struct sa pub;
	struct sa laddr6;
	struct sa pub6;
};


static int setup(void **state)
{
	static struct fix f;

	if (sa_set_str(&f.laddr, "192.168.1.10", 5060) ||
	    sa_set_str(&f.pub, "44.0.0.60", 61000) ||
	    sa_set_str(&f.laddr6, "fd00::10", 5060) ||
	    sa_set_str(&f.pub6, "2001:db8::60", 5070))
		return -1;

	*state = &f;
	return 0;
}


/* Run the rewrite on @p in (at mbuf offset @p pos); @p want NULL means
 * the message must come back unchanged with ENOENT */
static void check(const struct sa *laddr, const struct sa *pub,
		  const char *in, const char *want, size_t pos)
{
	struct mbuf *mb = mbuf_alloc(16);
	size_t i;
	int err;

	assert_non_null(mb);
	for (i = 0; i < pos; i++)
		assert_int_equal(mbuf_write_u8(mb, 'X'), 0);
	assert_int_equal(mbuf_write_str(mb, in), 0);
	mb->pos = pos;

	err = nat_sip_rewrite(mb, laddr, pub);
	assert_int_equal(mb->pos, pos);
	if (want) {
		assert_int_equal(err, 0);
		assert_int_equal(mbuf_get_left(mb), strlen(want));
		assert_memory_equal(mbuf_buf(mb), want, strlen(want));
	}
	else {
		assert_int_equal(err, ENOENT);
		assert_int_equal(mbuf_get_left(mb), strlen(in));
		assert_memory_equal(mbuf_buf(mb), in, strlen(in));
	}
	for (i = 0; i < pos; i++)
		assert_int_equal(mb->buf[i], 'X');

	mem_deref(mb);
}


static void test_register(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub,
	      "REGISTER sip:44.0.0.1 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKa;rport\r\n"
	      "From: <sip:1001@44.0.0.1>;tag=1\r\n"
	      "To: <sip:1001@44.0.0.1>\r\n"
	      "Call-ID: 7@192.168.1.10:5060\r\n"
	      "Contact: <sip:1001@192.168.1.10:5060>;expires=60\r\n"
	      "Content-Length: 0\r\n"
	      "\r\n",
	      "REGISTER sip:44.0.0.1 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 44.0.0.60:61000;branch=z9hG4bKa;rport\r\n"
	      "From: <sip:1001@44.0.0.1>;tag=1\r\n"
	      "To: <sip:1001@44.0.0.1>\r\n"
	      "Call-ID: 7@192.168.1.10:5060\r\n"
	      "Contact: <sip:1001@44.0.0.60:61000>;expires=60\r\n"
	      "Content-Length: 0\r\n"
	      "\r\n", 0);
}


/* The SDP body and the request URI keep our address: only headers move
 * (media has its own per-call mapping), Content-Length stays valid */
static void test_body_and_start_line_untouched(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub,
	      "OPTIONS sip:192.168.1.10:5060 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKb\r\n"
	      "Record-Route: <sip:192.168.1.10:5060;lr>\r\n"
	      "Route: <sip:192.168.1.10:5060;lr>\r\n"
	      "Warning: 399 192.168.1.10:5060 \"x\"\r\n"
	      "Content-Type: application/sdp\r\n"
	      "Content-Length: 105\r\n"
	      "\r\n"
	      "v=0\r\n"
	      "o=- 1 1 IN IP4 192.168.1.10\r\n"
	      "c=IN IP4 192.168.1.10\r\n"
	      "a=x:192.168.1.10:5060\r\n"
	      "m=audio 20000 RTP/AVP 0\r\n",
	      "OPTIONS sip:192.168.1.10:5060 SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP 44.0.0.60:61000;branch=z9hG4bKb\r\n"
	      "Record-Route: <sip:192.168.1.10:5060;lr>\r\n"
	      "Route: <sip:192.168.1.10:5060;lr>\r\n"
	      "Warning: 399 192.168.1.10:5060 \"x\"\r\n"
	      "Content-Type: application/sdp\r\n"
	      "Content-Length: 105\r\n"
	      "\r\n"
	      "v=0\r\n"
	      "o=- 1 1 IN IP4 192.168.1.10\r\n"
	      "c=IN IP4 192.168.1.10\r\n"
	      "a=x:192.168.1.10:5060\r\n"
	      "m=audio 20000 RTP/AVP 0\r\n", 0);
}


/* Compact forms, any case, space before the colon, several lines and
 * several values per line, a folded continuation line */
static void test_compact_and_multi(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub,
	      "SIP/2.0 200 OK\r\n"
	      "v: SIP/2.0/UDP 44.0.0.1:5060;branch=z9hG4bKp\r\n"
	      "VIA : SIP/2.0/UDP 192.168.1.10:5060;rport=5060;branch=z9\r\n"
	      "V:SIP/2.0/UDP 192.168.1.10:5060,\r\n"
	      " SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bKc\r\n"
	      "m: <sip:a@192.168.1.10:5060>, <sip:b@192.168.1.10:5060>\r\n"
	      "contact:<sip:192.168.1.10:5060;transport=udp>\r\n"
	      "Max-Forwards: 70\r\n"
	      "Subject: 192.168.1.10:5060\r\n"
	      "\t192.168.1.10:5060\r\n"
	      "l: 0\r\n"
	      "\r\n",
	      "SIP/2.0 200 OK\r\n"
	      "v: SIP/2.0/UDP 44.0.0.1:5060;branch=z9hG4bKp\r\n"
	      "VIA : SIP/2.0/UDP 44.0.0.60:61000;rport=5060;branch=z9\r\n"
	      "V:SIP/2.0/UDP 44.0.0.60:61000,\r\n"
	      " SIP/2.0/UDP 44.0.0.60:61000;branch=z9hG4bKc\r\n"
	      "m: <sip:a@44.0.0.60:61000>, <sip:b@44.0.0.60:61000>\r\n"
	      "contact:<sip:44.0.0.60:61000;transport=udp>\r\n"
	      "Max-Forwards: 70\r\n"
	      "Subject: 192.168.1.10:5060\r\n"
	      "\t192.168.1.10:5060\r\n"
	      "l: 0\r\n"
	      "\r\n", 0);
}


/* Addresses that only contain ours as a substring are someone else's */
static void test_foreign_left_alone(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub,
	      "SIP/2.0 200 OK\r\n"
	      "Via: SIP/2.0/UDP 192.168.1.100:5060;branch=z9hG4bKx\r\n"
	      "Via: SIP/2.0/UDP 2192.168.1.10:5060;branch=z9hG4bKy\r\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:50600;branch=z9hG4bKz\r\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5061;received=192.168.1.10\r\n"
	      "Contact: <sip:host.192.168.1.10:5060>\r\n"
	      "Contactx: <sip:192.168.1.10:5060>\r\n"
	      "Contact\r\n"
	      "Content-Length: 0\r\n"
	      "\r\n", NULL, 0);
}


static void test_ipv6(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr6, &f->pub6,
	      "INVITE sip:1002@[2001:db8::1] SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP [fd00::10]:5060;rport;branch=z9hG4bK6\r\n"
	      "Via: SIP/2.0/UDP [fd00::100]:5060;branch=z9hG4bK7\r\n"
	      "Contact: <sip:1001@[fd00::10]:5060>\r\n"
	      "Contact: <sip:[fd00::10]:5060>\r\n"
	      "Content-Length: 0\r\n"
	      "\r\n",
	      "INVITE sip:1002@[2001:db8::1] SIP/2.0\r\n"
	      "Via: SIP/2.0/UDP [2001:db8::60]:5070;rport;branch=z9hG4bK6\r\n"
	      "Via: SIP/2.0/UDP [fd00::100]:5060;branch=z9hG4bK7\r\n"
	      "Contact: <sip:1001@[2001:db8::60]:5070>\r\n"
	      "Contact: <sip:[2001:db8::60]:5070>\r\n"
	      "Content-Length: 0\r\n"
	      "\r\n", 0);
}


/* The message may start after mbuf offset 0 (a helper's headroom) */
static void test_offset(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub,
	      "BYE sip:x SIP/2.0\r\nv: SIP/2.0/UDP 192.168.1.10:5060\r\n\r\n",
	      "BYE sip:x SIP/2.0\r\nv: SIP/2.0/UDP 44.0.0.60:61000\r\n\r\n",
	      7);
}


/* Not SIP, or nothing of ours in it: ENOENT, untouched */
static void test_nothing_to_do(void **state)
{
	const struct fix *f = *state;

	check(&f->laddr, &f->pub, "\r\n\r\n", NULL, 0);
	check(&f->laddr, &f->pub, "", NULL, 0);
	check(&f->laddr, &f->pub,
	      "Via: SIP/2.0/UDP 192.168.1.10:5060\r\n", NULL, 0);
	/* a start line that looks like a header is still the start line */
	check(&f->laddr, &f->pub,
	      "Via: SIP/2.0/UDP 192.168.1.10:5060\r\n\r\n", NULL, 0);
	check(&f->laddr, &f->pub,
	      "ACK sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060\r\n\r\n",
	      NULL, 0);
	/* public equal to local: nothing to rewrite */
	check(&f->laddr, &f->laddr,
	      "ACK sip:x SIP/2.0\r\nv: SIP/2.0/UDP 192.168.1.10:5060\r\n"
	      "\r\n", NULL, 0);
}


static void test_bad_args(void **state)
{
	const struct fix *f = *state;
	struct mbuf *mb = mbuf_alloc(8);
	struct sa unset;

	assert_non_null(mb);
	sa_init(&unset, AF_UNSPEC);
	assert_int_equal(nat_sip_rewrite(NULL, &f->laddr, &f->pub), EINVAL);
	assert_int_equal(nat_sip_rewrite(mb, NULL, &f->pub), EINVAL);
	assert_int_equal(nat_sip_rewrite(mb, &f->laddr, NULL), EINVAL);
	assert_int_equal(nat_sip_rewrite(mb, &unset, &f->pub), EINVAL);
	assert_int_equal(nat_sip_rewrite(mb, &f->laddr, &unset), EINVAL);
	mem_deref(mb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_body_and_start_line_untouched),
		cmocka_unit_test(test_compact_and_multi),
		cmocka_unit_test(test_foreign_left_alone),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
