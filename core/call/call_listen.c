/**
 * @file call_listen.c  INVITEs to one user become calls (or refusals)
 *
 * The SIP stack hands a new INVITE up to the user it is for (its 404
 * for unknown users comes first). Here it becomes a call with that
 * user's media and SRTP policy, for the line's handler; or it is
 * refused: 400 for SDP we cannot read, 486 with a Warning when the
 * bandwidth is taken (admission), 488 for the SRTP policy or no common
 * codec, 500 otherwise.
 */
#include <re.h>
#include "ataua.h"
#include "admission.h"
#include "call_int.h"
#include "sip/sip_stack.h"

struct call_lsnr {
	struct sip_stack *ss;
	char *user;
	struct call_mprefs mp;    /* the line's media and SRTP policy */
	bool added;               /* sip_stack_add_user took it */
	call_incoming_h *inh;
	void *arg;
};


static void call_lsnr_destructor(void *arg)
{
	struct call_lsnr *cl = arg;

	if (cl->added)
		sip_stack_del_user(cl->ss, cl->user);
	mem_deref(cl->user);
	mem_deref(cl->ss);
}


static const char *srtp_policy_name(enum call_srtp_policy p)
{
	switch (p) {

	case CALL_SRTP_OFF:       return "off";
	case CALL_SRTP_OPTIONAL:  return "optional";
	case CALL_SRTP_MANDATORY: return "mandatory";
	default:                  return "?";
	}
}


static void invite_handler(const struct sip_msg *msg, void *arg)
{
	struct call_lsnr *cl = arg;
	struct sip *sip = sip_stack_sip(cl->ss);
	struct call *call;
	int err;

	err = call_incoming_alloc(&call, cl->ss, &cl->mp, msg, cl->user);
	if (err == EBADMSG) {
		(void)sip_treply(NULL, sip, msg, 400, "Bad SDP");
		return;
	}
	else if (err == ENOSPC) {
		/* call admission: the reason goes in a Warning (RFC 3261
		   20.43, code 399: miscellaneous) */
		(void)sip_treplyf(NULL, NULL, sip, msg, false, 486,
				  "Busy Here", "Warning: 399 ataua \"%s\"\r\n"
				  "Content-Length: 0\r\n\r\n",
				  admission_reason());
		return;
	}
	else if (err == EACCES) {
		ata_info("sip: INVITE from %r for '%s': refused by the SRTP "
			 "policy (srtp: %s)", &msg->from.auri, cl->user,
			 srtp_policy_name(cl->mp.srtp));
		(void)sip_treply(NULL, sip, msg, 488, "Not Acceptable Here");
		return;
	}
	else if (err == ENOTSUP || err == EPROTO) {
		ata_info("sip: INVITE from %r: no common codec",
			 &msg->from.auri);
		(void)sip_treply(NULL, sip, msg, 488, "Not Acceptable Here");
		return;
	}
	else if (err) {
		ata_warn("sip: incoming call: %m", err);
		(void)sip_treply(NULL, sip, msg, 500,
				 "Server Internal Error");
		return;
	}

	/* the line owns the call from here */
	cl->inh(call, cl->arg);
}


/**
 * Take INVITEs for @p user (the Request-URI user) as calls with @p mc
 * media (its SRTP policy too) and hand each to @p inh. Dropping the
 * listener lets the user go. EINVAL, EALREADY (the user is taken),
 * ENOMEM, or EINVAL for media settings call_sdp cannot use.
 */
int call_listen(struct call_lsnr **clp, struct sip_stack *ss,
		const char *user, const struct call_media_conf *mc,
		call_incoming_h *inh, void *arg)
{
	struct call_lsnr *cl;
	int err;

	if (!clp || !ss || !str_isset(user) || !mc || !inh)
		return EINVAL;

	cl = mem_zalloc(sizeof(*cl), call_lsnr_destructor);
	if (!cl)
		return ENOMEM;

	cl->ss = mem_ref(ss);
	cl->inh = inh;
	cl->arg = arg;
	err = str_dup(&cl->user, user);
	if (err)
		goto out;

	err = sip_stack_add_user(ss, user, invite_handler, cl);
	if (err)
		goto out;
	cl->added = true;

	err = call_mprefs_set(&cl->mp, mc);

 out:
	if (err)
		mem_deref(cl);
	else
		*clp = cl;

	return err;
}
