/**
 * @file netmon.h  Link and address changes from the kernel (rtnetlink)
 */
#ifndef ATA_NETMON_H
#define ATA_NETMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	NETMON_LINKS = 32,            /**< links remembered             */
	NETMON_ADDRS = 32,            /**< global addresses remembered  */
	NETMON_SEQ_LINKS = 1,         /**< nlmsg_seq of the link dump   */
	NETMON_SEQ_ADDRS = 2,         /**< nlmsg_seq of the address dump */
};

/** What a batch of rtnetlink messages says (bits) */
enum netmon_change {
	NETMON_LINK_UP   = 1 << 0,    /**< a link we saw down runs again */
	NETMON_LINK_DOWN = 1 << 1,    /**< a running link stopped        */
	NETMON_ADDR4     = 1 << 2,    /**< a global IPv4 address came/went */
	NETMON_ADDR6     = 1 << 3,    /**< the same, IPv6 (not temporary) */
};

/** A global address on a link */
struct netmon_addr {
	int ifindex;
	uint8_t family;
	uint8_t a[16];                /**< 4 bytes for AF_INET */
};

/**
 * What we know of the network: the links (by interface index) and
 * whether each runs, and the global addresses. Until the dump of each
 * (asked for at start) has ended, messages only record; after, only
 * what changes is reported: a link's running state, a new link that
 * runs (ppp0 after a re-dial, a USB modem), an address that is new or
 * gone. The kernel repeats RTM_NEWADDR for an address it only updates
 * (IPv6 lifetimes at every router advertisement, DAD done): no change.
 */
struct netmon_state {
	int ifindex[NETMON_LINKS];
	bool running[NETMON_LINKS];
	size_t n;
	struct netmon_addr addrv[NETMON_ADDRS];
	size_t addrc;
	bool links_primed;            /**< the link dump has ended    */
	bool addrs_primed;            /**< the address dump has ended */
};

unsigned netmon_parse(struct netmon_state *lk, const void *buf,
		      size_t len);

/** A settled change: enum netmon_change bits */
typedef void (netmon_h)(unsigned what, void *arg);

int  netmon_open(netmon_h *changeh, void *arg);
void netmon_close(void);

#endif
