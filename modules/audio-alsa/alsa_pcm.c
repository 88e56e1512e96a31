/**
 * @file modules/audio-alsa/alsa_pcm.c  One line's PCM pair and its thread
 *
 * Playback clocks everything: the buffer is primed to `fill` (one period
 * plus media.slack), the thread wakes when only the slack is left
 * (avail_min) and writes one period, so the fill runs slack .. slack +
 * period and what the core returns for this period plays a fixed
 * `slack` later. One wake a period, and a period of 20 ms is one wake
 * a packet at the default ptime; the device's buffer (media.periods,
 * at least period + slack) need not be full. Capture runs non-blocking
 * beside it; a short read is padded. Underruns and overruns are
 * recovered with snd_pcm_recover, re-primed to the same fill (so the
 * delay stays what it was) and counted.
 *
 * Anything else is a device error (an unplugged USB or SPI codec gives
 * -ENODEV, a broken one -EIO, a wait that times out, a recover that
 * fails, xruns back to back): the same thread then runs the outage
 * (alsa_outage.c) until the device opens again. A device that is not
 * there when the line starts (the SLIC's driver loads after us, a USB
 * codec plugged in later) starts the port in that outage: the line
 * runs on the outage's clock and takes the device when it appears.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include "ataua.h"
#include "alsa.h"
#include "alsa_port.h"


static atomic_uint nports;


static void port_destructor(void *arg)
{
	struct alsa_port *p = arg;

	if (p->started) {
		atomic_store(&p->run, false);
		alsa_idle_wake(p);      /* a stopped PCM sleeps until woken */
		pthread_join(p->thr, NULL);
		--nports;
	}
	if (p->play)
		snd_pcm_close(p->play);
	if (p->cap)
		snd_pcm_close(p->cap);
	mem_deref(p->pbuf);
	mem_deref(p->cbuf);
	mem_deref(p->ring);
	mem_deref(p->lost);
	mem_deref(p->au);
}


/*
 * @p fill in: the slack wanted (frames); out: what a write fills the
 * playback buffer to, within the buffer the device gave (the one place
 * the port's fill is worked out)
 */
static int set_params(snd_pcm_t *pcm, snd_pcm_uframes_t *period,
		      snd_pcm_uframes_t *buffer, snd_pcm_uframes_t *fill,
		      bool playback)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	unsigned rate = SRATE;
	int r;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);

	if ((r = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
	    (r = snd_pcm_hw_params_set_access(pcm, hw,
		SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (r = snd_pcm_hw_params_set_format(pcm, hw,
		SND_PCM_FORMAT_S16)) < 0 ||
	    (r = snd_pcm_hw_params_set_channels(pcm, hw, 1)) < 0 ||
	    (r = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0)) < 0 ||
	    (r = snd_pcm_hw_params_set_period_size_near(pcm, hw, period,
							 NULL)) < 0 ||
	    (r = snd_pcm_hw_params_set_buffer_size_near(pcm, hw,
							 buffer)) < 0 ||
	    (r = snd_pcm_hw_params(pcm, hw)) < 0)
		return r;

	*fill = *period + *fill < *buffer ? *period + *fill : *buffer;

	/* playback is due when only the slack is left */
	if ((r = snd_pcm_sw_params_current(pcm, sw)) < 0 ||
	    (r = snd_pcm_sw_params_set_avail_min(pcm, sw, playback ?
			*buffer - *fill + *period : *period)) < 0 ||
	    (r = snd_pcm_sw_params_set_start_threshold(pcm, sw,
			playback ? *fill : 1)) < 0 ||
	    (r = snd_pcm_sw_params(pcm, sw)) < 0)
		return r;

	return 0;
}


/* Prime the playback buffer to its fill with silence (it starts then) */
int alsa_pcm_prime(struct alsa_port *p)
{
	snd_pcm_uframes_t left = p->fill;
	snd_pcm_sframes_t w;

	memset(p->pbuf, 0, p->period * sizeof(int16_t));
	while (left) {
		w = snd_pcm_writei(p->play, p->pbuf,
				   left < p->period ? left : p->period);
		if (w < 0)
			return (int)w;
		left -= (snd_pcm_uframes_t)w;
	}

	return 0;
}


/* After a write: the queued samples run out at empty_ns */
void alsa_pcm_note_fill(struct alsa_port *p, snd_pcm_sframes_t avail)
{
	snd_pcm_uframes_t fill = avail >= 0 &&
		(snd_pcm_uframes_t)avail < p->buffer ?
		p->buffer - (snd_pcm_uframes_t)avail : 0;

	p->empty_ns = alsa_now_ns() + fill * (1000000000u / SRATE);
}


/*
 * The line went silent from empty_ns until the restart: skip that much
 * of the timeline, plus the primed buffer, so the far end's audio keeps
 * its place (the delay stays constant) instead of arriving late by the
 * length of the stall.
 */
static int recover_play(struct alsa_port *p, int r)
{
	uint64_t t = alsa_now_ns();

	if (r == -EINTR)
		return 0;
	if (r != -EPIPE && r != -ESTRPIPE)
		return r;        /* not an xrun: a device error */

	++p->xruns;
	ata_audio_xrun(p->au);
	/* a device that underruns again at once would spin here */
	if (++p->xrun_streak > XRUN_STREAK_MAX)
		return -EPIPE;
	r = snd_pcm_recover(p->play, r, 1);
	if (r < 0)
		return r;
	/*
	 * and the silence priming queues ahead of the next period: always
	 * (an xrun seen before the predicted empty time still re-primes,
	 * and the jitter buffer must measure afresh after it; it removes
	 * what this estimate misses within a second)
	 */
	ata_audio_skip(p->au, p->fill +
		       (p->empty_ns && t > p->empty_ns ?
			(size_t)((t - p->empty_ns) / (1000000000u / SRATE)) :
			0));
	r = alsa_pcm_prime(p);
	if (r < 0 && r != -EPIPE)
		return r;
	alsa_pcm_note_fill(p, snd_pcm_avail_update(p->play));

	return 0;
}


/*
 * Read this period's capture; NULL when none could be read, with *errp
 * set (negative) on a device error
 */
static const int16_t *capture(struct alsa_port *p, int *errp)
{
	snd_pcm_sframes_t c, avail;

	c = snd_pcm_readi(p->cap, p->cbuf, p->period);
	if (c == -EPIPE || c == -ESTRPIPE) {
		++p->xruns;
		ata_audio_xrun(p->au);
		*errp = snd_pcm_recover(p->cap, (int)c, 1);
		if (!*errp)
			(void)snd_pcm_start(p->cap);
		return NULL;
	}
	if (c < 0) {
		if (c != -EAGAIN && c != -EINTR)
			*errp = (int)c;
		return NULL;
	}

	/* capture started a little ahead of playback: never let the
	   backlog grow towards an overrun, keep at most one period */
	avail = snd_pcm_avail_update(p->cap);
	if (avail > (snd_pcm_sframes_t)p->period) {
		snd_pcm_sframes_t f = snd_pcm_forward(p->cap,
			(snd_pcm_uframes_t)avail - p->period);

		if (f > 0)
			ata_audio_capture_slip(p->au, (long)f);
	}

	if ((snd_pcm_uframes_t)c < p->period) {
		ata_audio_capture_slip(p->au, (long)c - (long)p->period);
		++p->short_caps;
		memset(p->cbuf + c, 0,
		       (p->period - (snd_pcm_uframes_t)c) * sizeof(int16_t));
	}

	return p->cbuf;
}


/* The longest time the thread did not run: tells a stall from the rest */
static void note_wake(struct alsa_port *p)
{
	uint64_t t = alsa_now_ns();

	if (p->wake_ns && t - p->wake_ns > p->gap_max)
		p->gap_max = t - p->wake_ns;
	p->wake_ns = t;
}


/* One wake of the playback clock: 0, or a device error (negative) */
static int play_wake(struct alsa_port *p)
{
	/* free room when a period is due: only the slack is left */
	const snd_pcm_sframes_t due =
		(snd_pcm_sframes_t)(p->buffer - p->fill + p->period);
	snd_pcm_sframes_t avail, delay, w;
	const int16_t *cap;
	int r;

	r = snd_pcm_wait(p->play, WAIT_MS);
	note_wake(p);
	if (r == 0)
		return -ETIMEDOUT;   /* no period in a second: wedged */
	if (r < 0)
		return recover_play(p, r);

	r = snd_pcm_avail_delay(p->play, &avail, &delay);
	if (r < 0)
		return recover_play(p, r);

	/* how long after the period was due the thread ran */
	if (avail > due && (uint64_t)(avail - due) > p->late_max)
		p->late_max = (uint64_t)(avail - due);

	/* as many periods as fit under the fill: one, unless a long
	   slack let the thread sleep through more */
	while (avail >= due) {
		ata_audio_delay(p->au, delay > 0 ? (size_t)delay : 0);
		cap = capture(p, &r);
		if (r < 0)
			return r;
		ata_audio_period(p->au, p->pbuf, cap, p->period);
		w = snd_pcm_writei(p->play, p->pbuf, p->period);
		if (w < 0)
			return recover_play(p, (int)w);
		p->xrun_streak = 0;
		avail -= (snd_pcm_sframes_t)p->period;
		delay += (snd_pcm_sframes_t)p->period;
		alsa_pcm_note_fill(p, avail);
	}

	return 0;
}


static void *port_thread(void *arg)
{
	struct alsa_port *p = arg;
	struct sched_param sp = { .sched_priority = (int)p->rt_priority };
	int r;

	/* a real-time slot where allowed (media.rt_priority), plain
	   scheduling otherwise */
	if (!p->rt_priority) {
		ata_info("audio-alsa: %s: plain scheduling "
			 "(media.rt_priority: 0)\n", p->device);
	}
	else {
		r = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (r)
			ata_notice("audio-alsa: %s: no real-time priority "
				   "(%m): a busy CPU may cause underruns\n",
				   p->device, r);
	}

	if (p->play) {
		r = alsa_pcm_prime(p);
		if (!r)
			r = snd_pcm_start(p->cap);
		if (r < 0)
			alsa_port_lost(p, r);
	}

	while (atomic_load(&p->run)) {
		if (!p->play) {
			alsa_port_outage(p);
			continue;
		}
		r = play_wake(p);
		if (!r && alsa_idle_due(p))
			r = alsa_idle_run(p);
		if (r < 0)
			alsa_port_lost(p, r);
	}

	if (p->play)
		(void)snd_pcm_drop(p->play);
	if (p->cap)
		(void)snd_pcm_drop(p->cap);

	return NULL;
}


/* Open one direction at the port's geometry; quiet: a reopen, no log */
int alsa_pcm_open(struct alsa_port *p, snd_pcm_t **pcm,
		  snd_pcm_stream_t dir, int mode, bool quiet)
{
	const bool playback = dir == SND_PCM_STREAM_PLAYBACK;
	snd_pcm_uframes_t period = p->period;
	snd_pcm_uframes_t buffer = playback ? p->buffer : 4 * p->period;
	snd_pcm_uframes_t fill = p->slack;
	int r;

	r = snd_pcm_open(pcm, p->device, dir, mode);
	if (r < 0)
		goto out;

	r = set_params(*pcm, &period, &buffer, &fill, playback);
	if (r < 0)
		goto out;

	if (playback) {
		p->period = period;
		p->buffer = buffer;
		p->fill = fill;
	}

 out:
	if (r < 0 && *pcm) {
		(void)snd_pcm_close(*pcm);
		*pcm = NULL;
	}
	if (r < 0 && !quiet)
		ata_warn("audio-alsa: %s (%s): %s\n", p->device,
			 playback ? "playback" : "capture", snd_strerror(r));

	return r < 0 ? -r : 0;
}


/*
 * Errors of a device that may still come (absent, gone, busy, not yet
 * working), as opposed to one that cannot work as configured (EINVAL:
 * no 8 kHz mono S16, even through plug)
 */
static bool may_come(int err)
{
	switch (err) {

	case ENOENT:
	case ENODEV:
	case ENXIO:
	case EBUSY:
	case EAGAIN:
	case EIO:
		return true;

	default:
		return false;
	}
}


/**
 * Open both directions at the port's geometry (the device may adjust
 * it); on failure neither is left open and the geometry is as it was
 */
int alsa_pcm_open_both(struct alsa_port *p, bool quiet)
{
	const snd_pcm_uframes_t period = p->period, buffer = p->buffer;
	const snd_pcm_uframes_t fill = p->fill;
	int err;

	err = alsa_pcm_open(p, &p->play, SND_PCM_STREAM_PLAYBACK, 0, quiet);
	if (!err)
		err = alsa_pcm_open(p, &p->cap, SND_PCM_STREAM_CAPTURE,
				    SND_PCM_NONBLOCK, quiet);
	if (err) {
		alsa_pcm_close(p);
		p->period = period;
		p->buffer = buffer;
		p->fill = fill;
	}

	return err;
}


/**
 * Open @p c->device for playback and capture, 8 kHz mono S16, and start
 * its thread. A device that is not there yet (may_come) is waited for in
 * the background (device_state=lost, AUDIO-DEVICE-LOST, then -BACK).
 * Returns 0, EINVAL, ENOMEM or the ALSA error (positive).
 */
int alsa_port_open(struct alsa_port **pp, const struct ata_linedrv_conf *c,
		   struct ata_audio *au)
{
	struct alsa_port *p;
	int err, absent;

	if (!pp || !c || !au || !str_isset(c->device) || !c->period_ms ||
	    c->periods < 2)
		return EINVAL;

	p = mem_zalloc(sizeof(*p), port_destructor);
	if (!p)
		return ENOMEM;

	str_ncpy(p->device, c->device, sizeof(p->device));
	p->rt_priority = c->rt_priority;
	p->au = mem_ref(au);
	p->period = c->period_ms * (SRATE / 1000);
	p->slack = c->slack_ms * (SRATE / 1000);
	/* media.periods, or more where a period and the slack need it */
	p->buffer = p->period * c->periods;
	if (p->buffer < p->period + p->slack)
		p->buffer = (p->period + p->slack + p->period - 1) /
			p->period * p->period;
	p->buf_frames = p->period * BUF_SLACK;

	/* not there yet (may_come): the device's own geometry comes with
	   its first open, in the outage */
	err = alsa_pcm_open_both(p, false);
	if (err && !may_come(err))
		goto out;
	absent = err;
	p->opened = !absent;
	if (p->period > p->buf_frames)
		p->buf_frames = p->period;   /* a device with long periods */

	err = alsa_lost_alloc(&p->lost, c->line, p->device);
	if (err)
		goto out;

	p->pbuf = mem_zalloc(p->buf_frames * sizeof(int16_t), NULL);
	p->cbuf = mem_zalloc(p->buf_frames * sizeof(int16_t), NULL);
	if (!p->pbuf || !p->cbuf) {
		err = ENOMEM;
		goto out;
	}

	/* not there yet: the thread starts in the outage, which opens it
	   when it comes (the thread does not run yet, so this is safe) */
	if (absent)
		alsa_port_lost(p, -absent);

	if (str_isset(c->ring_control))
		str_ncpy(p->ring_control, c->ring_control,
			 sizeof(p->ring_control));
	alsa_port_ring_retry(p);

	atomic_store(&p->run, true);
	err = pthread_create(&p->thr, NULL, port_thread, p);
	if (err)
		goto out;
	p->started = true;
	++nports;

 out:
	if (err)
		mem_deref(p);
	else
		*pp = p;

	return err;
}


/**
 * Open the ring control if there is one to open and it is not open yet:
 * at start, and (main loop) when the device comes back, as a card that
 * was not there has no controls either
 */
void alsa_port_ring_retry(struct alsa_port *p)
{
	if (!p || p->ring || !str_isset(p->ring_control))
		return;

	if (alsa_ctl_open(&p->ring, p->device, p->ring_control))
		ata_warn("audio-alsa: %s: no ring control '%s': ring via "
			 "the control socket\n", p->device, p->ring_control);
}


/** Main loop: @p h after each AUDIO-DEVICE-BACK (see alsa_outage.c) */
void alsa_port_on_back(struct alsa_port *p, alsa_back_h *h, void *arg)
{
	if (p)
		alsa_lost_on_back(p->lost, h, arg);
}


int alsa_port_ring(struct alsa_port *p, bool on)
{
	if (!p)
		return EINVAL;

	return p->ring ? alsa_ctl_set(p->ring, on) : ENOTSUP;
}


int alsa_port_status(struct re_printf *pf, const struct alsa_port *p)
{
	if (!p)
		return 0;

	return re_hprintf(pf, "device=%s\nperiod_frames=%lu\n"
			  "buffer_frames=%lu\nfill_frames=%lu\n"
			  "device_xruns=%llu\n"
			  "short_captures=%llu\nwake_late_max_us=%llu\n"
			  "wake_gap_max_us=%llu\n"
			  "device_state=%s\ndevice_errors=%llu\n"
			  "pcm=%s\nidle_stops=%llu\n",
			  p->device,
			  (unsigned long)p->period, (unsigned long)p->buffer,
			  (unsigned long)p->fill,
			  (unsigned long long)p->xruns,
			  (unsigned long long)p->short_caps,
			  (unsigned long long)p->late_max * 1000000 / SRATE,
			  (unsigned long long)p->gap_max / 1000,
			  atomic_load(&p->down) ? "lost" : "up",
			  (unsigned long long)p->device_errors,
			  atomic_load(&p->idle) ? "stopped" : "running",
			  (unsigned long long)p->idle_stops);
}


unsigned alsa_port_count(void)
{
	return nports;
}
