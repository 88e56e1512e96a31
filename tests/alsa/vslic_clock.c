/**
 * @file tests/alsa/vslic_clock.c  Line clock: monotonic ns <-> sample index
 *
 * Position x(t) = (t - epoch) * rate * (1 + skew) in samples; sample i is
 * on the line from x = i to x = i + 1. Integer maths in 128 bits so that
 * vslic_clock_time() is the exact inverse of vslic_clock_pos(): a timer
 * armed at vslic_clock_time(i) never fires before sample i has begun.
 */
#include <time.h>

#include "vslic.h"

typedef unsigned __int128 u128;

static const uint64_t NS_PER_S = 1000000000ull;

/* samples per 1e18 ns: rate * (1e9 + skew_ppb) */
static u128 scaled_rate(const struct vslic_clock *clk)
{
	return (u128)clk->rate * (u128)(int64_t)(NS_PER_S + clk->skew_ppb);
}


uint64_t vslic_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}


/** Index of the line sample being played at now_ns (-1 before epoch) */
int64_t vslic_clock_pos(const struct vslic_clock *clk, uint64_t now_ns)
{
	u128 x;

	if (now_ns < clk->epoch_ns)
		return -1;

	x = (u128)(now_ns - clk->epoch_ns) * scaled_rate(clk);

	return (int64_t)(x / ((u128)NS_PER_S * NS_PER_S));
}


/** Monotonic time at which line sample `line` begins (rounded up) */
uint64_t vslic_clock_time(const struct vslic_clock *clk, uint64_t line)
{
	return clk->epoch_ns + vslic_clock_span(clk, line);
}


/** Time that `frames` samples take on the line, in ns (rounded up) */
uint64_t vslic_clock_span(const struct vslic_clock *clk, uint64_t frames)
{
	u128 num = (u128)frames * NS_PER_S * NS_PER_S;
	u128 den = scaled_rate(clk);

	return (uint64_t)((num + den - 1) / den);
}
