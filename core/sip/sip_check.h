/**
 * @file sip_check.h  RFC 3261 request checks a UAS owes (400, 416, 420)
 */
#ifndef ATA_SIP_CHECK_H
#define ATA_SIP_CHECK_H

#include <stdint.h>
#include <re.h>

enum { SIP_CHECK_UNSUP_MAX = 8 };

struct sip_check {
	uint16_t scode;            /**< 0 = fine, else the final response */
	const char *reason;
	struct pl unsupv[SIP_CHECK_UNSUP_MAX];  /**< 420: unknown tags */
	size_t unsupc;
};

void sip_check_request(struct sip_check *chk, const struct sip_msg *msg);
int  sip_check_unsupported(struct re_printf *pf,
			   const struct sip_check *chk);

#endif
