/**
 * @file tests/unit/test_metrics.c  The metrics registry, its text, and
 *                                  the counting from event lines
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "base/metrics.h"
#include "base/metrics_ev.h"


static int mbuf_vph(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* The registry's text, as a string the caller frees with mem_deref */
static char *render(const struct metrics *m)
{
	struct mbuf *mb = mbuf_alloc(256);
	struct re_printf pf = { mbuf_vph, mb };
	char *s = NULL;

	assert_non_null(mb);
	assert_int_equal(metrics_print(&pf, m), 0);
	mb->pos = 0;
	assert_int_equal(mbuf_strdup(mb, &s, mb->end), 0);
	mem_deref(mb);

	return s;
}


static void test_counter_and_gauge(void **state)
{
	struct metrics *m = NULL;
	char *s;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_family(m, "x_calls_total", METRICS_COUNTER,
					"Calls."), 0);
	assert_int_equal(metrics_family(m, "x_up", METRICS_GAUGE, "Up."), 0);
	assert_int_equal(metrics_add(m, "x_calls_total", 1, "line", "1",
				     NULL), 0);
	assert_int_equal(metrics_add(m, "x_calls_total", 2, "line", "1",
				     NULL), 0);
	assert_int_equal(metrics_set(m, "x_up", 7, NULL), 0);
	assert_int_equal(metrics_set(m, "x_up", 5, NULL), 0);

	s = render(m);
	assert_string_equal(s,
		"# HELP x_calls_total Calls.\n"
		"# TYPE x_calls_total counter\n"
		"x_calls_total{line=\"1\"} 3\n"
		"# HELP x_up Up.\n"
		"# TYPE x_up gauge\n"
		"x_up 5\n");
	mem_deref(s);
	mem_deref(m);
}


/* families in declaration order, series sorted, HELP/TYPE once each */
static void test_stable_order(void **state)
{
	struct metrics *m = NULL;
	char *s;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_family(m, "b_total", METRICS_COUNTER, "B"),
			 0);
	assert_int_equal(metrics_family(m, "a_total", METRICS_COUNTER, "A"),
			 0);
	/* declared twice: still one family */
	assert_int_equal(metrics_family(m, "b_total", METRICS_COUNTER, "B"),
			 0);
	assert_int_equal(metrics_family(m, "b_total", METRICS_GAUGE, "B"),
			 EEXIST);
	assert_int_equal(metrics_add(m, "a_total", 1, "k", "z", NULL), 0);
	assert_int_equal(metrics_add(m, "b_total", 1, "k", "y", NULL), 0);
	assert_int_equal(metrics_add(m, "b_total", 1, "k", "x", NULL), 0);
	assert_int_equal(metrics_add(m, "b_total", 1, "k", "y", NULL), 0);

	s = render(m);
	assert_string_equal(s,
		"# HELP b_total B\n"
		"# TYPE b_total counter\n"
		"b_total{k=\"x\"} 1\n"
		"b_total{k=\"y\"} 2\n"
		"# HELP a_total A\n"
		"# TYPE a_total counter\n"
		"a_total{k=\"z\"} 1\n");
	mem_deref(s);
	mem_deref(m);
}


static void test_escaping(void **state)
{
	struct metrics *m = NULL;
	char *s;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_family(m, "e", METRICS_GAUGE,
					"back\\slash\nnew \"q\""), 0);
	assert_int_equal(metrics_set(m, "e", 1, "r", "a\\b\"c\nd", "s", "",
				     NULL), 0);

	s = render(m);
	assert_string_equal(s,
		"# HELP e back\\\\slash\\nnew \"q\"\n"
		"# TYPE e gauge\n"
		"e{r=\"a\\\\b\\\"c\\nd\",s=\"\"} 1\n");
	mem_deref(s);
	mem_deref(m);
}


static void test_bad_names(void **state)
{
	struct metrics *m = NULL;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_family(m, "1x", METRICS_GAUGE, "h"), EINVAL);
	assert_int_equal(metrics_family(m, "a-b", METRICS_GAUGE, "h"),
			 EINVAL);
	assert_int_equal(metrics_family(m, "", METRICS_GAUGE, "h"), EINVAL);
	assert_int_equal(metrics_family(m, "ns:ok_1", METRICS_GAUGE, "h"),
			 0);
	assert_int_equal(metrics_set(m, "ns:ok_1", 1, "bad-label", "v",
				     NULL), EINVAL);
	assert_int_equal(metrics_set(m, "ns:ok_1", 1, "__reserved", "v",
				     NULL), EINVAL);
	assert_int_equal(metrics_set(m, "nope", 1, NULL), ENOENT);
	mem_deref(m);
}


/* a gauge whose label set changes: clear drops the old series */
static void test_clear(void **state)
{
	struct metrics *m = NULL;
	char *s;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_family(m, "v", METRICS_GAUGE, "V"), 0);
	assert_int_equal(metrics_set(m, "v", 1, "k", "old", NULL), 0);
	metrics_clear(m, "v");
	s = render(m);
	assert_string_equal(s, "");     /* no series: no family printed */
	mem_deref(s);

	assert_int_equal(metrics_set(m, "v", 1, "k", "new", NULL), 0);
	s = render(m);
	assert_string_equal(s, "# HELP v V\n# TYPE v gauge\nv{k=\"new\"} 1\n");
	mem_deref(s);
	mem_deref(m);
}


/* The text of a registry that counted these event lines */
static char *count_events(const char *const *linev)
{
	struct metrics *m = NULL;
	struct metrics_ev *me = NULL;
	char *s;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_ev_alloc(&me, m), 0);
	for (; *linev; linev++)
		metrics_ev_feed(me, *linev);

	s = render(m);
	mem_deref(me);
	mem_deref(m);

	return s;
}


static bool has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}

	return false;
}


static int count(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text++)
		++n;

	return n;
}


static void test_calls(void **state)
{
	static const char *const linev[] = {
		/* in, answered, hung up by the peer */
		"<6>CALL-STATE line=1 id=1 state=incoming peer=sip:a@b",
		"<6>CALL-STATE line=1 id=1 state=established scode=200 "
		"reason=\"OK\"",
		"<6>CALL-STATE line=1 id=1 state=closed scode=0 "
		"reason=\"Connection reset by peer\"",
		/* out, busy, with a quote in its reason */
		"<6>CALL-STATE line=1 id=2 state=outgoing scode=0 reason=\"\"",
		"<6>CALL-STATE line=1 id=2 state=closed scode=486 "
		"reason=\"Busy \"Here\" now\"",
		/* out, cancelled by the handset */
		"<6>CALL-STATE line=2 id=3 state=ringing scode=180 "
		"reason=\"Ringing\"",
		"<6>CALL-STATE line=2 id=3 state=closed scode=0 reason=\"\"",
		/* out, refused before it rang: first seen closed */
		"<6>CALL-STATE line=2 id=9 state=closed scode=486 "
		"reason=\"Busy Here\"",
		NULL
	};
	char *s;

	(void)state;

	s = count_events(linev);
	assert_true(has_line(s, "ataua_calls_total{line=\"1\","
			     "direction=\"in\",result=\"answered\"} 1"));
	assert_true(has_line(s, "ataua_calls_total{line=\"1\","
			     "direction=\"out\",result=\"busy\"} 1"));
	assert_true(has_line(s, "ataua_calls_total{line=\"2\","
			     "direction=\"out\",result=\"cancelled\"} 1"));
	assert_true(has_line(s, "ataua_calls_total{line=\"2\","
			     "direction=\"out\",result=\"busy\"} 1"));
	/* one family: HELP and TYPE once */
	assert_int_equal(count(s, "# HELP ataua_calls_total "), 1);
	assert_int_equal(count(s, "# TYPE ataua_calls_total counter\n"), 1);
	mem_deref(s);
}


static void test_reg_nat_device(void **state)
{
	static const char *const linev[] = {
		"<4>REG-STATE line=1 state=failed reason=\"403 Forbidden\"",
		"<4>REG-STATE line=1 state=failed reason=\"timeout: no reply "
		"from x over udp\"",
		"<4>REG-STATE line=1 state=failed reason=\"403 Forbidden\"",
		"<5>REG-STATE line=1 state=registered reason=\"\"",
		"<5>NAT-STATE verdict=open method=none public=1.2.3.4:5060 "
		"reason=\"\"",
		"<5>NAT-STATE verdict=cone method=stun public=1.2.3.4:5060 "
		"reason=\"a b\"",
		"<4>AUDIO-DEVICE-LOST line=2 device=hw:0 error=ENODEV",
		"<4>NAT-MAPPING-LOST module=stun err=ETIMEDOUT",
		"<4>CALL-ONE-WAY line=2 id=7 dir=rx silent_ms=5000 "
		"tx_packets=300 rx_packets=0",
		"<5>CALL-TWO-WAY line=2 id=7 rx_packets=1",
		"<4>CALL-ONE-WAY line=2 id=7 dir=rx silent_ms=5000 "
		"tx_packets=600 rx_packets=1",
		"garbage", "<x>", "<5>", "",
		NULL
	};
	char *s;

	(void)state;

	s = count_events(linev);
	assert_true(has_line(s, "ataua_registrations_total{line=\"1\","
			     "result=\"failed\"} 3"));
	assert_true(has_line(s, "ataua_registrations_total{line=\"1\","
			     "result=\"registered\"} 1"));
	assert_true(has_line(s, "ataua_registration_failures_total{line="
			     "\"1\",reason=\"403\"} 2"));
	assert_true(has_line(s, "ataua_registration_failures_total{line="
			     "\"1\",reason=\"timeout\"} 1"));
	assert_true(has_line(s, "ataua_nat_verdict{verdict=\"cone\","
			     "method=\"stun\"} 1"));
	assert_null(strstr(s, "verdict=\"open\""));
	assert_true(has_line(s, "ataua_audio_device_errors_total{line="
			     "\"2\"} 1"));
	assert_true(has_line(s, "ataua_nat_mappings_lost_total{module="
			     "\"stun\"} 1"));
	assert_true(has_line(s, "ataua_calls_one_way_total{line=\"2\"} 2"));
	mem_deref(s);
}


/* calls dropped without a closed (shutdown) never stop the counting */
static void test_open_calls_bounded(void **state)
{
	struct metrics *m = NULL;
	struct metrics_ev *me = NULL;
	char line[128], *s;
	int i;

	(void)state;

	assert_int_equal(metrics_alloc(&m), 0);
	assert_int_equal(metrics_ev_alloc(&me, m), 0);
	for (i = 1; i <= 200; i++) {
		re_snprintf(line, sizeof(line), "<6>CALL-STATE line=1 id=%d "
			    "state=incoming peer=sip:x@y", i);
		metrics_ev_feed(me, line);
	}
	metrics_ev_feed(me, "<6>CALL-STATE line=1 id=201 state=incoming "
			"peer=sip:x@y");
	metrics_ev_feed(me, "<6>CALL-STATE line=1 id=201 state=established "
			"scode=200 reason=\"OK\"");
	metrics_ev_feed(me, "<6>CALL-STATE line=1 id=201 state=closed "
			"scode=0 reason=\"BYE\"");

	s = render(m);
	assert_true(has_line(s, "ataua_calls_total{line=\"1\","
			     "direction=\"in\",result=\"answered\"} 1"));
	mem_deref(s);
	mem_deref(me);
	mem_deref(m);
}


static void test_labels(void **state)
{
	char code[4];

	(void)state;

	assert_string_equal(metrics_ev_call_result(true, 0), "answered");
	assert_string_equal(metrics_ev_call_result(false, 486), "busy");
	assert_string_equal(metrics_ev_call_result(false, 600), "busy");
	assert_string_equal(metrics_ev_call_result(false, 603), "declined");
	assert_string_equal(metrics_ev_call_result(false, 487), "cancelled");
	assert_string_equal(metrics_ev_call_result(false, 480),
			    "unanswered");
	assert_string_equal(metrics_ev_call_result(false, 503), "failed");

	assert_string_equal(metrics_ev_reg_reason("401 Unauthorized: wrong "
						  "password?", code), "401");
	assert_string_equal(metrics_ev_reg_reason("DNS: x: ENOENT", code),
			    "dns");
	assert_string_equal(metrics_ev_reg_reason("no registrar", code),
			    "no_registrar");
	assert_string_equal(metrics_ev_reg_reason("pbx: Connection refused",
						  code), "transport");
	assert_string_equal(metrics_ev_reg_reason("4033 x", code),
			    "transport");
	assert_string_equal(metrics_ev_reg_reason(NULL, code), "transport");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_and_gauge),
		cmocka_unit_test(test_stable_order),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_reg_nat_device),
		cmocka_unit_test(test_open_calls_bounded),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
