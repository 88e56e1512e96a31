/**
 * @file metrics.h  Counters and gauges with labels, in Prometheus' text
 *                  exposition format (version 0.0.4)
 *
 * A registry of metric families (name, type, help) and their series
 * (one label set each). The daemon keeps one for its whole life, so
 * counters survive a `reload`; `atactl metrics` prints it.
 */
#ifndef ATA_METRICS_H
#define ATA_METRICS_H

#include <stdarg.h>
#include <stdint.h>

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
};

struct metrics;
struct re_printf;

int  metrics_alloc(struct metrics **mp);
int  metrics_family(struct metrics *m, const char *name,
		    enum metrics_type type, const char *help);
int  metrics_add(struct metrics *m, const char *name, uint64_t delta, ...);
int  metrics_set(struct metrics *m, const char *name, uint64_t value, ...);
void metrics_clear(struct metrics *m, const char *name);
int  metrics_print(struct re_printf *pf, const struct metrics *m);
int  metrics_label_escape(struct re_printf *pf, const char *v);

#endif
