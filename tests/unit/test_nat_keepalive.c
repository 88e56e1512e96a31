/** @file tests/unit/test_nat_keepalive.c  The SIP keep-alive interval */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "nat/nat_int.h"


/* A configured interval wins over any measurement */
static void test_configured(void **state)
{
	(void)state;
	assert_int_equal(nat_keepalive_interval(15000, 0), 15000);
	assert_int_equal(nat_keepalive_interval(15000, 300), 15000);
	assert_int_equal(nat_keepalive_interval(1000, 10), 1000);
}


/* Nothing measured (yet, or no way to): the safe 15 s, which holds a
   NAT that forgets idle UDP after 20 s */
static void test_default(void **state)
{
	(void)state;
	assert_int_equal(nat_keepalive_interval(0, 0), 15000);
}


/* Four fifths of a measured lifetime, kept within 15..60 s */
static void test_adaptive(void **state)
{
	(void)state;
	assert_int_equal(nat_keepalive_interval(0, 30), 24000);
	assert_int_equal(nat_keepalive_interval(0, 50), 40000);
	assert_int_equal(nat_keepalive_interval(0, 10), 15000);
	assert_int_equal(nat_keepalive_interval(0, 1), 15000);
	assert_int_equal(nat_keepalive_interval(0, 120), 60000);
	assert_int_equal(nat_keepalive_interval(0, UINT32_MAX), 60000);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_adaptive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
