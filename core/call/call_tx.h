/**
 * @file call_tx.h  A call's sent RTP, from the main loop or the media thread
 *
 * The audio timestamp, the marker and the RFC 4733 digits of one call,
 * whichever thread sends: G.711 frames encoded into one buffer made
 * with the call, the header written by libre's rtp_encode() so both
 * ways share one sequence. The main loop sends through libre (TURN and
 * the SRTP helper see it); the line's media thread (call_tx_thread())
 * writes the header, protects in place and sends on the demux socket
 * itself, and queues {ts, size} for libre's sender reports.
 *
 * One thread at a time, as call_rx.h: the media thread while the call
 * is attached, else the main loop. Digits cross to the media thread
 * through a ring (call_tx_digit()).
 */
#ifndef ATA_CALL_TX_H
#define ATA_CALL_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct call_tx;
struct call_srtp;
struct rtp_sock;
struct sa;

/** Main loop: a packet the media thread sent, for libre's RTCP */
typedef void (call_tx_rtcp_h)(uint32_t ts, size_t size, void *arg);

struct call_tx_conf {
	const struct sa *dst;        /**< NULL or unset: nowhere         */
	bool may_send;               /**< direction, answer known       */
	uint8_t pt;                  /**< PCMU or PCMA                   */
	int telev_pt;                /**< -1: the peer takes no digits   */
	uint32_t ptime;              /**< ms, a digit's packet time      */
	struct call_srtp *srtp;      /**< borrowed; NULL: plain          */
};

int  call_tx_alloc(struct call_tx **txp, struct rtp_sock *rs);
void call_tx_set(struct call_tx *tx, const struct call_tx_conf *conf);
void call_tx_set_fd(struct call_tx *tx, int fd);
bool call_tx_may_send(const struct call_tx *tx);
uint32_t call_tx_ts(const struct call_tx *tx);
void call_tx_mark(struct call_tx *tx);

/* main loop, while not attached: through libre (rtp_send) */
int  call_tx_audio(struct call_tx *tx, const int16_t *pcm, size_t n);

/* the media thread */
int  call_tx_audio_thread(struct call_tx *tx, const int16_t *pcm,
			  size_t n);
int  call_tx_digit(struct call_tx *tx, char key);
void call_tx_poll(struct call_tx *tx, call_tx_rtcp_h *rh, void *arg);
void call_tx_counters(const struct call_tx *tx, uint64_t *pkts,
		      uint64_t *bytes);

#endif
