/* test_checksum.c - Internet checksum tests: reference comparison, carries, partial sums, RFC 1624
 * updates (RFC 1071, 1624). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "ipv4kit/checksum.h"

/* Reference: RFC 1071 straight from the definition, big-endian 16-bit words, odd byte padded. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t lcg_state = 12345;
static uint8_t rnd8(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return (uint8_t)(lcg_state >> 16);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rnd8();
}

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		char b[3] = {s[0], s[1], 0};
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
		s += 2;
	}
	return n;
}

/* Every (alignment, length) in [0,8) x [0,300) against the reference, one-shot and partial. */
static void test_align_len(void **state)
{
	(void)state;
	static uint8_t buf[8 + 300 + 8];
	fill_random(buf, sizeof(buf));
	for (size_t a = 0; a < 8; a++) {
		for (size_t l = 0; l < 300; l++) {
			uint16_t want = ref_csum(buf + a, l);
			assert_int_equal(ipk_csum(buf + a, l), want);
			assert_int_equal(ipk_csum_fold(ipk_csum_partial(buf + a, l, 0)), want);
		}
	}
}

/* All-ones input: every add carries. The sum is 0xffff (-0) so the checksum is 0. */
static void test_all_ones(void **state)
{
	(void)state;
	static uint8_t buf[70000];
	memset(buf, 0xff, sizeof(buf));
	for (size_t l = 0; l < 300; l++)
		assert_int_equal(ipk_csum(buf, l), ref_csum(buf, l));
	assert_int_equal(ipk_csum(buf, 20), 0);
	assert_int_equal(ipk_csum(buf, 1500), 0);
	/* Odd length: last byte is 0xff00, sum 0xffff + 0xff00 -> 0xff00, csum 0x00ff. */
	assert_int_equal(ipk_csum(buf, 21), 0x00ff);
	assert_int_equal(ipk_csum(buf, sizeof(buf)), ref_csum(buf, sizeof(buf)));
	assert_int_equal(ipk_csum(buf + 1, sizeof(buf) - 1), ref_csum(buf + 1, sizeof(buf) - 1));
}

/* Input whose words never carry (0x0001 words), and all zeros (csum 0xffff). */
static void test_no_carry_and_zero(void **state)
{
	(void)state;
	static uint8_t buf[2048];
	for (size_t i = 0; i < sizeof(buf); i += 2) {
		buf[i] = 0;
		buf[i + 1] = 1;
	}
	assert_int_equal(ipk_csum(buf, 2048), (uint16_t)~1024);
	for (size_t l = 0; l < 300; l++)
		assert_int_equal(ipk_csum(buf, l), ref_csum(buf, l));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ipk_csum(buf, 0), 0xffff);
	assert_int_equal(ipk_csum(buf, 20), 0xffff);
	assert_int_equal(ipk_csum(buf, 1500), 0xffff);
}

/* Large random buffers of many sizes (accumulator chains, 64-byte loop and tails). */
static void test_big_random(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	uint8_t *buf = malloc(n + 8);
	assert_non_null(buf);
	fill_random(buf, n + 8);
	const size_t lens[] = {576, 1024, 1499, 1500, 4095, 9000, 65535, 65536, 1 << 20};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t a = 0; a < 3; a++)
			assert_int_equal(ipk_csum(buf + a, lens[i]), ref_csum(buf + a, lens[i]));
	free(buf);
}

/* Header vectors from docs/igmp.md section 6 and the Go RawConn vector verify to 0. */
static const char *const hdr_vectors[] = {
    "46 c0 00 20 00 00 40 00 01 02 32 63 c0 a8 01 0a ef 01 01 01 94 04 00 00",
    "46 c0 00 24 00 00 40 00 01 02 42 69 c0 a8 01 01 e0 00 00 01 94 04 00 00",
    "45 00 00 23 00 00 40 00 01 fd 7a dc 7f 00 00 01 7f 00 00 01",
};

static void test_known_vectors(void **state)
{
	(void)state;
	uint8_t b[64];
	for (size_t i = 0; i < 3; i++) {
		size_t n = unhex(hdr_vectors[i], b);
		assert_int_equal(ipk_csum(b, n), 0);
		uint16_t stored = (uint16_t)(b[10] << 8 | b[11]);
		b[10] = b[11] = 0;
		assert_int_equal(ipk_csum(b, n), stored);
	}
	/* IGMP messages of docs/igmp.md section 6 */
	const char *igmp[] = {"11 00 ee ff 00 00 00 00", "11 64 ee 9b 00 00 00 00",
			      "11 64 ec 1e 00 00 00 00 02 7d 00 00",
			      "22 00 e9 fb 00 00 00 01 04 00 00 00 ef 01 01 01",
			      "11 0a ef 70 e8 01 01 01 02 7d 00 02 0a 00 00 01 0a 00 00 02"};
	for (size_t i = 0; i < 5; i++) {
		size_t n = unhex(igmp[i], b);
		assert_int_equal(ipk_csum(b, n), 0);
	}
}

/* RFC 1624 section 4 example (docs/linux-options.md section 5):
 * 0xDD2F, m 0x5555 -> 0x3285 gives 0x0000. */
static void test_rfc1624_example(void **state)
{
	(void)state;
	assert_int_equal(ipk_csum_update16(0xDD2F, 0x5555, 0x3285), 0x0000);
	/* And the same as a 32-bit field whose other half does not change. */
	assert_int_equal(ipk_csum_update32(0xDD2F, 0x12345555, 0x12343285), 0x0000);
	assert_int_equal(ipk_csum_update32(0xDD2F, 0x55551234, 0x32851234), 0x0000);
	/* Full recompute over words summing to 0xCD7A plus m' agrees. */
	uint8_t w[4] = {0xCD, 0x7A, 0x32, 0x85};
	assert_int_equal(ipk_csum(w, 4), 0x0000);
	w[2] = 0x55;
	w[3] = 0x55;
	assert_int_equal(ipk_csum(w, 4), 0xDD2F);
	/* No change leaves the checksum alone. */
	assert_int_equal(ipk_csum_update16(0xDD2F, 0x5555, 0x5555), 0xDD2F);
}

/* TTL 1 -> 0 on the IGMP IP headers: the TTL/protocol word at offset 8 goes 0x0102 -> 0x0002. */
static void test_ttl_decrement(void **state)
{
	(void)state;
	uint8_t b[64];
	for (size_t i = 0; i < 2; i++) {
		size_t n = unhex(hdr_vectors[i], b);
		uint16_t hc = (uint16_t)(b[10] << 8 | b[11]);
		uint16_t inc = ipk_csum_update16(hc, 0x0102, 0x0002);
		b[8] = 0;
		b[10] = b[11] = 0;
		uint16_t full = ipk_csum(b, n);
		assert_int_equal(inc, full);
		assert_int_equal(inc, (uint16_t)(hc + 0x0100)); /* ip_decrease_ttl in reverse */
		b[10] = (uint8_t)(inc >> 8);
		b[11] = (uint8_t)inc;
		assert_int_equal(ipk_csum(b, n), 0);
	}
}

/* All 65536 values of m' for a fixed header against full recomputation, 16- and 32-bit. */
static void test_update_exhaustive(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex(hdr_vectors[0], b);
	uint16_t hc = (uint16_t)(b[10] << 8 | b[11]);
	uint16_t m = (uint16_t)(b[4] << 8 | b[5]); /* ID */
	uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

	for (uint32_t v = 0; v < 65536; v++) {
		uint8_t c[64];
		memcpy(c, b, n);
		c[4] = (uint8_t)(v >> 8);
		c[5] = (uint8_t)v;
		c[10] = c[11] = 0;
		assert_int_equal(ipk_csum_update16(hc, m, (uint16_t)v), ipk_csum(c, n));

		/* source address: both halves change */
		uint32_t na = v * 0x9e3779b1u;
		memcpy(c, b, n);
		c[12] = (uint8_t)(na >> 24);
		c[13] = (uint8_t)(na >> 16);
		c[14] = (uint8_t)(na >> 8);
		c[15] = (uint8_t)na;
		c[10] = c[11] = 0;
		assert_int_equal(ipk_csum_update32(hc, a, na), ipk_csum(c, n));
	}
}

/* Split sums: pieces at any offset (odd ones through ipk_csum_add_at) equal the one-shot sum. */
static void test_split(void **state)
{
	(void)state;
	uint8_t buf[301];
	fill_random(buf, sizeof(buf));
	size_t n = sizeof(buf);
	uint16_t whole = ipk_csum(buf, n);
	for (size_t k = 0; k <= n; k++) {
		uint32_t s = ipk_csum_partial(buf, k, 0);
		s = ipk_csum_add_at(s, ipk_csum_partial(buf + k, n - k, 0), k);
		assert_int_equal(ipk_csum_fold(s), whole);
		if (!(k & 1)) {
			uint32_t t = ipk_csum_add(ipk_csum_partial(buf, k, 0),
						  ipk_csum_partial(buf + k, n - k, 0));
			assert_int_equal(ipk_csum_fold(t), whole);
		}
		/* partial chained through the sum argument, even split only */
		if (!(k & 1))
			assert_int_equal(ipk_csum_fold(ipk_csum_partial(
					     buf + k, n - k, ipk_csum_partial(buf, k, 0))),
					 whole);
	}
	/* three pieces at odd offsets */
	for (size_t k = 1; k < 60; k += 3) {
		for (size_t j = k; j < k + 50; j += 7) {
			uint32_t s = ipk_csum_partial(buf, k, 0);
			s = ipk_csum_add_at(s, ipk_csum_partial(buf + k, j - k, 0), k);
			s = ipk_csum_add_at(s, ipk_csum_partial(buf + j, n - j, 0), j);
			assert_int_equal(ipk_csum_fold(s), whole);
		}
	}
	/* A wrong combination must differ (the odd-offset path matters). */
	const uint8_t t3[3] = {0x01, 0x02, 0x03};
	uint32_t bad = ipk_csum_add(ipk_csum_partial(t3, 1, 0), ipk_csum_partial(t3 + 1, 2, 0));
	uint32_t good =
	    ipk_csum_add_at(ipk_csum_partial(t3, 1, 0), ipk_csum_partial(t3 + 1, 2, 0), 1);
	assert_int_equal(ipk_csum_fold(good), (uint16_t)~0x0402);
	assert_int_equal(ipk_csum_fold(bad), (uint16_t)~0x0303);
	/* Large starting sums still fold with the end-around carry. */
	assert_int_equal(ipk_csum_fold(ipk_csum_add(0xffffffffu, 0xffffffffu)),
			 ipk_csum_fold(0xffffffffu));
	assert_int_equal(ipk_csum_fold(0), 0xffff);
	assert_int_equal(ipk_csum_fold(0xffff), 0);
	assert_int_equal(ipk_csum_fold(0x1fffe), 0);
}

/* Pseudo-header sum equals the sum over the 12 pseudo-header bytes (UDP example). */
static void test_pseudo(void **state)
{
	(void)state;
	uint8_t ph[12 + 8] = {192, 168, 1, 10, 239, 1, 1, 1, 0, 17, 0, 8,
			      /* UDP header: 1234 -> 5678, len 8, csum 0 */
			      0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00};
	uint32_t s = ipk_csum_pseudo(0xc0a8010a, 0xef010101, 17, 8);
	assert_int_equal(ipk_csum_fold(s), ref_csum(ph, 12));
	uint16_t c = ipk_csum_fold(ipk_csum_partial(ph + 12, 8, s));
	assert_int_equal(c, ref_csum(ph, 20));
	assert_int_equal(ipk_csum_fold(ipk_csum_pseudo(0xffffffff, 0xffffffff, 255, 0xffff)),
			 ipk_csum_fold(0xffff * 5 + 255));
}

/* Guard page: input ends right before PROT_NONE, every length 0..300 and 1500, no over-read. */
static void test_guard(void **state)
{
	(void)state;
	static uint8_t src[1500];
	fill_random(src, sizeof(src));
	for (size_t l = 0; l <= 300; l++) {
		const uint8_t *g = guard_place(src, l);
		assert_non_null(g);
		assert_int_equal(ipk_csum(g, l), ref_csum(src, l));
		assert_int_equal(ipk_csum_fold(ipk_csum_partial(g, l, 0)), ref_csum(src, l));
	}
	const uint8_t *g = guard_place(src, 1500);
	assert_non_null(g);
	assert_int_equal(ipk_csum(g, 1500), ref_csum(src, 1500));
}

/* 20- and 24-byte headers (summed as 32-bit words, folded with rotate-adds) made of the 16-bit
 * words that sit on carry edges: every fold boundary against the reference. */
static void test_header_sizes_edges(void **state)
{
	(void)state;
	static const uint16_t edge[] = {0x0000, 0x0001, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x00ff,
					0xff00};
	uint8_t b[8 + 24];
	for (int it = 0; it < 100000; it++) {
		size_t a = (size_t)rnd8() % 8, len = (it & 1) ? 24 : 20;
		for (size_t i = 0; i < len; i += 2) {
			uint16_t v = edge[rnd8() % 8];
			b[a + i] = (uint8_t)(v >> 8);
			b[a + i + 1] = (uint8_t)v;
		}
		uint16_t want = ref_csum(b + a, len);
		assert_int_equal(ipk_csum(b + a, len), want);
		assert_int_equal(ipk_csum_fold(ipk_csum_partial(b + a, len, 0)), want);
		/* with its own checksum in place the header verifies */
		b[a + 10] = b[a + 11] = 0;
		want = ref_csum(b + a, len);
		b[a + 10] = (uint8_t)(want >> 8);
		b[a + 11] = (uint8_t)want;
		assert_int_equal(ipk_csum(b + a, len), 0);
	}
}

/* ipk_csum_expected: the value a field should carry, whatever it holds now, with and without a
 * pseudo-header sum; equal to zeroing the field and recomputing. */
static void test_expected(void **state)
{
	(void)state;
	uint8_t b[64];
	uint32_t seed = 7;
	for (int iter = 0; iter < 5000; iter++) {
		size_t len = 8 + (size_t)(iter % 50);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (uint8_t)(seed >> 16);
		}
		size_t at = (size_t)(iter % (int)(len / 2 - 1)) * 2;
		uint32_t ps = (iter & 1) ? ipk_csum_pseudo(0xc6120001u, 0xe0000016u, 17, (uint16_t)len) : 0;
		uint16_t stored = (uint16_t)(b[at] << 8 | b[at + 1]);
		uint8_t z[64];
		memcpy(z, b, len);
		z[at] = z[at + 1] = 0;
		uint16_t want = ipk_csum_fold(ipk_csum_partial(z, len, ps));
		assert_int_equal(ipk_csum_expected(b, len, ps, stored), want);
		/* and writing it makes the data verify */
		z[at] = (uint8_t)(want >> 8);
		z[at + 1] = (uint8_t)want;
		assert_int_equal(ipk_csum_fold(ipk_csum_partial(z, len, ps)), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected),
	    cmocka_unit_test(test_align_len),
	    cmocka_unit_test(test_all_ones),
	    cmocka_unit_test(test_header_sizes_edges),
	    cmocka_unit_test(test_no_carry_and_zero),
	    cmocka_unit_test(test_big_random),
	    cmocka_unit_test(test_known_vectors),
	    cmocka_unit_test(test_rfc1624_example),
	    cmocka_unit_test(test_ttl_decrement),
	    cmocka_unit_test(test_update_exhaustive),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_pseudo),
	    cmocka_unit_test(test_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
