/**
 * @file modules/turn/turn_conn.c  Reaching the TURN server: UDP, TCP, TLS
 *
 * Over UDP turnc shares the caller's socket. Over TCP/TLS (UDP blocked)
 * turnc runs on a connection of ours; the byte stream is cut into STUN
 * messages and ChannelData (turn_frame.c), turnc unwraps them, and
 * peers' data goes to the socket's owner (turn_inject.c). Every failure
 * ends in turn_relay_fail(), which reports it and allocates again.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "turn.h"


static int scode_err(uint16_t scode)
{
	switch (scode) {

	case 401: return EACCES;
	case 437: return EADDRINUSE;
	case 486: return EBUSY;
	case 508: return ENOSPC;
	default:  return EPROTO;
	}
}


static int turnc_start(struct turn_relay *tr, int proto, void *sock);


/* Ask again on the same socket or connection, within the same deadline
   (tmr_to keeps running); the old turnc is dropped here, not in its own
   callback */
static void mismatch_handler(void *arg)
{
	struct turn_relay *tr = arg;
	int err;

	tr->turnc = mem_deref(tr->turnc);
	if (tr->prm.transport == ATA_TRANSPORT_UDP)
		err = turnc_start(tr, IPPROTO_UDP, tr->us);
	else
		err = tr->tc ? turnc_start(tr, IPPROTO_TCP, tr->tc) : ENOTCONN;
	if (err)
		turn_relay_fail(tr, err, 0);
}


static void turnc_handler(int err, uint16_t scode, const char *reason,
			  const struct sa *relay, const struct sa *mapped,
			  const struct stun_msg *msg, void *arg)
{
	struct turn_relay *tr = arg;
	struct stun_attr *ltm;
	(void)reason;

	if (tr->failing)
		return;

	/* 437 to an Allocate: the server still holds an allocation for our
	   5-tuple, e.g. of the daemon we replace: it released it at
	   shutdown, but coturn drops it only at its next sweep (a second
	   or two). Ask again quietly until the deadline, then report 437. */
	if (scode == 437 && !tr->ok && tmr_isrunning(&tr->tmr_to)) {
		if (!tr->mismatch)
			ata_info("turn: %J holds an allocation for our "
				 "address (437), asking again",
				 &tr->prm.srv);
		tr->mismatch = true;
		tmr_start(&tr->tmr_retry, MISMATCH_RETRY_MS,
			  mismatch_handler, tr);
		return;
	}

	if (err || scode) {
		turn_relay_fail(tr, err ? err : scode_err(scode), scode);
		return;
	}

	if (!relay || !mapped)
		return;       /* a refresh went well: nothing new */

	ltm = msg ? stun_msg_attr(msg, STUN_ATTR_LIFETIME) : NULL;
	tr->lifetime_s = ltm ? ltm->v.lifetime : tr->prm.lifetime_s;
	tr->granted_ms = tmr_jiffies();
	tr->relay = *relay;
	tr->mapped = *mapped;
	tr->ok = true;
	tr->mismatch = false;
	tr->failures = 0;
	tr->last_err = 0;
	tr->last_scode = 0;
	tmr_cancel(&tr->tmr_to);
	ata_info("turn: relay %J via %J (%s, mapped %J, lifetime %us)",
		 relay, &tr->prm.srv,
		 turn_transport_name(tr->prm.transport), mapped,
		 tr->lifetime_s);
	if (tr->h)
		tr->h(0, relay, mapped, tr->lifetime_s, tr->arg);
}


static void timeout_handler(void *arg)
{
	struct turn_relay *tr = arg;

	if (tr->mismatch)
		turn_relay_fail(tr, EADDRINUSE, 437);
	else
		turn_relay_fail(tr, ETIMEDOUT, 0);
}


static int turnc_start(struct turn_relay *tr, int proto, void *sock)
{
	return turnc_alloc(&tr->turnc, NULL, proto, sock,
			   ATA_UDP_LAYER_TURN_CLIENT, &tr->prm.srv,
			   tr->username, tr->password, tr->prm.lifetime_s,
			   turnc_handler, tr);
}


static void tcp_estab_handler(void *arg)
{
	struct turn_relay *tr = arg;
	int err = turnc_start(tr, IPPROTO_TCP, tr->tc);

	if (err)
		turn_relay_fail(tr, err, 0);
}


/* Hand one frame to turnc; data for the app goes to the socket's owner */
static void tcp_frame(struct turn_relay *tr, struct mbuf *mb)
{
	struct sa src;

	if (!tr->turnc || turnc_recv(tr->turnc, &src, mb) ||
	    !mbuf_get_left(mb))
		return;

	++tr->rx;
	turn_relay_deliver(tr->us, &src, mb);
}


static void tcp_recv_handler(struct mbuf *mb, void *arg)
{
	struct turn_relay *tr = arg;
	struct mbuf *buf;
	size_t len;
	int err;

	if (!tr->tcpbuf && !(tr->tcpbuf = mbuf_alloc(2048))) {
		turn_relay_fail(tr, ENOMEM, 0);
		return;
	}

	buf = tr->tcpbuf;
	buf->pos = buf->end;
	err = mbuf_write_mem(buf, mbuf_buf(mb), mbuf_get_left(mb));
	buf->pos = 0;

	while (!err && !tr->failing) {
		struct mbuf *frame;

		err = turn_frame_len(mbuf_buf(buf), mbuf_get_left(buf), &len);
		if (err)
			break;

		/* a real mbuf: stun_msg_decode keeps a reference to it */
		frame = mbuf_alloc(len);
		if (!frame) {
			err = ENOMEM;
			break;
		}
		(void)mbuf_write_mem(frame, mbuf_buf(buf), len);
		frame->pos = 0;
		mbuf_advance(buf, len);
		tcp_frame(tr, frame);
		mem_deref(frame);
	}

	if (tr->failing)
		return;

	if (err == ENODATA && buf->end <= TCP_BUF_MAX) {
		/* keep the partial frame at the start of the buffer */
		len = mbuf_get_left(buf);
		memmove(buf->buf, mbuf_buf(buf), len);
		buf->pos = 0;
		buf->end = len;
		return;
	}

	turn_relay_fail(tr, err == ENODATA ? EMSGSIZE : err, 0);
}


static void tcp_close_handler(int err, void *arg)
{
	struct turn_relay *tr = arg;

	turn_relay_fail(tr, err ? err : ECONNRESET, 0);
}


int turn_relay_start(struct turn_relay *tr)
{
	int err;

	tr->mismatch = false;
	tmr_start(&tr->tmr_to, tr->prm.timeout_ms, timeout_handler, tr);

	if (tr->prm.transport == ATA_TRANSPORT_UDP)
		return turnc_start(tr, IPPROTO_UDP, tr->us);

	err = tcp_connect(&tr->tc, &tr->prm.srv, tcp_estab_handler,
			  tcp_recv_handler, tcp_close_handler, tr);
	if (!err && tr->prm.transport == ATA_TRANSPORT_TLS)
		err = tls_start_tcp(&tr->tlsc, tr->tls, tr->tc, 0);

	return err;
}
