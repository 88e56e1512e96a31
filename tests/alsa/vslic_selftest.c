/**
 * @file tests/alsa/vslic_selftest.c  vslic self-test, through alsa-lib
 *
 * Run by tests/alsa/selftest.sh, which points ALSA_CONFIG_PATH at the
 * system alsa.conf plus a generated asoundrc defining pcm.vslic. Each test
 * opens "vslic" (or "plug:vslic") like ataua would and checks what reached
 * the "line": recording, log, xruns, pacing ratio. Timing is only ever
 * checked as a ratio of device samples to monotonic time.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vslic_selftest.h"

enum {
	RATE    = 8000,
	PERIOD  = 80,
	PERIODS = 2,
	SECONDS = 2,
};

struct st_test {
	int (*fn)(void);
	const char *name;
};

#define TEST(a) {a, #a}


static void use_files(const char *skew)
{
	setenv("VSLIC_SKEW_PPM", skew, 1);
	setenv("VSLIC_PLAYBACK", st_path("play.raw"), 1);
	setenv("VSLIC_LOG", st_path("play.log"), 1);
}


/* the plugin's SNDERR for an expected failure is not news */
static void quiet(const char *file, int line, const char *func, int err,
		  const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)func;
	(void)err;
	(void)fmt;
}


static int test_refuses_other_formats(void)
{
	snd_pcm_t *pcm;
	int err;

	use_files("0");
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, 16000,
		      PERIOD, PERIODS) < 0, "16 kHz accepted");
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      20, PERIODS) < 0, "20-frame period accepted");
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, 32) < 0, "32 periods accepted");

	setenv("VSLIC_SKEW_PPM", "fast", 1);
	snd_lib_error_set_handler(quiet);
	err = snd_pcm_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0);
	snd_lib_error_set_handler(NULL);
	CHECK(err < 0, "bad VSLIC_SKEW_PPM accepted");

	return 0;
}


/* file == signal, log periods consecutive, log and app ratios = 1+skew */
static int play_and_check(const char *skew_str, double skew_ppm)
{
	const uint64_t total = (uint64_t)RATE * SECONDS;
	double expect = RATE * (1.0 + skew_ppm * 1e-6) / 1e9;
	double ratio, tol;
	struct st_pos p0 = {0}, p1 = {0};
	struct st_log log;
	snd_pcm_t *pcm;
	int16_t *rec;
	size_t n, i;
	uint64_t w;
	int got;

	use_files(skew_str);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS) == 0, "open vslic");

	for (w = 0; w < total; w += PERIOD) {
		got = st_write(pcm, w, PERIOD);
		ST_STALL_IF(got == -EPIPE, pcm);
		CHECK(got == PERIOD, "write at %llu gave %d",
		      (unsigned long long)w, got);
		if (w == 10 * PERIOD)
			CHECK(!st_position(pcm, w + PERIOD, &p0), "delay");
	}
	CHECK(!st_position(pcm, w, &p1), "delay");
	CHECK(snd_pcm_drain(pcm) == 0, "drain");
	CHECK(st_dump_has(pcm, "xruns=0"), "xrun while paced");
	snd_pcm_close(pcm);

	/* the application's view: device samples per monotonic ns */
	ratio = (double)(p1.frames - p0.frames) / (double)(p1.ns - p0.ns);
	tol = 20e-6 + (double)(p0.width_ns + p1.width_ns) /
		(double)(p1.ns - p0.ns);
	printf("# skew %s ppm: device/monotonic ratio %+.1f ppm from nominal"
	       " (tolerance %.1f)\n", skew_str,
	       (ratio * 1e9 / RATE - 1.0) * 1e6, tol * 1e6);
	CHECK(fabs(ratio / expect - 1.0) < tol,
	      "app ratio off by %.1f ppm (tolerance %.1f ppm)",
	      (ratio / expect - 1.0) * 1e6, tol * 1e6);

	CHECK(!st_load(st_path("play.raw"), &rec, &n), "read recording");
	CHECK(n == total, "recorded %zu samples, wrote %llu", n,
	      (unsigned long long)total);
	for (i = 0; i < n; i++) {
		if (rec[i] != st_signal(i))
			break;
	}
	free(rec);
	CHECK(i == n, "recording differs at sample %zu", i);

	CHECK(!st_read_log(st_path("play.log"), &log), "read log");
	CHECK(log.n == total / PERIOD && log.xruns == 0,
	      "log: %zu periods, %zu xruns", log.n, log.xruns);
	for (i = 0; i < log.n; i++) {
		if (log.line[i] != i * PERIOD)
			break;
	}
	ratio = (double)(log.line[log.n - 1] - log.line[0]) /
		(double)(log.ns[log.n - 1] - log.ns[0]);
	st_log_free(&log);
	CHECK(i == total / PERIOD, "log period %zu not at %zu", i,
	      i * PERIOD);
	CHECK(fabs(ratio / expect - 1.0) < 2e-6,
	      "log ratio off by %.2f ppm", (ratio / expect - 1.0) * 1e6);

	return 0;
}


static int test_play_nominal(void)
{
	return play_and_check("0", 0.0);
}


static int test_play_fast_clock(void)
{
	return play_and_check("+200", 200.0);
}


static int test_play_slow_clock(void)
{
	return play_and_check("-200", -200.0);
}


/* a stall longer than the buffer: -EPIPE, xrun logged, recover works */
static int test_underrun_recover(void)
{
	const uint64_t before = 12 * PERIOD, after = 20 * PERIOD;
	const uint64_t base = 1000000;     /* signal offset after recovery */
	struct st_log log;
	snd_pcm_t *pcm;
	int16_t *rec;
	uint64_t w, r, i;
	size_t n;
	int err;

	use_files("0");
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS) == 0, "open vslic");

	for (w = 0; w < before; w += PERIOD) {
		err = st_write(pcm, w, PERIOD);
		ST_STALL_IF(err == -EPIPE, pcm);
		CHECK(err == PERIOD, "write gave %d", err);
	}

	usleep(100000);    /* 100 ms, the buffer holds 20 ms */

	err = st_write(pcm, before, PERIOD);
	CHECK(err == -EPIPE, "write after stall gave %d", err);
	CHECK(snd_pcm_state(pcm) == SND_PCM_STATE_XRUN, "state %s",
	      snd_pcm_state_name(snd_pcm_state(pcm)));
	CHECK(st_dump_has(pcm, "xruns=1"), "xrun not counted");
	CHECK(snd_pcm_recover(pcm, err, 1) == 0, "recover");

	for (w = 0; w < after; w += PERIOD) {
		err = st_write(pcm, base + w, PERIOD);
		ST_STALL_IF(err == -EPIPE, pcm);
		CHECK(err == PERIOD, "write gave %d", err);
	}
	CHECK(snd_pcm_drain(pcm) == 0, "drain");
	snd_pcm_close(pcm);

	CHECK(!st_read_log(st_path("play.log"), &log), "read log");
	CHECK(log.xruns == 1 && log.xrun_line[0] == before,
	      "%zu xruns, first at %llu", log.xruns,
	      (unsigned long long)log.xrun_line[0]);
	r = log.line[before / PERIOD];     /* line of the restart */
	CHECK(log.n == (before + after) / PERIOD && r > before,
	      "%zu periods, restart at %llu", log.n, (unsigned long long)r);
	st_log_free(&log);

	CHECK(!st_load(st_path("play.raw"), &rec, &n), "read recording");
	CHECK(n == r + after, "recorded %zu, want %llu", n,
	      (unsigned long long)(r + after));
	for (i = 0; i < n; i++) {
		int16_t want = i < before ? st_signal(i) :
			i < r ? 0 : st_signal(base + i - r);

		if (rec[i] != want)
			break;
	}
	free(rec);
	CHECK(i == n, "recording wrong at line %llu", (unsigned long long)i);

	return 0;
}


static int write_capture_file(int16_t *pattern, size_t len)
{
	FILE *f = fopen(st_path("cap.raw"), "wb");
	size_t i;

	if (!f)
		return errno;
	for (i = 0; i < len; i++)
		pattern[i] = (int16_t)(i * 31 + 7);   /* distinct values */
	fwrite(pattern, 2, len, f);

	return fclose(f) ? errno : 0;
}


/* capture loops the file from line 0; an overrun gives -EPIPE */
static int test_capture_file_overrun(void)
{
	enum { LEN = 1000 };
	int16_t pattern[LEN], buf[PERIOD];
	snd_pcm_t *pcm;
	uint64_t k, i, phase;
	snd_pcm_sframes_t got;

	CHECK(!write_capture_file(pattern, LEN), "write capture file");
	setenv("VSLIC_CAPTURE", st_path("cap.raw"), 1);
	setenv("VSLIC_SKEW_PPM", "0", 1);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_CAPTURE, 0, RATE,
		      PERIOD, PERIODS) == 0, "open vslic capture");

	for (k = 0; k < RATE / 2; k += PERIOD) {
		got = snd_pcm_readi(pcm, buf, PERIOD);
		ST_STALL_IF(got == -EPIPE, pcm);
		CHECK(got == PERIOD, "read at %llu gave %ld",
		      (unsigned long long)k, (long)got);
		for (i = 0; i < PERIOD; i++)
			CHECK(buf[i] == pattern[(k + i) % LEN],
			      "sample %llu", (unsigned long long)(k + i));
	}

	usleep(100000);
	got = snd_pcm_readi(pcm, buf, PERIOD);
	CHECK(got == -EPIPE, "read after stall gave %ld", (long)got);
	CHECK(st_dump_has(pcm, "xruns=1"), "overrun not counted");
	CHECK(snd_pcm_recover(pcm, (int)got, 1) == 0, "recover");
	got = snd_pcm_readi(pcm, buf, PERIOD);
	ST_STALL_IF(got == -EPIPE, pcm);
	CHECK(got == PERIOD, "read after recover gave %ld", (long)got);

	/* the line went on: data continue the loop from some later phase */
	phase = (uint64_t)((buf[0] - 7) & 0xffff) / 31;
	for (i = 0; i < PERIOD; i++)
		CHECK(buf[i] == pattern[(phase + i) % LEN], "after recover");

	snd_pcm_close(pcm);
	unsetenv("VSLIC_CAPTURE");

	return 0;
}


static int test_capture_tone(void)
{
	int16_t buf[RATE / 4];
	snd_pcm_t *pcm;
	int peak = 0, crossings = 0;
	snd_pcm_sframes_t got;
	size_t i;

	setenv("VSLIC_CAPTURE", "tone:1000:8000", 1);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_CAPTURE, 0, RATE,
		      PERIOD, 4) == 0, "open vslic capture");
	got = snd_pcm_readi(pcm, buf, RATE / 4);
	ST_STALL_IF(got == -EPIPE, pcm);
	CHECK(got == RATE / 4, "read gave %ld", (long)got);
	snd_pcm_close(pcm);
	unsetenv("VSLIC_CAPTURE");

	for (i = 0; i < RATE / 4; i++) {
		if (abs(buf[i]) > peak)
			peak = abs(buf[i]);
		if (i && (buf[i - 1] < 0) != (buf[i] < 0))
			crossings++;
	}
	CHECK(peak == 8000, "peak %d", peak);
	CHECK(abs(crossings - 500) <= 2, "%d zero crossings in 0.25 s",
	      crossings);

	return 0;
}


/* VSLIC_TRIGGER: once the file appears, its samples, once, from the
   next transfer's first sample on */
static int test_capture_trigger(void)
{
	enum { LEN = 100 };
	const char *trig = st_path("trig.raw");
	char tmp[1024];
	int16_t pattern[LEN], buf[PERIOD];
	snd_pcm_t *pcm;
	snd_pcm_sframes_t got;
	FILE *f;
	size_t i, k;

	snprintf(tmp, sizeof(tmp), "%s.tmp", trig);
	unlink(trig);
	setenv("VSLIC_TRIGGER", trig, 1);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_CAPTURE, 0, RATE,
		      PERIOD, PERIODS) == 0, "open vslic capture");
	got = snd_pcm_readi(pcm, buf, PERIOD);
	ST_STALL_IF(got == -EPIPE, pcm);
	CHECK(got == PERIOD, "read gave %ld", (long)got);
	for (i = 0; i < PERIOD; i++)
		CHECK(buf[i] == 0, "silence before the trigger");

	for (i = 0; i < LEN; i++)
		pattern[i] = (int16_t)(1000 + i);
	f = fopen(tmp, "wb");
	CHECK(f && fwrite(pattern, 2, LEN, f) == LEN && !fclose(f),
	      "write the trigger");
	CHECK(!rename(tmp, trig), "rename the trigger");

	for (k = 0; k < 4 * PERIOD; k += PERIOD) {
		got = snd_pcm_readi(pcm, buf, PERIOD);
		ST_STALL_IF(got == -EPIPE, pcm);
		CHECK(got == PERIOD, "read gave %ld", (long)got);
		for (i = 0; i < PERIOD; i++)
			CHECK(buf[i] == (k + i < LEN ? pattern[k + i] : 0),
			      "sample %zu after the trigger", k + i);
	}

	snd_pcm_close(pcm);
	unsetenv("VSLIC_TRIGGER");
	unlink(trig);

	return 0;
}


/* plug: converts 16 kHz to the device's 8 kHz: a 500 Hz tone survives */
static int test_plug_16k(void)
{
	enum { PLUG_RATE = 16000, HZ = 500, AMP = 10000 };
	int16_t buf[PLUG_RATE / 50];
	int16_t *rec;
	snd_pcm_t *pcm;
	size_t n, i;
	uint64_t w;
	int peak = 0, crossings = 0;
	snd_pcm_sframes_t got;

	use_files("0");
	CHECK(st_open(&pcm, "plug:vslic", SND_PCM_STREAM_PLAYBACK, 0,
		      PLUG_RATE, 160, 4) == 0, "open plug:vslic at 16 kHz");

	for (w = 0; w < PLUG_RATE; w += PLUG_RATE / 50) {
		for (i = 0; i < PLUG_RATE / 50; i++)
			buf[i] = (int16_t)lround(AMP * sin(2 * M_PI * HZ *
							   (w + i) /
							   PLUG_RATE));
		got = snd_pcm_writei(pcm, buf, PLUG_RATE / 50);
		ST_STALL_IF(got == -EPIPE, pcm);
		CHECK(got == PLUG_RATE / 50, "write gave %ld", (long)got);
	}
	CHECK(snd_pcm_drain(pcm) == 0, "drain");
	snd_pcm_close(pcm);

	CHECK(!st_load(st_path("play.raw"), &rec, &n), "read recording");
	CHECK(n >= RATE * 95 / 100 && n <= RATE * 105 / 100,
	      "1 s at 16 kHz became %zu samples at 8 kHz", n);

	/* the middle half second, away from converter start-up */
	for (i = RATE / 4; i < RATE * 3 / 4; i++) {
		if (abs(rec[i]) > peak)
			peak = abs(rec[i]);
		if ((rec[i - 1] < 0) != (rec[i] < 0))
			crossings++;
	}
	free(rec);
	CHECK(abs(crossings - HZ) <= 4, "%d crossings in 0.5 s", crossings);
	CHECK(peak > AMP * 8 / 10 && peak < AMP * 12 / 10, "peak %d", peak);

	return 0;
}


/* non-blocking writes driven by poll(): about one wake-up per period */
static int test_nonblock_poll(void)
{
	const uint64_t total = RATE;
	struct pollfd pfd[4];
	snd_pcm_t *pcm;
	uint64_t w = 0;
	unsigned wakes = 0;
	int16_t *rec;
	size_t n, i;
	int nfds, got;

	use_files("0");
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK,
		      SND_PCM_NONBLOCK, RATE, PERIOD, PERIODS) == 0, "open");

	while ((got = st_write(pcm, w, PERIOD)) == PERIOD)
		w += PERIOD;
	CHECK(got == -EAGAIN && w == PERIOD * PERIODS, "fill: %d at %llu",
	      got, (unsigned long long)w);

	nfds = snd_pcm_poll_descriptors(pcm, pfd, 4);
	CHECK(nfds >= 1, "poll descriptors %d", nfds);

	while (w < total) {
		unsigned short revents;

		/* a hang guard, not a timing check */
		CHECK(poll(pfd, (nfds_t)nfds, 5000) > 0, "poll never woke");
		wakes++;
		CHECK(!snd_pcm_poll_descriptors_revents(pcm, pfd,
							(unsigned)nfds,
							&revents), "revents");
		ST_STALL_IF(revents & POLLERR, pcm);
		if (!(revents & POLLOUT))
			continue;
		got = st_write(pcm, w, PERIOD);
		ST_STALL_IF(got == -EPIPE, pcm);
		CHECK(got == PERIOD, "write gave %d", got);
		w += PERIOD;
	}
	snd_pcm_nonblock(pcm, 0);
	CHECK(snd_pcm_drain(pcm) == 0, "drain");
	snd_pcm_close(pcm);

	CHECK(wakes <= 2 * (total / PERIOD) + 8, "%u wake-ups for %llu "
	      "periods", wakes, (unsigned long long)(total / PERIOD));

	CHECK(!st_load(st_path("play.raw"), &rec, &n), "read recording");
	for (i = 0; i < n && rec[i] == st_signal(i); i++)
		;
	free(rec);
	CHECK(n == total && i == n, "recorded %zu, equal up to %zu", n, i);

	return 0;
}


/* fail_file: the device goes away (-ENODEV everywhere), comes back, then
   breaks (-EIO) */
static int test_device_gone(void)
{
	char gone[256];
	snd_pcm_t *pcm = NULL;
	FILE *f;
	uint64_t w;
	int err;

	use_files("0");
	snprintf(gone, sizeof(gone), "%s", st_path("gone"));
	(void)unlink(gone);
	setenv("VSLIC_FAIL", gone, 1);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS) == 0, "open vslic");
	for (w = 0; w < 4 * PERIOD; w += PERIOD) {
		err = st_write(pcm, w, PERIOD);
		ST_STALL_IF(err == -EPIPE, pcm);
		CHECK(err == PERIOD, "write gave %d", err);
	}

	f = fopen(gone, "w");
	CHECK(f && fclose(f) == 0, "create %s", gone);
	err = snd_pcm_wait(pcm, 1000);
	CHECK(err == -ENODEV, "wait gave %d", err);
	err = st_write(pcm, w, PERIOD);
	CHECK(err == -ENODEV, "write gave %d", err);
	CHECK(snd_pcm_state(pcm) == SND_PCM_STATE_DISCONNECTED, "state %s",
	      snd_pcm_state_name(snd_pcm_state(pcm)));
	CHECK(snd_pcm_recover(pcm, err, 1) < 0, "recover succeeded");
	snd_pcm_close(pcm);

	snd_lib_error_set_handler(quiet);
	err = st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS);
	snd_lib_error_set_handler(NULL);
	CHECK(err == -ENODEV, "open while gone gave %d", err);

	CHECK(unlink(gone) == 0, "remove %s", gone);
	CHECK(st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS) == 0, "open after the device is back");
	for (w = 0; w < 4 * PERIOD; w += PERIOD) {
		err = st_write(pcm, w, PERIOD);
		ST_STALL_IF(err == -EPIPE, pcm);
		CHECK(err == PERIOD, "write after the device is back gave "
		      "%d", err);
	}

	/* "EIO": broken, not gone: an xrun that recover cannot fix */
	f = fopen(gone, "w");
	CHECK(f && fputs("EIO\n", f) >= 0 && fclose(f) == 0, "write %s",
	      gone);
	err = snd_pcm_wait(pcm, 1000);
	CHECK(err == -EPIPE, "wait gave %d", err);
	snd_lib_error_set_handler(quiet);
	err = snd_pcm_recover(pcm, err, 1);
	snd_lib_error_set_handler(NULL);
	CHECK(err == -EIO, "recover gave %d", err);
	snd_pcm_close(pcm);
	snd_lib_error_set_handler(quiet);
	err = st_open(&pcm, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, PERIODS);
	snd_lib_error_set_handler(NULL);
	(void)unlink(gone);
	unsetenv("VSLIC_FAIL");
	CHECK(err == -EIO, "open while broken gave %d", err);

	return 0;
}


static const struct st_test tests[] = {
	TEST(test_refuses_other_formats),
	TEST(test_play_nominal),
	TEST(test_play_fast_clock),
	TEST(test_play_slow_clock),
	TEST(test_underrun_recover),
	TEST(test_capture_file_overrun),
	TEST(test_capture_tone),
	TEST(test_capture_trigger),
	TEST(test_plug_16k),
	TEST(test_nonblock_poll),
	TEST(test_device_gone),
	TEST(test_capture_echo),
};


/* fewer stalls on a busy machine; a plain priority works too */
static void realtime(void)
{
	struct sched_param sp = {.sched_priority = 10};

	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		printf("# not SCHED_FIFO (%s): may retry on a busy machine\n",
		       strerror(errno));
}


static void cleanup(void)
{
	static const char *files[] = {"play.raw", "play.log", "cap.raw"};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(st_path(files[i]));
	rmdir(st_dir);
}


int main(int argc, char *argv[])
{
	const struct st_test *selected[sizeof(tests) / sizeof(tests[0])];
	const char *tmp = getenv("TMPDIR");
	size_t i, n = 0, failed = 0;

	snprintf(st_dir, sizeof(st_dir), "%s/vslic.XXXXXX",
		 tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(st_dir)) {
		perror("vslic_selftest: mkdtemp");
		return 1;
	}

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		selected[n++] = &tests[i];
	}

	printf("1..%zu\n", n);
	realtime();
	for (i = 0; i < n; i++) {
		int err = ST_STALLED, tries;

		for (tries = 0; tries < 3 && err == ST_STALLED; tries++)
			err = selected[i]->fn();

		printf("%sok %zu - %s\n", err ? "not " : "", i + 1,
		       selected[i]->name);
		fflush(stdout);
		failed += err != 0;
	}

	cleanup();
	snd_config_update_free_global();

	return failed ? 1 : 0;
}
