/**
 * @file modules/upnp/upnp.c  UPnP IGD port mapping (traversal module)
 *
 * Maps the UDP ports the core binds (SIP at boot, RTP/RTCP per call) on
 * the LAN's Internet Gateway Device, IGD v1 or v2, WANIPConnection or
 * WANPPPConnection, through miniupnpc on a worker thread. We never
 * SUBSCRIBE to UPnP events: an IGD's event stream is one more listening
 * socket and says nothing a periodic GetSpecificPortMappingEntry does
 * not, and that re-check also catches a router that lost its rules.
 */
#include <string.h>
#include "upnp.h"

static struct {
	struct upnp_worker *worker;
	struct list maps;          /* struct upnp_map, every live bind  */
	struct upnp_igd igd;
	struct upnp_igd igd6;      /* the IPv6 router's PCP (pinholes) */
	bool tried;
	uint32_t next_id;
	int last_err;
	int last_code;
	char last_what[48];
} upnp;


int upnp_submit(struct upnp_job *job)
{
	int err;

	if (!job)
		return EINVAL;

	upnp.tried = true;
	upnp_job_protos(job);
	err = upnp_worker_submit(upnp.worker, job);
	mem_deref(job);

	return err;
}


struct list *upnp_maps(void)
{
	return &upnp.maps;
}


uint32_t upnp_next_id(void)
{
	if (!++upnp.next_id)
		++upnp.next_id;   /* 0 means "no owner" */

	return upnp.next_id;
}


void upnp_set_error(int err, int code, const char *what)
{
	upnp.last_err = err;
	upnp.last_code = code;
	str_ncpy(upnp.last_what, what ? what : "", sizeof(upnp.last_what));
}


static void job_done(struct upnp_job *job, void *arg)
{
	(void)arg;

	if (job->err == ECANCELED)
		return;

	if (job->pinhole) {
		/* the IPv4 gateway's facts and last_error stay as they are */
		if (job->igd.found && (!upnp.igd6.found ||
				       str_cmp(upnp.igd6.gateway,
					       job->igd.gateway)))
			ata_info("upnp: IPv6 pinholes: %s server %s, us %s",
				 upnp_proto_name(job->igd.proto),
				 job->igd.gateway, job->igd.lan);
		upnp.igd6 = job->igd;
		if (job->err && !job->igd.found)
			upnp.igd6.found = false;
		upnp_map_job_done(job);
		if (job->epoch_reset)
			upnp_map_epoch_reset(job);
		return;
	}

	if (job->igd.found && job->igd.proto != ATA_MAP_UPNP) {
		if (!upnp.igd.found || upnp.igd.proto != job->igd.proto ||
		    str_cmp(upnp.igd.gateway, job->igd.gateway))
			ata_info("upnp: %s server %s, us %s",
				 upnp_proto_name(job->igd.proto),
				 job->igd.gateway, job->igd.lan);
		upnp.igd = job->igd;
	}
	else if (job->igd.found) {
		if (!upnp.igd.found || str_cmp(upnp.igd.url, job->igd.url))
			ata_info("upnp: IGD %s (%s), external %s, us %s",
				 job->igd.url, job->igd.service,
				 job->igd.ext_ip, job->igd.lan);
		upnp.igd = job->igd;
	}
	else if (job->err) {
		upnp.igd.found = false;
	}

	if (job->err && job->err != ENOENT)
		upnp_set_error(job->err, job->code,
			       job->op == UPNP_OP_DEL ? "delete" :
			       job->op == UPNP_OP_GET ? "recheck" :
			       job->igd.found ? "add" : "discovery");

	upnp_map_job_done(job);
	if (job->epoch_reset)
		upnp_map_epoch_reset(job);
}


/* pinholes go through PCP or a UPnP IGDv2's firewall service */
static bool pinhole_allowed(void)
{
	const struct ata_conf_upnp *uc = ata_conf_upnp();
	size_t i;

	if (!uc || !uc->protoc)
		return true;   /* the default order has both */

	for (i = 0; i < uc->protoc; i++)
		if (uc->protov[i] == ATA_MAP_PCP ||
		    uc->protov[i] == ATA_MAP_UPNP)
			return true;

	return false;
}


static void pinhole_handler(int err, const struct ata_nat_binding *b,
			    void *arg)
{
	(void)arg;

	if (err)
		ata_info("upnp: IPv6 pinhole: %m", err);
	else
		ata_debug("upnp: IPv6 pinhole %J", &b->public);
}


/*
 * An IPv4 port mapped on the gateway is a port the world should reach:
 * where we also have a global IPv6 address, the IPv6 firewall must let
 * it in too. The pinhole lives and dies with the IPv4 map; its failure
 * is only logged (the IPv4 binding is what the policy asked for).
 */
static void pinhole_beside(struct upnp_map *m, const struct sa *laddr,
			   uint32_t timeout_ms)
{
	struct upnp_map *v6 = NULL;
	char addr[64];
	struct sa sa6;

	if (!pinhole_allowed() || sa_is_loopback(laddr) ||
	    pmp_local6(addr, sizeof(addr)) ||
	    sa_set_str(&sa6, addr, sa_port(laddr)))
		return;

	if (!upnp_pinhole_alloc(&v6, &sa6, timeout_ms, pinhole_handler,
				NULL))
		upnp_map_set_pinhole(m, v6);
}


static int upnp_bind(void **bindp, struct udp_sock *us,
		     const struct sa *laddr, uint32_t timeout_ms,
		     ata_nat_bind_h *h, void *arg)
{
	struct upnp_map *m = NULL;
	int err;
	(void)us;   /* the IGD maps the port; we never touch the socket */

	if (!bindp || !laddr || !h)
		return EINVAL;

	/* an IPv6 socket: no NAT, a pinhole in the router's firewall */
	if (sa_af(laddr) == AF_INET6) {
		if (!pinhole_allowed())
			return ENOTSUP;
		err = upnp_pinhole_alloc(&m, laddr, timeout_ms, h, arg);
	}
	else {
		err = upnp_map_alloc(&m, laddr, timeout_ms, h, arg);
		if (!err)
			pinhole_beside(m, laddr, timeout_ms);
	}
	if (!err)
		*bindp = m;

	return err;
}


static const char *igd_version(const char *service)
{
	size_t n = str_len(service);

	return n ? service + n - 1 : "";
}


/** An IGD answered discovery (and has not failed since) */
bool upnp_igd_found(void)
{
	return upnp.igd.found;
}


/*
 * The module's word: `ok` only while no mapping it was asked for has
 * failed; `refused` when the IGD answered one with an error, `failed`
 * when one failed otherwise (no answer in time, a private external
 * address): the policy went on without it (STUN, TURN or the
 * registrar's view). IPv4 mappings only: a pinhole's state is on its
 * own pinhole= line.
 */
static const char *state_word(void)
{
	const char *word = "ok";
	struct le *le;

	if (!upnp.igd.found)
		return upnp.tried ? "no-igd" : "idle";

	for (le = list_head(&upnp.maps); le; le = le->next) {
		/* an IPv6 pinhole's failure is its own (pinhole= lines) */
		if (upnp_map_is_pinhole(le->data))
			continue;
		if (upnp_map_refused(le->data))
			return "refused";
		if (upnp_map_failed(le->data))
			word = "failed";
	}

	return word;
}


/* `last_error=`: what the IGD said in its own words ("UPnP error 501
   ActionFailed"), else our errno and miniupnpc's reading of it */
static int last_error_print(struct re_printf *pf, void *arg)
{
	(void)arg;

	if (upnp.last_code > 0)
		return re_hprintf(pf, "%s: UPnP error %d %s", upnp.last_what,
				  upnp.last_code,
				  upnp_code_str(upnp.last_code));

	return re_hprintf(pf, "%s: %m%s%s", upnp.last_what, upnp.last_err,
			  upnp.last_code ? ", " : "",
			  upnp.last_code ? upnp_code_str(upnp.last_code) :
			  "");
}


/** `upnp status` and the traversal status hook */
int upnp_status(struct re_printf *pf)
{
	const struct upnp_igd *g = &upnp.igd;
	unsigned maps = 0, pinholes = 0;
	struct le *le;
	int err;

	for (le = list_head(&upnp.maps); le; le = le->next) {
		if (upnp_map_is_pinhole(le->data))
			++pinholes;
		else
			++maps;
	}

	err = re_hprintf(pf, "state=%s\n", state_word());
	if (g->found)
		err |= re_hprintf(pf, "protocol=%s\n",
				  upnp_proto_name(g->proto));
	if (g->found && g->proto != ATA_MAP_UPNP)
		err |= re_hprintf(pf, "gateway=%s\nepoch=%u\n"
				  "external_ip=%s\nlan_addr=%s\n",
				  g->gateway, g->epoch, g->ext_ip, g->lan);
	else if (g->found)
		err |= re_hprintf(pf, "igd_url=%s\nservice=%s\n"
				  "service_version=%s\nexternal_ip=%s\n"
				  "lan_addr=%s\n", g->url, g->service,
				  igd_version(g->service), g->ext_ip, g->lan);
	err |= re_hprintf(pf, "maps=%u\n", maps);
	for (le = list_head(&upnp.maps); le; le = le->next)
		if (!upnp_map_is_pinhole(le->data))
			err |= upnp_map_status(pf, le->data);
	if (pinholes || upnp.igd6.found) {
		err |= re_hprintf(pf, "pinholes=%u\n", pinholes);
		if (upnp.igd6.found)
			err |= re_hprintf(pf, "pinhole_gateway=%s\n"
					  "pinhole_epoch=%u\n"
					  "pinhole_addr=%s\n",
					  upnp.igd6.gateway, upnp.igd6.epoch,
					  upnp.igd6.lan);
	}
	for (le = list_head(&upnp.maps); le; le = le->next)
		if (upnp_map_is_pinhole(le->data))
			err |= upnp_map_status(pf, le->data);
	if (upnp.last_err)
		err |= re_hprintf(pf, "last_error=\"%H\"\n",
				  last_error_print, NULL);
	else
		err |= re_hprintf(pf, "last_error=\n");

	return err;
}


static struct ata_traversal upnp_ops = {
	.version = ATA_TRAVERSAL_VERSION,
	.name    = "upnp",
	.status  = upnp_status,
	.bind    = upnp_bind,
	.method  = ATA_TRAV_UPNP,
	.server_found = upnp_igd_found,
};


static int module_init(void)
{
	int err;

	memset(&upnp, 0, sizeof(upnp));

	err = upnp_worker_alloc(&upnp.worker, job_done, NULL);
	if (err)
		return err;

	err = upnp_cmd_register();
	if (err)
		goto out;

	err = ata_traversal_register(&upnp_ops);
	if (err)
		upnp_cmd_unregister();

 out:
	if (err)
		upnp.worker = mem_deref(upnp.worker);

	return err;
}


static int module_close(void)
{
	struct le *le;

	ata_traversal_unregister(&upnp_ops);
	upnp_cmd_unregister();   /* releases the `upnp map` mappings */

	/* the core releases its bindings before unloading us (nat_close,
	   nat_modules_release); any left are a bug, but not a crash */
	if (!list_isempty(&upnp.maps))
		ata_warn("upnp: closed with %u mapping(s) still bound;"
			 " releasing them now", list_count(&upnp.maps));
	while ((le = list_head(&upnp.maps)))
		upnp_map_detach(le->data);

	/* joins the worker after the queued DeletePortMappings */
	upnp.worker = mem_deref(upnp.worker);

	return 0;
}


ATA_MODULE("upnp", "traversal", module_init, module_close);
