/**
 * @file call_uri.c  The Request-URI of an outgoing call from dialled digits
 */
#include <string.h>
#include <re.h>
#include "call_priv.h"


/* A number becomes sip:NUMBER@domain; '#' is escaped for the URI */
int call_target_uri(char **urip, const char *target, const char *domain,
		    enum sip_transp tp)
{
	struct mbuf *mb;
	const char *p;
	int err = 0;

	if (!strncmp(target, "sip:", 4) || !strncmp(target, "sips:", 5))
		return str_dup(urip, target);

	mb = mbuf_alloc(64);
	if (!mb)
		return ENOMEM;

	err = mbuf_write_str(mb, "sip:");
	for (p = target; *p && !err; p++) {
		if (*p == '#')
			err = mbuf_write_str(mb, "%23");
		else if (strchr("0123456789*+abcdABCD.-_", *p))
			err = mbuf_write_u8(mb, (uint8_t)*p);
		else
			err = EINVAL;
	}
	if (!err && p == target)
		err = EINVAL;
	if (!err)
		err = mbuf_printf(mb, "@%s%s", domain, sip_transp_param(tp));
	if (!err) {
		mb->pos = 0;
		err = mbuf_strdup(mb, urip, mb->end);
	}

	mem_deref(mb);
	return err;
}
