/**
 * @file config_in_force.c  The config the daemon runs on now
 *
 * One loaded config is in force at a time; a successful reload replaces
 * it whole. It lives here, in the config layer, so every layer (and
 * every module, through ataua.h) can read it without naming the daemon
 * that loads it: the daemon only sets it.
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
