/**
 * @file phone_cmds.c  Control verbs of the phone: line, lines, calls,
 *                     call hangup, reg
 *
 * `line N offhook|onhook|flash|digits D` drives a line exactly as the hook
 * switch and keypad would, so a person (or a test) can place and take
 * calls with atactl alone on a box without an FXS driver.
 */
#include <string.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "line.h"
#include "phone.h"

struct line_verb {
	const char *name;
	enum line_ev ev;
	bool has_arg;
};

static const struct line_verb line_verbs[] = {
	{"offhook", LEV_OFFHOOK, false},
	{"onhook",  LEV_ONHOOK,  false},
	{"flash",   LEV_FLASH,   false},
	{"digits",  LEV_DIGIT,   true},
};


static bool digits_valid(const struct pl *d)
{
	size_t i;

	if (!pl_isset(d) || d->l > 64)
		return false;

	for (i = 0; i < d->l; i++) {
		if (!strchr("0123456789*#ABCD", d->p[i]))
			return false;
	}

	return true;
}


static const struct line_verb *line_verb_find(const struct pl *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(line_verbs); i++) {
		if (0 == pl_strcmp(name, line_verbs[i].name))
			return &line_verbs[i];
	}

	return NULL;
}


/* Split the first word off @p in into @p word; @p in keeps the rest */
static void next_word(struct pl *in, struct pl *word)
{
	while (in->l && *in->p == ' ')
		pl_advance(in, 1);

	word->p = in->p;
	word->l = 0;
	while (word->l < in->l && word->p[word->l] != ' ')
		++word->l;

	pl_advance(in, word->l);
	while (in->l && *in->p == ' ')
		pl_advance(in, 1);
}


static int cmd_line(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct pl rest = ca->args, id, verb, arg;
	const struct line_verb *lv;
	struct line *ln;
	size_t i;

	next_word(&rest, &id);
	next_word(&rest, &verb);
	arg = rest;

	if (!ata_pl_isnum(&id))
		return ata_cmd_fail(ca, EINVAL, "usage: line N "
				    "[offhook|onhook|flash|digits D]");

	ln = phone_line(pl_u32(&id));
	if (!ln)
		return ata_cmd_fail(ca, ENOENT, "no line %r", &id);

	if (!pl_isset(&verb))
		return line_status(pf, ln);

	lv = line_verb_find(&verb);
	if (!lv)
		return ata_cmd_fail(ca, EINVAL, "unknown line verb '%r'",
				    &verb);

	if (lv->has_arg != pl_isset(&arg))
		return ata_cmd_fail(ca, EINVAL, lv->has_arg ?
				    "%s needs an argument" :
				    "%s takes no argument", lv->name);

	if (lv->ev != LEV_DIGIT) {
		line_input(ln, lv->ev, 0);
		return line_status(pf, ln);
	}

	if (!digits_valid(&arg))
		return ata_cmd_fail(ca, EINVAL,
				    "digits are 0-9 * # A-D, at most 64");

	for (i = 0; i < arg.l; i++)
		line_input(ln, LEV_DIGIT, arg.p[i]);

	return line_status(pf, ln);
}


static int cmd_lines(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;
	return phone_status(pf);
}


static int cmd_calls(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	unsigned n = 0;
	size_t i;

	(void)ca;

	for (i = 0; i < phone_line_count(); i++)
		n += line_calls_print(pf, phone_line_at(i));

	return re_hprintf(pf, "count=%u\n", n);
}


static int cmd_call_hangup(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	uint32_t id;
	size_t i;

	(void)pf;

	if (!ata_pl_isnum(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: call hangup ID");

	id = pl_u32(&ca->args);

	for (i = 0; i < phone_line_count(); i++) {
		if (0 == line_call_hangup(phone_line_at(i), id))
			return 0;
	}

	return ata_cmd_fail(ca, ENOENT, "no call %u", id);
}


static int cmd_reg(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	size_t i;
	int err = 0;

	(void)ca;

	for (i = 0; i < phone_line_count(); i++)
		err |= line_reg_status(pf, phone_line_at(i));

	return err;
}


static const struct ata_cmd phone_cmdv[] = {
	{ATA_VERB_LINE,   cmd_line},
	{ATA_VERB_LINES,  cmd_lines},
	{ATA_VERB_CALLS,  cmd_calls},
	{ATA_VERB_HANGUP, cmd_call_hangup},
	{ATA_VERB_REG,    cmd_reg},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *phone_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(phone_cmdv);
	return phone_cmdv;
}
