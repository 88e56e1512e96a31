/**
 * @file modules/alg-hint/hint_stun.c  Our STUN on a socket that carries
 *                                    other traffic too
 *
 * The call's RTP socket (hint_check.c) and the SIP socket (hint_tier.c)
 * carry RTP or SIP beside the STUN we send and answer. A datagram is
 * taken only when it is STUN and the handler says it was ours; anything
 * else goes on to the next helper and the socket's owner untouched.
 * The helpers only receive: libre lets sends pass by itself when a
 * helper has no send handler.
 */
#include <re.h>
#include "ataua.h"
#include "hint.h"


/**
 * A udp_helper's receive side: decode @p mb as STUN and offer it to
 * @p h. True when @p h took it; otherwise mb->pos is as it was.
 */
bool hint_stun_recv(const struct sa *src, struct mbuf *mb, hint_stun_h *h,
		    void *arg)
{
	struct stun_unknown_attr ua;
	struct stun_msg *msg = NULL;
	size_t pos = mb->pos;
	bool handled = false;

	/* STUN's first two bits are 0; RTP's and RTCP's are 10 */
	if (mbuf_get_left(mb) < 20 || (mbuf_buf(mb)[0] & 0xc0))
		return false;

	if (!stun_msg_decode(&msg, mb, &ua))
		handled = h(src, msg, &ua, arg);

	mem_deref(msg);
	if (!handled)
		mb->pos = pos;

	return handled;
}
