/**
 * @file modules/audio-alsa/alsa_port.h  One line's port, inside audio-alsa
 *
 * alsa_pcm.c runs the device; alsa_outage.c takes over while it is gone.
 * Both run on the port's thread only, except where a field is atomic
 * (read by `stats` on the main loop).
 */
#ifndef AUDIO_ALSA_PORT_H
#define AUDIO_ALSA_PORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

enum {
	SRATE = 8000,
	WAIT_MS = 1000,
	RETRY_MIN_MS = 100,
	RETRY_MAX_MS = 5000,
	XRUN_STREAK_MAX = 20,   /* recoveries with no period between */
	BUF_SLACK = 4,          /* pbuf/cbuf room: periods of the config */
};

struct alsa_port {
	snd_pcm_t *play, *cap;
	struct ata_audio *au;
	struct alsa_ctl *ring;
	char ring_control[128];   /* "" = ring via the control socket   */
	pthread_t thr;
	bool started;
	atomic_bool run;
	snd_pcm_uframes_t period, buffer;
	snd_pcm_uframes_t fill;   /* queued after a write: period+slack */
	snd_pcm_uframes_t slack;  /* media.slack: queued at a wake      */
	bool opened;              /* period/buffer are the device's     */
	int16_t *pbuf, *cbuf;
	size_t buf_frames;        /* room in pbuf and cbuf              */
	char device[128];
	uint32_t rt_priority;     /* SCHED_FIFO priority, 0 = plain      */
	atomic_uint_fast64_t xruns, short_caps;
	atomic_uint_fast64_t late_max;  /* frames a wake came late, max */
	atomic_uint_fast64_t gap_max;   /* ns between two wakes, max    */
	uint64_t wake_ns;
	uint64_t empty_ns;        /* when the playback buffer runs dry */
	/* device errors: the outage's clock and reopen schedule */
	struct alsa_lost *lost;
	atomic_bool down;
	atomic_uint_fast64_t device_errors;
	uint64_t down_ns, tick_ns, retry_ns;
	uint32_t retry_ms;
	unsigned tries;
	unsigned xrun_streak;
	/* idle line: PCM stopped (alsa_idle.c) */
	uint64_t unwanted_ns;     /* since when nothing wanted it, or 0 */
	atomic_bool idle;
	atomic_uint_fast64_t idle_stops;
};

static inline uint64_t alsa_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* alsa_pcm.c */
int  alsa_pcm_open(struct alsa_port *p, snd_pcm_t **pcm,
		   snd_pcm_stream_t dir, int mode, bool quiet);
int  alsa_pcm_open_both(struct alsa_port *p, bool quiet);
int  alsa_pcm_prime(struct alsa_port *p);
void alsa_pcm_note_fill(struct alsa_port *p, snd_pcm_sframes_t avail);

/* alsa_idle.c */
bool alsa_idle_due(struct alsa_port *p);
int  alsa_idle_run(struct alsa_port *p);
void alsa_idle_wake(struct alsa_port *p);

/* alsa_outage.c */
void alsa_pcm_close(struct alsa_port *p);
void alsa_port_lost(struct alsa_port *p, int err);
void alsa_port_outage(struct alsa_port *p);

#endif
