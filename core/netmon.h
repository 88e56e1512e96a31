/**
 * @file netmon.h  Link and address changes from the kernel (rtnetlink)
 */
#ifndef ATA_NETMON_H
#define ATA_NETMON_H

#include <stdbool.h>
#include <stddef.h>

enum {
	NETMON_LINKS = 32,            /**< links remembered             */
};

/** What a batch of rtnetlink messages says (bits) */
enum netmon_change {
	NETMON_LINK_UP   = 1 << 0,    /**< a link we saw down runs again */
	NETMON_LINK_DOWN = 1 << 1,    /**< a running link stopped        */
	NETMON_ADDR4     = 1 << 2,    /**< a global IPv4 address came/went */
	NETMON_ADDR6     = 1 << 3,    /**< the same, IPv6 (not temporary) */
};

/**
 * The links seen so far and whether each runs, by interface index.
 * Until @p primed (the end of the dump of links asked for at start)
 * a link's first message only records it; after, a new link that runs
 * (ppp0 after a re-dial, a USB modem) is a link up.
 */
struct netmon_links {
	int ifindex[NETMON_LINKS];
	bool running[NETMON_LINKS];
	size_t n;
	bool primed;
};

unsigned netmon_parse(struct netmon_links *lk, const void *buf,
		      size_t len);

int  netmon_open(void);
void netmon_close(void);

#endif
