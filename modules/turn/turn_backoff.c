/**
 * @file modules/turn/turn_backoff.c  How long a failed relay waits to retry
 *
 * Where the server cannot be reached (UDP blocked and TURN over UDP) a
 * fixed interval asked it every few seconds for ever. The wait doubles
 * with each failure in a row, from RETRY_MS up to RETRY_MAX_MS; a
 * granted allocation starts the count again (turn_conn.c).
 */
#include <re.h>
#include "ataua.h"
#include "turn.h"


/**
 * The wait before the next attempt after @p failures failures in a row
 * (1 = the first): RETRY_MS, twice that, ... at most RETRY_MAX_MS
 */
uint32_t turn_backoff_ms(uint32_t failures)
{
	uint32_t ms = RETRY_MS;

	while (failures-- > 1 && ms < RETRY_MAX_MS)
		ms *= 2;

	return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}
