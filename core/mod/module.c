/**
 * @file module.c  The module loader
 *
 * Like libre's mod.c (dlopen RTLD_NOW|RTLD_LOCAL, one dlsym of `exports`)
 * but every failure keeps a reason a person can act on ("undefined symbol
 * foo", "exports name 'x' does not match file 'y'"), because `module list`
 * and the boot log are where an installer looks first. Modules are closed
 * in reverse load order so a module may rely on one loaded before it.
 */
#include <dlfcn.h>
#include <string.h>
#include <unistd.h>
#include "ataua.h"
#include "conf/config.h"
#include "module.h"

enum { REASON_MAX = 256 };

struct module {
	struct le le;
	char *name;
	void *handle;                    /* NULL when loading failed */
	const struct mod_export *me;
	bool required;
	char reason[REASON_MAX];
};

static struct list modules;
static struct module *initing;   /* the module whose init runs now */


static void module_destructor(void *arg)
{
	struct module *m = arg;

	list_unlink(&m->le);

	if (m->handle && m->me && m->me->close) {
		int err = m->me->close();
		if (err)
			ata_warn("module %s: close: %m\n", m->name, err);
	}

	if (m->handle)
		dlclose(m->handle);

	mem_deref(m->name);
}


static struct module *module_find(const char *name)
{
	struct le *le;

	for (le = modules.head; le; le = le->next) {
		struct module *m = le->data;
		if (0 == str_casecmp(m->name, name))
			return m;
	}

	return NULL;
}


static bool kind_known(const char *kind)
{
	static const char * const kinds[] = {
		"traversal", "hint", "linedrv", "test"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (0 == str_cmp(kind, kinds[i]))
			return true;
	}

	return false;
}


/* Development tree: PATH/NAME/NAME.so; installed: PATH/NAME.so */
static int module_file(char *buf, size_t sz, const char *path,
		       const char *name)
{
	if (re_snprintf(buf, sz, "%s/%s/%s.so", path, name, name) < 0)
		return ENAMETOOLONG;

	if (0 == access(buf, R_OK))
		return 0;

	if (re_snprintf(buf, sz, "%s/%s.so", path, name) < 0)
		return ENAMETOOLONG;

	return 0 == access(buf, R_OK) ? 0 : ENOENT;
}


static int module_open(struct module *m, const char *path)
{
	char file[512];
	int err;

	err = module_file(file, sizeof(file), path, m->name);
	if (err) {
		re_snprintf(m->reason, sizeof(m->reason),
			    "no %s.so in %s", m->name, path);
		return err;
	}

	m->handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!m->handle) {
		str_ncpy(m->reason, dlerror(), sizeof(m->reason));
		return ELIBACC;
	}

	m->me = dlsym(m->handle, "exports");
	if (!m->me || !m->me->name || !m->me->type) {
		re_snprintf(m->reason, sizeof(m->reason),
			    "%s has no valid 'exports' symbol", file);
		return ELIBBAD;
	}

	if (0 != str_cmp(m->me->name, m->name)) {
		re_snprintf(m->reason, sizeof(m->reason),
			    "exports name '%s' does not match file '%s'",
			    m->me->name, m->name);
		return ELIBBAD;
	}

	if (!kind_known(m->me->type)) {
		re_snprintf(m->reason, sizeof(m->reason),
			    "unknown module kind '%s'", m->me->type);
		return ELIBBAD;
	}

	initing = m;
	err = m->me->init ? m->me->init() : 0;
	initing = NULL;
	if (err) {
		char why[REASON_MAX];

		/* a registry's refusal says more than the errno */
		str_ncpy(why, m->reason, sizeof(why));
		if (why[0])
			re_snprintf(m->reason, sizeof(m->reason),
				    "init failed: %s", why);
		else
			re_snprintf(m->reason, sizeof(m->reason),
				    "init failed: %m", err);
		return err;
	}

	return 0;
}


/** For the registries: why the module whose init runs now is refused */
void module_refused(const char *why)
{
	if (initing && why)
		str_ncpy(initing->reason, why, sizeof(initing->reason));
}


int module_load(const char *path, const char *name, char *reason,
		size_t reasonsz)
{
	struct module *m;
	int err;

	if (!path || !name)
		return EINVAL;

	m = module_find(name);
	if (m) {
		if (reason)
			str_ncpy(reason, m->handle ? "already loaded" :
				 m->reason, reasonsz);
		return EALREADY;
	}

	m = mem_zalloc(sizeof(*m), module_destructor);
	if (!m)
		return ENOMEM;

	err = str_dup(&m->name, name);
	if (err)
		goto out;

	list_append(&modules, &m->le, m);

	err = module_open(m, path);
	if (err) {
		/* Keep the record (not the handle) for `module list`. */
		if (m->handle) {
			dlclose(m->handle);
			m->handle = NULL;
		}
		m->me = NULL;
		if (reason)
			str_ncpy(reason, m->reason, reasonsz);
		return err;
	}

	ata_info("module %s (%s) loaded\n", m->name, m->me->type);

 out:
	if (err)
		mem_deref(m);

	return err;
}


int module_load_all(const char *path, const struct ata_conf_module *modv,
		    size_t modc)
{
	size_t i;
	int err = 0;

	for (i = 0; i < modc; i++) {
		const struct ata_conf_module *cm = &modv[i];
		char reason[REASON_MAX] = "";
		struct module *m;
		int lerr;

		lerr = module_load(path, cm->name, reason, sizeof(reason));
		m = module_find(cm->name);
		if (m)
			m->required = cm->required;

		if (!lerr)
			continue;

		if (cm->required) {
			ata_err("module %s: %s (required)\n", cm->name,
				reason);
			err = lerr;
			break;
		}

		ata_warn("module %s: %s (not required, continuing)\n",
			 cm->name, reason);
		ata_event(ATA_LOG_WARN, "MODULE-STATE",
			  "name=%s state=failed reason=\"%s\"",
			  cm->name, reason);
	}

	if (err)
		module_unload_all();

	return err;
}


void module_unload_all(void)
{
	/* reverse order: later modules may use earlier ones */
	while (modules.tail)
		mem_deref(modules.tail->data);
}


int module_print(struct re_printf *pf)
{
	unsigned n = 0;
	struct le *le;
	int err = 0;

	for (le = modules.head; le; le = le->next) {
		const struct module *m = le->data;

		err |= re_hprintf(pf, "name=%s kind=%s state=%s required=%s",
				  m->name, m->me ? m->me->type : "-",
				  m->handle ? "loaded" : "failed",
				  m->required ? "yes" : "no");
		if (!m->handle)
			err |= re_hprintf(pf, " reason=\"%s\"", m->reason);
		err |= re_hprintf(pf, "\n");
		++n;
	}

	err |= re_hprintf(pf, "count=%u\n", n);

	return err;
}


unsigned module_count(void)
{
	return list_count(&modules);
}


bool module_loaded(const char *name)
{
	const struct module *m = module_find(name);

	return m && m->handle;
}
