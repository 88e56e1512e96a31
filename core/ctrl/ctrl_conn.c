/**
 * @file ctrl_conn.c  Control socket clients: requests, replies, events
 *
 * folder core/ctrl/: the control socket's transport: the UNIX
 * socket, who may connect, request lines in, replies and events out.
 * What the verbs do is registered by the layers above (base/cmd.c).
 *
 * Every socket is non-blocking and driven by libre's fd_listen, so a slow
 * or hostile client can never stall the main loop: output is queued per
 * client up to ATA_CTRL_MAX_BACKLOG and a client that does not read is
 * dropped. A client is never freed from inside a callback that may run on
 * its own stack (an event fired by a command it sent); it is marked dead
 * and freed by a zero-delay timer.
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
#include "ctrl_json.h"

typedef void (conn_verb_h)(struct conn *c, const struct pl *args);

static void conn_fd_handler(int flags, void *arg);


static void conn_destructor(void *data)
{
	struct conn *c = data;

	list_unlink(&c->le);
	if (c->fd >= 0) {
		fd_close(c->fd);
		(void)close(c->fd);
	}
	mem_deref(c->split.mb);
	mem_deref(c->tx);
}


static void reap_handler(void *arg)
{
	struct ctrl_unix *cu = arg;
	struct le *le = cu->connl.head;

	while (le) {
		struct conn *c = le->data;

		le = le->next;
		if (c->dead)
			mem_deref(c);
	}
}


static void conn_kill(struct conn *c)
{
	if (c->dead)
		return;

	c->dead = true;
	fd_close(c->fd);
	tmr_start(&c->cu->reap, 0, reap_handler, c->cu);
}


static void conn_listen(struct conn *c, int flags)
{
	if (c->dead || flags == c->fdflags)
		return;

	if (fd_listen(c->fd, flags, conn_fd_handler, c))
		conn_kill(c);
	else
		c->fdflags = flags;
}


static void conn_flush(struct conn *c)
{
	struct mbuf *tx = c->tx;

	while (!c->dead && mbuf_get_left(tx)) {
		ssize_t n = send(c->fd, mbuf_buf(tx), mbuf_get_left(tx),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			conn_kill(c);
			return;
		}
		mbuf_advance(tx, n);
	}

	if (!mbuf_get_left(tx)) {
		mbuf_rewind(tx);
		if (c->quit) {
			conn_kill(c);
			return;
		}
	}

	/* After QUIT or EOF stop reading: an EOF socket is always readable */
	conn_listen(c, (c->quit ? 0 : FD_READ) |
		    (mbuf_get_left(tx) ? FD_WRITE : 0));
}


/* Queue p[0..len) plus an optional newline; drop a client that lags */
static int conn_write(struct conn *c, const void *p, size_t len,
		      bool nl)
{
	struct mbuf *tx = c->tx;
	size_t left = mbuf_get_left(tx);
	int err;

	if (c->dead)
		return EPIPE;

	if (left + len + nl > ATA_CTRL_MAX_BACKLOG) {
		ata_warn("ctrl: dropping client fd=%d: %zu bytes unread",
			 c->fd, left);
		conn_kill(c);
		return EOVERFLOW;
	}

	if (tx->pos) {
		memmove(tx->buf, mbuf_buf(tx), left);
		tx->pos = 0;
		tx->end = left;
	}

	tx->pos = tx->end;
	err = mbuf_write_mem(tx, p, len);
	if (!err && nl)
		err = mbuf_write_u8(tx, '\n');
	tx->pos = 0;
	if (err)
		conn_kill(c);

	return err;
}


/*
 * One whole reply or event, in the connection's format: FORMAT json
 * converts it here, the one place every verb's reply passes
 */
static void conn_send(struct conn *c, const char *p, size_t len,
		      bool event)
{
	const struct pl text = {p, len};
	struct mbuf *mb;
	int err;

	if (!c->json) {
		if (!conn_write(c, p, len, event))
			conn_flush(c);
		return;
	}

	mb = mbuf_alloc(len + 64);
	err = mb ? mbuf_printf(mb, "%H", event ? ctrl_json_event :
			       ctrl_json_reply, &text) : ENOMEM;
	if (err)
		ata_warn("ctrl: no JSON for client fd=%d: %m", c->fd, err);
	else if (!conn_write(c, mb->buf, mb->end, true))
		conn_flush(c);
	mem_deref(mb);
}


static void conn_puts(struct conn *c, const char *line)
{
	if (!c->json) {
		if (!conn_write(c, line, str_len(line), true))
			conn_flush(c);
		return;
	}

	conn_send(c, line, str_len(line), false);
}


static void verb_ping(struct conn *c, const struct pl *args)
{
	conn_puts(c, ATA_CTRL_PONG);
}


static void verb_attach(struct conn *c, const struct pl *args)
{
	c->attached = true;
	conn_puts(c, ATA_CTRL_OK);
}


static void verb_detach(struct conn *c, const struct pl *args)
{
	c->attached = false;
	conn_puts(c, ATA_CTRL_OK);
}


static void verb_level(struct conn *c, const struct pl *args)
{
	if (args->l != 1 || args->p[0] < '0' || args->p[0] > '9') {
		conn_puts(c, ATA_CTRL_FAIL " invalid argument");
		return;
	}

	c->level = args->p[0] - '0';
	conn_puts(c, ATA_CTRL_OK);
}


static void verb_quit(struct conn *c, const struct pl *args)
{
	c->quit = true;
	conn_flush(c);
}


/* FORMAT json|text: the OK comes in the format asked for */
static void verb_format(struct conn *c, const struct pl *args)
{
	if (!pl_strcmp(args, ATA_CTRL_FORMAT_JSON))
		c->json = true;
	else if (!pl_strcmp(args, ATA_CTRL_FORMAT_TEXT))
		c->json = false;
	else {
		conn_puts(c, ATA_CTRL_FAIL " usage: " ATA_CTRL_FORMAT " "
			  ATA_CTRL_FORMAT_JSON "|" ATA_CTRL_FORMAT_TEXT);
		return;
	}

	conn_puts(c, ATA_CTRL_OK);
}


static const struct {
	const char *verb;
	conn_verb_h *h;
} conn_verbv[] = {
	{ATA_CTRL_PING,   verb_ping},
	{ATA_CTRL_ATTACH, verb_attach},
	{ATA_CTRL_DETACH, verb_detach},
	{ATA_CTRL_LEVEL,  verb_level},
	{ATA_CTRL_QUIT,   verb_quit},
	{ATA_CTRL_FORMAT, verb_format},
};


/* Connection-level verbs are exact uppercase first words */
static bool conn_verb(struct conn *c, const char *line, size_t len)
{
	struct pl verb, args;
	size_t i = 0;

	while (i < len && line[i] == ' ')
		++i;
	verb.p = line + i;
	while (i < len && line[i] != ' ')
		++i;
	verb.l = line + i - verb.p;
	while (i < len && line[i] == ' ')
		++i;
	args.p = line + i;
	args.l = len - i;
	while (args.l && args.p[args.l - 1] == ' ')
		--args.l;

	for (size_t v = 0; v < ARRAY_SIZE(conn_verbv); v++) {
		if (!pl_strcmp(&verb, conn_verbv[v].verb)) {
			conn_verbv[v].h(c, &args);
			return true;
		}
	}

	return false;
}


static int reply_vph(const char *p, size_t size, void *arg)
{
	struct reply *r = arg;

	if (r->overflow || r->mb->end + size > ATA_CTRL_MAX_BACKLOG) {
		r->overflow = true;
		return EOVERFLOW;
	}

	return mbuf_write_mem(r->mb, (const uint8_t *)p, size);
}


static void conn_exec(struct conn *c, const char *line, size_t len)
{
	struct reply r = {mbuf_alloc(512), false};
	struct re_printf pf = {reply_vph, &r};

	if (!r.mb) {
		conn_puts(c, ATA_CTRL_FAIL " out of memory");
		return;
	}

	(void)ata_cmd_exec(&pf, line, len);

	if (c->dead)
		;
	else if (r.overflow)
		conn_puts(c, ATA_CTRL_FAIL " reply too long");
	else
		conn_send(c, (const char *)r.mb->buf, r.mb->end, false);

	mem_deref(r.mb);
}


static bool line_handler(int err, const char *line, size_t len,
			 void *arg)
{
	struct conn *c = arg;

	if (c->dead || c->quit)
		return false;

	if (err == E2BIG)
		conn_puts(c, ATA_CTRL_FAIL " too long");
	else if (!conn_verb(c, line, len))
		conn_exec(c, line, len);

	return !c->dead && !c->quit;
}


static void conn_fd_handler(int flags, void *arg)
{
	struct conn *c = arg;
	uint8_t buf[RX_CHUNK];
	ssize_t n;

	if (!c->dead && (flags & FD_WRITE))
		conn_flush(c);

	if (c->dead || c->quit || !(flags & (FD_READ | FD_EXCEPT)))
		return;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;

	if (n <= 0) {
		/* EOF: the peer may have half-closed: still send replies */
		c->quit = true;
		if (n < 0)
			conn_kill(c);
		else
			conn_flush(c);
		return;
	}

	if (ctrl_split_feed(&c->split, buf, n, line_handler, c))
		conn_kill(c);
}


/* Take over accepted socket @p fd (closed on error) */
int ctrl_conn_alloc(struct ctrl_unix *cu, int fd)
{
	struct conn *c;
	int err;

	c = mem_zalloc(sizeof(*c), conn_destructor);
	if (!c) {
		(void)close(fd);
		return ENOMEM;
	}

	c->cu    = cu;
	c->fd    = fd;
	c->level = ATA_CTRL_DEFAULT_LEVEL;
	c->split.max = cu->max_request;
	c->split.mb  = mbuf_alloc(256);
	c->tx        = mbuf_alloc(256);
	list_append(&cu->connl, &c->le, c);
	if (!c->split.mb || !c->tx) {
		err = ENOMEM;
		goto out;
	}

	err = fd_listen(fd, FD_READ, conn_fd_handler, c);
	if (!err)
		c->fdflags = FD_READ;

 out:
	if (err)
		mem_deref(c);

	return err;
}


/* The event sink: every attached client whose level admits the event */
void ctrl_conn_event_handler(enum ata_log_level lvl, const char *line,
			     void *arg)
{
	struct ctrl_unix *cu = arg;

	for (struct le *le = cu->connl.head; le; le = le->next) {
		struct conn *c = le->data;

		if (c->dead || !c->attached || (int)lvl > c->level)
			continue;

		conn_send(c, line, str_len(line), true);
	}
}


/** Clients that are connected and not being closed */
unsigned ctrl_unix_nclients(const struct ctrl_unix *cu)
{
	unsigned n = 0;

	if (!cu)
		return 0;

	for (struct le *le = cu->connl.head; le; le = le->next) {
		const struct conn *c = le->data;

		n += !c->dead;
	}

	return n;
}


/**
 * Split a byte stream into request lines
 *
 * Calls @p lineh for every complete line (CR LF or LF stripped) and once
 * with E2BIG for a line longer than sp->max, whose rest up to the next LF
 * is then skipped. A partial line is kept in sp->mb for the next call.
 *
 * @return 0, EINVAL or ENOMEM
 */
int ctrl_split_feed(struct ctrl_split *sp, const uint8_t *p, size_t n,
		    ctrl_line_h *lineh, void *arg)
{
	struct mbuf *mb;
	bool more = true;

	if (!sp || !sp->mb || (!p && n) || !lineh)
		return EINVAL;

	mb = sp->mb;
	while (n && more) {
		const uint8_t *nl = memchr(p, '\n', n);
		size_t seg = nl ? (size_t)(nl - p) : n;
		int err;

		/* max + 1: a CR before the LF does not count */
		if (sp->discard)
			;
		else if (mb->end + seg > sp->max + 1) {
			mbuf_rewind(mb);
			sp->discard = true;
			more = lineh(E2BIG, NULL, 0, arg);
		}
		else {
			err = mbuf_write_mem(mb, p, seg);
			if (err)
				return err;
		}

		if (nl && !sp->discard) {
			size_t len = mb->end;
			const char *line = (const char *)mb->buf;

			if (len && line[len - 1] == '\r')
				--len;

			more = len > sp->max ? lineh(E2BIG, NULL, 0, arg) :
				lineh(0, line, len, arg);
			mbuf_rewind(mb);
		}

		if (nl)
			sp->discard = false;

		seg += nl ? 1 : 0;
		p += seg;
		n -= seg;
	}

	return 0;
}
