/**
 * @file conf_scalar.c  Config scalars: one entry point per value type
 *
 * conf_scalar() turns the text of one scalar into the C value the schema
 * row asks for, reporting at the node's position. Defaults go through the
 * same code (n = NULL), so a default can never hold a value the file
 * could not.
 */
#include <string.h>
#include <re.h>
#include "conf.h"

static int parse_bool(struct conf_ctx *ctx, const struct conf_node *n,
		      const char *s, bool *dst)
{
	static const char *yes[] = {"true", "yes", "on"};
	static const char *no[]  = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!str_casecmp(s, yes[i])) {
			*dst = true;
			return 0;
		}
		if (!str_casecmp(s, no[i])) {
			*dst = false;
			return 0;
		}
	}

	conf_err(ctx, n, "'%s' is '%s'; allowed: true, false, yes, no, on,"
		 " off", ctx->path, s);
	return EINVAL;
}

static int parse_uri(struct conf_ctx *ctx, const struct conf_field *f,
		     const struct conf_node *n, const char *s)
{
	struct uri uri;
	struct pl pl;

	if (!*s && (f->flags & CF_EMPTY_OK))
		return 0;

	pl_set_str(&pl, s);
	if (uri_decode(&uri, &pl) || !uri.host.l ||
	    (pl_strcmp(&uri.scheme, "sip") &&
	     pl_strcmp(&uri.scheme, "sips"))) {
		conf_err(ctx, n, "'%s' is '%s', not a SIP URI"
			 " (sip:user@host or sips:...)%s", ctx->path, s,
			 f->flags & CF_EMPTY_OK ? " or \"\"" : "");
		return EINVAL;
	}

	return 0;
}

static int parse_path(struct conf_ctx *ctx, const char *s, char **dst)
{
	if (*s != '/' && ctx->basedir)
		return re_sdprintf(dst, "%s/%s", ctx->basedir, s);

	return str_dup(dst, s);
}

static int parse_addr(struct conf_ctx *ctx, const struct conf_field *f,
		      const struct conf_node *n, const char *s,
		      struct sa *dst)
{
	char *host = NULL;
	uint16_t port;
	int err;

	err = conf_parse_hostport(&host, &port, s, true);
	if (!err && sa_set_str(dst, host, port))
		err = EADDRNOTAVAIL;
	mem_deref(host);

	if (!err && !port && !(f->flags & CF_ZERO_OK))
		err = ERANGE;

	if (err) {
		conf_err(ctx, n, "'%s' is '%s', not a numeric address"
			 " (1.2.3.4:PORT or [v6]:PORT%s)", ctx->path, s,
			 f->flags & CF_ZERO_OK ? "; port 0 = random" : "");
	}

	return err;
}

static int parse_server(struct conf_ctx *ctx, const struct conf_field *f,
			const struct conf_node *n, const char *s,
			struct ata_conf_server *dst)
{
	int err;

	if (!*s && (f->flags & CF_EMPTY_OK)) {
		dst->port = 0;
		return str_dup(&dst->host, "");
	}

	err = conf_parse_hostport(&dst->host, &dst->port, s, false);
	if (!err && !dst->port)
		err = ERANGE;
	if (err == EAFNOSUPPORT)
		conf_err(ctx, n, "'%s' is '%s': write an IPv6 address in"
			 " brackets, [v6]:port", ctx->path, s);
	else if (err)
		conf_err(ctx, n, "'%s' is '%s', not host[:port] or"
			 " [v6][:port] (port 1..65535)%s", ctx->path, s,
			 f->flags & CF_EMPTY_OK ? " or \"\"" : "");

	return err;
}

static int parse_ports(struct conf_ctx *ctx, const struct conf_field *f,
		       const struct conf_node *n, const char *s,
		       struct ata_conf_port_range *dst)
{
	uint32_t lo, hi;
	char c;

	if (sscanf(s, "%5u-%5u%c", &lo, &hi, &c) != 2 ||
	    !strchr(s, '-') || s[0] < '0' || s[0] > '9') {
		conf_err(ctx, n, "'%s' is '%s', not a range LO-HI",
			 ctx->path, s);
		return EINVAL;
	}

	if (lo < f->min || hi > f->max || lo >= hi || lo % 2) {
		conf_err(ctx, n, "'%s' is '%s'; need an even LO < HI, both"
			 " in %lld..%lld", ctx->path, s, (long long)f->min,
			 (long long)f->max);
		return ERANGE;
	}

	dst->min = (uint16_t)lo;
	dst->max = (uint16_t)hi;
	return 0;
}

static int parse_number(struct conf_ctx *ctx, const struct conf_field *f,
			const struct conf_node *n, const char *s, void *dst)
{
	int64_t v;
	uint32_t ms;
	int err;

	if (f->type == CT_DUR) {
		err = conf_parse_dur(&ms, s);
		if (err == ENOENT)
			conf_err(ctx, n, "'%s' is '%s': a duration needs a"
				 " unit (ms, s, m, h), e.g. %ss", ctx->path,
				 s, s);
		else if (err == ERANGE)
			conf_err(ctx, n, "'%s' is '%s', far out of range",
				 ctx->path, s);
		else if (err)
			conf_err(ctx, n, "'%s' is '%s', not a duration"
				 " (e.g. 500ms, 25s, 2m, 1h)", ctx->path, s);
		if (err)
			return err;
		v = ms;
	}
	else {
		err = conf_parse_int(ctx, f, n, s, &v);
		if (err)
			return err;
	}

	err = conf_check_range(ctx, f, n, v);
	if (err)
		return err;

	if (f->type == CT_INT)
		*(int *)dst = (int)v;
	else
		*(uint32_t *)dst = (uint32_t)v;

	return 0;
}

int conf_scalar(struct conf_ctx *ctx, const struct conf_field *f,
		const struct conf_node *n, const char *s, void *dst)
{
	int err = 0;

	if (!ctx || !f || !s || !dst)
		return EINVAL;

	if (!*s && (f->flags & CF_NONEMPTY)) {
		conf_err(ctx, n, "'%s' must not be empty", ctx->path);
		return EINVAL;
	}

	switch (f->type) {

	case CT_URI:
		err = parse_uri(ctx, f, n, s);
		if (!err)
			err = str_dup(dst, s);
		break;

	case CT_STR:    err = str_dup(dst, s);                      break;
	case CT_PATH:   err = parse_path(ctx, s, dst);              break;
	case CT_BOOL:   err = parse_bool(ctx, n, s, dst);           break;
	case CT_ENUM:   err = conf_parse_enum(ctx, f, n, s, dst);   break;
	case CT_ADDR:   err = parse_addr(ctx, f, n, s, dst);        break;
	case CT_SERVER: err = parse_server(ctx, f, n, s, dst);      break;
	case CT_PORTS:  err = parse_ports(ctx, f, n, s, dst);       break;
	case CT_UINT:
	case CT_INT:
	case CT_DUR:    err = parse_number(ctx, f, n, s, dst);      break;
	default:        err = EINVAL;                               break;
	}

	if (!err && f->check)
		f->check(ctx, n, dst);

	return err;
}

size_t conf_scalar_size(enum conf_type type)
{
	switch (type) {

	case CT_STR:
	case CT_PATH:
	case CT_URI:    return sizeof(char *);
	case CT_BOOL:   return sizeof(bool);
	case CT_UINT:
	case CT_DUR:    return sizeof(uint32_t);
	case CT_INT:
	case CT_ENUM:   return sizeof(int);
	case CT_ADDR:   return sizeof(struct sa);
	case CT_SERVER: return sizeof(struct ata_conf_server);
	case CT_PORTS:  return sizeof(struct ata_conf_port_range);
	default:        return 0;
	}
}

void conf_scalar_free(enum conf_type type, void *dst)
{
	switch (type) {

	case CT_STR:
	case CT_PATH:
	case CT_URI:
		*(char **)dst = mem_deref(*(char **)dst);
		break;

	case CT_SERVER:
		((struct ata_conf_server *)dst)->host =
			mem_deref(((struct ata_conf_server *)dst)->host);
		break;

	default:
		break;
	}
}
