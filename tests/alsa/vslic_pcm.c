/**
 * @file tests/alsa/vslic_pcm.c  vslic ioplug callbacks: the device model
 *
 * Nothing runs in the background: the device position is computed from
 * CLOCK_MONOTONIC whenever alsa-lib asks (pointer, poll_revents), and the
 * samples that began on the line since the last look are recorded then.
 * Playback hw counts samples that have begun (fetched); an underrun is a
 * sample that began before the application wrote it. Capture hw counts
 * samples fully captured; an overrun is more than a buffer unread.
 * While the fail_file exists the device is gone, as an unplugged USB or
 * SPI codec: the state becomes DISCONNECTED (alsa-lib then answers
 * -ENODEV), transfer, prepare and start fail with -ENODEV, and so does
 * an open. A file that starts with "EIO" makes a broken device instead:
 * the pointer fails (alsa-lib: XRUN, -EPIPE), and prepare (so recover),
 * start, transfer and open fail with -EIO. Timer and poll handling live
 * in vslic_poll.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vslic.h"


/**
 * Fault injection: 0 while conf.fail_file does not exist, else ENODEV,
 * or EIO when the file starts with "EIO" (read only while it exists)
 */
int vslic_failed(const struct vslic *v)
{
	char buf[4] = "";
	FILE *f;

	if (!v->conf.fail_file || access(v->conf.fail_file, F_OK))
		return 0;

	f = fopen(v->conf.fail_file, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}

	return strcmp(buf, "EIO") ? ENODEV : EIO;
}


/* Gone: alsa-lib reports -ENODEV for a DISCONNECTED PCM from now on */
static int disconnect(struct vslic *v, int e)
{
	if (e == ENODEV)
		snd_pcm_ioplug_set_state(&v->io, SND_PCM_STATE_DISCONNECTED);

	return -e;
}

static void xrun(struct vslic *v, uint64_t line)
{
	v->xrun = true;
	v->running = false;
	v->xruns++;
	vslic_line_event(v, "xrun", line);
}


/**
 * Bring the device up to now_ns. Call with v->lock held.
 * Returns -EPIPE on an xrun (now or earlier, until prepare), else 0.
 */
int vslic_update(struct vslic *v, uint64_t now_ns)
{
	snd_pcm_uframes_t appl = v->io.appl_ptr;
	int64_t pos;
	uint64_t hw;

	if (v->xrun)
		return -EPIPE;
	if (!v->running)
		return 0;

	pos = vslic_clock_pos(&v->clk, now_ns) - (int64_t)v->start_line;

	if (v->io.stream == SND_PCM_STREAM_CAPTURE) {
		hw = pos > 0 ? (uint64_t)pos : 0;
		if (hw > appl + v->io.buffer_size) {
			v->hw = appl + v->io.buffer_size;
			xrun(v, v->start_line + v->hw);
			return -EPIPE;
		}
		v->hw = hw;
		return 0;
	}

	hw = pos >= 0 ? (uint64_t)pos + 1 : 0;
	if (hw > appl && v->io.state == SND_PCM_STATE_DRAINING)
		hw = appl;

	if (hw > appl) {
		vslic_line_play(v, v->hw, appl);
		v->hw = appl;
		xrun(v, v->start_line + appl);
		return -EPIPE;
	}

	vslic_line_play(v, v->hw, hw);
	v->hw = hw;

	return 0;
}


static int vslic_start(snd_pcm_ioplug_t *io)
{
	struct vslic *v = io->private_data;
	uint64_t now = vslic_now_ns();
	uint64_t line;
	int e;

	e = vslic_failed(v);
	if (e)
		return disconnect(v, e);

	pthread_mutex_lock(&v->lock);

	if (!v->epoch_set) {
		v->clk.epoch_ns = now;
		v->epoch_set = true;
	}

	/* the stream begins with the next line sample */
	line = (uint64_t)vslic_clock_pos(&v->clk, now);
	if (vslic_clock_time(&v->clk, line) < now)
		++line;
	v->start_line = line > v->rec_line ? line : v->rec_line;

	v->hw = 0;
	v->xrun = false;
	v->running = true;
	vslic_timer_follow(v);

	pthread_mutex_unlock(&v->lock);

	return 0;
}


static int vslic_stop(snd_pcm_ioplug_t *io)
{
	struct vslic *v = io->private_data;

	pthread_mutex_lock(&v->lock);

	(void)vslic_update(v, vslic_now_ns());
	v->running = false;
	vslic_timer_ready(v);

	pthread_mutex_unlock(&v->lock);

	return 0;
}


static snd_pcm_sframes_t vslic_pointer(snd_pcm_ioplug_t *io)
{
	struct vslic *v = io->private_data;
	snd_pcm_sframes_t ret;
	int e;

	/* gone: a position, not an error (ioplug makes one an XRUN) */
	e = vslic_failed(v);
	if (e)
		(void)disconnect(v, e);
	if (e == EIO)
		return -EIO;

	pthread_mutex_lock(&v->lock);

	if (vslic_update(v, vslic_now_ns()))
		ret = -EPIPE;
	else
		ret = (snd_pcm_sframes_t)(v->hw % v->boundary);

	pthread_mutex_unlock(&v->lock);

	return ret;
}


static snd_pcm_sframes_t vslic_transfer(snd_pcm_ioplug_t *io,
					const snd_pcm_channel_area_t *areas,
					snd_pcm_uframes_t offset,
					snd_pcm_uframes_t size)
{
	struct vslic *v = io->private_data;
	int16_t *buf = (int16_t *)((char *)areas[0].addr +
				   (areas[0].first + offset * areas[0].step) /
				   8);
	int step = (int)(areas[0].step / 16);
	snd_pcm_uframes_t i;
	int e;

	e = vslic_failed(v);
	if (e)
		return disconnect(v, e);

	pthread_mutex_lock(&v->lock);

	if (io->stream == SND_PCM_STREAM_CAPTURE) {
		vslic_trigger_poll(v, v->start_line + io->appl_ptr);
		vslic_line_capture(v, buf, step, v->start_line + io->appl_ptr,
				   size);
	}
	else {
		for (i = 0; i < size; i++) {
			v->ring[(io->appl_ptr + i) % io->buffer_size] =
				buf[i * step];
		}
	}

	pthread_mutex_unlock(&v->lock);

	return (snd_pcm_sframes_t)size;
}


static int vslic_prepare(snd_pcm_ioplug_t *io)
{
	struct vslic *v = io->private_data;
	int e;

	e = vslic_failed(v);
	if (e)
		return disconnect(v, e);

	pthread_mutex_lock(&v->lock);

	v->running = false;
	v->xrun = false;
	v->hw = 0;
	vslic_timer_ready(v);

	pthread_mutex_unlock(&v->lock);

	return 0;
}


static int vslic_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
	struct vslic *v = io->private_data;
	int16_t *ring;

	(void)params;    /* ioplug copied the values into io already */

	if (io->format != SND_PCM_FORMAT_S16_LE || io->channels != 1 ||
	    io->rate != VSLIC_RATE) {
		SNDERR("vslic: only S16_LE, 1 channel, %d Hz", VSLIC_RATE);
		return -EINVAL;
	}

	ring = calloc(io->buffer_size, sizeof(*ring));
	if (!ring)
		return -ENOMEM;

	pthread_mutex_lock(&v->lock);
	free(v->ring);
	v->ring = ring;
	v->avail_min = io->period_size;

	/* alsa-lib's rule, until sw_params tells us the real one */
	v->boundary = io->buffer_size;
	while (v->boundary * 2 <= LONG_MAX - io->buffer_size)
		v->boundary *= 2;
	pthread_mutex_unlock(&v->lock);

	return 0;
}


static int vslic_hw_free(snd_pcm_ioplug_t *io)
{
	struct vslic *v = io->private_data;

	pthread_mutex_lock(&v->lock);
	free(v->ring);
	v->ring = NULL;
	pthread_mutex_unlock(&v->lock);

	return 0;
}


static int vslic_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
	struct vslic *v = io->private_data;
	snd_pcm_uframes_t avail_min, boundary;

	if (snd_pcm_sw_params_get_avail_min(params, &avail_min) < 0 ||
	    snd_pcm_sw_params_get_boundary(params, &boundary) < 0)
		return -EINVAL;

	pthread_mutex_lock(&v->lock);
	v->avail_min = avail_min ? avail_min : 1;
	v->boundary = boundary;
	pthread_mutex_unlock(&v->lock);

	return 0;
}


static void vslic_dump(snd_pcm_ioplug_t *io, snd_output_t *out)
{
	struct vslic *v = io->private_data;

	pthread_mutex_lock(&v->lock);
	snd_output_printf(out, "vslic: virtual SLIC skew_ppb=%lld "
			  "xruns=%u line=%llu\n",
			  (long long)v->conf.skew_ppb, v->xruns,
			  (unsigned long long)(v->start_line + v->hw));
	pthread_mutex_unlock(&v->lock);
}


static int vslic_close(snd_pcm_ioplug_t *io)
{
	vslic_free(io->private_data);

	return 0;
}


const snd_pcm_ioplug_callback_t vslic_callback = {
	.start       = vslic_start,
	.stop        = vslic_stop,
	.pointer     = vslic_pointer,
	.transfer    = vslic_transfer,
	.close       = vslic_close,
	.hw_params   = vslic_hw_params,
	.hw_free     = vslic_hw_free,
	.sw_params   = vslic_sw_params,
	.prepare     = vslic_prepare,
	.poll_revents = vslic_poll_revents,
	.dump        = vslic_dump,
};
