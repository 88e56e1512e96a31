/** @file jitbuf.c  Fixed-delay jitter buffer: a PCM ring indexed by RTP ts */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

#include "plc.h"
#include "jitbuf.h"
#include "jitbuf_ring.h"

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
	uint32_t span;		/* ring the timing uses: for the delay */
	uint32_t delay;		/* fixed playout delay, samples */
	uint32_t dead_band;	/* drift: 2 ms before a correction */
	bool plain;		/* pass-through: no PLC, wide dead band */
	uint32_t window;	/* drift: peak-wait window, 1 s */
	uint32_t bad_span;	/* resync: bad packets over this long */
	uint32_t late_span;	/* ... or, only late ones, this long */

	uint64_t dev_pos;	/* device clock of the next sample out */
	bool running;
	uint32_t ssrc;
	uint32_t play_ts;	/* ring timeline: the next sample out */
	uint32_t ts_off;	/* RTP ts + ts_off = ring timeline */
	uint32_t lead_in;	/* silence (not loss) before first audio */

	uint16_t seq_hi;	/* highest sequence number seen */
	uint64_t seq_seen;	/* bit k: seq_hi - k was seen */

	int64_t peak;		/* least-delayed packet's wait, window */
	int64_t peak_prev;	/* the same, the window before */
	int64_t est;		/* the greater of the two at window end */
	uint64_t win_end;	/* device time the window closes */
	int32_t pending;	/* samples to drop (+) or insert (-) */
	bool realign;		/* after a restart: move at once */
	uint64_t next_step;	/* device time of the next drift step */

	uint32_t bad_count;	/* packets in a row outside the ring */
	uint64_t bad_since;
	bool bad_near;		/* the last of them only late */

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


/* room for the delay, an early frame and a late anchor, twice */
static uint32_t span_for(const struct jitbuf *jb, uint32_t delay)
{
	uint32_t need = 2 * (delay + 2 * jb->conf.max_frame + CHUNK);
	uint32_t span;

	for (span = 1024; span < need; span <<= 1)
		;

	return span;
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
	    !conf->max_frame || conf->max_frame > conf->srate / 5 ||
	    conf->max_delay_ms > 1000)
		return EINVAL;

	jb = mem_zalloc(sizeof(*jb), jitbuf_destructor);
	if (!jb)
		return ENOMEM;

	jb->conf      = *conf;
	jb->delay     = conf->srate * conf->delay_ms / 1000;
	jb->dead_band = conf->srate / 500;
	jb->window    = conf->srate;
	jb->bad_span  = conf->srate * 60 / 1000;
	if (jb->bad_span > jb->delay)
		jb->bad_span = jb->delay;
	jb->late_span = conf->srate;

	jb->span = span_for(jb, jb->delay);
	need = conf->max_delay_ms > conf->delay_ms ?
		conf->srate * conf->max_delay_ms / 1000 : jb->delay;
	jb->size = span_for(jb, need);
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


/*
 * An arrival no later than the device can have reached: the clock plus
 * a get() of the largest frame in progress. The caller's stamp is a
 * guess from another thread's clock; one from the future would give
 * a stored packet a wait far below zero, and the drift control would
 * then insert samples for seconds to "repair" a delay nobody had.
 */
static uint64_t arrival_bound(const struct jitbuf *jb, uint64_t now)
{
	uint64_t latest = jb->dev_pos + jb->conf.max_frame + CHUNK;

	return now > latest ? latest : now;
}


/* Re-anchor: the packet's first sample plays `delay` after arrival */
static void anchor(struct jitbuf *jb, uint32_t ssrc, uint16_t seq,
		   uint32_t ts, uint64_t now)
{
	uint64_t earliest = jb->dev_pos > jb->delay ?
		jb->dev_pos - jb->delay : 0;
	uint64_t arrival = now;
	uint32_t lead;

	/*
	 * Arrivals normally lie in the period before dev_pos; one long
	 * before it must not place the packet outside the ring either.
	 */
	if (arrival < earliest)
		arrival = earliest;
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
		jitbuf_ring_mark(jb->filled, jb->mask, jb->play_ts + lead,
				 jb->size - lead, false);
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
	jb->peak      = INT64_MIN;
	jb->peak_prev = INT64_MIN;
	jb->est       = jb->delay;
	/* one packet's arrival set the delay, maybe a late one (a main
	   loop busy answering the call): measured again as after a stall */
	jb->win_end   = jb->dev_pos + jb->window / 2;
	jb->pending   = 0;
	jb->realign   = true;
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
	int64_t lim = jb->span;

	return wait > lim ? lim : wait < -lim ? -lim : wait;
}


static void store(struct jitbuf *jb, int32_t d, const int16_t *pcm, size_t n)
{
	size_t i = d < 0 ? (size_t)-(int64_t)d : 0;
	uint32_t k = jb->play_ts + (uint32_t)d + (uint32_t)i;

	if (i >= n)
		return;

	jitbuf_ring_write(jb->ring, jb->mask, k, pcm + i, (uint32_t)(n - i));
	jitbuf_ring_mark(jb->filled, jb->mask, k, (uint32_t)(n - i), true);
}


/*
 * Nothing heard yet and a packet more prompt than the first (which was
 * read late, e.g. by a main loop busy answering the call): start up to
 * @p want samples earlier by shortening the leading silence, so the
 * delay is right from the first sample instead of after the drift
 * control's first windows. Returns the samples moved.
 */
static uint32_t start_earlier(struct jitbuf *jb, uint64_t want)
{
	uint32_t sh = want < jb->lead_in ? (uint32_t)want : jb->lead_in;

	jitbuf_ring_mark(jb->filled, jb->mask, jb->play_ts, sh, false);
	jb->play_ts += sh;
	jb->lead_in -= sh;
	if (jb->peak != INT64_MIN)
		jb->peak -= sh;

	return sh;
}


int jitbuf_put(struct jitbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts,
	     bool marker, const int16_t *pcm, size_t n, uint64_t now)
{
	int64_t end, wait;
	int32_t d;

	if (!jb || !pcm || !n || n > jb->conf.max_frame)
		return EINVAL;

	++jb->st.packets;
	now = arrival_bound(jb, now);

	if (!jb->running || ssrc != jb->ssrc)
		goto resync;

	if (seq_duplicate(jb, seq)) {
		++jb->st.duplicate;
		return EALREADY;
	}

	d = (int32_t)(ts + jb->ts_off - jb->play_ts);
	end = (int64_t)d + (int64_t)n;
	wait = wait_of(jb, d, now);

	if (end <= 0 || end > jb->span) {
		/*
		 * A marker starts a new timeline; else wait for evidence.
		 * Packets beyond the ring are a timestamp jump: soon. Ones
		 * late by less are the network's delay: a spike of it (a
		 * stalled router, a burst after a gap) must cost only the
		 * late audio, not re-anchor the stream on a late packet and
		 * leave the delay long for the seconds drift control takes
		 * to bring it back (seen: +66 ms after a 95 ms gap). Only a
		 * delay that stays grown for a second moves the timeline.
		 */
		bool near = end <= 0 && end > -(int64_t)jb->span;

		if (marker)
			goto resync;

		if (jb->bad_count++ == 0 || (!near && jb->bad_near))
			jb->bad_since = now;
		jb->bad_near = near;
		if (jb->bad_count >= BAD_RUN && now >= jb->bad_since &&
		    now - jb->bad_since >= (near ? jb->late_span :
					    jb->bad_span))
			goto resync;

		if (end > 0) {
			++jb->st.too_early;
			return EOVERFLOW;
		}

		if (end > -(int64_t)jb->span)
			jitter_update(jb, ts, now);
		++jb->st.late;
		return ETIMEDOUT;
	}

	if (marker && (wait - jb->delay > jb->delay ||
		       jb->delay - wait > jb->delay))
		goto resync;

	jb->bad_count = 0;
	if (jb->lead_in && wait > (int64_t)jb->delay && d > 0) {
		/* never past the next sample out: the packet stays whole */
		uint64_t want = (uint64_t)wait - jb->delay;
		uint32_t sh = start_earlier(jb, want < (uint64_t)d ? want :
					    (uint64_t)d);

		d -= (int32_t)sh;
		wait -= sh;
	}
	jitter_update(jb, ts, now);
	if (wait > jb->peak)
		jb->peak = wait;
	store(jb, d, pcm, n);

	return 0;

 resync:
	anchor(jb, ssrc, seq, ts, now);
	jitter_update(jb, ts, now);
	store(jb, (int32_t)(ts + jb->ts_off - jb->play_ts), pcm, n);

	return 0;
}


/*
 * The first window after a restart found the delay off by @p off
 * samples: the device lost time and the caller's skip did not match it
 * (a stall longer than it measured, a queue it did not know of). Drift
 * steps would take seconds for that (10 ms a second); the audio broke
 * anyway, so the timeline moves at once: forward over audio that would
 * play late, or back, the gap concealed. More than the delay is not a
 * skip's error; drift control takes the rest.
 */
static void realign(struct jitbuf *jb, int32_t off)
{
	int32_t lim = (int32_t)jb->delay;

	off = off > lim ? lim : off < -lim ? -lim : off;
	if (off > 0)
		jitbuf_ring_mark(jb->filled, jb->mask, jb->play_ts,
				 (uint32_t)off, false);
	jb->play_ts += (uint32_t)off;
	if (off < 0)
		jitbuf_ring_mark(jb->filled, jb->mask, jb->play_ts,
				 (uint32_t)-off, false);

	jb->est -= off;
	if (jb->peak != INT64_MIN)
		jb->peak -= off;
	if (jb->peak_prev != INT64_MIN)
		jb->peak_prev -= off;
	jb->pending -= off;
	++jb->st.resync;
}


/*
 * Drift: +1 to drop a sample, -1 to insert one, 0 to play as is.
 *
 * The estimate is the wait of the least-delayed packet of the last two
 * windows (1 s each): jitter only ever delays packets, so the peak
 * follows the network's base delay and the two clocks, not the jitter
 * of the moment, and one window without a prompt packet is not enough
 * to move it. When it is off the delay by more than the dead band, the
 * whole offset is corrected, one sample per 12.5 ms. A step moves every
 * later packet's wait by one sample, so the running peak moves with it
 * and the next window does not correct the same offset twice.
 */
static int drift_step(struct jitbuf *jb)
{
	int64_t off;
	int step;

	if (jb->dev_pos >= jb->win_end) {
		if (jb->peak != INT64_MIN) {
			int64_t lim = jb->span;

			/*
			 * A wait is at most the ring, but the steps of the
			 * window moved the peaks past it maybe: the steps
			 * only ever move the estimate towards the delay,
			 * so bounded here it stays bounded.
			 */
			jb->est = jb->peak > jb->peak_prev ? jb->peak :
				jb->peak_prev;
			jb->est = jb->est > lim ? lim :
				jb->est < -lim ? -lim : jb->est;
			off = jb->est - (int64_t)jb->delay;
			jb->pending = off > jb->dead_band ||
				-off > jb->dead_band ? (int32_t)off : 0;
			if (jb->realign && jb->pending)
				realign(jb, jb->pending);
			jb->realign = false;
		}
		jb->peak_prev = jb->peak;
		jb->peak = INT64_MIN;
		jb->win_end = jb->dev_pos + jb->window;
	}

	if (!jb->pending || jb->dev_pos < jb->next_step)
		return 0;

	step = jb->pending > 0 ? 1 : -1;
	jb->pending -= step;
	jb->next_step = jb->dev_pos + jb->conf.srate / 80;
	jb->est -= step;
	if (jb->peak != INT64_MIN)
		jb->peak -= step;
	if (jb->peak_prev != INT64_MIN)
		jb->peak_prev -= step;

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
		uint32_t k = jb->play_ts + (uint32_t)i;
		bool have = slot_filled(jb, k & jb->mask);
		uint32_t len = jitbuf_ring_run(jb->filled, jb->mask, k,
					       (uint32_t)(take - i), have);
		size_t j = i + len, quiet = 0;

		if (have) {
			jitbuf_ring_read(jb->ring, jb->mask, k, buf + i, len);
			jitbuf_ring_mark(jb->filled, jb->mask, k, len, false);
			if (!jb->plain)
				plc_good(jb->plc, buf + i, j - i);
			i = j;
			continue;
		}

		/* before the first packet's audio: silence, not loss */
		if (jb->lead_in > i)
			quiet = jb->lead_in - i < j - i ? jb->lead_in - i :
				j - i;
		if (jb->plain)
			quiet = j - i;
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
	st->delay_samples = jb->running ? (int32_t)jb->est : 0;
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
	return jb ? jb->span : 0;
}


/*
 * The device lost time (an underrun; the caller skipped the line time it
 * missed): waits measured until now were against the old timeline, and
 * packets that arrived while the device stood had no true arrival time
 * (a late audio thread caps the stamp at the clock, so they look
 * early). Steering on them would move the delay away from its depth for
 * seconds (seen: -12 ms then back, one xrun on a loaded machine), so
 * the estimate starts over from the packets that arrive from now on,
 * and what their first half window finds off is removed at once.
 */
void jitbuf_restart_estimate(struct jitbuf *jb)
{
	if (!jb)
		return;

	jb->peak = INT64_MIN;
	jb->peak_prev = INT64_MIN;
	jb->est = jb->delay;
	jb->pending = 0;
	/* half a window (25 packets of 20 ms) tells the offset well
	   enough to move at once, so the delay is back within a second */
	jb->win_end = jb->dev_pos + jb->window / 2;
	jb->realign = true;
}


void jitbuf_reset(struct jitbuf *jb)
{
	if (!jb)
		return;

	memset(jb->filled, 0, jb->size / 8);
	plc_reset(jb->plc);
	memset(&jb->st, 0, sizeof(jb->st));
	jb->delay = jb->conf.srate * jb->conf.delay_ms / 1000;
	jb->span = span_for(jb, jb->delay);
	jb->dead_band = jb->conf.srate / 500;
	jb->plain = false;
	jb->running = false;
	jb->lead_in = 0;
	jb->bad_count = 0;
	jb->have_transit = false;
	jb->jitter16 = 0;
	jb->next_step = 0;
	jb->pending = 0;
	jb->realign = false;
}


/*
 * Fax and modem: a delay that absorbs more jitter, since a modem takes
 * a late packet's gap worse than a longer echo path; the change is one
 * insertion of silence at the playout point (the buffered audio plays
 * on after it, whole), where a tone is the only signal yet. Then no
 * concealment (the PLC would fade real audio in after a gap: a data
 * signal must pass unchanged, a gap plays as silence) and drift steps
 * only beyond 10 ms (each is a slip the modem must retrain over).
 */
int jitbuf_passthrough(struct jitbuf *jb, uint32_t delay_ms)
{
	uint32_t delay, add;

	if (!jb || delay_ms > 1000)
		return EINVAL;

	delay = jb->conf.srate * delay_ms / 1000;
	if (delay < jb->delay)
		delay = jb->delay;
	if (span_for(jb, delay) > jb->size)
		return EINVAL;

	add = delay - jb->delay;
	jb->plain = true;
	jb->dead_band = jb->conf.srate / 100;
	jb->delay = delay;
	jb->span = span_for(jb, delay);
	if (!jb->running || !add)
		return 0;

	/* the slots now before the old playout point held played audio */
	jb->play_ts -= add;
	jitbuf_ring_mark(jb->filled, jb->mask, jb->play_ts, add, false);
	jb->est += add;
	if (jb->peak != INT64_MIN)
		jb->peak += add;
	if (jb->peak_prev != INT64_MIN)
		jb->peak_prev += add;

	return 0;
}
