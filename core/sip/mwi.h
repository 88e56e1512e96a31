/**
 * @file mwi.h  Message waiting of one account: SUBSCRIBE and NOTIFYs
 *
 * RFC 3842: a message-summary subscription at the account's AOR, sent
 * the way its REGISTER goes, with its credentials; and the NOTIFYs that
 * come without one (unsolicited, from a trusted proxy). Each summary
 * goes up to the handler; the layer above decides what a change means.
 */
#ifndef ATA_MWI_H
#define ATA_MWI_H

#include <re.h>
#include "mwi_body.h"

struct mwi;
struct reg;
struct sip_stack;

/** A NOTIFY said this (solicited or not) */
typedef void (mwi_h)(const struct mwi_sum *sum, void *arg);

enum {
	MWI_EXPIRES_S = 3600,    /**< asked for; libre refreshes before */
	MWI_RETRY_NOW_MS = 1000, /**< notifier ended it (timeout etc.)  */
};

int  mwi_alloc(struct mwi **mwip, struct sip_stack *ss, struct reg *reg,
	       mwi_h *h, void *arg);
void mwi_registered(struct mwi *mwi);
/** "subscribed", "subscribing", "retrying", "off" */
const char *mwi_sub_state(const struct mwi *mwi);
uint64_t mwi_retry_ms(int err, uint16_t scode,
		      const struct sipevent_substate *substate,
		      unsigned failures, uint32_t rnd);

#endif
