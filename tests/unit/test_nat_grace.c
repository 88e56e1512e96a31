/**
 * @file tests/unit/test_nat_grace.c  How long the parallel policy waits
 * for the upnp step once STUN (or a relay) answered (issue #16: every
 * registration waited 300 ms, even where no router answered discovery)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "nat/nat_int.h"


/* A router answered discovery: its mapping comes in milliseconds */
static void test_router_known(void **state)
{
	(void)state;
	assert_int_equal(nat_upnp_grace_ms(true, true, true), 300);
}


/* Still looking for a router, or none answered: no wait at all (SSDP
   listens for its whole window whether an IGD exists or not) */
static void test_no_router(void **state)
{
	(void)state;
	assert_int_equal(nat_upnp_grace_ms(true, true, false), 0);
}


/* Nothing to wait for: upnp is done, or no good answer to decide on */
static void test_nothing_to_wait_for(void **state)
{
	(void)state;
	assert_int_equal(nat_upnp_grace_ms(false, true, true), 0);
	assert_int_equal(nat_upnp_grace_ms(false, true, false), 0);
	assert_int_equal(nat_upnp_grace_ms(true, false, true), 0);
	assert_int_equal(nat_upnp_grace_ms(false, false, false), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router_known),
		cmocka_unit_test(test_no_router),
		cmocka_unit_test(test_nothing_to_wait_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
