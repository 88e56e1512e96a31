/**
 * @file modules/upnp/pmp_wire.h  NAT-PMP (RFC 6886) and PCP (RFC 6887)
 * packets, the gateway from /proc/net/route and the epoch check that
 * tells a restarted router (pure code: unit-tested and fuzzed)
 *
 * Both protocols speak UDP to port 5351 of the default gateway and
 * answer with the server's epoch (seconds since its mappings began).
 * Addresses are 16 bytes, IPv4 as an IPv4-mapped IPv6 address.
 */
#ifndef PMP_WIRE_H
#define PMP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PMP_SERVER_PORT = 5351,
	NATPMP_VERSION  = 0,
	PCP_VERSION     = 2,
	PCP_NONCE_LEN   = 12,
	PCP_PKT_MAX     = 1100,    /**< RFC 6887 §7: the largest message */
	PCP_HDR_LEN     = 24,
	PCP_MAP_LEN     = 36,
	PCP_OP_ANNOUNCE = 0,
	PCP_OP_MAP      = 1,
	PCP_PROTO_UDP   = 17,
	NATPMP_OP_ADDR  = 0,
	NATPMP_OP_UDP   = 1,
	PMP_RESPONSE    = 0x80,    /**< the R bit / NAT-PMP answer opcode */
};

/** PCP result codes (RFC 6887 §7.4); NAT-PMP's are 0..5 of its own */
enum {
	PCP_OK = 0,
	PCP_UNSUPP_VERSION = 1,
	PCP_NOT_AUTHORIZED = 2,
	PCP_MALFORMED_REQUEST = 3,
	PCP_UNSUPP_OPCODE = 4,
	PCP_UNSUPP_OPTION = 5,
	PCP_MALFORMED_OPTION = 6,
	PCP_NETWORK_FAILURE = 7,
	PCP_NO_RESOURCES = 8,
	PCP_UNSUPP_PROTOCOL = 9,
	PCP_USER_EX_QUOTA = 10,
	PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_ADDRESS_MISMATCH = 12,
	PCP_EXCESSIVE_REMOTE_PEERS = 13,
};

/** A MAP request (PCP) or a UDP mapping request (NAT-PMP) */
struct pmp_map_req {
	uint8_t nonce[PCP_NONCE_LEN];  /**< PCP only                     */
	uint8_t client[16];            /**< PCP: our address (v4-mapped) */
	uint16_t int_port;
	uint16_t ext_port;             /**< suggested; 0 = any          */
	uint8_t ext_ip[16];            /**< PCP: suggested; all-zero = any
					    (an IPv6 pinhole suggests the
					    client itself, RFC 6887 §11.1) */
	uint32_t lifetime_s;           /**< 0 deletes the mapping        */
};

/** What one answer says (fields the opcode does not carry stay 0) */
struct pmp_answer {
	uint8_t version;
	uint8_t opcode;            /**< without the response bit          */
	uint16_t result;
	uint32_t lifetime_s;
	uint32_t epoch;
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;
	uint16_t int_port;
	uint16_t ext_port;
	uint8_t ext_ip[16];        /**< v4-mapped for NAT-PMP             */
};

/** The last epoch a server told us, and when (RFC 6887 §8.5) */
struct pmp_epoch {
	bool valid;
	uint32_t server_s;
	uint64_t client_ms;
};

size_t pcp_map_encode(uint8_t *buf, size_t size,
		      const struct pmp_map_req *req);
size_t pcp_announce_encode(uint8_t *buf, size_t size,
			   const uint8_t client[16]);
int    pcp_decode(struct pmp_answer *a, const uint8_t *buf, size_t len);
size_t natpmp_map_encode(uint8_t *buf, size_t size,
			 const struct pmp_map_req *req);
size_t natpmp_addr_encode(uint8_t *buf, size_t size);
int    natpmp_decode(struct pmp_answer *a, const uint8_t *buf, size_t len);

bool pmp_epoch_lost(struct pmp_epoch *e, uint32_t server_s,
		    uint64_t now_ms);
int  pcp_result_errno(unsigned result);
int  natpmp_result_errno(unsigned result);
const char *pcp_result_str(unsigned result);
int  pmp_route_gateway(const char *text, uint32_t *gw);
int  pmp_route6_gateway(const char *text, uint8_t gw[16],
			char *ifname, size_t ifsize);
int  pmp_if6_global(const char *text, const char *ifname,
		    uint8_t addr[16]);
bool pmp_v6_global(const uint8_t a[16]);
void pmp_v4_mapped(uint8_t out[16], uint32_t addr);
bool pmp_v4_get(const uint8_t in[16], uint32_t *addr);

#endif
