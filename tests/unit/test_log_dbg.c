/**
 * @file tests/unit/test_log_dbg.c  libre's debug output through our log
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "ataua.h"

/* re.h leaves re_dbg.h out: it wants these first */
#define DEBUG_MODULE "test_log_dbg"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "base/log.h"


/* What a libre call wrote to stderr (our log's target) */
static void capture(char *out, size_t sz, int dbg_level, const char *msg)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	dbg_printf(dbg_level, "%s", msg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	rewind(f);
	n = fread(out, 1, sz - 1, f);
	out[n] = '\0';
	fclose(f);
}


static void test_levels(void **state)
{
	(void)state;

	assert_int_equal(log_dbg_level(DBG_EMERG), ATA_LOG_ERR);
	assert_int_equal(log_dbg_level(DBG_CRIT), ATA_LOG_ERR);
	assert_int_equal(log_dbg_level(DBG_ERR), ATA_LOG_ERR);
	assert_int_equal(log_dbg_level(DBG_WARNING), ATA_LOG_WARN);
	assert_int_equal(log_dbg_level(DBG_NOTICE), ATA_LOG_NOTICE);
	assert_int_equal(log_dbg_level(DBG_INFO), ATA_LOG_INFO);
	assert_int_equal(log_dbg_level(DBG_DEBUG), ATA_LOG_DEBUG);
	assert_int_equal(log_dbg_level(42), ATA_LOG_DEBUG);
}


static void test_clean(void **state)
{
	const char *in = "\x1b[31mnatbd_mapping: stun_response_handler:"
		" (Connection timed out)\n\x1b[;m";
	char buf[128];
	size_t n;
	(void)state;

	n = log_dbg_clean(buf, sizeof(buf), in, strlen(in));
	assert_string_equal(buf, "natbd_mapping: stun_response_handler:"
			    " (Connection timed out)");
	assert_int_equal(n, strlen(buf));

	/* inner newlines become spaces: one message, one log line */
	n = log_dbg_clean(buf, sizeof(buf), "a\nb\r\n\n", 6);
	assert_string_equal(buf, "a b");

	/* an escape cut off at the end, a bare ESC */
	log_dbg_clean(buf, sizeof(buf), "x\x1b[3", 4);
	assert_string_equal(buf, "x");
	log_dbg_clean(buf, sizeof(buf), "\x1b" "cy", 3);
	assert_string_equal(buf, "y");

	/* only as much as fits, always terminated */
	n = log_dbg_clean(buf, 4, "abcdef", 6);
	assert_int_equal(n, 3);
	assert_string_equal(buf, "abc");

	assert_int_equal(log_dbg_clean(buf, sizeof(buf), "\n", 1), 0);
	assert_int_equal(log_dbg_clean(NULL, 0, "a", 1), 0);
}


/* libre's own dbg_printf, as its DEBUG_WARNING calls it */
static void test_through_libre(void **state)
{
	char out[512];
	(void)state;

	ata_log_set_level(ATA_LOG_INFO);
	log_dbg_attach();

	capture(out, sizeof(out), DBG_WARNING,
		"natbd_mapping: stun_response_handler: (Timed out)\n");
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "Z warning: natbd_mapping: "
			       "stun_response_handler: (Timed out)\n"));
	assert_int_equal(out[4], '-');     /* 2026-12-06T...: ours */
	assert_null(strstr(out, "\n\n"));

	/* below our level: nothing */
	ata_log_set_level(ATA_LOG_WARN);
	capture(out, sizeof(out), DBG_INFO, "sip: something usual\n");
	assert_string_equal(out, "");

	ata_log_set_level(ATA_LOG_DEBUG);
	capture(out, sizeof(out), DBG_NOTICE, "tcp: note\n");
	assert_non_null(strstr(out, "Z notice: tcp: note\n"));

	dbg_handler_set(NULL, NULL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_through_libre),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
