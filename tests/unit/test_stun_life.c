/**
 * @file tests/unit/test_stun_life.c  Binding lifetime search (stun)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/stun/stun_life.h"

#define W STUN_RUNG_WAIT
#define A STUN_RUNG_ALIVE
#define L STUN_RUNG_LAPSED
#define F STUN_RUNG_FAILED


static enum stun_life_res eval(const enum stun_rung *v, uint32_t *s,
			       uint32_t *l)
{
	*s = 777;
	*l = 777;
	return stun_life_eval(v, STUN_LIFE_RUNGS, s, l);
}


/* Ascending; its top is the lifetime whose 4/5 is the 60 s ceiling */
static void test_ladder(void **state)
{
	size_t i;
	(void)state;

	for (i = 1; i < STUN_LIFE_RUNGS; i++)
		assert_true(stun_life_idle_s[i] > stun_life_idle_s[i - 1]);
	assert_true(stun_life_idle_s[0] < STUN_KA_MIN_S);
	assert_int_equal(stun_life_idle_s[STUN_LIFE_RUNGS - 1] * 4 / 5,
			 STUN_KA_MAX_S);
}


static void test_pending(void **state)
{
	static const enum stun_rung none[] = {W, W, W, W, W, W, W, W, W};
	static const enum stun_rung some[] = {A, A, W, W, W, W, W, W, W};
	/* a lapse at 20 s says nothing while 15 s is undecided */
	static const enum stun_rung gap[] = {A, W, L, W, W, W, W, W, W};
	uint32_t s, l;
	(void)state;

	assert_int_equal(eval(none, &s, &l), STUN_LIFE_PENDING);
	assert_int_equal(eval(some, &s, &l), STUN_LIFE_PENDING);
	assert_int_equal(eval(gap, &s, &l), STUN_LIFE_PENDING);
}


/* The 20 s router: 15 s survived, 20 s lapsed; longer ones need not
   finish */
static void test_lapse(void **state)
{
	static const enum stun_rung v20[] = {A, A, L, W, W, W, W, W, W};
	static const enum stun_rung v45[] = {A, A, A, A, A, A, L, W, W};
	uint32_t s, l;
	(void)state;

	assert_int_equal(eval(v20, &s, &l), STUN_LIFE_DONE);
	assert_int_equal(s, 15);
	assert_int_equal(l, 20);
	assert_int_equal(eval(v45, &s, &l), STUN_LIFE_DONE);
	assert_int_equal(s, 40);
	assert_int_equal(l, 50);
}


/* A longer idle time that survived after a shorter one lapsed (a lost
   probe, a busy NAT) does not count: the worse reading holds */
static void test_not_monotonic(void **state)
{
	static const enum stun_rung v[] = {A, A, A, L, A, A, A, W, W};
	uint32_t s, l;
	(void)state;

	assert_int_equal(eval(v, &s, &l), STUN_LIFE_DONE);
	assert_int_equal(s, 20);
	assert_int_equal(l, 25);
}


static void test_edges(void **state)
{
	static const enum stun_rung all[] = {A, A, A, A, A, A, A, A, A};
	static const enum stun_rung short_[] = {L, W, W, W, W, W, W, W, W};
	uint32_t s, l;
	(void)state;

	assert_int_equal(eval(all, &s, &l), STUN_LIFE_DONE);
	assert_int_equal(s, 75);
	assert_int_equal(l, 0);
	assert_int_equal(eval(short_, &s, &l), STUN_LIFE_DONE);
	assert_int_equal(s, 0);
	assert_int_equal(l, 10);
}


/* No mapping learnt, or the server ignored RESPONSE-PORT: unmeasurable,
   whatever the others say */
static void test_failed(void **state)
{
	static const enum stun_rung v1[] = {A, A, L, W, W, W, W, W, F};
	static const enum stun_rung v2[] = {F, W, W, W, W, W, W, W, W};
	enum stun_rung bad[] = {W, W, W, W, W, W, W, W, W};
	uint32_t s, l;
	(void)state;

	assert_int_equal(eval(v1, &s, &l), STUN_LIFE_FAILED);
	assert_int_equal(eval(v2, &s, &l), STUN_LIFE_FAILED);
	bad[3] = (enum stun_rung)42;
	assert_int_equal(eval(bad, &s, &l), STUN_LIFE_PENDING);
	assert_int_equal(stun_life_eval(NULL, 9, &s, &l), STUN_LIFE_FAILED);
	assert_int_equal(stun_life_eval(v2, 0, &s, &l), STUN_LIFE_FAILED);
	assert_int_equal(stun_life_eval(v2, 10, &s, &l), STUN_LIFE_FAILED);
	assert_int_equal(stun_life_eval(v2, 9, NULL, &l), STUN_LIFE_FAILED);
}


static void test_keepalive(void **state)
{
	(void)state;

	/* configured wins */
	assert_int_equal(stun_life_keepalive_s(25000, 15, 20), 25);
	assert_int_equal(stun_life_keepalive_s(15000, 0, 0), 15);
	/* unknown: the safe end */
	assert_int_equal(stun_life_keepalive_s(0, 0, 0), 15);
	/* 4/5 of what survived, within 15..60 */
	assert_int_equal(stun_life_keepalive_s(0, 15, 20), 15);
	assert_int_equal(stun_life_keepalive_s(0, 0, 10), 15);
	assert_int_equal(stun_life_keepalive_s(0, 25, 30), 20);
	assert_int_equal(stun_life_keepalive_s(0, 50, 60), 40);
	assert_int_equal(stun_life_keepalive_s(0, 75, 0), 60);
	assert_int_equal(stun_life_keepalive_s(0, UINT32_MAX, 0), 60);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_lapse),
		cmocka_unit_test(test_not_monotonic),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_keepalive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
