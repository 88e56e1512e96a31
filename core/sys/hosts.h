/**
 * @file hosts.h  Addresses of names in /etc/hosts
 */
#ifndef ATA_HOSTS_H
#define ATA_HOSTS_H

#include <stddef.h>

struct pl;
struct sa;

int hosts_find(struct sa *sa, const char *buf, size_t len,
	       const struct pl *name);
int hosts_lookup(struct sa *sa, const char *path, const struct pl *name);

#endif
