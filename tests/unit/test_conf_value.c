/**
 * @file test_conf_value.c  Config value parsers: durations, host:port
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "conf/conf.h"

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int err;
		uint32_t ms;
	} v[] = {
		{"500ms", 0, 500},   {"25s", 0, 25000},  {"2m", 0, 120000},
		{"1h", 0, 3600000},  {"0", 0, 0},        {"0ms", 0, 0},
		{"25", ENOENT, 0},   {"", EINVAL, 0},    {"s", EINVAL, 0},
		{"1.5s", EINVAL, 0}, {"-1s", EINVAL, 0}, {"10 s", EINVAL, 0},
		{"1d", EINVAL, 0},   {"5S", EINVAL, 0},  {"1194h", ERANGE, 0},
		{"4294967295ms", 0, 4294967295u}, {"4294967296ms", ERANGE, 0},
		{"99999999999999999999s", ERANGE, 0},
	};
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		uint32_t ms = 12345;
		int err = conf_parse_dur(&ms, v[i].s);

		if (err != v[i].err)
			fail_msg("'%s': err %d, want %d", v[i].s, err,
				 v[i].err);
		if (!err)
			assert_int_equal(ms, v[i].ms);
	}

	assert_int_equal(conf_parse_dur(NULL, "1s"), EINVAL);
}

static void test_dur_str(void **state)
{
	char buf[16];
	(void)state;

	assert_string_equal(conf_dur_str(buf, sizeof(buf), 500), "500ms");
	assert_string_equal(conf_dur_str(buf, sizeof(buf), 25000), "25s");
	assert_string_equal(conf_dur_str(buf, sizeof(buf), 120000), "2m");
	assert_string_equal(conf_dur_str(buf, sizeof(buf), 7200000), "2h");
	assert_string_equal(conf_dur_str(buf, sizeof(buf), 0), "0s");
	assert_string_equal(conf_dur_str(buf, sizeof(buf), 1500), "1500ms");
}

static void test_hostport(void **state)
{
	static const struct {
		const char *s;
		bool port_required;
		int err;
		const char *host;
		uint16_t port;
	} v[] = {
		{"1.2.3.4:5060", true, 0, "1.2.3.4", 5060},
		{"[::1]:5060", true, 0, "::1", 5060},
		{"stun.example.net:19302", true, 0, "stun.example.net",
		 19302},
		{"stun.example.net", false, 0, "stun.example.net", 3478},
		{"[2001:db8::1]", false, 0, "2001:db8::1", 3478},
		{"host:0", true, 0, "host", 0},
		{"stun.example.net", true, ENOENT, NULL, 0},
		{"::1:5060", true, EAFNOSUPPORT, NULL, 0},
		{"[::1:5060", true, EINVAL, NULL, 0},
		{"[1.2.3.4]:5060", true, EINVAL, NULL, 0},
		{"[::1]x", true, EINVAL, NULL, 0},
		{"a b:5", true, EINVAL, NULL, 0},
		{":5060", true, EINVAL, NULL, 0},
		{"host:", true, ERANGE, NULL, 0},
		{"host:65536", true, ERANGE, NULL, 0},
		{"host:-1", true, ERANGE, NULL, 0},
		{"host:5060x", true, ERANGE, NULL, 0},
	};
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		char *host = NULL;
		uint16_t port = 1;
		int err;

		err = conf_parse_hostport(&host, &port, v[i].s,
					  v[i].port_required);
		if (err != v[i].err)
			fail_msg("'%s': err %d, want %d", v[i].s, err,
				 v[i].err);
		if (!err) {
			assert_string_equal(host, v[i].host);
			assert_int_equal(port, v[i].port);
		}
		else {
			assert_null(host);
		}
		mem_deref(host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_dur_str),
		cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
