/**
 * @file plc.h  Packet loss concealment for narrowband PCM (G.711 App. I)
 *
 * Pitch-period repetition in the spirit of ITU-T G.711 Appendix I, written
 * from its description. Every sample that goes out, real or synthetic,
 * passes through here so the history stays current:
 *
 * - plc_good() takes real audio and may change it in place: the first
 *   samples after an erasure are cross-faded from the synthetic signal
 *   (a quarter pitch period, longer after a long erasure, a 10 ms fade-in
 *   after silence).
 * - plc_conceal() writes synthetic audio: the last pitch period repeated
 *   (two periods after 10 ms, three after 20 ms, each switch
 *   cross-faded), full level for 10 ms, then a linear fade to silence at
 *   60 ms.
 *
 * Unlike Appendix I there is no 3.75 ms output delay: instead of
 * cross-fading the already played real tail, the frozen pitch buffer's
 * own end is cross-faded (so the repetition loops seamlessly) and the
 * jump at the start is removed by an offset that decays over a quarter
 * period. Allocation happens only in plc_alloc(); the other calls are
 * O(n), plus a pitch search (about 20k multiply-adds at 8 kHz) at the
 * start of each erasure. Not thread-safe: one caller at a time.
 */
#ifndef ATA_PLC_H
#define ATA_PLC_H

#include <stddef.h>
#include <stdint.h>

struct plc;

/**
 * Allocate a concealer for @p srate Hz (8000..48000).
 * @return 0, EINVAL (bad argument) or ENOMEM
 */
int  plc_alloc(struct plc **plcp, uint32_t srate);

/** Pass @p n real samples; they may be cross-faded in place */
void plc_good(struct plc *plc, int16_t *pcm, size_t n);

/** Write @p n concealment samples for missing audio */
void plc_conceal(struct plc *plc, int16_t *pcm, size_t n);

/** Forget all history (new call): concealment is silence until audio */
void plc_reset(struct plc *plc);

/** Pitch period in samples used by the current or last erasure, 0 = none */
uint32_t plc_pitch(const struct plc *plc);

#endif
