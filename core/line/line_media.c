/**
 * @file line_media.c  A line's audio: the line driver, or a test signal
 *
 * With a line driver (modules/audio-alsa) the device is opened when the
 * line is created and runs for the line's life: its thread clocks the
 * playout (core/line/line_audio.c) and reads the connected call's RTP
 * itself (line_audio_rx.c; the main loop where the kernel cannot sort
 * the socket, or TURN relays); capture comes back a ptime at a time to
 * be sent. Without one (not
 * loaded, or the device failed to open) the "microphone" is a 1004 Hz
 * test tone at -20 dBm0 sent every ptime from a libre timer, and
 * received audio is only counted, so SIP interop works on any machine.
 */
#include <stdlib.h>
#include <string.h>
#include "ataua.h"
#include "call/call.h"
#include "conf/config.h"
#include "line.h"
#include "line_audio.h"
#include "line_int.h"
#include "dsp/tone.h"


static const char *codec_name(enum ata_codec c)
{
	return c == ATA_CODEC_PCMA ? "pcma" : "pcmu";
}


/* The call layer's media settings from the YAML `media:` section */
static void media_conf_from_config(struct call_media_conf *mc,
				   const struct ata_conf_media *m)
{
	size_t i;

	memset(mc, 0, sizeof(*mc));
	mc->rtp_min  = m->rtp_ports.min;
	mc->rtp_max  = m->rtp_ports.max;
	mc->ptime_ms = m->ptime_ms;
	mc->telev_pt = (uint8_t)m->telephone_event;
	mc->rtcp_mux = m->rtcp_mux;

	for (i = 0; i < m->codecc && i < ARRAY_SIZE(mc->codecs); i++)
		mc->codecs[mc->codecc++] = codec_name(m->codecv[i]);
}


static bool offhook(enum line_state st)
{
	return st != LINE_IDLE && st != LINE_RINGING;
}


/*
 * A key the handset dialled in-band: the line takes it as the keypad's
 * (`line N digits D` does the same) at the press; dialling it, or
 * during a call sending it as RFC 4733. The event at the release says
 * how long it sounded, and the call it went to (none: dialled).
 */
static void handset_key(char key, bool end, uint32_t dur_ms, void *arg)
{
	struct line *ln = arg;
	struct call *call = ln->fsm.cur;

	/* queued before an on-hook the main loop saw first */
	if (!offhook(ln->fsm.st) || !line_fax_key_taken(ln, end))
		return;
	/* the acknowledgement of caller ID on call waiting */
	if (line_offhook_cid_key(ln, key, end))
		return;

	if (!end) {
		ln->key_call = call && ln->fsm.st == LINE_CONNECTED ?
			call_id(call) : 0;
		line_input(ln, LEV_DIGIT, key);
		return;
	}

	if (ln->key_call)
		ata_event(ATA_LOG_INFO, ATA_EVENT_DTMF, "line=%u id=%u key=%c "
			  "source=handset duration_ms=%u", ln->id,
			  ln->key_call, key, dur_ms);
	else
		ata_event(ATA_LOG_INFO, ATA_EVENT_DTMF, "line=%u key=%c "
			  "source=handset duration_ms=%u", ln->id, key,
			  dur_ms);
}


/* The call gives its receive object to the audio thread, or takes it
   back (NULL: its end, TURN); synchronous */
static void rx_attach(struct call_rx *rx, void *arg)
{
	struct line *ln = arg;

	line_audio_bind(ln->au, rx);
	ln->rx_bound = rx;
}


/* Main loop, woken by the audio thread: its digits, libre's RTCP */
static void audio_poll(void *arg)
{
	struct line *ln = arg;

	if (ln->rx_bound)
		call_rx_thread_poll(ln->rx_call);
}


/* The audio thread reads the connected call's RTP; no other call's */
static void rx_thread_sync(struct line *ln)
{
	struct call *want = ln->au && ln->rx_thread &&
		ln->fsm.st == LINE_CONNECTED ? ln->fsm.cur : NULL;

	if (ln->rx_bound && ln->rx_call != want)
		call_rx_thread_stop(ln->rx_call);
	if (ln->rx_bound || !want)
		return;

	ln->rx_call = want;
	/* refused (no reuseport BPF, TURN): the main loop reads it */
	(void)call_rx_thread(want, rx_attach, ln);
}


static void audio_tx_handler(const int16_t *pcm, size_t n, void *arg)
{
	struct line *ln = arg;
	struct call *call = ln->fsm.cur;

	if (call && ln->fsm.st == LINE_CONNECTED) {
		bool sends = call_sends_audio(call);

		/* a re-INVITE may hold or resume without a state change */
		line_audio_sending(ln->au, sends);
		if (sends)
			line_fax_audio(ln, pcm, n, false);
		(void)call_send_audio(call, pcm, n);
	}
}


/*
 * The jitter buffer's delay is the whole receive delay: arrivals are
 * stamped on the device's own clock including what its buffer still
 * holds (ata_audio_delay()), so a packet's wait is the time until it is
 * heard. The target is the configured depth plus half a period, the
 * centre of the promise (depth .. depth + one period); the drift
 * control keeps it within 2 ms.
 */
static uint32_t jitbuf_share(const struct ata_conf_media *m)
{
	uint32_t d = m->jitter_delay_ms + m->period_ms / 2;

	return d < 10 ? 10 : d;
}


static void driver_open(struct line *ln)
{
	const struct ata_conf_media *m = &ln->cfg->media;
	struct ata_linedrv_conf dc;
	struct ata_linedrv *drv;
	struct le *le;
	int err;

	le = list_head(ata_linedrv_list());
	drv = le ? le->data : NULL;
	if (!drv || !drv->open)
		return;

	err = line_audio_alloc(&ln->au, jitbuf_share(m), audio_tx_handler,
			       ln);
	if (err)
		goto out;
	line_audio_key_handler(ln->au, handset_key, ln);
	line_audio_poll_handler(ln->au, audio_poll, ln);
	err = line_audio_echo(ln->au, ln->lc->echo_canceller ?
			      ln->lc->echo_tail_ms : 0);
	if (err)
		goto out;

	memset(&dc, 0, sizeof(dc));
	dc.device       = ln->lc->device;
	dc.hook_control = ln->lc->hook_control ? ln->lc->hook_control : "";
	dc.ring_control = ln->lc->ring_control ? ln->lc->ring_control : "";
	dc.period_ms    = m->period_ms;
	dc.periods      = m->periods;
	dc.slack_ms     = m->slack_ms;
	dc.line         = ln->id;
	dc.rt_priority  = m->rt_priority;

	err = drv->open(&ln->port, &dc, ln->au);
	if (err)
		goto out;

	ln->drv = drv;
	ata_info("line %u: audio on %s (%s)\n", ln->id, dc.device,
		 drv->name);

 out:
	if (err) {
		ata_warn("line %u: no audio device %s (%m): test signal\n",
			 ln->id, ln->lc->device, err);
		ln->port = mem_deref(ln->port);
		ln->au = mem_deref(ln->au);
	}
}


void line_media_conf(struct line *ln)
{
	const char *rxt = getenv("ATAUA_RX_THREAD");

	media_conf_from_config(&ln->mc, &ln->cfg->media);
	/* for the bench and the tests of the main loop's path */
	ln->rx_thread = !rxt || strcmp(rxt, "0");
	/* enum call_srtp_policy follows enum ata_srtp's order */
	ln->mc.srtp = (enum call_srtp_policy)ln->lc->account.srtp;
	tmr_init(&ln->tmr_media);
	tmr_init(&ln->tmr_ring);
	driver_open(ln);
	line_fax_init(ln);
}


void line_media_close(struct line *ln)
{
	/* the port first: it joins the thread that uses au */
	if (ln->rx_bound)
		call_rx_thread_stop(ln->rx_call);
	tmr_cancel(&ln->tmr_ring);
	ln->port = mem_deref(ln->port);
	ln->au = mem_deref(ln->au);
	ln->drv = NULL;
	line_fax_close(ln);
}


static const struct ata_tone_spec test_tone = {
	.nfreq = 1, .freq = {1004}, .level = -20,
};


/* No line driver: the test signal, generated only while the call sends */
static void media_tick(void *arg)
{
	struct line *ln = arg;
	struct call *call = ln->fsm.cur;
	uint32_t ptime;
	size_t n;

	if (!call || ln->fsm.st != LINE_CONNECTED)
		return;

	/*
	 * Held or recvonly: no signal to make. Look again every 60 ms (a
	 * re-INVITE may resume the call without a state change) and keep
	 * the RTP timeline moving (call_media marks the next packet).
	 */
	if (!call_sends_audio(call)) {
		ln->mic = mem_deref(ln->mic);
		memset(ln->frame, 0, sizeof(ln->frame));
		tmr_start(&ln->tmr_media, LINE_FRAME_MAX / 8, media_tick, ln);
		(void)call_send_audio(call, ln->frame, LINE_FRAME_MAX);
		return;
	}

	if (!ln->mic && tone_gen_alloc(&ln->mic, &test_tone))
		ata_warn("line %u: no test signal\n", ln->id);

	ptime = call_ptime(call);
	if (!ptime)
		ptime = ln->mc.ptime_ms;

	n = ptime * 8;
	if (n > LINE_FRAME_MAX)
		n = LINE_FRAME_MAX;

	tmr_start(&ln->tmr_media, ptime, media_tick, ln);

	if (ln->mic)
		tone_gen_fill(ln->mic, ln->frame, n);
	else
		memset(ln->frame, 0, n * sizeof(int16_t));

	(void)call_send_audio(call, ln->frame, n);
}


/* lines[].ring_cadence: the next on/off step of the ring switch */
static void ring_step(void *arg)
{
	struct line *ln = arg;
	const struct ata_conf_line *lc = ln->lc;
	uint32_t ms;

	ln->ring_seg = (ln->ring_seg + 1) % lc->ring_cadencec;
	(void)ln->drv->ring(ln->port, ln->ring_seg % 2 == 0);
	ms = lc->ring_cadencev[ln->ring_seg];
	/* a pause may carry caller ID, and grow to hold it */
	if (ln->ring_seg % 2)
		ms = line_clip_pause(ln, ln->ring_seg, ms);
	tmr_start(&ln->tmr_ring, ms, ring_step, ln);
}


/*
 * The ring switch follows the line's ringing: steady on while it rings
 * (the SLIC's ring generator does the cadence), or switched on and off
 * here when lines[].ring_cadence asks for it (a SLIC that cannot).
 */
static void ring_sync(struct line *ln)
{
	if (!ln->drv || !ln->drv->ring || ln->drv_ring == ln->ringing)
		return;

	ln->drv_ring = ln->ringing;
	tmr_cancel(&ln->tmr_ring);
	(void)ln->drv->ring(ln->port, ln->ringing);

	if (ln->ringing && ln->lc->ring_cadencec >= 2) {
		ln->ring_seg = 0;
		tmr_start(&ln->tmr_ring, ln->lc->ring_cadencev[0], ring_step,
			  ln);
	}
}


void line_media_update(struct line *ln)
{
	uint32_t ptime;

	if (!ln)
		return;

	ring_sync(ln);
	rx_thread_sync(ln);
	line_fax_sync(ln);
	line_audio_dtmf(ln->au, offhook(ln->fsm.st) &&
			!call_mode_is_passthrough(ln->fsm.cur),
			ln->fsm.st == LINE_CONNECTED &&
			call_sends_telev(ln->fsm.cur) && line_fax_dtmf_on(ln));

	/* without a call, what the detector hears counts (dialling) */
	line_audio_sending(ln->au, ln->fsm.st != LINE_CONNECTED ||
			   call_sends_audio(ln->fsm.cur));

	if (ln->fsm.st == LINE_CONNECTED && ln->fsm.cur) {
		if (ln->au) {
			ptime = call_ptime(ln->fsm.cur);
			line_audio_start(ln->au, ptime ? ptime :
					 ln->mc.ptime_ms);
			/* a fax call stays one, resumed or not */
			if (call_mode_is_passthrough(ln->fsm.cur))
				(void)line_audio_passthrough(ln->au,
					LINE_AUDIO_PASS_MS, ln->fax_ec_off);
			return;
		}
		if (!tmr_isrunning(&ln->tmr_media))
			tmr_start(&ln->tmr_media, 0, media_tick, ln);
		return;
	}

	line_media_stop(ln);
}


void line_media_stop(struct line *ln)
{
	tmr_cancel(&ln->tmr_media);
	ln->mic = mem_deref(ln->mic);
	line_audio_stop(ln->au);
}


void line_audio_rx(struct call *call, const struct rtp_header *h,
		   const int16_t *pcm, size_t n, void *arg)
{
	struct line *ln = arg;

	if (call == ln->fsm.cur)
		line_fax_audio(ln, pcm, n, true);
	if (ln->au && call == ln->fsm.cur)
		(void)line_audio_put(ln->au, h->ssrc, h->seq, h->ts, h->m,
				     pcm, n);
}


/** `stats` lines of the line's audio path */
int line_media_stats(struct re_printf *pf, struct line *ln)
{
	struct line_audio_stats st;
	int err;

	if (!ln->au)
		return re_hprintf(pf, "audio=test-signal\n");

	line_audio_stats(ln->au, &st);
	err  = re_hprintf(pf, "audio=%s\n", ln->drv->name);
	err |= re_hprintf(pf, "packets=%llu\nlate=%llu\nduplicates=%llu\n",
			  st.jb.packets, st.jb.late, st.jb.duplicate);
	err |= re_hprintf(pf, "too_early=%llu\nresync=%llu\n",
			  st.jb.too_early, st.jb.resync);
	err |= re_hprintf(pf, "concealed_samples=%llu\n",
			  st.jb.concealed_samples);
	err |= re_hprintf(pf, "drift_dropped=%llu\ndrift_inserted=%llu\n",
			  st.jb.dropped_samples, st.jb.inserted_samples);
	err |= re_hprintf(pf, "playout_delay_ms=%d\njitbuf_target_ms=%u\n",
			  st.jb.delay_samples / 8, st.delay_ms);
	err |= re_hprintf(pf, "jitter_ms=%u.%03u\n", st.jb.jitter / 8,
			  (st.jb.jitter % 8) * 125);
	err |= re_hprintf(pf, "xruns=%llu\nperiods=%llu\ntx_dropped=%llu\n",
			  st.xruns, st.periods, st.tx_dropped);
	err |= re_hprintf(pf, "rx_dropped=%llu\n", st.rx_dropped);
	if (ln->drv->port_status)
		err |= ln->drv->port_status(pf, ln->port);

	return err;
}
