/**
 * @file netmon_parse.c  What rtnetlink messages say about our network
 *
 * Pure: a datagram of NETLINK_ROUTE messages in, bits out. A link counts
 * as up when it is administratively up and running (carrier). The
 * dumps of links and addresses asked for at start (each ending in an
 * NLMSG_DONE with its sequence number) only record, so only a change
 * that we saw happen is reported: a cable pulled (running -> not), a
 * cable back (not -> running), a new link that runs, an address that
 * is new or gone. Addresses: only global (universe scope) ones matter,
 * and not IPv6 temporary addresses, which the kernel rotates by itself.
 * Loopback is never the way out.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "netmon.h"


static int link_slot(struct netmon_state *lk, int ifindex)
{
	for (size_t i = 0; i < lk->n; i++)
		if (lk->ifindex[i] == ifindex)
			return (int)i;

	return -1;
}


static unsigned link_msg(struct netmon_state *lk, const struct nlmsghdr *nh)
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
		if (lk->links_primed && run)
			what = NETMON_LINK_UP;
		if (lk->n < NETMON_LINKS) {
			lk->ifindex[lk->n] = ifi->ifi_index;
			lk->running[lk->n] = run;
			++lk->n;
		}
	}

	return what;
}


/* The address a message is about: IFA_LOCAL (ours on a point-to-point
   link, where IFA_ADDRESS is the peer), else IFA_ADDRESS; false if none */
static bool addr_of(const struct nlmsghdr *nh, const struct ifaddrmsg *ifa,
		    struct netmon_addr *out)
{
	const size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	const struct rtattr *rta = IFA_RTA(ifa);
	const void *local = NULL, *addr = NULL;
	int left = (int)IFA_PAYLOAD(nh);

	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		if (RTA_PAYLOAD(rta) != alen)
			continue;
		if (rta->rta_type == IFA_LOCAL)
			local = RTA_DATA(rta);
		else if (rta->rta_type == IFA_ADDRESS)
			addr = RTA_DATA(rta);
	}
	if (!local)
		local = addr;
	if (!local)
		return false;

	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	out->family = ifa->ifa_family;
	memcpy(out->a, local, alen);

	return true;
}


static int addr_slot(const struct netmon_state *lk,
		     const struct netmon_addr *a)
{
	for (size_t i = 0; i < lk->addrc; i++)
		if (!memcmp(&lk->addrv[i], a, sizeof(*a)))
			return (int)i;

	return -1;
}


static unsigned addr_msg(struct netmon_state *lk, const struct nlmsghdr *nh)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	bool gone = nh->nlmsg_type == RTM_DELADDR;
	struct netmon_addr a;
	unsigned bit;
	int i;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;

	if (ifa->ifa_family == AF_INET)
		bit = NETMON_ADDR4;
	else if (ifa->ifa_family == AF_INET6 &&
		 !(ifa->ifa_flags & IFA_F_TEMPORARY))
		bit = NETMON_ADDR6;
	else
		return 0;

	/* one we cannot tell apart: a change, to be safe */
	if (!addr_of(nh, ifa, &a))
		return lk->addrs_primed ? bit : 0;

	i = addr_slot(lk, &a);
	if (gone) {
		if (i >= 0)
			lk->addrv[i] = lk->addrv[--lk->addrc];
		return lk->addrs_primed ? bit : 0;
	}

	/* known: the kernel only updated it (lifetimes, flags) */
	if (i >= 0)
		return 0;

	if (lk->addrc < NETMON_ADDRS)
		lk->addrv[lk->addrc++] = a;

	return lk->addrs_primed ? bit : 0;
}


/* Does a whole message start at @p nh with @p left bytes to go? */
static bool msg_fits(const struct nlmsghdr *nh, size_t left)
{
	return left >= sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) &&
		nh->nlmsg_len <= left;
}


/* The message after @p nh; @p left drops to 0 past the last one */
static const struct nlmsghdr *msg_next(const struct nlmsghdr *nh,
				       size_t *left)
{
	size_t step = NLMSG_ALIGN(nh->nlmsg_len);

	if (step >= *left) {
		*left = 0;
		return nh;
	}

	*left -= step;
	return (const struct nlmsghdr *)((const uint8_t *)nh + step);
}


/** Read one datagram of rtnetlink messages; the changes, as bits */
unsigned netmon_parse(struct netmon_state *lk, const void *buf, size_t len)
{
	const struct nlmsghdr *nh = buf;
	unsigned what = 0;
	size_t left;

	if (!lk || !buf || len > (size_t)INT32_MAX)
		return 0;

	/* NLMSG_OK/NEXT want the header aligned, as recv() gives it */
	if ((uintptr_t)buf % NLMSG_ALIGNTO)
		return 0;

	/* NLMSG_OK/NEXT spelled out on a size_t: the macros compare the
	   u32 length with an int, which clang's -Wsign-compare rejects */
	for (left = len; msg_fits(nh, left); nh = msg_next(nh, &left)) {
		switch (nh->nlmsg_type) {

		case RTM_NEWLINK:
		case RTM_DELLINK:
			what |= link_msg(lk, nh);
			break;

		case RTM_NEWADDR:
		case RTM_DELADDR:
			what |= addr_msg(lk, nh);
			break;

		case NLMSG_DONE:
			if (nh->nlmsg_seq == NETMON_SEQ_LINKS)
				lk->links_primed = true;
			else if (nh->nlmsg_seq == NETMON_SEQ_ADDRS)
				lk->addrs_primed = true;
			return what;

		case NLMSG_ERROR:
			return what;

		default:
			break;
		}
	}

	return what;
}
