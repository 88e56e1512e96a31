/**
 * @file call_media_priv.h  One call's RTP, for its two files
 *
 * call_media.c is the socket, SRTP's helpers, the agreement, digits and
 * counters; call_media_thread.c hands the call's receive and send to
 * the line's media thread and back. Nothing else sees the struct.
 */
#ifndef ATA_CALL_MEDIA_PRIV_H
#define ATA_CALL_MEDIA_PRIV_H

#include <re.h>
#include "call_int.h"
#include "call_rx.h"

struct call_media {
	struct rtp_sock *rtp;
	struct nat_media *nat;    /* public address, keep-alive (nat.h) */
	struct udp_helper *uh_rtp, *uh_rtcp;  /* SRTP on both sockets  */
	struct call_srtp *srtp;   /* ref; NULL = plain RTP          */
	struct telev *telev;      /* libre's: our digits out        */
	struct call_rx *rx;       /* call_rx.c: what we receive      */
	struct call_tx *tx;       /* call_tx.c: what we send         */
	struct tmr tmr_telev;
	struct tmr tmr_rx;        /* while a thread reads: the feed  */
	/* the line's media thread reads rx (call_media_thread) */
	call_rx_attach_h *attach;
	void *attach_arg;
	bool attached;
	struct call_mprefs mp;
	struct call_neg neg;
	struct sa laddr;
	call_media_digit_h *dh;
	call_media_audio_h *ah;
	void *arg;
	uint32_t ts_event;        /* timestamp of the digit on air  */
	struct {
		uint64_t tx_pkts, tx_bytes, tx_digits;
		uint64_t srtp_fail;         /* main loop: RTCP, TURN */
		uint64_t rtcp_sr, rtcp_rr;  /* reports received    */
	} cnt;
	bool negotiated;          /* once: codec for the history     */
};


/* call_media_thread.c: what the thread reads changes between these */
void call_media_thread_pause(struct call_media *cm);
void call_media_thread_resume(struct call_media *cm);

#endif
