/**
 * @file test_clip.c  Caller ID: messages, checksums, FSK bit layout,
 * phase continuity, level, DTMF CLIP
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <re.h>

#include "dsp/clip.h"
#include "dsp/dtmf_det.h"
#include "dsp/fsk.h"

enum { SEC = 8000 };

static int16_t buf[4 * SEC], ref[4 * SEC];

static const struct clip_caller alice = {
	.month = 12, .day = 5, .hour = 9, .minute = 7,
	.number = "5551234", .name = "Alice Example",
};


static void check_sum_zero(const struct clip_msg *m)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < m->len; i++)
		sum = (uint8_t)(sum + m->b[i]);
	assert_int_equal(sum, 0);
	assert_int_equal(m->b[1], m->len - 3);
}


/* The SDMF example of Bell GR-30 (and many app notes): sum 0x51 */
static void test_checksum(void **state)
{
	static const uint8_t msg[] = {
		0x04, 0x12, '0', '9', '3', '0', '1', '2', '2', '4',
		'6', '0', '9', '5', '5', '5', '1', '2', '1', '2',
	};

	(void)state;
	assert_int_equal(clip_checksum(msg, sizeof(msg)), 0x51);
	assert_int_equal(clip_checksum(msg, 0), 0x00);
}


static void test_sdmf(void **state)
{
	static const uint8_t want[] = {
		0x04, 0x0f, '1', '2', '0', '5', '0', '9', '0', '7',
		'5', '5', '5', '1', '2', '3', '4',
	};
	struct clip_caller c = alice;
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_sdmf(&m, &alice), 0);
	assert_int_equal(m.len, sizeof(want) + 1);
	assert_memory_equal(m.b, want, sizeof(want));
	check_sum_zero(&m);

	/* 10 digits at most: the last ten */
	strcpy(c.number, "0049305551234");
	assert_int_equal(clip_msg_sdmf(&m, &c), 0);
	assert_int_equal(m.b[1], 18);
	assert_memory_equal(m.b + 10, "9305551234", 10);

	c.number[0] = '\0';
	c.absent = CLIP_PRIVATE;
	assert_int_equal(clip_msg_sdmf(&m, &c), 0);
	assert_int_equal(m.b[1], 9);
	assert_int_equal(m.b[10], 'P');
	check_sum_zero(&m);
}


static void test_mdmf(void **state)
{
	static const uint8_t want[] = {
		0x80, 0x22, 0x01, 0x08, '1', '2', '0', '5', '0', '9', '0',
		'7', 0x02, 0x07, '5', '5', '5', '1', '2', '3', '4', 0x07,
		0x0d, 'A', 'l', 'i', 'c', 'e', ' ', 'E', 'x', 'a', 'm', 'p',
		'l', 'e',
	};
	static const uint8_t priv[] = {
		0x04, 0x01, 'P', 0x08, 0x01, 'P',
	};
	static const uint8_t unav[] = {
		0x04, 0x01, 'O', 0x08, 0x01, 'O',
	};
	struct clip_caller c = alice;
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	assert_int_equal(m.len, sizeof(want) + 1);
	assert_memory_equal(m.b, want, sizeof(want));
	check_sum_zero(&m);

	/* a number without a name: the name is unavailable */
	c.name[0] = '\0';
	assert_int_equal(clip_msg_mdmf(&m, &c), 0);
	assert_memory_equal(m.b + 21, "\x08\x01O", 3);
	check_sum_zero(&m);

	/* private: both absent, 'P', even if a name came along */
	strcpy(c.name, "Hidden");
	c.number[0] = '\0';
	c.absent = CLIP_PRIVATE;
	assert_int_equal(clip_msg_mdmf(&m, &c), 0);
	assert_int_equal(m.b[1], 16);
	assert_memory_equal(m.b + 12, priv, sizeof(priv));
	check_sum_zero(&m);

	/* nothing known: unavailable */
	memset(&c, 0, sizeof(c));
	assert_int_equal(clip_msg_mdmf(&m, &c), 0);
	assert_memory_equal(m.b + 2, "\x01\x08" "00000000", 10);
	assert_memory_equal(m.b + 12, unav, sizeof(unav));
}


static void test_mdmf_builder(void **state)
{
	static const uint8_t want[] = { 0x82, 0x03, 0x0b, 0x01, 0xff, 0x70 };
	uint8_t big[200] = { 0 };
	struct clip_msg m;

	(void)state;
	assert_int_equal(clip_msg_mwi(&m, true), 0);
	assert_int_equal(m.len, sizeof(want));
	assert_memory_equal(m.b, want, sizeof(want));
	assert_int_equal(clip_msg_mwi(&m, false), 0);
	assert_int_equal(m.b[4], 0x00);
	check_sum_zero(&m);

	/* 255 bytes of parameters at most: 202 + 52 fit, 3 more do not */
	clip_mdmf_begin(&m, CLIP_MSG_MDMF);
	clip_mdmf_param(&m, 0x10, big, sizeof(big));
	clip_mdmf_param(&m, 0x11, big, 51);
	assert_int_equal(clip_mdmf_end(&m), 0);
	assert_int_equal(m.b[1], 255);
	check_sum_zero(&m);
	clip_mdmf_begin(&m, CLIP_MSG_MDMF);
	clip_mdmf_param(&m, 0x10, big, sizeof(big));
	clip_mdmf_param(&m, 0x11, big, 52);
	assert_int_equal(clip_mdmf_end(&m), EOVERFLOW);
	assert_int_equal(clip_msg_mdmf(NULL, &alice), EINVAL);
}


static void test_name_ascii(void **state)
{
	char out[8];

	(void)state;
	clip_name_ascii(out, sizeof(out), "J\xc3\xbcrgen");
	assert_string_equal(out, "J?rgen");
	clip_name_ascii(out, sizeof(out), "a\tb\x7f\xe2\x82\xacxyzzy");
	assert_string_equal(out, "a b ?xy");
	clip_name_ascii(out, sizeof(out), NULL);
	assert_string_equal(out, "");
}


/* The bit clock: 6, 7, 7 samples, 8000 samples for 1200 bits */
static void test_bit_clock(void **state)
{
	struct fsk_mod mod;
	size_t n = 0;

	(void)state;
	assert_int_equal(fsk_samples(1200), SEC);
	fsk_mod_init(&mod, FSK_BELL202, 0);
	assert_int_equal(fsk_mod_bit(&mod, 1, buf), 6);
	assert_int_equal(fsk_mod_bit(&mod, 1, buf), 7);
	assert_int_equal(fsk_mod_bit(&mod, 1, buf), 7);
	for (int i = 3; i < 1200; i++)
		n += fsk_mod_bit(&mod, i & 1, buf);
	assert_int_equal(n + 20, SEC);
}


/* The bits a transmission must carry, in order (off-hook: type II) */
static size_t expected_bits(uint8_t *bits, enum fsk_std std,
			    const struct clip_msg *m, bool offhook)
{
	size_t n = 0, i;
	int b;

	for (i = 0; !offhook && i < 300; i++)
		bits[n++] = i & 1;
	for (i = 0; i < (std == FSK_V23 || offhook ? 80u : 180u); i++)
		bits[n++] = 1;
	for (i = 0; i < m->len; i++) {
		bits[n++] = 0;
		for (b = 0; b < 8; b++)
			bits[n++] = (m->b[i] >> b) & 1;
		bits[n++] = 1;
	}
	for (i = 0; i < 10; i++)
		bits[n++] = 1;

	return n;
}


/*
 * The reference written here: one phase integrated over every sample,
 * the frequency of the bit the sample belongs to. Equal samples mean
 * the bit layout, the bit timing and the continuous phase are right.
 */
static void check_waveform(enum fsk_std std, double mark, double space,
			   bool offhook)
{
	static uint8_t bits[4000];
	const double amp = 22657.0 * pow(10.0, -13.5 / 20.0);
	double ph = 0.0, peak = 0.0;
	struct clip_msg m;
	size_t nb, n, i, k = 0;

	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	nb = expected_bits(bits, std, &m, offhook);
	if (offhook) {
		n = clip_fsk_render_offhook(buf, ARRAY_SIZE(buf), std, &m,
					    CLIP_LEVEL_CDB);
		assert_int_equal(n, clip_fsk_samples_offhook(m.len));
	}
	else {
		n = clip_fsk_render(buf, ARRAY_SIZE(buf), std, &m,
				    CLIP_LEVEL_CDB);
		assert_int_equal(n, clip_fsk_samples(std, m.len));
	}
	assert_int_equal(n, nb * 20 / 3);

	for (i = 0; i < n; i++) {
		while ((k + 1) * 20 / 3 <= i)
			++k;
		ref[i] = (int16_t)lrint(amp * sin(ph));
		ph += 2 * M_PI * (bits[k] ? mark : space) / SEC;
		if (fabs((double)buf[i]) > peak)
			peak = fabs((double)buf[i]);
		if (abs(buf[i] - ref[i]) > 1)
			fail_msg("sample %zu (bit %zu): %d, want %d", i, k,
				 buf[i], ref[i]);
	}

	/* -13.5 dBm0: peak 4788.5 */
	assert_true(peak > 4700 && peak <= 4789);

	/* too small a buffer: nothing */
	assert_int_equal(clip_fsk_render(buf, n - 1, std, &m, 0), 0);
	assert_int_equal(clip_fsk_render_offhook(buf, n - 1, std, &m, 0),
			 offhook ? 0 : clip_fsk_samples_offhook(m.len));
}


static void test_fsk_bell202(void **state)
{
	(void)state;
	check_waveform(FSK_BELL202, 1200, 2200, false);
	check_waveform(FSK_BELL202, 1200, 2200, true);
}


static void test_fsk_v23(void **state)
{
	(void)state;
	check_waveform(FSK_V23, 1300, 2100, false);
	check_waveform(FSK_V23, 1300, 2100, true);
}


/* Goertzel amplitude of @p f in @p s (the reference, as test_tone.c) */
static double amp_at(const int16_t *s, size_t n, double f)
{
	const double c = 2.0 * cos(2.0 * M_PI * f / SEC);
	double q1 = 0, q2 = 0;

	for (size_t i = 0; i < n; i++) {
		double q0 = c * q1 - q2 + s[i];

		q2 = q1;
		q1 = q0;
	}

	return 2.0 * sqrt(q1 * q1 + q2 * q2 - c * q1 * q2) / n;
}


/* The CAS: 80 ms of 2130 + 2750 Hz at -15 dBm0 each, nothing else */
static void test_cas(void **state)
{
	const double want = 22657.0 * pow(10.0, -15.0 / 20.0);
	size_t n;

	(void)state;
	n = clip_cas_render(buf, ARRAY_SIZE(buf), CLIP_CAS_CDB);
	assert_int_equal(n, 640);
	assert_int_equal(n, clip_cas_samples());
	assert_true(fabs(amp_at(buf, n, 2130) - want) < want * 0.05);
	assert_true(fabs(amp_at(buf, n, 2750) - want) < want * 0.05);
	assert_true(amp_at(buf, n, 1000) < want * 0.02);
	assert_int_equal(clip_cas_render(buf, n - 1, CLIP_CAS_CDB), 0);
}


/* No jump between samples beyond what the higher tone makes itself */
static void test_phase_continuity(void **state)
{
	const double amp = 22657.0 * pow(10.0, -13.5 / 20.0);
	const double lim = 2 * amp * sin(M_PI * 2200 / SEC) + 2;
	struct clip_msg m;
	size_t n, i;

	(void)state;
	assert_int_equal(clip_msg_mdmf(&m, &alice), 0);
	n = clip_fsk_render(buf, ARRAY_SIZE(buf), FSK_BELL202, &m,
			    CLIP_LEVEL_CDB);
	for (i = 1; i < n; i++)
		assert_true(fabs((double)buf[i] - buf[i - 1]) <= lim);
}


struct keys {
	char got[32];
	size_t n;
};


static void key_h(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct keys *k = arg;

	(void)dur_ms;
	if (!end && k->n < sizeof(k->got) - 1)
		k->got[k->n++] = key;
}


static void check_dtmf(const struct clip_caller *c, const char *want)
{
	struct dtmf_det *det = NULL;
	struct keys k = { .n = 0 };
	char keys[CLIP_DTMF_KEYS];
	size_t n;

	assert_int_equal(clip_dtmf_keys(keys, sizeof(keys), c),
			 strlen(want));
	assert_string_equal(keys, want);
	n = clip_dtmf_render(buf, ARRAY_SIZE(buf), keys, CLIP_DTMF_CDB);
	assert_int_equal(n, clip_dtmf_samples(keys));
	assert_int_equal(n, strlen(want) * 140 * 8);

	assert_int_equal(dtmf_det_alloc(&det, key_h, &k), 0);
	dtmf_det_process(det, buf, n);
	memset(buf, 0, 800 * sizeof(buf[0]));
	dtmf_det_process(det, buf, 800);
	mem_deref(det);
	assert_string_equal(k.got, want);
}


static void test_dtmf(void **state)
{
	struct clip_caller c = alice;

	(void)state;
	check_dtmf(&alice, "A5551234C");
	c.number[0] = '\0';
	check_dtmf(&c, "B00C");
	c.absent = CLIP_PRIVATE;
	check_dtmf(&c, "B10C");
	assert_int_equal(clip_dtmf_render(buf, ARRAY_SIZE(buf), "AX", 0), 0);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_sdmf),
		cmocka_unit_test(test_mdmf),
		cmocka_unit_test(test_mdmf_builder),
		cmocka_unit_test(test_name_ascii),
		cmocka_unit_test(test_bit_clock),
		cmocka_unit_test(test_fsk_bell202),
		cmocka_unit_test(test_fsk_v23),
		cmocka_unit_test(test_phase_continuity),
		cmocka_unit_test(test_cas),
		cmocka_unit_test(test_dtmf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
