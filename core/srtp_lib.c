/**
 * @file srtp_lib.c  Open libsrtp2 at run time and resolve what we call
 *
 * Why at run time, and why it is never closed: see srtp_lib.h. RTLD_NOW
 * so a missing symbol shows here, as one clear error, and not as a
 * crash in the middle of a call; RTLD_LOCAL so its names do not mix
 * with libre's own srtp_* functions.
 */
#include <dlfcn.h>
#include <errno.h>
#include "srtp_lib.h"
#include "ataua.h"

static struct srtp_lib lib;
static void *handle;


/* Look @p name up unless an earlier one failed; the first miss logs */
static void *sym(void *h, const char *name, const char *file, int *errp)
{
	void *p;

	if (*errp)
		return NULL;

	p = dlsym(h, name);
	if (!p) {
		ata_err("srtp: %s has no %s: SRTP calls are refused\n",
			file, name);
		*errp = ELIBBAD;
	}

	return p;
}


/* POSIX lets dlsym's void * become a function pointer */
#define RESOLVE(l, field, name) \
	((l)->field = (__typeof__((l)->field))sym(h, name, file, &err))


static int load(const char *file)
{
	struct srtp_lib l;
	void *h;
	int err = 0;

	h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		ata_err("srtp: cannot load %s (%s): SRTP calls are refused;"
			" install libsrtp2-1\n", file, dlerror());
		return ELIBACC;
	}

	RESOLVE(&l, init,           "srtp_init");
	RESOLVE(&l, create,         "srtp_create");
	RESOLVE(&l, dealloc,        "srtp_dealloc");
	RESOLVE(&l, protect,        "srtp_protect");
	RESOLVE(&l, unprotect,      "srtp_unprotect");
	RESOLVE(&l, protect_rtcp,   "srtp_protect_rtcp");
	RESOLVE(&l, unprotect_rtcp, "srtp_unprotect_rtcp");
	RESOLVE(&l, policy_80,      "srtp_crypto_policy_set_rtp_default");
	RESOLVE(&l, policy_32,
		"srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32");
	if (err) {
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
