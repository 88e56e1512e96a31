/**
 * @file ctrl_client.c  Client of the control socket (plain libc, no libre)
 *
 * Non-blocking socket plus poll() against a monotonic deadline, so a hung
 * daemon costs at most the caller's timeout. Lines are buffered here and
 * handed out one at a time; lines starting with `<` are events.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "base/ctrl_proto.h"
#include "ctrl_client.h"

enum {
	RX_CHUNK = 4096,
	LINE_MAX_BYTES = 1024 * 1024,
};

struct ctrl_client {
	int fd;
	char *buf;
	size_t len;          /* bytes in buf                          */
	size_t used;         /* bytes of buf already handed out       */
	size_t cap;
	ctrl_client_line_h *eventh;
	void *arg;
	bool json;           /* FORMAT json: one JSON line per message */
};


static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static long long deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}


/* Wait for @p events until @p dl; 0, ETIMEDOUT or EINTR */
static int wait_fd(int fd, short events, long long dl)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int left = -1;
	int n;

	if (dl >= 0) {
		long long ms = dl - now_ms();

		left = ms < 0 ? 0 : (int)(ms > 60000 ? 60000 : ms);
	}

	n = poll(&pfd, 1, left);
	if (n < 0)
		return errno;
	if (n == 0)
		return (dl >= 0 && now_ms() >= dl) ? ETIMEDOUT : EAGAIN;

	return 0;
}


/** Connect to the daemon at @p path; ENOENT, ECONNREFUSED, ... */
int ctrl_client_open(struct ctrl_client **ccp, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ctrl_client *cc;
	int err;

	if (!ccp || !path || !path[0])
		return EINVAL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);

	cc = calloc(1, sizeof(*cc));
	if (!cc)
		return ENOMEM;

	cc->cap = RX_CHUNK * 4;
	cc->buf = malloc(cc->cap);
	if (!cc->buf) {
		free(cc);
		return ENOMEM;
	}

	cc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cc->fd < 0 ||
	    connect(cc->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		ctrl_client_close(cc);
		return err;
	}

	*ccp = cc;
	return 0;
}


void ctrl_client_close(struct ctrl_client *cc)
{
	if (!cc)
		return;

	if (cc->fd >= 0)
		(void)close(cc->fd);
	free(cc->buf);
	free(cc);
}


/** The socket, for callers that poll it together with other fds */
int ctrl_client_fd(const struct ctrl_client *cc)
{
	return cc ? cc->fd : -1;
}


/** Where events seen while waiting for a reply go (NULL: dropped) */
void ctrl_client_set_eventh(struct ctrl_client *cc,
			    ctrl_client_line_h *eventh, void *arg)
{
	if (!cc)
		return;

	cc->eventh = eventh;
	cc->arg = arg;
}


static int send_all(struct ctrl_client *cc, const char *p, size_t len,
		    long long dl)
{
	while (len) {
		ssize_t n = send(cc->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int err;

		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return errno;
		if (n < 0) {
			err = wait_fd(cc->fd, POLLOUT, dl);
			if (err && err != EAGAIN)
				return err;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}

	return 0;
}


/* Next complete line (NUL-terminated, in cc->buf) or an errno */
static int read_line(struct ctrl_client *cc, char **linep, long long dl)
{
	for (;;) {
		char *nl = memchr(cc->buf + cc->used, '\n',
				  cc->len - cc->used);
		ssize_t n;
		int err;

		if (nl) {
			*nl = '\0';
			if (nl > cc->buf + cc->used && nl[-1] == '\r')
				nl[-1] = '\0';
			*linep = cc->buf + cc->used;
			cc->used = (size_t)(nl - cc->buf) + 1;
			return 0;
		}

		/* Forget handed-out lines before reading more */
		memmove(cc->buf, cc->buf + cc->used, cc->len - cc->used);
		cc->len -= cc->used;
		cc->used = 0;

		if (cc->cap - cc->len < RX_CHUNK) {
			char *b;

			if (cc->cap >= LINE_MAX_BYTES)
				return E2BIG;
			b = realloc(cc->buf, cc->cap + RX_CHUNK * 4);
			if (!b)
				return ENOMEM;
			cc->buf = b;
			cc->cap += RX_CHUNK * 4;
		}

		n = recv(cc->fd, cc->buf + cc->len, cc->cap - cc->len,
			 MSG_DONTWAIT);
		if (n == 0)
			return ECONNRESET;
		if (n > 0) {
			cc->len += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return errno;

		err = wait_fd(cc->fd, POLLIN, dl);
		if (err && err != EAGAIN)
			return err;
	}
}


/* FORMAT json: an event is the one object that starts with "event" */
#define JSON_EVENT "{\"event\":"
#define JSON_FAIL  "{\"ok\":false"

static bool is_event(const struct ctrl_client *cc, const char *line)
{
	if (cc->json)
		return !strncmp(line, JSON_EVENT, strlen(JSON_EVENT));

	return line[0] == '<' && line[1] >= '0' && line[1] <= '9' &&
		line[2] == '>';
}


/**
 * Send one request and read its reply
 *
 * Body lines go to @p bodyh (a `PONG` too), events seen meanwhile to the
 * event handler. On `FAIL` the reason is copied to @p reason.
 *
 * @return 0 on OK/PONG, EBADMSG when the daemon answered FAIL, EINVAL
 *         (request contains a newline), ETIMEDOUT, ECONNRESET (daemon
 *         closed the connection), E2BIG, ENOMEM
 */
static int request(struct ctrl_client *cc, const char *req,
		   int timeout_ms, ctrl_client_line_h *bodyh, void *arg,
		   char *reason, size_t reasonsz)
{
	long long dl = deadline(timeout_ms);
	size_t fl = strlen(ATA_CTRL_FAIL);
	char *line;
	int err;

	if (!cc || !req || strpbrk(req, "\r\n"))
		return EINVAL;

	if (reason && reasonsz)
		reason[0] = '\0';

	/*
	 * A refused client may find the socket closed before it writes:
	 * read anyway, the daemon's FAIL line is waiting there.
	 */
	err = send_all(cc, req, strlen(req), dl);
	if (!err)
		err = send_all(cc, "\n", 1, dl);
	if (err == ETIMEDOUT || err == EINTR)
		return err;

	for (;;) {
		err = read_line(cc, &line, dl);
		if (err)
			return err;

		if (is_event(cc, line)) {
			if (cc->eventh)
				cc->eventh(line, cc->arg);
			continue;
		}

		if (!strcmp(line, ATA_CTRL_OK))
			return 0;

		if (!strncmp(line, ATA_CTRL_FAIL, fl) &&
		    (line[fl] == ' ' || line[fl] == '\0')) {
			if (reason && reasonsz)
				snprintf(reason, reasonsz, "%s",
					 line[fl] ? line + fl + 1 : "");
			return EBADMSG;
		}

		/* FORMAT json: the whole reply is this one line (a daemon
		 * without FORMAT said FAIL above) */
		if (cc->json) {
			if (bodyh)
				bodyh(line, arg);
			return strncmp(line, JSON_FAIL, strlen(JSON_FAIL)) ?
				0 : EBADMSG;
		}

		if (bodyh)
			bodyh(line, arg);

		if (!strcmp(line, ATA_CTRL_PONG))
			return 0;
	}
}


/*
 * Follow the connection's format: the reply to FORMAT json comes in JSON,
 * to FORMAT text in text; a refused FORMAT leaves it as it was
 */
int ctrl_client_request(struct ctrl_client *cc, const char *req,
			int timeout_ms, ctrl_client_line_h *bodyh, void *arg,
			char *reason, size_t reasonsz)
{
	bool was;
	int err;

	if (!cc || !req)
		return EINVAL;

	was = cc->json;
	if (!strcmp(req, ATA_CTRL_FORMAT " " ATA_CTRL_FORMAT_JSON))
		cc->json = true;
	else if (!strcmp(req, ATA_CTRL_FORMAT " " ATA_CTRL_FORMAT_TEXT))
		cc->json = false;

	err = request(cc, req, timeout_ms, bodyh, arg, reason, reasonsz);
	if (err)
		cc->json = was;

	return err;
}


/** true while the connection is in FORMAT json */
bool ctrl_client_is_json(const struct ctrl_client *cc)
{
	return cc && cc->json;
}


/**
 * FORMAT json: from now on every reply and event is one JSON line, a
 * reply's body goes whole to the body handler, and a reply that starts
 * {"ok":false is EBADMSG (see core/base/ctrl_proto.h)
 */
int ctrl_client_json(struct ctrl_client *cc, int timeout_ms)
{
	return ctrl_client_request(cc, ATA_CTRL_FORMAT " "
				   ATA_CTRL_FORMAT_JSON, timeout_ms, NULL,
				   NULL, NULL, 0);
}


/** Receive events with level <= @p level on this connection */
int ctrl_client_attach(struct ctrl_client *cc, int level, int timeout_ms)
{
	char req[32];
	int err;

	if (!cc || level < 0 || level > 9)
		return EINVAL;

	snprintf(req, sizeof(req), ATA_CTRL_LEVEL " %d", level);
	err = ctrl_client_request(cc, req, timeout_ms, NULL, NULL, NULL, 0);
	if (!err)
		err = ctrl_client_request(cc, ATA_CTRL_ATTACH, timeout_ms,
					  NULL, NULL, NULL, 0);

	return err;
}


int ctrl_client_detach(struct ctrl_client *cc, int timeout_ms)
{
	return ctrl_client_request(cc, ATA_CTRL_DETACH, timeout_ms, NULL,
				   NULL, NULL, 0);
}


/**
 * Wait for the next line (an event on an attached connection)
 *
 * @return 0, ETIMEDOUT, EINTR (a signal arrived), ECONNRESET (daemon
 *         gone), E2BIG (line longer than 1 MiB)
 */
int ctrl_client_recv(struct ctrl_client *cc, char *buf, size_t sz,
		     int timeout_ms)
{
	char *line;
	int err;

	if (!cc || !buf || !sz)
		return EINVAL;

	err = read_line(cc, &line, deadline(timeout_ms));
	if (err)
		return err;

	snprintf(buf, sz, "%s", line);
	return 0;
}
