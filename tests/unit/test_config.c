/**
 * @file test_config.c  Config loader: errors with their positions, defaults,
 *                      documented example, parsed values
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>
#include "conf/config.h"
#include "conf/conf.h"
#include "base/version.h"

#define LINES "lines:\n  - account: {aor: \"sip:1001@example.net\"}\n"

struct outbuf {
	char text[8192];
	size_t len;
};

static int out_print(const char *p, size_t size, void *arg)
{
	struct outbuf *ob = arg;
	size_t n = size;

	if (n > sizeof(ob->text) - 1 - ob->len)
		n = sizeof(ob->text) - 1 - ob->len;
	memcpy(ob->text + ob->len, p, n);
	ob->len += n;
	ob->text[ob->len] = '\0';

	return 0;
}

static int load_str(struct ata_config **cfgp, struct outbuf *ob,
		    const char *yaml)
{
	struct re_printf pf = {out_print, ob};

	memset(ob, 0, sizeof(*ob));
	*cfgp = NULL;
	return config_load_buf(cfgp, "t.yaml", yaml, strlen(yaml), &pf);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';

	return n;
}

/* The output has a line "t.yaml:POS: ...WANT..." */
static void assert_error(const char *out, const char *name, const char *pos,
			 const char *want)
{
	char prefix[64];
	const char *p = out;

	snprintf(prefix, sizeof(prefix), "%s:%s: ", name, pos);

	while ((p = strstr(p, prefix))) {
		const char *eol = strchr(p, '\n');
		const char *hit = strstr(p, want);

		if (eol && hit && hit < eol)
			return;
		p += strlen(prefix);
	}

	fail_msg("no error '%s%s' in:\n%s", prefix, want, out);
}

struct bad_case {
	const char *yaml;
	const char *pos;
	const char *want;
};

static const struct bad_case bad_cases[] = {
	/* unknown key, naming the known ones */
	{"log:\n  levle: info\n" LINES, "2:3",
	 "unknown key 'levle' in 'log' (known: level, target)"},
	{"colour: red\n" LINES, "1:1",
	 "unknown key 'colour' at top level (known: log, control,"},
	{LINES "    account2: {}\n", "3:5", "unknown key 'account2' in"
	 " 'lines[0]'"},
	/* wrong type */
	{"log: info\n" LINES, "1:6", "'log' must be a mapping"},
	{"sip:\n  transports: udp\n" LINES, "2:15",
	 "'sip.transports' must be a list"},
	{"log:\n  level: [info]\n" LINES, "2:10",
	 "'log.level' must be a scalar, not a list"},
	{"lines: {id: 1}\n", "1:8", "'lines' must be a list"},
	{"modules: [audio-alsa]\n" LINES, "1:11",
	 "'modules[0]' must be a mapping"},
	{"control:\n  max_clients:\n" LINES, "2:15",
	 "'control.max_clients' has no value"},
	/* out of range, saying the range */
	{"control:\n  max_clients: 300\n" LINES, "2:16",
	 "'control.max_clients' is 300, out of range 1..256"},
	{"control:\n  max_request: 63\n" LINES, "2:16",
	 "out of range 64..65536"},
	{"media:\n  ptime: 70ms\n" LINES, "2:10",
	 "'media.ptime' is 70ms, out of range 10ms..60ms"},
	{"media:\n  ptime: 25ms\n" LINES, "2:10", "multiple of 10ms"},
	{"media:\n  ptime: 30ms\n  jitter_delay: 20ms\n" LINES, "3:17",
	 "must be at least 'media.ptime'"},
	{"media:\n  periods: 9\n" LINES, "2:12", "out of range 2..8"},
	{"media:\n  slack: 2ms\n" LINES, "2:10", "out of range"},
	{"media:\n  jitter_delay: 30ms\n  period: 40ms\n" LINES, "2:17",
	 "leaves no room for jitter: it must be over 'media.period' / 2 + "
	 "'media.slack' (30ms)"},
	{"media:\n  rt_priority: 100\n" LINES, "2:16", "out of range 0..99"},
	{"media:\n  telephone_event: 95\n" LINES, "2:20",
	 "out of range 96..127"},
	{"media:\n  rtp_ports: 10001-20000\n" LINES, "2:14", "even LO"},
	{"media:\n  rtp_ports: 80-20000\n" LINES, "2:14", "1024..65535"},
	{"traversal:\n  stun: {keepalive: 10s}\n" LINES, "2:21",
	 "out of range 0 or 15s..1m"},
	{"bandwidth: {uplink_kbps: 8}\n" LINES, "1:26",
	 "out of range 0 or 16..10000000"},
	{"history: {calls: 1001}\n" LINES, "1:18",
	 "'history.calls' is 1001, out of range 0..1000"},
	{"history: {calls: -1}\n" LINES, "1:18", "history.calls"},
	{"history: 100\n" LINES, "1:10", "history"},
	{"lines:\n  - id: 65\n    account: {aor: sip:a@b}\n", "2:9",
	 "out of range 1..64"},
	{LINES "    dialplan: {interdigit: 31s}\n", "3:28",
	 "out of range 1s..30s"},
	{LINES "    ring_timeout: 0s\n", "3:19",
	 "'lines[0].ring_timeout' is 0s, out of range 1s..1h"},
	{LINES "    caller_id: fsk\n", "3:16",
	 "'lines[0].caller_id' is 'fsk'; allowed: auto, off, bell202"},
	{LINES "    caller_id: v23\n    caller_id_format: sdmf\n", "4:23",
	 "'lines[0].caller_id_format' sdmf is a Bell 202 message"},
	{"tones:\n  us:\n    dial: {freqs: [5000]}\n" LINES, "3:20",
	 "'tones.us.dial.freqs[0]' is 5000, out of range 25..3400"},
	{"tones:\n  us:\n    dial: {freqs: [1, 2, 3, 4, 5]}\n" LINES,
	 "3:19", "has 5 items; allowed 1..4"},
	{"tones:\n  us:\n    dial: {freqs: [400], cadence: [1s]}\n" LINES,
	 "3:35", "needs on/off pairs"},
	{"log:\n  level: -5\n" LINES, "2:10", "allowed: err, warn,"},
	/* missing required key */
	{"log: {}\n", "1:1", "missing required key 'lines'"},
	{"lines:\n  - id: 1\n", "2:5",
	 "missing required key 'aor' in 'lines[0].account'"},
	{"lines:\n  - account: {display_name: x}\n", "2:14",
	 "missing required key 'aor' in 'lines[0].account'"},
	{"lines: []\n", "1:8", "'lines' has 0 items; allowed 1..64"},
	{"modules:\n  - required: true\n" LINES, "2:5",
	 "missing required key 'name' in 'modules[0]'"},
	{"tones:\n  at:\n    dial: {freqs: [425]}\n" LINES, "3:5",
	 "'tones.at' lacks ringback, busy, congestion, callwait, howler"},
	/* duplicate key */
	{"log:\n  level: info\n  level: debug\n" LINES, "3:3",
	 "duplicate key 'level' (first at 2:3)"},
	{"log: {}\nlog: {}\n" LINES, "2:1", "duplicate key 'log'"},
	{"tones:\n  us: {}\n  us: {}\n" LINES, "3:3",
	 "duplicate key 'us' (first at 2:3)"},
	/* value syntax */
	{"media:\n  ptime: 20\n" LINES, "2:10",
	 "a duration needs a unit (ms, s, m, h)"},
	{"media:\n  ptime: 20 ms\n" LINES, "2:10", "not a duration"},
	{"media:\n  ptime: 20sec\n" LINES, "2:10", "not a duration"},
	{"alg_hint: {check_timeout: 99999999999ms}\n" LINES, "1:27",
	 "far out of range"},
	{"sip:\n  listen: example.net:5060\n" LINES, "2:11",
	 "not a numeric address"},
	{"sip:\n  listen: 1.2.3.4\n" LINES, "2:11",
	 "not a numeric address"},
	{"sip:\n  listen: 1.2.3.4:70000\n" LINES, "2:11",
	 "not a numeric address"},
	{"sip:\n  listen: \"[::1:5060\"\n" LINES, "2:11",
	 "not a numeric address"},
	{"traversal:\n  stun: {server: \"::1:3478\"}\n" LINES, "2:18",
	 "in brackets"},
	{"traversal:\n  turn: {server: \"a b:1\"}\n" LINES, "2:18",
	 "not host[:port]"},
	{"lines:\n  - account: {aor: \"http://x.net\"}\n", "2:20",
	 "not a SIP URI"},
	{"lines:\n  - account: {aor: \"sip:a@b\", registrar: nope}\n",
	 "2:42", "'lines[0].account.registrar' is 'nope', not a SIP URI"},
	{"lines:\n  - account: {aor: \"\"}\n", "2:20", "not a SIP URI"},
	{"sip: {tls_verify: maybe}\n" LINES, "1:19",
	 "allowed: true, false, yes, no, on, off"},
	{"sip: {transports: [udp, sctp]}\n" LINES, "1:25",
	 "allowed: udp, tcp, tls"},
	{"media: {codecs: [pcma, pcma]}\n" LINES, "1:24",
	 "'media.codecs[1]' repeats 'pcma'"},
	{"traversal: {order: [stun, turn, stun]}\n" LINES, "1:33",
	 "repeats 'stun'"},
	{"traversal: {upnp: {protocols: [pcp, upnp, pcp]}}\n" LINES, "1:43",
	 "repeats 'pcp'"},
	{"traversal: {upnp: {protocols: [pcp, miniupnp]}}\n" LINES, "1:37",
	 "is 'miniupnp'; allowed: pcp, natpmp, upnp"},
	{"traversal: {upnp: {protocols: []}}\n" LINES, "1:31",
	 "'traversal.upnp.protocols' has 0 items"},
	{"modules:\n  - name: Audio_ALSA\n" LINES, "2:11", "[a-z0-9-]+"},
	{"modules:\n  - name: upnp\n  - name: upnp\n" LINES, "3:11",
	 "module 'upnp' is listed twice"},
	{LINES "    dialplan: {patterns: [\"1[2\"]}\n", "3:27",
	 "not a dial pattern"},
	{"control: {max_clients: 1x}\n" LINES, "1:24",
	 "must be a non-negative integer"},
	/* cross references */
	{LINES "    tones: xx\n", "3:12", "'lines[0].tones' is 'xx', not a"
	 " profile"},
	{LINES "  - id: 1\n    account: {aor: sip:b@c}\n", "3:9",
	 "'lines[1]' has id 1, already used by 'lines[0]'"},
	{LINES "    hook: {flash_min: 900ms}\n", "3:11",
	 "'lines[0].hook.flash_min' (900ms) must be below flash_max (800ms)"},
	{LINES "    hook: {debounce: 1ms}\n", "3:22", "out of range"},
	{LINES "    ring_cadence: [2s, 4s, 1s]\n", "3:19",
	 "'lines[0].ring_cadence' has 3 durations; it needs on/off pairs"},
	/* fax, modem and alarm panels */
	{LINES "    dtmf_detect: maybe\n", "3:18",
	 "'lines[0].dtmf_detect' is 'maybe'; allowed: true, false"},
	/* document level */
	{"- 1\n- 2\n", "1:1", "must be a mapping (key: value), not a list"},
	{"a: [1, 2\nb: 3\n", "2:2", "not valid YAML"},
	{"log:\n\tlevel: info\n", "2:1", "not valid YAML"},
	{"a: 1\n---\nb: 2\n", "2:1", "more than one YAML document"},
	{"a: &x [1]\nb: *x\n", "2:4", "aliases (*x) are not supported"},
	{"? [a, b]\n: 1\n", "1:3", "a key must be a plain word"},
	{"sip: {user_agent: \"a\\0b\"}\n" LINES, "1:19",
	 "NUL character in value"},
};

static void test_bad_cases(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct ata_config *cfg;
		struct outbuf ob;
		int err;

		err = load_str(&cfg, &ob, bc->yaml);
		if (err != EINVAL || cfg)
			fail_msg("case %zu: err=%d for:\n%s", i, err,
				 bc->yaml);
		assert_error(ob.text, "t.yaml", bc->pos, bc->want);
	}
}

/* Every error is reported, in file order, with nothing built */
static void test_many_errors(void **state)
{
	struct ata_config *cfg;
	struct outbuf ob;
	int err;
	(void)state;

	err = load_str(&cfg, &ob,
		       "log:\n  levle: info\n"
		       "control:\n  max_clients: 0\n"
		       "media:\n  ptime: 20\n"
		       "lines:\n  - account: {}\n");
	assert_int_equal(err, EINVAL);
	assert_null(cfg);
	assert_int_equal(count_lines(ob.text), 4);
	assert_error(ob.text, "t.yaml", "2:3", "unknown key 'levle'");
	assert_error(ob.text, "t.yaml", "4:16", "out of range 1..256");
	assert_error(ob.text, "t.yaml", "6:10", "needs a unit");
	assert_error(ob.text, "t.yaml", "8:14", "missing required key");
	assert_true(strstr(ob.text, "2:3:") < strstr(ob.text, "4:16:"));
	assert_true(strstr(ob.text, "6:10:") < strstr(ob.text, "8:14:"));
}

static void test_empty(void **state)
{
	struct re_printf pf;
	struct ata_config *cfg = NULL;
	struct outbuf ob;
	(void)state;

	memset(&ob, 0, sizeof(ob));
	pf.vph = out_print;
	pf.arg = &ob;
	assert_int_equal(config_load_buf(&cfg, "e.yaml", "", 0, &pf),
			 EINVAL);
	assert_null(cfg);
	assert_non_null(strstr(ob.text, "e.yaml: empty file"));

	assert_int_equal(load_str(&cfg, &ob, "# nothing\n"), EINVAL);
	assert_non_null(strstr(ob.text, "t.yaml: empty config"));

	assert_int_equal(load_str(&cfg, &ob, "~\n"), EINVAL);
	assert_non_null(strstr(ob.text, "t.yaml: empty config"));

	/* no print handler: still fails cleanly */
	assert_int_equal(config_load_buf(&cfg, NULL, "x", 1, NULL), EINVAL);
	assert_int_equal(config_load_buf(NULL, "x", "x", 1, NULL), EINVAL);
}

static void test_size_limit(void **state)
{
	size_t len = ATA_CONF_MAX_SIZE + 1;
	char *buf = malloc(len);
	struct ata_config *cfg = NULL;
	struct re_printf pf;
	struct outbuf ob;
	(void)state;

	assert_non_null(buf);
	memset(buf, '#', len);
	buf[0] = '\n';
	memset(&ob, 0, sizeof(ob));
	pf.vph = out_print;
	pf.arg = &ob;

	assert_int_equal(config_load_buf(&cfg, "big.yaml", buf, len, &pf),
			 EINVAL);
	assert_null(cfg);
	assert_non_null(strstr(ob.text, "big.yaml: larger than the 1048576"
			       " byte limit"));
	free(buf);
}

/* Fixtures live next to this file; tests run from the repository root */
static const char *src_path(char *buf, size_t size, const char *rel)
{
	const char *slash = strrchr(__FILE__, '/');
	int dlen = slash ? (int)(slash - __FILE__) : 1;

	snprintf(buf, size, "%.*s/%s", dlen, slash ? __FILE__ : ".", rel);
	return buf;
}

static int load_file(struct ata_config **cfgp, struct outbuf *ob,
		     const char *path)
{
	struct re_printf pf = {out_print, ob};

	memset(ob, 0, sizeof(*ob));
	*cfgp = NULL;
	return config_load(cfgp, path, &pf);
}

static const struct {
	const char *file;
	const char *pos;
	const char *want;
} bad_files[] = {
	{"bad_alias_bomb.yaml", "3:8", "aliases (*a) are not supported"},
	{"bad_deep.yaml", "2:21", "nested deeper than 16 levels"},
	{"bad_not_yaml.yaml", "2:1", "not valid YAML"},
	{"bad_nul.yaml", "3:14", "NUL byte in file"},
	{"bad_utf8.yaml", "2:18", "invalid UTF-8 (byte 0xe9)"},
	{"bad_multi.yaml", "2:3", "unknown key 'levle' in 'log'"},
	{"bad_multi.yaml", "4:16", "'control.max_clients' is 0"},
	{"bad_multi.yaml", "6:10", "needs a unit"},
	{"bad_multi.yaml", "11:9", "has id 1, already used"},
	{"bad_multi.yaml", "13:7", "missing required key 'aor'"},
};

static void test_bad_files(void **state)
{
	char path[512];
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(bad_files); i++) {
		struct ata_config *cfg;
		struct outbuf ob;
		int err;

		src_path(path, sizeof(path), "conf/");
		strncat(path, bad_files[i].file,
			sizeof(path) - strlen(path) - 1);
		err = load_file(&cfg, &ob, path);
		if (err != EINVAL || cfg)
			fail_msg("%s: err=%d\n%s", path, err, ob.text);
		assert_error(ob.text, path, bad_files[i].pos,
			     bad_files[i].want);
	}

	src_path(path, sizeof(path), "conf/bad_multi.yaml");
	{
		struct ata_config *cfg;
		struct outbuf ob;

		assert_int_equal(load_file(&cfg, &ob, path), EINVAL);
		assert_int_equal(count_lines(ob.text), 5);
	}

	src_path(path, sizeof(path), "conf/bad_empty.yaml");
	{
		struct ata_config *cfg;
		struct outbuf ob;

		assert_int_equal(load_file(&cfg, &ob, path), EINVAL);
		assert_non_null(strstr(ob.text, "bad_empty.yaml: empty"));
	}
}

static void test_unreadable(void **state)
{
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	assert_int_equal(load_file(&cfg, &ob, "/nonexistent/ataua.yaml"),
			 ENOENT);
	assert_null(cfg);
	assert_non_null(strstr(ob.text, "/nonexistent/ataua.yaml: cannot"
			       " open"));

	assert_int_equal(load_file(&cfg, &ob, "/"), EINVAL);
	assert_non_null(strstr(ob.text, "/: not a regular file"));
}

static void test_big_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	static char block[65536];
	struct ata_config *cfg;
	struct outbuf ob;
	int fd, i;
	(void)state;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(block, '#', sizeof(block));
	for (i = 0; i < 17; i++)
		assert_int_equal(write(fd, block, sizeof(block)),
				 (ssize_t)sizeof(block));
	close(fd);

	assert_int_equal(load_file(&cfg, &ob, path), EINVAL);
	assert_null(cfg);
	assert_non_null(strstr(ob.text, "larger than the 1048576 byte"));
	unlink(path);
}

/* The defaults a minimal file gets */
static void assert_defaults(const struct ata_config *cfg)
{
	const struct ata_conf_line *line;

	assert_int_equal(cfg->log.level, 6);
	assert_int_equal(cfg->log.target, ATA_LOG_TARGET_STDERR);
	assert_string_equal(cfg->control.socket, "/run/ataua/ataua.sock");
	assert_string_equal(cfg->control.group, "");
	assert_int_equal(cfg->control.allow_uidc, 0);
	assert_int_equal(cfg->control.allow_gidc, 0);
	assert_int_equal(cfg->control.max_clients, 16);
	assert_int_equal(cfg->control.max_request, 8192);
	assert_int_equal(cfg->modc, 5);
	assert_string_equal(cfg->modv[0].name, "audio-alsa");
	assert_true(cfg->modv[0].required);
	assert_string_equal(cfg->modv[4].name, "alg-hint");
	assert_false(cfg->modv[4].required);

	assert_int_equal(sa_af(&cfg->sip.listen), AF_INET6);
	assert_true(sa_is_any(&cfg->sip.listen));
	assert_int_equal(sa_port(&cfg->sip.listen), 5060);
	assert_int_equal(cfg->sip.transportc, 2);
	assert_int_equal(cfg->sip.transportv[0], ATA_TRANSPORT_UDP);
	assert_int_equal(cfg->sip.transportv[1], ATA_TRANSPORT_TCP);
	assert_string_equal(cfg->sip.user_agent, "ataua");
	assert_int_equal(cfg->sip.accept_from, ATA_ACCEPT_PROXY);
	assert_string_equal(cfg->sip.tls_ca,
			    "/etc/ssl/certs/ca-certificates.crt");
	assert_true(cfg->sip.tls_verify);

	assert_int_equal(cfg->media.rtp_ports.min, 10000);
	assert_int_equal(cfg->media.rtp_ports.max, 20000);
	assert_int_equal(cfg->media.codecc, 2);
	assert_int_equal(cfg->media.codecv[0], ATA_CODEC_PCMU);
	assert_int_equal(cfg->media.codecv[1], ATA_CODEC_PCMA);
	assert_int_equal(cfg->media.ptime_ms, 20);
	assert_int_equal(cfg->media.jitter_delay_ms, 35);
	assert_int_equal(cfg->media.period_ms, 20);
	assert_int_equal(cfg->media.periods, 2);
	assert_int_equal(cfg->media.slack_ms, 10);
	assert_int_equal(cfg->media.rt_priority, 10);
	assert_true(cfg->media.rtcp_mux);
	assert_int_equal(cfg->media.telephone_event, 101);

	assert_int_equal(cfg->tonec, 4);
	assert_non_null(config_tones(cfg, "us"));
	assert_non_null(config_tones(cfg, "de"));
	assert_non_null(config_tones(cfg, "uk"));
	assert_non_null(config_tones(cfg, "fr"));
	assert_null(config_tones(cfg, "xx"));

	assert_int_equal(cfg->linec, 1);
	line = config_line(cfg, 1);
	assert_non_null(line);
	assert_ptr_equal(line, &cfg->linev[0]);
	assert_null(config_line(cfg, 2));
	assert_string_equal(line->device, "default");
	assert_string_equal(line->hook_control, "");
	assert_string_equal(line->ring_control, "");
	assert_string_equal(line->tones, "us");
	assert_ptr_equal(line->tone, config_tones(cfg, "us"));
	assert_int_equal(line->dialplan.patternc, 4);
	assert_string_equal(line->dialplan.patternv[0], "xxxx");
	assert_string_equal(line->dialplan.patternv[1], "0x.");
	assert_string_equal(line->dialplan.patternv[2], "*xx");
	assert_string_equal(line->dialplan.patternv[3], "911");
	assert_int_equal(line->dialplan.interdigit_ms, 4000);
	assert_int_equal(line->dialplan.first_digit_ms, 15000);
	assert_int_equal(line->ring_timeout_ms, 180000);
	assert_int_equal(line->caller_id, ATA_CID_AUTO);
	assert_int_equal(line->caller_id_format, ATA_CID_MDMF);
	assert_true(line->mwi);
	assert_int_equal(line->dialplan.critical_ms, 2000);
	/* the aor is the file's own (no default): checked by each caller */
	assert_true(!strncmp(line->account.aor, "sip:1001@", 9));
	assert_string_equal(line->account.display_name, "");
	assert_string_equal(line->account.outbound_proxy, "");
	assert_string_equal(line->account.auth_user, "");
	assert_string_equal(line->account.password, "");
	assert_int_equal(line->account.transport, ATA_TRANSPORT_AUTO);
	assert_int_equal(line->account.expiry_ms, 600000);
	assert_int_equal(line->account.srtp, ATA_SRTP_OFF);

	assert_int_equal(cfg->traversal.orderc, 4);
	assert_int_equal(cfg->traversal.orderv[0], ATA_TRAV_UPNP);
	assert_int_equal(cfg->traversal.orderv[1], ATA_TRAV_REGISTER);
	assert_int_equal(cfg->traversal.orderv[2], ATA_TRAV_STUN);
	assert_int_equal(cfg->traversal.orderv[3], ATA_TRAV_TURN);
	assert_true(cfg->traversal.parallel);
	assert_int_equal(cfg->traversal.upnp.timeout_ms, 2000);
	assert_int_equal(cfg->traversal.upnp.lease_ms, 3600000);
	assert_int_equal(cfg->traversal.upnp.recheck_ms, 300000);
	assert_int_equal(cfg->traversal.upnp.protoc, 3);
	assert_int_equal(cfg->traversal.upnp.protov[0], ATA_MAP_PCP);
	assert_int_equal(cfg->traversal.upnp.protov[1], ATA_MAP_NATPMP);
	assert_int_equal(cfg->traversal.upnp.protov[2], ATA_MAP_UPNP);
	assert_string_equal(cfg->traversal.stun.server.host, "");
	assert_int_equal(cfg->traversal.stun.server.port, 0);
	assert_int_equal(cfg->traversal.stun.keepalive_ms, 0);
	assert_int_equal(cfg->traversal.stun.timeout_ms, 2000);
	assert_string_equal(cfg->traversal.turn.server.host, "");
	assert_int_equal(cfg->traversal.turn.transport, ATA_TRANSPORT_AUTO);
	assert_string_equal(cfg->traversal.turn.username, "");
	assert_string_equal(cfg->traversal.turn.password, "");
	assert_int_equal(cfg->traversal.turn.timeout_ms, 3000);
	assert_int_equal(cfg->traversal.rtp_keepalive_ms, 15000);
	assert_true(cfg->alg_hint.enabled);
	assert_int_equal(cfg->alg_hint.check_timeout_ms, 500);
	assert_int_equal(cfg->bandwidth.uplink_kbps, 0);
	assert_int_equal(cfg->bandwidth.downlink_kbps, 0);
	assert_int_equal(cfg->history.calls, 100);
}

static void test_defaults(void **state)
{
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	assert_int_equal(load_str(&cfg, &ob, LINES), 0);
	assert_string_equal(ob.text, "");
	assert_string_equal(cfg->path, "t.yaml");
	assert_defaults(cfg);
	/* PREFIX/lib/ataua, as the Makefile compiles it in */
	assert_string_equal(cfg->module_path, ATA_MODULE_DIR);
	assert_string_equal(cfg->linev[0].account.registrar, "");
	assert_int_equal(cfg->linev[0].hook.debounce_ms, 15);
	assert_int_equal(cfg->linev[0].hook.flash_min_ms, 80);
	assert_int_equal(cfg->linev[0].hook.flash_max_ms, 800);
	assert_false(cfg->linev[0].hook.pulse_dialing);
	assert_int_equal(cfg->linev[0].hook.pulse_interdigit_ms, 300);
	assert_true(cfg->linev[0].dtmf_detect);
	assert_true(cfg->linev[0].fax_detect);
	mem_deref(cfg);
	assert_int_equal(load_str(&cfg, &ob, LINES "    dtmf_detect: off\n"
				  "    fax_detect: off\n"), 0);
	assert_false(cfg->linev[0].dtmf_detect);
	assert_false(cfg->linev[0].fax_detect);
	mem_deref(cfg);
}

/* conf/ataua.yaml documents exactly the defaults */
static void test_example_file(void **state)
{
	const struct ata_tone_profile *us, *de, *uk, *fr;
	char path[512], real[PATH_MAX], want[PATH_MAX + 32];
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	src_path(path, sizeof(path), "../../conf/ataua.yaml");
	assert_int_equal(load_file(&cfg, &ob, path), 0);
	assert_string_equal(ob.text, "");
	assert_defaults(cfg);
	/* the shipped line needs no outside server (make run) */
	assert_string_equal(cfg->linev[0].account.registrar, "");
	assert_string_equal(cfg->linev[0].account.aor,
			    "sip:1001@ataua.invalid");

	/* ../modules from conf/: the source tree's modules, for make run */
	src_path(path, sizeof(path), "../../modules");
	assert_non_null(realpath(path, real));
	snprintf(want, sizeof(want), "%s/conf/../modules", dirname(real));
	assert_string_equal(cfg->module_path, want);

	us = config_tones(cfg, "us");
	assert_int_equal(us->tone[ATA_TONE_DIAL].nfreq, 2);
	assert_int_equal(us->tone[ATA_TONE_DIAL].freq[1], 440);
	assert_int_equal(us->tone[ATA_TONE_DIAL].ncadence, 0);
	assert_int_equal(us->tone[ATA_TONE_RINGBACK].cadence_ms[1], 4000);
	assert_int_equal(us->tone[ATA_TONE_HOWLER].nfreq, 4);
	assert_int_equal(us->tone[ATA_TONE_HOWLER].level, 0);
	de = config_tones(cfg, "de");
	assert_int_equal(de->tone[ATA_TONE_DIAL].freq[0], 425);
	assert_int_equal(de->tone[ATA_TONE_BUSY].cadence_ms[0], 480);
	uk = config_tones(cfg, "uk");
	assert_int_equal(uk->tone[ATA_TONE_RINGBACK].ncadence, 4);
	assert_int_equal(uk->tone[ATA_TONE_RINGBACK].cadence_ms[3], 2000);
	fr = config_tones(cfg, "fr");
	assert_int_equal(fr->tone[ATA_TONE_DIAL].freq[0], 440);
	mem_deref(cfg);
}

static void test_example_tones_are_builtin(void **state)
{
	struct ata_config *cfg;
	struct outbuf ob;
	char path[512];
	size_t i;
	(void)state;

	src_path(path, sizeof(path), "../../conf/ataua.yaml");
	assert_int_equal(load_file(&cfg, &ob, path), 0);
	assert_int_equal(conf_builtin_tonec, 4);
	for (i = 0; i < conf_builtin_tonec; i++) {
		const struct ata_tone_profile *p;

		p = config_tones(cfg, conf_builtin_tones[i].name);
		assert_non_null(p);
		assert_memory_equal(p, &conf_builtin_tones[i], sizeof(*p));
	}
	mem_deref(cfg);
}

/* MWI: the stutter tone, built in, configured or derived; mwi: off */
static void test_mwi_stutter(void **state)
{
	static const char yaml[] =
		"tones:\n"
		"  at:\n"
		"    dial: {freqs: [425]}\n"
		"    ringback: {freqs: [425]}\n"
		"    busy: {freqs: [425]}\n"
		"    congestion: {freqs: [425]}\n"
		"    callwait: {freqs: [425]}\n"
		"    howler: {freqs: [425]}\n"
		"  de:\n"
		"    stutter: {freqs: [425], cadence: [100ms, 100ms],"
		" steady_after: 3s}\n"
		LINES "    mwi: off\n";
	const struct ata_tone_spec *st;
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	assert_int_equal(load_str(&cfg, &ob, yaml), 0);
	assert_false(cfg->linev[0].mwi);

	st = &config_tones(cfg, "us")->tone[ATA_TONE_STUTTER];
	assert_int_equal(st->freq[1], 440);
	assert_int_equal(st->cadence_ms[0], 100);
	assert_int_equal(st->steady_ms, 2000);

	st = &config_tones(cfg, "de")->tone[ATA_TONE_STUTTER];
	assert_int_equal(st->steady_ms, 3000);

	/* a new profile without one: its dial tone, stuttered as in us */
	st = &config_tones(cfg, "at")->tone[ATA_TONE_STUTTER];
	assert_int_equal(st->nfreq, 1);
	assert_int_equal(st->freq[0], 425);
	assert_int_equal(st->ncadence, 2);
	assert_int_equal(st->cadence_ms[1], 100);
	assert_int_equal(st->steady_ms, 2000);
	mem_deref(cfg);

	assert_int_equal(load_str(&cfg, &ob, "tones:\n  us:\n    stutter: "
				  "{freqs: [350], steady_after: 50ms}\n"
				  LINES), EINVAL);
	assert_non_null(strstr(ob.text, "steady_after"));
	assert_int_equal(load_str(&cfg, &ob, LINES "    mwi: maybe\n"),
			 EINVAL);
}

static void test_values(void **state)
{
	static const char yaml[] =
		"log: {level: debug, target: syslog}\n"
		"control:\n"
		"  socket: run/ata.sock\n"
		"  group: ataua\n"
		"  allow_uids: [1000, 1001]\n"
		"  allow_gids: [20]\n"
		"module_path: mods\n"
		"modules:\n"
		"  - name: stun\n"
		"  - {name: audio-alsa, required: no}\n"
		"sip:\n"
		"  listen: \"[::1]:0\"\n"
		"  transports: [tls, udp]\n"
		"  accept_from: any\n"
		"  tls_verify: Off\n"
		"media:\n"
		"  rtp_ports: 4000-4100\n"
		"  codecs: [pcma]\n"
		"  ptime: 30ms\n"
		"  jitter_delay: 0.5s\n";
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	/* 0.5s is not accepted: durations are whole numbers of a unit */
	assert_int_equal(load_str(&cfg, &ob, yaml), EINVAL);
	assert_error(ob.text, "t.yaml", "20:17", "not a duration");
}

static void test_values_ok(void **state)
{
	static const char yaml[] =
		"log: {level: debug, target: syslog}\n"
		"control:\n"
		"  socket: run/ata.sock\n"
		"  group: ataua\n"
		"  allow_uids: [1000, 1001]\n"
		"  allow_gids: [20]\n"
		"module_path: mods\n"
		"modules:\n"
		"  - name: stun\n"
		"  - {name: audio-alsa, required: no}\n"
		"sip:\n"
		"  listen: \"[::1]:0\"\n"
		"  transports: [tls, udp]\n"
		"  accept_from: any\n"
		"  tls_verify: Off\n"
		"media:\n"
		"  rtp_ports: 4000-4100\n"
		"  codecs: [pcma]\n"
		"  ptime: 30ms\n"
		"  jitter_delay: 500ms\n"
		"tones:\n"
		"  de:\n"
		"    dial: {freqs: [450], level: -10}\n"
		"  at:\n"
		"    dial: {freqs: [420]}\n"
		"    ringback: {freqs: [420], cadence: [1s, 5s]}\n"
		"    busy: {freqs: [420], cadence: [400ms, 400ms]}\n"
		"    congestion: {freqs: [420], cadence: [200ms, 200ms]}\n"
		"    callwait: {freqs: [420], cadence: [40ms, 1960ms]}\n"
		"    howler: {freqs: [1400, 2060], level: 3,"
		" cadence: [1h, 01ms]}\n"
		"lines:\n"
		"  - id: 3\n"
		"    device: hw:0,0\n"
		"    tones: at\n"
		"    dialplan: {patterns: [\"[2-9]xx.\", \"#\"],"
		" interdigit: 30s}\n"
		"    account:\n"
		"      aor: sips:alice@example.org;transport=tls\n"
		"      registrar: \"sip:[2001:db8::1]:5061\"\n"
		"      password: secret\n"
		"      srtp: mandatory\n"
		"      expiry: 1h\n"
		"  - account: {aor: sip:bob@192.0.2.1}\n"
		"    tones: de\n"
		"traversal:\n"
		"  order: [stun]\n"
		"  parallel: no\n"
		"  upnp: {protocols: [natpmp, upnp]}\n"
		"  stun: {server: stun.example.net, keepalive: 0}\n"
		"  turn: {server: \"[2001:db8::2]:3479\", transport: tcp}\n"
		"bandwidth: {uplink_kbps: 10000000, downlink_kbps: 16}\n"
		"history: {calls: 0}\n";
	const struct ata_conf_line *line;
	const struct ata_tone_profile *p;
	struct ata_config *cfg;
	struct outbuf ob;
	(void)state;

	/* with the howler's 1ms cadence this is an error... */
	assert_int_equal(load_str(&cfg, &ob, yaml), EINVAL);
	assert_int_equal(count_lines(ob.text), 2);
	assert_error(ob.text, "t.yaml", "30:55", "'tones.at.howler.cadence[0]'"
		     " is 1h, out of range 10ms..1m");
	assert_error(ob.text, "t.yaml", "30:59", "is 1ms, out of range");

	/* ...and fixed, everything parses */
	{
		char *fixed = strdup(yaml);
		char *h = strstr(fixed, "[1h, 01ms]");
		struct re_printf pf = {out_print, &ob};
		int err;

		memcpy(h, "[1m, 10ms]", 10);
		memset(&ob, 0, sizeof(ob));
		err = config_load_buf(&cfg, "/etc/ataua/a.yaml", fixed,
				      strlen(fixed), &pf);
		free(fixed);
		if (err)
			fail_msg("%s", ob.text);
	}

	assert_int_equal(cfg->log.level, 7);
	assert_int_equal(cfg->log.target, ATA_LOG_TARGET_SYSLOG);
	assert_string_equal(cfg->control.socket, "/etc/ataua/run/ata.sock");
	assert_string_equal(cfg->module_path, "/etc/ataua/mods");
	assert_string_equal(cfg->control.group, "ataua");
	assert_int_equal(cfg->control.allow_uidc, 2);
	assert_int_equal(cfg->control.allow_uidv[1], 1001);
	assert_int_equal(cfg->control.allow_gidc, 1);
	assert_int_equal(cfg->control.allow_gidv[0], 20);
	assert_int_equal(cfg->modc, 2);
	assert_string_equal(cfg->modv[0].name, "stun");
	assert_true(cfg->modv[0].required);
	assert_false(cfg->modv[1].required);
	assert_int_equal(sa_af(&cfg->sip.listen), AF_INET6);
	assert_int_equal(sa_port(&cfg->sip.listen), 0);
	assert_int_equal(cfg->sip.transportc, 2);
	assert_int_equal(cfg->sip.transportv[0], ATA_TRANSPORT_TLS);
	assert_int_equal(cfg->sip.accept_from, ATA_ACCEPT_ANY);
	assert_false(cfg->sip.tls_verify);
	assert_int_equal(cfg->media.rtp_ports.min, 4000);
	assert_int_equal(cfg->media.codecc, 1);
	assert_int_equal(cfg->media.codecv[0], ATA_CODEC_PCMA);
	assert_int_equal(cfg->media.ptime_ms, 30);
	assert_int_equal(cfg->media.jitter_delay_ms, 500);

	assert_int_equal(cfg->tonec, 5);
	p = config_tones(cfg, "de");
	assert_int_equal(p->tone[ATA_TONE_DIAL].freq[0], 450);
	assert_int_equal(p->tone[ATA_TONE_DIAL].level, -10);
	assert_int_equal(p->tone[ATA_TONE_BUSY].freq[0], 425);
	p = config_tones(cfg, "at");
	assert_non_null(p);
	assert_int_equal(p->tone[ATA_TONE_DIAL].level, -13);
	assert_int_equal(p->tone[ATA_TONE_HOWLER].nfreq, 2);
	assert_int_equal(p->tone[ATA_TONE_HOWLER].level, 3);
	assert_int_equal(p->tone[ATA_TONE_HOWLER].cadence_ms[0], 60000);
	assert_int_equal(p->tone[ATA_TONE_HOWLER].cadence_ms[1], 10);

	line = config_line(cfg, 3);
	assert_non_null(line);
	assert_string_equal(line->device, "hw:0,0");
	assert_ptr_equal(line->tone, config_tones(cfg, "at"));
	assert_int_equal(line->dialplan.patternc, 2);
	assert_string_equal(line->dialplan.patternv[0], "[2-9]xx.");
	assert_int_equal(line->dialplan.interdigit_ms, 30000);
	assert_string_equal(line->account.aor,
			    "sips:alice@example.org;transport=tls");
	assert_string_equal(line->account.registrar,
			    "sip:[2001:db8::1]:5061");
	assert_string_equal(line->account.password, "secret");
	assert_int_equal(line->account.srtp, ATA_SRTP_MANDATORY);
	assert_int_equal(line->account.expiry_ms, 3600000);
	line = config_line(cfg, 2);        /* id = position */
	assert_non_null(line);
	assert_string_equal(line->account.aor, "sip:bob@192.0.2.1");
	assert_ptr_equal(line->tone, config_tones(cfg, "de"));

	assert_int_equal(cfg->traversal.orderc, 1);
	assert_int_equal(cfg->traversal.orderv[0], ATA_TRAV_STUN);
	assert_false(cfg->traversal.parallel);
	assert_int_equal(cfg->traversal.upnp.protoc, 2);
	assert_int_equal(cfg->traversal.upnp.protov[0], ATA_MAP_NATPMP);
	assert_int_equal(cfg->traversal.upnp.protov[1], ATA_MAP_UPNP);
	assert_string_equal(cfg->traversal.stun.server.host,
			    "stun.example.net");
	assert_int_equal(cfg->traversal.stun.server.port, 3478);
	assert_int_equal(cfg->traversal.stun.keepalive_ms, 0);
	assert_string_equal(cfg->traversal.turn.server.host, "2001:db8::2");
	assert_int_equal(cfg->traversal.turn.server.port, 3479);
	assert_int_equal(cfg->traversal.turn.transport, ATA_TRANSPORT_TCP);
	assert_int_equal(cfg->bandwidth.uplink_kbps, 10000000);
	assert_int_equal(cfg->bandwidth.downlink_kbps, 16);
	assert_int_equal(cfg->history.calls, 0);
	mem_deref(cfg);
}

/* A relative path in a file is relative to the file's directory */
static void test_relative_paths(void **state)
{
	char dir[] = "/tmp/test_config_dXXXXXX";
	char path[300], want[PATH_MAX + 16], real[PATH_MAX];
	struct ata_config *cfg;
	struct outbuf ob;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(dir, real));
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("module_path: lib/mods\ncontrol: {socket: /abs/s}\n" LINES, f);
	fclose(f);

	assert_int_equal(load_file(&cfg, &ob, path), 0);
	snprintf(want, sizeof(want), "%s/lib/mods", real);
	assert_string_equal(cfg->module_path, want);
	assert_string_equal(cfg->control.socket, "/abs/s");
	assert_string_equal(cfg->path, path);
	mem_deref(cfg);

	unlink(path);
	rmdir(dir);
}

/* A password in a file others can read gets one warning naming it */
static void test_password_warning(void **state)
{
	char dir[] = "/tmp/test_config_pXXXXXX";
	char path[300], logp[300], logtext[4096];
	struct ata_config *cfg;
	struct outbuf ob;
	int saved, fd;
	ssize_t n;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pw.yaml", dir);
	snprintf(logp, sizeof(logp), "%s/log", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("lines:\n  - account: {aor: sip:a@b, password: s3cret}\n", f);
	fclose(f);

	fflush(stderr);
	saved = dup(2);
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);

	chmod(path, 0644);
	assert_int_equal(load_file(&cfg, &ob, path), 0);
	mem_deref(cfg);
	chmod(path, 0600);
	assert_int_equal(load_file(&cfg, &ob, path), 0);
	mem_deref(cfg);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	fd = open(logp, O_RDONLY);
	n = read(fd, logtext, sizeof(logtext) - 1);
	close(fd);
	assert_true(n > 0);
	logtext[n] = '\0';
	assert_non_null(strstr(logtext, path));
	assert_non_null(strstr(logtext, "password"));
	assert_int_equal(count_lines(logtext), 1);

	unlink(logp);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_big_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_example_tones_are_builtin),
		cmocka_unit_test(test_mwi_stutter),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_values_ok),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_password_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
