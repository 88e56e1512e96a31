/**
 * @file hint.c  The signalling-hint registry and the core's calls into it
 *
 * folder core/mod/: modules: the loader (dlopen of NAME.so, chosen
 * by the config) and the registries of what modules register
 * (traversal steps, signalling hints, line drivers), with the version
 * rule of each ops table (registry.c).
 *
 * The first registered hint module that has a hook does the work (there
 * is one such module, alg-hint); its per-call state lives in a
 * hint_media that the call owns and drops at its end. A module that
 * unregisters (unload, reload) is forgotten here first: its states are
 * its own to free then, and no call touches them again.
 */
#include <re.h>
#include "ataua.h"
#include "conf/config.h"
#include "hint.h"
#include "registry.h"

struct hint_media {
	struct le le;
	const struct ata_hint *h;     /* NULL once its module is gone */
	void *state;
};

static struct list hints;
static struct list medias;


static bool enabled(void)
{
	const struct ata_config *cfg = ata_config();

	return !cfg || cfg->alg_hint.enabled;
}


/** The SIP UDP socket is in use (@p us), or gone (NULL) */
void hint_sip_socket(struct udp_sock *us, const struct sa *laddr)
{
	struct le *le;

	for (le = list_head(&hints); le; le = le->next) {
		const struct ata_hint *h = le->data;

		if (h->sip_socket)
			h->sip_socket(us && enabled() ? us : NULL,
				      us && enabled() ? laddr : NULL);
	}
}


static void hint_media_destructor(void *arg)
{
	struct hint_media *hm = arg;

	list_unlink(&hm->le);
	if (hm->h)
		mem_deref(hm->state);
}


/* @p h unregisters: its calls lose their hint state */
static void hint_forget(const struct ata_hint *h)
{
	struct le *le;

	for (le = list_head(&medias); le; le = le->next) {
		struct hint_media *hm = le->data;

		if (hm->h == h) {
			hm->h = NULL;
			hm->state = NULL;
		}
	}
}


int ata_hint_register(struct ata_hint *h)
{
	if (!h)
		return EINVAL;

	h->le.data = h;
	return registry_add(&hints, &h->le, h->version, ATA_HINT_VERSION,
			    "hint", h->name);
}


void ata_hint_unregister(struct ata_hint *h)
{
	if (h)
		list_unlink(&h->le);
	hint_forget(h);  /* calls drop their state of this module */
}


struct list *ata_hint_list(void)
{
	return &hints;
}


/** *hmp is NULL when no module wants the call (hints off, none loaded) */
int hint_media_alloc(struct hint_media **hmp, struct udp_sock *us,
		     const struct sa *laddr, const struct sa *pub,
		     struct sdp_media *m)
{
	struct hint_media *hm;
	struct le *le;
	int err;

	if (!hmp)
		return EINVAL;

	*hmp = NULL;
	if (!enabled() || !us || !m)
		return 0;

	for (le = list_head(&hints); le; le = le->next) {
		const struct ata_hint *h = le->data;

		if (!h->media_alloc)
			continue;

		hm = mem_zalloc(sizeof(*hm), hint_media_destructor);
		if (!hm)
			return ENOMEM;

		hm->h = h;
		err = h->media_alloc(&hm->state, us, laddr, pub, m);
		if (err) {
			ata_info("hint: %s: %m", h->name, err);
			mem_deref(hm);
			return 0;  /* a call without hints still works */
		}

		list_append(&medias, &hm->le, hm);
		*hmp = hm;
		break;
	}

	return 0;
}


void hint_media_remote(struct hint_media *hm, const struct sdp_media *m,
		       const struct sa *dst, ata_hint_dst_h *h, void *arg)
{
	if (!hm || !hm->h || !hm->h->media_remote || !m || !dst)
		return;

	hm->h->media_remote(hm->state, m, dst, h, arg);
}
