/**
 * @file modules/turn/turn_relay.c  One TURN allocation for one UDP socket
 *
 * libre's turnc does the protocol (Allocate, Refresh, CreatePermission,
 * ChannelBind, Send/Data, ChannelData). This file owns the relay's life:
 * allocate, report, and recover. A failed refresh, permission or
 * connection of a live allocation reports ENOTCONN; one that never came
 * up reports its error (ETIMEDOUT, EACCES, ...). Either way a new
 * allocation is tried until the owner releases the relay, after a wait
 * that doubles with each failure in a row (turn_backoff.c).
 * A 437 (allocation mismatch) before the deadline is asked again
 * quietly (turn_conn.c): the server still holds the allocation our
 * predecessor on this address released. mem_deref releases ours.
 * Reaching the server is turn_conn.c, peers and the socket helper
 * turn_peer.c; `transport: auto` going over TCP turn_auto.c.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "turn.h"

static struct list relays;


static void relay_stop(struct turn_relay *tr)
{
	tmr_cancel(&tr->tmr_to);
	list_flush(&tr->peers);
	tr->turnc = mem_deref(tr->turnc);
	tr->tlsc = mem_deref(tr->tlsc);
	tr->tc = mem_deref(tr->tc);
	tr->tcpbuf = mem_deref(tr->tcpbuf);
	tr->ok = false;
}


static void relay_destructor(void *arg)
{
	struct turn_relay *tr = arg;

	tmr_cancel(&tr->tmr_retry);
	/* turnc's destructor sends Refresh with LIFETIME 0 (RFC 8656
	   section 7): the server frees the relay now, not at expiry */
	if (tr->ok && tr->turnc)
		ata_info("turn: relay %J on %J released", &tr->relay,
			 &tr->prm.srv);
	relay_stop(tr);
	list_unlink(&tr->le);
	mem_deref(tr->uh);
	mem_deref(tr->tls);
	mem_deref(tr->us);
	mem_deref(tr->username);
	mem_deref(tr->password);
}


/* The old turnc is dropped here, not in its own callback */
static void retry_handler(void *arg)
{
	struct turn_relay *tr = arg;
	int err;

	relay_stop(tr);
	tr->failing = false;
	err = turn_relay_start(tr);
	if (err)
		turn_relay_fail(tr, err, 0);
}


/* Report a failure once; a live allocation that is lost is ENOTCONN
   and is made again, as is one that never came up (the owner decides
   when to give up: it mem_derefs us). The handler may free us. */
void turn_relay_fail(struct turn_relay *tr, int err, uint16_t scode)
{
	bool was_ok = tr->ok;

	if (tr->failing)
		return;

	if (turn_auto_fallback(tr, err)) {
		tr->failing = true;  /* until retry_handler starts anew */
		tmr_cancel(&tr->tmr_to);
		tmr_start(&tr->tmr_retry, 0, retry_handler, tr);
		return;
	}

	tr->failing = true;
	tr->ok = false;
	tr->last_err = err;
	tr->last_scode = scode;
	if (scode)
		ata_warn("turn: %s %J failed: %u (%s)",
			 was_ok ? "allocation on" : "allocating via",
			 &tr->prm.srv, scode, turn_scode_name(scode));
	else
		ata_warn("turn: %s %J failed: %m (stun 0)",
			 was_ok ? "allocation on" : "allocating via",
			 &tr->prm.srv, err);
	tmr_cancel(&tr->tmr_to);
	tmr_start(&tr->tmr_retry, turn_backoff_ms(++tr->failures),
		  retry_handler, tr);
	if (tr->h)
		tr->h(was_ok ? ENOTCONN : err, NULL, NULL, 0, tr->arg);
}


/**
 * Allocate a relay for @p us (which stays the caller's) and keep it:
 * @p h reports the relayed address, later ENOTCONN and a new address if
 * the server loses it. mem_deref releases the allocation.
 *
 * @return 0, EINVAL, ENOMEM, or the error of the first request
 */
int turn_relay_alloc(struct turn_relay **trp, struct udp_sock *us,
		     const struct turn_relay_prm *prm, turn_relay_h *h,
		     void *arg)
{
	struct turn_relay *tr;
	int err;

	if (!trp || !us || !prm || !sa_isset(&prm->srv, SA_ALL) ||
	    !str_isset(prm->username) || !prm->password)
		return EINVAL;

	tr = mem_zalloc(sizeof(*tr), relay_destructor);
	if (!tr)
		return ENOMEM;

	tmr_init(&tr->tmr_to);
	tmr_init(&tr->tmr_retry);
	list_init(&tr->peers);
	tr->us = mem_ref(us);
	tr->prm = *prm;
	tr->h = h;
	tr->arg = arg;
	if (!tr->prm.lifetime_s)
		tr->prm.lifetime_s = TURN_DEFAULT_LIFETIME;
	if (!tr->prm.timeout_ms)
		tr->prm.timeout_ms = 5000;

	err  = str_dup(&tr->username, prm->username);
	err |= str_dup(&tr->password, prm->password);
	if (err)
		goto out;

	tr->prm.username = tr->username;
	tr->prm.password = tr->password;

	if (prm->transport == ATA_TRANSPORT_TLS) {
		err = tls_alloc(&tr->tls, TLS_METHOD_SSLV23, NULL, NULL);
		if (err)
			goto out;
	}

	err = udp_register_helper(&tr->uh, us, ATA_UDP_LAYER_TURN_RELAY,
				  turn_relay_send_h, turn_relay_recv_h, tr);
	if (err)
		goto out;

	list_append(&relays, &tr->le, tr);
	err = turn_relay_start(tr);

 out:
	if (err)
		mem_deref(tr);
	else
		*trp = tr;

	return err;
}


/** What a TURN error code means, for a log line a support line can use */
const char *turn_scode_name(uint16_t scode)
{
	switch (scode) {

	case 300: return "try alternate";
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 437: return "allocation mismatch";
	case 438: return "stale nonce";
	case 440: return "address family not supported";
	case 441: return "wrong credentials";
	case 442: return "unsupported transport protocol";
	case 486: return "allocation quota reached";
	case 500: return "server error";
	case 508: return "insufficient capacity";
	default:  return "error";
	}
}


const char *turn_transport_name(enum ata_transport tp)
{
	switch (tp) {

	case ATA_TRANSPORT_UDP: return "udp";
	case ATA_TRANSPORT_TCP: return "tcp";
	case ATA_TRANSPORT_TLS: return "tls";
	default:                return "?";
	}
}


/** `key=value` lines for one relay, prefixed `relay.N.` by the caller */
int turn_relay_print(struct re_printf *pf, const struct turn_relay *tr)
{
	uint32_t perms = 0, chans = 0, left = 0;
	uint64_t age_s;
	struct le *le;
	int err;

	if (!pf || !tr)
		return EINVAL;

	for (le = list_head(&tr->peers); le; le = le->next) {
		const struct turn_peer *p = le->data;

		perms += p->perm;
		chans += p->chan;
	}

	if (tr->ok) {
		age_s = (tmr_jiffies() - tr->granted_ms) / 1000;
		left = age_s < tr->lifetime_s ?
			tr->lifetime_s - (uint32_t)age_s : 0;
	}

	err = re_hprintf(pf, "server=%J\ntransport=%s\nstate=%s\n",
			 &tr->prm.srv, turn_transport_name(tr->prm.transport),
			 tr->ok ? "allocated" : "allocating");
	if (tr->ok)
		err |= re_hprintf(pf, "relayed=%J\nmapped=%J\n"
				  "lifetime=%u\nlifetime_left=%u\n",
				  &tr->relay, &tr->mapped, tr->lifetime_s,
				  left);
	err |= re_hprintf(pf, "peers=%u\npermissions=%u\nchannels=%u\n"
			  "tx_packets=%llu\nrx_packets=%llu\n",
			  list_count(&tr->peers), perms, chans,
			  (unsigned long long)tr->tx,
			  (unsigned long long)tr->rx);
	if (tr->last_err)
		err |= re_hprintf(pf, "last_error=%m (%d, stun %u)\n",
				  tr->last_err, tr->last_err,
				  tr->last_scode);

	return err;
}


/** Every live relay, for status */
struct list *turn_relay_list(void)
{
	return &relays;
}
