/**
 * @file hosts.c  Addresses of names in /etc/hosts, looked up first
 *
 * libre's resolver asks DNS only, but every C-library program on the
 * box looks in /etc/hosts first ("files dns" in nsswitch.conf): a
 * registrar named there must be found here too, without a name server.
 * The format (hosts(5)): an address, then names separated by blanks,
 * "#" to the end of the line is a comment. The first line naming the
 * host wins; names compare without case.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "hosts.h"

enum { HOSTS_MAX = 65536 };   /* more is not a hosts file */


static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}


/* The next blank-separated field of [*pp, eol), or false at its end */
static bool field(struct pl *f, const char **pp, const char *eol)
{
	const char *p = *pp;

	while (p < eol && blank(*p))
		++p;

	f->p = p;
	while (p < eol && !blank(*p))
		++p;

	f->l = (size_t)(p - f->p);
	*pp = p;

	return f->l > 0;
}


/* Does the line [p, eol) (comment cut off) name @p name? */
static bool names(const char *p, const char *eol, const struct pl *name)
{
	struct pl f;

	while (field(&f, &p, eol)) {
		if (!pl_casecmp(&f, name))
			return true;
	}

	return false;
}


/**
 * The address @p name has in @p buf (the text of a hosts file), port 0.
 * ENOENT when no line names it with a usable address (scoped IPv6 and
 * the unspecified addresses are skipped), EINVAL on bad arguments.
 */
int hosts_find(struct sa *sa, const char *buf, size_t len,
	       const struct pl *name)
{
	const char *p = buf, *end = buf + len;

	if (!sa || !buf || !pl_isset(name))
		return EINVAL;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *hash, *next;
		struct pl addr;

		if (!eol)
			eol = end;
		next = eol + 1;

		hash = memchr(p, '#', (size_t)(eol - p));
		if (hash)
			eol = hash;

		if (field(&addr, &p, eol) && names(p, eol, name) &&
		    !sa_set(sa, &addr, 0) && !sa_is_any(sa))
			return 0;

		p = next;
	}

	return ENOENT;
}


/** The same from the file at @p path; ENOENT also when it is missing */
int hosts_lookup(struct sa *sa, const char *path, const struct pl *name)
{
	char *buf;
	size_t len;
	FILE *f;
	int err;

	if (!path)
		return EINVAL;

	f = fopen(path, "r");
	if (!f)
		return ENOENT;

	buf = mem_alloc(HOSTS_MAX, NULL);
	if (!buf) {
		(void)fclose(f);
		return ENOMEM;
	}

	len = fread(buf, 1, HOSTS_MAX, f);
	(void)fclose(f);

	err = hosts_find(sa, buf, len, name);
	mem_deref(buf);

	return err;
}
