/** @file tests/unit/test_srtp.c  a=crypto parse/format, SRTP protect */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/call_srtp.h"

/* 30 bytes 0x00..0x1d in base64 */
static const char key_b64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";


static void key_seq(uint8_t *k, uint8_t first)
{
	size_t i;

	for (i = 0; i < CALL_SRTP_KEYSALT; i++)
		k[i] = (uint8_t)(first + i);
}


static int decode_fmt(struct call_crypto *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)re_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	return call_crypto_decode(c, line);
}


static void test_decode_good(void **state)
{
	struct call_crypto c;
	uint8_t want[CALL_SRTP_KEYSALT];
	(void)state;

	key_seq(want, 0);

	assert_int_equal(decode_fmt(&c, "1 AES_CM_128_HMAC_SHA1_80 inline:%s",
				    key_b64), 0);
	assert_int_equal(c.tag, 1);
	assert_int_equal(c.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_memory_equal(c.keysalt, want, sizeof(want));
	assert_int_equal(c.lifetime, 0);
	assert_int_equal(c.mki_len, 0);

	assert_int_equal(decode_fmt(&c, "42  AES_CM_128_HMAC_SHA1_32\t"
				    "inline:%s|2^31|7:4 WSH=64 KDR=0",
				    key_b64), 0);
	assert_int_equal(c.tag, 42);
	assert_int_equal(c.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	assert_true(c.lifetime == (uint64_t)1 << 31);
	assert_int_equal(c.mki, 7);
	assert_int_equal(c.mki_len, 4);

	/* MKI alone, and a decimal lifetime alone */
	assert_int_equal(decode_fmt(&c, "3 AES_CM_128_HMAC_SHA1_80 "
				    "inline:%s|1:1", key_b64), 0);
	assert_int_equal(c.lifetime, 0);
	assert_int_equal(c.mki_len, 1);
	assert_int_equal(decode_fmt(&c, "999999999 AES_CM_128_HMAC_SHA1_80 "
				    "inline:%s|1048576", key_b64), 0);
	assert_int_equal(c.tag, 999999999);
	assert_true(c.lifetime == 1048576);
}


static void test_decode_bad(void **state)
{
	static const struct {
		const char *fmt;
		int err;
	} bad[] = {
		{"", EBADMSG},
		{"1", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80", EBADMSG},          /* no key */
		{"1 AES_CM_128_HMAC_SHA1_80 inline:", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%sA", EBADMSG},
		/* 32 bytes, as AES-256 would have */
		{"1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx==", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:"
		 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw*", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 uri:%s", EBADMSG},
		{"x AES_CM_128_HMAC_SHA1_80 inline:%s", EBADMSG},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:%s", EBADMSG},
		{" 1 AES_CM_128_HMAC_SHA1_80 inline:%s", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^49", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|0", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|1:0", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|1:129", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|1:1|2^20", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^20|2^20", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|2^20|1:1|1", EBADMSG},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s|a:1", EBADMSG},
		{"1 AES_256_CM_HMAC_SHA1_80 inline:%s", ENOTSUP},
		{"1 F8_128_HMAC_SHA1_80 inline:%s", ENOTSUP},
		{"1 aes_cm_128_hmac_sha1_80 inline:%s", ENOTSUP},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s;inline:%s", ENOTSUP},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s UNENCRYPTED_SRTP",
		 ENOTSUP},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s KDR=2", ENOTSUP},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:%s WSH=", ENOTSUP},
	};
	struct call_crypto c;
	size_t i;
	(void)state;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = decode_fmt(&c, bad[i].fmt, key_b64, key_b64);

		if (err != bad[i].err)
			fail_msg("case %zu \"%s\": %d", i, bad[i].fmt, err);

		/* a refused line leaves no key behind */
		if (bad[i].err == EBADMSG) {
			static const uint8_t zero[CALL_SRTP_KEYSALT];

			assert_memory_equal(c.keysalt, zero, sizeof(zero));
		}
	}

	assert_int_equal(call_crypto_decode(NULL, "1"), EINVAL);
	assert_int_equal(call_crypto_decode(&c, NULL), EINVAL);
}


static void test_encode_roundtrip(void **state)
{
	struct call_crypto c, d;
	char buf[256];
	(void)state;

	memset(&c, 0, sizeof(c));
	c.tag = 7;
	c.suite = CALL_SRTP_AES_CM_128_HMAC_SHA1_32;
	key_seq(c.keysalt, 0);

	(void)re_snprintf(buf, sizeof(buf), "%H", call_crypto_encode, &c);
	assert_string_equal(buf, "7 AES_CM_128_HMAC_SHA1_32 inline:"
			    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd");

	c.lifetime = (uint64_t)1 << 31;
	c.mki = 5;
	c.mki_len = 2;
	(void)re_snprintf(buf, sizeof(buf), "%H", call_crypto_encode, &c);
	assert_non_null(strstr(buf, "|2^31|5:2"));
	assert_int_equal(call_crypto_decode(&d, buf), 0);
	assert_memory_equal(&c, &d, sizeof(c));

	c.suite = CALL_SRTP_NONE;
	assert_int_equal(call_crypto_encode((struct re_printf *)buf, &c),
			 EINVAL);
}


static void test_generate(void **state)
{
	struct call_crypto a, b;
	(void)state;

	assert_int_equal(call_crypto_generate(&a, 1,
				CALL_SRTP_AES_CM_128_HMAC_SHA1_80), 0);
	assert_int_equal(call_crypto_generate(&b, 1,
				CALL_SRTP_AES_CM_128_HMAC_SHA1_80), 0);
	assert_int_equal(a.tag, 1);
	assert_int_equal(a.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_memory_not_equal(a.keysalt, b.keysalt, CALL_SRTP_KEYSALT);

	assert_int_equal(call_crypto_generate(&a, 1, CALL_SRTP_NONE),
			 ENOTSUP);
	assert_int_equal(call_crypto_generate(NULL, 1,
				CALL_SRTP_AES_CM_128_HMAC_SHA1_80), EINVAL);
}


static void test_suite_names(void **state)
{
	struct pl pl;
	(void)state;

	pl_set_str(&pl, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(call_srtp_suite_find(&pl),
			 CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	pl_set_str(&pl, "AES_CM_128_HMAC_SHA1_8");
	assert_int_equal(call_srtp_suite_find(&pl), CALL_SRTP_NONE);
	assert_int_equal(call_srtp_suite_find(NULL), CALL_SRTP_NONE);
	assert_string_equal(call_srtp_suite_name(
				CALL_SRTP_AES_CM_128_HMAC_SHA1_80),
			    "AES_CM_128_HMAC_SHA1_80");
}


/* RTP, PT 0, seq, ts, SSRC 0xcafebabe, 160 bytes of payload */
static size_t rtp_packet(uint8_t *p, uint16_t seq)
{
	size_t i;

	p[0] = 0x80;
	p[1] = 0x00;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memset(p + 4, 0, 4);
	p[4 + 3] = (uint8_t)(seq * 160);
	p[8] = 0xca; p[9] = 0xfe; p[10] = 0xba; p[11] = 0xbe;

	for (i = 0; i < 160; i++)
		p[12 + i] = (uint8_t)(i * 7 + seq);

	return 12 + 160;
}


static void roundtrip(enum call_srtp_suite suite, size_t tag_len)
{
	uint8_t ka[CALL_SRTP_KEYSALT], kb[CALL_SRTP_KEYSALT];
	struct call_srtp *a = NULL, *b = NULL;
	uint8_t plain[256], pkt[256];
	size_t len, plen;
	uint16_t seq;

	key_seq(ka, 1);
	key_seq(kb, 100);
	assert_int_equal(call_srtp_alloc(&a, suite, ka, kb), 0);
	assert_int_equal(call_srtp_alloc(&b, suite, kb, ka), 0);
	assert_int_equal(call_srtp_suite(a), suite);

	for (seq = 1000; seq < 1005; seq++) {
		plen = rtp_packet(plain, seq);
		memcpy(pkt, plain, plen);
		len = plen;

		assert_int_equal(call_srtp_protect(a, pkt, &len,
						   sizeof(pkt)), 0);
		assert_int_equal(len, plen + tag_len);
		assert_memory_equal(pkt, plain, 12);  /* header in clear */
		assert_memory_not_equal(pkt + 12, plain + 12, 160);

		assert_int_equal(call_srtp_unprotect(b, pkt, &len), 0);
		assert_int_equal(len, plen);
		assert_memory_equal(pkt, plain, plen);
	}

	/* b's own direction uses kb: a decrypts it */
	plen = rtp_packet(plain, 7);
	memcpy(pkt, plain, plen);
	len = plen;
	assert_int_equal(call_srtp_protect(b, pkt, &len, sizeof(pkt)), 0);
	assert_int_equal(call_srtp_unprotect(a, pkt, &len), 0);
	assert_memory_equal(pkt, plain, plen);

	mem_deref(a);
	mem_deref(b);
}


static void test_roundtrip_80(void **state)
{
	(void)state;
	roundtrip(CALL_SRTP_AES_CM_128_HMAC_SHA1_80, 10);
}


static void test_roundtrip_32(void **state)
{
	(void)state;
	roundtrip(CALL_SRTP_AES_CM_128_HMAC_SHA1_32, 4);
}


static void test_tamper_replay_wrongkey(void **state)
{
	uint8_t ka[CALL_SRTP_KEYSALT], kb[CALL_SRTP_KEYSALT];
	struct call_srtp *a = NULL, *b = NULL, *c = NULL;
	uint8_t pkt[256], copy[256];
	size_t len, clen;
	(void)state;

	key_seq(ka, 1);
	key_seq(kb, 100);
	assert_int_equal(call_srtp_alloc(&a, CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 ka, kb), 0);
	assert_int_equal(call_srtp_alloc(&b, CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 kb, ka), 0);
	assert_int_equal(call_srtp_alloc(&c, CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 kb, kb), 0);

	len = rtp_packet(pkt, 1);
	assert_int_equal(call_srtp_protect(a, pkt, &len, sizeof(pkt)), 0);
	memcpy(copy, pkt, len);
	clen = len;

	/* one flipped payload bit fails authentication */
	pkt[40] ^= 0x01;
	assert_int_equal(call_srtp_unprotect(b, pkt, &len), EBADMSG);

	/* the wrong key fails, the intact packet passes once */
	memcpy(pkt, copy, clen);
	len = clen;
	assert_int_equal(call_srtp_unprotect(c, pkt, &len), EBADMSG);
	memcpy(pkt, copy, clen);
	len = clen;
	assert_int_equal(call_srtp_unprotect(b, pkt, &len), 0);
	memcpy(pkt, copy, clen);
	len = clen;
	assert_int_equal(call_srtp_unprotect(b, pkt, &len), EALREADY);

	/* too short, and no room for the tag */
	len = 5;
	assert_int_equal(call_srtp_unprotect(b, pkt, &len), EBADMSG);
	len = rtp_packet(pkt, 2);
	assert_int_equal(call_srtp_protect(a, pkt, &len, len + 4),
			 EOVERFLOW);
	assert_int_equal(call_srtp_protect(NULL, pkt, &len, sizeof(pkt)),
			 EINVAL);

	mem_deref(a);
	mem_deref(b);
	mem_deref(c);
}


static void test_rtcp(void **state)
{
	static const uint8_t rr[] = {   /* RR, no report blocks */
		0x80, 0xc9, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe,
	};
	uint8_t ka[CALL_SRTP_KEYSALT], kb[CALL_SRTP_KEYSALT];
	struct call_srtp *a = NULL, *b = NULL;
	uint8_t *pkt;
	size_t len;
	(void)state;

	key_seq(ka, 1);
	key_seq(kb, 100);
	assert_int_equal(call_srtp_alloc(&a, CALL_SRTP_AES_CM_128_HMAC_SHA1_32,
					 ka, kb), 0);
	assert_int_equal(call_srtp_alloc(&b, CALL_SRTP_AES_CM_128_HMAC_SHA1_32,
					 kb, ka), 0);

	/* exactly the room we ask for: ASan sees any write beyond it */
	pkt = mem_alloc(sizeof(rr) + CALL_SRTP_TRAILER, NULL);
	assert_non_null(pkt);
	memcpy(pkt, rr, sizeof(rr));
	len = sizeof(rr);

	assert_int_equal(call_srtp_protect_rtcp(a, pkt, &len,
					sizeof(rr) + CALL_SRTP_TRAILER), 0);
	assert_int_equal(len, sizeof(rr) + 4 + 10);  /* E|index, 80 bit */
	assert_int_equal(call_srtp_unprotect_rtcp(b, pkt, &len), 0);
	assert_int_equal(len, sizeof(rr));
	assert_memory_equal(pkt, rr, sizeof(rr));

	mem_deref(pkt);
	mem_deref(a);
	mem_deref(b);
}


static void hex(uint8_t *out, const char *s)
{
	size_t i;

	for (i = 0; s[2 * i]; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}


/*
 * RFC 3711 Appendix B.3 gives the session keys derived from one master
 * key and salt. libsrtp2 keeps them private, so check them through a
 * packet: encrypt with libsrtp2 under the master key, then redo AES-CM
 * and HMAC-SHA1 by hand (libre) with the RFC's session keys.
 */
static void test_rfc3711_b3_key_derivation(void **state)
{
	uint8_t master[CALL_SRTP_KEYSALT], ckey[16], csalt[14], akey[20];
	uint8_t plain[256], pkt[256], want[256], iv[16], mac[20];
	struct call_srtp *s = NULL;
	struct aes *aes = NULL;
	size_t len, plen, i;
	(void)state;

	hex(master, "E1F97A0D3E018BE0D64FA32C06DE4139"
	    "0EC675AD498AFEEBB6960B3AABE6");
	hex(ckey, "C61E7A93744F39EE10734AFE3FF7A087");
	hex(csalt, "30CBBC08863D8C85D49DB34A9AE1");
	hex(akey, "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");

	assert_int_equal(call_srtp_alloc(&s, CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
					 master, master), 0);

	plen = rtp_packet(plain, 0x1234);
	memcpy(pkt, plain, plen);
	len = plen;
	assert_int_equal(call_srtp_protect(s, pkt, &len, sizeof(pkt)), 0);
	assert_int_equal(len, plen + 10);

	/* IV = salt<<16 ^ SSRC<<64 ^ index<<16 (RFC 3711 4.1.1), ROC 0 */
	memset(iv, 0, sizeof(iv));
	memcpy(iv, csalt, sizeof(csalt));
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= plain[8 + i];
	iv[12] ^= plain[2];
	iv[13] ^= plain[3];

	memcpy(want, plain, plen);
	assert_int_equal(aes_alloc(&aes, AES_MODE_CTR, ckey, 128, iv), 0);
	assert_int_equal(aes_encr(aes, want + 12, plain + 12, plen - 12), 0);
	assert_memory_equal(pkt, want, plen);

	/* tag: HMAC-SHA1 over packet || ROC, first 80 bits */
	memset(want + plen, 0, 4);
	hmac_sha1(akey, sizeof(akey), want, plen + 4, mac, sizeof(mac));
	assert_memory_equal(pkt + plen, mac, 10);

	mem_deref(aes);
	mem_deref(s);
}


static void test_alloc_args(void **state)
{
	uint8_t k[CALL_SRTP_KEYSALT] = {0};
	struct call_srtp *s = NULL;
	(void)state;

	assert_int_equal(call_srtp_alloc(NULL,
			 CALL_SRTP_AES_CM_128_HMAC_SHA1_80, k, k), EINVAL);
	assert_int_equal(call_srtp_alloc(&s,
			 CALL_SRTP_AES_CM_128_HMAC_SHA1_80, NULL, k), EINVAL);
	assert_int_equal(call_srtp_alloc(&s, CALL_SRTP_NONE, k, k), ENOTSUP);
	assert_null(s);
	assert_int_equal(call_srtp_suite(NULL), CALL_SRTP_NONE);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_suite_names),
		cmocka_unit_test(test_roundtrip_80),
		cmocka_unit_test(test_roundtrip_32),
		cmocka_unit_test(test_tamper_replay_wrongkey),
		cmocka_unit_test(test_rtcp),
		cmocka_unit_test(test_rfc3711_b3_key_derivation),
		cmocka_unit_test(test_alloc_args),
	};

	assert_int_equal(call_srtp_init(), 0);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
