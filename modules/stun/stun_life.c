/**
 * @file modules/stun/stun_life.c  The binding lifetime search, pure
 *
 * Every idle time of the ladder is tried at once, each on its own
 * probe socket (stun_probe.c), so the answer comes after the longest
 * idle time that matters, not after their sum: a NAT that forgets
 * after 20 s is known about 20 s after the start. The answer is the
 * longest idle time survived below the shortest one that lapsed: a
 * longer one that survived after a shorter lapsed (a lost probe) does
 * not count, the keep-alive must hold on the worse reading.
 */
#include <re.h>
#include "stun_life.h"

/* 10 s tells "shorter than any keep-alive may be" apart; 75 s is the
   lifetime whose 4/5 reaches the 60 s ceiling */
const uint32_t stun_life_idle_s[STUN_LIFE_RUNGS] = {
	10, 15, 20, 25, 30, 40, 50, 60, 75,
};


/**
 * The verdict from each idle time's result (@p v in ladder order, @p n
 * of them). DONE sets @p survived_s (longest survived, 0 = none) and
 * @p lapsed_s (shortest that lapsed, 0 = none did).
 */
enum stun_life_res stun_life_eval(const enum stun_rung *v, size_t n,
				  uint32_t *survived_s, uint32_t *lapsed_s)
{
	uint32_t alive = 0;
	size_t i;

	if (!v || !n || n > STUN_LIFE_RUNGS || !survived_s || !lapsed_s)
		return STUN_LIFE_FAILED;

	for (i = 0; i < n; i++) {
		if (v[i] == STUN_RUNG_FAILED)
			return STUN_LIFE_FAILED;
	}

	for (i = 0; i < n; i++) {
		switch (v[i]) {

		case STUN_RUNG_ALIVE:
			alive = stun_life_idle_s[i];
			break;

		case STUN_RUNG_LAPSED:
			*survived_s = alive;
			*lapsed_s = stun_life_idle_s[i];
			return STUN_LIFE_DONE;

		default:
			return STUN_LIFE_PENDING;
		}
	}

	*survived_s = alive;
	*lapsed_s = 0;

	return STUN_LIFE_DONE;
}


/**
 * The keep-alive interval (s) for a measured lifetime: the configured
 * one if any, else 4/5 of the longest idle time survived within
 * 15..60 s; 15 s while nothing is measured (the safe end)
 */
uint32_t stun_life_keepalive_s(uint32_t conf_ms, uint32_t survived_s,
			       uint32_t lapsed_s)
{
	uint64_t s;

	if (conf_ms)
		return conf_ms >= 1000 ? conf_ms / 1000 : 1;

	if (!survived_s && !lapsed_s)
		return STUN_KA_MIN_S;

	s = (uint64_t)survived_s * 4 / 5;
	if (s < STUN_KA_MIN_S)
		s = STUN_KA_MIN_S;
	if (s > STUN_KA_MAX_S)
		s = STUN_KA_MAX_S;

	return (uint32_t)s;
}
