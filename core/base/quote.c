/**
 * @file quote.c  A value in double quotes, by the control protocol's rule
 *
 * Text from outside the box reaches replies, events and the log as
 * `key="value"`: a SIP reason phrase, a peer's URI, a certificate's
 * subject. A `"` or `\` in it would end the value early and let the
 * sender write pairs of its own (`reason="x" state=ok`), which a
 * monitor, a web UI or an `atactl -a` script would believe; a newline
 * would start a line of its own. So `"` and `\` are escaped as
 * core/base/ctrl_proto.h says, and every other control character (and
 * DEL) becomes a space: nothing that reads the line can tell it from
 * one the daemon wrote.
 */
#include <re.h>
#include "ataua.h"


static bool plain(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x20 && u != 0x7f && c != '"' && c != '\\';
}


/**
 * Print @p s in double quotes, escaped (NULL prints `""`); for `%H`:
 * `re_hprintf(pf, "reason=%H", ata_quoted, reason)`
 */
int ata_quoted(struct re_printf *pf, const char *s)
{
	size_t run;
	int err;

	if (!pf)
		return EINVAL;

	err = pf->vph("\"", 1, pf->arg);
	while (s && *s && !err) {

		for (run = 0; s[run] && plain(s[run]); run++)
			;
		if (run) {
			err = pf->vph(s, run, pf->arg);
			s += run;
			continue;
		}

		if (*s == '"' || *s == '\\') {
			char esc[2] = {'\\', *s};

			err = pf->vph(esc, sizeof(esc), pf->arg);
		}
		else {
			err = pf->vph(" ", 1, pf->arg);
		}
		++s;
	}

	return err | pf->vph("\"", 1, pf->arg);
}
