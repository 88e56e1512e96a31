/**
 * @file resolver_probe.c  Does a name server answer at all?
 *
 * libre's resolver sends from one unconnected UDP socket: the ICMP port
 * unreachable of a name server that refuses never reaches it, and a
 * silent one costs NAPTR, SRV and A lookups of many tries each (far
 * longer than a REGISTER's 45 s guard). So beside a request to a name
 * we ask each name server for the name's A record from a connected UDP
 * socket of our own: the kernel reports ICMP errors on it
 * (ECONNREFUSED), and any answer, even NXDOMAIN, shows the server
 * works. The handler is called once: at the first answer (RESOLVER_OK),
 * when every server refuses or has no route (RESOLVER_UNREACHABLE), or
 * after PROBE_TIMEOUT_MS with neither (RESOLVER_TIMEOUT).
 */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <re.h>
#include "resolver.h"

enum {
	PROBE_SERVERS_MAX = 3,   /* what a resolv.conf usually names */
	RESEND_MS = 1000,
	PROBE_TIMEOUT_MS = 4000,
	DNS_HDR_SIZE = 12,
};

struct probe_srv {
	struct resolver_probe *p;
	struct sa sa;
	int fd;
	int err;                 /* its ICMP or route error, 0 none */
};

struct resolver_probe {
	struct probe_srv srvv[PROBE_SERVERS_MAX];
	uint32_t srvc;
	struct mbuf *query;
	struct tmr tmr;
	uint32_t waited_ms;
	uint16_t id;
	resolver_probe_h *h;
	void *arg;
};


static void probe_destructor(void *arg)
{
	struct resolver_probe *p = arg;
	uint32_t i;

	tmr_cancel(&p->tmr);
	for (i = 0; i < p->srvc; i++) {
		if (p->srvv[i].fd < 0)
			continue;
		fd_close(p->srvv[i].fd);
		(void)close(p->srvv[i].fd);
	}
	mem_deref(p->query);
}


/* Last statement of its callers: the handler may deref the probe */
static void decide(struct resolver_probe *p, enum resolver_fault fault,
		   const struct probe_srv *s)
{
	struct resolver_fail f;
	resolver_probe_h *h = p->h;

	tmr_cancel(&p->tmr);
	p->h = NULL;

	memset(&f, 0, sizeof(f));
	f.fault = fault;
	f.srv = s->sa;
	f.err = s->err;
	if (h)
		h(&f, p->arg);
}


/* The first server with an error, or NULL */
static const struct probe_srv *failed(const struct resolver_probe *p,
				      bool all)
{
	const struct probe_srv *first = NULL;
	uint32_t i;

	for (i = 0; i < p->srvc; i++) {
		if (!p->srvv[i].err) {
			if (all)
				return NULL;
			continue;
		}
		if (!first)
			first = &p->srvv[i];
	}

	return first;
}


/* Every server refuses: no need to wait */
static void check_all_failed(struct resolver_probe *p)
{
	const struct probe_srv *s = failed(p, true);

	if (s)
		decide(p, RESOLVER_UNREACHABLE, s);
}


static void send_query(struct probe_srv *s)
{
	const struct mbuf *q = s->p->query;

	if (s->err)
		return;

	if (send(s->fd, q->buf, q->end, 0) < 0 && errno != EAGAIN)
		s->err = errno;
}


static void recv_handler(int flags, void *arg)
{
	struct probe_srv *s = arg;
	struct resolver_probe *p = s->p;
	uint8_t buf[512];
	ssize_t n;

	(void)flags;

	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			s->err = errno;
			fd_close(s->fd);
			check_all_failed(p);
			return;
		}

		/* a reply to our query, whatever its rcode */
		if (n >= DNS_HDR_SIZE && (buf[2] & 0x80) &&
		    ((uint16_t)(buf[0] << 8 | buf[1])) == p->id) {
			decide(p, RESOLVER_OK, s);
			return;
		}
	}
}


static void tmr_handler(void *arg)
{
	struct resolver_probe *p = arg;
	const struct probe_srv *s;
	uint32_t i;

	p->waited_ms += RESEND_MS;
	if (p->waited_ms >= PROBE_TIMEOUT_MS) {
		s = failed(p, false);
		decide(p, s ? RESOLVER_UNREACHABLE : RESOLVER_TIMEOUT,
		       s ? s : &p->srvv[0]);
		return;
	}

	for (i = 0; i < p->srvc; i++)
		send_query(&p->srvv[i]);

	tmr_start(&p->tmr, RESEND_MS, tmr_handler, p);
	check_all_failed(p);
}


static int query_encode(struct resolver_probe *p, const char *name)
{
	struct dnshdr hdr;
	int err;

	p->query = mbuf_alloc(64 + str_len(name));
	if (!p->query)
		return ENOMEM;

	memset(&hdr, 0, sizeof(hdr));
	hdr.id = p->id = rand_u16();
	hdr.rd = true;
	hdr.nq = 1;

	err  = dns_hdr_encode(p->query, &hdr);
	err |= dns_dname_encode(p->query, name, NULL, 0, false);
	err |= mbuf_write_u16(p->query, htons(DNS_TYPE_A));
	err |= mbuf_write_u16(p->query, htons(DNS_CLASS_IN));

	return err;
}


/* A connected, non-blocking socket to the server; its error if none */
static void srv_open(struct probe_srv *s)
{
	s->fd = socket(sa_af(&s->sa), SOCK_DGRAM | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		s->err = errno;
		return;
	}

	if (connect(s->fd, &s->sa.u.sa, s->sa.len) < 0) {
		s->err = errno;
		return;
	}

	s->err = fd_listen(s->fd, FD_READ | FD_EXCEPT, recv_handler, s);
}


/**
 * Ask the name servers of @p d about @p uri's host; @p h is called once
 * with the verdict (not from inside this call). ENOENT when there is
 * nothing to ask: an IP literal, a bad URI, or no name server.
 */
int resolver_probe_alloc(struct resolver_probe **pp, const struct resolver *d,
			 const char *uri, resolver_probe_h *h, void *arg)
{
	struct sa srvv[PROBE_SERVERS_MAX];
	struct resolver_probe *p;
	char name[256];
	struct uri u;
	struct pl pl;
	struct sa sa;
	uint32_t i;
	int err;

	if (!pp || !d || !uri || !h)
		return EINVAL;

	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl) || !sa_set(&sa, &u.host, 0) ||
	    pl_strcpy(&u.host, name, sizeof(name)))
		return ENOENT;

	p = mem_zalloc(sizeof(*p), probe_destructor);
	if (!p)
		return ENOMEM;

	tmr_init(&p->tmr);
	p->h = h;
	p->arg = arg;
	p->srvc = resolver_servers(d, srvv, PROBE_SERVERS_MAX);
	for (i = 0; i < p->srvc; i++) {
		p->srvv[i].p = p;
		p->srvv[i].sa = srvv[i];
		p->srvv[i].fd = -1;
	}
	if (!p->srvc) {
		err = ENOENT;
		goto out;
	}

	err = query_encode(p, name);
	if (err)
		goto out;

	for (i = 0; i < p->srvc; i++) {
		srv_open(&p->srvv[i]);
		send_query(&p->srvv[i]);
	}

	/* errors known now are told from the loop, as all others */
	tmr_start(&p->tmr, failed(p, true) ? 0 : RESEND_MS, tmr_handler, p);

 out:
	if (err)
		mem_deref(p);
	else
		*pp = p;

	return err;
}
