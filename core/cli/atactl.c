/**
 * @file atactl.c  Command-line client of the ataua control socket
 *
 * folder core/cli/: atactl, the control client: a program of its own
 * that shares only the protocol names of base/ with the daemon.
 *
 *   atactl [-s PATH] [-t SECONDS] VERB args...   one request
 *   atactl [-s PATH] [-t SECONDS]                interactive (stdin)
 *   atactl [-s PATH] [-l LEVEL] monitor          print events
 *   atactl -j ...                                the same in JSON
 *   atactl [-s PATH] [-l LEVEL] [-T SECONDS] -a SCRIPT
 *                                                run SCRIPT per event
 *
 * Exit status: 0 OK, 1 the daemon answered FAIL, 2 the daemon could not
 * be reached, went away or did not answer in time.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/ctrl_proto.h"
#include "base/ctrl_verbs.h"
#include "base/version.h"
#include "action.h"
#include "ctrl_client.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_UNREACHABLE = 2 };

struct opts {
	const char *path;
	int timeout_ms;
	int level;
	bool json;             /* -j: FORMAT json first, print the JSON */
	const char *action;    /* -a SCRIPT */
	int limit_ms;          /* -T: the time limit of one -a run */
};

/*
 * Every verb, for -h: the rows the daemon's tables are built from, so -h
 * and the daemon's `help` cannot disagree. -h does not ask the daemon
 * (it works without one); `atactl help` does, and lists only the verbs
 * of the modules it has loaded.
 */
static const struct ata_verb_row verbv[] = {
	ATA_CTRL_VERB_ROWS
};

/* Local spellings of connection-level verbs */
static const struct {
	const char *local;
	const char *wire;
} aliasv[] = {
	{"ping", ATA_CTRL_PING},
};

static volatile sig_atomic_t interrupted;


static void sigint_handler(int sig)
{
	(void)sig;
	interrupted = 1;
}


/* strcmp that takes NULL (the core's rows) as a module name */
static int strcmp2(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;

	return strcmp(a, b);
}


/* The rows of one module (NULL: the core's, "": the transport's) */
static void print_verbs(FILE *f, const char *module, const char *title)
{
	char usage[128];

	if (title)
		fputs(title, f);

	for (size_t i = 0; i < sizeof(verbv) / sizeof(verbv[0]); i++) {
		if (strcmp2(verbv[i].module, module))
			continue;

		snprintf(usage, sizeof(usage), "%s%s%s", verbv[i].name,
			 verbv[i].args[0] ? " " : "", verbv[i].args);
		fprintf(f, "  %-38s  %s\n", usage, verbv[i].desc);
	}
}


static void usage(FILE *f)
{
	fprintf(f, "usage: atactl [-j] [-s PATH] [-t SECONDS] [-l LEVEL] "
		"[VERB [ARGS...]]\n"
		"       atactl [-s PATH] [-l LEVEL] [-T SECONDS] -a SCRIPT\n"
		"       atactl -h | --version\n\n"
		"  -s PATH     control socket (default $" ATA_CTRL_ENV_PATH
		" or " ATA_CTRL_DEFAULT_PATH ")\n"
		"  -t SECONDS  reply timeout (default 10)\n"
		"  -l LEVEL    monitor: events up to this level, 3..7 "
		"(default 6)\n"
		"  -a SCRIPT   run SCRIPT EVENT-NAME for each event, one at a "
		"time,\n              the fields in ATAUA_* variables (see "
		"atactl(1))\n"
		"  -T SECONDS  -a: a run's time limit (default %d)\n"
		"  -j          JSON: each reply and event is one JSON value "
		"on one line\n"
		"              (FORMAT json; key=value records become objects,"
		"\n              lists arrays, FAIL {\"ok\":false,"
		"\"error\":...})\n\n"
		"Without a verb, requests are read from stdin.\n",
		ATA_ACTION_LIMIT_S);

	print_verbs(f, NULL, "\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbv) / sizeof(verbv[0]); i++) {
		const char *m = verbv[i].module;

		if (m && m[0] && !(i && !strcmp2(verbv[i - 1].module, m))) {
			fprintf(f, "\nModule %s:\n", m);
			print_verbs(f, m, NULL);
		}
	}

	print_verbs(f, "", "\nConnection verbs:\n");
	fprintf(f, "\natactl's own:\n  %-38s  %s\n  %-38s  %s\n",
		"ping", "the same as PING", "monitor",
		"ATTACH, print events until ^C (-l)");
}


static const char *wire_verb(const char *req)
{
	for (size_t i = 0; i < sizeof(aliasv) / sizeof(aliasv[0]); i++) {
		if (!strcmp(req, aliasv[i].local))
			return aliasv[i].wire;
	}

	return req;
}


static void print_line(const char *line, void *arg)
{
	(void)arg;
	printf("%s\n", line);
}


static int open_or_say(struct ctrl_client **ccp, const struct opts *o)
{
	int err = ctrl_client_open(ccp, o->path);

	/* -j: a daemon without FORMAT says FAIL: stop, as for no daemon */
	if (!err && o->json) {
		err = ctrl_client_json(*ccp, o->timeout_ms);
		if (err) {
			fprintf(stderr, "atactl: %s: no JSON mode: %s\n",
				o->path, err == EBADMSG ?
				"the daemon refused FORMAT json" :
				strerror(err));
			ctrl_client_close(*ccp);
			return err;
		}
	}

	if (err == EACCES)
		fprintf(stderr, "atactl: cannot connect to %s: %s (root, "
			"the socket's group and control.allow_uids may)\n",
			o->path, strerror(err));
	else if (err)
		fprintf(stderr, "atactl: cannot connect to %s: %s "
			"(is ataua running?)\n", o->path, strerror(err));

	return err;
}


/* Exit status for a request result, with a message on stderr */
static int report(int err, const char *reason, const struct opts *o)
{
	switch (err) {

	case 0:
		return EXIT_OK;

	case EBADMSG:
		/* -j: the JSON on stdout says why */
		if (o->json && !reason[0])
			return EXIT_FAIL;
		fprintf(stderr, "%s%s%s\n", ATA_CTRL_FAIL,
			reason[0] ? " " : "", reason);
		return EXIT_FAIL;

	case EINVAL:
		fprintf(stderr, "atactl: a request is one line\n");
		return EXIT_FAIL;

	case ETIMEDOUT:
		fprintf(stderr, "atactl: no reply from %s within %d ms\n",
			o->path, o->timeout_ms);
		return EXIT_UNREACHABLE;

	case ECONNRESET:
		fprintf(stderr, "atactl: %s: daemon closed the connection\n",
			o->path);
		return EXIT_UNREACHABLE;

	default:
		fprintf(stderr, "atactl: %s: %s\n", o->path, strerror(err));
		return EXIT_UNREACHABLE;
	}
}


static int one_shot(const struct opts *o, const char *req)
{
	struct ctrl_client *cc;
	char reason[512];
	int err;

	if (open_or_say(&cc, o))
		return EXIT_UNREACHABLE;

	err = ctrl_client_request(cc, wire_verb(req), o->timeout_ms,
				  print_line, NULL, reason, sizeof(reason));
	ctrl_client_close(cc);

	return report(err, reason, o);
}


static int interactive(const struct opts *o)
{
	struct ctrl_client *cc;
	bool tty = isatty(STDIN_FILENO);
	char *line = NULL, reason[512];
	size_t cap = 0;
	ssize_t n;
	int ret = EXIT_OK;

	if (open_or_say(&cc, o))
		return EXIT_UNREACHABLE;

	for (;;) {
		int err, st;

		if (tty) {
			printf("> ");
			fflush(stdout);
		}

		n = getline(&line, &cap, stdin);
		if (n < 0 || interrupted)
			break;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		if (!strcmp(line, "quit") || !strcmp(line, "exit"))
			break;

		err = ctrl_client_request(cc, wire_verb(line), o->timeout_ms,
					  print_line, NULL, reason,
					  sizeof(reason));
		/* PING's whole reply is PONG, already printed */
		if (!err && !ctrl_client_is_json(cc) &&
		    strcmp(wire_verb(line), ATA_CTRL_PING))
			printf("%s\n", ATA_CTRL_OK);
		st = report(err, reason, o);
		fflush(stdout);
		if (st > ret)
			ret = st;
		if (st == EXIT_UNREACHABLE)
			break;
	}

	free(line);
	ctrl_client_close(cc);

	return ret;
}


static int monitor(const struct opts *o)
{
	struct ctrl_client *cc;
	char line[8192];
	int err, ret;

	if (open_or_say(&cc, o))
		return EXIT_UNREACHABLE;

	err = ctrl_client_attach(cc, o->level, o->timeout_ms);
	if (err) {
		ret = report(err, "", o);
		ctrl_client_close(cc);
		return ret;
	}

	while (!interrupted) {
		err = ctrl_client_recv(cc, line, sizeof(line), -1);
		if (err == EINTR)
			continue;
		if (err)
			break;
		printf("%s\n", line);
		fflush(stdout);
	}

	ctrl_client_close(cc);
	if (interrupted)
		return EXIT_OK;

	if (err == ECONNRESET)
		fprintf(stderr, "atactl: %s: daemon closed the connection\n",
			o->path);
	else
		fprintf(stderr, "atactl: %s: %s\n", o->path, strerror(err));
	return EXIT_UNREACHABLE;
}


static int action_mode(const struct opts *o, int nverbs)
{
	struct action_opts ao = {o->path, o->action, o->level,
				 o->timeout_ms, o->limit_ms};

	if (nverbs || o->json) {
		fprintf(stderr, "atactl: -a takes no verb and no -j\n");
		return EXIT_UNREACHABLE;
	}

	return action_run(&ao, &interrupted);
}


/* argv joined with single spaces; NULL if it does not fit one request */
static char *join_args(int argc, char *const argv[])
{
	size_t len = 0;
	char *req;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;

	if (len > ATA_CTRL_MAX_REQUEST)
		return NULL;

	req = calloc(1, len + 1);
	if (!req)
		return NULL;

	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(req, " ");
		strcat(req, argv[i]);
	}

	return req;
}


int main(int argc, char *argv[])
{
	static const struct option longv[] = {
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {getenv(ATA_CTRL_ENV_PATH), 10000,
			 ATA_CTRL_DEFAULT_LEVEL, false, NULL,
			 ATA_ACTION_LIMIT_S * 1000};
	struct sigaction sa;
	char *req;
	double t;
	int c, ret;

	if (!o.path || !o.path[0])
		o.path = ATA_CTRL_DEFAULT_PATH;

	while ((c = getopt_long(argc, argv, "+hjs:t:l:a:T:", longv,
				NULL)) != -1) {
		switch (c) {

		case 'V':
			printf("atactl %s\n", ATAUA_VERSION);
			return EXIT_OK;

		case 's':
			o.path = optarg;
			break;

		case 'j':
			o.json = true;
			break;

		case 't':
			t = strtod(optarg, NULL);
			if (t <= 0 || t > 86400) {
				fprintf(stderr, "atactl: bad timeout: %s\n",
					optarg);
				return EXIT_UNREACHABLE;
			}
			o.timeout_ms = (int)(t * 1000);
			break;

		case 'a':
			o.action = optarg;
			break;

		case 'T':
			t = strtod(optarg, NULL);
			if (t <= 0 || t > 86400) {
				fprintf(stderr, "atactl: bad time limit: %s\n",
					optarg);
				return EXIT_UNREACHABLE;
			}
			o.limit_ms = (int)(t * 1000);
			break;

		case 'l':
			if (strlen(optarg) != 1 || optarg[0] < '3' ||
			    optarg[0] > '7') {
				fprintf(stderr, "atactl: level is 3..7\n");
				return EXIT_UNREACHABLE;
			}
			o.level = optarg[0] - '0';
			break;

		case 'h':
			usage(stdout);
			return EXIT_OK;

		default:
			fprintf(stderr, "atactl -h lists the options and "
				"verbs\n");
			return EXIT_UNREACHABLE;
		}
	}

	/* No SA_RESTART: ^C must wake poll() and getline() */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigint_handler;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);

	if (o.action)
		return action_mode(&o, argc - optind);

	if (optind == argc)
		return interactive(&o);

	if (optind + 1 == argc && !strcmp(argv[optind], "monitor"))
		return monitor(&o);

	req = join_args(argc - optind, argv + optind);
	if (!req) {
		fprintf(stderr, "atactl: request longer than %d bytes\n",
			ATA_CTRL_MAX_REQUEST);
		return EXIT_FAIL;
	}

	ret = one_shot(&o, req);
	free(req);

	return ret;
}
