/**
 * @file registry.c  Registries of module kinds: traversal, line driver
 *
 * Each kind is an intrusive list of ops tables owned by the modules
 * (static structs), so registering is a version check and a list append.
 * A table from 1 up to the core's version is taken: the callers check
 * the version before each hook that was appended later (ATA_HAS_HOOK).
 * A newer one is refused with ENOTSUP: the module was built against a
 * newer core, whose hooks this one does not know. The hint registry
 * lives with the calls into it (hint.c), which must forget a module
 * that leaves.
 */
#include "ataua.h"
#include "module.h"
#include "registry.h"

static struct list traversals;
static struct list linedrvs;


int registry_add(struct list *lst, struct le *le, uint32_t version,
		 uint32_t core_version, const char *kind, const char *name)
{
	char why[128];

	if (!name)
		return EINVAL;

	if (version < 1 || version > core_version) {
		re_snprintf(why, sizeof(why),
			    "%s '%s': ops version %u, this core takes 1 to %u",
			    kind, name, version, core_version);
		ata_err("%s: refused\n", why);
		module_refused(why);
		return ENOTSUP;
	}

	if (le->list)
		return EALREADY;

	list_append(lst, le, le->data);
	return 0;
}


int ata_traversal_register(struct ata_traversal *t)
{
	if (!t)
		return EINVAL;

	t->le.data = t;
	return registry_add(&traversals, &t->le, t->version,
			    ATA_TRAVERSAL_VERSION, "traversal", t->name);
}


void ata_traversal_unregister(struct ata_traversal *t)
{
	if (t)
		list_unlink(&t->le);
}


int ata_linedrv_register(struct ata_linedrv *d)
{
	if (!d)
		return EINVAL;

	d->le.data = d;
	return registry_add(&linedrvs, &d->le, d->version,
			    ATA_LINEDRV_VERSION, "line driver", d->name);
}


void ata_linedrv_unregister(struct ata_linedrv *d)
{
	if (d)
		list_unlink(&d->le);
}


struct list *ata_traversal_list(void)
{
	return &traversals;
}


struct list *ata_linedrv_list(void)
{
	return &linedrvs;
}
