/**
 * @file echo_can.h  Line echo canceller (G.168 style) for 8 kHz S16 audio
 *
 * An NLMS adaptive FIR over a tail of 8..64 ms models the 2-wire
 * hybrid's echo path and subtracts its estimate from the capture; a
 * Geigel double-talk detector freezes the adaptation while the near end
 * speaks; a non-linear processor replaces the small residual echo by
 * comfort noise at the near end's background level while only the far
 * end speaks. Allocation-free after echo_can_alloc(), so it may run on
 * the audio thread. The caller aligns the reference: ref[i] is the far
 * end's sample that was on the line when cap[i] was captured, minus the
 * echo path's own delay (which the tail covers).
 */
#ifndef ATA_ECHO_CAN_H
#define ATA_ECHO_CAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	ECHO_CAN_SRATE    = 8000,
	ECHO_CAN_TAIL_MIN = 8,      /**< ms */
	ECHO_CAN_TAIL_MAX = 64,     /**< ms */
	ECHO_CAN_TAIL_DFL = 32,     /**< ms */
};

struct echo_can;

int  echo_can_alloc(struct echo_can **ecp, uint32_t tail_ms);
void echo_can_process(struct echo_can *ec, int16_t *out,
		      const int16_t *cap, const int16_t *ref, size_t n);
void echo_can_prime(struct echo_can *ec, const int16_t *ref, size_t n);
void echo_can_reset(struct echo_can *ec);
uint64_t echo_can_filtered(const struct echo_can *ec);
void echo_can_nlp(struct echo_can *ec, bool on);
bool echo_can_dtalk(const struct echo_can *ec);

#endif
