/**
 * @file ctrl_record.c  The words of a control line (see ctrl_record.h)
 *
 * Pure: no I/O, no state, no allocation; the callers' unit tests
 * (test_ctrl_json, test_action_env) cover it.
 */
#include <string.h>
#include "ctrl_record.h"


static void span_advance(struct ctrl_span *s, size_t n)
{
	s->p += n;
	s->l -= n;
}


static bool is_key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		ch == '.';
}


/** Length of the KEY before `=` at the start of @p s, 0 if none */
size_t ctrl_record_key_len(const struct ctrl_span *s)
{
	size_t i = 0;

	while (i < s->l && i < ATA_CTRL_KEY_MAX - 1 && is_key_char(s->p[i]))
		++i;

	return i && i < s->l && s->p[i] == '=' ? i : 0;
}


/* Length of the quoted string at @p p with both quotes, 0 if open */
static size_t quoted_len(const char *p, size_t l)
{
	for (size_t i = 1; i < l; i++) {
		if (p[i] == '\\' && i + 1 < l)
			++i;
		else if (p[i] == '"')
			return i + 1;
	}

	return 0;
}


/**
 * The next `KEY=VALUE` word of @p rest into @p kv, @p rest past it and
 * its spaces; false (nothing moved) if the word is not one
 */
bool ctrl_record_next_pair(struct ctrl_span *rest, struct ctrl_pair *kv)
{
	size_t k = ctrl_record_key_len(rest), left, v;
	const char *p;

	if (!k)
		return false;

	p = rest->p + k + 1;
	left = rest->l - k - 1;
	if (left && *p == '"') {
		v = quoted_len(p, left);
		if (!v)
			return false;
	}
	else {
		for (v = 0; v < left && p[v] != ' '; v++)
			;
	}
	if (v < left && p[v] != ' ')
		return false;

	memcpy(kv->key, rest->p, k);
	kv->key[k] = '\0';
	kv->val.p = p;
	kv->val.l = v;
	span_advance(rest, k + 1 + v);
	while (rest->l && *rest->p == ' ')
		span_advance(rest, 1);

	return true;
}


/**
 * The pairs on a line: 0 when it is not key=value; 1 when it is one
 * pair, its value the rest of the line (free text such as `verdict=
 * degraded: no registrar`, see ctrl_record_one_pair); else the number
 * of KEY=VALUE words
 */
size_t ctrl_record_npairs(const struct ctrl_span *line)
{
	struct ctrl_span rest = *line;
	struct ctrl_pair kv;
	size_t n = 0;

	while (rest.l) {
		if (!ctrl_record_next_pair(&rest, &kv))
			return ctrl_record_key_len(line) ? 1 : 0;
		++n;
	}

	return n;
}


/** A line of one pair (npairs 1): its key, the rest of the line its value */
void ctrl_record_one_pair(const struct ctrl_span *line, struct ctrl_pair *kv)
{
	size_t k = ctrl_record_key_len(line);

	memcpy(kv->key, line->p, k);
	kv->key[k] = '\0';
	kv->val.p = line->p + k + 1;
	kv->val.l = line->l - k - 1;
}


/**
 * @p val without its quotes and escapes (\" and \\) into @p dst, which
 * holds val->l + 1 bytes; a value that is not one quoted string is
 * copied as it is. Returns the length written, NUL not counted.
 */
size_t ctrl_record_unquote(char *dst, const struct ctrl_span *val)
{
	size_t n = 0;

	if (val->l < 2 || val->p[0] != '"' ||
	    quoted_len(val->p, val->l) != val->l) {
		memcpy(dst, val->p, val->l);
		dst[val->l] = '\0';
		return val->l;
	}

	for (size_t i = 1; i + 1 < val->l; i++) {
		if (val->p[i] == '\\' && i + 2 < val->l &&
		    (val->p[i + 1] == '"' || val->p[i + 1] == '\\'))
			++i;
		dst[n++] = val->p[i];
	}
	dst[n] = '\0';

	return n;
}


/** `<N>NAME rest`: level, name and fields; false if no event */
bool ctrl_record_event_split(const struct ctrl_span *ev, int *level,
			     struct ctrl_span *name, struct ctrl_span *fields)
{
	if (ev->l < 4 || ev->p[0] != '<' || ev->p[1] < '0' ||
	    ev->p[1] > '9' || ev->p[2] != '>' || ev->p[3] == ' ')
		return false;

	*level = ev->p[1] - '0';
	name->p = ev->p + 3;
	for (name->l = 0; name->l < ev->l - 3 && name->p[name->l] != ' ';
	     name->l++)
		;

	fields->p = name->p + name->l;
	fields->l = ev->l - 3 - name->l;
	while (fields->l && *fields->p == ' ')
		span_advance(fields, 1);

	return true;
}
