/** @file tests/unit/test_sdp_srtp.c  SDES a=crypto offer/answer, policy */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/call_int.h"

static const char key_a[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
static const char key_b[] = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CB";

struct fixture {
	struct call_sdp *cs;
	struct mbuf *out;
	char text[2048];
};


static struct call_sdp *sdp_new(enum call_srtp_policy policy)
{
	struct call_media_conf mc = {
		.rtp_min = 30000, .rtp_max = 30100, .codecc = 1,
		.codecs = {"pcmu"}, .ptime_ms = 20, .telev_pt = 101,
		.srtp = policy,
	};
	struct call_mprefs mp;
	struct call_sdp *cs = NULL;
	struct sa laddr;

	assert_int_equal(call_mprefs_set(&mp, &mc), 0);
	assert_int_equal(sa_set_str(&laddr, "192.0.2.10", 30000), 0);
	assert_int_equal(call_sdp_alloc(&cs, &mp, &laddr), 0);

	return cs;
}


static struct mbuf *sdp_mb(const char *proto, const char *attrs)
{
	struct mbuf *mb = mbuf_alloc(512);

	assert_non_null(mb);
	assert_int_equal(mbuf_printf(mb, "v=0\r\n"
				     "o=- 1 1 IN IP4 198.51.100.7\r\n"
				     "s=-\r\n"
				     "c=IN IP4 198.51.100.7\r\n"
				     "t=0 0\r\n"
				     "m=audio 4000 %s 0\r\n"
				     "a=rtpmap:0 PCMU/8000\r\n"
				     "%s", proto, attrs), 0);
	mb->pos = 0;

	return mb;
}


static const char *mb_text(struct fixture *f, const struct mbuf *mb)
{
	size_t n = mbuf_get_left(mb);

	assert_true(n < sizeof(f->text));
	memcpy(f->text, mbuf_buf(mb), n);
	f->text[n] = '\0';

	return f->text;
}


static int answer(struct fixture *f, const char *proto, const char *attrs)
{
	struct mbuf *mb = sdp_mb(proto, attrs);
	int err;

	f->out = mem_deref(f->out);
	err = call_sdp_answer(f->cs, mb, &f->out);
	mem_deref(mb);

	return err;
}


static int recv_answer(struct fixture *f, const char *proto,
		       const char *attrs)
{
	struct mbuf *mb = sdp_mb(proto, attrs), *offer = NULL;
	int err;

	assert_int_equal(call_sdp_offer(f->cs, &offer), 0);
	mem_deref(offer);
	err = call_sdp_recv_answer(f->cs, mb);
	mem_deref(mb);

	return err;
}


static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.cs = sdp_new(CALL_SRTP_OPTIONAL);
	*state = &f;

	return 0;
}


static int teardown(void **state)
{
	struct fixture *f = *state;

	mem_deref(f->out);
	mem_deref(f->cs);

	return 0;
}


static void use_policy(struct fixture *f, enum call_srtp_policy policy)
{
	mem_deref(f->cs);
	f->cs = sdp_new(policy);
}


/* The n-th a=crypto value in @p s, decoded */
static void nth_crypto(const char *s, unsigned n, struct call_crypto *c)
{
	char line[256];
	const char *p = s, *e;

	do {
		p = strstr(p, "a=crypto:");
		assert_non_null(p);
		p += 9;
	} while (n--);

	e = strstr(p, "\r\n");
	assert_non_null(e);
	assert_true((size_t)(e - p) < sizeof(line));
	memcpy(line, p, e - p);
	line[e - p] = '\0';
	assert_int_equal(call_crypto_decode(c, line), 0);
}


static unsigned count_crypto(const char *s)
{
	unsigned n = 0;

	while ((s = strstr(s, "a=crypto:"))) {
		++n;
		++s;
	}

	return n;
}


/* Our context and the peer's (keys swapped) understand each other */
static void check_keys(struct call_srtp *ours, const struct call_crypto *lc,
		       const char *peer_b64)
{
	struct call_crypto pc;
	struct call_srtp *peer = NULL;
	uint8_t pkt[64] = {0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 1, 2, 3, 4};
	size_t len = 12 + 20;
	char line[128];

	(void)re_snprintf(line, sizeof(line), "1 %s inline:%s",
			  call_srtp_suite_name(lc->suite), peer_b64);
	assert_int_equal(call_crypto_decode(&pc, line), 0);
	assert_int_equal(call_srtp_alloc(&peer, lc->suite, pc.keysalt,
					 lc->keysalt), 0);

	assert_int_equal(call_srtp_protect(ours, pkt, &len, sizeof(pkt)), 0);
	assert_int_equal(call_srtp_unprotect(peer, pkt, &len), 0);
	assert_int_equal(len, 32);
	mem_deref(peer);
}


static void test_optional_offer(void **state)
{
	struct fixture *f = *state;
	struct call_crypto c1, c2;
	struct mbuf *mb = NULL;
	const char *s;

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	s = mb_text(f, mb);
	assert_non_null(strstr(s, "m=audio 30000 RTP/AVP 0 101\r\n"));
	assert_int_equal(count_crypto(s), 2);
	nth_crypto(s, 0, &c1);
	nth_crypto(s, 1, &c2);
	assert_int_equal(c1.tag, 1);
	assert_int_equal(c1.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(c2.tag, 2);
	assert_int_equal(c2.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	assert_memory_not_equal(c1.keysalt, c2.keysalt, CALL_SRTP_KEYSALT);
	mem_deref(mb);
}


static void test_mandatory_and_off_offers(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = NULL;

	use_policy(f, CALL_SRTP_MANDATORY);
	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "RTP/SAVP 0 101\r\n"));
	assert_int_equal(count_crypto(f->text), 2);
	mb = mem_deref(mb);

	use_policy(f, CALL_SRTP_OFF);
	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "RTP/AVP 0 101\r\n"));
	assert_int_equal(count_crypto(f->text), 0);
	mem_deref(mb);
}


/* baresip mediaenc=srtp: RTP/AVP with one _80 line */
static void test_answer_best_effort_offer(void **state)
{
	struct fixture *f = *state;
	const struct call_neg *neg = call_sdp_neg(f->cs);
	struct call_crypto lc;
	char attrs[128];
	const char *s;

	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a);
	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	assert_non_null(neg->srtp);

	s = mb_text(f, f->out);
	assert_non_null(strstr(s, "m=audio 30000 RTP/AVP 0\r\n"));
	assert_int_equal(count_crypto(s), 1);
	nth_crypto(s, 0, &lc);
	assert_int_equal(lc.tag, 1);
	assert_int_equal(lc.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_null(strstr(s, key_a));  /* our own key, not the peer's */
	check_keys(neg->srtp, &lc, key_a);
}


static void test_answer_savp_picks_first_usable(void **state)
{
	struct fixture *f = *state;
	const struct call_neg *neg = call_sdp_neg(f->cs);
	struct call_crypto lc;
	char attrs[512];
	const char *s;

	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AEAD_AES_256_GCM inline:%s\r\n"
			  "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
			  "inline:%s|1:1\r\n"
			  "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:%s\r\n"
			  "a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a, key_a, key_b, key_a);
	assert_int_equal(answer(f, "RTP/SAVP", attrs), 0);

	s = mb_text(f, f->out);
	assert_non_null(strstr(s, "m=audio 30000 RTP/SAVP 0\r\n"));
	assert_int_equal(count_crypto(s), 1);
	nth_crypto(s, 0, &lc);
	assert_int_equal(lc.tag, 3);
	assert_int_equal(lc.suite, CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(call_srtp_suite(neg->srtp),
			 CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	check_keys(neg->srtp, &lc, key_b);
}


static void test_optional_plain_offer(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(answer(f, "RTP/AVP", ""), 0);
	assert_null(call_sdp_neg(f->cs)->srtp);
	assert_int_equal(count_crypto(mb_text(f, f->out)), 0);
}


static void test_bad_crypto_lines_488(void **state)
{
	static const char *bad[] = {
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\r\n",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAEC\r\n",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n",
		"a=crypto:1 NULL_CIPHER inline:"
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n",
		"a=crypto:\r\n",
		"a=crypto\r\n",
	};
	static const enum call_srtp_policy pol[] = {
		CALL_SRTP_OPTIONAL, CALL_SRTP_MANDATORY,
	};
	struct fixture *f = *state;
	size_t i, j;

	for (j = 0; j < ARRAY_SIZE(pol); j++) {
		use_policy(f, pol[j]);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			assert_int_equal(answer(f, "RTP/AVP", bad[i]),
					 EACCES);
			assert_int_equal(answer(f, "RTP/SAVP", bad[i]),
					 EACCES);
			assert_false(call_sdp_neg(f->cs)->ok);
		}
	}

	/* off ignores them in RTP/AVP offers */
	use_policy(f, CALL_SRTP_OFF);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(answer(f, "RTP/AVP", bad[i]), 0);
		assert_null(call_sdp_neg(f->cs)->srtp);
	}
}


static void test_mandatory_answers(void **state)
{
	struct fixture *f = *state;
	char attrs[128];

	use_policy(f, CALL_SRTP_MANDATORY);
	assert_int_equal(answer(f, "RTP/AVP", ""), EACCES);
	assert_false(call_sdp_neg(f->cs)->ok);

	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a);
	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	assert_non_null(call_sdp_neg(f->cs)->srtp);
	assert_non_null(strstr(mb_text(f, f->out), "RTP/AVP 0\r\n"));
	assert_non_null(strstr(f->text, "a=crypto:5 AES_CM_128_HMAC_SHA1_80"));

	/* a later plain re-offer is refused, the agreement stays */
	assert_int_equal(answer(f, "RTP/AVP", ""), EACCES);
	assert_non_null(call_sdp_neg(f->cs)->srtp);
}


static void test_off_answers(void **state)
{
	struct fixture *f = *state;
	char attrs[128];

	use_policy(f, CALL_SRTP_OFF);
	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a);
	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	assert_null(call_sdp_neg(f->cs)->srtp);
	assert_int_equal(count_crypto(mb_text(f, f->out)), 0);

	/* RTP/SAVP cannot be answered in plain */
	assert_int_equal(answer(f, "RTP/SAVP", attrs), EACCES);

	/* as offerer, crypto in the answer is ignored */
	assert_int_equal(recv_answer(f, "RTP/AVP", attrs), 0);
	assert_null(call_sdp_neg(f->cs)->srtp);
}


static void test_reinvite_keeps_or_rekeys(void **state)
{
	struct fixture *f = *state;
	struct call_srtp *first;
	struct call_crypto l1, l2;
	char attrs[128];

	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a);
	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	first = call_sdp_neg(f->cs)->srtp;
	nth_crypto(mb_text(f, f->out), 0, &l1);

	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	assert_ptr_equal(call_sdp_neg(f->cs)->srtp, first);
	nth_crypto(mb_text(f, f->out), 0, &l2);
	assert_memory_equal(l1.keysalt, l2.keysalt, CALL_SRTP_KEYSALT);

	/* the peer re-keys: we get a new context and a new key too */
	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_b);
	assert_int_equal(answer(f, "RTP/AVP", attrs), 0);
	assert_ptr_not_equal(call_sdp_neg(f->cs)->srtp, first);
	nth_crypto(mb_text(f, f->out), 0, &l2);
	assert_memory_not_equal(l1.keysalt, l2.keysalt, CALL_SRTP_KEYSALT);
	check_keys(call_sdp_neg(f->cs)->srtp, &l2, key_b);
}


static void test_offerer_answers(void **state)
{
	struct fixture *f = *state;
	struct call_crypto offered;
	struct mbuf *mb = NULL;
	char attrs[128];

	/* a plain answer is fine with optional */
	assert_int_equal(recv_answer(f, "RTP/AVP", ""), 0);
	assert_true(call_sdp_neg(f->cs)->ok);
	assert_null(call_sdp_neg(f->cs)->srtp);

	/* a tag we did not offer, or a suite not under that tag */
	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n",
			  key_a);
	assert_int_equal(recv_answer(f, "RTP/AVP", attrs), EPROTO);
	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:%s\r\n",
			  key_a);
	assert_int_equal(recv_answer(f, "RTP/AVP", attrs), EPROTO);
	assert_int_equal(recv_answer(f, "RTP/AVP",
				     "a=crypto:2 AES_CM_128_HMAC_SHA1_32\r\n"),
			 EPROTO);

	/* the _32 line (tag 2) accepted; later offers carry only it */
	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	nth_crypto(mb_text(f, mb), 1, &offered);
	mb = mem_deref(mb);
	(void)re_snprintf(attrs, sizeof(attrs),
			  "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:%s\r\n",
			  key_b);
	assert_int_equal(recv_answer(f, "RTP/AVP", attrs), 0);
	assert_int_equal(call_srtp_suite(call_sdp_neg(f->cs)->srtp),
			 CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	check_keys(call_sdp_neg(f->cs)->srtp, &offered, key_b);

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_int_equal(count_crypto(mb_text(f, mb)), 1);
	assert_non_null(strstr(f->text, "a=crypto:2 "));
	mem_deref(mb);

	/* mandatory: a plain answer fails the call */
	use_policy(f, CALL_SRTP_MANDATORY);
	assert_int_equal(recv_answer(f, "RTP/SAVP", ""), EPROTO);
}


static void test_mprefs_policy(void **state)
{
	struct call_media_conf mc = {
		.rtp_min = 30000, .rtp_max = 30100, .codecc = 1,
		.codecs = {"pcmu"}, .ptime_ms = 20, .telev_pt = 101,
		.srtp = (enum call_srtp_policy)3,
	};
	struct call_mprefs mp;
	(void)state;

	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
	mc.srtp = CALL_SRTP_MANDATORY;
	assert_int_equal(call_mprefs_set(&mp, &mc), 0);
	assert_int_equal(mp.srtp, CALL_SRTP_MANDATORY);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_optional_offer),
		T(test_mandatory_and_off_offers),
		T(test_answer_best_effort_offer),
		T(test_answer_savp_picks_first_usable),
		T(test_optional_plain_offer),
		T(test_bad_crypto_lines_488),
		T(test_mandatory_answers),
		T(test_off_answers),
		T(test_reinvite_keeps_or_rekeys),
		T(test_offerer_answers),
		cmocka_unit_test(test_mprefs_policy),
#undef T
	};

	assert_int_equal(call_srtp_init(), 0);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
