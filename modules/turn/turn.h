/**
 * @file modules/turn/turn.h  TURN module: relay object and stream framing
 */

/** A TCP/TLS byte stream carries whole STUN messages and ChannelData */
int turn_frame_len(const uint8_t *p, size_t n, size_t *lenp);

struct turn_relay;

/**
 * Relay state changes: err = 0 with relay and mapped addresses, or an
 * errno (ETIMEDOUT, ECONNREFUSED, EACCES, EPROTO, EADDRINUSE for 437
 * allocation mismatch, ENOTCONN when a live allocation was lost)
 */
typedef void (turn_relay_h)(int err, const struct sa *relay,
			    const struct sa *mapped, uint32_t lifetime_s,
			    void *arg);

/** What a relay is asked to do */
struct turn_relay_prm {
	struct sa srv;
	enum ata_transport transport;
	bool tcp_fallback;    /* auto: UDP unanswered, go on over TCP */
	const char *username;
	const char *password;
	uint32_t lifetime_s;
	uint32_t timeout_ms;
};

int  turn_relay_alloc(struct turn_relay **trp, struct udp_sock *us,
		      const struct turn_relay_prm *prm, turn_relay_h *h,
		      void *arg);
int  turn_relay_add_peer(struct turn_relay *tr, const struct sa *peer);
int  turn_relay_print(struct re_printf *pf, const struct turn_relay *tr);
struct list *turn_relay_list(void);
const char *turn_transport_name(enum ata_transport tp);

/* turn_inject.c: data that came over TCP/TLS reaches the socket's owner */
void turn_relay_deliver(struct udp_sock *us, const struct sa *src,
			struct mbuf *mb);
bool turn_relay_injected(struct udp_sock *us, struct sa *src,
			 struct mbuf *mb);
void turn_inject_close(void);


/* ----- relay internals, shared by turn_relay.c, turn_conn.c,
   turn_peer.c ----- */

enum {
	CHAN_HDR = 4,           /* ChannelData header                     */
	SENDIND4 = 36,          /* Send indication around IPv4 peer data  */
	SENDIND6 = 48,          /* ... IPv6                               */
	RETRY_MS = 2000,         /* the first retry; doubles per failure */
	RETRY_MAX_MS = 300000,   /* ... up to this */
	MISMATCH_RETRY_MS = 1000, /* 437 before the deadline: ask again */
	TCP_BUF_MAX = 65536 + 64,
};

struct turn_peer {
	struct le le;
	struct sa addr;
	bool perm, chan;
	struct turn_relay *tr;
};

struct turn_relay {
	struct le le;
	struct udp_sock *us;
	struct udp_helper *uh;
	struct turnc *turnc;
	struct tcp_conn *tc;
	struct tls *tls;
	struct tls_conn *tlsc;
	struct mbuf *tcpbuf;
	struct list peers;
	struct turn_relay_prm prm;
	char *username, *password;
	struct sa relay, mapped;
	uint32_t lifetime_s;
	uint64_t granted_ms;
	struct tmr tmr_to, tmr_retry;
	int last_err;
	uint16_t last_scode;
	bool ok;
	bool failing;         /* reported, new allocation pending */
	bool mismatch;        /* this attempt got 437 so far      */
	uint32_t failures;    /* in a row, since the last grant   */
	uint64_t tx, rx;
	turn_relay_h *h;
	void *arg;
};

void turn_relay_fail(struct turn_relay *tr, int err, uint16_t scode);
const char *turn_scode_name(uint16_t scode);
uint32_t turn_backoff_ms(uint32_t failures);
enum ata_transport turn_auto_transport(void);
bool turn_auto_fallback(struct turn_relay *tr, int err);
void turn_auto_reset(void);
int  turn_relay_start(struct turn_relay *tr);
bool turn_relay_send_h(int *err, struct sa *dst, struct mbuf *mb,
		       void *arg);
bool turn_relay_recv_h(struct sa *src, struct mbuf *mb, void *arg);
void turn_peer_destructor(void *arg);
