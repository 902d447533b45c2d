/* test_igmp.c - IGMP tests: vectors, bounds, MRC/QQIC, builders, checks, captures (RFC 3376). */
#define _DEFAULT_SOURCE /* u_char in pcap.h, MAP_ANONYMOUS in guard.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"

#define A IPK_IP4_ADDR

static size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;
	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want_hex)
{
	uint8_t want[256];
	size_t n = hex(want_hex, want);
	assert_int_equal(got_len, n);
	assert_memory_equal(got, want, n);
}

static int has_finding(const struct ipk_findings *f, int code, size_t off)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->v[i].code == code && f->v[i].offset == off &&
		    f->v[i].layer == IPK_LAYER_IGMP)
			return 1;
	return 0;
}

static int has_code(const struct ipk_findings *f, int code)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->v[i].code == code)
			return 1;
	return 0;
}

/* docs/igmp.md section 6 vectors */
#define V_V1_GQ "11 00 ee ff 00 00 00 00"
#define V_V2_GQ "11 64 ee 9b 00 00 00 00"
#define V_V3_GQ "11 64 ec 1e 00 00 00 00 02 7d 00 00"
#define V_V1_REP "12 00 fd fc ef 01 01 01"
#define V_V2_REP "16 00 f9 fc ef 01 01 01"
#define V_V2_LEAVE "17 00 f8 fc ef 01 01 01"
#define V_V3_REP "22 00 e9 fb 00 00 00 01 04 00 00 00 ef 01 01 01"
#define V_V3_GSSQ "11 0a ef 70 e8 01 01 01 02 7d 00 02 0a 00 00 01 0a 00 00 02"
#define V_IP_V2_REP "46 c0 00 20 00 00 40 00 01 02 32 63 c0 a8 01 0a ef 01 01 01 94 04 00 00"
#define V_IP_V3_GQ "46 c0 00 24 00 00 40 00 01 02 42 69 c0 a8 01 01 e0 00 00 01 94 04 00 00"

static void parse_ok(const uint8_t *b, size_t n, struct ipk_igmp *m)
{
	size_t eo = 99;
	assert_int_equal(ipk_igmp_parse(b, n, m, &eo), 0);
	assert_int_equal(eo, 99);
	assert_int_equal(m->len, n);
}

/* ---- vectors: build byte-exact, parse with checksum_ok ---- */

static void test_vectors(void **state)
{
	(void)state;
	uint8_t buf[64], v[64];
	struct ipk_wbuf w;
	struct ipk_igmp m;
	static const uint32_t srcs[] = {A(10, 0, 0, 1), A(10, 0, 0, 2)};

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0), 0);
	assert_bytes(buf, w.len, V_V1_GQ);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.checksum, 0xeeff);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, 100, 0), 0);
	assert_bytes(buf, w.len, V_V2_GQ);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.code, 100);

	struct ipk_igmp_v3q q = {
	    .mrc = ipk_igmp_code_encode(100), .qrv = 2, .qqic = ipk_igmp_code_encode(125)};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	assert_bytes(buf, w.len, V_V3_GQ);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.qrv, 2);
	assert_int_equal(m.qqic, 125);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_V1_REPORT, A(239, 1, 1, 1)), 0);
	assert_bytes(buf, w.len, V_V1_REP);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.version, 1);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, A(239, 1, 1, 1)), 0);
	assert_bytes(buf, w.len, V_V2_REP);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_LEAVE, 0, A(239, 1, 1, 1)), 0);
	assert_bytes(buf, w.len, V_V2_LEAVE);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);

	struct ipk_igmp_v3r r;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(
	    ipk_igmp_v3r_add(&w, &r, IPK_IGMP_TO_EX, A(239, 1, 1, 1), NULL, 0, NULL, 0), 0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	assert_bytes(buf, w.len, V_V3_REP);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.nrecs, 1);

	q = (struct ipk_igmp_v3q){
	    .mrc = 10, .qrv = 2, .qqic = 125, .group = A(232, 1, 1, 1), .srcs = srcs, .nsrcs = 2};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	assert_bytes(buf, w.len, V_V3_GSSQ);
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.nsrcs, 2);
	assert_int_equal(ipk_igmp_addr(m.srcs, 1), A(10, 0, 0, 2));

	/* the vectors as given parse with checksum_ok, and one flipped bit breaks it */
	const char *all[] = {V_V1_GQ,  V_V2_GQ,    V_V3_GQ,  V_V1_REP,
			     V_V2_REP, V_V2_LEAVE, V_V3_REP, V_V3_GSSQ};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		size_t n = hex(all[i], v);
		parse_ok(v, n, &m);
		assert_true(m.checksum_ok);
		v[4] ^= 0x10; /* the group: flipping it keeps every length valid */
		parse_ok(v, n, &m);
		assert_false(m.checksum_ok);
	}
}

/* ---- parse, field by field ---- */

static void test_parse_v1_v2(void **state)
{
	(void)state;
	uint8_t b[16];
	struct ipk_igmp m;
	size_t n;

	n = hex("11 00 ee ff 00 00 00 00", b);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, 0x11);
	assert_int_equal(m.code, 0);
	assert_int_equal(m.group, 0);
	assert_null(m.srcs);
	assert_null(m.recs);

	n = hex("11 0a 00 00 ef 01 02 03", b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.code, 10);
	assert_int_equal(m.group, A(239, 1, 2, 3));
	assert_true(m.checksum_ok);
	assert_int_equal(m.checksum, (b[2] << 8) | b[3]);

	n = hex("12 00 fd fc ef 01 01 01", b);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.type, IPK_IGMP_V1_REPORT);
	assert_int_equal(m.group, A(239, 1, 1, 1));

	n = hex("16 00 f9 fc ef 01 01 01", b);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.type, IPK_IGMP_V2_REPORT);
	assert_int_equal(m.group, A(239, 1, 1, 1));

	n = hex("17 00 f8 fc ef 01 01 01", b);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.type, IPK_IGMP_V2_LEAVE);

	/* a v2 report longer than 8 bytes: still v2, checksum over all bytes (RFC 2236 2.5) */
	n = hex("16 00 00 00 ef 01 01 01 de ad be ef", b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 2);
	assert_true(m.checksum_ok);
	assert_int_not_equal(ipk_csum(b, 8), 0); /* an 8-byte-only checksum would disagree */
}

static void test_parse_v3_query(void **state)
{
	(void)state;
	uint8_t b[32];
	struct ipk_igmp m;
	/* resv 0xf, S 1, QRV 2, QQIC 0x90, 1 source */
	size_t n = hex("11 c9 00 00 e8 01 02 03 fa 90 00 01 0a 0b 0c 0d", b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.type, IPK_IGMP_QUERY);
	assert_int_equal(m.code, 0xc9);
	assert_int_equal(ipk_igmp_code_decode(m.code), 3200);
	assert_int_equal(m.group, A(232, 1, 2, 3));
	assert_int_equal(m.resv, 0xf);
	assert_int_equal(m.s, 1);
	assert_int_equal(m.qrv, 2);
	assert_int_equal(m.qqic, 0x90);
	assert_int_equal(m.nsrcs, 1);
	assert_ptr_equal(m.srcs, b + 12);
	assert_int_equal(ipk_igmp_addr(m.srcs, 0), A(10, 11, 12, 13));
	assert_true(m.checksum_ok);

	/* S 0, QRV 7, resv 0 */
	n = hex("11 64 00 00 00 00 00 00 07 7d 00 00", b);
	parse_ok(b, n, &m);
	assert_int_equal(m.resv, 0);
	assert_int_equal(m.s, 0);
	assert_int_equal(m.qrv, 7);
	assert_false(m.checksum_ok);

	/* bytes past 12 + 4N are allowed (and covered by the checksum) */
	n = hex("11 64 00 00 00 00 00 00 02 7d 00 00 01 02 03", b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.nsrcs, 0);
	assert_true(m.checksum_ok);
}

static void test_parse_v3_report(void **state)
{
	(void)state;
	uint8_t b[64];
	struct ipk_igmp m;
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec r;
	size_t n = hex("22 00 00 00 12 34 00 02 "
		       "01 00 00 01 e8 01 01 01 0a 00 00 01 "
		       "06 00 00 00 ef 02 02 02",
		       b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.type, IPK_IGMP_V3_REPORT);
	assert_int_equal(m.reserved, 0x1234);
	assert_int_equal(m.nrecs, 2);
	assert_int_equal(m.group, 0);
	assert_ptr_equal(m.recs, b + 8);
	assert_int_equal(m.recs_len, n - 8);
	assert_true(m.checksum_ok);

	ipk_igmp_rec_iter_init(&it, &m, b);
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 1);
	assert_int_equal(r.type, IPK_IGMP_IS_IN);
	assert_int_equal(r.aux_words, 0);
	assert_int_equal(r.nsrcs, 1);
	assert_int_equal(r.group, A(232, 1, 1, 1));
	assert_int_equal(r.off, 8);
	assert_int_equal(ipk_igmp_addr(r.srcs, 0), A(10, 0, 0, 1));
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 1);
	assert_int_equal(r.type, IPK_IGMP_BLOCK);
	assert_int_equal(r.off, 20);
	assert_int_equal(r.group, A(239, 2, 2, 2));
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 0);
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 0);

	/* 8-byte report with no records */
	n = hex("22 00 dd ff 00 00 00 00", b);
	parse_ok(b, n, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.nrecs, 0);
	assert_int_equal(m.recs_len, 0);
	ipk_igmp_rec_iter_init(&it, &m, b);
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 0);

	/* the iterator on a non-report yields nothing */
	n = hex("16 00 f9 fc ef 01 01 01", b);
	parse_ok(b, n, &m);
	ipk_igmp_rec_iter_init(&it, &m, b);
	assert_int_equal(ipk_igmp_rec_next(&it, &r), 0);
}

static void test_parse_other_types(void **state)
{
	(void)state;
	static const uint8_t types[] = {0x13, 0x14, 0x1e, 0x1f, 0x30, 0x31,
					0x32, 0x00, 0x10, 0x99, 0xff};
	uint8_t b[32];
	struct ipk_igmp m;

	for (size_t i = 0; i < sizeof(types); i++) {
		for (size_t n = 8; n <= 28; n += 10) {
			memset(b, 0xee, sizeof(b));
			b[0] = types[i];
			b[1] = 0x05;
			b[4] = 224, b[5] = 0, b[6] = 0, b[7] = 4;
			ipk_igmp_set_checksum(b, n, -1);
			parse_ok(b, n, &m);
			assert_int_equal(m.version, 0);
			assert_int_equal(m.type, types[i]);
			assert_int_equal(m.code, 5);
			assert_int_equal(m.group, A(224, 0, 0, 4));
			assert_true(m.checksum_ok);
			assert_int_equal(m.nsrcs, 0);
			assert_int_equal(m.nrecs, 0);
			assert_null(m.srcs);
			assert_null(m.recs);
		}
	}
}

static void test_query_lengths(void **state)
{
	(void)state;
	uint8_t full[16];
	struct ipk_igmp m;
	size_t eo;
	hex("11 64 00 00 00 00 00 00 02 7d 00 00 00 00 00 00", full);

	for (size_t len = 0; len <= 13; len++) {
		const uint8_t *g = guard_place(full, len);
		assert_non_null(g);
		eo = 1234;
		int rc = ipk_igmp_parse(g, len, &m, &eo);
		if (len < 8) {
			assert_int_equal(rc, IPK_E_IGMP_SHORT);
			assert_int_equal(eo, 0);
			assert_int_equal(m.version, 0);
		} else if (len == 8) {
			assert_int_equal(rc, 0);
			assert_int_equal(m.version, 2);
		} else if (len < 12) {
			assert_int_equal(rc, IPK_E_IGMP_QUERY_LEN);
			assert_int_equal(eo, 8);
			assert_int_equal(m.type, IPK_IGMP_QUERY);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(m.version, 3);
		}
	}
	/* 8 bytes with code 0 is v1 even though type 0x11 is shared */
	full[1] = 0;
	assert_int_equal(ipk_igmp_parse(full, 8, &m, NULL), 0);
	assert_int_equal(m.version, 1);
	/* a NULL err_off is accepted on errors */
	assert_int_equal(ipk_igmp_parse(full, 10, &m, NULL), IPK_E_IGMP_QUERY_LEN);
	assert_int_equal(ipk_igmp_parse(full, 3, &m, NULL), IPK_E_IGMP_SHORT);
}

/* Every truncation of a G&S query with 5 sources, input ending at a guard page. */
static void test_query_truncation(void **state)
{
	(void)state;
	static const uint32_t srcs[] = {1, 2, 3, 4, 5};
	uint8_t buf[64];
	struct ipk_wbuf w;
	struct ipk_igmp m;
	struct ipk_igmp_v3q q = {
	    .mrc = 10, .qrv = 2, .qqic = 125, .group = A(232, 9, 9, 9), .srcs = srcs, .nsrcs = 5};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	assert_int_equal(w.len, 32);

	for (size_t len = 0; len <= w.len; len++) {
		const uint8_t *g = guard_place(buf, len);
		size_t eo = 777;
		int rc = ipk_igmp_parse(g, len, &m, &eo);
		if (len < 8)
			assert_int_equal(rc, IPK_E_IGMP_SHORT);
		else if (len == 8)
			assert_int_equal(rc, 0);
		else if (len < 12)
			assert_int_equal(rc, IPK_E_IGMP_QUERY_LEN);
		else if (len < w.len) {
			assert_int_equal(rc, IPK_E_IGMP_SOURCES);
			assert_int_equal(eo, 10);
			assert_int_equal(m.nsrcs, 5);
		} else {
			assert_int_equal(rc, 0);
			assert_true(m.checksum_ok);
			for (size_t i = 0; i < 5; i++)
				assert_int_equal(ipk_igmp_addr(m.srcs, i), srcs[i]);
		}
	}
	/* the largest count in the smallest message */
	uint8_t b[12];
	hex("11 64 00 00 00 00 00 00 02 7d ff ff", b);
	const uint8_t *g = guard_place(b, sizeof(b));
	size_t eo = 0;
	assert_int_equal(ipk_igmp_parse(g, sizeof(b), &m, &eo), IPK_E_IGMP_SOURCES);
	assert_int_equal(eo, 10);
}

/* Model of where a record list of `recs` breaks when cut at len (the spec, written apart). */
struct recspec {
	uint8_t type, aux;
	uint16_t nsrcs;
	uint32_t group;
};

static size_t model_err(const struct recspec *rs, size_t n, size_t len, size_t *nok)
{
	size_t o = 8;
	*nok = 0;
	for (size_t i = 0; i < n; i++) {
		size_t end = o + 8 + 4 * (size_t)rs[i].nsrcs + 4 * (size_t)rs[i].aux;
		if (len < o + 1)
			return o;
		if (len < o + 2)
			return o + 1;
		if (len < o + 4)
			return o + 2;
		if (len < o + 8)
			return o + 4;
		if (len < o + 8 + 4 * (size_t)rs[i].nsrcs)
			return o + 2;
		if (len < end)
			return o + 1;
		(*nok)++;
		o = end;
	}
	return SIZE_MAX;
}

static void test_report_truncation(void **state)
{
	(void)state;
	static const uint32_t s[] = {A(10, 0, 0, 1), A(10, 0, 0, 2), A(10, 0, 0, 3)};
	static const struct recspec rs[] = {
	    {IPK_IGMP_TO_EX, 1, 2, A(239, 0, 0, 1)},
	    {9, 0, 0, A(239, 0, 0, 2)},
	    {IPK_IGMP_ALLOW, 2, 1, A(239, 0, 0, 3)},
	    {IPK_IGMP_BLOCK, 0, 3, A(239, 0, 0, 4)},
	};
	const size_t nrs = sizeof(rs) / sizeof(rs[0]);
	uint8_t buf[128];
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	for (size_t i = 0; i < nrs; i++)
		assert_int_equal(ipk_igmp_v3r_add(&w, &r, rs[i].type, rs[i].group, s, rs[i].nsrcs,
						  NULL, rs[i].aux),
				 0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	assert_int_equal(w.len, 8 + (8 + 8 + 4) + 8 + (8 + 4 + 8) + (8 + 12));

	for (size_t len = 0; len <= w.len; len++) {
		const uint8_t *g = guard_place(buf, len);
		struct ipk_igmp m;
		size_t eo = 0;
		int rc = ipk_igmp_parse(g, len, &m, &eo);
		if (len < 8) {
			assert_int_equal(rc, IPK_E_IGMP_SHORT);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(m.checksum_ok, len == w.len);
		size_t nok;
		size_t want = model_err(rs, nrs, len, &nok);
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec rec;
		ipk_igmp_rec_iter_init(&it, &m, g);
		size_t got = 0;
		while ((rc = ipk_igmp_rec_next(&it, &rec)) == 1) {
			assert_int_equal(rec.type, rs[got].type);
			assert_int_equal(rec.group, rs[got].group);
			assert_int_equal(rec.nsrcs, rs[got].nsrcs);
			assert_int_equal(rec.aux_words, rs[got].aux);
			for (size_t k = 0; k < rec.nsrcs; k++)
				assert_int_equal(ipk_igmp_addr(rec.srcs, k), s[k]);
			for (size_t k = 0; k < 4u * rec.aux_words; k++)
				assert_int_equal(rec.aux[k], 0);
			got++;
		}
		assert_int_equal(got, nok);
		if (want == SIZE_MAX) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, IPK_E_IGMP_RECORDS);
			assert_int_equal(it.err_off, want);
			/* sticky: the next call reports the same error */
			assert_int_equal(ipk_igmp_rec_next(&it, &rec), IPK_E_IGMP_RECORDS);
			assert_int_equal(it.err_off, want);
		}
	}

	/* more records announced than present: the missing one is cut at its type byte */
	buf[7] = (uint8_t)(nrs + 1);
	struct ipk_igmp m;
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec rec;
	const uint8_t *g = guard_place(buf, w.len);
	assert_int_equal(ipk_igmp_parse(g, w.len, &m, NULL), 0);
	ipk_igmp_rec_iter_init(&it, &m, g);
	for (size_t i = 0; i < nrs; i++)
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), IPK_E_IGMP_RECORDS);
	assert_int_equal(it.err_off, w.len);

	/* 0xffff records with 0xffff sources in a 16-byte message */
	uint8_t big[16];
	hex("22 00 00 00 00 00 ff ff 01 00 ff ff ef 00 00 01", big);
	g = guard_place(big, sizeof(big));
	assert_int_equal(ipk_igmp_parse(g, sizeof(big), &m, NULL), 0);
	ipk_igmp_rec_iter_init(&it, &m, g);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), IPK_E_IGMP_RECORDS);
	assert_int_equal(it.err_off, 10);
	/* aux 255 words with no room */
	big[9] = 0xff, big[10] = 0, big[11] = 0;
	g = guard_place(big, sizeof(big));
	assert_int_equal(ipk_igmp_parse(g, sizeof(big), &m, NULL), 0);
	ipk_igmp_rec_iter_init(&it, &m, g);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), IPK_E_IGMP_RECORDS);
	assert_int_equal(it.err_off, 9);
}

/*
 * Aux data is 4 bytes per word (docs/igmp.md section 3): pimd adds words as bytes, igmpproxy
 * skips 16 per word, gopacket/tcpdump/bridge ignore it. Each wrong skip would land on a
 * different group here.
 */
static void test_aux_skip(void **state)
{
	(void)state;
	for (uint8_t words = 1; words <= 3; words++) {
		uint8_t buf[128], aux[12];
		uint32_t s1[] = {A(10, 1, 1, 1)};
		struct ipk_wbuf w;
		struct ipk_igmp_v3r r;
		for (size_t i = 0; i < sizeof(aux); i++)
			aux[i] = (uint8_t)(0xa0 + i);
		ipk_wbuf_init(&w, buf, sizeof(buf));
		assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
		assert_int_equal(
		    ipk_igmp_v3r_add(&w, &r, IPK_IGMP_IS_IN, A(232, 1, 1, 1), s1, 1, aux, words),
		    0);
		assert_int_equal(
		    ipk_igmp_v3r_add(&w, &r, IPK_IGMP_IS_EX, A(239, 7, 7, 7), NULL, 0, NULL, 0), 0);
		assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
		assert_int_equal(w.len, 8 + 12 + 4u * words + 8);
		/* the aux bytes are on the wire right after the source */
		assert_memory_equal(buf + 20, aux, 4u * words);

		struct ipk_igmp m;
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec rec;
		const uint8_t *g = guard_place(buf, w.len);
		parse_ok(g, w.len, &m);
		assert_true(m.checksum_ok);
		ipk_igmp_rec_iter_init(&it, &m, g);
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
		assert_int_equal(rec.aux_words, words);
		assert_ptr_equal(rec.aux, g + 20);
		assert_memory_equal(rec.aux, aux, 4u * words);
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
		assert_int_equal(rec.off, 20 + 4 * words);
		assert_int_equal(rec.type, IPK_IGMP_IS_EX);
		assert_int_equal(rec.group, A(239, 7, 7, 7));
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 0);
		/* nothing left over: no trailing-byte finding */
		struct ipk_findings f = {0};
		assert_int_equal(ipk_igmp_check(NULL, &m, 0, 0, &f), 0);
	}
}

static void test_unknown_records(void **state)
{
	(void)state;
	static const uint8_t types[] = {0, 7, 0x80, 0xff};
	uint32_t s[] = {1, 2};
	uint8_t buf[256];
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	for (size_t i = 0; i < sizeof(types); i++) {
		assert_int_equal(ipk_igmp_v3r_add(&w, &r, types[i], A(239, 9, 0, (uint8_t)i), s, 2,
						  NULL, (uint8_t)i),
				 0);
		assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_ALLOW, A(232, 0, 0, (uint8_t)i),
						  s, 1, NULL, 0),
				 0);
	}
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);

	struct ipk_igmp m;
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec rec;
	parse_ok(buf, w.len, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.nrecs, 2 * sizeof(types));
	ipk_igmp_rec_iter_init(&it, &m, buf);
	for (size_t i = 0; i < sizeof(types); i++) {
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
		assert_int_equal(rec.type, types[i]);
		assert_string_equal(ipk_igmp_rec_name(rec.type), "unknown");
		assert_int_equal(rec.nsrcs, 2);
		assert_int_equal(rec.aux_words, i);
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
		assert_int_equal(rec.type, IPK_IGMP_ALLOW);
		assert_int_equal(rec.group, A(232, 0, 0, i));
		assert_int_equal(ipk_igmp_addr(rec.srcs, 0), 1);
	}
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), 0);
	assert_int_equal(it.off, w.len);
}

/* ---- MRC / QQIC ---- */

static void test_code_table(void **state)
{
	(void)state;
	/* docs/igmp.md section 4 worked values: wanted value, code, decoded value */
	static const struct {
		unsigned v;
		uint8_t code;
		unsigned dec;
	} t[] = {
	    {100, 0x64, 100},
	    {125, 0x7d, 125},
	    {127, 0x7f, 127},
	    {128, 0x80, 128},
	    {129, 0x80, 128},
	    {130, 0x80, 128},
	    {131, 0x80, 128},
	    {132, 0x80, 128},
	    {133, 0x80, 128},
	    {134, 0x80, 128},
	    {135, 0x80, 128},
	    {136, 0x81, 136},
	    {154, 0x83, 152},
	    {200, 0x89, 200},
	    {255, 0x8f, 248},
	    {256, 0x90, 256},
	    {1000, 0xaf, 992},
	    {3200, 0xc9, 3200},
	    {31743, 0xfe, 30720},
	    {31744, 0xff, 31744},
	    {40000, 0xff, 31744},
	    {65535, 0xff, 31744},
	    {1u << 20, 0xff, 31744},
	    {~0u, 0xff, 31744},
	    {0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(ipk_igmp_code_encode(t[i].v), t[i].code);
		assert_int_equal(ipk_igmp_code_decode(t[i].code), t[i].dec);
	}
	/* decoder vectors */
	assert_int_equal(ipk_igmp_code_decode(0x80), 128);
	assert_int_equal(ipk_igmp_code_decode(0x89), 200);
	assert_int_equal(ipk_igmp_code_decode(0x8f), 248);
	assert_int_equal(ipk_igmp_code_decode(0x90), 256);
	assert_int_equal(ipk_igmp_code_decode(0xc9), 3200);
	assert_int_equal(ipk_igmp_code_decode(0xff), 31744);
	/* gopacket's swapped exp/mant would give 65536 for 0x89 */
	assert_int_not_equal(ipk_igmp_code_decode(0x89), 65536);
}

static void test_code_exhaustive(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 255; c++)
		assert_true(ipk_igmp_code_decode((uint8_t)c) <
			    ipk_igmp_code_decode((uint8_t)(c + 1)));
	for (unsigned c = 0; c < 256; c++)
		assert_int_equal(ipk_igmp_code_encode(ipk_igmp_code_decode((uint8_t)c)), c);
	for (unsigned v = 0; v <= 40000; v++) {
		uint8_t c = ipk_igmp_code_encode(v);
		unsigned d = ipk_igmp_code_decode(c);
		if (v >= 31744) {
			assert_int_equal(c, 0xff);
			assert_int_equal(d, 31744);
			continue;
		}
		assert_true(d <= v);
		/* largest representable value <= v: the next code is above v */
		assert_true(c < 0xff);
		assert_true(ipk_igmp_code_decode((uint8_t)(c + 1)) > v);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ipk_igmp_type_name(0x11), "query");
	assert_string_equal(ipk_igmp_type_name(0x12), "v1 report");
	assert_string_equal(ipk_igmp_type_name(0x13), "dvmrp");
	assert_string_equal(ipk_igmp_type_name(0x14), "pimv1");
	assert_string_equal(ipk_igmp_type_name(0x16), "v2 report");
	assert_string_equal(ipk_igmp_type_name(0x17), "leave");
	assert_string_equal(ipk_igmp_type_name(0x1e), "mtrace resp");
	assert_string_equal(ipk_igmp_type_name(0x1f), "mtrace");
	assert_string_equal(ipk_igmp_type_name(0x22), "v3 report");
	assert_string_equal(ipk_igmp_type_name(0x30), "mrd adv");
	assert_string_equal(ipk_igmp_type_name(0x31), "mrd sol");
	assert_string_equal(ipk_igmp_type_name(0x32), "mrd term");
	assert_string_equal(ipk_igmp_type_name(0x00), "unknown");
	assert_string_equal(ipk_igmp_type_name(0x15), "unknown");
	assert_string_equal(ipk_igmp_type_name(0xff), "unknown");
	static const char *const rn[] = {"unknown", "is_in", "is_ex", "to_in",
					 "to_ex",   "allow", "block", "unknown"};
	for (unsigned i = 0; i < 8; i++)
		assert_string_equal(ipk_igmp_rec_name((uint8_t)i), rn[i]);
	assert_string_equal(ipk_igmp_rec_name(0xff), "unknown");
}

/* ---- builders ---- */

static void test_builder_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct ipk_wbuf w;
	struct ipk_igmp m;

	/* v1 and v2, appended back to back in one buffer: each at its own offset */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0), 0);
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_V1_REPORT, A(239, 1, 2, 3)), 0);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, 100, 0), 0);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, 10, A(239, 4, 5, 6)), 0);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, A(239, 7, 8, 9)), 0);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_LEAVE, 0, A(239, 7, 8, 9)), 0);
	assert_int_equal(w.len, 48);
	static const struct {
		uint8_t ver, type, code;
		uint32_t group;
	} e[] = {
	    {1, 0x11, 0, 0},
	    {1, 0x12, 0, A(239, 1, 2, 3)},
	    {2, 0x11, 100, 0},
	    {2, 0x11, 10, A(239, 4, 5, 6)},
	    {2, 0x16, 0, A(239, 7, 8, 9)},
	    {2, 0x17, 0, A(239, 7, 8, 9)},
	};
	for (size_t i = 0; i < 6; i++) {
		parse_ok(buf + 8 * i, 8, &m);
		assert_true(m.checksum_ok);
		assert_int_equal(m.version, e[i].ver);
		assert_int_equal(m.type, e[i].type);
		assert_int_equal(m.code, e[i].code);
		assert_int_equal(m.group, e[i].group);
	}

	/* v3 queries: general, group-specific, group-and-source-specific */
	static const uint32_t srcs[] = {A(10, 0, 0, 1), A(10, 0, 0, 2), A(192, 0, 2, 200)};
	struct ipk_igmp_v3q qs[] = {
	    {.mrc = 0x64, .qrv = 2, .qqic = 0x7d},
	    {.mrc = 0x0a, .s = 1, .qrv = 7, .qqic = 0x90, .group = A(239, 1, 1, 1)},
	    {.mrc = 0xc9,
	     .resv = 0x8,
	     .qrv = 3,
	     .qqic = 0xff,
	     .group = A(232, 1, 1, 1),
	     .srcs = srcs,
	     .nsrcs = 3},
	};
	for (size_t i = 0; i < 3; i++) {
		ipk_wbuf_init(&w, buf, sizeof(buf));
		buf[0] = 0xaa; /* a prefix byte: the query starts at offset 1 */
		w.len = 1;
		assert_int_equal(ipk_igmp_put_v3_query(&w, &qs[i]), 0);
		assert_int_equal(w.len, 1 + 12 + 4u * qs[i].nsrcs);
		assert_int_equal(buf[0], 0xaa);
		parse_ok(buf + 1, w.len - 1, &m);
		assert_true(m.checksum_ok);
		assert_int_equal(m.version, 3);
		assert_int_equal(m.code, qs[i].mrc);
		assert_int_equal(m.resv, qs[i].resv);
		assert_int_equal(m.s, qs[i].s);
		assert_int_equal(m.qrv, qs[i].qrv);
		assert_int_equal(m.qqic, qs[i].qqic);
		assert_int_equal(m.group, qs[i].group);
		assert_int_equal(m.nsrcs, qs[i].nsrcs);
		for (size_t k = 0; k < m.nsrcs; k++)
			assert_int_equal(ipk_igmp_addr(m.srcs, k), srcs[k]);
	}

	/* v3 report: the six types, an unknown one, sources and aux data; started at offset 3 */
	static const uint8_t aux[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const struct {
		uint8_t type, aux;
		uint16_t nsrcs;
		uint32_t group;
	} rr[] = {
	    {IPK_IGMP_IS_IN, 0, 1, A(232, 1, 1, 1)}, {IPK_IGMP_IS_EX, 0, 0, A(239, 1, 1, 2)},
	    {IPK_IGMP_TO_IN, 1, 0, A(239, 1, 1, 3)}, {IPK_IGMP_TO_EX, 0, 2, A(239, 1, 1, 4)},
	    {IPK_IGMP_ALLOW, 2, 3, A(232, 1, 1, 5)}, {IPK_IGMP_BLOCK, 0, 3, A(232, 1, 1, 6)},
	    {0x42, 1, 1, A(239, 1, 1, 7)},
	};
	const size_t nrr = sizeof(rr) / sizeof(rr[0]);
	struct ipk_igmp_v3r r;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = 3;
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(r.start, 3);
	for (size_t i = 0; i < nrr; i++)
		assert_int_equal(ipk_igmp_v3r_add(&w, &r, rr[i].type, rr[i].group, srcs,
						  rr[i].nsrcs, rr[i].aux ? aux : NULL, rr[i].aux),
				 0);
	assert_int_equal(r.nrecs, nrr);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	parse_ok(buf + 3, w.len - 3, &m);
	assert_true(m.checksum_ok);
	assert_int_equal(m.version, 3);
	assert_int_equal(m.nrecs, nrr);
	assert_int_equal(m.reserved, 0);
	assert_int_equal(buf[3 + 1], 0);
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec rec;
	ipk_igmp_rec_iter_init(&it, &m, buf + 3);
	for (size_t i = 0; i < nrr; i++) {
		assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
		assert_int_equal(rec.type, rr[i].type);
		assert_int_equal(rec.group, rr[i].group);
		assert_int_equal(rec.nsrcs, rr[i].nsrcs);
		assert_int_equal(rec.aux_words, rr[i].aux);
		for (size_t k = 0; k < rec.nsrcs; k++)
			assert_int_equal(ipk_igmp_addr(rec.srcs, k), srcs[k]);
		if (rec.aux_words)
			assert_memory_equal(rec.aux, aux, 4u * rec.aux_words);
	}
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), 0);
	assert_int_equal(it.off, w.len - 3);
}

#define PAT 0x5a

static void assert_untouched(const uint8_t *buf, size_t n, size_t from)
{
	for (size_t i = from; i < n; i++)
		assert_int_equal(buf[i], PAT);
}

static void test_nospace(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct ipk_wbuf w;
	static const uint32_t srcs[] = {1, 2, 3};
	struct ipk_igmp_v3q q = {
	    .mrc = 1, .qrv = 2, .group = A(232, 1, 1, 1), .srcs = srcs, .nsrcs = 3};

	for (size_t cap = 0; cap < 8; cap++) {
		memset(buf, PAT, sizeof(buf));
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0), IPK_E_NOSPACE);
		assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, 1), IPK_E_NOSPACE);
		struct ipk_igmp_v3r r = {.start = 77, .nrecs = 5};
		assert_int_equal(ipk_igmp_v3r_begin(&w, &r), IPK_E_NOSPACE);
		assert_int_equal(r.start, 77);
		assert_int_equal(w.len, 0);
		assert_untouched(buf, sizeof(buf), 0);
	}
	for (size_t cap = 0; cap < 24; cap++) {
		memset(buf, PAT, sizeof(buf));
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(ipk_igmp_put_v3_query(&w, &q), IPK_E_NOSPACE);
		assert_int_equal(w.len, 0);
		assert_untouched(buf, sizeof(buf), 0);
	}
	/* a record that does not fit leaves the report as it was */
	for (size_t cap = 8; cap < 8 + 8 + 12 + 8; cap++) {
		struct ipk_igmp_v3r r;
		memset(buf, PAT, sizeof(buf));
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
		uint8_t hdr[8];
		memcpy(hdr, buf, 8);
		assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_ALLOW, 1, srcs, 3, NULL, 2),
				 IPK_E_NOSPACE);
		assert_int_equal(w.len, 8);
		assert_int_equal(r.nrecs, 0);
		assert_memory_equal(buf, hdr, 8);
		assert_untouched(buf, sizeof(buf), 8);
	}
	/* w->len past cap (a corrupt cursor) is NOSPACE too, not a wrap-around */
	ipk_wbuf_init(&w, buf, 8);
	w.len = 9;
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0), IPK_E_NOSPACE);

	/* INVAL before writing anything */
	memset(buf, PAT, sizeof(buf));
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_V2_REPORT, 0), IPK_E_INVAL);
	struct ipk_igmp_v3q bad = q;
	bad.qrv = 8;
	assert_int_equal(ipk_igmp_put_v3_query(&w, &bad), IPK_E_INVAL);
	bad = q;
	bad.s = 2;
	assert_int_equal(ipk_igmp_put_v3_query(&w, &bad), IPK_E_INVAL);
	bad = q;
	bad.resv = 16;
	assert_int_equal(ipk_igmp_put_v3_query(&w, &bad), IPK_E_INVAL);
	bad = q;
	bad.srcs = NULL;
	assert_int_equal(ipk_igmp_put_v3_query(&w, &bad), IPK_E_INVAL);
	struct ipk_igmp_v3r r = {.start = 0, .nrecs = 0};
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, 1, 1, NULL, 0, NULL, 0),
			 IPK_E_INVAL); /* no begin */
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), IPK_E_INVAL);
	assert_int_equal(w.len, 0);
	assert_untouched(buf, sizeof(buf), 0);
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, 1, 1, NULL, 2, NULL, 0), IPK_E_INVAL);
	r.nrecs = 0xffff;
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, 1, 1, NULL, 0, NULL, 0), IPK_E_INVAL);
	assert_int_equal(w.len, 8);
	assert_untouched(buf, sizeof(buf), 8);
}

static void test_set_checksum(void **state)
{
	(void)state;
	uint8_t b[16];
	struct ipk_igmp m;
	size_t n = hex(V_V2_REP, b);

	ipk_igmp_set_checksum(b, n, 0x1234);
	assert_int_equal(b[2], 0x12);
	assert_int_equal(b[3], 0x34);
	parse_ok(b, n, &m);
	assert_false(m.checksum_ok);
	assert_int_equal(m.checksum, 0x1234);
	ipk_igmp_set_checksum(b, n, 0);
	assert_int_equal(b[2] | b[3], 0);
	ipk_igmp_set_checksum(b, n, 0xffff);
	assert_int_equal(b[2] & b[3], 0xff);
	ipk_igmp_set_checksum(b, n, -1);
	assert_bytes(b, n, V_V2_REP);
	/* too short to hold a checksum: nothing written */
	memset(b, PAT, sizeof(b));
	ipk_igmp_set_checksum(b, 3, -1);
	ipk_igmp_set_checksum(b, 3, 7);
	assert_untouched(b, sizeof(b), 0);
}

/* ---- check() ---- */

static const uint8_t RA[4] = {0x94, 0x04, 0x00, 0x00};
static const uint8_t NOP_RA[8] = {0x01, 0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00};
static const uint8_t NOPS[4] = {0x01, 0x01, 0x01, 0x00};

static struct ipk_ip4 mkip(uint32_t dst)
{
	struct ipk_ip4 h = {.version = 4,
			    .ihl = 6,
			    .hlen = 24,
			    .tos = 0xc0,
			    .ttl = 1,
			    .proto = 2,
			    .df = 1,
			    .src = A(192, 168, 1, 10),
			    .dst = dst,
			    .opts = RA,
			    .opts_len = 4};
	return h;
}

static int run_check(const struct ipk_ip4 *ip, const char *msg_hex, struct ipk_findings *f)
{
	static uint8_t b[64];
	struct ipk_igmp m;
	size_t n = hex(msg_hex, b);
	ipk_igmp_set_checksum(b, n, -1);
	parse_ok(b, n, &m);
	memset(f, 0, sizeof(*f));
	int k = ipk_igmp_check(ip, &m, 100, 124, f);
	assert_int_equal(k, f->n);
	return k;
}

static void test_check_clean(void **state)
{
	(void)state;
	struct ipk_findings f;
	struct ipk_ip4 ip;

	ip = mkip(IPK_IGMP_ALL_SYSTEMS);
	assert_int_equal(run_check(&ip, V_V1_GQ, &f), 0);
	assert_int_equal(run_check(&ip, V_V2_GQ, &f), 0);
	assert_int_equal(run_check(&ip, V_V3_GQ, &f), 0);
	ip = mkip(A(239, 1, 1, 1));
	assert_int_equal(run_check(&ip, V_V1_REP, &f), 0);
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 0);
	assert_int_equal(run_check(&ip, "11 0a 00 00 ef 01 01 01", &f), 0);
	ip = mkip(IPK_IGMP_ALL_ROUTERS);
	assert_int_equal(run_check(&ip, V_V2_LEAVE, &f), 0);
	ip = mkip(IPK_IGMP_V3_ROUTERS);
	assert_int_equal(run_check(&ip, V_V3_REP, &f), 0);
	/* RA after NOPs still counts */
	ip.opts = NOP_RA;
	ip.opts_len = 8;
	assert_int_equal(run_check(&ip, V_V3_REP, &f), 0);
	/* G&S query to the group, and (RFC 3376 4.1.12) to any other address: not flagged */
	ip = mkip(A(232, 1, 1, 1));
	assert_int_equal(run_check(&ip, V_V3_GSSQ, &f), 0);
	ip = mkip(A(192, 168, 1, 5));
	assert_int_equal(run_check(&ip, V_V3_GSSQ, &f), 0);
	/* no IP header: IP rules skipped */
	assert_int_equal(run_check(NULL, V_V2_REP, &f), 0);
	/* other types: no membership rules (bytes past 8, any group, any destination) */
	ip = mkip(A(10, 0, 0, 1));
	ip.opts = NULL;
	ip.opts_len = 0;
	assert_int_equal(run_check(&ip, "13 00 00 00 00 00 00 01 02 03 04 05", &f), 0);
	assert_int_equal(run_check(&ip, "1f 00 00 00 0a 00 00 01 0a 00 00 02 0a 00 00 03", &f), 0);
}

static void test_check_findings(void **state)
{
	(void)state;
	struct ipk_findings f;
	struct ipk_ip4 ip;

	/* TTL */
	ip = mkip(A(239, 1, 1, 1));
	ip.ttl = 255;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TTL, 108));
	ip.ttl = 0;
	assert_int_equal(run_check(&ip, V_V1_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TTL, 108));

	/* Router Alert: v2/v3 only */
	ip = mkip(A(239, 1, 1, 1));
	ip.opts = NULL;
	ip.opts_len = 0;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_NO_RA, 100));
	assert_int_equal(run_check(&ip, V_V1_REP, &f), 0);
	ip.opts = NOPS;
	ip.opts_len = 4;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_NO_RA, 100));
	ip = mkip(IPK_IGMP_V3_ROUTERS);
	ip.opts = NULL;
	ip.opts_len = 0;
	assert_int_equal(run_check(&ip, V_V3_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_NO_RA, 100));
	ip = mkip(IPK_IGMP_ALL_SYSTEMS);
	ip.opts = NULL;
	ip.opts_len = 0;
	assert_int_equal(run_check(&ip, V_V3_GQ, &f), 1);
	assert_int_equal(run_check(&ip, V_V2_GQ, &f), 1);
	assert_int_equal(run_check(&ip, V_V1_GQ, &f), 0);

	/* destination per type */
	ip = mkip(A(239, 1, 1, 1));
	assert_int_equal(run_check(&ip, V_V1_GQ, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_DST, 116));
	assert_int_equal(run_check(&ip, V_V2_GQ, &f), 1);
	assert_int_equal(run_check(&ip, V_V3_GQ, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_DST, 116));
	assert_int_equal(run_check(&ip, V_V2_LEAVE, &f), 1); /* leave to the group */
	assert_true(has_finding(&f, IPK_E_IGMP_DST, 116));
	assert_int_equal(run_check(&ip, V_V3_REP, &f), 1);
	ip = mkip(IPK_IGMP_ALL_ROUTERS); /* zephyr#52521: report to 224.0.0.2 */
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_DST, 116));
	assert_int_equal(run_check(&ip, V_V1_REP, &f), 1);
	ip = mkip(A(239, 1, 1, 2));
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);

	/* fragments */
	ip = mkip(A(239, 1, 1, 1));
	ip.mf = 1;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_FRAGMENT, 106));
	ip.mf = 0;
	ip.frag_off = 3;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_FRAGMENT, 106));
	ip.df = 1;
	ip.frag_off = 0;
	assert_int_equal(run_check(&ip, V_V2_REP, &f), 0);

	/* group not multicast: reports, leaves, group-specific queries, v3 records */
	assert_int_equal(run_check(NULL, "16 00 00 00 0a 01 01 01", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_GROUP, 128));
	assert_int_equal(run_check(NULL, "12 00 00 00 00 00 00 00", &f), 1);
	assert_int_equal(run_check(NULL, "17 00 00 00 f0 00 00 01", &f), 1);
	assert_int_equal(run_check(NULL, "11 0a 00 00 c0 00 02 01", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_GROUP, 128));
	assert_int_equal(run_check(NULL, "11 0a 00 00 c0 00 02 01 02 7d 00 00", &f), 1);
	assert_int_equal(run_check(NULL, "11 0a 00 00 e0 00 00 00 02 7d 00 00", &f), 0);
	assert_int_equal(run_check(NULL, "11 0a 00 00 ef ff ff ff", &f), 0);
	assert_int_equal(run_check(NULL,
				   "22 00 00 00 00 00 00 02 04 00 00 00 ef 01 01 01 "
				   "04 00 00 00 0a 00 00 01",
				   &f),
			 1);
	assert_true(has_finding(&f, IPK_E_IGMP_GROUP, 124 + 16 + 4));

	/* general query with sources */
	assert_int_equal(run_check(NULL, "11 64 00 00 00 00 00 00 02 7d 00 01 0a 00 00 01", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_GQ_SOURCES, 134));
	assert_int_equal(run_check(NULL, "11 64 00 00 e8 00 00 01 02 7d 00 01 0a 00 00 01", &f), 0);

	/* trailing bytes */
	assert_int_equal(run_check(NULL, "16 00 00 00 ef 01 01 01 00", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TRAILING, 132));
	assert_int_equal(run_check(NULL, "12 00 00 00 ef 01 01 01 00 00 00 00", &f), 1);
	assert_int_equal(run_check(NULL, "17 00 00 00 ef 01 01 01 00 00 00 00", &f), 1);
	assert_int_equal(run_check(NULL, "11 64 00 00 00 00 00 00 02 7d 00 00 00 00", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TRAILING, 136));
	assert_int_equal(run_check(NULL, "11 64 00 00 e8 00 00 01 02 7d 00 01 0a 00 00 01 ff", &f),
			 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TRAILING, 124 + 16));
	assert_int_equal(run_check(NULL, V_V3_REP " 00 00", &f), 1);
	assert_true(has_finding(&f, IPK_E_IGMP_TRAILING, 124 + 16));
	/* a broken record list is the iterator's error (at the first field that does not fit: the
	 * second record's aux length, byte 17), not a trailing finding */
	assert_int_equal(run_check(NULL, "22 00 00 00 00 00 00 02 04 00 00 00 ef 01 01 01 00", &f),
			 1);
	assert_true(has_finding(&f, IPK_E_IGMP_RECORDS, 124 + 17));

	/* everything at once */
	ip = mkip(A(10, 0, 0, 1));
	ip.ttl = 64;
	ip.opts = NULL;
	ip.opts_len = 0;
	ip.mf = 1;
	assert_int_equal(run_check(&ip, "16 00 00 00 0a 01 01 01 00", &f), 6);
	assert_true(has_code(&f, IPK_E_IGMP_TTL));
	assert_true(has_code(&f, IPK_E_IGMP_NO_RA));
	assert_true(has_code(&f, IPK_E_IGMP_DST));
	assert_true(has_code(&f, IPK_E_IGMP_FRAGMENT));
	assert_true(has_code(&f, IPK_E_IGMP_GROUP));
	assert_true(has_code(&f, IPK_E_IGMP_TRAILING));
	for (unsigned i = 0; i < f.n; i++)
		assert_true(ipk_err_is_finding(f.v[i].code));

	/* a type nobody defined: one finding at the type byte, with or without the IP header */
	assert_int_equal(run_check(NULL, "55 00 00 00 ef 01 01 01", &f), 1);
	assert_int_equal(f.v[0].code, IPK_E_IGMP_UNKNOWN_TYPE);
	assert_int_equal(f.v[0].offset, 124);
	ip.mf = 0;
	assert_int_equal(run_check(&ip, "55 00 00 00 ef 01 01 01", &f), 1);
	assert_int_equal(f.v[0].code, IPK_E_IGMP_UNKNOWN_TYPE);
	/* DVMRP is known: nothing */
	assert_int_equal(run_check(NULL, "13 00 00 00 ef 01 01 01", &f), 0);
}

/* ---- IPv4 header ---- */

static void test_ip4_defaults(void **state)
{
	(void)state;
	static const struct {
		const char *msg;
		uint32_t dst;
	} t[] = {
	    {V_V1_GQ, IPK_IGMP_ALL_SYSTEMS},
	    {V_V2_GQ, IPK_IGMP_ALL_SYSTEMS},
	    {V_V3_GQ, IPK_IGMP_ALL_SYSTEMS},
	    {V_V3_GSSQ, A(232, 1, 1, 1)},
	    {"11 0a 00 00 ef 02 02 02", A(239, 2, 2, 2)},
	    {V_V1_REP, A(239, 1, 1, 1)},
	    {V_V2_REP, A(239, 1, 1, 1)},
	    {V_V2_LEAVE, IPK_IGMP_ALL_ROUTERS},
	    {V_V3_REP, IPK_IGMP_V3_ROUTERS},
	    {"30 14 00 00 00 7d 00 02", A(224, 0, 0, 106)},
	    {"31 00 00 00", IPK_IGMP_ALL_ROUTERS},
	    {"32 00 00 00", A(224, 0, 0, 106)},
	    {"13 00 00 00 00 00 00 00", A(224, 0, 0, 4)},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t b[32];
		struct ipk_ip4 h;
		size_t n = hex(t[i].msg, b);
		memset(&h, 0xff, sizeof(h));
		ipk_igmp_ip4_defaults(b, n, A(192, 168, 1, 1), &h);
		assert_int_equal(h.version, 4);
		assert_int_equal(h.ihl, 6);
		assert_int_equal(h.hlen, 24);
		assert_int_equal(h.tos, 0xc0);
		assert_int_equal(h.ttl, 1);
		assert_int_equal(h.proto, IPK_PROTO_IGMP);
		assert_int_equal(h.df, 1);
		assert_int_equal(h.mf, 0);
		assert_int_equal(h.rf, 0);
		assert_int_equal(h.frag_off, 0);
		assert_int_equal(h.id, 0);
		assert_int_equal(h.total_len, 24 + n);
		assert_int_equal(h.src, A(192, 168, 1, 1));
		assert_int_equal(h.dst, t[i].dst);
		assert_int_equal(h.opts_len, 4);
		assert_memory_equal(h.opts, RA, 4);
	}
}

static void test_dgram_finish(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct ipk_wbuf w;

	/* v2 report 239.1.1.1 from 192.168.1.10 */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = IPK_IGMP_HDRROOM;
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, A(239, 1, 1, 1)), 0);
	assert_int_equal(
	    ipk_igmp_dgram_finish(buf, sizeof(buf), w.len - IPK_IGMP_HDRROOM, A(192, 168, 1, 10)),
	    32);
	assert_bytes(buf, 24, V_IP_V2_REP);
	assert_bytes(buf + 24, 8, V_V2_REP);

	/* v3 general query from 192.168.1.1 */
	struct ipk_igmp_v3q q = {.mrc = 100, .qrv = 2, .qqic = 125};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = IPK_IGMP_HDRROOM;
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	assert_int_equal(ipk_igmp_dgram_finish(buf, w.len, 12, A(192, 168, 1, 1)), 36);
	assert_bytes(buf, 24, V_IP_V3_GQ);
	assert_bytes(buf + 24, 12, V_V3_GQ);
	struct ipk_ip4 h;
	size_t eo;
	assert_int_equal(ipk_ip4_parse(buf, 36, IPK_IP4_STRICT, &h, &eo), 0);
	assert_true(h.checksum_ok);

	/* a v3 report of 4 records x 4 sources, then the whole datagram checked */
	static const uint32_t s[] = {A(10, 0, 0, 1), A(10, 0, 0, 2), A(10, 0, 0, 3),
				     A(10, 0, 0, 4)};
	struct ipk_igmp_v3r r;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = IPK_IGMP_HDRROOM;
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	for (uint8_t i = 0; i < 4; i++)
		assert_int_equal(
		    ipk_igmp_v3r_add(&w, &r, IPK_IGMP_ALLOW, A(232, 1, 1, i), s, 4, NULL, 0), 0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	assert_int_equal(w.len, 24 + 104);
	assert_int_equal(ipk_igmp_dgram_finish(buf, w.len, 104, A(192, 168, 1, 1)), 128);
	assert_int_equal(ipk_ip4_parse(buf, 128, IPK_IP4_STRICT, &h, &eo), 0);
	assert_true(h.checksum_ok);
	assert_int_equal(h.dst, IPK_IGMP_V3_ROUTERS);
	assert_int_equal(h.total_len, 128);
	struct ipk_igmp m;
	parse_ok(buf + h.hlen, h.total_len - h.hlen, &m);
	assert_true(m.checksum_ok);
	struct ipk_findings f = {0};
	assert_int_equal(ipk_igmp_check(&h, &m, 0, h.hlen, &f), 0);

	/* a datagram past 65535 bytes cannot be described by the total length */
	static uint8_t big[24 + 65536];
	assert_int_equal(ipk_igmp_dgram_finish(big, sizeof(big), 65535 - 24, 1), 65535);
	assert_int_equal(ipk_igmp_dgram_finish(big, sizeof(big), 65535 - 23, 1), IPK_E_TOOLONG);

	/* NOSPACE: buffer untouched */
	for (size_t cap = 0; cap < 24 + 8; cap++) {
		memset(buf, PAT, sizeof(buf));
		assert_int_equal(ipk_igmp_dgram_finish(buf, cap, 8, 1), IPK_E_NOSPACE);
		assert_untouched(buf, sizeof(buf), 0);
	}
}

/* ---- real captures ---- */

struct capstats {
	unsigned igmp, bad_csum, findings;
	unsigned q_v1, q_v2, q_gen, q_gs, q_gss;
	unsigned rep_v1, rep_v2, leave, rep_v3, multi_rec;
	unsigned rec[8];
	unsigned recs, aux_words, trailing;
};

static void read_capture(const char *path, struct capstats *st)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (!p)
		fail_msg("%s: %s", path, errbuf);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *ph;
	const u_char *d;
	memset(st, 0, sizeof(*st));
	while (pcap_next_ex(p, &ph, &d) == 1) {
		size_t cap = ph->caplen, l2 = 14;
		if (cap < l2 + 20 || d[12] != 0x08 || d[13] != 0x00)
			continue;
		const uint8_t *ipb = d + l2;
		size_t ihl = (size_t)(ipb[0] & 0x0f) * 4;
		size_t tot = (size_t)ipb[2] << 8 | ipb[3];
		if (ipb[9] != IPK_PROTO_IGMP)
			continue;
		assert_true(ihl >= 20 && tot >= ihl && l2 + tot <= cap);
		struct ipk_ip4 h;
		size_t eo;
		assert_int_equal(ipk_ip4_parse(ipb, cap - l2, IPK_IP4_LAX, &h, &eo), 0);
		assert_int_equal(h.hlen, ihl);
		/* IGMP length from the IP total length: link padding excluded */
		const uint8_t *g = guard_place(ipb + ihl, tot - ihl);
		struct ipk_igmp m;
		assert_int_equal(ipk_igmp_parse(g, tot - ihl, &m, &eo), 0);
		st->igmp++;
		st->bad_csum += !m.checksum_ok;
		struct ipk_findings f = {0};
		st->findings += (unsigned)ipk_igmp_check(&h, &m, l2, l2 + ihl, &f);
		st->trailing += (unsigned)has_code(&f, IPK_E_IGMP_TRAILING);
		switch (m.type) {
		case IPK_IGMP_QUERY:
			if (m.version == 1)
				st->q_v1++;
			else if (m.version == 2)
				st->q_v2++;
			else if (m.group == 0)
				st->q_gen++;
			else if (m.nsrcs == 0)
				st->q_gs++;
			else
				st->q_gss++;
			break;
		case IPK_IGMP_V1_REPORT:
			st->rep_v1++;
			break;
		case IPK_IGMP_V2_REPORT:
			st->rep_v2++;
			break;
		case IPK_IGMP_V2_LEAVE:
			st->leave++;
			break;
		case IPK_IGMP_V3_REPORT: {
			struct ipk_igmp_rec_iter it;
			struct ipk_igmp_rec r;
			int rc;
			unsigned n = 0;
			st->rep_v3++;
			ipk_igmp_rec_iter_init(&it, &m, g);
			while ((rc = ipk_igmp_rec_next(&it, &r)) == 1) {
				st->aux_words += r.aux_words;
				st->rec[r.type < 8 ? r.type : 7]++;
				n++;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(n, m.nrecs);
			st->recs += n;
			st->multi_rec += n > 1;
			break;
		}
		default:
			break;
		}
	}
	pcap_close(p);
}

#define CAP(name) IPK_THIRD_PARTY_PCAPS "/other/" name

/* Counts as printed by tcpdump -n -v and tshark (igmp.type, igmp.record_type) for the file. */
static void test_pcap_multihost(void **state)
{
	(void)state;
	struct capstats st;
	read_capture(CAP("IGMPv3_Multihost.pcap"), &st);
	assert_int_equal(st.igmp, 79);
	assert_int_equal(st.bad_csum, 0);
	assert_int_equal(st.findings, 0);
	assert_int_equal(st.q_v1 + st.q_v2, 0);
	assert_int_equal(st.q_gen, 8);
	assert_int_equal(st.q_gs, 12);
	assert_int_equal(st.q_gss, 13);
	assert_int_equal(st.rep_v1 + st.rep_v2 + st.leave, 0);
	assert_int_equal(st.rep_v3, 46);
	assert_int_equal(st.multi_rec, 4);
	assert_int_equal(st.recs, 51);
	assert_int_equal(st.rec[IPK_IGMP_IS_IN], 8);
	assert_int_equal(st.rec[IPK_IGMP_IS_EX], 26);
	assert_int_equal(st.rec[IPK_IGMP_TO_IN], 6);
	assert_int_equal(st.rec[IPK_IGMP_TO_EX], 3);
	assert_int_equal(st.rec[IPK_IGMP_ALLOW], 4);
	assert_int_equal(st.rec[IPK_IGMP_BLOCK], 4);
	assert_int_equal(st.rec[0] + st.rec[7], 0);
	assert_int_equal(st.aux_words, 0);
}

static void test_pcap_zeek(void **state)
{
	(void)state;
	struct capstats st;
	read_capture(CAP("igmp.pcap"), &st);
	assert_int_equal(st.igmp, 12);
	assert_int_equal(st.bad_csum, 0);
	assert_int_equal(st.findings, 0);
	assert_int_equal(st.rep_v3, 4);
	assert_int_equal(st.recs, 4);
	assert_int_equal(st.rec[IPK_IGMP_TO_EX], 4);
	assert_int_equal(st.rep_v2, 6);
	assert_int_equal(st.leave, 2);
	assert_int_equal(st.q_v1 + st.q_v2 + st.q_gen + st.q_gs + st.q_gss + st.rep_v1, 0);

	/* the same file with one v2 report checksum broken (tcpdump: "bad igmp cksum 905!") */
	read_capture(CAP("igmp-bad-checksum.pcap"), &st);
	assert_int_equal(st.igmp, 12);
	assert_int_equal(st.bad_csum, 1);

	/* v1 queries without IP options (IHL 5) and v1 reports with RA */
	read_capture(CAP("multicast-igmp-version-membership-query-and-report.pcap"), &st);
	assert_int_equal(st.igmp, 16);
	assert_int_equal(st.q_v1, 8);
	assert_int_equal(st.rep_v1, 8);
	assert_int_equal(st.bad_csum, 0);
	assert_int_equal(st.findings, 0);

	/* IP total length counting Ethernet padding: 22-byte query and report (tcpdump "invalid
	 * len 22"); the padding is covered by the checksum and reported as trailing bytes */
	read_capture(CAP("home-multicast-short.pcap"), &st);
	assert_int_equal(st.igmp, 3);
	assert_int_equal(st.q_gen, 1);
	assert_int_equal(st.rep_v3, 2);
	assert_int_equal(st.rec[IPK_IGMP_IS_EX], 3);
	assert_int_equal(st.bad_csum, 0);
	assert_int_equal(st.trailing, 2);
}

/*
 * ipk_igmp_dgram_finish() writes the header itself: byte for byte what ipk_igmp_ip4_defaults() +
 * ipk_ip4_marshal() give, for every type byte, message lengths 0..12 and 104 and sources that
 * stress the checksum carries.
 */
static void test_dgram_finish_model(void **state)
{
	(void)state;
	static const uint32_t srcs[] = {0, 0xffffffffu, A(192, 168, 1, 1), A(255, 255, 0, 0)};
	static const size_t lens[] = {0, 1, 3, 4, 7, 8, 12, 104};
	uint8_t a[24 + 104], b[24 + 104];
	for (unsigned type = 0; type < 256; type++) {
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
			for (size_t si = 0; si < sizeof(srcs) / sizeof(srcs[0]); si++) {
				size_t n = lens[li];
				for (size_t i = 0; i < sizeof(a); i++)
					a[i] = (uint8_t)(i * 37 + type + si);
				if (n)
					a[24] = (uint8_t)type;
				if (n >= 8 && (type & 1)) /* a zero group (general query) too */
					memset(a + 28, 0, 4);
				memcpy(b, a, sizeof(a));
				assert_int_equal(ipk_igmp_dgram_finish(a, sizeof(a), n, srcs[si]),
						 (int)(24 + n));
				struct ipk_ip4 h;
				ipk_igmp_ip4_defaults(b + 24, n, srcs[si], &h);
				assert_int_equal(ipk_ip4_marshal(&h, n, 0, b, 24), 24);
				assert_memory_equal(a, b, sizeof(a));
				assert_int_equal(ipk_csum(a, 24), 0);
			}
		}
	}
}

/*
 * v3 report records against a byte-wise model: source counts 0..9 (the four-at-a-time copy and
 * its remainder), aux data 0..2 words given or NULL (zeros), several records back to back.
 */
static void test_v3r_add_model(void **state)
{
	(void)state;
	uint32_t srcs[9];
	uint8_t aux[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t buf[1024], want[1024];
	for (size_t i = 0; i < 9; i++)
		srcs[i] = 0x01020304u * (uint32_t)(i + 1) + 0xf0000000u;
	for (unsigned aw = 0; aw < 3; aw++) {
		for (int nul = 0; nul < 2; nul++) {
			struct ipk_wbuf w;
			struct ipk_igmp_v3r r;
			ipk_wbuf_init(&w, buf, sizeof(buf));
			memset(buf, PAT, sizeof(buf));
			memset(want, PAT, sizeof(want));
			w.len = 3; /* not at offset 0 */
			assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
			size_t o = 3;
			memset(want + o, 0, 8);
			want[o] = IPK_IGMP_V3_REPORT;
			o += 8;
			for (uint16_t ns = 0; ns <= 9; ns++) {
				uint32_t g = A(239, 0, aw, ns);
				assert_int_equal(ipk_igmp_v3r_add(&w, &r, (uint8_t)(ns % 7), g, srcs,
								  ns, nul ? NULL : aux, (uint8_t)aw),
						 0);
				want[o++] = (uint8_t)(ns % 7);
				want[o++] = (uint8_t)aw;
				want[o++] = 0;
				want[o++] = (uint8_t)ns;
				for (int k = 24; k >= 0; k -= 8)
					want[o++] = (uint8_t)(g >> k);
				for (size_t i = 0; i < ns; i++)
					for (int k = 24; k >= 0; k -= 8)
						want[o++] = (uint8_t)(srcs[i] >> k);
				for (size_t i = 0; i < 4u * aw; i++)
					want[o++] = nul ? 0 : aux[i];
				assert_int_equal(w.len, o);
			}
			assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
			want[3 + 6] = 0;
			want[3 + 7] = 10;
			uint16_t c = ipk_csum(want + 3, o - 3);
			want[3 + 2] = (uint8_t)(c >> 8);
			want[3 + 3] = (uint8_t)c;
			assert_memory_equal(buf, want, sizeof(buf));
			struct ipk_igmp m;
			parse_ok(buf + 3, o - 3, &m);
			assert_true(m.checksum_ok);
			assert_int_equal(m.nrecs, 10);
		}
	}
}

/* ipk_igmp_put_v3_report writes exactly what begin/add/end write, for many record shapes (aux
 * data given and NULL, 0..9 sources, unknown types), and fails cleanly. */
static void test_put_v3_report(void **state)
{
	(void)state;
	static uint32_t srcs[16];
	static const uint8_t aux[8] = {1, 2, 3, 4, 0xfe, 0xdc, 0xba, 0x98};
	uint8_t a[2048], b[2048];
	uint32_t seed = 12345;

	for (int k = 0; k < 16; k++)
		srcs[k] = IPK_IP4_ADDR(198, 18, 1, k + 1) ^ (uint32_t)k << 13;
	for (int iter = 0; iter < 2000; iter++) {
		struct ipk_igmp_rec_spec recs[12];
		size_t n = (size_t)(iter % 13);
		if (n == 12)
			n = 0; /* no records at all */
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			recs[i].type = (uint8_t)(seed >> 24) % 8;
			recs[i].nsrcs = (uint16_t)((seed >> 8) % 10);
			recs[i].aux_words = (uint8_t)((seed >> 4) % 3);
			recs[i].group = IPK_IP4_ADDR(239, 1, (seed >> 16) & 0xff, i);
			recs[i].srcs = recs[i].nsrcs ? srcs + (seed % 6) : NULL;
			recs[i].aux = (seed & 1) ? aux : NULL;
		}
		struct ipk_wbuf wa, wb;
		struct ipk_igmp_v3r r;
		ipk_wbuf_init(&wa, a, sizeof(a));
		ipk_wbuf_init(&wb, b, sizeof(b));
		wa.len = wb.len = 3; /* not at the start of the buffer */
		assert_int_equal(ipk_igmp_v3r_begin(&wa, &r), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(ipk_igmp_v3r_add(&wa, &r, recs[i].type, recs[i].group,
							  recs[i].srcs, recs[i].nsrcs, recs[i].aux,
							  recs[i].aux_words),
					 0);
		assert_int_equal(ipk_igmp_v3r_end(&wa, &r), 0);
		assert_int_equal(ipk_igmp_put_v3_report(&wb, recs, n), 0);
		assert_int_equal(wa.len, wb.len);
		assert_memory_equal(a + 3, b + 3, wa.len - 3);
		assert_int_equal(ipk_csum(b + 3, wb.len - 3), 0);

		/* every smaller capacity: NOSPACE, nothing written, length unchanged */
		if (iter < 200) {
			for (size_t cap = 3; cap < wb.len; cap++) {
				uint8_t c[2048];
				memset(c, 0xa5, sizeof(c));
				struct ipk_wbuf wc;
				ipk_wbuf_init(&wc, c, cap);
				wc.len = 3;
				assert_int_equal(ipk_igmp_put_v3_report(&wc, recs, n), IPK_E_NOSPACE);
				assert_int_equal(wc.len, 3);
				for (size_t k = 0; k < sizeof(c); k++)
					assert_int_equal(c[k], 0xa5);
			}
		}
	}
	struct ipk_igmp_rec_spec bad = {IPK_IGMP_ALLOW, 0, 2, IPK_IP4_ADDR(232, 1, 1, 1), NULL, NULL};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, a, sizeof(a));
	assert_int_equal(ipk_igmp_put_v3_report(&w, &bad, 1), IPK_E_INVAL);
	assert_int_equal(ipk_igmp_put_v3_report(&w, NULL, 1), IPK_E_INVAL);
	assert_int_equal(ipk_igmp_put_v3_report(&w, &bad, 70000), IPK_E_INVAL);
	assert_int_equal(w.len, 0);
	/* the docs/igmp.md section 6 vector: one TO_EX({}) record for 239.1.1.1 */
	static const uint8_t vec[] = {0x22, 0, 0xe9, 0xfb, 0, 0, 0, 1, 4, 0, 0, 0, 0xef, 1, 1, 1};
	struct ipk_igmp_rec_spec toex = {IPK_IGMP_TO_EX, 0, 0, IPK_IP4_ADDR(239, 1, 1, 1), NULL, NULL};
	assert_int_equal(ipk_igmp_put_v3_report(&w, &toex, 1), 0);
	assert_int_equal(w.len, sizeof(vec));
	assert_memory_equal(a, vec, sizeof(vec));
}

/* Overrides: every field craft can set, against bytes scapy 2.5 (contrib igmpv3) wrote; the
 * trailing bytes are inside the checksum; no room for them writes nothing. */
static void test_build_overrides(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct ipk_wbuf w;
	static const uint8_t trail[3] = {1, 2, 3};
	/* IGMPv3(type=0x16,mrcode=5)/Raw(bytes([239,1,1,1,1,2,3])) */
	static const uint8_t v2t[] = {0x16, 0x05, 0xf5, 0xf5, 0xef, 0x01, 0x01, 0x01, 0x01, 0x02, 0x03};
	/* IGMPv3(type=0x11,mrcode=100)/IGMPv3mq(gaddr='232.1.1.1',s=1,qrv=2,qqic=125,numsrc=9,
	 * srcaddrs=['198.18.0.1']) */
	static const uint8_t v3q[] = {0x11, 0x64, 0x34, 0xff, 0xe8, 0x01, 0x01, 0x01,
				      0x0a, 0x7d, 0x00, 0x09, 0xc6, 0x12, 0x00, 0x01};
	/* IGMPv3(type=0x22)/IGMPv3mr(res2=0xbeef,numgrp=7,records=[IGMPv3gr(rtype=4,maddr='239.1.1.1')]) */
	static const uint8_t v3r[] = {0x22, 0x00, 0x2b, 0x06, 0xbe, 0xef, 0x00, 0x07,
				      0x04, 0x00, 0x00, 0x00, 0xef, 0x01, 0x01, 0x01};
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_TYPE | IPK_IGMP_KEEP_CODE, .type = 0x16,
				  .code = 5, .trail = trail, .trail_len = 3};

	for (size_t cap = 0; cap < sizeof(v2t); cap++) {
		memset(buf, 0xcc, sizeof(buf));
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(ipk_igmp_put8(&w, IPK_IGMP_V1_REPORT, 0, IPK_IP4_ADDR(239, 1, 1, 1), &o),
				 IPK_E_NOSPACE);
		assert_int_equal(w.len, 0);
		assert_int_equal(buf[0] & buf[7] & buf[10], 0xcc);
	}
	ipk_wbuf_init(&w, buf, sizeof(v2t));
	assert_int_equal(ipk_igmp_put8(&w, IPK_IGMP_V1_REPORT, 0, IPK_IP4_ADDR(239, 1, 1, 1), &o), 0);
	assert_int_equal(w.len, sizeof(v2t));
	assert_memory_equal(buf, v2t, sizeof(v2t));
	/* the checksum as given, nothing else kept */
	o = (struct ipk_igmp_over){.keep = IPK_IGMP_KEEP_CSUM | IPK_IGMP_KEEP_COUNT, .checksum = 0xdead};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put8(&w, IPK_IGMP_V2_LEAVE, 0, 0, &o), 0);
	assert_int_equal(w.len, 8);
	assert_int_equal(buf[0], IPK_IGMP_V2_LEAVE);
	assert_int_equal(buf[2] << 8 | buf[3], 0xdead);
	assert_int_equal(buf[6] | buf[7], 0); /* count is a v3 field */

	const uint32_t src = IPK_IP4_ADDR(198, 18, 0, 1);
	o = (struct ipk_igmp_over){.keep = IPK_IGMP_KEEP_COUNT, .count = 9};
	struct ipk_igmp_v3q q = {.mrc = 100, .s = 1, .qrv = 2, .qqic = 125,
				 .group = IPK_IP4_ADDR(232, 1, 1, 1), .srcs = &src, .nsrcs = 1,
				 .over = &o};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	assert_int_equal(w.len, sizeof(v3q));
	assert_memory_equal(buf, v3q, sizeof(v3q));
	o.trail = trail;
	o.trail_len = 3;
	ipk_wbuf_init(&w, buf, sizeof(v3q) + 2);
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), IPK_E_NOSPACE);
	assert_int_equal(w.len, 0);

	const struct ipk_igmp_rec_spec rec = {.type = IPK_IGMP_TO_EX, .group = IPK_IP4_ADDR(239, 1, 1, 1)};
	o = (struct ipk_igmp_over){.keep = IPK_IGMP_KEEP_COUNT | IPK_IGMP_KEEP_RESV, .count = 7,
				   .resv = 0xbeef};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_igmp_put_v3_report_over(&w, &rec, 1, &o), 0);
	assert_int_equal(w.len, sizeof(v3r));
	assert_memory_equal(buf, v3r, sizeof(v3r));
	/* with trailing bytes: the checksum covers them; without room for them nothing is written */
	o.trail = trail;
	o.trail_len = 3;
	for (size_t cap = 0; cap < sizeof(v3r) + 3; cap++) {
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(ipk_igmp_put_v3_report_over(&w, &rec, 1, &o), IPK_E_NOSPACE);
		assert_int_equal(w.len, 0);
		assert_int_equal(w.cap, cap);
	}
	ipk_wbuf_init(&w, buf, sizeof(v3r) + 3);
	assert_int_equal(ipk_igmp_put_v3_report_over(&w, &rec, 1, &o), 0);
	assert_int_equal(w.len, sizeof(v3r) + 3);
	assert_memory_equal(buf + 4, v3r + 4, sizeof(v3r) - 4);
	assert_memory_equal(buf + sizeof(v3r), trail, 3);
	assert_int_equal(ipk_csum(buf, w.len), 0);
	/* NULL overrides: the plain builder's bytes */
	uint8_t plain[64];
	struct ipk_wbuf pw;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	ipk_wbuf_init(&pw, plain, sizeof(plain));
	assert_int_equal(ipk_igmp_put_v3_report_over(&w, &rec, 1, NULL), 0);
	assert_int_equal(ipk_igmp_put_v3_report(&pw, &rec, 1), 0);
	assert_int_equal(w.len, pw.len);
	assert_memory_equal(buf, plain, w.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_build_overrides),
	    cmocka_unit_test(test_parse_v1_v2),
	    cmocka_unit_test(test_parse_v3_query),
	    cmocka_unit_test(test_parse_v3_report),
	    cmocka_unit_test(test_parse_other_types),
	    cmocka_unit_test(test_query_lengths),
	    cmocka_unit_test(test_query_truncation),
	    cmocka_unit_test(test_report_truncation),
	    cmocka_unit_test(test_aux_skip),
	    cmocka_unit_test(test_unknown_records),
	    cmocka_unit_test(test_code_table),
	    cmocka_unit_test(test_code_exhaustive),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_builder_roundtrip),
	    cmocka_unit_test(test_nospace),
	    cmocka_unit_test(test_set_checksum),
	    cmocka_unit_test(test_check_clean),
	    cmocka_unit_test(test_check_findings),
	    cmocka_unit_test(test_ip4_defaults),
	    cmocka_unit_test(test_dgram_finish),
	    cmocka_unit_test(test_dgram_finish_model),
	    cmocka_unit_test(test_v3r_add_model),
	    cmocka_unit_test(test_put_v3_report),
	    cmocka_unit_test(test_pcap_multihost),
	    cmocka_unit_test(test_pcap_zeek),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
