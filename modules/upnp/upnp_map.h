/**
 * @file modules/upnp/upnp_map.h  The mapping object, shared by
 * upnp_map.c (life, timers, upkeep) and upnp_map_result.c (what the
 * IGD's answers mean)
 */
#ifndef UPNP_MAP_H
#define UPNP_MAP_H

#include "upnp.h"

enum {
	RETRY_MS = 5000,   /* after a failed refresh, before expiry */
};

enum map_state {
	MAP_PENDING = 0,   /* first AddPortMapping under way          */
	MAP_CHECKING,      /* mapped, external address being checked  */
	MAP_MAPPED,
	MAP_LOST,          /* gone or taken: being re-added          */
	MAP_FAILED,        /* reported failure, no upkeep             */
};

struct upnp_map {
	struct le le;
	uint32_t id;
	struct sa laddr;
	char client[64];           /* internal client we map to          */
	uint16_t int_port;
	uint16_t ext_port;
	unsigned attempt;          /* external ports tried so far - 1    */
	enum map_state state;
	enum ata_map_proto proto;  /* what made the mapping              */
	bool pinhole;              /* an IPv6 firewall pinhole (PCP)     */
	struct upnp_map *v6;       /* the pinhole beside this IPv4 map   */
	bool busy;                 /* a job is with the worker           */
	bool added;                /* an ADD was ever sent               */
	bool reported;             /* h got err = 0 with `public`        */
	bool refused;              /* the IGD answered the ADD with an
				      error: no mapping, its word       */
	uint16_t moved_from;       /* external port given up, 0 = none  */
	uint32_t lease_s;
	uint64_t expires;          /* tmr_jiffies() of lease end         */
	struct sa public;
	struct tmr tmr_timeout;
	struct tmr tmr_refresh;
	struct tmr tmr_recheck;
	struct upnp_xcheck *xc;
	uint32_t timeout_ms;
	int last_err;
	int last_code;
	unsigned restored;
	unsigned stolen;
	ata_nat_bind_h *h;
	void *arg;
};


void upnp_map_submit(struct upnp_map *m, enum upnp_op op);
void upnp_map_report(struct upnp_map *m, int err);
void upnp_map_upkeep(struct upnp_map *m, uint32_t refresh_ms);
void upnp_map_lose(struct upnp_map *m, int err);
void upnp_map_fail(struct upnp_map *m, int err);
uint32_t upnp_map_port_seed(const struct upnp_map *m);
void upnp_map_add_done(struct upnp_map *m, const struct upnp_job *job);
void upnp_map_get_done(struct upnp_map *m, const struct upnp_job *job);
const char *upnp_map_family(const struct upnp_map *m);

#endif
