/**
 * @file ctrl_unix.c  Control socket over AF_UNIX stream: the listener
 *
 * Socket hygiene first: probe-connect before touching the path (never
 * unlink a live socket), bind under a restrictive umask, chmod 0660 (0666
 * with allow lists), take the configured group, and check every peer's
 * credentials (SO_PEERCRED, SO_PEERGROUPS) before it can say anything.
 * Clients themselves live in ctrl_conn.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* struct ucred, accept4 */
#endif
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "ctrl_unix_int.h"

enum {
	DENIED_LOG_MS = 10000,      /* one ctrl-denied line per 10 s */
};

static bool gid_allowed(const struct ctrl_unix *cu, gid_t gid)
{
	if (gid == cu->sock_gid)
		return true;

	for (size_t i = 0; i < cu->gidc; i++) {
		if (cu->gidv[i] == gid)
			return true;
	}

	return false;
}


/*
 * The peer's supplementary groups (SO_PEERGROUPS, Linux 4.13): a web UI
 * user is usually in the socket's group as a supplementary one
 */
static bool peer_groups_allowed(const struct ctrl_unix *cu, int fd)
{
	gid_t small[64], *gidv = small;
	socklen_t len = sizeof(small);
	bool ok = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gidv, &len) < 0) {
		if (errno != ERANGE || !len)
			return false;

		gidv = mem_alloc(len, NULL);
		if (!gidv)
			return false;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gidv, &len))
			len = 0;
	}

	for (size_t i = 0; i < len / sizeof(*gidv) && !ok; i++)
		ok = gid_allowed(cu, gidv[i]);

	if (gidv != small)
		mem_deref(gidv);

	return ok;
}


/*
 * Root, our own uid, allow_uids, and members (primary or supplementary)
 * of the socket's group or of allow_gids
 */
static bool peer_allowed(const struct ctrl_unix *cu, int fd,
			 const struct ucred *uc)
{
	if (uc->uid == 0 || uc->uid == geteuid())
		return true;

	for (size_t i = 0; i < cu->uidc; i++) {
		if (cu->uidv[i] == uc->uid)
			return true;
	}

	return gid_allowed(cu, uc->gid) || peer_groups_allowed(cu, fd);
}


/*
 * Best effort: the socket is fresh, so one short line fits its buffer.
 * Closing with unread input would make the peer's recv() fail with
 * ECONNRESET before it reads our line, so drain what it already sent.
 */
static void reject(int fd, const char *line)
{
	uint8_t buf[RX_CHUNK];

	(void)send(fd, line, str_len(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16; i++) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	}
	(void)close(fd);
}


/*
 * With allow lists the socket is 0666 and any local user can knock: one
 * SECURITY line per DENIED_LOG_MS, counting the refusals it stands for,
 * so a loop of connects cannot flood the log (or syslog) the way a
 * kernel EACCES on a 0660 socket never could.
 */
static void log_denied(struct ctrl_unix *cu, const struct ucred *uc)
{
	uint64_t now = tmr_jiffies();

	if (cu->denied_logged && now - cu->denied_at < DENIED_LOG_MS) {
		++cu->denied_quiet;
		return;
	}

	ata_security("event=ctrl-denied uid=%u gid=%u pid=%u count=%u",
		     uc->uid, uc->gid, uc->pid, cu->denied_quiet + 1);
	cu->denied_logged = true;
	cu->denied_at = now;
	cu->denied_quiet = 0;
}


static void accept_handler(int flags, void *arg)
{
	struct ctrl_unix *cu = arg;
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int fd;

	fd = accept4(cu->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			ata_warn("ctrl: accept: %m", errno);
		return;
	}

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len)) {
		ata_warn("ctrl: no peer credentials: %m", errno);
		reject(fd, ATA_CTRL_FAIL " permission denied\n");
		return;
	}

	if (!peer_allowed(cu, fd, &uc)) {
		char line[160];

		log_denied(cu, &uc);
		(void)re_snprintf(line, sizeof(line), ATA_CTRL_FAIL
				  " permission denied: uid %u is not in"
				  " control.allow_uids, nor in the socket's"
				  " group or control.allow_gids\n", uc.uid);
		reject(fd, line);
		return;
	}

	if (ctrl_unix_nclients(cu) >= cu->max_clients) {
		ata_warn("ctrl: refusing client pid=%u: %u clients",
			 uc.pid, cu->max_clients);
		reject(fd, ATA_CTRL_FAIL " too many clients\n");
		return;
	}

	if (ctrl_conn_alloc(cu, fd))
		ata_warn("ctrl: cannot take client pid=%u", uc.pid);
}


/*
 * Refuse to start over a live daemon or over a file that is not ours to
 * remove; a socket nobody answers on is left over from a crash.
 */
static int path_check(const struct ctrl_unix *cu)
{
	const char *path = cu->sun.sun_path;
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : errno;

	if (!S_ISSOCK(st.st_mode)) {
		ata_err("ctrl: %s exists and is not a socket (not removed)",
			path);
		return EEXIST;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	r = connect(fd, (const struct sockaddr *)&cu->sun, sizeof(cu->sun));
	e = errno;
	(void)close(fd);

	/* EAGAIN: alive, only its backlog is full */
	if (r == 0 || e == EAGAIN) {
		ata_err("ctrl: another ataua is running on %s", path);
		return EADDRINUSE;
	}
	if (e != ECONNREFUSED) {
		ata_err("ctrl: cannot probe %s: %m", path, e);
		return e;
	}

	ata_info("ctrl: removing stale socket %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return errno;

	return 0;
}


/*
 * mkdir -p of the socket's directory. New levels get 0755: the directory
 * holds only the socket, whose own mode and our peer check are the gate,
 * and allow_uids users outside the group must be able to reach it.
 */
static int make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	str_ncpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';

	for (char *p = dir + 1; ; p++) {
		bool end = (*p == '\0');

		if (*p != '/' && !end)
			continue;

		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			ata_err("ctrl: cannot create %s: %m", dir, errno);
			return errno;
		}
		if (end)
			return 0;
		*p = '/';
	}
}


/*
 * An existing directory (RuntimeDirectory=, an older ataua's 0750) may
 * keep out those we were told to let in: say so, as they would only see
 * "Permission denied" from connect()
 */
static void dir_check(const struct ctrl_unix *cu, bool open_to_all)
{
	char dir[sizeof(cu->sun.sun_path)];
	char *slash;
	struct stat st;

	str_ncpy(dir, cu->sun.sun_path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';

	if (stat(dir, &st) < 0 || (st.st_mode & 0001))
		return;

	/* Members of the socket's group still pass a 0750 directory */
	if (!open_to_all && st.st_gid == cu->sock_gid && (st.st_mode & 0010))
		return;

	ata_warn("ctrl: %s (mode %04o) keeps out the users"
			 " control.allow_uids/allow_gids/group let in:"
			 " make it 0755 (RuntimeDirectoryMode=0755)", dir,
			 (unsigned)(st.st_mode & 07777));
}


/*
 * The socket file: 0660 with the configured group, so its members get
 * in; 0666 when allow_uids or allow_gids name others, who cannot be
 * given the file otherwise (no ACLs): then SO_PEERCRED alone decides.
 */
static int sock_listen(struct ctrl_unix *cu, int gid)
{
	bool open_to_all = cu->uidc || cu->gidc;
	const char *path = cu->sun.sun_path;
	struct stat st;
	mode_t mask;
	int r, err;

	cu->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (cu->fd < 0)
		return errno;

	/* No window in which the socket is open to others */
	mask = umask(0117);
	r = bind(cu->fd, (const struct sockaddr *)&cu->sun, sizeof(cu->sun));
	err = errno;
	(void)umask(mask);
	if (r < 0) {
		ata_err("ctrl: bind %s: %m", path, err);
		return err;
	}

	if (lstat(path, &st) < 0)
		return errno;

	cu->bound = true;
	cu->dev = st.st_dev;
	cu->ino = st.st_ino;

	if (chmod(path, open_to_all ? 0666 : 0660) < 0)
		return errno;

	if (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid) < 0) {
		err = errno;
		ata_err("ctrl: chown %s to group %d: %m", path, gid, err);
		return err;
	}

	cu->sock_gid = gid >= 0 ? (gid_t)gid : st.st_gid;
	dir_check(cu, open_to_all);

	if (listen(cu->fd, LISTEN_BACKLOG) < 0)
		return errno;

	return fd_listen(cu->fd, FD_READ, accept_handler, cu);
}


static struct ctrl_unix *sink_owner;

static void ctrl_unix_destructor(void *data)
{
	struct ctrl_unix *cu = data;
	struct stat st;

	if (sink_owner == cu) {
		ata_event_set_sink(NULL, NULL);
		sink_owner = NULL;
	}

	tmr_cancel(&cu->reap);
	list_flush(&cu->connl);

	if (cu->fd >= 0) {
		fd_close(cu->fd);
		(void)close(cu->fd);
	}

	/* Another instance may have replaced the file since: keep theirs */
	if (cu->bound && !lstat(cu->sun.sun_path, &st) &&
	    S_ISSOCK(st.st_mode) && st.st_dev == cu->dev &&
	    st.st_ino == cu->ino)
		(void)unlink(cu->sun.sun_path);

	mem_deref(cu->uidv);
	mem_deref(cu->gidv);
}


static int copy_ids(uint32_t **dstp, const uint32_t *v, size_t c)
{
	if (!c)
		return 0;

	*dstp = mem_alloc(c * sizeof(*v), NULL);
	if (!*dstp)
		return ENOMEM;

	memcpy(*dstp, v, c * sizeof(*v));

	return 0;
}


/**
 * Listen on the control socket and become the event sink
 *
 * @return 0, EINVAL, ENAMETOOLONG, EADDRINUSE (a daemon answers on the
 *         path), EEXIST (the path is not a socket), ENOMEM or the errno
 *         of a failed system call
 */
int ctrl_unix_alloc(struct ctrl_unix **cup, const struct ctrl_unix_opts *o)
{
	struct ctrl_unix *cu;
	int err;

	if (!cup || !o || !str_isset(o->path) ||
	    (o->allow_uidc && !o->allow_uidv) ||
	    (o->allow_gidc && !o->allow_gidv))
		return EINVAL;

	cu = mem_zalloc(sizeof(*cu), ctrl_unix_destructor);
	if (!cu)
		return ENOMEM;

	cu->fd = -1;
	tmr_init(&cu->reap);
	cu->max_clients = o->max_clients ? o->max_clients :
		ATA_CTRL_MAX_CLIENTS;
	cu->max_request = o->max_request ? o->max_request :
		ATA_CTRL_MAX_REQUEST;

	if (str_len(o->path) >= sizeof(cu->sun.sun_path)) {
		err = ENAMETOOLONG;
		goto out;
	}
	cu->sun.sun_family = AF_UNIX;
	str_ncpy(cu->sun.sun_path, o->path, sizeof(cu->sun.sun_path));

	err  = copy_ids(&cu->uidv, o->allow_uidv, o->allow_uidc);
	err |= copy_ids(&cu->gidv, o->allow_gidv, o->allow_gidc);
	if (err)
		goto out;
	cu->uidc = o->allow_uidc;
	cu->gidc = o->allow_gidc;

	err = path_check(cu);
	if (err)
		goto out;

	err = make_parent(o->path);
	if (err)
		goto out;

	err = sock_listen(cu, o->gid);
	if (err)
		goto out;

	sink_owner = cu;
	ata_event_set_sink(ctrl_conn_event_handler, cu);
	ata_info("ctrl: listening on %s", o->path);

 out:
	if (err)
		mem_deref(cu);
	else
		*cup = cu;

	return err;
}
