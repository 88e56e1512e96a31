/**
 * @file fuzz_config.c  libFuzzer target: arbitrary bytes as a config file
 *
 * Every input must either load into a config or be rejected with
 * EINVAL; nothing may crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <re.h>
#include "conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(const char *p, size_t size, void *arg)
{
	(void)p;
	(void)size;
	(void)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct re_printf pf = {discard, NULL};
	struct ata_config *cfg = NULL;
	int err;

	err = config_load_buf(&cfg, "/fuzz/ataua.yaml", (const char *)data,
			      size, &pf);
	if (err != 0 && err != EINVAL && err != ENOMEM)
		abort();
	if (!err && (!cfg || !cfg->linec))
		abort();
	if (err && cfg)
		abort();

	mem_deref(cfg);
	return 0;
}
