/**
 * @file tests/alsa/vslic_selftest.h  Helpers of the vslic self-test program
 *
 * Not part of the plugin: vslic_selftest*.c build a separate program.
 */
#ifndef VSLIC_SELFTEST_H
#define VSLIC_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <alsa/asoundlib.h>

/** Fail the current test (return 1), a TAP diagnostic naming the line */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: check failed: %s: ",		\
			       __FILE__, __LINE__, #cond);		\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			return 1;					\
		}							\
	} while (0)

enum {
	ST_STALLED = 2,            /* test result: retry, see ST_STALL_IF */
};

/*
 * An xrun the test did not induce means this process was not scheduled
 * for a buffer's time (a loaded machine), not that the plugin is wrong:
 * end the attempt and let main() run the test again.
 */
#define ST_STALL_IF(cond, pcm)						\
	do {								\
		if (cond) {						\
			printf("# %s:%d: xrun not caused by the test "	\
			       "(process stalled?), retrying\n",	\
			       __FILE__, __LINE__);			\
			snd_pcm_close(pcm);				\
			return ST_STALLED;				\
		}							\
	} while (0)

struct st_log {
	uint64_t *line;            /* first line index of each period */
	uint64_t *ns;              /* monotonic time it reached the line */
	size_t n;
	uint64_t xrun_line[8];     /* "# xrun" entries */
	size_t xruns;
};

struct st_pos {
	uint64_t frames;           /* frames the device has played */
	uint64_t ns;               /* monotonic time of that reading */
	uint64_t width_ns;         /* uncertainty of ns */
};

extern char st_dir[64];

uint64_t st_now_ns(void);
const char *st_path(const char *name);
int16_t st_signal(uint64_t i);
int st_open(snd_pcm_t **pcmp, const char *dev, snd_pcm_stream_t stream,
	    int mode, unsigned rate, snd_pcm_uframes_t period,
	    unsigned periods);
int st_write(snd_pcm_t *pcm, uint64_t first, snd_pcm_uframes_t frames);
int st_load(const char *path, int16_t **bufp, size_t *np);
int st_read_log(const char *path, struct st_log *log);
void st_log_free(struct st_log *log);
int st_position(snd_pcm_t *pcm, uint64_t written, struct st_pos *pos);
bool st_dump_has(snd_pcm_t *pcm, const char *needle);

/* vslic_selftest_echo.c */
int test_capture_echo(void);

#endif
