/**
 * @file line_echo.c  A line's echo canceller: reference history, alignment
 *
 * The far end's voice comes back in the capture from the 2-wire hybrid
 * (core/dsp/echo_can.c cancels it). Its reference is what the line
 * played, which the audio thread hands over after each period
 * (line_echo_played); what lies between is the device's queue, not the
 * hybrid, so it is taken out here: the capture sample c was taken while
 * the played sample c + off was on the line, and the canceller gets
 * that sample (a little newer: MARGIN) as the reference of c, so its
 * tail covers only the hybrid.
 *
 * Finding off: at each period, the driver's queue (ata_audio_delay)
 * says which played sample is on the line now, and the capture read
 * just now ends about now, so off = written - queued - n - captured. A
 * late wake makes that larger (the capture read is older than now), so
 * the smallest of a window of periods is taken. Playback and capture
 * run on one clock, so off stays put: capture the driver dropped (it
 * keeps at most a period of backlog) or padded (a short read) is
 * reported (ata_audio_capture_slip) and counted, so that `captured`
 * stays the device's position. After an xrun (line_echo_realign, or
 * when a window's smallest differs from off by more than TOL) off is
 * measured afresh and the canceller starts over. With the canceller
 * disabled (fax, modem: line_echo_enable) the capture passes
 * bit-exact; enabled again, it starts over.
 *
 * Threads: everything but line_echo_enable() runs on the audio thread
 * (or before it starts); the flag is atomic. No allocation after
 * line_echo_alloc().
 */
#include <stdatomic.h>
#include <string.h>
#include <re.h>
#include "dsp/echo_can.h"
#include "line_echo.h"

enum {
	HIST = 4096,         /* played samples kept: the queue + a period */
	CHUNK_MAX = 1024,    /* longer periods pass uncancelled           */
	WIN = 2560,          /* samples in an alignment window: 320 ms,
				the same for any period (a window of 32
				20 ms periods let the canceller start
				over 640 ms into a call, not 320) */
	TOL = 16,            /* 2 ms: off moved                           */
	MARGIN = 16,         /* 2 ms: the reference leads a little        */
	PRIME = ECHO_CAN_TAIL_MAX * (ECHO_CAN_SRATE / 1000), /* a tail   */
};

struct line_echo {
	struct echo_can *ec;
	int16_t hist[HIST];          /* played, by index % HIST          */
	uint64_t written;            /* played samples so far            */
	uint64_t captured;           /* capture samples so far           */
	int64_t slip;                /* the driver's, for after a period */
	int64_t off;
	bool have_off;
	int64_t win_min;
	size_t win_n;                /* samples in the window so far     */
	atomic_bool on;              /* any thread: cancel or pass       */
	bool was_on;                 /* audio thread: `on` last time     */
	bool ran;                    /* the filter ran last period       */
	int16_t ref[CHUNK_MAX];
	int16_t out[CHUNK_MAX];
};


static void echo_destructor(void *arg)
{
	struct line_echo *le = arg;

	mem_deref(le->ec);
}


/**
 * Allocate a line's canceller for a tail of @p tail_ms (8..64), enabled.
 * Returns 0, EINVAL or ENOMEM.
 */
int line_echo_alloc(struct line_echo **lep, uint32_t tail_ms)
{
	struct line_echo *le;
	int err;

	if (!lep)
		return EINVAL;

	le = mem_zalloc(sizeof(*le), echo_destructor);
	if (!le)
		return ENOMEM;

	err = echo_can_alloc(&le->ec, tail_ms);
	if (err) {
		mem_deref(le);
		return err;
	}

	atomic_init(&le->on, true);
	le->was_on = true;
	*lep = le;

	return 0;
}


/** Audio thread: the timeline changed (xrun): measure off afresh */
void line_echo_realign(struct line_echo *le)
{
	if (!le)
		return;

	le->have_off = false;
	le->win_n = 0;
}


/** Any thread: cancel (@p on, the default) or pass the capture as is */
void line_echo_enable(struct line_echo *le, bool on)
{
	if (le)
		atomic_store_explicit(&le->on, on, memory_order_relaxed);
}


bool line_echo_enabled(const struct line_echo *le)
{
	return le && atomic_load_explicit(&le->on, memory_order_relaxed);
}


/* This period's view of off; keeps the window, restarts on a change */
static void align(struct line_echo *le, size_t n, size_t queued)
{
	int64_t obs = (int64_t)le->written - (int64_t)queued - (int64_t)n -
		(int64_t)le->captured;

	if (!le->have_off) {
		le->off = obs;
		le->have_off = true;
		le->win_n = 0;
		echo_can_reset(le->ec);
	}

	if (!le->win_n || obs < le->win_min)
		le->win_min = obs;
	le->win_n += n;
	if (le->win_n < WIN)
		return;

	le->win_n = 0;
	if (le->win_min > le->off + TOL || le->win_min < le->off - TOL) {
		le->off = le->win_min;
		echo_can_reset(le->ec);
	}
}


/*
 * The reference of capture samples [c, c + n): what was played, where
 * the history still holds it, else silence. Copied in at most two
 * pieces per side of the ring's wrap (this and line_echo_played() were
 * 4,000 instructions a packet sample by sample).
 */
static void reference(struct line_echo *le, int16_t *ref, int64_t c,
		      size_t n)
{
	int64_t r = c + le->off + MARGIN;
	int64_t lo = (int64_t)le->written - HIST, hi = (int64_t)le->written;
	size_t i = 0;

	if (lo < 0)
		lo = 0;
	while (i < n) {
		int64_t at = r + (int64_t)i;
		size_t k;

		if (at < lo || at >= hi) {
			/* silence up to the kept part, or to the end */
			int64_t to = at < lo ? lo : r + (int64_t)n;

			k = (size_t)(to - at);
			if (k > n - i)
				k = n - i;
			memset(ref + i, 0, k * sizeof(*ref));
		}
		else {
			size_t pos = (size_t)((uint64_t)at % HIST);

			k = n - i;
			if (k > (size_t)(hi - at))
				k = (size_t)(hi - at);
			if (k > HIST - pos)
				k = HIST - pos;
			memcpy(ref + i, le->hist + pos, k * sizeof(*ref));
		}
		i += k;
	}
}


/**
 * Audio thread: cancel the echo in @p n captured samples (@p queued:
 * samples the device held before this period's playback; @p used: the
 * capture goes somewhere, to a call that sends it or to the handset
 * DTMF detector, else only the alignment is kept, which saves the
 * filter's cost on an idle line or a call on hold). Returns the capture
 * to use from now on (@p cap itself when disabled, unused, the device
 * had none, or the period is too long). While the line plays silence
 * the canceller passes the capture at the cost of a scan
 * (echo_can_process()).
 */
const int16_t *line_echo_capture(struct line_echo *le, const int16_t *cap,
				 size_t n, size_t queued, bool used)
{
	bool on, run;

	if (!le)
		return cap;
	if (!cap || !n) {
		le->captured += (uint64_t)le->slip;
		le->slip = 0;
		return cap;
	}

	on = atomic_load_explicit(&le->on, memory_order_relaxed);
	if (on && !le->was_on)
		line_echo_realign(le);
	le->was_on = on;

	align(le, n, queued);

	run = on && used && n <= CHUNK_MAX;
	if (run && !le->ran) {
		/* back from a pause: the tail as the far end filled it */
		reference(le, le->ref, (int64_t)le->captured - PRIME, PRIME);
		echo_can_prime(le->ec, le->ref, PRIME);
	}
	le->ran = run;
	if (run) {
		reference(le, le->ref, (int64_t)le->captured, n);
		echo_can_process(le->ec, le->out, cap, le->ref, n);
		cap = le->out;
	}
	le->captured += n + (uint64_t)le->slip;
	le->slip = 0;

	return cap;
}


/** Samples the canceller filtered so far (not passed as quiet): tests */
uint64_t line_echo_filtered(const struct line_echo *le)
{
	return le ? echo_can_filtered(le->ec) : 0;
}


/**
 * Audio thread: the capture stream moved by @p frames more than the
 * periods show: samples the driver dropped after this period's
 * (positive) or padding at its end (negative). Keeps off valid.
 */
void line_echo_slip(struct line_echo *le, long frames)
{
	if (le)
		le->slip += frames;
}


/** Audio thread: the @p n samples of this period's playback */
void line_echo_played(struct line_echo *le, const int16_t *play, size_t n)
{
	if (!le || !play)
		return;

	while (n) {
		size_t pos = (size_t)(le->written % HIST);
		size_t k = n < HIST - pos ? n : HIST - pos;

		memcpy(le->hist + pos, play, k * sizeof(*play));
		le->written += k;
		play += k;
		n -= k;
	}
}
