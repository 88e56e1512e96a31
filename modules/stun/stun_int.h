/**
 * @file modules/stun/stun_int.h  Private to the stun module's files
 */
#ifndef ATA_STUN_INT_H
#define ATA_STUN_INT_H

/* stun_dns.c: the server's host name to an address (A record) */
typedef void (stun_lookup_h)(int err, const struct sa *srv, void *arg);
struct stun_lookup;
int  stun_lookup_start(struct stun_lookup **lp, const char *host,
		       uint16_t port, stun_lookup_h *h, void *arg);
void stun_dns_close(void);

#endif
