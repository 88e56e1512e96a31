/**
 * @file tone.h  Call-progress tones: country profiles and the generator
 *
 * A tone is up to four summed sine components at one level, switched by
 * an on/off cadence that repeats (US busy: 480+620 Hz, 500 ms on, 500 ms
 * off). Profiles come from the YAML `tones:` section; the built-in us, de,
 * uk and fr profiles apply when the config has none.
 */
#ifndef ATA_TONE_H
#define ATA_TONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	ATA_TONE_MAX_FREQS   = 4,
	ATA_TONE_MAX_CADENCE = 8,
	ATA_TONE_NAME_MAX    = 16,
};

/** The tones an FXS line plays */
enum ata_tone_id {
	ATA_TONE_DIAL = 0,
	ATA_TONE_RINGBACK,
	ATA_TONE_BUSY,
	ATA_TONE_CONGESTION,
	ATA_TONE_CALLWAIT,
	ATA_TONE_HOWLER,
	ATA_TONE_STUTTER,        /**< dial tone while messages wait */
	ATA_TONE_COUNT
};

/** One tone: summed sines at one level, with an optional cadence */
struct ata_tone_spec {
	unsigned nfreq;                           /**< 1..4 components     */
	uint16_t freq[ATA_TONE_MAX_FREQS];        /**< Hz, 25..3400        */
	int level;                                /**< dBm0 per component  */
	unsigned ncadence;                        /**< 0 = continuous      */
	uint32_t cadence_ms[ATA_TONE_MAX_CADENCE];/**< on, off, on, off... */
	uint32_t steady_ms;      /**< >0: the cadence for this long, then
				      on for ever (stutter dial tone)   */
};

/** A country profile: one spec per tone */
struct ata_tone_profile {
	char name[ATA_TONE_NAME_MAX];
	struct ata_tone_spec tone[ATA_TONE_COUNT];
};

/*
 * ----- Generator (core/dsp/tone.c) -----
 *
 * Level reference: G.711 puts the full-load sine of mu-law (peak 8159 on
 * the 14-bit scale, 32636 on the 16-bit scale) at +3.17 dBm0, so 0 dBm0
 * is a sine of peak 32636 * 10^(-3.17/20) = 22657 (RMS 16021). The
 * mu-law digital milliwatt (0x1e 0x0b 0x0b 0x1e 0x9e 0x8b 0x8b 0x9e)
 * decodes to an RMS of 16017, i.e. the same 0 dBm0 within 0.01 dB. A-law
 * (+3.14 dBm0 at full load) differs by 0.07 dB; one reference serves both.
 */
enum {
	TONE_SRATE          = 8000,   /**< Hz, S16 mono                  */
	TONE_0DBM0_PEAK     = 22657,  /**< Sine peak of 0 dBm0           */
	TONE_FREQ_MIN       = 25,     /**< Hz, lowest component          */
	TONE_FREQ_MAX       = 3400,   /**< Hz, highest component         */
	TONE_LEVEL_MIN      = -60,    /**< dBm0, lowest accepted level   */
	TONE_LEVEL_MAX      = 3,      /**< dBm0, highest accepted level  */
	TONE_CADENCE_MS_MAX = 600000, /**< Longest on or off period      */
};

struct tone_gen;

int  tone_gen_alloc(struct tone_gen **tgp, const struct ata_tone_spec *spec);
void tone_gen_fill(struct tone_gen *tg, int16_t *buf, size_t n);
void tone_gen_reset(struct tone_gen *tg);
bool tone_spec_valid(const struct ata_tone_spec *spec, char *err,
		     size_t errsz);

#endif
