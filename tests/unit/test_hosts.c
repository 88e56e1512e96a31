/** @file tests/unit/test_hosts.c  Addresses of names in /etc/hosts */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include "sys/hosts.h"

static const char lab[] =
	"# The following lines are desirable for IPv6\n"
	"127.0.0.1\tlocalhost\n"
	"::1     localhost ip6-localhost ip6-loopback\n"
	"44.0.0.1   sip.lab.test  registrar   # the lab's kamailio\n"
	"2001:db8::5 proxy6.lab.test\r\n"
	"44.0.0.9 sip.lab.test\n"
	"10.9.9.9 last.lab.test";


static int find(struct sa *sa, const char *text, const char *name)
{
	struct pl pl;

	pl_set_str(&pl, name);
	return hosts_find(sa, text, strlen(text), &pl);
}


/* The canonical name and an alias; the first line wins; no case */
static void test_found(void **state)
{
	struct sa sa;
	(void)state;

	assert_int_equal(find(&sa, lab, "sip.lab.test"), 0);
	assert_int_equal(sa_in(&sa), 0x2c000001);
	assert_int_equal(sa_port(&sa), 0);
	assert_int_equal(find(&sa, lab, "REGISTRAR"), 0);
	assert_int_equal(sa_in(&sa), 0x2c000001);
	assert_int_equal(find(&sa, lab, "proxy6.lab.test"), 0);
	assert_int_equal(sa_af(&sa), AF_INET6);
	assert_int_equal(find(&sa, lab, "last.lab.test"), 0);
	assert_int_equal(sa_in(&sa), 0x0a090909);
}


/* Not there: comments, parts of names, addresses are no names */
static void test_not_found(void **state)
{
	struct sa sa;
	(void)state;

	assert_int_equal(find(&sa, lab, "kamailio"), ENOENT);
	assert_int_equal(find(&sa, lab, "the"), ENOENT);
	assert_int_equal(find(&sa, lab, "sip.lab"), ENOENT);
	assert_int_equal(find(&sa, lab, "sip.lab.test.x"), ENOENT);
	assert_int_equal(find(&sa, lab, "44.0.0.1"), ENOENT);
	assert_int_equal(find(&sa, lab, "desirable"), ENOENT);
	assert_int_equal(find(&sa, "", "localhost"), ENOENT);
	assert_int_equal(find(&sa, "localhost\n", "localhost"), ENOENT);
}


/* Unusable addresses are skipped: a later line may still name it */
static void test_bad_address(void **state)
{
	struct sa sa;
	(void)state;

	assert_int_equal(find(&sa, "0.0.0.0 a.test\n:: a.test\n"
			      "1.2.3.999 a.test\nfe80::1%eth0 a.test\n"
			      "a.test a.test\n", "a.test"), ENOENT);
	assert_int_equal(find(&sa, "0.0.0.0 a.test\n5.6.7.8 a.test\n",
			      "a.test"), 0);
	assert_int_equal(sa_in(&sa), 0x05060708);
}


/* Bounds: never past len; NUL bytes are data; bad arguments */
static void test_bounds(void **state)
{
	static const char text[] = "1.1.1.1 one\0 2.2.2.2 two";
	struct sa sa;
	struct pl name = PL("one");
	(void)state;

	assert_int_equal(hosts_find(&sa, "1.1.1.1 one", 9, &name), ENOENT);
	assert_int_equal(hosts_find(&sa, "1.1.1.1 one", 11, &name), 0);
	/* one line: "one\0" is no "one"; "two" is 1.1.1.1's alias */
	assert_int_equal(hosts_find(&sa, text, sizeof(text) - 1, &name),
			 ENOENT);
	name.p = "two";
	assert_int_equal(hosts_find(&sa, text, sizeof(text) - 1, &name), 0);
	assert_int_equal(sa_in(&sa), 0x01010101);
	assert_int_equal(hosts_find(NULL, "x", 1, &name), EINVAL);
	assert_int_equal(hosts_find(&sa, NULL, 1, &name), EINVAL);
	assert_int_equal(hosts_find(&sa, "x", 1, NULL), EINVAL);
	name.l = 0;
	assert_int_equal(hosts_find(&sa, "1.1.1.1 one", 11, &name), EINVAL);
}


static void test_lookup_file(void **state)
{
	char path[] = "/tmp/test_hosts.XXXXXX";
	struct pl name = PL("sip.lab.test");
	struct sa sa;
	FILE *f;
	int fd;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(lab, f);
	fclose(f);
	assert_int_equal(hosts_lookup(&sa, path, &name), 0);
	assert_int_equal(sa_in(&sa), 0x2c000001);
	unlink(path);
	assert_int_equal(hosts_lookup(&sa, path, &name), ENOENT);
	assert_int_equal(hosts_lookup(&sa, NULL, &name), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_lookup_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
