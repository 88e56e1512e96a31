/**
 * @file dl_lib.c  Open a library at run time and resolve its functions
 *
 * folder core/sys/: the operating system: run-time libraries
 * (dlopen), randomness, rtnetlink (link and address changes),
 * resolv.conf, /etc/hosts and the name-server resolver, systemd
 * readiness. Each hands what it sees up through handlers and names no
 * layer above.
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
