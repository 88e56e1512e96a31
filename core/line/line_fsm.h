/**
 * @file line_fsm.h  The FXS line state machine, free of I/O
 *
 * One machine per FXS port. It is driven by hook/digit events (from the
 * line driver or the control socket), its single timer, and the state of
 * its calls; it acts only through an ops table (tones, ringing, timers,
 * call control). That keeps every transition unit-testable without a SIP
 * stack, and the glue (core/line/line.c) free of decisions.
 *
 * Calls are opaque handles here: the machine stores and compares them,
 * never dereferences them.
 */
#ifndef ATA_LINE_FSM_H
#define ATA_LINE_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dsp/tone.h"

enum {
	LINE_DIGITS_MAX = 64,
	LINE_TONE_NONE  = -1,
};

enum line_state {
	LINE_IDLE = 0,     /**< on-hook, nothing happening               */
	LINE_RINGING,      /**< on-hook, an incoming call rings the bell */
	LINE_DIALTONE,     /**< off-hook, waiting for the first digit    */
	LINE_DIALING,      /**< collecting digits against the dial plan  */
	LINE_CALLING,      /**< INVITE sent: silence, ringback or early  */
	LINE_CONNECTED,    /**< talking                                  */
	LINE_HELD,         /**< our flash put the call on hold           */
	LINE_BUSY,         /**< call ended/failed: busy or congestion    */
	LINE_HOWLER,       /**< off-hook too long: howler until on-hook  */
};

enum line_ev {
	LEV_OFFHOOK = 0,
	LEV_ONHOOK,
	LEV_FLASH,
	LEV_DIGIT,          /**< key in line_ev_arg.key                 */
	LEV_TIMEOUT,        /**< the machine's one timer fired          */
	LEV_INCOMING,       /**< new incoming call, not yet ringing     */
	LEV_CALL_RINGING,   /**< 180 for our outgoing call              */
	LEV_CALL_EARLY,     /**< 183 with SDP: far end plays early media */
	LEV_CALL_ANSWERED,  /**< 200 OK for our outgoing call           */
	LEV_CALL_CLOSED,    /**< a call ended; scode in line_ev_arg     */
};

/** Result of matching the collected digits against the dial plan */
enum line_match {
	LINE_MATCH_NONE = 0,  /**< can never match: congestion           */
	LINE_MATCH_PARTIAL,   /**< keep collecting (interdigit timer)    */
	LINE_MATCH_FULL,      /**< complete, nothing longer: dial now    */
	LINE_MATCH_MORE,      /**< complete, longer possible: short wait */
};

struct line_ev_arg {
	void *call;
	char key;
	uint16_t scode;
};

struct line_timing {
	uint32_t first_digit_ms;  /**< dial tone with no digit → howler   */
	uint32_t interdigit_ms;
	uint32_t critical_ms;     /**< after a match that could grow      */
	uint32_t busy_ms;         /**< busy/congestion tone → howler      */
};

/** What the machine can do; NULL hooks are skipped */
struct line_fsm_ops {
	void (*tone)(int tone, void *arg);    /**< enum ata_tone_id or NONE */
	void (*ring)(bool on, void *arg);
	void (*timer)(uint32_t ms, void *arg);   /**< 0 cancels             */
	enum line_match (*match)(const char *digits, void *arg);
	/** Place a call; returns the handle or NULL (→ congestion) */
	void *(*dial)(const char *number, void *arg);
	/** Send 180, we ring; nonzero: the call cannot be taken (500) */
	int  (*alert)(void *call, void *arg);
	void (*answer)(void *call, void *arg);
	void (*reject)(void *call, uint16_t scode, void *arg);
	void (*hangup)(void *call, void *arg);   /**< BYE/CANCEL, forget it */
	void (*hold)(void *call, bool hold, void *arg);
	void (*digit)(void *call, char key, void *arg);  /**< RFC 4733   */
	void (*state)(enum line_state st, void *arg);    /**< event      */
};

struct line_fsm {
	enum line_state st;
	bool offhook;
	char digits[LINE_DIGITS_MAX + 1];
	size_t ndigits;
	void *cur;      /**< the call the handset talks to (or rings for) */
	void *waiting;  /**< call waiting: rings remotely, beeps locally   */
	void *held;     /**< the other call while swapped                  */
	bool recall;    /**< ringing for a call that was already answered  */
	struct line_timing tm;
	const struct line_fsm_ops *ops;
	void *arg;
	bool dial_busy; /**< ops->dial's NULL means busy, not congestion */
};

void line_fsm_init(struct line_fsm *f, const struct line_timing *tm,
		   const struct line_fsm_ops *ops, void *arg);
void line_fsm_event(struct line_fsm *f, enum line_ev ev,
		    const struct line_ev_arg *ea);
const char *line_state_name(enum line_state st);
/** true if the call is one of the line's (current, waiting or held) */
bool line_fsm_owns(const struct line_fsm *f, const void *call);

#endif
