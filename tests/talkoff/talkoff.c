/**
 * @file talkoff.c  DTMF talk-off: our detector and spandsp's dtmf_rx on
 *                  speech and music, and a positive control
 *
 * Reads the material gen.py made (a manifest of WAV files, 8 kHz or
 * espeak-ng's 22050 Hz, resampled here), sets each file to its speech
 * level and plays it all, in 20 ms packets as the line does, through
 * core/dsp/dtmf_det.c and through spandsp's dtmf_rx (default
 * settings). Every key either reports is a false key: listed with its
 * time and file, and whether the other detector saw it too (within
 * 100 ms). Then the positive control: the same material with a burst
 * of the 16 keys every 10 s (50 ms tone, 50 ms pause, four pairs of
 * levels from -7/-5 to -22/-20 dBm0, the material 25 dB down under
 * the burst, as a room behind the handset); each detector must report
 * exactly those keys. TAP out; only our detector's results can fail
 * (spandsp's are reported). Test-only: spandsp is linked here alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spandsp.h>
#include <re.h>
#include "dsp/dtmf_det.h"

enum {
	RATE = 8000,
	PKT = 160,              /* 20 ms packets, as the line feeds it */
	IN_RATE = 22050,        /* espeak-ng's rate                     */
	UP = 160, DOWN = 441,   /* 22050 * 160 / 441 = 8000             */
	HALF = 64,              /* filter half length, input samples    */
	BURST_EVERY = 10 * RATE,
	TONE = 400, GAP = 400,  /* 50 ms on, 50 ms off                  */
	NEAR = 800,             /* 100 ms: the same event for both      */
	MAXEV = 100000,
};

#define DBM0_RMS 16021.0        /* 0 dBm0 sine: peak 22657 (tone.h) */

static const char keys[] = "123A456B789C*0#D";
static const double rowf[4] = {697, 770, 852, 941};
static const double colf[4] = {1209, 1336, 1477, 1633};
static const int levels[4][2] = {{-7, -5}, {-10, -8}, {-16, -14},
				 {-22, -20}};

struct event {
	size_t at;              /* sample of the report */
	char key;
};

struct evlist {
	struct event ev[MAXEV];
	size_t n;
	size_t now;             /* samples fed so far   */
};

struct file {
	char name[128];
	size_t start, len;
};

static struct file files[1024];
static size_t nfiles;
static struct evlist ours, theirs;
static float kernel[UP][2 * HALF];


static void add(struct evlist *l, char key)
{
	if (l->n < MAXEV) {
		l->ev[l->n].at = l->now;
		l->ev[l->n].key = key;
		l->n++;
	}
}


static void ours_h(char key, bool end, uint32_t dur_ms, void *arg)
{
	(void)dur_ms;
	if (!end)
		add(arg, key);
}


static void theirs_h(void *arg, int code, int level, int delay)
{
	(void)level;
	(void)delay;
	if (code)
		add(arg, (char)code);
}


/* Windowed sinc (Blackman), cut at 3500 Hz, one row per output phase */
static void kernel_init(void)
{
	const double fc = 3500.0 / IN_RATE;

	for (int p = 0; p < UP; p++) {
		double frac = (double)p / UP, sum = 0;

		for (int k = 0; k < 2 * HALF; k++) {
			double x = k - HALF + 1 - frac;
			double w = 0.42 + 0.5 * cos(M_PI * x / HALF) +
				0.08 * cos(2 * M_PI * x / HALF);
			double s = x == 0 ? 2 * fc :
				sin(2 * M_PI * fc * x) / (M_PI * x);

			if (fabs(x) >= HALF)
				w = 0;
			kernel[p][k] = (float)(s * w);
			sum += s * w;
		}
		for (int k = 0; k < 2 * HALF; k++)
			kernel[p][k] = (float)(kernel[p][k] / sum);
	}
}


/* 22050 Hz -> 8000 Hz; returns the number of output samples */
static size_t resample(const int16_t *in, size_t n, float *out)
{
	size_t m = n * UP / DOWN;

	for (size_t j = 0; j < m; j++) {
		size_t pos = j * DOWN;
		size_t i0 = pos / UP;
		const float *h = kernel[pos % UP];
		float acc = 0;

		for (int k = 0; k < 2 * HALF; k++) {
			long i = (long)i0 + k - HALF + 1;

			if (i >= 0 && (size_t)i < n)
				acc += h[k] * (float)in[i];
		}
		out[j] = acc;
	}

	return m;
}


/* r.m.s. of the 20 ms frames within 30 dB of the loudest: the level
   of the speech, not of its pauses */
static double active_rms(const float *x, size_t n)
{
	double top = 0, sum = 0;
	size_t cnt = 0;

	for (size_t f = 0; f + PKT <= n; f += PKT) {
		double e = 0;

		for (size_t i = 0; i < PKT; i++)
			e += (double)x[f + i] * x[f + i];
		if (e > top)
			top = e;
	}
	for (size_t f = 0; f + PKT <= n; f += PKT) {
		double e = 0;

		for (size_t i = 0; i < PKT; i++)
			e += (double)x[f + i] * x[f + i];
		if (e >= top * 1e-3) {
			sum += e;
			cnt += PKT;
		}
	}

	return cnt ? sqrt(sum / (double)cnt) : 0;
}


static int16_t clip(double v)
{
	if (v > 32767)
		return 32767;
	if (v < -32768)
		return -32768;
	return (int16_t)lrint(v);
}


/* A mono S16 WAV at 8000 or 22050 Hz, appended to @p pcm at @p level */
static int load(const char *path, int level, int16_t **pcm, size_t *len)
{
	unsigned char hdr[12], ch[8];
	uint32_t rate = 0, size;
	int16_t *in = NULL;
	float *f = NULL;
	size_t n = 0, m;
	double gain;
	int err = 1;
	FILE *fp = fopen(path, "rb");

	if (!fp || fread(hdr, 1, 12, fp) != 12 || memcmp(hdr, "RIFF", 4))
		goto out;
	while (fread(ch, 1, 8, fp) == 8) {
		size = ch[4] | ch[5] << 8 | ch[6] << 16 |
			(uint32_t)ch[7] << 24;
		if (!memcmp(ch, "fmt ", 4)) {
			unsigned char fmt[16];

			if (size < 16 || fread(fmt, 1, 16, fp) != 16)
				goto out;
			rate = fmt[4] | fmt[5] << 8 | fmt[6] << 16;
			if (fmt[2] != 1 || fmt[14] != 16)
				goto out;
			fseek(fp, (long)(size - 16), SEEK_CUR);
		}
		else if (!memcmp(ch, "data", 4)) {
			in = malloc(size ? size : 1);
			if (!in)
				goto out;
			n = fread(in, 2, size / 2, fp);
			break;
		}
		else {
			fseek(fp, (long)size, SEEK_CUR);
		}
	}
	if (!in || (rate != RATE && rate != IN_RATE))
		goto out;

	f = malloc((n + 1) * sizeof(*f));
	*pcm = realloc(*pcm, (*len + n + 1) * sizeof(**pcm));
	if (!f || !*pcm)
		goto out;
	if (rate == IN_RATE) {
		m = resample(in, n, f);
	}
	else {
		for (size_t i = 0; i < n; i++)
			f[i] = in[i];
		m = n;
	}
	gain = DBM0_RMS * pow(10, level / 20.0) / (active_rms(f, m) + 1e-9);
	for (size_t i = 0; i < m; i++)
		(*pcm)[*len + i] = clip(f[i] * gain);
	*len += m;
	err = 0;
 out:
	free(in);
	free(f);
	if (fp)
		fclose(fp);
	return err;
}


/* Both detectors over @p pcm, in packets */
static void run(const int16_t *pcm, size_t len)
{
	struct dtmf_det *d = NULL;
	dtmf_rx_state_t *s;

	ours.n = theirs.n = ours.now = theirs.now = 0;
	if (dtmf_det_alloc(&d, ours_h, &ours)) {
		fprintf(stderr, "dtmf_det_alloc failed\n");
		exit(1);
	}
	s = dtmf_rx_init(NULL, NULL, NULL);
	dtmf_rx_set_realtime_callback(s, theirs_h, &theirs);
	for (size_t i = 0; i + PKT <= len; i += PKT) {
		dtmf_det_process(d, pcm + i, PKT);
		dtmf_rx(s, pcm + i, PKT);
		ours.now = theirs.now = i + PKT;
	}
	dtmf_rx_free(s);
	mem_deref(d);
}


static const char *file_at(size_t at)
{
	for (size_t i = 0; i < nfiles; i++) {
		if (at >= files[i].start && at < files[i].start + files[i].len)
			return files[i].name;
	}
	return "?";
}


static bool seen(const struct evlist *l, size_t at)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t a = l->ev[i].at;

		if (a + NEAR >= at && a <= at + NEAR)
			return true;
	}
	return false;
}


static void list(const char *who, const struct evlist *l,
		 const struct evlist *other)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t at = l->ev[i].at;

		printf("# %-7s false key %c at %3zu:%06.3f in %s (%s)\n",
		       who, l->ev[i].key, at / RATE / 60,
		       fmod((double)at / RATE, 60), file_at(at),
		       seen(other, at) ? "both" : "only this one");
	}
}


/* Tone pair @p k at level pair @p lv added at @p at; the material
   under the burst is already attenuated */
static void tone(int16_t *pcm, size_t at, int k, int lv)
{
	double ar = 22657 * pow(10, levels[lv][0] / 20.0);
	double ac = 22657 * pow(10, levels[lv][1] / 20.0);

	for (size_t i = 0; i < TONE; i++) {
		double t = (double)i / RATE;
		double v = pcm[at + i] +
			ar * sin(2 * M_PI * rowf[k / 4] * t) +
			ac * sin(2 * M_PI * colf[k % 4] * t);

		pcm[at + i] = clip(v);
	}
}


struct sent {
	size_t at;
	char key;
	int lv;                 /* index in levels[] */
};


/* Bursts of the 16 keys; returns the keys sent, in order */
static size_t bursts(int16_t *pcm, size_t len, struct sent *sent,
		     size_t max)
{
	size_t n = 0, b = 0;
	const size_t blen = 16 * (TONE + GAP);

	for (size_t at = BURST_EVERY / 2; at + blen + GAP <= len;
	     at += BURST_EVERY, b++) {
		for (size_t i = at - GAP; i < at + blen + GAP; i++)
			pcm[i] = clip(pcm[i] * 0.056);  /* -25 dB */
		for (int k = 0; k < 16 && n < max; k++) {
			size_t t = at + (size_t)k * (TONE + GAP);

			tone(pcm, t, k, (int)(b % 4));
			sent[n].at = t;
			sent[n].key = keys[k];
			sent[n].lv = (int)(b % 4);
			n++;
		}
	}
	return n;
}


/*
 * Match the keys reported to the keys sent (a report belongs to the
 * key whose tone or pause it falls in). Counts the keys missed at each
 * level pair and the reports that match no key; lists each.
 */
static void match(const char *who, const struct evlist *l,
		  const struct sent *sent, size_t n, size_t miss[4],
		  size_t *extra)
{
	size_t j = 0;

	memset(miss, 0, 4 * sizeof(*miss));
	*extra = 0;
	for (size_t i = 0; i < n; i++) {
		size_t end = sent[i].at + TONE + GAP;

		while (j < l->n && l->ev[j].at < sent[i].at) {
			printf("# %s: extra key %c at %zu\n", who,
			       l->ev[j].key, l->ev[j].at);
			++*extra;
			j++;
		}
		if (j < l->n && l->ev[j].at < end &&
		    l->ev[j].key == sent[i].key) {
			j++;
			continue;
		}
		printf("# %s: missed %c (%d/%d dBm0) at %zu:%06.3f in %s\n",
		       who, sent[i].key, levels[sent[i].lv][0],
		       levels[sent[i].lv][1], sent[i].at / RATE / 60,
		       fmod((double)sent[i].at / RATE, 60),
		       file_at(sent[i].at));
		miss[sent[i].lv]++;
	}
	*extra += l->n - j;
}


/* Positive control verdict: no extra key, none missed at the three
   usual level pairs; at -22/-20 dBm0 under loud talk, misses are told */
static bool control(int t, const char *who, const struct evlist *l,
		    const struct sent *sent, size_t n)
{
	size_t miss[4], extra;
	bool ok;

	match(who, l, sent, n, miss, &extra);
	ok = !extra && !miss[0] && !miss[1] && !miss[2];
	printf("%s %d - %s: positive control, %zu keys sent: missed "
	       "%zu/%zu/%zu/%zu (by level pair, strong to weak), %zu extra\n",
	       ok ? "ok" : "not ok", t, who, n, miss[0], miss[1], miss[2],
	       miss[3], extra);
	return ok;
}


int main(int argc, char **argv)
{
	static struct sent sent[MAXEV];
	char line[512], dir[400], path[600];
	int16_t *pcm = NULL;
	size_t len = 0, nsent;
	double mins;
	FILE *man;
	char *slash;
	int t = 0, fail = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MANIFEST\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	man = fopen(argv[1], "r");
	if (!man) {
		perror(argv[1]);
		return 1;
	}
	kernel_init();
	while (fgets(line, sizeof(line), man) && nfiles < 1024) {
		struct file *f = &files[nfiles];
		int level;

		if (sscanf(line, "%127s %d", f->name, &level) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		f->start = len;
		if (load(path, level, &pcm, &len)) {
			fprintf(stderr, "cannot read %s\n", path);
			return 1;
		}
		f->len = len - f->start;
		nfiles++;
	}
	fclose(man);
	mins = (double)len / RATE / 60;
	printf("# %zu files, %.1f minutes of material\n", nfiles, mins);

	run(pcm, len);
	list("ours", &ours, &theirs);
	list("spandsp", &theirs, &ours);
	printf("%s %d - ours: %zu false keys in %.1f min\n",
	       ours.n ? "not ok" : "ok", ++t, ours.n, mins);
	fail |= ours.n != 0;
	printf("ok %d - spandsp: %zu false keys in %.1f min "
	       "(reported, not judged)\n", ++t, theirs.n, mins);

	nsent = bursts(pcm, len, sent, MAXEV);
	run(pcm, len);
	fail |= !control(++t, "ours", &ours, sent, nsent);
	fail |= !control(++t, "spandsp", &theirs, sent, nsent);
	printf("1..%d\n", t);
	free(pcm);

	return fail;
}
