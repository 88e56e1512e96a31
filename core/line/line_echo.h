/**
 * @file line_echo.h  A line's echo canceller, fed from the audio thread
 *
 * Wraps core/dsp/echo_can.c with what the line knows: the history of
 * what was played, and where the capture lies on that timeline.
 */
#ifndef ATA_LINE_ECHO_H
#define ATA_LINE_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct line_echo;

int  line_echo_alloc(struct line_echo **lep, uint32_t tail_ms);
const int16_t *line_echo_capture(struct line_echo *le, const int16_t *cap,
				 size_t n, size_t queued, bool used);
void line_echo_played(struct line_echo *le, const int16_t *play, size_t n);
void line_echo_realign(struct line_echo *le);
void line_echo_slip(struct line_echo *le, long frames);
void line_echo_enable(struct line_echo *le, bool on);
bool line_echo_enabled(const struct line_echo *le);
uint64_t line_echo_filtered(const struct line_echo *le);

#endif
