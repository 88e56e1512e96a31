/**
 * @file main.c  ataua: SIP user agent for analog telephone adapters
 *
 * `ataua [-c FILE] [-n] [-d]`. Signal handlers only cancel the loop or
 * write a byte to a self-pipe; the work (reload, shutdown) happens on the
 * main loop, where it is safe. Under systemd (Type=notify) READY=1 goes
 * out once the control socket answers and the lines are set up.
 */
#define _GNU_SOURCE 1  /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ataua.h"
#include "conf/config.h"
#include "daemon.h"
#include "base/log.h"
#include "sys/sd_notify.h"
#include "base/version.h"

#define DEFAULT_CONFIG "/etc/ataua/ataua.yaml"

static int hup_pipe[2] = {-1, -1};
static volatile sig_atomic_t terminating;


static int stderr_h(const char *p, size_t size, void *arg)
{
	(void)arg;
	return fwrite(p, 1, size, stderr) == size ? 0 : EIO;
}


static struct re_printf stderr_pf = { stderr_h, NULL };


static void signal_handler(int sig)
{
	(void)sig;

	/* a second signal while stopping: the user means it */
	if (terminating)
		_exit(1);

	terminating = 1;
	re_cancel();
}


static void sighup_handler(int sig)
{
	int saved = errno;
	char c = 'h';

	(void)sig;
	(void)!write(hup_pipe[1], &c, 1);
	errno = saved;
}


static void hup_readable(int flags, void *arg)
{
	char buf[16];

	(void)flags;
	(void)arg;

	while (read(hup_pipe[0], buf, sizeof(buf)) > 0)
		;

	ata_notice("SIGHUP: reloading configuration\n");
	(void)daemon_reload(NULL, &stderr_pf);
}


static int signals_init(void)
{
	struct sigaction sa;
	int err;

	if (pipe2(hup_pipe, O_NONBLOCK | O_CLOEXEC))
		return errno;

	err = fd_listen(hup_pipe[0], FD_READ, hup_readable, NULL);
	if (err)
		return err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sighup_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL))
		return errno;

	/* a control client that goes away must not kill the daemon */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		return errno;

	return 0;
}


static void signals_close(void)
{
	if (hup_pipe[0] >= 0) {
		fd_close(hup_pipe[0]);
		close(hup_pipe[0]);
		close(hup_pipe[1]);
	}
}


/* to stdout when asked for (-h), to stderr after a wrong command line */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: ataua [-c FILE] [-n] [-d] [-h|--help] [--version]\n"
		"  -c FILE    configuration (default %s)\n"
		"  -n         check the configuration and exit\n"
		"  -d         debug logging (overrides log.level)\n"
		"  -h, --help this help\n"
		"  --version  version and default module_path\n",
		DEFAULT_CONFIG);
}


static void version(void)
{
	printf("ataua %s\nmodule_path default: %s\n", ATAUA_VERSION,
	       ATA_MODULE_DIR);
}


int main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONFIG;
	struct ata_config *cfg = NULL;
	bool check_only = false, debug = false;
	int opt, err;

	static const struct option longv[] = {
		{"version", no_argument, NULL, 'V'},
		{"help",    no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};

	while ((opt = getopt_long(argc, argv, "c:ndh", longv, NULL)) != -1) {

		switch (opt) {

		case 'c': path = optarg;     break;
		case 'n': check_only = true; break;
		case 'd': debug = true;      break;
		case 'h': usage(stdout); return 0;
		case 'V': version(); return 0;
		default:  usage(stderr); return 2;
		}
	}

	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* libre's own warnings go through our log, not raw to stderr */
	log_dbg_attach();

	/* not libre_init(): it starts OpenSSL (OPENSSL_init_ssl), which
	   faults in about 3 MB of libcrypto even without TLS. OpenSSL 3
	   initialises itself on first use (tls_alloc, sip_tls.c), random
	   numbers come from rand_sys.c, and SIGPIPE, the other thing
	   libre's openssl_init sets, is ignored in signals_init(). */
	err = net_sock_init();
	if (err) {
		fprintf(stderr, "ataua: net_sock_init: %s\n", strerror(err));
		return 1;
	}

	err = config_load(&cfg, path, &stderr_pf);
	if (check_only) {
		if (!err)
			printf("configuration OK\n");
		goto out;
	}
	if (err)
		goto out;

	if (debug)
		cfg->log.level = ATA_LOG_DEBUG;

	err = signals_init();
	if (err) {
		ata_err("signals: %m\n", err);
		goto out;
	}

	err = daemon_start(cfg);
	if (err) {
		ata_err("start failed: %m\n", err);
		goto out;
	}

	err = sd_notify_send("READY=1");
	if (err)
		ata_warn("NOTIFY_SOCKET: %m\n", err);

	err = re_main(signal_handler);
	(void)sd_notify_send("STOPPING=1");
	ata_notice("shutting down\n");
	daemon_stop();

 out:
	signals_close();
	mem_deref(cfg);
	libre_close();
	tmr_debug();
	mem_debug();

	return err ? 1 : 0;
}
