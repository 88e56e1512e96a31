/**
 * @file conf_yaml.c  YAML text to a tree of nodes that keep their position
 *
 * libyaml's event parser is used rather than its document loader so that
 * limits apply while parsing: nesting depth, node count and aliases are
 * checked event by event, before any memory is spent on a hostile file.
 * Aliases are rejected outright (no "billion laughs"): a config never
 * needs them and a repeated value is clearer to the reader. libyaml is
 * opened for each parse and closed after it (yaml_lib.c), so it is not
 * resident while calls run.
 */
#include <string.h>
#include <re.h>
#include "yaml_lib.h"
#include "conf.h"

struct builder {
	struct conf_diag *diag;
	struct conf_node *root;
	struct conf_node *stack[ATA_CONF_MAX_DEPTH + 1];
	unsigned depth;
	unsigned nodes;
	unsigned docs;
	char *key;               /**< Pending key of the innermost mapping */
	unsigned kline, kcol;
};

static void node_destructor(void *arg)
{
	struct conf_node *n = arg;

	list_flush(&n->kidl);
	list_unlink(&n->le);
	mem_deref(n->key);
	mem_deref(n->val);
}

bool conf_node_is_null(const struct conf_node *n)
{
	if (!n)
		return true;
	if (n->type != CONF_SCALAR || !n->plain)
		return false;

	return !n->val[0] || !strcmp(n->val, "~") ||
		!strcmp(n->val, "null") || !strcmp(n->val, "Null") ||
		!strcmp(n->val, "NULL");
}

const struct conf_node *conf_node_get(const struct conf_node *map,
				      const char *key)
{
	struct le *le;

	if (!map || map->type != CONF_MAP || !key)
		return NULL;

	for (le = map->kidl.head; le; le = le->next) {
		const struct conf_node *kid = le->data;

		if (!strcmp(kid->key, key))
			return kid;
	}

	return NULL;
}

const char *conf_node_type_name(const struct conf_node *n)
{
	if (!n)
		return "nothing";

	switch (n->type) {

	case CONF_SEQ:  return "a list";
	case CONF_MAP:  return "a mapping";
	default:        return conf_node_is_null(n) ? "empty" : "a scalar";
	}
}

/* Strict UTF-8 (no overlongs, surrogates or NUL); column in characters */
static int check_text(struct conf_diag *diag, const uint8_t *p, size_t len)
{
	unsigned line = 1, col = 1;
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n = 0, k;
		uint32_t cp;

		if (c == 0) {
			conf_diag_err(diag, line, col,
				      "NUL byte in file (not a text file)");
			return EINVAL;
		}

		if (c < 0x80)           { n = 1; cp = c; }
		else if (c >= 0xc2 && c < 0xe0) { n = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c < 0xf0) { n = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c < 0xf5) { n = 4; cp = c & 0x07; }
		else
			goto bad;

		if (i + n > len)
			goto bad;

		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}

		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto bad;

		if (c == '\n') {
			++line;
			col = 1;
		}
		else {
			++col;
		}
		i += n;
	}

	return 0;

 bad:
	conf_diag_err(diag, line, col, "invalid UTF-8 (byte 0x%02x);"
		      " the config must be UTF-8 text", p[i]);
	return EINVAL;
}

static int add_node(struct builder *b, struct conf_node **np,
		    enum conf_node_type type, const yaml_mark_t *mark)
{
	struct conf_node *parent = b->depth ? b->stack[b->depth - 1] : NULL;
	struct conf_node *n;

	if (++b->nodes > ATA_CONF_MAX_NODES) {
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "more than %u nodes; file too complex",
			      ATA_CONF_MAX_NODES);
		return EINVAL;
	}

	n = mem_zalloc(sizeof(*n), node_destructor);
	if (!n)
		return ENOMEM;

	n->type = type;
	n->line = (unsigned)mark->line + 1;
	n->col  = (unsigned)mark->column + 1;

	if (parent && parent->type == CONF_MAP) {
		n->key  = b->key;
		n->kline = b->kline;
		n->kcol  = b->kcol;
		b->key = NULL;
	}

	if (parent)
		list_append(&parent->kidl, &n->le, n);
	else if (b->root) {
		mem_deref(n);
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "more than one YAML document");
		return EINVAL;
	}
	else
		b->root = n;

	*np = n;
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const struct conf_node *parent;
	const yaml_mark_t *mark = &ev->start_mark;
	struct conf_node *n;
	size_t len = ev->data.scalar.length;
	int err;

	if (memchr(ev->data.scalar.value, 0, len)) {
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "NUL character in value");
		return EINVAL;
	}

	parent = b->depth ? b->stack[b->depth - 1] : NULL;
	if (parent && parent->type == CONF_MAP && !b->key) {
		b->kline = (unsigned)mark->line + 1;
		b->kcol  = (unsigned)mark->column + 1;
		return re_sdprintf(&b->key, "%b",
				   ev->data.scalar.value, len);
	}

	err = add_node(b, &n, CONF_SCALAR, mark);
	if (err)
		return err;

	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return re_sdprintf(&n->val, "%b", ev->data.scalar.value, len);
}

static int on_open(struct builder *b, const yaml_event_t *ev,
		   enum conf_node_type type)
{
	const struct conf_node *parent;
	const yaml_mark_t *mark = &ev->start_mark;
	struct conf_node *n;
	int err;

	parent = b->depth ? b->stack[b->depth - 1] : NULL;
	if (parent && parent->type == CONF_MAP && !b->key) {
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "a key must be a plain word, not %s",
			      type == CONF_MAP ? "a mapping" : "a list");
		return EINVAL;
	}

	if (b->depth >= ATA_CONF_MAX_DEPTH) {
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "nested deeper than %u levels",
			      ATA_CONF_MAX_DEPTH);
		return EINVAL;
	}

	err = add_node(b, &n, type, mark);
	if (err)
		return err;

	b->stack[b->depth++] = n;
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev, bool *done)
{
	const yaml_mark_t *mark = &ev->start_mark;

	switch (ev->type) {

	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1) {
			conf_diag_err(b->diag, mark->line + 1,
				      mark->column + 1,
				      "more than one YAML document");
			return EINVAL;
		}
		return 0;

	case YAML_ALIAS_EVENT:
		conf_diag_err(b->diag, mark->line + 1, mark->column + 1,
			      "aliases (*%s) are not supported;"
			      " write the value out",
			      ev->data.alias.anchor);
		return EINVAL;

	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);

	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, CONF_SEQ);

	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, CONF_MAP);

	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			--b->depth;
		return 0;

	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;

	default:
		return 0;
	}
}

int conf_yaml_parse(struct conf_node **rootp, struct conf_diag *diag,
		    const char *buf, size_t len)
{
	struct builder b;
	struct yaml_lib yl;
	yaml_parser_t parser;
	char why[256];
	bool done = false;
	int err;

	if (!rootp || !diag || (!buf && len))
		return EINVAL;

	if (len > ATA_CONF_MAX_SIZE) {
		conf_diag_err(diag, 0, 0, "larger than the %u byte limit",
			      ATA_CONF_MAX_SIZE);
		return EINVAL;
	}

	err = check_text(diag, (const uint8_t *)buf, len);
	if (err)
		return err;

	memset(&b, 0, sizeof(b));
	b.diag = diag;

	err = yaml_lib_open(&yl, NULL, why, sizeof(why));
	if (err) {
		conf_diag_err(diag, 0, 0, "cannot load libyaml: %s (install"
			      " libyaml-0-2)", why);
		return err;
	}

	if (!yl.parser_initialize(&parser)) {
		yaml_lib_close(&yl);
		return ENOMEM;
	}

	yl.parser_set_input_string(&parser, (const unsigned char *)buf,
				   len);
	yl.parser_set_encoding(&parser, YAML_UTF8_ENCODING);

	while (!done) {
		yaml_event_t ev;

		if (!yl.parser_parse(&parser, &ev)) {
			const yaml_mark_t *m = &parser.problem_mark;

			if (parser.context)
				conf_diag_err(diag, m->line + 1,
					      m->column + 1,
					      "not valid YAML: %s %s"
					      " (line %zu)",
					      parser.problem, parser.context,
					      parser.context_mark.line + 1);
			else
				conf_diag_err(diag, m->line + 1,
					      m->column + 1,
					      "not valid YAML: %s",
					      parser.problem ? parser.problem
					      : "parse error");
			err = EINVAL;
			break;
		}

		err = on_event(&b, &ev, &done);
		yl.event_delete(&ev);
		if (err)
			break;
	}

	yl.parser_delete(&parser);
	yaml_lib_close(&yl);
	mem_deref(b.key);

	if (err) {
		mem_deref(b.root);
		return err;
	}

	*rootp = b.root;
	return 0;
}
