/**
 * @file sip_family.h  Which IP family a registration (and its calls) uses
 */
#ifndef ATA_SIP_FAMILY_H
#define ATA_SIP_FAMILY_H

#include <stdbool.h>

/**
 * How long an IPv6 REGISTER may go unanswered before the IPv4 one goes
 * (RFC 8305's Connection Attempt Delay, in spirit). RFC 8305 suggests
 * 250 ms for TCP, whose SYN is answered by the kernel; a REGISTER over
 * UDP is answered by the registrar's SIP stack, and libre resends it
 * at T1 = 500 ms, so one lost IPv6 datagram gets its resend answered
 * before we give up: 1 s, at the low end of what a phone waits anyway
 * and within RFC 8305's 2 s ceiling.
 */
#define SIP_FAMILY_FALLBACK_MS 1000

/** What is known when a registration picks its family */
struct sip_family_in {
	bool local4;      /**< we listen on an IPv4 address               */
	bool local6;      /**< we listen on a global IPv6 address         */
	bool addr4;       /**< the first hop has an IPv4 address (A)      */
	bool addr6;       /**< the first hop has an IPv6 address (AAAA)   */
	bool v6_failed;   /**< IPv6 went unanswered (fallback timer)      */
};

int sip_family_pick(const struct sip_family_in *in);
const char *sip_family_name(int af);

#endif
