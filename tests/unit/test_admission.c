/**
 * @file tests/unit/test_admission.c  Call admission: the per-call need on
 *                                    the wire and the ledger's decisions
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/admission.h"

static const struct adm_media g711_20 = {
	.codec_bps = 64000, .ptime_tx = 20, .ptime_rx = 20,
};


/* (payload + 12 RTP + 8 UDP + 20 IP + 18 Ethernet) * 8 * packets/s */
static void test_stream_plain(void **state)
{
	(void)state;

	assert_int_equal(admission_stream_bps(64000, 20, 0, ADM_RELAY_NONE),
			 (160 + 58) * 8 * 50);
	assert_int_equal(admission_stream_bps(64000, 20, 0, ADM_RELAY_NONE),
			 87200);
	assert_int_equal(admission_stream_bps(64000, 10, 0, ADM_RELAY_NONE),
			 (80 + 58) * 8 * 100);
	/* 30 ms: 298 B * 8 * 33.33/s = 79466.7, rounded up */
	assert_int_equal(admission_stream_bps(64000, 30, 0, ADM_RELAY_NONE),
			 79467);
	assert_int_equal(admission_stream_bps(64000, 60, 0, ADM_RELAY_NONE),
			 (480 + 58) * 8 * 1000 / 60 + 1);
	assert_int_equal(admission_stream_bps(64000, 0, 0, ADM_RELAY_NONE), 0);
}


static void test_stream_overheads(void **state)
{
	(void)state;

	/* SRTP _80 adds a 10-byte tag, _32 four */
	assert_int_equal(admission_stream_bps(64000, 20, 10, ADM_RELAY_NONE),
			 (160 + 10 + 58) * 400);
	assert_int_equal(admission_stream_bps(64000, 20, 4, ADM_RELAY_NONE),
			 (160 + 4 + 58) * 400);
	/* TURN ChannelData: 4-byte header */
	assert_int_equal(admission_stream_bps(64000, 20, 0, ADM_RELAY_CHANNEL),
			 88800);
	/* Send indication: 36 B of STUN around DATA padded to 4 */
	assert_int_equal(admission_stream_bps(64000, 20, 0,
					      ADM_RELAY_INDICATION),
			 (36 + 172 + 46) * 400);
	assert_int_equal(admission_stream_bps(64000, 20, 10,
					      ADM_RELAY_INDICATION),
			 (36 + 184 + 46) * 400);
	assert_true(admission_stream_bps(64000, 20, 10, ADM_RELAY_CHANNEL) >
		    admission_stream_bps(64000, 20, 0, ADM_RELAY_CHANNEL));
}


static void test_need(void **state)
{
	struct adm_media m = g711_20;
	struct admission_need n;

	(void)state;

	assert_int_equal(admission_need(&n, &m), 0);
	assert_int_equal(n.up_bps, 87200);
	assert_int_equal(n.down_bps, 87200);

	/* the peer asked for 10 ms (we send faster), we asked for 30 */
	m.ptime_tx = 10;
	m.ptime_rx = 30;
	assert_int_equal(admission_need(&n, &m), 0);
	assert_int_equal(n.up_bps, 110400);
	assert_int_equal(n.down_bps, 79467);

	/* no ptime known: 20 ms */
	m.ptime_tx = m.ptime_rx = 0;
	assert_int_equal(admission_need(&n, &m), 0);
	assert_int_equal(n.up_bps, 87200);

	m.codec_bps = 0;
	assert_int_equal(admission_need(&n, &m), EINVAL);
	assert_int_equal(admission_need(NULL, &g711_20), EINVAL);
	assert_int_equal(admission_need(&n, NULL), EINVAL);
}


static void test_unlimited(void **state)
{
	struct adm_ledger l;
	struct admission_need n;
	int i;

	(void)state;
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 0, 0);
	assert_int_equal(admission_need(&n, &g711_20), 0);

	for (i = 0; i < 1000; i++)
		assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);

	assert_int_equal(l.calls, 1000);
	assert_int_equal(l.refusals, 0);
	assert_false(admission_release(&l, &n));
}


/* An uplink for two calls: the third is refused, says why, and the
   first release after it reports capacity free (once) */
static void test_two_of_three(void **state)
{
	struct adm_ledger l;
	struct admission_need n;
	char why[96] = "";

	(void)state;
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 200, 0);
	assert_int_equal(admission_need(&n, &g711_20), 0);

	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), 0);
	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), ENOSPC);
	assert_string_equal(why, "uplink full: 174 of 200 kbit/s in use, "
			    "call needs 88");
	assert_int_equal(l.calls, 2);
	assert_int_equal(l.used_up, 174400);
	assert_int_equal(l.used_down, 174400);
	assert_int_equal(l.refusals, 1);

	/* a refusal leaves the books as they were */
	assert_int_equal(admission_admit(&l, &n, NULL, 0), ENOSPC);
	assert_int_equal(l.used_up, 174400);

	assert_true(admission_release(&l, &n));
	assert_int_equal(l.used_up, 87200);
	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), 0);
	assert_false(admission_release(&l, &n));
	assert_false(admission_release(&l, &n));
	assert_int_equal(l.calls, 0);
	assert_int_equal(l.used_up, 0);
	assert_int_equal(l.used_down, 0);

	/* the books never go negative */
	assert_false(admission_release(&l, &n));
	assert_int_equal(l.used_up, 0);
}


static void test_downlink_and_edges(void **state)
{
	struct adm_ledger l;
	struct admission_need n;
	char why[96];

	(void)state;
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 0, 100);
	assert_int_equal(admission_need(&n, &g711_20), 0);

	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), 0);
	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), ENOSPC);
	assert_string_equal(why, "downlink full: 87 of 100 kbit/s in use, "
			    "call needs 88");

	/* exactly full still fits */
	memset(&l, 0, sizeof(l));
	l.cap_up = l.cap_down = 2 * 87200;
	assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);
	assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);
	assert_int_equal(admission_admit(&l, &n, NULL, 0), ENOSPC);

	/* capacity too small for even one call */
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 16, 16);
	assert_int_equal(admission_admit(&l, &n, why, sizeof(why)), ENOSPC);
	assert_string_equal(why, "uplink full: 0 of 16 kbit/s in use, "
			    "call needs 88");

	/* a reload shrinks capacity: calls stay, new ones are refused */
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 1000, 1000);
	assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);
	assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);
	admission_set_capacity(&l, 100, 100);
	assert_int_equal(admission_admit(&l, &n, NULL, 0), ENOSPC);
	assert_true(admission_release(&l, &n));
	assert_int_equal(admission_admit(&l, &n, NULL, 0), ENOSPC);
	assert_true(admission_release(&l, &n));  /* refused again */
	assert_int_equal(admission_admit(&l, &n, NULL, 0), 0);

	/* a tiny reason buffer is cut, never overrun */
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 16, 16);
	memset(why, 'x', sizeof(why));
	assert_int_equal(admission_admit(&l, &n, why, 8), ENOSPC);
	assert_true(strlen(why) < 8);
	assert_int_equal(why[9], 'x');

	assert_int_equal(admission_admit(NULL, &n, NULL, 0), EINVAL);
	assert_int_equal(admission_admit(&l, NULL, NULL, 0), EINVAL);
	assert_false(admission_release(NULL, &n));
	assert_int_equal(admission_kbps(87200), 87);
	assert_int_equal(admission_kbps(87500), 88);
}


/* The answer changed the need (peer wants 10 ms): the books follow,
   past the capacity if need be, and a release gives back the new need */
static void test_adjust(void **state)
{
	struct adm_media m = g711_20;
	struct adm_ledger l;
	struct admission_need n20, n10;

	(void)state;
	memset(&l, 0, sizeof(l));
	admission_set_capacity(&l, 200, 200);
	assert_int_equal(admission_need(&n20, &m), 0);
	m.ptime_tx = 10;
	assert_int_equal(admission_need(&n10, &m), 0);

	assert_int_equal(admission_admit(&l, &n20, NULL, 0), 0);
	assert_int_equal(admission_admit(&l, &n20, NULL, 0), 0);
	admission_adjust(&l, &n20, &n10);
	assert_int_equal(l.used_up, 87200 + 110400);
	assert_int_equal(l.used_down, 2 * 87200);
	assert_int_equal(l.calls, 2);
	admission_adjust(&l, &n20, &n10);
	assert_int_equal(l.used_up, 2 * 110400);  /* past 200: kept */
	assert_int_equal(admission_admit(&l, &n20, NULL, 0), ENOSPC);
	(void)admission_release(&l, &n10);
	(void)admission_release(&l, &n10);
	assert_int_equal(l.used_up, 0);
	assert_int_equal(l.used_down, 0);
	admission_adjust(&l, &n20, &n10);  /* nothing admitted: no-op */
	assert_int_equal(l.used_up, 0);
}


/* Without a config (unit tests) the daemon's ledger is unlimited */
static void test_reserve_unlimited(void **state)
{
	struct adm_slot *sv[4];
	size_t i;

	(void)state;

	for (i = 0; i < ARRAY_SIZE(sv); i++)
		assert_int_equal(admission_reserve(&sv[i], &g711_20), 0);
	for (i = 0; i < ARRAY_SIZE(sv); i++)
		mem_deref(sv[i]);

	assert_int_equal(admission_reserve(NULL, &g711_20), EINVAL);
	assert_int_equal(admission_reserve(&sv[0], NULL), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_plain),
		cmocka_unit_test(test_stream_overheads),
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_two_of_three),
		cmocka_unit_test(test_downlink_and_edges),
		cmocka_unit_test(test_adjust),
		cmocka_unit_test(test_reserve_unlimited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
