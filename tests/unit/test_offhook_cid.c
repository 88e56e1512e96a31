/**
 * @file tests/unit/test_offhook_cid.c  Caller ID on call waiting: the sequence
 *
 * The ops record what the line would do ("mute=1 play=cas timer=300"),
 * so each test reads as what the phone and the far end meet: muted, CAS,
 * the acknowledgement or none, the FSK or nothing, unmuted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "line/offhook_cid.h"

enum { CAS = 80, FSK = 600, PATH = 60 };

static char actions[512];


static void act(const char *fmt, ...)
{
	size_t n = strlen(actions);
	va_list ap;

	if (n)
		actions[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(actions + n, sizeof(actions) - n, fmt, ap);
	va_end(ap);
}


static void op_mute(bool on, void *arg)
{
	(void)arg;
	act("mute=%d", on);
}


static void op_play(enum offhook_cid_signal sig, void *arg)
{
	static const char *names[] = { "none", "cas", "fsk" };

	(void)arg;
	act("play=%s", names[sig]);
}


static void op_timer(uint32_t ms, void *arg)
{
	(void)arg;
	act("timer=%u", ms);
}


static void op_done(enum offhook_cid_result res, void *arg)
{
	static const char *names[] = { "sent", "no-ack", "stopped" };

	(void)arg;
	act("done=%s", names[res]);
}


static const struct offhook_cid_ops ops = {
	.mute = op_mute, .play = op_play, .timer = op_timer, .done = op_done,
};


static void expect(const char *want)
{
	assert_string_equal(actions, want);
	actions[0] = 0;
}


static void start(struct offhook_cid *c)
{
	offhook_cid_init(c, &ops, NULL);
	actions[0] = 0;
	assert_int_equal(offhook_cid_start(c, CAS, FSK, PATH), 0);
	/* the window: CAS + 160 ms + the path */
	expect("mute=1 play=cas timer=300");
	assert_true(offhook_cid_busy(c));
}


static const char *unmuted(const char *res)
{
	static char s[64];

	snprintf(s, sizeof(s), "timer=0 play=none mute=0 done=%s", res);
	return s;
}


static void test_ack_d_sends_fsk(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	assert_true(offhook_cid_key(&c, 'D', false));
	expect("timer=100");
	assert_true(offhook_cid_key(&c, 'D', true));
	expect("timer=50");
	offhook_cid_timeout(&c);
	expect("play=fsk timer=660");
	offhook_cid_timeout(&c);
	expect(unmuted("sent"));
	assert_false(offhook_cid_busy(&c));
}


static void test_ack_a_release_unseen(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	assert_true(offhook_cid_key(&c, 'A', false));
	expect("timer=100");
	offhook_cid_timeout(&c);      /* no release: the FSK anyway */
	expect("play=fsk timer=660");
	/* late: taken, ignored */
	assert_true(offhook_cid_key(&c, 'A', true));
	expect("");
	offhook_cid_timeout(&c);
	expect(unmuted("sent"));
}


static void test_no_ack_no_fsk(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	offhook_cid_timeout(&c);
	expect(unmuted("no-ack"));
	assert_false(offhook_cid_busy(&c));
	/* later keys belong to the call */
	assert_false(offhook_cid_key(&c, 'D', false));
	expect("");
}


static void test_other_key_no_fsk(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	/* taken (the call never sees it), but no answer */
	assert_true(offhook_cid_key(&c, '5', false));
	assert_true(offhook_cid_key(&c, '5', true));
	expect("");
	/* the window is still open for the acknowledgement */
	assert_true(offhook_cid_key(&c, 'D', false));
	expect("timer=100");
	offhook_cid_stop(&c);
	expect(unmuted("stopped"));

	start(&c);
	assert_true(offhook_cid_key(&c, '#', false));
	offhook_cid_timeout(&c);
	expect(unmuted("no-ack"));
}


static void test_stray_release_ignored(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	/* a key held from before the CAS lets go: no acknowledgement */
	assert_true(offhook_cid_key(&c, '1', true));
	expect("");
	offhook_cid_timeout(&c);
	expect(unmuted("no-ack"));
}


static void test_stop_unmutes(void **state)
{
	struct offhook_cid c;

	(void)state;
	start(&c);
	offhook_cid_stop(&c);
	expect(unmuted("stopped"));

	start(&c);
	offhook_cid_key(&c, 'D', false);
	offhook_cid_key(&c, 'D', true);
	offhook_cid_timeout(&c);
	expect("timer=100 timer=50 play=fsk timer=660");
	offhook_cid_stop(&c);         /* on-hook halfway through the data */
	expect(unmuted("stopped"));

	offhook_cid_stop(&c);         /* idle: nothing */
	expect("");
	offhook_cid_timeout(&c);
	expect("");
}


static void test_start_checks(void **state)
{
	struct offhook_cid c;

	(void)state;
	offhook_cid_init(&c, &ops, NULL);
	actions[0] = 0;
	assert_int_equal(offhook_cid_start(&c, 0, FSK, PATH), EINVAL);
	assert_int_equal(offhook_cid_start(&c, CAS, 0, PATH), EINVAL);
	assert_int_equal(offhook_cid_start(NULL, CAS, FSK, PATH), EINVAL);
	expect("");
	start(&c);
	assert_int_equal(offhook_cid_start(&c, CAS, FSK, PATH), EBUSY);
	expect("");
	assert_false(offhook_cid_key(NULL, 'D', false));
	assert_false(offhook_cid_busy(NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack_d_sends_fsk),
		cmocka_unit_test(test_ack_a_release_unseen),
		cmocka_unit_test(test_no_ack_no_fsk),
		cmocka_unit_test(test_other_key_no_fsk),
		cmocka_unit_test(test_stray_release_ignored),
		cmocka_unit_test(test_stop_unmutes),
		cmocka_unit_test(test_start_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
