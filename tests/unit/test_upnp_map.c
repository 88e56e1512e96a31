/**
 * @file tests/unit/test_upnp_map.c  The upnp module's mapping state
 * machine, driven with fake IGD answers (modules/upnp/upnp_map*.c)
 *
 * The worker thread is replaced by a queue in this file: every job the
 * map submits is checked, then answered by hand as miniupnpc would.
 * The map's objects come from the module's archive; the fakes below
 * keep upnp.o, upnp_worker.o and upnp_xcheck.o out (see the Makefile).
 * Its timers are fired by hand (tmr_fire), as the event loop would.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "ataua.h"
#include "../../modules/upnp/upnp_map.h"

enum { JOBS_MAX = 16 };

static struct {
	struct list maps;
	struct upnp_job *jobv[JOBS_MAX];
	size_t jobc;
	uint32_t next_id;
	int hcount;
	int herr;
	struct ata_nat_binding hb;
	char events[1024];
	bool release_in_h;
	struct upnp_map *m;
} fx;


/* ---- fakes of upnp.c, upnp_worker.c, upnp_xcheck.c ---- */

int upnp_submit(struct upnp_job *job)
{
	assert_true(fx.jobc < JOBS_MAX);
	fx.jobv[fx.jobc++] = job;   /* the test owns it now */

	return 0;
}


int upnp_job_alloc(struct upnp_job **jobp, enum upnp_op op)
{
	struct upnp_job *job = mem_zalloc(sizeof(*job), NULL);

	if (!job)
		return ENOMEM;
	job->op = op;
	*jobp = job;

	return 0;
}


struct list *upnp_maps(void)
{
	return &fx.maps;
}


bool upnp_igd_found(void)
{
	return true;
}


uint32_t upnp_next_id(void)
{
	return ++fx.next_id;
}


void upnp_set_error(int err, int code, const char *what)
{
	(void)err;
	(void)code;
	(void)what;
}


int upnp_xcheck_start(struct upnp_xcheck **xp, const struct sa *laddr,
		      uint32_t timeout_ms, upnp_xcheck_h *h, void *arg)
{
	(void)xp; (void)laddr; (void)timeout_ms; (void)h; (void)arg;

	return ENOTSUP;
}


/* ---- helpers ---- */

/* A running timer expires now: what tmr_poll() does at its time */
static void tmr_fire(struct tmr *tmr)
{
	tmr_h *th = tmr->th;
	void *arg = tmr->arg;

	assert_true(tmr_isrunning(tmr));
	tmr_cancel(tmr);
	th(arg);
}


static void event_sink(enum ata_log_level lvl, const char *line, void *arg)
{
	(void)lvl;
	(void)arg;
	strncat(fx.events, line, sizeof(fx.events) - strlen(fx.events) - 1);
}


static void bind_h(int err, const struct ata_nat_binding *b, void *arg)
{
	(void)arg;
	++fx.hcount;
	fx.herr = err;
	if (b)
		fx.hb = *b;
	if (fx.release_in_h)
		fx.m = mem_deref(fx.m);
}


/* Take the oldest submitted job, check its op and external port */
static struct upnp_job *job_take(enum upnp_op op, uint16_t ext_port)
{
	struct upnp_job *job;

	assert_true(fx.jobc > 0);
	job = fx.jobv[0];
	memmove(fx.jobv, fx.jobv + 1, --fx.jobc * sizeof(fx.jobv[0]));
	assert_int_equal(job->op, op);
	assert_int_equal(job->ext_port, ext_port);

	return job;
}


/* Answer @p job as the worker would, then free it */
static void job_answer(struct upnp_job *job, int code, const char *client,
		       const char *port)
{
	job->code = code;
	job->err = upnp_code_errno(code);
	job->igd.found = true;
	str_ncpy(job->igd.ext_ip, "44.0.0.60", sizeof(job->igd.ext_ip));
	str_ncpy(job->igd.lan, "192.168.1.10", sizeof(job->igd.lan));
	if (!job->client[0])
		str_ncpy(job->client, "192.168.1.10", sizeof(job->client));
	str_ncpy(job->got_client, client ? client : "",
		 sizeof(job->got_client));
	str_ncpy(job->got_port, port ? port : "", sizeof(job->got_port));
	upnp_map_job_done(job);
	mem_deref(job);
}


static int setup(void **state)
{
	struct sa laddr;
	(void)state;

	memset(&fx, 0, sizeof(fx));
	ata_event_set_sink(event_sink, NULL);
	assert_int_equal(sa_set_str(&laddr, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_map_alloc(&fx.m, &laddr, 2000, bind_h, NULL),
			 0);

	return 0;
}


static int teardown(void **state)
{
	(void)state;

	fx.m = mem_deref(fx.m);
	while (fx.jobc)
		mem_deref(fx.jobv[--fx.jobc]);
	ata_event_set_sink(NULL, NULL);

	return 0;
}


/* Boot: same external port first, h gets the IGD's address */
static void test_map_same_port(void **state)
{
	struct upnp_job *job;
	struct sa want;
	(void)state;

	assert_int_equal(sa_set_str(&want, "44.0.0.60", 5060), 0);
	job = job_take(UPNP_OP_ADD, 5060);
	assert_int_equal(job->int_port, 5060);
	assert_string_equal(job->client, "192.168.1.10");
	assert_int_equal(job->lease_s, UPNP_LEASE_MIN_S);   /* never 0 */
	assert_int_equal(fx.hcount, 0);
	job_answer(job, 0, NULL, NULL);

	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, 0);
	assert_int_equal(sa_port(&fx.hb.public), 5060);
	assert_true(sa_cmp(&fx.hb.public, &want, SA_ALL));
	assert_int_equal(fx.hb.lifetime_s, UPNP_LEASE_MIN_S);
	assert_int_equal(sa_port(&fx.hb.local), 5060);
	assert_int_equal(fx.jobc, 0);
}


/* ConflictInMappingEntry: the next candidate, then success */
static void test_conflict_other_port(void **state)
{
	uint16_t next = upnp_port_candidate(5060,
					    hash_joaat_str("192.168.1.10"),
					    1);
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), UPNP_E_CONFLICT, NULL, NULL);
	assert_int_equal(fx.hcount, 0);
	job_answer(job_take(UPNP_OP_ADD, next), 0, NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, 0);
	assert_int_equal(sa_port(&fx.hb.public), next);
}


/* Every candidate taken: failure, reported once */
static void test_conflict_exhausted(void **state)
{
	unsigned i;
	(void)state;

	for (i = 0; i < UPNP_PORT_TRIES; i++) {
		struct upnp_job *job;

		assert_int_equal(fx.jobc, 1);
		job = fx.jobv[0];
		job_answer(job_take(UPNP_OP_ADD, job->ext_port),
			   UPNP_E_CONFLICT, NULL, NULL);
	}

	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, EADDRINUSE);
}


/* An IGD that only grants permanent leases is not used */
static void test_permanent_only_refused(void **state)
{
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), UPNP_E_PERMANENT_ONLY,
		   NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, ENOTSUP);
}


/* Router restarted: the entry is missing, re-added silently at the
   same port; the restored event, h not called again */
static void test_missing_readded(void **state)
{
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	tmr_fire(&fx.m->tmr_recheck);
	job_answer(job_take(UPNP_OP_GET, 5060), UPNP_E_NO_SUCH_ENTRY,
		   NULL, NULL);
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-MISSING"));
	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-RESTORED"));
	assert_int_equal(fx.hcount, 1);
}


/* A PCP/NAT-PMP server's epoch went back (restart): every other
   mapped map is lost and added again at once, counted as restored;
   the map whose answer told us is left to that answer */
static void test_epoch_reset_remaps(void **state)
{
	struct upnp_map *m2 = NULL;
	struct upnp_job *job;
	struct sa laddr;
	(void)state;

	job = job_take(UPNP_OP_ADD, 5060);
	job->igd.proto = ATA_MAP_PCP;
	job_answer(job, 0, NULL, NULL);
	assert_int_equal(fx.m->proto, ATA_MAP_PCP);
	assert_int_equal(sa_set_str(&laddr, "192.168.1.10", 5062), 0);
	assert_int_equal(upnp_map_alloc(&m2, &laddr, 2000, bind_h, NULL),
			 0);
	job_answer(job_take(UPNP_OP_ADD, 5062), 0, NULL, NULL);
	assert_int_equal(fx.jobc, 0);

	/* the first map's renewal came back from a restarted server */
	tmr_fire(&fx.m->tmr_refresh);
	job = job_take(UPNP_OP_ADD, 5060);
	job->epoch_reset = true;
	job->igd.proto = ATA_MAP_PCP;
	job_answer(job, 0, NULL, NULL);
	job = NULL;
	assert_int_equal(upnp_job_alloc(&job, UPNP_OP_ADD), 0);
	job->map_id = fx.m->id;
	job->igd.proto = ATA_MAP_PCP;
	upnp_map_epoch_reset(job);
	mem_deref(job);

	assert_non_null(strstr(fx.events, "UPNP-SERVER-RESTARTED"
			       " protocol=pcp"));
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-MISSING"
			       " ext_port=5062"));
	assert_int_equal(fx.jobc, 1);   /* only the other map re-adds */
	job_answer(job_take(UPNP_OP_ADD, 5062), 0, NULL, NULL);
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-RESTORED"
			       " ext_port=5062"));
	assert_int_equal(fx.m->restored, 0);
	assert_int_equal(m2->restored, 1);
	mem_deref(m2);
	while (fx.jobc)   /* m2's release */
		mem_deref(fx.jobv[--fx.jobc]);
}


/* Answer a pinhole's job as the worker would for a PCP server on the
   IPv6 router: external = internal = our global address */
static void pinhole_answer(struct upnp_job *job, int err)
{
	assert_true(job->pinhole);
	job->err = err;
	job->igd.found = true;
	job->igd.proto = ATA_MAP_PCP;
	str_ncpy(job->igd.ext_ip, "2001:db8:1::10", sizeof(job->igd.ext_ip));
	str_ncpy(job->got_client, job->client, sizeof(job->got_client));
	re_snprintf(job->got_port, sizeof(job->got_port), "%u",
		    job->int_port);
	upnp_map_job_done(job);
	mem_deref(job);
}


/* An IPv6 pinhole: the same port, our address as the public one, a
   server restart on the IPv6 side re-adds the pinholes only, and a
   port in use fails it (no other port would reach the socket) */
static void test_pinhole(void **state)
{
	struct upnp_map *p = NULL, *p2 = NULL;
	struct upnp_job *job;
	struct sa laddr, want;
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);   /* v4 */
	assert_int_equal(sa_set_str(&laddr, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_pinhole_alloc(&p, &laddr, 2000, bind_h, NULL),
			 EAFNOSUPPORT);
	assert_int_equal(sa_set_str(&laddr, "2001:db8:1::10", 5060), 0);
	assert_int_equal(upnp_pinhole_alloc(&p, &laddr, 2000, bind_h, NULL),
			 0);
	assert_true(upnp_map_is_pinhole(p));
	assert_false(upnp_map_is_pinhole(fx.m));

	job = job_take(UPNP_OP_ADD, 5060);
	assert_string_equal(job->client, "2001:db8:1::10");
	pinhole_answer(job, 0);
	assert_int_equal(fx.hcount, 2);
	assert_int_equal(fx.herr, 0);
	assert_int_equal(sa_set_str(&want, "2001:db8:1::10", 5060), 0);
	assert_true(sa_cmp(&fx.hb.public, &want, SA_ALL));

	/* the IPv6 server restarted: the pinholes again, not the v4 map */
	assert_int_equal(upnp_job_alloc(&job, UPNP_OP_ADD), 0);
	job->pinhole = true;
	job->igd.proto = ATA_MAP_PCP;
	upnp_map_epoch_reset(job);
	mem_deref(job);
	assert_non_null(strstr(fx.events, "UPNP-SERVER-RESTARTED"
			       " protocol=pcp epoch=0 family=ipv6"));
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-MISSING"
			       " ext_port=5060 family=ipv6"));
	assert_int_equal(fx.jobc, 1);
	pinhole_answer(job_take(UPNP_OP_ADD, 5060), 0);
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-RESTORED"
			       " ext_port=5060 family=ipv6"));
	assert_int_equal(fx.m->restored, 0);

	/* a port in use: failed, reported, no other port tried */
	assert_int_equal(sa_set_str(&laddr, "2001:db8:1::10", 5062), 0);
	assert_int_equal(upnp_pinhole_alloc(&p2, &laddr, 2000, bind_h,
					    NULL), 0);
	pinhole_answer(job_take(UPNP_OP_ADD, 5062), EADDRINUSE);
	assert_int_equal(fx.herr, EADDRINUSE);
	while (fx.jobc) {   /* the DEL of what the ADD may have made */
		job = fx.jobv[--fx.jobc];
		assert_true(job->pinhole);
		mem_deref(job);
	}

	/* released: a pinhole DEL of our address and port */
	mem_deref(p2);
	mem_deref(p);
	job = job_take(UPNP_OP_DEL, 5060);
	assert_true(job->pinhole);
	assert_string_equal(job->client, "2001:db8:1::10");
	mem_deref(job);
	assert_int_equal(fx.jobc, 0);
}


/* Two pinholes of one address and port (beside an IPv4 map, and for an
   IPv6 socket): one PCP mapping, deleted when the last one goes */
static void test_pinhole_shared(void **state)
{
	struct upnp_map *a = NULL, *b = NULL;
	struct sa laddr;
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);   /* v4 */
	assert_int_equal(sa_set_str(&laddr, "2001:db8:1::10", 5060), 0);
	assert_int_equal(upnp_pinhole_alloc(&a, &laddr, 2000, bind_h, NULL),
			 0);
	assert_int_equal(upnp_pinhole_alloc(&b, &laddr, 2000, bind_h, NULL),
			 0);
	pinhole_answer(job_take(UPNP_OP_ADD, 5060), 0);
	pinhole_answer(job_take(UPNP_OP_ADD, 5060), 0);

	mem_deref(a);
	assert_int_equal(fx.jobc, 0);   /* b still needs it */
	mem_deref(b);
	mem_deref(job_take(UPNP_OP_DEL, 5060));
	assert_int_equal(fx.jobc, 0);
}


/* Every job carries the protocol order; without a config the shipped
   one: PCP, NAT-PMP, UPnP */
static void test_job_protos_default(void **state)
{
	struct upnp_job *job = NULL;
	(void)state;

	assert_int_equal(upnp_job_alloc(&job, UPNP_OP_ADD), 0);
	upnp_job_protos(job);
	assert_int_equal(job->protoc, 3);
	assert_int_equal(job->protov[0], ATA_MAP_PCP);
	assert_int_equal(job->protov[1], ATA_MAP_NATPMP);
	assert_int_equal(job->protov[2], ATA_MAP_UPNP);
	assert_string_equal(upnp_proto_name(ATA_MAP_NATPMP), "natpmp");
	mem_deref(job);
}


/* Recheck finds another host on our port: event, another port, and
   the policy gets the new public address */
static void test_stolen_moves(void **state)
{
	struct upnp_job *job;
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	tmr_fire(&fx.m->tmr_recheck);
	job_answer(job_take(UPNP_OP_GET, 5060), 0, "192.168.1.11", "5060");
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-STOLEN ext_port=5060"
			       " holder=192.168.1.11:5060"));
	assert_int_equal(fx.jobc, 1);
	job = fx.jobv[0];
	assert_int_not_equal(job->ext_port, 5060);
	job_answer(job_take(UPNP_OP_ADD, job->ext_port), 0, NULL, NULL);
	assert_int_equal(fx.hcount, 2);
	assert_int_equal(fx.herr, 0);
	assert_int_not_equal(sa_port(&fx.hb.public), 5060);
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-MOVED"));
}


/* A lease refresh meets another host's entry (a router restart let it
   take the port before our recheck): the worker's lookup names the
   holder in the theft report, as a recheck's would, and we move */
static void test_refresh_conflict_names_holder(void **state)
{
	struct upnp_job *job;
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	tmr_fire(&fx.m->tmr_refresh);
	job_answer(job_take(UPNP_OP_ADD, 5060), UPNP_E_CONFLICT,
		   "192.168.1.11", "5060");
	assert_non_null(strstr(fx.events, "UPNP-MAPPING-STOLEN ext_port=5060"
			       " holder=192.168.1.11:5060"));
	assert_int_equal(fx.jobc, 1);
	job = fx.jobv[0];
	assert_int_not_equal(job->ext_port, 5060);
}


/* Our own entry on recheck: nothing happens */
static void test_recheck_ours(void **state)
{
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	tmr_fire(&fx.m->tmr_recheck);
	job_answer(job_take(UPNP_OP_GET, 5060), 0, "192.168.1.10", "5060");
	assert_int_equal(fx.jobc, 0);
	assert_int_equal(fx.hcount, 1);
	assert_null(strstr(fx.events, "UPNP-MAPPING"));
}


/* A refresh is an AddPortMapping of the same port */
static void test_refresh(void **state)
{
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	assert_true(tmr_isrunning(&fx.m->tmr_refresh));
	/* due at half the lease (a schedule, not a measured time) */
	assert_true(tmr_get_expire(&fx.m->tmr_refresh) <=
		    upnp_refresh_ms(UPNP_LEASE_MIN_S));
	assert_true(tmr_get_expire(&fx.m->tmr_refresh) >
		    upnp_refresh_ms(UPNP_LEASE_MIN_S) / 2);
	tmr_fire(&fx.m->tmr_refresh);
	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	assert_int_equal(fx.hcount, 1);
}


/* Refresh fails while the lease still runs: no report, retry */
static void test_refresh_fails_quietly(void **state)
{
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	tmr_fire(&fx.m->tmr_refresh);
	job_answer(job_take(UPNP_OP_ADD, 5060), -3, NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.m->state, MAP_LOST);
	assert_true(tmr_isrunning(&fx.m->tmr_refresh));
}


/* mem_deref deletes the mapping (with our client), once */
static void test_release_deletes(void **state)
{
	struct upnp_job *job;
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), 0, NULL, NULL);
	fx.m = mem_deref(fx.m);
	job = job_take(UPNP_OP_DEL, 5060);
	assert_string_equal(job->client, "192.168.1.10");
	assert_int_equal(job->int_port, 5060);
	assert_int_equal(job->map_id, 0);
	mem_deref(job);
	assert_int_equal(fx.jobc, 0);
}


/* The timeout reports ETIMEDOUT; a late success is undone */
static void test_timeout_then_late_answer(void **state)
{
	struct upnp_job *job;
	(void)state;

	job = job_take(UPNP_OP_ADD, 5060);
	tmr_fire(&fx.m->tmr_timeout);
	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, ETIMEDOUT);
	job_answer(job, 0, NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	mem_deref(job_take(UPNP_OP_DEL, 5060));
}


/* An IGD's 501 ActionFailed is a refusal: the policy hears
   ECONNREFUSED (not EPROTO, "Protocol error"), and the map's status
   line says refused, in the IGD's words (issue #16) */
static void test_refused_says_so(void **state)
{
	char buf[512];
	(void)state;

	job_answer(job_take(UPNP_OP_ADD, 5060), UPNP_E_ACTION_FAILED,
		   NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	assert_int_equal(fx.herr, ECONNREFUSED);
	assert_true(upnp_map_refused(fx.m));
	assert_int_equal(re_snprintf(buf, sizeof(buf), "%H",
				     upnp_map_status, fx.m) > 0, true);
	assert_non_null(strstr(buf, " state=refused "));
	assert_non_null(strstr(buf,
			       "last_error=\"UPnP error 501 ActionFailed\""));
}


/* The policy may release the map from inside its handler */
static void test_release_in_handler(void **state)
{
	(void)state;

	fx.release_in_h = true;
	job_answer(job_take(UPNP_OP_ADD, 5060), UPNP_E_ACTION_FAILED,
		   NULL, NULL);
	assert_int_equal(fx.hcount, 1);
	assert_null(fx.m);
	/* a refusal, not "Protocol error" (issue #16) */
	assert_int_equal(fx.herr, ECONNREFUSED);
}


static void test_bad_args(void **state)
{
	struct upnp_map *m = NULL;
	struct sa sa;
	(void)state;

	sa_init(&sa, AF_INET);
	assert_int_equal(upnp_map_alloc(NULL, &sa, 1, bind_h, NULL), EINVAL);
	assert_int_equal(upnp_map_alloc(&m, NULL, 1, bind_h, NULL), EINVAL);
	assert_int_equal(sa_set_str(&sa, "192.168.1.10", 0), 0);
	assert_int_equal(upnp_map_alloc(&m, &sa, 1, bind_h, NULL), EINVAL);
	assert_int_equal(sa_set_str(&sa, "192.168.1.10", 5060), 0);
	assert_int_equal(upnp_map_alloc(&m, &sa, 0, bind_h, NULL), EINVAL);
	assert_int_equal(sa_set_str(&sa, "::1", 5060), 0);
	assert_int_equal(upnp_map_alloc(&m, &sa, 1, bind_h, NULL),
			 EAFNOSUPPORT);
	assert_null(m);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_map_same_port),
		T(test_conflict_other_port),
		T(test_conflict_exhausted),
		T(test_permanent_only_refused),
		T(test_missing_readded),
		T(test_stolen_moves),
		T(test_refresh_conflict_names_holder),
		T(test_epoch_reset_remaps),
		T(test_pinhole),
		T(test_pinhole_shared),
		T(test_job_protos_default),
		T(test_recheck_ours),
		T(test_refresh),
		T(test_refresh_fails_quietly),
		T(test_release_deletes),
		T(test_timeout_then_late_answer),
		T(test_refused_says_so),
		T(test_release_in_handler),
		T(test_bad_args),
#undef T
	};
	int r;

	if (libre_init())
		return 1;
	ata_log_set_level(ATA_LOG_ERR);   /* the security lines still print */
	r = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();

	return r;
}
