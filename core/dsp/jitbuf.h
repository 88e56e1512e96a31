/**
 * @file jitbuf.h  Fixed-delay jitter buffer for decoded G.711 audio
 *
 * The playout device is the only clock: jitbuf_get() is called once per
 * period and always returns exactly the samples asked for (real audio,
 * concealment from core/dsp/plc.h, or silence before the first packet). The
 * device clock counts the samples jitbuf_get() has returned (jitbuf_clock());
 * jitbuf_put() takes the arrival time on that clock.
 *
 * Decoded PCM is stored in a ring indexed by RTP timestamp, so frames
 * of any size land sample-exact and reordering repairs itself.
 *
 * - Start: the first packet's first sample plays exactly `delay` after
 *   its arrival. The delay then stays fixed for the call (but see
 *   jitbuf_passthrough()).
 * - Drift: the wait (playout minus arrival) of the least-delayed packet
 *   of each second estimates the delay without the jitter of the moment
 *   (jitter only ever delays a packet). When it is off the configured
 *   delay by more than 2 ms, the offset is removed by dropping or
 *   inserting single samples in the quietest spot of a period, one per
 *   12.5 ms at most. A +-200 ppm far end (1.6 samples a second) keeps
 *   the delay within 2 ms of its target.
 * - Stall: after a start or resync (one packet set the delay, maybe a
 *   late one) and after jitbuf_restart_estimate() it is measured over
 *   half a window, and an offset beyond the 2 ms is removed at once
 *   (up to the delay; the audio broke anyway), so a device that lost
 *   time plays at the delay again within a second.
 * - Resync: the packet is anchored as a first one; audio already
 *   buffered plays on until it starts, a gap between is concealed. At
 *   once on an SSRC change or a marker packet that does not fit the
 *   timeline (off by more than the delay); else after 3 packets in a
 *   row outside the buffer (late, or beyond its end) arriving over at
 *   least min(delay, 60 ms), so a burst after a network stall does not
 *   re-anchor.
 *
 * Named jitbuf_*: libre exports its own (adaptive, packet based) jbuf_*.
 *
 * Not thread-safe: the caller serialises jitbuf_put() and jitbuf_get().
 * Only jitbuf_alloc() allocates; put is O(frame), get O(n).
 */
#ifndef ATA_JITBUF_H
#define ATA_JITBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitbuf;

/** Configuration, fixed for the life of the buffer */
struct jitbuf_conf {
	uint32_t srate;      /**< Sample rate, 8000..48000               */
	uint32_t delay_ms;   /**< Fixed playout delay, 10..1000 ms       */
	uint32_t max_frame;  /**< Max samples per packet (480 = 60 ms)   */
	uint32_t max_delay_ms; /**< Room for jitbuf_passthrough(), 0: none */
};

/** Counters since jitbuf_alloc() or jitbuf_reset() */
struct jitbuf_stats {
	uint64_t packets;            /**< Well-formed jitbuf_put() calls     */
	uint64_t late;               /**< Arrived after their playout      */
	uint64_t duplicate;          /**< Same sequence number seen        */
	uint64_t too_early;          /**< Beyond the end of the buffer     */
	uint64_t resync;             /**< Timeline re-anchored or moved  */
	uint64_t concealed_samples;  /**< Missing samples played by PLC    */
	uint64_t dropped_samples;    /**< Drift: samples removed           */
	uint64_t inserted_samples;   /**< Drift: samples added             */
	uint64_t underflow_frames;   /**< jitbuf_get() calls with a gap      */
	int32_t  delay_samples;      /**< Least-delayed packet's wait     */
	uint32_t jitter;             /**< RFC 3550 interarrival jitter     */
};

/**
 * Allocate a jitter buffer (silent until the first packet).
 * @return 0, EINVAL (bad configuration) or ENOMEM
 */
int  jitbuf_alloc(struct jitbuf **jbp, const struct jitbuf_conf *conf);

/**
 * Put one decoded frame with its RTP header fields.
 *
 * @param now  Arrival time on the device clock (jitbuf_clock(), refined by
 *             the part of the current period elapsed if known)
 * @return 0 (stored), EINVAL (bad argument, n = 0 or n > max_frame),
 *         EALREADY (duplicate), ETIMEDOUT (late) or EOVERFLOW (beyond the
 *         buffer); the drops are counted in the statistics
 */
int  jitbuf_put(struct jitbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts,
	      bool marker, const int16_t *pcm, size_t n, uint64_t now);

/** Write exactly @p n samples for playout and advance the device clock */
void jitbuf_get(struct jitbuf *jb, int16_t *pcm, size_t n);

/** Copy the statistics */
void jitbuf_stats(const struct jitbuf *jb, struct jitbuf_stats *st);

/** Samples jitbuf_get() has returned since jitbuf_alloc() (device clock) */
uint64_t jitbuf_clock(const struct jitbuf *jb);

/**
 * Samples from the next jitbuf_get() until timestamp @p ts plays (negative
 * if already played), INT32_MIN before the first packet
 */
int32_t jitbuf_ts_offset(const struct jitbuf *jb, uint32_t ts);

/** Capacity of the ring in samples: the largest possible wait */
uint32_t jitbuf_capacity(const struct jitbuf *jb);

/**
 * The device lost time and the caller skipped it (jitbuf_get() of the
 * missed samples): forget the delay measured so far, measure again,
 * and correct what the skip got wrong at once (counted as a resync)
 */
void jitbuf_restart_estimate(struct jitbuf *jb);

/**
 * Back to silence before a first packet; clears the statistics and
 * leaves pass-through (the configured delay again, with concealment)
 */
void jitbuf_reset(struct jitbuf *jb);

/**
 * Pass-through for fax and modem data until jitbuf_reset(): the delay
 * raised to @p delay_ms (never lowered; once, by silence at the
 * playout point), gaps played as silence without concealment, drift
 * corrected only beyond 10 ms. @return 0 or EINVAL (more than the
 * conf's max_delay_ms)
 */
int  jitbuf_passthrough(struct jitbuf *jb, uint32_t delay_ms);

#endif
