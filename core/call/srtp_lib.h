/**
 * @file srtp_lib.h  libsrtp2, loaded with dlopen() on the first SRTP call
 *
 * ataua is not linked with libsrtp2: its NSS backend (libnss3,
 * libnssutil3, libnspr4, libplc4, libplds4) alone keeps ~600 kB
 * resident in every process, and most lines never use SRTP. The
 * headers still give the types; __typeof__ gives each pointer the
 * exact prototype, so a mismatch fails at compile time. Only the
 * re_main thread calls these.
 */
#ifndef ATA_SRTP_LIB_H
#define ATA_SRTP_LIB_H

#include <srtp2/srtp.h>

/**
 * The soname: the Makefile passes the one of the library the build
 * compiles against ($(BUILD)/sonames); this, Debian 12's libsrtp2-1,
 * is for builds without it (tests/fuzz/run.sh)
 */
#ifndef SRTP_LIB_FILE
#define SRTP_LIB_FILE "libsrtp2.so.1"
#endif

/** The libsrtp2 functions ataua calls */
struct srtp_lib {
	__typeof__(srtp_init)          *init;
	__typeof__(srtp_create)        *create;
	__typeof__(srtp_dealloc)       *dealloc;
	__typeof__(srtp_protect)       *protect;
	__typeof__(srtp_unprotect)     *unprotect;
	__typeof__(srtp_protect_rtcp)  *protect_rtcp;
	__typeof__(srtp_unprotect_rtcp) *unprotect_rtcp;
	/** the _80 suite (a macro for this in srtp.h) */
	__typeof__(srtp_crypto_policy_set_rtp_default) *policy_80;
	__typeof__(srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32)
		*policy_32;
};

/**
 * The loaded library, opening @p file (NULL: SRTP_LIB_FILE) the first
 * time. Once loaded it stays: live sessions point into it. A failure
 * is logged with dlerror()'s reason and not remembered, so installing
 * the library later needs no restart. ELIBACC (cannot open), ELIBBAD
 * (a symbol is missing).
 */
int srtp_lib_get(const struct srtp_lib **libp, const char *file);

#endif
