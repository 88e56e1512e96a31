/**
 * @file modules/upnp/pmp_client.c  PCP and NAT-PMP on the worker thread
 *
 * The same jobs as the UPnP IGD (upnp_worker.c): ADD is a MAP request
 * (PCP) or a UDP mapping request (NAT-PMP) with our lease, GET re-sends
 * it (the protocols have no "read an entry": a renewal both checks and
 * keeps the mapping, and a server that lost it makes it again), DEL is
 * the same request with lifetime 0. Every answer's epoch is checked
 * (RFC 6887 §8.5): a router that restarted has lost every mapping, so
 * the job says so (epoch_reset) and the main loop re-maps them all.
 *
 * Blocking UDP with retransmission (250 ms, doubling, within the job's
 * timeout) fits the worker: the jobs run one after the other and the
 * main loop never waits. The server is the default route's gateway
 * (pmp_route.c). A PCP MAP nonce is a
 * per-run random secret mixed with the internal port: the same for
 * every renewal and the deletion of one mapping, unknown off the LAN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include "upnp.h"
#include "pmp_wire.h"

enum {
	RTO_FIRST_MS = 250,       /* RFC 6886 §3.1; PCP's 3 s is too slow */
	PROBE_MIN_MS = 250,
};

/* the last epoch of one server: the IPv4 gateway's, the IPv6 router's */
struct epoch_slot {
	struct pmp_epoch epoch;
	enum ata_map_proto proto;
	uint8_t gw[16];
};

struct pmp_client {
	uint8_t secret[PCP_NONCE_LEN];
	struct epoch_slot slot[2];     /* [0] IPv4, [1] IPv6 pinholes */
};

struct exchange {
	enum ata_map_proto proto;
	uint8_t opcode;
	const uint8_t *nonce;      /* PCP MAP */
	uint16_t int_port;
	struct pmp_answer a;
};


static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}


/* A UDP socket from @p client (the PCP internal address must be the
   request's source, RFC 6887 §8.1) connected to the IPv6 router */
static int server_socket6(int *fdp, const uint8_t gw[16], uint32_t scope,
			  const uint8_t client[16])
{
	struct sockaddr_in6 sin6;
	int fd, err = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	memcpy(&sin6.sin6_addr, client, 16);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))) {
		err = errno;
		goto out;
	}

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(PMP_SERVER_PORT);
	memcpy(&sin6.sin6_addr, gw, 16);
	sin6.sin6_scope_id = scope;
	if (connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
		err = errno;

 out:
	if (err)
		close(fd);
	else
		*fdp = fd;

	return err;
}


/* A UDP socket connected to the server, from @p client if given (the
   PCP/NAT-PMP internal address is the request's source address) */
static int server_socket(int *fdp, uint32_t gw, const char *client,
			 uint32_t *lan)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct sa csa;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;

	if (client && client[0] && !sa_set_str(&csa, client, 0) &&
	    sa_af(&csa) == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(sa_in(&csa));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			err = errno;
			goto out;
		}
	}

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(PMP_SERVER_PORT);
	sin.sin_addr.s_addr = htonl(gw);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = errno;
		goto out;
	}

	if (getsockname(fd, (struct sockaddr *)&sin, &len)) {
		err = errno;
		goto out;
	}
	*lan = ntohl(sin.sin_addr.s_addr);

 out:
	if (err)
		close(fd);
	else
		*fdp = fd;

	return err;
}


/* Is this the answer to our request (and not a stray or stale one)? */
static bool answer_matches(struct exchange *x, const uint8_t *buf,
			   size_t len)
{
	int err;

	if (x->proto == ATA_MAP_PCP) {
		err = pcp_decode(&x->a, buf, len);
		if (err == EPROTONOSUPPORT)
			return true;   /* a NAT-PMP server: no PCP here */
		if (err || x->a.opcode != x->opcode)
			return false;
		if (x->opcode != PCP_OP_MAP)
			return true;
		return !memcmp(x->a.nonce, x->nonce, PCP_NONCE_LEN) &&
			x->a.protocol == PCP_PROTO_UDP &&
			x->a.int_port == x->int_port;
	}

	if (natpmp_decode(&x->a, buf, len) || x->a.opcode != x->opcode)
		return false;

	return x->opcode != NATPMP_OP_UDP || x->a.result ||
		x->a.int_port == x->int_port;
}


/* Send, re-send at 250 ms doubling, until an answer or @p budget_ms */
static int exchange(int fd, struct exchange *x, const uint8_t *req,
		    size_t reqlen, uint32_t budget_ms)
{
	uint64_t end = now_ms() + budget_ms, next = 0;
	uint32_t rto = RTO_FIRST_MS;
	uint8_t buf[PCP_PKT_MAX + 4];

	for (;;) {
		uint64_t t = now_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (t >= end)
			return ETIMEDOUT;

		if (t >= next) {
			if (send(fd, req, reqlen, 0) < 0 &&
			    errno != EINTR)
				return errno;
			next = t + rto;
			rto *= 2;
		}

		r = poll(&pfd, 1, (int)((next < end ? next : end) - t));
		if (r < 0 && errno != EINTR)
			return errno;
		if (r <= 0)
			continue;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno;   /* ECONNREFUSED: nobody on 5351 */
		}

		if (answer_matches(x, buf, (size_t)n))
			return 0;
	}
}


static void addr_str(char *buf, size_t size, uint32_t addr)
{
	struct sa sa;

	sa_set_in(&sa, addr, 0);
	re_snprintf(buf, size, "%j", &sa);
}


/* Every answer: a server whose epoch went back lost our mappings */
static bool epoch_check6(struct pmp_client *c, bool v6,
			 enum ata_map_proto proto, const uint8_t gw[16],
			 uint32_t epoch)
{
	struct epoch_slot *sl = &c->slot[v6 ? 1 : 0];

	if (proto != sl->proto || memcmp(gw, sl->gw, 16)) {
		memset(&sl->epoch, 0, sizeof(sl->epoch));
		sl->proto = proto;
		memcpy(sl->gw, gw, 16);
	}

	return pmp_epoch_lost(&sl->epoch, epoch, now_ms());
}


static bool epoch_check(struct pmp_client *c, enum ata_map_proto proto,
			uint32_t gw, uint32_t epoch)
{
	uint8_t gwb[16];

	pmp_v4_mapped(gwb, gw);

	return epoch_check6(c, false, proto, gwb, epoch);
}


static int natpmp_ext_ip(int fd, uint32_t budget_ms, uint32_t *ext,
			 uint32_t *epoch)
{
	struct exchange x = {.proto = ATA_MAP_NATPMP,
			     .opcode = NATPMP_OP_ADDR};
	uint8_t req[4];
	size_t n = natpmp_addr_encode(req, sizeof(req));
	int err;

	err = exchange(fd, &x, req, n, budget_ms);
	if (err)
		return err;
	if (x.a.result)
		return natpmp_result_errno(x.a.result);

	*epoch = x.a.epoch;
	if (!pmp_v4_get(x.a.ext_ip, ext))
		return EBADMSG;

	return 0;
}


/**
 * Is there a server of @p proto on the default gateway? Fills @p igd
 * (found, gateway, our address, external address for NAT-PMP) and sets
 * job->epoch_reset if it is the server we knew and it restarted.
 */
int pmp_discover(struct pmp_client *c, enum ata_map_proto proto,
		 uint32_t timeout_ms, struct upnp_job *job,
		 struct upnp_igd *igd)
{
	struct exchange x = {.proto = proto, .opcode = PCP_OP_ANNOUNCE};
	uint32_t gw, lan, ext = 0, epoch = 0, budget;
	uint8_t req[PCP_HDR_LEN], client[16];
	struct sa csa;
	int fd = -1, err;

	if (!c || !job || !igd || proto == ATA_MAP_UPNP)
		return EINVAL;

	/* a loopback socket (a test daemon on the host) has nothing for a
	   gateway to map: ask none */
	if (job->client[0] && !sa_set_str(&csa, job->client, 0) &&
	    sa_is_loopback(&csa))
		return EADDRNOTAVAIL;

	err = pmp_gateway(&gw);
	if (err)
		return err == ENOENT ? ENETUNREACH : err;

	err = server_socket(&fd, gw, NULL, &lan);
	if (err)
		return err;

	/* an eighth of the timeout each: a LAN answers in milliseconds,
	   and a router that drops 5351 silently must leave UPnP its
	   time (one that has no server there says so by ICMP at once) */
	budget = timeout_ms / 8 > PROBE_MIN_MS ? timeout_ms / 8 :
		PROBE_MIN_MS;

	if (proto == ATA_MAP_PCP) {
		pmp_v4_mapped(client, lan);
		err = exchange(fd, &x, req,
			       pcp_announce_encode(req, sizeof(req), client),
			       budget);
		if (!err && x.a.version != PCP_VERSION)
			err = EPROTONOSUPPORT;
		else if (!err && x.a.result)
			err = pcp_result_errno(x.a.result);
		epoch = x.a.epoch;
	}
	else {
		err = natpmp_ext_ip(fd, budget, &ext, &epoch);
	}
	close(fd);
	if (err)
		return err;

	if (epoch_check(c, proto, gw, epoch))
		job->epoch_reset = true;

	memset(igd, 0, sizeof(*igd));
	igd->found = true;
	igd->proto = proto;
	igd->epoch = epoch;
	addr_str(igd->gateway, sizeof(igd->gateway), gw);
	addr_str(igd->lan, sizeof(igd->lan), lan);
	if (ext)
		addr_str(igd->ext_ip, sizeof(igd->ext_ip), ext);

	return 0;
}


/* The pinhole's internal address: the job's, else our global one */
static int client6(const struct upnp_job *job, const char *ifname,
		   uint8_t client[16])
{
	if (job->client[0] &&
	    inet_pton(AF_INET6, job->client, client) == 1)
		return pmp_v6_global(client) ? 0 : EADDRNOTAVAIL;

	return pmp_local6_addr(ifname, client);
}


/**
 * Is there a PCP server on the IPv6 default router? Fills @p igd (the
 * router, our global address, which is also the "external" one: a
 * firewall pinhole translates nothing) and sets job->epoch_reset if it
 * is the server we knew and it restarted. NAT-PMP has no IPv6.
 */
int pmp_discover6(struct pmp_client *c, uint32_t timeout_ms,
		  struct upnp_job *job, struct upnp_igd *igd)
{
	struct exchange x = {.proto = ATA_MAP_PCP,
			     .opcode = PCP_OP_ANNOUNCE};
	char ifname[IF_NAMESIZE + 16], gws[INET6_ADDRSTRLEN];
	uint8_t req[PCP_HDR_LEN], gw[16], client[16];
	uint32_t scope = 0, budget;
	int fd = -1, err;

	if (!c || !job || !igd)
		return EINVAL;

	err = pmp_gateway6(gw, &scope, ifname, sizeof(ifname));
	if (err)
		return err;
	err = client6(job, ifname, client);
	if (err)
		return err;

	err = server_socket6(&fd, gw, scope, client);
	if (err)
		return err;

	budget = timeout_ms / 8 > PROBE_MIN_MS ? timeout_ms / 8 :
		PROBE_MIN_MS;
	err = exchange(fd, &x, req,
		       pcp_announce_encode(req, sizeof(req), client), budget);
	if (!err && x.a.version != PCP_VERSION)
		err = EPROTONOSUPPORT;
	else if (!err && x.a.result)
		err = pcp_result_errno(x.a.result);
	close(fd);
	if (err)
		return err;

	if (epoch_check6(c, true, ATA_MAP_PCP, gw, x.a.epoch))
		job->epoch_reset = true;

	memset(igd, 0, sizeof(*igd));
	igd->found = true;
	igd->proto = ATA_MAP_PCP;
	igd->epoch = x.a.epoch;
	memcpy(igd->gw6, gw, 16);
	igd->gw6_scope = scope;
	inet_ntop(AF_INET6, gw, gws, sizeof(gws));
	if (IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)gw))
		re_snprintf(igd->gateway, sizeof(igd->gateway), "%s%%%s",
			    gws, ifname);
	else
		str_ncpy(igd->gateway, gws, sizeof(igd->gateway));
	inet_ntop(AF_INET6, client, igd->lan, sizeof(igd->lan));
	str_ncpy(igd->ext_ip, igd->lan, sizeof(igd->ext_ip));
	if (!job->client[0])
		str_ncpy(job->client, igd->lan, sizeof(job->client));

	return 0;
}


static void nonce_of(const struct pmp_client *c, uint16_t int_port,
		     uint8_t nonce[PCP_NONCE_LEN])
{
	memcpy(nonce, c->secret, PCP_NONCE_LEN);
	nonce[PCP_NONCE_LEN - 2] ^= (uint8_t)(int_port >> 8);
	nonce[PCP_NONCE_LEN - 1] ^= (uint8_t)int_port;
}


/* One MAP/mapping request; the answer in x->a */
static int map_request(struct pmp_client *c, int fd, struct exchange *x,
		       const struct pmp_map_req *req, uint32_t budget_ms)
{
	uint8_t buf[PCP_HDR_LEN + PCP_MAP_LEN];
	size_t n;
	int err;
	(void)c;

	x->nonce = req->nonce;
	x->int_port = req->int_port;
	if (x->proto == ATA_MAP_PCP) {
		x->opcode = PCP_OP_MAP;
		n = pcp_map_encode(buf, sizeof(buf), req);
	}
	else {
		x->opcode = NATPMP_OP_UDP;
		n = natpmp_map_encode(buf, sizeof(buf), req);
	}

	err = exchange(fd, x, buf, n, budget_ms);
	if (err)
		return err;
	if (x->a.version != (x->proto == ATA_MAP_PCP ? PCP_VERSION :
			     NATPMP_VERSION))
		return EPROTONOSUPPORT;   /* the server changed protocol */

	return 0;
}


static void result_to_job(struct upnp_job *job, enum ata_map_proto proto,
			  unsigned result)
{
	job->code = 0;   /* the codes are UPnP's; ours go in err */
	job->err = proto == ATA_MAP_PCP ? pcp_result_errno(result) :
		natpmp_result_errno(result);
}


/**
 * Run an ADD, GET or DEL job against the PCP or NAT-PMP server in
 * @p igd. A transport error (no answer, refused) leaves job->err set
 * and igd->found false: the next job looks for a server again.
 */
void pmp_run(struct pmp_client *c, struct upnp_job *job,
	     struct upnp_igd *igd)
{
	struct exchange x;
	struct pmp_map_req req;
	struct sa gwsa;
	uint8_t gwb[16];
	uint32_t lan, ext, epoch = 0;
	int fd = -1, err;

	if (!c || !job || !igd)
		return;

	memset(&x, 0, sizeof(x));
	memset(&req, 0, sizeof(req));
	x.proto = igd->proto;

	if (job->pinhole) {
		/* our global address both ways: a pinhole, not a NAT */
		if (!job->client[0])
			str_ncpy(job->client, igd->lan, sizeof(job->client));
		if (inet_pton(AF_INET6, job->client, req.client) != 1) {
			err = EINVAL;
			goto out;
		}
		memcpy(req.ext_ip, req.client, 16);
		memcpy(gwb, igd->gw6, 16);
		err = server_socket6(&fd, gwb, igd->gw6_scope, req.client);
		if (err)
			goto out;
	}
	else {
		if (sa_set_str(&gwsa, igd->gateway, 0)) {
			err = EINVAL;
			goto out;
		}

		err = server_socket(&fd, sa_in(&gwsa), job->client, &lan);
		if (err)
			goto out;

		if (!job->client[0])
			addr_str(job->client, sizeof(job->client), lan);

		pmp_v4_mapped(req.client, lan);
		pmp_v4_mapped(gwb, sa_in(&gwsa));
	}

	nonce_of(c, job->int_port, req.nonce);
	req.int_port = job->int_port;
	req.ext_port = job->ext_port;
	req.lifetime_s = job->op == UPNP_OP_DEL ? 0 : job->lease_s;

	err = map_request(c, fd, &x, &req, job->timeout_ms);
	if (err)
		goto out;

	if (epoch_check6(c, job->pinhole, x.proto, gwb, x.a.epoch))
		job->epoch_reset = true;
	igd->epoch = x.a.epoch;

	result_to_job(job, x.proto, x.a.result);
	if (job->err || job->op == UPNP_OP_DEL)
		goto done;

	if (x.a.ext_port != job->ext_port) {
		/* someone else holds our port: give back the one we got
		   and let the map choose (upnp_map_result.c) */
		req.ext_port = x.a.ext_port;
		req.lifetime_s = 0;
		(void)map_request(c, fd, &x, &req, job->timeout_ms / 2);
		if (job->op == UPNP_OP_ADD) {
			job->code = UPNP_E_CONFLICT;
			job->err = EADDRINUSE;
		}
		else {
			str_ncpy(job->got_client, "?",
				 sizeof(job->got_client));
			str_ncpy(job->got_port, "?", sizeof(job->got_port));
		}
		goto done;
	}

	job->got_lease_s = x.a.lifetime_s;
	str_ncpy(job->got_client, job->client, sizeof(job->got_client));
	re_snprintf(job->got_port, sizeof(job->got_port), "%u",
		    job->int_port);

	if (job->pinhole) {
		inet_ntop(AF_INET6, x.a.ext_ip, igd->ext_ip,
			  sizeof(igd->ext_ip));
	}
	else if (x.proto == ATA_MAP_PCP) {
		if (pmp_v4_get(x.a.ext_ip, &ext))
			addr_str(igd->ext_ip, sizeof(igd->ext_ip), ext);
	}
	else if (!natpmp_ext_ip(fd, job->timeout_ms / 2, &ext, &epoch)) {
		addr_str(igd->ext_ip, sizeof(igd->ext_ip), ext);
	}

	/* a renewal found a server that had forgotten us: say "missing"
	   as a UPnP IGD would (the map counts and reports the restore) */
	if (job->op == UPNP_OP_GET && job->epoch_reset) {
		job->code = UPNP_E_NO_SUCH_ENTRY;
		job->err = ENOENT;
	}

 done:
	close(fd);
	return;

 out:
	if (fd >= 0)
		close(fd);
	job->code = 0;
	job->err = err;
	igd->found = false;
}


int pmp_client_alloc(struct pmp_client **cp)
{
	struct pmp_client *c;

	if (!cp)
		return EINVAL;

	c = mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return ENOMEM;

	rand_bytes(c->secret, sizeof(c->secret));
	*cp = c;

	return 0;
}
