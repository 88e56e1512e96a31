/**
 * @file test_spsc.c  A ring from one thread to one other
 *
 * core/base/spsc.c: order kept, a full ring refuses (never overwrites),
 * the indexes wrap, clear empties; and two real threads, one pushing
 * 200,000 numbers as fast as it can into a ring of 8, the other taking
 * them: every number arrives once and in order.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "base/spsc.h"

struct item {
	uint32_t seq;
	char tag[6];
};


static void test_order_full_wrap(void **state)
{
	SPSC_OF(struct item, 4) r;
	struct item in = {0}, out;

	(void)state;
	SPSC_INIT(&r);
	assert_false(spsc_pop(&r.q, &out));

	/* many rounds: the free-running indexes wrap the storage */
	for (uint32_t round = 0; round < 100; round++) {
		for (uint32_t i = 0; i < 4; i++) {
			in.seq = round * 4 + i;
			memcpy(in.tag, "abcde", 6);
			assert_true(spsc_push(&r.q, &in));
		}
		in.seq = 9999;
		assert_false(spsc_push(&r.q, &in));    /* full: refused */
		for (uint32_t i = 0; i < 4; i++) {
			assert_true(spsc_pop(&r.q, &out));
			assert_int_equal(out.seq, round * 4 + i);
			assert_string_equal(out.tag, "abcde");
		}
		assert_false(spsc_pop(&r.q, &out));
	}

	in.seq = 1;
	assert_true(spsc_push(&r.q, &in));
	assert_true(spsc_push(&r.q, &in));
	spsc_clear(&r.q);
	assert_false(spsc_pop(&r.q, &out));
}


enum { COUNT = 200000 };

struct pair {
	SPSC_OF(uint32_t, 8) r;
};


static void *producer(void *arg)
{
	struct pair *p = arg;

	for (uint32_t i = 0; i < COUNT; ) {
		if (spsc_push(&p->r.q, &i))
			++i;
	}

	return NULL;
}


static void test_two_threads(void **state)
{
	struct pair p;
	pthread_t thr;
	uint32_t next = 0, v;

	(void)state;
	SPSC_INIT(&p.r);
	assert_int_equal(pthread_create(&thr, NULL, producer, &p), 0);
	while (next < COUNT) {
		if (!spsc_pop(&p.r.q, &v))
			continue;
		if (v != next)
			break;
		++next;
	}
	pthread_join(thr, NULL);
	assert_int_equal(next, COUNT);
	assert_false(spsc_pop(&p.r.q, &v));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_full_wrap),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
