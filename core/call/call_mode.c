/**
 * @file call_mode.c  A call's audio mode: voice, or fax/modem pass-through
 *
 * The line finds a fax or modem tone in the call's audio (core/line/
 * line_fax.c) and switches its own audio path; the call only keeps
 * what was found, for `calls` (call_status()). The mode stays for the
 * rest of the call. No codec change is needed: the calls are G.711
 * (the only codecs ataua offers), which carries V.21..V.34 and fax.
 */
#include <re.h>
#include "ataua.h"
#include "call_priv.h"


/** Pass-through from now on: @p tone (ans-pr, ans, cng) seen in @p dir */
void call_mode_passthrough(struct call *call, const char *tone,
			   const char *dir)
{
	if (!call || !tone || !dir)
		return;

	call->passthrough = true;
	str_ncpy(call->mode_tone, tone, sizeof(call->mode_tone));
	str_ncpy(call->mode_dir, dir, sizeof(call->mode_dir));
}


bool call_mode_is_passthrough(const struct call *call)
{
	return call && call->passthrough;
}
