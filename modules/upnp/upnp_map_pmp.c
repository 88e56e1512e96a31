/**
 * @file modules/upnp/upnp_map_pmp.c  What the maps do for PCP and
 * NAT-PMP beyond what UPnP needs: the protocol order for each job, and
 * a server that lost its mappings (its epoch went back)
 */
#include <string.h>
#include "upnp_map.h"


const char *upnp_proto_name(enum ata_map_proto proto)
{
	switch (proto) {

	case ATA_MAP_PCP:    return "pcp";
	case ATA_MAP_NATPMP: return "natpmp";
	default:             return "upnp";
	}
}


/**
 * The order of traversal.upnp.protocols, copied into the job (the
 * worker never reads the config, which a reload may replace)
 */
void upnp_job_protos(struct upnp_job *job)
{
	static const enum ata_map_proto defaults[] = {
		ATA_MAP_PCP, ATA_MAP_NATPMP, ATA_MAP_UPNP,
	};
	const struct ata_conf_upnp *uc = ata_conf_upnp();
	const enum ata_map_proto *v = defaults;
	size_t i, n = ARRAY_SIZE(defaults);

	if (!job)
		return;

	if (uc && uc->protoc) {
		v = uc->protov;
		n = uc->protoc;
	}

	job->protoc = 0;
	for (i = 0; i < n && i < UPNP_PROTOS_MAX; i++)
		job->protov[job->protoc++] = v[i];
}


/**
 * The PCP or NAT-PMP server restarted (RFC 6887 §8.5, RFC 6886 §3.6):
 * every mapping it held is gone, so each of ours is lost and mapped
 * again now, not at its next renewal. The job's own map already has
 * its answer (a renewal that came back "missing" is being re-added).
 */
void upnp_map_epoch_reset(const struct upnp_job *job)
{
	struct le *le;

	ata_warn("upnp: %s server %s restarted (epoch %u); mapping again",
		 upnp_proto_name(job->igd.proto), job->igd.gateway,
		 job->igd.epoch);
	ata_event(ATA_LOG_WARN, "UPNP-SERVER-RESTARTED", "protocol=%s"
		  " epoch=%u%s", upnp_proto_name(job->igd.proto),
		  job->igd.epoch, job->pinhole ? " family=ipv6" : "");

	for (le = list_head(upnp_maps()); le; le = le->next) {
		struct upnp_map *m = le->data;

		if (m->id == job->map_id || m->pinhole != job->pinhole)
			continue;   /* the other family's server is another */
		if (m->state != MAP_MAPPED)
			continue;   /* the others have an answer to come */

		ata_event(ATA_LOG_WARN, "UPNP-MAPPING-MISSING",
			  "ext_port=%u%s", m->ext_port, upnp_map_family(m));
		m->state = MAP_LOST;   /* the restored event on success */
		upnp_map_submit(m, UPNP_OP_ADD);
	}
}


/** " family=ipv6" for a pinhole's events (the IPv4 ones stay as they
    were: scripts read them) */
const char *upnp_map_family(const struct upnp_map *m)
{
	return m && m->pinhole ? " family=ipv6" : "";
}
