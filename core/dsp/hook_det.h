/**
 * @file hook_det.h  Hook switch timing: debounce, flash, pulse dialing
 *
 * A SLIC reports the raw loop state (closed = off-hook). What the line
 * state machine wants are events: lifted, hung up, a hook flash, a
 * dialled digit. This machine is free of I/O and of clocks: the caller
 * feeds each raw change with its time in ms (hook_det_input) and calls
 * hook_det_poll at hook_det_next() (a libre timer in core/line/line_hook.c),
 * so every timing is unit-testable with simulated time.
 *
 * Rules (times are of the debounced edges):
 *   - a raw state must hold debounce_ms to count (bounce is ignored);
 *   - on-hook for flash_min..flash_max ms, then off-hook: FLASH;
 *   - on-hook longer than flash_max: ONHOOK, reported as soon as it is;
 *   - with pulse on: on-hook shorter than flash_min is one dial pulse;
 *     off-hook for interdigit_ms after pulses ends the digit (1..9
 *     pulses = '1'..'9', 10 = '0'; more is not a digit and is dropped).
 *     With pulse off, such short breaks are ignored.
 */
#ifndef ATA_HOOK_DET_H
#define ATA_HOOK_DET_H

#include <stdbool.h>
#include <stdint.h>

enum hook_ev {
	HOOK_EV_OFFHOOK = 0,
	HOOK_EV_ONHOOK,
	HOOK_EV_FLASH,
	HOOK_EV_DIGIT,
};

/** An event for the line; @p digit is set for HOOK_EV_DIGIT only */
typedef void (hook_det_h)(enum hook_ev ev, char digit, void *arg);

struct hook_det_conf {
	uint32_t debounce_ms;    /**< default 15                          */
	uint32_t flash_min_ms;   /**< default 80                          */
	uint32_t flash_max_ms;   /**< default 800                         */
	uint32_t interdigit_ms;  /**< default 300                         */
	bool pulse;              /**< count short breaks as dial pulses   */
};

struct hook_det {
	struct hook_det_conf c;
	bool stable;             /**< debounced raw state (true = off)    */
	bool reported;           /**< what the line was told (true = off) */
	bool pending;            /**< a raw change waits for debounce     */
	uint64_t pending_t;      /**< when the raw state last changed     */
	uint64_t edge_t;         /**< time of the last debounced edge     */
	unsigned pulses;         /**< breaks of the digit being dialled   */
	hook_det_h *h;
	void *arg;
};

/** 0 fields of @p c take the defaults; starts on-hook */
void hook_det_init(struct hook_det *hd, const struct hook_det_conf *c,
		   hook_det_h *h, void *arg);
/** The raw hook state read at @p now_ms (repeats are harmless) */
void hook_det_input(struct hook_det *hd, bool offhook, uint64_t now_ms);
/** Act on what is due at @p now_ms */
void hook_det_poll(struct hook_det *hd, uint64_t now_ms);
/** When hook_det_poll is due next (absolute ms), 0 = nothing pending */
uint64_t hook_det_next(const struct hook_det *hd);
/** Set the state without events (the first read at device open) */
void hook_det_reset(struct hook_det *hd, bool offhook, uint64_t now_ms);

#endif
