/**
 * @file clip.h  Caller ID (CLIP) on-hook data: messages and waveforms
 *
 * Messages (clip.c): Bell SDMF (type 0x04: MMDDHHMM, then the number or
 * 'O'/'P') and MDMF (Bell GR-30 and ETSI EN 300 659-3, type 0x80 call
 * setup; 0x82 message waiting), each ending in a checksum byte: the
 * two's complement of the sum of every byte before it, mod 256, so the
 * sum of the whole message is 0. A generic MDMF builder
 * (clip_mdmf_begin / _param / _end) serves any message: VMWI is
 *
 *     struct clip_msg m;
 *     clip_mdmf_begin(&m, CLIP_MSG_MWI);
 *     clip_mdmf_param(&m, CLIP_P_VMWI, &(uint8_t){on ? 0xff : 0x00}, 1);
 *     err = clip_mdmf_end(&m);
 *
 * or clip_msg_mwi(&m, on), then clip_fsk_render() as for a call.
 *
 * Waveforms: clip_fsk.c (channel seizure, marks, 8N1 bytes on fsk.c),
 * clip_dtmf.c (DTMF CLIP: 'A' number 'C', or 'B' and a reason code,
 * then 'C'), clip_cas.c (the CAS that asks an off-hook phone whether
 * it takes caller ID: type II). Pure: libc and libm only.
 *
 * Off-hook caller ID (type II) is, with these: clip_cas_render(), the
 * far end muted; the phone's DTMF 'A' or 'D' within 160 ms after the
 * CAS; then clip_fsk_render_offhook() of clip_msg_mdmf(): the line's
 * sequence is core/line/offhook_cid.c, carried out by
 * core/line/line_offhook_cid.c.
 */
#ifndef ATA_CLIP_H
#define ATA_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fsk.h"

enum {
	CLIP_MSG_MAX     = 255 + 3,  /**< type, length, 255 bytes, sum   */
	CLIP_NUMBER_MAX  = 20,       /**< MDMF; SDMF sends up to 10      */
	CLIP_NAME_MAX    = 50,       /**< ETSI; Bell GR-30 sends 15      */
	CLIP_LEVEL_CDB   = -1350,    /**< -13.5 dBm0, FSK                */
	CLIP_DTMF_CDB    = -1000,    /**< -10 dBm0 per DTMF component    */
};

/** Message types */
enum clip_msg_type {
	CLIP_MSG_SDMF = 0x04,        /**< Bell single data message       */
	CLIP_MSG_MDMF = 0x80,        /**< call setup (multiple data)     */
	CLIP_MSG_MWI  = 0x82,        /**< message waiting                */
};

/** MDMF parameter types */
enum clip_param {
	CLIP_P_DATETIME      = 0x01, /**< MMDDHHMM                       */
	CLIP_P_NUMBER        = 0x02,
	CLIP_P_NUMBER_ABSENT = 0x04, /**< 'O' unavailable, 'P' private   */
	CLIP_P_NAME          = 0x07,
	CLIP_P_NAME_ABSENT   = 0x08,
	CLIP_P_VMWI          = 0x0b, /**< 0xff on, 0x00 off              */
};

/** Why a number or name is missing */
enum {
	CLIP_UNAVAILABLE = 'O',
	CLIP_PRIVATE     = 'P',
};

/** Who calls, and when: the content of a call setup message */
struct clip_caller {
	unsigned month, day, hour, minute;     /**< local time        */
	char number[CLIP_NUMBER_MAX + 1];      /**< "": absent        */
	char name[CLIP_NAME_MAX + 1];          /**< "": absent        */
	char absent;      /**< for what is absent: 'O' or 'P'         */
};

/** A message being built, then complete (len includes the checksum) */
struct clip_msg {
	uint8_t b[CLIP_MSG_MAX];
	size_t len;
	bool overflow;
};

uint8_t clip_checksum(const uint8_t *b, size_t n);
void clip_mdmf_begin(struct clip_msg *m, uint8_t type);
void clip_mdmf_param(struct clip_msg *m, uint8_t param, const void *data,
		     size_t len);
int  clip_mdmf_end(struct clip_msg *m);
int  clip_msg_mdmf(struct clip_msg *m, const struct clip_caller *c);
int  clip_msg_sdmf(struct clip_msg *m, const struct clip_caller *c);
int  clip_msg_mwi(struct clip_msg *m, bool on);
void clip_name_ascii(char *dst, size_t sz, const char *src);

/* clip_fsk.c */
size_t clip_fsk_samples(enum fsk_std std, size_t msg_len);
size_t clip_fsk_render(int16_t *out, size_t max, enum fsk_std std,
		       const struct clip_msg *m, int level_cdb);

size_t clip_fsk_samples_offhook(size_t msg_len);
size_t clip_fsk_render_offhook(int16_t *out, size_t max, enum fsk_std std,
			       const struct clip_msg *m, int level_cdb);

/* clip_cas.c: the CPE alerting signal of off-hook caller ID (type II) */
enum {
	CLIP_CAS_MS  = 80,           /**< 2130 + 2750 Hz, GR-30/EN 300 659-2 */
	CLIP_CAS_CDB = -1500,        /**< -15 dBm0 per component            */
};
size_t clip_cas_samples(void);
size_t clip_cas_render(int16_t *out, size_t max, int level_cdb);

/* clip_dtmf.c */
enum {
	CLIP_DTMF_ON_MS  = 70,       /**< each key sounds ...            */
	CLIP_DTMF_OFF_MS = 70,       /**< ... then a pause               */
	CLIP_DTMF_KEYS   = CLIP_NUMBER_MAX + 4,
};
size_t clip_dtmf_keys(char *keys, size_t sz, const struct clip_caller *c);
size_t clip_dtmf_samples(const char *keys);
size_t clip_dtmf_render(int16_t *out, size_t max, const char *keys,
			int level_cdb);

#endif
