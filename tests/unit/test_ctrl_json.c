/**
 * @file tests/unit/test_ctrl_json.c  FORMAT json: text replies and events
 *                                    to JSON (core/ctrl/ctrl_json.c)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "ataua.h"
#include "ctrl/ctrl_json.h"

static char *out;


typedef int (conv_h)(struct re_printf *pf, const struct pl *text);

/* The JSON of @p text, valid until the next call */
static const char *convert(conv_h *h, const char *text)
{
	struct pl pl;

	pl_set_str(&pl, text);
	out = mem_deref(out);
	assert_int_equal(re_sdprintf(&out, "%H", h, &pl), 0);

	return out;
}


static const char *reply(const char *text)
{
	return convert(ctrl_json_reply, text);
}


static const char *event(const char *line)
{
	return convert(ctrl_json_event, line);
}


static void test_final_lines(void **state)
{
	(void)state;

	assert_string_equal(reply("OK\n"), "{\"ok\":true}");
	assert_string_equal(reply("PONG\n"), "{\"ok\":true,\"pong\":true}");
	assert_string_equal(reply("FAIL invalid argument\n"),
			    "{\"ok\":false,\"error\":\"invalid argument\"}");
	assert_string_equal(reply("FAIL\n"),
			    "{\"ok\":false,\"error\":\"\"}");
	/* FAILED is no FAIL line: the reply has no final line, all body */
	assert_string_equal(reply("FAILED=1\n"), "{\"FAILED\":\"1\"}");
	/* a FAIL with a body (reload's errors) carries it as "reply" */
	assert_string_equal(reply("error=a.yaml:1:2: bad\nerror=b\n"
				  "FAIL config has errors, old kept\n"),
			    "{\"ok\":false,\"error\":\"config has errors, "
			    "old kept\",\"reply\":{\"error\":"
			    "\"a.yaml:1:2: bad\\nb\"}}");
}


static void test_flat_object(void **state)
{
	(void)state;

	assert_string_equal(reply("log_level=7\nOK\n"),
			    "{\"log_level\":\"7\"}");
	assert_string_equal(reply("state=running\nversion=1.0\n"
				  "config=\nOK\n"),
			    "{\"state\":\"running\",\"version\":\"1.0\","
			    "\"config\":\"\"}");
	/* one pair per line may hold free text: the rest of the line */
	assert_string_equal(reply("verdict=degraded: no registrar, a=b\n"
				  "sip=waiting for a network address\nOK\n"),
			    "{\"verdict\":\"degraded: no registrar, a=b\","
			    "\"sip\":\"waiting for a network address\"}");
	/* a single quoted value loses its quotes */
	assert_string_equal(reply("last_error=\"x: y\"\nOK\n"),
			    "{\"last_error\":\"x: y\"}");
}


static void test_quoting(void **state)
{
	(void)state;

	assert_string_equal(reply("name=a reason=\"no registrar\" x=1\n"
				  "OK\n"),
			    "[{\"name\":\"a\",\"reason\":\"no registrar\","
			    "\"x\":\"1\"}]");
	/* \" and \\ inside quotes; JSON escapes them again (and libre
	 * escapes / as \/, which JSON allows) */
	assert_string_equal(reply("name=a peer=\"say \\\"hi\\\" \\\\o/\"\n"
				  "OK\n"),
			    "[{\"name\":\"a\",\"peer\":"
			    "\"say \\\"hi\\\" \\\\o\\/\"}]");
	/* raw quotes, backslashes and control bytes in an unquoted value */
	assert_string_equal(reply("k=a\"b\\c\x01\tz\nOK\n"),
			    "{\"k\":\"a\\\"b\\\\c\\u0001\\tz\"}");
	/* an unterminated quote: the line is one pair of free text */
	assert_string_equal(reply("a=\"open b=2\nOK\n"),
			    "{\"a\":\"\\\"open b=2\"}");
}


static void test_records(void **state)
{
	(void)state;

	/* count= ends a list: no records is an empty array */
	assert_string_equal(reply("count=0\nOK\n"), "[]");
	assert_string_equal(reply("name=stun kind=traversal state=loaded\n"
				  "name=upnp kind=traversal state=failed "
				  "reason=\"no igd\"\ncount=2\nOK\n"),
			    "[{\"name\":\"stun\",\"kind\":\"traversal\","
			    "\"state\":\"loaded\"},{\"name\":\"upnp\","
			    "\"kind\":\"traversal\",\"state\":\"failed\","
			    "\"reason\":\"no igd\"}]");
	/* a block key (line=) takes the lines after it: calls, reg */
	assert_string_equal(reply("line=1 id=5\nstate=established\n"
				  "peer=sip:a@b\nline=2 id=6\nstate=ringing\n"
				  "count=2\nOK\n"),
			    "[{\"line\":\"1\",\"id\":\"5\",\"state\":"
			    "\"established\",\"peer\":\"sip:a@b\"},"
			    "{\"line\":\"2\",\"id\":\"6\",\"state\":"
			    "\"ringing\"}]");
	/* own pairs and records: "records", trailing pairs stay own */
	assert_string_equal(reply("method=none\nmodule=stun state=idle\n"
				  "verdict=ok\nOK\n"),
			    "{\"method\":\"none\",\"verdict\":\"ok\","
			    "\"records\":[{\"module\":\"stun\","
			    "\"state\":\"idle\"}]}");
	/* stats: line=N alone starts a block */
	assert_string_equal(reply("line=1\naudio=test\nline=2\naudio=x\n"
				  "OK\n"),
			    "[{\"line\":\"1\",\"audio\":\"test\"},"
			    "{\"line\":\"2\",\"audio\":\"x\"}]");
	/* turn: relay=N (free text) starts a block too */
	assert_string_equal(reply("relays=1\nrelay=0 (test)\nserver=s\n"
				  "OK\n"),
			    "{\"relays\":\"1\",\"records\":[{\"relay\":"
			    "\"0 (test)\",\"server\":\"s\"}]}");
}


static void test_text(void **state)
{
	(void)state;

	assert_string_equal(reply("help [VERB]  list verbs\nPING  pong\n"
				  "OK\n"),
			    "{\"text\":\"help [VERB]  list verbs\\n"
			    "PING  pong\\n\"}");
	assert_string_equal(reply("# HELP a_total A\n# TYPE a_total "
				  "counter\na_total{x=\"1\"} 3\nOK\n"),
			    "{\"text\":\"# HELP a_total A\\n# TYPE a_total "
			    "counter\\na_total{x=\\\"1\\\"} 3\\n\"}");
	/* one line that is not key=value makes the whole body text */
	assert_string_equal(reply("a=1\n\nOK\n"),
			    "{\"text\":\"a=1\\n\\n\"}");
	/* no final line at all: everything is body */
	assert_string_equal(reply("a=1"), "{\"a\":\"1\"}");
	assert_string_equal(reply(""), "{}");
}


static void test_events(void **state)
{
	(void)state;

	assert_string_equal(event("<6>LINE-STATE line=1 state=dialtone"),
			    "{\"event\":\"LINE-STATE\",\"level\":6,"
			    "\"line\":\"1\",\"state\":\"dialtone\"}");
	assert_string_equal(event("<5>TERMINATING"),
			    "{\"event\":\"TERMINATING\",\"level\":5}");
	assert_string_equal(event("<3>ERROR reason=\"no \\\"x\\\"\" a=b"),
			    "{\"event\":\"ERROR\",\"level\":3,\"reason\":"
			    "\"no \\\"x\\\"\",\"a\":\"b\"}");
	/* fields never replace event and level */
	assert_string_equal(event("<4>X level=9 event=Y k=v"),
			    "{\"event\":\"X\",\"level\":4,\"k\":\"v\"}");
	assert_string_equal(event("<4>X something odd"),
			    "{\"event\":\"X\",\"level\":4,"
			    "\"text\":\"something odd\"}");
	/* not an event: converted as a reply */
	assert_string_equal(event("OK"), "{\"ok\":true}");
}


static void test_bad_args(void **state)
{
	struct re_printf pf = {NULL, NULL};
	struct pl pl = PL("OK");

	(void)state;

	assert_int_equal(ctrl_json_reply(NULL, &pl), EINVAL);
	assert_int_equal(ctrl_json_reply(&pf, NULL), EINVAL);
	assert_int_equal(ctrl_json_event(NULL, &pl), EINVAL);
}


static int teardown(void **state)
{
	(void)state;
	out = mem_deref(out);
	return 0;
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_final_lines),
		cmocka_unit_test(test_flat_object),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
