/**
 * @file ctrl_verbs.h  Every control verb: name, arguments, what it does
 *
 * The one source of the verb list. The daemon's verb tables take their
 * rows from here (`{ATA_VERB_STATUS, cmd_status}`), so `help` prints
 * these very strings; atactl -h prints ATA_CTRL_VERB_ROWS without asking
 * the daemon; tests/unit/test_verbs.c checks that every verb here meets
 * the convention of core/ataua.h and is in conf/atactl.1.
 *
 * A verb is three strings: the name (lowercase words), the argument
 * synopsis only ("" when none; UPPERCASE for values, [ ] for optional
 * parts, | between choices), and one short line saying what it does.
 *
 * Plain #defines only: atactl includes this without libre.
 */
#ifndef ATA_CTRL_VERBS_H
#define ATA_CTRL_VERBS_H

/* Connection-level verbs, handled by the transport (ctrl_conn.c) */
#define ATA_VERB_PING     "PING",   "", "check the daemon answers (PONG)"
#define ATA_VERB_ATTACH   "ATTACH", "", "send events on this connection"
#define ATA_VERB_LEVEL    "LEVEL",  "N", "events up to level N (3..7)"
#define ATA_VERB_DETACH   "DETACH", "", "stop sending events"
#define ATA_VERB_QUIT     "QUIT",   "", "close this connection"
/* issue #15: JSON mode, per connection (ctrl_proto.h) */
#define ATA_VERB_FORMAT   "FORMAT", "json|text", \
			  "replies and events as JSON or text"

/* The verb table itself (cmd.c) */
#define ATA_VERB_HELP     "help", "[VERB]", "list verbs (starting with VERB)"

/* core_cmds.c */
#define ATA_VERB_STATUS   "status", "", "daemon, SIP listeners and lines"
#define ATA_VERB_MODULES  "module list", "", "loaded modules and their state"
#define ATA_VERB_RELOAD   "reload", "", "re-read the config file"
#define ATA_VERB_LOGLEVEL "log level", "[3..7]", "show or set the log level"
#define ATA_VERB_MEM      "mem", "", "libre's memory blocks, the C heap"

/* phone_cmds.c */
#define ATA_VERB_LINE     "line", "N [offhook|onhook|flash|digits D]", \
			  "show line N or drive its hook"
#define ATA_VERB_LINES    "lines", "", "state of every line"
#define ATA_VERB_CALLS    "calls", "", "calls in progress"
#define ATA_VERB_HANGUP   "call hangup", "ID", "hang up call ID"
#define ATA_VERB_REG      "reg", "", "SIP registration of every line"

/* media_cmds.c, nat_cmd.c, admission_call.c */
#define ATA_VERB_STATS    "stats", "[N]", "RTP, jitter buffer, device counters"
#define ATA_VERB_NAT      "nat", "", "traversal modules and the verdict"
#define ATA_VERB_BANDWIDTH "bandwidth", "", "call admission: capacity, use"

/* metrics_cmds.c */
#define ATA_VERB_METRICS  "metrics", "", \
			  "counters in Prometheus text format"
/* line_history.c: finished calls (issue #15) */
#define ATA_VERB_HISTORY  "history", "[N]", \
			  "last N finished calls, newest first"

/* Module verbs: only while the module is loaded */
#define ATA_VERB_TURN_STATUS  "turn status", "", "relays and their state"
#define ATA_VERB_TURN_ALLOC   "turn alloc", "[udp|tcp|tls] [LIFETIME]", \
			      "allocate a test relay"
#define ATA_VERB_TURN_PEER    "turn peer", "IP:PORT", \
			      "test relay: permission, channel"
#define ATA_VERB_TURN_SEND    "turn send", "IP:PORT TEXT", \
			      "send through the test relay"
#define ATA_VERB_TURN_RELEASE "turn release", "", "release the test relay"
#define ATA_VERB_UPNP_STATUS  "upnp status", "", \
			      "IGD, external address, mappings"
#define ATA_VERB_UPNP_MAP     "upnp map", "PORT", \
			      "map a UDP port of this host (test)"
#define ATA_VERB_UPNP_UNMAP   "upnp unmap", "PORT", "release a `upnp map`"
#define ATA_VERB_ALG_HINT     "alg-hint", "", \
			      "SIP ALG checks and their verdict"

/*
 * A row of the list: module is NULL for the core's verbs, "" for the
 * transport's, else the module that registers the verb
 */
struct ata_verb_row {
	const char *name;
	const char *args;
	const char *desc;
	const char *module;
};

/* Rows of every verb, for atactl -h and the tests */
#define ATA_CTRL_VERB_ROWS \
	{ATA_VERB_HELP, NULL}, \
	{ATA_VERB_STATUS, NULL}, \
	{ATA_VERB_MODULES, NULL}, \
	{ATA_VERB_RELOAD, NULL}, \
	{ATA_VERB_LOGLEVEL, NULL}, \
	{ATA_VERB_MEM, NULL}, \
	{ATA_VERB_LINES, NULL}, \
	{ATA_VERB_LINE, NULL}, \
	{ATA_VERB_CALLS, NULL}, \
	{ATA_VERB_HANGUP, NULL}, \
	{ATA_VERB_REG, NULL}, \
	{ATA_VERB_STATS, NULL}, \
	{ATA_VERB_NAT, NULL}, \
	{ATA_VERB_BANDWIDTH, NULL}, \
	{ATA_VERB_METRICS, NULL}, \
	{ATA_VERB_HISTORY, NULL}, \
	{ATA_VERB_TURN_STATUS, "turn"}, \
	{ATA_VERB_TURN_ALLOC, "turn"}, \
	{ATA_VERB_TURN_PEER, "turn"}, \
	{ATA_VERB_TURN_SEND, "turn"}, \
	{ATA_VERB_TURN_RELEASE, "turn"}, \
	{ATA_VERB_UPNP_STATUS, "upnp"}, \
	{ATA_VERB_UPNP_MAP, "upnp"}, \
	{ATA_VERB_UPNP_UNMAP, "upnp"}, \
	{ATA_VERB_ALG_HINT, "alg-hint"}, \
	ATA_CTRL_CONN_VERB_ROWS

/* Rows of the connection-level verbs alone (cmd.c's help lists them) */
#define ATA_CTRL_CONN_VERB_ROWS \
	{ATA_VERB_PING, ""}, \
	{ATA_VERB_ATTACH, ""}, \
	{ATA_VERB_LEVEL, ""}, \
	{ATA_VERB_DETACH, ""}, \
	{ATA_VERB_QUIT, ""}, \
	{ATA_VERB_FORMAT, ""}

#endif
