/* test_mutate.c - the structure-aware mutator: determinism, every operation reached, checksums fixed or kept, bounds (never past cap, never reading past len), modes, and how soon an MRC 0 v3 query (CVE-2012-0207) appears. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/mutate.h"

#define A IPK_IP4_ADDR
#define HOST A(198, 18, 0, 1)
#define CAP 2048

/* The seeds, built with the codec: a v3 group-and-source query, a v3 report with four records
 * (sources, aux data), a v2 report carrying RA, RR and TS options, a v2 general query. */
struct seed {
	uint8_t b[CAP];
	size_t len;
};

static void v3_query(struct seed *s)
{
	const uint32_t srcs[] = {A(198, 18, 1, 1), A(198, 18, 1, 2)};
	struct ipk_igmp_v3q q = {ipk_igmp_code_encode(100), 0, 0, 2, ipk_igmp_code_encode(125),
				 A(239, 1, 1, 1), srcs, 2, NULL};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, s->b + IPK_IGMP_HDRROOM, CAP - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	int n = ipk_igmp_dgram_finish(s->b, CAP, w.len, HOST);
	assert_true(n > 0);
	s->len = (size_t)n;
}

static void v3_report(struct seed *s)
{
	const uint32_t srcs[] = {A(198, 18, 1, 1), A(198, 18, 1, 2), A(198, 18, 1, 3)};
	const uint8_t aux[4] = {1, 2, 3, 4};
	const struct ipk_igmp_rec_spec recs[] = {
		{IPK_IGMP_IS_IN, 0, 2, A(239, 1, 1, 1), srcs, NULL},
		{IPK_IGMP_TO_EX, 0, 0, A(239, 1, 1, 2), NULL, NULL},
		{IPK_IGMP_ALLOW, 1, 3, A(239, 1, 1, 3), srcs, aux},
		{IPK_IGMP_BLOCK, 0, 1, A(239, 1, 1, 4), srcs, NULL},
	};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, s->b + IPK_IGMP_HDRROOM, CAP - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_report(&w, recs, 4), 0);
	int n = ipk_igmp_dgram_finish(s->b, CAP, w.len, HOST);
	assert_true(n > 0);
	s->len = (size_t)n;
}

static void optioned(struct seed *s)
{
	uint8_t opts[IPK_IP4_MAXOPTLEN], msg[8];
	const uint32_t rr[] = {HOST, A(198, 18, 0, 2)};
	struct ipk_wbuf o, w;
	ipk_wbuf_init(&o, opts, sizeof(opts));
	assert_int_equal(ipk_opt_put_ra(&o, 0), 0);
	assert_int_equal(ipk_opt_put_route(&o, IPK_OPT_RR, 0, rr, 2), 0);
	assert_int_equal(ipk_opt_put_ts(&o, IPK_OPT_TS_TSONLY, 0, 0, NULL, NULL, 2), 0);
	assert_int_equal(ipk_opt_pad(&o), 0);
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, A(239, 2, 2, 2)), 0);
	struct ipk_ip4 h;
	ipk_igmp_ip4_defaults(msg, 8, HOST, &h);
	h.opts = opts;
	h.opts_len = (uint16_t)o.len;
	int n = ipk_ip4_marshal(&h, 8, 0, s->b, CAP);
	assert_true(n > 0);
	memcpy(s->b + n, msg, 8);
	s->len = (size_t)n + 8;
}

static void v2_query(struct seed *s)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, s->b + IPK_IGMP_HDRROOM, CAP - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, 100, 0), 0);
	int n = ipk_igmp_dgram_finish(s->b, CAP, w.len, HOST);
	assert_true(n > 0);
	s->len = (size_t)n;
}

static struct seed seeds[4];

static int setup(void **state)
{
	(void)state;
	v3_query(&seeds[0]);
	v3_report(&seeds[1]);
	optioned(&seeds[2]);
	v2_query(&seeds[3]);
	return 0;
}

/* Every seed is valid to begin with: strict IPv4, IGMP checksum right. */
static void test_seeds_valid(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		struct ipk_ip4 h;
		struct ipk_igmp g;
		assert_int_equal(ipk_ip4_parse(seeds[i].b, seeds[i].len, IPK_IP4_STRICT, &h, NULL), 0);
		assert_int_equal(ipk_igmp_parse(seeds[i].b + h.hlen, seeds[i].len - h.hlen, &g, NULL), 0);
		assert_true(g.checksum_ok);
	}
}

/* One mutation of a fresh copy of seed s into an exact-size heap buffer of cap bytes. */
static size_t mutate_copy(struct ipk_mutator *m, const struct seed *s, uint8_t *out, size_t cap,
			  struct ipk_mut_info *info)
{
	memcpy(out, s->b, s->len);
	size_t n = ipk_mut_datagram(m, out, s->len, cap, info);
	assert_true(n >= 1 && n <= cap);
	return n;
}

static void test_determinism(void **state)
{
	(void)state;
	struct ipk_mutator a, b, c;
	uint8_t x[CAP], y[CAP];
	ipk_mut_init(&a, 42, 0);
	ipk_mut_init(&b, 42, 0);
	ipk_mut_init(&c, 43, 0);
	int differ = 0;
	for (int i = 0; i < 3000; i++) {
		const struct seed *s = &seeds[i % 4];
		struct ipk_mut_info ia, ib, ic;
		size_t na = mutate_copy(&a, s, x, CAP, &ia);
		size_t nb = mutate_copy(&b, s, y, CAP, &ib);
		assert_int_equal(na, nb);
		assert_memory_equal(x, y, na);
		assert_int_equal(ia.op, ib.op);
		assert_int_equal(ia.offset, ib.offset);
		assert_int_equal(ia.new_val, ib.new_val);
		assert_string_equal(ia.field, ib.field);
		size_t nc = mutate_copy(&c, s, y, CAP, &ic);
		differ += nc != na || memcmp(x, y, na) != 0;
	}
	assert_int_equal(a.count, 3000);
	assert_true(differ > 2500); /* another seed, another sequence */
	/* chained: each output is the next input */
	ipk_mut_init(&a, 7, 0);
	ipk_mut_init(&b, 7, 0);
	size_t na = seeds[1].len, nb = na;
	memcpy(x, seeds[1].b, na);
	memcpy(y, seeds[1].b, nb);
	for (int i = 0; i < 2000; i++) {
		na = ipk_mut_datagram(&a, x, na, CAP, NULL);
		nb = ipk_mut_datagram(&b, y, nb, CAP, NULL);
		assert_int_equal(na, nb);
		assert_memory_equal(x, y, na);
	}
}

/* Every operation is reached from the valid seeds within a few thousand calls. */
static void test_every_op(void **state)
{
	(void)state;
	unsigned seen[IPK_MUT_NOPS] = {0};
	struct ipk_mutator m;
	uint8_t *out = malloc(CAP);
	assert_non_null(out);
	ipk_mut_init(&m, 1, 0);
	for (int i = 0; i < 20000; i++) {
		struct ipk_mut_info info;
		size_t n = mutate_copy(&m, &seeds[i % 4], out, CAP, &info);
		assert_true(info.op < IPK_MUT_NOPS);
		assert_non_null(info.field);
		assert_int_equal(info.new_len, n);
		assert_int_equal(info.old_len, seeds[i % 4].len);
		assert_true(info.offset <= (n > info.old_len ? n : info.old_len));
		seen[info.op]++;
	}
	/* havoc: input that is not IPv4 */
	uint8_t junk[10] = {0x45, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct ipk_mut_info info;
	memcpy(out, junk, sizeof(junk));
	assert_true(ipk_mut_datagram(&m, out, sizeof(junk), CAP, &info) > 0);
	seen[info.op]++;
	assert_int_equal(info.op, IPK_MUT_HAVOC);
	assert_true(ipk_mut_splice(&m, out, seeds[0].len, seeds[1].b, seeds[1].len, CAP, &info) > 0);
	seen[info.op]++;
	assert_int_equal(info.op, IPK_MUT_SPLICE);
	free(out);
	for (int op = 0; op < IPK_MUT_NOPS; op++) {
		if (!seen[op])
			fail_msg("operation %s never reached", ipk_mut_op_name(op));
	}
	/* no structured operation falls back to havoc on valid input */
	assert_int_equal(seen[IPK_MUT_HAVOC], 1);
}

/* The field an operation names is the field that changed: read back through the codec. */
static void test_info_matches(void **state)
{
	(void)state;
	struct ipk_mutator m;
	uint8_t out[CAP];
	unsigned checked = 0;
	ipk_mut_init(&m, 3, 0);
	for (int i = 0; i < 5000; i++) {
		struct ipk_mut_info info;
		size_t n = mutate_copy(&m, &seeds[0], out, CAP, &info);
		struct ipk_ip4 h;
		struct ipk_igmp g;
		if (ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL) != 0)
			continue;
		int grc = ipk_igmp_parse(out + h.hlen, n - h.hlen, &g, NULL);
		switch (info.op) {
		case IPK_MUT_IP_TTL:
			assert_int_equal(h.ttl, info.new_val);
			assert_int_equal(seeds[0].b[info.offset], info.old_val);
			break;
		case IPK_MUT_IP_ID:
			assert_int_equal(h.id, info.new_val);
			break;
		case IPK_MUT_IP_DST:
			assert_int_equal(h.dst, info.new_val);
			break;
		case IPK_MUT_IGMP_CODE:
			assert_true(grc == 0 || grc == IPK_E_IGMP_SOURCES);
			assert_int_equal(g.code, info.new_val);
			assert_string_equal(info.field, "mrc");
			assert_int_equal(info.offset, h.hlen + 1);
			break;
		case IPK_MUT_IGMP_QQIC:
			assert_int_equal(g.qqic, info.new_val);
			break;
		case IPK_MUT_IGMP_NSRCS:
			assert_int_equal(g.nsrcs, info.new_val);
			assert_int_equal(n, seeds[0].len); /* the count lies, the bytes stay */
			break;
		default:
			continue;
		}
		assert_int_not_equal(info.old_val, info.new_val);
		checked++;
	}
	assert_true(checked > 500);
}

/* Checksums: right after every change but the checksum operations; left as changed with
 * IPK_MUT_KEEP_CSUM. */
static void test_checksums(void **state)
{
	(void)state;
	struct ipk_mutator m, k;
	uint8_t out[CAP];
	unsigned ip_checked = 0, igmp_checked = 0, kept = 0;
	ipk_mut_init(&m, 5, 0);
	ipk_mut_init(&k, 5, IPK_MUT_KEEP_CSUM);
	for (int i = 0; i < 12000; i++) {
		struct ipk_mut_info info;
		const struct seed *s = &seeds[i % 4];
		size_t n = mutate_copy(&m, s, out, CAP, &info);
		struct ipk_ip4 h;
		if (ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL) != 0)
			continue; /* IHL below 5 or past the bytes: no header checksum to speak of */
		if (info.op != IPK_MUT_IP_CSUM) {
			if (!h.checksum_ok)
				fail_msg("op %s seed %d", ipk_mut_op_name(info.op), i % 4);
			ip_checked++;
		} else {
			assert_false(h.checksum_ok);
		}
		if (info.layer == IPK_LAYER_IGMP) {
			size_t end = h.total_len >= h.hlen && h.total_len <= n ? h.total_len : n;
			struct ipk_igmp g;
			if (ipk_igmp_parse(out + h.hlen, end - h.hlen, &g, NULL) == IPK_E_IGMP_SHORT)
				continue;
			if (info.op == IPK_MUT_IGMP_CSUM)
				assert_false(g.checksum_ok);
			else
				assert_true(g.checksum_ok);
			igmp_checked++;
		}
		/* the same with the checksums kept: a field change leaves them wrong */
		n = mutate_copy(&k, s, out, CAP, &info);
		/* (TTL shares its word with the protocol, so it cannot turn 0x0000 into 0xffff, which
		 * one's complement sums treat as equal: an ID change could) */
		if (info.op == IPK_MUT_IP_TTL &&
		    ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL) == 0) {
			assert_false(h.checksum_ok);
			kept++;
		}
		if (info.op == IPK_MUT_IGMP_CODE || info.op == IPK_MUT_IGMP_QQIC) {
			struct ipk_igmp g;
			assert_int_equal(ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL), 0);
			assert_true(h.checksum_ok); /* the IPv4 header was not touched */
			int rc = ipk_igmp_parse(out + h.hlen, n - h.hlen, &g, NULL);
			assert_true(rc == 0 || rc == IPK_E_IGMP_SOURCES);
			assert_false(g.checksum_ok);
			kept++;
		}
	}
	assert_true(ip_checked > 10000);
	assert_true(igmp_checked > 3000);
	assert_true(kept > 300);
}

/*
 * A one-field change leaves the datagram clean but for that field: strict IPv4 and IGMP checks
 * of the result find nothing, or one finding at the byte the change names (a TTL of 0, a
 * reserved flag, an unknown record type...), and never a checksum error.
 */
static void test_clean_but_field(void **state)
{
	(void)state;
	const int ops[] = {IPK_MUT_IP_TOS, IPK_MUT_IP_ID, IPK_MUT_IP_TTL, IPK_MUT_IP_FLAGS,
			   IPK_MUT_IGMP_CODE, IPK_MUT_IGMP_QQIC, IPK_MUT_IGMP_QRV, IPK_MUT_IGMP_SRC,
			   IPK_MUT_IGMP_REC_TYPE, IPK_MUT_IGMP_REC_GROUP};
	struct ipk_mutator m;
	uint8_t out[CAP];
	unsigned checked = 0, flagged = 0;
	ipk_mut_init(&m, 11, 0);
	for (int i = 0; i < 8000; i++) {
		struct ipk_mut_info info;
		size_t n = mutate_copy(&m, &seeds[i % 2], out, CAP, &info);
		int one = 0;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			one |= info.op == ops[k];
		if (!one)
			continue;
		struct ipk_ip4 h;
		struct ipk_igmp g;
		struct ipk_findings f = {0};
		assert_int_equal(ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL), 0);
		ipk_ip4_check(&h, out, n, &f);
		assert_int_equal(ipk_igmp_parse(out + h.hlen, n - h.hlen, &g, NULL), 0);
		assert_true(g.checksum_ok);
		ipk_igmp_check(&h, &g, 0, h.hlen, &f);
		for (unsigned k = 0; k < f.n; k++) {
			assert_int_not_equal(f.v[k].code, IPK_E_IP_CHECKSUM);
			/* the finding names the changed byte or the 16/32-bit field around it */
			if (f.v[k].offset + 3 < info.offset || f.v[k].offset > info.offset + 3)
				fail_msg("%s: %s at %u, change at %u", ipk_mut_op_name(info.op),
					 ipk_errname(f.v[k].code), (unsigned)f.v[k].offset,
					 (unsigned)info.offset);
		}
		flagged += f.n > 0;
		checked++;
	}
	assert_true(checked > 1000);
	assert_true(flagged > 50 && flagged < checked);
}

/*
 * Bounds: chained mutations (each output the next input, so structures get strange) in exact-size
 * heap buffers of several capacities: ASan catches a write past cap. Bytes between len and cap
 * are filled with two different patterns: the results must not depend on them (no read past len).
 */
static void test_bounds(void **state)
{
	(void)state;
	const size_t caps[] = {28, 36, 60, 64, 100, 300, 1500};
	for (size_t ci = 0; ci < sizeof(caps) / sizeof(caps[0]); ci++) {
		size_t cap = caps[ci];
		uint8_t *x = malloc(cap), *y = malloc(cap);
		assert_non_null(x);
		assert_non_null(y);
		struct ipk_mutator a, b;
		ipk_mut_init(&a, 100 + ci, 0);
		ipk_mut_init(&b, 100 + ci, 0);
		for (int round = 0; round < 40; round++) {
			const struct seed *s = &seeds[round % 4];
			size_t len = s->len < cap ? s->len : cap;
			memcpy(x, s->b, len);
			memcpy(y, s->b, len);
			for (int i = 0; i < 100; i++) {
				memset(x + len, 0xaa, cap - len);
				memset(y + len, 0x55, cap - len);
				struct ipk_mut_info ia, ib;
				size_t na = ipk_mut_datagram(&a, x, len, cap, &ia);
				size_t nb = ipk_mut_datagram(&b, y, len, cap, &ib);
				if (!(na >= 1 && na <= cap))
					fail_msg("op %s len %zu cap %zu -> %zu", ipk_mut_op_name(ia.op), len, cap, na);
				assert_int_equal(na, nb);
				assert_memory_equal(x, y, na);
				char line[160];
				assert_true(ipk_mut_describe(&ia, line, sizeof(line)) < sizeof(line));
				len = na;
			}
			/* and splice with the other seeds */
			size_t n = ipk_mut_splice(&a, x, len, seeds[(round + 1) % 4].b,
						  seeds[(round + 1) % 4].len, cap, NULL);
			assert_true(n >= 1 && n <= cap);
			n = ipk_mut_splice(&b, y, len, seeds[(round + 1) % 4].b,
					   seeds[(round + 1) % 4].len, cap, NULL);
			assert_true(n >= 1 && n <= cap);
		}
		free(x);
		free(y);
	}
	/* len past cap is taken as cap; empty input gets a byte; cap 0 returns 0 */
	struct ipk_mutator m;
	uint8_t b[4] = {0};
	ipk_mut_init(&m, 1, 0);
	assert_true(ipk_mut_datagram(&m, b, 100, 4, NULL) <= 4);
	assert_int_equal(ipk_mut_datagram(&m, b, 0, 4, NULL), 1);
	assert_int_equal(ipk_mut_datagram(&m, b, 0, 0, NULL), 0);
}

/* Modes: IP only touches the IPv4 layer; the query mode keeps queries queries; the report mode
 * keeps reports reports. */
static void test_modes(void **state)
{
	(void)state;
	struct ipk_mutator ip, q, r;
	uint8_t out[CAP];
	unsigned igmp_ops = 0;
	ipk_mut_init(&ip, 9, IPK_MUT_MODE_IP);
	ipk_mut_init(&q, 9, IPK_MUT_MODE_QUERY);
	ipk_mut_init(&r, 9, IPK_MUT_MODE_REPORT);
	for (int i = 0; i < 4000; i++) {
		struct ipk_mut_info info;
		struct ipk_ip4 h;
		struct ipk_igmp g;
		(void)mutate_copy(&ip, &seeds[i % 4], out, CAP, &info);
		assert_int_equal(info.layer, IPK_LAYER_IPV4);
		assert_true(info.op < IPK_MUT_IGMP_TYPE);

		size_t n = mutate_copy(&q, &seeds[i % 2 ? 0 : 3], out, CAP, &info);
		assert_true(info.op != IPK_MUT_IGMP_TYPE && info.op < IPK_MUT_IGMP_RESV);
		igmp_ops += info.layer == IPK_LAYER_IGMP;
		if (info.layer == IPK_LAYER_IGMP && ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL) == 0 &&
		    n >= h.hlen + 1u)
			assert_int_equal(out[h.hlen], IPK_IGMP_QUERY);

		n = mutate_copy(&r, &seeds[i % 2 ? 1 : 2], out, CAP, &info);
		if (info.op == IPK_MUT_IGMP_TYPE) {
			assert_int_equal(ipk_ip4_parse(out, n, IPK_IP4_LAX, &h, NULL), 0);
			assert_int_not_equal(ipk_igmp_parse(out + h.hlen, n - h.hlen, &g, NULL),
					     IPK_E_IGMP_SHORT);
			assert_true(g.type == IPK_IGMP_V1_REPORT || g.type == IPK_IGMP_V2_REPORT ||
				    g.type == IPK_IGMP_V2_LEAVE || g.type == IPK_IGMP_V3_REPORT);
		}
	}
	assert_true(igmp_ops > 2400); /* three in four go to the message */

	/* the harness modes: the message alone, the option area alone */
	struct ipk_mutator gm, om;
	ipk_mut_init(&gm, 10, IPK_MUT_MODE_IGMP);
	ipk_mut_init(&om, 10, IPK_MUT_MODE_OPTS);
	for (int i = 0; i < 2000; i++) {
		struct ipk_mut_info info;
		(void)mutate_copy(&gm, &seeds[i % 4], out, CAP, &info);
		assert_int_equal(info.layer, IPK_LAYER_IGMP);
		(void)mutate_copy(&om, &seeds[2], out, CAP, &info);
		assert_true(info.op >= IPK_MUT_OPT_INSERT && info.op <= IPK_MUT_OPT_DATA);
	}
}

/*
 * CVE-2012-0207: an IGMPv3 query with Max Resp Code 0 made Linux 2.6.36-3.1 divide by zero. From a
 * valid v3 query, mutations of fresh copies must give a well-formed v3 query (checksums right)
 * with MRC 0 within 1000 calls, for every one of 200 seeds; the median is printed.
 */
static void test_cve_2012_0207(void **state)
{
	(void)state;
	uint8_t out[CAP];
	unsigned found = 0, at[200];
	for (unsigned seed = 0; seed < 200; seed++) {
		struct ipk_mutator m;
		ipk_mut_init(&m, seed, seed % 2 ? IPK_MUT_MODE_QUERY : 0);
		at[seed] = 0;
		for (unsigned i = 1; i <= 1000 && !at[seed]; i++) {
			size_t n = mutate_copy(&m, &seeds[0], out, CAP, NULL);
			struct ipk_ip4 h;
			struct ipk_igmp g;
			if (ipk_ip4_parse(out, n, IPK_IP4_STRICT, &h, NULL) == 0 &&
			    ipk_igmp_parse(out + h.hlen, n - h.hlen, &g, NULL) == 0 && g.version == 3 &&
			    g.type == IPK_IGMP_QUERY && g.code == 0 && g.checksum_ok)
				at[seed] = i;
		}
		found += at[seed] != 0;
	}
	unsigned sorted[200], sum = 0;
	memcpy(sorted, at, sizeof(at));
	for (int i = 1; i < 200; i++) /* insertion sort for the median */
		for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			unsigned t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (int i = 0; i < 200; i++)
		sum += at[i];
	printf("MRC 0 v3 query: found for %u/200 seeds, median %u, mean %.1f, max %u mutations\n",
	       found, sorted[100], sum / 200.0, sorted[199]);
	assert_int_equal(found, 200);
}

static void test_names(void **state)
{
	(void)state;
	for (int a = 0; a < IPK_MUT_NOPS; a++) {
		assert_string_not_equal(ipk_mut_op_name(a), "unknown");
		for (int b = 0; b < a; b++)
			assert_string_not_equal(ipk_mut_op_name(a), ipk_mut_op_name(b));
	}
	assert_string_equal(ipk_mut_op_name(IPK_MUT_NOPS), "unknown");
	assert_string_equal(ipk_mut_op_name(-1), "unknown");
	struct ipk_mut_info info = {IPK_MUT_IGMP_CODE, IPK_LAYER_IGMP, "mrc", -1, 25, 100, 0, 40, 40};
	char line[80];
	assert_int_equal(ipk_mut_describe(&info, line, sizeof(line)), 42);
	assert_string_equal(line, "igmp code mrc @25: 100 -> 0 (len 40 -> 40)");
	info.index = 2;
	assert_int_equal(ipk_mut_describe(&info, line, 10), 45);
	assert_string_equal(line, "igmp code");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seeds_valid),  cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_every_op),     cmocka_unit_test(test_info_matches),
	    cmocka_unit_test(test_checksums),    cmocka_unit_test(test_clean_but_field),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_modes),        cmocka_unit_test(test_cve_2012_0207),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
