/** @file jbuf.c  Fixed-delay jitter buffer: a PCM ring indexed by RTP ts */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "plc.h"
#include "jbuf.h"

enum {
	CHUNK   = 160,	/* jitbuf_get() works in pieces this long */
	ADJ_MIN = 16,	/* no drift step in a shorter piece */
	BAD_RUN = 3,	/* packets outside the ring for a resync */
	SEQ_WIN = 64,	/* sequence numbers kept for duplicates */
};

struct jitbuf {
	struct jitbuf_conf conf;
	struct plc *plc;
	int16_t *ring;		/* size samples, slot = ts & mask */
	uint64_t *filled;	/* one bit per slot: holds real audio */
	int16_t *scratch;	/* CHUNK + 1: a piece before a drift step */
	uint32_t size, mask;
	uint32_t delay;		/* fixed playout delay, samples */
	uint32_t dead_band;	/* drift: 5 ms before a step */
	uint32_t tau;		/* drift: smoothing, 2 s */
	uint32_t bad_span;	/* resync: bad packets over this long */

	uint64_t dev_pos;	/* device clock of the next sample out */
	bool running;
	uint32_t ssrc;
	uint32_t play_ts;	/* ring timeline: the next sample out */
	uint32_t ts_off;	/* RTP ts + ts_off = ring timeline */
	uint32_t lead_in;	/* silence (not loss) before first audio */

	uint16_t seq_hi;	/* highest sequence number seen */
	uint64_t seq_seen;	/* bit k: seq_hi - k was seen */

	int64_t fill;		/* smoothed playout minus arrival, Q16 */
	uint64_t next_step;	/* device time of the next drift step */

	uint32_t bad_count;	/* packets in a row outside the ring */
	uint64_t bad_since;

	bool have_transit;	/* RFC 3550 6.4.1 */
	uint32_t transit;
	uint64_t jitter16;	/* jitter * 16 */

	struct jitbuf_stats st;
};


static void jitbuf_destructor(void *arg)
{
	struct jitbuf *jb = arg;

	mem_deref(jb->plc);
	mem_deref(jb->ring);
	mem_deref(jb->filled);
	mem_deref(jb->scratch);
}


int jitbuf_alloc(struct jitbuf **jbp, const struct jitbuf_conf *conf)
{
	struct jitbuf *jb;
	uint32_t need;
	int err;

	if (!jbp || !conf)
		return EINVAL;
	if (conf->srate < 8000 || conf->srate > 48000 ||
	    conf->delay_ms < 10 || conf->delay_ms > 1000 ||
	    !conf->max_frame || conf->max_frame > conf->srate / 5)
		return EINVAL;

	jb = mem_zalloc(sizeof(*jb), jitbuf_destructor);
	if (!jb)
		return ENOMEM;

	jb->conf      = *conf;
	jb->delay     = conf->srate * conf->delay_ms / 1000;
	jb->dead_band = conf->srate / 200;
	jb->tau       = conf->srate * 2;
	jb->bad_span  = conf->srate * 60 / 1000;
	if (jb->bad_span > jb->delay)
		jb->bad_span = jb->delay;

	/* room for the delay, an early frame and a late anchor, twice */
	need = 2 * (jb->delay + 2 * conf->max_frame + CHUNK);
	for (jb->size = 1024; jb->size < need; jb->size <<= 1)
		;
	jb->mask = jb->size - 1;

	jb->ring    = mem_zalloc(jb->size * sizeof(int16_t), NULL);
	jb->filled  = mem_zalloc(jb->size / 8, NULL);
	jb->scratch = mem_zalloc((CHUNK + 1) * sizeof(int16_t), NULL);
	if (!jb->ring || !jb->filled || !jb->scratch) {
		err = ENOMEM;
		goto out;
	}

	err = plc_alloc(&jb->plc, conf->srate);

 out:
	if (err)
		mem_deref(jb);
	else
		*jbp = jb;

	return err;
}


static bool slot_filled(const struct jitbuf *jb, uint32_t k)
{
	return (jb->filled[k >> 6] >> (k & 63)) & 1;
}


/* Re-anchor: the packet's first sample plays `delay` after arrival */
static void anchor(struct jitbuf *jb, uint32_t ssrc, uint16_t seq,
		   uint32_t ts, uint64_t now)
{
	uint64_t earliest = jb->dev_pos > jb->delay ?
		jb->dev_pos - jb->delay : 0;
	uint64_t latest = jb->dev_pos + jb->conf.max_frame + CHUNK;
	uint64_t arrival = now;
	uint32_t lead;

	/*
	 * Arrivals normally lie in the period before dev_pos; one far off
	 * the device clock must not place the packet outside the ring.
	 */
	if (arrival < earliest)
		arrival = earliest;
	if (arrival > latest)
		arrival = latest;
	lead = (uint32_t)(arrival + jb->delay - jb->dev_pos);

	if (jb->running)
		++jb->st.resync;
	else
		jb->lead_in = lead;

	if (!jb->running || ssrc != jb->ssrc)
		jb->jitter16 = 0;

	/*
	 * The old source's audio already buffered plays on until the new
	 * one starts: only the new source's RTP timeline moves.
	 */
	if (jb->running) {
		jb->ts_off = jb->play_ts + lead - ts;
		for (uint32_t i = lead; i < jb->size; i++) {
			uint32_t k = (jb->play_ts + i) & jb->mask;

			jb->filled[k >> 6] &= ~(1ULL << (k & 63));
		}
	}
	else {
		jb->ts_off  = 0;
		jb->play_ts = ts - lead;
		memset(jb->filled, 0, jb->size / 8);
	}

	jb->running   = true;
	jb->ssrc      = ssrc;
	jb->seq_hi    = seq;
	jb->seq_seen  = 1;
	jb->fill      = (int64_t)jb->delay << 16;
	jb->bad_count = 0;
	jb->have_transit = false;
}


/* true if @p seq was seen among the last SEQ_WIN; remembers it */
static bool seq_duplicate(struct jitbuf *jb, uint16_t seq)
{
	int32_t diff = (int16_t)(uint16_t)(seq - jb->seq_hi);
	uint64_t bit;

	if (diff > 0) {
		jb->seq_seen = diff >= SEQ_WIN ? 1 :
			(jb->seq_seen << diff) | 1;
		jb->seq_hi = seq;
		return false;
	}

	if (-diff >= SEQ_WIN)
		return false;

	bit = 1ULL << -diff;
	if (jb->seq_seen & bit)
		return true;

	jb->seq_seen |= bit;
	return false;
}


static void jitter_update(struct jitbuf *jb, uint32_t ts, uint64_t now)
{
	uint32_t transit = (uint32_t)now - ts;

	if (jb->have_transit) {
		int32_t d = (int32_t)(transit - jb->transit);
		uint64_t ad = d < 0 ? -(int64_t)d : d;

		jb->jitter16 += ad - ((jb->jitter16 + 8) >> 4);
	}

	jb->transit = transit;
	jb->have_transit = true;
}


/* Playout minus arrival of a packet @p d samples ahead of playout */
static int64_t wait_of(const struct jitbuf *jb, int32_t d, uint64_t now)
{
	int64_t wait = (int64_t)(jb->dev_pos - now) + d;
	int64_t lim = jb->size;

	return wait > lim ? lim : wait < -lim ? -lim : wait;
}


static void store(struct jitbuf *jb, int32_t d, const int16_t *pcm, size_t n)
{
	for (size_t i = d < 0 ? (size_t)-(int64_t)d : 0; i < n; i++) {
		uint32_t k = (jb->play_ts + (uint32_t)d + (uint32_t)i) &
			jb->mask;

		jb->ring[k] = pcm[i];
		jb->filled[k >> 6] |= 1ULL << (k & 63);
	}
}


int jitbuf_put(struct jitbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts,
	     bool marker, const int16_t *pcm, size_t n, uint64_t now)
{
	int64_t end, wait;
	int32_t d;

	if (!jb || !pcm || !n || n > jb->conf.max_frame)
		return EINVAL;

	++jb->st.packets;

	if (!jb->running || ssrc != jb->ssrc)
		goto resync;

	if (seq_duplicate(jb, seq)) {
		++jb->st.duplicate;
		return EALREADY;
	}

	d = (int32_t)(ts + jb->ts_off - jb->play_ts);
	end = (int64_t)d + (int64_t)n;
	wait = wait_of(jb, d, now);

	if (end <= 0 || end > jb->size) {
		/* a marker starts a new timeline; else wait for evidence */
		if (marker)
			goto resync;

		if (jb->bad_count++ == 0)
			jb->bad_since = now;
		if (jb->bad_count >= BAD_RUN && now >= jb->bad_since &&
		    now - jb->bad_since >= jb->bad_span)
			goto resync;

		if (end > 0) {
			++jb->st.too_early;
			return EOVERFLOW;
		}

		if (end > -(int64_t)jb->size)
			jitter_update(jb, ts, now);
		++jb->st.late;
		return ETIMEDOUT;
	}

	if (marker && (wait - jb->delay > jb->delay ||
		       jb->delay - wait > jb->delay))
		goto resync;

	jb->bad_count = 0;
	jitter_update(jb, ts, now);
	jb->fill += ((int64_t)wait * 65536 - jb->fill) * (int64_t)n /
		jb->tau;
	store(jb, d, pcm, n);

	return 0;

 resync:
	anchor(jb, ssrc, seq, ts, now);
	jitter_update(jb, ts, now);
	store(jb, (int32_t)(ts + jb->ts_off - jb->play_ts), pcm, n);

	return 0;
}


/*
 * Drift: +1 to drop a sample, -1 to insert one, 0 to play as is. The
 * step moves every later packet's wait by one sample, so the estimate
 * moves with it and the controller does not overshoot.
 */
static int drift_step(struct jitbuf *jb)
{
	int64_t off = jb->fill - ((int64_t)jb->delay << 16);
	int64_t band = (int64_t)jb->dead_band << 16;
	int64_t mag = off < 0 ? -off : off;
	int step;

	if (jb->dev_pos < jb->next_step || mag <= band)
		return 0;

	step = off > 0 ? 1 : -1;
	jb->next_step = jb->dev_pos +
		jb->conf.srate / (mag > 4 * band ? 80 : 8);
	jb->fill -= (int64_t)step * 65536;

	if (step > 0)
		++jb->st.dropped_samples;
	else
		++jb->st.inserted_samples;

	return step;
}


/* The quietest spot: least |x| over a three-sample neighbourhood */
static size_t quiet_spot(const int16_t *x, size_t from, size_t to)
{
	size_t best = from;
	int32_t best_e = INT32_MAX;

	for (size_t i = from; i < to; i++) {
		int32_t e = abs(x[i - 1]) + abs(x[i]) + abs(x[i + 1]);

		if (e < best_e) {
			best_e = e;
			best = i;
		}
	}

	return best;
}


/* Read @p take slots into @p buf through the PLC; true if any missing */
static bool pull(struct jitbuf *jb, int16_t *buf, size_t take)
{
	bool gap = false;
	size_t i = 0;

	while (i < take) {
		uint32_t k = (jb->play_ts + (uint32_t)i) & jb->mask;
		bool have = slot_filled(jb, k);
		size_t j = i, quiet = 0;

		for (; j < take; j++) {
			k = (jb->play_ts + (uint32_t)j) & jb->mask;
			if (slot_filled(jb, k) != have)
				break;
			buf[j] = jb->ring[k];
			jb->filled[k >> 6] &= ~(1ULL << (k & 63));
		}

		if (have) {
			plc_good(jb->plc, buf + i, j - i);
			i = j;
			continue;
		}

		/* before the first packet's audio: silence, not loss */
		if (jb->lead_in > i)
			quiet = jb->lead_in - i < j - i ? jb->lead_in - i :
				j - i;
		memset(buf + i, 0, quiet * sizeof(int16_t));
		if (j - i > quiet) {
			plc_conceal(jb->plc, buf + i + quiet, j - i - quiet);
			jb->st.concealed_samples += j - i - quiet;
			gap = true;
		}
		i = j;
	}

	jb->lead_in = jb->lead_in > take ? jb->lead_in - (uint32_t)take : 0;

	return gap;
}


static bool get_piece(struct jitbuf *jb, int16_t *out, size_t m)
{
	size_t take, at;
	bool gap;
	int step;

	if (!jb->running) {
		memset(out, 0, m * sizeof(int16_t));
		jb->dev_pos += m;
		return false;
	}

	step = m >= ADJ_MIN ? drift_step(jb) : 0;
	take = m + step;
	gap = pull(jb, step ? jb->scratch : out, take);
	jb->play_ts += (uint32_t)take;
	jb->dev_pos += m;

	if (step > 0) {
		at = quiet_spot(jb->scratch, 1, take - 1);
		memcpy(out, jb->scratch, at * sizeof(int16_t));
		memcpy(out + at, jb->scratch + at + 1,
		       (take - at - 1) * sizeof(int16_t));
	}
	else if (step < 0) {
		at = quiet_spot(jb->scratch, 1, take - 1);
		memcpy(out, jb->scratch, at * sizeof(int16_t));
		out[at] = (int16_t)((jb->scratch[at - 1] +
				     jb->scratch[at]) / 2);
		memcpy(out + at + 1, jb->scratch + at,
		       (take - at) * sizeof(int16_t));
	}

	return gap;
}


void jitbuf_get(struct jitbuf *jb, int16_t *pcm, size_t n)
{
	bool gap = false;

	if (!jb || !pcm)
		return;

	while (n) {
		size_t m = n < CHUNK ? n : CHUNK;

		gap |= get_piece(jb, pcm, m);
		pcm += m;
		n -= m;
	}

	if (gap)
		++jb->st.underflow_frames;
}


void jitbuf_stats(const struct jitbuf *jb, struct jitbuf_stats *st)
{
	if (!jb || !st)
		return;

	*st = jb->st;
	st->delay_samples = jb->running ?
		(int32_t)((jb->fill + 32768) >> 16) : 0;
	st->jitter = (uint32_t)(jb->jitter16 >> 4);
}


uint64_t jitbuf_clock(const struct jitbuf *jb)
{
	return jb ? jb->dev_pos : 0;
}


int32_t jitbuf_ts_offset(const struct jitbuf *jb, uint32_t ts)
{
	if (!jb || !jb->running)
		return INT32_MIN;

	return (int32_t)(ts + jb->ts_off - jb->play_ts);
}


uint32_t jitbuf_capacity(const struct jitbuf *jb)
{
	return jb ? jb->size : 0;
}


void jitbuf_reset(struct jitbuf *jb)
{
	if (!jb)
		return;

	memset(jb->filled, 0, jb->size / 8);
	plc_reset(jb->plc);
	memset(&jb->st, 0, sizeof(jb->st));
	jb->running = false;
	jb->lead_in = 0;
	jb->bad_count = 0;
	jb->have_transit = false;
	jb->jitter16 = 0;
	jb->next_step = 0;
}
