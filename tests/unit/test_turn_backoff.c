/**
 * @file tests/unit/test_turn_backoff.c  TURN retry schedule
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/turn/turn.h"


/* 2 s, doubling: 2 4 8 16 32 64 128 256, then 300 s for ever */
static void test_schedule(void **state)
{
	static const uint32_t want[] = {
		2000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000,
		300000, 300000,
	};
	uint32_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(turn_backoff_ms(i), want[i]);

	assert_int_equal(turn_backoff_ms(32), 300000);
	assert_int_equal(turn_backoff_ms(UINT32_MAX), 300000);
}


/* the field's case: server unreachable, each attempt waits the 5 s
   default timeout; today's fixed 2 s made 27 attempts in 130 s */
static void test_attempts_in_130s(void **state)
{
	uint32_t t = 0, n = 0;
	(void)state;

	while (t < 130000) {
		++n;
		t += 5000 + turn_backoff_ms(n);
	}

	assert_true(n <= 7);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_attempts_in_130s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
