/**
 * @file sip_tls.h  Verify SIP servers' TLS certificates and host names
 */
#ifndef ATA_SIP_TLS_H
#define ATA_SIP_TLS_H

#include <stddef.h>

struct tls;

/**
 * Make @p tls verify every server it connects to: the chain against the
 * CA file already added, and the name against one of @p hostv (the
 * registrars and outbound proxies the config names).
 *
 * @return 0, EINVAL, ENOMEM or ENOTSUP (libre built without OpenSSL)
 */
int  sip_tls_verify(struct tls *tls, const char * const *hostv, size_t hostc);
/** Forget the host names (the stack is going away) */
void sip_tls_reset(void);

#endif
