/**
 * @file tests/alsa/vslic_poll.c  vslic poll fd: a timerfd ticking per period
 *
 * The timer ticks once per period, its first tick at the moment avail
 * reaches avail_min, so snd_pcm_wait() and poll loops wake once per
 * period; poll_revents then computes the real readiness from the clock.
 * When the stream is not running the fd is left readable so that the
 * application learns the state (PREPARED playback: room to write).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vslic.h"

static const uint64_t NS_PER_S = 1000000000ull;


static struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec  = (time_t)(ns / NS_PER_S),
		.tv_nsec = (long)(ns % NS_PER_S),
	};

	return ts;
}


static void timer_arm(struct vslic *v, uint64_t first_ns, uint64_t every_ns)
{
	struct itimerspec its = {
		.it_value    = ns_to_ts(first_ns),
		.it_interval = ns_to_ts(every_ns),
	};

	if (timerfd_settime(v->timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		SNDERR("vslic: timerfd_settime: %s", strerror(errno));
}


/* a time long past: the fd is readable until timer_clear() */
void vslic_timer_ready(struct vslic *v)
{
	timer_arm(v, 1, 0);
}


static void timer_clear(struct vslic *v)
{
	uint64_t ticks;

	if (read(v->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		SNDERR("vslic: timerfd read: %s", strerror(errno));
}


/*
 * Tick once per period, the first tick when the application may transfer
 * avail_min frames: never before hw got there, and aligned with the
 * application (a short read must not make it wait a whole extra period).
 */
void vslic_timer_follow(struct vslic *v)
{
	bool play = v->io.stream == SND_PCM_STREAM_PLAYBACK;
	int64_t target = (int64_t)v->io.appl_ptr + (int64_t)v->avail_min;
	uint64_t line;

	if (play)
		target -= (int64_t)v->io.buffer_size;
	if (target <= (int64_t)v->hw)
		target = (int64_t)v->hw + 1;

	/* playback hw counts begun samples: one less to wait for */
	line = v->start_line + (uint64_t)target - (play ? 1 : 0);

	timer_arm(v, vslic_clock_time(&v->clk, line),
		  vslic_clock_span(&v->clk, v->io.period_size));
}


/* frames the application may transfer now; v->lock held */
static snd_pcm_uframes_t app_avail(const struct vslic *v)
{
	snd_pcm_uframes_t appl = v->io.appl_ptr;

	if (v->io.stream == SND_PCM_STREAM_CAPTURE)
		return v->hw > appl ? v->hw - appl : 0;

	return v->io.buffer_size - (appl - v->hw);
}


/**
 * The fd is a timerfd (POLLIN); report what a PCM fd would: POLLOUT or
 * POLLIN when avail >= avail_min, POLLERR in XRUN and other dead states.
 */
int vslic_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd,
		       unsigned int nfds, unsigned short *revents)
{
	struct vslic *v = io->private_data;
	unsigned short ready = io->stream == SND_PCM_STREAM_PLAYBACK ?
		POLLOUT : POLLIN;
	snd_pcm_state_t state = io->state;

	if (!pfd || !revents || nfds != 1 || pfd[0].fd != v->timer_fd)
		return -EINVAL;

	/* fault injection: unplugged, or broken (an error, like an xrun) */
	switch (vslic_failed(v)) {

	case 0:
		break;

	case ENODEV:
		state = SND_PCM_STATE_DISCONNECTED;
		snd_pcm_ioplug_set_state(io, state);
		break;

	default:
		state = SND_PCM_STATE_XRUN;
		snd_pcm_ioplug_set_state(io, state);
		break;
	}

	pthread_mutex_lock(&v->lock);

	*revents = 0;
	if (state != SND_PCM_STATE_DISCONNECTED &&
	    vslic_update(v, vslic_now_ns()) && state != SND_PCM_STATE_XRUN &&
	    state != SND_PCM_STATE_DRAINING) {
		snd_pcm_ioplug_set_state(io, SND_PCM_STATE_XRUN);
		state = SND_PCM_STATE_XRUN;
	}

	switch (state) {

	case SND_PCM_STATE_RUNNING:
	case SND_PCM_STATE_DRAINING:
		timer_clear(v);
		if (app_avail(v) >= v->avail_min)
			*revents = ready;
		else
			vslic_timer_follow(v);
		break;

	case SND_PCM_STATE_PREPARED:
		/* playback may fill the buffer before starting */
		if (io->stream == SND_PCM_STREAM_PLAYBACK &&
		    app_avail(v) >= v->avail_min)
			*revents = ready;
		else
			timer_clear(v);
		break;

	default:
		/* like the kernel: XRUN, SETUP, ... report an error */
		*revents = ready | POLLERR;
		break;
	}

	pthread_mutex_unlock(&v->lock);

	return 0;
}


