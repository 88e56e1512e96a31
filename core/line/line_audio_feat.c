/**
 * @file line_audio_feat.c  What the line sets on its audio between periods
 *
 * Called on the main loop: the tone to play or mix, caller ID samples,
 * the off-hook caller ID mute, the DTMF detector's switches, fax/modem
 * pass-through and the echo canceller. Each change is an atomic or goes
 * into the settings the audio thread takes at its next period
 * (line_audio_state.c): the period never waits for the main loop. The
 * period itself is in line_audio.c.
 */
#include <stdatomic.h>
#include <string.h>
#include "ataua.h"
#include "line_audio.h"
#include "line_audio_priv.h"
#include "call/call_rx.h"
#include "call/call_tx.h"
#include "line_echo.h"


/**
 * The line's tone (dial, ringback, busy, call waiting, ...) or NULL:
 * played by the device instead of silence while no call is connected,
 * mixed into the call's audio while one is. Keeps a reference; the
 * audio thread is the generator's only user from now on.
 */
void line_audio_tone(struct ata_audio *au, struct tone_gen *tg)
{
	if (!au || au->ms.tone == tg)
		return;

	line_audio_retire(au, au->ms.tone);
	au->ms.tone = mem_ref(tg);
	line_audio_publish(au);
}


/**
 * Caller ID samples (@p pcm, a mem_alloc'd buffer of @p n) played from
 * the next period on while no call is connected, instead of the tone
 * or silence; NULL stops them. Keeps a reference until replaced.
 */
void line_audio_clip(struct ata_audio *au, const int16_t *pcm, size_t n)
{
	if (!au)
		return;

	line_audio_retire(au, au->ms.clip);
	au->ms.clip = pcm ? mem_ref((void *)pcm) : NULL;
	au->ms.clip_n = pcm ? n : 0;
	++au->ms.clip_gen;
	line_audio_publish(au);
}


/**
 * Off-hook caller ID (type II): while @p on, a connected call hears
 * silence and the phone hears only what line_audio_clip() gives, not
 * the far end nor the tones; the handset's keys are still detected.
 */
void line_audio_call_mute(struct ata_audio *au, bool on)
{
	if (!au || au->ms.call_mute == on)
		return;

	au->ms.call_mute = on;
	line_audio_publish(au);
}


void *line_audio_owner(const struct ata_audio *au)
{
	return au ? au->arg : NULL;
}


/**
 * Handset DTMF: @p keyh gets each key detected in the capture, on the
 * main loop, at the press and at the release
 */
void line_audio_key_handler(struct ata_audio *au, line_audio_key_h *keyh,
			    void *arg)
{
	if (!au)
		return;

	au->keyh = keyh;
	au->key_arg = arg;
}


/**
 * Run the detector (@p on: the line is off-hook) and silence the
 * capture while a key sounds (@p mute: the call sends keys as RFC 4733)
 */
void line_audio_dtmf(struct ata_audio *au, bool on, bool mute)
{
	if (!au)
		return;

	atomic_store_explicit(&au->det_mute, mute, memory_order_relaxed);
	atomic_store_explicit(&au->det_on, on, memory_order_relaxed);
	if (on)
		line_audio_wake(au);
}


/**
 * Fax/modem pass-through until the next call: the jitter buffer at
 * @p delay_ms (1 up to LINE_AUDIO_PASS_MS, or the line's own delay if
 * longer: what the buffer was sized for) without concealment
 * (jitbuf_passthrough(), from the thread's next period); @p ec_off: the
 * echo canceller stands aside too. Returns 0 or EINVAL.
 */
int line_audio_passthrough(struct ata_audio *au, uint32_t delay_ms,
			   bool ec_off)
{
	if (!au || !delay_ms ||
	    delay_ms > (au->delay_ms > LINE_AUDIO_PASS_MS ?
			au->delay_ms : LINE_AUDIO_PASS_MS))
		return EINVAL;

	if (au->ms.pass_ms != delay_ms) {
		au->ms.pass_ms = delay_ms;
		line_audio_publish(au);
	}
	if (ec_off && !atomic_exchange(&au->ec_bypass, true))
		line_echo_enable(au->echo, false);

	return 0;
}


/**
 * The line's echo canceller, @p tail_ms 8..64 (conf: echo_tail), or
 * none (0: echo_canceller off, the capture passes bit-exact). Call
 * before the driver starts the audio thread. Returns 0, EINVAL, ENOMEM.
 */
int line_audio_echo(struct ata_audio *au, uint32_t tail_ms)
{
	if (!au)
		return EINVAL;

	au->echo = mem_deref(au->echo);

	return tail_ms ? line_echo_alloc(&au->echo, tail_ms) : 0;
}


/**
 * Bypass the echo canceller (@p on false: fax, modem, G.168's phase
 * reversed 2100 Hz) or use it again (it then starts afresh). Any
 * thread; no effect on a line configured without one.
 */
void line_audio_echo_enable(struct ata_audio *au, bool on)
{
	if (au)
		line_echo_enable(au->echo, on);
}


/**
 * Whether the call sends what the line captures (@p on: its agreed
 * direction has send; true without a call). A call that does not
 * (held, recvonly, inactive) takes neither the capture nor the keys
 * found in it (they cannot be sent), so neither the echo canceller nor
 * the DTMF detector runs for it (line_audio_capture_used()). Main
 * loop, any time; cheap enough to call for every frame.
 */
void line_audio_sending(struct ata_audio *au, bool on)
{
	if (au)
		atomic_store_explicit(&au->unsent, !on,
				      memory_order_relaxed);
}


/*
 * Audio thread: the capture goes somewhere, so the DTMF detector and
 * the echo canceller run: the handset DTMF detector is on (the line is
 * off-hook and not in fax pass-through: dial tone's echo would take
 * share from a weak key, a far end's DTMF could be taken for the
 * handset's) and the call, if any, sends. Whether anything was played
 * that could echo, the canceller sees itself (a silent reference costs
 * a scan).
 */
bool line_audio_capture_used(struct ata_audio *au)
{
	/* where the thread sends, its sender knows (re-INVITEs included) */
	struct call_tx *tx = call_rx_tx(au->rx_cur);
	bool sends = tx ? call_tx_may_send(tx) :
		!atomic_load_explicit(&au->unsent, memory_order_relaxed);

	return atomic_load_explicit(&au->det_on, memory_order_relaxed) &&
		sends;
}
