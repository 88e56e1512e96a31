/**
 * @file registry.c  Registries of module kinds: traversal, hint, line driver
 *
 * Each kind is an intrusive list of ops tables owned by the modules
 * (static structs), so registering is a version check and a list append.
 * A version the core does not know is refused with ENOTSUP: the module was
 * built against another core and calling its hooks would be undefined.
 */
#include "ataua.h"
#include "hint.h"

static struct list traversals;
static struct list hints;
static struct list linedrvs;


static int reg_add(struct list *lst, struct le *le, uint32_t version,
		   uint32_t known, const char *kind, const char *name)
{
	if (!name)
		return EINVAL;

	if (version != known) {
		ata_err("%s '%s': ops version %u, core knows %u\n",
			kind, name, version, known);
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
	return reg_add(&traversals, &t->le, t->version,
		       ATA_TRAVERSAL_VERSION, "traversal", t->name);
}


void ata_traversal_unregister(struct ata_traversal *t)
{
	if (t)
		list_unlink(&t->le);
}


int ata_hint_register(struct ata_hint *h)
{
	if (!h)
		return EINVAL;

	h->le.data = h;
	return reg_add(&hints, &h->le, h->version, ATA_HINT_VERSION,
		       "hint", h->name);
}


void ata_hint_unregister(struct ata_hint *h)
{
	if (h)
		list_unlink(&h->le);
	hint_forget(h);  /* calls drop their state of this module */
}


int ata_linedrv_register(struct ata_linedrv *d)
{
	if (!d)
		return EINVAL;

	d->le.data = d;
	return reg_add(&linedrvs, &d->le, d->version, ATA_LINEDRV_VERSION,
		       "line driver", d->name);
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


struct list *ata_hint_list(void)
{
	return &hints;
}


struct list *ata_linedrv_list(void)
{
	return &linedrvs;
}
