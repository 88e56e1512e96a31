/**
 * @file conf_tones.c  Tone profiles: the built-in table and `tones:`
 *
 * The built-in us, de, uk and fr profiles are always available (values
 * after ITU-T E.180 Supplement 2). A profile in the file with one of those
 * names overrides only the tones it lists; a profile with a new name must
 * list all six call-progress tones.
 *
 * `stutter` is the dial tone while messages wait (MWI): us 350+440 Hz
 * 100/100 ms ten times (2 s) then steady; de the
 * Sonderwaehlton, 425 Hz 400/40 ms throughout (also ETSI ES 201 970's
 * special dial tone); uk BT's special dial tone, 350+440 Hz 750/750 ms;
 * fr the ETSI special dial cadence on the French 440 Hz. A new profile
 * may leave it out: its dial tone, stuttered as in us.
 */
#include <stddef.h>
#include <string.h>
#include <re.h>
#include "conf.h"

enum { MAX_PROFILES = 32 };

#define T(lvl, ...) { .level = lvl, __VA_ARGS__ }
#define F(...) .nfreq = ARRAY_SIZE(((uint16_t[]){__VA_ARGS__})),	\
	.freq = {__VA_ARGS__}
#define C(...) .ncadence = ARRAY_SIZE(((uint32_t[]){__VA_ARGS__})),	\
	.cadence_ms = {__VA_ARGS__}
#define HOWLER T(0, F(1400, 2060, 2450, 2600), C(100, 100))
enum {
	STUTTER_MS = 100,          /* us stutter: on/off, then steady */
	STUTTER_STEADY_MS = 2000,  /* ten cycles, as Cisco SPA ATAs */
};

const struct ata_tone_profile conf_builtin_tones[] = {
	{"us", {
		T(-13, F(350, 440)),
		T(-19, F(440, 480), C(2000, 4000)),
		T(-24, F(480, 620), C(500, 500)),
		T(-24, F(480, 620), C(250, 250)),
		T(-13, F(440), C(300, 9700)),
		HOWLER,
		T(-13, F(350, 440), C(STUTTER_MS, STUTTER_MS),
		  .steady_ms = STUTTER_STEADY_MS) }},
	{"de", {
		T(-13, F(425)),
		T(-19, F(425), C(1000, 4000)),
		T(-24, F(425), C(480, 480)),
		T(-24, F(425), C(240, 240)),
		T(-13, F(425), C(200, 200, 200, 5000)),
		HOWLER,
		T(-13, F(425), C(400, 40)) }},
	{"uk", {
		T(-13, F(350, 440)),
		T(-19, F(400, 450), C(400, 200, 400, 2000)),
		T(-24, F(400), C(375, 375)),
		T(-24, F(400), C(400, 350, 225, 525)),
		T(-13, F(400), C(100, 3000)),
		HOWLER,
		T(-13, F(350, 440), C(750, 750)) }},
	{"fr", {
		T(-13, F(440)),
		T(-19, F(440), C(1500, 3500)),
		T(-24, F(440), C(500, 500)),
		T(-24, F(440), C(250, 250)),
		T(-13, F(440), C(300, 10000)),
		HOWLER,
		T(-13, F(440), C(400, 40)) }},
};
const size_t conf_builtin_tonec = ARRAY_SIZE(conf_builtin_tones);

static const char *tone_names[ATA_TONE_COUNT] = {
	"dial", "ringback", "busy", "congestion", "callwait", "howler",
	"stutter"
};

/* A tone as the walker fills it, copied into struct ata_tone_spec */
struct tone_tmp {
	uint32_t *freqv;
	size_t freqc;
	int level;
	uint32_t *cadv;
	size_t cadc;
	uint32_t steady;
};

static void spec_post(struct conf_ctx *ctx, const struct conf_node *map,
		      void *base)
{
	const struct tone_tmp *t = base;
	const struct conf_node *n = conf_node_get(map, "cadence");

	if (t->cadc % 2)
		conf_err(ctx, n ? n : map, "'%s.cadence' has %zu durations;"
			 " it needs on/off pairs", ctx->path, t->cadc);
}

static const struct conf_field f_freq = {
	.type = CT_UINT, .min = 25, .max = 3400 };
static const struct conf_field f_cadence = {
	.type = CT_DUR, .min = 10, .max = 60000 };

static const struct conf_field spec_rows[] = {
	{ .key = "freqs", .type = CT_LIST, .elem = &f_freq,
	  .off = offsetof(struct tone_tmp, freqv),
	  .cnt = offsetof(struct tone_tmp, freqc),
	  .min = 1, .max = ATA_TONE_MAX_FREQS, .flags = CF_REQUIRED },
	{ .key = "level", .type = CT_INT, .min = -60, .max = 3,
	  .off = offsetof(struct tone_tmp, level), .def = "-13" },
	{ .key = "cadence", .type = CT_LIST, .elem = &f_cadence,
	  .off = offsetof(struct tone_tmp, cadv),
	  .cnt = offsetof(struct tone_tmp, cadc),
	  .max = ATA_TONE_MAX_CADENCE },
	{ .key = "steady_after", .type = CT_DUR, .min = 100, .max = 60000,
	  .off = offsetof(struct tone_tmp, steady), .flags = CF_ZERO_OK },
};

static const struct conf_schema spec_schema = {
	.name = "tone", .fieldv = spec_rows,
	.fieldc = ARRAY_SIZE(spec_rows), .size = sizeof(struct tone_tmp),
	.post = spec_post,
};

static void parse_tone(struct conf_ctx *ctx, const struct conf_node *n,
		       struct ata_tone_spec *spec)
{
	unsigned nerr = ctx->diag->nerr;
	struct tone_tmp t;
	size_t i;

	memset(&t, 0, sizeof(t));

	if (n->type != CONF_MAP) {
		conf_type_err(ctx, n, "a mapping ({freqs: [..], level: ..,"
			      " cadence: [..]})");
		return;
	}

	conf_walk_map(ctx, &spec_schema, n, n, &t);

	if (ctx->diag->nerr == nerr) {
		memset(spec, 0, sizeof(*spec));
		spec->level = t.level;
		spec->nfreq = (unsigned)t.freqc;
		for (i = 0; i < t.freqc; i++)
			spec->freq[i] = (uint16_t)t.freqv[i];
		spec->ncadence = (unsigned)t.cadc;
		for (i = 0; i < t.cadc; i++)
			spec->cadence_ms[i] = t.cadv[i];
		spec->steady_ms = t.steady;
	}

	conf_free(&spec_schema, &t);
}

static void parse_profile(struct conf_ctx *ctx, const struct conf_node *n,
			  struct ata_tone_profile *prof, bool builtin)
{
	const struct conf_node *seen[ATA_TONE_COUNT] = {NULL};
	char missing[80] = "";
	size_t i, plen, len = 0;
	struct le *le;

	if (n->type != CONF_MAP) {
		conf_type_err(ctx, n, "a mapping of tones (dial: ...)");
		return;
	}

	for (le = n->kidl.head; le; le = le->next) {
		const struct conf_node *kid = le->data;

		for (i = 0; i < ATA_TONE_COUNT; i++)
			if (!strcmp(kid->key, tone_names[i]))
				break;

		if (i == ATA_TONE_COUNT) {
			conf_diag_err(ctx->diag, kid->kline, kid->kcol,
				      "unknown tone '%s' in '%s' (known:"
				      " dial, ringback, busy, congestion,"
				      " callwait, howler, stutter)", kid->key,
				      ctx->path);
			continue;
		}
		if (conf_dup_err(ctx, seen[i], kid))
			continue;

		seen[i] = kid;
		plen = conf_path_push(ctx, ".%s", kid->key);
		parse_tone(ctx, kid, &prof->tone[i]);
		conf_path_pop(ctx, plen);
	}

	if (builtin)
		return;

	if (!seen[ATA_TONE_STUTTER]) {
		struct ata_tone_spec *st = &prof->tone[ATA_TONE_STUTTER];

		*st = prof->tone[ATA_TONE_DIAL];
		st->ncadence = 2;
		st->cadence_ms[0] = st->cadence_ms[1] = STUTTER_MS;
		st->steady_ms = STUTTER_STEADY_MS;
	}

	for (i = 0; i < ATA_TONE_STUTTER; i++) {
		int r;

		if (seen[i])
			continue;
		r = re_snprintf(missing + len, sizeof(missing) - len, "%s%s",
				len ? ", " : "", tone_names[i]);
		if (r > 0)
			len += (size_t)r;
	}

	if (len)
		conf_err(ctx, n, "'%s' lacks %s (a new profile lists all six"
			 " tones)", ctx->path, missing);
}

static struct ata_tone_profile *find(struct ata_config *cfg,
				     const char *name)
{
	size_t i;

	for (i = 0; i < cfg->tonec; i++)
		if (!strcmp(cfg->tonev[i].name, name))
			return &cfg->tonev[i];

	return NULL;
}

static void add_profile(struct conf_ctx *ctx, const struct conf_node *kid,
			struct ata_config *cfg)
{
	struct ata_tone_profile *prof;
	size_t len = strlen(kid->key);
	bool builtin;

	if (!len || len >= ATA_TONE_NAME_MAX ||
	    strspn(kid->key, "abcdefghijklmnopqrstuvwxyz0123456789_-")
	    != len) {
		conf_diag_err(ctx->diag, kid->kline, kid->kcol,
			      "tone profile name '%s' must be 1..%u of"
			      " [a-z0-9_-]", kid->key,
			      ATA_TONE_NAME_MAX - 1);
		return;
	}

	prof = find(cfg, kid->key);
	builtin = prof && (size_t)(prof - cfg->tonev) < conf_builtin_tonec;
	if (!prof) {
		if (cfg->tonec >= MAX_PROFILES) {
			conf_diag_err(ctx->diag, kid->kline, kid->kcol,
				      "more than %u tone profiles",
				      MAX_PROFILES);
			return;
		}
		prof = &cfg->tonev[cfg->tonec++];
		str_ncpy(prof->name, kid->key, sizeof(prof->name));
	}

	parse_profile(ctx, kid, prof, builtin);
}

void conf_tones_custom(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, void *base)
{
	struct ata_config *cfg = base;
	const struct conf_node *seen[MAX_PROFILES];
	size_t nseen = 0, i, plen;
	struct le *le;
	(void)f;

	cfg->tonev = mem_zalloc(MAX_PROFILES * sizeof(*cfg->tonev), NULL);
	if (!cfg->tonev)
		return;

	memcpy(cfg->tonev, conf_builtin_tones, sizeof(conf_builtin_tones));
	cfg->tonec = conf_builtin_tonec;

	if (!n || conf_node_is_null(n))
		return;

	if (n->type != CONF_MAP) {
		conf_type_err(ctx, n, "a mapping of profiles (us: ...)");
		return;
	}

	for (le = n->kidl.head; le; le = le->next) {
		const struct conf_node *kid = le->data;

		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i]->key, kid->key))
				break;
		if (conf_dup_err(ctx, i < nseen ? seen[i] : NULL, kid))
			continue;
		if (nseen < MAX_PROFILES)
			seen[nseen++] = kid;

		plen = conf_path_push(ctx, ".%s", kid->key);
		add_profile(ctx, kid, cfg);
		conf_path_pop(ctx, plen);
	}
}
