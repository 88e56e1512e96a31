/**
 * @file fuzz_rtp_audio.c  libFuzzer: hostile RTP through the audio glue
 *
 * What a call does with a datagram on its RTP port, from the bytes on:
 * libre's rtp_hdr_decode (as the RTP socket does), the payload-type and
 * size filter and G.711 decode (as call_media.c does), then the line's
 * audio (line_audio_put into the jitter buffer under the mutex), while
 * the driver side pulls periods of any size, skips, counts xruns, and
 * the call restarts with another ptime. fuzz_jbuf drives the jitter
 * buffer alone; this one covers the glue around it.
 *
 * Input: records; the first byte picks the operation:
 *   0-3  datagram: length (2 bytes), then that many bytes
 *   4    period: size (2 bytes), capture or not (1)
 *   5    skip: samples (2 bytes)
 *   6    xrun
 *   7    restart: ptime (1 byte: 10..60 ms valid, others too)
 *   other: stop
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "ataua.h"
#include "dsp/g711.h"
#include "line/line_audio.h"

enum { FRAME_MAX = 480, PERIOD_MAX = 2048, GUARD = 16 };

static struct ata_audio *au;

struct rd {
	const uint8_t *p;
	size_t left;
};


static bool take(struct rd *r, void *dst, size_t n)
{
	if (r->left < n)
		return false;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}


static void tx_handler(const int16_t *pcm, size_t n, void *arg)
{
	(void)pcm;
	(void)n;
	(void)arg;
}


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	if (libre_init() || line_audio_alloc(&au, 60, tx_handler, NULL))
		abort();

	return 0;
}


/* One datagram, as call_media.c's rtp_recv_handler takes it */
static void datagram(struct rd *r)
{
	static uint8_t buf[2048];
	int16_t pcm[FRAME_MAX];
	struct rtp_header h;
	struct mbuf mb;
	uint16_t len;
	size_t n;

	if (!take(r, &len, 2))
		return;
	len %= sizeof(buf);
	if (len > r->left)
		len = (uint16_t)r->left;
	(void)take(r, buf, len);

	mbuf_init(&mb);
	mb.buf = buf;
	mb.size = mb.end = len;

	memset(&h, 0, sizeof(h));
	if (rtp_hdr_decode(&h, &mb))
		return;

	n = mbuf_get_left(&mb);
	if (n > FRAME_MAX || (h.pt != 0 && h.pt != 8))
		return;

	if (h.pt == 0)
		g711_ulaw_decode(pcm, mbuf_buf(&mb), n);
	else
		g711_alaw_decode(pcm, mbuf_buf(&mb), n);

	(void)line_audio_put(au, h.ssrc, h.seq, h.ts, h.m, pcm, n);
}


/* The driver's period: every sample written, nothing past the end */
static void period(struct rd *r)
{
	static int16_t play[PERIOD_MAX + GUARD], cap[PERIOD_MAX];
	uint16_t n;
	uint8_t withcap;
	size_t i;

	if (!take(r, &n, 2) || !take(r, &withcap, 1))
		return;
	n %= PERIOD_MAX + 1;

	for (i = 0; i < PERIOD_MAX + GUARD; i++)
		play[i] = 0x5a5a;
	for (i = 0; i < n; i++)
		cap[i] = (int16_t)(i * 977);

	ata_audio_period(au, play, (withcap & 1) ? cap : NULL, n);

	for (i = n; i < PERIOD_MAX + GUARD; i++) {
		if (play[i] != 0x5a5a)
			abort();
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	struct line_audio_stats st;
	uint8_t op, v;
	uint16_t n;

	line_audio_start(au, 20);

	while (take(&r, &op, 1)) {
		switch (op) {

		case 0: case 1: case 2: case 3:
			datagram(&r);
			break;

		case 4:
			period(&r);
			break;

		case 5:
			if (take(&r, &n, 2))
				ata_audio_skip(au, n % 4096);
			break;

		case 6:
			ata_audio_xrun(au);
			break;

		case 7:
			if (take(&r, &v, 1))
				line_audio_start(au, v);
			break;

		default:
			line_audio_stop(au);
			break;
		}
	}

	line_audio_stats(au, &st);
	if (st.jb.late + st.jb.duplicate + st.jb.too_early > st.jb.packets)
		abort();

	line_audio_stop(au);

	return 0;
}
