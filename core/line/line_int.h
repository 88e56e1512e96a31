/**
 * @file line_int.h  Private parts of a line, shared by line*.c only
 */
#ifndef ATA_LINE_INT_H
#define ATA_LINE_INT_H

#include "call/call.h"
#include "conf/config.h"
#include "dsp/hook_det.h"
#include "line_fsm.h"
#include "offhook_cid.h"

#ifndef ATA_EVENT_DTMF
#define ATA_EVENT_DTMF "DTMF"
#endif

enum {
	LINE_CALLS_MAX = 4,     /* current, waiting, held, one in flight */
	LINE_FRAME_MAX = 480,   /* 60 ms at 8 kHz */
};

struct reg;
struct mwi;
struct ata_linedrv;
struct ata_audio;
struct re_printf;
struct dialplan;
struct tone_gen;
struct fax_det;

/* a fax/modem tone detector on one direction of the call (line_fax.c) */
struct line_fax {
	struct fax_det *det;                 /* NULL: fax_detect off       */
	struct line *ln;
	const char *dir;                     /* rx: far end, tx: the phone */
};

struct line {
	uint32_t id;
	char user[64];                       /* AOR user, routes INVITEs   */
	struct ata_config *cfg;              /* ref: keeps lc valid        */
	const struct ata_conf_line *lc;
	struct sip_stack *ss;                /* ref                        */
	struct reg *reg;                     /* NULL: no registrar         */
	struct call_lsnr *lsnr;              /* INVITEs to user: calls     */
	struct dialplan *dp;
	struct line_fsm fsm;
	struct tmr tmr_fsm;
	struct call *callv[LINE_CALLS_MAX];
	struct call_media_conf mc;

	/* what the handset hears and says */
	int tone;                            /* enum ata_tone_id or NONE   */
	struct tone_gen *tg;
	bool ringing;
	struct tmr tmr_media;
	struct tone_gen *mic;                /* test signal until ALSA     */
	int16_t frame[LINE_FRAME_MAX];

	/* the line driver, when one opened the device */
	struct ata_linedrv *drv;
	void *port;                          /* driver's port, ref         */
	struct ata_audio *au;                /* jitter buffer, tx queue    */
	/* the call whose RTP the audio thread reads (line_media.c) */
	struct call *rx_call;                /* valid while rx_bound       */
	struct call_rx *rx_bound;            /* NULL: the call took it back */
	bool rx_thread;                      /* ATAUA_RX_THREAD=0: never   */
	bool drv_ring;                       /* ring state sent to driver  */

	/* the driver's hook switch, timed (line_hook.c) */
	struct hook_det hook;
	struct tmr tmr_hook;
	/* lines[].ring_cadence: the ring switch timed here (line_media.c) */
	struct tmr tmr_ring;
	size_t ring_seg;
	uint32_t key_call;                   /* handset key went to, 0: no */
	/* fax, modem and alarm panels (line_fax.c) */
	struct line_fax fax[2];              /* rx, tx                     */
	uint32_t fax_call;                   /* call the detectors watch   */
	bool fax_ec_off;                     /* ans-pr seen: nothing left  */
	bool key_as_audio;                   /* this key: not taken        */

	/* on-hook caller ID (line_clip.c) */
	struct tmr tmr_clip;
	int16_t *clip_pcm;                   /* rendered data, NULL: none  */
	size_t clip_n;
	bool clip_pending;                   /* waits for ring_cadence     */
	/* caller ID on call waiting (line_offhook_cid.c) */
	struct offhook_cid ohcid;
	struct tmr tmr_ohcid;                /* the machine's timer        */
	struct tmr tmr_ohcid_cw;             /* the call-waiting tone ends */
	int16_t *ohcid_cas, *ohcid_fsk;      /* rendered for one sequence  */
	size_t ohcid_cas_n, ohcid_fsk_n;

	/* message waiting (line_mwi.c) */
	struct mwi *mwi;                     /* NULL: no account            */
	bool mwi_waiting;
	uint32_t mwi_new, mwi_old;
	struct tmr tmr_vmwi;                 /* idle again: settle time    */
	/* one-way audio (line_oneway.c) */
	struct tmr tmr_oneway;
	uint64_t vmwi_end;                   /* jiffies: data ends, 0: none */
	bool vmwi_due;                       /* a change not yet sent      */
};

/* line.c */
bool line_call_add(struct line *ln, struct call *call);
bool line_call_release(struct line *ln, struct call *call);
void line_call_ended(struct line *ln, struct call *call, bool was_open,
		     uint16_t scode, const char *reason);
void line_call_handlers(struct line *ln, struct call *call);
struct call *line_dial(struct line *ln, const char *digits);

/* line_ops.c */
void line_fsm_setup(struct line *ln);
enum sip_transp line_sip_transp(int transport);

/* line_clip.c */
enum ata_caller_id line_clip_mode(const struct ata_conf_line *lc);
void line_clip_init(struct line *ln);
void line_clip_ring(struct line *ln, bool on);
uint32_t line_clip_pause(struct line *ln, size_t seg, uint32_t ms);
void line_clip_close(struct line *ln);
struct clip_caller;
void line_clip_caller(struct clip_caller *c, const struct call_caller *cc);
/* line_offhook_cid.c */
void line_offhook_cid_init(struct line *ln);
void line_offhook_cid_tone(struct line *ln, int tone);
void line_offhook_cid_state(struct line *ln, enum line_state st);
bool line_offhook_cid_key(struct line *ln, char key, bool end);
void line_offhook_cid_close(struct line *ln);
/* line_mwi.c */
int  line_mwi_start(struct line *ln);
void line_mwi_reg(struct line *ln, int reg_state);
int  line_mwi_tone(const struct line *ln, int tone);
int  line_mwi_status(struct re_printf *pf, const struct line *ln);
/* line_vmwi.c */
void line_vmwi_change(struct line *ln);
void line_vmwi_state(struct line *ln, enum line_state st);
void line_vmwi_close(struct line *ln);

/* line_hook.c */
void line_hook_init(struct line *ln);
void line_hook_close(struct line *ln);

/* line_oneway.c */
void line_oneway_watch(struct line *ln);
void line_oneway_close(struct line *ln);

/* line_fax.c */
void line_fax_init(struct line *ln);
void line_fax_close(struct line *ln);
void line_fax_audio(struct line *ln, const int16_t *pcm, size_t n,
		    bool rx);
bool line_fax_dtmf_on(const struct line *ln);
void line_fax_sync(struct line *ln);
bool line_fax_key_taken(struct line *ln, bool end);

/* line_media.c */
void line_media_conf(struct line *ln);
void line_media_update(struct line *ln);
void line_media_stop(struct line *ln);
void line_media_close(struct line *ln);
int  line_media_stats(struct re_printf *pf, struct line *ln);
void line_audio_rx(struct call *call, const struct rtp_header *h,
		   const int16_t *pcm, size_t n, void *arg);

/* line_history.c: each finished call's log line and record (#15) */
void line_history_end(struct line *ln, struct call *call, uint16_t scode,
		      const char *reason);
int  line_history_quality(struct re_printf *pf, const struct line *ln,
			  const struct call *call);

#endif
