/**
 * @file line_audio_state.c  Between the main loop and the audio thread
 *
 * Issue #13: no mutex on the path. Everything the main loop sets on a
 * line's audio (a call starting or stopping, its ptime, a tone, caller
 * ID, the off-hook caller ID mute, fax pass-through) is one value, struct
 * audio_state, kept whole on the main loop and published through a
 * triple buffer. The audio thread takes the newest at the start of each
 * period (and, while its PCM is stopped, when woken), so every period
 * plays by one consistent setting, and neither side ever waits: an
 * unchanged value costs the thread one relaxed load.
 *
 * Events become counters in that value: a new call or ptime bumps
 * call_gen and the thread resets its jitter buffer when it sees it; a
 * new caller ID bumps clip_gen and it plays from the start.
 *
 * The value's pointers (tone, caller ID samples) are borrowed by the
 * thread; the main loop holds the references. A replaced one goes on a
 * list tagged with the first version without it, and is freed once the
 * thread says (`seen`) it took that version or a newer one: nothing is
 * freed while the thread may still read it, and nothing is freed on the
 * thread. A version that leaves such references asks the thread to
 * write the pipe, so the main loop frees them soon.
 *
 * The main loop's own decoded frames (the TURN path, where the main
 * loop reads the socket) cross in an SPSC ring, tagged with the call
 * they belong to and stamped with their arrival; the thread puts them in
 * the jitter buffer before the socket's own. The jitter buffer's
 * counters come back for `stats` through a second triple buffer.
 */
#include <stdatomic.h>
#include <string.h>
#include <re.h>
#include "base/triplebuf.h"
#include "call/call_rx.h"
#include "dsp/jitbuf.h"
#include "line_audio.h"
#include "line_audio_priv.h"


enum {
	/* 16 frames: 320 ms at 20 ms, a main loop stall's worth */
	RXQ = 16,
};

/* A reference the audio thread may still be reading */
struct retired {
	struct le le;
	void *ref;
	unsigned version;      /* the first version without it */
};


static void retired_destructor(void *arg)
{
	struct retired *r = arg;

	list_unlink(&r->le);
	mem_deref(r->ref);
}


/** Main loop, at alloc: the buffers both threads use */
int line_audio_state_alloc(struct ata_audio *au)
{
	int err;

	err  = triplebuf_alloc(&au->state_tb, sizeof(struct audio_state));
	err |= triplebuf_alloc(&au->stats_tb, sizeof(struct jitbuf_stats));
	if (err)
		return ENOMEM;

	/* not zeroed: a ring only the TURN path writes costs no memory
	   until it does */
	au->rxq_buf = mem_alloc(RXQ * sizeof(*au->rxq_buf), NULL);
	if (!au->rxq_buf)
		return ENOMEM;
	spsc_init(&au->rxq, au->rxq_buf, RXQ, sizeof(*au->rxq_buf));

	/* the reader's first value (zeros: no call, no tone), before the
	   thread that reads it exists */
	au->st = triplebuf_front(au->state_tb, NULL);

	return 0;
}


/** Main loop, the thread stopped: every reference let go */
void line_audio_state_free(struct ata_audio *au)
{
	list_flush(&au->retired);
	mem_deref(au->ms.tone);
	mem_deref((void *)au->ms.clip);
	mem_deref(au->state_tb);
	mem_deref(au->stats_tb);
	mem_deref(au->rxq_buf);
}


/* version a is b or newer (wrapping) */
static bool at_least(unsigned a, unsigned b)
{
	return (int)(a - b) >= 0;
}


/** Main loop: free what the audio thread can no longer be reading */
void line_audio_collect(struct ata_audio *au)
{
	unsigned seen = atomic_load_explicit(&au->seen,
					     memory_order_acquire);
	struct le *le = list_head(&au->retired);

	while (le) {
		struct retired *r = le->data;

		le = le->next;
		if (at_least(seen, r->version))
			mem_deref(r);
	}
}


/**
 * Main loop: @p ref (a reference the main loop held for the thread) is
 * no longer in the settings from the next publish on; freed once the
 * thread has taken that one.
 */
void line_audio_retire(struct ata_audio *au, const void *ref)
{
	struct retired *r;

	if (!ref)
		return;

	r = mem_zalloc(sizeof(*r), retired_destructor);
	if (!r) {
		/* kept for good rather than freed under the thread */
		return;
	}

	r->ref = (void *)ref;
	r->version = au->ms.version + 1;
	list_append(&au->retired, &r->le, r);
}


/**
 * Main loop: the settings as they are now go to the audio thread; an
 * idle driver wakes to take them (and sleeps again if they want
 * nothing of the device)
 */
void line_audio_publish(struct ata_audio *au)
{
	line_audio_collect(au);
	++au->ms.version;
	au->ms.garbage = !list_isempty(&au->retired);
	memcpy(triplebuf_back(au->state_tb), &au->ms, sizeof(au->ms));
	triplebuf_publish(au->state_tb);
	line_audio_wake(au);
}


/**
 * Audio thread: take the newest settings. Returns true when the main
 * loop has references to free (write the pipe).
 */
bool line_audio_adopt(struct ata_audio *au)
{
	const struct audio_state *st;
	bool changed;

	st = triplebuf_front(au->state_tb, &changed);
	if (!changed)
		return false;

	au->st = st;
	if (st->call_gen != au->t_call_gen) {
		jitbuf_reset(au->jb);
		au->acc_n = 0;
		au->t_pass_ms = 0;
		au->t_call_gen = st->call_gen;
		line_audio_publish_stats(au);
	}
	if (st->pass_ms && st->pass_ms != au->t_pass_ms &&
	    !jitbuf_passthrough(au->jb, st->pass_ms))
		au->t_pass_ms = st->pass_ms;
	if (st->clip_gen != au->t_clip_gen) {
		au->clip_pos = 0;
		au->t_clip_gen = st->clip_gen;
	}

	/* after the last use of what this version replaced */
	atomic_store_explicit(&au->seen, st->version, memory_order_release);

	return st->garbage;
}


/**
 * Main loop: one received frame, decoded (the TURN path), for the
 * thread's next period. Returns 0, EINVAL, ENOTCONN (no call) or
 * ENOBUFS (the thread has not run for RXQ frames: dropped, counted).
 */
int line_audio_put(struct ata_audio *au, uint32_t ssrc, uint16_t seq,
		   uint32_t ts, bool marker, const int16_t *pcm, size_t n)
{
	struct audio_rx_frame f;

	if (!au || !pcm || !n || n > FRAME_MAX)
		return EINVAL;

	if (!au->ms.active)
		return ENOTCONN;

	f.arrival_ns = call_rx_now_ns();
	f.ssrc = ssrc;
	f.ts = ts;
	f.seq = seq;
	f.marker = marker;
	f.call_gen = au->ms.call_gen;
	f.n = n;
	memcpy(f.pcm, pcm, n * sizeof(*pcm));

	if (!spsc_push(&au->rxq, &f)) {
		atomic_fetch_add(&au->rx_dropped, 1);
		return ENOBUFS;
	}

	return 0;
}


/*
 * Audio thread, before the socket's frames: the main loop's, on the
 * device clock of their arrival. A frame of a newer call than the
 * settings taken was published after them: take them again.
 */
void line_audio_take_frames(struct ata_audio *au)
{
	struct audio_rx_frame f;

	while (spsc_pop(&au->rxq, &f)) {
		if (f.call_gen != au->t_call_gen && at_least(f.call_gen,
							    au->t_call_gen))
			(void)line_audio_adopt(au);
		if (f.call_gen != au->t_call_gen || !au->st->active)
			continue;

		(void)jitbuf_put(au->jb, f.ssrc, f.seq, f.ts, f.marker,
				 f.pcm, f.n,
				 line_audio_arrival(au, f.arrival_ns));
	}
}


/* Audio thread, after a period of a call: the counters for `stats` */
void line_audio_publish_stats(struct ata_audio *au)
{
	jitbuf_stats(au->jb, triplebuf_back(au->stats_tb));
	triplebuf_publish(au->stats_tb);
}


/** Counters for `stats` (main loop) */
void line_audio_stats(struct ata_audio *au, struct line_audio_stats *st)
{
	if (!au || !st)
		return;

	memset(st, 0, sizeof(*st));
	memcpy(&st->jb, triplebuf_front(au->stats_tb, NULL), sizeof(st->jb));
	st->xruns = atomic_load(&au->xruns) - au->xruns0;
	st->periods = atomic_load(&au->periods) - au->periods0;
	st->tx_dropped = atomic_load(&au->tx_dropped) - au->tx_dropped0;
	st->rx_dropped = atomic_load(&au->rx_dropped) - au->rx_dropped0;
	st->delay_ms = au->delay_ms;
}
