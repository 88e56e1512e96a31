/**
 * @file rx_watch.h  One-way audio: nothing received while we send
 */
#ifndef ATA_RX_WATCH_H
#define ATA_RX_WATCH_H

#include <stdbool.h>
#include <stdint.h>

enum { RX_WATCH_DEFAULT_MS = 5000 };

enum rx_watch_ev {
	RX_WATCH_NONE = 0,
	RX_WATCH_ONE_WAY,     /**< silent for the limit while we send */
	RX_WATCH_BACK,        /**< audio arrives again after ONE_WAY  */
};

struct rx_watch {
	uint64_t rx, tx;      /**< the counters at the last look       */
	uint64_t since;       /**< ms: the silence (or its watch) began */
	uint64_t oneway_at;   /**< ms: ONE_WAY was said, 0: not        */
	bool started;
};

void rx_watch_reset(struct rx_watch *w);
void rx_watch_restart(struct rx_watch *w);
enum rx_watch_ev rx_watch_tick(struct rx_watch *w, uint64_t now_ms,
			       uint64_t rx, uint64_t tx, bool expect,
			       uint32_t limit_ms);

#endif
