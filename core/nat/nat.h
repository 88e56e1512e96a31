/**
 * @file nat.h  NAT traversal policy: the steps, the verdict, `atactl nat`
 *
 * nat_verdict.c is pure: observations in, verdict out (unit-tested row
 * by row). nat.c runs the `traversal:` steps on the SIP socket, keeps
 * the evidence and raises events; nat_sip.c puts the public address
 * into outgoing SIP (Contact, Via) and keeps the registrar's mapping
 * alive; nat_media.c does the same for each call's RTP and RTCP.
 */
#ifndef ATA_NAT_H
#define ATA_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "sys/resolver.h"

struct reg;
struct rtp_sock;
struct sip_msg;
struct sip;

/** RFC 4787 behaviour, same values as libre's enum nat_type */
enum nat_kind {
	NAT_KIND_UNKNOWN = 0,
	NAT_KIND_EI,        /**< endpoint-independent          */
	NAT_KIND_AD,        /**< address-dependent             */
	NAT_KIND_APD,       /**< address and port-dependent    */
};

enum nat_level {
	NAT_PENDING = 0,
	NAT_OK,
	NAT_OK_RELAYED,
	NAT_DEGRADED,
	NAT_BROKEN,
};

enum nat_method {
	NAT_METHOD_NONE = 0,  /**< our own address is the right one */
	NAT_METHOD_UPNP,
	NAT_METHOD_REGISTER,  /**< address the registrar saw (rport)  */
	NAT_METHOD_STUN,
	NAT_METHOD_TURN,
};

/** Everything the policy has seen; all false/unknown = nothing yet */
struct nat_obs {
	bool done;            /**< the steps have all reported        */
	bool local_private;   /**< our SIP address is not public      */
	bool reg_answered;    /**< the registrar replied at all       */
	bool reg_ok;          /**< a REGISTER succeeded               */
	bool reg_saw_other;   /**< Via received/rport differ from us  */
	bool reg_rejected;    /**< it refused our private Contact     */
	bool reg_none;        /**< no line has a registrar configured */
	enum resolver_fault reg_dns; /**< the last REGISTER's DNS fault */
	bool reg_lookup;      /**< a registrar's name is being looked
				   up: no REGISTER went out yet      */
	bool upnp_ok;
	bool stun_avail;      /**< module loaded and server set       */
	bool stun_ok;         /**< a binding on the SIP socket        */
	bool stun_timeout;    /**< the STUN server never answered     */
	bool turn_avail;      /**< module loaded, server set, asked   */
	bool turn_ok;
	bool turn_running;    /**< a relay is being allocated         */
	bool turn_mismatch;   /**< TURN said 437: the server still
				   holds an allocation for our 5-tuple */
	bool port_mismatch;   /**< registrar and STUN see other ports */
	enum nat_kind mapping;
	enum nat_kind filtering;
	bool alg;             /**< an ALG rewrites addresses          */
	bool sip_alg;         /**< the router's SIP ALG rewrites our SIP
				   (nat_alg.c)                        */
	bool sip_alg_moved;   /**< SIP went to TCP/TLS around it      */
	bool ka_failed;       /**< keep-alives went unanswered        */
};

struct nat_verdict {
	enum nat_level level;
	enum nat_method method;
	const char *reason;   /**< static text, "" when level is ok   */
};

/** What we sent and what came back, for nat_alg_check() */
struct nat_alg_view {
	struct sa sent;       /**< our Via sent-by in the REGISTER    */
	struct sa echoed;     /**< that Via's sent-by in the answer   */
	struct sa seen;       /**< its received/rport                 */
	struct sa laddr;      /**< our SIP socket                     */
	struct sa registrar;  /**< where the answer came from         */
	struct sa stun;       /**< STUN's mapped address, or unset    */
};

enum nat_alg_sign {
	NAT_ALG_NONE = 0,
	NAT_ALG_VIA,          /**< the Via came back rewritten        */
	NAT_ALG_STUN,         /**< registrar saw private, STUN public */
};

/* nat_alg.c: pure, unit-tested */
enum nat_alg_sign nat_alg_check(const struct nat_alg_view *v);
const char *nat_alg_sign_text(enum nat_alg_sign s);

/* nat_verdict.c */
void nat_verdict_eval(struct nat_verdict *v, const struct nat_obs *o);
const char *nat_level_name(enum nat_level lvl);
const char *nat_method_name(enum nat_method m);
const char *nat_kind_name(enum nat_kind k);
int  nat_verdict_print(struct re_printf *pf, const struct nat_verdict *v);

/* nat_family.c: verdict per IP family, which one carries calls */
void nat_family_note(int af, const char *v6_words);
int  nat_family_print(struct re_printf *pf, const struct nat_verdict *v);
bool nat_addr_private(const struct sa *sa);

/* nat.c */
int  nat_init(void);
/** The `nat` verbs, for the daemon to register (core/daemon.c) */
struct ata_cmd;
const struct ata_cmd *nat_cmds(size_t *cmdc);
void nat_close(void);
/** The SIP stack's UDP socket is known: run the policy on it */
void nat_sip_start(struct udp_sock *us, const struct sa *laddr);
/** The SIP stack goes away: release every binding */
void nat_sip_stop(void);
/** Around a module list change: release bindings, then run again */
void nat_modules_release(void);
void nat_modules_back(void);
void nat_network_changed(const char *why);
/** A response to our REGISTER (any status): evidence for the policy */
void nat_reg_observe(int err, const struct sip_msg *msg);
/** A REGISTER's first hop was not looked up (RESOLVER_OK: it was) */
void nat_reg_dns_observe(enum resolver_fault f);
/** A REGISTER's first hop is being looked up (true) or no more */
void nat_reg_lookup(bool started);
/** A REGISTER response over TCP/TLS: keep that flow alive (CRLF) */
void nat_flow_observe(struct sip *sip, const struct sip_msg *msg);
/** `sip_transport=NOTE` in `atactl nat` (a registration fell back) */
void nat_sip_transport_note(const char *note);
/** The router's SIP ALG was seen and the policy says go around it */
bool nat_sip_alg_bypass(void);
/** SIP left UDP because of the ALG: the verdict says so */
void nat_sip_alg_moved(void);
/** true when REGISTERs may go out (policy decided or gave up) */
bool nat_ready(void);
bool nat_udp_blocked(void);
/** The public SIP address in use, NULL = our own */
const struct sa *nat_sip_public(void);

/** Told when the policy is ready and when the public address changes */
typedef void (nat_change_h)(bool changed, void *arg);
struct nat_lsnr;
int  nat_listen(struct nat_lsnr **lp, nat_change_h *h, void *arg);

/* nat_sip.c: rewrite outgoing SIP and keep the registrar's mapping */
struct nat_sip;
int  nat_sip_alloc(struct nat_sip **nsp, struct udp_sock *us,
		   const struct sa *laddr);
void nat_sip_set_public(struct nat_sip *ns, const struct sa *pub);
bool nat_sip_reg_sent(const struct nat_sip *ns, const struct pl *branch,
		      struct sa *sent);
void nat_sip_set_keepalive(struct nat_sip *ns, const struct sa *dst,
			   uint32_t interval_ms);

/* nat_rewrite.c: pure, unit-tested and fuzzed */
int  nat_sip_rewrite(struct mbuf *mb, const struct sa *laddr,
		     const struct sa *pub);

/* nat_media.c: per-call RTP/RTCP public address and keep-alive */
struct nat_media;
int  nat_media_bind(struct nat_media **nmp, struct rtp_sock *rtp,
		    struct sa *addr);
void nat_media_set_peer(struct nat_media *nm, const struct sa *rtp,
			const struct sa *rtcp);
/** The SDP's RTP (and RTCP, NULL = none) addresses are known/changed */
typedef void (nat_media_h)(const struct sa *rtp, const struct sa *rtcp,
			   void *arg);
void nat_media_set_handler(struct nat_media *nm, nat_media_h *h,
			   void *arg);
bool nat_media_pending(const struct nat_media *nm);
void nat_media_set_direct(struct nat_media *nm, const struct sa *dst);
const char *nat_media_path(const struct nat_media *nm);
int  nat_media_print(struct re_printf *pf);
void nat_media_release(void);

#endif
