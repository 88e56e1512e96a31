/**
 * @file dl_lib.h  Open a library at run time and resolve its functions
 *
 * What srtp_lib.c and yaml_lib.c share: dlopen() with RTLD_NOW (a
 * missing symbol shows at once, as one clear error, not as a crash
 * later) and RTLD_LOCAL (its names do not mix with libre's), and a
 * lookup that stops at the first missing name and says which.
 */
#ifndef ATA_DL_LIB_H
#define ATA_DL_LIB_H

#include <stddef.h>

/**
 * dlopen @p file; NULL with dlerror()'s reason in @p why (@p whysz
 * bytes, may be NULL) when it cannot be opened
 */
void *dl_lib_open(const char *file, char *why, size_t whysz);

/**
 * @p name in @p h, unless *errp is set already; a missing name sets
 * *errp to ELIBBAD and says "FILE has no NAME" in @p why
 */
void *dl_lib_sym(void *h, const char *file, const char *name, int *errp,
		 char *why, size_t whysz);

/* Resolve @p name into the function pointer @p fp, typed by __typeof__
   (POSIX lets dlsym's void * become a function pointer) */
#define DL_LIB_RESOLVE(fp, h, file, name, errp, why, whysz) \
	((fp) = (__typeof__(fp))dl_lib_sym((h), (file), (name), (errp), \
					   (why), (whysz)))

#endif
