/**
 * @file conf_schema.c  The ataua config schema: one table row per key
 *
 * Each row names the key, its type, where it lives in the C struct, its
 * range and its default (written as it would be in the file). The
 * defaults here are the ones conf/ataua.yaml documents; keep them in step.
 */
#include <stddef.h>
#include <string.h>
#include <re.h>
#include "conf.h"
#include "base/version.h"

/* Enum values are stored through int pointers */
_Static_assert(sizeof(enum ata_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ata_codec) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ata_trav_method) == sizeof(int), "enum size");

#define ROW(st, m, k, t, ...)						\
	{ .key = k, .type = t, .off = offsetof(st, m), __VA_ARGS__ }
#define LIST(st, m, c, k, e, ...)					\
	{ .key = k, .type = CT_LIST, .off = offsetof(st, m),		\
	  .cnt = offsetof(st, c), .elem = e, __VA_ARGS__ }
#define SCHEMA(nm, st, rows, ...)					\
	{ .name = nm, .fieldv = rows, .fieldc = ARRAY_SIZE(rows),	\
	  .size = sizeof(st), __VA_ARGS__ }
#define MS(x) ((int64_t)(x))
#define SEC(x) ((int64_t)(x) * 1000)

static const struct conf_enum log_levels[] = {
	{"err", 3}, {"warn", 4}, {"notice", 5}, {"info", 6}, {"debug", 7},
	{NULL, 0}
};
static const struct conf_enum log_targets[] = {
	{"stderr", ATA_LOG_TARGET_STDERR}, {"syslog", ATA_LOG_TARGET_SYSLOG},
	{NULL, 0}
};
static const struct conf_enum transports[] = {
	{"udp", ATA_TRANSPORT_UDP}, {"tcp", ATA_TRANSPORT_TCP},
	{"tls", ATA_TRANSPORT_TLS}, {NULL, 0}
};
/* an account or TURN may leave the choice to us: UDP, TCP if UDP is
   blocked */
static const struct conf_enum acc_transports[] = {
	{"auto", ATA_TRANSPORT_AUTO}, {"udp", ATA_TRANSPORT_UDP},
	{"tcp", ATA_TRANSPORT_TCP}, {"tls", ATA_TRANSPORT_TLS}, {NULL, 0}
};
static const struct conf_enum accept_froms[] = {
	{"proxy", ATA_ACCEPT_PROXY}, {"any", ATA_ACCEPT_ANY}, {NULL, 0}
};
static const struct conf_enum codecs[] = {
	{"pcmu", ATA_CODEC_PCMU}, {"pcma", ATA_CODEC_PCMA}, {NULL, 0}
};
static const struct conf_enum srtps[] = {
	{"off", ATA_SRTP_OFF}, {"optional", ATA_SRTP_OPTIONAL},
	{"mandatory", ATA_SRTP_MANDATORY}, {NULL, 0}
};
static const struct conf_enum sip_algs[] = {
	{"bypass", ATA_SIP_ALG_BYPASS}, {"ignore", ATA_SIP_ALG_IGNORE},
	{NULL, 0}
};
static const struct conf_enum methods[] = {
	{"upnp", ATA_TRAV_UPNP}, {"register", ATA_TRAV_REGISTER},
	{"stun", ATA_TRAV_STUN}, {"turn", ATA_TRAV_TURN}, {NULL, 0}
};

static const struct conf_enum map_protos[] = {
	{"pcp", ATA_MAP_PCP}, {"natpmp", ATA_MAP_NATPMP},
	{"upnp", ATA_MAP_UPNP}, {NULL, 0}
};

static const struct conf_enum caller_ids[] = {
	{"auto", ATA_CID_AUTO}, {"off", ATA_CID_OFF},
	{"bell202", ATA_CID_BELL202}, {"v23", ATA_CID_V23},
	{"dtmf", ATA_CID_DTMF}, {NULL, 0}
};
static const struct conf_enum cid_formats[] = {
	{"mdmf", ATA_CID_MDMF}, {"sdmf", ATA_CID_SDMF}, {NULL, 0}
};
static const struct conf_field f_id = {
	.type = CT_UINT, .min = 0, .max = UINT32_MAX };
static const struct conf_field f_transport = {
	.type = CT_ENUM, .enumv = transports };
static const struct conf_field f_codec = {
	.type = CT_ENUM, .enumv = codecs };
static const struct conf_field f_method = {
	.type = CT_ENUM, .enumv = methods };
static const struct conf_field f_map_proto = {
	.type = CT_ENUM, .enumv = map_protos };
static const struct conf_field f_pattern = {
	.type = CT_STR, .check = conf_check_pattern };

#define S struct ata_conf_log
static const struct conf_field log_rows[] = {
	ROW(S, level, "level", CT_ENUM, .enumv = log_levels, .def = "info"),
	ROW(S, target, "target", CT_ENUM, .enumv = log_targets,
	    .def = "stderr"),
};
#undef S
#define S struct ata_conf_control
static const struct conf_field control_rows[] = {
	ROW(S, socket, "socket", CT_PATH, .flags = CF_NONEMPTY,
	    .def = "/run/ataua/ataua.sock"),
	ROW(S, group, "group", CT_STR),
	LIST(S, allow_uidv, allow_uidc, "allow_uids", &f_id, .max = 64),
	LIST(S, allow_gidv, allow_gidc, "allow_gids", &f_id, .max = 64),
	ROW(S, max_clients, "max_clients", CT_UINT, .min = 1, .max = 256,
	    .def = "16"),
	ROW(S, max_request, "max_request", CT_UINT, .min = 64,
	    .max = 65536, .def = "8192"),
};
#undef S
#define S struct ata_conf_module
static const struct conf_field module_rows[] = {
	ROW(S, name, "name", CT_STR, .flags = CF_REQUIRED | CF_NONEMPTY,
	    .check = conf_check_module_name),
	ROW(S, required, "required", CT_BOOL, .def = "true"),
};
#undef S
#define S struct ata_conf_sip
static const struct conf_field sip_rows[] = {
	ROW(S, listen, "listen", CT_ADDR, .flags = CF_ZERO_OK,
	    .def = "[::]:5060"),
	LIST(S, transportv, transportc, "transports", &f_transport,
	     .min = 1, .max = 3, .flags = CF_UNIQUE, .def = "udp,tcp"),
	ROW(S, user_agent, "user_agent", CT_STR, .def = "ataua"),
	ROW(S, accept_from, "accept_from", CT_ENUM, .enumv = accept_froms,
	    .def = "proxy"),
	ROW(S, tls_ca, "tls_ca", CT_STR,
	    .def = "/etc/ssl/certs/ca-certificates.crt"),
	ROW(S, tls_verify, "tls_verify", CT_BOOL, .def = "true"),
};
#undef S
#define S struct ata_conf_media
static const struct conf_field media_rows[] = {
	ROW(S, rtp_ports, "rtp_ports", CT_PORTS, .min = 1024, .max = 65535,
	    .def = "10000-20000"),
	LIST(S, codecv, codecc, "codecs", &f_codec, .min = 1, .max = 2,
	     .flags = CF_UNIQUE, .def = "pcmu,pcma"),
	ROW(S, ptime_ms, "ptime", CT_DUR, .min = MS(10), .max = MS(60),
	    .def = "20ms"),
	ROW(S, jitter_delay_ms, "jitter_delay", CT_DUR, .min = MS(10),
	    .max = MS(500), .def = "35ms"),
	ROW(S, period_ms, "period", CT_DUR, .min = MS(5), .max = MS(40),
	    .def = "20ms"),
	ROW(S, periods, "periods", CT_UINT, .min = 2, .max = 8, .def = "2"),
	ROW(S, slack_ms, "slack", CT_DUR, .min = MS(5), .max = MS(280),
	    .def = "10ms"),
	ROW(S, rt_priority, "rt_priority", CT_UINT, .min = 0, .max = 99,
	    .def = "10"),
	ROW(S, rtcp_mux, "rtcp_mux", CT_BOOL, .def = "true"),
	ROW(S, telephone_event, "telephone_event", CT_UINT, .min = 96,
	    .max = 127, .def = "101"),
};
#undef S
#define S struct ata_conf_dialplan
static const struct conf_field dialplan_rows[] = {
	LIST(S, patternv, patternc, "patterns", &f_pattern, .max = 256,
	     .def = "xxxx,0x.,*xx,911"),
	ROW(S, interdigit_ms, "interdigit", CT_DUR, .min = SEC(1),
	    .max = SEC(30), .def = "4s"),
	ROW(S, first_digit_ms, "first_digit", CT_DUR, .min = SEC(5),
	    .max = SEC(120), .def = "15s"),
	ROW(S, critical_ms, "critical", CT_DUR, .min = MS(500),
	    .max = SEC(30), .def = "2s"),
};
#undef S
#define S struct ata_conf_account
static const struct conf_field account_rows[] = {
	ROW(S, aor, "aor", CT_URI, .flags = CF_REQUIRED),
	ROW(S, display_name, "display_name", CT_STR),
	ROW(S, registrar, "registrar", CT_URI, .flags = CF_EMPTY_OK),
	ROW(S, outbound_proxy, "outbound_proxy", CT_URI,
	    .flags = CF_EMPTY_OK),
	ROW(S, auth_user, "auth_user", CT_STR),
	ROW(S, password, "password", CT_STR),
	ROW(S, transport, "transport", CT_ENUM, .enumv = acc_transports,
	    .def = "auto"),
	ROW(S, expiry_ms, "expiry", CT_DUR, .min = SEC(60),
	    .max = SEC(86400), .def = "600s"),
	ROW(S, srtp, "srtp", CT_ENUM, .enumv = srtps, .def = "off"),
};
#undef S
static const struct conf_schema dialplan_schema =
	SCHEMA("dialplan", struct ata_conf_dialplan, dialplan_rows);
static const struct conf_schema account_schema =
	SCHEMA("account", struct ata_conf_account, account_rows);
#define S struct ata_conf_hook
static const struct conf_field hook_rows[] = {
	ROW(S, debounce_ms, "debounce", CT_DUR, .min = MS(5),
	    .max = MS(50), .def = "15ms"),
	ROW(S, flash_min_ms, "flash_min", CT_DUR, .min = MS(20),
	    .max = MS(1000), .def = "80ms"),
	ROW(S, flash_max_ms, "flash_max", CT_DUR, .min = MS(100),
	    .max = MS(3000), .def = "800ms"),
	ROW(S, pulse_dialing, "pulse_dialing", CT_BOOL, .def = "false"),
	ROW(S, pulse_interdigit_ms, "pulse_interdigit", CT_DUR,
	    .min = MS(150), .max = MS(2000), .def = "300ms"),
};
#undef S
static const struct conf_schema hook_schema =
	SCHEMA("hook", struct ata_conf_hook, hook_rows);
static const struct conf_field f_ring_cadence = {
	.type = CT_DUR, .min = MS(100), .max = SEC(30) };
#define S struct ata_conf_line
static const struct conf_field line_rows[] = {
	/* no default: an absent id becomes the line's position */
	ROW(S, id, "id", CT_UINT, .min = 1, .max = ATA_CONF_MAX_LINES),
	ROW(S, device, "device", CT_STR, .flags = CF_NONEMPTY,
	    .def = "default"),
	ROW(S, hook_control, "hook_control", CT_STR),
	ROW(S, ring_control, "ring_control", CT_STR),
	ROW(S, tones, "tones", CT_STR, .flags = CF_NONEMPTY, .def = "us"),
	ROW(S, dialplan, "dialplan", CT_MAP, .sub = &dialplan_schema),
	ROW(S, account, "account", CT_MAP, .sub = &account_schema),
	ROW(S, hook, "hook", CT_MAP, .sub = &hook_schema),
	LIST(S, ring_cadencev, ring_cadencec, "ring_cadence",
	     &f_ring_cadence, .max = 8),
	ROW(S, ring_timeout_ms, "ring_timeout", CT_DUR, .min = SEC(1),
	    .max = SEC(3600), .def = "180s"),
	/* fax, modem and alarm panels */
	ROW(S, dtmf_detect, "dtmf_detect", CT_BOOL, .def = "on"),
	ROW(S, fax_detect, "fax_detect", CT_BOOL, .def = "on"),
	/* caller ID */
	ROW(S, caller_id, "caller_id", CT_ENUM, .enumv = caller_ids,
	    .def = "auto"),
	ROW(S, caller_id_format, "caller_id_format", CT_ENUM,
	    .enumv = cid_formats, .def = "mdmf"),
	/* caller ID on call waiting (type II) */
	ROW(S, caller_id_waiting, "caller_id_waiting", CT_BOOL, .def = "on"),
	/* message waiting (issue #14) */
	ROW(S, mwi, "mwi", CT_BOOL, .def = "on"),
	/* line echo canceller */
	ROW(S, echo_canceller, "echo_canceller", CT_BOOL, .def = "on"),
	ROW(S, echo_tail_ms, "echo_tail", CT_DUR, .min = MS(8),
	    .max = MS(64), .def = "32ms"),
};
#undef S
#define S struct ata_conf_upnp
static const struct conf_field upnp_rows[] = {
	ROW(S, timeout_ms, "timeout", CT_DUR, .min = MS(100),
	    .max = SEC(30), .def = "2s"),
	ROW(S, lease_ms, "lease", CT_DUR, .min = SEC(60),
	    .max = SEC(86400), .def = "1h"),
	ROW(S, recheck_ms, "recheck", CT_DUR, .min = SEC(10),
	    .max = SEC(86400), .def = "5m"),
	LIST(S, protov, protoc, "protocols", &f_map_proto, .min = 1,
	     .max = 3, .flags = CF_UNIQUE, .def = "pcp,natpmp,upnp"),
};
#undef S
#define S struct ata_conf_stun
static const struct conf_field stun_rows[] = {
	ROW(S, server, "server", CT_SERVER, .flags = CF_EMPTY_OK),
	ROW(S, keepalive_ms, "keepalive", CT_DUR, .min = SEC(15),
	    .max = SEC(60), .flags = CF_ZERO_OK, .def = "0"),
	ROW(S, timeout_ms, "timeout", CT_DUR, .min = MS(100),
	    .max = SEC(30), .def = "2s"),
};
#undef S
#define S struct ata_conf_turn
static const struct conf_field turn_rows[] = {
	ROW(S, server, "server", CT_SERVER, .flags = CF_EMPTY_OK),
	/* auto: UDP, TCP when UDP goes unanswered (modules/turn) */
	ROW(S, transport, "transport", CT_ENUM, .enumv = acc_transports,
	    .def = "auto"),
	ROW(S, username, "username", CT_STR),
	ROW(S, password, "password", CT_STR),
	ROW(S, timeout_ms, "timeout", CT_DUR, .min = MS(100),
	    .max = SEC(30), .def = "3s"),
};
#undef S
static const struct conf_schema upnp_schema =
	SCHEMA("upnp", struct ata_conf_upnp, upnp_rows);
static const struct conf_schema stun_schema =
	SCHEMA("stun", struct ata_conf_stun, stun_rows);
static const struct conf_schema turn_schema =
	SCHEMA("turn", struct ata_conf_turn, turn_rows);
#define S struct ata_conf_traversal
static const struct conf_field traversal_rows[] = {
	LIST(S, orderv, orderc, "order", &f_method, .max = 4,
	     .flags = CF_UNIQUE, .def = "upnp,register,stun,turn"),
	ROW(S, parallel, "parallel", CT_BOOL, .def = "true"),
	ROW(S, upnp, "upnp", CT_MAP, .sub = &upnp_schema),
	ROW(S, stun, "stun", CT_MAP, .sub = &stun_schema),
	ROW(S, turn, "turn", CT_MAP, .sub = &turn_schema),
	ROW(S, rtp_keepalive_ms, "rtp_keepalive", CT_DUR, .min = SEC(5),
	    .max = SEC(60), .def = "15s"),
	ROW(S, sip_alg, "sip_alg", CT_ENUM, .enumv = sip_algs,
	    .def = "bypass"),
};
#undef S
#define S struct ata_conf_alg_hint
static const struct conf_field alg_hint_rows[] = {
	ROW(S, enabled, "enabled", CT_BOOL, .def = "true"),
	ROW(S, check_timeout_ms, "check_timeout", CT_DUR, .min = MS(50),
	    .max = SEC(10), .def = "500ms"),
	ROW(S, tier_stun, "tier_stun", CT_ADDR),
};
#undef S
#define S struct ata_conf_bandwidth
static const struct conf_field bandwidth_rows[] = {
	ROW(S, uplink_kbps, "uplink_kbps", CT_UINT, .min = 16,
	    .max = 10000000, .flags = CF_ZERO_OK, .def = "0"),
	ROW(S, downlink_kbps, "downlink_kbps", CT_UINT, .min = 16,
	    .max = 10000000, .flags = CF_ZERO_OK, .def = "0"),
};
#undef S
/* the call history (issue #15): the ring's size, 1000 at most (about
   330 kB) so an ATA's memory stays bounded */
#define S struct ata_conf_history
static const struct conf_field history_rows[] = {
	ROW(S, calls, "calls", CT_UINT, .min = 0, .max = 1000, .def = "100"),
};
#undef S
static const struct conf_schema history_schema =
	SCHEMA("history", struct ata_conf_history, history_rows);

static const struct conf_schema log_schema =
	SCHEMA("log", struct ata_conf_log, log_rows);
static const struct conf_schema control_schema =
	SCHEMA("control", struct ata_conf_control, control_rows);
static const struct conf_schema module_schema =
	SCHEMA("modules", struct ata_conf_module, module_rows);
static const struct conf_schema sip_schema =
	SCHEMA("sip", struct ata_conf_sip, sip_rows);
static const struct conf_schema media_schema =
	SCHEMA("media", struct ata_conf_media, media_rows,
	       .post = conf_media_post);
static const struct conf_schema line_schema =
	SCHEMA("lines", struct ata_conf_line, line_rows);
static const struct conf_schema traversal_schema =
	SCHEMA("traversal", struct ata_conf_traversal, traversal_rows);
static const struct conf_schema alg_hint_schema =
	SCHEMA("alg_hint", struct ata_conf_alg_hint, alg_hint_rows);
static const struct conf_schema bandwidth_schema =
	SCHEMA("bandwidth", struct ata_conf_bandwidth, bandwidth_rows);

#define S struct ata_config
static const struct conf_field root_rows[] = {
	ROW(S, log, "log", CT_MAP, .sub = &log_schema),
	ROW(S, control, "control", CT_MAP, .sub = &control_schema),
	ROW(S, module_path, "module_path", CT_PATH, .flags = CF_NONEMPTY,
	    .def = ATA_MODULE_DIR),
	{ .key = "modules", .type = CT_MAPLIST, .sub = &module_schema,
	  .off = offsetof(S, modv), .cnt = offsetof(S, modc), .max = 32,
	  .def = "[{name: audio-alsa, required: true},"
		 " {name: upnp, required: false},"
		 " {name: stun, required: false},"
		 " {name: turn, required: false},"
		 " {name: alg-hint, required: false}]" },
	ROW(S, sip, "sip", CT_MAP, .sub = &sip_schema),
	ROW(S, media, "media", CT_MAP, .sub = &media_schema),
	ROW(S, tonev, "tones", CT_CUSTOM, .custom = conf_tones_custom),
	{ .key = "lines", .type = CT_MAPLIST, .sub = &line_schema,
	  .off = offsetof(S, linev), .cnt = offsetof(S, linec),
	  .min = 1, .max = ATA_CONF_MAX_LINES, .flags = CF_REQUIRED },
	ROW(S, traversal, "traversal", CT_MAP, .sub = &traversal_schema),
	ROW(S, alg_hint, "alg_hint", CT_MAP, .sub = &alg_hint_schema),
	ROW(S, bandwidth, "bandwidth", CT_MAP, .sub = &bandwidth_schema),
	ROW(S, history, "history", CT_MAP, .sub = &history_schema),
};
#undef S

const struct conf_schema conf_root_schema =
	SCHEMA("", struct ata_config, root_rows);
