/**
 * @file sip_dns.h  The SIP stack's resolver and its name servers
 */
#ifndef ATA_SIP_DNS_H
#define ATA_SIP_DNS_H

struct dnsc;
struct sip_dns;

int  sip_dns_alloc(struct sip_dns **dp);
struct dnsc *sip_dns_client(const struct sip_dns *d);
int  sip_dns_reload(struct sip_dns *d);
int  sip_dns_check(struct sip_dns *d, const char *uri);

#endif
