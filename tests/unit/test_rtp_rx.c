/**
 * @file test_rtp_rx.c  RTP packets parsed in place (core/call/rtp_rx.c)
 *
 * The fields and the payload of plain, CSRC, extension and padded
 * packets; every truncation refused; RTCP's payload types refused; the
 * same header fields and payload start as libre's rtp_hdr_decode().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <re.h>
#include "call/rtp_rx.h"

/* PCMU, marker, seq 0x1234, ts 0xa0b0c0d0, ssrc 0x01020304, 4 bytes */
static const uint8_t plain[] = {
	0x80, 0x80, 0x12, 0x34, 0xa0, 0xb0, 0xc0, 0xd0,
	0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0xfd, 0xfc,
};

/* PCMA, 2 CSRCs, an extension of one word, 3 bytes, 2 of padding */
static const uint8_t full[] = {
	0xb2, 0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0xa0,
	0x11, 0x22, 0x33, 0x44,
	0xc1, 0xc1, 0xc1, 0xc1, 0xc2, 0xc2, 0xc2, 0xc2,
	0xbe, 0xde, 0x00, 0x01, 0xe1, 0xe1, 0xe1, 0xe1,
	0x55, 0x66, 0x77, 0x00, 0x02,
};


static void test_plain(void **state)
{
	struct rtp_rx_pkt pkt;

	(void)state;
	assert_int_equal(rtp_rx_parse(&pkt, plain, sizeof(plain)), 0);
	assert_int_equal(pkt.pt, 0);
	assert_true(pkt.marker);
	assert_int_equal(pkt.seq, 0x1234);
	assert_int_equal(pkt.ts, 0xa0b0c0d0);
	assert_int_equal(pkt.ssrc, 0x01020304);
	assert_ptr_equal(pkt.payload, plain + 12);
	assert_int_equal(pkt.len, 4);

	/* the header alone: an empty payload */
	assert_int_equal(rtp_rx_parse(&pkt, plain, 12), 0);
	assert_int_equal(pkt.len, 0);
}


static void test_csrc_ext_pad(void **state)
{
	struct rtp_rx_pkt pkt;

	(void)state;
	assert_int_equal(rtp_rx_parse(&pkt, full, sizeof(full)), 0);
	assert_int_equal(pkt.pt, 8);
	assert_false(pkt.marker);
	assert_int_equal(pkt.seq, 7);
	assert_int_equal(pkt.ssrc, 0x11223344);
	assert_ptr_equal(pkt.payload, full + 28);
	assert_int_equal(pkt.len, 3);
	assert_int_equal(pkt.payload[0], 0x55);
}


static void test_truncated(void **state)
{
	struct rtp_rx_pkt pkt;
	uint8_t b[sizeof(full)];

	(void)state;
	/* every cut of the padded packet breaks its padding or headers */
	for (size_t n = 0; n < sizeof(full); n++) {
		memcpy(b, full, n);
		if (n)
			b[n - 1] = 0xff;  /* a pad count past the packet */
		assert_int_equal(rtp_rx_parse(&pkt, b, n), EBADMSG);
	}
	for (size_t n = 0; n < 12; n++)
		assert_int_equal(rtp_rx_parse(&pkt, plain, n), EBADMSG);
}


static void test_refused(void **state)
{
	struct rtp_rx_pkt pkt;
	uint8_t b[sizeof(plain)];

	(void)state;
	memcpy(b, plain, sizeof(b));
	b[0] = 0x40;                      /* version 1 */
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), EBADMSG);

	memcpy(b, plain, sizeof(b));
	b[0] |= 0x20;                     /* padding of 0xfc octets */
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), EBADMSG);
	b[sizeof(b) - 1] = 0;             /* a pad count of 0 */
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), EBADMSG);

	{
		uint8_t f[sizeof(full)];

		memcpy(f, full, sizeof(f));
		f[sizeof(f) - 1] = 6;     /* one more than the payload */
		assert_int_equal(rtp_rx_parse(&pkt, f, sizeof(f)), EBADMSG);
		f[sizeof(f) - 1] = 5;     /* all of it padding */
		assert_int_equal(rtp_rx_parse(&pkt, f, sizeof(f)), 0);
		assert_int_equal(pkt.len, 0);
	}

	memcpy(b, plain, sizeof(b));
	b[1] = 200;                       /* RTCP SR: PT 72 with M */
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), EPROTO);
	b[1] = 64;
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), EPROTO);
	b[1] = 96;                        /* dynamic: telephone-event */
	assert_int_equal(rtp_rx_parse(&pkt, b, sizeof(b)), 0);

	assert_int_equal(rtp_rx_parse(NULL, plain, sizeof(plain)), EINVAL);
	assert_int_equal(rtp_rx_parse(&pkt, NULL, 12), EINVAL);
}


/* Same fields and payload start as libre's decoder */
static void test_as_libre(void **state)
{
	const uint8_t *pk[] = {plain, full};
	const size_t n[] = {sizeof(plain), sizeof(full)};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct rtp_rx_pkt pkt;
		struct rtp_header h;
		struct mbuf mb;

		mbuf_init(&mb);
		mb.buf = (uint8_t *)pk[i];
		mb.size = mb.end = n[i];
		memset(&h, 0, sizeof(h));
		assert_int_equal(rtp_hdr_decode(&h, &mb), 0);
		assert_int_equal(rtp_rx_parse(&pkt, pk[i], n[i]), 0);
		assert_int_equal(h.pt, pkt.pt);
		assert_int_equal(h.m, pkt.marker);
		assert_int_equal(h.seq, pkt.seq);
		assert_int_equal(h.ts, pkt.ts);
		assert_int_equal(h.ssrc, pkt.ssrc);
		assert_ptr_equal(mbuf_buf(&mb), pkt.payload);
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_csrc_ext_pad),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_as_libre),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
