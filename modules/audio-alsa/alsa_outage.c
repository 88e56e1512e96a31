/**
 * @file modules/audio-alsa/alsa_outage.c  A port whose device is gone
 *
 * The port's thread found that the PCM failed hard (an unplugged USB or
 * SPI codec, an I/O error, a recover that does not recover): it closes
 * both PCMs, keeps the core's clock on a timer (silence both ways, so a
 * call stays up and its RTP keeps flowing) and reopens the device with
 * a backoff of 100 ms doubling to 5 s. Events go to control clients
 * from the main loop only, so the thread posts a note through a libre
 * mqueue (a pipe: no lock shared with the main loop) and the main loop
 * formats the event. One LOST and one BACK per outage, never one per
 * period or per failed reopen.
 */
#include <string.h>
#include "ataua.h"
#include "alsa.h"
#include "alsa_port.h"

enum { NOTE_LOST = 1, NOTE_BACK };

struct alsa_lost {
	struct mqueue *mq;
	uint32_t line;
	char device[128];
	atomic_int err;                 /* positive errno of the outage */
	atomic_uint_fast64_t down_ms;   /* length of the last outage    */
	atomic_uint tries;              /* reopens it took              */
	alsa_back_h *backh;             /* main loop, after BACK        */
	void *arg;
};


static void lost_destructor(void *arg)
{
	struct alsa_lost *l = arg;

	mem_deref(l->mq);
}


/* A short name for an event value: ENODEV rather than "No such device" */
static const char *err_name(int e, char *buf, size_t sz)
{
	switch (e) {

	case ENODEV:    return "ENODEV";
	case ENXIO:     return "ENXIO";
	case EIO:       return "EIO";
	case EBADFD:    return "EBADFD";
	case EPIPE:     return "EPIPE";
	case ESTRPIPE:  return "ESTRPIPE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINVAL:    return "EINVAL";
	default:
		(void)re_snprintf(buf, sz, "errno%d", e);
		return buf;
	}
}


/* Main loop */
static void mq_handler(int id, void *data, void *arg)
{
	struct alsa_lost *l = arg;
	char buf[16];
	int e = atomic_load(&l->err);

	(void)data;

	if (id == NOTE_LOST) {
		ata_event(ATA_LOG_WARN, ATA_EVENT_AUDIO_LOST,
			  "line=%u device=%s error=%s", l->line, l->device,
			  err_name(e, buf, sizeof(buf)));
	}
	else if (id == NOTE_BACK) {
		ata_event(ATA_LOG_NOTICE, ATA_EVENT_AUDIO_BACK,
			  "line=%u device=%s down_ms=%llu retries=%u",
			  l->line, l->device,
			  (unsigned long long)atomic_load(&l->down_ms),
			  atomic_load(&l->tries));
		if (l->backh)
			l->backh(l->arg);
	}
}


/** Call @p h on the main loop each time the device is back */
void alsa_lost_on_back(struct alsa_lost *l, alsa_back_h *h, void *arg)
{
	if (!l)
		return;

	l->backh = h;
	l->arg = arg;
}


/** Main thread: the event side of one port */
int alsa_lost_alloc(struct alsa_lost **lp, uint32_t line,
		    const char *device)
{
	struct alsa_lost *l;
	int err;

	if (!lp || !device)
		return EINVAL;

	l = mem_zalloc(sizeof(*l), lost_destructor);
	if (!l)
		return ENOMEM;

	l->line = line;
	str_ncpy(l->device, device, sizeof(l->device));
	err = mqueue_alloc(&l->mq, mq_handler, l);
	if (err)
		mem_deref(l);
	else
		*lp = l;

	return err;
}


/* Audio thread: the device failed with @p err (positive errno) */
static void lost_down(struct alsa_lost *l, int err)
{
	char buf[16];

	if (!l)
		return;

	atomic_store(&l->err, err);
	ata_warn("audio-alsa: line %u: %s: device error %s (%s): "
		 "waiting for it in the background\n", l->line,
		 l->device, err_name(err, buf, sizeof(buf)),
		 snd_strerror(-err));
	(void)mqueue_push(l->mq, NOTE_LOST, NULL);
}


/* Audio thread: the device works again after @p down_ms */
static void lost_up(struct alsa_lost *l, uint64_t down_ms, unsigned tries)
{
	if (!l)
		return;

	atomic_store(&l->down_ms, down_ms);
	atomic_store(&l->tries, tries);
	ata_notice("audio-alsa: line %u: %s: device back after %llu ms "
		   "(%u reopens)\n", l->line, l->device,
		   (unsigned long long)down_ms, tries);
	(void)mqueue_push(l->mq, NOTE_BACK, NULL);
}


void alsa_pcm_close(struct alsa_port *p)
{
	if (p->play)
		(void)snd_pcm_close(p->play);
	if (p->cap)
		(void)snd_pcm_close(p->cap);
	p->play = NULL;
	p->cap = NULL;
}


/* The device failed hard: close it, say so once, start the outage */
void alsa_port_lost(struct alsa_port *p, int r)
{
	alsa_pcm_close(p);
	++p->device_errors;
	atomic_store(&p->down, true);
	lost_down(p->lost, r < 0 ? -r : EIO);

	p->down_ns = p->tick_ns = alsa_now_ns();
	p->retry_ms = RETRY_MIN_MS;
	p->retry_ns = p->down_ns + RETRY_MIN_MS * 1000000ull;
	p->tries = 0;
	p->xrun_streak = 0;
	p->wake_ns = 0;     /* the outage is no scheduling gap */
	p->empty_ns = 0;
}


/* Open both PCMs again with the same geometry and start them */
static int reopen(struct alsa_port *p)
{
	const snd_pcm_uframes_t period = p->period, buffer = p->buffer;
	const snd_pcm_uframes_t fill = p->fill;
	int err;

	err = alsa_pcm_open_both(p, true);
	/* the delay is the buffer's: a device back from an outage must
	   come with the geometry it had; one that was never open brings
	   its own, within the room of pbuf and cbuf */
	if (!err && p->opened && (p->period != period || p->buffer != buffer))
		err = EINVAL;
	if (!err && !p->opened && p->period > p->buf_frames)
		err = EINVAL;
	if (!err && (alsa_pcm_prime(p) < 0 || snd_pcm_start(p->cap) < 0))
		err = EIO;
	if (err) {
		alsa_pcm_close(p);
		p->period = period;
		p->buffer = buffer;
		p->fill = fill;
	}
	else {
		p->opened = true;
	}

	return err;
}


/*
 * One period of an outage: sleep to the next tick of our own clock,
 * give the core its period (silence captured, playback dropped), and
 * reopen when the backoff says so.
 */
void alsa_port_outage(struct alsa_port *p)
{
	const uint64_t period_ns = p->period * (1000000000ull / SRATE);
	struct timespec ts;
	uint64_t t;

	p->tick_ns += period_ns;
	t = alsa_now_ns();
	if (t > p->tick_ns + 100 * period_ns)
		p->tick_ns = t;      /* far behind: no burst of periods */
	ts.tv_sec = (time_t)(p->tick_ns / 1000000000u);
	ts.tv_nsec = (long)(p->tick_ns % 1000000000u);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;

	ata_audio_period(p->au, p->pbuf, NULL, p->period);

	t = alsa_now_ns();
	if (t < p->retry_ns || !atomic_load(&p->run))
		return;

	++p->tries;
	if (reopen(p)) {
		p->retry_ms = p->retry_ms * 2 > RETRY_MAX_MS ?
			RETRY_MAX_MS : p->retry_ms * 2;
		p->retry_ns = alsa_now_ns() + p->retry_ms * 1000000ull;
		return;
	}

	/* the primed fill delays what comes next: keep the delay */
	ata_audio_skip(p->au, p->fill);
	alsa_pcm_note_fill(p, snd_pcm_avail_update(p->play));
	atomic_store(&p->down, false);
	lost_up(p->lost, (t - p->down_ns) / 1000000u, p->tries);
}
