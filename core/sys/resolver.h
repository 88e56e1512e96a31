/**
 * @file resolver.h  The SIP stack's resolver and its name servers
 */
#ifndef ATA_RESOLVER_H
#define ATA_RESOLVER_H

#include <errno.h>
#include <re.h>

struct dnsc;
struct resolver;
struct resolver_probe;

/** The hosts file looked up before DNS */
#define RESOLVER_HOSTS "/etc/hosts"

/** An errno for "resolv.conf names no server", where only an errno
    fits (call_connect): libre's requests never end with this one */
#define RESOLVER_ENOSERVER ENONET

/** What went wrong looking up a request's first hop */
enum resolver_fault {
	RESOLVER_OK = 0,
	RESOLVER_NO_SERVER,     /**< resolv.conf names none             */
	RESOLVER_NOT_FOUND,     /**< NXDOMAIN, or no address records    */
	RESOLVER_TIMEOUT,       /**< the name servers did not answer    */
	RESOLVER_UNREACHABLE,   /**< a name server refuses or no route  */
};

/** A fault and its evidence */
struct resolver_fail {
	enum resolver_fault fault;
	struct sa srv;         /**< the name server (timeout, unreachable) */
	int err;               /**< its socket error (unreachable)         */
};

int  resolver_alloc(struct resolver **dp);
struct dnsc *resolver_client(const struct resolver *d);
int  resolver_reload(struct resolver *d);
uint32_t resolver_servers(const struct resolver *d, struct sa *srvv,
			  uint32_t n);
enum resolver_fault resolver_check(struct resolver *d, const char *uri);
int  resolver_hosts_route(char **routep, const char *uri, const char *path);

enum resolver_fault resolver_fault_of(int err, const struct sip_msg *msg);
const char *resolver_fault_name(enum resolver_fault f);
void resolver_describe(char *buf, size_t sz, const struct resolver_fail *f,
		       const char *host);
int  resolver_uri_host(char *buf, size_t sz, const char *uri);
void resolver_describe_uri(char *buf, size_t sz, const struct resolver_fail *f,
			   const char *uri);

/* resolver_probe.c: does a name server answer at all? */
typedef void (resolver_probe_h)(const struct resolver_fail *f, void *arg);
int  resolver_probe_alloc(struct resolver_probe **pp, const struct resolver *d,
			  const char *uri, resolver_probe_h *h, void *arg);

#endif
