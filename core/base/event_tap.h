/**
 * @file event_tap.h  A second reader of the event stream, for the core
 *
 * Not module API (core/ataua.h has the sink): the daemon's metrics
 * (core/metrics_cmds.c) count from every event line through it.
 */
#ifndef ATA_EVENT_TAP_H
#define ATA_EVENT_TAP_H

void event_tap_set(ata_event_sink_h *taph, void *arg);

#endif
