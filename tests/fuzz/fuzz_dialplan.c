/** @file fuzz_dialplan.c  libFuzzer: dial plan patterns and key strings */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>

#include "line/dialplan.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

enum { MAX_PATS = 8, MAX_IN = 1024 };

/*
 * Input: lines; all but the last are patterns, the last is the keys.
 * Every prefix of the keys is matched, as the line does key by key.
 */
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static char text[MAX_IN + 1];
	const char *patv[MAX_PATS];
	size_t patc = 0, klen;
	struct dialplan *dp = NULL;
	char *line, *keys, err[128], num[MAX_IN + 1];

	if (n > MAX_IN)
		n = MAX_IN;
	memcpy(text, d, n);
	text[n] = '\0';

	line = text;
	keys = strrchr(text, '\n');
	if (keys)
		*keys++ = '\0';
	else
		keys = text + n;

	while (keys != text + n && patc < MAX_PATS) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		patv[patc++] = line;
		(void)dialplan_valid_pattern(line, err, sizeof(err));
		if (!nl)
			break;
		line = nl + 1;
	}

	if (dialplan_alloc(&dp, patv, patc, err, sizeof(err)))
		return 0;

	klen = strlen(keys);
	for (size_t i = 0; i <= klen; i++) {
		char save = keys[i];
		enum dialplan_result r;

		keys[i] = '\0';
		r = dialplan_match(dp, keys);
		if (r > DIALPLAN_FULL_MORE)
			__builtin_trap();
		if (dialplan_number(dp, keys, num, sizeof(num)) ||
		    strlen(num) + 1 < strlen(keys))
			__builtin_trap();
		keys[i] = save;
	}

	mem_deref(dp);

	return 0;
}
