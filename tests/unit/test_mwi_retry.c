/** @file tests/unit/test_mwi_retry.c  When a message-summary SUBSCRIBE
 * goes again after the subscription ended (core/sip/mwi.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <re.h>
#include "sip/mwi.h"
#include "sip/reg.h"


static struct sipevent_substate ended(enum sipevent_reason reason)
{
	struct sipevent_substate st = {
		.state = SIPEVENT_TERMINATED, .reason = reason,
	};

	return st;
}


/* The notifier ended it (deactivated, timeout): again at once */
static void test_notifier_ended(void **state)
{
	struct sipevent_substate st = ended(SIPEVENT_DEACTIVATED);
	(void)state;

	assert_int_equal(mwi_retry_ms(0, 0, &st, 5, 0), MWI_RETRY_NOW_MS);
	st = ended(SIPEVENT_TIMEOUT);
	assert_int_equal(mwi_retry_ms(0, 0, &st, 1, 0), MWI_RETRY_NOW_MS);
}


/* Refused, rejected, no answer: the registration's backoff */
static void test_failures_back_off(void **state)
{
	struct sipevent_substate st = ended(SIPEVENT_REJECTED);
	unsigned f;
	(void)state;

	assert_int_equal(mwi_retry_ms(0, 0, &st, 1, 0), 30000);
	st = ended(SIPEVENT_NORESOURCE);
	assert_int_equal(mwi_retry_ms(0, 0, &st, 2, 0), 60000);
	/* 489 Bad Event: the server has no MWI; 30 min at most */
	assert_int_equal(mwi_retry_ms(0, 489, NULL, 1, 0), 30000);
	assert_int_equal(mwi_retry_ms(ETIMEDOUT, 0, NULL, 3, 0), 120000);
	for (f = 1; f < 40; f++) {
		uint64_t ms = mwi_retry_ms(0, 403, NULL, f, 0x9e3779b9);

		assert_true(ms >= 22000);
		assert_true(ms <= (uint64_t)REG_BACKOFF_MAX_S * 1000);
		assert_int_equal(ms, (uint64_t)reg_backoff(f, 0x9e3779b9) *
				 1000);
	}
	/* a timeout reason in a 481's NOTIFY-less end is still a failure */
	st = ended(SIPEVENT_TIMEOUT);
	assert_int_equal(mwi_retry_ms(0, 481, &st, 1, 0), 30000);
	assert_int_equal(mwi_retry_ms(0, 0, NULL, 0, 0), 30000);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notifier_ended),
		cmocka_unit_test(test_failures_back_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
