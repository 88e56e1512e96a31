/**
 * @file conf_value.c  Config scalars: numbers, durations, addresses, URIs
 *
 * Every parser is strict: the whole text must be consumed, numbers never
 * wrap, and a duration must carry its unit because "25" could be seconds
 * or milliseconds and a wrong guess is a silent factor of 1000.
 */
#include <string.h>
#include <re.h>
#include "conf.h"

enum {
	SERVER_DEFAULT_PORT = 3478,   /* STUN/TURN (RFC 8489, RFC 8656) */
};

static const struct {
	const char *unit;
	uint32_t ms;
} dur_units[] = {
	{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000},
};

static int parse_u64(uint64_t *vp, const char **sp)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return EINVAL;

	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return ERANGE;
	}

	*vp = v;
	*sp = s;
	return 0;
}

int conf_parse_dur(uint32_t *msp, const char *s)
{
	uint64_t v;
	size_t i;
	int err;

	if (!msp || !s)
		return EINVAL;

	err = parse_u64(&v, &s);
	if (err)
		return err;

	if (!*s) {
		if (v)
			return ENOENT;   /* number without a unit */
		*msp = 0;
		return 0;
	}

	for (i = 0; i < ARRAY_SIZE(dur_units); i++) {
		if (strcmp(s, dur_units[i].unit))
			continue;
		v *= dur_units[i].ms;
		if (v > UINT32_MAX)
			return ERANGE;
		*msp = (uint32_t)v;
		return 0;
	}

	return EINVAL;
}

const char *conf_dur_str(char *buf, size_t size, uint32_t ms)
{
	if (ms && ms % 3600000 == 0)
		re_snprintf(buf, size, "%uh", ms / 3600000);
	else if (ms && ms % 60000 == 0)
		re_snprintf(buf, size, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		re_snprintf(buf, size, "%us", ms / 1000);
	else
		re_snprintf(buf, size, "%ums", ms);

	return buf;
}

static bool host_ok(const char *h, size_t len)
{
	size_t i;

	if (!len || len > 253)
		return false;

	for (i = 0; i < len; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}

	return true;
}

/* host:port or [v6]:port; a host name is only checked for its syntax */
int conf_parse_hostport(char **hostp, uint16_t *portp, const char *s,
			bool port_required)
{
	const char *host = s, *colon, *end;
	size_t hlen;
	uint64_t port = 0;
	struct sa sa;
	char tmp[64];

	if (!hostp || !portp || !s)
		return EINVAL;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return EINVAL;
		host = s + 1;
		hlen = (size_t)(end - host);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return EINVAL;
		if (hlen >= sizeof(tmp))
			return EINVAL;
		memcpy(tmp, host, hlen);
		tmp[hlen] = '\0';
		if (sa_set_str(&sa, tmp, 0) || sa_af(&sa) != AF_INET6)
			return EINVAL;
	}
	else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return EAFNOSUPPORT;   /* bare IPv6 needs brackets */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (!host_ok(host, hlen))
			return EINVAL;
	}

	if (colon) {
		const char *p = colon + 1;

		if (parse_u64(&port, &p) || *p || port > 65535)
			return ERANGE;
	}
	else if (port_required) {
		return ENOENT;
	}
	else {
		port = SERVER_DEFAULT_PORT;
	}

	*portp = (uint16_t)port;
	return re_sdprintf(hostp, "%b", host, hlen);
}

int conf_parse_int(struct conf_ctx *ctx, const struct conf_field *f,
		     const struct conf_node *n, const char *s, int64_t *vp)
{
	const char *p = s;
	bool neg = false;
	uint64_t v;
	int err;

	if (f->type == CT_INT && (*p == '-' || *p == '+'))
		neg = *p++ == '-';

	err = parse_u64(&v, &p);
	if (err == ERANGE) {
		conf_err(ctx, n, "'%s' is %s, far out of range",
			 ctx->path, s);
		return ERANGE;
	}
	if (err || *p) {
		conf_err(ctx, n, "'%s' must be %s integer, not '%s'",
			 ctx->path, f->type == CT_INT ? "an" :
			 "a non-negative", s);
		return EINVAL;
	}

	*vp = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int conf_check_range(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, int64_t v)
{
	char a[24], b[24], c[24];

	if (v >= f->min && v <= f->max)
		return 0;
	if (v == 0 && (f->flags & CF_ZERO_OK))
		return 0;

	if (f->type == CT_DUR)
		conf_err(ctx, n, "'%s' is %s, out of range %s%s..%s",
			 ctx->path, conf_dur_str(a, sizeof(a), (uint32_t)v),
			 f->flags & CF_ZERO_OK ? "0 or " : "",
			 conf_dur_str(b, sizeof(b), (uint32_t)f->min),
			 conf_dur_str(c, sizeof(c), (uint32_t)f->max));
	else
		conf_err(ctx, n, "'%s' is %lld, out of range %s%lld..%lld",
			 ctx->path, (long long)v,
			 f->flags & CF_ZERO_OK ? "0 or " : "",
			 (long long)f->min, (long long)f->max);

	return ERANGE;
}

int conf_parse_enum(struct conf_ctx *ctx, const struct conf_field *f,
		      const struct conf_node *n, const char *s, int *dst)
{
	const struct conf_enum *e;
	char words[160] = "";
	size_t len = 0;

	for (e = f->enumv; e && e->word; e++) {
		if (!strcmp(e->word, s)) {
			*dst = e->val;
			return 0;
		}
		int r = re_snprintf(words + len, sizeof(words) - len,
				    "%s%s", e == f->enumv ? "" : ", ",
				    e->word);
		if (r > 0)
			len += (size_t)r;
	}

	conf_err(ctx, n, "'%s' is '%s'; allowed: %s", ctx->path, s, words);
	return EINVAL;
}
