/**
 * @file tests/alsa/vslic_selftest_echo.c  vslic self-test: the hybrid
 *
 * With VSLIC_ECHO=8:6 and a silent capture source, what a playback of
 * "vslic" puts on the line comes back in a capture of "vslic" in the
 * same process: the same signal (correlation >= 0.99), 6 dB down, 8 ms
 * later than on the line (the lag between the two streams' own sample
 * counts is 64 samples less the capture's later start, under a
 * period). VSLIC_ECHO=off: the capture is silence again.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vslic_selftest.h"

enum {
	RATE = 8000,
	PERIOD = 80,
	LAG = 64,                /* 8 ms */
	LEN = RATE,
	LAG_MAX = 400,
};


/* a second of playback; returns what the capture got meanwhile */
static int play_and_capture(int16_t *cap, size_t *got)
{
	snd_pcm_t *play, *rec;
	snd_pcm_sframes_t r;
	uint64_t k;

	*got = 0;
	CHECK(st_open(&play, "vslic", SND_PCM_STREAM_PLAYBACK, 0, RATE,
		      PERIOD, 4) == 0, "open playback");
	if (st_open(&rec, "vslic", SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK,
		    RATE, PERIOD, 8)) {
		snd_pcm_close(play);
		CHECK(0, "open capture");
	}

	for (k = 0; *got < LEN && k < 2 * LEN; k += PERIOD) {
		r = st_write(play, k, PERIOD);
		if (r == -EPIPE) {
			snd_pcm_close(rec);
			ST_STALL_IF(1, play);
		}
		CHECK(r == PERIOD, "write gave %ld", (long)r);
		if (!k)
			(void)snd_pcm_start(rec);
		do {
			size_t want = LEN - *got < PERIOD ? LEN - *got :
				PERIOD;

			r = want ? snd_pcm_readi(rec, cap + *got, want) : 0;
			if (r > 0)
				*got += (size_t)r;
		} while (r > 0);
		if (r == -EPIPE) {
			snd_pcm_close(play);
			ST_STALL_IF(1, rec);
		}
	}
	snd_pcm_close(rec);
	snd_pcm_close(play);

	return 0;
}


int test_capture_echo(void)
{
	static int16_t cap[LEN];
	double best = 0, pc = 0, ps = 0, c;
	size_t got, j;
	int lag = -1, err;

	setenv("VSLIC_SKEW_PPM", "0", 1);
	setenv("VSLIC_CAPTURE", "silence", 1);
	setenv("VSLIC_ECHO", "8:6", 1);
	setenv("VSLIC_PLAYBACK", "", 1);
	setenv("VSLIC_LOG", "", 1);
	err = play_and_capture(cap, &got);
	if (err)
		return err;
	CHECK(got == LEN, "captured %zu", got);

	for (int l = 0; l < LAG_MAX; l++) {
		c = 0;
		for (j = LAG_MAX; j < LEN; j++)
			c += (double)cap[j] * st_signal(j - (size_t)l);
		if (c > best) {
			best = c;
			lag = l;
		}
	}
	for (j = LAG_MAX; j < LEN; j++) {
		pc += (double)cap[j] * cap[j];
		ps += (double)st_signal(j - (size_t)lag) *
			st_signal(j - (size_t)lag);
	}
	printf("# echo: lag %d samples, %.2f dB, correlation %.4f\n", lag,
	       10 * log10(pc / ps), best / sqrt(pc * ps));
	CHECK(best / sqrt(pc * ps) >= 0.99, "not the played signal");
	CHECK(fabs(10 * log10(pc / ps) + 6) < 0.1, "level %.2f dB",
	      10 * log10(pc / ps));
	CHECK(lag <= LAG && lag > LAG - PERIOD, "lag %d", lag);

	/* off again: a silent line */
	setenv("VSLIC_ECHO", "off", 1);
	err = play_and_capture(cap, &got);
	if (err)
		return err;
	for (j = 0; j < got; j++)
		CHECK(cap[j] == 0, "sample %zu is %d", j, cap[j]);
	unsetenv("VSLIC_ECHO");
	unsetenv("VSLIC_CAPTURE");

	return 0;
}
