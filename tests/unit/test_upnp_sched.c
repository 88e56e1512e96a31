/**
 * @file tests/unit/test_upnp_sched.c  UPnP lease schedule, conflict port
 * choice, stolen-mapping check and error mapping (modules/upnp)
 *
 * upnp_sched.o comes from the module's archive (see the Makefile).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <re.h>
#include "../../modules/upnp/upnp_sched.h"


static void test_lease_never_permanent(void **state)
{
	(void)state;

	assert_int_equal(upnp_lease_s(0), UPNP_LEASE_MIN_S);
	assert_int_equal(upnp_lease_s(999), UPNP_LEASE_MIN_S);
	assert_int_equal(upnp_lease_s(60000), 60);
	assert_int_equal(upnp_lease_s(3600000), 3600);
	assert_int_equal(upnp_lease_s(UINT32_MAX), UPNP_LEASE_MAX_S);
}


/* Renewed at half-time: one refresh may be lost before expiry */
static void test_refresh_half_lease(void **state)
{
	(void)state;

	assert_int_equal(upnp_refresh_ms(60), 30000);
	assert_int_equal(upnp_refresh_ms(3600), 1800000);
	assert_int_equal(upnp_refresh_ms(1), UPNP_REFRESH_MIN_MS);
	assert_int_equal(upnp_refresh_ms(0), 0);   /* nothing to renew */
	assert_int_equal(upnp_refresh_ms(UPNP_LEASE_MAX_S),
			 UPNP_LEASE_MAX_S * 500U);
	assert_true(upnp_refresh_ms(UINT32_MAX) == UINT32_MAX);
}


static void test_port_first_same(void **state)
{
	(void)state;

	assert_int_equal(upnp_port_candidate(5060, 0, 0), 5060);
	assert_int_equal(upnp_port_candidate(20001, 1234, 0), 20001);
	assert_int_equal(upnp_port_candidate(80, 1234, 0), 80);
}


/* Other tries: unprivileged, same parity, not the internal port,
   different from each other for one seed, different between seeds */
static void test_port_conflict_choices(void **state)
{
	const uint16_t ports[] = {5060, 20000, 20001, 1024, 65535, 1};
	uint16_t seen[UPNP_PORT_TRIES];
	unsigned i, a, b, same_seed_other = 0;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		for (a = 1; a < UPNP_PORT_TRIES; a++) {
			uint16_t p = upnp_port_candidate(ports[i], 42, a);

			assert_true(p >= UPNP_PORT_LOW);
			assert_int_equal(p & 1, ports[i] & 1);
			assert_int_not_equal(p, ports[i]);
			seen[a] = p;
			for (b = 1; b < a; b++)
				assert_int_not_equal(seen[b], p);
			if (p != upnp_port_candidate(ports[i], 43, a))
				++same_seed_other;
		}
	}

	/* another host (seed) walks another sequence */
	assert_true(same_seed_other > 0);

	/* deterministic for one seed: the retry after a restart asks
	   for the same ports again */
	assert_int_equal(upnp_port_candidate(5060, 7, 3),
			 upnp_port_candidate(5060, 7, 3));
}


static void test_entry_ours(void **state)
{
	struct sa us;
	(void)state;

	assert_int_equal(sa_set_str(&us, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "5060", &us,
					  5060), UPNP_ENTRY_OURS);
}


/* Another host, another port on our host, garbage: all stolen */
static void test_entry_stolen(void **state)
{
	struct sa us;
	(void)state;

	assert_int_equal(sa_set_str(&us, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_entry_check(0, "192.168.1.11", "5060", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "5062", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "5060x", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "99999", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "not-an-ip", "5060", &us,
					  5060), UPNP_ENTRY_STOLEN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.100", "5060", &us,
					  5060), UPNP_ENTRY_STOLEN);
}


static void test_entry_missing_unknown(void **state)
{
	struct sa us;
	(void)state;

	assert_int_equal(sa_set_str(&us, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_entry_check(UPNP_E_NO_SUCH_ENTRY, "", "", &us,
					  5060), UPNP_ENTRY_MISSING);
	assert_int_equal(upnp_entry_check(-3, "", "", &us, 5060),
			 UPNP_ENTRY_UNKNOWN);
	assert_int_equal(upnp_entry_check(UPNP_E_ACTION_FAILED, NULL, NULL,
					  &us, 5060), UPNP_ENTRY_UNKNOWN);
	assert_int_equal(upnp_entry_check(0, "", "5060", &us, 5060),
			 UPNP_ENTRY_UNKNOWN);
	assert_int_equal(upnp_entry_check(0, NULL, "5060", &us, 5060),
			 UPNP_ENTRY_UNKNOWN);
	assert_int_equal(upnp_entry_check(0, "192.168.1.10", "5060", NULL,
					  5060), UPNP_ENTRY_UNKNOWN);
	assert_string_equal(upnp_verdict_str(UPNP_ENTRY_STOLEN), "stolen");
	assert_string_equal(upnp_verdict_str(UPNP_ENTRY_MISSING), "missing");
}


static void test_codes(void **state)
{
	(void)state;

	assert_int_equal(upnp_code_errno(0), 0);
	assert_int_equal(upnp_code_errno(UPNP_E_CONFLICT), EADDRINUSE);
	assert_int_equal(upnp_code_errno(UPNP_E_SAME_PORT), EADDRINUSE);
	assert_int_equal(upnp_code_errno(UPNP_E_PERMANENT_ONLY), ENOTSUP);
	assert_int_equal(upnp_code_errno(UPNP_E_NO_SUCH_ENTRY), ENOENT);
	assert_int_equal(upnp_code_errno(UPNP_E_NOT_AUTHORIZED), EPERM);
	assert_int_equal(upnp_code_errno(-3), ENETUNREACH);
	assert_int_equal(upnp_code_errno(-1), EPROTO);
	assert_int_equal(upnp_code_errno(12345), EPROTO);
	assert_string_equal(upnp_code_str(UPNP_E_CONFLICT),
			    "ConflictInMappingEntry");
	assert_string_equal(upnp_code_str(999), "UPnP error");
}


static void test_public_addr(void **state)
{
	static const char *const priv[] = {
		"0.0.0.0", "10.1.2.3", "127.0.0.1", "172.16.0.1",
		"172.31.255.255", "192.168.0.1", "169.254.1.1", "100.64.0.1",
		"100.127.255.254",
	};
	static const char *const pub[] = {
		"44.0.0.60", "8.8.8.8", "172.15.255.255", "172.32.0.0",
		"100.63.255.255", "100.128.0.0", "192.169.0.1",
	};
	struct sa sa;
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(priv); i++) {
		assert_int_equal(sa_set_str(&sa, priv[i], 1), 0);
		if (upnp_addr_public(&sa))
			fail_msg("%s taken for public", priv[i]);
	}
	for (i = 0; i < ARRAY_SIZE(pub); i++) {
		assert_int_equal(sa_set_str(&sa, pub[i], 1), 0);
		if (!upnp_addr_public(&sa))
			fail_msg("%s taken for private", pub[i]);
	}
	assert_false(upnp_addr_public(NULL));
	sa_init(&sa, AF_UNSPEC);
	assert_false(upnp_addr_public(&sa));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_never_permanent),
		cmocka_unit_test(test_refresh_half_lease),
		cmocka_unit_test(test_port_first_same),
		cmocka_unit_test(test_port_conflict_choices),
		cmocka_unit_test(test_entry_ours),
		cmocka_unit_test(test_entry_stolen),
		cmocka_unit_test(test_entry_missing_unknown),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_public_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
