/** @file tests/unit/test_metrics.c  The metrics registry and its text */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "base/metrics.h"


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


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_and_gauge),
		cmocka_unit_test(test_stable_order),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
