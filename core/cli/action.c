/**
 * @file action.c  `atactl -a SCRIPT`: run a script for each event
 *
 * folder core/cli/: atactl, the control client: a program of its own
 * that shares with the daemon only base/: the protocol's names and the
 * reader of its lines (base/ctrl_record.c).
 *
 * Like `wpa_cli -a`: one ATTACH connection; for each event the script
 * runs as `SCRIPT NAME` with the event in its environment (action_env.h),
 * one run at a time, in the order the events came. Events that arrive
 * during a run wait in a queue of ATA_ACTION_QUEUE_MAX; more are dropped
 * (counted, said on stderr and told to the next run as ATAUA_DROPPED).
 * Reading goes on during a run, so the daemon never drops us as a slow
 * reader.
 *
 * A run that passes its time limit gets SIGTERM to its process group
 * (the script is a group leader, setpgid), SIGKILL a second later; the
 * next event then runs. When the daemon goes away, we connect again
 * once a second (events meanwhile are lost) and keep going until
 * SIGINT or SIGTERM; only a daemon that cannot be reached at the start
 * is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "base/ctrl_proto.h"
#include "ctrl_client.h"
#include "action_env.h"
#include "action.h"

extern char **environ;

enum {
	LINE_BYTES = 8192,
	RECONNECT_MS = 1000,
	KILL_GRACE_MS = 1000,
	CHILD_POLL_MS = 200,       /* SIGCHLD may come just before poll() */
};

struct action {
	const struct action_opts *o;
	struct ctrl_client *cc;
	char *queue[ATA_ACTION_QUEUE_MAX];
	size_t head, len;
	unsigned dropped;          /* since the last run started */
	pid_t pid;                 /* the run, 0 if none */
	char name[64];             /* its event */
	long long deadline;        /* its time limit */
	long long kill_at;         /* SIGKILL after SIGTERM, 0: not yet */
	long long reconnect_at;
};


static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void sigchld_handler(int sig)
{
	(void)sig;               /* only to wake poll() with EINTR */
}


static void queue_push(struct action *a, const char *line)
{
	char *copy;

	if (a->len == ATA_ACTION_QUEUE_MAX || !(copy = strdup(line))) {
		if (!a->dropped)
			fprintf(stderr, "atactl: %d events wait for %s: "
				"dropping events\n", ATA_ACTION_QUEUE_MAX,
				a->o->script);
		++a->dropped;
		return;
	}

	a->queue[(a->head + a->len++) % ATA_ACTION_QUEUE_MAX] = copy;
}


static char *queue_pop(struct action *a)
{
	char *line;

	if (!a->len)
		return NULL;

	line = a->queue[a->head];
	a->head = (a->head + 1) % ATA_ACTION_QUEUE_MAX;
	--a->len;

	return line;
}


/* The child: its own process group, stdin /dev/null, then the script */
static void child_exec(const struct action *a, char **env)
{
	char *argv[] = {(char *)a->o->script, (char *)a->name, NULL};
	int fd;

	(void)setpgid(0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO) {
		(void)dup2(fd, STDIN_FILENO);
		(void)close(fd);
	}

	execve(a->o->script, argv, env);
	fprintf(stderr, "atactl: %s: %s\n", a->o->script, strerror(errno));
	_exit(127);
}


static void run_start(struct action *a, char *line)
{
	const char *name;
	char **env = NULL;
	int err;

	err = action_env_build(&env, environ, line, a->o->path, a->dropped);
	if (err) {
		fprintf(stderr, "atactl: cannot run %s for `%s': %s\n",
			a->o->script, line, strerror(err));
		goto out;
	}

	name = action_env_get(env, ATA_ACTION_ENV_PREFIX "EVENT");
	(void)snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	if (a->dropped)
		fprintf(stderr, "atactl: %u events dropped before %s\n",
			a->dropped, a->name);

	fflush(NULL);
	a->pid = fork();
	if (a->pid < 0) {
		fprintf(stderr, "atactl: fork: %s\n", strerror(errno));
		a->pid = 0;
		goto out;
	}
	if (!a->pid)
		child_exec(a, env);

	/* both sides set the group: kill(-pid) works from here on */
	(void)setpgid(a->pid, a->pid);
	a->dropped = 0;
	a->deadline = now_ms() + a->o->limit_ms;
	a->kill_at = 0;

 out:
	action_env_free(env);
	free(line);
}


/* Reap the run if it ended; say how, unless it went well */
static void run_reap(struct action *a)
{
	int st;
	pid_t r;

	if (!a->pid)
		return;

	r = waitpid(a->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;

	if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st))
		fprintf(stderr, "atactl: %s %s: exit status %d\n",
			a->o->script, a->name, WEXITSTATUS(st));
	else if (r > 0 && WIFSIGNALED(st))
		fprintf(stderr, "atactl: %s %s: killed by signal %d\n",
			a->o->script, a->name, WTERMSIG(st));

	/* what an overrun left behind in its group goes with it */
	if (a->kill_at)
		(void)kill(-a->pid, SIGKILL);
	a->pid = 0;
}


/* Past the time limit: SIGTERM to the group, then SIGKILL */
static void run_limit(struct action *a)
{
	long long now = now_ms();

	if (!a->pid)
		return;

	if (!a->kill_at && now >= a->deadline) {
		fprintf(stderr, "atactl: %s %s: still running after %d ms: "
			"stopping it\n", a->o->script, a->name,
			a->o->limit_ms);
		(void)kill(-a->pid, SIGTERM);
		a->kill_at = now + KILL_GRACE_MS;
	}
	else if (a->kill_at && now >= a->kill_at) {
		(void)kill(-a->pid, SIGKILL);
		a->kill_at = now + KILL_GRACE_MS;
	}
}


static int connect_attach(struct action *a)
{
	int err;

	err = ctrl_client_open(&a->cc, a->o->path);
	if (err)
		return err;

	err = ctrl_client_attach(a->cc, a->o->level, a->o->timeout_ms);
	if (err) {
		ctrl_client_close(a->cc);
		a->cc = NULL;
	}

	return err;
}


/* How long the next wait may be, ms; -1 for ever */
static int wait_ms(const struct action *a)
{
	long long next = -1, left;

	if (a->pid)
		next = a->kill_at ? a->kill_at : a->deadline;
	if (!a->cc && (next < 0 || a->reconnect_at < next))
		next = a->reconnect_at;
	if (next < 0)
		return -1;

	left = next - now_ms();
	if (left < 0)
		left = 0;
	if (a->pid && left > CHILD_POLL_MS)
		left = CHILD_POLL_MS;

	return (int)left;
}


static void step(struct action *a)
{
	char line[LINE_BYTES];
	int ms = wait_ms(a), err;

	if (!a->cc) {
		(void)poll(NULL, 0, ms);
		if (now_ms() < a->reconnect_at)
			return;
		if (!connect_attach(a))
			fprintf(stderr, "atactl: %s: connected again\n",
				a->o->path);
		else
			a->reconnect_at = now_ms() + RECONNECT_MS;
		return;
	}

	err = ctrl_client_recv(a->cc, line, sizeof(line), ms);
	if (!err) {
		if (line[0] == '<')
			queue_push(a, line);
		return;
	}
	if (err == EINTR || err == ETIMEDOUT || err == EAGAIN)
		return;

	fprintf(stderr, "atactl: %s: %s; connecting again\n", a->o->path,
		err == ECONNRESET ? "daemon closed the connection" :
		strerror(err));
	ctrl_client_close(a->cc);
	a->cc = NULL;
	a->reconnect_at = now_ms() + RECONNECT_MS;
}


/* At the end: the run gets SIGTERM, then SIGKILL, and is reaped */
static void run_stop(struct action *a)
{
	long long dl = now_ms() + KILL_GRACE_MS;

	if (!a->pid)
		return;

	(void)kill(-a->pid, SIGTERM);
	while (a->pid && now_ms() < dl) {
		(void)poll(NULL, 0, 50);
		run_reap(a);
	}
	if (a->pid) {
		(void)kill(-a->pid, SIGKILL);
		(void)waitpid(a->pid, NULL, 0);
	}
}


/**
 * Run the script for each event until *stop
 *
 * @return 0 when stopped, 1 if the script is not executable, 2 if the
 *         daemon could not be reached at the start
 */
int action_run(const struct action_opts *o, volatile sig_atomic_t *stop)
{
	struct action a;
	struct sigaction sa;
	unsigned lost = 0;
	char *line;
	int err;

	memset(&a, 0, sizeof(a));
	a.o = o;

	if (access(o->script, X_OK)) {
		fprintf(stderr, "atactl: %s: %s\n", o->script,
			strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigchld_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NOCLDSTOP;
	(void)sigaction(SIGCHLD, &sa, NULL);

	err = connect_attach(&a);
	if (err) {
		fprintf(stderr, "atactl: cannot attach to %s: %s "
			"(is ataua running?)\n", o->path, strerror(err));
		return 2;
	}

	while (!*stop) {
		run_reap(&a);
		run_limit(&a);
		if (!a.pid && a.len)
			run_start(&a, queue_pop(&a));
		if (!*stop)
			step(&a);
	}

	run_stop(&a);
	while ((line = queue_pop(&a))) {
		free(line);
		++lost;
	}
	if (lost + a.dropped)
		fprintf(stderr, "atactl: %u events not run at exit\n",
			lost + a.dropped);
	if (a.cc)
		ctrl_client_close(a.cc);

	return 0;
}
