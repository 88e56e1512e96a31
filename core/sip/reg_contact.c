/**
 * @file reg_contact.c  The binding the registrar stored for us
 *
 * `atactl reg` used to print the address the REGISTER left from (the
 * local one), which is not where the registrar will send an INVITE:
 * behind a NAT our Contact goes out with the public address (nat_sip.c
 * rewrites it), and a registrar may rewrite it again (kamailio's
 * fix_nated_contact). A 2xx to a REGISTER lists every binding of the
 * AOR (RFC 3261 10.3 step 8); ours is the one of our user at the
 * address our Contact said, or, where the registrar changed that, the
 * only one of our user. Another device of the same account keeps its
 * own user or address, so a second binding of our user at another
 * address is not taken for ours.
 */
#include <re.h>
#include "reg.h"

struct pick {
	const char *user;
	const struct sa *sent;
	char *buf;
	size_t size;
	unsigned ours;             /* bindings of our user */
	bool exact;                /* one of them at @p sent */
};


static bool contact_handler(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	struct pick *p = arg;
	struct sip_addr c;
	struct sa sa;
	bool at_sent;

	(void)msg;

	if (sip_addr_decode(&c, &hdr->val) || pl_strcmp(&c.uri.user,
							 p->user))
		return false;

	at_sent = p->sent && !sa_set(&sa, &c.uri.host, c.uri.port ?
				      c.uri.port : SIP_PORT) &&
		sa_cmp(&sa, p->sent, SA_ALL);

	++p->ours;
	if (at_sent || p->ours == 1) {
		/* a bracketed IPv6 host keeps its brackets out of pl */
		(void)re_snprintf(p->buf, p->size, c.uri.af == AF_INET6 ?
				  "[%r]:%u" : "%r:%u", &c.uri.host,
				  c.uri.port ? c.uri.port : SIP_PORT);
	}

	p->exact = at_sent;

	return at_sent;         /* ours found: stop */
}


/**
 * Write the binding the registrar stored for @p user ("host:port")
 * into @p buf from the 2xx @p msg: the one at @p sent (what our Contact
 * said; NULL: unknown), else the only one of @p user.
 *
 * @return 0, ENOENT (the answer lists none of ours, or several and
 *         none at @p sent), EINVAL
 */
int reg_contact_stored(const struct sip_msg *msg, const char *user,
		       const struct sa *sent, char *buf, size_t size)
{
	struct pick p = {user, sent, buf, size, 0, false};

	if (!msg || !user || !buf || !size)
		return EINVAL;

	buf[0] = '\0';
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT, contact_handler,
				&p);

	if (p.exact || p.ours == 1)
		return 0;

	buf[0] = '\0';

	return ENOENT;
}
