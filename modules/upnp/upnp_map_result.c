/**
 * @file modules/upnp/upnp_map_result.c  What the IGD's answers mean for
 * a mapping: mapped, restored, moved, taken over (SECURITY), lost
 */
#include <string.h>
#include "upnp_map.h"


static void mapped(struct upnp_map *m)
{
	bool was_lost = m->state == MAP_LOST;

	tmr_cancel(&m->tmr_timeout);
	m->state = MAP_MAPPED;
	if (m->moved_from) {
		ata_notice("upnp: UDP %u moved to external port %u",
			   m->moved_from, m->ext_port);
		ata_event(ATA_LOG_NOTICE, "UPNP-MAPPING-MOVED",
			  "ext_port=%u old=%u", m->ext_port, m->moved_from);
		m->moved_from = 0;
	}
	else if (was_lost) {
		/* counted here, whatever lost it: gone from the router,
		   a restarted server, or no answer while it restarted */
		++m->restored;
		ata_notice("upnp: UDP %u mapping restored", m->ext_port);
		ata_event(ATA_LOG_NOTICE, "UPNP-MAPPING-RESTORED",
			  "ext_port=%u%s", m->ext_port, upnp_map_family(m));
	}

	if (!m->reported && m->pinhole) {
		ata_info("upnp: IPv6 pinhole open for UDP %J (lease %us)",
			 &m->public, m->lease_s);
		upnp_map_report(m, 0);
	}
	else if (!m->reported) {
		ata_info("upnp: UDP %J mapped at %J (lease %us)", &m->laddr,
			 &m->public, m->lease_s);
		upnp_map_report(m, 0);
	}
}


/*
 * Another host (or program) holds our external port: traffic for us
 * would go to it. Never fight over the port: take another one and tell
 * the policy the new public address once it is ours.
 */
static void stolen(struct upnp_map *m, const char *holder,
		   const char *holder_port)
{
	++m->stolen;
	ata_security("upnp-mapping-stolen ext_port=%u holder=%s:%s"
		     " expected=%s:%u", m->ext_port, holder, holder_port,
		     m->client, m->int_port);
	ata_event(ATA_LOG_WARN, "UPNP-MAPPING-STOLEN",
		  "ext_port=%u holder=%s:%s", m->ext_port, holder,
		  holder_port);
	upnp_set_error(EADDRINUSE, UPNP_E_CONFLICT, "mapping stolen");

	if (m->attempt + 1 >= UPNP_PORT_TRIES) {
		m->state = MAP_LOST;
		if (m->reported)
			upnp_map_report(m, ENOTCONN);
		return;
	}

	if (!m->moved_from)
		m->moved_from = m->ext_port;
	m->ext_port = upnp_port_candidate(m->int_port,
					  upnp_map_port_seed(m),
					  ++m->attempt);
	m->state = MAP_LOST;
	m->reported = false;   /* the new address goes to the policy */
	ata_info("upnp: moving to external port %u", m->ext_port);
	upnp_map_submit(m, UPNP_OP_ADD);
}


static void xcheck_handler(int err, const struct sa *seen, void *arg)
{
	struct upnp_map *m = arg;

	m->xc = mem_deref(m->xc);
	if (err) {
		ata_info("upnp: STUN cross-check unavailable (%m); trusting"
			 " the IGD", err);
	}
	else if (sa_cmp(seen, &m->public, SA_ADDR)) {
		ata_info("upnp: STUN confirms external address %j", seen);
	}
	else if (!sa_cmp(seen, &m->public, SA_ADDR)) {
		ata_warn("upnp: IGD says external %j but STUN sees %j:"
			 " another NAT in front of the IGD", &m->public, seen);
		upnp_set_error(EPROTO, 0, "external address mismatch");
		upnp_map_fail(m, EPROTO);
		return;
	}

	mapped(m);
}


/* The entry is ours with this external address: report or check */
static void add_ok(struct upnp_map *m, const struct upnp_job *job)
{
	struct ata_conf_server stun;
	struct sa pub;
	bool changed;
	int err;

	m->lease_s = job->got_lease_s ? job->got_lease_s : job->lease_s;
	m->expires = tmr_jiffies() + (uint64_t)m->lease_s * 1000;
	upnp_map_upkeep(m, upnp_refresh_ms(m->lease_s));

	if (m->pinhole) {
		/* our own global address: nothing to check against STUN,
		   and no "private" external address to refuse */
		if (sa_set_str(&m->public, job->igd.ext_ip, m->ext_port))
			sa_init(&m->public, AF_UNSPEC);
		mapped(m);
		return;
	}

	if (sa_set_str(&pub, job->igd.ext_ip, m->ext_port) ||
	    !upnp_addr_public(&pub)) {
		ata_warn("upnp: IGD external address '%s' is not public"
			 " (double NAT?)", job->igd.ext_ip);
		upnp_set_error(EADDRNOTAVAIL, 0, "external address private");
		upnp_map_fail(m, EADDRNOTAVAIL);
		return;
	}

	changed = !sa_cmp(&pub, &m->public, SA_ALL);
	m->public = pub;
	if (changed && m->state != MAP_PENDING)
		m->reported = false;   /* tell the policy the new address */

	if (m->state != MAP_PENDING || ata_stun_server(&stun)) {
		mapped(m);
		return;
	}

	m->state = MAP_CHECKING;
	err = upnp_xcheck_start(&m->xc, &m->laddr, m->timeout_ms / 3,
				xcheck_handler, m);
	if (err)
		mapped(m);
}


void upnp_map_add_done(struct upnp_map *m, const struct upnp_job *job)
{
	if (!job->err) {
		add_ok(m, job);
		return;
	}

	m->last_err = job->err;
	m->last_code = job->code;

	if (m->pinhole) {
		/* a pinhole keeps its port (no other one would reach the
		   socket), and its failures are not the IPv4 side's */
		if (m->state == MAP_PENDING)
			upnp_map_fail(m, job->err);
		else
			upnp_map_lose(m, job->err);
		return;
	}

	if (job->err == EADDRINUSE && m->state != MAP_PENDING) {
		/* we held this port: someone took it while it was free
		   (the worker asked the IGD who holds it: a NAT-PMP/PCP
		   router does not say) */
		stolen(m, job->got_client[0] ? job->got_client : "?",
		       job->got_port[0] ? job->got_port : "?");
		return;
	}

	if (job->err == EADDRINUSE && m->attempt + 1 < UPNP_PORT_TRIES) {
		m->ext_port = upnp_port_candidate(m->int_port,
						  upnp_map_port_seed(m),
						  ++m->attempt);
		ata_info("upnp: external port in use, trying %u",
			 m->ext_port);
		upnp_map_submit(m, UPNP_OP_ADD);
		return;
	}

	if (job->err == ENOTSUP)
		ata_warn("upnp: IGD only grants permanent mappings;"
			 " not using it (they would outlive us)");

	/* a UPnP IGD answered with an error: say its words, and tell
	   the policy it was refused (the other steps take over): not
	   EPROTO, our catch-all for a code like 501 ActionFailed, which
	   reads "Protocol error" as if the IGD had spoken garbage */
	if (m->state == MAP_PENDING && job->code > 0 &&
	    job->igd.proto == ATA_MAP_UPNP) {
		m->refused = true;
		ata_warn("upnp: the router refused the mapping of UDP %u:"
			 " UPnP error %d %s", m->int_port, job->code,
			 upnp_code_str(job->code));
		upnp_set_error(job->err, job->code,
			       "the router refused the mapping");
		upnp_map_fail(m, job->err == EPROTO ? ECONNREFUSED :
			      job->err);
		return;
	}

	/* discovery ended before the timeout with no router: the same
	   words as when the timeout comes first (upnp_map.c) */
	if (m->state == MAP_PENDING && job->err == ENODEV &&
	    !job->igd.found)
		ata_info("upnp: no IGD answered discovery: UDP %u not mapped",
			 m->int_port);

	if (m->state == MAP_PENDING)
		upnp_map_fail(m, job->err);
	else
		upnp_map_lose(m, job->err);
}


void upnp_map_get_done(struct upnp_map *m, const struct upnp_job *job)
{
	enum upnp_entry_verdict v;
	struct sa ours;

	if (sa_set_str(&ours, m->client, m->int_port))
		sa_init(&ours, AF_UNSPEC);

	v = upnp_entry_check(job->code, job->got_client, job->got_port,
			     &ours, m->int_port);
	ata_debug("upnp: recheck UDP %u: %s", m->ext_port,
		  upnp_verdict_str(v));

	switch (v) {

	case UPNP_ENTRY_OURS:
		if (job->got_lease_s && m->state == MAP_MAPPED) {
			m->expires = tmr_jiffies() +
				(uint64_t)job->got_lease_s * 1000;
		}
		if (m->state == MAP_LOST)
			upnp_map_submit(m, UPNP_OP_ADD);
		break;

	case UPNP_ENTRY_MISSING:
		ata_warn("upnp: UDP %u mapping gone from the IGD (restart?);"
			 " re-adding", m->ext_port);
		ata_event(ATA_LOG_WARN, "UPNP-MAPPING-MISSING",
			  "ext_port=%u%s", m->ext_port, upnp_map_family(m));
		m->state = MAP_LOST;   /* the restored event on success */
		upnp_map_submit(m, UPNP_OP_ADD);
		break;

	case UPNP_ENTRY_STOLEN:
		if (!m->pinhole) {
			stolen(m, job->got_client, job->got_port);
			break;
		}
		/* a pinhole's port is no one else's: lost */
		/* fall through */

	default:
		m->last_err = job->err;
		m->last_code = job->code;
		if (!m->pinhole)
			upnp_set_error(job->err, job->code, "recheck");
		upnp_map_lose(m, job->err ? job->err : EPROTO);
		break;
	}
}

