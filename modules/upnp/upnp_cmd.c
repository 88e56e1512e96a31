/**
 * @file modules/upnp/upnp_cmd.c  Control verbs of the upnp module
 *
 * `upnp status`, and `upnp map PORT` / `upnp unmap PORT`: map a UDP port
 * of this host by hand (tests, diagnosis), with the same upkeep as the
 * mappings the NAT policy asks for.
 */
#include <string.h>
#include "upnp.h"

enum { VERB_MAPS_MAX = 8 };

struct verb_map {
	struct le le;
	struct upnp_map *map;
	int err;
};

static struct list verb_maps;


static void verb_map_handler(int err, const struct ata_nat_binding *b,
			     void *arg)
{
	struct verb_map *vm = arg;

	vm->err = err;
	if (err)
		ata_info("upnp: map %u: %m", upnp_map_int_port(vm->map), err);
	else
		ata_info("upnp: map %u: public %J", upnp_map_int_port(vm->map),
			 &b->public);
}


static void verb_map_destructor(void *arg)
{
	struct verb_map *vm = arg;

	list_unlink(&vm->le);
	mem_deref(vm->map);
}


static struct verb_map *verb_map_find(uint16_t port)
{
	struct le *le;

	for (le = list_head(&verb_maps); le; le = le->next) {
		struct verb_map *vm = le->data;

		if (upnp_map_int_port(vm->map) == port)
			return vm;
	}

	return NULL;
}


static int verb_port(struct ata_cmd_arg *ca, uint16_t *port)
{
	uint32_t v;

	if (!ata_pl_isnum(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: PORT (1..65535)");

	v = pl_u32(&ca->args);
	if (!v || v > 65535)
		return ata_cmd_fail(ca, ERANGE, "port %u out of range", v);

	*port = (uint16_t)v;

	return 0;
}


static int cmd_status(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;

	return upnp_status(pf);
}


static int cmd_map(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	const struct ata_conf_upnp *uc = ata_conf_upnp();
	struct verb_map *vm;
	struct sa laddr;
	uint16_t port;
	int err;

	err = verb_port(ca, &port);
	if (err)
		return err;

	if (verb_map_find(port))
		return ata_cmd_fail(ca, EALREADY, "port %u already mapped",
				    port);
	if (list_count(&verb_maps) >= VERB_MAPS_MAX)
		return ata_cmd_fail(ca, E2BIG, "at most %u manual maps",
				    VERB_MAPS_MAX);

	vm = mem_zalloc(sizeof(*vm), verb_map_destructor);
	if (!vm)
		return ENOMEM;

	/* 0.0.0.0: the address we reach the IGD from is the client */
	sa_set_str(&laddr, "0.0.0.0", port);
	err = upnp_map_alloc(&vm->map, &laddr,
			     uc ? uc->timeout_ms : 2000,
			     verb_map_handler, vm);
	if (err) {
		mem_deref(vm);
		return ata_cmd_fail(ca, err, "cannot map: %m", err);
	}

	list_append(&verb_maps, &vm->le, vm);

	return re_hprintf(pf, "port=%u state=pending\n", port);
}


static int cmd_unmap(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct verb_map *vm;
	uint16_t port;
	int err;

	err = verb_port(ca, &port);
	if (err)
		return err;

	vm = verb_map_find(port);
	if (!vm)
		return ata_cmd_fail(ca, ENOENT, "port %u not mapped by hand",
				    port);

	mem_deref(vm);

	return re_hprintf(pf, "port=%u state=released\n", port);
}


static const struct ata_cmd upnp_cmdv[] = {
	{ATA_VERB_UPNP_STATUS, cmd_status},
	{ATA_VERB_UPNP_MAP,    cmd_map},
	{ATA_VERB_UPNP_UNMAP,  cmd_unmap},
};


int upnp_cmd_register(void)
{
	list_init(&verb_maps);

	return ata_cmd_register(upnp_cmdv, ARRAY_SIZE(upnp_cmdv), NULL);
}


void upnp_cmd_unregister(void)
{
	ata_cmd_unregister(upnp_cmdv);
	list_flush(&verb_maps);
}
