/**
 * @file tests/unit/test_ctrl_unix.c  Control socket transport, end to end
 *
 * The daemon side runs in re_main on the test thread; the client side is a
 * plain blocking-socket script on a second thread (or a forked child for
 * the credential tests). Client scripts never call cmocka or libre: they
 * record the first failed check, which the test thread asserts on.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "ctrl/ctrl_unix.h"

enum { MAX_REQ = 64, MAX_CLIENTS = 3, NOBODY = 65534 };

struct fix;
typedef void (script_h)(struct fix *f);

struct fix {
	char dir[64];
	char path[96];
	struct ctrl_unix *cu;
	struct ctrl_unix_opts opts;
	script_h *script;
	char err[512];
	atomic_bool done;
	struct tmr tmr;
	pid_t child;
	int pipe[2];
};

#define CHECK(f, cond) do {						\
	if (!(cond)) {							\
		snprintf((f)->err, sizeof((f)->err), "%d: %s",		\
			 __LINE__, #cond);				\
		return;							\
	}								\
} while (0)

#define CHECK_STR(f, got, want) do {					\
	if (strcmp((got), (want))) {					\
		snprintf((f)->err, sizeof((f)->err),			\
			 "%d: got [%s] want [%s]", __LINE__,		\
			 (got), (want));				\
		return;							\
	}								\
} while (0)


/* ---- daemon-side verbs ---- */

static int h_echo(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return re_hprintf(pf, "args=%r\n", &ca->args);
}


static int h_fail(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	return ata_cmd_fail(ca, EBUSY, "busy");
}


/* fire LEVEL TEXT: one TEST-EVENT; TEXT "nl" sends a value with a LF */
static int h_fire(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct pl text;
	int lvl;

	if (ca->args.l < 3 || ca->args.p[1] != ' ')
		return EINVAL;

	lvl = ca->args.p[0] - '0';
	text.p = ca->args.p + 2;
	text.l = ca->args.l - 2;
	if (!pl_strcmp(&text, "nl"))
		ata_event(lvl, "TEST-EVENT", "n=%s", "x\ny");
	else
		ata_event(lvl, "TEST-EVENT", "n=%r", &text);

	return 0;
}


static int h_flood(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	char big[1000];

	memset(big, 'e', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (uint32_t i = 0; i < pl_u32(&ca->args); i++)
		ata_event(ATA_LOG_ERR, "FLOOD", "%s", big);

	return 0;
}


static int h_nclients(struct re_printf *pf, struct ata_cmd_arg *ca)
{
	struct fix *f = ca->arg;

	return re_hprintf(pf, "n=%u\n", ctrl_unix_nclients(f->cu));
}


static const struct ata_cmd verbv[] = {
	{"echo", "ARGS", "print the arguments", h_echo},
	{"fail", NULL, "fail", h_fail},
	{"fire", NULL, "send events", h_fire},
	{"flood", NULL, "print a lot", h_flood},
	{"nclients", NULL, "count the clients", h_nclients},
};


/* ---- client side: blocking sockets, no libre ---- */

static int cli_open(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {10, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	return fd;
}


static bool cli_send(int fd, const char *s)
{
	size_t len = strlen(s);

	return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len;
}


/* One line without LF into buf; "" + false on EOF, error or timeout */
static bool cli_line(int fd, char *buf, size_t sz)
{
	size_t n = 0;
	char c;

	buf[0] = '\0';
	while (recv(fd, &c, 1, 0) == 1) {
		if (c == '\n')
			return true;
		if (n + 1 < sz) {
			buf[n++] = c;
			buf[n] = '\0';
		}
	}

	return false;
}


static bool is_final(const char *line)
{
	return !strcmp(line, "OK") || !strcmp(line, "PONG") ||
		!strncmp(line, "FAIL", 4);
}


/* Send one request; all reply lines joined with '|' */
static const char *cli_req(int fd, const char *req, char *out, size_t sz)
{
	char line[2048];

	out[0] = '\0';
	if (!cli_send(fd, req) || !cli_send(fd, "\n"))
		return "send failed";

	while (cli_line(fd, line, sizeof(line))) {
		if (out[0])
			strncat(out, "|", sz - strlen(out) - 1);
		strncat(out, line, sz - strlen(out) - 1);
		if (is_final(line))
			return out;
	}

	return "no reply";
}


/* True if the daemon closed the connection without sending more */
static bool cli_eof(int fd)
{
	char c;

	return recv(fd, &c, 1, 0) == 0;
}


/* Read whatever is queued; true if the connection then ends */
static bool cli_drain_eof(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		;

	return n == 0;
}


/* ---- harness ---- */

static void *script_thread(void *arg)
{
	struct fix *f = arg;

	f->script(f);
	atomic_store(&f->done, true);

	return NULL;
}


static void poll_done(void *arg)
{
	struct fix *f = arg;
	int status;

	/*
	 * The child reports through a pipe, not its exit status, which
	 * valgrind overrides for the heap the child inherited.
	 */
	if (f->child > 0 && waitpid(f->child, &status, WNOHANG) == f->child) {
		char res = -1;

		if (read(f->pipe[0], &res, 1) != 1 || res)
			snprintf(f->err, sizeof(f->err),
				 "child failed: step %d", res);
		f->child = 0;
		atomic_store(&f->done, true);
	}

	if (atomic_load(&f->done))
		re_cancel();
	else
		tmr_start(&f->tmr, 2, poll_done, f);
}


static void run_loop(struct fix *f)
{
	atomic_store(&f->done, false);
	tmr_start(&f->tmr, 0, poll_done, f);
	(void)re_main(NULL);
	tmr_cancel(&f->tmr);
}


static void run_script(struct fix *f, script_h *script)
{
	pthread_t tid;

	f->script = script;
	f->err[0] = '\0';
	assert_int_equal(pthread_create(&tid, NULL, script_thread, f), 0);
	run_loop(f);
	assert_int_equal(pthread_join(tid, NULL), 0);
	if (f->err[0])
		fail_msg("client script, line %s", f->err);
}


static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;

	strcpy(f->dir, "/tmp/ata-ctrl-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ctrl.sock", f->dir);
	tmr_init(&f->tmr);

	f->opts.path = f->path;
	f->opts.gid = -1;
	f->opts.max_clients = MAX_CLIENTS;
	f->opts.max_request = MAX_REQ;

	if (ata_cmd_register(verbv, ARRAY_SIZE(verbv), f))
		return -1;

	*state = f;
	return 0;
}


static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	f->cu = mem_deref(f->cu);
	ata_cmd_unregister(verbv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);

	return 0;
}


static void start(struct fix *f)
{
	assert_int_equal(ctrl_unix_alloc(&f->cu, &f->opts), 0);
}


/* ---- protocol ---- */

static void script_basic(struct fix *f)
{
	char out[1024], line[256];
	int fd = cli_open(f->path);

	CHECK(f, fd >= 0);
	CHECK_STR(f, cli_req(fd, "PING", out, sizeof(out)), "PONG");
	CHECK_STR(f, cli_req(fd, "echo  a b ", out, sizeof(out)),
		  "args=a b|OK");
	CHECK_STR(f, cli_req(fd, "fail", out, sizeof(out)), "FAIL busy");
	CHECK_STR(f, cli_req(fd, "frob x", out, sizeof(out)),
		  "FAIL unknown command: frob");
	CHECK_STR(f, cli_req(fd, "PING\r", out, sizeof(out)), "PONG");
	CHECK_STR(f, cli_req(fd, "ping", out, sizeof(out)),
		  "FAIL unknown command: ping");

	/* Two requests in one write, and one split over three writes */
	CHECK(f, cli_send(fd, "PING\necho 1\nec"));
	CHECK(f, cli_line(fd, line, sizeof(line)));
	CHECK_STR(f, line, "PONG");
	CHECK_STR(f, cli_req(fd, "ho 2", out, sizeof(out)), "args=1|OK");
	CHECK(f, cli_line(fd, line, sizeof(line)));
	CHECK_STR(f, line, "args=2");
	CHECK(f, cli_line(fd, line, sizeof(line)));
	CHECK_STR(f, line, "OK");

	/* Binary garbage gets a FAIL line, and the connection goes on */
	CHECK(f, send(fd, "\0\xff\x01xyz\n", 7, 0) == 7);
	CHECK(f, cli_line(fd, line, sizeof(line)));
	CHECK_STR(f, line, "FAIL invalid character in request");
	CHECK_STR(f, cli_req(fd, "", out, sizeof(out)),
		  "FAIL empty request");
	CHECK_STR(f, cli_req(fd, "help echo", out, sizeof(out)),
		  "echo ARGS                               "
		  "print the arguments|OK");
	CHECK_STR(f, cli_req(fd, "help QUIT", out, sizeof(out)),
		  "QUIT                                    "
		  "close this connection|OK");
	CHECK_STR(f, cli_req(fd, "nclients", out, sizeof(out)),
		  "n=1|OK");

	/* QUIT closes; a half-closed client still gets its replies */
	CHECK(f, cli_send(fd, "QUIT\nPING\n"));
	CHECK(f, cli_eof(fd));
	close(fd);

	fd = cli_open(f->path);
	CHECK(f, fd >= 0);
	CHECK(f, cli_send(fd, "PING\n"));
	CHECK(f, shutdown(fd, SHUT_WR) == 0);
	CHECK(f, cli_line(fd, line, sizeof(line)));
	CHECK_STR(f, line, "PONG");
	CHECK(f, cli_eof(fd));
	close(fd);
}


static void test_basic(void **state)
{
	struct fix *f = *state;

	start(f);
	run_script(f, script_basic);
}


static void script_too_long(struct fix *f)
{
	char out[1024], req[MAX_REQ + 8];
	int fd = cli_open(f->path);

	CHECK(f, fd >= 0);

	memset(req, 'x', sizeof(req));
	req[sizeof(req) - 1] = '\0';
	CHECK_STR(f, cli_req(fd, req, out, sizeof(out)), "FAIL too long");
	CHECK_STR(f, cli_req(fd, "PING", out, sizeof(out)), "PONG");

	/* Over the limit in pieces, then the rest of the line is skipped */
	for (int i = 0; i < 10; i++)
		CHECK(f, cli_send(fd, "echo echo echo echo "));
	CHECK_STR(f, cli_req(fd, "tail", out, sizeof(out)),
		  "FAIL too long");
	CHECK_STR(f, cli_req(fd, "echo ok", out, sizeof(out)),
		  "args=ok|OK");

	/* Exactly MAX_REQ bytes (plus CR) is accepted */
	memset(req, 'y', MAX_REQ);
	memcpy(req, "echo ", 5);
	strcpy(req + MAX_REQ, "\r");
	CHECK(f, strlen(cli_req(fd, req, out, sizeof(out))) ==
	      strlen("args=|OK") + MAX_REQ - 5);
	strcpy(req + MAX_REQ, "y");
	CHECK_STR(f, cli_req(fd, req, out, sizeof(out)), "FAIL too long");
	CHECK_STR(f, cli_req(fd, "PING", out, sizeof(out)), "PONG");
	close(fd);
}


static void test_too_long(void **state)
{
	struct fix *f = *state;

	start(f);
	run_script(f, script_too_long);
}


static void script_max_clients(struct fix *f)
{
	char out[256];
	int fdv[MAX_CLIENTS], fd;
	int tries;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		fdv[i] = cli_open(f->path);
		CHECK(f, fdv[i] >= 0);
		CHECK_STR(f, cli_req(fdv[i], "PING", out, sizeof(out)),
			  "PONG");
	}

	fd = cli_open(f->path);
	CHECK(f, fd >= 0);
	CHECK(f, cli_line(fd, out, sizeof(out)));
	CHECK_STR(f, out, "FAIL too many clients");
	CHECK(f, cli_eof(fd));
	close(fd);

	CHECK_STR(f, cli_req(fdv[0], "nclients", out, sizeof(out)),
		  "n=3|OK");

	/* A freed slot is usable again once the daemon saw the close */
	close(fdv[0]);
	for (tries = 0; tries < 1000; tries++) {
		fd = cli_open(f->path);
		CHECK(f, fd >= 0);
		cli_req(fd, "PING", out, sizeof(out));
		close(fd);
		if (!strcmp(out, "PONG"))
			break;
		usleep(1000);
	}
	CHECK_STR(f, out, "PONG");

	for (int i = 1; i < MAX_CLIENTS; i++)
		close(fdv[i]);
}


static void test_max_clients(void **state)
{
	struct fix *f = *state;

	start(f);
	run_script(f, script_max_clients);
}


/* ---- events ---- */

static void script_events(struct fix *f)
{
	char out[1024], line[256];
	int mon = cli_open(f->path);
	int cmd = cli_open(f->path);

	CHECK(f, mon >= 0 && cmd >= 0);
	CHECK_STR(f, cli_req(mon, "ATTACH", out, sizeof(out)), "OK");

	CHECK_STR(f, cli_req(cmd, "fire 6 hello", out, sizeof(out)), "OK");
	CHECK(f, cli_line(mon, line, sizeof(line)));
	CHECK_STR(f, line, "<6>TEST-EVENT n=hello");

	/* Default level 6: the debug event is skipped, not delayed */
	CHECK_STR(f, cli_req(cmd, "fire 7 debug", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "fire 4 warn", out, sizeof(out)), "OK");
	CHECK(f, cli_line(mon, line, sizeof(line)));
	CHECK_STR(f, line, "<4>TEST-EVENT n=warn");

	CHECK_STR(f, cli_req(mon, "LEVEL 7", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(mon, "LEVEL x", out, sizeof(out)),
		  "FAIL invalid argument");
	CHECK_STR(f, cli_req(mon, "LEVEL", out, sizeof(out)),
		  "FAIL invalid argument");
	CHECK_STR(f, cli_req(cmd, "fire 7 debug", out, sizeof(out)), "OK");
	CHECK(f, cli_line(mon, line, sizeof(line)));
	CHECK_STR(f, line, "<7>TEST-EVENT n=debug");

	CHECK_STR(f, cli_req(mon, "LEVEL 3", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "fire 4 warn", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "fire 3 err", out, sizeof(out)), "OK");
	CHECK(f, cli_line(mon, line, sizeof(line)));
	CHECK_STR(f, line, "<3>TEST-EVENT n=err");
	CHECK_STR(f, cli_req(mon, "LEVEL 6", out, sizeof(out)), "OK");

	/* A value cannot forge a line */
	CHECK_STR(f, cli_req(cmd, "fire 6 nl", out, sizeof(out)), "OK");
	CHECK(f, cli_line(mon, line, sizeof(line)));
	CHECK_STR(f, line, "<6>TEST-EVENT n=x?y");

	/* Commands work on the attached connection; its own event first */
	CHECK_STR(f, cli_req(mon, "fire 5 self", out, sizeof(out)),
		  "<5>TEST-EVENT n=self|OK");

	CHECK_STR(f, cli_req(mon, "DETACH", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "fire 3 gone", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(mon, "PING", out, sizeof(out)), "PONG");

	/* The command connection never saw an event */
	CHECK_STR(f, cli_req(cmd, "PING", out, sizeof(out)), "PONG");

	close(mon);
	close(cmd);
}


static void test_events(void **state)
{
	struct fix *f = *state;

	start(f);
	run_script(f, script_events);

	/* No clients and no sink after destroy: must be harmless */
	f->cu = mem_deref(f->cu);
	ata_event(ATA_LOG_ERR, "TEST-EVENT", NULL);
}


static void script_slow_monitor(struct fix *f)
{
	char out[256];
	int mon = cli_open(f->path);
	int cmd = cli_open(f->path);

	CHECK(f, mon >= 0 && cmd >= 0);
	CHECK_STR(f, cli_req(mon, "ATTACH", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "nclients", out, sizeof(out)),
		  "n=2|OK");

	/* ~1 MB of events to a monitor that does not read */
	CHECK_STR(f, cli_req(cmd, "flood 1000", out, sizeof(out)), "OK");
	CHECK_STR(f, cli_req(cmd, "nclients", out, sizeof(out)),
		  "n=1|OK");
	CHECK(f, cli_drain_eof(mon));

	close(mon);
	close(cmd);
}


static void test_slow_monitor(void **state)
{
	struct fix *f = *state;

	start(f);
	run_script(f, script_slow_monitor);
}


static char sunk[8192];
static int sunk_lvl;

static void capture_sink(enum ata_log_level lvl, const char *line,
			 void *arg)
{
	sunk_lvl = lvl;
	snprintf(sunk, sizeof(sunk), "%s", line);
	++*(int *)arg;
}


static void test_event_format(void **state)
{
	char big[5000];
	int calls = 0;

	ata_event_set_sink(capture_sink, &calls);

	ata_event(ATA_LOG_NOTICE, ATA_EVENT_REG, "line=%u state=%s", 1,
		  "ok");
	assert_string_equal(sunk, "<5>REG-STATE line=1 state=ok");
	assert_int_equal(sunk_lvl, 5);

	ata_event(ATA_LOG_INFO, ATA_EVENT_TERMINATING, NULL);
	assert_string_equal(sunk, "<6>TERMINATING");

	ata_event(0, "LOW", NULL);
	assert_string_equal(sunk, "<3>LOW");
	ata_event(42, "HIGH", "reason=%s", "a\r\nb\x7f");
	assert_string_equal(sunk, "<7>HIGH reason=a??b?");

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ata_event(ATA_LOG_INFO, "BIG", "v=%s", big);
	assert_int_equal(strlen(sunk), 4096);
	assert_string_equal(sunk + 4093, "...");
	assert_memory_equal(sunk, "<6>BIG v=vvv", 12);

	ata_event(ATA_LOG_INFO, "", NULL);
	ata_event(ATA_LOG_INFO, NULL, NULL);
	assert_int_equal(calls, 5);

	ata_event_set_sink(NULL, NULL);
	ata_event(ATA_LOG_ERR, "GONE", NULL);
	assert_int_equal(calls, 5);
}


/* ---- socket file hygiene ---- */

static void test_second_instance(void **state)
{
	struct fix *f = *state;
	struct ctrl_unix *cu2 = NULL;
	struct stat st;

	start(f);
	assert_int_equal(ctrl_unix_alloc(&cu2, &f->opts), EADDRINUSE);
	assert_null(cu2);

	/* The failed instance did not take the path away */
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
}


static void test_stale_socket(void **state)
{
	struct fix *f = *state;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	strcpy(sun.sun_path, f->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
			 -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);

	start(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));

	/* The new socket listens: connecting no longer gets ECONNREFUSED */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
			 0);
	close(fd);

	f->cu = mem_deref(f->cu);
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}


static void test_regular_file_kept(void **state)
{
	struct fix *f = *state;
	struct stat st;
	int fd;

	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);

	assert_int_equal(ctrl_unix_alloc(&f->cu, &f->opts), EEXIST);
	assert_null(f->cu);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 4);
}


static void test_mode_dir_unlink(void **state)
{
	struct fix *f = *state;
	char dir[128];
	struct stat st;

	/* Missing parent directories are created 0755 */
	snprintf(f->path, sizeof(f->path), "%s/a/b/ctrl.sock", f->dir);
	start(f);

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_uid, geteuid());
	snprintf(dir, sizeof(dir), "%s/a/b", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0755);

	f->cu = mem_deref(f->cu);
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}


static void test_replaced_path_kept(void **state)
{
	struct fix *f = *state;
	struct stat st;
	int fd;

	start(f);

	/* Someone replaced our socket: the destructor must not remove it */
	assert_int_equal(unlink(f->path), 0);
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	f->cu = mem_deref(f->cu);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}


static void test_bad_args(void **state)
{
	struct fix *f = *state;
	struct ctrl_unix_opts o = f->opts;
	char longpath[200];

	assert_int_equal(ctrl_unix_alloc(NULL, &o), EINVAL);
	assert_int_equal(ctrl_unix_alloc(&f->cu, NULL), EINVAL);
	o.path = "";
	assert_int_equal(ctrl_unix_alloc(&f->cu, &o), EINVAL);
	memset(longpath, 'p', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	o.path = longpath;
	assert_int_equal(ctrl_unix_alloc(&f->cu, &o), ENAMETOOLONG);
	o.path = f->path;
	o.allow_uidc = 1;
	assert_int_equal(ctrl_unix_alloc(&f->cu, &o), EINVAL);
	assert_null(f->cu);
	assert_int_equal(ctrl_unix_nclients(NULL), 0);
}


/* ---- peer credentials (root only: the client runs as nobody) ---- */

/* As nobody, with @p group as the one supplementary group (0: none) */
static int child_expect(const char *path, gid_t group, const char *want)
{
	char line[256];
	int fd;

	if (setgroups(group ? 1 : 0, &group) || setgid(NOBODY) ||
	    setuid(NOBODY))
		return 3;

	fd = cli_open(path);
	if (fd < 0)
		return 4;

	/* A refused client may find the socket closed before it writes */
	(void)cli_send(fd, "PING\n");
	if (!cli_line(fd, line, sizeof(line)))
		return 5;

	return strncmp(line, want, strlen(want)) ? 6 : 0;
}


static void run_child_in(struct fix *f, gid_t group, const char *want)
{
	f->err[0] = '\0';
	assert_int_equal(pipe(f->pipe), 0);
	f->child = fork();
	assert_true(f->child >= 0);
	if (!f->child) {
		char res = (char)child_expect(f->path, group, want);

		_exit(write(f->pipe[1], &res, 1) != 1);
	}

	run_loop(f);
	close(f->pipe[0]);
	close(f->pipe[1]);
	if (f->err[0])
		fail_msg("%s expecting %s", f->err, want);
}


static void run_child(struct fix *f, const char *want)
{
	run_child_in(f, 0, want);
}


static void test_credentials(void **state)
{
	static const uint32_t nobody = NOBODY, other = 4242;
	struct fix *f = *state;
	struct stat st;

	if (geteuid() != 0)
		skip();

	/* The socket's group is allowed: no need to repeat it in
	   allow_gids (it used to be refused) */
	assert_int_equal(chmod(f->dir, 0755), 0);
	f->opts.gid = NOBODY;
	start(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_gid, NOBODY);
	assert_int_equal(st.st_mode & 0777, 0660);
	run_child(f, "PONG");
	f->cu = mem_deref(f->cu);

	/* ... as a supplementary group too (SO_PEERGROUPS) */
	f->opts.gid = (int)other;
	start(f);
	run_child_in(f, other, "PONG");
	f->cu = mem_deref(f->cu);

	/* With allow lists the file is 0666 and our check decides: a
	   stranger reads why */
	f->opts.gid = -1;
	f->opts.allow_uidv = &other;
	f->opts.allow_uidc = 1;
	start(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);
	run_child(f, "FAIL permission denied: uid 65534 is not in"
		  " control.allow_uids");
	assert_int_equal(ctrl_unix_nclients(f->cu), 0);
	f->cu = mem_deref(f->cu);

	f->opts.allow_uidc = 0;
	f->opts.allow_gidv = &nobody;
	f->opts.allow_gidc = 1;
	start(f);
	run_child(f, "PONG");
	f->cu = mem_deref(f->cu);

	f->opts.allow_gidv = &other;
	start(f);
	run_child_in(f, other, "PONG");
	f->cu = mem_deref(f->cu);

	/* allow_uids alone, without the group (it used to be 0660 and
	   unreachable) */
	f->opts.allow_gidc = 0;
	f->opts.allow_uidv = &nobody;
	f->opts.allow_uidc = 1;
	start(f);
	run_child(f, "PONG");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slow_monitor, setup,
						teardown),
		cmocka_unit_test(test_event_format),
		cmocka_unit_test_setup_teardown(test_second_instance, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_regular_file_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mode_dir_unlink, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replaced_path_kept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_args, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_credentials, setup,
						teardown),
	};
	int err;

	if (libre_init())
		return 1;
	ata_log_set_level(ATA_LOG_ERR);

	err = cmocka_run_group_tests(tests, NULL, NULL);

	libre_close();
	return err;
}
