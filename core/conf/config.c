/**
 * @file config.c  Config loading: read, parse, validate, resolve
 *
 * Nothing is returned until the whole file was checked: every error is
 * printed and the half-built config is freed, so a caller (start-up or a
 * reload) either gets a complete config or keeps what it had.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include "ataua.h"
#include "conf.h"

static void config_destructor(void *arg)
{
	struct ata_config *cfg = arg;

	conf_free(&conf_root_schema, cfg);
	mem_deref(cfg->path);
}

const struct ata_conf_line *config_line(const struct ata_config *cfg,
					unsigned id)
{
	size_t i;

	for (i = 0; cfg && i < cfg->linec; i++)
		if (cfg->linev[i].id == id)
			return &cfg->linev[i];

	return NULL;
}

const struct ata_tone_profile *config_tones(const struct ata_config *cfg,
					     const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->tonec; i++)
		if (!strcmp(cfg->tonev[i].name, name))
			return &cfg->tonev[i];

	return NULL;
}

static bool has_password(const struct ata_config *cfg)
{
	size_t i;

	if (cfg->traversal.turn.password && *cfg->traversal.turn.password)
		return true;

	for (i = 0; i < cfg->linec; i++) {
		const char *pw = cfg->linev[i].account.password;

		if (pw && *pw)
			return true;
	}

	return false;
}

static int load(struct ata_config **cfgp, const char *name,
		const char *basedir, const char *buf, size_t len,
		struct re_printf *errpf)
{
	struct ata_config *cfg = NULL;
	struct conf_node *root = NULL;
	struct conf_diag diag;
	struct conf_ctx ctx;
	int err;

	conf_diag_init(&diag, name);

	if (!len) {
		conf_diag_err(&diag, 0, 0, "empty file (at least 'lines:'"
			      " with one account is needed)");
		err = EINVAL;
		goto out;
	}

	err = conf_yaml_parse(&root, &diag, buf, len);
	if (err)
		goto out;

	if (!root || conf_node_is_null(root)) {
		conf_diag_err(&diag, 0, 0, "empty config (at least 'lines:'"
			      " with one account is needed)");
		err = EINVAL;
		goto out;
	}

	if (root->type != CONF_MAP) {
		conf_diag_err(&diag, root->line, root->col, "the config must"
			      " be a mapping (key: value), not %s",
			      conf_node_type_name(root));
		err = EINVAL;
		goto out;
	}

	cfg = mem_zalloc(sizeof(*cfg), config_destructor);
	if (!cfg) {
		err = ENOMEM;
		goto out;
	}

	err = str_dup(&cfg->path, name);
	if (err)
		goto out;

	memset(&ctx, 0, sizeof(ctx));
	ctx.diag = &diag;
	ctx.basedir = basedir;
	ctx.cfg = cfg;

	conf_walk_map(&ctx, &conf_root_schema, root, root, cfg);
	conf_check_config(&ctx, root, cfg);

	if (diag.nerr)
		err = EINVAL;

 out:
	if (diag.nerr)
		err = err ? err : EINVAL;
	conf_diag_flush(&diag, errpf);
	mem_deref(root);

	if (err)
		mem_deref(cfg);
	else
		*cfgp = cfg;

	return err;
}

int config_load_buf(struct ata_config **cfgp, const char *name,
		    const char *buf, size_t len, struct re_printf *errpf)
{
	char *dir = NULL;
	const char *slash;
	int err;

	if (!cfgp || (!buf && len))
		return EINVAL;

	name = name ? name : "(config)";
	slash = strrchr(name, '/');
	if (slash) {
		err = re_sdprintf(&dir, "%b", name,
				  slash == name ? (size_t)1 :
				  (size_t)(slash - name));
		if (err)
			return err;
	}

	err = load(cfgp, name, dir, buf, len, errpf);
	mem_deref(dir);

	return err;
}

static int read_file(char **bufp, size_t *lenp, struct stat *st,
		     const char *path, struct re_printf *errpf)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		re_hprintf(errpf, "%s: cannot open: %m\n", path, err);
		return err;
	}

	if (fstat(fd, st)) {
		err = errno;
		re_hprintf(errpf, "%s: cannot stat: %m\n", path, err);
		goto out;
	}

	if (!S_ISREG(st->st_mode)) {
		re_hprintf(errpf, "%s: not a regular file\n", path);
		err = EINVAL;
		goto out;
	}

	if (st->st_size > ATA_CONF_MAX_SIZE) {
		re_hprintf(errpf, "%s: larger than the %u byte limit\n",
			   path, ATA_CONF_MAX_SIZE);
		err = EINVAL;
		goto out;
	}

	/* one byte more than the limit, in case the file grew meanwhile */
	buf = mem_alloc(ATA_CONF_MAX_SIZE + 1, NULL);
	if (!buf) {
		err = ENOMEM;
		goto out;
	}

	while (len <= ATA_CONF_MAX_SIZE) {
		n = read(fd, buf + len, ATA_CONF_MAX_SIZE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			re_hprintf(errpf, "%s: cannot read: %m\n", path, err);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}

 out:
	(void)close(fd);
	if (err)
		mem_deref(buf);
	else {
		*bufp = buf;
		*lenp = len;
	}

	return err;
}

int config_load(struct ata_config **cfgp, const char *path,
		struct re_printf *errpf)
{
	char *buf = NULL, *dir = NULL;
	char real[PATH_MAX];
	const char *slash;
	struct stat st;
	size_t len = 0;
	int err;

	if (!cfgp || !path)
		return EINVAL;

	err = read_file(&buf, &len, &st, path, errpf);
	if (err)
		return err;

	/* relative paths in the file are relative to its real directory */
	if (realpath(path, real) && (slash = strrchr(real, '/')))
		err = re_sdprintf(&dir, "%b", real,
				  slash == real ? (size_t)1 :
				  (size_t)(slash - real));
	if (err)
		goto out;

	err = load(cfgp, path, dir, buf, len, errpf);
	if (err)
		goto out;

	if ((st.st_mode & 077) && has_password(*cfgp)) {
		char mode[8];

		(void)snprintf(mode, sizeof(mode), "%04o",
			       (unsigned)(st.st_mode & 07777));
		ata_warn("config: %s holds a password and is readable by"
			 " group/others (mode %s); chmod 600 it", path, mode);
	}

 out:
	mem_deref(buf);
	mem_deref(dir);

	return err;
}
