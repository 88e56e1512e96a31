/**
 * @file clip_fsk.c  A caller ID message as on-hook FSK
 *
 * The layout of Bell GR-30 and ETSI EN 300 659-1 alike: a channel
 * seizure of 300 alternating bits (0101...), a mark signal (180 bits
 * Bell, 80 ETSI) so the receiver finds the bit timing, the message as
 * 8N1 bytes (LSB first) with no gap, and a few mark bits so the last
 * stop bit is whole before the carrier stops.
 *
 * Off-hook (type II, call waiting: Bell GR-575, ETSI EN 300 659-2) the
 * phone has already answered the CAS: no seizure, 80 mark bits.
 */
#include <string.h>
#include "clip.h"

enum {
	SEIZURE_BITS   = 300,
	MARK_BITS_BELL = 180,
	MARK_BITS_ETSI = 80,
	TAIL_BITS      = 10,
};


static size_t mark_bits(enum fsk_std std)
{
	return std == FSK_V23 ? MARK_BITS_ETSI : MARK_BITS_BELL;
}


static size_t total_bits(size_t seizure, size_t marks, size_t msg_len)
{
	return seizure + marks + msg_len * FSK_BYTE_BITS + TAIL_BITS;
}


/** Samples clip_fsk_render() writes for a message of @p msg_len bytes */
size_t clip_fsk_samples(enum fsk_std std, size_t msg_len)
{
	return fsk_samples(total_bits(SEIZURE_BITS, mark_bits(std),
				      msg_len));
}


/** Samples clip_fsk_render_offhook() writes */
size_t clip_fsk_samples_offhook(size_t msg_len)
{
	return fsk_samples(total_bits(0, MARK_BITS_ETSI, msg_len));
}


static size_t render(int16_t *out, enum fsk_std std, size_t seizure,
		     size_t marks, const struct clip_msg *m, int level_cdb)
{
	struct fsk_mod mod;
	size_t n = 0, i;

	fsk_mod_init(&mod, std, level_cdb);

	for (i = 0; i < seizure; i++)
		n += fsk_mod_bit(&mod, (int)(i & 1), out + n);
	for (i = 0; i < marks; i++)
		n += fsk_mod_bit(&mod, 1, out + n);
	for (i = 0; i < m->len; i++)
		n += fsk_mod_byte(&mod, m->b[i], out + n);
	for (i = 0; i < TAIL_BITS; i++)
		n += fsk_mod_bit(&mod, 1, out + n);

	return n;
}


/**
 * The whole transmission of @p m at @p level_cdb (hundredths of a dB
 * re 0 dBm0; CLIP_LEVEL_CDB) into @p out. Returns the samples written,
 * or 0 when @p max is smaller than clip_fsk_samples()
 */
size_t clip_fsk_render(int16_t *out, size_t max, enum fsk_std std,
		       const struct clip_msg *m, int level_cdb)
{
	if (!out || !m || max < clip_fsk_samples(std, m->len))
		return 0;

	return render(out, std, SEIZURE_BITS, mark_bits(std), m, level_cdb);
}


/**
 * The off-hook (type II) transmission of @p m: 80 mark bits, the
 * bytes, no seizure. Returns the samples written, or 0 when @p max is
 * smaller than clip_fsk_samples_offhook()
 */
size_t clip_fsk_render_offhook(int16_t *out, size_t max, enum fsk_std std,
			       const struct clip_msg *m, int level_cdb)
{
	if (!out || !m || max < clip_fsk_samples_offhook(m->len))
		return 0;

	return render(out, std, 0, MARK_BITS_ETSI, m, level_cdb);
}
