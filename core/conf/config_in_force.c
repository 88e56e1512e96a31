/**
 * @file config_in_force.c  The config the daemon runs on now
 *
 * One loaded config is in force at a time; a successful reload replaces
 * it whole. It lives here, in the config layer, so every layer can read
 * it without naming the daemon that loads it: the daemon only sets it.
 * A module reads only its own subtree, through its getter in ataua.h,
 * each time it needs a value (a reload frees the config it came from).
 */
#include <re.h>
#include "ataua.h"
#include "config.h"

static struct ata_config *in_force;


/**
 * Put @p cfg in force (a new reference; NULL: none) and hand back the
 * one in force before, for the caller to mem_deref once nothing uses
 * it any more (a reload compares old and new first)
 */
struct ata_config *config_in_force_swap(struct ata_config *cfg)
{
	struct ata_config *old = in_force;

	in_force = mem_ref(cfg);
	return old;
}


const struct ata_config *ata_config(void)
{
	return in_force;
}


const struct ata_conf_upnp *ata_conf_upnp(void)
{
	return in_force ? &in_force->traversal.upnp : NULL;
}


const struct ata_conf_stun *ata_conf_stun(void)
{
	return in_force ? &in_force->traversal.stun : NULL;
}


const struct ata_conf_turn *ata_conf_turn(void)
{
	return in_force ? &in_force->traversal.turn : NULL;
}


const struct ata_conf_alg_hint *ata_conf_alg_hint(void)
{
	return in_force ? &in_force->alg_hint : NULL;
}


int ata_stun_server(struct ata_conf_server *srv)
{
	if (!srv)
		return EINVAL;

	if (!in_force || !str_isset(in_force->traversal.stun.server.host))
		return ENOENT;

	*srv = in_force->traversal.stun.server;
	return 0;
}
