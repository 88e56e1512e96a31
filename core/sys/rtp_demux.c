/**
 * @file rtp_demux.c  A second socket on libre's RTP port that gets the RTP
 *
 * A call's RTP socket carries more than RTP: STUN answers to the NAT
 * keep-alives, TURN ChannelData and Data indications, connectivity
 * checks. libre's helpers on the main loop must keep seeing those, and
 * libre 1.1.0 cannot be handed a datagram read elsewhere. So the kernel
 * sorts them (issue #13): libre's bound socket and a new one join one
 * SO_REUSEPORT group on the same address, and a classic BPF program on
 * the group picks the socket by the first bytes (RFC 7983 demux): RTP
 * (first byte 128..191, second not an RTCP type 192..223, RFC 5761) to
 * the new socket, all else, RTCP included, to libre's, which sees the
 * rest of its traffic exactly as before. The new socket is plain and
 * non-blocking: a media thread can drain it with recvmmsg() and send
 * from it (same address and port: the NAT sees one flow).
 *
 * libre's socket is already bound when it gets SO_REUSEPORT: Linux
 * makes the group when the second socket binds (reuseport_add_sock),
 * so there is no window where the port is free. The group's first
 * member is libre's socket (index 0), ours the second (index 1); once
 * ours is closed, index 1 is out of range and the kernel falls back to
 * its hash over what is left, libre's socket alone.
 *
 * Spike (tests/unit/test_rtp_demux.c): verified on Linux 6.18; where
 * the kernel refuses (no reuseport BPF, qemu-user), rtp_demux_open
 * fails and the caller keeps the main-loop path.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <re.h>
#include "rtp_demux.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

enum { LIBRE_SOCK = 0, MEDIA_SOCK = 1 };


static int attach_filter(int fd)
{
	/* the packet starts at the UDP payload here (reuseport BPF) */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xc0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x80, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, LIBRE_SOCK),   /* not RTP/RTCP */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 1),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 192, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 223, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, LIBRE_SOCK),   /* RTCP */
		BPF_STMT(BPF_RET | BPF_K, MEDIA_SOCK),   /* RTP */
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
		       sizeof(prog)))
		return errno;

	return 0;
}


/**
 * Open a socket on @p us's local address that receives its RTP from now
 * on (see above); the caller owns *fdp and closes it to give RTP back to
 * @p us. Returns 0, EINVAL, or the socket error (ENOPROTOOPT: the kernel
 * has no reuseport BPF); @p us keeps working either way.
 */
int rtp_demux_open(int *fdp, struct udp_sock *us)
{
	const int one = 1;
	struct sa laddr;
	int fd = -1, lfd, err;

	if (!fdp || !us)
		return EINVAL;

	err = udp_local_get(us, &laddr);
	if (err)
		return err;

	lfd = udp_sock_fd(us, sa_af(&laddr));
	if (lfd < 0)
		return EINVAL;

	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		return errno;

	fd = socket(sa_af(&laddr), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0)
		return errno;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, &laddr.u.sa, laddr.len)) {
		err = errno;
		goto out;
	}

	err = attach_filter(fd);

 out:
	if (err)
		(void)close(fd);
	else
		*fdp = fd;

	return err;
}
