/**
 * @file call_srtp.h  SRTP (libsrtp2) and SDES a=crypto (RFC 4568) for calls
 *
 * One struct call_srtp holds the SRTP contexts of a call: tx (our key,
 * protects what we send) and rx (the peer's key, unprotects what we
 * receive), each once for RTP and once for RTCP. Key material never
 * reaches the log, at any level. Everything runs on the re_main thread,
 * except that the RTP pair and the RTCP pair share no state: RTP
 * (call_srtp_protect/unprotect) may move to one other thread while
 * RTCP stays on re_main (issue #13). The policy (off, optional,
 * mandatory) is enum call_srtp_policy in call.h.
 */
#ifndef ATA_CALL_SRTP_H
#define ATA_CALL_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct re_printf;
struct pl;

enum call_srtp_suite {
	CALL_SRTP_NONE = 0,
	CALL_SRTP_AES_CM_128_HMAC_SHA1_80,
	CALL_SRTP_AES_CM_128_HMAC_SHA1_32,
};

enum {
	CALL_SRTP_KEYLEN  = 16,           /**< AES-128 master key          */
	CALL_SRTP_SALTLEN = 14,           /**< Master salt                 */
	CALL_SRTP_KEYSALT = 30,           /**< Key + salt, as in inline:   */
	CALL_SRTP_B64LEN  = 40,           /**< base64 of 30 bytes          */
	/** Room protect needs after the packet: a 10-byte tag (4 for
	    _32) on RTP; 4-byte SRTCP index + 10-byte tag on RTCP */
	CALL_SRTP_TRAILER = 16,
};

/** One a=crypto line */
struct call_crypto {
	uint32_t tag;                      /**< 1..999999999            */
	enum call_srtp_suite suite;
	uint8_t keysalt[CALL_SRTP_KEYSALT];
	uint64_t lifetime;                 /**< Packets; 0: not given   */
	uint32_t mki;                      /**< MKI value if mki_len    */
	uint8_t mki_len;                   /**< MKI bytes; 0: no MKI    */
};

struct call_srtp;

/**
 * Load (dlopen) and initialise libsrtp2; call_srtp_alloc calls it, later
 * calls are no-ops. ELIBACC/ELIBBAD (library missing or unusable: logged
 * once per attempt, the call is refused), EPROTO (srtp_init failed).
 */
int  call_srtp_init(void);

/**
 * Allocate both directions. @p tx_key and @p rx_key are 30-byte master
 * key+salt each. Returns EINVAL, ENOTSUP (suite), ENOMEM, EPROTO, or
 * what call_srtp_init returns.
 */
int  call_srtp_alloc(struct call_srtp **sp, enum call_srtp_suite suite,
		     const uint8_t *tx_key, const uint8_t *rx_key);

/**
 * Protect an RTP packet in place; @p len grows by the auth tag, @p cap
 * is the buffer size (needs *len + CALL_SRTP_TRAILER). Returns EINVAL,
 * EOVERFLOW (cap) or EPROTO.
 */
int  call_srtp_protect(struct call_srtp *s, uint8_t *pkt, size_t *len,
		       size_t cap);
/**
 * Check and decrypt an SRTP packet in place; @p len shrinks. Returns
 * EINVAL, EBADMSG (too short, bad auth tag) or EALREADY (replay).
 */
int  call_srtp_unprotect(struct call_srtp *s, uint8_t *pkt, size_t *len);
int  call_srtp_protect_rtcp(struct call_srtp *s, uint8_t *pkt,
			    size_t *len, size_t cap);
int  call_srtp_unprotect_rtcp(struct call_srtp *s, uint8_t *pkt,
			      size_t *len);
enum call_srtp_suite call_srtp_suite(const struct call_srtp *s);

/* srtp_sdes.c: a=crypto parse/format, keys */
const char *call_srtp_suite_name(enum call_srtp_suite suite);
/** Suite by its RFC 4568 name; CALL_SRTP_NONE if unknown */
enum call_srtp_suite call_srtp_suite_find(const struct pl *name);

/**
 * Parse an a=crypto value ("1 AES_CM_128_HMAC_SHA1_80 inline:...").
 * Returns EINVAL (NULL), EBADMSG (syntax, no key, bad base64, wrong
 * key length, bad lifetime/MKI) or ENOTSUP (unknown suite, more than
 * one key, or a session parameter we do not implement). A line with
 * an MKI parses (mki_len set) but negotiation does not use it.
 */
int  call_crypto_decode(struct call_crypto *c, const char *val);
/** Print the a=crypto value (without "crypto:"); contains the key */
int  call_crypto_encode(struct re_printf *pf, const struct call_crypto *c);
/** Fill @p c with @p tag, @p suite and a fresh random key. ENOTSUP/EIO */
int  call_crypto_generate(struct call_crypto *c, uint32_t tag,
			  enum call_srtp_suite suite);

#endif
