/**
 * @file base/sip_hdr.c  Edit the header lines of a SIP message in place
 *
 * libre 1.1.0 builds Via and Contact from the socket's own address and
 * has no hook to change them, so whoever must change them (the NAT
 * rewrite, core/nat/nat_rewrite.c; alg-hint's Contact parameter) edits
 * each outgoing message on its way to the socket. This walks the header
 * lines and lets the caller write each one, changed or not. The start
 * line, the empty line and the body stay byte for byte, so
 * Content-Length stays right, and the message is only replaced when a
 * line changed.
 */
#include <string.h>
#include <re.h>
#include "ataua.h"

enum {
	EDIT_ROOM = 64,           /* what an edit is expected to add */
};


/* End of the header block: just past the CRLF of the last header line */
static const char *headers_end(const char *p, const char *end)
{
	const char *q;

	for (q = p; end - q >= 4; q++) {
		if (!memcmp(q, "\r\n\r\n", 4))
			return q + 2;
	}

	return NULL;
}


/**
 * Edit the header lines of the SIP message in @p mb (pos..end) through
 * @p lineh; mb->pos is kept.
 *
 * @return 0 when a line changed, ENOENT when none did or there is no
 * header block (a CRLF keep-alive, STUN), EINVAL, ENOMEM.
 */
int ata_sip_hdr_edit(struct mbuf *mb, ata_sip_hdr_h *lineh, void *arg)
{
	const char *p, *end, *hdr_end, *eol;
	struct mbuf *out;
	bool hit = false;
	size_t start;
	int err;

	if (!mb || !lineh)
		return EINVAL;

	start = mb->pos;
	p = (const char *)mbuf_buf(mb);
	end = p + mbuf_get_left(mb);
	hdr_end = headers_end(p, end);
	if (!hdr_end)
		return ENOENT;

	/* the start line is never a header, even if it looks like one */
	eol = memchr(p, '\n', (size_t)(hdr_end - p));
	if (!eol)
		return ENOENT;

	out = mbuf_alloc(mbuf_get_left(mb) + EDIT_ROOM);
	if (!out)
		return ENOMEM;

	err = mbuf_write_mem(out, (const uint8_t *)p, (size_t)(eol + 1 - p));
	p = eol + 1;

	while (p < hdr_end && !err) {
		size_t n;

		eol = memchr(p, '\n', (size_t)(hdr_end - p));
		eol = eol ? eol + 1 : hdr_end;
		n = (size_t)(eol - p);

		/* a folded line (RFC 3261 7.3.1) continues the header */
		err = lineh(out, p, n, *p == ' ' || *p == '\t', &hit, arg);
		p = eol;
	}
	if (!err)
		err = mbuf_write_mem(out, (const uint8_t *)p,
				     (size_t)(end - p));
	if (err || !hit)
		goto out;

	mb->pos = start;
	mb->end = start;
	err = mbuf_write_mem(mb, out->buf, out->end);
	mb->pos = start;

 out:
	mem_deref(out);
	if (!err && !hit)
		err = ENOENT;

	return err;
}
