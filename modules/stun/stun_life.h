/**
 * @file modules/stun/stun_life.h  How long the NAT keeps an idle mapping
 *
 * stun_life.c is the pure part (the idle times tried, the verdict from
 * their results, the keep-alive interval that follows); stun_probe.c
 * runs the probes on sockets of their own (RFC 5780 section 4.6).
 */
#ifndef ATA_STUN_LIFE_H
#define ATA_STUN_LIFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	STUN_LIFE_RUNGS = 9,         /**< idle times tried at once      */
	STUN_KA_MIN_S = 15,          /**< keep-alive bounds (the seed's) */
	STUN_KA_MAX_S = 60,
};

/** What one idle time's probe found */
enum stun_rung {
	STUN_RUNG_WAIT = 0,   /**< still idling or probing              */
	STUN_RUNG_ALIVE,      /**< the answer reached the idle mapping  */
	STUN_RUNG_LAPSED,     /**< it did not: the NAT forgot it        */
	STUN_RUNG_FAILED,     /**< no mapping learnt, or the server
				   ignored RESPONSE-PORT: no measurement */
};

enum stun_life_res {
	STUN_LIFE_PENDING = 0,
	STUN_LIFE_DONE,       /**< survived_s/lapsed_s are the answer   */
	STUN_LIFE_FAILED,     /**< cannot be measured with this server  */
};

extern const uint32_t stun_life_idle_s[STUN_LIFE_RUNGS];

enum stun_life_res stun_life_eval(const enum stun_rung *v, size_t n,
				  uint32_t *survived_s, uint32_t *lapsed_s);
uint32_t stun_life_keepalive_s(uint32_t conf_ms, uint32_t survived_s,
			       uint32_t lapsed_s);

/* stun_probe.c */
struct stun_life;
typedef void (stun_life_h)(enum stun_life_res res, uint32_t survived_s,
			   uint32_t lapsed_s, void *arg);
int stun_life_start(struct stun_life **slp, const struct sa *laddr,
		    const struct sa *srv, stun_life_h *h, void *arg);

#endif
