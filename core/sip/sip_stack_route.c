/**
 * @file sip_stack_route.c  Requests up to the layer above, unnamed
 *
 * A new INVITE goes to the handler of the user it is for (404 for no
 * user), as libre's sipsess_conn_h; each dialog of the layer above (a
 * call) says which requests are its own: inside it (they pass
 * accept_from) or its opening INVITE again (no new call).
 */
#include <re.h>
#include "ataua.h"
#include "sip_stack_priv.h"

struct stack_user {
	struct le le;
	char *user;
	sip_stack_invite_h *inh;
	void *arg;
};

struct sip_stack_dialog {
	struct le le;
	struct sip_stack *ss;
	sip_stack_match_h *dialogh;  /* a request inside the dialog */
	sip_stack_match_h *inviteh;  /* the INVITE that opens it, again */
	void *arg;
};


static void user_destructor(void *arg)
{
	struct stack_user *u = arg;

	list_unlink(&u->le);
	mem_deref(u->user);
}


static struct stack_user *user_find(const struct sip_stack *ss,
				    const struct pl *user)
{
	struct le *le;

	for (le = list_head(&ss->users); le; le = le->next) {
		struct stack_user *u = le->data;

		if (!pl_strcmp(user, u->user))
			return u;
	}

	return NULL;
}


bool sip_stack_route_in_dialog(const struct sip_stack *ss,
			       const struct sip_msg *msg)
{
	struct le *le;

	if (!pl_isset(&msg->to.tag))
		return false;

	for (le = list_head(&ss->dialogs); le; le = le->next) {
		const struct sip_stack_dialog *d = le->data;

		if (d->dialogh && d->dialogh(msg, d->arg))
			return true;
	}

	return false;
}


/* A retransmission of an INVITE a dialog is still deciding on */
static bool invite_again(const struct sip_stack *ss,
			 const struct sip_msg *msg)
{
	struct le *le;

	for (le = list_head(&ss->dialogs); le; le = le->next) {
		const struct sip_stack_dialog *d = le->data;

		if (d->inviteh && d->inviteh(msg, d->arg))
			return true;
	}

	return false;
}


/* A new INVITE (libre's sipsess_conn_h): to the user it is for */
void sip_stack_route_invite(const struct sip_msg *msg, void *arg)
{
	struct sip_stack *ss = arg;
	struct stack_user *u;

	if (invite_again(ss, msg))
		return;  /* retransmission, still being decided */

	u = user_find(ss, &msg->uri.user);
	if (!u) {
		ata_info("sip: INVITE from %J for unknown user '%r'",
			 &msg->src, &msg->uri.user);
		(void)sip_treply(NULL, ss->sip, msg, 404, "Not Found");
		return;
	}

	u->inh(msg, u->arg);
}


/**
 * Hand new INVITEs whose Request-URI user is @p user to @p inh.
 * EALREADY if taken.
 */
int sip_stack_add_user(struct sip_stack *ss, const char *user,
		       sip_stack_invite_h *inh, void *arg)
{
	struct stack_user *u;
	struct pl pl;
	int err;

	if (!ss || !str_isset(user) || !inh)
		return EINVAL;

	pl_set_str(&pl, user);
	if (user_find(ss, &pl))
		return EALREADY;

	u = mem_zalloc(sizeof(*u), user_destructor);
	if (!u)
		return ENOMEM;

	err = str_dup(&u->user, user);
	if (err) {
		mem_deref(u);
		return err;
	}

	u->inh = inh;
	u->arg = arg;
	list_append(&ss->users, &u->le, u);

	return 0;
}


void sip_stack_del_user(struct sip_stack *ss, const char *user)
{
	struct pl pl;

	if (!ss || !user)
		return;

	pl_set_str(&pl, user);
	mem_deref(user_find(ss, &pl));
}


static void dialog_destructor(void *arg)
{
	struct sip_stack_dialog *d = arg;

	list_unlink(&d->le);
	mem_deref(d->ss);
}


/**
 * A dialog of the upper layer (a call): requests that @p dialogh says
 * are inside it pass accept_from, and INVITEs that @p inviteh says are
 * its opening INVITE again reach no user. Dropping it unregisters.
 */
int sip_stack_dialog_alloc(struct sip_stack_dialog **dp,
			   struct sip_stack *ss, sip_stack_match_h *dialogh,
			   sip_stack_match_h *inviteh, void *arg)
{
	struct sip_stack_dialog *d;

	if (!dp || !ss)
		return EINVAL;

	d = mem_zalloc(sizeof(*d), dialog_destructor);
	if (!d)
		return ENOMEM;

	d->ss = mem_ref(ss);
	d->dialogh = dialogh;
	d->inviteh = inviteh;
	d->arg = arg;
	list_append(&ss->dialogs, &d->le, d);
	*dp = d;

	return 0;
}
