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
 * The far end's fax and modem tones (line_fax.c) are listened for here
 * too, over what the thread plays (the received audio, concealment
 * included): the main loop no longer sees the frames. What the
 * detector finds goes to the main loop like the handset's keys.
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


/* Audio thread, under the mutex: one frame the call's socket held */
static void rx_frame(uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker,
		     const int16_t *pcm, size_t n, uint64_t arrival_ns,
		     void *arg)
{
	struct ata_audio *au = arg;

	if (au->active)
		(void)jitbuf_put(au->jb, ssrc, seq, ts, marker, pcm, n,
				 line_audio_arrival(au, arrival_ns));
}


/* Audio thread, under the mutex, at the start of a period: true if
   the main loop has digits to take */
bool line_audio_drain(struct ata_audio *au, struct call_rx *rx)
{
	return rx && call_rx_drain(rx, rx_frame, au);
}


/* Audio thread: the far end's tone, for the main loop */
static void fax_found(const struct fax_det_result *res, void *arg)
{
	struct ata_audio *au = arg;
	unsigned h = atomic_load_explicit(&au->faxq_head,
					  memory_order_relaxed);

	if (h - atomic_load_explicit(&au->faxq_tail, memory_order_acquire)
	    >= FAXQ)
		return;

	au->faxq[h % FAXQ] = *res;
	atomic_store_explicit(&au->faxq_head, h + 1, memory_order_release);
	au->key_ready = true;
}


/** Main loop: listen for the far end's fax tones (@p h on the main
 *  loop); at the line's start. ENOMEM */
int line_audio_fax(struct ata_audio *au, line_audio_fax_h *h, void *arg)
{
	int err;

	if (!au || !h)
		return EINVAL;

	err = fax_det_alloc(&au->rxfax, fax_found, au);
	if (err)
		return err;

	au->faxh = h;
	au->fax_arg = arg;

	return 0;
}


/** Main loop: the detector runs (a connected call that may still turn
 *  to fax); @p fresh starts it over (another call) */
void line_audio_fax_on(struct ata_audio *au, bool on, bool fresh)
{
	if (!au)
		return;

	if (fresh)
		atomic_store(&au->fax_fresh, true);
	atomic_store(&au->fax_on, on);
}


/* Audio thread: what it is about to play, heard for the far end's
   tones */
void line_audio_fax_listen(struct ata_audio *au, const int16_t *play,
			   size_t n)
{
	bool on = atomic_load_explicit(&au->fax_on, memory_order_relaxed);

	if (!au->rxfax)
		return;
	if (atomic_exchange_explicit(&au->fax_fresh, false,
				     memory_order_relaxed) ||
	    (on && !au->fax_run))
		fax_det_reset(au->rxfax);
	au->fax_run = on;
	if (on)
		fax_det_process(au->rxfax, play, n);
}


/* Main loop: the tones found, to line_fax.c */
void line_audio_fax_poll(struct ata_audio *au)
{
	for (;;) {
		unsigned t = atomic_load_explicit(&au->faxq_tail,
						  memory_order_relaxed);
		struct fax_det_result res;

		if (t == atomic_load_explicit(&au->faxq_head,
					      memory_order_acquire))
			break;
		res = au->faxq[t % FAXQ];
		atomic_store_explicit(&au->faxq_tail, t + 1,
				      memory_order_release);

		if (au->faxh)
			au->faxh(&res, au->fax_arg);
	}
}
