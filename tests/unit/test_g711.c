/** @file test_g711.c  G.711 against values derived from the standard */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "dsp/g711.h"

/*
 * The expected values are computed here from the G.711 tables' structure
 * (sign, segment, mantissa), not from the implementation's formula.
 */

/* mu-law: 14-bit magnitude ((2m + 33) << s) - 33, scaled to 16 bits */
static int ulaw_expect(unsigned c)
{
	unsigned inv = ~c & 0xff;
	int seg = (inv >> 4) & 7, mant = inv & 15;
	int mag = ((2 * mant + 33) << seg) - 33;

	return (c & 0x80) ? 4 * mag : -4 * mag;
}

/* A-law: 13-bit magnitude 2m + 1 or (2m + 33) << (s - 1), to 16 bits */
static int alaw_expect(unsigned c)
{
	unsigned x = c ^ 0x55;
	int seg = (x >> 4) & 7, mant = x & 15;
	int mag = seg ? (2 * mant + 33) << (seg - 1) : 2 * mant + 1;

	return (x & 0x80) ? 8 * mag : -8 * mag;
}

/* Slow encoders: linear search of the G.711 decision intervals */
static uint8_t ulaw_ref(int16_t x)
{
	static const int seg_lo[8] = {-1, 31, 95, 223, 479, 991, 2015, 4063};
	int s14 = x >> 2;
	int neg = s14 < 0;
	int mag = neg ? -s14 - 1 : s14;
	int k, best = 0;

	for (k = 0; k < 128; k++) {
		int seg = k >> 4, mant = k & 15;

		if (seg_lo[seg] + (2 << seg) * mant <= mag)
			best = k;
	}

	return (uint8_t)((best ^ 0x7f) | (neg ? 0 : 0x80));
}

static uint8_t alaw_ref(int16_t x)
{
	static const int seg_lo[8] = {0, 32, 64, 128, 256, 512, 1024, 2048};
	int s13 = x >> 3;
	int neg = s13 < 0;
	int mag = neg ? -s13 - 1 : s13;
	int k, best = 0;

	for (k = 0; k < 128; k++) {
		int seg = k >> 4, mant = k & 15;
		int step = seg ? 1 << seg : 2;

		if (seg_lo[seg] + step * mant <= mag)
			best = k;
	}

	return (uint8_t)((best | (neg ? 0 : 0x80)) ^ 0x55);
}

static void test_ulaw_decode_all(void **state)
{
	int16_t out[256];
	uint8_t in[256];
	unsigned c;
	(void)state;

	for (c = 0; c < 256; c++)
		in[c] = (uint8_t)c;
	g711_ulaw_decode(out, in, 256);

	for (c = 0; c < 256; c++) {
		assert_int_equal(out[c], ulaw_expect(c));
		assert_int_equal(g711_ulaw_dec1((uint8_t)c), out[c]);
	}

	/* the well-known points of G.711 Table 2a */
	assert_int_equal(g711_ulaw_dec1(0xff), 0);
	assert_int_equal(g711_ulaw_dec1(0x7f), 0);
	assert_int_equal(g711_ulaw_dec1(0x80), 32124);
	assert_int_equal(g711_ulaw_dec1(0x00), -32124);
	assert_int_equal(g711_ulaw_dec1(0xfe), 8);
	assert_int_equal(g711_ulaw_dec1(0xef), 132);
}

/* Block decode of every length 0..9 at every offset: the unrolled
   body and its tail agree with the one-word decoders, nothing past n */
static void test_decode_lengths(void **state)
{
	int16_t out[16];
	uint8_t in[16];
	(void)state;

	for (size_t c = 0; c < sizeof(in); c++)
		in[c] = (uint8_t)(c * 37 + 5);

	for (size_t n = 0; n < 10; n++) {
		for (size_t k = 0; k < 16; k++)
			out[k] = 0x5555;
		g711_ulaw_decode(out, in + 3, n);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(out[k], g711_ulaw_dec1(in[3 + k]));
		assert_int_equal(out[n], 0x5555);

		g711_alaw_decode(out, in + 1, n);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(out[k], g711_alaw_dec1(in[1 + k]));
		assert_int_equal(out[n], 0x5555);
	}
}

static void test_alaw_decode_all(void **state)
{
	int16_t out[256];
	uint8_t in[256];
	unsigned c;
	(void)state;

	for (c = 0; c < 256; c++)
		in[c] = (uint8_t)c;
	g711_alaw_decode(out, in, 256);

	for (c = 0; c < 256; c++) {
		assert_int_equal(out[c], alaw_expect(c));
		assert_int_equal(g711_alaw_dec1((uint8_t)c), out[c]);
	}

	assert_int_equal(g711_alaw_dec1(0xd5), 8);
	assert_int_equal(g711_alaw_dec1(0x55), -8);
	assert_int_equal(g711_alaw_dec1(0xaa), 32256);
	assert_int_equal(g711_alaw_dec1(0x2a), -32256);
}

static void test_ulaw_roundtrip(void **state)
{
	unsigned c;
	(void)state;

	for (c = 0; c < 256; c++) {
		uint8_t back = g711_ulaw_enc1(g711_ulaw_dec1((uint8_t)c));

		/*
		 * Negative zero 0x7f decodes to 0, and G.711 codes a zero
		 * input as positive zero 0xff; every other word is exact.
		 */
		if (c == 0x7f)
			assert_int_equal(back, 0xff);
		else
			assert_int_equal(back, c);
	}

	/* the ones' complement view: -1 is the negative zero interval */
	assert_int_equal(g711_ulaw_enc1(0), 0xff);
	assert_int_equal(g711_ulaw_enc1(-1), 0x7f);
	assert_int_equal(g711_ulaw_enc1(32767), 0x80);
	assert_int_equal(g711_ulaw_enc1(-32768), 0x00);
}

static void test_alaw_roundtrip(void **state)
{
	unsigned c;
	(void)state;

	for (c = 0; c < 256; c++) {
		int16_t lin = g711_alaw_dec1((uint8_t)c);

		assert_int_equal(g711_alaw_enc1(lin), c);
	}

	assert_int_equal(g711_alaw_enc1(0), 0xd5);
	assert_int_equal(g711_alaw_enc1(-1), 0x55);
	assert_int_equal(g711_alaw_enc1(32767), 0xaa);
	assert_int_equal(g711_alaw_enc1(-32768), 0x2a);
}

static void test_encode_every_sample(void **state)
{
	static int16_t lin[65536];
	static uint8_t ul[65536], al[65536];
	long i;
	(void)state;

	for (i = 0; i < 65536; i++)
		lin[i] = (int16_t)(i - 32768);

	g711_ulaw_encode(ul, lin, 65536);
	g711_alaw_encode(al, lin, 65536);

	for (i = 0; i < 65536; i++) {
		if (ul[i] != ulaw_ref(lin[i]) || al[i] != alaw_ref(lin[i]))
			fail_msg("sample %d: ulaw %02x/%02x alaw %02x/%02x",
				 lin[i], ul[i], ulaw_ref(lin[i]),
				 al[i], alaw_ref(lin[i]));
		assert_int_equal(g711_ulaw_enc1(lin[i]), ul[i]);
		assert_int_equal(g711_alaw_enc1(lin[i]), al[i]);
	}
}

static void test_monotonic(void **state)
{
	int prev_u = -32768, prev_a = -32768;
	long i;
	(void)state;

	for (i = -32768; i <= 32767; i++) {
		int u = g711_ulaw_dec1(g711_ulaw_enc1((int16_t)i));
		int a = g711_alaw_dec1(g711_alaw_enc1((int16_t)i));

		assert_true(u >= prev_u);
		assert_true(a >= prev_a);
		/* the reconstruction stays within one step of the input */
		assert_true(abs(u - (int)i) <= 1024 + 4);
		assert_true(abs(a - (int)i) <= 1024 + 8);
		prev_u = u;
		prev_a = a;
	}
}

static void test_empty_block(void **state)
{
	uint8_t b = 0x42;
	int16_t s = 7;
	(void)state;

	g711_ulaw_encode(&b, &s, 0);
	g711_alaw_decode(&s, &b, 0);
	assert_int_equal(b, 0x42);
	assert_int_equal(s, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ulaw_decode_all),
		cmocka_unit_test(test_alaw_decode_all),
		cmocka_unit_test(test_decode_lengths),
		cmocka_unit_test(test_ulaw_roundtrip),
		cmocka_unit_test(test_alaw_roundtrip),
		cmocka_unit_test(test_encode_every_sample),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_empty_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
