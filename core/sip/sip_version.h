/**
 * @file sip_version.h  Requests libre 1.1.0 drops for their SIP version
 */
#ifndef ATA_SIP_VERSION_H
#define ATA_SIP_VERSION_H

#include <re.h>

/** What the start line of a raw SIP message says about its version */
enum sip_version_kind {
	SIP_VERSION_NONE = 0,  /**< a response, or no request line       */
	SIP_VERSION_OK,        /**< a request, exactly SIP/2.0            */
	SIP_VERSION_CASE,      /**< SIP/2.0 in another case (sip/2.0)     */
	SIP_VERSION_OTHER,     /**< a well-formed other version: 505      */
};

struct sip_version;
struct udp_sock;

/** A request of another SIP version, decoded as if it were SIP/2.0 */
typedef void (sip_version_h)(const struct sip_msg *msg, void *arg);

enum sip_version_kind sip_version_classify(const struct pl *raw,
					   struct pl *ver);
int  sip_version_copy(struct mbuf **mbp, const struct pl *raw,
		      const struct pl *ver);
int  sip_version_alloc(struct sip_version **svp, struct udp_sock *us,
		       const struct sa *laddr, sip_version_h *h, void *arg);

#endif
