/**
 * @file tests/unit/test_call_family.c  The family of a call's media on
 * a dual-stack box (call_family.c): the offer's c= when we have that
 * family, else the signalling's; the other family to offer again in
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "call/call_family.h"

static int of(const char *sdp)
{
	return call_family_of_sdp(sdp, strlen(sdp));
}


static void test_sdp_media_level(void **state)
{
	(void)state;
	assert_int_equal(of("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\n"
			    "m=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP4 44.0.0.20\r\n"), AF_INET);
	assert_int_equal(of("v=0\nm=audio 10000 RTP/AVP 0\n"
			    "c=IN IP6 2001:db8::20\n"), AF_INET6);
}


static void test_sdp_session_level(void **state)
{
	(void)state;
	assert_int_equal(of("v=0\r\nc=IN IP4 44.0.0.20\r\nt=0 0\r\n"
			    "m=audio 10000 RTP/AVP 0\r\n"), AF_INET);
	/* the stream's own c= overrides the session's */
	assert_int_equal(of("v=0\r\nc=IN IP4 44.0.0.20\r\n"
			    "m=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP6 2001:db8::20\r\n"), AF_INET6);
}


static void test_sdp_first_audio_stream(void **state)
{
	(void)state;
	/* video's c= is not audio's; audio's ends at the next m= */
	assert_int_equal(of("v=0\r\nm=video 9 RTP/AVP 96\r\n"
			    "c=IN IP6 2001:db8::20\r\n"
			    "m=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP4 44.0.0.20\r\n"
			    "m=audio 10002 RTP/AVP 0\r\n"
			    "c=IN IP6 2001:db8::21\r\n"), AF_INET);
}


static void test_sdp_unusable(void **state)
{
	(void)state;
	assert_int_equal(of("v=0\r\nm=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP4 0.0.0.0\r\n"), AF_UNSPEC);
	assert_int_equal(of("v=0\r\nc=IN IP4 44.0.0.20\r\n"
			    "m=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP4 0.0.0.0\r\n"), AF_UNSPEC);
	assert_int_equal(of("v=0\r\nm=audio 10000 RTP/AVP 0\r\n"
			    "c=IN IP6 ::\r\n"), AF_UNSPEC);
	assert_int_equal(of("v=0\r\nm=audio 10000 RTP/AVP 0\r\n"), AF_UNSPEC);
	assert_int_equal(of("v=0\r\nc=IN IP4 44.0.0.20\r\n"), AF_UNSPEC);
	assert_int_equal(of("v=0\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4"),
			 AF_UNSPEC);
	assert_int_equal(of("v=0\r\nm=audio 1 RTP/AVP 0\r\nc=XY IP4 1.2.3.4"),
			 AF_UNSPEC);
	assert_int_equal(of(""), AF_UNSPEC);
	assert_int_equal(call_family_of_sdp(NULL, 5), AF_UNSPEC);
}


static void test_pick_follows_offer(void **state)
{
	(void)state;
	/* a v4-only peer through a dual-stack registrar, we registered
	   over IPv6: IPv4 media */
	assert_int_equal(call_family_pick(AF_INET, true, true, AF_INET6),
			 AF_INET);
	assert_int_equal(call_family_pick(AF_INET6, true, true, AF_INET),
			 AF_INET6);
}


static void test_pick_family_we_lack(void **state)
{
	(void)state;
	/* no IPv6 address of ours: the signalling's */
	assert_int_equal(call_family_pick(AF_INET6, true, false, AF_INET),
			 AF_INET);
	assert_int_equal(call_family_pick(AF_INET, false, true, AF_INET6),
			 AF_INET6);
}


static void test_pick_no_usable_offer(void **state)
{
	(void)state;
	/* offerless INVITE or a 0.0.0.0 hold: the INVITE's family */
	assert_int_equal(call_family_pick(AF_UNSPEC, true, true, AF_INET6),
			 AF_INET6);
	assert_int_equal(call_family_pick(AF_UNSPEC, true, true, AF_INET),
			 AF_INET);
}


static void test_other(void **state)
{
	(void)state;
	assert_int_equal(call_family_other(AF_INET6, true, true), AF_INET);
	assert_int_equal(call_family_other(AF_INET, true, true), AF_INET6);
	assert_int_equal(call_family_other(AF_INET6, false, true), AF_UNSPEC);
	assert_int_equal(call_family_other(AF_INET, true, false), AF_UNSPEC);
	assert_int_equal(call_family_other(AF_UNSPEC, true, true), AF_UNSPEC);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdp_media_level),
		cmocka_unit_test(test_sdp_session_level),
		cmocka_unit_test(test_sdp_first_audio_stream),
		cmocka_unit_test(test_sdp_unusable),
		cmocka_unit_test(test_pick_follows_offer),
		cmocka_unit_test(test_pick_family_we_lack),
		cmocka_unit_test(test_pick_no_usable_offer),
		cmocka_unit_test(test_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
