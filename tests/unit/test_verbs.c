/**
 * @file tests/unit/test_verbs.c  The verb list of core/base/ctrl_verbs.h
 *
 * Every verb follows the convention ata_cmd_register() enforces, and
 * conf/atactl.1 documents every one of them (`.B "NAME"` or `.BI "NAME "`
 * opening a .TP entry), so the man page cannot drift from the daemon's
 * `help` and atactl -h, which print these rows. Run from the source tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ataua.h"
#include "base/ctrl_verbs.h"

#define MAN_PAGE "conf/atactl.1"

static const struct ata_verb_row verbv[] = {
	ATA_CTRL_VERB_ROWS
};


static int h_quiet(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return 0;
}


static void test_rows_follow_convention(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbv); i++) {
		struct ata_cmd row = {verbv[i].name, verbv[i].args,
				      verbv[i].desc, h_quiet};
		int err;

		/* help is the verb table's own; the transport's are
		   uppercase: check those rows under a lowercase name */
		if (!str_cmp(row.name, "help"))
			row.name = "help-row";
		if (verbv[i].module && !verbv[i].module[0])
			row.name = "conn-row";

		err = ata_cmd_register(&row, 1, NULL);
		if (err)
			print_error("verb '%s' is refused: %d\n",
				    verbv[i].name, err);
		assert_int_equal(err, 0);
		ata_cmd_unregister(&row);
	}
}


/* The first quoted word of a `.B "..."` / `.BI "..."` line, unescaped */
static bool man_entry(const char *line, char *name, size_t size)
{
	const char *p;
	size_t n = 0;

	if (strncmp(line, ".B \"", 4) && strncmp(line, ".BI \"", 5))
		return false;

	p = strchr(line, '"') + 1;
	for (; *p && *p != '"' && n + 1 < size; p++) {
		if (p[0] == '\\' && p[1] == '-')
			continue;
		name[n++] = *p;
	}
	while (n && name[n - 1] == ' ')
		--n;
	name[n] = '\0';

	return true;
}


static void test_man_page_lists_every_verb(void **state)
{
	char line[256], name[64];
	bool seen[ARRAY_SIZE(verbv)] = {false};
	FILE *f = fopen(MAN_PAGE, "r");

	if (!f)
		fail_msg("cannot open %s (run from the source tree)",
			 MAN_PAGE);

	while (fgets(line, sizeof(line), f)) {
		if (!man_entry(line, name, sizeof(name)))
			continue;

		for (size_t i = 0; i < ARRAY_SIZE(verbv); i++) {
			if (!strcmp(name, verbv[i].name))
				seen[i] = true;
		}
	}
	(void)fclose(f);

	for (size_t i = 0; i < ARRAY_SIZE(verbv); i++) {
		if (!seen[i])
			fail_msg("%s does not document verb '%s'", MAN_PAGE,
				 verbv[i].name);
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_follow_convention),
		cmocka_unit_test(test_man_page_lists_every_verb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
