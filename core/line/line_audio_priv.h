/**
 * @file line_audio_priv.h  The line's audio object, for its two files
 *
 * line_audio.c is the clocked path: what the driver's thread runs every
 * period (ata_audio_period) and the main loop's half of the same path
 * (RTP in, capture out, start and stop of a call). line_audio_feat.c
 * holds what the line sets on it from the main loop between periods
 * (tones, caller ID, DTMF detection, pass-through, the echo canceller)
 * and the counters. Nothing outside these two files sees the struct.
 */
#ifndef ATA_LINE_AUDIO_PRIV_H
#define ATA_LINE_AUDIO_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/spsc.h"
#include "dsp/fax_det.h"
#include "line_audio.h"

struct call_rx;

enum {
	SRATE = 8000,
	FRAME_MAX = 480,   /* 60 ms */
	TXQ = 4,           /* frames queued for the main loop */
	DIGQ = 8,          /* keys queued for the main loop   */
	FAXQ = 4,          /* far-end tones for the main loop */
};

struct audio_fax_found {
	unsigned dir;
	struct fax_det_result res;
};

struct audio_key {
	char key;
	bool end;
	uint32_t dur_ms;
};

struct ata_audio {
	pthread_mutex_t mtx;
	struct jitbuf *jb;
	uint32_t delay_ms;
	bool active;               /* a call is connected            */
	size_t ptime_n;            /* samples per sent frame         */
	int16_t acc[FRAME_MAX];    /* capture being collected        */
	size_t acc_n;
	int16_t txq[TXQ][FRAME_MAX];
	size_t txq_n[TXQ];
	/* one writer each: the audio thread head, the main loop tail */
	atomic_uint txq_head, txq_tail;
	int pipe[2];
	bool listening;
	line_audio_tx_h *txh;
	void *arg;
	uint64_t anchor_pos;       /* device clock of the last period */
	uint64_t anchor_ns;        /* when its first sample plays     */
	uint64_t next_ns;          /* audio thread: ata_audio_delay() */
	bool anchor_run;           /* the clock ran since the anchor  */
	struct tone_gen *tone;     /* ref: played (or mixed) if set   */
	const int16_t *clip;       /* ref: caller ID, played on-hook  */
	size_t clip_n, clip_pos;
	bool call_mute;            /* off-hook caller ID: the call is
				      silent both ways, clip plays   */
	atomic_uint_fast64_t xruns, periods, tx_dropped;
	/* the counters when the call began: `stats` is per call */
	uint64_t xruns0, periods0, tx_dropped0;

	/* handset DTMF: the detector is the audio thread's alone */
	struct dtmf_det *det;
	atomic_bool det_on;        /* main loop: the line is off-hook */
	atomic_bool det_mute;      /* main loop: keys go as RFC 4733  */
	bool det_run;              /* audio thread: det_on last time  */
	bool key_ready;            /* audio thread: write the pipe    */
	SPSC_OF(struct audio_key, DIGQ) keyq;
	line_audio_key_h *keyh;
	void *key_arg;

	/* fax/modem pass-through (line_audio_passthrough), per call */
	uint32_t pass_ms;          /* 0: voice                        */
	/* the echo canceller stands aside for this call (G.168: the
	   phase-reversed 2100 Hz answer tone disables it) */
	atomic_bool ec_bypass;
	/* echo canceller (line_echo.c), NULL when off; audio thread's */
	struct line_echo *echo;
	/* main loop: the call's direction sends no audio (held, recvonly,
	   inactive): its capture goes nowhere, the canceller rests */
	atomic_bool unsent;
	size_t queued;             /* ata_audio_delay(): device queue */
	/* main loop -> an idle driver: the line wants the device again */
	int wake_fd;
	/* a call, tone or caller ID to play: set true by the main loop
	   with each wake, recomputed by every period under the mutex */
	atomic_bool busy;

	/* the call's RTP, read by this thread (line_audio_rx.c) */
	_Atomic(struct call_rx *) rx;
	atomic_bool in_period;     /* audio thread: inside a period    */
	atomic_uint epoch;         /* audio thread: periods ended      */
	line_audio_poll_h *pollh;  /* main loop: after the pipe's wake */
	void *poll_arg;

	struct call_rx *rx_cur;    /* audio thread: rx in this period  */

	/* fax tones: the far end's over what this thread plays, the
	   phone's over what it captures while it sends them itself */
	struct audio_fax {
		struct fax_det *det;
		struct ata_audio *au;
		unsigned dir;
		bool run;          /* audio thread: on last time      */
		line_audio_fax_h *h;
		void *arg;
	} fax[2];
	atomic_bool fax_on, fax_fresh;
	SPSC_OF(struct audio_fax_found, FAXQ) faxq;
};



/* Main loop: the line wants the device again (an idle driver wakes) */
void line_audio_wake(struct ata_audio *au);
/* Audio thread: the capture is used, the echo canceller runs */
bool line_audio_capture_used(struct ata_audio *au);
/* Either thread: @p t_ns (CLOCK_MONOTONIC) on the device clock */
uint64_t line_audio_arrival(const struct ata_audio *au, uint64_t t_ns);
/* line_audio_rx.c, on the audio thread */
bool line_audio_drain(struct ata_audio *au, struct call_rx *rx);
void line_audio_fax_listen(struct ata_audio *au, unsigned dir,
			   const int16_t *pcm, size_t n);
/* line_audio_rx.c, on the main loop */
void line_audio_fax_poll(struct ata_audio *au);

#endif
