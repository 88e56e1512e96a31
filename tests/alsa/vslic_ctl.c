/**
 * @file tests/alsa/vslic_ctl.c  The virtual SLIC's hook and ring controls
 *
 * An ALSA external control plugin (ctl_ext) with two boolean MIXER
 * elements, the way a SLIC driver would expose its line:
 *   "Hook Switch"  read-only: 1 = off-hook (loop closed)
 *   "Ring Switch"  read-write: 1 = ringing voltage on the line
 * Their state lives in two small files named by the config (or the
 * environment), so a test changes and watches them from outside the
 * application: it writes "1" or "0" into hook_file (in place, e.g.
 * `echo 1 > hook`, not by rename) and reads ring_file, which the plugin
 * rewrites ("1\n" / "0\n") on every write of the element.
 *
 * Events: the poll descriptor is an inotify fd watching hook_file while
 * the application is subscribed (snd_ctl_subscribe_events). On
 * each change read_event re-reads the file and, when the value differs
 * from the one last reported, returns a VALUE event for "Hook Switch",
 * so the application sleeps in poll() until the hook moves. A file
 * seen empty or half written is ignored (the value stays).
 *
 * While the file VSLIC_FAIL names exists (the PCM's fault injection,
 * vslic_pcm.c) the card is gone: opening the controls fails -ENODEV too.
 */
#define _GNU_SOURCE 1
/* alsa/global.h picks the plugin (dlopen) symbol scheme only under PIC */
#ifndef PIC
#define PIC 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <alsa/asoundlib.h>
#include <alsa/control_external.h>

enum { KEY_HOOK = 0, KEY_RING, KEY_COUNT };

static const char * const elem_names[KEY_COUNT] = {
	"Hook Switch", "Ring Switch",
};

struct vslic_ctl {
	snd_ctl_ext_t ext;
	char *hook_file, *ring_file;
	int wd;
	long hook;          /* value last reported */
	long ring;
	bool subscribed;
	bool hook_dirty;    /* changed, no event delivered yet */
};


/* '1'/'0' from @p path; -1 when empty, unreadable or not a digit */
static long read_bool_file(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	(void)close(fd);

	return n == 1 && (c == '0' || c == '1') ? c - '0' : -1;
}


static void write_ring_file(const struct vslic_ctl *v)
{
	int fd;

	if (!v->ring_file)
		return;

	fd = open(v->ring_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return;
	if (write(fd, v->ring ? "1\n" : "0\n", 2) != 2)
		SNDERR("vslic_ctl: cannot write %s", v->ring_file);
	(void)close(fd);
}


static void vc_close(snd_ctl_ext_t *ext)
{
	struct vslic_ctl *v = ext->private_data;

	if (v->ext.poll_fd >= 0)
		(void)close(v->ext.poll_fd);
	free(v->hook_file);
	free(v->ring_file);
	free(v);
}


static int vc_elem_count(snd_ctl_ext_t *ext)
{
	(void)ext;
	return KEY_COUNT;
}


static int vc_elem_list(snd_ctl_ext_t *ext, unsigned int offset,
			snd_ctl_elem_id_t *id)
{
	(void)ext;
	if (offset >= KEY_COUNT)
		return -EINVAL;

	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, elem_names[offset]);

	return 0;
}


static snd_ctl_ext_key_t vc_find_elem(snd_ctl_ext_t *ext,
				      const snd_ctl_elem_id_t *id)
{
	const char *name = snd_ctl_elem_id_get_name(id);
	unsigned numid = snd_ctl_elem_id_get_numid(id);

	(void)ext;
	if (numid >= 1 && numid <= KEY_COUNT)
		return numid - 1;
	for (unsigned k = 0; k < KEY_COUNT; k++) {
		if (!strcmp(name, elem_names[k]))
			return k;
	}

	return SND_CTL_EXT_KEY_NOT_FOUND;
}


static int vc_get_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key,
			    int *type, unsigned int *acc,
			    unsigned int *count)
{
	(void)ext;
	if (key >= KEY_COUNT)
		return -EINVAL;

	*type = SND_CTL_ELEM_TYPE_BOOLEAN;
	*acc = key == KEY_HOOK ? SND_CTL_EXT_ACCESS_READ :
		SND_CTL_EXT_ACCESS_READWRITE;
	*count = 1;

	return 0;
}


static int vc_get_integer_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key,
			       long *imin, long *imax, long *istep)
{
	(void)ext;
	(void)key;
	*imin = 0;
	*imax = 1;
	*istep = 1;

	return 0;
}


/* Re-read the hook file; true if the value changed */
static bool hook_refresh(struct vslic_ctl *v)
{
	long h = v->hook_file ? read_bool_file(v->hook_file) : -1;

	if (h < 0 || h == v->hook)
		return false;

	v->hook = h;
	v->hook_dirty = true;

	return true;
}


static int vc_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key,
			   long *value)
{
	struct vslic_ctl *v = ext->private_data;

	if (key == KEY_HOOK) {
		(void)hook_refresh(v);
		*value = v->hook;
	}
	else if (key == KEY_RING) {
		*value = v->ring;
	}
	else {
		return -EINVAL;
	}

	return 0;
}


static int vc_write_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key,
			    long *value)
{
	struct vslic_ctl *v = ext->private_data;
	long on = *value ? 1 : 0;

	if (key != KEY_RING)
		return -EPERM;   /* the hook is the handset's, not ours */

	if (on == v->ring)
		return 0;

	v->ring = on;
	write_ring_file(v);

	return 1;
}


static void vc_subscribe_events(snd_ctl_ext_t *ext, int subscribe)
{
	struct vslic_ctl *v = ext->private_data;

	v->subscribed = subscribe != 0;

	/* watch only for a subscriber: an unread watch would just queue */
	if (v->subscribed && v->wd < 0 && v->hook_file) {
		v->wd = inotify_add_watch(v->ext.poll_fd, v->hook_file,
					  IN_MODIFY | IN_CLOSE_WRITE);
		if (v->wd < 0)
			SNDERR("vslic_ctl: cannot watch %s", v->hook_file);
	}
	else if (!v->subscribed && v->wd >= 0) {
		(void)inotify_rm_watch(v->ext.poll_fd, v->wd);
		v->wd = -1;
	}
}


static int vc_read_event(snd_ctl_ext_t *ext, snd_ctl_elem_id_t *id,
			 unsigned int *event_mask)
{
	struct vslic_ctl *v = ext->private_data;
	char buf[4096];

	/* drain the notifications; what counts is the file's content */
	while (read(v->ext.poll_fd, buf, sizeof(buf)) > 0)
		;

	(void)hook_refresh(v);
	if (!v->subscribed || !v->hook_dirty)
		return -EAGAIN;

	v->hook_dirty = false;
	snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
	snd_ctl_elem_id_set_name(id, elem_names[KEY_HOOK]);
	snd_ctl_elem_id_set_numid(id, KEY_HOOK + 1);
	*event_mask = SND_CTL_EVENT_MASK_VALUE;

	return 1;
}


static const snd_ctl_ext_callback_t vslic_ctl_ops = {
	.close            = vc_close,
	.elem_count       = vc_elem_count,
	.elem_list        = vc_elem_list,
	.find_elem        = vc_find_elem,
	.get_attribute    = vc_get_attribute,
	.get_integer_info = vc_get_integer_info,
	.read_integer     = vc_read_integer,
	.write_integer    = vc_write_integer,
	.subscribe_events = vc_subscribe_events,
	.read_event       = vc_read_event,
};


static int conf_path(char **dst, snd_config_t *n, const char *key)
{
	const char *s;

	if (snd_config_get_string(n, &s) < 0 || !*s) {
		SNDERR("vslic_ctl: '%s' must be a path", key);
		return -EINVAL;
	}
	free(*dst);
	*dst = strdup(s);

	return *dst ? 0 : -ENOMEM;
}


static int env_path(char **dst, const char *var)
{
	const char *s = getenv(var);

	if (!s)
		return 0;
	free(*dst);
	*dst = *s ? strdup(s) : NULL;

	return !*s || *dst ? 0 : -ENOMEM;
}


static int parse(struct vslic_ctl *v, snd_config_t *conf)
{
	snd_config_iterator_t i, next;
	int err = 0;

	snd_config_for_each(i, next, conf) {
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (!strcmp(id, "comment") || !strcmp(id, "type") ||
		    !strcmp(id, "hint"))
			continue;
		if (!strcmp(id, "hook_file"))
			err = conf_path(&v->hook_file, n, id);
		else if (!strcmp(id, "ring_file"))
			err = conf_path(&v->ring_file, n, id);
		else {
			SNDERR("vslic_ctl: unknown key '%s'", id);
			err = -EINVAL;
		}
		if (err)
			return err;
	}

	if ((err = env_path(&v->hook_file, "VSLIC_HOOK_FILE")) ||
	    (err = env_path(&v->ring_file, "VSLIC_RING_FILE")))
		return err;

	return 0;
}


/* The inotify fd (the poll descriptor); the hook file must exist to be
 * watched (at subscribe): create it on-hook if it does not */
static int watch_hook(struct vslic_ctl *v)
{
	int fd;

	v->ext.poll_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (v->ext.poll_fd < 0)
		return -errno;

	if (!v->hook_file)
		return 0;   /* no file: on-hook for ever, never an event */

	fd = open(v->hook_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || (lseek(fd, 0, SEEK_END) == 0 && write(fd, "0\n", 2)
							!= 2)) {
		SNDERR("vslic_ctl: cannot create %s", v->hook_file);
		if (fd >= 0)
			(void)close(fd);
		return -EINVAL;
	}
	(void)close(fd);

	(void)hook_refresh(v);
	v->hook_dirty = false;

	return 0;
}


SND_CTL_PLUGIN_DEFINE_FUNC(vslic);

/* Open "ctl.NAME { type vslic hook_file P ring_file P }" */
SND_CTL_PLUGIN_DEFINE_FUNC(vslic)
{
	struct vslic_ctl *v;
	int err;

	(void)root;
	{
		const char *gone = getenv("VSLIC_FAIL");

		if (gone && *gone && !access(gone, F_OK)) {
			SNDERR("vslic_ctl: card gone (%s exists)", gone);
			return -ENODEV;
		}
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ext.poll_fd = -1;
	v->wd = -1;

	err = parse(v, conf);
	if (!err)
		err = watch_hook(v);
	if (err)
		goto fail;
	write_ring_file(v);

	v->ext.version = SND_CTL_EXT_VERSION;
	v->ext.card_idx = 0;
	snprintf(v->ext.id, sizeof(v->ext.id), "vslic");
	snprintf(v->ext.driver, sizeof(v->ext.driver), "vslic");
	snprintf(v->ext.name, sizeof(v->ext.name), "vslic");
	snprintf(v->ext.longname, sizeof(v->ext.longname),
		 "ataua virtual SLIC controls");
	snprintf(v->ext.mixername, sizeof(v->ext.mixername), "vslic");
	v->ext.callback = &vslic_ctl_ops;
	v->ext.private_data = v;

	err = snd_ctl_ext_create(&v->ext, name, mode);
	if (err < 0)
		goto fail;

	*handlep = v->ext.handle;

	return 0;

 fail:
	if (v->ext.poll_fd >= 0)
		(void)close(v->ext.poll_fd);
	free(v->hook_file);
	free(v->ring_file);
	free(v);

	return err;
}

SND_CTL_PLUGIN_SYMBOL(vslic);
