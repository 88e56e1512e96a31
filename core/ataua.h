/**
 * @file ataua.h  The core's API: the one header of ours that modules include
 *
 * Modules are shared objects (modules/NAME/NAME.so) exporting only libre's
 * `struct mod_export exports`. From their init they register a versioned
 * ops table of their kind (traversal, signalling hint, line driver),
 * control verbs, and read their own config subtree. Every function here
 * runs on the main (re_main) thread unless it says otherwise. The daemon
 * exports the ata_* functions declared here and nothing else of its own
 * (core/ataua.map), besides libre's rand_*, which core/sys/rand_sys.c
 * replaces.
 *
 * ABI rule: the ops structs below start with `struct le le; uint32_t
 * version;` and only ever grow at the end; appending a hook bumps the
 * version. The core accepts any version from 1 up to its own, refuses a
 * newer one (the module was built for a newer core), and calls a hook
 * only when the table's version has it and it is not NULL
 * (ATA_HAS_HOOK), so it never reads past the end of an older table.
 * The config structs modules read only grow at the end as well.
 */
#ifndef ATAUA_H
#define ATAUA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

/* The wire protocol is part of the API: event names (ctrl_proto.h) and
   the verb rows modules register (ctrl_verbs.h). Both are plain
   #defines that atactl shares without libre, so `atactl -h` lists a
   module's verbs without the module, from this one list. */
#include "base/ctrl_proto.h"
#include "base/ctrl_verbs.h"

/** Mark the one public symbol of a module (built -fvisibility=hidden) */
#define ATA_EXPORT __attribute__((visibility("default")))

/** Module export, placed last in a module's main file */
#define ATA_MODULE(nm, kind, init, close)				\
	ATA_EXPORT const struct mod_export exports = {			\
		nm, kind, init, close					\
	}


/* ----- Logging (core/base/log.c) ----- */

/** Levels follow syslog(3) so `log level N` means what syslog means */
enum ata_log_level {
	ATA_LOG_ERR    = 3,
	ATA_LOG_WARN   = 4,
	ATA_LOG_NOTICE = 5,
	ATA_LOG_INFO   = 6,
	ATA_LOG_DEBUG  = 7,
};

/** Log with re_printf formats (%s, %u, %J for struct sa *, %r for pl) */
void ata_log(enum ata_log_level lvl, const char *fmt, ...);
void ata_vlog(enum ata_log_level lvl, const char *fmt, va_list ap);
/** One-line `SECURITY key=value ...` record, always logged (fail2ban) */
void ata_security(const char *fmt, ...);
void ata_log_set_level(enum ata_log_level lvl);
enum ata_log_level ata_log_level(void);

#define ata_err(...)    ata_log(ATA_LOG_ERR, __VA_ARGS__)
#define ata_warn(...)   ata_log(ATA_LOG_WARN, __VA_ARGS__)
#define ata_notice(...) ata_log(ATA_LOG_NOTICE, __VA_ARGS__)
#define ata_info(...)   ata_log(ATA_LOG_INFO, __VA_ARGS__)
#define ata_debug(...)  ata_log(ATA_LOG_DEBUG, __VA_ARGS__)


/* ----- Events (core/base/event.c) ----- */

/**
 * Send `<lvl>NAME k=v ...` to every ATTACHed control client whose level
 * admits it. @p fmt formats the key=value part (may be NULL). Event names
 * are #defines in core/base/ctrl_proto.h so clients and daemon share them.
 */
void ata_event(enum ata_log_level lvl, const char *name,
	       const char *fmt, ...);

/** Event sink, set by the control transport (one per process) */
typedef void (ata_event_sink_h)(enum ata_log_level lvl, const char *line,
				void *arg);
void ata_event_set_sink(ata_event_sink_h *sinkh, void *arg);

/**
 * The name of an errno value ("ENOTCONN"), for an event's err= field:
 * the numbers differ between architectures (core/base/errname.c)
 */
const char *ata_errname(int err);


/* ----- Control verbs (core/base/cmd.c) ----- */

/** What a verb handler gets besides its print handler */
struct ata_cmd_arg {
	struct pl args;       /**< Text after the verb, trimmed          */
	void *arg;            /**< Registrant's argument                 */
	char reason[128];     /**< FAIL reason, set by ata_cmd_fail()    */
};

/**
 * A verb handler prints zero or more `key=value` lines to @p pf and
 * returns 0 (reply ends `OK`) or a positive errno (reply ends
 * `FAIL <reason>`).
 */
typedef int (ata_cmd_h)(struct re_printf *pf, struct ata_cmd_arg *ca);

/**
 * A row of a verb table. ata_cmd_register() refuses a table that breaks
 * this convention, so `help` prints one aligned `NAME ARGS  DESC` line
 * per verb. In-tree rows come from core/base/ctrl_verbs.h:
 * `{ATA_VERB_STATUS, cmd_status}`.
 *
 * name  lowercase words ([a-z0-9-]) joined by single spaces,
 *       "module list"; uppercase is the transport's (PING, ATTACH...)
 * args  the arguments only, without the name: "N [offhook|onhook]", or
 *       "" / NULL; no two blanks in a row and no ": " (that would be a
 *       description glued on)
 * desc  what the verb does, one line, required
 *
 * name + " " + args fit ATA_CMD_USAGE_MAX, desc ATA_CMD_DESC_MAX bytes.
 */
struct ata_cmd {
	const char *name;
	const char *args;
	const char *desc;
	ata_cmd_h *h;
};

enum { ATA_CMD_USAGE_MAX = 38, ATA_CMD_DESC_MAX = 40 };

int  ata_cmd_register(const struct ata_cmd *cmdv, size_t cmdc, void *arg);
void ata_cmd_unregister(const struct ata_cmd *cmdv);
/** Set the FAIL reason and return @p err, for `return ata_cmd_fail(...)` */
int  ata_cmd_fail(struct ata_cmd_arg *ca, int err, const char *fmt, ...);
/**
 * Run one request line through the table; prints the body and the final
 * `OK` / `FAIL reason` line. Used by every transport and by tests.
 */
int  ata_cmd_exec(struct re_printf *pf, const char *line, size_t len);


/**
 * Print @p s in double quotes with `"` and `\` escaped and control
 * characters as spaces (core/base/quote.c), for `%H`: every value that
 * came from outside (a SIP reason, a peer) and is printed quoted
 */
int  ata_quoted(struct re_printf *pf, const char *s);

/** true if @p pl is 1..9 decimal digits (a safe pl_u32 argument) */
static inline bool ata_pl_isnum(const struct pl *pl)
{
	size_t i;

	if (!pl || !pl->l || pl->l > 9)
		return false;

	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return true;
}


/* ----- Module kinds (core/mod/registry.c) ----- */

/** What a traversal step learnt or set up for one local UDP socket */
struct ata_nat_binding {
	struct sa local;       /**< our socket's address                  */
	struct sa public;      /**< the address peers must send to        */
	bool relayed;          /**< public is a TURN relay                */
	uint32_t lifetime_s;   /**< mapping/lease lifetime, 0 = unknown   */
};

/**
 * Result of a bind, and later changes of it: err = 0 with the binding;
 * ETIMEDOUT / ENOTSUP / ... when the step cannot help (the policy tries
 * the next one); a later call with err = ENOTCONN means the mapping was
 * lost (router reboot, refresh failed) and the policy re-runs.
 */
typedef void (ata_nat_bind_h)(int err, const struct ata_nat_binding *b,
			      void *arg);

/**
 * true when ops table @p o has hook @p m: its version @p v (the one that
 * appended the hook) is in the table, and the module set it. The version
 * is tested first, so an older table is never read past its end.
 */
#define ATA_HAS_HOOK(o, m, v) ((o)->version >= (v) && (o)->m)

/**
 * NAT traversal methods: what a traversal module does (its table's
 * `method`), and the steps of config traversal.order
 */
enum ata_trav_method {
	ATA_TRAV_NONE = 0,     /**< a table that names no method          */
	ATA_TRAV_UPNP,
	ATA_TRAV_REGISTER,     /**< the policy's own step, not a module   */
	ATA_TRAV_STUN,
	ATA_TRAV_TURN,
};

/**
 * NAT traversal (upnp, stun, turn). Version 1: status, bind; 2 appends
 * network_changed and method; 3 appends server_found.
 */
#define ATA_TRAVERSAL_VERSION 3
enum {
	ATA_TRAVERSAL_V_NETWORK_CHANGED = 2,
	ATA_TRAVERSAL_V_METHOD = 2,
	ATA_TRAVERSAL_V_SERVER_FOUND = 3,
};
struct ata_traversal {
	struct le le;
	uint32_t version;
	const char *name;
	/** Print `key=value` status lines; NULL = not implemented */
	int (*status)(struct re_printf *pf);
	/**
	 * Give the local UDP socket @p us (bound to @p laddr) a public
	 * address and keep it alive (refresh, keep-alive) until *bindp is
	 * mem_deref'd, which releases it (DeletePortMapping, TURN release).
	 * @p h reports within @p timeout_ms. The socket stays the caller's;
	 * a module that must see its packets (STUN, TURN) uses
	 * udp_register_helper on it and passes everything else through.
	 * NULL = the module cannot bind sockets.
	 */
	int (*bind)(void **bindp, struct udp_sock *us, const struct sa *laddr,
		    uint32_t timeout_ms, ata_nat_bind_h *h, void *arg);
	/* ----- version 2 ----- */
	/**
	 * The network changed (a link came back, a new address): forget
	 * what was learnt about the NAT, which may be another one now; the
	 * binds that follow find out again. May be NULL.
	 */
	void (*network_changed)(void);
	/**
	 * The method this module does: the policy runs the step of
	 * traversal.order with the first module registered for it (a
	 * version 1 table is taken by its name: "upnp", "stun", "turn")
	 */
	enum ata_trav_method method;
	/* ----- version 3 ----- */
	/**
	 * true when the module knows a server that answers (upnp: a
	 * router answered discovery): a bind is then one request to it,
	 * answered within milliseconds; false while it is still looking
	 * for one, or found none. The parallel policy waits a moment for
	 * such a bind only. May be NULL (never waited for).
	 */
	bool (*server_found)(void);
};

/**
 * Signalling hint (alg-hint). Version 1 is the table with every hook
 * below: the first module of this kind was built with them all.
 */
#define ATA_HINT_VERSION 1

/** A hint found a better media destination for a call (see media_remote) */
typedef void (ata_hint_dst_h)(const struct sa *rtp, void *arg);

struct ata_hint {
	struct le le;
	uint32_t version;
	const char *name;
	int (*status)(struct re_printf *pf);
	/* each hook may be NULL; core/mod/hint.c calls them */
	/**
	 * The SIP stack's UDP socket @p us, bound to @p laddr, is in use
	 * (a module may put a udp helper on it, e.g. to add Contact
	 * parameters); NULL/NULL when it goes away: drop the helper.
	 */
	void (*sip_socket)(struct udp_sock *us, const struct sa *laddr);
	/**
	 * A call's media exists: RTP socket @p us bound to @p laddr, its
	 * SDP audio @p m advertising @p pub. The hook may add attributes
	 * to @p m and keep per-call state in *statep (mem_deref'd when the
	 * call ends), e.g. to answer connectivity checks on @p us.
	 */
	int (*media_alloc)(void **statep, struct udp_sock *us,
			   const struct sa *laddr, const struct sa *pub,
			   struct sdp_media *m);
	/**
	 * The peer's description @p m was applied to the call of @p state;
	 * RTP goes to @p dst. The hook may look for a better destination
	 * and report it with @p h (any time later, on the main thread).
	 */
	void (*media_remote)(void *state, const struct sdp_media *m,
			     const struct sa *dst, ata_hint_dst_h *h,
			     void *arg);
};

/**
 * A line's audio, core side (core/line/line_audio.c). The driver's audio
 * thread calls these; they never block, lock or allocate, and are safe
 * off the main thread (what the main loop sets crosses without a lock:
 * core/line/line_audio_state.c).
 */
struct ata_audio;

/**
 * One device period: fill @p play with @p n samples to play and take
 * @p n captured samples from @p cap (NULL: none captured this period).
 * Audio thread only.
 */
void ata_audio_period(struct ata_audio *au, int16_t *play,
		      const int16_t *cap, size_t n);
/** Count a recovered underrun or overrun. Any thread. */
void ata_audio_xrun(struct ata_audio *au);
/**
 * The line played @p n samples of silence the driver could not fill
 * (an underrun): skip them in the playout timeline so the delay stays
 * what it was. Audio thread only.
 */
void ata_audio_skip(struct ata_audio *au, size_t n);
/**
 * Before ata_audio_period(): the device will play @p frames already
 * queued before the first sample of that period (snd_pcm_delay). Lets
 * the core stamp packet arrivals on the device's real clock, so the
 * delay does not depend on when the thread woke. Audio thread only;
 * without it the period is taken to play at once.
 */
void ata_audio_delay(struct ata_audio *au, size_t frames);
/**
 * Before the next ata_audio_period(): the capture stream moved by
 * @p frames more than the periods handed over show: samples dropped
 * after that period's (positive) or padding at its end (negative). The
 * echo canceller keeps its alignment by it. Audio thread only.
 */
void ata_audio_capture_slip(struct ata_audio *au, long frames);
/**
 * The line needs the device now: a call, a tone, caller ID to play, or
 * the handset off-hook. While it does not (an idle line, most of the
 * day), the driver may stop the PCM and sleep on ata_audio_wake_fd().
 * Audio thread only (it takes the main loop's newest settings).
 */
bool ata_audio_wanted(struct ata_audio *au);
/**
 * An eventfd that becomes readable when ata_audio_wanted() may have
 * turned true; the driver reads (and so clears) it. -1 if none.
 */
int  ata_audio_wake_fd(const struct ata_audio *au);

/** Device settings of one line, from the config */
struct ata_linedrv_conf {
	const char *device;        /**< ALSA PCM name                     */
	const char *hook_control;  /**< "" = hook via control socket      */
	const char *ring_control;  /**< "" = ring via control socket      */
	uint32_t period_ms;
	uint32_t periods;          /**< device buffer in periods, least  */
	uint32_t line;             /**< line id, for events and logs     */
	uint32_t rt_priority;      /**< SCHED_FIFO 1..99, 0 = plain      */
	uint32_t slack_ms;         /**< queued when the thread wakes     */
};

/**
 * Line driver (audio-alsa): PCM, hook state and ringing. Version 1 is
 * the table with every hook below, as the first driver was built.
 */
#define ATA_LINEDRV_VERSION 1
struct ata_linedrv {
	struct le le;
	uint32_t version;
	const char *name;
	int (*status)(struct re_printf *pf);
	/**
	 * Open a line's device and start its clock: from now on the
	 * driver calls ata_audio_period(@p au) once per period from its
	 * own thread until *portp is mem_deref'd (which stops and joins
	 * it). Returns 0 or a positive errno (the line falls back to the
	 * test signal).
	 */
	int (*open)(void **portp, const struct ata_linedrv_conf *c,
		    struct ata_audio *au);
	/** Ring or stop ringing; ENOTSUP without a ring control */
	int (*ring)(void *port, bool on);
	/** Print `key=value` lines about one port (xruns, device) */
	int (*port_status)(struct re_printf *pf, const void *port);
};

int  ata_traversal_register(struct ata_traversal *t);
void ata_traversal_unregister(struct ata_traversal *t);
int  ata_hint_register(struct ata_hint *h);
void ata_hint_unregister(struct ata_hint *h);
int  ata_linedrv_register(struct ata_linedrv *d);
void ata_linedrv_unregister(struct ata_linedrv *d);

struct list *ata_traversal_list(void);
struct list *ata_hint_list(void);
struct list *ata_linedrv_list(void);


/* ----- Config (core/conf/config_in_force.c) ----- */

/*
 * A module reads its own subtree of the config in force through its
 * getter: NULL when no config is loaded (tests), else a pointer into the
 * config, valid until the next reload replaces the config whole. So call
 * the getter where the value is used, never keep the pointer. Strings
 * are never NULL ("" when unset); durations are milliseconds.
 */

/** SIP and TURN transports */
enum ata_transport {
	ATA_TRANSPORT_UDP = 0,
	ATA_TRANSPORT_TCP,
	ATA_TRANSPORT_TLS,
	ATA_TRANSPORT_AUTO,   /**< account, TURN: UDP, TCP if no reply */
};

/** A server by name: host is kept unresolved ("" = none configured) */
struct ata_conf_server {
	char *host;
	uint16_t port;        /**< 0 = the protocol's default port     */
};

/** traversal.upnp.protocols: the port mapping protocols we speak */
enum ata_map_proto {
	ATA_MAP_UPNP = 0,     /**< UPnP IGD (SSDP, SOAP)               */
	ATA_MAP_NATPMP,       /**< NAT-PMP, RFC 6886                    */
	ATA_MAP_PCP,          /**< PCP, RFC 6887                        */
};

/** traversal.upnp */
struct ata_conf_upnp {
	uint32_t timeout_ms;
	uint32_t lease_ms;
	uint32_t recheck_ms;
	enum ata_map_proto *protov;  /**< tried in this order            */
	size_t protoc;
};

/** traversal.stun */
struct ata_conf_stun {
	struct ata_conf_server server;
	uint32_t keepalive_ms;       /**< 0 = adaptive                     */
	uint32_t timeout_ms;
};

/** traversal.turn */
struct ata_conf_turn {
	struct ata_conf_server server;
	enum ata_transport transport;
	char *username;
	char *password;
	uint32_t timeout_ms;
};

/** alg_hint */
struct ata_conf_alg_hint {
	bool enabled;
	uint32_t check_timeout_ms;
	struct sa tier_stun;         /**< STUN server inside an outer NAT */
};

const struct ata_conf_upnp *ata_conf_upnp(void);
const struct ata_conf_stun *ata_conf_stun(void);
const struct ata_conf_turn *ata_conf_turn(void);
const struct ata_conf_alg_hint *ata_conf_alg_hint(void);

/**
 * The STUN server the config names (traversal.stun.server), for a
 * module other than stun that checks an address with it (upnp): 0 with
 * *srv set (strings valid until the next reload, port 0 = default),
 * ENOENT when none is configured, EINVAL without @p srv.
 */
int ata_stun_server(struct ata_conf_server *srv);


/* ----- UDP helper layers (libre udp_register_helper) ----- */

/**
 * Every helper on our UDP sockets, in one order. libre hands an outgoing
 * datagram to the highest layer first and an incoming one to the lowest
 * first: SIP text is rewritten before TURN wraps it, SRTP encrypts
 * before TURN wraps and decrypts after TURN unwrapped.
 */
enum ata_udp_layer {
	ATA_UDP_LAYER_HINT_TIER    = 3,  /**< alg-hint: tier STUN, SIP   */
	ATA_UDP_LAYER_HINT_CONTACT = 4,  /**< alg-hint: Contact params   */
	ATA_UDP_LAYER_STUN         = 10, /**< stun: keep-alive           */
	ATA_UDP_LAYER_HINT_CHECK   = 15, /**< alg-hint: RTP checks       */
	ATA_UDP_LAYER_TURN_CLIENT  = 15, /**< turn: libre's turnc        */
	ATA_UDP_LAYER_TURN_RELAY   = 16, /**< turn: ours around turnc's  */
	ATA_UDP_LAYER_SRTP         = 20, /**< core call: SRTP            */
	ATA_UDP_LAYER_NAT_SIP      = 30, /**< core nat: SIP rewriting    */
	ATA_UDP_LAYER_SIP_VERSION  = 32, /**< core sip: version probe    */
};

/* ----- NAT findings (core/nat/nat.c), appended ----- */

/**
 * What a traversal module learnt about the NAT besides a binding:
 * RFC 5780 behaviour, hairpinning, an ALG, the binding lifetime. Every
 * field is "unknown" at 0 (mapping/filtering, lifetime) or -1 (hairpin,
 * alg), so a module sets only what it measured.
 */
struct ata_nat_info {
	int mapping;           /**< libre enum nat_type, 0 = unknown      */
	int filtering;         /**< libre enum nat_type, 0 = unknown      */
	int hairpin;           /**< 1 yes, 0 no, -1 unknown               */
	int alg;               /**< 1 detected, 0 none, -1 unknown        */
	uint32_t lifetime_s;   /**< longest idle time a mapping survived,
				    0 = none (or unknown)              */
	uint32_t lifetime_lapsed_s; /**< shortest idle time one did not
				    survive, 0 = none seen; both 0 =
				    lifetime unknown                    */
};

/** Feed the NAT verdict; @p module names the reporter (for logs) */
void ata_nat_report(const char *module, const struct ata_nat_info *info);

/**
 * The public address peers must use for our SIP UDP socket, as the
 * policy chose it (UPnP, STUN, TURN relay, what the registrar saw):
 * 0 with *pub set, ENOENT when our own address is the right one or
 * nothing is decided yet, EINVAL without @p pub. Each call's media has
 * its own public addresses, in the SDP the call sends.
 */
int ata_nat_public_sip(struct sa *pub);

/* ----- Hook switch from the line driver (core/line/line_hook.c) ----- */

/**
 * The line's hook switch (lines[].hook_control) reads @p offhook: raw,
 * at open and at every change (repeats are harmless). The core
 * debounces it and tells flash, pulse digits and hang-up apart
 * (lines[].hook timings). Main thread.
 */
void ata_audio_hook(struct ata_audio *au, bool offhook);


/* ----- Shared with the core: SIP header edits (core/base/sip_hdr.c) -----
 *
 * libre builds Via and Contact itself; the core's NAT rewrite and a
 * module that adds to them edit each outgoing message the same way.
 */

/**
 * One header line for ata_sip_hdr_edit(): p[0..n) with its line end;
 * @p folded: it continues the header above (RFC 3261 7.3.1). Write it
 * to @p out, changed or not, and set *hit when it changed. 0 or ENOMEM.
 */
typedef int (ata_sip_hdr_h)(struct mbuf *out, const char *p, size_t n,
			    bool folded, bool *hit, void *arg);

/**
 * Edit the header lines of the SIP message in @p mb (pos..end) through
 * @p lineh, in place; mb->pos is kept. The start line, the empty line
 * and the body stay byte for byte.
 *
 * @return 0 when a line changed, ENOENT when none did or there is no
 * header block (a CRLF keep-alive, STUN), EINVAL, ENOMEM.
 */
int ata_sip_hdr_edit(struct mbuf *mb, ata_sip_hdr_h *lineh, void *arg);

#endif
