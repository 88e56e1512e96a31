/**
 * @file core_cmds.c  The core's control verbs: status, module list, reload,
 *                    log level, mem
 */
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "ataua.h"
#include "base/ctrl_verbs.h"
#include "conf/config.h"
#include "core_cmds.h"
#include "mod/module.h"
#include "line/phone.h"
#include "base/version.h"


static int cmd_status(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	const struct ata_config *cfg = ata_config();
	const struct core_cmds_env *env = ca->arg;
	int err = 0;

	err |= re_hprintf(pf, "state=running\n");
	err |= re_hprintf(pf, "version=%s\n", ATAUA_VERSION);
	err |= re_hprintf(pf, "uptime=%llu\n",
			  (unsigned long long)env->uptime());
	err |= re_hprintf(pf, "config=%s\n", cfg ? cfg->path : "");
	err |= re_hprintf(pf, "lines=%zu\n", cfg ? cfg->linec : 0);
	err |= re_hprintf(pf, "modules=%u\n", module_count());
	err |= re_hprintf(pf, "log_level=%d\n", (int)ata_log_level());
	err |= re_hprintf(pf, "control_clients=%u\n", env->ctrl_clients());
	err |= phone_status(pf);

	return err;
}


static int cmd_module_list(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	(void)ca;

	return module_print(pf);
}


static int mbuf_h(const char *p, size_t size, void *arg)
{
	return mbuf_write_mem(arg, (const uint8_t *)p, size);
}


/* Errors of the new file come back as `error=FILE:LINE:COL: msg` lines */
static int print_error_lines(struct re_printf *pf, const struct mbuf *mb)
{
	const char *p = (const char *)mb->buf;
	size_t i, start = 0;
	int err = 0;

	for (i = 0; i <= mb->end; i++) {
		if (i < mb->end && p[i] != '\n')
			continue;
		if (i > start)
			err |= re_hprintf(pf, "error=%b\n", p + start,
					  i - start);
		start = i + 1;
	}

	return err;
}


static int cmd_reload(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	const struct core_cmds_env *env = ca->arg;
	struct mbuf *mb;
	struct re_printf epf;
	int err;

	/* No file argument: a control client must not make the daemon
	 * read (and echo errors about) arbitrary files. */
	if (pl_isset(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: reload");

	mb = mbuf_alloc(512);
	if (!mb)
		return ENOMEM;

	epf.vph = mbuf_h;
	epf.arg = mb;

	err = env->reload(NULL, &epf);
	if (err) {
		(void)print_error_lines(pf, mb);
		err = ata_cmd_fail(ca, err, "config has errors, old kept");
	}

	mem_deref(mb);

	return err;
}


static int cmd_log_level(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	uint32_t lvl;

	if (!pl_isset(&ca->args))
		return re_hprintf(pf, "log_level=%d\n", (int)ata_log_level());

	if (!ata_pl_isnum(&ca->args))
		return ata_cmd_fail(ca, EINVAL, "usage: log level 3..7");

	lvl = pl_u32(&ca->args);
	if (lvl < ATA_LOG_ERR || lvl > ATA_LOG_DEBUG)
		return ata_cmd_fail(ca, ERANGE, "level must be 3..7");

	ata_log_set_level((enum ata_log_level)lvl);

	return re_hprintf(pf, "log_level=%u\n", lvl);
}


/* What is allocated, to tell a leak from a plateau over many calls
 * (tests/soak): libre's own count of mem_alloc blocks when libre keeps
 * one (built with MEM_DEBUG, or the soak's counting preload), and the C
 * heap in use, which also holds what libre allocates. */
static int cmd_mem(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct memstat ms;
	int err = 0;

	(void)ca;

	if (mem_get_stat(&ms) == 0) {
		err |= re_hprintf(pf, "mem_blocks=%zu\n", ms.blocks_cur);
		err |= re_hprintf(pf, "mem_bytes=%zu\n", ms.bytes_cur);
		err |= re_hprintf(pf, "mem_blocks_peak=%zu\n",
				  ms.blocks_peak);
		err |= re_hprintf(pf, "mem_bytes_peak=%zu\n", ms.bytes_peak);
	}
	else {
		/* Debian's libre: mem_get_stat() is ENOSYS */
		err |= re_hprintf(pf, "mem_blocks=unknown\n");
		err |= re_hprintf(pf, "mem_bytes=unknown\n");
	}
#ifdef __GLIBC__
	{
		struct mallinfo2 mi = mallinfo2();

		err |= re_hprintf(pf, "heap_used=%zu\n",
				  mi.uordblks + mi.hblkhd);
		err |= re_hprintf(pf, "heap_free=%zu\n", mi.fordblks);
	}
#endif

	return err;
}


static const struct ata_cmd core_cmdv[] = {
	{ATA_VERB_STATUS,   cmd_status},
	{ATA_VERB_MODULES,  cmd_module_list},
	{ATA_VERB_RELOAD,   cmd_reload},
	{ATA_VERB_LOGLEVEL, cmd_log_level},
	{ATA_VERB_MEM,      cmd_mem},
};


/** The verb table, for the daemon to register (core/daemon.c) */
const struct ata_cmd *core_cmds(size_t *cmdc)
{
	*cmdc = ARRAY_SIZE(core_cmdv);
	return core_cmdv;
}
