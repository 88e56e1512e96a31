/**
 * @file action.h  `atactl -a SCRIPT`: run a script for each event
 */
#ifndef ATA_ACTION_H
#define ATA_ACTION_H

#include <signal.h>

struct action_opts {
	const char *path;          /* control socket */
	const char *script;        /* executable, run without a shell */
	int level;                 /* events up to this level */
	int timeout_ms;            /* reply timeout of ATTACH */
	int limit_ms;              /* a run's time limit */
};

/** Default time limit of one run, seconds */
#define ATA_ACTION_LIMIT_S   30
/** Events waiting while a run goes on, at most */
#define ATA_ACTION_QUEUE_MAX 64

int action_run(const struct action_opts *o,
	       volatile sig_atomic_t *stop);

#endif
