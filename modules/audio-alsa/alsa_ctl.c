/**
 * @file modules/audio-alsa/alsa_ctl.c  Ringing through an ALSA control
 *
 * A SLIC driver that can ring exposes a boolean mixer element (its name
 * in lines[].ring_control). It lives on the card of the PCM, so only
 * card-addressed device names (hw:N,..., plughw:N,...) can reach it.
 */
#include <string.h>
#include "ataua.h"
#include "alsa.h"

struct alsa_ctl {
	snd_ctl_t *ctl;
	snd_ctl_elem_value_t *val;
};


static void ctl_destructor(void *arg)
{
	struct alsa_ctl *c = arg;

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


/**
 * Find boolean element @p elem on @p device's card.
 * Returns 0, EINVAL, ENOTSUP (no card in the name), ENOMEM or ENOENT.
 */
int alsa_ctl_open(struct alsa_ctl **ctlp, const char *device,
		  const char *elem)
{
	struct alsa_ctl *c;
	char card[32];
	int err;

	if (!ctlp || !device || !str_isset(elem))
		return EINVAL;

	err = card_of(card, sizeof(card), device);
	if (err)
		return err;

	c = mem_zalloc(sizeof(*c), ctl_destructor);
	if (!c)
		return ENOMEM;

	if (snd_ctl_open(&c->ctl, card, 0) < 0 ||
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
