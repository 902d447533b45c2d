/* test_link.c - link decode: Ethernet 0-3 tags, raw, SLL/SLL2, NULL/LOOP, truncation, bad DLTs. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "ipv4kit/error.h"
#include "ipv4kit/link.h"

/* A minimal IPv4 header (198.18.0.1 > 198.18.0.2, UDP) that follows every link header below. */
static const uint8_t ip4[20] = {0x45, 0, 0,   20, 0, 0, 0x40, 0,  64, 17,
				0,    0, 198, 18, 0, 1, 198,  18, 0,  2};
static const uint8_t ip6_first[4] = {0x60, 0, 0, 0};

static size_t cat(uint8_t *out, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	memcpy(out, a, alen);
	memcpy(out + alen, b, blen);
	return alen + blen;
}

static int decode_guarded(int dlt, const uint8_t *frame, size_t len, struct ipk_link *l)
{
	const uint8_t *g = guard_place(frame, len);
	assert_non_null(g);
	return ipk_link_decode(dlt, g, len, l);
}

/*
 * Every truncation of frame[0..full) shorter than hdr must be IPK_E_LINK_SHORT, with l3_off at
 * the start of the missing piece; hdr itself and longer must decode. Input sits before a
 * PROT_NONE page, so an over-read faults.
 */
static void check_truncations(int dlt, const uint8_t *frame, size_t full, size_t hdr,
			      const size_t *cuts, const size_t *cut_off, size_t ncuts)
{
	struct ipk_link l;

	for (size_t len = 0; len <= full; len++) {
		int rc = decode_guarded(dlt, frame, len, &l);
		if (len < hdr) {
			assert_int_equal(rc, IPK_E_LINK_SHORT);
			size_t want = 0;
			for (size_t i = 0; i < ncuts; i++)
				if (len >= cuts[i])
					want = cut_off[i];
			assert_int_equal(l.l3_off, want);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(l.l3_off, hdr);
		}
	}
}

static const uint8_t eth_hdr[14] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, /* dst */
				    0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
				    0x08, 0x00};

static void test_ether_untagged(void **state)
{
	(void)state;
	uint8_t f[64];
	size_t n = cat(f, eth_hdr, sizeof(eth_hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	memset(&l, 0xa5, sizeof(l));
	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
	assert_int_equal(l.dlt, IPK_DLT_EN10MB);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 14);
	assert_int_equal(l.ntags, 0);
	assert_int_equal(l.addr_len, 6);
	assert_memory_equal(l.dst, eth_hdr, 6);
	assert_memory_equal(l.src, eth_hdr + 6, 6);

	/* Exactly the header, no payload: still a valid link header. */
	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, 14, &l), 0);
	assert_int_equal(l.l3_off, 14);

	size_t cuts[] = {0}, offs[] = {0};
	check_truncations(IPK_DLT_EN10MB, f, n, 14, cuts, offs, 1);
}

static void test_ether_other_types(void **state)
{
	(void)state;
	uint8_t f[64];
	struct ipk_link l;
	static const uint16_t types[] = {IPK_ETHERTYPE_ARP, IPK_ETHERTYPE_IPV6, 0x888e, 0x0026};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = cat(f, eth_hdr, sizeof(eth_hdr), ip4, sizeof(ip4));
		f[12] = (uint8_t)(types[i] >> 8);
		f[13] = (uint8_t)types[i];
		assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
		assert_int_equal(l.ethertype, types[i]);
		assert_int_equal(l.l3_off, 14);
		assert_int_equal(l.ntags, 0);
	}
}

static void test_ether_one_tag(void **state)
{
	(void)state;
	static const uint8_t hdr[18] = {1,  2,  3,  4,    5,    6,    7,    8,    9,
					10, 11, 12, 0x81, 0x00, 0xa0, 0x0a, 0x08, 0x00};
	uint8_t f[64];
	size_t n = cat(f, hdr, sizeof(hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
	assert_int_equal(l.ntags, 1);
	assert_int_equal(l.tag_tpid[0], IPK_ETHERTYPE_VLAN);
	assert_int_equal(l.tag_tci[0], 0xa00a); /* PCP 5, DEI 0, VID 10 */
	assert_int_equal(l.tag_tci[0] & 0x0fff, 10);
	assert_int_equal(l.tag_tci[0] >> 13, 5);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 18);

	/* Cut inside the tag: the missing piece starts at 14. */
	size_t cuts[] = {0, 14}, offs[] = {0, 14};
	check_truncations(IPK_DLT_EN10MB, f, n, 18, cuts, offs, 2);
}

static void test_ether_two_tags(void **state)
{
	(void)state;
	/* 802.1ad S-tag VID 100 outside, 802.1Q C-tag VID 200 (DEI set) inside. */
	static const uint8_t hdr[22] = {1,    2,    3,    4,    5,    6,    7,    8,
					9,    10,   11,   12,   0x88, 0xa8, 0x00, 0x64,
					0x81, 0x00, 0x10, 0xc8, 0x08, 0x00};
	uint8_t f[64];
	size_t n = cat(f, hdr, sizeof(hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
	assert_int_equal(l.ntags, 2);
	assert_int_equal(l.tag_tpid[0], IPK_ETHERTYPE_QINQ);
	assert_int_equal(l.tag_tci[0], 100);
	assert_int_equal(l.tag_tpid[1], IPK_ETHERTYPE_VLAN);
	assert_int_equal(l.tag_tci[1], 0x10c8);
	assert_int_equal(l.tag_tci[1] & 0x0fff, 200);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 22);

	size_t cuts[] = {0, 14, 18}, offs[] = {0, 14, 18};
	check_truncations(IPK_DLT_EN10MB, f, n, 22, cuts, offs, 3);

	/* Two 802.1Q tags (not 802.1ad outside) also decode. */
	f[12] = 0x81;
	f[13] = 0x00;
	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
	assert_int_equal(l.ntags, 2);
	assert_int_equal(l.tag_tpid[0], IPK_ETHERTYPE_VLAN);
	assert_int_equal(l.l3_off, 22);
}

static void test_ether_three_tags(void **state)
{
	(void)state;
	static const uint8_t hdr[26] = {1,    2,    3,    4,    5,    6,    7,    8,    9,
					10,   11,   12,   0x88, 0xa8, 0x00, 0x01, 0x81, 0x00,
					0x00, 0x02, 0x81, 0x00, 0x00, 0x03, 0x08, 0x00};
	uint8_t f[64];
	size_t n = cat(f, hdr, sizeof(hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	/* The third tag is not decoded: ethertype stays at its TPID, l3_off at its TCI. */
	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, n, &l), 0);
	assert_int_equal(l.ntags, 2);
	assert_int_equal(l.tag_tci[0], 1);
	assert_int_equal(l.tag_tci[1], 2);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_VLAN);
	assert_int_equal(l.l3_off, 22);
	/* ... and that is also true when the frame ends right after the second tag. */
	assert_int_equal(decode_guarded(IPK_DLT_EN10MB, f, 22, &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_VLAN);
}

static void test_raw(void **state)
{
	(void)state;
	static const int dlts[] = {IPK_DLT_RAW, IPK_DLT_RAW_OPENBSD, IPK_DLT_LINKTYPE_RAW};
	struct ipk_link l;

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(decode_guarded(dlts[i], ip4, sizeof(ip4), &l), 0);
		assert_int_equal(l.dlt, dlts[i]);
		assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
		assert_int_equal(l.l3_off, 0);
		assert_int_equal(decode_guarded(dlts[i], ip6_first, sizeof(ip6_first), &l), 0);
		assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV6);
		assert_int_equal(l.l3_off, 0);
		/* One byte is enough to tell the version. */
		assert_int_equal(decode_guarded(dlts[i], ip6_first, 1, &l), 0);
		assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV6);
		/* No header, so no LINK_SHORT: an empty frame goes to the IPv4 decoder. */
		assert_int_equal(decode_guarded(dlts[i], ip4, 0, &l), 0);
		assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
		/* A version that is neither 4 nor 6 is left to the IPv4 decoder to reject. */
		uint8_t v5 = 0x55;
		assert_int_equal(decode_guarded(dlts[i], &v5, 1, &l), 0);
		assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	}
	assert_string_equal(ipk_link_name(IPK_DLT_RAW), "raw");
	assert_string_equal(ipk_link_name(IPK_DLT_RAW_OPENBSD), "raw");
	assert_string_equal(ipk_link_name(IPK_DLT_LINKTYPE_RAW), "raw");
}

static void test_ipv4_linktype(void **state)
{
	(void)state;
	struct ipk_link l;

	assert_int_equal(decode_guarded(IPK_DLT_IPV4, ip4, sizeof(ip4), &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 0);
	/* LINKTYPE_IPV4 means IPv4 whatever the nibble says (tcpdump: "version 6 != 4"). */
	assert_int_equal(decode_guarded(IPK_DLT_IPV4, ip6_first, sizeof(ip6_first), &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(decode_guarded(IPK_DLT_IPV4, ip4, 0, &l), 0);
	assert_string_equal(ipk_link_name(IPK_DLT_IPV4), "ipv4");
}

/* Linux cooked v1, as tshark decodes it: pkttype 4 (sent by us), ARPHRD_ETHER, 6-byte address. */
static const uint8_t sll_hdr[16] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00,
				    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00};

static void test_sll(void **state)
{
	(void)state;
	uint8_t f[64];
	size_t n = cat(f, sll_hdr, sizeof(sll_hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	assert_int_equal(decode_guarded(IPK_DLT_LINUX_SLL, f, n, &l), 0);
	assert_int_equal(l.pkttype, 4);
	assert_int_equal(l.addr_len, 6);
	assert_memory_equal(l.src, sll_hdr + 6, 6);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 16);
	assert_int_equal(l.ntags, 0);
	assert_string_equal(ipk_link_name(IPK_DLT_LINUX_SLL), "sll");

	size_t cuts[] = {0}, offs[] = {0};
	check_truncations(IPK_DLT_LINUX_SLL, f, n, 16, cuts, offs, 1);

	/* An address length past the 8-byte field is clamped to it. */
	f[4] = 0x00;
	f[5] = 0x20;
	assert_int_equal(decode_guarded(IPK_DLT_LINUX_SLL, f, n, &l), 0);
	assert_int_equal(l.addr_len, 8);

	/* A VLAN tag after the cooked header (tcpdump and tshark decode it too). */
	static const uint8_t tag[4] = {0xa0, 0x0a, 0x08, 0x00};
	memcpy(f, sll_hdr, sizeof(sll_hdr));
	f[14] = 0x81;
	f[15] = 0x00;
	memcpy(f + 16, tag, 4);
	memcpy(f + 20, ip4, sizeof(ip4));
	assert_int_equal(decode_guarded(IPK_DLT_LINUX_SLL, f, 40, &l), 0);
	assert_int_equal(l.ntags, 1);
	assert_int_equal(l.tag_tci[0], 0xa00a);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 20);
	size_t cuts2[] = {0, 16}, offs2[] = {0, 16};
	check_truncations(IPK_DLT_LINUX_SLL, f, 40, 20, cuts2, offs2, 2);
}

/* Linux cooked v2: protocol, reserved, ifindex 7, ARPHRD_ETHER, pkttype 0, 6-byte address. */
static const uint8_t sll2_hdr[20] = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01,
				     0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};

static void test_sll2(void **state)
{
	(void)state;
	uint8_t f[64];
	size_t n = cat(f, sll2_hdr, sizeof(sll2_hdr), ip4, sizeof(ip4));
	struct ipk_link l;

	assert_int_equal(decode_guarded(IPK_DLT_LINUX_SLL2, f, n, &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.ifindex, 7);
	assert_int_equal(l.pkttype, 0);
	assert_int_equal(l.addr_len, 6);
	assert_memory_equal(l.src, sll2_hdr + 12, 6);
	assert_int_equal(l.l3_off, 20);
	assert_string_equal(ipk_link_name(IPK_DLT_LINUX_SLL2), "sll2");

	size_t cuts[] = {0}, offs[] = {0};
	check_truncations(IPK_DLT_LINUX_SLL2, f, n, 20, cuts, offs, 1);

	/* Big ifindex, outgoing packet, IPv6 protocol. */
	f[0] = 0x86;
	f[1] = 0xdd;
	f[4] = 0x80;
	f[7] = 0x01;
	f[10] = 4;
	assert_int_equal(decode_guarded(IPK_DLT_LINUX_SLL2, f, n, &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV6);
	assert_int_equal(l.ifindex, 0x80000001u);
	assert_int_equal(l.pkttype, 4);
}

static void test_null(void **state)
{
	(void)state;
	/* AF value, first in little-endian then big-endian byte order. */
	static const struct {
		uint32_t af;
		uint16_t ethertype;
	} cases[] = {{2, IPK_ETHERTYPE_IPV4},
		     {24, IPK_ETHERTYPE_IPV6},
		     {28, IPK_ETHERTYPE_IPV6},
		     {30, IPK_ETHERTYPE_IPV6},
		     {7, 0},
		     {23, 0}};
	uint8_t f[64];
	struct ipk_link l;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t af = cases[i].af;
		uint8_t le[4] = {(uint8_t)af, (uint8_t)(af >> 8), 0, 0};
		uint8_t be[4] = {0, 0, (uint8_t)(af >> 8), (uint8_t)af};

		size_t n = cat(f, le, 4, ip4, sizeof(ip4));
		assert_int_equal(decode_guarded(IPK_DLT_NULL, f, n, &l), 0);
		assert_int_equal(l.af, af);
		assert_int_equal(l.ethertype, cases[i].ethertype);
		assert_int_equal(l.l3_off, 4);

		n = cat(f, be, 4, ip4, sizeof(ip4));
		assert_int_equal(decode_guarded(IPK_DLT_NULL, f, n, &l), 0);
		assert_int_equal(l.af, af);
		assert_int_equal(l.ethertype, cases[i].ethertype);
		assert_int_equal(l.l3_off, 4);
	}
	size_t n = cat(f, (const uint8_t *)"\x02\0\0\0", 4, ip4, sizeof(ip4));
	size_t cuts[] = {0}, offs[] = {0};
	check_truncations(IPK_DLT_NULL, f, n, 4, cuts, offs, 1);
	assert_string_equal(ipk_link_name(IPK_DLT_NULL), "null");
}

static void test_loop(void **state)
{
	(void)state;
	uint8_t f[64];
	struct ipk_link l;
	size_t n = cat(f, (const uint8_t *)"\0\0\0\x02", 4, ip4, sizeof(ip4));

	assert_int_equal(decode_guarded(IPK_DLT_LOOP, f, n, &l), 0);
	assert_int_equal(l.af, 2);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 4);

	/* LOOP is network order only: a little-endian 2 is AF 0x02000000 (tshark: "Unknown"). */
	f[0] = 2;
	f[3] = 0;
	assert_int_equal(decode_guarded(IPK_DLT_LOOP, f, n, &l), 0);
	assert_int_equal(l.af, 0x02000000u);
	assert_int_equal(l.ethertype, 0);

	f[0] = 0;
	f[3] = 24;
	assert_int_equal(decode_guarded(IPK_DLT_LOOP, f, n, &l), 0);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV6);

	size_t cuts[] = {0}, offs[] = {0};
	check_truncations(IPK_DLT_LOOP, f, n, 4, cuts, offs, 1);
	assert_string_equal(ipk_link_name(IPK_DLT_LOOP), "loop");
}

static void test_unknown_dlt(void **state)
{
	(void)state;
	static const int dlts[] = {-1, 2, 9, 105, 107, 127, 147, 229, 275, 277, 65535};
	uint8_t f[64];
	struct ipk_link l;
	size_t n = cat(f, eth_hdr, sizeof(eth_hdr), ip4, sizeof(ip4));

	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		assert_int_equal(decode_guarded(dlts[i], f, n, &l), IPK_E_LINK_TYPE);
		assert_int_equal(decode_guarded(dlts[i], f, 0, &l), IPK_E_LINK_TYPE);
		assert_string_equal(ipk_link_name(dlts[i]), "unknown");
	}
	assert_string_equal(ipk_link_name(IPK_DLT_EN10MB), "ether");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ether_untagged),
	    cmocka_unit_test(test_ether_other_types),
	    cmocka_unit_test(test_ether_one_tag),
	    cmocka_unit_test(test_ether_two_tags),
	    cmocka_unit_test(test_ether_three_tags),
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_ipv4_linktype),
	    cmocka_unit_test(test_sll),
	    cmocka_unit_test(test_sll2),
	    cmocka_unit_test(test_null),
	    cmocka_unit_test(test_loop),
	    cmocka_unit_test(test_unknown_dlt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
