/**
 * @file hint.h  Where the core calls the signalling-hint modules (alg-hint)
 *
 * One place for every call site: the SIP socket for Contact parameters,
 * a call's media for SDP attributes and connectivity checks, the peer's
 * SDP for the media destination. alg_hint.enabled: false skips them all.
 */
#ifndef ATA_HINT_H
#define ATA_HINT_H

#include "ataua.h"

struct hint_media;

void hint_sip_socket(struct udp_sock *us, const struct sa *laddr);
int  hint_media_alloc(struct hint_media **hmp, struct udp_sock *us,
		      const struct sa *laddr, const struct sa *pub,
		      struct sdp_media *m);
void hint_media_remote(struct hint_media *hm, const struct sdp_media *m,
		       const struct sa *dst, ata_hint_dst_h *h, void *arg);

#endif
