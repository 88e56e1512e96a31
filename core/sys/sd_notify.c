/**
 * @file sd_notify.c  Readiness for systemd's Type=notify, without libsystemd
 *
 * The protocol is one datagram of `KEY=value` lines to the AF_UNIX socket
 * named by $NOTIFY_SOCKET (a leading '@' is an abstract name). Twenty
 * lines of our own rather than a libsystemd dependency, which embedded
 * builds (Buildroot, OpenWrt) do not have; without $NOTIFY_SOCKET, as
 * under any other init, this does nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <re.h>
#include "sd_notify.h"

/**
 * Tell the service manager @p state, e.g. "READY=1" or "STOPPING=1"
 *
 * @return 0 (also when not started by systemd), EINVAL for a bad
 *         $NOTIFY_SOCKET, or the errno of socket()/sendto()
 */
int sd_notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = str_len(path);
	socklen_t alen;
	int fd, err = 0;

	if (!len)
		return 0;

	if (!state || len >= sizeof(sun.sun_path) ||
	    (path[0] != '/' && path[0] != '@'))
		return EINVAL;

	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (const struct sockaddr *)&sun, alen) < 0)
		err = errno;

	(void)close(fd);

	return err;
}
