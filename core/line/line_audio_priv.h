/**
 * @file line_audio_priv.h  The line's audio object, for its two files
 *
 * line_audio.c is the clocked path: what the driver's thread runs every
 * period (ata_audio_period) and the main loop's half of the same path
 * (RTP in, capture out, start and stop of a call). line_audio_feat.c
 * holds what the line sets on it from the main loop between periods
 * (tones, caller ID, DTMF detection, pass-through, the echo canceller)
 * and the counters; line_audio_state.c carries those settings, the
 * main loop's decoded frames and the counters across the two threads
 * without a lock; line_audio_rx.c reads the call's socket on the audio
 * thread. Nothing outside these files sees the struct.
 *
 * Ownership by thread, so that nothing on the path takes a lock: the
 * fields under "main loop" are touched only there, those under "audio
 * thread" only by the driver's thread; what crosses is an atomic, an
 * SPSC ring or a triple buffer, named as such.
 */
#ifndef ATA_LINE_AUDIO_PRIV_H
#define ATA_LINE_AUDIO_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>
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

/*
 * What the main loop sets and the audio thread plays by: one value,
 * published whole (triple buffer, newest wins) and taken by the thread
 * at its next period. The pointers are borrowed: the main loop holds
 * the references and frees a replaced one only once the thread has
 * taken a version without it (line_audio_state.c).
 */
struct audio_state {
	unsigned version;          /* one more each publish           */
	unsigned call_gen;         /* one more each call start or
				      ptime change: jitter buffer and
				      capture start afresh            */
	bool active;               /* a call is connected            */
	size_t ptime_n;            /* samples per sent frame         */
	uint32_t pass_ms;          /* fax/modem pass-through, 0: voice */
	struct tone_gen *tone;     /* played (or mixed) if set        */
	const int16_t *clip;       /* caller ID, played on-hook       */
	size_t clip_n;
	unsigned clip_gen;         /* one more each clip: from its start */
	bool call_mute;            /* off-hook caller ID: the call is
				      silent both ways, clip plays   */
	bool garbage;              /* replaced references wait for the
				      thread to take this version     */
};

/* A frame the main loop decoded (the TURN path), for the thread */
struct audio_rx_frame {
	uint64_t arrival_ns;       /* CLOCK_MONOTONIC                 */
	uint32_t ssrc, ts;
	uint16_t seq;
	bool marker;
	unsigned call_gen;
	size_t n;
	int16_t pcm[FRAME_MAX];
};

struct ata_audio {
	struct jitbuf *jb;         /* audio thread's                  */
	uint32_t delay_ms;         /* constant                        */
	int16_t acc[FRAME_MAX];    /* capture being collected        */
	size_t acc_n;
	/* capture frames, audio thread -> main loop (no rx bound) */
	int16_t txq[TXQ][FRAME_MAX];
	size_t txq_n[TXQ];
	unsigned txq_gen[TXQ];     /* call_gen: older ones are dropped */
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
	bool skipped;              /* audio thread: ata_audio_skip()  */
	atomic_uint_fast64_t xruns, periods, tx_dropped, rx_dropped;
	/* main loop: the counters when the call began (`stats` is per
	   call) */
	uint64_t xruns0, periods0, tx_dropped0, rx_dropped0;

	/* main loop: the settings (line_audio_state.c) */
	struct audio_state ms;
	struct triplebuf *state_tb;
	struct list retired;       /* references the thread may hold  */
	/* audio thread: the settings it plays by, and what it did
	   with them */
	const struct audio_state *st;
	unsigned t_call_gen, t_clip_gen;
	uint32_t t_pass_ms;
	size_t clip_pos;
	atomic_uint seen;          /* the version the thread took     */
	/* main loop -> audio thread: decoded frames (TURN path) */
	struct spsc rxq;
	struct audio_rx_frame *rxq_buf;
	/* audio thread -> main loop: the jitter buffer's counters */
	struct triplebuf *stats_tb;

	/* handset DTMF: the detector is the audio thread's alone */
	struct dtmf_det *det;
	atomic_bool det_on;        /* main loop: the line is off-hook */
	atomic_bool det_mute;      /* main loop: keys go as RFC 4733  */
	bool det_run;              /* audio thread: det_on last time  */
	bool key_ready;            /* audio thread: write the pipe    */
	SPSC_OF(struct audio_key, DIGQ) keyq;
	line_audio_key_h *keyh;
	void *key_arg;

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
/* line_audio_state.c, main loop */
int  line_audio_state_alloc(struct ata_audio *au);
void line_audio_state_free(struct ata_audio *au);
void line_audio_publish(struct ata_audio *au);
void line_audio_retire(struct ata_audio *au, const void *ref);
void line_audio_collect(struct ata_audio *au);
/* line_audio_state.c, audio thread */
bool line_audio_adopt(struct ata_audio *au);
void line_audio_take_frames(struct ata_audio *au);
void line_audio_publish_stats(struct ata_audio *au);
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
