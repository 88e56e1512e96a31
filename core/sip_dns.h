/**
 * @file sip_dns.h  The SIP stack's resolver and its name servers
 */
#ifndef ATA_SIP_DNS_H
#define ATA_SIP_DNS_H

#include <errno.h>
#include <re.h>

struct dnsc;
struct sip_dns;
struct sip_dns_probe;

/** The hosts file looked up before DNS */
#define SIP_DNS_HOSTS "/etc/hosts"

/** An errno for "resolv.conf names no server", where only an errno
    fits (call_connect): libre's requests never end with this one */
#define SIP_DNS_ENOSERVER ENONET

/** What went wrong looking up a request's first hop */
enum sip_dns_fault {
	SIP_DNS_OK = 0,
	SIP_DNS_NO_SERVER,     /**< resolv.conf names none             */
	SIP_DNS_NOT_FOUND,     /**< NXDOMAIN, or no address records    */
	SIP_DNS_TIMEOUT,       /**< the name servers did not answer    */
	SIP_DNS_UNREACHABLE,   /**< a name server refuses or no route  */
};

/** A fault and its evidence */
struct sip_dns_fail {
	enum sip_dns_fault fault;
	struct sa srv;         /**< the name server (timeout, unreachable) */
	int err;               /**< its socket error (unreachable)         */
};

int  sip_dns_alloc(struct sip_dns **dp);
struct dnsc *sip_dns_client(const struct sip_dns *d);
int  sip_dns_reload(struct sip_dns *d);
uint32_t sip_dns_servers(const struct sip_dns *d, struct sa *srvv,
			 uint32_t n);
enum sip_dns_fault sip_dns_check(struct sip_dns *d, const char *uri);
int  sip_dns_hosts_route(char **routep, const char *uri, const char *path);

enum sip_dns_fault sip_dns_fault_of(int err, const struct sip_msg *msg);
const char *sip_dns_fault_name(enum sip_dns_fault f);
void sip_dns_describe(char *buf, size_t sz, const struct sip_dns_fail *f,
		      const char *host);
int  sip_dns_uri_host(char *buf, size_t sz, const char *uri);
void sip_dns_describe_uri(char *buf, size_t sz, const struct sip_dns_fail *f,
			  const char *uri);

/* sip_dns_probe.c: does a name server answer at all? */
typedef void (sip_dns_probe_h)(const struct sip_dns_fail *f, void *arg);
int  sip_dns_probe_alloc(struct sip_dns_probe **pp, const struct sip_dns *d,
			 const char *uri, sip_dns_probe_h *h, void *arg);

#endif
