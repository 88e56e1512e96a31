/**
 * @file re_spin.h  Run libre's main loop for a while, in a unit test
 *
 * For tests whose code under test hands work to the main loop (a pipe
 * an audio thread writes, a socket libre reads): the loop runs until
 * the timer stops it, handling whatever is ready meanwhile.
 */
#ifndef ATA_TEST_RE_SPIN_H
#define ATA_TEST_RE_SPIN_H

#include <stdint.h>
#include <re.h>

static void re_spin_stop(void *arg)
{
	(void)arg;
	re_cancel();
}


/** Run the main loop for @p ms milliseconds */
static inline void re_spin(uint64_t ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, re_spin_stop, NULL);
	(void)re_main(NULL);
	tmr_cancel(&t);
}

#endif
