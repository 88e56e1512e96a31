/**
 * @file tests/unit/test_line_fsm.c  The FXS line state machine
 *
 * The ops table records every action as text ("tone=dial timer=15000"),
 * so each test reads as the sequence a person at the phone would hear.
 * The dial plan here is a stand-in: 4 digits complete a number, a leading
 * 0 allows any length (critical timer), a leading 9 never matches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "line/line_fsm.h"

static char actions[2048];
static int call_a, call_b;   /* handles: only their addresses matter */
static void *dial_result;


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


static const char *cname(const void *c)
{
	return c == &call_a ? "A" : c == &call_b ? "B" : "?";
}


static void op_tone(int t, void *arg)
{
	static const char * const names[] = {
		"dial", "ringback", "busy", "congestion", "callwait", "howler"
	};
	(void)arg;
	act("tone=%s", t < 0 ? "none" : names[t]);
}

static void op_ring(bool on, void *arg) { (void)arg; act("ring=%d", on); }
static void op_timer(uint32_t ms, void *arg)
{
	(void)arg;
	act("timer=%u", ms);
}

static enum line_match op_match(const char *d, void *arg)
{
	size_t n = strlen(d);
	(void)arg;
	if (d[0] == '9' || strchr(d, '#'))
		return LINE_MATCH_NONE;
	if (d[0] == '0')
		return n > 1 ? LINE_MATCH_MORE : LINE_MATCH_PARTIAL;
	return n >= 4 ? LINE_MATCH_FULL : LINE_MATCH_PARTIAL;
}

static struct line_fsm fsm;
static bool dial_refuse_busy;

static void *op_dial(const char *number, void *arg)
{
	(void)arg;
	act("dial=%s", number);
	if (!dial_result && dial_refuse_busy)
		fsm.dial_busy = true;  /* as line.c on ENOSPC (admission) */
	return dial_result;
}

static int alert_err;     /* what op_alert returns: as call_ring */

static int op_alert(void *c, void *arg)
{
	(void)arg;
	act("alert=%s", cname(c));
	return alert_err;
}
static void op_answer(void *c, void *arg)
{
	(void)arg;
	act("answer=%s", cname(c));
}
static void op_reject(void *c, uint16_t sc, void *arg)
{
	(void)arg;
	act("reject=%s:%u", cname(c), sc);
}
static void op_hangup(void *c, void *arg)
{
	(void)arg;
	act("hangup=%s", cname(c));
}
static void op_hold(void *c, bool h, void *arg)
{
	(void)arg;
	act("%s=%s", h ? "hold" : "resume", cname(c));
}
static void op_digit(void *c, char k, void *arg)
{
	(void)arg;
	act("dtmf=%s:%c", cname(c), k);
}
static void op_state(enum line_state st, void *arg)
{
	(void)arg;
	act("[%s]", line_state_name(st));
}

static const struct line_fsm_ops ops = {
	.tone = op_tone, .ring = op_ring, .timer = op_timer,
	.match = op_match, .dial = op_dial, .alert = op_alert,
	.answer = op_answer, .reject = op_reject, .hangup = op_hangup,
	.hold = op_hold, .digit = op_digit, .state = op_state,
};

static const struct line_timing tm = {
	.first_digit_ms = 15000, .interdigit_ms = 4000,
	.critical_ms = 2000, .busy_ms = 30000,
};



static int setup(void **state)
{
	(void)state;
	line_fsm_init(&fsm, &tm, &ops, NULL);
	actions[0] = '\0';
	dial_result = &call_a;
	alert_err = 0;
	return 0;
}


static void ev(enum line_ev e)
{
	line_fsm_event(&fsm, e, NULL);
}


static void ev_call(enum line_ev e, void *call, uint16_t scode)
{
	struct line_ev_arg ea = { .call = call, .scode = scode };
	line_fsm_event(&fsm, e, &ea);
}


static void keys(const char *k)
{
	for (; *k; k++) {
		struct line_ev_arg ea = { .key = *k };
		line_fsm_event(&fsm, LEV_DIGIT, &ea);
	}
}


/* compare and clear the action log */
#define expect(s) do { assert_string_equal((s), actions); \
		actions[0] = '\0'; } while (0)


static void test_dialtone_howler(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	expect("tone=dial timer=15000 [dialtone]");
	ev(LEV_TIMEOUT);
	expect("tone=howler timer=0 [howler]");
	keys("1");
	expect("");
	ev(LEV_ONHOOK);
	expect("tone=none timer=0 [idle]");
}


static void test_outgoing_call(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	keys("10");
	expect("tone=none [dialing] timer=4000 tone=none timer=4000");
	keys("02");
	expect("tone=none timer=4000 tone=none timer=0 tone=none "
	       "dial=1002 [calling]");
	ev_call(LEV_CALL_RINGING, &call_a, 180);
	expect("tone=ringback");
	ev_call(LEV_CALL_ANSWERED, &call_a, 200);
	expect("tone=none [connected]");
	keys("5");
	expect("dtmf=A:5");
	ev_call(LEV_CALL_CLOSED, &call_a, 0);
	expect("tone=none tone=busy timer=30000 [busy]");
	ev(LEV_TIMEOUT);
	expect("tone=howler timer=0 [howler]");
	ev(LEV_ONHOOK);
	expect("tone=none timer=0 [idle]");
}


static void test_hash_sends_now(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	keys("012#");
	assert_non_null(strstr(actions, "dial=012 [calling]"));
	assert_int_equal(LINE_CALLING, fsm.st);
}


static void test_timeouts_and_nomatch(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	keys("01");                   /* complete but may grow */
	assert_non_null(strstr(actions, "timer=2000"));
	actions[0] = '\0';
	ev(LEV_TIMEOUT);
	expect("timer=0 tone=none dial=01 [calling]");
	ev(LEV_ONHOOK);
	expect("hangup=A tone=none timer=0 [idle]");

	ev(LEV_OFFHOOK);
	keys("12");
	actions[0] = '\0';
	ev(LEV_TIMEOUT);              /* incomplete number */
	expect("tone=congestion timer=30000 [busy]");
	ev(LEV_ONHOOK);

	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	keys("9");                    /* never matches */
	expect("tone=none [dialing] timer=0 tone=congestion timer=30000 "
	       "[busy]");
}


static void test_dial_fails(void **state)
{
	(void)state;
	dial_result = NULL;
	ev(LEV_OFFHOOK);
	keys("1002");
	assert_non_null(strstr(actions, "dial=1002 tone=congestion"));
	assert_int_equal(LINE_BUSY, fsm.st);
}


/* Call admission refused the call: busy tone, once; the next failure
   is congestion again */
static void test_dial_refused_busy(void **state)
{
	(void)state;
	dial_result = NULL;
	dial_refuse_busy = true;
	ev(LEV_OFFHOOK);
	keys("1002");
	dial_refuse_busy = false;
	assert_non_null(strstr(actions, "dial=1002 tone=busy"));
	assert_int_equal(LINE_BUSY, fsm.st);
	assert_false(fsm.dial_busy);
	ev(LEV_ONHOOK);
	ev(LEV_OFFHOOK);
	keys("1002");
	assert_non_null(strstr(actions, "dial=1002 tone=congestion"));
}


static void test_far_end_busy(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	keys("1002");
	actions[0] = '\0';
	ev_call(LEV_CALL_CLOSED, &call_a, 486);
	expect("tone=none tone=busy timer=30000 [busy]");
	ev(LEV_ONHOOK);
	ev(LEV_OFFHOOK);
	keys("1003");
	actions[0] = '\0';
	ev_call(LEV_CALL_CLOSED, &call_a, 503);
	expect("tone=none tone=congestion timer=30000 [busy]");
	assert_null(fsm.cur);
}


static void test_incoming(void **state)
{
	(void)state;
	ev_call(LEV_INCOMING, &call_a, 0);
	expect("alert=A ring=1 [ringing]");
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("reject=B:486");
	ev(LEV_OFFHOOK);
	expect("ring=0 answer=A [connected]");
	ev(LEV_ONHOOK);
	expect("hangup=A tone=none timer=0 [idle]");

	/* caller gives up before we answer */
	ev_call(LEV_INCOMING, &call_a, 0);
	actions[0] = '\0';
	ev_call(LEV_CALL_CLOSED, &call_a, 487);
	expect("tone=none ring=0 tone=none timer=0 [idle]");
	assert_null(fsm.cur);
}


/* An INVITE libre cannot accept (no 180 possible): refused, never rings,
   so no call is left that a CANCEL could not reach (issue #11) */
static void test_alert_fails_no_ring(void **state)
{
	(void)state;
	alert_err = 74;  /* EBADMSG from sipsess_accept */
	ev_call(LEV_INCOMING, &call_a, 0);
	expect("alert=A reject=A:500");
	assert_null(fsm.cur);

	/* the same as a waiting call */
	alert_err = 0;
	ev_call(LEV_INCOMING, &call_a, 0);
	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	alert_err = 74;
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("alert=B reject=B:500");
	assert_null(fsm.waiting);
}


static void test_busy_line_rejects(void **state)
{
	(void)state;
	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("reject=B:486");
	keys("1");
	actions[0] = '\0';
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("reject=B:486");
}


/* The soak's "line busy" calls (tests/soak): the far end hangs up an
 * answered call, and the next INVITE comes before the phone is put down.
 * The handset is still off-hook hearing busy, so the line refuses it; it
 * rings again once the phone is on-hook. */
static void test_far_end_gone_then_next_call(void **state)
{
	(void)state;
	ev_call(LEV_INCOMING, &call_a, 0);
	ev(LEV_OFFHOOK);
	ev_call(LEV_CALL_CLOSED, &call_a, 0);
	assert_int_equal(fsm.st, LINE_BUSY);
	actions[0] = '\0';
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("reject=B:486");
	ev(LEV_ONHOOK);
	actions[0] = '\0';
	ev_call(LEV_INCOMING, &call_b, 0);
	assert_int_equal(fsm.st, LINE_RINGING);
	assert_ptr_equal(fsm.cur, &call_b);
}


static void test_hold_resume(void **state)
{
	(void)state;
	ev_call(LEV_INCOMING, &call_a, 0);
	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	ev(LEV_FLASH);
	expect("hold=A [held]");
	keys("7");                      /* no DTMF while held */
	expect("");
	ev(LEV_FLASH);
	expect("resume=A [connected]");
}


static void test_call_waiting(void **state)
{
	(void)state;
	ev_call(LEV_INCOMING, &call_a, 0);
	ev(LEV_OFFHOOK);
	actions[0] = '\0';
	ev_call(LEV_INCOMING, &call_b, 0);
	expect("alert=B tone=callwait");
	ev(LEV_FLASH);                  /* take the waiting call */
	expect("tone=none hold=A answer=B");
	assert_ptr_equal(&call_b, fsm.cur);
	ev(LEV_FLASH);                  /* swap back */
	expect("hold=B resume=A");
	assert_ptr_equal(&call_a, fsm.cur);
	ev(LEV_ONHOOK);                 /* B is held: it rings us back */
	expect("hangup=A tone=none timer=0 ring=1 [ringing]");
	ev(LEV_OFFHOOK);
	expect("ring=0 resume=B [connected]");
	ev_call(LEV_CALL_CLOSED, &call_b, 0);
	expect("tone=none tone=busy timer=30000 [busy]");
}


static void test_waiting_caller_gives_up(void **state)
{
	(void)state;
	ev_call(LEV_INCOMING, &call_a, 0);
	ev(LEV_OFFHOOK);
	ev_call(LEV_INCOMING, &call_b, 0);
	actions[0] = '\0';
	ev_call(LEV_CALL_CLOSED, &call_b, 487);
	expect("tone=none");
	assert_null(fsm.waiting);
	assert_true(line_fsm_owns(&fsm, &call_a));
	assert_false(line_fsm_owns(&fsm, &call_b));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_dialtone_howler, setup),
		cmocka_unit_test_setup(test_outgoing_call, setup),
		cmocka_unit_test_setup(test_hash_sends_now, setup),
		cmocka_unit_test_setup(test_timeouts_and_nomatch, setup),
		cmocka_unit_test_setup(test_dial_fails, setup),
		cmocka_unit_test_setup(test_dial_refused_busy, setup),
		cmocka_unit_test_setup(test_far_end_busy, setup),
		cmocka_unit_test_setup(test_incoming, setup),
		cmocka_unit_test_setup(test_busy_line_rejects, setup),
		cmocka_unit_test_setup(test_far_end_gone_then_next_call,
				       setup),
		cmocka_unit_test_setup(test_alert_fails_no_ring, setup),
		cmocka_unit_test_setup(test_hold_resume, setup),
		cmocka_unit_test_setup(test_call_waiting, setup),
		cmocka_unit_test_setup(test_waiting_caller_gives_up, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
