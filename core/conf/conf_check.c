/**
 * @file conf_check.c  Config checks beyond one value: patterns, names,
 *                     media timing, line ids and tone profile references
 */
#include <string.h>
#include <re.h>
#include "conf.h"

void conf_check_module_name(struct conf_ctx *ctx,
			    const struct conf_node *n, const void *val)
{
	const char *s = *(char * const *)val;

	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
		conf_err(ctx, n, "'%s' is '%s'; a module name is [a-z0-9-]+",
			 ctx->path, s);
}

/* Digits * # x, [a-b] or [abc] classes, '.' repeats what precedes it */
void conf_check_pattern(struct conf_ctx *ctx, const struct conf_node *n,
			  const void *val)
{
	const char *s = *(char * const *)val, *p = s;
	bool atom = false;

	if (!*s)
		goto bad;

	for (; *p; p++) {
		if (strchr("0123456789*#xX", *p)) {
			atom = true;
			continue;
		}
		if (*p == '.' && atom) {
			atom = false;
			continue;
		}
		if (*p != '[')
			goto bad;
		for (++p; *p && *p != ']'; p++)
			if (!strchr("0123456789*#-", *p))
				goto bad;
		if (*p != ']' || p[-1] == '[')
			goto bad;
		atom = true;
	}

	return;

 bad:
	conf_err(ctx, n, "'%s' is '%s', not a dial pattern (digits, * #,"
		 " x = any digit, [1-5] = class, . = repeat last)",
		 ctx->path, s);
}

void conf_media_post(struct conf_ctx *ctx, const struct conf_node *map,
		       void *base)
{
	const struct ata_conf_media *m = base;
	const struct conf_node *n;

	if (m->ptime_ms % 10) {
		n = conf_node_get(map, "ptime");
		conf_err(ctx, n ? n : map, "'media.ptime' is %ums; it must be"
			 " a multiple of 10ms", m->ptime_ms);
	}

	if (m->jitter_delay_ms < m->ptime_ms) {
		n = conf_node_get(map, "jitter_delay");
		conf_err(ctx, n ? n : map, "'media.jitter_delay' (%ums) must"
			 " be at least 'media.ptime' (%ums)",
			 m->jitter_delay_ms, m->ptime_ms);
	}

	/* a packet must be in when the period that plays it is written:
	   the delay held (jitter_delay + period/2) less what the device
	   holds then (period + slack) is the room for jitter */
	if (m->jitter_delay_ms + m->period_ms / 2 <=
	    m->period_ms + m->slack_ms) {
		n = conf_node_get(map, "jitter_delay");
		conf_err(ctx, n ? n : map, "'media.jitter_delay' (%ums) "
			 "leaves no room for jitter: it must be over "
			 "'media.period' / 2 + 'media.slack' (%ums)",
			 m->jitter_delay_ms,
			 m->period_ms - m->period_ms / 2 + m->slack_ms);
	}
}

static const struct conf_node *line_key(const struct conf_node *root,
					size_t i, const char *key)
{
	const struct conf_node *lines = conf_node_get(root, "lines");
	const struct conf_node *line = NULL, *n;
	struct le *le;

	if (!lines || lines->type != CONF_SEQ)
		return root;

	le = list_head(&lines->kidl);
	while (le && i--)
		le = le->next;
	line = le ? le->data : NULL;

	n = conf_node_get(line, key);
	return n ? n : line;
}

static void check_lines(struct conf_ctx *ctx, const struct conf_node *root,
			struct ata_config *cfg)
{
	size_t i, k;

	/* an absent id is the line's position */
	for (i = 0; i < cfg->linec; i++) {
		if (!cfg->linev[i].id && i < ATA_CONF_MAX_LINES)
			cfg->linev[i].id = (uint32_t)i + 1;
	}

	for (i = 0; i < cfg->linec; i++) {
		struct ata_conf_line *line = &cfg->linev[i];
		const struct ata_conf_hook *hk;

		for (k = 0; k < i; k++) {
			if (cfg->linev[k].id != line->id)
				continue;
			conf_err(ctx, line_key(root, i, "id"), "'lines[%zu]'"
				 " has id %u, already used by 'lines[%zu]'",
				 i, line->id, k);
			break;
		}

		hk = &line->hook;
		if (hk->flash_min_ms >= hk->flash_max_ms)
			conf_err(ctx, line_key(root, i, "hook"), "'lines[%zu]"
				 ".hook.flash_min' (%ums) must be below "
				 "flash_max (%ums)", i, hk->flash_min_ms,
				 hk->flash_max_ms);

		if (line->ring_cadencec % 2)
			conf_err(ctx, line_key(root, i, "ring_cadence"),
				 "'lines[%zu].ring_cadence' has %zu durations;"
				 " it needs on/off pairs", i,
				 line->ring_cadencec);

		if (line->caller_id_format == ATA_CID_SDMF &&
		    (line->caller_id == ATA_CID_V23 ||
		     line->caller_id == ATA_CID_DTMF))
			conf_err(ctx, line_key(root, i, "caller_id_format"),
				 "'lines[%zu].caller_id_format' sdmf is a Bell"
				 " 202 message; caller_id is not bell202", i);

		if (!line->tones)
			continue;

		line->tone = config_tones(cfg, line->tones);
		if (!line->tone)
			conf_err(ctx, line_key(root, i, "tones"),
				 "'lines[%zu].tones' is '%s', not a profile"
				 " under 'tones:' nor built-in (us, de, uk,"
				 " fr)", i, line->tones);
	}
}

static void check_modules(struct conf_ctx *ctx, const struct conf_node *root,
			  const struct ata_config *cfg)
{
	const struct conf_node *mods = conf_node_get(root, "modules");
	struct le *le = mods ? list_head(&mods->kidl) : NULL;
	size_t i, k;

	for (i = 0; i < cfg->modc; i++, le = le ? le->next : NULL) {
		const char *name = cfg->modv[i].name;

		for (k = 0; name && k < i; k++) {
			if (!cfg->modv[k].name ||
			    strcmp(cfg->modv[k].name, name))
				continue;
			conf_err(ctx, le ? conf_node_get(le->data, "name") :
				 root, "module '%s' is"
				 " listed twice (modules[%zu] and"
				 " modules[%zu])", name, k, i);
			break;
		}
	}
}

void conf_check_config(struct conf_ctx *ctx, const struct conf_node *root,
		       struct ata_config *cfg)
{
	if (!ctx || !cfg)
		return;

	check_lines(ctx, root, cfg);
	check_modules(ctx, root, cfg);
}
