/**
 * @file call_rx.h  A call's received RTP, on the main loop or the media thread
 *
 * What every received RTP packet goes through, whichever thread reads
 * it: the loss count (reordering taken back), the RFC 3550 jitter, the
 * RFC 4733 digits (core/dsp/telev_rx.c), G.711 decoding by the packet's
 * own payload type. Two ways in:
 *
 * - call_rx_packet(): a packet libre read on the main loop (TURN, or a
 *   kernel without reuseport BPF);
 * - call_rx_drain(): on the line's media thread, everything the demux
 *   socket (core/sys/rtp_demux.c) holds, read with one recvmmsg() and
 *   the kernel's arrival times, SRTP checked in place. Digits and the
 *   fields libre's RTCP needs are queued for the main loop
 *   (call_rx_poll()); no lock, no allocation, no hand-off per packet.
 *
 * One thread at a time: the one that drains, while the socket is open
 * and the drainer holds the object (call_rx_attach_h), else the main
 * loop. The counters may be read by the main loop at any time.
 */
#ifndef ATA_CALL_RX_H
#define ATA_CALL_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct call_rx;
struct call_srtp;
struct sa;
struct udp_sock;

/** One decoded frame: on the thread that read it, @p arrival_ns on
 *  CLOCK_MONOTONIC */
typedef void (call_rx_audio_h)(uint32_t ssrc, uint16_t seq, uint32_t ts,
			       bool marker, const int16_t *pcm, size_t n,
			       uint64_t arrival_ns, void *arg);
/** Main loop: a digit received */
typedef void (call_rx_digit_h)(char key, void *arg);
/** Main loop: a packet the media thread read, for libre's RTCP */
typedef void (call_rx_rtcp_h)(uint32_t ssrc, uint16_t seq, uint32_t ts,
			      size_t size, void *arg);

/**
 * Who drains the call's socket (the line): @p rx != NULL hands the
 * object to it, NULL takes it back and returns only when the drainer
 * no longer reads it.
 */
typedef void (call_rx_attach_h)(struct call_rx *rx, void *arg);

struct call_rx_counters {
	uint64_t pkts, bytes, lost, bad, digits, srtp_fail;
	uint32_t jitter_us;     /**< RFC 3550 interarrival jitter      */
};

enum call_rx_kind {
	CALL_RX_NONE = 0,       /**< counted only (duplicate digit, bad) */
	CALL_RX_AUDIO,
	CALL_RX_DIGIT,
};

int  call_rx_alloc(struct call_rx **rxp);
void call_rx_set(struct call_rx *rx, struct call_srtp *srtp,
		 uint8_t telev_pt, int telev_pt_neg);
int  call_rx_open(struct call_rx *rx, struct udp_sock *us);
void call_rx_close(struct call_rx *rx);
int  call_rx_fd(const struct call_rx *rx);
/* the sender the thread drives with it (call_tx.h), main loop sets */
struct call_tx;
void call_rx_set_tx(struct call_rx *rx, struct call_tx *tx);
struct call_tx *call_rx_tx(const struct call_rx *rx);

enum call_rx_kind call_rx_packet(struct call_rx *rx, uint32_t ssrc,
				 uint16_t seq, uint32_t ts, uint8_t pt,
				 const uint8_t *payload, size_t len,
				 uint64_t arrival_ns, int16_t *pcm,
				 size_t *np, char *keyp);
bool call_rx_drain(struct call_rx *rx, call_rx_audio_h *ah, void *arg);
void call_rx_poll(struct call_rx *rx, call_rx_digit_h *dh,
		  call_rx_rtcp_h *rh, void *arg);

void call_rx_counters(const struct call_rx *rx, struct call_rx_counters *c);
bool call_rx_last_src(struct call_rx *rx, struct sa *src);
void call_rx_set_src(struct call_rx *rx, const struct sa *src);
uint32_t call_rx_ssrc(const struct call_rx *rx);
uint64_t call_rx_now_ns(void);

#endif
