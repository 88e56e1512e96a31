/**
 * @file tests/unit/test_resolver.c  DNS faults in words; /etc/hosts routes
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include "sys/resolver.h"


static void describe(char *buf, size_t sz, enum resolver_fault fault,
		     const char *srv, int err)
{
	struct resolver_fail f;

	memset(&f, 0, sizeof(f));
	f.fault = fault;
	f.err = err;
	if (srv)
		assert_int_equal(sa_decode(&f.srv, srv, strlen(srv)), 0);
	resolver_describe(buf, sz, &f, "example.net");
}


/* Each fault has words of its own; the server's address where known */
static void test_words(void **state)
{
	char buf[160];
	(void)state;

	describe(buf, sizeof(buf), RESOLVER_NO_SERVER, NULL, 0);
	assert_string_equal(buf, "DNS: no name server to ask for "
			    "example.net (none in resolv.conf)");
	describe(buf, sizeof(buf), RESOLVER_NOT_FOUND, NULL, 0);
	assert_string_equal(buf, "DNS: example.net: name not found (no such "
			    "name, or no address for it)");
	describe(buf, sizeof(buf), RESOLVER_TIMEOUT, "10.0.0.53:53", 0);
	assert_string_equal(buf, "DNS timeout: name server 10.0.0.53:53 does "
			    "not answer (looking up example.net)");
	describe(buf, sizeof(buf), RESOLVER_UNREACHABLE, "10.0.0.53:53",
		 ECONNREFUSED);
	assert_string_equal(buf, "DNS: name server 10.0.0.53:53 refuses "
			    "(port unreachable; looking up example.net)");
	describe(buf, sizeof(buf), RESOLVER_UNREACHABLE, "10.0.0.53:53",
		 ENETUNREACH);
	assert_non_null(strstr(buf, "10.0.0.53:53 unreachable ("));
	describe(buf, sizeof(buf), RESOLVER_OK, NULL, 0);
	assert_string_equal(buf, "");
	/* truncated, never overrun */
	describe(buf, 12, RESOLVER_NOT_FOUND, NULL, 0);
	assert_true(strlen(buf) < 12);
}


/* libre ends a request whose lookups found nothing with EDESTADDRREQ:
   the name was not found; anything else is no DNS fault */
static void test_fault_of(void **state)
{
	(void)state;

	assert_int_equal(resolver_fault_of(EDESTADDRREQ, NULL),
			 RESOLVER_NOT_FOUND);
	assert_int_equal(resolver_fault_of(ETIMEDOUT, NULL), RESOLVER_OK);
	assert_int_equal(resolver_fault_of(0, NULL), RESOLVER_OK);
	assert_int_equal(resolver_fault_of(RESOLVER_ENOSERVER, NULL),
			 RESOLVER_OK);
	assert_string_equal(resolver_fault_name(RESOLVER_NOT_FOUND),
			    "name not found");
	assert_string_equal(resolver_fault_name(RESOLVER_NO_SERVER),
			    "no name server");
	assert_string_equal(resolver_fault_name(RESOLVER_TIMEOUT),
			    "DNS timeout");
}


static void test_uri_host(void **state)
{
	char buf[32];
	(void)state;

	resolver_uri_host(buf, sizeof(buf), "sip:example.net:5080;lr");
	assert_string_equal(buf, "example.net");
	resolver_uri_host(buf, sizeof(buf), "sip:1001@[2001:db8::1]");
	assert_string_equal(buf, "2001:db8::1");
	resolver_uri_host(buf, sizeof(buf), "not a uri");
	assert_string_equal(buf, "?");
	resolver_uri_host(buf, sizeof(buf), NULL);
	assert_string_equal(buf, "?");
}


static void write_hosts(char *path)
{
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("44.0.0.1 sip.lab.test\n2001:db8::5 proxy6.lab.test\n", f);
	fclose(f);
}


/* A name the hosts file knows: the same URI with its address and ;lr */
static void test_hosts_route(void **state)
{
	char path[] = "/tmp/test_resolver.XXXXXX";
	char *route = NULL;
	(void)state;

	write_hosts(path);

	assert_int_equal(resolver_hosts_route(&route, "sip:sip.lab.test",
					      path), 0);
	assert_string_equal(route, "sip:44.0.0.1;lr");
	route = mem_deref(route);

	assert_int_equal(resolver_hosts_route(&route, "sip:SIP.lab.test:5080"
					      ";transport=tcp", path), 0);
	assert_string_equal(route, "sip:44.0.0.1:5080;transport=tcp;lr");
	route = mem_deref(route);

	assert_int_equal(resolver_hosts_route(&route, "sip:proxy6.lab.test;lr",
					      path), 0);
	assert_string_equal(route, "sip:[2001:db8::5];lr");
	route = mem_deref(route);

	/* not there, an IP literal, no file: no route, DNS as before */
	assert_int_equal(resolver_hosts_route(&route, "sip:other.lab.test",
					      path), 0);
	assert_null(route);
	assert_int_equal(resolver_hosts_route(&route, "sip:44.0.0.1", path),
			 0);
	assert_null(route);
	unlink(path);
	assert_int_equal(resolver_hosts_route(&route, "sip:sip.lab.test",
					      path), 0);
	assert_null(route);

	assert_int_equal(resolver_hosts_route(&route, "no uri", path), EINVAL);
	assert_int_equal(resolver_hosts_route(NULL, "sip:x", path), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_fault_of),
		cmocka_unit_test(test_uri_host),
		cmocka_unit_test(test_hosts_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
