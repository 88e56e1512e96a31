/**
 * @file modules/upnp/upnp.h  Private interfaces of the upnp module
 *
 * Three parts: upnp_worker.c runs miniupnpc on one worker thread (jobs
 * in, results back through an mqueue), upnp_map*.c is the per-socket
 * mapping state machine on the main thread, upnp.c registers the module
 * and holds the IGD facts the status verb (upnp_cmd.c) prints.
 */
#ifndef UPNP_H
#define UPNP_H

#include "ataua.h"
#include "upnp_sched.h"

enum upnp_op {
	UPNP_OP_DISCOVER = 0,
	UPNP_OP_ADD,        /**< AddPortMapping, also a lease refresh    */
	UPNP_OP_GET,        /**< GetSpecificPortMappingEntry             */
	UPNP_OP_DEL,        /**< DeletePortMapping if the entry is ours  */
};

enum { UPNP_PROTOS_MAX = 3 };

/** What the worker learnt about the IGD (copied into every job) */
struct upnp_igd {
	bool found;
	enum ata_map_proto proto;   /**< what maps: PCP, NAT-PMP or UPnP */
	char gateway[64];       /**< PCP/NAT-PMP server (default gateway) */
	uint32_t epoch;         /**< PCP/NAT-PMP server's last epoch     */
	char url[256];          /**< root description URL               */
	char service[128];      /**< WANIPConnection:1/2, WANPPPConnection */
	char lan[64];           /**< our address towards the IGD         */
	char ext_ip[64];        /**< GetExternalIPAddress                */
	uint8_t gw6[16];        /**< pinholes: the IPv6 router's address */
	uint32_t gw6_scope;     /**< its interface (a link-local next hop) */
};

/**
 * One request to the worker. Allocated and read on the main thread; in
 * between the worker owns it and the main thread does not touch it.
 */
struct upnp_job {
	struct le le;
	enum upnp_op op;
	bool pinhole;           /**< IPv6 firewall pinhole (PCP or IGDv2) */
	uint32_t map_id;        /**< 0 = no owner (e.g. a last DEL)      */
	uint32_t timeout_ms;    /**< for a discovery this job triggers   */
	uint16_t ext_port;
	uint16_t int_port;
	char client[64];        /**< internal client; "" = IGD's lanaddr */
	uint32_t lease_s;
	enum ata_map_proto protov[UPNP_PROTOS_MAX];   /**< try in order */
	size_t protoc;
	/* results */
	int code;               /**< miniupnpc/UPnP code, 0 = success    */
	int err;                /**< errno of the whole job              */
	char got_client[64];    /**< GET: internal client of the entry   */
	char got_port[8];
	uint32_t got_lease_s;
	bool epoch_reset;       /**< PCP/NAT-PMP server lost its state   */
	struct upnp_igd igd;
};

/* upnp_worker.c */
struct upnp_worker;
typedef void (upnp_job_done_h)(struct upnp_job *job, void *arg);
int  upnp_worker_alloc(struct upnp_worker **wp, upnp_job_done_h *doneh,
		       void *arg);
int  upnp_worker_submit(struct upnp_worker *w, struct upnp_job *job);
int  upnp_job_alloc(struct upnp_job **jobp, enum upnp_op op);

/* upnp.c: module-wide state the maps use */
int  upnp_submit(struct upnp_job *job);
void upnp_set_error(int err, int code, const char *what);
uint32_t upnp_next_id(void);
struct list *upnp_maps(void);
bool upnp_igd_found(void);
int  upnp_status(struct re_printf *pf);

/* upnp_cmd.c */
int  upnp_cmd_register(void);
void upnp_cmd_unregister(void);

/* upnp_map.c */
struct upnp_map;
int  upnp_map_alloc(struct upnp_map **mp, const struct sa *laddr,
		    uint32_t timeout_ms, ata_nat_bind_h *h, void *arg);
int  upnp_pinhole_alloc(struct upnp_map **mp, const struct sa *laddr,
			uint32_t timeout_ms, ata_nat_bind_h *h, void *arg);
void upnp_map_set_pinhole(struct upnp_map *m, struct upnp_map *v6);
bool upnp_map_is_pinhole(const struct upnp_map *m);
void upnp_map_job_done(struct upnp_job *job);
int  upnp_map_status(struct re_printf *pf, const struct upnp_map *m);
bool upnp_map_refused(const struct upnp_map *m);
bool upnp_map_failed(const struct upnp_map *m);
uint16_t upnp_map_int_port(const struct upnp_map *m);
void upnp_map_detach(struct upnp_map *m);

/* upnp_map_pmp.c */
const char *upnp_proto_name(enum ata_map_proto proto);
void upnp_job_protos(struct upnp_job *job);
void upnp_map_epoch_reset(const struct upnp_job *job);

/* pmp_client.c: PCP and NAT-PMP on the worker thread */
struct pmp_client;
int  pmp_client_alloc(struct pmp_client **cp);
int  pmp_discover(struct pmp_client *c, enum ata_map_proto proto,
		  uint32_t timeout_ms, struct upnp_job *job,
		  struct upnp_igd *igd);
void pmp_run(struct pmp_client *c, struct upnp_job *job,
	     struct upnp_igd *igd);
int  pmp_discover6(struct pmp_client *c, uint32_t timeout_ms,
		   struct upnp_job *job, struct upnp_igd *igd);
/* pmp_route.c: the router to ask and our address */
int  pmp_gateway(uint32_t *gw);
int  pmp_gateway6(uint8_t gw[16], uint32_t *scope, char *ifname,
		  size_t ifsize);
int  pmp_local6_addr(const char *ifname, uint8_t addr[16]);
int  pmp_local6(char *buf, size_t size);

/* upnp_pinhole6.c: IPv6 pinholes through a UPnP IGDv2 (worker thread) */
struct upnp_pinhole6;
int  upnp_pinhole6_alloc(struct upnp_pinhole6 **pp);
int  upnp_pinhole6_discover(struct upnp_pinhole6 *p, uint32_t timeout_ms,
			    struct upnp_job *job, struct upnp_igd *igd);
int  upnp_pinhole6_run(struct upnp_pinhole6 *p, struct upnp_job *job);

/* upnp_xcheck.c */
struct upnp_xcheck;
typedef void (upnp_xcheck_h)(int err, const struct sa *seen, void *arg);
int upnp_xcheck_start(struct upnp_xcheck **xp, const struct sa *laddr,
		      uint32_t timeout_ms, upnp_xcheck_h *h, void *arg);

#endif
