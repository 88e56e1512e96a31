/**
 * @file conf_walk.c  Map a YAML tree onto C structs by schema tables
 *
 * A mapping is walked in document order: each key is looked up in the
 * schema (unknown and duplicate keys are errors), then every row whose key
 * was absent gets its default, or an error when it is required. A
 * struct's cross-field check runs only when its own keys were clean, so
 * one mistake gives one message, not a cascade.
 */
#include <stdarg.h>
#include <string.h>
#include <re.h>
#include "conf.h"

enum { MAX_FIELDS = 32 };

void conf_err(struct conf_ctx *ctx, const struct conf_node *n,
	      const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!ctx || !fmt)
		return;

	va_start(ap, fmt);
	(void)re_vsdprintf(&msg, fmt, ap);
	va_end(ap);

	conf_diag_err(ctx->diag, n ? n->line : 0, n ? n->col : 0, "%s",
		      msg ? msg : fmt);
	mem_deref(msg);
}

size_t conf_path_push(struct conf_ctx *ctx, const char *fmt, ...)
{
	size_t len = strlen(ctx->path);
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsnprintf(ctx->path + len, sizeof(ctx->path) - len, fmt, ap);
	va_end(ap);

	return len;
}

void conf_path_pop(struct conf_ctx *ctx, size_t len)
{
	ctx->path[len] = '\0';
}

static size_t push_key(struct conf_ctx *ctx, const char *key)
{
	return conf_path_push(ctx, "%s%s", ctx->path[0] ? "." : "", key);
}

void conf_type_err(struct conf_ctx *ctx, const struct conf_node *n,
		     const char *want)
{
	conf_err(ctx, n, "'%s' must be %s, not %s", ctx->path, want,
		 conf_node_type_name(n));
}

/* A present key */
bool conf_dup_err(struct conf_ctx *ctx, const struct conf_node *first,
		  const struct conf_node *kid)
{
	if (!first)
		return false;

	conf_diag_err(ctx->diag, kid->kline, kid->kcol,
		      "duplicate key '%s' (first at %u:%u)", kid->key,
		      first->kline, first->kcol);

	return true;
}

static void walk_value(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, void *base)
{
	void *dst = (uint8_t *)base + f->off;
	bool null = conf_node_is_null(n);

	switch (f->type) {

	case CT_CUSTOM:
		f->custom(ctx, f, n, base);
		break;

	case CT_MAP:
		if (!null && n->type != CONF_MAP)
			conf_type_err(ctx, n, "a mapping (key: value)");
		else
			conf_walk_map(ctx, f->sub, null ? NULL : n, n, dst);
		break;

	case CT_LIST:
	case CT_MAPLIST:
		if (null)
			(void)conf_count_ok(ctx, f, n, 0);
		else if (f->type == CT_LIST)
			conf_walk_list(ctx, f, n, base);
		else
			conf_walk_maplist(ctx, f, n, base);
		break;

	case CT_STR:
	case CT_PATH:
	case CT_URI:
	case CT_SERVER:
		if (null) {
			(void)conf_scalar(ctx, f, n, "", dst);
			break;
		}
		/*@fallthrough@*/
	default:
		if (n->type != CONF_SCALAR)
			conf_type_err(ctx, n, "a scalar");
		else if (null)
			conf_err(ctx, n, "'%s' has no value", ctx->path);
		else
			(void)conf_scalar(ctx, f, n, n->val, dst);
		break;
	}
}

/* An absent key; at = where to report a missing key (NULL: stay quiet) */
static void walk_default(struct conf_ctx *ctx, const struct conf_field *f,
			 const struct conf_node *at, void *base,
			 const char *parent)
{
	void *dst = (uint8_t *)base + f->off;

	if (f->flags & CF_REQUIRED) {
		if (at)
			conf_err(ctx, at, "missing required key '%s'%s%s%s",
				 f->key, parent[0] ? " in '" : "", parent,
				 parent[0] ? "'" : "");
		return;
	}

	switch (f->type) {

	case CT_CUSTOM:  f->custom(ctx, f, NULL, base);            break;
	case CT_MAP:     conf_walk_map(ctx, f->sub, NULL, at, dst); break;
	case CT_LIST:    conf_list_default(ctx, f, base);           break;
	case CT_MAPLIST: conf_maplist_default(ctx, f, base);     break;
	case CT_STR:
	case CT_PATH:
	case CT_URI:
	case CT_SERVER:
		/* strings are never NULL: "" unless a default says more */
		(void)conf_scalar(ctx, f, NULL, f->def ? f->def : "", dst);
		break;
	default:
		/* no default: stays zero, for a check to fill in */
		if (f->def)
			(void)conf_scalar(ctx, f, NULL, f->def, dst);
		break;
	}
}

static void unknown_key(struct conf_ctx *ctx, const struct conf_schema *sch,
			const struct conf_node *kid)
{
	char known[400];
	size_t i, len = 0;

	known[0] = '\0';
	for (i = 0; i < sch->fieldc; i++) {
		int r = re_snprintf(known + len, sizeof(known) - len,
				    "%s%s", i ? ", " : "",
				    sch->fieldv[i].key);
		if (r > 0)
			len += (size_t)r;
	}

	conf_diag_err(ctx->diag, kid->kline, kid->kcol,
		      "unknown key '%s' %s%s%s (known: %s)", kid->key,
		      ctx->path[0] ? "in '" : "at top level",
		      ctx->path, ctx->path[0] ? "'" : "", known);
}

void conf_walk_map(struct conf_ctx *ctx, const struct conf_schema *sch,
		   const struct conf_node *map, const struct conf_node *at,
		   void *base)
{
	const struct conf_node *seen[MAX_FIELDS];
	unsigned nerr = ctx->diag->nerr;
	char parent[sizeof(ctx->path)];
	size_t i, plen;
	struct le *le;

	memset(seen, 0, sizeof(seen));
	str_ncpy(parent, ctx->path, sizeof(parent));

	for (le = map ? map->kidl.head : NULL; le; le = le->next) {
		const struct conf_node *kid = le->data;

		for (i = 0; i < sch->fieldc && i < MAX_FIELDS; i++)
			if (!strcmp(sch->fieldv[i].key, kid->key))
				break;

		if (i == sch->fieldc || i == MAX_FIELDS) {
			unknown_key(ctx, sch, kid);
			continue;
		}

		if (conf_dup_err(ctx, seen[i], kid))
			continue;

		seen[i] = kid;
		plen = push_key(ctx, kid->key);
		walk_value(ctx, &sch->fieldv[i], kid, base);
		conf_path_pop(ctx, plen);
	}

	for (i = 0; i < sch->fieldc && i < MAX_FIELDS; i++) {
		if (seen[i])
			continue;
		plen = push_key(ctx, sch->fieldv[i].key);
		walk_default(ctx, &sch->fieldv[i], at, base, parent);
		conf_path_pop(ctx, plen);
	}

	if (sch->post && ctx->diag->nerr == nerr)
		sch->post(ctx, map ? map : at, base);
}

void conf_free(const struct conf_schema *sch, void *base)
{
	size_t i, k;

	for (i = 0; sch && base && i < sch->fieldc; i++) {
		const struct conf_field *f = &sch->fieldv[i];
		uint8_t *dst = (uint8_t *)base + f->off;
		uint8_t *arr = NULL;
		size_t count = 0;

		if (f->type == CT_LIST || f->type == CT_MAPLIST) {
			arr = *(uint8_t **)dst;
			count = *(size_t *)((uint8_t *)base + f->cnt);
		}

		switch (f->type) {

		case CT_MAP:
			conf_free(f->sub, dst);
			break;

		case CT_LIST:
			for (k = 0; arr && k < count; k++)
				conf_scalar_free(f->elem->type, arr + k *
					conf_scalar_size(f->elem->type));
			*(void **)dst = mem_deref(arr);
			break;

		case CT_MAPLIST:
			for (k = 0; arr && k < count; k++)
				conf_free(f->sub, arr + k * f->sub->size);
			*(void **)dst = mem_deref(arr);
			break;

		case CT_CUSTOM:
			*(void **)dst = mem_deref(*(void **)dst);
			break;

		default:
			conf_scalar_free(f->type, dst);
			break;
		}
	}
}
