/**
 * @file call_priv.h  struct call, shared by the files of the call unit
 *
 * Only call.c (the call's life and media), call_out.c, call_in.c,
 * call_sess.c, call_end.c (signalling), call_query.c (what the line
 * asks of a call), call_quality.c (its figures) and call_uri.c
 * include it; everyone else sees struct call opaque through call.h /
 * call_int.h.
 */
#ifndef ATA_CALL_PRIV_H
#define ATA_CALL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "call_int.h"
#include "ring_limit.h"
#include "rx_watch.h"
#include "sip/sip_hop.h"

struct adm_media;
struct adm_slot;
struct hint_media;
struct reg;
struct sip_stack_dialog;

struct call {
	struct sip_stack_dialog *dlg; /* the stack asks it: ours? */
	struct sip_stack *ss;
	struct reg *reg;
	struct sipsess *sess;
	const struct sip_msg *msg;   /* incoming INVITE, until accepted */
	struct call_sdp *sdp;
	struct call_media *media;
	struct adm_slot *adm;         /* bandwidth it holds */
	struct hint_media *hint;      /* alg-hint state (core/mod/hint.c) */
	struct call_mprefs mp;
	char *peer;
	struct sip_hop hop;          /* outgoing: the first hop's name */
	char *cuser;
	call_state_h *sh;
	call_digit_h *dh;
	call_audio_h *ah;
	void *arg;
	enum call_state state;
	uint32_t id;
	bool incoming;
	bool wait_nat;               /* offer/answer held for nat_media */
	enum sip_transp tp;          /* the SIP transport of its media  */
	int af;                      /* its media's family (call_family) */
	bool af_retried;             /* outgoing: offered again in the other */
	char fail[128];              /* why we ended it, for CLOSED  */
	struct tmr tmr_ring;         /* incoming: rings no longer    */
	struct ring_limit ring;
	/* fax/modem pass-through (call_mode.c), set by the line */
	bool passthrough;
	char mode_tone[8];           /* ans-pr, ans, cng             */
	char mode_dir[4];            /* rx: far end, tx: the phone   */
	struct call_caller caller;   /* incoming: who calls */
	/* call quality and history (call_quality.c) */
	uint64_t q_start;            /* wall clock, s since 1970    */
	uint64_t q_answered;         /* jiffies, 0: not answered    */
	uint64_t q_ended;            /* jiffies, 0: still open      */
	const char *q_by;            /* CALL_BY_*, NULL: still open */
	struct rx_watch rxw;         /* one-way audio (call_query.c) */
};

/* call.c */
extern const char call_ctype_sdp[];
int  call_alloc(struct call **callp, struct sip_stack *ss,
		 const struct call_mprefs *mp, enum sip_transp tp, int af);
int  call_media_build(struct call *call, enum sip_transp tp, int af);
bool call_has_family(const struct call *call, int af);
void call_set_state(struct call *call, enum call_state st,
		    uint16_t scode, const char *reason);
void call_adm_media(const struct call *call, struct adm_media *am);
int  call_admit(struct call *call);

/* call_sess.c: the handlers given to sipsess */
bool call_sess_has_sdp(const struct sip_msg *msg);
void call_sess_apply(struct call *call);
int  call_sess_offer(struct mbuf **descp, const struct sip_msg *msg,
		     void *arg);
int  call_sess_answer(const struct sip_msg *msg, void *arg);
void call_sess_progress(const struct sip_msg *msg, void *arg);
void call_sess_estab(const struct sip_msg *msg, void *arg);

/* call_out.c */
const char *call_out_hop(const struct call *call);
int  call_out_send(struct call *call);

/* call_end.c */
void call_end_release(struct call *call);
void call_end_handler(int err, const struct sip_msg *msg, void *arg);

/* call_quality.c */
void call_quality_mark(struct call *call, enum call_state st,
		       const char *by);

/* call_uri.c */
int call_target_uri(char **urip, const char *target, const char *domain,
		    enum sip_transp tp);

#endif
