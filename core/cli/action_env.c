/**
 * @file action_env.c  The environment of one `atactl -a` run
 *
 * Names and values as action_env.h lists them. An event line holds no
 * control bytes (the daemon replaces them), and a value goes into the
 * environment as bytes, never through a shell, so a field with quotes,
 * `$(...)` or spaces reaches the script as it is written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ctrl_proto.h"
#include "base/ctrl_record.h"
#include "action_env.h"

/* The names a field may not take */
static const char *const reservedv[] = {
	"EVENT", "LEVEL", "RAW", "CTRL", "DROPPED", "TEXT",
};

struct env {
	char **v;
	size_t n;
	size_t own;                /* v[own..n) are the event's */
	size_t cap;
};


static int env_grow(struct env *e)
{
	char **v;

	if (e->n + 2 <= e->cap)
		return 0;

	v = realloc(e->v, (e->cap * 2 + 16) * sizeof(*v));
	if (!v)
		return ENOMEM;

	e->v = v;
	e->cap = e->cap * 2 + 16;

	return 0;
}


/* The entry of @p name (`NAME=`, prefix included), or NULL */
static char **env_find(const struct env *e, const char *name, size_t nl)
{
	for (size_t i = e->own; i < e->n; i++) {
		if (!strncmp(e->v[i], name, nl) && e->v[i][nl] == '=')
			return &e->v[i];
	}

	return NULL;
}


/* NAME=VALUE; a NAME set before gets VALUE on a line of its own */
static int env_add(struct env *e, const char *name, const char *val)
{
	size_t nl = strlen(name), vl = strlen(val);
	char **old = env_find(e, name, nl), *s;

	if (old) {
		size_t ol = strlen(*old);

		s = realloc(*old, ol + 1 + vl + 1);
		if (!s)
			return ENOMEM;
		s[ol] = '\n';
		memcpy(s + ol + 1, val, vl + 1);
		*old = s;
		return 0;
	}

	if (env_grow(e))
		return ENOMEM;

	s = malloc(nl + 1 + vl + 1);
	if (!s)
		return ENOMEM;

	memcpy(s, name, nl);
	s[nl] = '=';
	memcpy(s + nl + 1, val, vl + 1);
	e->v[e->n++] = s;
	e->v[e->n] = NULL;

	return 0;
}


/* ATAUA_KEY for a field's key: upper case, `-` and `.` as `_` */
static void field_name(char *name, size_t sz, const char *key)
{
	size_t pl = strlen(ATA_ACTION_ENV_PREFIX), i;

	memcpy(name, ATA_ACTION_ENV_PREFIX, pl);
	for (i = 0; key[i] && pl + i + 1 < sz; i++) {
		char ch = key[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (ch == '-' || ch == '.')
			ch = '_';
		name[pl + i] = ch;
	}
	name[pl + i] = '\0';
}


static bool is_reserved(const char *name)
{
	name += strlen(ATA_ACTION_ENV_PREFIX);

	for (size_t i = 0; i < sizeof(reservedv) / sizeof(reservedv[0]);
	     i++) {
		if (!strcmp(name, reservedv[i]))
			return true;
	}

	return false;
}


static int field_add(struct env *e, const struct ctrl_pair *kv, char *buf)
{
	char name[sizeof(ATA_ACTION_ENV_PREFIX) + ATA_CTRL_KEY_MAX];

	field_name(name, sizeof(name), kv->key);
	if (is_reserved(name))
		return 0;

	(void)ctrl_record_unquote(buf, &kv->val);

	return env_add(e, name, buf);
}


/* The fields: pairs, one pair to the end of the line, or TEXT */
static int fields_add(struct env *e, const struct ctrl_span *fields)
{
	struct ctrl_span rest = *fields;
	size_t n = ctrl_record_npairs(fields);
	struct ctrl_pair kv;
	char *buf;
	int err = 0;

	buf = malloc(fields->l + 1);
	if (!buf)
		return ENOMEM;

	if (!n && fields->l) {
		memcpy(buf, fields->p, fields->l);
		buf[fields->l] = '\0';
		err = env_add(e, ATA_ACTION_ENV_PREFIX "TEXT", buf);
	}
	else if (n == 1) {
		ctrl_record_one_pair(fields, &kv);
		err = field_add(e, &kv, buf);
	}
	else {
		while (!err && ctrl_record_next_pair(&rest, &kv))
			err = field_add(e, &kv, buf);
	}

	free(buf);

	return err;
}


/**
 * The environment for event @p line: @p base (environ; NULL for none)
 * without its ATAUA_* entries, then ours. *envp is a NULL-terminated
 * array for execve(), freed with action_env_free().
 *
 * @return 0, EINVAL (@p line is no event) or ENOMEM
 */
int action_env_build(char ***envp, char *const *base, const char *line,
		     const char *ctrl_path, unsigned dropped)
{
	struct ctrl_span ev, name, fields;
	struct env e = {NULL, 0, 0, 0};
	char num[16], *nm = NULL;
	int level, err;

	if (!envp || !line || !ctrl_path)
		return EINVAL;

	ev.p = line;
	ev.l = strlen(line);
	if (!ctrl_record_event_split(&ev, &level, &name, &fields))
		return EINVAL;

	for (size_t i = 0; base && base[i]; i++) {
		if (!strncmp(base[i], ATA_ACTION_ENV_PREFIX,
			     strlen(ATA_ACTION_ENV_PREFIX)))
			continue;
		err = env_grow(&e);
		if (err)
			goto out;
		e.v[e.n] = strdup(base[i]);
		if (!e.v[e.n]) {
			err = ENOMEM;
			goto out;
		}
		e.v[++e.n] = NULL;
	}
	e.own = e.n;

	nm = malloc(name.l + 1);
	err = nm ? 0 : ENOMEM;
	if (err)
		goto out;
	memcpy(nm, name.p, name.l);
	nm[name.l] = '\0';

	err = env_add(&e, ATA_ACTION_ENV_PREFIX "EVENT", nm);
	(void)snprintf(num, sizeof(num), "%d", level);
	err |= env_add(&e, ATA_ACTION_ENV_PREFIX "LEVEL", num);
	err |= env_add(&e, ATA_ACTION_ENV_PREFIX "RAW", line);
	err |= env_add(&e, ATA_ACTION_ENV_PREFIX "CTRL", ctrl_path);
	(void)snprintf(num, sizeof(num), "%u", dropped);
	err |= env_add(&e, ATA_ACTION_ENV_PREFIX "DROPPED", num);
	if (!err)
		err = fields_add(&e, &fields);

 out:
	free(nm);
	if (err) {
		if (e.v)
			e.v[e.n] = NULL;
		action_env_free(e.v);
		return ENOMEM;
	}

	*envp = e.v;

	return 0;
}


/** The value of @p name in @p env, or NULL */
const char *action_env_get(char *const *env, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; env && env[i]; i++) {
		if (!strncmp(env[i], name, nl) && env[i][nl] == '=')
			return env[i] + nl + 1;
	}

	return NULL;
}


void action_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
