/** @file tests/unit/test_nat_verdict.c  Every row of the NAT verdict */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "nat/nat.h"

/* A port-restricted cone seen through STUN with RFC 5780: the base case */
static struct nat_obs cone(void)
{
	struct nat_obs o;

	memset(&o, 0, sizeof(o));
	o.done = true;
	o.local_private = true;
	o.reg_answered = true;
	o.reg_ok = true;
	o.reg_saw_other = true;
	o.stun_avail = true;
	o.stun_ok = true;
	o.mapping = NAT_KIND_EI;
	o.filtering = NAT_KIND_APD;
	return o;
}


static struct nat_obs no_nat(void)
{
	struct nat_obs o;

	memset(&o, 0, sizeof(o));
	o.done = true;
	o.reg_answered = true;
	o.reg_ok = true;
	return o;
}


static void expect(const struct nat_obs *o, enum nat_level lvl,
		   enum nat_method m, const char *reason_part)
{
	struct nat_verdict v;

	memset(&v, 0xa5, sizeof(v));
	nat_verdict_eval(&v, o);
	assert_int_equal(v.level, lvl);
	assert_int_equal(v.method, m);
	assert_non_null(v.reason);
	if (reason_part)
		assert_non_null(strstr(v.reason, reason_part));
	else
		assert_string_equal(v.reason, "");
}


static void test_pending(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.done = false;
	expect(&o, NAT_PENDING, NAT_METHOD_NONE, "probing");
	expect(NULL, NAT_PENDING, NAT_METHOD_NONE, "probing");
	nat_verdict_eval(NULL, &o);  /* no crash */
}


static void test_turn_relayed_wins(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.mapping = NAT_KIND_APD;
	o.turn_avail = o.turn_ok = true;
	expect(&o, NAT_OK_RELAYED, NAT_METHOD_TURN, NULL);
}


static void test_upnp(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.upnp_ok = true;
	o.mapping = NAT_KIND_APD;  /* IGD mapping is explicit: irrelevant */
	expect(&o, NAT_OK, NAT_METHOD_UPNP, NULL);
}


static void test_symmetric(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.mapping = NAT_KIND_APD;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "symmetric NAT, needs TURN");
	o.mapping = NAT_KIND_AD;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "needs TURN");
	o.turn_avail = true;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "TURN allocation failed");
	o.turn_running = true;    /* not broken while it is being asked */
	expect(&o, NAT_PENDING, NAT_METHOD_NONE, "allocating a TURN relay");
	o.turn_running = false;
	o.turn_mismatch = true;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE,
	       "symmetric NAT, TURN allocation failed: 437 "
	       "(allocation mismatch)");
}


/* plain STUN server, but registrar and STUN saw other ports */
static void test_port_mismatch_is_symmetric(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.mapping = NAT_KIND_UNKNOWN;
	o.port_mismatch = true;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "symmetric NAT");
}


static void test_stun_cone_ok(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	expect(&o, NAT_OK, NAT_METHOD_STUN, NULL);
	o.filtering = NAT_KIND_EI;
	expect(&o, NAT_OK, NAT_METHOD_STUN, NULL);
	o.reg_saw_other = false;   /* registrar not asked yet: same */
	expect(&o, NAT_OK, NAT_METHOD_STUN, NULL);
}


static void test_stun_degraded(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.ka_failed = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_STUN, "keep-alive failed");
	o = cone();
	o.alg = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_STUN, "ALG");
	o = cone();
	o.mapping = NAT_KIND_UNKNOWN;
	expect(&o, NAT_DEGRADED, NAT_METHOD_STUN, "RFC 5780");
}


static void test_rejected_private_contact(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.stun_ok = false;
	o.reg_ok = false;
	o.reg_rejected = true;
	o.mapping = NAT_KIND_UNKNOWN;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "no STUN server");
	o.stun_timeout = true;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "STUN server unreachable");
	o.stun_timeout = false;
	o.stun_ok = true;       /* STUN rescues it */
	o.mapping = NAT_KIND_EI;
	expect(&o, NAT_OK, NAT_METHOD_STUN, NULL);
}


static void test_register_only(void **state)
{
	struct nat_obs o = cone();
	(void)state;

	o.stun_ok = false;
	o.stun_avail = false;
	o.mapping = NAT_KIND_UNKNOWN;
	expect(&o, NAT_DEGRADED, NAT_METHOD_REGISTER, "no STUN");
	o.stun_avail = true;
	o.stun_timeout = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_REGISTER,
	       "STUN server unreachable");
	o.ka_failed = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_REGISTER, "keep-alive failed");
}


static void test_no_nat(void **state)
{
	struct nat_obs o = no_nat();
	(void)state;

	expect(&o, NAT_OK, NAT_METHOD_NONE, NULL);     /* public address */
	o.local_private = true;                        /* all-private net */
	expect(&o, NAT_OK, NAT_METHOD_NONE, NULL);
	o.alg = true;                                  /* ALG fixes it up */
	expect(&o, NAT_OK, NAT_METHOD_NONE, NULL);
	o.ka_failed = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "keep-alive failed");
}


static void test_no_answers(void **state)
{
	struct nat_obs o = no_nat();
	(void)state;

	o.reg_answered = o.reg_ok = false;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "no reply from registrar");
	o.stun_avail = o.stun_timeout = true;
	expect(&o, NAT_BROKEN, NAT_METHOD_NONE, "UDP blocked");
	o = no_nat();
	o.reg_ok = false;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "registration failing");
}


/* Nobody was asked: no registrar, or its name was not found */
static void test_registrar_not_asked(void **state)
{
	struct nat_obs o = no_nat();
	(void)state;

	o.reg_answered = o.reg_ok = false;
	o.reg_none = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "no registrar configured, NAT not verified");
	o.stun_avail = o.stun_timeout = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "no registrar configured, STUN server unreachable");

	o = no_nat();
	o.reg_answered = o.reg_ok = false;
	o.reg_dns = RESOLVER_NOT_FOUND;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "registrar not reached: DNS: name not found");
	o.stun_avail = o.stun_timeout = true;   /* not "UDP blocked" */
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "registrar not reached: DNS: name not found");
	o.reg_dns = RESOLVER_NO_SERVER;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "DNS: no name server");
	o.reg_dns = RESOLVER_TIMEOUT;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "DNS timeout");
	o.reg_dns = RESOLVER_UNREACHABLE;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "DNS: name server unreachable");

	/* its name still being looked up: not "no reply", not "UDP
	   blocked"; the fault, once known, is named */
	o = no_nat();
	o.reg_answered = o.reg_ok = false;
	o.reg_lookup = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "registrar not asked yet: looking up the registrar's name");
	o.stun_avail = o.stun_timeout = true;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE,
	       "looking up the registrar's name");
	o.reg_dns = RESOLVER_TIMEOUT;
	expect(&o, NAT_DEGRADED, NAT_METHOD_NONE, "DNS timeout");
	o = no_nat();
	o.reg_lookup = true;     /* it answered: the lookup is no reason */
	expect(&o, NAT_OK, NAT_METHOD_NONE, "");
}


static int buf_h(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


static void expect_print(const struct nat_verdict *v, const char *line)
{
	struct mbuf *mb = mbuf_alloc(64);
	struct re_printf pf = {buf_h, mb};

	assert_non_null(mb);
	assert_int_equal(nat_verdict_print(&pf, v), 0);
	assert_int_equal(mb->end, strlen(line));
	assert_memory_equal(mb->buf, line, mb->end);
	mem_deref(mb);
}


static void test_names_and_print(void **state)
{
	struct nat_verdict v = {NAT_BROKEN, NAT_METHOD_NONE,
				"symmetric NAT, needs TURN"};
	(void)state;

	assert_string_equal(nat_level_name(NAT_OK_RELAYED), "ok-relayed");
	assert_string_equal(nat_level_name((enum nat_level)99), "?");
	assert_string_equal(nat_method_name(NAT_METHOD_STUN), "stun");
	assert_string_equal(nat_kind_name(NAT_KIND_APD),
			    "address-port-dependent");
	assert_string_equal(nat_kind_name((enum nat_kind)7), "unknown");
	assert_int_equal(nat_verdict_print(NULL, NULL), EINVAL);

	expect_print(&v, "verdict=broken: symmetric NAT, needs TURN\n");
	v.level = NAT_OK;
	v.reason = "";
	expect_print(&v, "verdict=ok\n");
	v.level = NAT_OK_RELAYED;
	expect_print(&v, "verdict=ok-relayed\n");
}


static void test_private_ranges(void **state)
{
	static const struct {
		const char *a;
		bool priv;
	} t[] = {
		{"10.1.2.3", true}, {"172.16.0.1", true},
		{"172.31.255.1", true}, {"172.32.0.1", false},
		{"192.168.1.10", true}, {"100.64.0.1", true},
		{"100.128.0.1", false}, {"169.254.1.1", true},
		{"127.0.0.1", true}, {"44.0.0.10", false},
		{"8.8.8.8", false}, {"fd00::1", true}, {"fe80::1", true},
		{"2001:db8::1", false},
	};
	struct sa sa;
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(sa_set_str(&sa, t[i].a, 0), 0);
		if (nat_addr_private(&sa) != t[i].priv)
			fail_msg("%s: expected %d", t[i].a, t[i].priv);
	}
	assert_false(nat_addr_private(NULL));
}


/* The base case behind a router whose SIP ALG was seen (nat_alg.c) */
static struct nat_obs cone_alg(void)
{
	struct nat_obs o = cone();

	o.sip_alg = true;
	return o;
}


static void test_sip_alg_words(void **state)
{
	struct nat_obs o = cone_alg();
	struct nat_verdict v;

	(void)state;

	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_DEGRADED);
	assert_int_equal(v.method, NAT_METHOD_STUN);
	assert_string_equal(v.reason, "router rewrites SIP (SIP ALG): calls "
			    "may lose audio or registrations drop; turn off "
			    "'SIP ALG' in the router");

	o.sip_alg_moved = true;
	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_DEGRADED);
	assert_string_equal(v.reason, "router rewrites SIP (SIP ALG): "
			    "switched SIP to TCP; turn off 'SIP ALG' in the "
			    "router to use UDP");

	/* relayed or mapped by the IGD: still named, method kept */
	o.upnp_ok = true;
	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_DEGRADED);
	assert_int_equal(v.method, NAT_METHOD_UPNP);
	assert_non_null(strstr(v.reason, "SIP ALG"));

	/* no ALG: the verdict it was */
	o = cone_alg();
	o.sip_alg = false;
	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_OK);
	assert_string_equal(v.reason, "");
}


/* Broken and pending keep their own, more urgent words */
static void test_sip_alg_urgent_first(void **state)
{
	struct nat_obs o = cone_alg();
	struct nat_verdict v;

	(void)state;

	o.mapping = NAT_KIND_APD;
	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_BROKEN);
	assert_non_null(strstr(v.reason, "symmetric"));

	o = cone_alg();
	o.done = false;
	nat_verdict_eval(&v, &o);
	assert_int_equal(v.level, NAT_PENDING);
	assert_string_equal(v.reason, "probing");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_turn_relayed_wins),
		cmocka_unit_test(test_upnp),
		cmocka_unit_test(test_symmetric),
		cmocka_unit_test(test_port_mismatch_is_symmetric),
		cmocka_unit_test(test_stun_cone_ok),
		cmocka_unit_test(test_stun_degraded),
		cmocka_unit_test(test_rejected_private_contact),
		cmocka_unit_test(test_register_only),
		cmocka_unit_test(test_no_nat),
		cmocka_unit_test(test_no_answers),
		cmocka_unit_test(test_registrar_not_asked),
		cmocka_unit_test(test_names_and_print),
		cmocka_unit_test(test_private_ranges),
		cmocka_unit_test(test_sip_alg_words),
		cmocka_unit_test(test_sip_alg_urgent_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
