/** @file tests/unit/test_resolv_conf.c  Name servers from resolv.conf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include "sys/resolv_conf.h"

static uint32_t servers(const char *text, struct sa *v, uint32_t n)
{
	return resolv_conf_servers(text, strlen(text), v, n);
}


/* What a DHCP client writes: servers in order, port 53 */
static void test_servers_in_order(void **state)
{
	struct sa v[4];
	(void)state;

	assert_int_equal(servers("# generated\nsearch lab\n"
				 "nameserver 44.0.0.1\n"
				 "nameserver\t2001:db8::53 # v6\n"
				 "  nameserver 10.0.0.1;x\r\n", v, 4), 3);
	assert_true(sa_af(&v[0]) == AF_INET && sa_port(&v[0]) == 53);
	assert_int_equal(sa_in(&v[0]), 0x2c000001);
	assert_true(sa_af(&v[1]) == AF_INET6 && sa_port(&v[1]) == 53);
	assert_int_equal(sa_in(&v[2]), 0x0a000001);
}


/* No nameserver line means no server: not glibc's 127.0.0.1 */
static void test_none(void **state)
{
	struct sa v[2];
	(void)state;

	assert_int_equal(servers("", v, 2), 0);
	assert_int_equal(servers("search lab\noptions ndots:1\n", v, 2), 0);
	assert_int_equal(servers("#nameserver 1.2.3.4\n", v, 2), 0);
	assert_int_equal(servers("nameservers 1.2.3.4\n", v, 2), 0);
	assert_int_equal(servers("nameserver\n", v, 2), 0);
	assert_int_equal(servers("nameserver dns.example.net\n", v, 2), 0);
	assert_int_equal(servers("nameserver 1.2.3.999\n", v, 2), 0);
	/* found by fuzz_resolv_conf: the unspecified addresses parse */
	assert_int_equal(servers("nameserver ::\nnameserver 0.0.0.0\n", v, 2),
			 0);
	assert_int_equal(resolv_conf_servers(NULL, 5, v, 2), 0);
	assert_int_equal(resolv_conf_servers("x", 1, NULL, 2), 0);
}


/* At most n; a last line without newline counts; NUL bytes are data */
static void test_bounds(void **state)
{
	static const char text[] = "nameserver 1.1.1.1\nnameserver 2.2.2.2\n"
		"nameserver 3.3.3.3";
	struct sa v[2];
	(void)state;

	assert_int_equal(servers(text, v, 2), 2);
	assert_int_equal(sa_in(&v[1]), 0x02020202);
	assert_int_equal(servers("nameserver 3.3.3.3", v, 1), 1);
	assert_int_equal(resolv_conf_servers("nameserver 4.4.4.4\0x", 20, v,
					     2), 1);
	/* cut inside the address: not read past len */
	assert_int_equal(resolv_conf_servers("nameserver 5.5.5.5", 14, v, 2),
			 0);
}


static void test_read_file(void **state)
{
	char path[] = "/tmp/test_resolv_conf.XXXXXX";
	struct sa v[2];
	FILE *f;
	int fd;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("nameserver 44.0.0.1\n", f);
	fclose(f);
	assert_int_equal(resolv_conf_read(path, v, 2), 1);
	unlink(path);
	assert_int_equal(resolv_conf_read(path, v, 2), 0);
	assert_int_equal(resolv_conf_read(NULL, v, 2), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servers_in_order),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
