/**
 * @file fax_det.h  Fax and modem tone detector for 8 kHz S16 audio
 *
 * Finds the answer tone (ITU-T V.25 ANS, 2100 Hz, and V.8 ANSam, the
 * same with 15 Hz amplitude modulation), with or without its phase
 * reversals every 450 ms, and the fax calling tone (T.30 CNG, 1100 Hz,
 * 0.5 s on, 3 s off). Fed any number of samples at a time; it works in
 * 10 ms blocks and calls its handler:
 *
 * - ANS: once the tone has lasted FAX_DET_ANS_MS and either a phase
 *   reversal was seen or FAX_DET_ANS_WAIT_MS passed; then once more,
 *   with `reversals` true, if a reversal comes later in the same tone
 *   (G.168: an echo canceller is disabled only by the reversed tone).
 * - CNG: when a burst of FAX_DET_CNG_MIN_MS .. FAX_DET_CNG_MAX_MS ends.
 *
 * Each from -33 dBm0 (the tone disabler of G.164 operates at -31 dBm0
 * and above); at least half of each block's power in the tone, and the
 * tone's phase steady from block to block apart from reversals: speech
 * and DTMF never hold that for 400 ms. Allocation-free after
 * fax_det_alloc(), so it may run on an audio thread.
 */
#ifndef ATA_FAX_DET_H
#define ATA_FAX_DET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	FAX_DET_SRATE = 8000,
	FAX_DET_BLOCK = 80,          /**< samples per block (10 ms)   */
	FAX_DET_ANS_MS = 400,        /**< ANS this long is one        */
	FAX_DET_ANS_WAIT_MS = 550,   /**< ... past a first reversal   */
	FAX_DET_CNG_MIN_MS = 400,    /**< a CNG burst: 0.5 s +- 15 %  */
	FAX_DET_CNG_MAX_MS = 700,
};

enum fax_tone {
	FAX_TONE_NONE = 0,
	FAX_TONE_ANS,                /**< 2100 Hz answer tone         */
	FAX_TONE_CNG,                /**< 1100 Hz calling tone        */
};

/** What was found */
struct fax_det_result {
	enum fax_tone tone;
	bool reversals;              /**< ANS: phase reversals seen   */
	bool am;                     /**< ANS: 15 Hz modulation (ANSam) */
	uint32_t dur_ms;             /**< the tone so far (CNG: burst) */
};

typedef void (fax_det_h)(const struct fax_det_result *res, void *arg);

struct fax_det;

int  fax_det_alloc(struct fax_det **dp, fax_det_h *h, void *arg);
void fax_det_process(struct fax_det *d, const int16_t *pcm, size_t n);
void fax_det_reset(struct fax_det *d);
uint64_t fax_det_tracked(const struct fax_det *d);
/** "ans-pr", "ans" or "cng": the name the events use */
const char *fax_det_name(const struct fax_det_result *res);

#endif
