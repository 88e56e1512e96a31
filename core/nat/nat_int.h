/**
 * @file nat_int.h  Private state shared by the nat_*.c files
 */
#ifndef ATA_NAT_INT_H
#define ATA_NAT_INT_H

#include "ataua.h"
#include "conf/config.h"
#include "nat.h"

enum step_state {
	STEP_IDLE = 0,   /**< not configured or not started  */
	STEP_RUNNING,
	STEP_OK,
	STEP_FAILED,
};

/** One traversal step bound to the SIP socket */
struct nat_step {
	const char *name;           /**< module name                  */
	enum step_state state;
	void *bind;                 /**< the module's binding handle  */
	struct ata_nat_binding b;
	int err;
};

struct nat_state {
	bool inited;
	bool ready;                 /**< REGISTERs may go out         */
	bool rerun;                 /**< the network changed: re-register
				       when the steps have decided   */
	struct list lsnrs;
	struct udp_sock *us;
	struct nat_sip *ns;
	struct sa laddr;            /**< SIP socket                   */
	struct sa pub;              /**< public SIP address, or unset */
	struct sa reg_seen;         /**< what the registrar saw       */
	struct sa registrar;        /**< where keep-alives go         */
	enum nat_method method;
	struct nat_step upnp, stun, turn;
	struct nat_step reg;        /**< REGISTER with our own Contact */
	bool reg_probe;             /**< that REGISTER may go out     */
	uint16_t reg_scode;         /**< its final answer, 0 = none   */
	struct tmr tmr_reg;         /**< the register step's limit    */
	struct nat_obs obs;
	struct nat_verdict v;
	struct tmr tmr_deadline;
	int hairpin;                /**< 1, 0, -1 unknown             */
	uint32_t lifetime_s;        /**< longest idle time survived   */
	uint32_t lifetime_lapsed_s; /**< shortest one that lapsed     */
	uint32_t ka_ms;             /**< SIP keep-alive in force      */
	enum nat_alg_sign alg_sign; /**< what gave the SIP ALG away   */
};

extern struct nat_state nat;

/* nat.c */
void nat_update(void);
void nat_decide(void);
void nat_set_public(const struct sa *pub, enum nat_method m);
void nat_reg_probe_start(void);

/* nat_step.c */
uint32_t nat_steps_deadline(const struct ata_config *cfg);
void nat_steps_start(const struct ata_config *cfg);
void nat_steps_stop(void);
void nat_steps_check(void);
bool nat_step_want_turn(void);
bool nat_step_need_turn(void);
void nat_step_turn_unneeded(void);
bool nat_step_turn_late(void);
void nat_keepalive_update(void);
void nat_reg_step_done(bool ok);
uint32_t nat_keepalive_interval(uint32_t conf_ms, uint32_t lifetime_s);
uint32_t nat_upnp_grace_ms(bool upnp_running, bool good_answer,
			   bool server_found);

/* nat_flow.c */
int  nat_flow_print(struct re_printf *pf);
void nat_flow_close(void);

/* nat_alg_obs.c */
void nat_alg_observe(const struct sip_msg *msg, const struct sa *seen);
int  nat_alg_print(struct re_printf *pf);

/* nat_cmd.c */

#endif
