/**
 * @file ctrl_json.c  Text replies and events to JSON (`FORMAT json`)
 *
 * One converter for every verb: a text reply (body lines, then `OK`,
 * `FAIL reason` or `PONG`) is read by the rules written in
 * base/ctrl_proto.h ("Records and quoting") into libre odicts, which
 * json_encode_odict prints, so quoting and escaping are libre's. Values
 * stay strings: the text carries no types (`mem_blocks=unknown`, `-` for
 * "not measured"), and a field whose JSON type changed with its value
 * would make clients guess; only an event's level is a number.
 *
 * Pure: no I/O and no state, so the unit tests cover it whole.
 */
#include <string.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "base/ctrl_record.h"
#include "ctrl_json.h"

enum { HASH_SIZE = 8 };

/* A reply being read: its own pairs, its records and the open one */
struct reader {
	struct odict *own;
	struct odict *recs;        /* the records, in order */
	struct odict *block;       /* open block record (also in recs) */
	char *buf;                 /* scratch for one value */
	unsigned nrec;
	bool list;                 /* a count= line: a list, maybe empty */
};

static const char *block_keyv[] = {ATA_CTRL_BLOCK_KEYS};


/* The words of a line are base/ctrl_record.c's, on a span of the pl */
static struct ctrl_span span(const struct pl *pl)
{
	struct ctrl_span s = {pl->p, pl->l};

	return s;
}


static size_t key_len(const struct pl *s)
{
	struct ctrl_span sp = span(s);

	return ctrl_record_key_len(&sp);
}


static size_t line_npairs(const struct pl *line)
{
	struct ctrl_span sp = span(line);

	return ctrl_record_npairs(&sp);
}


/* @p val without its quotes and escapes (\" and \\), in rd->buf */
static const char *unquote(struct reader *rd, const struct ctrl_span *val)
{
	(void)ctrl_record_unquote(rd->buf, val);

	return rd->buf;
}


/* A key given twice in one object keeps both values, one per line */
static int value_add(struct odict *o, const char *key, const char *val)
{
	const struct odict_entry *e = odict_lookup(o, key);
	char *joined = NULL;
	int err;

	if (!e)
		return odict_entry_add(o, key, ODICT_STRING, val);
	if (e->type != ODICT_STRING)
		return 0;

	err = re_sdprintf(&joined, "%s\n%s", e->u.str, val);
	if (err)
		return err;

	odict_entry_del(o, key);
	err = odict_entry_add(o, key, ODICT_STRING, joined);
	mem_deref(joined);

	return err;
}


/* The @p n pairs of @p line (see line_npairs) into @p o */
static int line_add(struct reader *rd, struct odict *o,
		    const struct pl *line, size_t n)
{
	struct ctrl_span rest = span(line);
	struct ctrl_pair kv;
	int err = 0;

	if (n == 1) {
		ctrl_record_one_pair(&rest, &kv);
		return value_add(o, kv.key, unquote(rd, &kv.val));
	}

	while (!err && ctrl_record_next_pair(&rest, &kv))
		err = value_add(o, kv.key, unquote(rd, &kv.val));

	return err;
}


static int record_new(struct reader *rd, struct odict **recp)
{
	char idx[16];
	int err;

	err = odict_alloc(recp, HASH_SIZE);
	if (err)
		return err;

	(void)re_snprintf(idx, sizeof(idx), "%u", rd->nrec++);
	err = odict_entry_add(rd->recs, idx, ODICT_OBJECT, *recp);
	if (err)
		*recp = mem_deref(*recp);

	return err;
}


static bool is_block_key(const struct pl *line, size_t k)
{
	for (size_t i = 0; i < ARRAY_SIZE(block_keyv); i++) {
		if (str_len(block_keyv[i]) == k &&
		    !memcmp(line->p, block_keyv[i], k))
			return true;
	}

	return false;
}


/* One body line; EBADMSG when it is not key=value (the body is text) */
static int reader_line(struct reader *rd, const struct pl *line)
{
	size_t n = line_npairs(line), k = key_len(line);
	struct odict *rec = NULL;
	int err;

	if (!n)
		return EBADMSG;

	if (n == 1 && k == str_len(ATA_CTRL_COUNT_KEY) &&
	    !memcmp(line->p, ATA_CTRL_COUNT_KEY, k)) {
		rd->list = true;
		rd->block = mem_deref(rd->block);
		return 0;
	}

	if (is_block_key(line, k)) {
		rd->block = mem_deref(rd->block);
		err = record_new(rd, &rd->block);
		return err ? err : line_add(rd, rd->block, line, n);
	}

	if (rd->block)
		return line_add(rd, rd->block, line, n);

	if (n == 1)
		return line_add(rd, rd->own, line, n);

	err = record_new(rd, &rec);
	if (!err)
		err = line_add(rd, rec, line, n);
	mem_deref(rec);

	return err;
}


/*
 * A body into *op: an object of its own pairs (with "records" if it has
 * records too), an array of records, or {"text": body}
 */
static int body_read(struct odict **op, enum odict_type *typep,
		     const struct pl *body)
{
	struct reader rd = {NULL, NULL, NULL, NULL, 0, false};
	struct pl rest = *body;
	int err;

	err  = odict_alloc(&rd.own, HASH_SIZE);
	err |= odict_alloc(&rd.recs, HASH_SIZE);
	rd.buf = mem_alloc(body->l + 1, NULL);
	if (err || !rd.buf) {
		err = err ? err : ENOMEM;
		goto out;
	}

	while (!err && rest.l) {
		const char *nl = memchr(rest.p, '\n', rest.l);
		struct pl line = {rest.p, nl ? (size_t)(nl - rest.p) :
				  rest.l};

		err = reader_line(&rd, &line);
		pl_advance(&rest, line.l + (nl ? 1 : 0));
	}

	*typep = ODICT_OBJECT;
	if (err == EBADMSG) {
		rd.own = mem_deref(rd.own);
		err = odict_alloc(&rd.own, HASH_SIZE);
		if (!err) {
			(void)pl_strcpy(body, rd.buf, body->l + 1);
			err = odict_entry_add(rd.own, "text", ODICT_STRING,
					      rd.buf);
		}
		*op = mem_ref(rd.own);
	}
	else if (err)
		;
	else if (!odict_count(rd.own, false) && (rd.nrec || rd.list)) {
		*typep = ODICT_ARRAY;
		*op = mem_ref(rd.recs);
	}
	else {
		if (rd.nrec || rd.list)
			err = odict_entry_add(rd.own, "records",
					      ODICT_ARRAY, rd.recs);
		*op = mem_ref(rd.own);
	}

 out:
	mem_deref(rd.block);
	mem_deref(rd.own);
	mem_deref(rd.recs);
	mem_deref(rd.buf);

	return err;
}


/* json_encode_odict prints objects; an array's brackets are ours */
static int value_print(struct re_printf *pf, const struct odict *o,
		       enum odict_type type)
{
	const char *sep = "";
	int err = 0;

	if (type == ODICT_OBJECT)
		return json_encode_odict(pf, o);

	err = re_hprintf(pf, "[");
	for (struct le *le = o->lst.head; le && !err; le = le->next) {
		const struct odict_entry *e = le->data;

		err  = re_hprintf(pf, "%s", sep);
		err |= json_encode_odict(pf, e->u.odict);
		sep = ",";
	}

	return err ? err : re_hprintf(pf, "]");
}


/* {"ok":false,"error":REASON} with the body, if any, as "reply" */
static int fail_print(struct re_printf *pf, const struct pl *reason,
		      const struct pl *body)
{
	struct odict *o = NULL, *bo = NULL;
	enum odict_type type;
	char *r = NULL;
	int err;

	err  = odict_alloc(&o, HASH_SIZE);
	err |= pl_strdup(&r, reason);
	if (err)
		goto out;

	err  = odict_entry_add(o, "ok", ODICT_BOOL, false);
	err |= odict_entry_add(o, "error", ODICT_STRING, r);
	if (!err && body->l)
		err = body_read(&bo, &type, body);
	if (!err && bo)
		err = odict_entry_add(o, "reply", type, bo);
	if (!err)
		err = json_encode_odict(pf, o);

 out:
	mem_deref(bo);
	mem_deref(r);
	mem_deref(o);

	return err;
}


static int ok_print(struct re_printf *pf, bool pong)
{
	struct odict *o;
	int err;

	err = odict_alloc(&o, HASH_SIZE);
	if (err)
		return err;

	err = odict_entry_add(o, "ok", ODICT_BOOL, true);
	if (!err && pong)
		err = odict_entry_add(o, "pong", ODICT_BOOL, true);
	if (!err)
		err = json_encode_odict(pf, o);
	mem_deref(o);

	return err;
}


/**
 * Print one whole text reply, final line included, as one JSON value
 *
 * `OK` after an empty body is {"ok":true}, `PONG` {"ok":true,"pong":true},
 * `FAIL reason` {"ok":false,"error":"reason"}; a body is converted by
 * the rules of ctrl_proto.h. A reply without a final line is all body.
 *
 * @return 0, EINVAL, ENOMEM or the print error
 */
int ctrl_json_reply(struct re_printf *pf, const struct pl *reply)
{
	const size_t fl = str_len(ATA_CTRL_FAIL);
	struct pl body, last;
	struct odict *o = NULL;
	enum odict_type type;
	const char *nl;
	int err;

	if (!pf || !reply)
		return EINVAL;

	body = *reply;
	if (body.l && body.p[body.l - 1] == '\n')
		--body.l;

	for (nl = body.p + body.l; nl > body.p && nl[-1] != '\n'; nl--)
		;
	last.p = nl;
	last.l = body.p + body.l - nl;
	body.l = nl - body.p;

	if (!pl_strcmp(&last, ATA_CTRL_PONG) && !body.l)
		return ok_print(pf, true);

	if (!pl_strcmp(&last, ATA_CTRL_OK) && !body.l)
		return ok_print(pf, false);

	if (last.l >= fl && !memcmp(last.p, ATA_CTRL_FAIL, fl) &&
	    (last.l == fl || last.p[fl] == ' ')) {
		pl_advance(&last, last.l > fl ? fl + 1 : fl);
		return fail_print(pf, &last, &body);
	}

	if (pl_strcmp(&last, ATA_CTRL_OK))
		body = *reply;

	err = body_read(&o, &type, &body);
	if (!err)
		err = value_print(pf, o, type);
	mem_deref(o);

	return err;
}


/* `<N>NAME rest`: the name and the fields; false if no event */
static bool event_split(const struct pl *ev, struct pl *name,
			struct pl *fields)
{
	struct ctrl_span e = span(ev), n, f;
	int level;

	if (!ctrl_record_event_split(&e, &level, &n, &f))
		return false;

	name->p = n.p;
	name->l = n.l;
	fields->p = f.p;
	fields->l = f.l;

	return true;
}


/* The fields, but never over "event" and "level" */
static int fields_add(struct reader *rd, struct odict *o,
		      const struct pl *fields)
{
	size_t n = line_npairs(fields);
	struct odict *fo;
	int err;

	if (!n && fields->l) {
		(void)pl_strcpy(fields, rd->buf, fields->l + 1);
		return odict_entry_add(o, "text", ODICT_STRING, rd->buf);
	}

	err = odict_alloc(&fo, HASH_SIZE);
	if (!err && n)
		err = line_add(rd, fo, fields, n);

	for (struct le *le = fo ? fo->lst.head : NULL; le && !err;
	     le = le->next) {
		const struct odict_entry *e = le->data;

		if (!odict_lookup(o, e->key))
			err = odict_entry_add(o, e->key, ODICT_STRING,
					      e->u.str);
	}

	mem_deref(fo);

	return err;
}


/**
 * Print one event line `<N>NAME key=value ...` as one JSON object:
 * {"event":"NAME","level":N, the fields as strings}; fields that are not
 * key=value come as "text". A line that is no event is converted as a
 * reply.
 *
 * @return 0, EINVAL, ENOMEM or the print error
 */
int ctrl_json_event(struct re_printf *pf, const struct pl *event)
{
	struct reader rd = {NULL, NULL, NULL, NULL, 0, false};
	struct pl name, fields;
	char *nm = NULL;
	int err;

	if (!pf || !event)
		return EINVAL;

	if (!event_split(event, &name, &fields))
		return ctrl_json_reply(pf, event);

	err  = odict_alloc(&rd.own, HASH_SIZE);
	err |= pl_strdup(&nm, &name);
	rd.buf = mem_alloc(event->l + 1, NULL);
	if (err || !rd.buf) {
		err = err ? err : ENOMEM;
		goto out;
	}

	err  = odict_entry_add(rd.own, "event", ODICT_STRING, nm);
	err |= odict_entry_add(rd.own, "level", ODICT_INT,
			       (int64_t)(event->p[1] - '0'));
	if (!err)
		err = fields_add(&rd, rd.own, &fields);
	if (!err)
		err = json_encode_odict(pf, rd.own);

 out:
	mem_deref(rd.buf);
	mem_deref(nm);
	mem_deref(rd.own);

	return err;
}
