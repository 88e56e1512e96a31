/**
 * @file fuzz_action_env.c  libFuzzer: any event line through
 * core/cli/action_env.c (`atactl -a`): it reads only the bytes given,
 * and every variable it makes is NAME=VALUE with NAME of A-Z, 0-9 and _
 * after ATAUA_, ATAUA_EVENT among them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/action_env.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *var)
{
	const char *eq = strchr(var, '=');
	size_t pl = strlen(ATA_ACTION_ENV_PREFIX);

	if (!eq || strncmp(var, ATA_ACTION_ENV_PREFIX, pl) ||
	    eq == var + pl)
		abort();

	for (const char *p = var + pl; p < eq; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			abort();
	}
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), **env = NULL;

	if (!line)
		return 0;

	memcpy(line, data, size);
	line[size] = '\0';

	if (!action_env_build(&env, NULL, line, "/s", 0)) {
		if (!action_env_get(env, ATA_ACTION_ENV_PREFIX "EVENT"))
			abort();
		for (size_t i = 0; env[i]; i++)
			check_name(env[i]);
	}

	action_env_free(env);
	free(line);

	return 0;
}
