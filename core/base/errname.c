/**
 * @file errname.c  An errno value's name (ETIMEDOUT), for events
 *
 * Events are read by programs (a web UI, a monitoring script) that may
 * run on another architecture than the box, where the numbers differ
 * (ENOTCONN is 107 on x86 and ARM, 134 on MIPS): so events say the name.
 * Our own table, not glibc's strerrorname_np: musl (OpenWrt) has none.
 */
#include <errno.h>
#include <re.h>  /* EAUTH and friends where libc has none */
#include "ataua.h"

#define E(name) { name, #name }

static const struct {
	int err;
	const char *name;
} names[] = {
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC),
	E(EPIPE), E(EDOM), E(ERANGE), E(ENOSYS), E(ENODATA), E(ETIME),
	E(EPROTO), E(EBADMSG), E(EOVERFLOW), E(EMSGSIZE),
	E(ENOTSUP),  /* before EOPNOTSUPP: the same number on Linux */
	E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET),
	E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN),
	E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(EDESTADDRREQ),
	E(ENOTSOCK), E(ECANCELED), E(EAUTH),
};


/**
 * The name of @p err ("ETIMEDOUT"); "OK" for 0, "EUNKNOWN" for a value
 * not in the table (its number would mean another thing elsewhere)
 */
const char *ata_errname(int err)
{
	size_t i;

	if (!err)
		return "OK";

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].err == err)
			return names[i].name;
	}

	return "EUNKNOWN";
}
