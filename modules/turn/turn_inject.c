/**
 * @file modules/turn/turn_inject.c  Hand TCP-relayed data to a UDP socket
 *
 * With the allocation over TCP/TLS, peers' packets arrive on our TCP
 * connection, but the socket's owner (RTP, SIP) reads its UDP socket's
 * handler, which libre 1.1.0 gives no way to call from outside. So the
 * packet is sent to that socket over loopback from a private socket,
 * wrapped with a per-process random token and the peer's address; our
 * helper on the socket recognises sender and token, unwraps it and puts
 * the peer back as the source. A local process that cannot guess the
 * 64-bit token cannot forge a peer.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "turn.h"

enum {
	TOKEN_LEN = 8,
	WRAP_LEN = TOKEN_LEN + 2 + 16 + 1,   /* token, port, addr, af */
};

static struct {
	struct udp_sock *us;
	struct sa laddr;
	uint8_t token[TOKEN_LEN];
} inj;


static int inject_open(void)
{
	struct sa any;
	int err;

	if (inj.us)
		return 0;

	rand_bytes(inj.token, sizeof(inj.token));
	(void)sa_set_str(&any, "127.0.0.1", 0);
	err = udp_listen(&inj.us, &any, NULL, NULL);
	if (!err)
		err = udp_local_get(inj.us, &inj.laddr);
	if (err)
		inj.us = mem_deref(inj.us);

	return err;
}


/** Send @p mb from @p src to the owner of @p us as if it came from src */
void turn_relay_deliver(struct udp_sock *us, const struct sa *src,
			struct mbuf *mb)
{
	struct sa dst;
	struct mbuf *w;
	int err;

	if (!us || !src || !mb || sa_af(src) != AF_INET)
		return;

	if (inject_open() || udp_local_get(us, &dst))
		return;

	if (sa_af(&dst) != AF_INET)
		return;
	if (sa_is_any(&dst))
		(void)sa_set_str(&dst, "127.0.0.1", sa_port(&dst));

	w = mbuf_alloc(WRAP_LEN + mbuf_get_left(mb));
	if (!w)
		return;

	err  = mbuf_write_mem(w, inj.token, sizeof(inj.token));
	err |= mbuf_write_u16(w, htons(sa_port(src)));
	err |= mbuf_write_u32(w, htonl(sa_in(src)));
	err |= mbuf_fill(w, 0, 12);
	err |= mbuf_write_u8(w, AF_INET);
	err |= mbuf_write_mem(w, mbuf_buf(mb), mbuf_get_left(mb));
	w->pos = 0;
	if (!err)
		(void)udp_send(inj.us, &dst, w);

	mem_deref(w);
}


/** true if @p mb was injected: unwrapped, *src set to the peer */
bool turn_relay_injected(struct udp_sock *us, struct sa *src,
			 struct mbuf *mb)
{
	const uint8_t *p;
	uint16_t port;
	uint32_t addr;
	(void)us;

	if (!inj.us || !sa_cmp(src, &inj.laddr, SA_ALL) ||
	    mbuf_get_left(mb) < WRAP_LEN)
		return false;

	p = mbuf_buf(mb);
	if (memcmp(p, inj.token, TOKEN_LEN) || p[WRAP_LEN - 1] != AF_INET)
		return false;

	port = (uint16_t)(p[TOKEN_LEN] << 8 | p[TOKEN_LEN + 1]);
	addr = (uint32_t)p[10] << 24 | (uint32_t)p[11] << 16 |
		(uint32_t)p[12] << 8 | p[13];
	sa_set_in(src, addr, port);
	mbuf_advance(mb, WRAP_LEN);

	return true;
}


void turn_inject_close(void)
{
	inj.us = mem_deref(inj.us);
}
