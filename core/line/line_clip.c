/**
 * @file line_clip.c  On-hook caller ID: what to send, and when
 *
 * When a call starts ringing the line, the caller (call_caller()) and
 * the box's local time become a message (dsp/clip.c), rendered at once
 * into samples (Bell 202 or V.23 FSK, or DTMF) that the device plays
 * through the line's audio (line_audio_clip()) in the silence after the
 * first ring. The PCM runs for the line's life, on-hook too, so no
 * device is opened for it.
 *
 * When: 500 ms after the first ring ends (Bell GR-30: at least 500 ms;
 * ETSI EN 300 659-1: 500 ms or more), and the next ring must not start
 * before the data ends (plus a 200 ms guard). Where ataua switches the
 * ring itself (lines[].ring_cadence), the first cycle's last pause is
 * lengthened when the data would not fit in it. Where the SLIC makes
 * the cadence (no ring_cadence), the first ring is taken to last what
 * the country's standard cadence says (us 2 s, de 1 s, fr 1.5 s, uk
 * 0.4+0.2+0.4 s); a SLIC that rings otherwise garbles the data, which
 * is why caller ID wants ring_cadence. The uk's data before the first
 * ring (BT SIN 227) needs a line polarity reversal that no line driver
 * offers: the uk line sends V.23 after the first ring, as ETSI does.
 */
#include <string.h>
#include <time.h>
#include "ataua.h"
#include "call/call.h"
#include "conf/config.h"
#include "dsp/clip.h"
#include "line_audio.h"
#include "line_int.h"

enum {
	CLIP_AFTER_RING_MS = 500,    /* first ring end to the data      */
	CLIP_GUARD_MS      = 200,    /* data end to the next ring       */
};

/* The standard first ring, where the SLIC cadences by itself */
static const struct {
	const char *profile;
	uint32_t ring_ms;            /* first ring, its pauses included */
	uint32_t pause_ms;           /* the pause after it              */
} std_rings[] = {
	{ "us", 2000, 4000 },
	{ "de", 1000, 4000 },
	{ "fr", 1500, 3500 },
	{ "uk", 1000, 2000 },        /* 0.4 on, 0.2 off, 0.4 on, 2 off */
};


/** lines[].caller_id with auto resolved by the tones profile */
enum ata_caller_id line_clip_mode(const struct ata_conf_line *lc)
{
	const char *p = lc->tones ? lc->tones : "us";

	if (lc->caller_id != ATA_CID_AUTO)
		return lc->caller_id;
	if (!strcmp(p, "us"))
		return ATA_CID_BELL202;
	if (!strcmp(p, "de") || !strcmp(p, "fr") || !strcmp(p, "uk"))
		return ATA_CID_V23;

	return ATA_CID_OFF;
}


static const char *mode_name(enum ata_caller_id m)
{
	switch (m) {

	case ATA_CID_BELL202: return "bell202";
	case ATA_CID_V23:     return "v23";
	case ATA_CID_DTMF:    return "dtmf";
	default:              return "off";
	}
}


/* ataua switches the ring on and off (line_media.c ring_step) */
static bool own_cadence(const struct line *ln)
{
	return ln->drv && ln->drv->ring && ln->lc->ring_cadencec >= 2;
}


static void std_ring(const struct line *ln, uint32_t *ring_ms,
		     uint32_t *pause_ms)
{
	const char *p = ln->lc->tones ? ln->lc->tones : "us";
	size_t i;

	*ring_ms = std_rings[0].ring_ms;
	*pause_ms = std_rings[0].pause_ms;
	for (i = 0; i < ARRAY_SIZE(std_rings); i++) {
		if (strcmp(p, std_rings[i].profile))
			continue;
		*ring_ms = std_rings[i].ring_ms;
		*pause_ms = std_rings[i].pause_ms;
	}
}


/* Says once, at the line's start, what its caller ID does */
void line_clip_init(struct line *ln)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);
	uint32_t ring_ms, pause_ms;

	tmr_init(&ln->tmr_clip);
	if (m == ATA_CID_OFF)
		return;

	if (!ln->au) {
		ata_info("line %u: caller ID %s: no audio device, none sent\n",
			 ln->id, mode_name(m));
		return;
	}

	if (ln->lc->tones && !strcmp(ln->lc->tones, "uk"))
		ata_info("line %u: caller ID: the line driver has no polarity"
			 " reversal for BT SIN 227: sent after the first ring"
			 " (ETSI)\n", ln->id);

	if (own_cadence(ln)) {
		ata_info("line %u: caller ID %s after the first ring of "
			 "ring_cadence\n", ln->id, mode_name(m));
		return;
	}

	std_ring(ln, &ring_ms, &pause_ms);
	ata_info("line %u: caller ID %s %u ms after ringing starts (the "
		 "SLIC's cadence taken as %u ms ring, %u ms pause; "
		 "ring_cadence makes it exact)\n", ln->id, mode_name(m),
		 ring_ms + CLIP_AFTER_RING_MS, ring_ms, pause_ms);
}


static void clip_stop(struct line *ln)
{
	tmr_cancel(&ln->tmr_clip);
	ln->clip_pending = false;
	line_audio_clip(ln->au, NULL, 0);
	ln->clip_pcm = mem_deref(ln->clip_pcm);
	ln->clip_n = 0;
}


static void clip_play(void *arg)
{
	struct line *ln = arg;

	if (!ln->clip_pcm)
		return;

	/* the buffer stays until the ringing stops: the audio thread
	   may read it until then */
	line_audio_clip(ln->au, ln->clip_pcm, ln->clip_n);
}


/** The message content for @p cc (NULL: unavailable), at the local time */
void line_clip_caller(struct clip_caller *c, const struct call_caller *cc)
{
	struct tm tm;
	time_t now = time(NULL);

	memset(c, 0, sizeof(*c));
	if (localtime_r(&now, &tm)) {
		c->month  = (unsigned)tm.tm_mon + 1;
		c->day    = (unsigned)tm.tm_mday;
		c->hour   = (unsigned)tm.tm_hour;
		c->minute = (unsigned)tm.tm_min;
	}

	c->absent = CLIP_UNAVAILABLE;
	if (!cc)
		return;
	if (cc->hidden) {
		c->absent = CLIP_PRIVATE;
		return;
	}
	str_ncpy(c->number, cc->number, sizeof(c->number));
	clip_name_ascii(c->name, sizeof(c->name), cc->name);
}


/* The samples for @p c in the line's mode; 0 or an errno */
static int render(struct line *ln, enum ata_caller_id m,
		  const struct clip_caller *c)
{
	enum fsk_std std = m == ATA_CID_V23 ? FSK_V23 : FSK_BELL202;
	char keys[CLIP_DTMF_KEYS];
	struct clip_msg msg;
	size_t n;
	int err;

	if (m == ATA_CID_DTMF) {
		clip_dtmf_keys(keys, sizeof(keys), c);
		n = clip_dtmf_samples(keys);
	}
	else {
		err = m == ATA_CID_BELL202 &&
			ln->lc->caller_id_format == ATA_CID_SDMF ?
			clip_msg_sdmf(&msg, c) : clip_msg_mdmf(&msg, c);
		if (err)
			return err;
		n = clip_fsk_samples(std, msg.len);
	}

	ln->clip_pcm = mem_alloc(n * sizeof(int16_t), NULL);
	if (!ln->clip_pcm)
		return ENOMEM;

	ln->clip_n = m == ATA_CID_DTMF ?
		clip_dtmf_render(ln->clip_pcm, n, keys, CLIP_DTMF_CDB) :
		clip_fsk_render(ln->clip_pcm, n, std, &msg, CLIP_LEVEL_CDB);

	return ln->clip_n ? 0 : EINVAL;
}


/*
 * Ringing starts for the line's current call (on) or stops (off: the
 * phone answered, the call went): prepare the data, or stop it at once,
 * even halfway, so an off-hook phone never hears it.
 */
void line_clip_ring(struct line *ln, bool on)
{
	enum ata_caller_id m = line_clip_mode(ln->lc);
	const struct call_caller *cc;
	struct clip_caller c;
	uint32_t ring_ms, pause_ms, need;
	int err;

	clip_stop(ln);
	if (!on || m == ATA_CID_OFF || !ln->au || ln->fsm.recall)
		return;

	cc = call_caller(ln->fsm.cur);
	line_clip_caller(&c, cc);
	err = render(ln, m, &c);
	if (err) {
		ata_warn("line %u: caller ID: %m\n", ln->id, err);
		clip_stop(ln);
		return;
	}

	ata_info("line %u: caller ID %s: number=%s name=\"%s\" (%u ms)\n",
		 ln->id, mode_name(m), c.number[0] ? c.number :
		 c.absent == CLIP_PRIVATE ? "private" : "unavailable",
		 c.name, (unsigned)(ln->clip_n / 8));

	if (own_cadence(ln)) {
		ln->clip_pending = true;   /* line_clip_pause() starts it */
		return;
	}

	std_ring(ln, &ring_ms, &pause_ms);
	need = CLIP_AFTER_RING_MS + (uint32_t)(ln->clip_n / 8) +
		CLIP_GUARD_MS;
	if (need > pause_ms)
		ata_warn("line %u: caller ID (%u ms) may not fit the %u ms "
			 "pause of the SLIC's cadence: set ring_cadence\n",
			 ln->id, need, pause_ms);
	tmr_start(&ln->tmr_clip, ring_ms + CLIP_AFTER_RING_MS, clip_play,
		  ln);
}


/**
 * ataua's ring cadence enters the pause @p seg of @p ms: the first
 * cycle's last pause carries the data, lengthened to hold it. Returns
 * the pause to keep.
 */
uint32_t line_clip_pause(struct line *ln, size_t seg, uint32_t ms)
{
	uint32_t need;

	if (!ln->clip_pending || seg + 1 != ln->lc->ring_cadencec)
		return ms;

	ln->clip_pending = false;
	tmr_start(&ln->tmr_clip, CLIP_AFTER_RING_MS, clip_play, ln);

	need = CLIP_AFTER_RING_MS + (uint32_t)(ln->clip_n / 8) +
		CLIP_GUARD_MS;
	if (need <= ms)
		return ms;

	ata_info("line %u: caller ID: the second ring waits %u ms, not %u\n",
		 ln->id, need, ms);

	return need;
}


void line_clip_close(struct line *ln)
{
	clip_stop(ln);
}
