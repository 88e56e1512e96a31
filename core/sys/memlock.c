/**
 * @file memlock.c  Keep the daemon's memory in RAM once it is used
 *
 * On an ATA the binary and its libraries live on flash; under memory
 * pressure the kernel may drop their pages and read them back when next
 * run, a major fault of milliseconds that the audio thread, running
 * real-time, cannot afford. mlockall(MCL_CURRENT | MCL_FUTURE |
 * MCL_ONFAULT) locks every page once it has been touched: nothing is
 * faulted in ahead (the resident size stays what it is; thread stacks
 * are not populated whole) and nothing used is paged out again.
 *
 * Only where it cannot fail later: with MCL_FUTURE, a mapping beyond
 * RLIMIT_MEMLOCK would make malloc fail, so an unprivileged daemon
 * locks only when the limit is unlimited (the shipped systemd unit sets
 * LimitMEMLOCK=infinity), root always. Otherwise a notice says why not.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "ataua.h"
#include "memlock.h"

static bool locked;


/**
 * Lock (@p on: media.rt_priority > 0) or unlock the daemon's memory.
 * Returns 0, or why it could not (a notice is logged then).
 */
int memlock_apply(bool on)
{
	struct rlimit rl;
	int err = 0;

	if (!on) {
		if (locked && !munlockall())
			ata_info("memory: unlocked (media.rt_priority: 0)\n");
		locked = false;
		return 0;
	}

	if (locked)
		return 0;

#ifdef MCL_ONFAULT
	if (geteuid() != 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur != RLIM_INFINITY)) {
		ata_notice("memory: not locked: RLIMIT_MEMLOCK is %llu kB, "
			   "not unlimited (LimitMEMLOCK=infinity in the "
			   "unit, or root): the audio path may be paged "
			   "out\n", (unsigned long long)rl.rlim_cur / 1024);
		return EPERM;
	}

	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {
		err = errno;
		ata_notice("memory: not locked: mlockall: %m\n", err);
		return err;
	}

	locked = true;
	ata_info("memory: locked once used (mlockall on fault): the audio "
		 "path is never paged out\n");
#else
	(void)rl;
	err = ENOTSUP;
	ata_notice("memory: not locked: no MCL_ONFAULT on this system\n");
#endif

	return err;
}
