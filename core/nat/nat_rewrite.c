/**
 * @file nat_rewrite.c  Our local ip:port to the public one in Via/Contact
 *
 * libre 1.1.0 builds Via and Contact from the socket's own address and
 * has no hook to change them, so nat_sip.c passes every outgoing SIP
 * message through here (and ata_sip_hdr_edit, base/sip_hdr.c). Only the
 * Via and Contact header lines (also the compact v: and m:, and their
 * folded continuation lines) change; the start line, other headers and
 * the body stay byte for byte, so Content-Length stays right. An
 * occurrence counts only as a whole address: 10.0.0.1:5060 is not
 * rewritten inside 110.0.0.1:50600.
 */
#include <ctype.h>
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "nat.h"

enum {
	ADDR_STR_MAX = 64,
};


static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}


/* The line p[0..n) starts a header we rewrite: "Via", "v", "Contact",
 * "m", any case, optional white space before the colon */
static bool header_wanted(const char *p, size_t n)
{
	static const char *namev[] = {"Contact", "m", "Via", "v"};
	size_t len = 0, i;

	while (len < n && p[len] != ':' && !is_lws(p[len]) &&
	       p[len] != '\r' && p[len] != '\n')
		++len;

	for (i = len; i < n && is_lws(p[i]); i++)
		;

	if (!len || i >= n || p[i] != ':')
		return false;

	for (i = 0; i < ARRAY_SIZE(namev); i++) {
		if (strlen(namev[i]) == len &&
		    !strncasecmp(p, namev[i], len))
			return true;
	}

	return false;
}


/* @p from (fl bytes) at p[i] as a whole address, not part of another */
static bool addr_at(const char *p, size_t n, size_t i, const char *from,
		    size_t fl)
{
	unsigned char before, after;

	if (n - i < fl || memcmp(p + i, from, fl))
		return false;

	/* "[v6]:port" delimits itself at the front; a dotted quad does not */
	if (from[0] != '[' && i > 0) {
		before = (unsigned char)p[i - 1];
		if (isalnum(before) || before == '.' || before == '-' ||
		    before == '_')
			return false;
	}

	if (i + fl < n) {
		after = (unsigned char)p[i + fl];
		if (isdigit(after))
			return false;
	}

	return true;
}


/* Copy one header line, replacing every whole @p from by @p to */
static int copy_replaced(struct mbuf *out, const char *p, size_t n,
			 const char *from, const char *to, bool *hit)
{
	size_t fl = strlen(from), i = 0;
	int err = 0;

	while (i < n && !err) {
		if (addr_at(p, n, i, from, fl)) {
			err = mbuf_write_str(out, to);
			i += fl;
			*hit = true;
		}
		else {
			err = mbuf_write_u8(out, (uint8_t)p[i]);
			++i;
		}
	}

	return err;
}


struct rewrite {
	const char *from, *to;
	bool wanted;              /* in a Via or Contact header */
};


static int line_h(struct mbuf *out, const char *p, size_t n, bool folded,
		  bool *hit, void *arg)
{
	struct rewrite *rw = arg;

	/* a folded line continues the header above */
	if (!folded)
		rw->wanted = header_wanted(p, n);

	if (!rw->wanted)
		return mbuf_write_mem(out, (const uint8_t *)p, n);

	return copy_replaced(out, p, n, rw->from, rw->to, hit);
}


/**
 * Rewrite @p laddr to @p pub in the Via and Contact lines of the SIP
 * message in @p mb (from pos to end); mb->pos is kept.
 *
 * @return 0 when rewritten, ENOENT when there was nothing to change
 * (no header block: CRLF ping, STUN; or no occurrence), EINVAL for a
 * missing argument or an unset address, ENOMEM.
 */
int nat_sip_rewrite(struct mbuf *mb, const struct sa *laddr,
		    const struct sa *pub)
{
	char from[ADDR_STR_MAX], to[ADDR_STR_MAX];
	struct rewrite rw = {from, to, false};

	if (!mb || !sa_isset(laddr, SA_ALL) || !sa_isset(pub, SA_ALL))
		return EINVAL;

	if (sa_cmp(laddr, pub, SA_ALL))
		return ENOENT;

	if (re_snprintf(from, sizeof(from), "%J", laddr) < 0 ||
	    re_snprintf(to, sizeof(to), "%J", pub) < 0)
		return EINVAL;

	return ata_sip_hdr_edit(mb, line_h, &rw);
}
