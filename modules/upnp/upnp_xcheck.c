/**
 * @file modules/upnp/upnp_xcheck.c  Cross-check the IGD's external
 * address with one STUN binding request
 *
 * An IGD behind another NAT (a provider's CGNAT, a second router) maps
 * ports on an address nobody outside can reach. If a STUN server is
 * configured, one binding request from a socket of our own (not the
 * caller's: its packets are not ours to read) tells us the address the
 * Internet sees, to compare with what the IGD claims.
 */
#include <string.h>
#include "upnp.h"

struct upnp_xcheck {
	struct udp_sock *us;
	struct stun *stun;
	struct stun_ctrans *ct;
	struct tmr tmr;
	upnp_xcheck_h *h;
	void *arg;
};


static void xcheck_destructor(void *arg)
{
	struct upnp_xcheck *x = arg;

	tmr_cancel(&x->tmr);
	x->ct = mem_deref(x->ct);
	x->us = mem_deref(x->us);
	x->stun = mem_deref(x->stun);
}


/* h last: the owner may mem_deref us from it */
static void finish(struct upnp_xcheck *x, int err, const struct sa *seen)
{
	upnp_xcheck_h *h = x->h;

	tmr_cancel(&x->tmr);
	x->h = NULL;
	if (h)
		h(err, seen, x->arg);
}


static void resp_handler(int err, uint16_t scode, const char *reason,
			 const struct stun_msg *msg, void *arg)
{
	struct upnp_xcheck *x = arg;
	struct stun_attr *a = NULL;
	(void)reason;

	x->ct = NULL;
	if (!err && scode)
		err = EPROTO;
	if (!err) {
		a = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
		if (!a)
			a = stun_msg_attr(msg, STUN_ATTR_MAPPED_ADDR);
		if (!a)
			err = EBADMSG;
	}

	finish(x, err, a ? &a->v.sa : NULL);
}


static void udp_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct upnp_xcheck *x = arg;
	(void)src;

	(void)stun_recv(x->stun, mb);
}


static void timeout_handler(void *arg)
{
	struct upnp_xcheck *x = arg;

	x->ct = mem_deref(x->ct);
	finish(x, ETIMEDOUT, NULL);
}


/**
 * Ask the configured STUN server (an address literal: a name would need
 * DNS here and is skipped with ENOTSUP) for our public address.
 *
 * @return 0, EINVAL, ENOTSUP (no usable server) or a socket errno
 */
int upnp_xcheck_start(struct upnp_xcheck **xp, const struct sa *laddr,
		      uint32_t timeout_ms, upnp_xcheck_h *h, void *arg)
{
	struct ata_conf_server stun;
	struct upnp_xcheck *x;
	struct sa srv, local;
	int err;

	if (!xp || !laddr || !h)
		return EINVAL;

	if (ata_stun_server(&stun) ||
	    sa_set_str(&srv, stun.host, stun.port ? stun.port : STUN_PORT))
		return ENOTSUP;

	x = mem_zalloc(sizeof(*x), xcheck_destructor);
	if (!x)
		return ENOMEM;

	x->h = h;
	x->arg = arg;
	local = *laddr;
	sa_set_port(&local, 0);

	err = stun_alloc(&x->stun, NULL, NULL, NULL);
	if (err)
		goto out;

	err = udp_listen(&x->us, &local, udp_recv, x);
	if (err)
		goto out;

	err = stun_request(&x->ct, x->stun, IPPROTO_UDP, x->us, &srv, 0,
			   STUN_METHOD_BINDING, NULL, 0, false,
			   resp_handler, x, 0);
	if (err)
		goto out;

	tmr_start(&x->tmr, timeout_ms ? timeout_ms : 1000, timeout_handler,
		  x);

 out:
	if (err)
		mem_deref(x);
	else
		*xp = x;

	return err;
}
