/**
 * @file tests/alsa/vslic_trigger.c  Capture samples played once, on cue
 *
 * VSLIC_TRIGGER names a file that does not exist when the capture
 * opens. Once a test writes it (raw S16 mono 8 kHz; write it under
 * another name and rename it, so it appears whole), the capture adds
 * its samples once, from the first line sample a transfer asks for
 * after it appeared, to the rest of the capture (file, tone or silence
 * and the hybrid). It is read once per capture transfer (a stat) until
 * found; a second one needs a new open. Tests answer the line with it
 * (e.g. the phone's DTMF acknowledgement of caller ID on call waiting).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vslic.h"

enum { TRIGGER_MAX_BYTES = 16 * 1024 * 1024 };


static void load(struct vslic *v, uint64_t line)
{
	const char *path = v->conf.trigger_file;
	struct stat st;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return;

	if (fstat(fileno(f), &st) || st.st_size < 2 ||
	    st.st_size > TRIGGER_MAX_BYTES) {
		SNDERR("vslic: VSLIC_TRIGGER %s: want 2..%d bytes of raw S16",
		       path, TRIGGER_MAX_BYTES);
		goto out;
	}

	v->trig_len = (size_t)st.st_size / 2;
	v->trig = malloc(v->trig_len * sizeof(*v->trig));
	if (!v->trig ||
	    fread(v->trig, 2, v->trig_len, f) != v->trig_len) {
		SNDERR("vslic: VSLIC_TRIGGER %s: cannot read it", path);
		free(v->trig);
		v->trig = NULL;
		v->trig_len = 0;
		goto out;
	}
	v->trig_line = line;

 out:
	fclose(f);
	v->trig_done = true;    /* once per open, even when unreadable */
}


/** Capture transfer from @p line: look for the file (until found) */
void vslic_trigger_poll(struct vslic *v, uint64_t line)
{
	if (!v || !v->conf.trigger_file || v->trig_done ||
	    v->io.stream != SND_PCM_STREAM_CAPTURE)
		return;

	if (access(v->conf.trigger_file, F_OK))
		return;

	load(v, line);
}


/** Add the trigger's samples that fall in [line, line + frames) */
void vslic_trigger_add(const struct vslic *v, int16_t *dst, int step,
		       uint64_t line, snd_pcm_uframes_t frames)
{
	snd_pcm_uframes_t i;
	int32_t s;

	if (!v || !v->trig)
		return;

	for (i = 0; i < frames; i++) {
		uint64_t k = line + i;

		if (k < v->trig_line || k - v->trig_line >= v->trig_len)
			continue;
		s = (int32_t)dst[i * step] + v->trig[k - v->trig_line];
		dst[i * step] = (int16_t)(s > 32767 ? 32767 :
					  s < -32768 ? -32768 : s);
	}
}


void vslic_trigger_close(struct vslic *v)
{
	if (!v)
		return;

	free(v->trig);
	v->trig = NULL;
	v->trig_len = 0;
	v->trig_done = false;
}
