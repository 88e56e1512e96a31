/**
 * @file call_sdp.c  SDP offer/answer (RFC 3264) for one G.711 audio stream
 *
 * Built on libre's sdp module, which matches formats and keeps the
 * directions; this file adds the choices libre leaves to us: which codec
 * we send, the peer's telephone-event PT, its ptime, RTCP mux, and hold.
 * SRTP keys (a=crypto) are call_sdes.c's.
 * No sockets here, so tests and the fuzzer feed SDP text straight in.
 */
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "call_int.h"

enum {
	PTIME_MIN = 10,
	PTIME_MAX = 60,
	PTIME_STEP = 10,
};

struct call_sdp {
	struct sdp_session *sess;
	struct sdp_media *audio;
	struct call_mprefs mp;
	struct call_neg neg;
	struct call_sdes sdes;
	bool hold;
};

static const char attr_rtcp_mux[] = "rtcp-mux";
static const char fmt_telev[] = "telephone-event";


static void call_sdp_destructor(void *arg)
{
	struct call_sdp *cs = arg;

	call_sdes_reset(&cs->sdes);
	mem_deref(cs->audio);
	mem_deref(cs->sess);
}


static const char *codec_name(uint8_t pt)
{
	return pt == CALL_PT_PCMA ? "PCMA" : "PCMU";
}


int call_mprefs_set(struct call_mprefs *mp, const struct call_media_conf *mc)
{
	size_t i;

	if (!mp || !mc || !mc->codecc || mc->codecc > 4)
		return EINVAL;

	memset(mp, 0, sizeof(*mp));

	for (i = 0; i < mc->codecc; i++) {
		uint8_t pt;
		size_t j;

		if (!str_casecmp(mc->codecs[i], "pcmu"))
			pt = CALL_PT_PCMU;
		else if (!str_casecmp(mc->codecs[i], "pcma"))
			pt = CALL_PT_PCMA;
		else
			return EINVAL;

		for (j = 0; j < mp->ptc; j++) {
			if (mp->ptv[j] == pt)
				break;
		}
		if (j < mp->ptc)
			continue;  /* listed twice: the first place counts */

		mp->ptv[mp->ptc++] = pt;
	}

	if (mc->ptime_ms < PTIME_MIN || mc->ptime_ms > PTIME_MAX ||
	    mc->ptime_ms % PTIME_STEP)
		return EINVAL;

	if (mc->telev_pt < 96 || mc->telev_pt > 127)
		return EINVAL;

	if (mc->rtp_min == 0 || mc->rtp_max < mc->rtp_min + 1)
		return EINVAL;

	if (mc->srtp > CALL_SRTP_MANDATORY)
		return EINVAL;

	mp->ptime = mc->ptime_ms;
	mp->telev_pt = mc->telev_pt;
	mp->rtcp_mux = mc->rtcp_mux;
	mp->rtp_min = mc->rtp_min;
	mp->rtp_max = mc->rtp_max;
	mp->srtp = mc->srtp;

	return 0;
}


/**
 * Allocate the local description. @p laddr is the address and RTP port
 * we advertise. Returns EINVAL or ENOMEM.
 */
int call_sdp_alloc(struct call_sdp **csp, const struct call_mprefs *mp,
		   const struct sa *laddr)
{
	struct call_sdp *cs;
	char pt[8];
	size_t i;
	int err;

	if (!csp || !mp || !laddr || !mp->ptc)
		return EINVAL;

	cs = mem_zalloc(sizeof(*cs), call_sdp_destructor);
	if (!cs)
		return ENOMEM;

	cs->mp = *mp;
	cs->neg.telev_pt = -1;
	cs->neg.ptime = mp->ptime;

	err = sdp_session_alloc(&cs->sess, laddr);
	if (err)
		goto out;

	err = sdp_media_add(&cs->audio, cs->sess, sdp_media_audio,
			    sa_port(laddr),
			    mp->srtp == CALL_SRTP_MANDATORY ?
			    sdp_proto_rtpsavp : sdp_proto_rtpavp);
	if (err)
		goto out;

	for (i = 0; i < mp->ptc && !err; i++) {
		(void)re_snprintf(pt, sizeof(pt), "%u", mp->ptv[i]);
		err = sdp_format_add(NULL, cs->audio, false, pt,
				     codec_name(mp->ptv[i]), CALL_SRATE, 1,
				     NULL, NULL, NULL, false, NULL);
	}
	if (err)
		goto out;

	(void)re_snprintf(pt, sizeof(pt), "%u", mp->telev_pt);
	err = sdp_format_add(NULL, cs->audio, false, pt, fmt_telev,
			     CALL_SRATE, 1, NULL, NULL, NULL, false, "0-15");
	err |= sdp_media_set_lattr(cs->audio, true, sdp_attr_ptime, "%u",
				   mp->ptime);
	if (!err && mp->rtcp_mux)
		err = sdp_media_set_lattr(cs->audio, true, attr_rtcp_mux,
					  NULL);
	if (!err)
		err = call_sdes_init(&cs->sdes, mp->srtp, cs->audio);

 out:
	if (err)
		mem_deref(cs);
	else
		*csp = cs;

	return err;
}


/**
 * Our media addresses changed (a TURN relay, another UPnP port): the
 * next offer or answer carries @p rtp, and @p rtcp in a=rtcp when it is
 * not the RTP port + 1 on the same address (NULL: leave RTCP implicit).
 */
void call_sdp_set_laddr(struct call_sdp *cs, const struct sa *rtp,
			const struct sa *rtcp)
{
	struct sa next;

	if (!cs || !rtp || !sa_isset(rtp, SA_ALL))
		return;

	sdp_session_set_laddr(cs->sess, rtp);
	sdp_media_set_laddr(cs->audio, rtp);
	sdp_media_set_lport(cs->audio, sa_port(rtp));

	next = *rtp;
	sa_set_port(&next, sa_port(rtp) + 1);
	if (rtcp && sa_isset(rtcp, SA_ALL) && !sa_cmp(rtcp, &next, SA_ALL))
		sdp_media_set_laddr_rtcp(cs->audio, rtcp);
}


/** Our next offer or answer says sendonly (or inactive) while held */
void call_sdp_set_hold(struct call_sdp *cs, bool hold)
{
	if (!cs)
		return;

	cs->hold = hold;
	sdp_media_set_ldir(cs->audio, hold ? SDP_SENDONLY : SDP_SENDRECV);
}


int call_sdp_offer(struct call_sdp *cs, struct mbuf **mbp)
{
	int err;

	if (!cs || !mbp)
		return EINVAL;

	err = call_sdes_offer(&cs->sdes, cs->audio);
	if (err)
		return err;

	return sdp_encode(mbp, cs->sess, true);
}


/* The peer's a=ptime is what it wants to receive; ours if absent/odd */
static uint32_t remote_ptime(const struct call_sdp *cs)
{
	const char *v = sdp_media_rattr(cs->audio, sdp_attr_ptime);
	struct pl pl;
	uint32_t ptime;

	if (!v || re_regex(v, str_len(v), "[0-9]+", &pl) || pl.l > 3)
		return cs->mp.ptime;

	ptime = pl_u32(&pl);
	if (ptime < PTIME_MIN || ptime > PTIME_MAX || ptime % PTIME_STEP)
		return cs->mp.ptime;

	return ptime;
}


static struct sdp_format *remote_pt(const struct call_sdp *cs, int pt)
{
	struct le *le;

	le = list_head(sdp_media_format_lst(cs->audio, false));
	for (; le; le = le->next) {
		struct sdp_format *fmt = le->data;

		if (fmt->sup && fmt->pt == pt)
			return fmt;
	}

	return NULL;
}


/* Offerer: the answer's first G.711 format. Answerer: our first choice
   the offer also has, so the configured preference decides. */
static int choose_codec(struct call_sdp *cs, bool answering, uint8_t *ptp)
{
	struct le *le;
	size_t i;

	if (answering) {
		for (i = 0; i < cs->mp.ptc; i++) {
			if (remote_pt(cs, cs->mp.ptv[i])) {
				*ptp = cs->mp.ptv[i];
				return 0;
			}
		}
		return ENOTSUP;
	}

	le = list_head(sdp_media_format_lst(cs->audio, false));
	for (; le; le = le->next) {
		const struct sdp_format *fmt = le->data;

		if (fmt->sup && (fmt->pt == CALL_PT_PCMU ||
				 fmt->pt == CALL_PT_PCMA)) {
			*ptp = (uint8_t)fmt->pt;
			return 0;
		}
	}

	return ENOTSUP;
}


/* Answer with the one codec we send, so both ends use the same */
static void narrow_answer(struct call_sdp *cs, uint8_t chosen)
{
	size_t i;

	for (i = 0; i < cs->mp.ptc; i++) {
		struct sdp_format *fmt;

		if (cs->mp.ptv[i] == chosen)
			continue;

		fmt = sdp_media_format(cs->audio, true, NULL, cs->mp.ptv[i],
				       NULL, -1, -1);
		if (fmt)
			fmt->sup = false;
	}
}


static int negotiate(struct call_sdp *cs, bool answering)
{
	struct call_neg neg;
	const struct sdp_format *te;
	int err;

	memset(&neg, 0, sizeof(neg));
	neg.telev_pt = -1;

	if (!sdp_media_rport(cs->audio))
		return EPROTO;  /* audio refused or not offered */

	err = choose_codec(cs, answering, &neg.pt);
	if (err)
		return err;

	te = sdp_media_rformat(cs->audio, fmt_telev);
	if (te && te->srate == CALL_SRATE)
		neg.telev_pt = te->pt;

	neg.ptime = remote_ptime(cs);
	neg.dir = sdp_media_dir(cs->audio);
	neg.rtp = *sdp_media_raddr(cs->audio);

	/* c=0.0.0.0 is the RFC 2543 way to put us on hold */
	if (!sa_isset(&neg.rtp, SA_ADDR))
		neg.dir &= SDP_RECVONLY;

	neg.rtcp_mux = cs->mp.rtcp_mux &&
		sdp_media_rattr(cs->audio, attr_rtcp_mux) != NULL;
	if (neg.rtcp_mux)
		neg.rtcp = neg.rtp;
	else
		sdp_media_raddr_rtcp(cs->audio, &neg.rtcp);

	/* last check: it changes the keys only if it succeeds */
	err = answering ? call_sdes_answer(&cs->sdes, cs->audio) :
		call_sdes_recv_answer(&cs->sdes, cs->audio);
	if (err)
		return err;
	neg.srtp = cs->sdes.srtp;

	if (answering) {
		narrow_answer(cs, neg.pt);
		if (neg.rtcp_mux)
			err = sdp_media_set_lattr(cs->audio, true,
						  attr_rtcp_mux, NULL);
		else
			sdp_media_del_lattr(cs->audio, attr_rtcp_mux);
		if (err)
			return err;
	}

	neg.ok = true;
	cs->neg = neg;

	return 0;
}


/**
 * Take the peer's offer and build our answer. Returns EBADMSG for
 * unparsable SDP, ENOTSUP/EPROTO when no audio codec is common, EACCES
 * when the SRTP policy refuses the offer (the caller answers 488), or
 * ENOMEM. The previous agreement stays on error.
 */
int call_sdp_answer(struct call_sdp *cs, struct mbuf *offer,
		    struct mbuf **mbp)
{
	struct pl savp;
	size_t pos;
	int err;

	if (!cs || !offer || !mbp)
		return EINVAL;

	pos = offer->pos;
	err = sdp_decode(cs->sess, offer, true);
	if (err)
		return err;

	err = negotiate(cs, true);
	/* libre refuses an RTP/SAVP m-line we did not offer (port 0): that
	   is our SRTP policy off, not a codec mismatch */
	if (err == EPROTO && cs->mp.srtp == CALL_SRTP_OFF &&
	    pos <= offer->end &&
	    !re_regex((const char *)offer->buf + pos, offer->end - pos,
		      "m=audio [0-9]+ RTP/SAVP[ \r\n]1", NULL, &savp))
		return EACCES;
	if (err)
		return err;

	return sdp_encode(mbp, cs->sess, false);
}


/** Encode our answer to the offer already taken (for a later 200) */
int call_sdp_answer_again(struct call_sdp *cs, struct mbuf **mbp)
{
	if (!cs || !mbp || !cs->neg.ok)
		return EINVAL;

	return sdp_encode(mbp, cs->sess, false);
}


/**
 * Take the peer's answer to our offer. Returns EBADMSG, EPROTO (audio
 * refused, or crypto missing or not matching our offer) or ENOTSUP (no
 * common codec).
 */
int call_sdp_recv_answer(struct call_sdp *cs, struct mbuf *answer)
{
	int err;

	if (!cs || !answer)
		return EINVAL;

	err = sdp_decode(cs->sess, answer, false);
	if (err)
		return err;

	return negotiate(cs, false);
}


const struct call_neg *call_sdp_neg(const struct call_sdp *cs)
{
	return cs ? &cs->neg : NULL;
}


/** The audio media (local and remote attributes), for hint modules */
struct sdp_media *call_sdp_media(const struct call_sdp *cs)
{
	return cs ? cs->audio : NULL;
}
