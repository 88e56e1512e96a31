/**
 * @file nat_family.c  `atactl nat` per IP family: which one carries calls
 *
 * The NAT policy (verdict=) is IPv4's: IPv6 has no NAT to traverse.
 * The registration (sip/reg_family.c) tells us which family it runs
 * over and why; `nat` then says verdict_v4= (the same words as
 * verdict=), verdict_v6= and calls_over=. Until a registration says
 * anything, IPv4 carries calls and IPv6 is "none: not used".
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "nat.h"
#include "nat_int.h"

static struct {
	int calls_af;              /* AF_UNSPEC: none said yet (IPv4) */
	char v6[160];              /* verdict_v6= words               */
} fam;


/**
 * The registration runs over @p af; @p v6_words is IPv6's verdict
 * ("ok: registered over IPv6, no NAT", "none: no AAAA for the
 * registrar", ...), NULL for "none: not used"
 */
void nat_family_note(int af, const char *v6_words)
{
	fam.calls_af = af;
	str_ncpy(fam.v6, v6_words ? v6_words : "", sizeof(fam.v6));
}


/** verdict_v4=, verdict_v6=, calls_over= lines */
int nat_family_print(struct re_printf *pf, const struct nat_verdict *v)
{
	int err;

	if (v->level == NAT_OK || v->level == NAT_OK_RELAYED)
		err = re_hprintf(pf, "verdict_v4=%s\n",
				 nat_level_name(v->level));
	else
		err = re_hprintf(pf, "verdict_v4=%s: %s\n",
				 nat_level_name(v->level), v->reason);

	err |= re_hprintf(pf, "verdict_v6=%s\n",
			  fam.v6[0] ? fam.v6 : "none: not used");
	err |= re_hprintf(pf, "calls_over=%s\n",
			  fam.calls_af == AF_INET6 ? "ipv6" : "ipv4");

	return err;
}

