/**
 * @file tests/unit/test_sip_family.c  The family a registration picks
 * (sip_family_pick): IPv6 when both ends have it, IPv4 when IPv6 went
 * unanswered or either end lacks it, IPv6 again when IPv4 cannot be
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "sip/sip_family.h"

static int pick(bool l4, bool l6, bool a4, bool a6, bool failed)
{
	struct sip_family_in in = {l4, l6, a4, a6, failed};

	return sip_family_pick(&in);
}


static void test_dual_both_ends_v6(void **state)
{
	(void)state;
	assert_int_equal(pick(true, true, true, true, false), AF_INET6);
}


static void test_no_aaaa_v4(void **state)
{
	(void)state;
	assert_int_equal(pick(true, true, true, false, false), AF_INET);
}


static void test_no_global_v6_v4(void **state)
{
	(void)state;
	assert_int_equal(pick(true, false, true, true, false), AF_INET);
}


static void test_v6_failed_falls_back(void **state)
{
	(void)state;
	assert_int_equal(pick(true, true, true, true, true), AF_INET);
}


static void test_v6_failed_but_only_v6(void **state)
{
	(void)state;
	/* no A record: IPv6 is all there is, try it again */
	assert_int_equal(pick(true, true, false, true, true), AF_INET6);
	/* an IPv6-only box */
	assert_int_equal(pick(false, true, true, true, true), AF_INET6);
}


static void test_nothing_matches(void **state)
{
	(void)state;
	assert_int_equal(pick(false, true, true, false, false), AF_UNSPEC);
	assert_int_equal(pick(true, false, false, true, false), AF_UNSPEC);
	assert_int_equal(sip_family_pick(NULL), AF_UNSPEC);
}


static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sip_family_name(AF_INET), "ipv4");
	assert_string_equal(sip_family_name(AF_INET6), "ipv6");
	assert_string_equal(sip_family_name(AF_UNSPEC), "none");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dual_both_ends_v6),
		cmocka_unit_test(test_no_aaaa_v4),
		cmocka_unit_test(test_no_global_v6_v4),
		cmocka_unit_test(test_v6_failed_falls_back),
		cmocka_unit_test(test_v6_failed_but_only_v6),
		cmocka_unit_test(test_nothing_matches),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
