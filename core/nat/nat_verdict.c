/**
 * @file nat_verdict.c  From what the NAT policy saw to a verdict (pure)
 *
 * The rows are checked in order; the first that matches decides. A
 * relay or an IGD mapping settles the question whatever else was seen;
 * a symmetric mapping makes a STUN address useless (each peer sees
 * another port), so it is broken unless TURN relays (pending while a
 * relay is being asked for; a 437 from the TURN server is named).
 */
#include <string.h>
#include <re.h>
#include "nat.h"


static void set(struct nat_verdict *v, enum nat_level lvl,
		enum nat_method m, const char *reason)
{
	v->level = lvl;
	v->method = m;
	v->reason = reason;
}


static bool mapping_dependent(const struct nat_obs *o)
{
	return o->mapping == NAT_KIND_AD || o->mapping == NAT_KIND_APD ||
		o->port_mismatch;
}


static void eval_stun(struct nat_verdict *v, const struct nat_obs *o)
{
	if (o->ka_failed)
		set(v, NAT_DEGRADED, NAT_METHOD_STUN, "keep-alive failed");
	else if (o->alg)
		set(v, NAT_DEGRADED, NAT_METHOD_STUN,
		    "an ALG in the router rewrites addresses");
	else if (o->mapping == NAT_KIND_UNKNOWN)
		set(v, NAT_DEGRADED, NAT_METHOD_STUN,
		    "NAT mapping type unknown (no RFC 5780 server)");
	else
		set(v, NAT_OK, NAT_METHOD_STUN, "");
}


/* The registrar was never asked: its name was not looked up */
static const char *dns_reason(enum resolver_fault f)
{
	switch (f) {

	case RESOLVER_NO_SERVER:
		return "registrar not reached: DNS: no name server, "
			"NAT not verified";
	case RESOLVER_NOT_FOUND:
		return "registrar not reached: DNS: name not found, "
			"NAT not verified";
	case RESOLVER_TIMEOUT:
		return "registrar not reached: DNS timeout, NAT not verified";
	default:
		return "registrar not reached: DNS: name server unreachable, "
			"NAT not verified";
	}
}


static void eval_no_nat(struct nat_verdict *v, const struct nat_obs *o)
{
	if (o->ka_failed)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE, "keep-alive failed");
	else if (!o->reg_answered && o->reg_none)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE, o->stun_timeout ?
		    "no registrar configured, STUN server unreachable" :
		    "no registrar configured, NAT not verified");
	else if (!o->reg_answered && o->reg_dns)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE, dns_reason(o->reg_dns));
	else if (!o->reg_answered && o->reg_lookup)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE,
		    "registrar not asked yet: looking up the registrar's "
		    "name, NAT not verified");
	else if (!o->reg_answered && o->stun_timeout)
		set(v, NAT_BROKEN, NAT_METHOD_NONE,
		    "UDP blocked: no reply from registrar or STUN server");
	else if (!o->reg_answered && !o->stun_ok)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE,
		    "no reply from registrar, NAT not verified");
	else if (o->reg_answered && !o->reg_ok && !o->stun_ok)
		set(v, NAT_DEGRADED, NAT_METHOD_NONE,
		    "registration failing, NAT not verified");
	else
		set(v, NAT_OK, NAT_METHOD_NONE, "");
}


static void eval_rows(struct nat_verdict *v, const struct nat_obs *o)
{
	if (!o->done) {
		set(v, NAT_PENDING, NAT_METHOD_NONE, "probing");
		return;
	}

	if (o->turn_ok) {
		set(v, NAT_OK_RELAYED, NAT_METHOD_TURN, "");
		return;
	}

	if (o->upnp_ok) {
		set(v, NAT_OK, NAT_METHOD_UPNP, "");
		return;
	}

	if (mapping_dependent(o) && o->turn_running) {
		set(v, NAT_PENDING, NAT_METHOD_NONE,
		    "symmetric NAT, allocating a TURN relay");
		return;
	}

	if (mapping_dependent(o)) {
		set(v, NAT_BROKEN, NAT_METHOD_NONE, !o->turn_avail ?
		    "symmetric NAT, needs TURN" : o->turn_mismatch ?
		    "symmetric NAT, TURN allocation failed: 437 "
		    "(allocation mismatch)" :
		    "symmetric NAT, TURN allocation failed");
		return;
	}

	/* STUN shows a NAT by itself (mapped != local) */
	if (o->stun_ok) {
		eval_stun(v, o);
		return;
	}

	if (o->reg_rejected) {
		set(v, NAT_BROKEN, NAT_METHOD_NONE, o->stun_timeout ?
		    "registrar rejects private Contact, STUN server "
		    "unreachable" :
		    "registrar rejects private Contact, no STUN server");
		return;
	}

	if (o->reg_saw_other) {
		if (o->ka_failed)
			set(v, NAT_DEGRADED, NAT_METHOD_REGISTER,
			    "keep-alive failed");
		else if (o->stun_timeout)
			set(v, NAT_DEGRADED, NAT_METHOD_REGISTER,
			    "STUN server unreachable; address from the "
			    "registrar, RTP mapping unverified");
		else
			set(v, NAT_DEGRADED, NAT_METHOD_REGISTER,
			    "no STUN; address from the registrar, RTP "
			    "mapping unverified");
		return;
	}

	/* no NAT seen: public address, an ALG, or an all-private net */
	eval_no_nat(v, o);
}


/*
 * The router's SIP ALG (nat_alg.c) rewrites our SIP: whatever else
 * works, say it in words a support line can read out, and what we did.
 * A broken or pending verdict keeps its own, more urgent reason.
 */
static void eval_sip_alg(struct nat_verdict *v, const struct nat_obs *o)
{
	if (!o->sip_alg || v->level == NAT_BROKEN || v->level == NAT_PENDING)
		return;

	set(v, NAT_DEGRADED, v->method, o->sip_alg_moved ?
	    "router rewrites SIP (SIP ALG): switched SIP to TCP; turn off "
	    "'SIP ALG' in the router to use UDP" :
	    "router rewrites SIP (SIP ALG): calls may lose audio or "
	    "registrations drop; turn off 'SIP ALG' in the router");
}


/**
 * Decide. @p v always gets a level, a method and a reason (never NULL).
 */
void nat_verdict_eval(struct nat_verdict *v, const struct nat_obs *o)
{
	if (!v)
		return;

	if (!o) {
		set(v, NAT_PENDING, NAT_METHOD_NONE, "probing");
		return;
	}

	eval_rows(v, o);
	eval_sip_alg(v, o);
}


const char *nat_level_name(enum nat_level lvl)
{
	switch (lvl) {

	case NAT_PENDING:    return "pending";
	case NAT_OK:         return "ok";
	case NAT_OK_RELAYED: return "ok-relayed";
	case NAT_DEGRADED:   return "degraded";
	case NAT_BROKEN:     return "broken";
	default:             return "?";
	}
}


const char *nat_method_name(enum nat_method m)
{
	switch (m) {

	case NAT_METHOD_NONE:     return "none";
	case NAT_METHOD_UPNP:     return "upnp";
	case NAT_METHOD_REGISTER: return "register";
	case NAT_METHOD_STUN:     return "stun";
	case NAT_METHOD_TURN:     return "turn";
	default:                  return "?";
	}
}


const char *nat_kind_name(enum nat_kind k)
{
	switch (k) {

	case NAT_KIND_EI:  return "endpoint-independent";
	case NAT_KIND_AD:  return "address-dependent";
	case NAT_KIND_APD: return "address-port-dependent";
	default:           return "unknown";
	}
}


/** `verdict=ok` or `verdict=degraded: reason` (one key per line) */
int nat_verdict_print(struct re_printf *pf, const struct nat_verdict *v)
{
	if (!v)
		return EINVAL;

	if (v->level == NAT_OK || v->level == NAT_OK_RELAYED)
		return re_hprintf(pf, "verdict=%s\n",
				  nat_level_name(v->level));

	return re_hprintf(pf, "verdict=%s: %s\n",
			  nat_level_name(v->level), v->reason);
}


/** RFC 1918, RFC 6598 (CGN), link-local, loopback, ULA */
bool nat_addr_private(const struct sa *sa)
{
	uint32_t a;

	if (!sa)
		return false;

	if (sa_af(sa) == AF_INET) {
		a = sa_in(sa);
		return (a >> 24) == 10 || (a >> 20) == 0xac1 ||
			(a >> 16) == 0xc0a8 || (a >> 22) == 0x191 ||
			(a >> 16) == 0xa9fe || (a >> 24) == 127;
	}

	return sa_is_linklocal(sa) || sa_is_loopback(sa) ||
		(sa_af(sa) == AF_INET6 &&
		 (((const uint8_t *)&sa->u.in6.sin6_addr)[0] & 0xfe) == 0xfc);
}
