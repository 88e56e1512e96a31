/**
 * @file tests/alsa/vslic_line.c  What the line hears and says
 *
 * Playback: every sample that begins on the line goes to playback_file,
 * at byte offset 2 * line_index, silence filling the time the stream did
 * not run; playback_log gets "<line_index> <monotonic_ns>" for the first
 * sample of each period and "# xrun <line_index> <monotonic_ns>" lines.
 * Capture: a pure function of the line index (file looped, tone or
 * silence, plus the hybrid's echo: vslic_echo.c), so re-reading a frame
 * (mmap capture) yields the same data.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vslic.h"

enum {
	CAPTURE_MAX_BYTES = 64 * 1024 * 1024,
	SILENCE_CHUNK     = 512,
	OUT_BUF           = 4 * 1024 * 1024,
};


static int capture_load(struct vslic *v)
{
	const char *path = v->conf.capture_file;
	struct stat st;
	FILE *f;
	int err = 0;

	if (!path) {
		SNDERR("vslic: capture from a file needs a path");
		return -EINVAL;
	}

	f = fopen(path, "rb");
	if (!f) {
		err = -errno;
		SNDERR("vslic: capture_file %s: %s", path, strerror(errno));
		return err;
	}

	if (fstat(fileno(f), &st) || st.st_size < 2 ||
	    st.st_size > CAPTURE_MAX_BYTES || st.st_size % 2) {
		SNDERR("vslic: capture_file %s: want 2..%d bytes of raw S16, "
		       "even size", path, CAPTURE_MAX_BYTES);
		err = -EINVAL;
		goto out;
	}

	v->capture_len = (size_t)st.st_size / 2;
	v->capture = malloc(v->capture_len * sizeof(*v->capture));
	if (!v->capture) {
		err = -ENOMEM;
		goto out;
	}

	if (fread(v->capture, 2, v->capture_len, f) != v->capture_len) {
		SNDERR("vslic: capture_file %s: short read", path);
		err = -EIO;
	}

 out:
	fclose(f);
	return err;
}


static int open_out(FILE **fp, const char *path, const char *what)
{
	int err;

	if (!path)
		return 0;

	*fp = fopen(path, "w");
	if (!*fp) {
		err = -errno;
		SNDERR("vslic: %s %s: %s", what, path, strerror(errno));
		return err;
	}

	/*
	 * These are written from the application's audio thread (pointer
	 * and poll callbacks): a write(2) there can stall for a period on
	 * a busy disk and cause the underrun the test looks for. A big
	 * buffer, flushed at close (and at an xrun), keeps file I/O off
	 * the real-time path: a minute of playback is under 1 MiB.
	 */
	(void)setvbuf(*fp, NULL, _IOFBF, OUT_BUF);

	return 0;
}


/** Open the outputs (playback) or load the source (capture) */
int vslic_line_open(struct vslic *v)
{
	int err;

	if (!v)
		return -EINVAL;

	if (v->io.stream == SND_PCM_STREAM_CAPTURE) {
		if (v->conf.src == VSLIC_SRC_FILE)
			return capture_load(v);
		return 0;
	}

	err = open_out(&v->rec, v->conf.playback_file, "playback_file");
	if (err)
		return err;

	return open_out(&v->log, v->conf.playback_log, "playback_log");
}


static void record_silence(struct vslic *v, uint64_t frames);


void vslic_line_close(struct vslic *v)
{
	if (!v)
		return;

	/*
	 * The line was silent while the PCM was stopped (an idle line, see
	 * modules/audio-alsa/alsa_idle.c): a restart fills that gap, and
	 * so does the close for the time since the last stop, so the
	 * recording stays the line's timeline up to now. Only a stop
	 * longer than a period: a stream drained and closed at once (the
	 * self-test's exact sample counts) leaves its recording as played.
	 */
	if (v->rec && v->epoch_set) {
		int64_t line = vslic_clock_pos(&v->clk, vslic_now_ns());

		if (line > 0 &&
		    (uint64_t)line > v->rec_line + v->io.period_size)
			record_silence(v, (uint64_t)line - v->rec_line);
	}
	if (v->rec)
		fclose(v->rec);
	if (v->log)
		fclose(v->log);
	v->rec = NULL;
	v->log = NULL;

	free(v->capture);
	v->capture = NULL;
	v->capture_len = 0;
	vslic_trigger_close(v);
}


static void record_silence(struct vslic *v, uint64_t frames)
{
	static const int16_t zero[SILENCE_CHUNK];

	while (frames) {
		size_t n = frames < SILENCE_CHUNK ? frames : SILENCE_CHUNK;

		fwrite(zero, 2, n, v->rec);
		frames -= n;
	}
}


static void record_ring(struct vslic *v, uint64_t from, uint64_t to)
{
	snd_pcm_uframes_t size = v->io.buffer_size;

	while (from < to) {
		size_t ofs = from % size;
		size_t n = size - ofs;

		if (n > to - from)
			n = to - from;

		fwrite(v->ring + ofs, 2, n, v->rec);
		from += n;
	}
}


/** Stream frames [from, to) began on the line: record and log them */
void vslic_line_play(struct vslic *v, uint64_t from, uint64_t to)
{
	snd_pcm_uframes_t period = v->io.period_size;
	uint64_t f;

	if (from >= to)
		return;

	vslic_echo_record(v, from, to);
	if (v->rec) {
		uint64_t line = v->start_line + from;

		if (v->rec_line < line)
			record_silence(v, line - v->rec_line);

		record_ring(v, from, to);
		v->rec_line = v->start_line + to;
	}

	if (!v->log)
		return;

	for (f = (from + period - 1) / period * period; f < to; f += period) {
		uint64_t line = v->start_line + f;

		fprintf(v->log, "%llu %llu\n", (unsigned long long)line,
			(unsigned long long)vslic_clock_time(&v->clk, line));
	}
}


/** Note an event (xrun) at a line index in the log */
void vslic_line_event(struct vslic *v, const char *what, uint64_t line)
{
	if (!v || !v->log)
		return;

	fprintf(v->log, "# %s %llu %llu\n", what, (unsigned long long)line,
		(unsigned long long)vslic_clock_time(&v->clk, line));
	fflush(v->log);
	if (v->rec)
		fflush(v->rec);
}


static int16_t source_sample(const struct vslic *v, uint64_t line)
{
	double phase;

	switch (v->conf.src) {

	case VSLIC_SRC_FILE:
		return v->capture[line % v->capture_len];

	case VSLIC_SRC_TONE:
		/* fmod first: keeps precision for large line indices */
		phase = fmod(v->conf.tone_hz * (double)line, VSLIC_RATE);
		return (int16_t)lround(v->conf.tone_level *
				       sin(2.0 * M_PI * phase / VSLIC_RATE));

	default:
		return 0;
	}
}


/** Fill frames (every step-th int16) with the line from index line on */
void vslic_line_capture(const struct vslic *v, int16_t *dst, int step,
			uint64_t line, snd_pcm_uframes_t frames)
{
	snd_pcm_uframes_t i;

	for (i = 0; i < frames; i++)
		dst[i * step] = source_sample(v, line + i);
	vslic_trigger_add(v, dst, step, line, frames);
	vslic_echo_add(v, dst, step, line, frames);
}
