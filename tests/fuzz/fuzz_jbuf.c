/** @file fuzz_jbuf.c  libFuzzer: hostile packets and pulls for jitbuf */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "dsp/jitbuf.h"

/*
 * Input: 2 bytes of configuration, then records. A record's first byte
 * picks the operation: even = put, odd = get.
 *   put: flags, seq delta (1), ts delta (2), length (2), arrival (1)
 *   get: length (2)
 * Two buffers get the same input; their output must be identical though
 * written into buffers pre-filled differently, so every requested sample
 * is written, and nothing past it (guard words).
 */

enum { GUARD = 8, GET_MAX = 1000, MAX_FRAME = 480 };

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

static void check_stats(const struct jitbuf *jb)
{
	struct jitbuf_stats st;
	int32_t cap = (int32_t)jitbuf_capacity(jb);

	jitbuf_stats(jb, &st);
	if (st.delay_samples > cap || st.delay_samples < -cap)
		abort();
	if (st.late + st.duplicate + st.too_early > st.packets)
		abort();
}

static void do_put(struct jitbuf *jb[2], struct rd *r, uint32_t *ts,
		   uint16_t *seq)
{
	static const uint32_t ssrcs[4] = {1, 1, 2, 0xdeadbeef};
	static int16_t pcm[MAX_FRAME + 1];
	uint8_t flags, sd, now_d;
	uint16_t len;
	int16_t td;
	uint32_t n, t;
	uint64_t now;

	if (!take(r, &flags, 1) || !take(r, &sd, 1) || !take(r, &td, 2) ||
	    !take(r, &len, 2) || !take(r, &now_d, 1))
		return;

	*seq += (uint16_t)(int8_t)sd;
	*ts += (uint32_t)((int32_t)td * ((flags & 0x10) ? 4096 : 1));
	n = len % (MAX_FRAME + 2);	/* 0 and MAX_FRAME + 1 are invalid */

	/* a tone with some noise, so concealment has pitch to find */
	for (uint32_t i = 0; i < n; i++)
		pcm[i] = (int16_t)(((*ts + i) % 57) * 500 - 14000 +
				   (int16_t)(i * 2654435761u >> 20));

	t = jitbuf_clock(jb[0]);
	now = (uint64_t)t + (int8_t)now_d * ((flags & 0x20) ? 64 : 2);
	if ((flags & 0xc0) == 0xc0)
		now = (uint64_t)-1 - now_d;	/* nonsense clock */

	for (int i = 0; i < 2; i++) {
		int err = jitbuf_put(jb[i], ssrcs[flags & 3], *seq, *ts,
				     flags & 4, pcm, n, now);
		int32_t off = jitbuf_ts_offset(jb[i], *ts);

		if (err == 0 && (off + (int64_t)n <= 0 ||
				 off + (int64_t)n >
				 (int64_t)jitbuf_capacity(jb[i])))
			abort();
		if (err == 0 && n == 0)
			abort();
	}
}

static void do_get(struct jitbuf *jb[2], struct rd *r)
{
	static int16_t out[2][GET_MAX + GUARD];
	uint16_t len;
	size_t n;

	if (!take(r, &len, 2))
		return;
	n = len % (GET_MAX + 1);

	memset(out[0], 0x11, sizeof(out[0]));
	memset(out[1], 0x77, sizeof(out[1]));
	jitbuf_get(jb[0], out[0], n);
	jitbuf_get(jb[1], out[1], n);

	if (memcmp(out[0], out[1], n * sizeof(int16_t)))
		abort();
	for (size_t i = n; i < n + GUARD; i++)
		if (out[0][i] != 0x1111 || out[1][i] != 0x7777)
			abort();
	if (jitbuf_clock(jb[0]) != jitbuf_clock(jb[1]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = {data, size};
	struct jitbuf *jb[2] = {NULL, NULL};
	struct jitbuf_conf conf;
	uint8_t c[2], op;
	uint32_t ts = 0;
	uint16_t seq = 0;

	if (!take(&r, c, 2))
		return 0;
	memset(&conf, 0, sizeof(conf));  /* fields added later stay 0 */
	conf.srate = 8000;
	conf.delay_ms = 10 + c[0] % 200;
	conf.max_frame = 80 + c[1] % (MAX_FRAME - 79);

	if (jitbuf_alloc(&jb[0], &conf) || jitbuf_alloc(&jb[1], &conf))
		abort();

	while (take(&r, &op, 1)) {
		if (op & 1)
			do_get(jb, &r);
		else
			do_put(jb, &r, &ts, &seq);
		if (op == 0xfe) {
			jitbuf_reset(jb[0]);
			jitbuf_reset(jb[1]);
		}
		check_stats(jb[0]);
	}

	mem_deref(jb[0]);
	mem_deref(jb[1]);
	return 0;
}
