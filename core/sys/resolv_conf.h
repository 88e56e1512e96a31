/**
 * @file resolv_conf.h  The name servers resolv.conf names
 */
#ifndef ATA_RESOLV_CONF_H
#define ATA_RESOLV_CONF_H

#include <stddef.h>
#include <stdint.h>

struct sa;

uint32_t resolv_conf_servers(const char *buf, size_t len, struct sa *srvv,
			     uint32_t n);
uint32_t resolv_conf_read(const char *path, struct sa *srvv, uint32_t n);

#endif
