/**
 * @file modules/upnp/pmp_wire.c  NAT-PMP and PCP packets (see pmp_wire.h)
 *
 * Why our own code and not libnatpmp: PCP has no library in Debian, so
 * its encoder and decoder are ours anyway, and NAT-PMP is the same
 * shape (version, opcode, result, epoch, ports, lifetime). A second
 * dependency to dlopen for sixty lines would bring its own blocking
 * socket, gateway lookup and retry timing, and no epoch check for us to
 * act on; here one retransmission loop (pmp_client.c) serves both and
 * one fuzz target covers both decoders. Decoders take any bytes: a
 * short, long, misaligned or wrong-version packet is an error, never a
 * read past its end.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "pmp_wire.h"

static const uint8_t zero16[16];


static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}


static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}


static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}


static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}


void pmp_v4_mapped(uint8_t out[16], uint32_t addr)
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	put32(out + 12, addr);
}


/** @return true if @p in is an IPv4-mapped address (in *addr) */
bool pmp_v4_get(const uint8_t in[16], uint32_t *addr)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};

	if (memcmp(in, prefix, sizeof(prefix)))
		return false;
	if (addr)
		*addr = get32(in + 12);

	return true;
}


/* RFC 6887 §7.1: the common request header */
static void pcp_header(uint8_t *p, uint8_t op, uint32_t lifetime_s,
		       const uint8_t client[16])
{
	memset(p, 0, PCP_HDR_LEN);
	p[0] = PCP_VERSION;
	p[1] = op;
	put32(p + 4, lifetime_s);
	memcpy(p + 8, client, 16);
}


/**
 * A PCP MAP request for UDP (RFC 6887 §11.1), no options: no
 * THIRD_PARTY (we only map our own ports) and no PREFER_FAILURE (not
 * every server has it; pmp_client.c gives back a port we did not ask
 * for). The suggested external address is all zeros: any.
 *
 * @return the length, 0 if @p size is too small
 */
size_t pcp_map_encode(uint8_t *buf, size_t size,
		      const struct pmp_map_req *req)
{
	uint8_t *m;

	if (!buf || !req || size < PCP_HDR_LEN + PCP_MAP_LEN)
		return 0;

	pcp_header(buf, PCP_OP_MAP, req->lifetime_s, req->client);
	m = buf + PCP_HDR_LEN;
	memset(m, 0, PCP_MAP_LEN);
	memcpy(m, req->nonce, PCP_NONCE_LEN);
	m[12] = PCP_PROTO_UDP;
	put16(m + 16, req->int_port);
	put16(m + 18, req->ext_port);
	memcpy(m + 20, req->ext_ip, 16);
	if (!memcmp(m + 20, zero16, 16))
		pmp_v4_mapped(m + 20, 0);   /* "any", IPv4 (§11.1) */

	return PCP_HDR_LEN + PCP_MAP_LEN;
}


/** ANNOUNCE (RFC 6887 §14.1): is there a PCP server, and its epoch */
size_t pcp_announce_encode(uint8_t *buf, size_t size,
			   const uint8_t client[16])
{
	if (!buf || !client || size < PCP_HDR_LEN)
		return 0;

	pcp_header(buf, PCP_OP_ANNOUNCE, 0, client);

	return PCP_HDR_LEN;
}


/* RFC 6887 §7.3: options are code, reserved, length, data padded to 4 */
static int pcp_options_check(const uint8_t *p, size_t len)
{
	while (len) {
		size_t olen, padded;

		if (len < 4)
			return EBADMSG;
		olen = get16(p + 2);
		padded = (olen + 3) & ~(size_t)3;
		if (padded > len - 4)
			return EBADMSG;
		p += 4 + padded;
		len -= 4 + padded;
	}

	return 0;
}


/**
 * Decode a PCP response. A NAT-PMP server's "unsupported version"
 * answer (version 0, RFC 6887 §9) decodes with version 0 and its
 * result; the caller tells the two apart.
 *
 * @return 0, EBADMSG (not a well-formed answer), EPROTONOSUPPORT
 */
int pcp_decode(struct pmp_answer *a, const uint8_t *buf, size_t len)
{
	if (!a || !buf)
		return EINVAL;

	memset(a, 0, sizeof(*a));

	if (len >= 4 && buf[0] == NATPMP_VERSION && (buf[1] & PMP_RESPONSE)) {
		a->version = NATPMP_VERSION;
		a->opcode = buf[1] & ~PMP_RESPONSE;
		a->result = get16(buf + 2);
		return EPROTONOSUPPORT;
	}

	if (len < PCP_HDR_LEN || len > PCP_PKT_MAX || len % 4)
		return EBADMSG;
	if (buf[0] != PCP_VERSION || !(buf[1] & PMP_RESPONSE))
		return EBADMSG;

	a->version = buf[0];
	a->opcode = buf[1] & ~PMP_RESPONSE;
	a->result = buf[3];
	a->lifetime_s = get32(buf + 4);
	a->epoch = get32(buf + 8);

	buf += PCP_HDR_LEN;
	len -= PCP_HDR_LEN;

	if (a->opcode == PCP_OP_MAP) {
		if (len < PCP_MAP_LEN)
			return EBADMSG;
		memcpy(a->nonce, buf, PCP_NONCE_LEN);
		a->protocol = buf[12];
		a->int_port = get16(buf + 16);
		a->ext_port = get16(buf + 18);
		memcpy(a->ext_ip, buf + 20, 16);
		buf += PCP_MAP_LEN;
		len -= PCP_MAP_LEN;
	}
	else if (a->opcode != PCP_OP_ANNOUNCE) {
		return EBADMSG;   /* we never ask anything else */
	}

	return pcp_options_check(buf, len);
}


/** A NAT-PMP UDP mapping request (RFC 6886 §3.3) */
size_t natpmp_map_encode(uint8_t *buf, size_t size,
			 const struct pmp_map_req *req)
{
	if (!buf || !req || size < 12)
		return 0;

	buf[0] = NATPMP_VERSION;
	buf[1] = NATPMP_OP_UDP;
	put16(buf + 2, 0);
	put16(buf + 4, req->int_port);
	/* §3.4: a deletion suggests external port 0 */
	put16(buf + 6, req->lifetime_s ? req->ext_port : 0);
	put32(buf + 8, req->lifetime_s);

	return 12;
}


/** A NAT-PMP external address request (RFC 6886 §3.2) */
size_t natpmp_addr_encode(uint8_t *buf, size_t size)
{
	if (!buf || size < 2)
		return 0;

	buf[0] = NATPMP_VERSION;
	buf[1] = NATPMP_OP_ADDR;

	return 2;
}


/**
 * Decode a NAT-PMP response: 8 bytes (version, opcode, result, epoch)
 * for an error, 12 for an address, 16 for a mapping.
 *
 * @return 0, EBADMSG
 */
int natpmp_decode(struct pmp_answer *a, const uint8_t *buf, size_t len)
{
	if (!a || !buf)
		return EINVAL;

	memset(a, 0, sizeof(*a));

	if (len < 8 || len > PCP_PKT_MAX || buf[0] != NATPMP_VERSION ||
	    !(buf[1] & PMP_RESPONSE))
		return EBADMSG;

	a->version = NATPMP_VERSION;
	a->opcode = buf[1] & ~PMP_RESPONSE;
	a->result = get16(buf + 2);
	a->epoch = get32(buf + 4);

	switch (a->opcode) {

	case NATPMP_OP_ADDR:
		if (len < 12)
			return a->result ? 0 : EBADMSG;
		pmp_v4_mapped(a->ext_ip, get32(buf + 8));
		return 0;

	case NATPMP_OP_UDP:
		if (len < 16)
			return a->result ? 0 : EBADMSG;
		a->protocol = PCP_PROTO_UDP;
		a->int_port = get16(buf + 8);
		a->ext_port = get16(buf + 10);
		a->lifetime_s = get32(buf + 12);
		return 0;

	default:
		return EBADMSG;
	}
}


/**
 * Did the server lose its mappings since its last answer? RFC 6887
 * §8.5 (which RFC 6886 §3.6 amounts to): its epoch went back by more
 * than a second, or its clock and ours disagree on the time between
 * the two answers by more than 2 s and 1/16. Stores this answer's
 * epoch for the next check.
 */
bool pmp_epoch_lost(struct pmp_epoch *e, uint32_t server_s,
		    uint64_t now_ms)
{
	int64_t client_d, server_d;
	bool lost = false;

	if (!e)
		return false;

	if (e->valid) {
		client_d = (int64_t)((now_ms - e->client_ms) / 1000);
		server_d = (int64_t)server_s - (int64_t)e->server_s;

		if ((int64_t)server_s + 1 < (int64_t)e->server_s)
			lost = true;
		else if (client_d + 2 < server_d - server_d / 16 ||
			 server_d + 2 < client_d - client_d / 16)
			lost = true;
	}

	e->valid = true;
	e->server_s = server_s;
	e->client_ms = now_ms;

	return lost;
}


/** A PCP result code as an errno for the map and the logs */
int pcp_result_errno(unsigned result)
{
	switch (result) {

	case PCP_OK:                     return 0;
	case PCP_UNSUPP_VERSION:         return EPROTONOSUPPORT;
	case PCP_NOT_AUTHORIZED:         return EPERM;
	case PCP_MALFORMED_REQUEST:
	case PCP_MALFORMED_OPTION:       return EINVAL;
	case PCP_UNSUPP_OPCODE:
	case PCP_UNSUPP_OPTION:
	case PCP_UNSUPP_PROTOCOL:        return ENOTSUP;
	case PCP_NETWORK_FAILURE:        return ENETDOWN;
	case PCP_NO_RESOURCES:
	case PCP_USER_EX_QUOTA:
	case PCP_EXCESSIVE_REMOTE_PEERS: return ENOSPC;
	case PCP_CANNOT_PROVIDE_EXTERNAL: return EADDRNOTAVAIL;
	case PCP_ADDRESS_MISMATCH:       return EADDRNOTAVAIL;
	default:                         return EPROTO;
	}
}


/** A NAT-PMP result code (RFC 6886 §3.5) as an errno */
int natpmp_result_errno(unsigned result)
{
	switch (result) {

	case 0:  return 0;
	case 1:  return EPROTONOSUPPORT;
	case 2:  return EPERM;      /* refused, e.g. switched off */
	case 3:  return ENETDOWN;   /* the gateway has no address */
	case 4:  return ENOSPC;
	case 5:  return ENOTSUP;
	default: return EPROTO;
	}
}


const char *pcp_result_str(unsigned result)
{
	static const char *const names[] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED",
		"MALFORMED_REQUEST", "UNSUPP_OPCODE", "UNSUPP_OPTION",
		"MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES",
		"UNSUPP_PROTOCOL", "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL",
		"ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS",
	};

	return result < sizeof(names) / sizeof(names[0]) ?
		names[result] : "unknown";
}


/**
 * The default route's gateway in /proc/net/route text: the lowest
 * metric among up routes with a gateway to 0.0.0.0/0.
 *
 * @param gw  host byte order
 * @return 0, ENOENT (no default route), EINVAL
 */
int pmp_route_gateway(const char *text, uint32_t *gw)
{
	unsigned long best_metric = (unsigned long)-1;
	bool found = false;
	const char *line;

	if (!text || !gw)
		return EINVAL;

	for (line = text; line && *line; ) {
		const char *nl = strchr(line, '\n');
		char buf[256], ifn[32];
		unsigned long dst, gwx, flags, refc, use, metric, mask;
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = '\0';
			if (sscanf(buf, "%31s %lx %lx %lx %lu %lu %lu %lx",
				   ifn, &dst, &gwx, &flags, &refc, &use,
				   &metric, &mask) == 8 &&
			    !dst && !mask && gwx && (flags & 0x3) == 0x3 &&
			    gwx <= 0xffffffffUL &&
			    (!found || metric < best_metric)) {
				/* the kernel prints the network-order word
				   as a native integer */
				*gw = ntohl((uint32_t)gwx);
				best_metric = metric;
				found = true;
			}
		}

		line = nl ? nl + 1 : NULL;
	}

	return found ? 0 : ENOENT;
}


/* 32 hex digits (a /proc/net IPv6 address) into 16 bytes */
static bool hex16(const char *hex, uint8_t out[16])
{
	size_t i;

	if (strlen(hex) != 32)
		return false;

	for (i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 ||
		    !isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			return false;
		out[i] = (uint8_t)v;
	}

	return true;
}


/* Each line of @p text into a bounded buffer, NUL-terminated */
static const char *next_line(const char *line, char *buf, size_t size)
{
	const char *nl = strchr(line, '\n');
	size_t n = nl ? (size_t)(nl - line) : strlen(line);

	buf[0] = '\0';
	if (n < size) {
		memcpy(buf, line, n);
		buf[n] = '\0';
	}

	return nl ? nl + 1 : NULL;
}


/**
 * A global unicast IPv6 address (2000::/3): reachable from the
 * Internet, so worth a pinhole. Link-local, ULA (fc00::/7), loopback,
 * multicast and v4-mapped addresses are not: nobody outside can send
 * to them through a firewall, whatever it lets in.
 */
bool pmp_v6_global(const uint8_t a[16])
{
	return a && (a[0] & 0xe0) == 0x20;
}


/**
 * The IPv6 default router from /proc/net/ipv6_route: the next hop of
 * the lowest-metric up route to ::/0 with a gateway (usually the
 * router's link-local address, hence its interface in @p ifname).
 *
 * @return 0, ENOENT (no default route), EINVAL
 */
int pmp_route6_gateway(const char *text, uint8_t gw[16],
		       char *ifname, size_t ifsize)
{
	unsigned long best_metric = (unsigned long)-1;
	bool found = false;
	const char *line;

	if (!text || !gw || !ifname || !ifsize)
		return EINVAL;

	for (line = text; line && *line; ) {
		char buf[256], dst[40], src[40], hop[40], ifn[32];
		unsigned long dlen, slen, metric, refc, use, flags;
		uint8_t d[16], h[16];

		line = next_line(line, buf, sizeof(buf));
		if (sscanf(buf, "%39s %lx %39s %lx %39s %lx %lx %lx %lx %31s",
			   dst, &dlen, src, &slen, hop, &metric, &refc, &use,
			   &flags, ifn) != 10)
			continue;
		/* up, via a gateway, not a reject (lo's ::/0 unreachable) */
		if (dlen || (flags & 0x203) != 0x3 || !hex16(dst, d) ||
		    !hex16(hop, h) || memcmp(d, zero16, 16) ||
		    !memcmp(h, zero16, 16))
			continue;
		if (found && metric >= best_metric)
			continue;

		memcpy(gw, h, 16);
		snprintf(ifname, ifsize, "%s", ifn);
		best_metric = metric;
		found = true;
	}

	return found ? 0 : ENOENT;
}


/**
 * Our global IPv6 address on @p ifname ("" = any interface) from
 * /proc/net/if_inet6: global scope, not tentative, deprecated or
 * failed, in 2000::/3 (pmp_v6_global). A stable address is preferred
 * to a temporary (privacy) one, which changes within a day and would
 * take the registrar's binding and the pinhole with it.
 *
 * @return 0, ENOENT (none), EINVAL
 */
int pmp_if6_global(const char *text, const char *ifname, uint8_t addr[16])
{
	enum { TEMPORARY = 0x01, DADFAILED = 0x08, DEPRECATED = 0x20,
	       TENTATIVE = 0x40 };
	bool found = false, stable = false;
	const char *line;

	if (!text || !ifname || !addr)
		return EINVAL;

	for (line = text; line && *line; ) {
		char buf[256], hex[40], ifn[32];
		unsigned long idx, plen, scope, flags;
		uint8_t a[16];

		line = next_line(line, buf, sizeof(buf));
		if (sscanf(buf, "%39s %lx %lx %lx %lx %31s", hex, &idx,
			   &plen, &scope, &flags, ifn) != 6)
			continue;
		if (scope || (flags & (DADFAILED | DEPRECATED | TENTATIVE)) ||
		    (ifname[0] && strcmp(ifname, ifn)) || !hex16(hex, a) ||
		    !pmp_v6_global(a))
			continue;
		if (stable || (found && (flags & TEMPORARY)))
			continue;

		memcpy(addr, a, 16);
		found = true;
		stable = !(flags & TEMPORARY);
	}

	return found ? 0 : ENOENT;
}
