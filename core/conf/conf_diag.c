/**
 * @file conf_diag.c  Config errors: collect, sort by position, print
 *
 * Errors are found in schema order and cross-checks run last, so they are
 * held until the whole file has been looked at and then printed in file
 * order, the way a compiler would.
 */
#include <stdarg.h>
#include <string.h>
#include <re.h>
#include "conf.h"

struct diag_msg {
	struct le le;
	unsigned line, col;
	char *text;
};

static void msg_destructor(void *arg)
{
	struct diag_msg *m = arg;

	list_unlink(&m->le);
	mem_deref(m->text);
}

void conf_diag_init(struct conf_diag *diag, const char *name)
{
	if (!diag)
		return;

	memset(diag, 0, sizeof(*diag));
	diag->name = name ? name : "(config)";
	list_init(&diag->errl);
}

static bool msg_sort(struct le *le1, struct le *le2, void *arg)
{
	const struct diag_msg *a = le1->data, *b = le2->data;
	(void)arg;

	if (a->line != b->line)
		return a->line <= b->line;

	return a->col <= b->col;
}

void conf_diag_err(struct conf_diag *diag, unsigned line, unsigned col,
		   const char *fmt, ...)
{
	struct diag_msg *m;
	va_list ap;
	int err;

	if (!diag || !fmt)
		return;

	++diag->nerr;

	m = mem_zalloc(sizeof(*m), msg_destructor);
	if (!m)
		return;

	va_start(ap, fmt);
	err = re_vsdprintf(&m->text, fmt, ap);
	va_end(ap);
	if (err) {
		mem_deref(m);
		return;
	}

	m->line = line;
	m->col  = col;
	list_append(&diag->errl, &m->le, m);
}

void conf_diag_flush(struct conf_diag *diag, struct re_printf *errpf)
{
	struct le *le;

	if (!diag)
		return;

	list_sort(&diag->errl, msg_sort, NULL);

	for (le = diag->errl.head; le; le = le->next) {
		const struct diag_msg *m = le->data;

		if (!errpf)
			continue;
		if (m->line)
			re_hprintf(errpf, "%s:%u:%u: %s\n", diag->name,
				   m->line, m->col, m->text);
		else
			re_hprintf(errpf, "%s: %s\n", diag->name, m->text);
	}

	list_flush(&diag->errl);
}
