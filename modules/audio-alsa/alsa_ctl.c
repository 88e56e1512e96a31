/**
 * @file modules/audio-alsa/alsa_ctl.c  Hook and ring through ALSA controls
 *
 * A SLIC driver exposes its line as boolean mixer elements: a ring
 * switch (lines[].ring_control, written) and a hook switch
 * (lines[].hook_control, read; 1 = off-hook). A value names the element
 * and, optionally, the control device before the last ':':
 *   "Hook Switch"        on the card of the PCM (hw:N / plughw:N only)
 *   "hw:1:Hook Switch"   on card 1
 *   "vslic:Hook Switch"  on the control device "vslic" (tests/alsa)
 * The hook is watched without a thread: the control is opened
 * non-blocking, subscribed to events and its poll descriptor put on the
 * main loop (fd_listen); every event re-reads the element. Events are
 * rare (a few per second while dialling), so this costs nothing.
 */
#include <errno.h>
#include <string.h>
#include "ataua.h"
#include "alsa.h"

struct alsa_ctl {
	snd_ctl_t *ctl;
	snd_ctl_elem_value_t *val;
	int fd;                 /* watched poll descriptor, -1 = none */
	alsa_ctl_h *h;
	void *arg;
};


static void ctl_destructor(void *arg)
{
	struct alsa_ctl *c = arg;

	if (c->fd >= 0)
		fd_close(c->fd);
	if (c->val)
		snd_ctl_elem_value_free(c->val);
	if (c->ctl)
		snd_ctl_close(c->ctl);
}


/* "hw:0,0" / "plughw:1,0" -> "hw:0" / "hw:1" */
static int card_of(char *buf, size_t sz, const char *device)
{
	const char *p = strstr(device, "hw:");
	size_t n;

	if (!p)
		return ENOTSUP;

	p += 3;
	n = strcspn(p, ",");
	if (!n || n + 4 > sz)
		return EINVAL;

	memcpy(buf, "hw:", 3);
	memcpy(buf + 3, p, n);
	buf[3 + n] = '\0';

	return 0;
}


/* Split "CTL:ELEMENT" at the last ':'; no ':' = the PCM's card */
static int split_spec(char *ctl, size_t csz, const char **elem,
		      const char *device, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	size_t n;

	if (!colon) {
		*elem = spec;
		return card_of(ctl, csz, device);
	}

	n = (size_t)(colon - spec);
	if (!n || n >= csz || !colon[1])
		return EINVAL;

	memcpy(ctl, spec, n);
	ctl[n] = '\0';
	*elem = colon + 1;

	return 0;
}


/**
 * Find boolean element @p spec for @p device (see the file comment).
 * Returns 0, EINVAL, ENOTSUP (no card in the name), ENOMEM or ENOENT.
 */
int alsa_ctl_open(struct alsa_ctl **ctlp, const char *device,
		  const char *spec)
{
	const char *elem;
	struct alsa_ctl *c;
	char card[64];
	int err;

	if (!ctlp || !device || !str_isset(spec))
		return EINVAL;

	err = split_spec(card, sizeof(card), &elem, device, spec);
	if (err)
		return err;

	c = mem_zalloc(sizeof(*c), ctl_destructor);
	if (!c)
		return ENOMEM;
	c->fd = -1;

	if (snd_ctl_open(&c->ctl, card, SND_CTL_NONBLOCK) < 0 ||
	    snd_ctl_elem_value_malloc(&c->val) < 0) {
		err = ENOENT;
		goto out;
	}

	snd_ctl_elem_value_set_interface(c->val, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_value_set_name(c->val, elem);
	if (snd_ctl_elem_read(c->ctl, c->val) < 0)
		err = ENOENT;

 out:
	if (err)
		mem_deref(c);
	else
		*ctlp = c;

	return err;
}


int alsa_ctl_set(struct alsa_ctl *c, bool on)
{
	if (!c)
		return EINVAL;

	snd_ctl_elem_value_set_boolean(c->val, 0, on);

	return snd_ctl_elem_write(c->ctl, c->val) < 0 ? EIO : 0;
}


int alsa_ctl_get(struct alsa_ctl *c, bool *on)
{
	if (!c || !on)
		return EINVAL;

	if (snd_ctl_elem_read(c->ctl, c->val) < 0)
		return EIO;

	*on = snd_ctl_elem_value_get_boolean(c->val, 0) != 0;

	return 0;
}


/* Main loop: drain the events, then report the element as it is now */
static void ctl_fd_handler(int flags, void *arg)
{
	struct alsa_ctl *c = arg;
	snd_ctl_event_t *ev;
	bool on;
	int r;

	(void)flags;
	snd_ctl_event_alloca(&ev);
	while ((r = snd_ctl_read(c->ctl, ev)) > 0)
		;

	/* a device gone keeps its fd readable: stop, don't spin */
	if (r < 0 && r != -EAGAIN) {
		ata_warn("audio-alsa: hook control lost (%s): hook via the "
			 "control socket\n", snd_strerror(r));
		fd_close(c->fd);
		c->fd = -1;
		return;
	}

	if (!alsa_ctl_get(c, &on) && c->h)
		c->h(on, c->arg);
}


/**
 * Call @p h with the element's value now and on every change, from the
 * main loop, until @p c is mem_deref'd.
 */
int alsa_ctl_watch(struct alsa_ctl *c, alsa_ctl_h *h, void *arg)
{
	struct pollfd pfd;
	bool on;
	int err;

	if (!c || !h)
		return EINVAL;

	if (snd_ctl_subscribe_events(c->ctl, 1) < 0 ||
	    snd_ctl_poll_descriptors(c->ctl, &pfd, 1) != 1)
		return ENOTSUP;

	err = fd_listen(pfd.fd, FD_READ, ctl_fd_handler, c);
	if (err)
		return err;

	c->fd = pfd.fd;
	c->h = h;
	c->arg = arg;

	if (!alsa_ctl_get(c, &on))
		h(on, arg);

	return 0;
}
