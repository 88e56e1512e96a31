/**
 * @file modules/upnp/upnp_map.c  One UDP port mapping and its upkeep
 *
 * A map is the `bind` handle: it asks for the same external port first
 * (others on ConflictInMappingEntry), answers with the IGD's external
 * address, renews the lease at half-time (never a permanent mapping),
 * re-checks the entry every recheck interval (a restarted router has
 * lost it: re-add; another host holds it: a possible man in the middle,
 * logged as SECURITY, and we move to another external port) and asks
 * the IGD to delete it when it is mem_deref'd.
 */
#include <string.h>
#include "upnp_map.h"

static void recheck_handler(void *arg);
static void refresh_handler(void *arg);


/* Our LAN address seeds the other ports we try (see upnp_sched.c) */
uint32_t upnp_map_port_seed(const struct upnp_map *m)
{
	return hash_joaat_str(m->client);
}


static const char *state_str(enum map_state s)
{
	switch (s) {

	case MAP_PENDING:  return "pending";
	case MAP_CHECKING: return "checking";
	case MAP_MAPPED:   return "mapped";
	case MAP_LOST:     return "lost";
	default:           return "failed";
	}
}


/* Another live pinhole of the same address and port (one beside an
   IPv4 map and one the core asked for an IPv6 socket): PCP sees one
   mapping (same nonce), so it stays while either needs it */
static bool pinhole_shared(const struct upnp_map *m)
{
	struct le *le;

	for (le = list_head(upnp_maps()); le; le = le->next) {
		const struct upnp_map *x = le->data;

		if (x != m && x->pinhole && x->added &&
		    x->int_port == m->int_port &&
		    !str_cmp(x->client, m->client))
			return true;
	}

	return false;
}


/* DeletePortMapping, queued after any ADD of ours in flight; the
   worker deletes the entry only if it is still ours */
static void release(struct upnp_map *m)
{
	struct upnp_job *job;

	if (!m->added)
		return;

	if (m->pinhole && pinhole_shared(m)) {
		m->added = false;
		return;
	}

	if (upnp_job_alloc(&job, UPNP_OP_DEL))
		return;

	m->added = false;
	job->pinhole = m->pinhole;
	job->ext_port = m->ext_port;
	job->int_port = m->int_port;
	job->timeout_ms = m->timeout_ms;
	str_ncpy(job->client, m->client, sizeof(job->client));
	if (upnp_submit(job))
		return;

	if (m->pinhole)
		ata_info("upnp: closing the IPv6 pinhole UDP [%s]:%u",
			 m->client, m->int_port);
	/* an ADD that never found an IGD mapped nothing: the DEL only
	   follows one still in flight, should it find one late */
	else if (upnp_igd_found())
		ata_info("upnp: releasing UDP %u -> %s:%u", m->ext_port,
			 m->client, m->int_port);
	else
		ata_debug("upnp: UDP %u: no IGD known, nothing to release",
			  m->ext_port);
}


static void map_destructor(void *arg)
{
	struct upnp_map *m = arg;

	list_unlink(&m->le);
	tmr_cancel(&m->tmr_timeout);
	tmr_cancel(&m->tmr_refresh);
	tmr_cancel(&m->tmr_recheck);
	m->xc = mem_deref(m->xc);
	m->v6 = mem_deref(m->v6);
	release(m);
}


/**
 * The module is closing while the core still holds this map: release
 * the mapping now and leave an inert object for its later mem_deref.
 */
void upnp_map_detach(struct upnp_map *m)
{
	if (!m)
		return;

	list_unlink(&m->le);
	tmr_cancel(&m->tmr_timeout);
	tmr_cancel(&m->tmr_refresh);
	tmr_cancel(&m->tmr_recheck);
	m->xc = mem_deref(m->xc);
	m->v6 = mem_deref(m->v6);   /* in the list too: gone already */
	m->h = NULL;
	m->state = MAP_FAILED;
	release(m);
}


/* Call h last in a handler: it may mem_deref the map */
void upnp_map_report(struct upnp_map *m, int err)
{
	struct ata_nat_binding b;

	memset(&b, 0, sizeof(b));
	b.local = m->laddr;
	b.public = m->public;
	b.lifetime_s = m->lease_s;
	m->reported = !err;

	if (m->h)
		m->h(err, err ? NULL : &b, m->arg);
}


void upnp_map_submit(struct upnp_map *m, enum upnp_op op)
{
	const struct ata_conf_upnp *uc = ata_conf_upnp();
	struct upnp_job *job;
	int err;

	if (m->busy)
		return;   /* the answer in flight re-arms the upkeep */

	err = upnp_job_alloc(&job, op);
	if (err)
		return;

	job->map_id = m->id;
	job->pinhole = m->pinhole;
	job->ext_port = m->ext_port;
	job->int_port = m->int_port;
	job->timeout_ms = m->timeout_ms;
	job->lease_s = upnp_lease_s(uc ? uc->lease_ms : 0);
	str_ncpy(job->client, m->client, sizeof(job->client));

	err = upnp_submit(job);
	if (err)
		return;

	m->busy = true;
	m->added = op != UPNP_OP_DEL && (m->added || op == UPNP_OP_ADD);
}


static uint32_t recheck_ms(void)
{
	const struct ata_conf_upnp *uc = ata_conf_upnp();

	return uc && uc->recheck_ms ? uc->recheck_ms : 300000;
}


void upnp_map_upkeep(struct upnp_map *m, uint32_t refresh_ms)
{
	if (refresh_ms)
		tmr_start(&m->tmr_refresh, refresh_ms, refresh_handler, m);

	if (!tmr_isrunning(&m->tmr_recheck))
		tmr_start(&m->tmr_recheck, recheck_ms(), recheck_handler, m);
}


static void refresh_handler(void *arg)
{
	struct upnp_map *m = arg;

	if (m->busy) {
		tmr_start(&m->tmr_refresh, RETRY_MS, refresh_handler, m);
		return;
	}

	ata_debug("upnp: refreshing the lease of UDP %u", m->ext_port);
	upnp_map_submit(m, UPNP_OP_ADD);
}


static void recheck_handler(void *arg)
{
	struct upnp_map *m = arg;

	tmr_start(&m->tmr_recheck, recheck_ms(), recheck_handler, m);
	upnp_map_submit(m, UPNP_OP_GET);
}


/*
 * The IGD did not renew or confirm the mapping: keep trying, and tell
 * the policy (ENOTCONN) once the lease we were granted has run out.
 */
void upnp_map_lose(struct upnp_map *m, int err)
{
	m->state = MAP_LOST;
	tmr_start(&m->tmr_refresh, RETRY_MS, refresh_handler, m);

	if (!m->reported || tmr_jiffies() < m->expires)
		return;

	ata_warn("upnp: UDP %u mapping lost: %m", m->ext_port, err);
	ata_event(ATA_LOG_WARN, "UPNP-MAPPING-LOST", "ext_port=%u err=%s%s",
		  m->ext_port, ata_errname(err), upnp_map_family(m));
	upnp_map_report(m, ENOTCONN);
}


void upnp_map_fail(struct upnp_map *m, int err)
{
	tmr_cancel(&m->tmr_timeout);
	tmr_cancel(&m->tmr_refresh);
	tmr_cancel(&m->tmr_recheck);
	m->xc = mem_deref(m->xc);
	/* if a job is in flight, its answer sends the DEL */
	if (m->added)
		upnp_map_submit(m, UPNP_OP_DEL);
	m->state = MAP_FAILED;
	upnp_map_report(m, err);
}


/** Main thread: a job of some map came back from the worker */
void upnp_map_job_done(struct upnp_job *job)
{
	struct upnp_map *m = NULL;
	struct le *le;

	for (le = list_head(upnp_maps()); le; le = le->next) {
		struct upnp_map *x = le->data;

		if (x->id == job->map_id) {
			m = x;
			break;
		}
	}

	if (!m)
		return;

	m->busy = false;
	if (m->state == MAP_FAILED) {
		/* it came too late: undo it */
		if (job->op == UPNP_OP_ADD && !job->err)
			upnp_map_submit(m, UPNP_OP_DEL);
		return;
	}

	if (!m->client[0] && job->client[0])
		str_ncpy(m->client, job->client, sizeof(m->client));

	if (job->op == UPNP_OP_ADD && !job->err)
		m->proto = job->igd.proto;

	switch (job->op) {

	case UPNP_OP_ADD:
		upnp_map_add_done(m, job);
		break;

	case UPNP_OP_GET:
		upnp_map_get_done(m, job);
		break;

	default:
		break;
	}
}


static void timeout_handler(void *arg)
{
	struct upnp_map *m = arg;

	if (m->pinhole) {
		/* the IPv4 side's state and last_error are not ours */
		ata_info("upnp: no IPv6 pinhole for UDP %u within %u ms",
			 m->int_port, m->timeout_ms);
		m->last_err = m->last_err ? m->last_err : ETIMEDOUT;
		upnp_map_fail(m, ETIMEDOUT);
		return;
	}

	if (upnp_igd_found())
		ata_info("upnp: no mapping for UDP %u within %u ms",
			 m->int_port, m->timeout_ms);
	else
		ata_info("upnp: no IGD answered discovery: UDP %u not mapped "
			 "(%u ms)", m->int_port, m->timeout_ms);
	upnp_set_error(ETIMEDOUT, 0, "no answer in time");
	upnp_map_fail(m, ETIMEDOUT);
}


static int map_alloc(struct upnp_map **mp, const struct sa *laddr,
		     bool pinhole, uint32_t timeout_ms, ata_nat_bind_h *h,
		     void *arg)
{
	struct upnp_map *m;

	m = mem_zalloc(sizeof(*m), map_destructor);
	if (!m)
		return ENOMEM;

	m->id = upnp_next_id();
	m->laddr = *laddr;
	m->pinhole = pinhole;
	m->proto = pinhole ? ATA_MAP_PCP : m->proto;
	m->int_port = sa_port(laddr);
	/* a pinhole opens the port itself: nothing translates it */
	m->ext_port = pinhole ? m->int_port :
		upnp_port_candidate(m->int_port, 0, 0);
	m->timeout_ms = timeout_ms;
	m->h = h;
	m->arg = arg;
	sa_init(&m->public, AF_UNSPEC);
	if (!sa_is_any(laddr))
		sa_ntop(laddr, m->client, sizeof(m->client));
	list_append(upnp_maps(), &m->le, m);

	tmr_start(&m->tmr_timeout, timeout_ms, timeout_handler, m);
	upnp_map_submit(m, UPNP_OP_ADD);
	if (!m->busy) {
		mem_deref(m);
		return ENOMEM;
	}

	*mp = m;

	return 0;
}


int upnp_map_alloc(struct upnp_map **mp, const struct sa *laddr,
		   uint32_t timeout_ms, ata_nat_bind_h *h, void *arg)
{
	if (!mp || !laddr || !sa_port(laddr) || !timeout_ms)
		return EINVAL;

	if (sa_af(laddr) != AF_INET)
		return EAFNOSUPPORT;   /* UPnP IGD port mappings are IPv4 */

	return map_alloc(mp, laddr, false, timeout_ms, h, arg);
}


/**
 * An IPv6 firewall pinhole for @p laddr's port: a PCP MAP with the
 * IPv6 default router for our global address (laddr's, or :: for the
 * one the worker finds), external port and address the same as the
 * internal ones, with the lease, re-check, restore and release of an
 * IPv4 mapping.
 */
int upnp_pinhole_alloc(struct upnp_map **mp, const struct sa *laddr,
		       uint32_t timeout_ms, ata_nat_bind_h *h, void *arg)
{
	if (!mp || !laddr || !sa_port(laddr) || !timeout_ms)
		return EINVAL;

	if (sa_af(laddr) != AF_INET6)
		return EAFNOSUPPORT;

	return map_alloc(mp, laddr, true, timeout_ms, h, arg);
}


/** Hang the pinhole of the same port on an IPv4 map: it goes with it */
void upnp_map_set_pinhole(struct upnp_map *m, struct upnp_map *v6)
{
	if (!m) {
		mem_deref(v6);
		return;
	}

	mem_deref(m->v6);
	m->v6 = v6;
}


bool upnp_map_is_pinhole(const struct upnp_map *m)
{
	return m && m->pinhole;
}


uint16_t upnp_map_int_port(const struct upnp_map *m)
{
	return m ? m->int_port : 0;
}


/* The IGD's own words for a UPnP error ("UPnP error 501 ActionFailed"),
   else our errno's name */
static int last_error_print(struct re_printf *pf, void *arg)
{
	const struct upnp_map *m = arg;

	if (!m->last_err)
		return 0;
	if (m->last_code > 0)
		return re_hprintf(pf, "UPnP error %d %s", m->last_code,
				  upnp_code_str(m->last_code));
	if (m->last_code)
		return re_hprintf(pf, "%s", upnp_code_str(m->last_code));

	return re_hprintf(pf, "%s", ata_errname(m->last_err));
}


/** One `map=` line: key=value pairs for the status verb */
int upnp_map_status(struct re_printf *pf, const struct upnp_map *m)
{
	uint64_t now = tmr_jiffies();
	uint32_t left = 0;

	if (!m)
		return EINVAL;

	if (m->expires > now && m->state != MAP_FAILED)
		left = (uint32_t)((m->expires - now) / 1000);

	if (m->pinhole)
		return re_hprintf(pf, "pinhole=udp family=ipv6"
				  " internal=[%s]:%u external=%J state=%s"
				  " protocol=%s lease_left=%u restored=%u"
				  " last_error=\"%s\"\n",
				  m->client[0] ? m->client : "?",
				  m->int_port, &m->public,
				  state_str(m->state),
				  upnp_proto_name(m->proto), left,
				  m->restored,
				  !m->last_err ? "" : m->last_code ?
				  upnp_code_str(m->last_code) :
				  ata_errname(m->last_err));

	return re_hprintf(pf, "map=udp internal=%s:%u external=%u"
			  " public=%J state=%s protocol=%s lease_left=%u"
			  " restored=%u stolen=%u last_error=\"%H\"\n",
			  m->client[0] ? m->client : "?", m->int_port,
			  m->ext_port, &m->public,
			  m->refused ? "refused" : state_str(m->state),
			  upnp_proto_name(m->proto), left,
			  m->restored, m->stolen, last_error_print,
			  (void *)m);
}


/** This mapping failed for good (no upkeep; the policy was told) */
bool upnp_map_failed(const struct upnp_map *m)
{
	return m && m->state == MAP_FAILED;
}


/** The IGD refused this mapping (a UPnP error to its first ADD) */
bool upnp_map_refused(const struct upnp_map *m)
{
	return m && m->refused && m->state == MAP_FAILED;
}
