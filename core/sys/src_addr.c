/**
 * @file src_addr.c  Our global IPv6 address, as the kernel would pick it
 *
 * libre's net_default_source_addr_get(AF_INET6) takes the first IPv6
 * address of the default interface, which may be a link-local one no
 * registrar can reach. The kernel's own source address selection
 * (RFC 6724) knows better: connect() a UDP socket to a global address
 * and read what it bound. A UDP connect sends nothing. No IPv6 route
 * (a box with no IPv6 at all): ENETUNREACH; only a link-local source:
 * EADDRNOTAVAIL. A ULA (fd00::/8) counts: a lab or a site may route it.
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <re.h>
#include "src_addr.h"

/* any global unicast address does: only the route to it is asked */
#define PROBE_DST "2001:db8::1"


/** Our global IPv6 source address into @p sa (port 0), or an errno */
int src_addr_global6(struct sa *sa)
{
	struct sockaddr_in6 dst, src;
	socklen_t len = sizeof(src);
	int fd, err = 0;

	if (!sa)
		return EINVAL;

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		return errno;   /* a kernel without IPv6 */

	memset(&dst, 0, sizeof(dst));
	dst.sin6_family = AF_INET6;
	dst.sin6_port = htons(9);
	if (inet_pton(AF_INET6, PROBE_DST, &dst.sin6_addr) != 1) {
		err = EINVAL;
		goto out;
	}

	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&src, &len) < 0) {
		err = errno;
		goto out;
	}

	err = sa_set_sa(sa, (struct sockaddr *)&src);
	if (err)
		goto out;
	sa_set_port(sa, 0);

	if (sa_is_linklocal(sa) || sa_is_loopback(sa) || sa_is_any(sa))
		err = EADDRNOTAVAIL;

 out:
	(void)close(fd);

	return err;
}
