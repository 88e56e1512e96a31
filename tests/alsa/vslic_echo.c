/**
 * @file tests/alsa/vslic_echo.c  The SLIC's 2-wire hybrid: echo of playback
 *
 * A real line returns part of what the SLIC plays into what it
 * captures: the hybrid's imbalance, some ms later and 6..20 dB down.
 * With `echo_delay`/`echo_loss` (or VSLIC_ECHO=DELAY_MS:LOSS_DB) a
 * capture gets, on top of its source, the playback of the PCM of the
 * same name in this process, as it was on the line (silence where the
 * stream did not run) echo_delay earlier, echo_loss down. The playback
 * keeps the last second it played (echo_hist, by line index); the two
 * streams' line clocks meet through CLOCK_MONOTONIC. A capture sample
 * stays a pure function of its line index as long as the second it
 * echoes is kept.
 *
 * Locks: the registry lock, then a playback's lock; a capture holds its
 * own lock around both, a playback never takes the registry lock while
 * holding its own.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vslic.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vslic *reg;      /* playbacks with a hybrid */


/** At open: a playback keeps its history and is found by its name */
int vslic_echo_open(struct vslic *v, const char *name)
{
	if (!v->conf.echo)
		return 0;

	v->pcm_name = strdup(name ? name : "");
	if (!v->pcm_name)
		return -ENOMEM;
	if (v->io.stream != SND_PCM_STREAM_PLAYBACK)
		return 0;

	v->echo_hist = calloc(VSLIC_ECHO_HIST, sizeof(*v->echo_hist));
	if (!v->echo_hist)
		return -ENOMEM;

	pthread_mutex_lock(&reg_lock);
	v->echo_next = reg;
	reg = v;
	pthread_mutex_unlock(&reg_lock);

	return 0;
}


void vslic_echo_close(struct vslic *v)
{
	struct vslic **pp;

	if (v->echo_hist) {
		pthread_mutex_lock(&reg_lock);
		for (pp = &reg; *pp; pp = &(*pp)->echo_next) {
			if (*pp == v) {
				*pp = v->echo_next;
				break;
			}
		}
		pthread_mutex_unlock(&reg_lock);
	}

	free(v->echo_hist);
	free(v->pcm_name);
	v->echo_hist = NULL;
	v->pcm_name = NULL;
}


/**
 * Playback, under v->lock: stream frames [from, to) began on the line
 * (silence before them since the last call)
 */
void vslic_echo_record(struct vslic *v, uint64_t from, uint64_t to)
{
	uint64_t line = v->start_line + from, l;

	if (!v->echo_hist)
		return;

	l = v->echo_line;
	if (line > l + VSLIC_ECHO_HIST)
		l = line - VSLIC_ECHO_HIST;
	for (; l < line; l++)
		v->echo_hist[l % VSLIC_ECHO_HIST] = 0;

	for (; from < to; from++, line++)
		v->echo_hist[line % VSLIC_ECHO_HIST] =
			v->ring[from % v->io.buffer_size];
	v->echo_line = line;
}


static struct vslic *find_playback(const char *name)
{
	struct vslic *p;

	for (p = reg; p; p = p->echo_next)
		if (!strcmp(p->pcm_name, name))
			return p;

	return NULL;
}


/* one sample of p's line at monotonic t, or 0 if not kept */
static int16_t played_at(const struct vslic *p, uint64_t t)
{
	int64_t pl;

	if (!p->epoch_set)
		return 0;
	pl = vslic_clock_pos(&p->clk, t);
	if (pl < 0 || (uint64_t)pl >= p->echo_line ||
	    p->echo_line - (uint64_t)pl > VSLIC_ECHO_HIST)
		return 0;

	return p->echo_hist[(uint64_t)pl % VSLIC_ECHO_HIST];
}


/**
 * Capture, under v->lock: add the hybrid's echo to frames (every
 * step-th int16) from line index @p line on
 */
void vslic_echo_add(const struct vslic *v, int16_t *dst, int step,
		    uint64_t line, snd_pcm_uframes_t frames)
{
	const uint64_t delay = (uint64_t)llround(v->conf.echo_delay_ms *
						 1e6);
	const double gain = pow(10.0, -v->conf.echo_loss_db / 20.0);
	struct vslic *p;

	if (!v->conf.echo || !v->pcm_name)
		return;

	pthread_mutex_lock(&reg_lock);
	p = find_playback(v->pcm_name);
	if (p) {
		pthread_mutex_lock(&p->lock);
		/* what played until now is in the history */
		(void)vslic_update(p, vslic_now_ns());
		for (snd_pcm_uframes_t i = 0; i < frames; i++) {
			uint64_t t = vslic_clock_time(&v->clk, line + i);
			long s;

			if (t < delay)
				continue;
			s = dst[i * step] + lround(gain *
						   played_at(p, t - delay));
			dst[i * step] = (int16_t)(s > 32767 ? 32767 :
						  s < -32768 ? -32768 : s);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&reg_lock);
}
