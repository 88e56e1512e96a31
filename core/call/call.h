/**
 * @file call.h  One SIP call: signalling on libre sipsess, SDP, G.711 RTP
 *
 * A call is owned by exactly one holder (the line). Dropping the last
 * reference (mem_deref) ends the call on the wire (BYE, CANCEL or a final
 * response), and no handler runs after that. Every function runs on the
 * re_main thread.
 */
#ifndef ATA_CALL_H
#define ATA_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "call_rx.h"

struct call;
struct call_lsnr;
struct reg;
struct sip_stack;
struct rtp_header;
struct re_printf;

enum call_state {
	CALL_IDLE,
	CALL_OUTGOING,     /**< INVITE sent                          */
	CALL_RINGING,      /**< 180 received                         */
	CALL_EARLY,        /**< 183 with SDP: early media flows      */
	CALL_INCOMING,     /**< INVITE received, we ring             */
	CALL_ESTABLISHED,
	CALL_HELD,         /**< Held by us (sendonly/inactive)       */
	CALL_CLOSED,
};

/**
 * SRTP policy of an account (lines[].account.srtp). SDES keys (RFC 4568
 * a=crypto), AES_CM_128_HMAC_SHA1_80 preferred, _32 accepted.
 * OFF: offer plain RTP/AVP; crypto lines in offers are ignored (answer
 *      plain), RTP/SAVP offers get 488.
 * OPTIONAL: offer RTP/AVP with a=crypto (best effort, as baresip's
 *      mediaenc=srtp) and accept a plain answer; answer offers with
 *      crypto encrypted, plain offers plain.
 * MANDATORY: offer RTP/SAVP with a=crypto; offers and answers without
 *      usable crypto are refused (488 / call fails).
 * An offer that carries a=crypto lines of which none is usable (no key,
 * wrong key length, unknown suite, MKI) gets 488 unless the policy is
 * OFF and the profile RTP/AVP.
 */
enum call_srtp_policy {
	CALL_SRTP_OFF = 0,
	CALL_SRTP_OPTIONAL,
	CALL_SRTP_MANDATORY,
};

/** Who calls: an incoming INVITE's P-Asserted-Identity, else From */
struct call_caller {
	char number[32];    /**< digits (and a leading +), "": none     */
	char name[64];      /**< display name, "": none                 */
	bool hidden;        /**< anonymous or Privacy: id: private      */
};

/** Media settings; strings are only read during the call that takes it */
struct call_media_conf {
	uint16_t rtp_min, rtp_max;   /**< RTP port range (RTCP = +1)       */
	const char *codecs[4];       /**< "pcmu" / "pcma", preference order */
	size_t codecc;
	uint32_t ptime_ms;           /**< 10..60, multiple of 10          */
	uint8_t telev_pt;            /**< telephone-event PT, 96..127     */
	bool rtcp_mux;
	enum call_srtp_policy srtp;  /**< Default (0) is CALL_SRTP_OFF   */
};

/**
 * State change. CALL_CLOSED carries the SIP status (486 "Busy Here") or
 * 0 and a reason ("BYE", "CANCEL", "Connection timed out"). The handler
 * may mem_deref the call.
 */
typedef void (call_state_h)(struct call *call, enum call_state st,
			    uint16_t scode, const char *reason, void *arg);
/** An RFC 4733 digit ('0'-'9', '*', '#', 'A'-'D'), reported once */
typedef void (call_digit_h)(struct call *call, char key, void *arg);
/** One received RTP frame decoded to 8 kHz linear PCM */
typedef void (call_audio_h)(struct call *call, const struct rtp_header *h,
			    const int16_t *pcm, size_t n, void *arg);

/** An incoming call (call_listen); the handler takes the reference */
typedef void (call_incoming_h)(struct call *call, void *arg);

int  call_listen(struct call_lsnr **clp, struct sip_stack *ss,
		 const char *user, const struct call_media_conf *mc,
		 call_incoming_h *inh, void *arg);
int  call_connect(struct call **callp, struct sip_stack *ss, struct reg *reg,
		  const struct call_media_conf *mc, const char *target,
		  call_state_h *sh, call_digit_h *dh, call_audio_h *ah,
		  void *arg);
void call_set_handlers(struct call *call, call_state_h *sh,
		       call_digit_h *dh, call_audio_h *ah, void *arg);
int  call_ring(struct call *call, uint32_t max_ms);
int  call_answer(struct call *call);
void call_reject(struct call *call, uint16_t scode, const char *reason);
void call_hangup(struct call *call);
int  call_hold(struct call *call, bool hold);
int  call_send_digit(struct call *call, char key);
int  call_send_audio(struct call *call, const int16_t *pcm, size_t n);
/*
 * The line's media thread reads the call's RTP itself (call_rx.h):
 * @p attach gets the receive object, and NULL when the call takes it
 * back (its end, or TURN). ENOTSUP, or the kernel's error: the main
 * loop keeps reading it. Poll hands the thread's digits and RTCP
 * figures over, on the main loop.
 */
int  call_rx_thread(struct call *call, call_rx_attach_h *attach, void *arg);
void call_rx_thread_stop(struct call *call);
void call_rx_thread_poll(struct call *call);
enum call_state call_state(const struct call *call);
uint32_t call_id(const struct call *call);
const char *call_peer(const struct call *call);
int  call_status(struct re_printf *pf, const struct call *call);
/* call_mode.c: fax/modem pass-through, for the rest of the call */
void call_mode_passthrough(struct call *call, const char *tone,
			   const char *dir);
bool call_mode_is_passthrough(const struct call *call);
uint32_t call_ptime(const struct call *call);
bool call_sends_audio(const struct call *call);
bool call_sends_telev(const struct call *call);
const char *call_state_name(enum call_state st);
const struct call_caller *call_caller(const struct call *call);
struct sip_msg;
int  call_caller_decode(struct call_caller *cc, const struct sip_msg *msg);

/* RTP counters of one call so far, for the metrics (line_metrics.c) */
struct call_rtp_counters {
	uint64_t rx_pkts, rx_bytes, rx_lost;
	uint64_t tx_pkts, tx_bytes;
};
void call_rtp_counters(const struct call *call, struct call_rtp_counters *c);
/* One-way audio: a look at the call's counters about once a second;
   what to say (rx_watch.h), with the counters in @p c */
int call_rx_check(struct call *call, uint32_t limit_ms,
		  struct call_rtp_counters *c);
/* ----- call quality (call_quality.c, issue #15) ----- */

/** Who ended a call: us (hang-up, reject, rang too long), the far end
 *  (BYE, CANCEL, a final response), or an error (timeout, DNS, SRTP) */
#define CALL_BY_LOCAL  "local"
#define CALL_BY_REMOTE "remote"
#define CALL_BY_ERROR  "error"

/**
 * A call's figures now: identity, times, and the quality of the audio
 * we receive (what the phone hears): loss from the RTP sequence
 * numbers, RFC 3550 jitter and the RTCP round trip as libre measures
 * them, and the E-model's R and MOS (core/dsp/emodel.h) of G.711 with
 * concealment. measured is false while no RTP came in: loss, jitter,
 * R and MOS mean nothing then.
 */
struct call_quality {
	uint32_t id;
	bool incoming;
	char peer[128];
	uint64_t start;       /**< Wall clock, seconds since 1970 UTC     */
	uint32_t dur_ms;      /**< Answer to end (or now); 0: unanswered   */
	const char *codec;    /**< "pcmu", "pcma", "none"                  */
	const char *by;       /**< CALL_BY_*, NULL while the call is open  */
	bool measured;
	uint64_t rx_packets, rx_lost;
	double loss_pct;      /**< rx_lost / (rx_packets + rx_lost) * 100  */
	double jitter_ms;
	int32_t rtt_ms;       /**< -1: no RTCP round trip yet               */
	uint32_t delay_ms;    /**< One-way delay the E-model took          */
	double r, mos;
};

int  call_quality(const struct call *call, uint32_t local_ms,
		  struct call_quality *q);
int  call_quality_print(struct re_printf *pf, const struct call_quality *q,
			char sep);

#endif
