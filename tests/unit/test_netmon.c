/** @file test_netmon.c  rtnetlink messages to network changes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netmon.h"

/* A datagram being built: aligned as recv() gives it */
struct dgram {
	uint32_t w[1024];
	size_t len;
};

static void *room(struct dgram *d, uint16_t type, size_t payload)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)((char *)d->w + d->len);

	assert_true(d->len + NLMSG_SPACE(payload) <= sizeof(d->w));
	memset(nh, 0, NLMSG_SPACE(payload));
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(payload);
	nh->nlmsg_type = type;
	d->len += NLMSG_SPACE(payload);

	return NLMSG_DATA(nh);
}

static void link_msg(struct dgram *d, uint16_t type, int ifindex,
		     unsigned flags)
{
	struct ifinfomsg *ifi = room(d, type, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
}

static void addr_msg(struct dgram *d, uint16_t type, int family,
		     unsigned scope, unsigned flags)
{
	struct ifaddrmsg *ifa = room(d, type, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_scope = (uint8_t)scope;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = 2;
}

/* One message alone: what it says */
static unsigned one_link(struct netmon_links *lk, uint16_t type,
			 int ifindex, unsigned flags)
{
	struct dgram d = { .len = 0 };

	link_msg(&d, type, ifindex, flags);
	return netmon_parse(lk, d.w, d.len);
}

#define RUNNING (IFF_UP | IFF_RUNNING)


/* The first word about a link only records it; changes are reported */
static void test_link_down_up(void **state)
{
	struct netmon_links lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, RUNNING), 0);
	assert_int_equal(lk.n, 1);
	/* other flags changing: nothing */
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2,
				  RUNNING | IFF_PROMISC), 0);
	/* carrier lost (still administratively up) */
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, IFF_UP),
			 NETMON_LINK_DOWN);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, IFF_UP), 0);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, RUNNING),
			 NETMON_LINK_UP);
	/* set down by the administrator, then up again */
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, 0),
			 NETMON_LINK_DOWN);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, RUNNING),
			 NETMON_LINK_UP);
}


/* A link first seen down, then running: that is a cable put in */
static void test_first_seen_down(void **state)
{
	struct netmon_links lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 7, IFF_UP), 0);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 7, RUNNING),
			 NETMON_LINK_UP);
}


static void test_loopback_ignored(void **state)
{
	struct netmon_links lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 1,
				  RUNNING | IFF_LOOPBACK), 0);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 1, IFF_LOOPBACK), 0);
	assert_int_equal(lk.n, 0);
}


/* A link removed (a veth moved away, a USB adapter gone) */
static void test_link_removed(void **state)
{
	struct netmon_links lk = { .n = 0 };
	(void)state;

	(void)one_link(&lk, RTM_NEWLINK, 3, RUNNING);
	(void)one_link(&lk, RTM_NEWLINK, 4, IFF_UP);
	assert_int_equal(one_link(&lk, RTM_DELLINK, 3, RUNNING),
			 NETMON_LINK_DOWN);
	assert_int_equal(lk.n, 1);
	assert_int_equal(lk.ifindex[0], 4);
	assert_int_equal(one_link(&lk, RTM_DELLINK, 4, IFF_UP), 0);
	assert_int_equal(lk.n, 0);
	/* unknown link removed: nothing, nothing recorded */
	assert_int_equal(one_link(&lk, RTM_DELLINK, 9, RUNNING), 0);
	assert_int_equal(lk.n, 0);
	/* back under the same index: recorded afresh */
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 3, RUNNING), 0);
	assert_int_equal(lk.n, 1);
}


static void test_addresses(void **state)
{
	struct netmon_links lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	(void)state;

	addr_msg(&d, RTM_NEWADDR, AF_INET, RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(netmon_parse(&lk, d.w, d.len), NETMON_ADDR4);

	d.len = 0;
	addr_msg(&d, RTM_DELADDR, AF_INET6, RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(netmon_parse(&lk, d.w, d.len), NETMON_ADDR6);

	/* link-local, host scope, temporary IPv6, other families: no */
	d.len = 0;
	addr_msg(&d, RTM_NEWADDR, AF_INET6, RT_SCOPE_LINK, 0);
	addr_msg(&d, RTM_NEWADDR, AF_INET, RT_SCOPE_HOST, 0);
	addr_msg(&d, RTM_NEWADDR, AF_INET6, RT_SCOPE_UNIVERSE,
		 IFA_F_TEMPORARY);
	addr_msg(&d, RTM_NEWADDR, AF_PACKET, RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
}


/* Several messages in one datagram: all of them count */
static void test_batch(void **state)
{
	struct netmon_links lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	(void)state;

	link_msg(&d, RTM_NEWLINK, 2, IFF_UP);
	link_msg(&d, RTM_NEWLINK, 2, RUNNING);
	addr_msg(&d, RTM_NEWADDR, AF_INET, RT_SCOPE_UNIVERSE, 0);
	link_msg(&d, RTM_NEWROUTE, 0, 0);	/* not subscribed: ignored */
	assert_int_equal(netmon_parse(&lk, d.w, d.len),
			 NETMON_LINK_UP | NETMON_ADDR4);

	/* NLMSG_DONE ends the datagram */
	d.len = 0;
	(void)room(&d, NLMSG_DONE, 4);
	addr_msg(&d, RTM_NEWADDR, AF_INET, RT_SCOPE_UNIVERSE, 0);
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
}


/* Short, lying and misaligned input: nothing read, nothing broken */
static void test_bad_input(void **state)
{
	struct netmon_links lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	struct nlmsghdr *nh = (struct nlmsghdr *)d.w;
	(void)state;

	assert_int_equal(netmon_parse(NULL, d.w, 64), 0);
	assert_int_equal(netmon_parse(&lk, NULL, 64), 0);

	link_msg(&d, RTM_NEWLINK, 2, IFF_UP);
	link_msg(&d, RTM_NEWLINK, 2, RUNNING);
	/* cut inside the second message: only the first is read */
	assert_int_equal(netmon_parse(&lk, d.w, d.len - 4), 0);
	assert_int_equal(lk.n, 1);

	/* a length beyond the datagram */
	nh->nlmsg_len = 4096;
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
	/* a length too short for its payload: not read as a link (what
	   follows is read from where that length says, here nothing) */
	nh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
	assert_int_equal(lk.running[0], false);

	/* not aligned as recv() gives it */
	assert_int_equal(netmon_parse(&lk, (char *)d.w + 1, d.len - 1), 0);
}


/* The dump asked for at start records every link; after its end a
   link pulled is reported (its first change), and so is a new link that
   runs (ppp0 after a re-dial); one that appears down is not */
static void test_dump_then_changes(void **state)
{
	struct netmon_links lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	(void)state;

	link_msg(&d, RTM_NEWLINK, 2, RUNNING);
	link_msg(&d, RTM_NEWLINK, 3, IFF_UP);
	(void)room(&d, NLMSG_DONE, sizeof(int));
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
	assert_true(lk.primed);
	assert_int_equal(lk.n, 2);

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, IFF_UP),
			 NETMON_LINK_DOWN);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 9, RUNNING),
			 NETMON_LINK_UP);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 10, IFF_UP), 0);
	assert_int_equal(lk.n, 4);
}


/* More links than remembered: the rest are not tracked, no overflow */
static void test_many_links(void **state)
{
	struct netmon_links lk = { .n = 0 };
	(void)state;

	for (int i = 0; i < NETMON_LINKS + 8; i++)
		assert_int_equal(one_link(&lk, RTM_NEWLINK, 100 + i, IFF_UP),
				 0);
	assert_int_equal(lk.n, NETMON_LINKS);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 100, RUNNING),
			 NETMON_LINK_UP);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 100 + NETMON_LINKS + 1,
				  RUNNING), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_down_up),
		cmocka_unit_test(test_first_seen_down),
		cmocka_unit_test(test_loopback_ignored),
		cmocka_unit_test(test_link_removed),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_many_links),
		cmocka_unit_test(test_dump_then_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
