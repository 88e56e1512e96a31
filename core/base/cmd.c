/**
 * @file cmd.c  Control verb table: registration and longest-prefix dispatch
 *
 * folder core/base/: the ground floor every layer stands on: logging,
 * events to control clients, the verb table and the control protocol's
 * names. It knows no other folder.
 *
 * Rows live in the registrants' own static tables; we keep a list of
 * (table, count, arg) so unregistering is one unlink by table pointer.
 * Dispatch scans every row and keeps the one whose multi-word name is the
 * longest word-prefix of the request, so "module list" wins over "module".
 */
#include <errno.h>
#include <string.h>
#include "ataua.h"
#include "ctrl_proto.h"
#include "ctrl_verbs.h"

enum { VERB_ECHO_MAX = 64 };

struct cmd_tab {
	struct le le;
	const struct ata_cmd *cmdv;
	size_t cmdc;
	void *arg;
};

/* Wraps the caller's print handler to know whether the body ended a line */
struct body {
	struct re_printf *pf;
	size_t n;
	char last;
};

struct match {
	const struct ata_cmd *cmd;
	const struct cmd_tab *tab;
	size_t used;
};

static struct list tabl;

static int help_handler(struct re_printf *pf, struct ata_cmd_arg *ca);

static const struct ata_cmd builtin_cmdv[] = {
	{ATA_VERB_HELP, help_handler},
};

/* The transport's own verbs: listed by help, never dispatched here */
static const struct ata_verb_row conn_verbv[] = {
	ATA_CTRL_CONN_VERB_ROWS
};

static const struct cmd_tab builtin_tab = {
	.cmdv = builtin_cmdv,
	.cmdc = ARRAY_SIZE(builtin_cmdv),
};

static const struct {
	int err;
	const char *text;
} errtextv[] = {
	{EINVAL,    "invalid argument"},
	{ENOENT,    "not found"},
	{ENOMEM,    "out of memory"},
	{EALREADY,  "already done"},
	{EEXIST,    "already exists"},
	{EBUSY,     "busy"},
	{EAGAIN,    "try again later"},
	{ENOTSUP,   "not supported"},
	{EPERM,     "not permitted"},
	{EACCES,    "permission denied"},
	{ETIMEDOUT, "timed out"},
	{ENODEV,    "no such device"},
	{ERANGE,    "out of range"},
	{E2BIG,     "too long"},
	{EPROTO,    "protocol error"},
	{ENOTCONN,  "not connected"},
};


static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}


/* A request byte we refuse: C0 controls except TAB, and DEL */
static bool is_bad_char(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}


/*
 * Bytes of req[0..len) consumed when every word of @p name matches the
 * leading words of the request, else 0. Runs of blanks separate words.
 */
static size_t word_prefix(const char *name, const char *req, size_t len)
{
	size_t i = 0;

	while (*name) {
		while (i < len && is_blank(req[i]))
			++i;

		for (; *name && *name != ' '; ++name, ++i) {
			if (i >= len || req[i] != *name)
				return 0;
		}

		if (i < len && !is_blank(req[i]))
			return 0;

		while (*name == ' ')
			++name;
	}

	return i;
}


static void match_tab(struct match *m, const struct cmd_tab *tab,
		      const char *req, size_t len)
{
	for (size_t i = 0; i < tab->cmdc; i++) {
		size_t used = word_prefix(tab->cmdv[i].name, req, len);

		if (used > m->used) {
			m->cmd  = &tab->cmdv[i];
			m->tab  = tab;
			m->used = used;
		}
	}
}


static void find_cmd(struct match *m, const char *req, size_t len)
{
	memset(m, 0, sizeof(*m));
	match_tab(m, &builtin_tab, req, len);

	for (struct le *le = tabl.head; le; le = le->next)
		match_tab(m, le->data, req, len);
}


static bool name_exists(const char *name)
{
	struct match m;
	size_t len = str_len(name);

	find_cmd(&m, name, len);

	return m.cmd && m.used == len && !str_cmp(m.cmd->name, name);
}


static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}


/* Names must be lowercase words joined by single spaces */
static bool name_valid(const char *name)
{
	if (!str_isset(name) || name[0] == ' ')
		return false;

	for (const char *p = name; *p; p++) {
		if (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
			return false;
		if (*p != ' ' && !is_name_char(*p))
			return false;
	}

	return true;
}


/* One line of printable text without leading, trailing or double blanks */
static bool text_valid(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (is_bad_char((unsigned char)*p) || *p == '\t')
			return false;
		if (*p == ' ' && (p == s || p[1] == ' ' || p[1] == '\0'))
			return false;
	}

	return true;
}


/* The convention of struct ata_cmd (ataua.h), so help stays readable */
static bool row_valid(const struct ata_cmd *c)
{
	size_t nlen, alen;

	if (!name_valid(c->name) || !c->h)
		return false;

	nlen = str_len(c->name);
	alen = str_len(c->args);
	if (alen) {
		if (!text_valid(c->args) || strstr(c->args, ": "))
			return false;

		/* "status", "status"-style rows repeat the name */
		if (!strncmp(c->args, c->name, nlen) &&
		    (c->args[nlen] == ' ' || c->args[nlen] == '\0'))
			return false;
	}

	if (nlen + (alen ? 1 + alen : 0) > ATA_CMD_USAGE_MAX)
		return false;

	return str_isset(c->desc) && text_valid(c->desc) &&
		str_len(c->desc) <= ATA_CMD_DESC_MAX;
}


static void tab_destructor(void *data)
{
	struct cmd_tab *tab = data;

	list_unlink(&tab->le);
}


/**
 * Register a table of verbs
 *
 * @param cmdv  Rows; must stay valid until ata_cmd_unregister(cmdv)
 * @param cmdc  Number of rows
 * @param arg   Passed to every handler as ca->arg
 *
 * @return 0, EINVAL (bad row), EALREADY (name taken), ENOMEM
 */
int ata_cmd_register(const struct ata_cmd *cmdv, size_t cmdc, void *arg)
{
	struct cmd_tab *tab;

	if (!cmdv || !cmdc)
		return EINVAL;

	for (size_t i = 0; i < cmdc; i++) {
		if (!row_valid(&cmdv[i])) {
			ata_warn("cmd: verb '%s' does not follow the"
				 " convention of struct ata_cmd",
				 cmdv[i].name);
			return EINVAL;
		}

		if (name_exists(cmdv[i].name))
			return EALREADY;

		for (size_t j = 0; j < i; j++) {
			if (!str_cmp(cmdv[i].name, cmdv[j].name))
				return EALREADY;
		}
	}

	tab = mem_zalloc(sizeof(*tab), tab_destructor);
	if (!tab)
		return ENOMEM;

	tab->cmdv = cmdv;
	tab->cmdc = cmdc;
	tab->arg  = arg;
	list_append(&tabl, &tab->le, tab);

	return 0;
}


/** Unregister the table registered with this @p cmdv (no-op if unknown) */
void ata_cmd_unregister(const struct ata_cmd *cmdv)
{
	for (struct le *le = tabl.head; le; le = le->next) {
		struct cmd_tab *tab = le->data;

		if (tab->cmdv == cmdv) {
			mem_deref(tab);
			return;
		}
	}
}


/**
 * Set the FAIL reason of the running verb
 *
 * @return @p err, so handlers can `return ata_cmd_fail(ca, EINVAL, ...)`
 */
int ata_cmd_fail(struct ata_cmd_arg *ca, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ca)
		return err;

	ca->reason[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		(void)re_vsnprintf(ca->reason, sizeof(ca->reason), fmt, ap);
		va_end(ap);
	}

	return err;
}


static const char *fail_reason(struct ata_cmd_arg *ca, int err)
{
	/* The reason may quote outside input: keep it on one line */
	for (char *p = ca->reason; *p; p++) {
		if (is_bad_char((unsigned char)*p))
			*p = '?';
	}

	if (ca->reason[0])
		return ca->reason;

	for (size_t i = 0; i < ARRAY_SIZE(errtextv); i++) {
		if (errtextv[i].err == err)
			return errtextv[i].text;
	}

	(void)re_snprintf(ca->reason, sizeof(ca->reason), "error %d", err);

	return ca->reason;
}


static int body_vph(const char *p, size_t size, void *arg)
{
	struct body *b = arg;

	if (!size)
		return 0;

	b->n += size;
	b->last = p[size - 1];

	return b->pf->vph(p, size, b->pf->arg);
}


/* One `NAME ARGS  DESC` line, the usage padded to one column */
static int help_line(struct re_printf *pf, const char *name,
		     const char *args, const char *desc)
{
	char usage[ATA_CMD_USAGE_MAX + 1];
	size_t n;

	if (str_isset(args))
		(void)re_snprintf(usage, sizeof(usage), "%s %s", name, args);
	else
		str_ncpy(usage, name, sizeof(usage));

	n = str_len(usage);
	memset(usage + n, ' ', sizeof(usage) - 1 - n);
	usage[sizeof(usage) - 1] = '\0';

	return re_hprintf(pf, "%s  %s\n", usage, desc);
}


static bool help_match(const struct pl *filter, const char *name)
{
	return !pl_isset(filter) ||
		word_prefix(filter->p, name, str_len(name));
}


static int help_tab(struct re_printf *pf, const struct cmd_tab *tab,
		    const struct pl *filter)
{
	int err = 0;

	for (size_t i = 0; i < tab->cmdc && !err; i++) {
		const struct ata_cmd *c = &tab->cmdv[i];

		if (help_match(filter, c->name))
			err = help_line(pf, c->name, c->args, c->desc);
	}

	return err;
}


static int help_handler(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	char filter[64];
	struct pl f = PL_INIT;
	int err;

	if (pl_isset(&ca->args)) {
		if (ca->args.l >= sizeof(filter))
			return ata_cmd_fail(ca, EINVAL, "no such verb");
		(void)pl_strcpy(&ca->args, filter, sizeof(filter));
		pl_set_str(&f, filter);
	}

	err = help_tab(pf, &builtin_tab, &f);
	for (struct le *le = tabl.head; le && !err; le = le->next)
		err = help_tab(pf, le->data, &f);

	for (size_t i = 0; i < ARRAY_SIZE(conn_verbv) && !err; i++) {
		if (help_match(&f, conn_verbv[i].name))
			err = help_line(pf, conn_verbv[i].name,
					conn_verbv[i].args,
					conn_verbv[i].desc);
	}

	return err;
}


static void trim(const char **p, size_t *len)
{
	while (*len && is_blank(**p)) {
		++*p;
		--*len;
	}

	while (*len && is_blank((*p)[*len - 1]))
		--*len;
}


/**
 * Run one request line through the verb table
 *
 * Prints the handler's body to @p pf, then `OK` or `FAIL <reason>`. A
 * trailing "\n" or "\r\n" in @p line is ignored.
 *
 * @return the handler's result, EINVAL for an empty or binary request,
 *         ENOTSUP for an unknown verb, or the print error
 */
int ata_cmd_exec(struct re_printf *pf, const char *line, size_t len)
{
	struct ata_cmd_arg ca;
	struct re_printf bpf;
	struct body b = {pf, 0, '\n'};
	struct match m;
	size_t vlen;
	int err, perr;

	if (!pf || !pf->vph || (!line && len))
		return EINVAL;

	if (len && line[len - 1] == '\n')
		--len;
	if (len && line[len - 1] == '\r')
		--len;

	for (size_t i = 0; i < len; i++) {
		if (is_bad_char((unsigned char)line[i])) {
			perr = re_hprintf(pf, ATA_CTRL_FAIL
					  " invalid character in request\n");
			return perr ? perr : EINVAL;
		}
	}

	trim(&line, &len);
	if (!len) {
		perr = re_hprintf(pf, ATA_CTRL_FAIL " empty request\n");
		return perr ? perr : EINVAL;
	}

	find_cmd(&m, line, len);
	if (!m.cmd) {
		for (vlen = 0; vlen < len && !is_blank(line[vlen]); vlen++)
			;
		perr = re_hprintf(pf, ATA_CTRL_FAIL " " ATA_CTRL_UNKNOWN
				  "%b%s\n", line, min(vlen, VERB_ECHO_MAX),
				  vlen > VERB_ECHO_MAX ? "..." : "");
		return perr ? perr : ENOTSUP;
	}

	memset(&ca, 0, sizeof(ca));
	ca.arg = m.tab->arg;
	ca.args.p = line + m.used;
	ca.args.l = len - m.used;
	trim(&ca.args.p, &ca.args.l);
	if (!ca.args.l)
		ca.args.p = NULL;

	bpf.vph = body_vph;
	bpf.arg = &b;
	err = m.cmd->h(&bpf, &ca);

	/* The final line must start a line even if the body did not end one */
	perr = b.last != '\n' ? re_hprintf(pf, "\n") : 0;
	if (!perr && !err)
		perr = re_hprintf(pf, ATA_CTRL_OK "\n");
	else if (!perr)
		perr = re_hprintf(pf, ATA_CTRL_FAIL " %s\n",
				  fail_reason(&ca, err));

	return err ? err : perr;
}
