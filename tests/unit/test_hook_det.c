/**
 * @file tests/unit/test_hook_det.c  Hook switch timing, in simulated time
 *
 * The clock is a variable: set(t, state) runs every deadline due before
 * t (as the core's timer would), then feeds the raw state at t. Events
 * are recorded as text with their time ("100:off 900:on 1500:flash
 * 2000:d5"), so each test reads as a timeline of the handset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "dsp/hook_det.h"

static struct hook_det hd;
static char evs[1024];
static uint64_t now;


static void on_ev(enum hook_ev ev, char digit, void *arg)
{
	static const char * const names[] = {"off", "on", "flash", "d"};
	size_t n = strlen(evs);

	(void)arg;
	snprintf(evs + n, sizeof(evs) - n, "%s%llu:%s", n ? " " : "",
		 (unsigned long long)now, names[ev]);
	if (ev == HOOK_EV_DIGIT) {
		n = strlen(evs);
		snprintf(evs + n, sizeof(evs) - n, "%c", digit);
	}
}


/* Let time pass to @p t, firing deadlines as a timer would */
static void run_to(uint64_t t)
{
	uint64_t d;

	while ((d = hook_det_next(&hd)) && d <= t) {
		if (d > now)
			now = d;
		hook_det_poll(&hd, now);
	}
	now = t;
}


static void set(uint64_t t, bool off)
{
	run_to(t);
	hook_det_input(&hd, off, now);
}


static void setup_conf(bool pulse)
{
	struct hook_det_conf c = { .pulse = pulse };

	hook_det_init(&hd, &c, on_ev, NULL);
	evs[0] = '\0';
	now = 0;
}


/* One dial pulse train of @p n breaks from @p t: 60 ms break, 40 make */
static uint64_t pulses(uint64_t t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		set(t, false);
		set(t + 60, true);
		t += 100;
	}
	return t;
}


static void test_lift_and_hang_up(void **state)
{
	(void)state;
	setup_conf(false);
	set(100, true);
	set(5000, false);
	run_to(10000);
	/* off after debounce; on-hook only once flash_max has passed */
	assert_string_equal(evs, "115:off 5801:on");
	assert_int_equal(hook_det_next(&hd), 0);
}


static void test_bounce_ignored(void **state)
{
	(void)state;
	setup_conf(false);
	/* contact bounce while lifting: 3 ms, 5 ms glitches */
	set(100, true);
	set(103, false);
	set(105, true);
	set(110, false);
	set(112, true);
	run_to(1000);
	assert_string_equal(evs, "127:off");
	/* a 10 ms glitch on-hook during a call is not even a pulse */
	set(2000, false);
	set(2010, true);
	run_to(5000);
	assert_string_equal(evs, "127:off");
}


static void test_flash(void **state)
{
	(void)state;
	setup_conf(false);
	set(0, true);
	set(1000, false);
	set(1300, true);
	run_to(4000);
	assert_string_equal(evs, "15:off 1315:flash");
}


static void test_flash_limits(void **state)
{
	(void)state;
	setup_conf(false);
	set(0, true);
	/* exactly flash_min: a flash */
	set(1000, false);
	set(1080, true);
	run_to(2000);
	assert_string_equal(evs, "15:off 1095:flash");

	/* just under flash_min, pulse off: ignored */
	evs[0] = '\0';
	set(3000, false);
	set(3079, true);
	run_to(4000);
	assert_string_equal(evs, "");

	/* exactly flash_max: still a flash; the release is in debounce
	 * when flash_max passes, and must decide first */
	set(5000, false);
	set(5800, true);
	run_to(7000);
	assert_string_equal(evs, "5815:flash");

	/* one ms longer: hang-up at flash_max, then a new off-hook */
	evs[0] = '\0';
	set(8000, false);
	set(8801, true);
	run_to(10000);
	assert_string_equal(evs, "8801:on 8816:off");
}


static void test_rotary_one(void **state)
{
	uint64_t t;

	(void)state;
	setup_conf(true);
	set(0, true);
	t = pulses(1000, 1);
	run_to(t + 1000);
	/* the digit ends interdigit_ms after the last make (at 1060) */
	assert_string_equal(evs, "15:off 1360:d1");
}


static void test_rotary_zero(void **state)
{
	uint64_t t;

	(void)state;
	setup_conf(true);
	set(0, true);
	t = pulses(1000, 10);
	run_to(t + 1000);
	assert_string_equal(evs, "15:off 2260:d0");
}


static void test_rotary_sequence(void **state)
{
	uint64_t t;

	(void)state;
	setup_conf(true);
	set(0, true);
	t = pulses(1000, 1);
	t = pulses(t + 600, 10);
	t = pulses(t + 600, 10);
	t = pulses(t + 600, 2);
	run_to(t + 1000);
	assert_string_equal(evs, "15:off 1360:d1 2960:d0 4560:d0 5360:d2");
}


static void test_rotary_bounce_and_too_many(void **state)
{
	uint64_t t;

	(void)state;
	setup_conf(true);
	set(0, true);
	/* 3 pulses, each make bounces once (4 ms): still 3 */
	t = 1000;
	for (int i = 0; i < 3; i++) {
		set(t, false);
		set(t + 60, true);
		set(t + 62, false);
		set(t + 66, true);
		t += 100;
	}
	run_to(t + 1000);
	assert_string_equal(evs, "15:off 1566:d3");

	/* 11 pulses is no digit */
	evs[0] = '\0';
	t = pulses(t + 1000, 11);
	run_to(t + 1000);
	assert_string_equal(evs, "");
}


static void test_pulses_then_hang_up(void **state)
{
	uint64_t t;

	(void)state;
	setup_conf(true);
	set(0, true);
	/* two pulses, then hung up mid-digit: no digit, just on-hook */
	t = pulses(1000, 2);
	set(t, false);
	run_to(t + 2000);
	assert_string_equal(evs, "15:off 2001:on");
}


static void test_pulse_then_flash(void **state)
{
	(void)state;
	setup_conf(true);
	set(0, true);
	set(1000, false);
	set(1060, true);
	/* a flash right after a pulse: the digit goes first */
	set(1150, false);
	set(1450, true);
	run_to(3000);
	assert_string_equal(evs, "15:off 1465:d1 1465:flash");
}


/* The timer came late (a busy main loop): still the right events */
static void test_late_poll(void **state)
{
	(void)state;
	setup_conf(false);
	hook_det_input(&hd, true, 0);
	now = 1000;               /* the lift is confirmed only now */
	hook_det_input(&hd, false, 1000);
	/* no poll until 3000: the hang-up, then the new lift, in order */
	now = 3000;
	hook_det_input(&hd, true, 3000);
	now = 3100;
	hook_det_poll(&hd, 3100);
	assert_string_equal(evs, "1000:off 3000:on 3100:off");
}


static void test_own_timing(void **state)
{
	struct hook_det_conf c = {
		.debounce_ms = 30, .flash_min_ms = 150, .flash_max_ms = 1500,
	};

	(void)state;
	hook_det_init(&hd, &c, on_ev, NULL);
	evs[0] = '\0';
	now = 0;
	set(0, true);
	set(1000, false);
	set(1120, true);          /* below this flash_min: ignored */
	set(2000, false);
	set(3400, true);          /* 1.4 s: still a flash here */
	run_to(6000);
	assert_string_equal(evs, "30:off 3430:flash");
}


static void test_reset_and_null(void **state)
{
	(void)state;
	setup_conf(false);
	hook_det_reset(&hd, true, 50);
	set(100, true);          /* a repeat of the state: nothing */
	run_to(500);
	assert_string_equal(evs, "");
	set(1000, false);
	run_to(3000);
	assert_string_equal(evs, "1801:on");

	hook_det_input(NULL, true, 0);
	hook_det_poll(NULL, 0);
	hook_det_reset(NULL, true, 0);
	hook_det_init(NULL, NULL, NULL, NULL);
	assert_int_equal(hook_det_next(NULL), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lift_and_hang_up),
		cmocka_unit_test(test_bounce_ignored),
		cmocka_unit_test(test_flash),
		cmocka_unit_test(test_flash_limits),
		cmocka_unit_test(test_rotary_one),
		cmocka_unit_test(test_rotary_zero),
		cmocka_unit_test(test_rotary_sequence),
		cmocka_unit_test(test_rotary_bounce_and_too_many),
		cmocka_unit_test(test_pulses_then_hang_up),
		cmocka_unit_test(test_pulse_then_flash),
		cmocka_unit_test(test_late_poll),
		cmocka_unit_test(test_own_timing),
		cmocka_unit_test(test_reset_and_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
