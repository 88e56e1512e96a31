/**
 * @file line_audio_rx.c  The audio thread reads the call's RTP itself
 *
 * Issue #13: a received packet used to wake the main loop, be decoded
 * there and cross to the audio thread under a mutex. Now the call hands
 * its receive object (core/call/call_rx.h) to the line's audio: each
 * period, before the jitter buffer plays, the audio thread drains the
 * call's demux socket (one recvmmsg()), decodes and puts the frames in
 * the jitter buffer, stamped with the kernel's arrival time on the
 * device clock. Nothing wakes for a packet but the audio thread, which
 * wakes for the device anyway.
 *
 * Handing over is the one synchronisation: line_audio_bind() swaps the
 * pointer and, if the audio thread is inside a period that may have
 * read the old one, waits for that period to end (a few microseconds;
 * nothing in a period blocks). After it returns, the old object is the
 * main loop's again.
 *
 * The thread also sends the call's audio and digits (call_tx.h): each
 * whole ptime of capture goes out from collect(), with no main loop in
 * between.
 *
 * Fax and modem tones (line_fax.c) are listened for here too, since the
 * main loop no longer sees the frames: the far end's over what the
 * thread plays (the received audio, concealment included), the phone's
 * over what it captures while it sends it. What a detector finds goes
 * to the main loop like the handset's keys.
 */
#define _GNU_SOURCE 1
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ataua.h"
#include "call/call.h"
#include "dsp/fax_det.h"
#include "dsp/jitbuf.h"
#include "call/call_tx.h"
#include "line_audio.h"
#include "line_audio_priv.h"


/**
 * Main loop: the audio thread drains @p rx from its next period (NULL:
 * no more). Returns when it no longer reads what it read before.
 */
void line_audio_bind(struct ata_audio *au, struct call_rx *rx)
{
	struct timespec nap = {0, 100000};
	unsigned epoch;

	if (!au)
		return;

	if (atomic_exchange(&au->rx, rx) == rx)
		return;

	/* seq_cst both sides: a period that began after the exchange
	   reads the new pointer; one that began before is seen here */
	epoch = atomic_load(&au->epoch);
	while (atomic_load(&au->in_period) && atomic_load(&au->epoch) == epoch)
		(void)nanosleep(&nap, NULL);
}


/* Audio thread: one frame the call's socket held */
static void rx_frame(uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker,
		     const int16_t *pcm, size_t n, uint64_t arrival_ns,
		     void *arg)
{
	struct ata_audio *au = arg;

	if (au->st->active)
		(void)jitbuf_put(au->jb, ssrc, seq, ts, marker, pcm, n,
				 line_audio_arrival(au, arrival_ns));
}


/* Audio thread, at the start of a period: true if
   the main loop has digits to take */
bool line_audio_drain(struct ata_audio *au, struct call_rx *rx)
{
	return rx && call_rx_drain(rx, rx_frame, au);
}


/* Audio thread: a tone found, for the main loop */
static void fax_found(const struct fax_det_result *res, void *arg)
{
	struct audio_fax *af = arg;
	struct audio_fax_found f = {.dir = af->dir, .res = *res};

	if (spsc_push(&af->au->faxq.q, &f))
		af->au->key_ready = true;
}


/**
 * Main loop, at the line's start: listen for fax tones on @p dir (0:
 * the far end's, over what is played; 1: the phone's, over the capture
 * while the thread sends it), @p h on the main loop. ENOMEM, EINVAL.
 */
int line_audio_fax(struct ata_audio *au, unsigned dir, line_audio_fax_h *h,
		   void *arg)
{
	struct audio_fax *af;
	int err;

	if (!au || !h || dir >= ARRAY_SIZE(au->fax))
		return EINVAL;

	af = &au->fax[dir];
	err = fax_det_alloc(&af->det, fax_found, af);
	if (err)
		return err;

	af->au = au;
	af->dir = dir;
	af->h = h;
	af->arg = arg;

	return 0;
}


/** Main loop: the detectors run (a connected call that may still turn
 *  to fax); @p fresh starts them over (another call) */
void line_audio_fax_on(struct ata_audio *au, bool on, bool fresh)
{
	if (!au)
		return;

	if (fresh)
		atomic_store(&au->fax_fresh, true);
	atomic_store(&au->fax_on, on);
}


/* Audio thread: @p pcm (played, or captured) heard for tones */
void line_audio_fax_listen(struct ata_audio *au, unsigned dir,
			   const int16_t *pcm, size_t n)
{
	struct audio_fax *af = &au->fax[dir];
	bool on = atomic_load_explicit(&au->fax_on, memory_order_relaxed);

	if (!af->det)
		return;
	/* the fresh flag is the far end's detector's to clear: it runs
	   every period of a call, the phone's only while the thread sends */
	if ((dir == 0 && atomic_exchange_explicit(&au->fax_fresh, false,
						  memory_order_relaxed)) ||
	    (on && !af->run)) {
		for (size_t i = 0; i < ARRAY_SIZE(au->fax); i++)
			fax_det_reset(au->fax[i].det);
	}
	af->run = on;
	if (on && pcm)
		fax_det_process(af->det, pcm, n);
}


/* Main loop: the tones found, to line_fax.c */
void line_audio_fax_poll(struct ata_audio *au)
{
	struct audio_fax_found f;

	while (spsc_pop(&au->faxq.q, &f)) {
		if (au->fax[f.dir].h)
			au->fax[f.dir].h(&f.res, au->fax[f.dir].arg);
	}
}
