/**
 * @file tests/alsa/vslic.h  Virtual SLIC ALSA ioplug plugin, private API
 *
 * The plugin models one SLIC channel: S16_LE mono at 8 kHz, paced by
 * CLOCK_MONOTONIC scaled by (1 + skew). A "line" clock starts at the first
 * start after open and never stops; every stream (re)start begins on the
 * next line sample, so the playback recording is one continuous timeline
 * of the line, with silence wherever the stream was not running.
 */
#ifndef VSLIC_H
#define VSLIC_H

/* alsa/global.h picks the plugin (dlopen) symbol scheme only under PIC */
#ifndef PIC
#define PIC 1
#endif

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <poll.h>

enum {
	VSLIC_RATE         = 8000,
	VSLIC_PERIOD_MIN   = 40,
	VSLIC_PERIOD_MAX   = 1600,
	VSLIC_PERIODS_MIN  = 2,
	VSLIC_PERIODS_MAX  = 16,
	VSLIC_LEVEL_DFL    = 8000,
	VSLIC_SKEW_MAX_PPM = 100000,
	VSLIC_ECHO_DELAY_MAX = 32,      /* ms */
	VSLIC_ECHO_LOSS_MIN = 6,        /* dB */
	VSLIC_ECHO_LOSS_MAX = 20,
	VSLIC_ECHO_HIST = 8192,         /* played samples kept (1 s) */
};

enum vslic_source {
	VSLIC_SRC_SILENCE = 0,
	VSLIC_SRC_FILE,
	VSLIC_SRC_TONE,
};

/** What the pcm.NAME block and the VSLIC_* variables configure */
struct vslic_conf {
	int64_t skew_ppb;          /* device clock error, parts per 1e9 */
	enum vslic_source src;     /* capture source */
	char *capture_file;        /* raw S16 mono, looped */
	double tone_hz;
	int tone_level;            /* peak amplitude, 0..32767 */
	char *playback_file;       /* raw S16 recording of the line */
	char *playback_log;        /* "<line_index> <monotonic_ns>" lines */
	char *fail_file;           /* while it exists: device gone/broken */
	char *trigger_file;        /* once it exists: added to capture */
	bool echo;                 /* the hybrid: playback into capture */
	double echo_delay_ms;      /* 0..32 */
	double echo_loss_db;       /* 6..20 */
};

/** Maps monotonic time to line sample positions and back */
struct vslic_clock {
	uint64_t epoch_ns;         /* monotonic time of line sample 0 */
	int64_t skew_ppb;
	unsigned rate;
};

struct vslic {
	snd_pcm_ioplug_t io;       /* first: callbacks get &io */
	struct vslic_conf conf;
	struct vslic_clock clk;
	pthread_mutex_t lock;      /* poll_revents runs outside the pcm lock */
	int timer_fd;

	bool epoch_set;            /* line clock started */
	bool running;              /* stream clock runs */
	bool xrun;                 /* stopped by an xrun until prepare */
	unsigned xruns;
	uint64_t start_line;       /* line index of stream frame 0 */
	uint64_t hw;               /* stream frames the device has moved */
	snd_pcm_uframes_t avail_min;
	snd_pcm_uframes_t boundary;

	int16_t *ring;             /* playback data, buffer_size frames */
	int16_t *capture;          /* capture file contents */
	size_t capture_len;        /* frames in capture */
	int16_t *trig;             /* VSLIC_TRIGGER's samples, once */
	size_t trig_len;
	uint64_t trig_line;        /* line index of its first sample */
	bool trig_done;            /* found (or failed): look no more */

	/* the hybrid (vslic_echo.c): a playback keeps what it played */
	char *pcm_name;            /* pairs a capture with its playback */
	int16_t *echo_hist;        /* by line index % VSLIC_ECHO_HIST */
	uint64_t echo_line;        /* next line index echo_hist needs */
	struct vslic *echo_next;   /* registry of playbacks */

	FILE *rec;                 /* playback_file */
	FILE *log;                 /* playback_log */
	uint64_t rec_line;         /* next line index the recording needs */
};

/* internal to the plugin whatever the build flags: one public entry */
#pragma GCC visibility push(hidden)

/* vslic.c */
void vslic_free(struct vslic *v);

/* vslic_clock.c */
uint64_t vslic_now_ns(void);
int64_t vslic_clock_pos(const struct vslic_clock *clk, uint64_t now_ns);
uint64_t vslic_clock_time(const struct vslic_clock *clk, uint64_t line);
uint64_t vslic_clock_span(const struct vslic_clock *clk, uint64_t frames);

/* vslic_conf.c */
int vslic_conf_parse(struct vslic_conf *conf, snd_config_t *block);
int vslic_conf_env(struct vslic_conf *conf);
void vslic_conf_reset(struct vslic_conf *conf);

/* vslic_line.c */
int vslic_line_open(struct vslic *v);
void vslic_line_close(struct vslic *v);
void vslic_line_play(struct vslic *v, uint64_t from, uint64_t to);
void vslic_line_event(struct vslic *v, const char *what, uint64_t line);
void vslic_line_capture(const struct vslic *v, int16_t *dst, int step,
			uint64_t line, snd_pcm_uframes_t frames);

/* vslic_echo.c */
int vslic_echo_open(struct vslic *v, const char *name);
void vslic_echo_close(struct vslic *v);
void vslic_echo_record(struct vslic *v, uint64_t from, uint64_t to);
void vslic_echo_add(const struct vslic *v, int16_t *dst, int step,
		    uint64_t line, snd_pcm_uframes_t frames);

/* vslic_trigger.c */
void vslic_trigger_poll(struct vslic *v, uint64_t line);
void vslic_trigger_add(const struct vslic *v, int16_t *dst, int step,
		       uint64_t line, snd_pcm_uframes_t frames);
void vslic_trigger_close(struct vslic *v);

/* vslic_poll.c */
void vslic_timer_ready(struct vslic *v);
void vslic_timer_follow(struct vslic *v);
int vslic_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd,
		       unsigned int nfds, unsigned short *revents);

/* vslic_pcm.c */
extern const snd_pcm_ioplug_callback_t vslic_callback;
int vslic_update(struct vslic *v, uint64_t now_ns);
int vslic_failed(const struct vslic *v);

#pragma GCC visibility pop

#endif
