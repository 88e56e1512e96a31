/**
 * @file sd_notify.h  Readiness for systemd's Type=notify, without libsystemd
 */
#ifndef ATA_SD_NOTIFY_H
#define ATA_SD_NOTIFY_H

int sd_notify_send(const char *state);

#endif
