/**
 * @file fuzz_turn_stream.c  libFuzzer: a hostile TURN server's TCP stream
 *
 * modules/turn/turn_conn.c's receive path, reached as the server's bytes
 * reach it: turn_relay_start() over TCP gives libre's tcp_connect() its
 * receive handler, and this target stands in for tcp_connect() (a
 * definition in the program wins over the one in libre.so) to keep that
 * handler and feed it. The bytes a TURN server sends over TCP/TLS arrive
 * in chunks of any
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
 * turn_conn.o and turn_frame.o come from the module's archive (run.sh);
 * the fakes below keep turn_relay.o, turn_inject.o and turn.o out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/turn/turn.h"

static int fail_err;
static tcp_recv_h *recv_h;   /* turn_conn.c's, from tcp_connect() */


/* ---- fakes of libre's tcp_connect, turn_relay.c, turn_inject.c,
   turn.c ---- */

int tcp_connect(struct tcp_conn **tcp, const struct sa *peer,
		tcp_estab_h *eh, tcp_recv_h *rh, tcp_close_h *ch, void *arg)
{
	(void)tcp;
	(void)peer;
	(void)eh;
	(void)ch;
	(void)arg;
	recv_h = rh;   /* no connection: tr->tc stays NULL */

	return 0;
}


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
	tr.prm.transport = ATA_TRANSPORT_TCP;
	tr.prm.timeout_ms = 10000;
	recv_h = NULL;
	if (turn_relay_start(&tr) || !recv_h)
		abort();

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
			recv_h(&chunk, &tr);
			check(&tr);
		}
	}

	tmr_cancel(&tr.tmr_to);
	mem_deref(tr.tcpbuf);

	return 0;
}
