/**
 * @file tests/alsa/vslic_conf.c  vslic settings: pcm block, then VSLIC_* env
 *
 * Keys of `pcm.NAME { type vslic ... }`: skew_ppm, capture_file,
 * capture_tone, capture_level, playback_file, playback_log, fail_file,
 * echo_delay, echo_loss. The variables VSLIC_SKEW_PPM, VSLIC_CAPTURE,
 * VSLIC_PLAYBACK, VSLIC_LOG, VSLIC_FAIL and VSLIC_ECHO override
 * them so that one asoundrc serves every test; VSLIC_TRIGGER
 * (vslic_trigger.c) is a variable only. Errors are negative errnos
 * (ALSA's convention) with an SNDERR naming the key.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vslic.h"

struct vslic_key {
	const char *name;
	int (*set)(struct vslic_conf *conf, snd_config_t *node);
};


static int set_string(char **dst, const char *val)
{
	char *copy = NULL;

	if (val && *val) {
		copy = strdup(val);
		if (!copy)
			return -ENOMEM;
	}

	free(*dst);
	*dst = copy;

	return 0;
}


static int parse_number(const char *s, double *out)
{
	char *end;
	double d;

	if (!s || !*s)
		return -EINVAL;

	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || !isfinite(d))
		return -EINVAL;

	*out = d;

	return 0;
}


static int node_number(snd_config_t *node, double *out)
{
	const char *s;
	long l;
	double d;

	if (snd_config_get_integer(node, &l) == 0) {
		*out = (double)l;
		return 0;
	}
	if (snd_config_get_real(node, &d) == 0) {
		*out = d;
		return 0;
	}
	if (snd_config_get_string(node, &s) == 0)
		return parse_number(s, out);

	return -EINVAL;
}


static int apply_skew(struct vslic_conf *conf, double ppm)
{
	if (fabs(ppm) > VSLIC_SKEW_MAX_PPM) {
		SNDERR("vslic: skew_ppm %g out of range +-%d", ppm,
		       VSLIC_SKEW_MAX_PPM);
		return -ERANGE;
	}

	conf->skew_ppb = llround(ppm * 1000.0);

	return 0;
}


static int apply_tone(struct vslic_conf *conf, double hz, double level)
{
	if (!(hz > 0.0 && hz < VSLIC_RATE / 2.0)) {
		SNDERR("vslic: capture_tone %g Hz not in (0, %d)", hz,
		       VSLIC_RATE / 2);
		return -EINVAL;
	}
	if (!(level >= 0.0 && level <= 32767.0)) {
		SNDERR("vslic: capture_level %g not in [0, 32767]", level);
		return -EINVAL;
	}

	conf->src = VSLIC_SRC_TONE;
	conf->tone_hz = hz;
	conf->tone_level = (int)level;

	return 0;
}


/* the hybrid: delay 0..32 ms, loss 6..20 dB */
static int apply_echo(struct vslic_conf *conf, double ms, double db)
{
	if (!(ms >= 0.0 && ms <= VSLIC_ECHO_DELAY_MAX)) {
		SNDERR("vslic: echo_delay %g ms not in [0, %d]", ms,
		       VSLIC_ECHO_DELAY_MAX);
		return -EINVAL;
	}
	if (!(db >= VSLIC_ECHO_LOSS_MIN && db <= VSLIC_ECHO_LOSS_MAX)) {
		SNDERR("vslic: echo_loss %g dB not in [%d, %d]", db,
		       VSLIC_ECHO_LOSS_MIN, VSLIC_ECHO_LOSS_MAX);
		return -EINVAL;
	}

	conf->echo = true;
	conf->echo_delay_ms = ms;
	conf->echo_loss_db = db;

	return 0;
}


static int key_echo_delay(struct vslic_conf *conf, snd_config_t *node)
{
	double ms;

	if (node_number(node, &ms)) {
		SNDERR("vslic: echo_delay must be a number (ms)");
		return -EINVAL;
	}

	return apply_echo(conf, ms, conf->echo_loss_db);
}


static int key_echo_loss(struct vslic_conf *conf, snd_config_t *node)
{
	double db;

	if (node_number(node, &db)) {
		SNDERR("vslic: echo_loss must be a number (dB)");
		return -EINVAL;
	}

	return apply_echo(conf, conf->echo_delay_ms, db);
}


static int key_skew(struct vslic_conf *conf, snd_config_t *node)
{
	double ppm;

	if (node_number(node, &ppm)) {
		SNDERR("vslic: skew_ppm must be a number");
		return -EINVAL;
	}

	return apply_skew(conf, ppm);
}


static int key_string(snd_config_t *node, const char *name, char **dst)
{
	const char *s;

	if (snd_config_get_string(node, &s) < 0) {
		SNDERR("vslic: %s must be a string", name);
		return -EINVAL;
	}

	return set_string(dst, s);
}


static int key_capture_file(struct vslic_conf *conf, snd_config_t *node)
{
	conf->src = VSLIC_SRC_FILE;

	return key_string(node, "capture_file", &conf->capture_file);
}


static int key_capture_tone(struct vslic_conf *conf, snd_config_t *node)
{
	double hz;

	if (node_number(node, &hz)) {
		SNDERR("vslic: capture_tone must be a number (Hz)");
		return -EINVAL;
	}

	return apply_tone(conf, hz, conf->tone_level);
}


static int key_capture_level(struct vslic_conf *conf, snd_config_t *node)
{
	double level;

	if (node_number(node, &level) || level < 0.0 || level > 32767.0) {
		SNDERR("vslic: capture_level must be a number in [0, 32767]");
		return -EINVAL;
	}

	conf->tone_level = (int)level;

	return 0;
}


static int key_playback_file(struct vslic_conf *conf, snd_config_t *node)
{
	return key_string(node, "playback_file", &conf->playback_file);
}


static int key_playback_log(struct vslic_conf *conf, snd_config_t *node)
{
	return key_string(node, "playback_log", &conf->playback_log);
}


static int key_fail_file(struct vslic_conf *conf, snd_config_t *node)
{
	return key_string(node, "fail_file", &conf->fail_file);
}


static const struct vslic_key keys[] = {
	{"skew_ppm",      key_skew},
	{"capture_file",  key_capture_file},
	{"capture_tone",  key_capture_tone},
	{"capture_level", key_capture_level},
	{"playback_file", key_playback_file},
	{"playback_log",  key_playback_log},
	{"fail_file",     key_fail_file},
	{"echo_delay",    key_echo_delay},
	{"echo_loss",     key_echo_loss},
};


static const struct vslic_key *key_find(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strcmp(keys[i].name, id))
			return &keys[i];
	}

	return NULL;
}


/* keys every pcm block may carry, handled by alsa-lib itself */
static bool generic_key(const char *id)
{
	return !strcmp(id, "comment") || !strcmp(id, "type") ||
		!strcmp(id, "hint");
}


/** Read the pcm block; an unknown key is an error (typos fail loudly) */
int vslic_conf_parse(struct vslic_conf *conf, snd_config_t *block)
{
	snd_config_iterator_t i, next;
	bool file = false, tone = false;
	int err;

	if (!conf || !block)
		return -EINVAL;

	conf->tone_level = VSLIC_LEVEL_DFL;
	/* either echo key turns the hybrid on; the other defaults */
	conf->echo_delay_ms = 16;
	conf->echo_loss_db = 10;

	snd_config_for_each(i, next, block) {
		snd_config_t *node = snd_config_iterator_entry(i);
		const struct vslic_key *key;
		const char *id;

		if (snd_config_get_id(node, &id) < 0)
			continue;
		if (generic_key(id))
			continue;

		key = key_find(id);
		if (!key) {
			SNDERR("vslic: unknown key '%s'", id);
			return -EINVAL;
		}

		err = key->set(conf, node);
		if (err)
			return err;

		file |= key->set == key_capture_file;
		tone |= key->set == key_capture_tone;
	}

	if (file && tone) {
		SNDERR("vslic: capture_file and capture_tone exclude "
		       "each other");
		return -EINVAL;
	}

	return 0;
}


/* VSLIC_CAPTURE: "silence", "tone:HZ[:LEVEL]" or a file path */
static int env_capture(struct vslic_conf *conf, const char *spec)
{
	char buf[64];
	char *level;
	double hz, lvl = conf->tone_level;

	if (!strcmp(spec, "silence")) {
		conf->src = VSLIC_SRC_SILENCE;
		return 0;
	}

	if (strncmp(spec, "tone:", 5)) {
		conf->src = VSLIC_SRC_FILE;
		return set_string(&conf->capture_file, spec);
	}

	if (strlen(spec + 5) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec + 5);

	level = strchr(buf, ':');
	if (level)
		*level++ = '\0';

	if (parse_number(buf, &hz) || (level && parse_number(level, &lvl)))
		goto bad;

	return apply_tone(conf, hz, lvl);

 bad:
	SNDERR("vslic: VSLIC_CAPTURE '%s' is not silence, tone:HZ[:LEVEL] "
	       "or a path", spec);
	return -EINVAL;
}


/* VSLIC_ECHO: "off" or "DELAY_MS:LOSS_DB" */
static int env_echo(struct vslic_conf *conf, const char *spec)
{
	char buf[64], *loss;
	double ms, db;

	if (!strcmp(spec, "off")) {
		conf->echo = false;
		return 0;
	}

	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	loss = strchr(buf, ':');
	if (!loss)
		goto bad;
	*loss++ = '\0';
	if (parse_number(buf, &ms) || parse_number(loss, &db))
		goto bad;

	return apply_echo(conf, ms, db);

 bad:
	SNDERR("vslic: VSLIC_ECHO '%s' is not off or DELAY_MS:LOSS_DB",
	       spec);
	return -EINVAL;
}


/** Apply VSLIC_* overrides; an empty VSLIC_PLAYBACK/LOG/FAIL disables it */
int vslic_conf_env(struct vslic_conf *conf)
{
	const char *s;
	double ppm;
	int err;

	if (!conf)
		return -EINVAL;

	s = getenv("VSLIC_SKEW_PPM");
	if (s) {
		if (parse_number(s, &ppm)) {
			SNDERR("vslic: VSLIC_SKEW_PPM '%s' is not a number",
			       s);
			return -EINVAL;
		}
		err = apply_skew(conf, ppm);
		if (err)
			return err;
	}

	s = getenv("VSLIC_CAPTURE");
	if (s && *s) {
		err = env_capture(conf, s);
		if (err)
			return err;
	}

	s = getenv("VSLIC_PLAYBACK");
	if (s) {
		err = set_string(&conf->playback_file, s);
		if (err)
			return err;
	}

	s = getenv("VSLIC_LOG");
	if (s) {
		err = set_string(&conf->playback_log, s);
		if (err)
			return err;
	}

	s = getenv("VSLIC_ECHO");
	if (s && *s) {
		err = env_echo(conf, s);
		if (err)
			return err;
	}

	s = getenv("VSLIC_TRIGGER");
	if (s && *s) {
		err = set_string(&conf->trigger_file, s);
		if (err)
			return err;
	}

	s = getenv("VSLIC_FAIL");
	if (s)
		return set_string(&conf->fail_file, s);

	return 0;
}


void vslic_conf_reset(struct vslic_conf *conf)
{
	if (!conf)
		return;

	free(conf->capture_file);
	free(conf->playback_file);
	free(conf->playback_log);
	free(conf->fail_file);
	free(conf->trigger_file);
	memset(conf, 0, sizeof(*conf));
}
