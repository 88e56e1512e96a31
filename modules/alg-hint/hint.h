/**
 * @file modules/alg-hint/hint.h  alg-hint's parts
 *
 * hint_fmt.c is pure (text in, addresses out): unit-tested and fuzzed.
 * The hints on the wire:
 *   Contact: <sip:1001@218.230.0.59:5060;srcadr=192.168.0.4%3A5060>
 *   a=x-private:192.168.0.4:10004 218.230.0.59:10004   (private public)
 */
#ifndef ALG_HINT_H
#define ALG_HINT_H

#include <re.h>

enum {
	HINT_CAND_MAX = 4,        /* x-private lines we act on per call */
	HINT_PARAM_MAX = 64,      /* ";srcadr=" + escaped [v6]:port     */
};

/* hint_fmt.c */
int  hint_srcadr_print(char *buf, size_t sz, const struct sa *sa);
int  hint_srcadr_decode(struct sa *sa, const struct pl *params);
int  hint_xpriv_print(struct re_printf *pf, const struct sa *priv,
		      const struct sa *pub);
int  hint_xpriv_decode(struct sa *priv, struct sa *pub, const char *val);
int  hint_contact_insert(struct mbuf *mb, const char *param);

/* hint_stun.c: STUN beside RTP or SIP on one socket */
typedef bool (hint_stun_h)(const struct sa *src, struct stun_msg *msg,
			   struct stun_unknown_attr *ua, void *arg);
bool hint_stun_recv(const struct sa *src, struct mbuf *mb, hint_stun_h *h,
		    void *arg);

/* hint_check.c: per-call STUN responder and connectivity check */
struct hint_call;
int  hint_call_alloc(struct hint_call **hcp, struct udp_sock *us,
		     const struct sa *laddr, const struct sa *pub,
		     uint32_t timeout_ms);
int  hint_call_sdp(struct hint_call *hc, struct sdp_media *m);
void hint_call_remote(struct hint_call *hc, const struct sdp_media *m,
		      const struct sa *dst, ata_hint_dst_h *h, void *arg);
int  hint_calls_print(struct re_printf *pf);
void hint_calls_flush(void);

/* hint_contact.c: Contact parameter on the SIP socket */
void hint_contact_socket(struct udp_sock *us, const struct sa *laddr);
int  hint_contact_print(struct re_printf *pf);

/* hint_tier.c: the inner router's address on the middle network */
void hint_tier_socket(struct udp_sock *us, const struct sa *laddr);
const struct sa *hint_tier_addr(void);
int  hint_tier_print(struct re_printf *pf);

#endif
