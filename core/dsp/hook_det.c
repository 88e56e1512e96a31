/**
 * @file hook_det.c  Hook switch timing: debounce, flash, pulse dialing
 *
 * The machine keeps the debounced state (stable), what it last told the
 * line (reported) and the time of the last debounced edge. Off-hook
 * reported while stable is on-hook means a break is running: it ends as
 * a pulse, a flash, or (at flash_max) a hang-up. A deadline waits for a
 * raw change still in debounce when that change is older than the
 * deadline, so a flash released just before flash_max is not mistaken
 * for a hang-up only because debounce had not confirmed it yet.
 */
#include <string.h>
#include "hook_det.h"

enum {
	DEF_DEBOUNCE_MS   = 15,
	DEF_FLASH_MIN_MS  = 80,
	DEF_FLASH_MAX_MS  = 800,
	DEF_INTERDIGIT_MS = 300,
	PULSES_MAX        = 10,
};


void hook_det_init(struct hook_det *hd, const struct hook_det_conf *c,
		   hook_det_h *h, void *arg)
{
	if (!hd)
		return;

	memset(hd, 0, sizeof(*hd));
	if (c)
		hd->c = *c;
	if (!hd->c.debounce_ms)
		hd->c.debounce_ms = DEF_DEBOUNCE_MS;
	if (!hd->c.flash_min_ms)
		hd->c.flash_min_ms = DEF_FLASH_MIN_MS;
	if (!hd->c.flash_max_ms)
		hd->c.flash_max_ms = DEF_FLASH_MAX_MS;
	if (!hd->c.interdigit_ms)
		hd->c.interdigit_ms = DEF_INTERDIGIT_MS;
	hd->h = h;
	hd->arg = arg;
}


void hook_det_reset(struct hook_det *hd, bool offhook, uint64_t now_ms)
{
	if (!hd)
		return;

	hd->stable = hd->reported = offhook;
	hd->pending = false;
	hd->pulses = 0;
	hd->edge_t = now_ms;
}


static void emit(struct hook_det *hd, enum hook_ev ev, char digit)
{
	if (ev == HOOK_EV_OFFHOOK)
		hd->reported = true;
	else if (ev == HOOK_EV_ONHOOK)
		hd->reported = false;

	if (hd->h)
		hd->h(ev, digit, hd->arg);
}


static void end_digit(struct hook_det *hd)
{
	unsigned n = hd->pulses;

	hd->pulses = 0;
	if (n >= 1 && n <= PULSES_MAX)
		emit(hd, HOOK_EV_DIGIT, "1234567890"[n - 1]);
}


/* A raw change held for debounce_ms: an edge at the time it began */
static void commit(struct hook_det *hd)
{
	uint64_t t = hd->pending_t;
	uint64_t dur = t - hd->edge_t;

	hd->pending = false;
	hd->stable = !hd->stable;
	hd->edge_t = t;

	if (!hd->stable)
		return;   /* a break begins (or on-hook while on-hook) */

	if (!hd->reported) {
		hd->pulses = 0;
		emit(hd, HOOK_EV_OFFHOOK, 0);
	}
	else if (dur > hd->c.flash_max_ms) {
		/* the hang-up deadline was missed (poll came late) */
		hd->pulses = 0;
		emit(hd, HOOK_EV_ONHOOK, 0);
		emit(hd, HOOK_EV_OFFHOOK, 0);
	}
	else if (dur >= hd->c.flash_min_ms) {
		end_digit(hd);
		emit(hd, HOOK_EV_FLASH, 0);
	}
	else if (hd->c.pulse) {
		++hd->pulses;
	}
}


/* The deadline of the state (absolute ms), 0 = none */
static uint64_t deadline(const struct hook_det *hd)
{
	if (!hd->reported)
		return 0;
	if (!hd->stable)
		return hd->edge_t + hd->c.flash_max_ms + 1;  /* longer */
	if (hd->pulses)
		return hd->edge_t + hd->c.interdigit_ms;

	return 0;
}


/* A raw change older than the deadline decides first */
static bool blocked(const struct hook_det *hd, uint64_t d)
{
	return hd->pending && hd->pending_t < d;
}


uint64_t hook_det_next(const struct hook_det *hd)
{
	uint64_t p, d;

	if (!hd)
		return 0;

	p = hd->pending ? hd->pending_t + hd->c.debounce_ms : 0;
	d = deadline(hd);
	if (d && blocked(hd, d))
		d = 0;

	if (!p)
		return d;
	if (!d)
		return p;

	return p < d ? p : d;
}


void hook_det_poll(struct hook_det *hd, uint64_t now_ms)
{
	uint64_t d;

	if (!hd)
		return;

	for (;;) {
		if (hd->pending &&
		    now_ms >= hd->pending_t + hd->c.debounce_ms) {
			commit(hd);
			continue;
		}

		d = deadline(hd);
		if (!d || now_ms < d || blocked(hd, d))
			break;

		if (!hd->stable) {
			hd->pulses = 0;
			emit(hd, HOOK_EV_ONHOOK, 0);
		}
		else {
			end_digit(hd);
		}
	}
}


void hook_det_input(struct hook_det *hd, bool offhook, uint64_t now_ms)
{
	if (!hd)
		return;

	hook_det_poll(hd, now_ms);

	if (offhook == hd->stable)
		hd->pending = false;   /* a bounce: back where it was */
	else if (!hd->pending) {
		hd->pending = true;
		hd->pending_t = now_ms;
	}

	hook_det_poll(hd, now_ms);
}
