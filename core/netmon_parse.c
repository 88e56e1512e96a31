/**
 * @file netmon_parse.c  What rtnetlink messages say about our network
 *
 * Pure: a datagram of NETLINK_ROUTE messages in, bits out. A link counts
 * as up when it is administratively up and running (carrier). The dump
 * of links asked for at start (ending in NLMSG_DONE) only records their
 * state, so only a change that we saw happen is reported: a cable
 * pulled (running -> not), a cable back (not -> running), a new link
 * that runs. Addresses: only global (universe scope)
 * ones matter, and not IPv6 temporary addresses, which the kernel
 * rotates by itself. Loopback is never the way out.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "netmon.h"


static int link_slot(struct netmon_links *lk, int ifindex)
{
	for (size_t i = 0; i < lk->n; i++)
		if (lk->ifindex[i] == ifindex)
			return (int)i;

	return -1;
}


static unsigned link_msg(struct netmon_links *lk, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	bool run, gone = nh->nlmsg_type == RTM_DELLINK;
	unsigned what = 0;
	int i;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    ifi->ifi_flags & IFF_LOOPBACK)
		return 0;

	run = !gone && (ifi->ifi_flags & IFF_UP) &&
		(ifi->ifi_flags & IFF_RUNNING);
	i = link_slot(lk, ifi->ifi_index);

	if (i >= 0) {
		if (lk->running[i] && !run)
			what = NETMON_LINK_DOWN;
		else if (!lk->running[i] && run)
			what = NETMON_LINK_UP;
		lk->running[i] = run;
		if (gone) {
			--lk->n;
			lk->ifindex[i] = lk->ifindex[lk->n];
			lk->running[i] = lk->running[lk->n];
		}
	}
	else if (!gone) {
		if (lk->primed && run)
			what = NETMON_LINK_UP;
		if (lk->n < NETMON_LINKS) {
			lk->ifindex[lk->n] = ifi->ifi_index;
			lk->running[lk->n] = run;
			++lk->n;
		}
	}

	return what;
}


static unsigned addr_msg(const struct nlmsghdr *nh)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;

	if (ifa->ifa_family == AF_INET)
		return NETMON_ADDR4;
	if (ifa->ifa_family == AF_INET6 &&
	    !(ifa->ifa_flags & IFA_F_TEMPORARY))
		return NETMON_ADDR6;

	return 0;
}


/** Read one datagram of rtnetlink messages; the changes, as bits */
unsigned netmon_parse(struct netmon_links *lk, const void *buf, size_t len)
{
	const struct nlmsghdr *nh = buf;
	unsigned what = 0;
	int left;

	if (!lk || !buf || len > (size_t)INT32_MAX)
		return 0;

	/* NLMSG_OK/NEXT want the header aligned, as recv() gives it */
	if ((uintptr_t)buf % NLMSG_ALIGNTO)
		return 0;

	for (left = (int)len; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		switch (nh->nlmsg_type) {

		case RTM_NEWLINK:
		case RTM_DELLINK:
			what |= link_msg(lk, nh);
			break;

		case RTM_NEWADDR:
		case RTM_DELADDR:
			what |= addr_msg(nh);
			break;

		case NLMSG_DONE:
			lk->primed = true;
			return what;

		case NLMSG_ERROR:
			return what;

		default:
			break;
		}
	}

	return what;
}
