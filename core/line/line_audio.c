/**
 * @file line_audio.c  A line's audio between the driver thread and RTP
 *
 * The line driver's thread is the playout clock: once per device period
 * it calls ata_audio_period(), which takes the period due from the
 * fixed-delay jitter buffer and sends captured audio. The call's RTP is
 * read by this thread too (line_audio_rx.c); where the main loop reads
 * it instead (TURN), its decoded frames and everything else the main
 * loop sets cross without a lock (line_audio_state.c), so a stalled
 * main loop makes packets late but can never hold up the device. Where
 * the thread does not send itself, full ptime frames of capture go to
 * the main loop through a small lock-free ring and a pipe (one write
 * per frame, no allocation on the audio thread).
 *
 * While the line is off-hook the audio thread also runs the DTMF
 * detector (core/dsp/dtmf_det.c) over every captured period: it costs a
 * few Goertzel filters per sample, needs no allocation, and sees the
 * capture whether or not a call takes it. Keys go to the main loop
 * through a second small ring over the same pipe. While a key sounds
 * and the call sends it as RFC 4733, the captured audio is silenced so
 * the far end does not hear the tone as well.
 *
 * Before the detector, the line's echo canceller (line_echo.c, unless
 * echo_canceller: off) takes the far end's echo out of the capture,
 * with what this thread played as its reference.
 *
 * An idle line (no call, tone, caller ID, the handset down) wants
 * nothing from the device: ata_audio_wanted() says so, and a driver may
 * stop its PCM and sleep on wake_fd, which the main loop writes only
 * when the line's settings change (audio-alsa's alsa_idle.c).
 *
 * What the line sets between periods (tones, caller ID, the detector's
 * switches, pass-through, the echo canceller) is in line_audio_feat.c.
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <sys/eventfd.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "ataua.h"
#include "dsp/dtmf_det.h"
#include "dsp/jitbuf.h"
#include "line_audio.h"
#include "line_audio_priv.h"
#include "line_echo.h"
#include "dsp/tone.h"
#include "call/call_rx.h"
#include "call/call_tx.h"


static void audio_destructor(void *arg)
{
	struct ata_audio *au = arg;

	if (au->listening)
		fd_close(au->pipe[0]);
	if (au->pipe[0] >= 0)
		(void)close(au->pipe[0]);
	if (au->pipe[1] >= 0)
		(void)close(au->pipe[1]);
	if (au->wake_fd >= 0)
		(void)close(au->wake_fd);
	line_audio_state_free(au);
	mem_deref(au->jb);
	mem_deref(au->det);
	mem_deref(au->echo);
	for (size_t i = 0; i < ARRAY_SIZE(au->fax); i++)
		mem_deref(au->fax[i].det);
}


/* Main loop: send the frames the audio thread has finished */
static void pipe_handler(int flags, void *arg)
{
	struct ata_audio *au = arg;
	int16_t frame[FRAME_MAX];
	struct audio_key k;
	char buf[16];
	unsigned gen;
	size_t n;

	(void)flags;
	/* one byte per period that queued frames or keys: read them all */
	while (read(au->pipe[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		;

	/* single producer, single consumer: no lock needed */
	for (;;) {
		unsigned t = atomic_load_explicit(&au->txq_tail,
						  memory_order_relaxed);

		if (t == atomic_load_explicit(&au->txq_head,
					      memory_order_acquire))
			break;
		n = au->txq_n[t % TXQ];
		gen = au->txq_gen[t % TXQ];
		memcpy(frame, au->txq[t % TXQ], n * 2);
		atomic_store_explicit(&au->txq_tail, t + 1,
				      memory_order_release);

		/* captured before the call ended or its ptime changed */
		if (!au->ms.active || gen != au->ms.call_gen)
			continue;
		if (au->txh)
			au->txh(frame, n, au->arg);
	}

	while (spsc_pop(&au->keyq.q, &k)) {
		if (au->keyh)
			au->keyh(k.key, k.end, k.dur_ms, au->key_arg);
	}

	line_audio_fax_poll(au);
	line_audio_collect(au);
	if (au->pollh)
		au->pollh(au->poll_arg);
}


void line_audio_poll_handler(struct ata_audio *au, line_audio_poll_h *h,
			     void *arg)
{
	if (!au)
		return;

	au->pollh = h;
	au->poll_arg = arg;
}


/* Audio thread: a key from the detector, queued (dropped if full) */
static void key_handler(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct ata_audio *au = arg;
	struct audio_key k = {.key = key, .end = end, .dur_ms = dur_ms};

	if (spsc_push(&au->keyq.q, &k))
		au->key_ready = true;
}


/**
 * Allocate a line's audio with a playout delay of @p delay_ms (the
 * jitter depth the driver's buffer does not already provide).
 * Returns 0, EINVAL, ENOMEM or a pipe error.
 */
int line_audio_alloc(struct ata_audio **aup, uint32_t delay_ms,
		     line_audio_tx_h *txh, void *arg)
{
	struct jitbuf_conf jc = {
		.srate = SRATE, .max_frame = FRAME_MAX,
	};
	struct ata_audio *au;
	int err;

	if (!aup || delay_ms < 10 || delay_ms > 1000)
		return EINVAL;

	au = mem_zalloc(sizeof(*au), audio_destructor);
	if (!au)
		return ENOMEM;

	au->pipe[0] = au->pipe[1] = -1;
	au->wake_fd = -1;
	SPSC_INIT(&au->faxq);
	SPSC_INIT(&au->keyq);
	au->delay_ms = delay_ms;
	au->txh = txh;
	au->arg = arg;

	jc.delay_ms = delay_ms;
	jc.max_delay_ms = LINE_AUDIO_PASS_MS;
	err = jitbuf_alloc(&au->jb, &jc);
	if (err)
		goto out;

	err = line_audio_state_alloc(au);
	if (err)
		goto out;

	err = dtmf_det_alloc(&au->det, key_handler, au);
	if (err)
		goto out;

	if (pipe2(au->pipe, O_NONBLOCK | O_CLOEXEC)) {
		err = errno;
		goto out;
	}

	au->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (au->wake_fd < 0) {
		err = errno;
		goto out;
	}

	err = fd_listen(au->pipe[0], FD_READ, pipe_handler, au);
	if (err)
		goto out;
	au->listening = true;

 out:
	if (err)
		mem_deref(au);
	else
		*aup = au;

	return err;
}


/*
 * Main loop: the line wants the device (the handset lifted; the
 * settings' own publish wakes too). A driver that stopped its PCM while
 * the line was idle polls wake_fd; one 8-byte write, only on changes.
 */
void line_audio_wake(struct ata_audio *au)
{
	const uint64_t one = 1;

	if (write(au->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, a wake-up is pending */
	}
}


/** A call starts (or changes): fresh jitter buffer, frames of @p ptime */
void line_audio_start(struct ata_audio *au, uint32_t ptime_ms)
{
	size_t n = ptime_ms * (SRATE / 1000);

	if (!au || !n || n > FRAME_MAX)
		return;

	if (au->ms.active && n == au->ms.ptime_n)
		return;

	if (!au->ms.active) {
		au->ms.pass_ms = 0;
		if (atomic_exchange(&au->ec_bypass, false))
			line_echo_enable(au->echo, true);
		au->xruns0 = atomic_load(&au->xruns);
		au->periods0 = atomic_load(&au->periods);
		au->tx_dropped0 = atomic_load(&au->tx_dropped);
		au->rx_dropped0 = atomic_load(&au->rx_dropped);
	}
	++au->ms.call_gen;
	au->ms.ptime_n = n;
	au->ms.active = true;
	line_audio_publish(au);
}


/** No call: the device plays silence, capture is dropped */
void line_audio_stop(struct ata_audio *au)
{
	if (!au || !au->ms.active)
		return;

	au->ms.active = false;
	line_audio_publish(au);
}


/*
 * Arrival on the device clock, to the sample: the position the device was
 * playing at @p t_ns, extrapolated from when the last period's first
 * sample plays (the driver's queue, ata_audio_delay()). A packet's wait
 * is then the real time until it is heard, whenever the audio thread
 * happened to wake, and the jitter buffer's delay is the whole receive
 * delay. Audio thread.
 */
uint64_t line_audio_arrival(const struct ata_audio *au, uint64_t t_ns)
{
	uint64_t clk = jitbuf_clock(au->jb);
	int64_t el, pos;

	if (!au->anchor_ns)
		return clk;

	el = (int64_t)(t_ns - au->anchor_ns) * SRATE / 1000000000;
	pos = (int64_t)au->anchor_pos + el;

	/* the device cannot be playing what was not taken yet */
	if (pos > (int64_t)clk)
		pos = (int64_t)clk;

	return pos > 0 ? (uint64_t)pos : 0;
}


/* Audio thread: collect capture, send (or queue) whole frames */
static bool collect(struct ata_audio *au, const int16_t *cap, size_t n)
{
	struct call_tx *tx = call_rx_tx(au->rx_cur);
	bool ready = false;
	unsigned h;
	size_t k;

	while (n) {
		k = au->st->ptime_n - au->acc_n;
		if (k > n)
			k = n;
		if (cap)
			memcpy(au->acc + au->acc_n, cap, k * 2);
		else
			memset(au->acc + au->acc_n, 0, k * 2);
		au->acc_n += k;
		n -= k;
		if (cap)
			cap += k;

		if (au->acc_n < au->st->ptime_n)
			break;

		/* the call's sender is this thread's: straight out */
		if (tx) {
			if (call_tx_audio_thread(tx, au->acc,
						 au->st->ptime_n))
				++au->tx_dropped;
			au->acc_n = 0;
			continue;
		}

		h = atomic_load_explicit(&au->txq_head, memory_order_relaxed);
		if (h - atomic_load_explicit(&au->txq_tail,
					     memory_order_acquire) < TXQ) {
			memcpy(au->txq[h % TXQ], au->acc,
			       au->st->ptime_n * 2);
			au->txq_n[h % TXQ] = au->st->ptime_n;
			au->txq_gen[h % TXQ] = au->st->call_gen;
			atomic_store_explicit(&au->txq_head, h + 1,
					      memory_order_release);
			ready = true;
		}
		else {
			++au->tx_dropped;
		}
		au->acc_n = 0;
	}

	return ready;
}


/* Audio thread: a tone over the call (call waiting), saturating */
static void mix_tone(struct ata_audio *au, int16_t *play, size_t n)
{
	int16_t t[FRAME_MAX];

	while (n) {
		size_t k = n < FRAME_MAX ? n : FRAME_MAX;

		tone_gen_fill(au->st->tone, t, k);
		for (size_t i = 0; i < k; i++) {
			int32_t v = (int32_t)play[i] + t[i];

			play[i] = (int16_t)(v > INT16_MAX ? INT16_MAX :
					    v < INT16_MIN ? INT16_MIN : v);
		}
		play += k;
		n -= k;
	}
}


/* Audio thread: the next caller ID samples, then silence */
static void play_clip(struct ata_audio *au, int16_t *play, size_t n)
{
	size_t k = au->st->clip_n - au->clip_pos;

	if (k > n)
		k = n;
	if (k)
		memcpy(play, au->st->clip + au->clip_pos,
		       k * sizeof(*play));
	memset(play + k, 0, (n - k) * sizeof(*play));
	au->clip_pos += k;
}


/* Audio thread: the detector over the period; true to mute it. It
   rests while the call sends nothing: a key could not go anywhere. */
static bool detect(struct ata_audio *au, const int16_t *cap, size_t n)
{
	bool on = line_audio_capture_used(au);

	if (on && !au->det_run)
		dtmf_det_reset(au->det);
	au->det_run = on;
	if (!on || !cap)
		return false;

	dtmf_det_process(au->det, cap, n);

	return dtmf_det_busy(au->det) &&
		atomic_load_explicit(&au->det_mute, memory_order_relaxed);
}


/* Audio thread: the main loop has frames, keys or references to take */
static void wake_main_loop(struct ata_audio *au)
{
	/* a full pipe (EAGAIN) already holds a wake-up for the main loop;
	   `if`, not a (void) cast, which fortified glibc still warns on */
	if (write(au->pipe[1], "f", 1) < 0) {
	}
}


void ata_audio_period(struct ata_audio *au, int16_t *play,
		      const int16_t *cap, size_t n)
{
	const struct audio_state *st;
	struct call_rx *rx;
	uint64_t t, pos;
	bool ready;

	if (!au || !play)
		return;

	/* the main loop's settings, one value for the whole period */
	ready = line_audio_adopt(au);

	/* line_audio_bind(): seq_cst, flag before pointer */
	atomic_store(&au->in_period, true);
	rx = atomic_load(&au->rx);
	au->rx_cur = rx;

	cap = line_echo_capture(au->echo, cap, n, au->queued,
				line_audio_capture_used(au));
	/* the phone's tones, where the thread sends its capture itself
	   (and only while it does: as the main loop's path) */
	if (call_tx_may_send(call_rx_tx(rx)))
		line_audio_fax_listen(au, 1, cap, n);
	if (detect(au, cap, n))
		cap = NULL;

	++au->periods;
	t = au->next_ns ? au->next_ns : call_rx_now_ns();
	au->next_ns = 0;
	/* what arrived since the last period, on the last anchor: the
	   main loop's frames first (their settings may be newer) */
	line_audio_take_frames(au);
	st = au->st;
	ready |= line_audio_drain(au, rx);
	/*
	 * After a skip, the estimate starts over from here: what was just
	 * drained arrived while the device stood and the thread did not
	 * run, and counted, it moved the delay a period short for seconds
	 * (test_latency, one xrun on a loaded machine: 25.6 ms for 45).
	 */
	if (au->skipped) {
		jitbuf_restart_estimate(au->jb);
		au->skipped = false;
	}
	pos = jitbuf_clock(au->jb);
	/*
	 * The thread may lose the CPU between reading the device's queue
	 * and the clock: a measurement is only ever late. Where the last
	 * one says this period plays, allowing the device to run 500 ppm
	 * slow, bounds it; an earlier one is taken as is.
	 */
	if (au->anchor_ns && au->anchor_run && pos > au->anchor_pos) {
		uint64_t el = (pos - au->anchor_pos) * (1000000000u / SRATE);
		uint64_t pred = au->anchor_ns + el + el / 2000;

		if (t > pred)
			t = pred;
	}
	au->anchor_pos = pos;
	au->anchor_ns = t;
	au->anchor_run = st->active;
	if (st->active && st->call_mute) {
		/* the far end's audio is dropped, the clock runs on */
		jitbuf_get(au->jb, play, n);
		play_clip(au, play, n);
		ready |= collect(au, NULL, n);
	}
	else if (st->active) {
		jitbuf_get(au->jb, play, n);
		line_audio_fax_listen(au, 0, play, n);
		ready |= collect(au, cap, n);
		if (st->tone)
			mix_tone(au, play, n);
	}
	else if (au->clip_pos < st->clip_n) {
		play_clip(au, play, n);
	}
	else if (st->tone) {
		tone_gen_fill(st->tone, play, n);
	}
	else {
		memset(play, 0, n * sizeof(*play));
	}
	if (st->active)
		line_audio_publish_stats(au);
	au->rx_cur = NULL;
	atomic_fetch_add(&au->epoch, 1);
	atomic_store(&au->in_period, false);
	line_echo_played(au->echo, play, n);

	if (au->key_ready) {
		au->key_ready = false;
		ready = true;
	}
	if (ready)
		wake_main_loop(au);
}


void ata_audio_delay(struct ata_audio *au, size_t frames)
{
	if (!au)
		return;
	au->next_ns = call_rx_now_ns() +
		(uint64_t)frames * (1000000000u / SRATE);
	au->queued = frames;
}


void ata_audio_skip(struct ata_audio *au, size_t n)
{
	int16_t scratch[FRAME_MAX];
	size_t k;

	if (!au)
		return;

	au->anchor_run = false;
	while (au->st->active && n) {
		k = n < FRAME_MAX ? n : FRAME_MAX;
		jitbuf_get(au->jb, scratch, k);
		n -= k;
	}
	/* at the next period, once what came during the stall is in */
	au->skipped = true;
	line_echo_realign(au->echo);
}


void ata_audio_xrun(struct ata_audio *au)
{
	if (au)
		++au->xruns;
}


/*
 * What an idle line costs: nothing. With no call, no tone, no caller ID
 * to play and the handset down, the line has nothing to play or hear
 * (hook and ring go through the SLIC's controls, not the PCM), so the
 * driver may stop the PCM and its thread sleep on ata_audio_wake_fd().
 */
bool ata_audio_wanted(struct ata_audio *au)
{
	const struct audio_state *st;

	if (!au)
		return false;

	/* a stopped PCM takes the settings here, when woken: the main
	   loop publishes, then writes wake_fd, so none is missed */
	if (line_audio_adopt(au))
		wake_main_loop(au);
	st = au->st;

	return atomic_load_explicit(&au->det_on, memory_order_relaxed) ||
		st->active || st->tone || au->clip_pos < st->clip_n;
}


int ata_audio_wake_fd(const struct ata_audio *au)
{
	return au ? au->wake_fd : -1;
}


void ata_audio_capture_slip(struct ata_audio *au, long frames)
{
	if (au)
		line_echo_slip(au->echo, frames);
}


