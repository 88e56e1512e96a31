/**
 * @file test_clip_decode.c  Caller ID FSK decoded by minimodem
 *
 * An independent decoder reads what clip_fsk_render() makes: minimodem
 * (Debian minimodem) in its `callerid` mode (Bell 202, SDMF and MDMF)
 * and, for V.23, as plain 1200 baud 8N1 with mark 1300 Hz and space
 * 2100 Hz, the message bytes then checked here; both for the off-hook
 * (type II) layout too. Exits 77 (skipped)
 * without minimodem: the decoding is never taken as passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/clip.h"

enum { SEC = 8000, LEAD = SEC / 2 };

static int16_t buf[4 * SEC];
static char wav_path[64];

static const struct clip_caller alice = {
	.month = 12, .day = 5, .hour = 9, .minute = 7,
	.number = "5551234", .name = "Alice Example",
};


static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
			 v >> 24 };

	fwrite(b, 1, 4, f);
}


static void put16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { v & 0xff, v >> 8 };

	fwrite(b, 1, 2, f);
}


static bool offhook;   /* type II: no seizure, 80 marks */


/* The transmission between half a second of silence each side, as WAV */
static void write_wav(enum fsk_std std, const struct clip_msg *m)
{
	size_t n, i;
	FILE *f;

	memset(buf, 0, sizeof(buf));
	n = offhook ?
		clip_fsk_render_offhook(buf + LEAD, ARRAY_SIZE(buf) - 2 * LEAD,
					std, m, CLIP_LEVEL_CDB) :
		clip_fsk_render(buf + LEAD, ARRAY_SIZE(buf) - 2 * LEAD, std,
				m, CLIP_LEVEL_CDB);
	assert_true(n > 0);
	n += 2 * LEAD;

	f = fopen(wav_path, "wb");
	assert_non_null(f);
	fwrite("RIFF", 1, 4, f);
	put32(f, (uint32_t)(36 + 2 * n));
	fwrite("WAVEfmt ", 1, 8, f);
	put32(f, 16);
	put16(f, 1);
	put16(f, 1);
	put32(f, SEC);
	put32(f, 2 * SEC);
	put16(f, 2);
	put16(f, 16);
	fwrite("data", 1, 4, f);
	put32(f, (uint32_t)(2 * n));
	for (i = 0; i < n; i++)
		put16(f, (uint16_t)buf[i]);
	assert_int_equal(fclose(f), 0);
}


/* minimodem's output for the file, with @p mode (its arguments) */
static size_t decode(const char *mode, uint8_t *out, size_t sz)
{
	char cmd[256];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "minimodem --rx -q -f %s %s 2>/dev/null",
		 wav_path, mode);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sz - 1, p);
	out[n] = 0;
	assert_int_equal(pclose(p), 0);

	return n;
}


static void callerid(const struct clip_msg *m, const char *want)
{
	uint8_t out[1024];

	write_wav(FSK_BELL202, m);
	decode("callerid", out, sizeof(out));
	if (!strstr((char *)out, want))
		fail_msg("minimodem says:\n%s\nwant:\n%s", out, want);
}


static void test_bell202_mdmf(void **state)
{
	struct clip_caller c = { .month = 1, .day = 2, .hour = 3,
				 .minute = 4, .absent = CLIP_PRIVATE };
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	callerid(&m, "Time:  12/05 09:07\nPhone: 5551234\n"
		 "Name:  Alice Example\n");

	assert_int_equal(clip_msg_mdmf(&m, &c), 0);
	callerid(&m, "Time:  01/02 03:04\nPhone: [blocked]\n"
		 "Name:  [blocked]\n");
}


static void test_bell202_sdmf(void **state)
{
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_sdmf(&m, &alice), 0);
	callerid(&m, "Time:  12/05 09:07\nPhone: 5551234\n");
}


/* V.23 bytes: the seizure (0x55...), then the message and its sum */
static void v23(const struct clip_msg *m)
{
	uint8_t out[1024];
	size_t n, i;

	write_wav(FSK_V23, m);
	n = decode("-8 1200 -M 1300 -S 2100", out, sizeof(out));
	for (i = 0; i < n && out[i] != m->b[0]; i++)
		;
	if (n - i < m->len)
		fail_msg("no message in %zu bytes from minimodem", n);
	assert_memory_equal(out + i, m->b, m->len);
	assert_int_equal(clip_checksum(out + i, m->len - 1),
			 out[i + m->len - 1]);
}


static void test_v23(void **state)
{
	struct clip_caller c = { .absent = CLIP_PRIVATE };
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	v23(&m);
	assert_int_equal(clip_msg_mdmf(&m, &c), 0);
	v23(&m);
	assert_int_equal(clip_msg_mwi(&m, true), 0);
	v23(&m);
}


/* Type II: the same messages with 80 marks and no seizure */
static void test_offhook(void **state)
{
	struct clip_msg m;

	(void)state;
	offhook = true;
	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	callerid(&m, "Phone: 5551234\nName:  Alice Example\n");
	v23(&m);
	offhook = false;
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bell202_mdmf),
		cmocka_unit_test(test_bell202_sdmf),
		cmocka_unit_test(test_v23),
		cmocka_unit_test(test_offhook),
	};
	int fd, rc;

	if (system("command -v minimodem >/dev/null 2>&1")) {
		printf("# SKIP minimodem is not installed\n");
		return 77;
	}

	snprintf(wav_path, sizeof(wav_path), "/tmp/test_clip.XXXXXX");
	fd = mkstemp(wav_path);
	if (fd < 0)
		return 1;
	close(fd);

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(wav_path);

	return rc;
}
