/**
 * @file call_int.h  Private interfaces between the files of the call unit
 *
 * call_sdp.c is pure (no sockets): SDP text in, negotiated parameters
 * out, so tests and the fuzzer drive it directly.
 */
#ifndef ATA_CALL_INT_H
#define ATA_CALL_INT_H

#include <re.h>
#include "call.h"
#include "call_srtp.h"

enum {
	CALL_PT_PCMU = 0,
	CALL_PT_PCMA = 8,
	CALL_CODEC_MAX = 2,
	CALL_SRATE = 8000,
};

/** call_media_conf, checked and copied (no borrowed strings) */
struct call_mprefs {
	uint8_t ptv[CALL_CODEC_MAX];  /**< Static PTs in preference order */
	size_t ptc;
	uint32_t ptime;
	uint8_t telev_pt;
	bool rtcp_mux;
	uint16_t rtp_min, rtp_max;
	enum call_srtp_policy srtp;
};

/** What offer/answer agreed, seen from our side */
struct call_neg {
	bool ok;             /**< A codec is agreed                     */
	uint8_t pt;          /**< Codec we send                         */
	int telev_pt;        /**< PT for our digits; -1: peer has none  */
	uint32_t ptime;      /**< Our send ptime (peer's a=ptime)       */
	enum sdp_dir dir;    /**< Effective direction for us            */
	struct sa rtp;       /**< Where we send RTP                     */
	struct sa rtcp;      /**< Where we send RTCP (== rtp if muxed)  */
	bool rtcp_mux;
	/** SRTP contexts when crypto is agreed, else NULL (plain RTP).
	    Owned by call_sdp; mem_ref it to keep it. A new object means
	    new keys (re-INVITE); the same pointer means nothing changed. */
	struct call_srtp *srtp;
};

struct call_sdp;

int  call_mprefs_set(struct call_mprefs *mp, const struct call_media_conf *mc);

int  call_sdp_alloc(struct call_sdp **csp, const struct call_mprefs *mp,
		    const struct sa *laddr);
void call_sdp_set_hold(struct call_sdp *cs, bool hold);
int  call_sdp_offer(struct call_sdp *cs, struct mbuf **mbp);
int  call_sdp_answer(struct call_sdp *cs, struct mbuf *offer,
		     struct mbuf **mbp);
int  call_sdp_answer_again(struct call_sdp *cs, struct mbuf **mbp);
int  call_sdp_recv_answer(struct call_sdp *cs, struct mbuf *answer);
const struct call_neg *call_sdp_neg(const struct call_sdp *cs);
void call_sdp_set_laddr(struct call_sdp *cs, const struct sa *rtp,
			const struct sa *rtcp);

/* call_sdes.c: SDES keys (RFC 4568) for call_sdp.c */
enum { CALL_SDES_OFFERC = 2 };

struct call_sdes {
	enum call_srtp_policy policy;
	struct call_crypto lcv[CALL_SDES_OFFERC];  /**< What we offer  */
	size_t lcc;
	struct call_crypto local;    /**< Agreed: our line           */
	struct call_crypto remote;   /**< Agreed: the peer's line    */
	struct call_srtp *srtp;      /**< NULL while plain           */
};

int  call_sdes_init(struct call_sdes *sd, enum call_srtp_policy policy,
		    struct sdp_media *m);
void call_sdes_reset(struct call_sdes *sd);
int  call_sdes_offer(struct call_sdes *sd, struct sdp_media *m);
int  call_sdes_answer(struct call_sdes *sd, struct sdp_media *m);
int  call_sdes_recv_answer(struct call_sdes *sd, struct sdp_media *m);

/* call_media.c: RTP socket, G.711, RFC 4733, counters */
struct call_media;
struct nat_media;
typedef void (call_media_digit_h)(char key, void *arg);
typedef void (call_media_audio_h)(const struct rtp_header *h,
				  const int16_t *pcm, size_t n, void *arg);

int  call_media_alloc(struct call_media **cmp, const struct call_mprefs *mp,
		      const struct sa *laddr, call_media_digit_h *dh,
		      call_media_audio_h *ah, void *arg);
const struct sa *call_media_laddr(const struct call_media *cm);
struct nat_media *call_media_nat(const struct call_media *cm);
void call_media_update(struct call_media *cm, const struct call_neg *neg);
void call_media_stop(struct call_media *cm);
int  call_media_send_audio(struct call_media *cm, const int16_t *pcm,
			   size_t n);
int  call_media_send_digit(struct call_media *cm, char key);
int  call_media_status(struct re_printf *pf, const struct call_media *cm);
int  call_media_thread(struct call_media *cm, call_rx_attach_h *attach,
		       void *arg);
void call_media_thread_stop(struct call_media *cm);
void call_media_poll(struct call_media *cm);
void call_media_counters(const struct call_media *cm,
			 struct call_rtp_counters *c);

/* for signalling hints (core/mod/hint.c), appended */
struct udp_sock *call_media_sock(const struct call_media *cm);
void call_media_set_dst(struct call_media *cm, const struct sa *rtp);
struct sdp_media *call_sdp_media(const struct call_sdp *cs);

/* call quality (call_quality.c), appended */
struct call_media_meas {
	uint64_t rx_pkts, rx_lost;
	uint32_t jitter_us;       /* RFC 3550, of the source we hear  */
	uint32_t rtt_us;
	bool rtt_known;           /* the far end reported on our stream */
	bool negotiated;          /* codec and ptime mean something   */
	uint8_t pt;
	uint32_t ptime;
};
void call_media_measure(const struct call_media *cm,
			struct call_media_meas *mm);

/* call_in.c, for call_listen.c */
int  call_incoming_alloc(struct call **callp, struct sip_stack *ss,
			 const struct call_mprefs *mp,
			 const struct sip_msg *msg, const char *cuser);

#endif
