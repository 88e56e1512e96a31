/**
 * @file call_sdes.c  SDES key exchange (RFC 4568) on top of call_sdp.c
 *
 * Decides from the account's policy and the peer's a=crypto lines
 * whether a call is SRTP, and keeps the keys and the libsrtp2 contexts.
 * The policy is documented at enum call_srtp_policy (call.h). Nothing
 * here logs: the lines carry keys.
 */
#include <string.h>
#include <re.h>
#include "call_int.h"

static const char attr_crypto[] = "crypto";
static const char proto_avp[] = "RTP/AVP";
static const char proto_savp[] = "RTP/SAVP";

/* What the peer's a=crypto lines held */
struct rcrypto_scan {
	unsigned count;          /* lines seen                    */
	bool found;              /* pick holds the first usable   */
	struct call_crypto pick;
};


static void crypto_wipe(struct call_crypto *c)
{
	explicit_bzero(c, sizeof(*c));
}


/* First usable line in the peer's order (its preference, RFC 4568) */
static bool rcrypto_handler(const char *name, const char *value, void *arg)
{
	struct rcrypto_scan *scan = arg;
	struct call_crypto c;
	(void)name;

	++scan->count;

	if (call_crypto_decode(&c, value) || c.mki_len) {
		crypto_wipe(&c);
		return false;
	}

	scan->pick = c;
	scan->found = true;
	crypto_wipe(&c);

	return true;
}


static void rcrypto_scan(struct rcrypto_scan *scan,
			 const struct sdp_media *m)
{
	memset(scan, 0, sizeof(*scan));
	(void)sdp_media_rattr_apply(m, attr_crypto, rcrypto_handler, scan);

	/* libre files "a=crypto:" (empty value) under the name "crypto:" */
	if (sdp_media_rattr(m, "crypto:"))
		++scan->count;
}


static int set_lcrypto(struct sdp_media *m, const struct call_crypto *cv,
		       size_t cc)
{
	size_t i;
	int err = 0;

	sdp_media_del_lattr(m, attr_crypto);

	for (i = 0; i < cc && !err; i++)
		err = sdp_media_set_lattr(m, false, attr_crypto, "%H",
					  call_crypto_encode, &cv[i]);

	return err;
}


/**
 * Set up @p sd for @p policy on our audio line @p m: the profiles we
 * accept in offers and the keys we offer. EINVAL, ENOMEM or EIO.
 */
int call_sdes_init(struct call_sdes *sd, enum call_srtp_policy policy,
		   struct sdp_media *m)
{
	int err;

	if (!sd || !m || policy > CALL_SRTP_MANDATORY)
		return EINVAL;

	memset(sd, 0, sizeof(*sd));
	sd->policy = policy;

	if (policy == CALL_SRTP_OFF)
		return 0;

	/* libre answers with the profile of the offer if it is listed */
	err = sdp_media_set_alt_protos(m, 2, proto_avp, proto_savp);
	if (err)
		return err;

	err = call_crypto_generate(&sd->lcv[0], 1,
				   CALL_SRTP_AES_CM_128_HMAC_SHA1_80);
	if (!err)
		err = call_crypto_generate(&sd->lcv[1], 2,
					   CALL_SRTP_AES_CM_128_HMAC_SHA1_32);
	if (err)
		return err;

	sd->lcc = 2;

	return set_lcrypto(m, sd->lcv, sd->lcc);
}


/** Wipe the keys and drop the contexts */
void call_sdes_reset(struct call_sdes *sd)
{
	if (!sd)
		return;

	mem_deref(sd->srtp);
	explicit_bzero(sd, sizeof(*sd));
}


/** Put our offered keys on @p m before an offer is encoded */
int call_sdes_offer(struct call_sdes *sd, struct sdp_media *m)
{
	if (!sd || !m)
		return EINVAL;

	return set_lcrypto(m, sd->lcv, sd->lcc);
}


static bool same_agreement(const struct call_sdes *sd,
			   const struct call_crypto *local,
			   const struct call_crypto *remote)
{
	return sd->srtp && sd->local.suite == local->suite &&
		sd->local.tag == local->tag && sd->remote.tag == remote->tag &&
		!mem_seccmp(sd->local.keysalt, local->keysalt,
			    CALL_SRTP_KEYSALT) &&
		!mem_seccmp(sd->remote.keysalt, remote->keysalt,
			    CALL_SRTP_KEYSALT);
}


/* Make local/remote the agreement; nothing changes on error */
static int agree(struct call_sdes *sd, const struct call_crypto *local,
		 const struct call_crypto *remote)
{
	struct call_srtp *srtp;
	int err;

	if (same_agreement(sd, local, remote))
		return 0;

	err = call_srtp_alloc(&srtp, local->suite, local->keysalt,
			      remote->keysalt);
	if (err)
		return err;

	mem_deref(sd->srtp);
	sd->srtp = srtp;
	sd->local = *local;
	sd->remote = *remote;

	/* later offers of ours repeat the agreed key only */
	crypto_wipe(&sd->lcv[1]);
	sd->lcv[0] = *local;
	sd->lcc = 1;

	return 0;
}


static void go_plain(struct call_sdes *sd)
{
	sd->srtp = mem_deref(sd->srtp);
	crypto_wipe(&sd->local);
	crypto_wipe(&sd->remote);
}


/**
 * We answer the offer decoded into @p m: pick the first usable crypto
 * line and put our answering line on @p m. EACCES (answer 488) when
 * the policy or the profile needs crypto and none is usable, or the
 * policy is off and the offer is RTP/SAVP (EACCES, not ENOTSUP, so the
 * 488 can say "SRTP policy", not "no common codec"); ENOMEM, EIO. The
 * previous agreement stays on error.
 */
int call_sdes_answer(struct call_sdes *sd, struct sdp_media *m)
{
	struct rcrypto_scan scan;
	struct call_crypto local;
	bool savp;
	int err;

	if (!sd || !m)
		return EINVAL;

	savp = !str_casecmp(sdp_media_proto(m), proto_savp);

	if (sd->policy == CALL_SRTP_OFF) {
		if (savp)
			return EACCES;
		sdp_media_del_lattr(m, attr_crypto);
		return 0;
	}

	rcrypto_scan(&scan, m);

	if (!scan.found) {
		if (scan.count || savp || sd->policy == CALL_SRTP_MANDATORY)
			return EACCES;

		go_plain(sd);
		sdp_media_del_lattr(m, attr_crypto);
		return 0;
	}

	/* the same line again (re-INVITE): keep our key and context; a
	   new peer key gets a new key of ours too, so no keystream of
	   the old context is ever reused */
	if (sd->srtp && sd->remote.tag == scan.pick.tag &&
	    sd->remote.suite == scan.pick.suite &&
	    !mem_seccmp(sd->remote.keysalt, scan.pick.keysalt,
			CALL_SRTP_KEYSALT)) {
		local = sd->local;
	}
	else {
		err = call_crypto_generate(&local, scan.pick.tag,
					   scan.pick.suite);
		if (err)
			goto out;
	}

	err = agree(sd, &local, &scan.pick);
	if (!err)
		err = set_lcrypto(m, &sd->local, 1);

 out:
	crypto_wipe(&local);
	crypto_wipe(&scan.pick);

	return err;
}


/**
 * The peer answered our offer; its answer is decoded into @p m. EPROTO
 * when the answer's crypto does not match an offered line or the policy
 * is mandatory and the answer has none.
 */
int call_sdes_recv_answer(struct call_sdes *sd, struct sdp_media *m)
{
	struct rcrypto_scan scan;
	size_t i;
	int err;

	if (!sd || !m)
		return EINVAL;

	if (sd->policy == CALL_SRTP_OFF)
		return 0;

	rcrypto_scan(&scan, m);

	if (!scan.count) {
		if (sd->policy == CALL_SRTP_MANDATORY)
			return EPROTO;

		go_plain(sd);
		return 0;
	}

	err = EPROTO;
	for (i = 0; scan.found && i < sd->lcc; i++) {
		if (sd->lcv[i].tag == scan.pick.tag &&
		    sd->lcv[i].suite == scan.pick.suite) {
			struct call_crypto local = sd->lcv[i];

			err = agree(sd, &local, &scan.pick);
			crypto_wipe(&local);
			break;
		}
	}

	crypto_wipe(&scan.pick);

	return err;
}
