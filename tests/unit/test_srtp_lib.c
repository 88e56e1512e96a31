/** @file tests/unit/test_srtp_lib.c  libsrtp2 opened at run time */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "call/srtp_lib.h"
#include "call/call_srtp.h"


/* runs first: nothing is loaded yet, so the file name counts */
static void test_missing_library_refused(void **state)
{
	const struct srtp_lib *l = NULL;
	(void)state;

	assert_int_equal(srtp_lib_get(&l, "libsrtp2-absent.so.1"), ELIBACC);
	assert_null(l);
}


/* a library that opens but is not libsrtp2: no half-filled table */
static void test_wrong_library_refused(void **state)
{
	const struct srtp_lib *l = NULL;
	(void)state;

	assert_int_equal(srtp_lib_get(&l, "libm.so.6"), ELIBBAD);
	assert_null(l);
}


static void test_loads_once_and_stays(void **state)
{
	const struct srtp_lib *a = NULL, *b = NULL;
	(void)state;

	assert_int_equal(srtp_lib_get(&a, NULL), 0);
	assert_non_null(a);
	assert_non_null(a->create);
	assert_non_null(a->policy_32);

	/* loaded: the name no longer matters, sessions keep their code */
	assert_int_equal(srtp_lib_get(&b, "libsrtp2-absent.so.1"), 0);
	assert_ptr_equal(a, b);

	assert_int_equal(call_srtp_init(), 0);
	assert_int_equal(srtp_lib_get(NULL, NULL), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library_refused),
		cmocka_unit_test(test_wrong_library_refused),
		cmocka_unit_test(test_loads_once_and_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
