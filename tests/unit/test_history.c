/**
 * @file tests/unit/test_history.c  The call history: the ring (wrap-
 * around, newest first, resize), its text, and the `history [N]` verb
 * (N larger than the count, N = 0 and a bad N refused)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "line/history.h"
#include "line/line_history.h"

static char out[65536];

static int out_vph(const char *p, size_t size, void *arg)
{
	size_t *n = arg;

	if (*n + size >= sizeof(out))
		return EOVERFLOW;
	memcpy(out + *n, p, size);
	*n += size;
	out[*n] = '\0';

	return 0;
}


static struct history_rec rec(uint32_t id)
{
	struct history_rec r;

	memset(&r, 0, sizeof(r));
	r.line = 1;
	r.q.id = id;
	r.q.codec = "pcmu";
	r.q.by = CALL_BY_REMOTE;
	r.q.rtt_ms = -1;
	str_ncpy(r.reason, "BYE", sizeof(r.reason));

	return r;
}


/* ids of the records history_print printed, newest first, as "4 3 2" */
static const char *ids(const struct history *h, size_t n)
{
	static char idv[1024];
	struct re_printf pf;
	size_t len = 0, o = 0;
	const char *p;

	pf.vph = out_vph;
	pf.arg = &len;
	out[0] = '\0';
	assert_int_equal(history_print(&pf, h, n), 0);

	idv[0] = '\0';
	for (p = out; (p = strstr(p, " id=")); p += 4)
		o += (size_t)snprintf(idv + o, sizeof(idv) - o, "%s%u",
				      o ? " " : "", atoi(p + 4));

	return idv;
}


static void add(struct history *h, uint32_t from, uint32_t to)
{
	struct history_rec r;

	for (; from <= to; from++) {
		r = rec(from);
		history_add(h, &r);
	}
}


static void test_wrap_around(void **state)
{
	struct history *h = NULL;
	(void)state;

	assert_int_equal(history_alloc(&h, 3), 0);
	assert_string_equal(ids(h, 0), "");
	assert_non_null(strstr(out, "count=0\n"));

	add(h, 1, 2);
	assert_string_equal(ids(h, 0), "2 1");
	add(h, 3, 5);               /* 1 and 2 dropped */
	assert_int_equal(history_count(h), 3);
	assert_string_equal(ids(h, 0), "5 4 3");
	assert_non_null(strstr(out, "count=3\n"));
	add(h, 6, 7);
	assert_string_equal(ids(h, 0), "7 6 5");
	assert_int_equal(history_get(h, 0)->q.id, 7);
	assert_int_equal(history_get(h, 2)->q.id, 5);
	assert_null(history_get(h, 3));

	mem_deref(h);
}


static void test_n(void **state)
{
	struct history *h = NULL;
	(void)state;

	assert_int_equal(history_alloc(&h, 100), 0);
	add(h, 1, 5);
	assert_string_equal(ids(h, 2), "5 4");
	assert_non_null(strstr(out, "count=2\n"));
	/* more than there are: all of them */
	assert_string_equal(ids(h, 50), "5 4 3 2 1");
	assert_non_null(strstr(out, "count=5\n"));
	mem_deref(h);
}


static void test_size_zero_and_limits(void **state)
{
	struct history *h = NULL;
	(void)state;

	assert_int_equal(history_alloc(&h, HISTORY_MAX + 1), EINVAL);
	assert_null(h);
	assert_int_equal(history_alloc(&h, 0), 0);
	add(h, 1, 3);
	assert_int_equal(history_count(h), 0);
	assert_string_equal(ids(h, 0), "");
	assert_int_equal(history_resize(h, HISTORY_MAX + 1), EINVAL);
	mem_deref(h);
}


static void test_resize_keeps_newest(void **state)
{
	struct history *h = NULL;
	(void)state;

	assert_int_equal(history_alloc(&h, 4), 0);
	add(h, 1, 6);               /* wrapped: 6 5 4 3 */
	assert_int_equal(history_resize(h, 2), 0);
	assert_string_equal(ids(h, 0), "6 5");
	add(h, 7, 7);
	assert_string_equal(ids(h, 0), "7 6");
	assert_int_equal(history_resize(h, 5), 0);
	add(h, 8, 9);
	assert_string_equal(ids(h, 0), "9 8 7 6");
	add(h, 10, 12);
	assert_string_equal(ids(h, 0), "12 11 10 9 8");
	assert_int_equal(history_resize(h, 0), 0);
	assert_string_equal(ids(h, 0), "");
	mem_deref(h);
}


static void test_record_text(void **state)
{
	struct history_rec r = rec(9);
	size_t len = 0;
	struct re_printf pf = {out_vph, &len};
	(void)state;

	r.q.incoming = true;
	str_ncpy(r.q.peer, "sip:100@10.0.0.1", sizeof(r.q.peer));
	r.q.start = 86400 * 365;    /* 1971-01-01 */
	r.q.dur_ms = 12345;
	r.q.measured = true;
	r.q.loss_pct = 2.0;
	r.q.jitter_ms = 0.4;
	r.q.rtt_ms = 12;
	r.q.delay_ms = 76;
	r.q.r = 86.18893;
	r.q.mos = 4.2348;
	r.q.by = CALL_BY_LOCAL;
	r.scode = 486;
	str_ncpy(r.reason, "Busy Here", sizeof(r.reason));

	out[0] = '\0';
	assert_int_equal(history_rec_print(&pf, &r, true), 0);
	assert_string_equal(out, "line=1 id=9 start=1971-01-01T00:00:00Z "
			    "dir=in peer=\"sip:100@10.0.0.1\" dur_s=12.34 "
			    "codec=pcmu loss_pct=2.00 jitter_ms=0.40 "
			    "rtt_ms=12 delay_ms=76 r_factor=86.19 mos=4.23 "
			    "by=local code=486 reason=\"Busy Here\"");

	/* nothing measured (a call that never got audio): "-" */
	r = rec(3);
	len = 0;
	assert_int_equal(history_rec_print(&pf, &r, false), 0);
	assert_string_equal(out, "line=1 id=3 dir=out peer=\"\" dur_s=0.00 "
			    "codec=pcmu loss_pct=- jitter_ms=- rtt_ms=- "
			    "delay_ms=- r_factor=- mos=- by=remote code=0 "
			    "reason=\"BYE\"");
}


/*
 * A reason from outside (a SIP reason phrase) cannot add pairs to the
 * record or break its line; the longest resolver reason is kept whole;
 * one longer than the slot ends in "..."
 */
static void test_reason_quoted_and_cut(void **state)
{
	static const char dns[] = "DNS: ataua.invalid: name not found "
		"(no such name, or no address for it)";
	struct history_rec r = rec(4);
	char big[300];
	size_t len = 0;
	struct re_printf pf = {out_vph, &len};
	(void)state;

	history_set_reason(&r, "Busy\" fake=1\nline=9 \\");
	out[0] = '\0';
	assert_int_equal(history_rec_print(&pf, &r, false), 0);
	assert_non_null(strstr(out, " reason=\"Busy\\\" fake=1 line=9 "
			       "\\\\\""));
	assert_null(strchr(out, '\n'));

	history_set_reason(&r, dns);
	assert_string_equal(r.reason, dns);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	history_set_reason(&r, big);
	assert_int_equal(strlen(r.reason), sizeof(r.reason) - 1);
	assert_string_equal(r.reason + sizeof(r.reason) - 4, "...");
	assert_int_equal(r.reason[0], 'x');

	history_set_reason(&r, NULL);
	assert_string_equal(r.reason, "");
}


/* Run one request and return the whole reply as a string */
static const char *run(const char *req)
{
	size_t n = 0;
	struct re_printf pf = {out_vph, &n};

	out[0] = '\0';
	(void)ata_cmd_exec(&pf, req, str_len(req));

	return out;
}


static void test_verb(void **state)
{
	const struct ata_cmd *cmdv;
	size_t cmdc;
	(void)state;

	assert_int_equal(line_history_open(10), 0);
	cmdv = line_history_cmds(&cmdc);
	assert_int_equal(ata_cmd_register(cmdv, cmdc, NULL), 0);

	assert_string_equal(run("history"), "count=0\nOK\n");
	assert_string_equal(run("history 5"), "count=0\nOK\n");
	assert_string_equal(run("history 0"),
			    "FAIL usage: history [N], N 1..1000\n");
	assert_string_equal(run("history -1"),
			    "FAIL usage: history [N], N 1..1000\n");
	assert_string_equal(run("history x"),
			    "FAIL usage: history [N], N 1..1000\n");
	assert_string_equal(run("history 1001"),
			    "FAIL usage: history [N], N 1..1000\n");
	assert_string_equal(run("history 99999999999"),
			    "FAIL usage: history [N], N 1..1000\n");
	assert_string_equal(run("history 1000"), "count=0\nOK\n");

	ata_cmd_unregister(cmdv);
	line_history_close();
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_n),
		cmocka_unit_test(test_size_zero_and_limits),
		cmocka_unit_test(test_resize_keeps_newest),
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_reason_quoted_and_cut),
		cmocka_unit_test(test_verb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
