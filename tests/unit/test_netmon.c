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

#include "sys/netmon.h"

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

/* An address message carrying attribute @p atype (IFA_ADDRESS or
   IFA_LOCAL, 0 = none) with an address whose last byte is @p last */
static void addr_msg_at(struct dgram *d, uint16_t type, int family,
			unsigned scope, unsigned flags, uint16_t atype,
			uint8_t last)
{
	const size_t alen = family == AF_INET ? 4 : 16;
	const size_t asz = atype ? RTA_SPACE(alen) : 0;
	struct ifaddrmsg *ifa = room(d, type, NLMSG_ALIGN(sizeof(*ifa)) +
				     asz);
	struct rtattr *rta = IFA_RTA(ifa);

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_scope = (uint8_t)scope;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = 2;
	if (atype) {
		rta->rta_type = atype;
		rta->rta_len = (unsigned short)RTA_LENGTH(alen);
		((uint8_t *)RTA_DATA(rta))[0] = 10;
		((uint8_t *)RTA_DATA(rta))[alen - 1] = last;
	}
}

static void addr_msg(struct dgram *d, uint16_t type, int family,
		     unsigned scope, unsigned flags)
{
	addr_msg_at(d, type, family, scope, flags, IFA_ADDRESS, 1);
}

/* The two dumps asked for at start have ended */
static void prime(struct netmon_state *lk)
{
	struct dgram d = { .len = 0 };
	struct nlmsghdr *nh = (struct nlmsghdr *)d.w;

	(void)room(&d, NLMSG_DONE, sizeof(int));
	nh->nlmsg_seq = NETMON_SEQ_LINKS;
	assert_int_equal(netmon_parse(lk, d.w, d.len), 0);
	nh->nlmsg_seq = NETMON_SEQ_ADDRS;
	assert_int_equal(netmon_parse(lk, d.w, d.len), 0);
	assert_true(lk->links_primed && lk->addrs_primed);
}

/* One message alone: what it says */
static unsigned one_link(struct netmon_state *lk, uint16_t type,
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
	struct netmon_state lk = { .n = 0 };
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
	struct netmon_state lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 7, IFF_UP), 0);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 7, RUNNING),
			 NETMON_LINK_UP);
}


static void test_loopback_ignored(void **state)
{
	struct netmon_state lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 1,
				  RUNNING | IFF_LOOPBACK), 0);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 1, IFF_LOOPBACK), 0);
	assert_int_equal(lk.n, 0);
}


/* A link removed (a veth moved away, a USB adapter gone) */
static void test_link_removed(void **state)
{
	struct netmon_state lk = { .n = 0 };
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


static unsigned one_addr(struct netmon_state *lk, uint16_t type,
			 int family, uint16_t atype, uint8_t last)
{
	struct dgram d = { .len = 0 };

	addr_msg_at(&d, type, family, RT_SCOPE_UNIVERSE, 0, atype, last);
	return netmon_parse(lk, d.w, d.len);
}


/* New and gone addresses are changes; one the kernel only updates
   (IPv6 lifetimes at each router advertisement) is not */
static void test_addresses(void **state)
{
	struct netmon_state lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	(void)state;

	prime(&lk);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 1),
			 NETMON_ADDR4);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 1),
			 0);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 2),
			 NETMON_ADDR4);
	assert_int_equal(lk.addrc, 2);
	assert_int_equal(one_addr(&lk, RTM_DELADDR, AF_INET, IFA_ADDRESS, 1),
			 NETMON_ADDR4);
	assert_int_equal(lk.addrc, 1);
	/* back after it went: new again */
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 1),
			 NETMON_ADDR4);

	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET6, IFA_ADDRESS, 1),
			 NETMON_ADDR6);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET6, IFA_ADDRESS, 1),
			 0);
	assert_int_equal(one_addr(&lk, RTM_DELADDR, AF_INET6, IFA_ADDRESS, 1),
			 NETMON_ADDR6);

	/* one that cannot be told apart (no address in it): a change */
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, 0, 0),
			 NETMON_ADDR4);

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
	struct netmon_state lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	(void)state;

	lk.addrs_primed = true;
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
	struct netmon_state lk = { .n = 0 };
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
	struct netmon_state lk = { .n = 0 };
	struct dgram d = { .len = 0 };
	struct nlmsghdr *done;
	(void)state;

	link_msg(&d, RTM_NEWLINK, 2, RUNNING);
	link_msg(&d, RTM_NEWLINK, 3, IFF_UP);
	done = (struct nlmsghdr *)((char *)room(&d, NLMSG_DONE, sizeof(int)) -
				   NLMSG_HDRLEN);
	done->nlmsg_seq = NETMON_SEQ_LINKS;
	assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
	assert_true(lk.links_primed);
	assert_false(lk.addrs_primed);
	assert_int_equal(lk.n, 2);

	assert_int_equal(one_link(&lk, RTM_NEWLINK, 2, IFF_UP),
			 NETMON_LINK_DOWN);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 9, RUNNING),
			 NETMON_LINK_UP);
	assert_int_equal(one_link(&lk, RTM_NEWLINK, 10, IFF_UP), 0);
	assert_int_equal(lk.n, 4);
}


/* The address dump records; after it, what it listed is no change, and
   a point-to-point address is ours (IFA_LOCAL), not the peer's */
static void test_addr_dump(void **state)
{
	struct netmon_state lk = { .n = 0 };
	(void)state;

	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 7),
			 0);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET6, IFA_LOCAL, 7),
			 0);
	prime(&lk);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET, IFA_ADDRESS, 7),
			 0);
	assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET6, IFA_LOCAL, 7),
			 0);

	/* the peer's address changes, ours (IFA_LOCAL) does not */
	{
		struct dgram d = { .len = 0 };
		struct ifaddrmsg *ifa;
		struct rtattr *rta;

		addr_msg_at(&d, RTM_NEWADDR, AF_INET, RT_SCOPE_UNIVERSE, 0,
			    IFA_LOCAL, 9);
		assert_int_equal(netmon_parse(&lk, d.w, d.len), NETMON_ADDR4);

		/* the same local address, now with a peer after it */
		d.len = 0;
		ifa = room(&d, RTM_NEWADDR, NLMSG_ALIGN(sizeof(*ifa)) +
			   2 * RTA_SPACE(4));
		ifa->ifa_family = AF_INET;
		ifa->ifa_scope = RT_SCOPE_UNIVERSE;
		ifa->ifa_index = 2;
		rta = IFA_RTA(ifa);
		rta->rta_type = IFA_ADDRESS;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), "\x2c\0\0\x01", 4);
		rta = (struct rtattr *)((char *)rta + RTA_SPACE(4));
		rta->rta_type = IFA_LOCAL;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), "\x0a\0\0\x09", 4);
		assert_int_equal(netmon_parse(&lk, d.w, d.len), 0);
	}
}


/* More addresses than remembered: no overflow, and changes still seen */
static void test_many_addrs(void **state)
{
	struct netmon_state lk = { .n = 0 };
	(void)state;

	prime(&lk);
	for (int i = 0; i < NETMON_ADDRS + 8; i++)
		assert_int_equal(one_addr(&lk, RTM_NEWADDR, AF_INET6,
					  IFA_ADDRESS, (uint8_t)(20 + i)),
				 NETMON_ADDR6);
	assert_int_equal(lk.addrc, NETMON_ADDRS);
}


/* More links than remembered: the rest are not tracked, no overflow */
static void test_many_links(void **state)
{
	struct netmon_state lk = { .n = 0 };
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
		cmocka_unit_test(test_addr_dump),
		cmocka_unit_test(test_many_addrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
