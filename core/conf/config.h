/**
 * @file config.h  The YAML config as typed structs (see conf/ataua.yaml)
 *
 * config_load() parses and fully validates the file before anything uses
 * it: every error is printed as `FILE:LINE:COL: message` and the call
 * fails as a whole. A loaded config is immutable; every string is owned
 * by it and never NULL ("" when unset). Durations are milliseconds.
 */
#ifndef ATA_CONFIG_H
#define ATA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>  /* libre headers have no include guards: only re.h */

#include "ataua.h"  /* the transports, methods and module subtrees */
#include "dsp/tone.h"

struct re_printf;

enum {
	ATA_CONF_MAX_SIZE  = 1024 * 1024,  /**< Bytes in a config file    */
	ATA_CONF_MAX_DEPTH = 16,           /**< Nesting of lists/mappings */
	ATA_CONF_MAX_NODES = 10000,        /**< Scalars, lists, mappings  */
	ATA_CONF_MAX_LINES = 64,
};

enum ata_log_target {
	ATA_LOG_TARGET_STDERR = 0,
	ATA_LOG_TARGET_SYSLOG,
};

/** Whose INVITEs may ring a line */
enum ata_accept_from {
	ATA_ACCEPT_PROXY = 0,  /**< Only the registrar/outbound proxy   */
	ATA_ACCEPT_ANY,
};

enum ata_codec {
	ATA_CODEC_PCMU = 0,
	ATA_CODEC_PCMA,
};

enum ata_srtp {
	ATA_SRTP_OFF = 0,
	ATA_SRTP_OPTIONAL,
	ATA_SRTP_MANDATORY,
};

struct ata_conf_log {
	int level;                   /**< enum ata_log_level (syslog prio) */
	enum ata_log_target target;
};

struct ata_conf_control {
	char *socket;                /**< Absolute after resolution        */
	char *group;                 /**< "" = the daemon's group          */
	uint32_t *allow_uidv;
	size_t allow_uidc;
	uint32_t *allow_gidv;
	size_t allow_gidc;
	uint32_t max_clients;
	uint32_t max_request;        /**< Bytes per request line           */
};

struct ata_conf_module {
	char *name;                  /**< [a-z0-9-]+                       */
	bool required;
};

struct ata_conf_sip {
	struct sa listen;            /**< Port 0 = random                  */
	enum ata_transport *transportv;
	size_t transportc;
	char *user_agent;
	enum ata_accept_from accept_from;
	char *tls_ca;
	bool tls_verify;
};

struct ata_conf_port_range {
	uint16_t min;                /**< Even                             */
	uint16_t max;
};

struct ata_conf_media {
	struct ata_conf_port_range rtp_ports;
	enum ata_codec *codecv;      /**< Preference order                 */
	size_t codecc;
	uint32_t ptime_ms;
	uint32_t jitter_delay_ms;
	uint32_t period_ms;
	uint32_t periods;            /**< device buffer, at least          */
	uint32_t slack_ms;           /**< left in the device at a wake     */
	uint32_t rt_priority;        /**< SCHED_FIFO of audio, 0 = off     */
	bool rtcp_mux;
	uint32_t telephone_event;    /**< RTP payload type (RFC 4733)      */
};

struct ata_conf_dialplan {
	char **patternv;
	size_t patternc;
	uint32_t interdigit_ms;
	uint32_t first_digit_ms;
	uint32_t critical_ms;
};

struct ata_conf_account {
	char *aor;                   /**< SIP URI, always set              */
	char *display_name;
	char *registrar;             /**< "" = no REGISTER                 */
	char *outbound_proxy;
	char *auth_user;             /**< "" = user part of aor            */
	char *password;
	enum ata_transport transport;
	uint32_t expiry_ms;
	enum ata_srtp srtp;
};

/** Hook switch timing, for a driver's hook control (core/dsp/hook_det.c) */
struct ata_conf_hook {
	uint32_t debounce_ms;
	uint32_t flash_min_ms;       /**< shorter on-hook: ignored / pulse */
	uint32_t flash_max_ms;       /**< longer on-hook: hang up          */
	bool pulse_dialing;          /**< count short breaks as digits     */
	uint32_t pulse_interdigit_ms;
};

/** lines[].caller_id: how the caller's identity reaches the phone */
enum ata_caller_id {
	ATA_CID_AUTO = 0,            /**< from the tones profile          */
	ATA_CID_OFF,
	ATA_CID_BELL202,             /**< Bell 202 FSK after the 1st ring */
	ATA_CID_V23,                 /**< ETSI V.23 FSK after the 1st ring */
	ATA_CID_DTMF,                /**< DTMF 'A' number 'C'             */
};

/** lines[].caller_id_format: the Bell 202 message */
enum ata_cid_format {
	ATA_CID_MDMF = 0,
	ATA_CID_SDMF,
};

struct ata_conf_line {
	uint32_t id;                 /**< 1..64, unique                    */
	char *device;                /**< ALSA PCM name                    */
	char *hook_control;          /**< "" = hook via control socket     */
	char *ring_control;
	char *tones;                 /**< Profile name                     */
	const struct ata_tone_profile *tone;  /**< Resolved profile        */
	struct ata_conf_dialplan dialplan;
	struct ata_conf_account account;
	struct ata_conf_hook hook;   /**< appended */
	uint32_t *ring_cadencev;     /**< ms on, off, ...; none = steady  */
	size_t ring_cadencec;
	uint32_t ring_timeout_ms;    /**< unanswered: 480 after this      */
	/* fax, modem and alarm panels (core/line/line_fax.c) */
	bool dtmf_detect;            /**< off: in a call keys pass as audio */
	bool fax_detect;             /**< ANS/CNG: the call passes through */
	/* caller ID (core/line/line_clip.c) */
	enum ata_caller_id caller_id;
	enum ata_cid_format caller_id_format;
	/* caller ID on call waiting (core/line/line_offhook_cid.c) */
	bool caller_id_waiting;      /**< type II; only with bell202/v23  */
	/* message waiting (issue #14: core/line/line_mwi.c) */
	bool mwi;                    /**< stutter dial tone while waiting */
	/* line echo canceller (core/line/line_echo.c) */
	bool echo_canceller;         /**< off: the SLIC cancels itself    */
	uint32_t echo_tail_ms;       /**< 8..64                           */
};

/* struct ata_conf_upnp, _stun, _turn, _alg_hint: in ataua.h (modules
   read them) */

/** traversal.sip_alg: what to do about a router's SIP ALG */
enum ata_sip_alg {
	ATA_SIP_ALG_BYPASS = 0,  /**< move SIP to TCP (transport auto)  */
	ATA_SIP_ALG_IGNORE,      /**< only say so in the verdict        */
};

struct ata_conf_traversal {
	enum ata_trav_method *orderv;
	size_t orderc;
	bool parallel;
	struct ata_conf_upnp upnp;
	struct ata_conf_stun stun;
	struct ata_conf_turn turn;
	uint32_t rtp_keepalive_ms;
	enum ata_sip_alg sip_alg;
};

struct ata_conf_bandwidth {
	uint32_t uplink_kbps;        /**< 0 = unlimited                    */
	uint32_t downlink_kbps;
};

/** history: the call history (issue #15, core/line/line_history.c) */
struct ata_conf_history {
	uint32_t calls;              /**< Finished calls kept, 0: none      */
};

/** The whole config; allocated with mem_zalloc, free with mem_deref */
struct ata_config {
	struct ata_conf_log log;
	struct ata_conf_control control;
	char *module_path;           /**< Absolute after resolution        */
	struct ata_conf_module *modv;
	size_t modc;
	struct ata_conf_sip sip;
	struct ata_conf_media media;
	struct ata_tone_profile *tonev;  /**< Built-ins plus the file's    */
	size_t tonec;
	struct ata_conf_line *linev;
	size_t linec;
	struct ata_conf_traversal traversal;
	struct ata_conf_alg_hint alg_hint;
	struct ata_conf_bandwidth bandwidth;
	struct ata_conf_history history;
	char *path;                  /**< File it was loaded from (name)   */
};

/**
 * Load and validate a config file.
 *
 * @param cfgp   Receives the config (mem_deref it)
 * @param path   File name
 * @param errpf  Where errors go, one `FILE:LINE:COL: message` per line
 *               (may be NULL)
 *
 * @return 0, EINVAL if the file has errors (all printed), or the errno
 *         of a file that cannot be read (also printed)
 */
int config_load(struct ata_config **cfgp, const char *path,
		struct re_printf *errpf);

/**
 * Load and validate a config held in memory. Relative paths in it are
 * resolved against the directory part of @p name (none: kept relative).
 *
 * @return 0 or EINVAL (errors printed as for config_load)
 */
int config_load_buf(struct ata_config **cfgp, const char *name,
		    const char *buf, size_t len, struct re_printf *errpf);

/** The config in force; replaced whole by a successful reload */
const struct ata_config *ata_config(void);

/**
 * Put @p cfg in force for ata_config() (a new reference; NULL: none);
 * returns the config in force before, the caller's to mem_deref
 */
struct ata_config *config_in_force_swap(struct ata_config *cfg);

/** The line with this id, or NULL */
const struct ata_conf_line *config_line(const struct ata_config *cfg,
					unsigned id);

/** The tone profile with this name (built-in or from the file), or NULL */
const struct ata_tone_profile *config_tones(const struct ata_config *cfg,
					     const char *name);

#endif
