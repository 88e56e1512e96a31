/**
 * @file test_rtp_demux.c  The kernel sorts RTP to the media socket
 *
 * core/sys/rtp_demux.c puts a second socket on a libre udp_sock's port:
 * RTP must reach it and only it; STUN, TURN ChannelData and RTCP (RFC
 * 7983, RFC 5761) must still reach libre's handler on the main loop;
 * closing the second socket gives everything back to libre. Skips where
 * the kernel has no reuseport BPF (qemu-user).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <re.h>
#include "sys/rtp_demux.h"
#include "re_spin.h"

enum { N = 5 };

struct seen {
	unsigned by_first[256];
	unsigned rtcp;
};


static void recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct seen *s = arg;
	const uint8_t *p = mbuf_buf(mb);

	(void)src;
	if (mbuf_get_left(mb) >= 2 && p[0] == 0x80 && p[1] == 200)
		++s->rtcp;
	else
		++s->by_first[p[0]];
}


static unsigned drain(int fd, unsigned *wrong)
{
	uint8_t buf[64];
	unsigned n = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
		++n;
		if (buf[0] != 0x80 || (buf[1] & 0x7f) != 0)
			++*wrong;
	}

	return n;
}


/* RTP PCMU, RTCP SR, STUN binding, TURN ChannelData: N of each */
static void send_mix(int c, const struct sa *to)
{
	static const uint8_t rtp[12] = {0x80, 0x00, 0, 1};
	static const uint8_t rtpm[12] = {0x80, 0x80, 0, 2};
	static const uint8_t rtcp[12] = {0x80, 200, 0, 2};
	static const uint8_t stun[20] = {0x00, 0x01, 0, 0, 0x21, 0x12};
	static const uint8_t chan[8] = {0x40, 0x00, 0, 4};

	for (int i = 0; i < N; i++) {
		(void)sendto(c, rtp, sizeof(rtp), 0, &to->u.sa, to->len);
		(void)sendto(c, rtpm, sizeof(rtpm), 0, &to->u.sa, to->len);
		(void)sendto(c, rtcp, sizeof(rtcp), 0, &to->u.sa, to->len);
		(void)sendto(c, stun, sizeof(stun), 0, &to->u.sa, to->len);
		(void)sendto(c, chan, sizeof(chan), 0, &to->u.sa, to->len);
	}
}


static void test_split(void **state)
{
	struct udp_sock *us = NULL;
	struct seen seen;
	struct sa laddr;
	unsigned wrong = 0;
	int fd = -1, c, err;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(sa_set_str(&laddr, "127.0.0.1", 0), 0);
	assert_int_equal(udp_listen(&us, &laddr, recv_handler, &seen), 0);
	assert_int_equal(udp_local_get(us, &laddr), 0);

	err = rtp_demux_open(&fd, us);
	if (err == ENOPROTOOPT || err == EINVAL) {
		mem_deref(us);
		skip();
	}
	assert_int_equal(err, 0);

	c = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(c >= 0);
	send_mix(c, &laddr);
	re_spin(50);

	assert_int_equal(drain(fd, &wrong), 2 * N);  /* RTP, marker too */
	assert_int_equal(wrong, 0);
	assert_int_equal(seen.by_first[0x80], 0);
	assert_int_equal(seen.rtcp, N);
	assert_int_equal(seen.by_first[0x00], N);
	assert_int_equal(seen.by_first[0x40], N);

	/* closed: libre's socket gets everything again */
	(void)close(fd);
	memset(&seen, 0, sizeof(seen));
	send_mix(c, &laddr);
	re_spin(50);
	assert_int_equal(seen.by_first[0x80], 2 * N);
	assert_int_equal(seen.rtcp, N);
	assert_int_equal(seen.by_first[0x00], N);

	(void)close(c);
	mem_deref(us);
}


static void test_bad_args(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(rtp_demux_open(NULL, NULL), EINVAL);
	assert_int_equal(rtp_demux_open(&fd, NULL), EINVAL);
	assert_int_equal(fd, -1);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_split),
	};
	int err;

	if (libre_init())
		return 1;

	err = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return err;
}
