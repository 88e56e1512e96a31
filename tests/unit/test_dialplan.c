/** @file test_dialplan.c  Dial plan: pattern syntax and match results */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>

#include "line/dialplan.h"

enum {
	NOM = DIALPLAN_NOMATCH,
	PAR = DIALPLAN_PARTIAL,
	FUL = DIALPLAN_FULL,
	MOR = DIALPLAN_FULL_MORE,
};

struct row {
	const char *patv[6];      /* NULL-terminated */
	const char *digits;
	int expect;
};

static const struct row rows[] = {
	/* fixed length */
	{{"xxxx"},          "",          PAR},
	{{"xxxx"},          "1",         PAR},
	{{"xxxx"},          "123",       PAR},
	{{"xxxx"},          "1234",      FUL},
	{{"xxxx"},          "12345",     NOM},
	{{"xxxx"},          "12*",       NOM},
	{{"xXxx"},          "0000",      FUL},
	/* '#' sends now, but only a complete number */
	{{"xxxx"},          "1234#",     FUL},
	{{"xxxx"},          "123#",      NOM},
	{{"xxxx"},          "#",         NOM},
	{{"xxxx"},          "1#23",      NOM},
	{{"xxxx"},          "1234##",    NOM},
	/* '.' repeats the previous element zero or more times */
	{{"0x."},           "0",         MOR},
	{{"0xx."},          "0",         PAR},
	{{"0xx."},          "01",        MOR},
	{{"0x."},           "01",        MOR},
	{{"0x."},           "0123456789", MOR},
	{{"0x."},           "1",         NOM},
	{{"0x."},           "01#",       FUL},
	{{"0x."},           "0#",        FUL},
	{{"0xx."},          "0#",        NOM},
	{{"0x."},           "0*",        NOM},
	{{"1x.2"},          "1",         PAR},
	{{"1x.2"},          "12",        MOR},
	{{"1x.2"},          "13",        PAR},
	{{"1x.2"},          "1332",      MOR},
	{{"[12].3"},        "3",         FUL},
	{{"[12].3"},        "12",        PAR},
	{{"[12].3"},        "12213",     FUL},
	{{"[12].3"},        "1233",      NOM},
	{{"xx."},           "5",         MOR},
	/* keys and classes */
	{{"*xx"},           "*",         PAR},
	{{"*xx"},           "*7",        PAR},
	{{"*xx"},           "*72",       FUL},
	{{"*xx"},           "7",         NOM},
	{{"911"},           "91",        PAR},
	{{"911"},           "911",       FUL},
	{{"911"},           "912",       NOM},
	{{"[1-5]xx"},       "1",         PAR},
	{{"[1-5]xx"},       "5",         PAR},
	{{"[1-5]xx"},       "0",         NOM},
	{{"[1-5]xx"},       "6",         NOM},
	{{"[1-5]xx"},       "599",       FUL},
	{{"[2-9]xxxxxx"},   "1",         NOM},
	{{"[2-9]xxxxxx"},   "2345678",   FUL},
	{{"[135*]"},        "*",         FUL},
	{{"[135*]"},        "2",         NOM},
	{{"[0-24-6]x"},     "3",         NOM},
	{{"[0-24-6]x"},     "61",        FUL},
	/* a literal # at that position is a key, not "send now" */
	{{"*xx#"},          "*12",       PAR},
	{{"*xx#"},          "*12#",      FUL},
	{{"xxx#x"},         "123#",      PAR},
	{{"xxx#x"},         "123#4",     FUL},
	{{"1[#*]2"},        "1#",        PAR},
	{{"1[#*]2"},        "1*2",       FUL},
	{{"xxx#x", "xxx"},  "123#",      PAR},
	/* several patterns */
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "9",         PAR},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "911",       MOR},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "9115551",   FUL},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "0114",      MOR},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "0114#",     FUL},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "11",        NOM},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "*9",        PAR},
	{{"911", "[2-9]xxxxxx", "1[2-9]xxxxxxxxx", "011x.", "*xx"},
	                    "*99#",      FUL},
	/* not keys */
	{{"xxxx"},          "12a4",      NOM},
	{{"x.x"},           "1 2",       NOM},
};

static struct dialplan *plan(const char * const *patv)
{
	struct dialplan *dp = NULL;
	char err[160] = "";
	size_t patc = 0;

	while (patc < 6 && patv[patc])
		patc++;

	if (dialplan_alloc(&dp, patv, patc, err, sizeof(err)))
		fail_msg("%s", err);

	return dp;
}

static void test_table(void **state)
{
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct dialplan *dp = plan(rows[i].patv);
		enum dialplan_result res = dialplan_match(dp, rows[i].digits);

		if ((int)res != rows[i].expect)
			fail_msg("row %zu: '%s' on '%s'...: %s, want %s", i,
				 rows[i].digits, rows[i].patv[0],
				 dialplan_result_name(res),
				 dialplan_result_name(rows[i].expect));
		mem_deref(dp);
	}
}

static void test_long_pattern(void **state)
{
	char pat[DIALPLAN_PATTERN_MAX + 2], digits[80];
	const char *patv[2] = {pat, NULL};
	struct dialplan *dp;
	(void)state;

	memset(pat, 'x', DIALPLAN_PATTERN_MAX);
	pat[DIALPLAN_PATTERN_MAX] = '\0';
	memset(digits, '7', sizeof(digits));
	digits[DIALPLAN_PATTERN_MAX] = '\0';

	dp = plan(patv);
	assert_int_equal(dialplan_match(dp, digits), DIALPLAN_FULL);
	digits[DIALPLAN_PATTERN_MAX - 1] = '\0';
	assert_int_equal(dialplan_match(dp, digits), DIALPLAN_PARTIAL);
	digits[DIALPLAN_PATTERN_MAX - 1] = '7';
	digits[DIALPLAN_PATTERN_MAX] = '7';
	digits[DIALPLAN_PATTERN_MAX + 1] = '\0';
	assert_int_equal(dialplan_match(dp, digits), DIALPLAN_NOMATCH);
	mem_deref(dp);

	strcat(pat, "x");
	assert_false(dialplan_valid_pattern(pat, NULL, 0));
}

static void test_bad_patterns(void **state)
{
	static const struct {
		const char *pat;
		const char *msg;
	} bad[] = {
		{"[5-1]",   "pattern '[5-1]' position 3: reversed range"},
		{"x[",      "pattern 'x[' position 2: '[' without ']'"},
		{"x[12",    "position 2: '[' without ']'"},
		{"",        "position 1: empty pattern"},
		{"12a",     "position 3: illegal character 'a'"},
		{"1 2",     "position 2: illegal character 0x20"},
		{"12\x01",  "position 3: illegal character 0x01"},
		{".1",      "position 1: '.' must follow"},
		{"1..",     "position 3: '.' must follow"},
		{"[]",      "position 1: empty [...]"},
		{"[1-]",    "position 3: a range needs a digit"},
		{"[*-5]",   "position 3: a range needs a digit"},
		{"[-5]",    "position 2: illegal key in [...]"},
		{"[1[2]]",  "position 3: '[' inside [...]"},
		{"x]",      "position 2: ']' without '['"},
		{"[a]",     "position 2: illegal key in [...]"},
		{"x.",      "matches the empty number"},
		{"x.[2]." , "matches the empty number"},
		{"123456789012345678901234567890123456789012345678901234567890"
		 "12345", "longer than 64 characters"},
	};
	struct dialplan *dp = NULL;
	char err[200];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *patv[2] = {"911", bad[i].pat};

		err[0] = '\0';
		assert_false(dialplan_valid_pattern(bad[i].pat, err,
						    sizeof(err)));
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': got \"%s\"", bad[i].pat, err);

		/* the whole plan fails and names the pattern */
		err[0] = '\0';
		assert_int_equal(dialplan_alloc(&dp, patv, 2, err,
						sizeof(err)), EINVAL);
		assert_null(dp);
		assert_non_null(strstr(err, bad[i].msg));
	}

	assert_false(dialplan_valid_pattern(NULL, err, sizeof(err)));
	assert_true(dialplan_valid_pattern("[0-9*#]x.", err, sizeof(err)));
}

static void test_alloc_args(void **state)
{
	const char *patv[2] = {"911", NULL};
	struct dialplan *dp = NULL;
	char err[80] = "";
	(void)state;

	assert_int_equal(dialplan_alloc(NULL, patv, 1, NULL, 0), EINVAL);
	assert_int_equal(dialplan_alloc(&dp, NULL, 1, NULL, 0), EINVAL);
	assert_int_equal(dialplan_alloc(&dp, patv, 0, err, sizeof(err)),
			 EINVAL);
	assert_string_equal(err, "no patterns");
	assert_int_equal(dialplan_alloc(&dp, patv, 2, err, sizeof(err)),
			 EINVAL);
	assert_string_equal(err, "pattern 2 missing");
	assert_null(dp);

	/* a tiny error buffer is truncated, not overrun */
	patv[1] = "[9-0]";
	assert_int_equal(dialplan_alloc(&dp, patv, 2, err, 8), EINVAL);
	assert_int_equal(strlen(err), 7);

	assert_int_equal(dialplan_match(NULL, "1"), DIALPLAN_NOMATCH);
	assert_int_equal(dialplan_alloc(&dp, patv, 1, NULL, 0), 0);
	assert_int_equal(dialplan_match(dp, NULL), DIALPLAN_NOMATCH);
	mem_deref(dp);
}

static void test_number(void **state)
{
	const char *plain[2] = {"xxxx", NULL};
	const char *hash[2] = {"*xx#", NULL};
	struct dialplan *dp = plan(plain), *dh = plan(hash);
	char buf[8];
	(void)state;

	assert_int_equal(dialplan_number(dp, "1234#", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234");
	assert_int_equal(dialplan_number(dp, "1234", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234");
	assert_int_equal(dialplan_number(dh, "*12#", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "*12#");
	assert_int_equal(dialplan_number(dp, "#", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	assert_int_equal(dialplan_number(dp, "1234", buf, 4), EOVERFLOW);
	assert_int_equal(dialplan_number(dp, "1234#", buf, 5), 0);
	assert_string_equal(buf, "1234");
	assert_int_equal(dialplan_number(NULL, "1", buf, 4), EINVAL);
	assert_int_equal(dialplan_number(dp, NULL, buf, 4), EINVAL);
	assert_int_equal(dialplan_number(dp, "1", NULL, 4), EINVAL);
	assert_int_equal(dialplan_number(dp, "1", buf, 0), EINVAL);

	assert_string_equal(dialplan_result_name(DIALPLAN_FULL_MORE),
			    "full-more");
	assert_string_equal(dialplan_result_name(99), "?");

	mem_deref(dp);
	mem_deref(dh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_pattern),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_alloc_args),
		cmocka_unit_test(test_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
