/**
 * @file metrics.c  A registry of labelled counters and gauges, printed in
 *                  Prometheus' text exposition format (version 0.0.4)
 *
 * Families print in the order they were declared, each with its # HELP
 * and # TYPE lines once, and its series sorted by their label text, so
 * two scrapes of the same state are byte for byte the same. A series is
 * keyed by its rendered, escaped label text (`line="1",dir="rx"`): the
 * label pairs come as varargs, name then value, ended by NULL.
 * Main thread only; pure (no I/O but the printer it is handed).
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "metrics.h"

enum { METRICS_NAME_MAX = 128 };

struct metrics {
	struct list famil;
};

struct family {
	struct le le;
	char *name;
	char *help;
	enum metrics_type type;
	struct list seril;          /* struct series, by label text */
};

struct series {
	struct le le;
	char *labels;               /* escaped `k="v",...`, "" for none */
	uint64_t v;
};


static void metrics_destructor(void *arg)
{
	struct metrics *m = arg;

	list_flush(&m->famil);
}


static void family_destructor(void *arg)
{
	struct family *f = arg;

	list_unlink(&f->le);
	list_flush(&f->seril);
	mem_deref(f->name);
	mem_deref(f->help);
}


static void series_destructor(void *arg)
{
	struct series *s = arg;

	list_unlink(&s->le);
	mem_deref(s->labels);
}


/** A registry with no families. ENOMEM. */
int metrics_alloc(struct metrics **mp)
{
	struct metrics *m;

	if (!mp)
		return EINVAL;

	m = mem_zalloc(sizeof(*m), metrics_destructor);
	if (!m)
		return ENOMEM;

	*mp = m;

	return 0;
}


/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics; labels without the colon */
static bool name_valid(const char *n, bool colon)
{
	size_t i;

	if (!str_isset(n) || strlen(n) > METRICS_NAME_MAX)
		return false;

	for (i = 0; n[i]; i++) {
		char c = n[i];

		if (c == '_' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (colon && c == ':'))
			continue;
		if (i && c >= '0' && c <= '9')
			continue;
		return false;
	}

	return true;
}


static struct family *family_find(const struct metrics *m, const char *name)
{
	struct le *le;

	for (le = list_head(&m->famil); le; le = le->next) {
		struct family *f = le->data;

		if (!str_cmp(f->name, name))
			return f;
	}

	return NULL;
}


/**
 * Declare a family. Declaring it again with the same type is a no-op;
 * EINVAL for a bad name, EEXIST for a name already of the other type.
 */
int metrics_family(struct metrics *m, const char *name,
		   enum metrics_type type, const char *help)
{
	struct family *f;
	int err;

	if (!m || !name_valid(name, true) || !help)
		return EINVAL;

	f = family_find(m, name);
	if (f)
		return f->type == type ? 0 : EEXIST;

	f = mem_zalloc(sizeof(*f), family_destructor);
	if (!f)
		return ENOMEM;

	f->type = type;
	err  = str_dup(&f->name, name);
	err |= str_dup(&f->help, help);
	if (err) {
		mem_deref(f);
		return ENOMEM;
	}

	list_append(&m->famil, &f->le, f);

	return 0;
}


/** Print a label value escaped: backslash, double quote and newline */
int metrics_label_escape(struct re_printf *pf, const char *v)
{
	int err = 0;

	for (; v && *v && !err; v++) {
		if (*v == '\\')
			err = re_hprintf(pf, "\\\\");
		else if (*v == '"')
			err = re_hprintf(pf, "\\\"");
		else if (*v == '\n')
			err = re_hprintf(pf, "\\n");
		else
			err = re_hprintf(pf, "%c", *v);
	}

	return err;
}


/* HELP text: backslash and newline escaped, a quote stays */
static int help_escape(struct re_printf *pf, const char *v)
{
	int err = 0;

	for (; *v && !err; v++) {
		if (*v == '\\')
			err = re_hprintf(pf, "\\\\");
		else if (*v == '\n')
			err = re_hprintf(pf, "\\n");
		else
			err = re_hprintf(pf, "%c", *v);
	}

	return err;
}


struct label_args {
	va_list ap;
};


static int labels_print(struct re_printf *pf, void *arg)
{
	struct label_args *la = arg;
	const char *k, *v;
	bool first = true;
	int err = 0;

	while (!err && (k = va_arg(la->ap, const char *))) {
		v = va_arg(la->ap, const char *);
		if (!name_valid(k, false) || !strncmp(k, "__", 2))
			return EINVAL;
		err  = re_hprintf(pf, "%s%s=\"", first ? "" : ",", k);
		err |= metrics_label_escape(pf, v ? v : "");
		err |= re_hprintf(pf, "\"");
		first = false;
	}

	return err;
}


static struct series *series_get(struct family *f, const char *labels)
{
	struct series *s;
	struct le *le;
	int c = 1;

	for (le = list_head(&f->seril); le; le = le->next) {
		s = le->data;
		c = strcmp(s->labels, labels);
		if (c >= 0)
			break;
	}

	if (le && !c)
		return le->data;

	s = mem_zalloc(sizeof(*s), series_destructor);
	if (!s || str_dup(&s->labels, labels))
		return mem_deref(s);

	if (le)
		list_insert_before(&f->seril, le, &s->le, s);
	else
		list_append(&f->seril, &s->le, s);

	return s;
}


static int update(struct metrics *m, const char *name, uint64_t v,
		  bool add, va_list ap)
{
	struct label_args la;
	struct family *f;
	struct series *s;
	char *labels = NULL;
	int err;

	if (!m || !name)
		return EINVAL;

	f = family_find(m, name);
	if (!f)
		return ENOENT;

	va_copy(la.ap, ap);
	err = re_sdprintf(&labels, "%H", labels_print, &la);
	va_end(la.ap);
	if (err)
		goto out;

	s = series_get(f, labels);
	if (!s) {
		err = ENOMEM;
		goto out;
	}

	s->v = add ? s->v + v : v;

 out:
	mem_deref(labels);

	return err;
}


/**
 * Add delta to the series of family name with the label pairs that
 * follow (name, value, ..., NULL); the series starts at 0. ENOENT for
 * an undeclared family, EINVAL for a bad label name.
 */
int metrics_add(struct metrics *m, const char *name, uint64_t delta, ...)
{
	va_list ap;
	int err;

	va_start(ap, delta);
	err = update(m, name, delta, true, ap);
	va_end(ap);

	return err;
}


/** Set the series' value (a gauge, or a counter kept elsewhere) */
int metrics_set(struct metrics *m, const char *name, uint64_t value, ...)
{
	va_list ap;
	int err;

	va_start(ap, value);
	err = update(m, name, value, false, ap);
	va_end(ap);

	return err;
}


/** Drop every series of a family (a gauge whose label set changed) */
void metrics_clear(struct metrics *m, const char *name)
{
	struct family *f = m ? family_find(m, name) : NULL;

	if (f)
		list_flush(&f->seril);
}


static int family_print(struct re_printf *pf, const struct family *f)
{
	struct le *le;
	int err;

	err  = re_hprintf(pf, "# HELP %s ", f->name);
	err |= help_escape(pf, f->help);
	err |= re_hprintf(pf, "\n# TYPE %s %s\n", f->name,
			  f->type == METRICS_COUNTER ? "counter" : "gauge");

	for (le = list_head(&f->seril); le && !err; le = le->next) {
		const struct series *s = le->data;

		err = re_hprintf(pf, "%s%s%s%s %llu\n", f->name,
				 s->labels[0] ? "{" : "", s->labels,
				 s->labels[0] ? "}" : "",
				 (unsigned long long)s->v);
	}

	return err;
}


/** Every family that has a series, in the text format */
int metrics_print(struct re_printf *pf, const struct metrics *m)
{
	struct le *le;
	int err = 0;

	if (!m)
		return 0;

	for (le = list_head(&m->famil); le && !err; le = le->next) {
		const struct family *f = le->data;

		if (list_head(&f->seril))
			err = family_print(pf, f);
	}

	return err;
}
