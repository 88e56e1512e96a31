/**
 * @file tests/unit/test_action_env.c  `atactl -a`: an event's environment
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "cli/action_env.h"

static char *basev[] = {
	"PATH=/usr/bin:/bin", "HOME=/root", "ATAUA_LINE=stale",
	"ATAUA_CTRL=/elsewhere", "ATAUAX=kept", NULL,
};


static size_t count(char **env, const char *name)
{
	size_t n = 0, nl = strlen(name);

	for (size_t i = 0; env[i]; i++)
		n += !strncmp(env[i], name, nl) && env[i][nl] == '=';

	return n;
}


/* name, level, the line, the socket, the fields upper-cased */
static void test_fields(void **state)
{
	const char *ev = "<5>NAT-STATE verdict=degraded method=none "
		"public=127.0.0.1:5060 reason=\"no registrar configured\"";
	char **env = NULL;

	(void)state;
	assert_int_equal(action_env_build(&env, basev, ev, "/run/s", 3), 0);

	assert_string_equal(action_env_get(env, "ATAUA_EVENT"), "NAT-STATE");
	assert_string_equal(action_env_get(env, "ATAUA_LEVEL"), "5");
	assert_string_equal(action_env_get(env, "ATAUA_RAW"), ev);
	assert_string_equal(action_env_get(env, "ATAUA_CTRL"), "/run/s");
	assert_string_equal(action_env_get(env, "ATAUA_DROPPED"), "3");
	assert_string_equal(action_env_get(env, "ATAUA_VERDICT"),
			    "degraded");
	assert_string_equal(action_env_get(env, "ATAUA_PUBLIC"),
			    "127.0.0.1:5060");
	assert_string_equal(action_env_get(env, "ATAUA_REASON"),
			    "no registrar configured");
	assert_null(action_env_get(env, "ATAUA_TEXT"));

	action_env_free(env);
}


/* the caller's ATAUA_* go, the rest stays; ours appear once */
static void test_base(void **state)
{
	char **env = NULL;

	(void)state;
	assert_int_equal(action_env_build(&env, basev,
					  "<6>HOOK line=1 hook=offhook",
					  "/s", 0), 0);

	assert_string_equal(action_env_get(env, "PATH"), "/usr/bin:/bin");
	assert_string_equal(action_env_get(env, "ATAUAX"), "kept");
	assert_string_equal(action_env_get(env, "ATAUA_LINE"), "1");
	assert_string_equal(action_env_get(env, "ATAUA_CTRL"), "/s");
	assert_int_equal(count(env, "ATAUA_LINE"), 1);
	assert_int_equal(count(env, "ATAUA_CTRL"), 1);
	action_env_free(env);

	assert_int_equal(action_env_build(&env, NULL, "<3>ERROR", "/s", 0),
			 0);
	assert_string_equal(action_env_get(env, "ATAUA_EVENT"), "ERROR");
	assert_string_equal(action_env_get(env, "ATAUA_LEVEL"), "3");
	assert_null(action_env_get(env, "PATH"));
	action_env_free(env);
}


/* quotes, escapes and shell text arrive as bytes, unquoted once */
static void test_quoting(void **state)
{
	const char *ev = "<4>REG-STATE line=1 reason=\"say \\\"hi\\\" "
		"$(touch x) `id` a\\\\b\" empty=\"\"";
	char **env = NULL;

	(void)state;
	assert_int_equal(action_env_build(&env, NULL, ev, "/s", 0), 0);
	assert_string_equal(action_env_get(env, "ATAUA_REASON"),
			    "say \"hi\" $(touch x) `id` a\\b");
	assert_string_equal(action_env_get(env, "ATAUA_EMPTY"), "");
	action_env_free(env);

	/* words not all pairs: the one pair takes the rest of the line */
	ev = "<5>CONFIG-RELOADED file=/tmp/a b\"c $(id)/x?y.yaml";
	assert_int_equal(action_env_build(&env, NULL, ev, "/s", 0), 0);
	assert_string_equal(action_env_get(env, "ATAUA_FILE"),
			    "/tmp/a b\"c $(id)/x?y.yaml");
	action_env_free(env);

	/* an open quote is no pair either */
	ev = "<5>X a=1 b=\"open";
	assert_int_equal(action_env_build(&env, NULL, ev, "/s", 0), 0);
	assert_string_equal(action_env_get(env, "ATAUA_A"), "1 b=\"open");
	action_env_free(env);
}


/* names: upper case, - and . as _; twice: both, one per line; a field
 * never takes one of ours; free text is TEXT */
static void test_names(void **state)
{
	char **env = NULL;

	(void)state;
	assert_int_equal(action_env_build(&env, NULL,
		"<6>X down_ms=5 up-ms=6 a.b=7 key=1 key=2 event=no "
		"level=9 raw=r ctrl=c dropped=d", "/s", 0), 0);
	assert_string_equal(action_env_get(env, "ATAUA_DOWN_MS"), "5");
	assert_string_equal(action_env_get(env, "ATAUA_UP_MS"), "6");
	assert_string_equal(action_env_get(env, "ATAUA_A_B"), "7");
	assert_string_equal(action_env_get(env, "ATAUA_KEY"), "1\n2");
	assert_string_equal(action_env_get(env, "ATAUA_EVENT"), "X");
	assert_string_equal(action_env_get(env, "ATAUA_LEVEL"), "6");
	assert_string_equal(action_env_get(env, "ATAUA_CTRL"), "/s");
	assert_string_equal(action_env_get(env, "ATAUA_DROPPED"), "0");
	assert_int_equal(count(env, "ATAUA_EVENT"), 1);
	action_env_free(env);

	assert_int_equal(action_env_build(&env, NULL,
		"<6>X not pairs at all", "/s", 0), 0);
	assert_string_equal(action_env_get(env, "ATAUA_TEXT"),
			    "not pairs at all");
	action_env_free(env);
}


/* no event, no environment */
static void test_bad(void **state)
{
	char **env = NULL;

	(void)state;
	assert_int_equal(action_env_build(&env, NULL, "OK", "/s", 0),
			 EINVAL);
	assert_int_equal(action_env_build(&env, NULL, "<5> X", "/s", 0),
			 EINVAL);
	assert_int_equal(action_env_build(&env, NULL, "", "/s", 0), EINVAL);
	assert_int_equal(action_env_build(NULL, NULL, "<5>X", "/s", 0),
			 EINVAL);
	assert_int_equal(action_env_build(&env, NULL, "<5>X", NULL, 0),
			 EINVAL);
	assert_null(env);
	assert_null(action_env_get(NULL, "X"));
	action_env_free(NULL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_base),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
