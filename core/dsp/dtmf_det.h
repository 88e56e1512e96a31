/**
 * @file dtmf_det.h  In-band DTMF detector (Goertzel) for 8 kHz S16 audio
 *
 * Fed any number of samples at a time; it works in blocks of
 * DTMF_DET_BLOCK samples (12.75 ms) and reports each key press once:
 * at the press, when two consecutive blocks show the same key, and at
 * the release, after two blocks without it, with the key's duration.
 * Allocation-free after dtmf_det_alloc(), so it may run on the audio
 * thread. Acceptance (ITU-T Q.24 practice): frequency deviation within
 * 1.5 % accepted, 3.5 % rejected (the boundary lies at 2.5 %); twist up
 * to 8 dB normal (column weaker), 4 dB reverse accepted, 12 and 8 dB
 * refused; 40 ms tones accepted, under 23 ms refused; 40 ms
 * pauses separate presses; each tone from -35 dBm0; the two tones must
 * carry 90 % of a block's power and stand 8 dB above the other rows
 * and columns (speech talk-off). Durations are counted in whole blocks
 * with the key, so they read up to two blocks short.
 */
#ifndef ATA_DTMF_DET_H
#define ATA_DTMF_DET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DTMF_DET_SRATE = 8000,
	DTMF_DET_BLOCK = 102,   /**< samples per analysis block */
};

struct dtmf_det;

/**
 * A key: @p end false at the press (@p dur_ms is the time seen so far),
 * true at the release (@p dur_ms is the whole tone)
 */
typedef void (dtmf_det_h)(char key, bool end, uint32_t dur_ms, void *arg);

int  dtmf_det_alloc(struct dtmf_det **dp, dtmf_det_h *h, void *arg);
void dtmf_det_process(struct dtmf_det *d, const int16_t *pcm, size_t n);
void dtmf_det_reset(struct dtmf_det *d);
bool dtmf_det_busy(const struct dtmf_det *d);

#endif
