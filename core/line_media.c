/**
 * @file line_media.c  A line's audio until the ALSA driver takes over
 *
 * Until modules/audio-alsa clocks the line, the "microphone" is a 1004 Hz
 * test tone at -20 dBm0 (the telephony test frequency, recognisable in a
 * peer's recording) sent every ptime from a libre timer, and received
 * audio is counted. The driver replaces both with the SLIC's capture and
 * playout.
 */
#include <string.h>
#include "ataua.h"
#include "call.h"
#include "config.h"
#include "line.h"
#include "line_int.h"
#include "tone.h"


static const char *codec_name(enum ata_codec c)
{
	return c == ATA_CODEC_PCMA ? "pcma" : "pcmu";
}


void media_conf_from_config(struct call_media_conf *mc,
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


void line_media_conf(struct line *ln)
{
	media_conf_from_config(&ln->mc, &ln->cfg->media);
	tmr_init(&ln->tmr_media);
}


static void media_tick(void *arg)
{
	struct line *ln = arg;
	struct call *call = ln->fsm.cur;
	uint32_t ptime;
	size_t n;

	if (!call || ln->fsm.st != LINE_CONNECTED)
		return;

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


void line_media_update(struct line *ln)
{
	static const struct ata_tone_spec test_tone = {
		.nfreq = 1, .freq = {1004}, .level = -20,
	};

	if (!ln)
		return;

	if (ln->fsm.st == LINE_CONNECTED && ln->fsm.cur) {
		if (!ln->mic && tone_gen_alloc(&ln->mic, &test_tone))
			ata_warn("line %u: no test signal\n", ln->id);
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
}


void line_audio_rx(struct call *call, const struct rtp_header *h,
		   const int16_t *pcm, size_t n, void *arg)
{
	struct line *ln = arg;

	(void)call;
	(void)h;
	(void)pcm;

	++ln->rx_frames;
	ln->rx_samples += n;
}
