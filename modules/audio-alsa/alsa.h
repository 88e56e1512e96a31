/**
 * @file modules/audio-alsa/alsa.h  Private interfaces of audio-alsa
 */
#ifndef AUDIO_ALSA_H
#define AUDIO_ALSA_H

#include <alsa/asoundlib.h>

struct alsa_port;
struct alsa_ctl;
struct alsa_lost;

/* alsa_pcm.c */
int  alsa_port_open(struct alsa_port **pp, const struct ata_linedrv_conf *c,
		    struct ata_audio *au);
int  alsa_port_status(struct re_printf *pf, const struct alsa_port *p);
int  alsa_port_ring(struct alsa_port *p, bool on);
/** Main loop: the device came (back) after an outage */
typedef void (alsa_back_h)(void *arg);
void alsa_port_on_back(struct alsa_port *p, alsa_back_h *h, void *arg);
void alsa_port_ring_retry(struct alsa_port *p);
unsigned alsa_port_count(void);

/* alsa_ctl.c */
int  alsa_ctl_open(struct alsa_ctl **ctlp, const char *device,
		   const char *elem);
int  alsa_ctl_set(struct alsa_ctl *ctl, bool on);
int  alsa_ctl_get(struct alsa_ctl *ctl, bool *on);
/** The element's value, now and on every change (main loop) */
typedef void (alsa_ctl_h)(bool on, void *arg);
int  alsa_ctl_watch(struct alsa_ctl *ctl, alsa_ctl_h *h, void *arg);

/* alsa_outage.c */
int  alsa_lost_alloc(struct alsa_lost **lp, uint32_t line,
		     const char *device);
void alsa_lost_on_back(struct alsa_lost *l, alsa_back_h *h, void *arg);

#endif
