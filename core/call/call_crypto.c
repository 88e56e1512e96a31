/**
 * @file call_crypto.c  SDES a=crypto attribute (RFC 4568) parse and format
 *
 * crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<mki>:<len>]
 * followed by optional session parameters. Only what we can honour is
 * accepted: one key, AES-CM-128 with an 80 or 32 bit tag, and the
 * session parameters that change nothing for us (WSH, KDR=0). Key
 * material is never logged here.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <re.h>
#include "call_srtp.h"

enum {
	TAG_DIGITS_MAX = 9,
	LIFETIME_LOG2_MAX = 48,      /* RFC 3711: at most 2^48 packets  */
	MKI_LEN_MAX = 128,
};

static const struct {
	enum call_srtp_suite suite;
	const char *name;
} suites[] = {
	{CALL_SRTP_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80"},
	{CALL_SRTP_AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32"},
};


const char *call_srtp_suite_name(enum call_srtp_suite suite)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		if (suites[i].suite == suite)
			return suites[i].name;
	}

	return "none";
}


enum call_srtp_suite call_srtp_suite_find(const struct pl *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(suites); i++) {
		if (!pl_strcmp(name, suites[i].name))
			return suites[i].suite;
	}

	return CALL_SRTP_NONE;
}


static bool all_digits(const struct pl *pl, size_t maxlen)
{
	size_t i;

	if (!pl->l || pl->l > maxlen)
		return false;

	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] < '0' || pl->p[i] > '9')
			return false;
	}

	return true;
}


/* Exactly 40 base64 characters, no padding: 30 bytes key||salt */
static int decode_key(uint8_t *keysalt, const struct pl *b64)
{
	uint8_t buf[CALL_SRTP_KEYSALT + 3];
	size_t olen = sizeof(buf);
	size_t i;
	int err;

	if (b64->l != CALL_SRTP_B64LEN)
		return EBADMSG;

	for (i = 0; i < b64->l; i++) {
		char ch = b64->p[i];

		if (!(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z') &&
		    !(ch >= '0' && ch <= '9') && ch != '+' && ch != '/')
			return EBADMSG;
	}

	err = base64_decode(b64->p, b64->l, buf, &olen);
	if (!err && olen != CALL_SRTP_KEYSALT)
		err = EBADMSG;
	if (!err)
		memcpy(keysalt, buf, CALL_SRTP_KEYSALT);

	explicit_bzero(buf, sizeof(buf));

	return err ? EBADMSG : 0;
}


/* "2^N" or a decimal packet count, at most 2^48 */
static int decode_lifetime(uint64_t *lifetime, const struct pl *pl)
{
	struct pl exp;
	uint64_t v;

	if (pl->l > 2 && pl->p[0] == '2' && pl->p[1] == '^') {
		exp.p = pl->p + 2;
		exp.l = pl->l - 2;
		if (!all_digits(&exp, 2) || pl_u32(&exp) > LIFETIME_LOG2_MAX)
			return EBADMSG;
		*lifetime = (uint64_t)1 << pl_u32(&exp);
		return 0;
	}

	if (!all_digits(pl, 15))
		return EBADMSG;

	v = pl_u64(pl);
	if (!v || v > (uint64_t)1 << LIFETIME_LOG2_MAX)
		return EBADMSG;

	*lifetime = v;

	return 0;
}


static int decode_mki(struct call_crypto *c, const struct pl *pl)
{
	struct pl val, len;

	if (re_regex(pl->p, pl->l, "[0-9]+:[0-9]+", &val, &len) ||
	    len.p + len.l != pl->p + pl->l || val.p != pl->p)
		return EBADMSG;

	if (!all_digits(&val, 9) || !all_digits(&len, 3))
		return EBADMSG;

	if (!pl_u32(&len) || pl_u32(&len) > MKI_LEN_MAX)
		return EBADMSG;

	c->mki = pl_u32(&val);
	c->mki_len = (uint8_t)pl_u32(&len);

	return 0;
}


/* inline:<key>[|lifetime][|mki:len]; a second '|'-field with ':' is
   the MKI, without it the lifetime (RFC 4568 section 6.1). */
static int decode_key_param(struct call_crypto *c, const struct pl *kp)
{
	struct pl rest = *kp, field;
	unsigned n = 0;
	int err;

	if (re_regex(rest.p, rest.l, "inline:[^|]*", &field) ||
	    field.p != rest.p + 7)
		return EBADMSG;

	err = decode_key(c->keysalt, &field);
	if (err)
		return err;

	pl_advance(&rest, 7 + field.l);

	while (rest.l) {
		if (rest.p[0] != '|' || ++n > 2)
			return EBADMSG;
		pl_advance(&rest, 1);

		field.p = rest.p;
		field.l = 0;
		while (field.l < rest.l && rest.p[field.l] != '|')
			++field.l;
		pl_advance(&rest, field.l);

		if (memchr(field.p, ':', field.l)) {
			if (c->mki_len)
				return EBADMSG;
			err = decode_mki(c, &field);
		}
		else if (c->lifetime || c->mki_len) {
			return EBADMSG;  /* lifetime twice, or after MKI */
		}
		else {
			err = decode_lifetime(&c->lifetime, &field);
		}
		if (err)
			return err;
	}

	return 0;
}


/* Session parameters: only those with no effect on us are accepted */
static int check_session_params(const struct pl *params)
{
	struct pl rest = *params, sp;

	while (!re_regex(rest.p, rest.l, "[^ \t]+", &sp)) {
		pl_advance(&rest, sp.p + sp.l - rest.p);

		if (sp.l > 4 && !memcmp(sp.p, "WSH=", 4)) {
			struct pl num = {sp.p + 4, sp.l - 4};

			if (all_digits(&num, 10))
				continue;
		}
		else if (!pl_strcmp(&sp, "KDR=0")) {
			continue;
		}

		return ENOTSUP;
	}

	return 0;
}


int call_crypto_decode(struct call_crypto *c, const char *val)
{
	struct pl tag, suite, kp, params;
	size_t len;
	int err;

	if (!c || !val)
		return EINVAL;

	memset(c, 0, sizeof(*c));
	len = strlen(val);

	if (re_regex(val, len, "[0-9]+[ \t]+[^ \t]+[ \t]+[^ \t]+[^]*",
		     &tag, NULL, &suite, NULL, &kp, &params) ||
	    tag.p != val)
		return EBADMSG;

	if (!all_digits(&tag, TAG_DIGITS_MAX))
		return EBADMSG;

	c->tag = pl_u32(&tag);
	c->suite = call_srtp_suite_find(&suite);
	if (c->suite == CALL_SRTP_NONE)
		return ENOTSUP;

	/* several keys (';'-separated) would need MKI switching */
	if (pl_strchr(&kp, ';'))
		err = ENOTSUP;
	else
		err = decode_key_param(c, &kp);

	if (!err)
		err = check_session_params(&params);

	if (err)
		explicit_bzero(c->keysalt, sizeof(c->keysalt));

	return err;
}


static int print_lifetime(struct re_printf *pf, uint64_t lifetime)
{
	unsigned i;

	for (i = 0; i <= LIFETIME_LOG2_MAX; i++) {
		if (lifetime == (uint64_t)1 << i)
			return re_hprintf(pf, "|2^%u", i);
	}

	return re_hprintf(pf, "|%llu", (unsigned long long)lifetime);
}


int call_crypto_encode(struct re_printf *pf, const struct call_crypto *c)
{
	char b64[CALL_SRTP_B64LEN + 1];
	size_t olen = sizeof(b64);
	int err;

	if (!pf || !c || c->suite == CALL_SRTP_NONE)
		return EINVAL;

	err = base64_encode(c->keysalt, sizeof(c->keysalt), b64, &olen);
	if (err)
		return err;

	err = re_hprintf(pf, "%u %s inline:%b", c->tag,
			 call_srtp_suite_name(c->suite), b64, olen);
	if (!err && c->lifetime)
		err = print_lifetime(pf, c->lifetime);
	if (!err && c->mki_len)
		err = re_hprintf(pf, "|%u:%u", c->mki, c->mki_len);

	explicit_bzero(b64, sizeof(b64));

	return err;
}


int call_crypto_generate(struct call_crypto *c, uint32_t tag,
			 enum call_srtp_suite suite)
{
	ssize_t n;

	if (!c || tag > 999999999u)
		return EINVAL;

	if (!strcmp(call_srtp_suite_name(suite), "none"))
		return ENOTSUP;

	memset(c, 0, sizeof(*c));
	c->tag = tag;
	c->suite = suite;

	/* getrandom: the kernel CSPRNG, blocks only before it is seeded */
	n = getrandom(c->keysalt, sizeof(c->keysalt), 0);
	if (n != (ssize_t)sizeof(c->keysalt)) {
		explicit_bzero(c->keysalt, sizeof(c->keysalt));
		return EIO;
	}

	return 0;
}
