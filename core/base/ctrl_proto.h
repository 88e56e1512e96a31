/**
 * @file ctrl_proto.h  Control socket wire protocol, shared by daemon and CLI
 *
 * Plain #defines only: atactl and test clients include this without libre.
 *
 * Transport: an AF_UNIX stream socket (default ATA_CTRL_DEFAULT_PATH, mode
 * 0660 and group from the config; 0666 with allow lists). Peers are
 * checked with SO_PEERCRED/SO_PEERGROUPS: root, the daemon's own uid,
 * members of the socket's group and the configured allow lists get in,
 * anyone else reads `FAIL permission denied: ...` and is disconnected.
 *
 * Requests: one line `VERB args\n` (a CR before the LF is dropped). Words
 * are separated by one or more spaces. A line longer than the daemon's
 * max_request (default ATA_CTRL_MAX_REQUEST) bytes gets `FAIL too long`;
 * the rest of that line is discarded and the connection keeps working.
 * Control bytes (NUL, ESC, ...) other than TAB get `FAIL invalid
 * character in request`.
 *
 * Replies: zero or more body lines (`key=value`, or free text for `help`,
 * Prometheus' text format for `metrics`), then exactly one final line:
 *
 *   OK
 *   FAIL <reason>              e.g. `FAIL invalid argument`
 *   FAIL unknown command: <verb>
 *
 * `PING` is the one exception: its whole reply is the single line `PONG`.
 * Verbs are case-sensitive; daemon verbs are lowercase words ("status",
 * "module list", "log level 7"), connection-level verbs are uppercase.
 *
 * Connection-level verbs (handled by the transport, not the verb table):
 *
 *   PING        -> PONG
 *   ATTACH      -> OK, then events are sent on this connection
 *   DETACH      -> OK, no more events
 *   LEVEL n     -> OK; only events with level <= n are sent (default 6)
 *   QUIT        -> the daemon closes the connection
 *   FORMAT json|text -> OK (in the new format); replies and events in
 *               JSON, or text again (the default); see below
 *
 * Events: `<level>EVENT-NAME key=value ...` where level is the syslog
 * number 3 (error) .. 7 (debug). Event lines never contain CR/LF or other
 * control bytes (the daemon replaces them with '?').
 *
 * Commands still work on an attached connection, and events and replies
 * are interleaved only at line boundaries, but an event may arrive between
 * a request and its reply. Clients should therefore keep one connection
 * for requests and a separate one for ATTACH (as hostapd's tests do);
 * ctrl_client passes `<` lines seen during a request to its event handler.
 *
 * Records and quoting (the one rule for every reply; FORMAT json reads
 * replies by it, so a verb that keeps it needs nothing for JSON):
 *
 *   - A body line holds `key=value` pairs separated by a space; a key is
 *     letters, digits, `_`, `-` and `.`. A value with a space, `"` or
 *     `\` is written in double quotes, with `\"` and `\\` inside. A line
 *     with one pair may give the rest of the line as its value, unquoted
 *     (`verdict=degraded: no registrar`): a line whose words are not all
 *     pairs is that one pair. A body with a line that does not start
 *     with `key=` is free text (`help`, `metrics`).
 *   - A record starts at each line whose first key is a block key
 *     (ATA_CTRL_BLOCK_KEYS: `line=N` of a phone line, `relay=N` of a TURN
 *     relay) and takes the lines after it up to the next block key or
 *     `count=`. Elsewhere, a line with two or more pairs is a record of
 *     its own (`name=stun kind=traversal ...`).
 *   - `count=N` (ATA_CTRL_COUNT_KEY) on its own line ends a list of
 *     records and says how many there are; it may be the whole body.
 *   - Every other line is a pair of the reply itself. A key given twice
 *     in one reply or record keeps both values (JSON: joined by "\n").
 *
 * FORMAT json (per connection; FORMAT text, the default, goes back):
 * every reply and every event is then one JSON value on one line:
 *
 *   OK after no body          {"ok":true}
 *   PONG                      {"ok":true,"pong":true}
 *   FAIL reason               {"ok":false,"error":"reason"} and, if the
 *                             verb printed a body, "reply": the body
 *   own pairs only            {"key":"value",...}
 *   records only / count=     [{...},...] ([] for `count=0`)
 *   own pairs and records     {"key":"value",...,"records":[{...}]}
 *   free text                 {"text":"the body, newlines and all"}
 *   event <N>NAME k=v ...     {"event":"NAME","level":N,"k":"v",...}
 *
 * Values stay strings (`5`, `-`, `unknown` alike), so a field's JSON type
 * never changes with its value; the count is the array's length. An
 * event is the one object whose first member is "event". Refusals sent
 * before a client can speak (permission, too many clients) stay text.
 *
 * Limits: at most max_clients connections (one more is accepted, told
 * `FAIL too many clients` and closed); a client that does not read its
 * output (more than ATA_CTRL_MAX_BACKLOG bytes pending) is dropped.
 */
#ifndef ATA_CTRL_PROTO_H
#define ATA_CTRL_PROTO_H

/* Defaults */
#define ATA_CTRL_DEFAULT_PATH  "/run/ataua/ataua.sock"
#define ATA_CTRL_ENV_PATH      "ATAUA_CTRL"
#define ATA_CTRL_MAX_REQUEST   8192
#define ATA_CTRL_MAX_CLIENTS   16
#define ATA_CTRL_MAX_BACKLOG   (256 * 1024)
#define ATA_CTRL_DEFAULT_LEVEL 6

/* Final reply lines */
#define ATA_CTRL_OK            "OK"
#define ATA_CTRL_FAIL          "FAIL"
#define ATA_CTRL_PONG          "PONG"
#define ATA_CTRL_UNKNOWN       "unknown command: "

/* Connection-level verbs */
#define ATA_CTRL_PING          "PING"
#define ATA_CTRL_ATTACH        "ATTACH"
#define ATA_CTRL_DETACH        "DETACH"
#define ATA_CTRL_LEVEL         "LEVEL"
#define ATA_CTRL_QUIT          "QUIT"
#define ATA_CTRL_FORMAT        "FORMAT"

/* FORMAT's arguments and the record rule's keys (see above) */
#define ATA_CTRL_FORMAT_JSON   "json"
#define ATA_CTRL_FORMAT_TEXT   "text"
#define ATA_CTRL_BLOCK_KEYS    "line", "relay"
#define ATA_CTRL_COUNT_KEY     "count"

/* Event names */
#define ATA_EVENT_REG          "REG-STATE"
#define ATA_EVENT_CALL         "CALL-STATE"
#define ATA_EVENT_LINE         "LINE-STATE"
#define ATA_EVENT_RING_START   "RING-START"
#define ATA_EVENT_RING_STOP    "RING-STOP"
#define ATA_EVENT_RELOAD       "CONFIG-RELOADED"
#define ATA_EVENT_MODULE       "MODULE-STATE"
#define ATA_EVENT_NAT          "NAT-STATE"
/* NAT traversal (core/nat*.c): our public SIP address changed (old= new=
 * method=); a module lost its binding (module= err=ENAME: every err=
 * field names the errno, ata_errname(), never its number, which differs
 * between architectures); keep-alives went
 * unanswered (module=); a call's RTP socket maps to another public
 * address than its SDP offers (local= public= sdp=) */
#define ATA_EVENT_PUBLIC_ADDR  "PUBLIC-ADDRESS-CHANGED"
#define ATA_EVENT_NAT_LOST     "NAT-MAPPING-LOST"
#define ATA_EVENT_KA_FAILED    "KEEPALIVE-FAILED"
/* aor= transport= reason=: a registration changed its SIP transport */
#define ATA_EVENT_SIP_TRANSPORT "SIP-TRANSPORT-CHANGED"
#define ATA_EVENT_RTP_MISMATCH "NAT-RTP-MISMATCH"
/* reason=link-up|address: the kernel reported a change (core/sys/netmon.c);
 * the NAT policy runs again and the lines re-register */
#define ATA_EVENT_NETWORK      "NETWORK-CHANGED"
#define ATA_EVENT_ERROR        "ERROR"
#define ATA_EVENT_TERMINATING  "TERMINATING"

/* Call admission (core/call/admission_call.c): a call did not fit the
 * bandwidth (reason="uplink full: ..."); a call ended after a refusal,
 * so capacity is free again (uplink_free= downlink_free= kbit/s, 0 for
 * an unlimited direction; calls=) */
#define ATA_EVENT_BW_REFUSED   "BANDWIDTH-REFUSED"
#define ATA_EVENT_BW_AVAILABLE "BANDWIDTH-AVAILABLE"

/* Hook switch of a driver's hook_control, as timed (core/line/line_hook.c):
 * line= hook=offhook|onhook|flash|digit key=0..9 or - (debug level) */
#define ATA_EVENT_HOOK         "HOOK"

/* Line audio (modules/audio-alsa): a line's PCM failed hard (unplugged,
 * I/O error, recover failed; line= device= error=ENODEV|EIO|...): the
 * call stays up with silence both ways while the driver reopens it with
 * a capped backoff; it works again (line= device= down_ms= retries=) */
#define ATA_EVENT_AUDIO_LOST   "AUDIO-DEVICE-LOST"
#define ATA_EVENT_AUDIO_BACK   "AUDIO-DEVICE-BACK"

/* Fax/modem (core/line/line_fax.c): a call's audio switched to
 * pass-through for the rest of the call (line= id= mode=passthrough
 * tone=ans-pr|ans|cng dir=rx|tx; rx: the far end sent the tone, tx:
 * the phone); again with tone=ans-pr if reversals follow an ans */
#define ATA_EVENT_CALL_MODE    "CALL-MODE"
/* One-way audio (core/line/line_oneway.c): an established sendrecv call
 * received nothing for silent_ms while we sent (line= id= dir=rx
 * silent_ms= tx_packets= rx_packets=); packets arrive again (line= id=
 * rx_packets=) */
#define ATA_EVENT_ONE_WAY      "CALL-ONE-WAY"
#define ATA_EVENT_TWO_WAY      "CALL-TWO-WAY"
/* Message waiting (core/line/line_mwi.c): a NOTIFY changed what waits
 * on the line's voicemail: line= waiting=yes|no new= old= (Voice-Message
 * counts) */
#define ATA_EVENT_MWI          "MWI"

#endif
