/**
 * @file clip.c  Caller ID messages: SDMF, MDMF, checksum
 *
 * folder core/dsp/: samples and packets: G.711, packet loss
 * concealment, the jitter buffer, tones, DTMF and RFC 4733 events, hook
 * switch timing, caller ID messages and FSK. Pure computation on
 * buffers (libc and libre types only), no I/O and no other folder, so
 * each file is tested alone.
 *
 * What goes in: Bell GR-30 SDMF puts the date, then the number (up to
 * 10 digits) or one reason character; MDMF (Bell and ETSI alike) one
 * parameter each for date/time, number or the reason it is absent,
 * and name or the reason it is absent. A private caller is private in
 * both; a missing name with a known number is "unavailable".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "clip.h"


/** The byte that makes the sum of @p b and itself 0 mod 256 */
uint8_t clip_checksum(const uint8_t *b, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *b++);

	return (uint8_t)(0x100 - sum);
}


/** Start a multiple data message of @p type (CLIP_MSG_MDMF, _MWI) */
void clip_mdmf_begin(struct clip_msg *m, uint8_t type)
{
	if (!m)
		return;

	memset(m, 0, sizeof(*m));
	m->b[0] = type;
	m->len = 2;               /* the length byte comes at the end */
}


/** Append one parameter; too long for the message: overflow is set */
void clip_mdmf_param(struct clip_msg *m, uint8_t param, const void *data,
		     size_t len)
{
	if (!m)
		return;

	/* the length byte counts at most 255 bytes of parameters; the
	   checksum takes the last place of b[] */
	if (len > 255 || m->len + 2 + len > CLIP_MSG_MAX - 1 ||
	    (len && !data)) {
		m->overflow = true;
		return;
	}

	m->b[m->len++] = param;
	m->b[m->len++] = (uint8_t)len;
	if (len)
		memcpy(m->b + m->len, data, len);
	m->len += len;
}


/** Finish: the length byte and the checksum. EOVERFLOW, or 0 */
int clip_mdmf_end(struct clip_msg *m)
{
	if (!m)
		return EINVAL;
	if (m->overflow)
		return EOVERFLOW;

	m->b[1] = (uint8_t)(m->len - 2);
	m->b[m->len] = clip_checksum(m->b, m->len);
	++m->len;

	return 0;
}


static void datetime(char out[8], const struct clip_caller *c)
{
	char buf[32];

	/* the fields are bounded by the caller; a bad one still fits */
	(void)snprintf(buf, sizeof(buf), "%02u%02u%02u%02u",
		       c->month % 100, c->day % 100, c->hour % 100,
		       c->minute % 100);
	memcpy(out, buf, 8);
}


static char reason(const struct clip_caller *c)
{
	return c->absent == CLIP_PRIVATE ? CLIP_PRIVATE : CLIP_UNAVAILABLE;
}


/** A call setup MDMF (type 0x80). EINVAL, EOVERFLOW or 0 */
int clip_msg_mdmf(struct clip_msg *m, const struct clip_caller *c)
{
	char dt[8], r;

	if (!m || !c)
		return EINVAL;

	r = reason(c);
	datetime(dt, c);
	clip_mdmf_begin(m, CLIP_MSG_MDMF);
	clip_mdmf_param(m, CLIP_P_DATETIME, dt, sizeof(dt));

	if (c->number[0])
		clip_mdmf_param(m, CLIP_P_NUMBER, c->number,
				strnlen(c->number, CLIP_NUMBER_MAX));
	else
		clip_mdmf_param(m, CLIP_P_NUMBER_ABSENT, &r, 1);

	if (c->name[0] && !(c->absent == CLIP_PRIVATE && !c->number[0]))
		clip_mdmf_param(m, CLIP_P_NAME, c->name,
				strnlen(c->name, CLIP_NAME_MAX));
	else
		clip_mdmf_param(m, CLIP_P_NAME_ABSENT, &r, 1);

	return clip_mdmf_end(m);
}


/** A Bell SDMF (type 0x04): date and number (last 10 digits) or reason */
int clip_msg_sdmf(struct clip_msg *m, const struct clip_caller *c)
{
	char dt[8];
	size_t n;

	if (!m || !c)
		return EINVAL;

	memset(m, 0, sizeof(*m));
	m->b[0] = CLIP_MSG_SDMF;
	datetime(dt, c);
	memcpy(m->b + 2, dt, sizeof(dt));
	m->len = 10;

	n = strnlen(c->number, CLIP_NUMBER_MAX);
	if (n) {
		const char *num = c->number + (n > 10 ? n - 10 : 0);

		n = n > 10 ? 10 : n;
		memcpy(m->b + m->len, num, n);
		m->len += n;
	}
	else {
		m->b[m->len++] = (uint8_t)reason(c);
	}

	m->b[1] = (uint8_t)(m->len - 2);
	m->b[m->len] = clip_checksum(m->b, m->len);
	++m->len;

	return 0;
}


/**
 * A name as the phone can show it: printable ASCII; a UTF-8 character
 * beyond becomes one '?', a control character a space
 */
void clip_name_ascii(char *dst, size_t sz, const char *src)
{
	size_t n = 0;

	if (!dst || !sz)
		return;

	for (; src && *src && n + 1 < sz; src++) {
		unsigned char ch = (unsigned char)*src;

		if ((ch & 0xc0) == 0x80)
			continue;            /* UTF-8 continuation byte */
		dst[n++] = ch >= 0x80 ? '?' : ch < 0x20 || ch == 0x7f ?
			' ' : (char)ch;
	}
	dst[n] = '\0';
}


/** Visual message waiting (MDMF type 0x82, parameter 0x0b) */
int clip_msg_mwi(struct clip_msg *m, bool on)
{
	uint8_t v = on ? 0xff : 0x00;

	if (!m)
		return EINVAL;

	clip_mdmf_begin(m, CLIP_MSG_MWI);
	clip_mdmf_param(m, CLIP_P_VMWI, &v, 1);

	return clip_mdmf_end(m);
}
