/**
 * @file dl_lib.c  Open a library at run time and resolve its functions
 */
#include <dlfcn.h>
#include <errno.h>
#include <re.h>
#include "dl_lib.h"


void *dl_lib_open(const char *file, char *why, size_t whysz)
{
	void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);

	if (!h && why)
		str_ncpy(why, dlerror(), whysz);

	return h;
}


void *dl_lib_sym(void *h, const char *file, const char *name, int *errp,
		 char *why, size_t whysz)
{
	void *p;

	if (*errp)
		return NULL;

	p = dlsym(h, name);
	if (!p) {
		if (why)
			(void)re_snprintf(why, whysz, "%s has no %s", file,
					  name);
		*errp = ELIBBAD;
	}

	return p;
}
