/**
 * @file modules/upnp/upnp_pinhole6.c  IPv6 pinholes through a UPnP IGDv2
 * (WANIPv6FirewallControl), on the worker thread
 *
 * The fallback of PCP over IPv6 (a router whose IGD offers the IGDv2
 * firewall service but no PCP). The IGD is looked for over IPv6 SSDP,
 * not reused from the IPv4 discovery: an IGD in its (default) secure
 * mode only opens a pinhole for the control point's own address, so
 * the SOAP request has to come from our global IPv6 address (miniupnpd
 * answers 606 Action not authorized over IPv4). The router hands out a
 * UniqueID per pinhole; a refresh is an UpdatePinhole of it, and an ID
 * the router no longer knows (it restarted) means a new AddPinhole.
 */
#include <string.h>
#include <stdlib.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include "upnp.h"

enum {
	PINHOLES_MAX = 64,
	DISCOVER_DELAY_MIN_MS = 100,
	SSDP_TTL = 2,
	E_NO_SUCH_PINHOLE = 704,   /* WANIPv6FirewallControl NoSuchEntry */
};

struct pinhole_id {
	bool used;
	uint16_t port;
	char client[64];
	char uid[8];
};

struct upnp_pinhole6 {
	bool found;
	struct UPNPUrls urls;
	struct IGDdatas data;
	struct pinhole_id ids[PINHOLES_MAX];
};


static void forget(struct upnp_pinhole6 *p)
{
	if (p->found)
		FreeUPNPUrls(&p->urls);
	memset(&p->urls, 0, sizeof(p->urls));
	p->found = false;
}


static void destructor(void *arg)
{
	forget(arg);
}


int upnp_pinhole6_alloc(struct upnp_pinhole6 **pp)
{
	struct upnp_pinhole6 *p;

	if (!pp)
		return EINVAL;

	p = mem_zalloc(sizeof(*p), destructor);
	if (!p)
		return ENOMEM;

	*pp = p;

	return 0;
}


static struct pinhole_id *id_find(struct upnp_pinhole6 *p,
				  const struct upnp_job *job, bool make)
{
	struct pinhole_id *free_slot = NULL;
	size_t i;

	for (i = 0; i < PINHOLES_MAX; i++) {
		struct pinhole_id *x = &p->ids[i];

		if (!x->used) {
			if (!free_slot)
				free_slot = x;
			continue;
		}
		if (x->port == job->int_port &&
		    !str_cmp(x->client, job->client))
			return x;
	}

	if (!make || !free_slot)
		return NULL;

	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->port = job->int_port;
	str_ncpy(free_slot->client, job->client, sizeof(free_slot->client));

	return free_slot;
}


/**
 * An IGD over IPv6 SSDP with the IGDv2 firewall service, inbound
 * pinholes allowed. Fills @p igd like pmp_discover6 (our global
 * address is also the "external" one: a pinhole translates nothing).
 */
int upnp_pinhole6_discover(struct upnp_pinhole6 *p, uint32_t timeout_ms,
			   struct upnp_job *job, struct upnp_igd *igd)
{
	static const char *const types[] = {
		"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
		NULL
	};
	struct UPNPDev *devs;
	char lan[64] = "";
	int delay, error = 0, r, enabled = 0, allowed = 0;

	if (!p || !job || !igd)
		return EINVAL;

	forget(p);

	delay = (int)(timeout_ms / 3);
	if (delay < DISCOVER_DELAY_MIN_MS)
		delay = DISCOVER_DELAY_MIN_MS;

	devs = upnpDiscoverDevices(types, delay, NULL, NULL,
				   UPNP_LOCAL_PORT_ANY, 1, SSDP_TTL,
				   &error, 0);
	if (!devs)
		return error == UPNPDISCOVER_SOCKET_ERROR ? ENETDOWN :
			ETIMEDOUT;

	memset(&p->data, 0, sizeof(p->data));
	r = UPNP_GetValidIGD(devs, &p->urls, &p->data, lan, sizeof(lan));
	freeUPNPDevlist(devs);
	if (r != 1) {
		if (r)
			FreeUPNPUrls(&p->urls);
		memset(&p->urls, 0, sizeof(p->urls));
		return ENODEV;
	}
	p->found = true;

	/* an IGDv1, or an IGDv2 without the firewall service */
	if (!p->data.IPv6FC.servicetype[0] || !p->urls.controlURL_6FC ||
	    !p->urls.controlURL_6FC[0]) {
		forget(p);
		return ENOTSUP;
	}

	r = UPNP_GetFirewallStatus(p->urls.controlURL_6FC,
				   p->data.IPv6FC.servicetype, &enabled,
				   &allowed);
	if (r || !allowed) {
		forget(p);
		return r ? upnp_code_errno(r) : EPERM;
	}

	memset(igd, 0, sizeof(*igd));
	igd->found = true;
	igd->proto = ATA_MAP_UPNP;
	str_ncpy(igd->url, p->urls.rootdescURL ? p->urls.rootdescURL : "",
		 sizeof(igd->url));
	str_ncpy(igd->service, p->data.IPv6FC.servicetype,
		 sizeof(igd->service));
	str_ncpy(igd->gateway, p->urls.controlURL_6FC, sizeof(igd->gateway));
	str_ncpy(igd->lan, lan, sizeof(igd->lan));
	str_ncpy(igd->ext_ip, lan, sizeof(igd->ext_ip));
	if (!job->client[0])
		str_ncpy(job->client, lan, sizeof(job->client));

	return 0;
}


static int add(struct upnp_pinhole6 *p, struct upnp_job *job,
	       const char *port, const char *lease)
{
	struct pinhole_id *id;
	char uid[8] = "";
	int r;

	r = UPNP_AddPinhole(p->urls.controlURL_6FC,
			    p->data.IPv6FC.servicetype, "", "0", job->client,
			    port, "17", lease, uid);
	if (r)
		return r;

	id = id_find(p, job, true);
	if (id)
		str_ncpy(id->uid, uid, sizeof(id->uid));

	return 0;
}


/** One pinhole job (ADD = open or refresh, GET = recheck, DEL) */
int upnp_pinhole6_run(struct upnp_pinhole6 *p, struct upnp_job *job)
{
	const char *ctl, *svc;
	struct pinhole_id *id;
	char port[8], lease[16];
	int r;

	if (!p || !job || !p->found)
		return -3;

	ctl = p->urls.controlURL_6FC;
	svc = p->data.IPv6FC.servicetype;
	re_snprintf(port, sizeof(port), "%u", job->int_port);
	re_snprintf(lease, sizeof(lease), "%u", job->lease_s);
	id = id_find(p, job, false);

	switch (job->op) {

	case UPNP_OP_ADD:
		if (!id || !id->uid[0])
			return add(p, job, port, lease);
		r = UPNP_UpdatePinhole(ctl, svc, id->uid, lease);
		/* the router forgot it (restarted): open it anew */
		if (r == E_NO_SUCH_PINHOLE)
			return add(p, job, port, lease);
		return r;

	case UPNP_OP_GET:
		/* still known to the router: ours (a pinhole is for our
		   own address only, nobody else's). An UpdatePinhole asks:
		   miniupnpd 2.3.1 answers GetPinholePackets for an ID it
		   does not have (after a restart) as if it had it */
		if (!id || !id->uid[0])
			r = E_NO_SUCH_PINHOLE;
		else
			r = UPNP_UpdatePinhole(ctl, svc, id->uid, lease);
		if (r == E_NO_SUCH_PINHOLE)
			return UPNP_E_NO_SUCH_ENTRY;
		if (!r) {
			str_ncpy(job->got_client, job->client,
				 sizeof(job->got_client));
			str_ncpy(job->got_port, port, sizeof(job->got_port));
			job->got_lease_s = job->lease_s;
		}
		return r;

	case UPNP_OP_DEL:
		if (!id)
			return 0;
		r = id->uid[0] ? UPNP_DeletePinhole(ctl, svc, id->uid) : 0;
		id->used = false;
		return r == E_NO_SUCH_PINHOLE ? 0 : r;

	default:
		return 0;
	}
}
