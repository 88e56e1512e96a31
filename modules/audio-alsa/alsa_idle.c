/**
 * @file modules/audio-alsa/alsa_idle.c  An idle line: the PCM stopped
 *
 * An ATA is on-hook and silent most of the day. While the core says the
 * line wants nothing from the device (ata_audio_wanted(): no call, no
 * tone, no caller ID, the handset down) for IDLE_HANG_MS, the port's
 * thread drops both directions and sleeps on the core's wake eventfd:
 * no period, no wake-up, no instruction while nothing happens. Hook and
 * ring go through the SLIC's controls on the main loop, never the PCM.
 *
 * The hangover keeps the PCM running across the short gaps of a line in
 * use (between a hang-up and the next lift, a tone's cadence is one
 * tone). Starting again is a prepare, the buffer primed with silence
 * ((periods - 1) periods ahead, as at boot) and the capture started:
 * the first period due plays one buffer after the wake, 20 ms at the
 * defaults, before a dial tone or a ring's caller ID could be heard as
 * clipped (README "Idle").
 *
 * While stopped, the PCM is prepared again every WAIT_MS: a device that
 * went away says so there (-ENODEV), and the outage (alsa_outage.c)
 * takes over as it would in a call.
 */
#include <poll.h>
#include <unistd.h>
#include "ataua.h"
#include "alsa.h"
#include "alsa_port.h"

enum {
	IDLE_HANG_MS = 2000,
};


/**
 * Port thread, after each wake while running: true once the line has
 * not wanted the device for IDLE_HANG_MS
 */
bool alsa_idle_due(struct alsa_port *p)
{
	uint64_t t;

	if (ata_audio_wanted(p->au)) {
		p->unwanted_ns = 0;
		return false;
	}

	t = alsa_now_ns();
	if (!p->unwanted_ns)
		p->unwanted_ns = t;

	return t - p->unwanted_ns >= IDLE_HANG_MS * 1000000ull;
}


/* Running again: primed as at boot, the timeline told of the gap */
static int resume(struct alsa_port *p)
{
	int r;

	r = snd_pcm_prepare(p->cap);
	if (r < 0)
		return r;

	/* the echo canceller and the clock's anchor start afresh */
	ata_audio_skip(p->au, 0);
	r = alsa_pcm_prime(p);
	if (r < 0)
		return r;
	alsa_pcm_note_fill(p, snd_pcm_avail_update(p->play));

	r = snd_pcm_start(p->cap);
	if (r < 0)
		return r;

	/* the sleep was not a stall: gap_max measures the running PCM */
	p->wake_ns = 0;
	p->unwanted_ns = 0;

	return 0;
}


/**
 * Port thread: stop the PCM and sleep until the line wants the device
 * (or the port stops). Returns 0 when running again, or a device error
 * (negative) for the outage.
 */
int alsa_idle_run(struct alsa_port *p)
{
	struct pollfd pfd = {
		.fd = ata_audio_wake_fd(p->au), .events = POLLIN,
	};
	uint64_t n;
	int r = 0;

	(void)snd_pcm_drop(p->play);
	(void)snd_pcm_drop(p->cap);
	atomic_store(&p->idle, true);
	++p->idle_stops;

	while (atomic_load(&p->run)) {
		/* prepared again each time: the device's health check */
		r = snd_pcm_prepare(p->play);
		if (r < 0)
			goto out;
		if (ata_audio_wanted(p->au))
			break;
		if (poll(&pfd, 1, WAIT_MS) > 0 &&
		    read(pfd.fd, &n, sizeof(n)) < 0) {
			/* EAGAIN: another reader? none: nothing to do */
		}
	}

	if (atomic_load(&p->run))
		r = resume(p);

 out:
	atomic_store(&p->idle, false);

	return r;
}


/** Any thread: end the sleep at once (the port is stopping) */
void alsa_idle_wake(struct alsa_port *p)
{
	const uint64_t one = 1;
	int fd = ata_audio_wake_fd(p->au);

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: a wake-up is pending already */
	}
}
