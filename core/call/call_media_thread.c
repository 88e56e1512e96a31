/**
 * @file call_media_thread.c  A call's RTP handed to the line's media thread
 *
 * The line asks (call_rx_thread()): the call opens the demux socket
 * (core/sys/rtp_demux.c) and gives its receive object, with its sender,
 * to the line's attach handler, which binds it to the audio thread. It
 * takes it back synchronously at its end, for TURN, and around any
 * change of what the thread reads (pause/resume). While handed over,
 * the main loop takes the thread's digits and feeds libre's RTCP with
 * what the thread received and sent: when the line's pipe wakes it,
 * and every RX_POLL_MS.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "call_media_priv.h"
#include "call_tx.h"
#include "nat/nat.h"

/* libre 1.1.0 exports these without a header (src/rtp/rtcp.h): what
   its RTP receive tells RTCP of each packet, for those it did not read */
struct rtcp_sess;
struct rtcp_sess *rtp_rtcp_sess(const struct rtp_sock *rs);
void rtcp_sess_rx_rtp(struct rtcp_sess *sess, uint16_t seq, uint32_t ts,
		      uint32_t ssrc, size_t payload_size,
		      const struct sa *peer);
void rtcp_sess_tx_rtp(struct rtcp_sess *sess, uint32_t ts,
		      size_t payload_size);

/*
 * libre's RTCP fed from the thread's records: libre reports every 5 s,
 * so its reports count what came up to 4 s before (its SR timestamps
 * are exact: call_tx_poll()), and the main loop wakes for it a quarter
 * as often as once a second would (0.005 wake-ups a packet, not 0.02).
 * The rings hold 5 s at ptime 10.
 */
enum { RX_POLL_MS = 4000 };


/* Main loop: libre's RTCP and the digits, from what the thread read */
static void rtcp_feed(uint32_t ssrc, uint16_t seq, uint32_t ts, size_t size,
		      void *arg)
{
	struct call_media *cm = arg;
	struct sa src;

	if (!call_rx_last_src(cm->rx, &src))
		sa_init(&src, AF_UNSPEC);
	rtcp_sess_rx_rtp(rtp_rtcp_sess(cm->rtp), seq, ts, ssrc, size, &src);
}


static void digit_in(char key, void *arg)
{
	struct call_media *cm = arg;

	if (cm->dh)
		cm->dh(key, cm->arg);
}


static void sr_feed(uint32_t ts, size_t size, void *arg)
{
	struct call_media *cm = arg;

	rtcp_sess_tx_rtp(rtp_rtcp_sess(cm->rtp), ts, size);
}


/** Main loop: take what the media thread queued (digits, RTCP) */
void call_media_poll(struct call_media *cm)
{
	if (!cm)
		return;

	call_rx_poll(cm->rx, digit_in, rtcp_feed, cm);
	call_tx_poll(cm->tx, sr_feed, cm);
}


static void rx_tmr_handler(void *arg)
{
	struct call_media *cm = arg;

	tmr_start(&cm->tmr_rx, RX_POLL_MS, rx_tmr_handler, cm);
	call_media_poll(cm);
}


/**
 * The line's media thread reads this call's RTP from now on: @p attach
 * gets the receive object (and NULL to give it back, synchronously).
 * Returns 0, EALREADY, ENOTSUP (relayed: TURN's data comes through
 * libre) or the socket's error; the main loop keeps the path then.
 */
int call_media_thread(struct call_media *cm, call_rx_attach_h *attach,
		      void *arg)
{
	int err;

	if (!cm || !attach)
		return EINVAL;
	if (cm->attached)
		return EALREADY;
	if (!strcmp(nat_media_path(cm->nat), "relay"))
		return ENOTSUP;

	err = call_rx_open(cm->rx, rtp_sock(cm->rtp));
	if (err)
		return err;
	call_tx_set_fd(cm->tx, call_rx_fd(cm->rx));

	/* libre is fed late from now on: its jitter (arrival = when fed)
	   would be wrong; ours (call_rx.c) is the one shown */
	rtcp_set_srate_rx(cm->rtp, 0);

	/* a digit libre still sends would share the thread's sequence
	   and SRTP context: its last packets go */
	tmr_cancel(&cm->tmr_telev);
	cm->attach = attach;
	cm->attach_arg = arg;
	cm->attached = true;
	attach(cm->rx, arg);
	tmr_start(&cm->tmr_rx, RX_POLL_MS, rx_tmr_handler, cm);

	return 0;
}


/** The main loop reads the call's RTP again (libre's socket) */
void call_media_thread_stop(struct call_media *cm)
{
	if (!cm || !cm->attached)
		return;

	cm->attached = false;
	cm->attach(NULL, cm->attach_arg);
	call_tx_set_fd(cm->tx, -1);
	call_rx_close(cm->rx);
	tmr_cancel(&cm->tmr_rx);
	call_media_poll(cm);
}


/** Before a change of what the thread reads: it stops reading */
void call_media_thread_pause(struct call_media *cm)
{
	if (cm->attached)
		cm->attach(NULL, cm->attach_arg);
}


/** After the change: the thread reads again (if it did) */
void call_media_thread_resume(struct call_media *cm)
{
	if (cm->attached)
		cm->attach(cm->rx, cm->attach_arg);
}
