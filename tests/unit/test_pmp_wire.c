/**
 * @file tests/unit/test_pmp_wire.c  PCP (RFC 6887) and NAT-PMP
 * (RFC 6886) packets, the epoch check, the gateway from /proc/net/route
 * and, for IPv6 pinholes, the router from /proc/net/ipv6_route and our
 * global address from /proc/net/if_inet6 (modules/upnp/pmp_wire.c)
 *
 * The packets are written out byte by byte from the RFCs' figures, not
 * made with our encoder: a wrong offset on both sides would pass.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "../../modules/upnp/pmp_wire.h"

static const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};


/* RFC 6887 §7.1 and §11.1: MAP for UDP 5060 from 192.168.1.10,
   lifetime 3600, suggested external port 5060, address any */
static void test_pcp_map_request(void **state)
{
	static const uint8_t want[60] = {
		2, 1, 0, 0,  0, 0, 0x0e, 0x10,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 10,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		17, 0, 0, 0,  0x13, 0xc4, 0x13, 0xc4,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0,
	};
	struct pmp_map_req req;
	uint8_t buf[80];
	(void)state;

	memset(&req, 0, sizeof(req));
	memcpy(req.nonce, nonce, sizeof(nonce));
	pmp_v4_mapped(req.client, 0xc0a8010a);
	req.int_port = 5060;
	req.ext_port = 5060;
	req.lifetime_s = 3600;

	assert_int_equal(pcp_map_encode(buf, sizeof(buf), &req), 60);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(pcp_map_encode(buf, 59, &req), 0);
}


static void test_pcp_announce_request(void **state)
{
	uint8_t buf[24], client[16];
	(void)state;

	pmp_v4_mapped(client, 0xc0a8010a);
	assert_int_equal(pcp_announce_encode(buf, sizeof(buf), client), 24);
	assert_int_equal(buf[0], 2);
	assert_int_equal(buf[1], 0);
	assert_memory_equal(buf + 8, client, 16);
	assert_int_equal(pcp_announce_encode(buf, 23, client), 0);
}


/* §7.2 and §11.1: a MAP response, SUCCESS, lifetime 120, epoch 77,
   assigned 44.0.0.60:5062, with one optional option (code 0x81) */
static const uint8_t map_rsp[] = {
	2, 0x81, 0, 0,  0, 0, 0, 120,  0, 0, 0, 77,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	17, 0, 0, 0,  0x13, 0xc4, 0x13, 0xc6,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 44, 0, 0, 60,
	0x81, 0, 0, 3,  9, 9, 9, 0,
};


static void test_pcp_map_response(void **state)
{
	struct pmp_answer a;
	uint32_t ip = 0;
	(void)state;

	assert_int_equal(pcp_decode(&a, map_rsp, sizeof(map_rsp)), 0);
	assert_int_equal(a.version, 2);
	assert_int_equal(a.opcode, PCP_OP_MAP);
	assert_int_equal(a.result, PCP_OK);
	assert_int_equal(a.lifetime_s, 120);
	assert_int_equal(a.epoch, 77);
	assert_memory_equal(a.nonce, nonce, 12);
	assert_int_equal(a.protocol, 17);
	assert_int_equal(a.int_port, 5060);
	assert_int_equal(a.ext_port, 5062);
	assert_true(pmp_v4_get(a.ext_ip, &ip));
	assert_int_equal(ip, 0x2c00003c);
}


static void test_pcp_bad_responses(void **state)
{
	uint8_t b[sizeof(map_rsp)];
	struct pmp_answer a;
	size_t n;
	(void)state;

	/* every truncation: none is a whole answer */
	for (n = 0; n < sizeof(map_rsp); n++)
		if (n != 60)
			assert_int_not_equal(pcp_decode(&a, map_rsp, n), 0);
	assert_int_equal(pcp_decode(&a, map_rsp, 60), 0);

	memcpy(b, map_rsp, sizeof(b));
	b[1] = 0x01;   /* a request, not a response */
	assert_int_equal(pcp_decode(&a, b, sizeof(b)), EBADMSG);

	memcpy(b, map_rsp, sizeof(b));
	b[1] = 0x82;   /* PEER: we never ask it */
	assert_int_equal(pcp_decode(&a, b, sizeof(b)), EBADMSG);

	memcpy(b, map_rsp, sizeof(b));
	b[1] = 0x81;
	b[62] = 0;
	b[63] = 5;     /* the option's length runs past the end */
	assert_int_equal(pcp_decode(&a, b, sizeof(b)), EBADMSG);

	memcpy(b, map_rsp, sizeof(b));
	b[0] = 1;      /* PCP's draft version */
	assert_int_equal(pcp_decode(&a, b, sizeof(b)), EBADMSG);
}


/* RFC 6887 §9: a NAT-PMP server answers a PCP request with version 0,
   UNSUPP_VERSION */
static void test_pcp_natpmp_server(void **state)
{
	static const uint8_t rsp[8] = {0, 0x81, 0, 1, 0, 0, 0, 9};
	struct pmp_answer a;
	(void)state;

	assert_int_equal(pcp_decode(&a, rsp, sizeof(rsp)), EPROTONOSUPPORT);
	assert_int_equal(a.version, 0);
	assert_int_equal(a.result, 1);
}


static void test_pcp_error_result(void **state)
{
	uint8_t b[60];
	struct pmp_answer a;
	(void)state;

	memcpy(b, map_rsp, sizeof(b));
	b[3] = PCP_NOT_AUTHORIZED;
	assert_int_equal(pcp_decode(&a, b, sizeof(b)), 0);
	assert_int_equal(a.result, PCP_NOT_AUTHORIZED);
	assert_int_equal(pcp_result_errno(a.result), EPERM);
	assert_int_equal(pcp_result_errno(PCP_NO_RESOURCES), ENOSPC);
	assert_int_equal(pcp_result_errno(200), EPROTO);
	assert_string_equal(pcp_result_str(PCP_ADDRESS_MISMATCH),
			    "ADDRESS_MISMATCH");
	assert_string_equal(pcp_result_str(99), "unknown");
}


/* RFC 6886 §3.3: map UDP 5060 -> 5060 for 3600 s; §3.4 a deletion */
static void test_natpmp_requests(void **state)
{
	static const uint8_t want[12] = {
		0, 1, 0, 0, 0x13, 0xc4, 0x13, 0xc4, 0, 0, 0x0e, 0x10,
	};
	static const uint8_t del[12] = {
		0, 1, 0, 0, 0x13, 0xc4, 0, 0, 0, 0, 0, 0,
	};
	struct pmp_map_req req;
	uint8_t buf[16];
	(void)state;

	memset(&req, 0, sizeof(req));
	req.int_port = 5060;
	req.ext_port = 5060;
	req.lifetime_s = 3600;
	assert_int_equal(natpmp_map_encode(buf, sizeof(buf), &req), 12);
	assert_memory_equal(buf, want, sizeof(want));

	req.lifetime_s = 0;
	assert_int_equal(natpmp_map_encode(buf, sizeof(buf), &req), 12);
	assert_memory_equal(buf, del, sizeof(del));

	assert_int_equal(natpmp_addr_encode(buf, sizeof(buf)), 2);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);
	assert_int_equal(natpmp_map_encode(buf, 11, &req), 0);
}


/* §3.2 and §3.3 answers */
static void test_natpmp_responses(void **state)
{
	static const uint8_t addr[12] = {
		0, 128, 0, 0, 0, 0, 1, 0, 44, 0, 0, 60,
	};
	static const uint8_t map[16] = {
		0, 129, 0, 0, 0, 0, 0, 5, 0x13, 0xc4, 0x13, 0xc5,
		0, 0, 0x0e, 0x10,
	};
	static const uint8_t refused[8] = {0, 129, 0, 2, 0, 0, 0, 5};
	struct pmp_answer a;
	uint32_t ip = 0;
	size_t n;
	(void)state;

	assert_int_equal(natpmp_decode(&a, addr, sizeof(addr)), 0);
	assert_int_equal(a.opcode, NATPMP_OP_ADDR);
	assert_int_equal(a.epoch, 256);
	assert_true(pmp_v4_get(a.ext_ip, &ip));
	assert_int_equal(ip, 0x2c00003c);

	assert_int_equal(natpmp_decode(&a, map, sizeof(map)), 0);
	assert_int_equal(a.opcode, NATPMP_OP_UDP);
	assert_int_equal(a.epoch, 5);
	assert_int_equal(a.int_port, 5060);
	assert_int_equal(a.ext_port, 5061);
	assert_int_equal(a.lifetime_s, 3600);

	assert_int_equal(natpmp_decode(&a, refused, sizeof(refused)), 0);
	assert_int_equal(a.result, 2);
	assert_int_equal(natpmp_result_errno(a.result), EPERM);

	for (n = 0; n < sizeof(map); n++)
		assert_int_equal(natpmp_decode(&a, map, n), EBADMSG);
	assert_int_equal(natpmp_decode(&a, map_rsp, sizeof(map_rsp)),
			 EBADMSG);   /* a PCP packet */
}


/* RFC 6887 §8.5 */
static void test_epoch(void **state)
{
	struct pmp_epoch e;
	(void)state;

	memset(&e, 0, sizeof(e));
	assert_false(pmp_epoch_lost(&e, 1000, 0));     /* the first */
	assert_false(pmp_epoch_lost(&e, 1010, 10000)); /* in step */
	assert_false(pmp_epoch_lost(&e, 1010, 10500)); /* same second */
	/* restarted: the epoch went back */
	assert_true(pmp_epoch_lost(&e, 3, 20000));
	assert_false(pmp_epoch_lost(&e, 13, 30000));
	/* restarted long ago, yet ours ran 600 s and its only 10 */
	assert_true(pmp_epoch_lost(&e, 23, 630000));
	/* its clock ran far ahead of ours */
	assert_true(pmp_epoch_lost(&e, 5000, 640000));
	/* a 1/16 drift and 2 s are tolerated */
	assert_false(pmp_epoch_lost(&e, 5000 + 1600 / 16 * 15, 2240000));
	/* one second back is jitter, not a restart */
	assert_false(pmp_epoch_lost(&e, 6499, 2240000));
}


static void test_route_gateway(void **state)
{
	static const char route[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric"
		"\tMask\t\tMTU\tWindow\tIRTT\n"
		"lan1\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
		"wwan\t00000000\t0202A8C0\t0003\t0\t0\t600\t00000000\n"
		"lan1\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n"
		"down\t00000000\t0303A8C0\t0002\t0\t0\t0\t00000000\n";
	uint32_t gw = 0;
	(void)state;

	assert_int_equal(pmp_route_gateway(route, &gw), 0);
	assert_int_equal(gw, 0xc0a80101);   /* lowest metric, up */
	assert_int_equal(pmp_route_gateway(
		"lan1\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n", &gw),
		ENOENT);
	assert_int_equal(pmp_route_gateway("", &gw), ENOENT);
	assert_int_equal(pmp_route_gateway(NULL, &gw), EINVAL);
}


/* RFC 6887 §11.1 for an IPv6 pinhole: the client 2001:db8:1::10 also
   as the suggested external address (a firewall translates nothing) */
static void test_pcp_map_request6(void **state)
{
	static const uint8_t addr[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	};
	static const uint8_t want[60] = {
		2, 1, 0, 0,  0, 0, 0, 120,
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		17, 0, 0, 0,  0x13, 0xc4, 0x13, 0xc4,
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	};
	struct pmp_map_req req;
	uint8_t buf[80];
	(void)state;

	memset(&req, 0, sizeof(req));
	memcpy(req.nonce, nonce, sizeof(nonce));
	memcpy(req.client, addr, 16);
	memcpy(req.ext_ip, addr, 16);
	req.int_port = 5060;
	req.ext_port = 5060;
	req.lifetime_s = 120;

	assert_int_equal(pcp_map_encode(buf, sizeof(buf), &req), 60);
	assert_memory_equal(buf, want, sizeof(want));
}


static void test_route6_gateway(void **state)
{
	/* as the kernel prints it: dst plen src plen next-hop metric
	   refcnt use flags iface; lo's ::/0 is a reject route */
	static const char route[] =
		"20010db8000100000000000000000000 40 "
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 "
		"00000000 00000001     eth0\n"
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00 "
		"fe800000000000000000000000000002 00000800 00000000 "
		"00000000 00000003    wwan0\n"
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00 "
		"fe800000000000000000000000000001 00000400 00000002 "
		"00000000 00000003     eth0\n"
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 "
		"00000000 00200200       lo\n"
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00 "
		"fe800000000000000000000000000003 00000001 00000000 "
		"00000000 00000002     down\n";
	static const uint8_t want[16] = {0xfe, 0x80, [15] = 1};
	uint8_t gw[16];
	char ifname[16];
	(void)state;

	assert_int_equal(pmp_route6_gateway(route, gw, ifname,
					    sizeof(ifname)), 0);
	assert_memory_equal(gw, want, 16);   /* lowest metric, up */
	assert_string_equal(ifname, "eth0");

	/* only lo's unreachable default: no router */
	assert_int_equal(pmp_route6_gateway(
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 "
		"00000000 00200200       lo\n", gw, ifname, sizeof(ifname)),
		ENOENT);
	assert_int_equal(pmp_route6_gateway("", gw, ifname,
					    sizeof(ifname)), ENOENT);
	assert_int_equal(pmp_route6_gateway("0000 00 zz", gw, ifname,
					    sizeof(ifname)), ENOENT);
	assert_int_equal(pmp_route6_gateway(NULL, gw, ifname,
					    sizeof(ifname)), EINVAL);
}


static void test_if6_global(void **state)
{
	/* addr ifindex plen scope flags iface */
	static const char text[] =
		"fe800000000000000000000000000010 02 40 20 80     eth0\n"
		"fd000000000000000000000000000010 02 40 00 80     eth0\n"
		"20010db8000100000000000000000bad 02 40 00 40     eth0\n"
		"20010db8000100000000000000000ddd 02 40 00 20     eth0\n"
		"20010db80001000000000000000000aa 02 40 00 01     eth0\n"
		"20010db8000200000000000000000010 03 40 00 80     wlan0\n"
		"20010db8000100000000000000000010 02 40 00 80     eth0\n"
		"00000000000000000000000000000001 01 80 10 80       lo\n";
	static const uint8_t stable[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10};
	static const uint8_t temp[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0xaa};
	static const uint8_t other[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x10};
	uint8_t a[16];
	(void)state;

	/* the stable one before the temporary one; never link-local, ULA,
	   tentative or deprecated; on the router's interface */
	assert_int_equal(pmp_if6_global(text, "eth0", a), 0);
	assert_memory_equal(a, stable, 16);
	assert_int_equal(pmp_if6_global(text, "wlan0", a), 0);
	assert_memory_equal(a, other, 16);
	assert_int_equal(pmp_if6_global(
		"20010db8000100000000000000000ddd 02 40 00 20     eth0\n"
		"20010db80001000000000000000000aa 02 40 00 01     eth0\n",
		"eth0", a), 0);
	assert_memory_equal(a, temp, 16);   /* a temporary one if alone */
	assert_int_equal(pmp_if6_global(text, "", a), 0);
	assert_int_equal(pmp_if6_global(text, "ppp0", a), ENOENT);
	assert_int_equal(pmp_if6_global(text, "lo", a), ENOENT);
	assert_int_equal(pmp_if6_global(text, NULL, a), EINVAL);
}


static void test_v6_global(void **state)
{
	static const uint8_t gua[16] = {0x2a, 0x02, [15] = 1};
	static const uint8_t ula[16] = {0xfd, 0x00, [15] = 1};
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t mc[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t lo[16] = {[15] = 1};
	uint8_t v4m[16];
	(void)state;

	pmp_v4_mapped(v4m, 0x2c00003c);
	assert_true(pmp_v6_global(gua));
	assert_false(pmp_v6_global(ula));
	assert_false(pmp_v6_global(ll));
	assert_false(pmp_v6_global(mc));
	assert_false(pmp_v6_global(lo));
	assert_false(pmp_v6_global(v4m));
	assert_false(pmp_v6_global(NULL));
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcp_map_request),
		cmocka_unit_test(test_pcp_announce_request),
		cmocka_unit_test(test_pcp_map_response),
		cmocka_unit_test(test_pcp_bad_responses),
		cmocka_unit_test(test_pcp_natpmp_server),
		cmocka_unit_test(test_pcp_error_result),
		cmocka_unit_test(test_natpmp_requests),
		cmocka_unit_test(test_natpmp_responses),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_route_gateway),
		cmocka_unit_test(test_pcp_map_request6),
		cmocka_unit_test(test_route6_gateway),
		cmocka_unit_test(test_if6_global),
		cmocka_unit_test(test_v6_global),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
