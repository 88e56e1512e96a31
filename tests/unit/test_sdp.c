/** @file tests/unit/test_sdp.c  SDP offer/answer: codecs, ptime, DTMF, hold */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/call_int.h"

struct fixture {
	struct call_sdp *cs;
	struct mbuf *out;
	char text[2048];
};

static const char *pref_ulaw_alaw[] = {"pcmu", "pcma"};


static struct call_sdp *sdp_new(const char **codecs, size_t codecc,
				bool mux)
{
	struct call_media_conf mc = {
		.rtp_min = 30000, .rtp_max = 30100, .codecc = codecc,
		.ptime_ms = 20, .telev_pt = 101, .rtcp_mux = mux,
	};
	struct call_mprefs mp;
	struct call_sdp *cs = NULL;
	struct sa laddr;
	size_t i;

	for (i = 0; i < codecc; i++)
		mc.codecs[i] = codecs[i];

	assert_int_equal(call_mprefs_set(&mp, &mc), 0);
	assert_int_equal(sa_set_str(&laddr, "192.0.2.10", 30000), 0);
	assert_int_equal(call_sdp_alloc(&cs, &mp, &laddr), 0);

	return cs;
}


static struct mbuf *text_mb(const char *s)
{
	struct mbuf *mb = mbuf_alloc(strlen(s) + 1);

	assert_non_null(mb);
	assert_int_equal(mbuf_write_str(mb, s), 0);
	mb->pos = 0;

	return mb;
}


static const char *mb_text(struct fixture *f, struct mbuf *mb)
{
	size_t n = mbuf_get_left(mb);

	assert_true(n < sizeof(f->text));
	memcpy(f->text, mbuf_buf(mb), n);
	f->text[n] = '\0';

	return f->text;
}


/* Offer from a peer at 198.51.100.7:4000 with @p media lines after m= */
static int answer_offer(struct fixture *f, const char *mline,
			const char *attrs)
{
	char sdp[1024];
	struct mbuf *mb;
	int err;

	(void)re_snprintf(sdp, sizeof(sdp),
			  "v=0\r\n"
			  "o=- 1 1 IN IP4 198.51.100.7\r\n"
			  "s=-\r\n"
			  "c=IN IP4 198.51.100.7\r\n"
			  "t=0 0\r\n"
			  "m=audio 4000 RTP/AVP %s\r\n"
			  "%s", mline, attrs);
	mb = text_mb(sdp);
	f->out = mem_deref(f->out);
	err = call_sdp_answer(f->cs, mb, &f->out);
	mem_deref(mb);

	return err;
}


static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.cs = sdp_new(pref_ulaw_alaw, 2, false);
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


static void test_offer_lists_codecs_in_order(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = NULL;
	const char *s;

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	s = mb_text(f, mb);
	assert_non_null(strstr(s, "m=audio 30000 RTP/AVP 0 8 101\r\n"));
	assert_non_null(strstr(s, "a=rtpmap:101 telephone-event/8000\r\n"));
	assert_non_null(strstr(s, "a=fmtp:101 0-15\r\n"));
	assert_non_null(strstr(s, "a=ptime:20\r\n"));
	assert_non_null(strstr(s, "a=sendrecv\r\n"));
	assert_null(strstr(s, "rtcp-mux"));
	mem_deref(mb);
}


static void test_pcmu_only_peer(void **state)
{
	struct fixture *f = *state;
	const struct call_neg *neg = call_sdp_neg(f->cs);
	const char *s;

	assert_int_equal(answer_offer(f, "0 96",
				      "a=rtpmap:0 PCMU/8000\r\n"
				      "a=rtpmap:96 telephone-event/8000\r\n"
				      "a=fmtp:96 0-16\r\n"), 0);
	assert_true(neg->ok);
	assert_int_equal(neg->pt, CALL_PT_PCMU);
	/* the peer's PT for telephone-event is the one we must use */
	assert_int_equal(neg->telev_pt, 96);
	assert_int_equal(neg->dir, SDP_SENDRECV);
	assert_int_equal(sa_port(&neg->rtp), 4000);
	assert_int_equal(sa_port(&neg->rtcp), 4001);

	s = mb_text(f, f->out);
	assert_non_null(strstr(s, "m=audio 30000 RTP/AVP 0 96\r\n"));
	assert_non_null(strstr(s, "a=rtpmap:96 telephone-event/8000\r\n"));
	assert_null(strstr(s, "PCMA"));
}


static void test_pcma_only_peer(void **state)
{
	struct fixture *f = *state;
	const struct call_neg *neg = call_sdp_neg(f->cs);
	const char *s;

	assert_int_equal(answer_offer(f, "8", ""), 0);
	assert_int_equal(neg->pt, CALL_PT_PCMA);
	assert_int_equal(neg->telev_pt, -1);

	s = mb_text(f, f->out);
	assert_non_null(strstr(s, "m=audio 30000 RTP/AVP 8\r\n"));
	assert_null(strstr(s, "telephone-event"));
}


static void test_other_order_answerer_prefers_ours(void **state)
{
	struct fixture *f = *state;
	const struct call_neg *neg = call_sdp_neg(f->cs);

	assert_int_equal(answer_offer(f, "8 0 101",
				      "a=rtpmap:101 telephone-event/8000\r\n"),
			 0);
	assert_int_equal(neg->pt, CALL_PT_PCMU);
	assert_non_null(strstr(mb_text(f, f->out),
			       "m=audio 30000 RTP/AVP 0 101\r\n"));
}


static void test_alaw_first_config(void **state)
{
	static const char *pref[] = {"pcma", "pcmu"};
	struct fixture *f = *state;
	struct mbuf *mb = NULL;

	mem_deref(f->cs);
	f->cs = sdp_new(pref, 2, false);

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "RTP/AVP 8 0 101\r\n"));
	mem_deref(mb);

	assert_int_equal(answer_offer(f, "0 8", ""), 0);
	assert_int_equal(call_sdp_neg(f->cs)->pt, CALL_PT_PCMA);
}


/* As offerer we follow the answer's first codec */
static void test_offerer_takes_answer_order(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = NULL, *ans;

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	mem_deref(mb);

	ans = text_mb("v=0\r\no=- 2 2 IN IP4 198.51.100.9\r\ns=-\r\n"
		      "c=IN IP4 198.51.100.9\r\nt=0 0\r\n"
		      "m=audio 5000 RTP/AVP 8 0 101\r\n"
		      "a=rtpmap:101 telephone-event/8000\r\n"
		      "a=ptime:30\r\n");
	assert_int_equal(call_sdp_recv_answer(f->cs, ans), 0);
	mem_deref(ans);

	assert_int_equal(call_sdp_neg(f->cs)->pt, CALL_PT_PCMA);
	assert_int_equal(call_sdp_neg(f->cs)->telev_pt, 101);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 30);
	assert_int_equal(sa_port(&call_sdp_neg(f->cs)->rtp), 5000);
}


static void test_no_common_codec(void **state)
{
	struct fixture *f = *state;

	/* G.729 only: the caller answers 488 */
	assert_int_equal(answer_offer(f, "18",
				      "a=rtpmap:18 G729/8000\r\n"), ENOTSUP);
	assert_false(call_sdp_neg(f->cs)->ok);

	/* DTMF alone is no codec either */
	assert_int_equal(answer_offer(f, "101",
				      "a=rtpmap:101 telephone-event/8000\r\n"),
			 ENOTSUP);

	/* a dynamic PT named PCMU is not static PCMU */
	assert_int_equal(answer_offer(f, "97",
				      "a=rtpmap:97 opus/48000/2\r\n"),
			 ENOTSUP);
}


static void test_video_only_is_refused(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = text_mb("v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\n"
				  "s=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
				  "m=video 4002 RTP/AVP 96\r\n");

	f->out = mem_deref(f->out);
	assert_int_not_equal(call_sdp_answer(f->cs, mb, &f->out), 0);
	mem_deref(mb);
}


static void test_ptime_honoured(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(answer_offer(f, "0", "a=ptime:40\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 40);

	/* nonsense falls back to ours */
	assert_int_equal(answer_offer(f, "0", "a=ptime:7\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 20);
	assert_int_equal(answer_offer(f, "0", "a=ptime:abc\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 20);
	assert_int_equal(answer_offer(f, "0", "a=ptime:99999999\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 20);
	assert_int_equal(answer_offer(f, "0", ""), 0);
	assert_int_equal(call_sdp_neg(f->cs)->ptime, 20);
}


static void test_far_end_holds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(answer_offer(f, "0", "a=sendonly\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->dir, SDP_RECVONLY);
	assert_non_null(strstr(mb_text(f, f->out), "a=recvonly\r\n"));

	assert_int_equal(answer_offer(f, "0", "a=inactive\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->dir, SDP_INACTIVE);
	assert_non_null(strstr(mb_text(f, f->out), "a=inactive\r\n"));

	/* resume */
	assert_int_equal(answer_offer(f, "0", "a=sendrecv\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->dir, SDP_SENDRECV);
}


static void test_old_style_hold(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = text_mb("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"
				  "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
				  "m=audio 4000 RTP/AVP 0\r\n");

	f->out = mem_deref(f->out);
	assert_int_equal(call_sdp_answer(f->cs, mb, &f->out), 0);
	mem_deref(mb);
	/* we must not send to 0.0.0.0 */
	assert_int_equal(call_sdp_neg(f->cs)->dir & SDP_SENDONLY, 0);
}


static void test_we_hold(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = NULL, *ans;

	assert_int_equal(answer_offer(f, "0", ""), 0);

	call_sdp_set_hold(f->cs, true);
	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "a=sendonly\r\n"));
	mem_deref(mb);

	ans = text_mb("v=0\r\no=- 1 2 IN IP4 198.51.100.7\r\ns=-\r\n"
		      "c=IN IP4 198.51.100.7\r\nt=0 0\r\n"
		      "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n");
	assert_int_equal(call_sdp_recv_answer(f->cs, ans), 0);
	mem_deref(ans);
	assert_int_equal(call_sdp_neg(f->cs)->dir, SDP_SENDONLY);

	/* both hold: inactive */
	assert_int_equal(answer_offer(f, "0", "a=sendonly\r\n"), 0);
	assert_int_equal(call_sdp_neg(f->cs)->dir, SDP_INACTIVE);

	call_sdp_set_hold(f->cs, false);
	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "a=sendrecv\r\n"));
	mem_deref(mb);
}


static void test_rtcp_mux(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = NULL;
	const struct call_neg *neg;

	mem_deref(f->cs);
	f->cs = sdp_new(pref_ulaw_alaw, 2, true);
	neg = call_sdp_neg(f->cs);

	assert_int_equal(call_sdp_offer(f->cs, &mb), 0);
	assert_non_null(strstr(mb_text(f, mb), "a=rtcp-mux\r\n"));
	mem_deref(mb);

	assert_int_equal(answer_offer(f, "0", "a=rtcp-mux\r\n"), 0);
	assert_true(neg->rtcp_mux);
	assert_true(sa_cmp(&neg->rtp, &neg->rtcp, SA_ALL));
	assert_non_null(strstr(mb_text(f, f->out), "a=rtcp-mux\r\n"));

	/* peer without mux: none in our answer, RTCP on port+1 */
	assert_int_equal(answer_offer(f, "0", ""), 0);
	assert_false(neg->rtcp_mux);
	assert_int_equal(sa_port(&neg->rtcp), 4001);
	assert_null(strstr(mb_text(f, f->out), "rtcp-mux"));
}


static void test_mux_not_configured(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(answer_offer(f, "0", "a=rtcp-mux\r\n"), 0);
	assert_false(call_sdp_neg(f->cs)->rtcp_mux);
	assert_null(strstr(mb_text(f, f->out), "rtcp-mux"));
}


static void test_garbage(void **state)
{
	struct fixture *f = *state;
	struct mbuf *mb = text_mb("this is not sdp\r\n");

	f->out = mem_deref(f->out);
	assert_int_equal(call_sdp_answer(f->cs, mb, &f->out), EBADMSG);
	assert_null(f->out);
	mem_deref(mb);

	assert_int_equal(call_sdp_answer(NULL, NULL, NULL), EINVAL);
}


static void test_mprefs(void **state)
{
	struct call_media_conf mc = {
		.rtp_min = 10000, .rtp_max = 10010,
		.codecs = {"PCMA", "pcmu", "pcma"}, .codecc = 3,
		.ptime_ms = 30, .telev_pt = 101,
	};
	struct call_mprefs mp;
	(void)state;

	assert_int_equal(call_mprefs_set(&mp, &mc), 0);
	assert_int_equal(mp.ptc, 2);
	assert_int_equal(mp.ptv[0], CALL_PT_PCMA);
	assert_int_equal(mp.ptv[1], CALL_PT_PCMU);

	mc.codecs[1] = "g729";
	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
	mc.codecs[1] = "pcmu";
	mc.ptime_ms = 25;
	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
	mc.ptime_ms = 20;
	mc.telev_pt = 8;
	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
	mc.telev_pt = 101;
	mc.rtp_max = mc.rtp_min;
	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
	mc.codecc = 0;
	assert_int_equal(call_mprefs_set(&mp, &mc), EINVAL);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_offer_lists_codecs_in_order),
		T(test_pcmu_only_peer),
		T(test_pcma_only_peer),
		T(test_other_order_answerer_prefers_ours),
		T(test_alaw_first_config),
		T(test_offerer_takes_answer_order),
		T(test_no_common_codec),
		T(test_video_only_is_refused),
		T(test_ptime_honoured),
		T(test_far_end_holds),
		T(test_old_style_hold),
		T(test_we_hold),
		T(test_rtcp_mux),
		T(test_mux_not_configured),
		T(test_garbage),
		cmocka_unit_test(test_mprefs),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
