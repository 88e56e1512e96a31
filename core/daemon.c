/**
 * @file daemon.c  Start, reload and stop the daemon's parts in order
 *
 * Order matters: the control socket comes up first so an installer can ask
 * what went wrong while modules and lines start; on stop everything closes
 * in reverse, modules last so they can release NAT mappings.
 */
#include <grp.h>
#include <string.h>
#include "ataua.h"
#include "call/admission.h"
#include "conf/config.h"
#include "ctrl/ctrl_unix.h"
#include "base/ctrl_proto.h"
#include "daemon.h"
#include "base/log.h"
#include "line/media_cmds.h"
#include "mod/module.h"
#include "nat/nat.h"
#include "sys/netmon.h"
#include "line/phone.h"

static struct {
	struct ctrl_unix *ctrl;
	uint64_t started;
} d;


unsigned daemon_ctrl_clients(void)
{
	return d.ctrl ? ctrl_unix_nclients(d.ctrl) : 0;
}


uint64_t daemon_uptime(void)
{
	return d.started ? (tmr_jiffies() - d.started) / 1000 : 0;
}


static void apply_log(const struct ata_config *cfg)
{
	log_use_syslog(cfg->log.target == ATA_LOG_TARGET_SYSLOG);
	ata_log_set_level((enum ata_log_level)cfg->log.level);
}


static int ctrl_open(const struct ata_config *cfg)
{
	const struct ata_conf_control *cc = &cfg->control;
	struct ctrl_unix_opts o;

	memset(&o, 0, sizeof(o));
	o.gid = -1;
	if (str_isset(cc->group)) {
		const struct group *gr = getgrnam(cc->group);

		if (!gr) {
			ata_err("control.group: no group '%s'\n", cc->group);
			return ENOENT;
		}
		o.gid = (int)gr->gr_gid;
	}

	o.path        = cc->socket;
	o.allow_uidv  = cc->allow_uidv;
	o.allow_uidc  = cc->allow_uidc;
	o.allow_gidv  = cc->allow_gidv;
	o.allow_gidc  = cc->allow_gidc;
	o.max_clients = cc->max_clients;
	o.max_request = cc->max_request;

	return ctrl_unix_alloc(&d.ctrl, &o);
}


static bool modules_equal(const struct ata_config *a,
			  const struct ata_config *b)
{
	size_t i;

	if (a->modc != b->modc || str_cmp(a->module_path, b->module_path))
		return false;

	for (i = 0; i < a->modc; i++) {
		if (str_cmp(a->modv[i].name, b->modv[i].name) ||
		    a->modv[i].required != b->modv[i].required)
			return false;
	}

	return true;
}


int daemon_start(struct ata_config *cfg)
{
	int err;

	if (!cfg)
		return EINVAL;

	mem_deref(config_in_force_swap(cfg));
	d.started = tmr_jiffies();
	apply_log(cfg);

	err = ctrl_open(cfg);
	if (err)
		goto out;

	err = core_cmds_register();
	if (err)
		goto out;

	err = phone_cmds_register();
	if (err)
		goto out;

	err = media_cmds_register();
	if (err)
		goto out;

	err = admission_cmds_register();
	if (err)
		goto out;

	/* the NAT policy before the modules: they register their steps */
	err = nat_init();
	if (err)
		goto out;

	err = module_load_all(cfg->module_path, cfg->modv, cfg->modc);
	if (err)
		goto out;

	(void)netmon_open();     /* optional: a warning says why not */

	err = phone_start(cfg);
	if (err)
		goto out;

	ata_notice("ataua started: %zu line(s), %u module(s), control %s\n",
		   cfg->linec, module_count(), cfg->control.socket);

 out:
	if (err)
		daemon_stop();

	return err;
}


int daemon_reload(const char *path, struct re_printf *errpf)
{
	const struct ata_config *ocfg = ata_config();
	struct ata_config *ncfg = NULL, *old;
	int err;

	if (!ocfg)
		return EINVAL;

	err = config_load(&ncfg, path ? path : ocfg->path, errpf);
	if (err) {
		ata_warn("reload: %s has errors; keeping the old config\n",
			 path ? path : ocfg->path);
		return err;
	}

	if (str_cmp(ncfg->control.socket, ocfg->control.socket))
		ata_warn("reload: control.socket changes on restart only\n");

	if (!modules_equal(ocfg, ncfg)) {
		nat_modules_release();   /* their bindings, while loaded */
		module_unload_all();
		err = module_load_all(ncfg->module_path, ncfg->modv,
				      ncfg->modc);
		if (err) {
			ata_warn("reload: modules failed; restoring old\n");
			(void)module_load_all(ocfg->module_path, ocfg->modv,
					      ocfg->modc);
			nat_modules_back();
			mem_deref(ncfg);
			return err;
		}
	}

	old = config_in_force_swap(ncfg);
	nat_modules_back();      /* the policy with the new modules */
	apply_log(ncfg);
	(void)phone_reload(ncfg);
	mem_deref(old);

	ata_notice("configuration reloaded from %s\n", ncfg->path);
	ata_event(ATA_LOG_NOTICE, ATA_EVENT_RELOAD, "file=%s", ncfg->path);
	mem_deref(ncfg);  /* in force holds it now */

	return 0;
}


void daemon_stop(void)
{
	ata_event(ATA_LOG_NOTICE, ATA_EVENT_TERMINATING, NULL);

	netmon_close();
	phone_stop();
	phone_cmds_unregister();
	media_cmds_unregister();
	admission_cmds_unregister();
	/* NAT bindings belong to modules: release them while loaded */
	nat_close();
	module_unload_all();
	core_cmds_unregister();
	d.ctrl = mem_deref(d.ctrl);
	mem_deref(config_in_force_swap(NULL));
	d.started = 0;
}
