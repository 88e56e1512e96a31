/**
 * @file nat_step.c  The traversal steps on the SIP socket, keep-alives
 *
 * Each step is one traversal module's `bind` on the SIP socket. With
 * `parallel` every step except TURN starts at once (their time limits
 * overlap instead of adding up); without it the next starts when the
 * previous could not help. TURN costs the server a relay, so it is
 * asked only when the others cannot work.
 *
 * `register` as a step (sequential order only) lets the first REGISTER
 * go out with our own Contact: a 2xx ends the search (the registrar's
 * received/rport is used if it sees a NAT), a rejection or silence
 * moves on to the next step, whose address a new REGISTER then
 * carries. With `parallel` it is evidence only: the first REGISTER
 * waits for the other steps so that it already has the right Contact.
 *
 * With `parallel`, once STUN answered the policy waits UPNP_GRACE_MS
 * for the upnp step only when a router has answered its discovery (the
 * request to it takes milliseconds), not while the module is still
 * looking for one: SSDP listens for its whole window whether an IGD
 * exists or not (with the PCP and NAT-PMP probes first, about a second
 * before any mapping), so a wait there delays every registration for
 * nothing. The policy decides on STUN's answer, and a mapping that
 * comes later still wins (nat_decide prefers it; the Contact changes
 * and a new REGISTER goes out).
 */
#include <string.h>
#include <re.h>
#include "ataua.h"
#include "base/ctrl_proto.h"
#include "conf/config.h"
#include "mod/traversal.h"
#include "nat_int.h"

enum {
	KEEPALIVE_MIN_MS = 15000,
	KEEPALIVE_MAX_MS = 60000,
	DEADLINE_SLACK_MS = 2000,
	REG_STEP_TIMEOUT_MS = 8000,     /* challenge + answer, or give up */
	UPNP_GRACE_MS = 300,            /* an IGD on the LAN answers in ms */
	STUN_SLOW_MS = 700,             /* STUN answers in tens of ms     */
};

static struct tmr tmr_grace, tmr_slow, tmr_release;
static bool stun_slow;


/**
 * The SIP keep-alive interval: the configured one, else 4/5 of the
 * longest idle time the NAT was seen to keep a mapping within 15..60 s,
 * else (nothing measured yet, or no way to measure) the safe 15 s:
 * a NAT that forgets in 20 s is not rare, and a call that arrives after
 * the mapping lapsed never rings.
 */
uint32_t nat_keepalive_interval(uint32_t conf_ms, uint32_t lifetime_s)
{
	uint64_t ms;

	if (conf_ms)
		return conf_ms;

	if (!lifetime_s)
		return KEEPALIVE_MIN_MS;

	ms = (uint64_t)lifetime_s * 800;
	if (ms < KEEPALIVE_MIN_MS)
		ms = KEEPALIVE_MIN_MS;
	if (ms > KEEPALIVE_MAX_MS)
		ms = KEEPALIVE_MAX_MS;

	return (uint32_t)ms;
}


void nat_keepalive_update(void)
{
	const struct ata_config *cfg = ata_config();
	bool behind;

	behind = nat.method != NAT_METHOD_UPNP &&
		(nat.obs.reg_saw_other || nat.obs.stun_ok ||
		 nat_sip_public());

	if (!behind || !sa_isset(&nat.registrar, SA_ALL)) {
		nat.ka_ms = 0;
		nat_sip_set_keepalive(nat.ns, NULL, 0);
		return;
	}

	nat.ka_ms = nat_keepalive_interval(
		cfg ? cfg->traversal.stun.keepalive_ms : 0, nat.lifetime_s);
	nat_sip_set_keepalive(nat.ns, &nat.registrar, nat.ka_ms);
}


static bool stun_configured(const struct ata_config *cfg)
{
	return cfg && str_isset(cfg->traversal.stun.server.host);
}


static bool turn_configured(const struct ata_config *cfg)
{
	return cfg && str_isset(cfg->traversal.turn.server.host);
}


/** What we know calls for a relay (or may: STUN is slow to answer) */
bool nat_step_need_turn(void)
{
	return nat.obs.mapping == NAT_KIND_AD ||
		nat.obs.mapping == NAT_KIND_APD || nat.obs.port_mismatch ||
		(nat.stun.state == STEP_FAILED && nat.obs.stun_timeout) ||
		(nat.stun.state == STEP_RUNNING && stun_slow);
}


/**
 * The policy's evidence that UDP is blocked: STUN unanswered (or so slow
 * that a relay was chosen) and no REGISTER over UDP answered either
 */
bool nat_udp_blocked(void)
{
	if (nat.obs.reg_answered)
		return false;

	return (nat.stun.state == STEP_FAILED && nat.obs.stun_timeout) ||
		(nat.stun.state == STEP_RUNNING && stun_slow &&
		 nat.method == NAT_METHOD_TURN);
}


bool nat_step_want_turn(void)
{
	const struct ata_config *cfg = ata_config();

	return nat_step_need_turn() && nat.turn.state == STEP_IDLE &&
		turn_configured(cfg) && traversal_find(ATA_TRAV_TURN);
}


/* A relay allocated on suspicion that STUN then disproved: released
   from a timer, never inside the relay's own callback */
static void turn_release_handler(void *arg)
{
	(void)arg;

	if (nat.turn.state != STEP_OK || nat_step_need_turn())
		return;

	ata_info("nat: turn: not needed after all, relay released");
	nat.turn.bind = mem_deref(nat.turn.bind);
	nat.turn.state = STEP_IDLE;
}


void nat_step_turn_unneeded(void)
{
	tmr_start(&tmr_release, 0, turn_release_handler, NULL);
}


/* parallel: STUN unanswered this long looks like blocked UDP; a relay
   is asked beside it (released if STUN answers after all) */
static void slow_handler(void *arg)
{
	(void)arg;

	if (nat.ready || nat.stun.state != STEP_RUNNING)
		return;

	ata_info("nat: stun: no answer in %u ms, asking TURN beside it",
		 STUN_SLOW_MS);
	stun_slow = true;
	nat_steps_check();
}


static void binding_changed(struct nat_step *st)
{
	if (st == &nat.stun) {
		nat.obs.stun_ok = !sa_cmp(&st->b.public, &nat.laddr,
					  SA_ALL);
		if (sa_isset(&nat.reg_seen, SA_ALL))
			nat.obs.port_mismatch =
				sa_cmp(&nat.reg_seen, &st->b.public,
				       SA_ADDR) &&
				!sa_cmp(&nat.reg_seen, &st->b.public,
					SA_ALL);
	}
}


/* Which step carries on now that @p gone gave no binding: one that has
   an answer, else one still running; NULL when none is left */
static const char *step_next(const struct nat_step *gone)
{
	const struct nat_step *stv[] = {&nat.upnp, &nat.stun, &nat.turn,
					&nat.reg};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stv); i++) {
		if (stv[i] != gone && stv[i]->state == STEP_OK)
			return stv[i]->name;
	}
	for (i = 0; i < ARRAY_SIZE(stv); i++) {
		if (stv[i] != gone && stv[i]->state == STEP_RUNNING)
			return stv[i]->name;
	}

	return NULL;
}


/* Words for a step's errno where strerror misleads: ECONNREFUSED is a
   server's no (an IGD's UPnP error; the module's own line before this
   one gives its words), not "Connection refused", which reads as if
   nobody listened; the upnp step's ENODEV is no router answering its
   discovery, not "No such device" */
static const char *no_binding_words(const struct nat_step *st, int err)
{
	if (err == ECONNREFUSED)
		return "refused by the server";
	if (st == &nat.upnp && err == ENODEV)
		return "no router answered (UPnP IGD, NAT-PMP, PCP)";

	return NULL;
}


static void log_no_binding(const struct nat_step *st, int err)
{
	const char *next = step_next(st);
	const char *words = no_binding_words(st, err);

	if (words)
		ata_info("nat: %s: no binding: %s%s%s", st->name, words,
			 next ? "; going on with " : "", next ? next : "");
	else
		ata_info("nat: %s: no binding: %m%s%s", st->name, err,
			 next ? "; going on with " : "", next ? next : "");
}


static void bind_handler(int err, const struct ata_nat_binding *b,
			 void *arg)
{
	struct nat_step *st = arg;
	bool was_ok = st->state == STEP_OK;

	st->err = err;
	if (st == &nat.turn)   /* the turn module's errno for a 437 */
		nat.obs.turn_mismatch = err == EADDRINUSE;
	if (!err && b) {
		st->state = STEP_OK;
		st->b = *b;
		binding_changed(st);
		ata_info("nat: %s: public %J for %J%s", st->name,
			 &b->public, &b->local, b->relayed ? " (relay)" : "");
	}
	else {
		st->state = STEP_FAILED;
		if (st == &nat.stun) {
			nat.obs.stun_ok = false;
			nat.obs.stun_timeout = err == ETIMEDOUT;
		}
		if (was_ok) {
			nat.obs.ka_failed = true;
			ata_event(ATA_LOG_WARN, ATA_EVENT_NAT_LOST,
				  "module=%s err=%s", st->name,
				  ata_errname(err));
			ata_event(ATA_LOG_WARN, ATA_EVENT_KA_FAILED,
				  "module=%s", st->name);
		}
		log_no_binding(st, err);
	}

	if (nat.ready)
		nat_decide();
	else
		nat_steps_check();
}


static int step_start(struct nat_step *st, enum ata_trav_method m,
		      uint32_t timeout_ms)
{
	const struct ata_traversal *t = traversal_find(m);
	int err;

	st->name = traversal_method_name(m);
	if (!t || !t->bind) {
		st->state = STEP_FAILED;
		st->err = ENOTSUP;
		return ENOTSUP;
	}

	st->state = STEP_RUNNING;
	if (st == &nat.turn)
		nat.obs.turn_avail = true;
	err = t->bind(&st->bind, nat.us, &nat.laddr, timeout_ms,
		      bind_handler, st);
	if (err && st->state == STEP_RUNNING) {
		st->state = STEP_FAILED;
		st->err = err;
		ata_info("nat: %s: cannot start: %m", st->name, err);
	}

	return err;
}


static void reg_step_timeout(void *arg)
{
	(void)arg;

	ata_info("nat: register: no final answer in time");
	nat_reg_step_done(false);
}


static void reg_step_start(void)
{
	nat.reg.name = "register";
	nat.reg.state = STEP_RUNNING;
	tmr_start(&nat.tmr_reg, REG_STEP_TIMEOUT_MS, reg_step_timeout,
		  NULL);
	nat_reg_probe_start();
}


/** The register step's REGISTER got its final answer (or none) */
void nat_reg_step_done(bool ok)
{
	if (nat.reg.state != STEP_RUNNING)
		return;

	tmr_cancel(&nat.tmr_reg);
	nat.reg.state = ok ? STEP_OK : STEP_FAILED;
	ata_info("nat: register: own Contact %s", ok ? "accepted" :
		 "not accepted, next step");
	nat_steps_check();
}


/* Start what the order asks next; true if something is running */
static bool steps_advance(const struct ata_config *cfg)
{
	const struct ata_conf_traversal *tc = &cfg->traversal;
	bool running = false;
	size_t i;

	for (i = 0; i < tc->orderc; i++) {
		enum ata_trav_method m = tc->orderv[i];
		struct nat_step *st = NULL;
		uint32_t tmo = 0;

		switch (m) {

		case ATA_TRAV_UPNP:
			st = &nat.upnp;
			tmo = tc->upnp.timeout_ms;
			break;

		case ATA_TRAV_STUN:
			if (!stun_configured(cfg))
				continue;
			nat.obs.stun_avail = traversal_find(m) != NULL;
			st = &nat.stun;
			tmo = tc->stun.timeout_ms;
			break;

		case ATA_TRAV_REGISTER:
			/* evidence only when parallel (see above); and
			   with no registrar there is nobody to ask */
			if (tc->parallel || nat.obs.reg_none)
				continue;
			st = &nat.reg;
			break;

		default:   /* TURN only on need */
			continue;
		}

		if (st->state == STEP_RUNNING)
			running = true;
		if (st->state == STEP_OK)
			return running;   /* an earlier step succeeded */
		if (st->state != STEP_IDLE)
			continue;

		if (st == &nat.reg)
			reg_step_start();
		else
			(void)step_start(st, m, tmo);
		if (st == &nat.stun && st->state == STEP_RUNNING &&
		    tc->parallel && tmo > STUN_SLOW_MS)
			tmr_start(&tmr_slow, STUN_SLOW_MS, slow_handler, NULL);
		if (st->state == STEP_RUNNING)
			running = true;
		if (running && !tc->parallel)
			return true;
	}

	return running;
}


/**
 * parallel: how long a good enough answer (STUN's, or a relay) waits
 * for a running upnp step: UPNP_GRACE_MS when a router answered its
 * discovery (@p server_found), else nothing (pure, unit-tested)
 */
uint32_t nat_upnp_grace_ms(bool upnp_running, bool good_answer,
			   bool server_found)
{
	return upnp_running && good_answer && server_found ?
		UPNP_GRACE_MS : 0;
}


static void grace_handler(void *arg)
{
	(void)arg;

	if (nat.ready || nat.turn.state == STEP_RUNNING)
		return;

	ata_info("nat: deciding without the steps still running");
	nat_decide();
}


void nat_steps_check(void)
{
	const struct ata_config *cfg = ata_config();
	bool running, good, found;
	uint32_t grace;

	if (nat.ready)
		return;

	if (!cfg) {   /* no policy to run (tests without a config) */
		nat_decide();
		return;
	}

	running = steps_advance(cfg);

	/* parallel: a relay as soon as the need shows, not after UPnP */
	if (nat_step_want_turn() && (cfg->traversal.parallel || !running))
		(void)step_start(&nat.turn, ATA_TRAV_TURN,
				 cfg->traversal.turn.timeout_ms);

	if (nat.turn.state == STEP_RUNNING)
		return;   /* its answer checks again */

	if (!running) {
		nat_decide();
		return;
	}

	/* parallel: a good enough answer does not wait for slow steps: an
	   IGD gets UPNP_GRACE_MS more (none is needed without a NAT), a
	   slow STUN nothing once TURN has answered */
	if (!cfg->traversal.parallel || tmr_isrunning(&tmr_grace))
		return;
	if (nat.stun.state != STEP_OK && nat.turn.state != STEP_OK)
		return;
	if (nat.stun.state == STEP_RUNNING && !stun_slow)
		return;

	good = nat.obs.stun_ok || nat.turn.state == STEP_OK;
	found = traversal_server_found(ATA_TRAV_UPNP);
	grace = nat_upnp_grace_ms(nat.upnp.state == STEP_RUNNING, good,
				  found);
	if (grace)
		ata_info("nat: waiting up to %u ms for upnp: a router"
			 " answered its discovery", grace);
	else if (nat.upnp.state == STEP_RUNNING && good)
		ata_info("nat: not waiting for upnp: no router has answered"
			 " its discovery (yet)");
	tmr_start(&tmr_grace, grace, grace_handler, NULL);
}


/**
 * After the first decision: a finding that came later (RFC 5780 says
 * symmetric, the registrar sees another port) may call for TURN. true
 * if the turn step runs now (its answer decides again).
 */
bool nat_step_turn_late(void)
{
	const struct ata_config *cfg = ata_config();

	if (!cfg || !nat_step_want_turn())
		return false;

	ata_info("nat: later findings call for TURN");
	return !step_start(&nat.turn, ATA_TRAV_TURN,
			   cfg->traversal.turn.timeout_ms) &&
		nat.turn.state == STEP_RUNNING;
}


void nat_steps_start(const struct ata_config *cfg)
{
	(void)cfg;
	nat_steps_check();
}


void nat_steps_stop(void)
{
	struct nat_step *stv[] = {&nat.upnp, &nat.stun, &nat.turn,
				  &nat.reg};
	size_t i;

	tmr_cancel(&nat.tmr_reg);
	tmr_cancel(&tmr_grace);
	tmr_cancel(&tmr_slow);
	tmr_cancel(&tmr_release);
	stun_slow = false;
	nat.reg_probe = false;
	nat.reg_scode = 0;

	for (i = 0; i < ARRAY_SIZE(stv); i++) {
		stv[i]->bind = mem_deref(stv[i]->bind);
		memset(&stv[i]->b, 0, sizeof(stv[i]->b));
		stv[i]->state = STEP_IDLE;
		stv[i]->err = 0;
	}
}


uint32_t nat_steps_deadline(const struct ata_config *cfg)
{
	const struct ata_conf_traversal *tc;

	if (!cfg)
		return DEADLINE_SLACK_MS;

	tc = &cfg->traversal;

	return tc->upnp.timeout_ms + tc->stun.timeout_ms +
		tc->turn.timeout_ms + DEADLINE_SLACK_MS +
		(tc->parallel ? 0 : REG_STEP_TIMEOUT_MS);
}
