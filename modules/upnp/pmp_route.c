/**
 * @file modules/upnp/pmp_route.c  Which router PCP/NAT-PMP asks, from where
 *
 * The server is the default route's gateway (RFC 6886 section 3, RFC
 * 6887 section 8.1): /proc/net/route of our network namespace for IPv4,
 * /proc/net/ipv6_route for the IPv6 default router (a link-local next
 * hop and its interface), and /proc/net/if_inet6 for our global IPv6
 * address on that interface (the pinholes' internal address). The
 * text is parsed by pmp_wire.c's pure, fuzzed readers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include "upnp.h"
#include "pmp_wire.h"

enum {
	ROUTE_MAX = 16384,
};


static int read_proc(const char *path, char *text, size_t size)
{
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return errno;
	n = fread(text, 1, size - 1, f);
	fclose(f);
	text[n] = '\0';

	return 0;
}


/** The IPv4 default route's gateway (the NAT-PMP/PCP server) */
int pmp_gateway(uint32_t *gw)
{
	char text[ROUTE_MAX];
	int err;

	err = read_proc("/proc/net/route", text, sizeof(text));

	return err ? err : pmp_route_gateway(text, gw);
}


/* The IPv6 default router (RFC 6887 §8.1: the PCP server to ask) */
int pmp_gateway6(uint8_t gw[16], uint32_t *scope, char *ifname,
		 size_t ifsize)
{
	char text[ROUTE_MAX];
	int err;

	err = read_proc("/proc/net/ipv6_route", text, sizeof(text));
	if (err)
		return err == ENOENT ? ENETUNREACH : err;   /* no IPv6 */
	err = pmp_route6_gateway(text, gw, ifname, ifsize);
	if (err)
		return err == ENOENT ? ENETUNREACH : err;

	*scope = if_nametoindex(ifname);

	return 0;
}


/* Our global IPv6 address on the default router's interface */
int pmp_local6_addr(const char *ifname, uint8_t addr[16])
{
	char text[ROUTE_MAX];
	int err;

	err = read_proc("/proc/net/if_inet6", text, sizeof(text));
	if (err)
		return err == ENOENT ? EADDRNOTAVAIL : err;
	err = pmp_if6_global(text, ifname, addr);

	return err == ENOENT ? EADDRNOTAVAIL : err;
}


/**
 * The global IPv6 address a pinhole would open (main thread: two small
 * /proc reads). ENETUNREACH without an IPv6 default route,
 * EADDRNOTAVAIL without a global address on its interface.
 */
int pmp_local6(char *buf, size_t size)
{
	char ifname[IF_NAMESIZE + 16];
	uint8_t gw[16], addr[16];
	uint32_t scope;
	int err;

	if (!buf || !size)
		return EINVAL;

	err = pmp_gateway6(gw, &scope, ifname, sizeof(ifname));
	if (!err)
		err = pmp_local6_addr(ifname, addr);
	if (!err && !inet_ntop(AF_INET6, addr, buf, (socklen_t)size))
		err = ENOSPC;

	return err;
}
