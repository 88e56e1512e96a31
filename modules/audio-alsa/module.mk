# modules/audio-alsa: the SLIC through alsa-lib, one thread per line
audio_alsa_LIBS += -lasound -lpthread
