/**
 * @file test_triplebuf.c  core/base/triplebuf.c: newest value, no tearing
 *
 * One thread: zeros first, the newest of several publishes, `changed`
 * only once per publish. Two threads: a writer publishing a million
 * self-checking values while a reader polls; every value the reader
 * sees is whole (never a mix of two) and never older than the last.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "base/triplebuf.h"

enum { WORDS = 32, ROUNDS = 1000000 };

struct val {
	uint64_t seq;
	uint64_t w[WORDS];   /* every word seq * (i + 1) */
};


static void fill(struct val *v, uint64_t seq)
{
	v->seq = seq;
	for (unsigned i = 0; i < WORDS; i++)
		v->w[i] = seq * (i + 1);
}


static bool whole(const struct val *v)
{
	for (unsigned i = 0; i < WORDS; i++)
		if (v->w[i] != v->seq * (i + 1))
			return false;
	return true;
}


static void test_one_thread(void **state)
{
	struct triplebuf *tb = NULL;
	const struct val *v;
	bool changed = true;

	(void)state;
	assert_int_equal(triplebuf_alloc(NULL, 8), EINVAL);
	assert_int_equal(triplebuf_alloc(&tb, 0), EINVAL);
	assert_int_equal(triplebuf_alloc(&tb, sizeof(struct val)), 0);

	v = triplebuf_front(tb, &changed);
	assert_false(changed);
	assert_int_equal(v->seq, 0);
	assert_true(whole(v));

	for (uint64_t s = 1; s <= 5; s++) {
		fill(triplebuf_back(tb), s);
		triplebuf_publish(tb);
	}
	v = triplebuf_front(tb, &changed);
	assert_true(changed);
	assert_int_equal(v->seq, 5);
	assert_true(whole(v));

	v = triplebuf_front(tb, &changed);
	assert_false(changed);
	assert_int_equal(v->seq, 5);

	fill(triplebuf_back(tb), 6);
	triplebuf_publish(tb);
	assert_int_equal(((const struct val *)
			  triplebuf_front(tb, NULL))->seq, 6);

	mem_deref(tb);
}


struct shared {
	struct triplebuf *tb;
	atomic_bool done;
};


static void *writer(void *arg)
{
	struct shared *sh = arg;

	for (uint64_t s = 1; s <= ROUNDS; s++) {
		fill(triplebuf_back(sh->tb), s);
		triplebuf_publish(sh->tb);
	}
	atomic_store(&sh->done, true);

	return NULL;
}


static void test_two_threads(void **state)
{
	struct shared sh;
	pthread_t thr;
	uint64_t last = 0, seen = 0;
	bool torn = false, back = false;

	(void)state;
	memset(&sh, 0, sizeof(sh));
	assert_int_equal(triplebuf_alloc(&sh.tb, sizeof(struct val)), 0);
	assert_int_equal(pthread_create(&thr, NULL, writer, &sh), 0);

	for (;;) {
		bool done = atomic_load(&sh.done);
		bool changed;
		const struct val *v = triplebuf_front(sh.tb, &changed);

		if (!whole(v))
			torn = true;
		if (v->seq < last)
			back = true;
		if (changed)
			++seen;
		last = v->seq;
		if (done && !changed)
			break;
	}
	pthread_join(thr, NULL);

	assert_false(torn);
	assert_false(back);
	assert_int_equal(last, ROUNDS);   /* the last publish is seen */
	assert_true(seen >= 1);

	mem_deref(sh.tb);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
