/**
 * @file modules/audio-alsa/alsa_lost.c  Device lost / back: events and log
 *
 * The audio thread finds out that the PCM failed hard (an unplugged USB
 * or SPI codec, an I/O error, a recover that does not recover); events
 * go to control clients from the main loop only, so the thread posts a
 * note through a libre mqueue (a pipe: no lock shared with the main
 * loop) and this side formats the event. One LOST and one BACK per
 * outage, never one per period or per failed reopen.
 */
#include <stdatomic.h>
#include <string.h>
#include "ataua.h"
#include "ctrl_proto.h"
#include "alsa.h"

enum { NOTE_LOST = 1, NOTE_BACK };

struct alsa_lost {
	struct mqueue *mq;
	uint32_t line;
	char device[128];
	atomic_int err;                 /* positive errno of the outage */
	atomic_uint_fast64_t down_ms;   /* length of the last outage    */
	atomic_uint tries;              /* reopens it took              */
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
	}
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


/** Audio thread: the device failed with @p err (positive errno) */
void alsa_lost_down(struct alsa_lost *l, int err)
{
	char buf[16];

	if (!l)
		return;

	atomic_store(&l->err, err);
	ata_warn("audio-alsa: line %u: %s: device error %s (%s): "
		 "closed, reopening in the background\n", l->line,
		 l->device, err_name(err, buf, sizeof(buf)),
		 snd_strerror(-err));
	(void)mqueue_push(l->mq, NOTE_LOST, NULL);
}


/** Audio thread: the device works again after @p down_ms */
void alsa_lost_up(struct alsa_lost *l, uint64_t down_ms, unsigned tries)
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
