/**
 * @file core_cmds.c  The core's control verbs: status, module list, reload,
 *                    log level, nat
 */
#include <stdlib.h>
#include "ataua.h"
#include "config.h"
#include "daemon.h"
#include "module.h"

#define ATAUA_VERSION "0.1.0"


static int cmd_status(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	const struct ata_config *cfg = ata_config();
	int err = 0;

	(void)ca;

	err |= re_hprintf(pf, "state=running\n");
	err |= re_hprintf(pf, "version=%s\n", ATAUA_VERSION);
	err |= re_hprintf(pf, "uptime=%llu\n",
			  (unsigned long long)daemon_uptime());
	err |= re_hprintf(pf, "config=%s\n", cfg ? cfg->path : "");
	err |= re_hprintf(pf, "lines=%zu\n", cfg ? cfg->linec : 0);
	err |= re_hprintf(pf, "modules=%u\n", module_count());
	err |= re_hprintf(pf, "log_level=%d\n", (int)ata_log_level());

	return err;
}


static int cmd_module_list(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;

	return module_print(pf);
}


/* Errors of the new file come back as `error=FILE:LINE:COL: msg` lines */
static int error_line_h(const char *p, size_t size, void *arg)
{
	struct re_printf *pf = arg;
	size_t i, start = 0;
	int err = 0;

	for (i = 0; i < size; i++) {
		if (p[i] != '\n')
			continue;
		if (i > start)
			err |= re_hprintf(pf, "error=%b\n", p + start,
					  i - start);
		start = i + 1;
	}

	if (start < size)
		err |= re_hprintf(pf, "error=%b\n", p + start, size - start);

	return err;
}


static int cmd_reload(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct re_printf epf = { error_line_h, pf };
	int err;

	/* No file argument: a control client must not make the daemon
	 * read (and echo errors about) arbitrary files. */
	if (pl_isset(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: reload");

	err = daemon_reload(NULL, &epf);
	if (err)
		return ata_cmd_fail(ca, err, "config has errors, old kept");

	return 0;
}


static int cmd_log_level(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	uint32_t lvl;

	if (!pl_isset(&ca->args))
		return re_hprintf(pf, "log_level=%d\n", (int)ata_log_level());

	if (re_regex(ca->args.p, ca->args.l, "^[0-9]+$", NULL))
		return ata_cmd_fail(ca, EINVAL, "usage: log level 3..7");

	lvl = pl_u32(&ca->args);
	if (lvl < ATA_LOG_ERR || lvl > ATA_LOG_DEBUG)
		return ata_cmd_fail(ca, ERANGE, "level must be 3..7");

	ata_log_set_level((enum ata_log_level)lvl);

	return re_hprintf(pf, "log_level=%u\n", lvl);
}


static int cmd_nat(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct le *le;
	int err = 0;

	(void)ca;

	for (le = ata_traversal_list()->head; le; le = le->next) {
		const struct ata_traversal *t = le->data;

		err |= re_hprintf(pf, "module=%s ", t->name);
		if (t->status)
			err |= t->status(pf);
		else
			err |= re_hprintf(pf, "state=not-implemented\n");
	}

	if (!ata_traversal_list()->head)
		err |= re_hprintf(pf, "verdict=unknown\n");

	return err;
}


static const struct ata_cmd core_cmdv[] = {
	{"status",      "status",             cmd_status},
	{"module list", "module list",        cmd_module_list},
	{"reload",      "reload",      cmd_reload},
	{"log level",   "log level [3..7]",   cmd_log_level},
	{"nat",         "nat",                cmd_nat},
};


int core_cmds_register(void)
{
	return ata_cmd_register(core_cmdv, ARRAY_SIZE(core_cmdv), NULL);
}


void core_cmds_unregister(void)
{
	ata_cmd_unregister(core_cmdv);
}
