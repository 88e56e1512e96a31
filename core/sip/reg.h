/**
 * @file reg.h  SIP registration of one account, with capped backoff
 */
#ifndef ATA_REG_H
#define ATA_REG_H

#include <stdint.h>
#include <re.h>

struct reg;
struct sip_stack;

enum reg_state { REG_OFF, REG_REGISTERING, REG_OK, REG_FAILED };

struct reg_conf {
	const char *aor;             /**< "sip:1001@example.net"          */
	const char *registrar;       /**< "sip:example.net", NULL = AOR's */
	const char *outbound_proxy;  /**< "sip:proxy:5060" or NULL        */
	const char *auth_user;       /**< NULL = AOR user                 */
	const char *password;
	const char *display_name;
	enum sip_transp tp;
	uint32_t expiry_s;           /**< 0 = 3600                        */
	bool tp_auto;                /**< no transport named: UDP, then
					  TCP if UDP gets no reply       */
	bool no_register;            /**< registrar "": the account calls
					  (to its domain, or the outbound
					  proxy) but never REGISTERs     */
};

/** Called on every state change and on each failure */
typedef void (reg_state_h)(enum reg_state st, const char *reason,
			   void *arg);

enum {
	REG_BACKOFF_BASE_S = 30,
	REG_BACKOFF_MAX_S  = 1800,
};

int  reg_alloc(struct reg **regp, struct sip_stack *ss,
	       const struct reg_conf *c, reg_state_h *sh, void *arg);
enum reg_state reg_state(const struct reg *reg);
const char *reg_reason(const struct reg *reg);
uint32_t reg_retry_in(const struct reg *reg);
int  reg_status(struct re_printf *pf, const struct reg *reg);
uint32_t reg_backoff(unsigned failures, uint32_t rnd);
/* reg_contact.c: pure, unit-tested */
int reg_contact_stored(const struct sip_msg *msg, const char *user,
		       const struct sa *sent, char *buf, size_t size);
const char *reg_state_name(enum reg_state st);

/** The account as stored by reg (strings owned by @p reg) */
const struct reg_conf *reg_config(const struct reg *reg);
/** User part of the AOR, also our Contact user */
const char *reg_user(const struct reg *reg);
/** Host part of the AOR (the domain dialled numbers go to) */
const char *reg_domain(const struct reg *reg);
/** Where the REGISTER went first (its Route): hosts entry, proxy or
    registrar */
const char *reg_route(const struct reg *reg);
/** The family the registration runs over (AF_UNSPEC: unknown) and the
    route an INVITE to @p uri takes to stay in it (reg_family.c) */
int reg_family_af(const struct reg *reg);
const char *reg_family_route(const struct reg *reg, const char *uri);

#endif
