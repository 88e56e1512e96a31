/**
 * @file tests/unit/test_nat_alg.c  A router's SIP ALG: what gives it
 * away (nat_alg_check); the verdict's words for it are in
 * test_nat_verdict.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "nat/nat.h"


static void addr(struct sa *sa, const char *s)
{
	assert_int_equal(sa_decode(sa, s, strlen(s)), 0);
}


/*
 * Behind a home router (192.168.1.10 -> 203.0.113.7), a registrar out
 * there, STUN answered, our REGISTER carried the public address and the
 * answer gave it back unchanged: no ALG.
 */
static struct nat_alg_view clean(void)
{
	struct nat_alg_view v;

	memset(&v, 0, sizeof(v));
	addr(&v.sent, "203.0.113.7:5060");
	addr(&v.echoed, "203.0.113.7:5060");
	addr(&v.seen, "203.0.113.7:5060");
	addr(&v.laddr, "192.168.1.10:5060");
	addr(&v.registrar, "198.51.100.1:5060");
	addr(&v.stun, "203.0.113.7:5060");
	return v;
}


static void test_clean(void **state)
{
	struct nat_alg_view v = clean();

	(void)state;

	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);
	assert_int_equal(nat_alg_check(NULL), NAT_ALG_NONE);
	assert_string_equal(nat_alg_sign_text(NAT_ALG_NONE), "");
}


/* What the Linux SIP helper does: public Via out, private Via back */
static void test_via_rewritten_back(void **state)
{
	struct nat_alg_view v = clean();

	(void)state;

	addr(&v.echoed, "192.168.1.10:5060");
	addr(&v.seen, "192.168.1.10:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_VIA);
	assert_non_null(strstr(nat_alg_sign_text(NAT_ALG_VIA), "Via"));

	/* only the port changed: rewritten all the same */
	v = clean();
	addr(&v.echoed, "203.0.113.7:1024");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_VIA);
}


/* We sent our private Via; the ALG made it public and back: only STUN
   and a registrar that cannot have seen a private address tell */
static void test_stun_disagrees(void **state)
{
	struct nat_alg_view v = clean();

	(void)state;

	addr(&v.sent, "192.168.1.10:5060");
	addr(&v.echoed, "192.168.1.10:5060");
	addr(&v.seen, "192.168.1.10:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_STUN);
	assert_non_null(strstr(nat_alg_sign_text(NAT_ALG_STUN), "STUN"));

	/* no STUN answer: nothing to hold it against */
	sa_init(&v.stun, AF_UNSPEC);
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);
}


/* The honest cases that look alike: no false alarm */
static void test_no_false_alarm(void **state)
{
	struct nat_alg_view v = clean();

	(void)state;

	/* a plain NAT, our private Via, the registrar saw the router */
	addr(&v.sent, "192.168.1.10:5060");
	addr(&v.echoed, "192.168.1.10:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);

	/* the registrar in our own LAN sees us directly */
	addr(&v.registrar, "192.168.1.2:5060");
	addr(&v.seen, "192.168.1.10:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);

	/* a public address of our own: no NAT, nothing to rewrite */
	v = clean();
	addr(&v.laddr, "203.0.113.7:5060");
	addr(&v.sent, "203.0.113.7:5060");
	addr(&v.echoed, "203.0.113.7:5060");
	addr(&v.seen, "203.0.113.7:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);

	/* STUN sees no NAT either (a VPN to both) */
	v = clean();
	addr(&v.sent, "192.168.1.10:5060");
	addr(&v.echoed, "192.168.1.10:5060");
	addr(&v.seen, "192.168.1.10:5060");
	addr(&v.stun, "192.168.1.10:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);

	/* nothing recorded of what we sent: the Via is not compared */
	v = clean();
	sa_init(&v.sent, AF_UNSPEC);
	addr(&v.echoed, "10.9.9.9:5060");
	assert_int_equal(nat_alg_check(&v), NAT_ALG_NONE);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_via_rewritten_back),
		cmocka_unit_test(test_stun_disagrees),
		cmocka_unit_test(test_no_false_alarm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
