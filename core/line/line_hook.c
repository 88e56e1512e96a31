/**
 * @file line_hook.c  A line's hook switch from the line driver
 *
 * A driver with a hook control (audio-alsa: lines[].hook_control)
 * reports the raw switch with ata_audio_hook(). Here it is timed by
 * hook_det (debounce, flash, pulse digits; lines[].hook) on one libre
 * timer, and its events enter the line exactly as the control socket's
 * `line N offhook|onhook|flash|digits D` do (line_input), so both paths
 * share every decision of the line state machine.
 */
#include "ataua.h"
#include "conf/config.h"
#include "base/ctrl_proto.h"
#include "dsp/hook_det.h"
#include "line.h"
#include "line_audio.h"
#include "line_int.h"


static void hook_schedule(struct line *ln);


static void hook_ev(enum hook_ev ev, char digit, void *arg)
{
	static const char * const names[] = {
		"offhook", "onhook", "flash", "digit"
	};
	static const enum line_ev lev[] = {
		LEV_OFFHOOK, LEV_ONHOOK, LEV_FLASH, LEV_DIGIT
	};
	struct line *ln = arg;

	if ((unsigned)ev >= ARRAY_SIZE(lev))
		return;

	ata_debug("line %u: hook %s %c\n", ln->id, names[ev],
		  digit ? digit : '-');
	ata_event(ATA_LOG_DEBUG, ATA_EVENT_HOOK, "line=%u hook=%s key=%c",
		  ln->id, names[ev], digit ? digit : '-');
	line_input(ln, lev[ev], digit);
}


static void hook_timeout(void *arg)
{
	struct line *ln = arg;

	hook_det_poll(&ln->hook, tmr_jiffies());
	hook_schedule(ln);
}


static void hook_schedule(struct line *ln)
{
	uint64_t next = hook_det_next(&ln->hook);
	uint64_t now = tmr_jiffies();

	if (!next)
		tmr_cancel(&ln->tmr_hook);
	else
		tmr_start(&ln->tmr_hook, next > now ? next - now : 0,
			  hook_timeout, ln);
}


void line_hook_init(struct line *ln)
{
	const struct ata_conf_hook *h = &ln->lc->hook;
	struct hook_det_conf c = {
		.debounce_ms   = h->debounce_ms,
		.flash_min_ms  = h->flash_min_ms,
		.flash_max_ms  = h->flash_max_ms,
		.interdigit_ms = h->pulse_interdigit_ms,
		.pulse         = h->pulse_dialing,
	};

	hook_det_init(&ln->hook, &c, hook_ev, ln);
	tmr_init(&ln->tmr_hook);
}


void line_hook_close(struct line *ln)
{
	tmr_cancel(&ln->tmr_hook);
}


/* ataua.h: the driver's hook switch reads @p offhook (main thread) */
void ata_audio_hook(struct ata_audio *au, bool offhook)
{
	struct line *ln = line_audio_owner(au);

	if (!ln)
		return;

	hook_det_input(&ln->hook, offhook, tmr_jiffies());
	hook_schedule(ln);
}
