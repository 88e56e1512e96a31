/**
 * @file emodel.c  Call quality estimate: G.107's R and MOS (see emodel.h)
 *
 * Here, not in core/call/: it is arithmetic on numbers with no SIP, RTP
 * or libre in it, so it sits on the lowest row beside the other pure
 * blocks and its unit test links it alone.
 */
#include <math.h>
#include "emodel.h"


static double clamp(double x, double lo, double hi)
{
	if (!(x >= lo))      /* NaN too */
		return lo;

	return x > hi ? hi : x;
}


double emodel_idd(double ta_ms)
{
	double x;

	if (!(ta_ms > 100.0))
		return 0.0;

	/* G.107 (7-28): X = lg(Ta / mT) / lg 2 with mT = 100 ms, sT = 1 */
	x = log2(ta_ms / 100.0);

	return 25.0 * (pow(1.0 + pow(x, 6.0), 1.0 / 6.0) -
		       3.0 * pow(1.0 + pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}


double emodel_ie_eff(double ie, double bpl, double loss_pct,
		     double burst_r)
{
	double ppl = clamp(loss_pct, 0.0, 100.0);

	if (!(burst_r >= 1.0))
		burst_r = 1.0;
	if (!(bpl > 0.0))
		bpl = 1.0;

	/* G.107 (7-29) */
	return ie + (95.0 - ie) * ppl / (ppl / burst_r + bpl);
}


double emodel_r(const struct emodel_in *in)
{
	double r;

	if (!in)
		return 0.0;

	r = EMODEL_R_DEFAULT - emodel_idd(in->delay_ms) -
		emodel_ie_eff(in->ie, in->bpl, in->loss_pct, in->burst_r);

	return clamp(r, 0.0, 100.0);
}


double emodel_mos(double r)
{
	double mos;

	if (!(r > 0.0))
		return 1.0;
	if (r >= 100.0)
		return 4.5;

	/* G.107 (B-4); it dips to 0.99 near R = 3, MOS's floor is 1 */
	mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;

	return clamp(mos, 1.0, 4.5);
}
