/**
 * @file modules/alg-hint/hint_fmt.c  The hints' text: Contact srcadr
 *                                   parameter and a=x-private lines
 *
 * Pure functions. Whatever the peer sends may be hostile: every parser
 * takes bounded text, rejects what is not exactly "ip:port" (port 1..
 * 65535, nothing after it) and never writes past its buffers.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "ataua.h"
#include "hint.h"

enum {
	ADDR_TEXT_MAX = 64,       /* "[v6 address]:65535" fits          */
};


/** ";srcadr=IP%3APORT" (the colon escaped, RFC 3261 25.1) into @p buf */
int hint_srcadr_print(char *buf, size_t sz, const struct sa *sa)
{
	int n;

	if (!buf || !sz || !sa_isset(sa, SA_ALL))
		return EINVAL;

	if (sa_af(sa) == AF_INET6)
		n = re_snprintf(buf, sz, ";srcadr=[%j]%%3A%u", sa,
				sa_port(sa));
	else
		n = re_snprintf(buf, sz, ";srcadr=%j%%3A%u", sa,
				sa_port(sa));

	return n < 0 || (size_t)n >= sz ? ENOSPC : 0;
}


static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}


/* "ip:port" exactly: sa_decode plus the checks it leaves to us */
static int addr_decode(struct sa *sa, const char *p, size_t n)
{
	const char *colon;
	uint32_t port = 0;
	size_t i;

	if (!n || n >= ADDR_TEXT_MAX || memchr(p, ' ', n))
		return EINVAL;

	/* sa_decode would wrap 99999 into a valid port: check it here */
	for (colon = p + n; colon > p && colon[-1] != ':'; colon--)
		;
	if (colon == p || colon == p + n || p + n - colon > 5)
		return EINVAL;
	for (i = 0; colon + i < p + n; i++) {
		if (colon[i] < '0' || colon[i] > '9')
			return EINVAL;
		port = port * 10 + (uint32_t)(colon[i] - '0');
	}
	if (!port || port > 65535)
		return EINVAL;

	if (sa_decode(sa, p, n))
		return EINVAL;

	return sa_port(sa) && !sa_is_any(sa) ? 0 : EINVAL;
}


/**
 * The srcadr parameter in URI parameters @p params (";a=b;srcadr=..."):
 * %XX unescaped, then "ip:port". ENOENT when absent, EINVAL when bad.
 */
int hint_srcadr_decode(struct sa *sa, const struct pl *params)
{
	char txt[ADDR_TEXT_MAX];
	struct pl val;
	size_t i, n = 0;

	if (!sa || !params)
		return EINVAL;

	if (msg_param_decode(params, "srcadr", &val))
		return ENOENT;

	for (i = 0; i < val.l; i++) {
		char c = val.p[i];

		if (c == '%') {
			int hi, lo;

			if (val.l - i < 3)
				return EINVAL;
			hi = hexval(val.p[i + 1]);
			lo = hexval(val.p[i + 2]);
			if (hi < 0 || lo < 0)
				return EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= sizeof(txt) || c == '\0')
			return EINVAL;
		txt[n++] = c;
	}

	return addr_decode(sa, txt, n);
}


static int addr_print(struct re_printf *pf, const struct sa *sa)
{
	if (sa_af(sa) == AF_INET6)
		return re_hprintf(pf, "[%j]:%u", sa, sa_port(sa));

	return re_hprintf(pf, "%j:%u", sa, sa_port(sa));
}


/** The value of a=x-private: "PRIVATE PUBLIC" */
int hint_xpriv_print(struct re_printf *pf, const struct sa *priv,
		     const struct sa *pub)
{
	int err;

	if (!pf || !sa_isset(priv, SA_ALL) || !sa_isset(pub, SA_ALL))
		return EINVAL;

	err  = addr_print(pf, priv);
	err |= re_hprintf(pf, " ");
	err |= addr_print(pf, pub);

	return err;
}


/**
 * Parse an a=x-private value "PRIVATE PUBLIC" (one space; a trailing
 * space or CR is tolerated, nothing else). EINVAL when bad.
 */
int hint_xpriv_decode(struct sa *priv, struct sa *pub, const char *val)
{
	const char *sp;
	size_t n;

	if (!priv || !pub || !val)
		return EINVAL;

	n = strnlen(val, 2 * ADDR_TEXT_MAX + 2);
	while (n && (val[n - 1] == ' ' || val[n - 1] == '\r'))
		--n;
	if (n > 2 * ADDR_TEXT_MAX)
		return EINVAL;

	sp = memchr(val, ' ', n);
	if (!sp)
		return EINVAL;

	if (addr_decode(priv, val, (size_t)(sp - val)))
		return EINVAL;

	return addr_decode(pub, sp + 1, n - (size_t)(sp + 1 - val));
}


static bool has_srcadr(const char *p, size_t n)
{
	static const char key[] = "srcadr=";
	size_t i, l = sizeof(key) - 1;

	for (i = 0; i + l <= n; i++) {
		if (!strncasecmp(p + i, key, l))
			return true;
	}

	return false;
}


/* The line p[0..n) starts a Contact header ("Contact:" or "m:") */
static bool is_contact(const char *p, size_t n)
{
	static const char *namev[] = {"Contact", "m"};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(namev); i++) {
		size_t l = strlen(namev[i]);

		if (n <= l || strncasecmp(p, namev[i], l))
			continue;
		for (k = l; k < n && (p[k] == ' ' || p[k] == '\t'); k++)
			;
		if (k < n && p[k] == ':')
			return true;
	}

	return false;
}


static int contact_line(struct mbuf *out, const char *p, size_t n,
			bool folded, bool *hit, void *arg)
{
	const char *param = arg;
	const char *lt, *gt;
	int err;

	(void)folded;   /* a folded line starts with white space: no name */

	lt = is_contact(p, n) ? memchr(p, '<', n) : NULL;
	gt = lt ? memchr(lt, '>', (size_t)(p + n - lt)) : NULL;
	if (!gt || has_srcadr(lt, (size_t)(gt - lt)))
		return mbuf_write_mem(out, (const uint8_t *)p, n);

	err  = mbuf_write_mem(out, (const uint8_t *)p, (size_t)(gt - p));
	err |= mbuf_write_str(out, param);
	err |= mbuf_write_mem(out, (const uint8_t *)gt, (size_t)(p + n - gt));
	*hit = true;

	return err;
}


/**
 * Add @p param (";srcadr=...") to the first URI of every Contact line
 * of the SIP message in @p mb (pos..end), before its '>'. A Contact
 * that already carries "srcadr=" (a retransmission) or has no '<' is
 * left alone. ENOENT when nothing changed; mb->pos is kept.
 */
int hint_contact_insert(struct mbuf *mb, const char *param)
{
	const char *p;

	if (!mb || !str_isset(param))
		return EINVAL;

	/* a SIP message starts with a letter; STUN, CRLF pings do not */
	p = (const char *)mbuf_buf(mb);
	if (!mbuf_get_left(mb) || !((*p >= 'A' && *p <= 'Z') ||
				    (*p >= 'a' && *p <= 'z')))
		return ENOENT;

	return ata_sip_hdr_edit(mb, contact_line, (void *)param);
}
