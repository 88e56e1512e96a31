/**
 * @file modules/turn/turn_peer.c  Peers of a relay and the socket helper
 *
 * Everything the socket's owner sends to anyone but the TURN server goes
 * through the relay. The first packet to a peer asks for its permission;
 * once that holds, a channel (ChannelData before the bind completes
 * would be dropped by the server, Send indications are not).
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "turn.h"


void turn_peer_destructor(void *arg)
{
	struct turn_peer *p = arg;

	list_unlink(&p->le);
}


static void chan_handler(void *arg)
{
	struct turn_peer *p = arg;

	p->chan = true;
}


static void perm_handler(void *arg)
{
	struct turn_peer *p = arg;

	p->perm = true;
	if (p->tr->turnc)
		(void)turnc_add_chan(p->tr->turnc, &p->addr, chan_handler, p);
}


static struct turn_peer *peer_find(const struct turn_relay *tr,
				   const struct sa *addr)
{
	struct le *le;

	for (le = list_head(&tr->peers); le; le = le->next) {
		struct turn_peer *p = le->data;

		if (sa_cmp(&p->addr, addr, SA_ALL))
			return p;
	}

	return NULL;
}


/**
 * Let @p peer reach us through the relay and us reach it: a permission,
 * then a channel. Sending to a peer does this by itself.
 *
 * @return 0, EINVAL, ENOTCONN (no allocation yet) or ENOMEM
 */
int turn_relay_add_peer(struct turn_relay *tr, const struct sa *peer)
{
	struct turn_peer *p;
	int err;

	if (!tr || !peer || !sa_isset(peer, SA_ALL))
		return EINVAL;

	if (!tr->ok || !tr->turnc)
		return ENOTCONN;

	if (peer_find(tr, peer))
		return 0;

	p = mem_zalloc(sizeof(*p), turn_peer_destructor);
	if (!p)
		return ENOMEM;

	p->addr = *peer;
	p->tr = tr;
	list_append(&tr->peers, &p->le, p);
	err = turnc_add_perm(tr->turnc, peer, perm_handler, p);
	if (err)
		mem_deref(p);

	return err;
}


bool turn_relay_send_h(int *err, struct sa *dst, struct mbuf *mb,
			 void *arg)
{
	struct turn_relay *tr = arg;
	struct turn_peer *p;
	struct mbuf *copy;
	size_t len, room;

	if (sa_cmp(dst, &tr->prm.srv, SA_ALL))
		return false;     /* turnc's own requests */

	/* no relay (yet, or lost): the owner has not switched to it or is
	   told to switch back, so its packets go out directly */
	if (!tr->ok || !tr->turnc)
		return false;

	(void)turn_relay_add_peer(tr, dst);

	/* exactly the room turnc_send needs: with more, turnc's own helper
	   would wrap the result a second time on its way to the server */
	p = peer_find(tr, dst);
	room = p && p->perm ? CHAN_HDR : sa_af(dst) == AF_INET6 ?
		SENDIND6 : SENDIND4;
	len = mbuf_get_left(mb);
	copy = mbuf_alloc(room + len + 4);
	if (!copy) {
		*err = ENOMEM;
		return true;
	}

	copy->pos = copy->end = room;
	*err = mbuf_write_mem(copy, mbuf_buf(mb), len);
	copy->pos = room;
	if (!*err)
		*err = turnc_send(tr->turnc, dst, copy);
	if (!*err)
		++tr->tx;

	mem_deref(copy);

	return true;
}


bool turn_relay_recv_h(struct sa *src, struct mbuf *mb, void *arg)
{
	struct turn_relay *tr = arg;

	if (turn_relay_injected(tr->us, src, mb))
		return false;

	/* turnc (below us) has unwrapped relayed data and set src */
	if (!sa_cmp(src, &tr->prm.srv, SA_ALL) && peer_find(tr, src))
		++tr->rx;

	return false;
}
