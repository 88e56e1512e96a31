/**
 * @file modules/turn/turn_auto.c  transport: auto, UDP or else TCP
 *
 * A network that forwards no UDP (hotels, some offices) leaves a TURN
 * server asked over UDP unanswered; the same server over TCP works.
 * With `transport: auto` (the default) a relay is asked over UDP, and
 * when that allocation times out it is asked again at once over TCP,
 * without reporting a failure in between. What one relay found holds
 * for the next ones (each call's RTP and RTCP): they go over TCP
 * straight away, until the module is loaded again.
 */
#include <re.h>
#include "ataua.h"
#include "turn.h"

static bool udp_blocked;


/** The transport a relay with `transport: auto` starts on */
enum ata_transport turn_auto_transport(void)
{
	return udp_blocked ? ATA_TRANSPORT_TCP : ATA_TRANSPORT_UDP;
}


/**
 * A relay's attempt failed with @p err: an `auto` one that got no
 * answer over UDP goes on over TCP. true if so (the caller then
 * neither reports the failure nor waits to retry).
 */
bool turn_auto_fallback(struct turn_relay *tr, int err)
{
	if (!tr->prm.tcp_fallback || tr->ok ||
	    tr->prm.transport != ATA_TRANSPORT_UDP || err != ETIMEDOUT)
		return false;

	if (!udp_blocked)
		ata_warn("turn: no answer from %J over udp (udp blocked?):"
			 " allocating over tcp", &tr->prm.srv);
	udp_blocked = true;
	tr->prm.transport = ATA_TRANSPORT_TCP;

	return true;
}


/** The module is unloaded: the next load asks UDP first again */
void turn_auto_reset(void)
{
	udp_blocked = false;
}
