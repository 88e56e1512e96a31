/**
 * @file modules/audio-alsa/audio-alsa.c  The SLIC through ALSA (line driver)
 *
 * Each line's PCM runs on its own thread that wakes once per ALSA period
 * (snd_pcm_wait on the playback stream), the only playout clock: it
 * takes the period due from the core's jitter buffer, writes it, reads
 * the capture that period brought and hands it to the core, which sends
 * RTP from the main loop a ptime at a time (alsa_pcm.c).
 *
 * Why a thread rather than the PCM's poll fds on re_main: a control
 * request, a SIP transaction or a slow NAT probe on the main loop must
 * not delay a period by a buffer's length (20 ms by default), or the
 * line underruns. On the thread, the worst a stalled main loop does is
 * deliver packets late to the jitter buffer (counted as `late`). RTP
 * receive stays on the main loop for now so STUN keep-alives, RTCP, SRTP
 * and telephone-event share libre's one socket handler; draining the
 * RTP fd from this thread (one wake-up per period and none per packet)
 * is the next step once measured against baresip.
 */
#include <stdlib.h>
#include "ataua.h"
#include "alsa.h"


static int alsa_status(struct re_printf *pf)
{
	return re_hprintf(pf, "ports=%u\n", alsa_port_count());
}


static int alsa_open(void **portp, const struct ata_linedrv_conf *c,
		     struct ata_audio *au)
{
	struct alsa_port *p = NULL;
	int err;

	if (!portp)
		return EINVAL;

	err = alsa_port_open(&p, c, au);
	if (!err)
		*portp = p;

	return err;
}


static int alsa_ring(void *port, bool on)
{
	return alsa_port_ring(port, on);
}


static int alsa_pstatus(struct re_printf *pf, const void *port)
{
	return alsa_port_status(pf, port);
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
