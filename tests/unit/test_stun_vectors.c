/** @file test_stun_vectors.c  RFC 5769 STUN test vectors through libre */
/*
 * The four messages of RFC 5769 (sample request, IPv4 and IPv6 success
 * responses, request with long-term credentials) are decoded with libre's
 * stun_msg_decode; the attributes the RFC lists are compared, and
 * MESSAGE-INTEGRITY and FINGERPRINT are checked with the RFC's keys.
 * Negative cases: one flipped byte breaks the integrity, a truncated
 * message does not decode.
 *
 * Data: $ATA_TESTDATA/rfc5769/ (ATA_TESTDATA defaults to ../shared/
 * testdata beside the repo, found from this binary's path, which is
 * BUILD/tests/unit/ under the repo root). Missing files skip the test.
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

enum {
	MAX_MSG = 1024,
	XOR_PORT = 32853,
};

/* RFC 5769 2.1-2.3: the short-term credential password */
static const char short_term_pwd[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 2.4: "<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>" */
static const char ltc_user[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa"
			       "\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
static const char ltc_realm[] = "example.org";
static const char ltc_nonce[] = "f//499k954d6OL34oL9FSTvy64sA";
/* SASLprep("The<U+00AD>M<U+00AA>tr<U+2168>"), RFC 5769 2.4 */
static const char ltc_pwd[] = "TheMatrIX";

static const uint8_t tid_short[12] = {
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
	0xfa, 0x87, 0xdf, 0xae,
};
static const uint8_t tid_ltc[12] = {
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0,
	0x29, 0xda, 0x41, 0x2e,
};

struct vec {
	uint8_t buf[MAX_MSG];
	size_t len;
};


static int data_dir(char *dir, size_t size)
{
	const char *env = getenv("ATA_TESTDATA");
	char self[512];
	ssize_t n;
	int i;

	if (env && *env)
		return re_snprintf(dir, size, "%s/rfc5769", env) < 0;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';

	/* BUILD/tests/unit/test_stun_vectors -> repo root */
	for (i = 0; i < 4; i++) {
		char *slash = strrchr(self, '/');

		if (!slash)
			return 1;
		*slash = '\0';
	}

	return re_snprintf(dir, size, "%s/../shared/testdata/rfc5769",
			   self) < 0;
}


/* Read NAME into v, or skip the test: the data lives outside the repo */
static void load(struct vec *v, const char *name)
{
	char dir[512], path[600];
	FILE *f;

	if (data_dir(dir, sizeof(dir)) ||
	    re_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0) {
		print_message("cannot build the path of %s\n", name);
		skip();
	}

	f = fopen(path, "rb");
	if (!f) {
		print_message("no test vector %s (set ATA_TESTDATA)\n", path);
		skip();
	}

	v->len = fread(v->buf, 1, sizeof(v->buf), f);
	fclose(f);
	assert_true(v->len >= 20);
	assert_true(v->len < sizeof(v->buf));
}


/* Decode a copy in an mbuf of exactly len bytes: ASan sees overreads */
static int decode(struct stun_msg **msgp, const uint8_t *p, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len ? len : 1);
	int err;

	assert_non_null(mb);
	assert_int_equal(mbuf_write_mem(mb, p, len), 0);
	mb->pos = 0;
	err = stun_msg_decode(msgp, mb, NULL);
	mem_deref(mb);

	return err;
}


static void assert_str_attr(const struct stun_msg *msg, uint16_t type,
			    const char *want)
{
	const struct stun_attr *a = stun_msg_attr(msg, type);

	assert_non_null(a);
	assert_non_null(a->v.str);
	assert_string_equal(a->v.str, want);
}


static void assert_short_term(const struct stun_msg *msg)
{
	const uint8_t *key = (const uint8_t *)short_term_pwd;

	assert_int_equal(stun_msg_chk_mi(msg, key, strlen(short_term_pwd)),
			 0);
	assert_int_not_equal(stun_msg_chk_mi(msg, (const uint8_t *)"x", 1),
			     0);
	assert_int_equal(stun_msg_chk_fingerprint(msg), 0);
}


/* RFC 5769 2.1 */
static void test_request(void **state)
{
	struct stun_msg *msg = NULL;
	const struct stun_attr *a;
	struct vec v;
	(void)state;

	load(&v, "req.bin");
	assert_int_equal(decode(&msg, v.buf, v.len), 0);

	assert_int_equal(stun_msg_class(msg), STUN_CLASS_REQUEST);
	assert_int_equal(stun_msg_method(msg), STUN_METHOD_BINDING);
	assert_true(stun_msg_mcookie(msg));
	assert_memory_equal(stun_msg_tid(msg), tid_short, 12);

	assert_str_attr(msg, STUN_ATTR_SOFTWARE, "STUN test client");
	assert_str_attr(msg, STUN_ATTR_USERNAME, "evtj:h6vY");
	a = stun_msg_attr(msg, STUN_ATTR_PRIORITY);
	assert_non_null(a);
	assert_int_equal(a->v.priority, 0x6e0001ff);
	a = stun_msg_attr(msg, STUN_ATTR_CONTROLLED);
	assert_non_null(a);
	assert_true(a->v.controlled == 0x932ff9b151263b36ULL);

	assert_short_term(msg);
	mem_deref(msg);
}


static void check_response(const char *file, const char *addr)
{
	struct stun_msg *msg = NULL;
	const struct stun_attr *a;
	struct sa want;
	struct vec v;

	load(&v, file);
	assert_int_equal(decode(&msg, v.buf, v.len), 0);

	assert_int_equal(stun_msg_class(msg), STUN_CLASS_SUCCESS_RESP);
	assert_int_equal(stun_msg_method(msg), STUN_METHOD_BINDING);
	assert_memory_equal(stun_msg_tid(msg), tid_short, 12);
	/* "test vector " has its padding (0x20) outside the length */
	assert_str_attr(msg, STUN_ATTR_SOFTWARE, "test vector");

	a = stun_msg_attr(msg, STUN_ATTR_XOR_MAPPED_ADDR);
	assert_non_null(a);
	assert_int_equal(sa_set_str(&want, addr, XOR_PORT), 0);
	assert_int_equal(sa_af(&a->v.xor_mapped_addr), sa_af(&want));
	assert_int_equal(sa_port(&a->v.xor_mapped_addr), XOR_PORT);
	assert_true(sa_cmp(&a->v.xor_mapped_addr, &want, SA_ALL));

	assert_short_term(msg);
	mem_deref(msg);
}


/* RFC 5769 2.2 */
static void test_response_ipv4(void **state)
{
	(void)state;
	check_response("respv4.bin", "192.0.2.1");
}


/* RFC 5769 2.3 */
static void test_response_ipv6(void **state)
{
	(void)state;
	check_response("respv6.bin", "2001:db8:1234:5678:11:2233:4455:6677");
}


/* RFC 5769 2.4: key = MD5(username ":" realm ":" SASLprep(password)) */
static void test_long_term(void **state)
{
	struct stun_msg *msg = NULL;
	uint8_t key[16], wrong[16];
	struct vec v;
	(void)state;

	load(&v, "req_ltc.bin");
	assert_int_equal(decode(&msg, v.buf, v.len), 0);

	assert_int_equal(stun_msg_class(msg), STUN_CLASS_REQUEST);
	assert_int_equal(stun_msg_method(msg), STUN_METHOD_BINDING);
	assert_memory_equal(stun_msg_tid(msg), tid_ltc, 12);
	assert_str_attr(msg, STUN_ATTR_USERNAME, ltc_user);
	assert_str_attr(msg, STUN_ATTR_NONCE, ltc_nonce);
	assert_str_attr(msg, STUN_ATTR_REALM, ltc_realm);
	assert_null(stun_msg_attr(msg, STUN_ATTR_FINGERPRINT));

	assert_int_equal(md5_printf(key, "%s:%s:%s", ltc_user, ltc_realm,
				    ltc_pwd), 0);
	assert_int_equal(stun_msg_chk_mi(msg, key, sizeof(key)), 0);

	/* the password before SASLprep is not the key */
	assert_int_equal(md5_printf(wrong, "%s:%s:%s", ltc_user, ltc_realm,
				    "The\xc2\xad" "M\xc2\xaatr\xe2\x85\xa8"),
			 0);
	assert_int_not_equal(stun_msg_chk_mi(msg, wrong, sizeof(wrong)), 0);

	mem_deref(msg);
}


/* One flipped byte anywhere in an attribute before MESSAGE-INTEGRITY
   breaks the integrity (and the fingerprint) */
static void test_flipped_byte(void **state)
{
	const uint8_t *key = (const uint8_t *)short_term_pwd;
	const size_t keylen = strlen(short_term_pwd);
	struct vec v;
	size_t i;
	(void)state;

	load(&v, "respv4.bin");

	/* header (20) .. start of MESSAGE-INTEGRITY (0x30) */
	for (i = 20; i < 0x30; i++) {
		struct stun_msg *msg = NULL;
		int err;

		v.buf[i] ^= 0x01;
		err = decode(&msg, v.buf, v.len);
		if (!err) {
			assert_int_not_equal(stun_msg_chk_mi(msg, key, keylen),
					     0);
			assert_int_not_equal(stun_msg_chk_fingerprint(msg), 0);
		}
		mem_deref(msg);
		v.buf[i] ^= 0x01;
	}

	/* a flipped SOFTWARE byte still decodes: the check itself fails */
	{
		struct stun_msg *msg = NULL;

		v.buf[0x1c] ^= 0x20;
		assert_int_equal(decode(&msg, v.buf, v.len), 0);
		assert_int_not_equal(stun_msg_chk_mi(msg, key, keylen), 0);
		mem_deref(msg);
		v.buf[0x1c] ^= 0x20;
	}

	/* a flipped bit in the HMAC itself */
	{
		struct stun_msg *msg = NULL;

		v.buf[0x34] ^= 0x80;
		assert_int_equal(decode(&msg, v.buf, v.len), 0);
		assert_int_not_equal(stun_msg_chk_mi(msg, key, keylen), 0);
		mem_deref(msg);
		v.buf[0x34] ^= 0x80;
	}

	/* and back: the pristine message checks out */
	{
		struct stun_msg *msg = NULL;

		assert_int_equal(decode(&msg, v.buf, v.len), 0);
		assert_int_equal(stun_msg_chk_mi(msg, key, keylen), 0);
		mem_deref(msg);
	}
}


/* Every truncation of every vector fails to decode, without a crash
   (run under ASan/valgrind for the "cleanly") */
static void test_truncated(void **state)
{
	static const char *const files[] = {
		"req.bin", "respv4.bin", "respv6.bin", "req_ltc.bin",
	};
	size_t f;
	(void)state;

	for (f = 0; f < ARRAY_SIZE(files); f++) {
		struct vec v;
		size_t len;

		load(&v, files[f]);
		for (len = 0; len < v.len; len++) {
			struct stun_msg *msg = NULL;

			if (!decode(&msg, v.buf, len)) {
				print_message("%s: %zu of %zu bytes decoded\n",
					      files[f], len, v.len);
				mem_deref(msg);
				fail();
			}
			assert_null(msg);
		}
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response_ipv4),
		cmocka_unit_test(test_response_ipv6),
		cmocka_unit_test(test_long_term),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
