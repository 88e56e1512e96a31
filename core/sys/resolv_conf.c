/**
 * @file resolv_conf.c  The name servers resolv.conf names, and only those
 *
 * Why not libre's dns_srv_get(): through glibc's res_ninit() a file
 * with no "nameserver" line still yields 127.0.0.1 (glibc's default),
 * so a box whose DHCP client has not written the file yet seems to
 * have a resolver, and libre's queries to a closed port on a loopback
 * that may be down then wait for ever. Here, no line means no server,
 * and the caller waits for the file to be written.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "resolv_conf.h"


/* Skip blanks (space, tab) */
static const char *blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		++p;

	return p;
}


/**
 * The servers of "nameserver ADDR" lines in @p buf (a resolv.conf),
 * at most @p n, port 53, in file order; anything else is ignored (other
 * keywords, comments, scoped IPv6 addresses, names, bad addresses, the
 * unspecified addresses)
 */
uint32_t resolv_conf_servers(const char *buf, size_t len, struct sa *srvv,
			     uint32_t n)
{
	static const char kw[] = "nameserver";
	const char *p = buf, *end = buf + len;
	uint32_t c = 0;

	if (!buf || !srvv)
		return 0;

	while (p < end && c < n) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *a, *e;
		struct pl addr;

		if (!eol)
			eol = end;

		a = blanks(p, eol);
		if ((size_t)(eol - a) > sizeof(kw) - 1 &&
		    !memcmp(a, kw, sizeof(kw) - 1) &&
		    (a[sizeof(kw) - 1] == ' ' || a[sizeof(kw) - 1] == '\t')) {
			a = blanks(a + sizeof(kw) - 1, eol);
			for (e = a; e < eol && *e != ' ' && *e != '\t' &&
				     *e != '\r' && *e != '#' && *e != ';'; e++)
				;
			addr.p = a;
			addr.l = (size_t)(e - a);
			/* "::" and "0.0.0.0" parse, but ask nobody */
			if (addr.l && !sa_set(&srvv[c], &addr, 53) &&
			    !sa_is_any(&srvv[c]))
				++c;
		}

		p = eol + 1;
	}

	return c;
}


/** The same from the file at @p path (resolv.conf: small); 0 if none */
uint32_t resolv_conf_read(const char *path, struct sa *srvv, uint32_t n)
{
	char buf[8192];
	size_t len = 0;
	FILE *f;

	if (!path)
		return 0;

	f = fopen(path, "r");
	if (!f)
		return 0;

	len = fread(buf, 1, sizeof(buf), f);
	(void)fclose(f);

	return resolv_conf_servers(buf, len, srvv, n);
}
