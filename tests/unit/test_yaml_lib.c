/** @file tests/unit/test_yaml_lib.c  libyaml opened for each parse */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "conf/yaml_lib.h"


static void test_missing_library(void **state)
{
	struct yaml_lib yl;
	char why[256] = "";
	(void)state;

	assert_int_equal(yaml_lib_open(&yl, "libyaml-absent.so.2", why,
				       sizeof(why)), ELIBACC);
	assert_null(yl.handle);
	assert_non_null(strstr(why, "libyaml-absent.so.2"));
	yaml_lib_close(&yl);
}


/* opens, but is not libyaml: closed again, the reason names the symbol */
static void test_wrong_library(void **state)
{
	struct yaml_lib yl;
	char why[256] = "";
	(void)state;

	assert_int_equal(yaml_lib_open(&yl, "libm.so.6", why, sizeof(why)),
			 ELIBBAD);
	assert_null(yl.handle);
	assert_non_null(strstr(why, "yaml_parser_initialize"));
	assert_int_equal(yaml_lib_open(&yl, "libm.so.6", NULL, 0), ELIBBAD);
}


static void test_open_parse_close(void **state)
{
	static const char doc[] = "a: 1\n";
	struct yaml_lib yl;
	yaml_parser_t p;
	yaml_event_t ev;
	int n = 0;
	(void)state;

	assert_int_equal(yaml_lib_open(&yl, NULL, NULL, 0), 0);
	assert_non_null(yl.handle);
	assert_true(yl.parser_initialize(&p));
	yl.parser_set_input_string(&p, (const unsigned char *)doc,
				   strlen(doc));
	do {
		assert_true(yl.parser_parse(&p, &ev));
		++n;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yl.event_delete(&ev);
			break;
		}
		yl.event_delete(&ev);
	} while (n < 100);
	yl.parser_delete(&p);

	/* stream, document and mapping starts, 2 scalars, 3 ends */
	assert_int_equal(n, 8);
	yaml_lib_close(&yl);
	assert_null(yl.handle);
	yaml_lib_close(&yl);
	yaml_lib_close(NULL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_wrong_library),
		cmocka_unit_test(test_open_parse_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
