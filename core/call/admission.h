/**
 * @file admission.h  Call admission by bandwidth: what a call needs, and
 *                    whether it fits the uplink and downlink
 *
 * admission.c is pure (numbers in, decision out) so tests drive it
 * directly; admission_call.c holds the daemon's one ledger, fed from
 * bandwidth.uplink_kbps / downlink_kbps, the reservations calls hold,
 * the BANDWIDTH-* events and the `bandwidth` verb.
 */
#ifndef ATA_ADMISSION_H
#define ATA_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct re_printf;

/** How media reaches the peer when a TURN relay is in the path */
enum adm_relay {
	ADM_RELAY_NONE = 0,
	ADM_RELAY_CHANNEL,     /**< ChannelData (4-byte header)          */
	ADM_RELAY_INDICATION,  /**< Send/Data indication (STUN framing)  */
};

/** One call's media as far as bandwidth goes */
struct adm_media {
	uint32_t codec_bps;    /**< codec bit rate: 64000 for G.711      */
	uint32_t ptime_tx;     /**< ms of audio per packet we send       */
	uint32_t ptime_rx;     /**< ms of audio per packet we receive    */
	uint32_t srtp_tag;     /**< SRTP auth tag bytes, 0 = plain RTP   */
	enum adm_relay relay;
};

/** bit/s on the wire, each way */
struct admission_need {
	uint32_t up_bps;
	uint32_t down_bps;
};

/** Capacity (0 = unlimited) and what admitted calls use, in bit/s */
struct adm_ledger {
	uint64_t cap_up, cap_down;
	uint64_t used_up, used_down;
	uint32_t calls;
	uint32_t refusals;     /**< calls refused since start            */
	bool refused;          /**< one was refused since capacity freed */
};

uint32_t admission_stream_bps(uint32_t codec_bps, uint32_t ptime_ms,
			      uint32_t srtp_tag, enum adm_relay relay);
int  admission_need(struct admission_need *n, const struct adm_media *m);
void admission_set_capacity(struct adm_ledger *l, uint32_t up_kbps,
			    uint32_t down_kbps);
int  admission_admit(struct adm_ledger *l, const struct admission_need *n,
		     char *why, size_t sz);
bool admission_release(struct adm_ledger *l, const struct admission_need *n);
void admission_adjust(struct adm_ledger *l, const struct admission_need *old,
		      const struct admission_need *n);
uint32_t admission_kbps(uint64_t bps);

/* admission_call.c: the daemon's ledger */
struct adm_slot;
int  admission_reserve(struct adm_slot **sp, const struct adm_media *m);
void admission_update(struct adm_slot *s, const struct adm_media *m);
const char *admission_reason(void);
int  admission_print(struct re_printf *pf);
/** The verb table, for the daemon to register (core/daemon.c) */
struct ata_cmd;
const struct ata_cmd *admission_cmds(size_t *cmdc);

#endif
