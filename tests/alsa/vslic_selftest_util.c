/**
 * @file tests/alsa/vslic_selftest_util.c  vslic self-test: pcm and file help
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vslic_selftest.h"

enum {
	POS_TRIES    = 50,
	POS_WIDTH_NS = 20000,      /* retry a reading bracketed wider */
	SPIN_MAX     = 1000000,
	LOG_MAX      = 100000,
};

char st_dir[64];


uint64_t st_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}


/** st_dir/name, in a static buffer */
const char *st_path(const char *name)
{
	static char buf[2][256];
	static int which;

	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", st_dir, name);

	return buf[which];
}


/** A known signal: never zero (silence), never periodic in a period */
int16_t st_signal(uint64_t i)
{
	uint32_t h = (uint32_t)(i * 2654435761u) ^ (uint32_t)(i >> 7);
	int16_t s = (int16_t)(h >> 16);

	return s ? s : 1;
}


/** Open dev with S16 mono at rate, exactly period x periods */
int st_open(snd_pcm_t **pcmp, const char *dev, snd_pcm_stream_t stream,
	    int mode, unsigned rate, snd_pcm_uframes_t period,
	    unsigned periods)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	int err;

	err = snd_pcm_open(&pcm, dev, stream, mode);
	if (err < 0)
		return err;

	snd_pcm_hw_params_alloca(&hw);
	err = snd_pcm_hw_params_any(pcm, hw);
	if (err >= 0)
		err = snd_pcm_hw_params_set_access(pcm, hw,
					SND_PCM_ACCESS_RW_INTERLEAVED);
	if (err >= 0)
		err = snd_pcm_hw_params_set_format(pcm, hw,
						   SND_PCM_FORMAT_S16_LE);
	if (err >= 0)
		err = snd_pcm_hw_params_set_channels(pcm, hw, 1);
	if (err >= 0)
		err = snd_pcm_hw_params_set_rate(pcm, hw, rate, 0);
	if (err >= 0)
		err = snd_pcm_hw_params_set_period_size(pcm, hw, period, 0);
	if (err >= 0)
		err = snd_pcm_hw_params_set_periods(pcm, hw, periods, 0);
	if (err >= 0)
		err = snd_pcm_hw_params(pcm, hw);

	if (err < 0) {
		snd_pcm_close(pcm);
		return err;
	}

	*pcmp = pcm;

	return 0;
}


/** Write st_signal(first ...) in one writei; returns its result */
int st_write(snd_pcm_t *pcm, uint64_t first, snd_pcm_uframes_t frames)
{
	int16_t buf[4096];
	snd_pcm_uframes_t i;

	if (frames > sizeof(buf) / sizeof(buf[0]))
		return -EINVAL;

	for (i = 0; i < frames; i++)
		buf[i] = st_signal(first + i);

	return (int)snd_pcm_writei(pcm, buf, frames);
}


/** Read a whole raw S16 file */
int st_load(const char *path, int16_t **bufp, size_t *np)
{
	FILE *f = fopen(path, "rb");
	int16_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return errno;

	for (;;) {
		size_t got;

		if (n == cap) {
			int16_t *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap * sizeof(*buf));
			if (!nb) {
				free(buf);
				fclose(f);
				return ENOMEM;
			}
			buf = nb;
		}

		got = fread(buf + n, 2, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}

	fclose(f);
	*bufp = buf;
	*np = n;

	return 0;
}


static int log_line(struct st_log *log, const char *text)
{
	unsigned long long line, ns;

	if (sscanf(text, "# xrun %llu %llu", &line, &ns) == 2) {
		if (log->xruns < sizeof(log->xrun_line) / 8)
			log->xrun_line[log->xruns] = line;
		log->xruns++;
		return 0;
	}

	if (sscanf(text, "%llu %llu", &line, &ns) != 2 || log->n >= LOG_MAX)
		return EBADMSG;

	log->line[log->n] = line;
	log->ns[log->n] = ns;
	log->n++;

	return 0;
}


/** Parse a playback_log */
int st_read_log(const char *path, struct st_log *log)
{
	char text[128];
	FILE *f;
	int err = 0;

	memset(log, 0, sizeof(*log));
	log->line = calloc(LOG_MAX, sizeof(*log->line));
	log->ns = calloc(LOG_MAX, sizeof(*log->ns));
	if (!log->line || !log->ns)
		return ENOMEM;

	f = fopen(path, "r");
	if (!f)
		return errno;

	while (!err && fgets(text, sizeof(text), f))
		err = log_line(log, text);

	fclose(f);

	return err;
}


void st_log_free(struct st_log *log)
{
	free(log->line);
	free(log->ns);
	memset(log, 0, sizeof(*log));
}


struct reading {
	uint64_t frames;
	uint64_t t0, t1;           /* clock before and after */
};


static int read_position(snd_pcm_t *pcm, uint64_t written,
			 struct reading *r)
{
	snd_pcm_sframes_t delay;
	int err;

	r->t0 = st_now_ns();
	err = snd_pcm_delay(pcm, &delay);
	r->t1 = st_now_ns();
	if (err < 0)
		return err;

	r->frames = written - (uint64_t)delay;

	return 0;
}


/**
 * When did the device reach a sample? Poll snd_pcm_delay() until the
 * position changes: it reached cur.frames between prev.t0 and cur.t1.
 * That pins the moment to a few microseconds instead of a whole sample
 * (125 us). A reading disturbed by preemption (wide bracket) is retried;
 * the width left is reported so that checks can allow for it.
 */
int st_position(snd_pcm_t *pcm, uint64_t written, struct st_pos *pos)
{
	struct reading prev, cur;
	int i, spin, err;

	memset(pos, 0, sizeof(*pos));

	for (i = 0; i < POS_TRIES; i++) {
		err = read_position(pcm, written, &prev);
		for (spin = 0; !err && spin < SPIN_MAX; spin++) {
			err = read_position(pcm, written, &cur);
			if (err || cur.frames != prev.frames)
				break;
			prev = cur;
		}
		if (err)
			return err;
		if (spin == SPIN_MAX)
			return ETIMEDOUT;

		if (!pos->width_ns || cur.t1 - prev.t0 < pos->width_ns) {
			pos->frames = cur.frames;
			pos->ns = prev.t0 / 2 + cur.t1 / 2;
			pos->width_ns = cur.t1 - prev.t0;
		}
		if (pos->width_ns < POS_WIDTH_NS)
			break;
	}

	return 0;
}


/** Does snd_pcm_dump() mention needle (e.g. "xruns=1")? */
bool st_dump_has(snd_pcm_t *pcm, const char *needle)
{
	snd_output_t *out;
	char *text = NULL;
	bool found;

	if (snd_output_buffer_open(&out) < 0)
		return false;

	snd_pcm_dump(pcm, out);
	snd_output_buffer_string(out, &text);
	found = text && strstr(text, needle);
	snd_output_close(out);

	return found;
}
