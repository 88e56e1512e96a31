/**
 * @file netmon.c  Watch the kernel for link and address changes
 *
 * A cable pulled and put back, a modem that re-syncs, a DHCP lease with
 * a new address: the router's NAT mappings and the registrar's binding
 * may be gone although our own address looks the same, and inbound calls
 * would not arrive until the next refresh (minutes). The kernel says so
 * on a NETLINK_ROUTE socket (on the main loop, no polling); a change is
 * left to settle (links flap, DHCP follows carrier), then the handler
 * the daemon gave hears what changed: it runs the NAT policy again and
 * every line re-registers. netmon itself knows nothing above the OS.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <re.h>
#include "ataua.h"
#include "netmon.h"

enum {
	SETTLE_MS = 1000,
	BUF_SIZE  = 8192,
};

static struct {
	int fd;
	struct tmr tmr;
	struct netmon_state links;
	unsigned pending;            /* bits seen while settling */
	bool addr_dump;              /* the address dump was asked for */
	bool open;
	netmon_h *changeh;
	void *arg;
} nm = { .fd = -1 };


/* Ask for a dump (RTM_GETLINK, RTM_GETADDR) of the current state:
   without it the first word about a link could be its cable pulled,
   and an address the kernel only updates would look new. The kernel
   takes one dump at a time, so the addresses follow the links. */
static int dump(uint16_t type, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
	} req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.g.rtgen_family = AF_UNSPEC;

	if (send(nm.fd, &req, req.nh.nlmsg_len, 0) < 0)
		return errno;

	return 0;
}


static void settle_handler(void *arg)
{
	unsigned what = nm.pending;
	(void)arg;

	nm.pending = 0;

	if (what & (NETMON_LINK_UP | NETMON_ADDR4 | NETMON_ADDR6)) {
		if (nm.changeh)
			nm.changeh(what, nm.arg);
	}
	else if (what & NETMON_LINK_DOWN)
		ata_info("netmon: a link went down; waiting for it\n");
}


static void read_handler(int flags, void *arg)
{
	/* aligned for the netlink headers */
	static uint32_t buf[BUF_SIZE / sizeof(uint32_t)];
	unsigned what = 0;
	ssize_t n;
	(void)flags;
	(void)arg;

	for (;;) {
		n = recv(nm.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* the kernel dropped some: assume a change */
			what |= NETMON_ADDR4 | NETMON_ADDR6;
			continue;
		}
		if (n <= 0)
			break;
		what |= netmon_parse(&nm.links, buf, (size_t)n);
	}

	if (nm.links.links_primed && !nm.addr_dump) {
		int err = dump(RTM_GETADDR, NETMON_SEQ_ADDRS);

		nm.addr_dump = true;
		if (err) {
			/* without it every address counts as new once */
			ata_warn("netmon: cannot list addresses (%m)\n", err);
			nm.links.addrs_primed = true;
		}
	}

	if (!what)
		return;

	nm.pending |= what;
	tmr_start(&nm.tmr, SETTLE_MS, settle_handler, NULL);
}


/**
 * Start watching: @p changeh hears a settled change that may need new
 * NAT mappings or a new SIP socket (a link up, an address new or gone),
 * with the enum netmon_change bits. Without rtnetlink the daemon runs
 * on without it.
 */
int netmon_open(netmon_h *changeh, void *arg)
{
	struct sockaddr_nl snl;
	int err;

	if (nm.open)
		return 0;

	tmr_init(&nm.tmr);
	memset(&nm.links, 0, sizeof(nm.links));
	nm.pending = 0;
	nm.addr_dump = false;
	nm.changeh = changeh;
	nm.arg = arg;

	nm.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (nm.fd < 0) {
		err = errno;
		goto out;
	}

	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	snl.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(nm.fd, (struct sockaddr *)&snl, sizeof(snl)) < 0) {
		err = errno;
		goto out;
	}

	err = dump(RTM_GETLINK, NETMON_SEQ_LINKS);
	if (err)
		goto out;

	err = fd_listen(nm.fd, FD_READ, read_handler, NULL);
	if (err)
		goto out;

	nm.open = true;

 out:
	if (err) {
		ata_warn("netmon: cannot watch the network (%m): a cable "
			 "put back is noticed at the next refresh only\n",
			 err);
		if (nm.fd >= 0)
			(void)close(nm.fd);
		nm.fd = -1;
	}

	return err;
}


void netmon_close(void)
{
	if (!nm.open)
		return;

	tmr_cancel(&nm.tmr);
	fd_close(nm.fd);
	(void)close(nm.fd);
	nm.fd = -1;
	nm.open = false;
}
