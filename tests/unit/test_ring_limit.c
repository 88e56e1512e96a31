/**
 * @file tests/unit/test_ring_limit.c  How long an incoming call rings:
 * the INVITE's Expires (487) or the line's ring_timeout (480)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/ring_limit.h"


static struct ring_limit decide(const char *expires, uint32_t max_ms)
{
	struct ring_limit rl;
	struct pl pl;

	memset(&rl, 0xa5, sizeof(rl));
	if (expires)
		pl_set_str(&pl, expires);
	ring_limit_decide(&rl, expires ? &pl : NULL, max_ms);

	return rl;
}


static void test_line_limit_480(void **state)
{
	struct ring_limit rl;
	(void)state;

	rl = decide(NULL, 180000);
	assert_int_equal(rl.ms, 180000);
	assert_int_equal(rl.scode, 480);
	assert_string_equal(rl.reason, "Temporarily Unavailable");

	/* the INVITE allows longer than the line rings */
	rl = decide("1200", 180000);
	assert_int_equal(rl.ms, 180000);
	assert_int_equal(rl.scode, 480);

	/* 0: the default, never for ever */
	rl = decide(NULL, 0);
	assert_int_equal(rl.ms, RING_LIMIT_DEFAULT_MS);
	assert_int_equal(rl.scode, 480);
}


static void test_expires_487(void **state)
{
	struct ring_limit rl;
	(void)state;

	rl = decide("3", 180000);
	assert_int_equal(rl.ms, 3000);
	assert_int_equal(rl.scode, 487);
	assert_string_equal(rl.reason, "Request Terminated");

	/* a tie: the caller's own limit */
	rl = decide("2", 2000);
	assert_int_equal(rl.ms, 2000);
	assert_int_equal(rl.scode, 487);

	/* RFC 3261 13.3.1 taken literally: already expired */
	rl = decide("0", 180000);
	assert_int_equal(rl.ms, 0);
	assert_int_equal(rl.scode, 487);
}


static void test_bad_expires_ignored(void **state)
{
	static const char *badv[] = {
		"", "-1", "3s", " 3", "1e3", "0x10",
		"99999999999999999999999999999999", "4294967296000",
	};
	struct ring_limit rl;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		rl = decide(badv[i], 60000);
		assert_int_equal(rl.ms, 60000);
		assert_int_equal(rl.scode, 480);
	}

	/* a large number that is one: the line's limit is shorter */
	rl = decide("4294967295", 60000);
	assert_int_equal(rl.ms, 60000);
	assert_int_equal(rl.scode, 480);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_limit_480),
		cmocka_unit_test(test_expires_487),
		cmocka_unit_test(test_bad_expires_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
