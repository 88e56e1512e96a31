/** @file tests/unit/test_reg_backoff.c  Registration retry schedule */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <re.h>
#include "sip/reg.h"

static const uint32_t nominal[] = {30, 60, 120, 240, 480, 960, 1800, 1800};


static void test_no_failure_no_wait(void **state)
{
	(void)state;
	assert_int_equal(reg_backoff(0, 0), 0);
	assert_int_equal(reg_backoff(0, UINT32_MAX), 0);
}


/* rnd 0 gives the nominal value: 30 s doubling to the 30 min cap */
static void test_schedule_doubles_and_caps(void **state)
{
	unsigned i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(nominal); i++)
		assert_int_equal(reg_backoff(i + 1, 0), nominal[i]);

	assert_int_equal(reg_backoff(50, 0), REG_BACKOFF_MAX_S);
	assert_int_equal(reg_backoff(UINT_MAX, 0), REG_BACKOFF_MAX_S);
}


/* Jitter only shortens, by at most a quarter, and never to zero */
static void test_jitter_bounds(void **state)
{
	uint32_t rnd = 0x12345678;
	unsigned f, k;
	(void)state;

	for (f = 1; f <= 12; f++) {
		uint32_t nom = f <= ARRAY_SIZE(nominal) ? nominal[f - 1]
			: REG_BACKOFF_MAX_S;
		uint32_t lo = nom, hi = 0;

		for (k = 0; k < 2000; k++) {
			uint32_t w;

			rnd = rnd * 1103515245u + 12345u;
			w = reg_backoff(f, rnd);
			assert_true(w <= nom);
			assert_true(w >= nom - nom / 4);
			lo = w < lo ? w : lo;
			hi = w > hi ? w : hi;
		}

		/* the jitter really spreads the retries */
		assert_true(hi - lo >= nom / 8);
	}

	assert_int_equal(reg_backoff(1, 30 / 4), 30 - 30 / 4);
	assert_int_equal(reg_backoff(7, UINT32_MAX),
			 1800 - UINT32_MAX % (1800 / 4 + 1));
}


/* A wrong password must not retry faster than any other failure */
static void test_never_faster_than_30s(void **state)
{
	unsigned f;
	(void)state;

	for (f = 1; f < 100; f++)
		assert_true(reg_backoff(f, UINT32_MAX) >= 30 - 30 / 4);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_failure_no_wait),
		cmocka_unit_test(test_schedule_doubles_and_caps),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_never_faster_than_30s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
