/**
 * @file tests/unit/test_sd_notify.c  READY=1 reaches $NOTIFY_SOCKET
 *
 * As systemd's Type=notify expects: a datagram on a path socket or on an
 * abstract one ('@' first); nothing without $NOTIFY_SOCKET.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include "sys/sd_notify.h"


/* A datagram socket bound to @p name (a leading '@': abstract) */
static int listener(const char *name)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + len),
			 0);

	return fd;
}


static void expect_datagram(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}


static void test_path_socket(void **state)
{
	char dir[] = "/tmp/ata-notify-XXXXXX", path[64];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);

	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sd_notify_send("READY=1"), 0);
	expect_datagram(fd, "READY=1");

	close(fd);
	unlink(path);
	rmdir(dir);
}


static void test_abstract_socket(void **state)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@ata-notify-%d", (int)getpid());
	fd = listener(name);

	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sd_notify_send("STOPPING=1"), 0);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
}


static void test_no_or_bad_socket(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notify_send("READY=1"), 0);

	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sd_notify_send("READY=1"), 0);

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sd_notify_send("READY=1"), EINVAL);

	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	assert_int_equal(sd_notify_send("READY=1"), ENOENT);

	unsetenv("NOTIFY_SOCKET");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_no_or_bad_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
