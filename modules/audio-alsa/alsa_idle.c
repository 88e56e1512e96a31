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
 * (period + slack ahead, as at boot) and the capture started: the
 * first period due plays that long after the wake, 30 ms at the
 * defaults, before a dial tone or a ring's caller ID could be heard as
 * clipped (README "Idle").
 *
 * While stopped, the thread sleeps on the wake eventfd and on the
 * playback PCM's own descriptors asking for no event: poll() reports
 * POLLERR/POLLHUP whatever was asked, and that is what a kernel PCM
 * (hw, and plug layers over it) gives when its card goes away
 * (snd_card_disconnect wakes its pollers), so an unplugged USB codec
 * is seen at once. For a PCM whose descriptors cannot say so
 * (an ioplug plugin such as the test's vslic: a timerfd; a sound
 * server) the PCM is also prepared again every IDLE_CHECK_MS, on every
 * device alike (which kinds can say so is not known from here);
 * -ENODEV there (or at any resume) hands the port to the outage
 * (alsa_outage.c) as in a call. That check only feeds what is
 * reported (device_state, AUDIO-DEVICE-LOST): anything that needs the
 * device (a lift, a ring, a call) resumes the PCM and meets the error
 * at once, so the check can be as rare as a monitoring scrape.
 */
#include <poll.h>
#include <unistd.h>
#include "ataua.h"
#include "alsa.h"
#include "alsa_port.h"

enum {
	IDLE_HANG_MS = 2000,
	/* the fallback health check: 30 s, the order of a monitoring
	 * scrape; once a second cost a wake-up a second per line */
	IDLE_CHECK_MS = 30000,
	IDLE_PFD_MAX = 8,       /* the wake fd and the PCM's descriptors */
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


/*
 * What the sleep waits on: the wake eventfd, and (@p watch_pcm) the
 * playback PCM's descriptors with no event asked, so that only an
 * error or a hang-up of the device wakes the thread.
 */
static nfds_t idle_fds(struct alsa_port *p, struct pollfd *pfd,
		       bool watch_pcm)
{
	nfds_t n = 1;
	int c, i;

	pfd[0].fd = ata_audio_wake_fd(p->au);
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;

	if (!watch_pcm)
		return n;

	c = snd_pcm_poll_descriptors(p->play, pfd + 1, IDLE_PFD_MAX - 1);
	for (i = 0; i < c; i++) {
		pfd[1 + i].events = 0;
		pfd[1 + i].revents = 0;
	}

	return n + (c > 0 ? (nfds_t)c : 0);
}


static bool pcm_woke(const struct pollfd *pfd, nfds_t n)
{
	nfds_t i;

	for (i = 1; i < n; i++) {
		if (pfd[i].revents)
			return true;
	}

	return false;
}


/**
 * Port thread: stop the PCM and sleep until the line wants the device
 * (or the port stops). Returns 0 when running again, or a device error
 * (negative) for the outage.
 */
int alsa_idle_run(struct alsa_port *p)
{
	struct pollfd pfd[IDLE_PFD_MAX];
	bool watch_pcm = true;
	uint64_t now, check_ns = 0;
	nfds_t nfds;
	uint64_t n;
	int r = 0;

	(void)snd_pcm_drop(p->play);
	(void)snd_pcm_drop(p->cap);
	atomic_store(&p->idle, true);
	++p->idle_stops;

	while (atomic_load(&p->run)) {
		now = alsa_now_ns();
		if (now >= check_ns) {
			/* prepared: the health check (and, for a kernel
			 * PCM, no POLLERR from its descriptors) */
			r = snd_pcm_prepare(p->play);
			if (r < 0)
				goto out;
			check_ns = now + IDLE_CHECK_MS * 1000000ull;
			watch_pcm = true;
		}
		if (ata_audio_wanted(p->au))
			break;

		nfds = idle_fds(p, pfd, watch_pcm);
		if (poll(pfd, nfds, (int)((check_ns - now) / 1000000u) + 1)
		    <= 0)
			continue;

		if ((pfd[0].revents & POLLIN) &&
		    read(pfd[0].fd, &n, sizeof(n)) < 0) {
			/* EAGAIN: another reader? none: nothing to do */
		}
		if (!pcm_woke(pfd, nfds))
			continue;

		/* the device said something: gone (-ENODEV), or a PCM that
		 * reports an error while prepared, which is not watched
		 * again before the next check, so it cannot spin */
		r = snd_pcm_prepare(p->play);
		if (r < 0)
			goto out;
		watch_pcm = false;
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
