/**
 * @file offhook_cid.h  Caller ID on call waiting (type II): the sequence, pure
 *
 * Off-hook caller ID (Bell GR-30/GR-575, ETSI EN 300 659-2) after the
 * call-waiting tone: the far end and the capture toward it are muted,
 * the CAS (2130 + 2750 Hz, 80 ms) asks the phone whether it takes the
 * data, the phone answers DTMF 'A' or 'D' within 160 ms of the CAS's
 * end, and only then the FSK follows; no answer in time (other keys
 * are none) ends it with nothing sent. Keys while it runs are its own,
 * never the call's. Either way the call is unmuted at the end.
 *
 * This machine decides only: it acts through an ops table (mute, play,
 * timer, done), so every sequence is unit-tested without audio
 * (tests/unit/test_offhook_cid.c); core/line/line_offhook_cid.c carries
 * it out.
 */
#ifndef ATA_OHCID_H
#define ATA_OHCID_H

#include <stdbool.h>
#include <stdint.h>

enum {
	OHCID_ACK_MS   = 160,  /**< CAS end to the acknowledgement     */
	OHCID_REL_MS   = 100,  /**< acknowledgement pressed to released */
	OHCID_GAP_MS   = 50,   /**< its release to the FSK (GR-30 >= 50) */
};

enum offhook_cid_state {
	OHCID_IDLE = 0,
	OHCID_CAS,             /**< the CAS plays, then the ack window  */
	OHCID_ACKED,           /**< 'A'/'D' pressed: wait for release   */
	OHCID_GAP,             /**< released: the gap before the FSK    */
	OHCID_FSK,             /**< the data plays                      */
};

enum offhook_cid_signal {
	OHCID_SIG_NONE = 0,    /**< stop what plays                     */
	OHCID_SIG_CAS,
	OHCID_SIG_FSK,
};

/** How a sequence ended */
enum offhook_cid_result {
	OHCID_SENT = 0,        /**< acknowledged, the FSK played        */
	OHCID_NO_ACK,          /**< no 'A' or 'D' in time               */
	OHCID_STOPPED,         /**< cancelled: on-hook, flash, call end */
};

struct offhook_cid_ops {
	void (*mute)(bool on, void *arg);       /**< far end and capture */
	void (*play)(enum offhook_cid_signal sig, void *arg);
	void (*timer)(uint32_t ms, void *arg);  /**< 0 cancels           */
	void (*done)(enum offhook_cid_result res, void *arg);
};

struct offhook_cid {
	enum offhook_cid_state st;
	uint32_t cas_ms;       /**< the CAS's length                    */
	uint32_t fsk_ms;       /**< the data's length                   */
	uint32_t path_ms;      /**< audio path and detector latency     */
	const struct offhook_cid_ops *ops;
	void *arg;
};

void offhook_cid_init(struct offhook_cid *c,
		      const struct offhook_cid_ops *ops, void *arg);
int  offhook_cid_start(struct offhook_cid *c, uint32_t cas_ms,
		       uint32_t fsk_ms, uint32_t path_ms);
bool offhook_cid_key(struct offhook_cid *c, char key, bool end);
void offhook_cid_timeout(struct offhook_cid *c);
void offhook_cid_stop(struct offhook_cid *c);
bool offhook_cid_busy(const struct offhook_cid *c);

#endif
