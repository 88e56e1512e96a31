/**
 * @file call_srtp.c  SRTP/SRTCP packet protection for one call, on libsrtp2
 *
 * Four libsrtp2 sessions per call: tx is keyed with our master key and
 * takes any outbound SSRC, rx with the peer's and any inbound SSRC, so
 * an SSRC change by the peer needs no renegotiation; each of them once
 * for RTP and once for RTCP. A libsrtp2 session is not thread-safe (its
 * first packet of a new SSRC clones a stream into the session's list),
 * and RTP is to be protected on a line's media thread while RTCP stays
 * with libre on the main loop (issue #13): with a session each, the two
 * never share state. Both derive their keys from the same master key
 * (RFC 3711 4.3: distinct labels for SRTP and SRTCP keys), and each
 * protects only its own kind of packet, so no keystream is used twice.
 * libre's own re_srtp.h declares names close to libsrtp2's, so this
 * file includes only the libre headers it needs. libsrtp2 itself is
 * opened on the first call_srtp_init() (srtp_lib.c), so a process that
 * never sees an SRTP call never maps it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "srtp_lib.h"
#include <re_types.h>
#include <re_mem.h>
#include "call_srtp.h"

struct call_srtp {
	srtp_t tx, rx;             /* RTP  (the media thread's)      */
	srtp_t tx_rtcp, rx_rtcp;   /* RTCP (the main loop's)         */
	enum call_srtp_suite suite;
};

/* set once libsrtp2 is loaded and initialised; sessions exist only then */
static const struct srtp_lib *srtp;


/**
 * libsrtp2 must be loaded and initialised once before any session is
 * created. ELIBACC/ELIBBAD when it cannot be loaded (srtp_lib.c logs
 * why), EPROTO when srtp_init fails.
 */
int call_srtp_init(void)
{
	const struct srtp_lib *l;
	int err;

	if (srtp)
		return 0;

	err = srtp_lib_get(&l, NULL);
	if (err)
		return err;

	if (l->init() != srtp_err_status_ok)
		return EPROTO;

	srtp = l;

	return 0;
}


static void call_srtp_destructor(void *arg)
{
	struct call_srtp *s = arg;

	/* srtp_dealloc wipes the derived session keys */
	if (s->tx)
		(void)srtp->dealloc(s->tx);
	if (s->rx)
		(void)srtp->dealloc(s->rx);
	if (s->tx_rtcp)
		(void)srtp->dealloc(s->tx_rtcp);
	if (s->rx_rtcp)
		(void)srtp->dealloc(s->rx_rtcp);
}


static int set_policy(srtp_policy_t *pol, enum call_srtp_suite suite)
{
	switch (suite) {

	case CALL_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp->policy_80(&pol->rtp);
		break;

	case CALL_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp->policy_32(&pol->rtp);
		break;

	default:
		return ENOTSUP;
	}

	/* RFC 4568 6.2.2: SRTCP keeps the 80-bit tag with either suite */
	srtp->policy_80(&pol->rtcp);

	return 0;
}


static int session_create(srtp_t *sessp, enum call_srtp_suite suite,
			  srtp_ssrc_type_t dir, const uint8_t *keysalt)
{
	uint8_t key[CALL_SRTP_KEYSALT];
	srtp_policy_t pol;
	srtp_err_status_t st;
	int err;

	memset(&pol, 0, sizeof(pol));

	err = set_policy(&pol, suite);
	if (err)
		return err;

	/* libsrtp2 takes a non-const key; give it a copy we wipe */
	memcpy(key, keysalt, sizeof(key));
	pol.key = key;
	pol.ssrc.type = dir;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	pol.next = NULL;

	st = srtp->create(sessp, &pol);
	explicit_bzero(key, sizeof(key));

	if (st == srtp_err_status_alloc_fail)
		return ENOMEM;

	return st == srtp_err_status_ok ? 0 : EPROTO;
}


int call_srtp_alloc(struct call_srtp **sp, enum call_srtp_suite suite,
		    const uint8_t *tx_key, const uint8_t *rx_key)
{
	struct call_srtp *s;
	int err;

	if (!sp || !tx_key || !rx_key)
		return EINVAL;

	if (suite != CALL_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    suite != CALL_SRTP_AES_CM_128_HMAC_SHA1_32)
		return ENOTSUP;

	err = call_srtp_init();
	if (err)
		return err;

	s = mem_zalloc(sizeof(*s), call_srtp_destructor);
	if (!s)
		return ENOMEM;

	s->suite = suite;

	err = session_create(&s->tx, suite, ssrc_any_outbound, tx_key);
	if (err)
		goto out;

	err = session_create(&s->rx, suite, ssrc_any_inbound, rx_key);
	if (err)
		goto out;

	err = session_create(&s->tx_rtcp, suite, ssrc_any_outbound, tx_key);
	if (err)
		goto out;

	err = session_create(&s->rx_rtcp, suite, ssrc_any_inbound, rx_key);

 out:
	if (err)
		mem_deref(s);
	else
		*sp = s;

	return err;
}


static int status_to_errno(srtp_err_status_t st)
{
	switch (st) {

	case srtp_err_status_ok:
		return 0;

	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return EALREADY;

	case srtp_err_status_auth_fail:
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return EBADMSG;

	case srtp_err_status_alloc_fail:
		return ENOMEM;

	default:
		return EPROTO;
	}
}


/* Shared checks: libsrtp2 counts in int and writes its trailer after
   the packet without knowing the buffer size. */
static int protect(srtp_t sess, uint8_t *pkt, size_t *len, size_t cap,
		   bool rtcp)
{
	srtp_err_status_t st;
	int ilen;

	if (!sess || !pkt || !len)
		return EINVAL;

	if (*len < (rtcp ? 8u : 12u))
		return EBADMSG;

	if (*len > INT_MAX - CALL_SRTP_TRAILER ||
	    cap < *len + CALL_SRTP_TRAILER)
		return EOVERFLOW;

	ilen = (int)*len;
	st = rtcp ? srtp->protect_rtcp(sess, pkt, &ilen) :
		srtp->protect(sess, pkt, &ilen);
	if (st != srtp_err_status_ok)
		return status_to_errno(st);

	*len = (size_t)ilen;

	return 0;
}


static int unprotect(srtp_t sess, uint8_t *pkt, size_t *len, bool rtcp)
{
	srtp_err_status_t st;
	int ilen;

	if (!sess || !pkt || !len)
		return EINVAL;

	if (*len < (rtcp ? 8u : 12u) || *len > INT_MAX)
		return EBADMSG;

	ilen = (int)*len;
	st = rtcp ? srtp->unprotect_rtcp(sess, pkt, &ilen) :
		srtp->unprotect(sess, pkt, &ilen);
	if (st != srtp_err_status_ok)
		return status_to_errno(st);

	*len = (size_t)ilen;

	return 0;
}


int call_srtp_protect(struct call_srtp *s, uint8_t *pkt, size_t *len,
		      size_t cap)
{
	return protect(s ? s->tx : NULL, pkt, len, cap, false);
}


int call_srtp_unprotect(struct call_srtp *s, uint8_t *pkt, size_t *len)
{
	return unprotect(s ? s->rx : NULL, pkt, len, false);
}


int call_srtp_protect_rtcp(struct call_srtp *s, uint8_t *pkt, size_t *len,
			   size_t cap)
{
	return protect(s ? s->tx_rtcp : NULL, pkt, len, cap, true);
}


int call_srtp_unprotect_rtcp(struct call_srtp *s, uint8_t *pkt, size_t *len)
{
	return unprotect(s ? s->rx_rtcp : NULL, pkt, len, true);
}


enum call_srtp_suite call_srtp_suite(const struct call_srtp *s)
{
	return s ? s->suite : CALL_SRTP_NONE;
}
