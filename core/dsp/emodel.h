/**
 * @file emodel.h  Call quality estimate: ITU-T G.107's E-model, simplified
 *
 * The transmission rating R and its MOS from what a call can measure:
 * one-way delay and packet loss. As RFC 3611's VoIP metrics (4.7.5)
 * and the usual monitoring tools do, every G.107 input we cannot know
 * keeps its default, so Ro - Is = 93.2, A = 0 and the echo terms of Id
 * are left out:
 *
 *   R = 93.2 - Idd(Ta) - Ie_eff(Ppl)
 *
 * Idd is G.107 (7.3)'s delay impairment of the absolute one-way delay Ta
 * (0 up to 100 ms). Ie_eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)
 * is the loss impairment; for G.711 with concealment Ie = 0 and
 * Bpl = 25.1 (G.113 Appendix I), BurstR = 1 for random loss. MOS from R
 * by G.107 Annex B. Pure arithmetic: libc and libm only, no state.
 */
#ifndef ATA_EMODEL_H
#define ATA_EMODEL_H

/* G.711 with packet loss concealment (G.113 Appendix I) */
#define EMODEL_G711_IE   0.0
#define EMODEL_G711_BPL 25.1
/* G.107's default Ro - Is with every other input at its default */
#define EMODEL_R_DEFAULT 93.2

/** What the E-model takes from a call */
struct emodel_in {
	double delay_ms;   /**< Ta: absolute one-way delay, mouth to ear */
	double loss_pct;   /**< Ppl: packets lost, 0..100 percent       */
	double burst_r;    /**< BurstR: 1 random loss, > 1 bursty; 0: 1  */
	double ie;         /**< Codec's equipment impairment Ie          */
	double bpl;        /**< Codec's packet-loss robustness Bpl       */
};

/** Idd: the delay impairment of a one-way delay @p ta_ms (G.107 7.3) */
double emodel_idd(double ta_ms);

/** Ie_eff: the codec's impairment with loss (G.107 7.5) */
double emodel_ie_eff(double ie, double bpl, double loss_pct,
		     double burst_r);

/** R, 0..100: 93.2 - Idd - Ie_eff (out of range inputs are clamped) */
double emodel_r(const struct emodel_in *in);

/** MOS-CQE, 1.0..4.5, from R (G.107 Annex B, B.4) */
double emodel_mos(double r);

#endif
