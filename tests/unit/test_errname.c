/** @file tests/unit/test_errname.c  errno names for events */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "ataua.h"


/* the ones our events carry, by the name a reader expects */
static void test_names(void **state)
{
	(void)state;

	assert_string_equal(ata_errname(ENOTCONN), "ENOTCONN");
	assert_string_equal(ata_errname(ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(ata_errname(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(ata_errname(EHOSTUNREACH), "EHOSTUNREACH");
	assert_string_equal(ata_errname(ENOMEM), "ENOMEM");
	assert_string_equal(ata_errname(EAUTH), "EAUTH");
}


/* ENOTSUP and EOPNOTSUPP share a number on Linux: the core says ENOTSUP */
static void test_shared_numbers(void **state)
{
	(void)state;

	assert_string_equal(ata_errname(ENOTSUP), "ENOTSUP");
	assert_string_equal(ata_errname(EAGAIN), "EAGAIN");
}


/* never a number, never NULL */
static void test_edges(void **state)
{
	(void)state;

	assert_string_equal(ata_errname(0), "OK");
	assert_string_equal(ata_errname(-1), "EUNKNOWN");
	assert_string_equal(ata_errname(99999), "EUNKNOWN");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shared_numbers),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
