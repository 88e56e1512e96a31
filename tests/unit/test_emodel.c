/**
 * @file tests/unit/test_emodel.c  The E-model's known points: G.107's
 * default R and MOS, the delay impairment at 150/300 ms, G.711 with
 * concealment at 1, 2 and 5 % random loss
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "dsp/emodel.h"

#define near(a, b, eps) assert_true(fabs((a) - (b)) < (eps))


static double r_of(double delay_ms, double loss_pct)
{
	struct emodel_in in = {
		.delay_ms = delay_ms, .loss_pct = loss_pct, .burst_r = 1,
		.ie = EMODEL_G711_IE, .bpl = EMODEL_G711_BPL,
	};

	return emodel_r(&in);
}


/* No impairment: G.107's default R 93.2, MOS 4.41 */
static void test_clean(void **state)
{
	(void)state;

	near(r_of(0, 0), 93.2, 1e-9);
	near(r_of(100, 0), 93.2, 1e-9);
	near(emodel_mos(93.2), 4.409, 0.001);
}


/*
 * Idd by G.107 (7-28): 0 up to 100 ms; 0.164 at 150 ms; 14.76 at
 * 300 ms (G.107 Figure 7: R falls steeply past 177 ms); 24.07 at 400
 */
static void test_delay(void **state)
{
	(void)state;

	near(emodel_idd(0), 0, 1e-12);
	near(emodel_idd(100), 0, 1e-12);
	near(emodel_idd(150), 0.1635, 0.0005);
	near(emodel_idd(200), 3.0444, 0.0005);
	near(emodel_idd(300), 14.7607, 0.0005);
	near(emodel_idd(400), 24.0701, 0.0005);
	near(r_of(300, 0), 93.2 - 14.7607, 0.001);
}


/* Ie_eff = 95 Ppl / (Ppl + 25.1) for G.711 with PLC, random loss */
static void test_loss(void **state)
{
	(void)state;

	near(emodel_ie_eff(0, 25.1, 0, 1), 0, 1e-12);
	near(emodel_ie_eff(0, 25.1, 1, 1), 3.6398, 0.0005);
	near(emodel_ie_eff(0, 25.1, 2, 1), 7.0111, 0.0005);
	near(r_of(0, 2), 86.189, 0.001);
	near(emodel_mos(r_of(0, 2)), 4.235, 0.001);
	near(r_of(0, 5), 77.419, 0.001);
	near(emodel_mos(r_of(0, 5)), 3.923, 0.001);

	/* bursts hurt more than the same loss spread out */
	assert_true(emodel_ie_eff(0, 25.1, 5, 2) >
		    emodel_ie_eff(0, 25.1, 5, 1));
	/* delay and loss add up */
	near(r_of(300, 2), 93.2 - 14.7607 - 7.0111, 0.001);
}


/* R and MOS stay in range whatever comes in */
static void test_limits(void **state)
{
	(void)state;

	near(emodel_mos(-5), 1.0, 1e-12);
	near(emodel_mos(0), 1.0, 1e-12);
	near(emodel_mos(100), 4.5, 1e-12);
	near(emodel_mos(150), 4.5, 1e-12);
	near(emodel_mos(50), 2.575, 0.001);
	near(r_of(5000, 100), 0, 1e-12);
	near(r_of(0, -3), 93.2, 1e-9);
	near(r_of(0, NAN), 93.2, 1e-9);
	near(emodel_r(NULL), 0, 1e-12);

	/* MOS never falls as R grows, never leaves 1..4.5 */
	for (int r = 1; r <= 100; r++) {
		assert_true(emodel_mos(r) >= emodel_mos(r - 1));
		assert_true(emodel_mos(r) >= 1.0 && emodel_mos(r) <= 4.5);
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
