/**
 * @file fuzz_turn_stream.c  libFuzzer: a hostile TURN server's TCP stream
 *
 * modules/turn/turn_conn.c's receive path, from the module's own source:
 * the bytes a TURN server sends over TCP/TLS arrive in chunks of any
 * size; tcp_recv_handler appends them to the connection buffer, cuts
 * whole STUN messages and ChannelData frames (turn_frame.c) and keeps a
 * partial one for later, or fails the relay (not TURN, or a frame past
 * the buffer's bound). The relay has no turnc here (that part is
 * libre's), so every frame is cut and dropped; what is checked is the
 * buffer handling around turn_frame_len().
 *
 * Input: records of a chunk length (1 byte, 0 = 256) and that many
 * bytes; a record with the first length byte 0xff replays the last
 * chunk 64 times (a long stream from a short input).
 *
 * fuzz-with: modules/turn/turn_frame.c
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "../../modules/turn/turn_conn.c"

static int fail_err;


/* ---- fakes of turn_relay.c, turn_inject.c, turn.c ---- */

void turn_relay_fail(struct turn_relay *tr, int err, uint16_t scode)
{
	(void)scode;
	tr->failing = true;
	fail_err = err;
}


void turn_relay_deliver(struct udp_sock *us, const struct sa *src,
			struct mbuf *mb)
{
	(void)us;
	(void)src;
	(void)mb;
	abort();  /* no turnc: nothing may be delivered */
}


const char *turn_transport_name(enum ata_transport tp)
{
	(void)tp;
	return "tcp";
}


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	return libre_init() ? -1 : 0;
}


/* After each chunk: failed, or a buffer that starts with a partial
   frame (more bytes needed) and stays bounded */
static void check(const struct turn_relay *tr)
{
	const struct mbuf *buf = tr->tcpbuf;
	size_t len;

	if (tr->failing) {
		if (fail_err != EBADMSG && fail_err != EMSGSIZE &&
		    fail_err != ENOMEM)
			abort();
		return;
	}

	if (!buf || buf->pos != 0 || buf->end > TCP_BUF_MAX)
		abort();
	if (buf->end &&
	    turn_frame_len(buf->buf, buf->end, &len) != ENODATA)
		abort();
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct turn_relay tr;
	struct mbuf chunk;
	const uint8_t *last = NULL;
	size_t lastn = 0;

	memset(&tr, 0, sizeof(tr));
	fail_err = 0;

	while (size && !tr.failing) {
		size_t n = data[0] ? data[0] : 256;
		int reps = 1;

		if (data[0] == 0xff && last) {
			reps = 64;
			++data;
			--size;
		}
		else {
			++data;
			--size;
			if (n > size)
				n = size;
			last = data;
			lastn = n;
			data += n;
			size -= n;
		}

		while (reps-- && !tr.failing) {
			mbuf_init(&chunk);
			chunk.buf = (uint8_t *)last;
			chunk.size = chunk.end = lastn;
			tcp_recv_handler(&chunk, &tr);
			check(&tr);
		}
	}

	mem_deref(tr.tcpbuf);

	return 0;
}
