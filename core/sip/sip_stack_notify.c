/**
 * @file sip_stack_notify.c  NOTIFYs up to the layer above, unnamed
 *
 * Event subscriptions run on one libre sipevent socket per stack
 * (sip_stack_evsock): the NOTIFYs inside a subscription's dialog go to
 * it. A NOTIFY outside any dialog (no To tag: an "unsolicited" NOTIFY,
 * as Asterisk and many proxies send message-summary to a registered
 * contact) goes to the handler registered for its Request-URI user and
 * Event package; other out-of-dialog NOTIFYs go on to sipevent, which
 * answers 481. Only requests that passed accept_from get here: the
 * stack's first listener (sip_stack_trust.c) drops the rest.
 */
#include <re.h>
#include "ataua.h"
#include "sip_stack_priv.h"

struct sip_stack_notify {
	struct le le;
	struct sip_stack *ss;
	char *user;
	char *event;
	sip_stack_notify_h *h;
	void *arg;
};


static void notify_destructor(void *arg)
{
	struct sip_stack_notify *n = arg;

	list_unlink(&n->le);
	mem_deref(n->user);
	mem_deref(n->event);
	mem_deref(n->ss);
}


static struct sip_stack_notify *notify_find(const struct sip_stack *ss,
					    const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_EVENT);
	struct sipevent_event ev;
	struct le *le;

	if (!hdr || sipevent_event_decode(&ev, &hdr->val))
		return NULL;

	for (le = list_head(&ss->notifies); le; le = le->next) {
		struct sip_stack_notify *n = le->data;

		if (!pl_strcmp(&msg->uri.user, n->user) &&
		    !pl_strcasecmp(&ev.event, n->event))
			return n;
	}

	return NULL;
}


/* A listener after sipsess and before sipevent: true = handed up */
bool sip_stack_notify_route(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;
	struct sip_stack_notify *n;

	if (pl_strcmp(&msg->met, "NOTIFY") || pl_isset(&msg->to.tag))
		return false;

	n = notify_find(ss, msg);
	if (!n)
		return false;

	n->h(msg, n->arg);

	return true;
}


/**
 * Hand out-of-dialog NOTIFYs of Event package @p event whose
 * Request-URI user is @p user to @p h, which replies. Dropping *@p np
 * unregisters. EINVAL, ENOMEM.
 */
int sip_stack_notify_alloc(struct sip_stack_notify **np,
			   struct sip_stack *ss, const char *user,
			   const char *event, sip_stack_notify_h *h,
			   void *arg)
{
	struct sip_stack_notify *n;
	int err;

	if (!np || !ss || !str_isset(user) || !str_isset(event) || !h)
		return EINVAL;

	n = mem_zalloc(sizeof(*n), notify_destructor);
	if (!n)
		return ENOMEM;

	err  = str_dup(&n->user, user);
	err |= str_dup(&n->event, event);
	if (err) {
		mem_deref(n);
		return err;
	}

	n->ss = mem_ref(ss);
	n->h = h;
	n->arg = arg;
	list_append(&ss->notifies, &n->le, n);
	*np = n;

	return 0;
}


/** The stack's sipevent socket, for sipevent_subscribe() */
struct sipevent_sock *sip_stack_evsock(const struct sip_stack *ss)
{
	return ss ? ss->evsock : NULL;
}
