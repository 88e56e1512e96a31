/**
 * @file metrics_ev.h  Counters read off the event stream (metrics_ev.c)
 */
#ifndef ATA_METRICS_EV_H
#define ATA_METRICS_EV_H

#include <stdbool.h>

struct metrics;
struct metrics_ev;

int  metrics_ev_alloc(struct metrics_ev **mep, struct metrics *m);
void metrics_ev_feed(struct metrics_ev *me, const char *line);
const char *metrics_ev_call_result(bool answered, unsigned scode);
const char *metrics_ev_reg_reason(const char *reason, char code[4]);

#endif
