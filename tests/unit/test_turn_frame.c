/**
 * @file tests/unit/test_turn_frame.c  TURN TCP stream framing
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/turn/turn.h"


/* a STUN Binding success header with @p len bytes of attributes */
static void stun_hdr(uint8_t *p, uint16_t len)
{
	memset(p, 0, 20);
	p[0] = 0x01;
	p[1] = 0x01;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = 0x21; p[5] = 0x12; p[6] = 0xa4; p[7] = 0x42;
}


static void test_stun_whole(void **state)
{
	uint8_t buf[64];
	size_t len = 0;
	(void)state;

	stun_hdr(buf, 12);
	assert_int_equal(turn_frame_len(buf, 32, &len), 0);
	assert_int_equal(len, 32);

	/* more bytes behind the message do not change its length */
	assert_int_equal(turn_frame_len(buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 32);
}


static void test_stun_partial(void **state)
{
	uint8_t buf[32];
	size_t len = 99;
	(void)state;

	stun_hdr(buf, 12);
	assert_int_equal(turn_frame_len(buf, 3, &len), ENODATA);
	assert_int_equal(turn_frame_len(buf, 6, &len), ENODATA);
	assert_int_equal(turn_frame_len(buf, 20, &len), ENODATA);
	assert_int_equal(turn_frame_len(buf, 31, &len), ENODATA);
	assert_int_equal(len, 99);
}


static void test_stun_bad(void **state)
{
	uint8_t buf[32];
	size_t len;
	(void)state;

	stun_hdr(buf, 12);
	buf[4] = 0;                       /* no magic cookie */
	assert_int_equal(turn_frame_len(buf, 32, &len), EBADMSG);

	stun_hdr(buf, 10);                /* STUN lengths are 4-aligned */
	assert_int_equal(turn_frame_len(buf, 32, &len), EBADMSG);

	buf[0] = 0x80;                    /* 10: neither STUN nor channel */
	assert_int_equal(turn_frame_len(buf, 32, &len), EBADMSG);
	buf[0] = 0xc0;
	assert_int_equal(turn_frame_len(buf, 32, &len), EBADMSG);
}


static void test_channel_padding(void **state)
{
	uint8_t buf[32] = {0x40, 0x00, 0x00, 0x05};
	size_t len = 0;
	(void)state;

	/* 5 bytes of data padded to 8 over TCP */
	assert_int_equal(turn_frame_len(buf, 11, &len), ENODATA);
	assert_int_equal(turn_frame_len(buf, 12, &len), 0);
	assert_int_equal(len, 12);

	buf[3] = 8;                       /* already aligned */
	assert_int_equal(turn_frame_len(buf, 32, &len), 0);
	assert_int_equal(len, 12);

	buf[0] = 0x7f; buf[1] = 0xff; buf[3] = 0;   /* empty, top channel */
	assert_int_equal(turn_frame_len(buf, 4, &len), 0);
	assert_int_equal(len, 4);
}


static void test_channel_max(void **state)
{
	static uint8_t buf[4 + 65536];
	size_t len = 0;
	(void)state;

	buf[0] = 0x40; buf[2] = 0xff; buf[3] = 0xff;
	assert_int_equal(turn_frame_len(buf, sizeof(buf) - 1, &len),
			 ENODATA);
	assert_int_equal(turn_frame_len(buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 4 + 65536);
}


static void test_args(void **state)
{
	uint8_t buf[4] = {0};
	size_t len;
	(void)state;

	assert_int_equal(turn_frame_len(NULL, 4, &len), EINVAL);
	assert_int_equal(turn_frame_len(buf, 4, NULL), EINVAL);
	assert_int_equal(turn_frame_len(buf, 0, &len), ENODATA);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stun_whole),
		cmocka_unit_test(test_stun_partial),
		cmocka_unit_test(test_stun_bad),
		cmocka_unit_test(test_channel_padding),
		cmocka_unit_test(test_channel_max),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
