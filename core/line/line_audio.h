/**
 * @file line_audio.h  A line's audio: jitter buffer and capture queue
 *
 * The driver-facing half (ata_audio_period, ata_audio_xrun) is in
 * ataua.h; these are the main-loop half, used by line_media.c.
 */
#ifndef ATA_LINE_AUDIO_H
#define ATA_LINE_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dsp/jitbuf.h"

struct ata_audio;
struct call_rx;
struct fax_det_result;
struct tone_gen;

enum {
	/*
	 * Fax/modem pass-through delay: data cannot be concealed, so a
	 * late packet is an error burst or a retrain; 120 ms rides out
	 * ~100 ms jitter spikes (Wi-Fi, DSL interleaving) and keeps the
	 * one-way delay within G.114's 150 ms, far inside what T.30 and
	 * the V-series echo cancellers of modems allow.
	 */
	LINE_AUDIO_PASS_MS = 120,
};

/** A full ptime of capture, on the main loop */
typedef void (line_audio_tx_h)(const int16_t *pcm, size_t n, void *arg);
/** Main loop, each time the audio thread woke it (digits to take) */
typedef void (line_audio_poll_h)(void *arg);
/** Main loop: the far end's fax or modem tone */
typedef void (line_audio_fax_h)(const struct fax_det_result *res,
				void *arg);

/** A handset key (core/dsp/dtmf_det.h): at the press, then the release */
typedef void (line_audio_key_h)(char key, bool end, uint32_t dur_ms,
				void *arg);

struct line_audio_stats {
	struct jitbuf_stats jb;
	uint64_t xruns;
	uint64_t periods;
	uint64_t tx_dropped;
	uint64_t rx_dropped;    /**< Main loop's frames the thread missed */
	uint32_t delay_ms;     /**< Jitter buffer part of the delay */
};

int  line_audio_alloc(struct ata_audio **aup, uint32_t delay_ms,
		      line_audio_tx_h *txh, void *arg);
void line_audio_start(struct ata_audio *au, uint32_t ptime_ms);
void line_audio_stop(struct ata_audio *au);
int  line_audio_put(struct ata_audio *au, uint32_t ssrc, uint16_t seq,
		    uint32_t ts, bool marker, const int16_t *pcm, size_t n);
void line_audio_stats(struct ata_audio *au, struct line_audio_stats *st);
void line_audio_tone(struct ata_audio *au, struct tone_gen *tg);
/** The handler argument given to line_audio_alloc (the line) */
void *line_audio_owner(const struct ata_audio *au);
void line_audio_key_handler(struct ata_audio *au, line_audio_key_h *keyh,
			    void *arg);
void line_audio_dtmf(struct ata_audio *au, bool on, bool mute);
int  line_audio_passthrough(struct ata_audio *au, uint32_t delay_ms,
			    bool ec_off);
void line_audio_clip(struct ata_audio *au, const int16_t *pcm, size_t n);
void line_audio_call_mute(struct ata_audio *au, bool on);
int  line_audio_echo(struct ata_audio *au, uint32_t tail_ms);
void line_audio_echo_enable(struct ata_audio *au, bool on);
void line_audio_sending(struct ata_audio *au, bool on);
/* line_audio_rx.c: the call's RTP read by the audio thread (#13) */
void line_audio_bind(struct ata_audio *au, struct call_rx *rx);
void line_audio_poll_handler(struct ata_audio *au, line_audio_poll_h *h,
			     void *arg);
int  line_audio_fax(struct ata_audio *au, unsigned dir, line_audio_fax_h *h,
		    void *arg);
void line_audio_fax_on(struct ata_audio *au, bool on, bool fresh);

#endif
