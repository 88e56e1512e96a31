/**
 * @file tests/unit/test_rx_watch.c  One-way audio: nothing received for
 * the limit while we send is said once, and audio coming back too; not
 * on hold, not when we send nothing, and a new offer/answer restarts it
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "call/rx_watch.h"

enum { PPS = 50 };   /* 20 ms packets */


/* n looks a second apart from @p t (ms), sending; rx grows by rx_ps */
static int run(struct rx_watch *w, uint64_t *t, uint64_t *rx, uint64_t *tx,
	       int secs, int rx_ps, int tx_ps, bool expect, int *oneway,
	       int *back)
{
	int i;

	for (i = 0; i < secs; i++) {
		*t += 1000;
		*rx += (uint64_t)rx_ps;
		*tx += (uint64_t)tx_ps;
		switch (rx_watch_tick(w, *t, *rx, *tx, expect, 5000)) {

		case RX_WATCH_ONE_WAY: ++*oneway; break;
		case RX_WATCH_BACK:    ++*back;   break;
		default: break;
		}
	}

	return 0;
}


static void test_both_ways_quiet(void **state)
{
	struct rx_watch w;
	uint64_t t = 100000, rx = 0, tx = 0;
	int ow = 0, bk = 0;
	(void)state;

	rx_watch_reset(&w);
	run(&w, &t, &rx, &tx, 60, PPS, PPS, true, &ow, &bk);
	assert_int_equal(ow, 0);
	assert_int_equal(bk, 0);
}


static void test_one_way_said_once_then_back(void **state)
{
	struct rx_watch w;
	uint64_t t = 100000, rx = 0, tx = 0;
	int ow = 0, bk = 0;
	(void)state;

	rx_watch_reset(&w);
	run(&w, &t, &rx, &tx, 3, PPS, PPS, true, &ow, &bk);
	/* nothing in: under the limit, nothing said */
	run(&w, &t, &rx, &tx, 4, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 0);
	run(&w, &t, &rx, &tx, 1, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
	/* once, however long it lasts */
	run(&w, &t, &rx, &tx, 30, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
	assert_int_equal(bk, 0);
	run(&w, &t, &rx, &tx, 1, PPS, PPS, true, &ow, &bk);
	assert_int_equal(bk, 1);
	run(&w, &t, &rx, &tx, 10, PPS, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
	assert_int_equal(bk, 1);
	/* and again if it happens again */
	run(&w, &t, &rx, &tx, 6, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 2);
}


static void test_from_the_start(void **state)
{
	struct rx_watch w;
	uint64_t t = 100000, rx = 0, tx = 0;
	int ow = 0, bk = 0;
	(void)state;

	/* the field case: never a packet in, on every call */
	rx_watch_reset(&w);
	run(&w, &t, &rx, &tx, 6, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
}


static void test_not_when_not_expected(void **state)
{
	struct rx_watch w;
	uint64_t t = 100000, rx = 0, tx = 0;
	int ow = 0, bk = 0;
	(void)state;

	/* on hold, early media: we may send, nothing is due back */
	rx_watch_reset(&w);
	run(&w, &t, &rx, &tx, 30, 0, PPS, false, &ow, &bk);
	assert_int_equal(ow, 0);
	/* silence both ways (we send nothing) is not one-way */
	run(&w, &t, &rx, &tx, 30, 0, 0, true, &ow, &bk);
	assert_int_equal(ow, 0);
	/* the watch starts when it is expected, not before */
	run(&w, &t, &rx, &tx, 4, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 0);
	run(&w, &t, &rx, &tx, 2, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
}


static void test_restart_gives_time(void **state)
{
	struct rx_watch w;
	uint64_t t = 100000, rx = 0, tx = 0;
	int ow = 0, bk = 0;
	(void)state;

	rx_watch_reset(&w);
	run(&w, &t, &rx, &tx, 4, 0, PPS, true, &ow, &bk);
	rx_watch_restart(&w);   /* a re-INVITE's new stream */
	run(&w, &t, &rx, &tx, 4, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 0);
	run(&w, &t, &rx, &tx, 2, 0, PPS, true, &ow, &bk);
	assert_int_equal(ow, 1);
	/* a ONE_WAY said survives a restart: its end is told */
	rx_watch_restart(&w);
	run(&w, &t, &rx, &tx, 1, 0, PPS, true, &ow, &bk);
	run(&w, &t, &rx, &tx, 1, PPS, PPS, true, &ow, &bk);
	assert_int_equal(bk, 1);
	assert_int_equal(rx_watch_tick(NULL, t, rx, tx, true, 0),
			 RX_WATCH_NONE);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_ways_quiet),
		cmocka_unit_test(test_one_way_said_once_then_back),
		cmocka_unit_test(test_from_the_start),
		cmocka_unit_test(test_not_when_not_expected),
		cmocka_unit_test(test_restart_gives_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
