/**
 * @file sip_stack_trust.c  Who may talk to us, and what we refuse
 *
 * With accept_from: proxy, a request whose source is not a registrar or
 * outbound proxy (learnt by reg.c) and not inside one of our dialogs is
 * dropped without any reply: a scanner learns nothing. Each dropping
 * source is logged as a SECURITY record at most once a minute. A
 * request we do answer is first checked as RFC 3261 8.2 says a UAS
 * must (sip_check.c).
 */
#include <re.h>
#include "ataua.h"
#include "sip_check.h"
#include "sip_stack_priv.h"

enum {
	SEEN_MAX = 32,            /* sources remembered for the log limit */
	SEEN_INTERVAL_MS = 60000,
	TRUST_MAX = 64,
};


struct stack_addr {
	struct le le;
	struct sa addr;
	uint64_t last;            /* seen list: last logged, ms */
	uint32_t count;
};


static struct stack_addr *addr_find(const struct list *l, const struct sa *a)
{
	struct le *le;

	for (le = list_head(l); le; le = le->next) {
		struct stack_addr *sa = le->data;

		if (sa_cmp(&sa->addr, a, SA_ADDR))
			return sa;
	}

	return NULL;
}


/* accept_from: any, a registrar or proxy, or one of our dialogs */
bool sip_stack_trust_ok(const struct sip_stack *ss,
			const struct sip_msg *msg)
{
	return ss->accept_any || addr_find(&ss->trusted, &msg->src) ||
		sip_stack_route_in_dialog(ss, msg);
}


static void log_rejected(struct sip_stack *ss, const struct sip_msg *msg)
{
	uint64_t now = tmr_jiffies();
	struct stack_addr *seen;

	seen = addr_find(&ss->seen, &msg->src);
	if (seen) {
		++seen->count;
		if (now - seen->last < SEEN_INTERVAL_MS)
			return;
		list_unlink(&seen->le);
	}
	else {
		if (list_count(&ss->seen) >= SEEN_MAX) {
			struct le *oldest = list_head(&ss->seen);

			list_unlink(oldest);
			mem_deref(oldest->data);
		}

		seen = mem_zalloc(sizeof(*seen), NULL);
		if (!seen)
			return;
		seen->addr = msg->src;
		seen->count = 1;
	}

	list_append(&ss->seen, &seen->le, seen);
	seen->last = now;

	ata_security("event=rejected src=%J method=%r ruri=%r count=%u "
		     "reason=untrusted-source", &msg->src, &msg->met,
		     &msg->ruri, seen->count);
}


/* Dropped without a reply: counted, and logged (rate-limited) */
void sip_stack_trust_drop(struct sip_stack *ss, const struct sip_msg *msg)
{
	++ss->dropped;
	log_rejected(ss, msg);
}


/* A request we may answer: refuse what RFC 3261 8.2 says a UAS must
   refuse (true = answered here, libre's listeners never see it) */
static bool checked_reply(struct sip_stack *ss, const struct sip_msg *msg)
{
	struct sip_check chk;

	sip_check_request(&chk, msg);
	if (!chk.scode)
		return false;
	if (!pl_isset(&msg->via.sentby))
		return true;  /* nowhere to send a response */

	ata_info("sip: %r from %J refused: %u %s", &msg->met, &msg->src,
		 chk.scode, chk.reason);
	(void)sip_treplyf(NULL, NULL, ss->sip, msg, false, chk.scode,
			  chk.reason, "%HContent-Length: 0\r\n\r\n",
			  sip_check_unsupported, &chk);

	return true;
}


/* First request listener: true = consumed (dropped silently) */
bool sip_stack_trust_filter(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;

	if (sip_stack_self_seen(ss, msg))
		return true;

	if (sip_stack_trust_ok(ss, msg))
		return checked_reply(ss, msg);

	sip_stack_trust_drop(ss, msg);

	return true;
}


/**
 * Accept requests from @p addr's IP (any port: proxies answer from
 * other ports, TCP from ephemeral ones). ENOSPC past TRUST_MAX.
 */
int sip_stack_trust(struct sip_stack *ss, const struct sa *addr)
{
	struct stack_addr *ta;

	if (!ss || !addr || !sa_isset(addr, SA_ADDR))
		return EINVAL;

	if (addr_find(&ss->trusted, addr))
		return 0;

	if (list_count(&ss->trusted) >= TRUST_MAX)
		return ENOSPC;

	ta = mem_zalloc(sizeof(*ta), NULL);
	if (!ta)
		return ENOMEM;

	ta->addr = *addr;
	list_append(&ss->trusted, &ta->le, ta);
	ata_debug("sip: trusting %j", addr);

	return 0;
}
