/**
 * @file tests/alsa/vslic.c  vslic: ALSA ioplug PCM plugin, a virtual SLIC
 *
 * alsa-lib loads this from `pcm_type.vslic { lib "..." }` and calls the
 * one public entry, _snd_pcm_vslic_open, with the `pcm.NAME { type vslic
 * ... }` block. See tests/alsa/README.md for keys and file formats.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vslic.h"

static const snd_pcm_access_t vslic_access[] = {
	SND_PCM_ACCESS_RW_INTERLEAVED,
	SND_PCM_ACCESS_MMAP_INTERLEAVED,
};


/** Release everything; also the ioplug close callback */
void vslic_free(struct vslic *v)
{
	if (!v)
		return;

	vslic_echo_close(v);
	vslic_line_close(v);
	if (v->timer_fd >= 0)
		close(v->timer_fd);
	free(v->ring);
	vslic_conf_reset(&v->conf);
	pthread_mutex_destroy(&v->lock);
	free(v);
}


/* anything else is refused at hw_params, so that plug: converts */
static int set_constraints(snd_pcm_ioplug_t *io)
{
	unsigned int access[2] = {vslic_access[0], vslic_access[1]};
	unsigned int format = SND_PCM_FORMAT_S16_LE;
	int err;

	err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS,
					    2, access);
	if (err < 0)
		return err;
	err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT,
					    1, &format);
	if (err < 0)
		return err;
	err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS,
					      1, 1);
	if (err < 0)
		return err;
	err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE,
					      VSLIC_RATE, VSLIC_RATE);
	if (err < 0)
		return err;
	err = snd_pcm_ioplug_set_param_minmax(io,
					      SND_PCM_IOPLUG_HW_PERIOD_BYTES,
					      VSLIC_PERIOD_MIN * 2,
					      VSLIC_PERIOD_MAX * 2);
	if (err < 0)
		return err;
	err = snd_pcm_ioplug_set_param_minmax(io,
					      SND_PCM_IOPLUG_HW_BUFFER_BYTES,
					      VSLIC_PERIOD_MIN * 2 *
					      VSLIC_PERIODS_MIN,
					      VSLIC_PERIOD_MAX * 2 *
					      VSLIC_PERIODS_MAX);
	if (err < 0)
		return err;

	return snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS,
					       VSLIC_PERIODS_MIN,
					       VSLIC_PERIODS_MAX);
}


static int vslic_alloc(struct vslic **vp, const char *name,
		       snd_config_t *conf, snd_pcm_stream_t stream)
{
	struct vslic *v;
	int err;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;

	v->timer_fd = -1;
	v->io.stream = stream;
	pthread_mutex_init(&v->lock, NULL);

	err = vslic_conf_parse(&v->conf, conf);
	if (err)
		goto out;
	err = vslic_conf_env(&v->conf);
	if (err)
		goto out;
	err = -vslic_failed(v);
	if (err) {
		SNDERR("vslic: device gone (%s exists)", v->conf.fail_file);
		goto out;
	}
	err = vslic_line_open(v);
	if (err)
		goto out;
	err = vslic_echo_open(v, name);
	if (err)
		goto out;

	v->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	if (v->timer_fd < 0) {
		err = -errno;
		SNDERR("vslic: timerfd_create: %s", strerror(errno));
		goto out;
	}

	v->clk.rate = VSLIC_RATE;
	v->clk.skew_ppb = v->conf.skew_ppb;
	v->avail_min = 1;
	v->boundary = 1;

	v->io.version = SND_PCM_IOPLUG_VERSION;
	v->io.name = "ataua virtual SLIC";
	v->io.callback = &vslic_callback;
	v->io.private_data = v;
	v->io.poll_fd = v->timer_fd;
	v->io.poll_events = POLLIN;    /* a timerfd; poll_revents maps it */
	v->io.flags = SND_PCM_IOPLUG_FLAG_MONOTONIC |
		SND_PCM_IOPLUG_FLAG_BOUNDARY_WA;

 out:
	if (err)
		vslic_free(v);
	else
		*vp = v;

	return err;
}


#pragma GCC visibility push(default)

SND_PCM_PLUGIN_DEFINE_FUNC(vslic);

/** The plugin's entry: alsa-lib resolves it by name and version */
SND_PCM_PLUGIN_DEFINE_FUNC(vslic)
{
	struct vslic *v = NULL;
	int err;

	(void)root;

	err = vslic_alloc(&v, name, conf, stream);
	if (err)
		return err;

	err = snd_pcm_ioplug_create(&v->io, name, stream, mode);
	if (err < 0) {
		vslic_free(v);
		return err;
	}

	/* from here on, snd_pcm_ioplug_delete() frees v via close */
	err = set_constraints(&v->io);
	if (err < 0) {
		snd_pcm_ioplug_delete(&v->io);
		return err;
	}

	*pcmp = v->io.pcm;

	return 0;
}

SND_PCM_PLUGIN_SYMBOL(vslic);

#pragma GCC visibility pop
