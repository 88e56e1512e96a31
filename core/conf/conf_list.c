/**
 * @file conf_list.c  Config lists: of scalars and of mappings
 *
 * A list is stored as a mem_zalloc'd array plus a size_t count next to it
 * in the struct. The count is set before the items are parsed so that the
 * destructor frees whatever was built when an item fails.
 */
#include <string.h>
#include <re.h>
#include "conf.h"

static void *alloc_array(void *base, const struct conf_field *f,
			 size_t count, size_t esize)
{
	void *arr = count ? mem_zalloc(count * esize, NULL) : NULL;

	*(void **)((uint8_t *)base + f->off) = arr;
	*(size_t *)((uint8_t *)base + f->cnt) = arr ? count : 0;

	return arr;
}

bool conf_count_ok(struct conf_ctx *ctx, const struct conf_field *f,
		     const struct conf_node *n, size_t count)
{
	if ((int64_t)count >= f->min && (int64_t)count <= f->max)
		return true;

	conf_err(ctx, n, "'%s' has %zu item%s; allowed %lld..%lld",
		 ctx->path, count, count == 1 ? "" : "s",
		 (long long)f->min, (long long)f->max);
	return false;
}

static bool same_item(const struct conf_field *elem, const void *a,
		      const void *b)
{
	if (elem->type == CT_STR)
		return !str_casecmp(*(char * const *)a, *(char * const *)b);

	return !memcmp(a, b, conf_scalar_size(elem->type));
}

void conf_walk_list(struct conf_ctx *ctx, const struct conf_field *f,
		      const struct conf_node *n, void *base)
{
	const size_t esize = conf_scalar_size(f->elem->type);
	size_t count, i = 0, plen;
	uint8_t *arr;
	struct le *le;

	if (n->type != CONF_SEQ) {
		conf_type_err(ctx, n, "a list ([a, b])");
		return;
	}

	count = list_count(&n->kidl);
	if (!conf_count_ok(ctx, f, n, count))
		return;

	arr = alloc_array(base, f, count, esize);
	if (!arr)
		return;

	for (le = n->kidl.head; le; le = le->next, i++) {
		const struct conf_node *item = le->data;
		void *dst = arr + i * esize;
		size_t k;

		plen = conf_path_push(ctx, "[%zu]", i);

		if (item->type != CONF_SCALAR)
			conf_type_err(ctx, item, "a scalar");
		else if (!conf_scalar(ctx, f->elem, item, item->val, dst)) {
			for (k = 0; k < i && (f->flags & CF_UNIQUE); k++) {
				if (!same_item(f->elem, arr + k * esize, dst))
					continue;
				conf_err(ctx, item, "'%s' repeats '%s'",
					 ctx->path, item->val);
				break;
			}
		}

		conf_path_pop(ctx, plen);
	}
}

void conf_walk_maplist(struct conf_ctx *ctx, const struct conf_field *f,
			 const struct conf_node *n, void *base)
{
	size_t count, i = 0, plen;
	uint8_t *arr;
	struct le *le;

	if (n->type != CONF_SEQ) {
		conf_type_err(ctx, n, "a list (of mappings)");
		return;
	}

	count = list_count(&n->kidl);
	if (!conf_count_ok(ctx, f, n, count))
		return;

	arr = alloc_array(base, f, count, f->sub->size);
	if (!arr)
		return;

	for (le = n->kidl.head; le; le = le->next, i++) {
		const struct conf_node *item = le->data;

		plen = conf_path_push(ctx, "[%zu]", i);

		if (item->type != CONF_MAP)
			conf_type_err(ctx, item, "a mapping (key: value)");
		else
			conf_walk_map(ctx, f->sub, item, item,
				      arr + i * f->sub->size);

		conf_path_pop(ctx, plen);
	}
}

void conf_list_default(struct conf_ctx *ctx, const struct conf_field *f,
		       void *base)
{
	const size_t esize = conf_scalar_size(f->elem->type);
	struct pl rest, item;
	size_t count = 0, i;
	uint8_t *arr;

	if (f->def && *f->def)
		count = 1;
	for (i = 0; f->def && f->def[i]; i++)
		count += f->def[i] == ',';

	arr = alloc_array(base, f, count, esize);
	pl_set_str(&rest, f->def ? f->def : "");

	for (i = 0; arr && i < count; i++) {
		char buf[64];
		const char *comma = pl_strchr(&rest, ',');

		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_advance(&rest, item.l + (comma ? 1 : 0));
		(void)pl_strcpy(&item, buf, sizeof(buf));
		(void)conf_scalar(ctx, f->elem, NULL, buf, arr + i * esize);
	}
}

void conf_maplist_default(struct conf_ctx *ctx,
			  const struct conf_field *f, void *base)
{
	struct conf_node *tree = NULL;

	if (!f->def)
		return;

	if (conf_yaml_parse(&tree, ctx->diag, f->def, strlen(f->def)) ||
	    !tree)
		return;

	conf_walk_maplist(ctx, f, tree, base);
	mem_deref(tree);
}
