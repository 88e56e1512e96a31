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
#include "core_cmds.h"
#include "ctrl/ctrl_unix.h"
#include "base/ctrl_proto.h"
#include "daemon.h"
#include "base/log.h"
#include "line/line_history.h"
#include "line/media_cmds.h"
#include "metrics_cmds.h"
#include "mod/module.h"
#include "nat/nat.h"
#include "sys/netmon.h"
#include "sys/memlock.h"
#include "line/phone.h"

static struct {
	struct ctrl_unix *ctrl;
	uint64_t started;
} d;


static unsigned ctrl_clients(void)
{
	return d.ctrl ? ctrl_unix_nclients(d.ctrl) : 0;
}


static uint64_t uptime(void)
{
	return d.started ? (tmr_jiffies() - d.started) / 1000 : 0;
}


static struct core_cmds_env core_env = {
	.reload       = daemon_reload,
	.uptime       = uptime,
	.ctrl_clients = ctrl_clients,
};

/*
 * Every verb table of the core, registered here and nowhere else, in
 * the order `help` lists them; modules register their own
 */
static const struct {
	const struct ata_cmd *(*table)(size_t *cmdc);
	void *arg;
} verb_tables[] = {
	{core_cmds,      &core_env},
	{phone_cmds,     NULL},
	{media_cmds,     NULL},
	{admission_cmds, NULL},
	{nat_cmds,       NULL},
	{metrics_cmds,   NULL},
	{line_history_cmds, NULL},
};


static int verbs_register(void)
{
	const struct ata_cmd *cmdv;
	size_t i, cmdc;
	int err;

	for (i = 0; i < ARRAY_SIZE(verb_tables); i++) {
		cmdv = verb_tables[i].table(&cmdc);
		err = ata_cmd_register(cmdv, cmdc, verb_tables[i].arg);
		if (err)
			return err;
	}

	return 0;
}


static void verbs_unregister(void)
{
	size_t i, cmdc;

	for (i = ARRAY_SIZE(verb_tables); i-- > 0;)
		ata_cmd_unregister(verb_tables[i].table(&cmdc));
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


/*
 * The network changed under us (core/sys/netmon.c). A SIP stack that
 * starts or restarts on it runs the NAT policy on its new socket
 * itself: no second run for the same change. Else the policy runs
 * again on the sockets we have.
 */
static void network_changed(unsigned what, void *arg)
{
	(void)arg;

	if (phone_network_changed())
		return;

	nat_network_changed(what & NETMON_LINK_UP ? "link-up" : "address");
}


int daemon_start(struct ata_config *cfg)
{
	int err;

	if (!cfg)
		return EINVAL;

	mem_deref(config_in_force_swap(cfg));
	d.started = tmr_jiffies();
	apply_log(cfg);
	/* before the lines: the audio path's pages are locked as used */
	(void)memlock_apply(cfg->media.rt_priority > 0);

	/* counters for the daemon's life: before the first event */
	err = metrics_cmds_open();
	if (err)
		goto out;

	err = ctrl_open(cfg);
	if (err)
		goto out;

	err = line_history_open(cfg->history.calls);
	if (err)
		goto out;

	/* the NAT policy before the modules: they register their steps */
	err = nat_init();
	if (err)
		goto out;

	err = verbs_register();
	if (err)
		goto out;

	err = module_load_all(cfg->module_path, cfg->modv, cfg->modc);
	if (err)
		goto out;

	/* optional: a warning says why not */
	(void)netmon_open(network_changed, NULL);

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
	(void)memlock_apply(ncfg->media.rt_priority > 0);
	if (line_history_resize(ncfg->history.calls))
		ata_warn("reload: history.calls: no memory; kept the old\n");
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
	/* NAT bindings belong to modules: release them while loaded */
	nat_close();
	module_unload_all();
	verbs_unregister();
	metrics_cmds_close();
	line_history_close();
	d.ctrl = mem_deref(d.ctrl);
	mem_deref(config_in_force_swap(NULL));
	d.started = 0;
}
