/** @file tests/unit/test_mwi_body.c  simple-message-summary parser */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "sip/mwi_body.h"


static int parse(struct mwi_sum *s, const char *body)
{
	return mwi_body_parse(s, body, strlen(body));
}


/* RFC 3842 5.2's example */
static void test_rfc_example(void **state)
{
	struct mwi_sum s;
	(void)state;

	assert_int_equal(parse(&s, "Messages-Waiting: yes\r\n"
			       "Message-Account: sip:alice@vmail.example.com"
			       "\r\nVoice-Message: 4/8 (1/2)\r\n"), 0);
	assert_true(s.waiting);
	assert_int_equal(s.new_msgs, 4);
	assert_int_equal(s.old_msgs, 8);
	assert_int_equal(s.urgent_new, 1);
	assert_int_equal(s.urgent_old, 2);
}


static void test_no_and_counts_without_urgent(void **state)
{
	struct mwi_sum s;
	(void)state;

	assert_int_equal(parse(&s, "messages-waiting:NO\n"
			       "voice-message:0/3\n"), 0);
	assert_false(s.waiting);
	assert_int_equal(s.new_msgs, 0);
	assert_int_equal(s.old_msgs, 3);
	assert_int_equal(s.urgent_new, 0);

	/* blanks everywhere, no final line end, other classes ignored */
	assert_int_equal(parse(&s, "Fax-Message: 9/9\r\n"
			       "Messages-Waiting \t:  yes  \r\n"
			       "Voice-Message :  2 / 5  ( 1 / 0 )"), 0);
	assert_true(s.waiting);
	assert_int_equal(s.new_msgs, 2);
	assert_int_equal(s.old_msgs, 5);
	assert_int_equal(s.urgent_new, 1);
}


/* No flag, or a flag that is neither yes nor no: not a summary */
static void test_bad_flag(void **state)
{
	struct mwi_sum s;
	(void)state;

	assert_int_equal(parse(&s, ""), EBADMSG);
	assert_int_equal(parse(&s, "Voice-Message: 1/0\r\n"), EBADMSG);
	assert_int_equal(parse(&s, "Messages-Waiting: maybe\r\n"), EBADMSG);
	assert_int_equal(parse(&s, "Messages-Waiting: yesno\r\n"), EBADMSG);
	assert_int_equal(parse(&s, "X-Messages-Waiting: yes\r\n"), EBADMSG);
	assert_int_equal(mwi_body_parse(NULL, "", 0), EINVAL);
	assert_int_equal(mwi_body_parse(&s, NULL, 1), EINVAL);
}


/* A broken Voice-Message keeps the flag and zero counts */
static void test_bad_counts_ignored(void **state)
{
	static const char * const bad[] = {
		"1", "1/", "/2", "a/b", "1/2 (3", "1/2 (3/)", "1/2 (3/4",
	};
	char body[80];
	struct mwi_sum s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "Messages-Waiting: yes\r\n"
			 "Voice-Message: %s\r\n", bad[i]);
		assert_int_equal(parse(&s, body), 0);
		assert_true(s.waiting);
		assert_int_equal(s.new_msgs + s.old_msgs + s.urgent_new +
				 s.urgent_old, 0);
	}
}


static void test_huge_count_clamped(void **state)
{
	struct mwi_sum s;
	(void)state;

	assert_int_equal(parse(&s, "Messages-Waiting: yes\n"
			       "Voice-Message: 99999999999999999999/7\n"), 0);
	assert_int_equal(s.new_msgs, MWI_COUNT_MAX);
	assert_int_equal(s.old_msgs, 7);
}


/* Only len bytes are read: the flag past it does not count */
static void test_length_bound(void **state)
{
	const char *body = "Voice-Message: 1/1\nMessages-Waiting: yes\n";
	struct mwi_sum s;
	(void)state;

	assert_int_equal(mwi_body_parse(&s, body, 19), EBADMSG);
	assert_int_equal(mwi_body_parse(&s, body, strlen(body) - 2), EBADMSG);
	assert_int_equal(mwi_body_parse(&s, body, strlen(body) - 1), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_example),
		cmocka_unit_test(test_no_and_counts_without_urgent),
		cmocka_unit_test(test_bad_flag),
		cmocka_unit_test(test_bad_counts_ignored),
		cmocka_unit_test(test_huge_count_clamped),
		cmocka_unit_test(test_length_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
