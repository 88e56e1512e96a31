/**
 * @file modules/audio-alsa/audio-alsa.c  The SLIC through ALSA (line driver)
 *
 * Each line's PCM runs on its own thread that wakes once per ALSA period
 * (snd_pcm_wait on the playback stream, due when only media.slack is
 * left), the only playout clock: it hands the core the period due
 * (ata_audio_period), which on this thread drains the call's RTP,
 * plays from the jitter buffer and sends the capture as RTP, then
 * writes it (alsa_pcm.c). At the default 20 ms period that is one
 * wake-up a packet.
 *
 * Why a thread rather than the PCM's poll fds on re_main: a control
 * request, a SIP transaction or a slow NAT probe on the main loop must
 * not delay a period past the slack (10 ms by default), or the line
 * underruns. The main loop keeps SIP, control and NAT signalling, and
 * a call's RTP only where the thread cannot take it (a TURN relay).
 *
 * The hook switch, when lines[].hook_control names one, is watched on
 * the main loop (alsa_ctl.c) and reported with ata_audio_hook(); the
 * core times it (debounce, flash, pulse digits: core/dsp/hook_det.c).
 */
#include <stdlib.h>
#include "ataua.h"
#include "alsa.h"


/* A line: its PCM pair (alsa_pcm.c) and its hook switch, if any */
struct alsa_line {
	struct alsa_port *port;
	struct alsa_ctl *hook;
	struct ata_audio *au;     /* ref */
	char device[128];
	char hook_control[128];
	bool offhook;
};


static void line_destructor(void *arg)
{
	struct alsa_line *l = arg;

	l->hook = mem_deref(l->hook);   /* no more hook reports */
	l->port = mem_deref(l->port);
	l->au = mem_deref(l->au);
}


static void hook_handler(bool offhook, void *arg)
{
	struct alsa_line *l = arg;

	l->offhook = offhook;
	ata_audio_hook(l->au, offhook);
}


/* Open and watch the hook control, if there is one and it is not open */
static void hook_open(struct alsa_line *l)
{
	int err;

	if (l->hook || !str_isset(l->hook_control))
		return;

	err = alsa_ctl_open(&l->hook, l->device, l->hook_control);
	if (!err)
		err = alsa_ctl_watch(l->hook, hook_handler, l);
	if (err == ENOTSUP)
		ata_warn("audio-alsa: %s names no card: write hook_control "
			 "as CTL:ELEMENT (e.g. hw:0:%s)\n", l->device,
			 l->hook_control);
	if (err) {
		ata_warn("audio-alsa: %s: no hook control '%s' (%m): hook "
			 "via the control socket\n", l->device,
			 l->hook_control, err);
		l->hook = mem_deref(l->hook);
	}
}


/* The device came (back): a card that was not there had no controls
   either, so open what is still missing */
static void device_back(void *arg)
{
	struct alsa_line *l = arg;

	hook_open(l);
	alsa_port_ring_retry(l->port);
}


static int alsa_status(struct re_printf *pf)
{
	return re_hprintf(pf, "ports=%u\n", alsa_port_count());
}


static int alsa_open(void **portp, const struct ata_linedrv_conf *c,
		     struct ata_audio *au)
{
	struct alsa_line *l;
	int err;

	if (!portp || !c)
		return EINVAL;

	l = mem_zalloc(sizeof(*l), line_destructor);
	if (!l)
		return ENOMEM;

	err = alsa_port_open(&l->port, c, au);
	if (err) {
		mem_deref(l);
		return err;
	}

	l->au = mem_ref(au);
	str_ncpy(l->device, c->device, sizeof(l->device));
	if (str_isset(c->hook_control))
		str_ncpy(l->hook_control, c->hook_control,
			 sizeof(l->hook_control));
	hook_open(l);
	alsa_port_on_back(l->port, device_back, l);
	*portp = l;

	return 0;
}


static int alsa_ring(void *port, bool on)
{
	struct alsa_line *l = port;

	return l ? alsa_port_ring(l->port, on) : EINVAL;
}


static int alsa_pstatus(struct re_printf *pf, const void *port)
{
	const struct alsa_line *l = port;
	int err;

	if (!l)
		return EINVAL;

	err = alsa_port_status(pf, l->port);
	if (l->hook)
		err |= re_hprintf(pf, "hook_control=%s\nhook_switch=%s\n",
				  l->hook_control, l->offhook ? "off" : "on");

	return err;
}


static struct ata_linedrv alsa_ops = {
	.version     = ATA_LINEDRV_VERSION,
	.name        = "audio-alsa",
	.status      = alsa_status,
	.open        = alsa_open,
	.ring        = alsa_ring,
	.port_status = alsa_pstatus,
};


static int module_init(void)
{
	/*
	 * Each PCM is used by its line's thread alone (opened and closed
	 * while that thread does not run), so alsa-lib's per-call PCM
	 * mutex buys nothing: about 40 lock pairs a packet. alsa-lib reads
	 * this once, at the first snd_pcm_open; a user's setting wins.
	 */
	(void)setenv("LIBASOUND_THREAD_SAFE", "0", 0);

	return ata_linedrv_register(&alsa_ops);
}


static int module_close(void)
{
	ata_linedrv_unregister(&alsa_ops);
	return 0;
}


ATA_MODULE("audio-alsa", "linedrv", module_init, module_close);
