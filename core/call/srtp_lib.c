/**
 * @file srtp_lib.c  Open libsrtp2 at run time and resolve what we call
 *
 * Why at run time, and why it is never closed: see srtp_lib.h; how it
 * is opened (RTLD_NOW, RTLD_LOCAL: libre has srtp_* names of its own):
 * dl_lib.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include "sys/dl_lib.h"
#include "srtp_lib.h"
#include "ataua.h"

static struct srtp_lib lib;
static void *handle;


#define RESOLVE(field, name) \
	DL_LIB_RESOLVE(l.field, h, file, name, &err, why, sizeof(why))


static int load(const char *file)
{
	struct srtp_lib l;
	char why[256];
	void *h;
	int err = 0;

	h = dl_lib_open(file, why, sizeof(why));
	if (!h) {
		ata_err("srtp: cannot load %s (%s): SRTP calls are refused;"
			" install libsrtp2-1\n", file, why);
		return ELIBACC;
	}

	RESOLVE(init,           "srtp_init");
	RESOLVE(create,         "srtp_create");
	RESOLVE(dealloc,        "srtp_dealloc");
	RESOLVE(protect,        "srtp_protect");
	RESOLVE(unprotect,      "srtp_unprotect");
	RESOLVE(protect_rtcp,   "srtp_protect_rtcp");
	RESOLVE(unprotect_rtcp, "srtp_unprotect_rtcp");
	RESOLVE(policy_80,      "srtp_crypto_policy_set_rtp_default");
	RESOLVE(policy_32,
		"srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32");
	if (err) {
		ata_err("srtp: %s: SRTP calls are refused\n", why);
		dlclose(h);
		return err;
	}

	ata_info("srtp: %s loaded\n", file);
	lib = l;
	handle = h;

	return 0;
}


int srtp_lib_get(const struct srtp_lib **libp, const char *file)
{
	int err;

	if (!libp)
		return EINVAL;

	if (!handle) {
		err = load(file ? file : SRTP_LIB_FILE);
		if (err)
			return err;
	}

	*libp = &lib;

	return 0;
}
