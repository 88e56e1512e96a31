/** @file tests/unit/test_cmd.c  Verb table: registration and dispatch */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "ataua.h"
#include "core_cmds.h"

static char out[4096];

static int out_vph(const char *p, size_t size, void *arg)
{
	size_t *n = arg;

	if (*n + size >= sizeof(out))
		return EOVERFLOW;
	memcpy(out + *n, p, size);
	*n += size;
	out[*n] = '\0';

	return 0;
}


/* Run one request and return the whole reply as a string */
static const char *run(const char *req, int *errp)
{
	size_t n = 0;
	struct re_printf pf = {out_vph, &n};
	int err;

	out[0] = '\0';
	err = ata_cmd_exec(&pf, req, str_len(req));
	if (errp)
		*errp = err;

	return out;
}


static int h_echo(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return re_hprintf(pf, "verb=%s\nargs=[%r]\n", (char *)ca->arg,
			  &ca->args);
}


static int h_busy(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)re_hprintf(pf, "line=2\n");
	return ata_cmd_fail(ca, EBUSY, "line %u is\nbusy", 2);
}


static int h_errno(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	int err;

	if (pl_isset(&ca->args) && pl_u32(&ca->args) == 0)
		return ERANGE;

	err = (int)pl_u32(&ca->args);
	return err ? err : EXDEV;
}


static int h_quiet(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return 0;
}


static int h_partial(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return re_hprintf(pf, "x=1");
}


static const struct ata_cmd modv[] = {
	{"module", "load NAME", "load a module", h_echo},
	{"module list", "", "loaded modules", h_echo},
	{"status", NULL, "daemon state", h_echo},
};

static const struct ata_cmd otherv[] = {
	{"line busy", NULL, "a busy line", h_busy},
	{"err", "[N]", "fail with errno N", h_errno},
	{"quiet", NULL, "say nothing", h_quiet},
	{"partial", NULL, "print part of a line", h_partial},
};


static int teardown(void **state)
{
	ata_cmd_unregister(modv);
	ata_cmd_unregister(otherv);
	return 0;
}


static void test_register_unregister(void **state)
{
	int err;

	assert_string_equal(run("status", &err),
			    "FAIL unknown command: status\n");
	assert_int_equal(err, ENOTSUP);

	assert_int_equal(ata_cmd_register(modv, 3, "m"), 0);
	assert_string_equal(run("status", &err), "verb=m\nargs=[]\nOK\n");
	assert_int_equal(err, 0);

	ata_cmd_unregister(modv);
	assert_string_equal(run("status", NULL),
			    "FAIL unknown command: status\n");

	/* Unknown table pointer: no effect */
	ata_cmd_unregister(otherv);
}


static void test_longest_prefix(void **state)
{
	assert_int_equal(ata_cmd_register(modv, 3, "m"), 0);

	assert_string_equal(run("module list", NULL),
			    "verb=m\nargs=[]\nOK\n");
	assert_string_equal(run("  module   list  foo   bar \t ", NULL),
			    "verb=m\nargs=[foo   bar]\nOK\n");
	assert_string_equal(run("module load x", NULL),
			    "verb=m\nargs=[load x]\nOK\n");
	assert_string_equal(run("module listing", NULL),
			    "verb=m\nargs=[listing]\nOK\n");
	assert_string_equal(run("module\tlist", NULL),
			    "verb=m\nargs=[]\nOK\n");
	assert_string_equal(run("modules", NULL),
			    "FAIL unknown command: modules\n");
	assert_string_equal(run("Module list", NULL),
			    "FAIL unknown command: Module\n");
	assert_string_equal(run("status\r\n", NULL),
			    "verb=m\nargs=[]\nOK\n");
}


static void test_register_errors(void **state)
{
	static const struct ata_cmd dupv[] = {
		{"module list", NULL, "d", h_quiet},
	};
	static const struct ata_cmd helpv[] = {
		{"help", NULL, "d", h_quiet},
	};
	static const struct ata_cmd selfv[] = {
		{"a", NULL, "d", h_quiet}, {"a", NULL, "d", h_quiet},
	};
	static const struct ata_cmd badv[][1] = {
		{{"", NULL, "d", h_quiet}},
		{{" a", NULL, "d", h_quiet}},
		{{"a ", NULL, "d", h_quiet}},
		{{"a  b", NULL, "d", h_quiet}},
		{{"a\tb", NULL, "d", h_quiet}},
		{{"a\nb", NULL, "d", h_quiet}},
		{{NULL, NULL, "d", h_quiet}},
		{{"ok", NULL, "d", NULL}},
	};

	assert_int_equal(ata_cmd_register(NULL, 1, NULL), EINVAL);
	assert_int_equal(ata_cmd_register(modv, 0, NULL), EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(badv); i++)
		assert_int_equal(ata_cmd_register(badv[i], 1, NULL), EINVAL);

	assert_int_equal(ata_cmd_register(modv, 3, "m"), 0);
	assert_int_equal(ata_cmd_register(modv, 3, "m"), EALREADY);
	assert_int_equal(ata_cmd_register(dupv, 1, NULL), EALREADY);
	assert_int_equal(ata_cmd_register(helpv, 1, NULL), EALREADY);
	assert_int_equal(ata_cmd_register(selfv, 2, NULL), EALREADY);

	/* The failed registrations left the table as it was */
	assert_string_equal(run("module list", NULL),
			    "verb=m\nargs=[]\nOK\n");
	ata_cmd_unregister(dupv);
	assert_string_equal(run("module list", NULL),
			    "verb=m\nargs=[]\nOK\n");
}


static void test_unknown_and_bad_input(void **state)
{
	char req[200];
	int err;

	assert_string_equal(run("nope a b", &err),
			    "FAIL unknown command: nope\n");
	assert_int_equal(err, ENOTSUP);

	memset(req, 'v', sizeof(req));
	req[sizeof(req) - 1] = '\0';
	run(req, NULL);
	assert_int_equal(str_len(out),
			 strlen("FAIL unknown command: ...\n") + 64);

	assert_string_equal(run("", &err), "FAIL empty request\n");
	assert_int_equal(err, EINVAL);
	assert_string_equal(run(" \t ", NULL), "FAIL empty request\n");
	assert_string_equal(run("\x1b[2Jstatus", &err),
			    "FAIL invalid character in request\n");
	assert_int_equal(err, EINVAL);

	/* Embedded NUL: the length says where the request ends */
	{
		size_t n = 0;
		struct re_printf pf = {out_vph, &n};

		assert_int_equal(ata_cmd_exec(&pf, "he\0lp", 5), EINVAL);
		assert_string_equal(out,
				    "FAIL invalid character in request\n");
	}

	assert_int_equal(ata_cmd_exec(NULL, "help", 4), EINVAL);
}


static void test_fail_reason(void **state)
{
	int err;

	assert_int_equal(ata_cmd_register(otherv, 4, NULL), 0);

	assert_string_equal(run("line busy", &err),
			    "line=2\nFAIL line 2 is?busy\n");
	assert_int_equal(err, EBUSY);

	assert_string_equal(run("err 0", &err), "FAIL out of range\n");
	assert_int_equal(err, ERANGE);
	assert_string_equal(run("err 22", NULL),
			    "FAIL invalid argument\n");
	assert_string_equal(run("err 2", NULL), "FAIL not found\n");
	assert_string_equal(run("err", &err), "FAIL error 18\n");
	assert_int_equal(err, EXDEV);

	assert_string_equal(run("quiet", &err), "OK\n");
	assert_int_equal(err, 0);
	assert_string_equal(run("partial", NULL), "x=1\nOK\n");

	assert_int_equal(ata_cmd_fail(NULL, EIO, "x"), EIO);
}


static void test_help(void **state)
{
	assert_int_equal(ata_cmd_register(modv, 3, "m"), 0);
	assert_int_equal(ata_cmd_register(otherv, 4, NULL), 0);

	/* NAME ARGS padded to ATA_CMD_USAGE_MAX, two blanks, DESC */
	assert_string_equal(run("help", NULL),
		"help [VERB]                             "
		"list verbs (starting with VERB)\n"
		"module load NAME                        load a module\n"
		"module list                             loaded modules\n"
		"status                                  daemon state\n"
		"line busy                               a busy line\n"
		"err [N]                                 fail with errno N\n"
		"quiet                                   say nothing\n"
		"partial                                 "
		"print part of a line\n"
		"PING                                    "
		"check the daemon answers (PONG)\n"
		"ATTACH                                  "
		"send events on this connection\n"
		"LEVEL N                                 "
		"events up to level N (3..7)\n"
		"DETACH                                  "
		"stop sending events\n"
		"QUIT                                    "
		"close this connection\n"
		"FORMAT json|text                        "
		"replies and events as JSON or text\n"
		"OK\n");

	assert_string_equal(run("help  module", NULL),
		"module load NAME                        load a module\n"
		"module list                             loaded modules\n"
		"OK\n");
	assert_string_equal(run("help module list", NULL),
		"module list                             loaded modules\n"
		"OK\n");
	assert_string_equal(run("help LEVEL", NULL),
		"LEVEL N                                 "
		"events up to level N (3..7)\nOK\n");
	assert_string_equal(run("help mod", NULL), "OK\n");
}


/* The convention of struct ata_cmd: what the old tables did wrong */
static void test_register_convention(void **state)
{
	static const struct ata_cmd badv[][1] = {
		/* a description in the args (modules/turn did this) */
		{{"turn status", "relays and their state", NULL, h_quiet}},
		{{"turn alloc", "[udp|tcp|tls] [LIFETIME]: test relay",
		  "d", h_quiet}},
		/* the name repeated in the args, a description glued on */
		{{"upnp map", "upnp map PORT", "d", h_quiet}},
		{{"upnp map", "PORT  map a port", "d", h_quiet}},
		{{"status", "status", "d", h_quiet}},
		{{"status", " x", "d", h_quiet}},
		{{"status", "x\n", "d", h_quiet}},
		/* no description, or one that is not one short line */
		{{"status", NULL, NULL, h_quiet}},
		{{"status", NULL, "", h_quiet}},
		{{"status", NULL, "two\nlines", h_quiet}},
		{{"status", NULL, "0123456789012345678901234567890123456789x",
		  h_quiet}},
		{{"status", "0123456789012345678901234567890123", "d",
		  h_quiet}},
		/* uppercase is the transport's */
		{{"PING", NULL, "d", h_quiet}},
		{{"Status", NULL, "d", h_quiet}},
	};
	static const struct ata_cmd goodv[] = {
		{"status", "0123456789012345678901234567890", "d", h_quiet},
		{"line", "N [offhook|onhook]", "drive line N", h_quiet},
		{"turn peer", "IP:PORT",
		 "1234567890123456789012345678901234567890", h_quiet},
	};

	for (size_t i = 0; i < ARRAY_SIZE(badv); i++)
		assert_int_equal(ata_cmd_register(badv[i], 1, NULL), EINVAL);

	assert_int_equal(ata_cmd_register(goodv, ARRAY_SIZE(goodv), NULL),
			 0);
	ata_cmd_unregister(goodv);
}


/* `mem`: libre's block count (unknown with a libre that keeps none:
 * Debian's) and the C heap */
static void test_core_mem(void **state)
{
	const struct ata_cmd *cmdv;
	size_t cmdc;
	const char *r;
	int err;

	(void)state;
	cmdv = core_cmds(&cmdc);
	assert_int_equal(ata_cmd_register(cmdv, cmdc, NULL), 0);
	r = run("mem", &err);
	assert_int_equal(err, 0);
	assert_true(!strncmp(r, "mem_blocks=", 11));
	assert_non_null(strstr(r, "\nmem_bytes="));
#ifdef __GLIBC__
	assert_non_null(strstr(r, "\nheap_used="));
	assert_non_null(strstr(r, "\nheap_free="));
#endif
	assert_non_null(strstr(r, "\nOK\n"));
	ata_cmd_unregister(cmdv);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_register_unregister,
					  teardown),
		cmocka_unit_test_teardown(test_longest_prefix, teardown),
		cmocka_unit_test_teardown(test_register_errors, teardown),
		cmocka_unit_test_teardown(test_unknown_and_bad_input,
					  teardown),
		cmocka_unit_test_teardown(test_fail_reason, teardown),
		cmocka_unit_test_teardown(test_help, teardown),
		cmocka_unit_test(test_core_mem),
		cmocka_unit_test(test_register_convention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
