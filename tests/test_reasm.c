/* test_reasm.c - fragment reassembly: order, duplicates, overlaps, ends, time and memory bounds,
 * the Linux ipfrag rules, and an IGMPv3 report whose checksum only holds once reassembled. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/reasm.h"

#define SEC 1000000000ull
#define SRC IPK_IP4_ADDR(198, 18, 0, 1)
#define DST IPK_IP4_ADDR(198, 18, 0, 2)

static uint8_t dgram[65536];  /* the whole datagram the fragments are cut from */
static size_t dgram_len;
static struct ipk_reasm *R;
static void *mem;

/* A UDP-ish datagram: header (with opt_len bytes of options) and plen payload bytes 0,1,2,... */
static void make_dgram(uint16_t id, uint8_t proto, size_t plen, size_t opt_len)
{
	static const uint8_t opts[40] = {0x94, 0x04, 0, 0}; /* Router Alert, then EOL padding */
	struct ipk_ip4 h = {0};
	h.ttl = 64;
	h.proto = proto;
	h.id = id;
	h.src = SRC;
	h.dst = DST;
	h.opts = opts;
	h.opts_len = (uint16_t)opt_len;
	int n = ipk_ip4_marshal(&h, plen, 0, dgram, sizeof(dgram));
	assert_int_equal(n, 20 + (int)opt_len);
	for (size_t i = 0; i < plen; i++)
		dgram[(size_t)n + i] = (uint8_t)(i * 7 + id);
	dgram_len = (size_t)n + plen;
}

/* Cut payload bytes [off, off+n) of dgram into a fragment at out; mf as given. */
static size_t frag(uint8_t *out, size_t off, size_t n, int mf)
{
	struct ipk_ip4 h;
	assert_int_equal(ipk_ip4_parse(dgram, dgram_len, IPK_IP4_LAX, &h, NULL), 0);
	h.mf = (uint8_t)mf;
	h.frag_off = (uint16_t)(off / 8);
	int hl = ipk_ip4_marshal(&h, n, 0, out, IPK_IP4_MAXLEN);
	assert_true(hl >= 20);
	memcpy(out + hl, dgram + h.hlen + off, n);
	return (size_t)hl + n;
}

struct res {
	int rc;
	struct ipk_findings f;
	struct ipk_reasm_dgram d;
};

/* Add payload [off, off+n) of dgram as frame tag at time t (seconds). */
static struct res add(size_t off, size_t n, int mf, uint64_t tag, uint64_t t)
{
	static uint8_t b[65600];
	struct res r;
	memset(&r, 0, sizeof(r));
	size_t len = frag(b, off, n, mf);
	r.rc = ipk_reasm_add(R, b, len, t * SEC, tag, &r.f, 14, &r.d);
	return r;
}

static int setup_mem(size_t m, unsigned max_dist)
{
	struct ipk_reasm_cfg cfg;
	ipk_reasm_cfg_default(&cfg);
	cfg.mem = m;
	cfg.max_dist = max_dist;
	free(mem);
	mem = malloc(m);
	R = mem ? ipk_reasm_init(mem, &cfg) : NULL;
	return R ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	return setup_mem(IPK_REASM_MEM_DEFAULT, IPK_REASM_MAXDIST_DEFAULT);
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	mem = NULL;
	R = NULL;
	return 0;
}

static void assert_whole(const struct ipk_reasm_dgram *d)
{
	assert_int_equal(d->reason, 0);
	assert_non_null(d->data);
	assert_int_equal(d->len, dgram_len);
	assert_memory_equal(d->data, dgram, dgram_len); /* header bytes too: MF 0, offset 0, sums */
}

static void assert_no_more(void)
{
	struct ipk_reasm_dgram d;
	assert_int_equal(ipk_reasm_flush(R, &d), 0);
}

static void test_defaults(void **state)
{
	(void)state;
	struct ipk_reasm_cfg cfg;
	ipk_reasm_cfg_default(&cfg);
	assert_int_equal(cfg.mem, 4u << 20);        /* ipfrag_high_thresh */
	assert_int_equal(cfg.timeout_ns, 30 * SEC); /* ipfrag_time */
	assert_int_equal(cfg.max_dist, 64);         /* ipfrag_max_dist */
	size_t n = ipk_reasm_capacity(cfg.mem);
	assert_true(n >= 50 && n <= 64);            /* ~66 KiB per datagram in progress */
	assert_int_equal(ipk_reasm_capacity(0), 0);
	assert_int_equal(ipk_reasm_capacity(60000), 0);
	uint8_t small[1024];
	cfg.mem = sizeof(small);
	assert_null(ipk_reasm_init(small, &cfg));
}

static void test_in_order(void **state)
{
	(void)state;
	make_dgram(0x1234, IPK_PROTO_UDP, 1000, 0);
	struct res a = add(0, 400, 1, 1, 0), b = add(400, 400, 1, 2, 0), c = add(800, 200, 0, 3, 1);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(c.rc, 1);
	assert_int_equal(a.f.n + b.f.n + c.f.n, 0);
	assert_whole(&c.d);
	assert_int_equal(c.d.src, SRC);
	assert_int_equal(c.d.dst, DST);
	assert_int_equal(c.d.id, 0x1234);
	assert_int_equal(c.d.proto, IPK_PROTO_UDP);
	assert_int_equal(c.d.nfrags, 3);
	assert_int_equal(c.d.ntags, 3);
	assert_int_equal(c.d.tags[0], 1);
	assert_int_equal(c.d.tags[2], 3);
	assert_int_equal(c.d.first_ns, 0);
	assert_int_equal(c.d.last_ns, SEC);
	assert_no_more();
}

static void test_out_of_order_with_options(void **state)
{
	(void)state;
	make_dgram(7, IPK_PROTO_UDP, 1001, 4); /* odd last fragment, 24-byte header */
	assert_int_equal(add(800, 201, 0, 10, 0).rc, 0);
	assert_int_equal(add(0, 400, 1, 11, 0).rc, 0);
	struct res r = add(400, 400, 1, 12, 0);
	assert_int_equal(r.rc, 1);
	assert_whole(&r.d);
	assert_int_equal(r.d.tags[0], 10);
	assert_no_more();
}

static void test_duplicate(void **state)
{
	(void)state;
	make_dgram(1, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 1, 0).rc, 0);
	struct res d = add(0, 400, 1, 2, 0);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.f.n, 1);
	assert_int_equal(d.f.v[0].code, IPK_E_REASM_DUP);
	assert_int_equal(d.f.v[0].layer, IPK_LAYER_IPV4);
	assert_int_equal(d.f.v[0].offset, 14 + 6); /* f_off + the flags/offset field */
	assert_true(ipk_err_is_finding(IPK_E_REASM_DUP));
	assert_int_equal(add(400, 400, 1, 3, 0).rc, 0);
	struct res c = add(800, 200, 0, 4, 0);
	assert_int_equal(c.rc, 1);
	assert_whole(&c.d);
	assert_int_equal(c.d.nfrags, 4);
}

/* A fragment inside bytes already held, with other values: reported, ignored, first copy wins. */
static void test_contained_different(void **state)
{
	(void)state;
	make_dgram(2, IPK_PROTO_UDP, 1000, 0);
	uint8_t keep[1020];
	memcpy(keep, dgram, dgram_len);
	assert_int_equal(add(0, 800, 1, 1, 0).rc, 0);
	dgram[20 + 500] ^= 0xff;
	struct res o = add(400, 400, 1, 2, 0);
	memcpy(dgram, keep, dgram_len);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.f.n, 1);
	assert_int_equal(o.f.v[0].code, IPK_E_REASM_OVERLAP_DIFF);
	struct res c = add(800, 200, 0, 3, 0);
	assert_int_equal(c.rc, 1);
	assert_whole(&c.d);
}

/* A partial overlap drops the whole datagram (Linux since 4.19), same bytes or not. */
static void test_partial_overlap(void **state)
{
	(void)state;
	for (int differ = 0; differ < 2; differ++) {
		make_dgram((uint16_t)(3 + differ), IPK_PROTO_UDP, 1000, 0);
		assert_int_equal(add(0, 400, 1, 1, 0).rc, 0);
		if (differ)
			dgram[20 + 392] ^= 1; /* inside the 8 bytes both carry */
		struct res o = add(392, 400, 1, 2, 0);
		assert_int_equal(o.rc, 1);
		int code = differ ? IPK_E_REASM_OVERLAP_DIFF : IPK_E_REASM_OVERLAP;
		assert_int_equal(o.f.n, 1);
		assert_int_equal(o.f.v[0].code, code);
		assert_int_equal(o.d.reason, code);
		assert_null(o.d.data);
		assert_int_equal(o.d.len, 400);
		assert_int_equal(o.d.nfrags, 2);
		assert_int_equal(o.d.tags[1], 2);
		assert_no_more();
		/* the rest arrives: it starts a new datagram that never completes */
		assert_int_equal(add(800, 200, 0, 3, 0).rc, 0);
		struct ipk_reasm_dgram d;
		assert_int_equal(ipk_reasm_flush(R, &d), 1);
		assert_int_equal(d.reason, IPK_E_REASM_INCOMPLETE);
		assert_int_equal(d.nfrags, 1);
	}
}

static void test_gap_times_out(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	make_dgram(5, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 1, 100).rc, 0);
	assert_int_equal(add(800, 200, 0, 2, 110).rc, 0);
	assert_int_equal(ipk_reasm_expire(R, 129 * SEC, &d), 0);
	assert_int_equal(ipk_reasm_expire(R, 130 * SEC, &d), 1); /* 30 s after the first */
	assert_int_equal(d.reason, IPK_E_REASM_TIMEOUT);
	assert_int_equal(d.len, 600);
	assert_int_equal(d.ntags, 2);
	assert_int_equal(d.first_ns, 100 * SEC);
	assert_int_equal(d.last_ns, 110 * SEC);
	assert_int_equal(ipk_reasm_expire(R, 130 * SEC, &d), 0);
	assert_no_more();
	/* the missing middle now starts a datagram of its own */
	assert_int_equal(add(400, 400, 1, 3, 131).rc, 0);
	assert_int_equal(ipk_reasm_flush(R, &d), 1);
	assert_int_equal(d.reason, IPK_E_REASM_INCOMPLETE);
	assert_int_equal(d.tags[0], 3);
}

static void test_eviction(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	size_t two = 0;
	for (size_t m = 65536; !two; m += 1024) /* the least memory that holds two datagrams */
		if (ipk_reasm_capacity(m) == 2)
			two = m;
	assert_int_equal(setup_mem(two, 0), 0);
	for (uint16_t id = 1; id <= 2; id++) {
		make_dgram(id, IPK_PROTO_UDP, 1000, 0);
		assert_int_equal(add(0, 400, 1, id, 0).rc, 0);
	}
	make_dgram(2, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(400, 400, 1, 4, 1).rc, 0); /* touches 2: 1 is still the oldest */
	make_dgram(3, IPK_PROTO_UDP, 1000, 0);
	struct res e = add(0, 400, 1, 3, 2);
	assert_int_equal(e.rc, 1);
	assert_int_equal(e.d.reason, IPK_E_REASM_EVICTED);
	assert_int_equal(e.d.id, 1);
	assert_int_equal(e.d.tags[0], 1);
	assert_int_equal(e.f.n, 0);
	/* 2 and 3 still complete */
	make_dgram(2, IPK_PROTO_UDP, 1000, 0);
	struct res c = add(800, 200, 0, 5, 3);
	assert_int_equal(c.rc, 1);
	assert_whole(&c.d);
	make_dgram(3, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(400, 600, 0, 6, 3).rc, 1);
	assert_int_equal(ipk_reasm_flush(R, &d), 0);
}

static void test_too_big(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	/* a fragment ending past what any datagram can carry: nothing is started */
	make_dgram(8, IPK_PROTO_UDP, 1000, 0);
	uint8_t b[1100];
	size_t len = frag(b, 0, 400, 1);
	b[6] = 0x1f; /* offset 8191 blocks: ends at 65528 + 400 */
	b[7] = 0xff;
	b[10] = b[11] = 0;
	uint16_t cs = ipk_csum(b, 20);
	b[10] = (uint8_t)(cs >> 8);
	b[11] = (uint8_t)cs;
	struct ipk_findings f = {0};
	assert_int_equal(ipk_reasm_add(R, b, len, 0, 1, &f, 0, &d), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].code, IPK_E_REASM_TOOBIG);
	assert_no_more();

	/* 65500 payload bytes fit in fragments but not behind a 60-byte header */
	make_dgram(9, IPK_PROTO_UDP, 65500, 0);
	static uint8_t big[65600];
	static const uint8_t opts[40] = {0x94, 0x04, 0, 0};
	struct ipk_ip4 h;
	assert_int_equal(ipk_ip4_parse(dgram, 20, IPK_IP4_LAX, &h, NULL), 0);
	h.opts = opts;
	h.opts_len = 40;
	h.mf = 1;
	int hl = ipk_ip4_marshal(&h, 65472, 0, big, sizeof(big));
	assert_int_equal(hl, 60);
	memcpy(big + 60, dgram + 20, 65472);
	assert_int_equal(ipk_reasm_add(R, big, 60 + 65472u, 0, 1, NULL, 0, &d), 0);
	struct res r = add(65472, 28, 0, 2, 0);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.d.reason, IPK_E_REASM_TOOBIG);
	assert_null(r.d.data);
	assert_no_more();
}

static void test_empty_and_end(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	make_dgram(10, IPK_PROTO_UDP, 1000, 0);
	/* 4 payload bytes with MF: trimmed to whole blocks, nothing is left */
	struct res z = add(0, 4, 1, 1, 0);
	assert_int_equal(z.rc, 0);
	assert_int_equal(z.f.v[0].code, IPK_E_REASM_EMPTY);
	assert_no_more();
	/* in a datagram in progress it drops the datagram (Linux discard_qp) */
	assert_int_equal(add(0, 400, 1, 2, 0).rc, 0);
	z = add(400, 4, 1, 3, 0);
	assert_int_equal(z.rc, 1);
	assert_int_equal(z.d.reason, IPK_E_REASM_EMPTY);
	assert_no_more();
	/* a fragment past the end the last fragment set */
	assert_int_equal(add(800, 200, 0, 4, 0).rc, 0);
	struct res e = add(1000, 8, 1, 5, 0);
	assert_int_equal(e.rc, 1);
	assert_int_equal(e.f.v[0].code, IPK_E_REASM_END);
	assert_int_equal(e.d.reason, IPK_E_REASM_END);
	assert_int_equal(ipk_reasm_flush(R, &d), 0);
	/* two last fragments that disagree */
	assert_int_equal(add(800, 200, 0, 6, 0).rc, 0);
	e = add(800, 100, 0, 7, 0);
	assert_int_equal(e.rc, 1);
	assert_int_equal(e.d.reason, IPK_E_REASM_END);
	assert_no_more();
}

static void test_max_dist(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	assert_int_equal(setup_mem(IPK_REASM_MEM_DEFAULT, 2), 0);
	make_dgram(100, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 1, 0).rc, 0);
	make_dgram(101, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 2, 0).rc, 0); /* one between: fine */
	make_dgram(100, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(400, 400, 1, 3, 0).rc, 0);
	make_dgram(102, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 4, 0).rc, 0);
	make_dgram(103, IPK_PROTO_UDP, 1000, 0);
	assert_int_equal(add(0, 400, 1, 5, 0).rc, 0);
	make_dgram(100, IPK_PROTO_UDP, 1000, 0);
	struct res t = add(800, 200, 0, 6, 0); /* two between, three fragments apart: too far */
	assert_int_equal(t.rc, 1);
	assert_int_equal(t.f.v[0].code, IPK_E_REASM_TOOFAR);
	assert_int_equal(t.d.reason, IPK_E_REASM_TOOFAR);
	assert_int_equal(t.d.id, 100);
	assert_int_equal(t.d.nfrags, 2);
	assert_int_equal(t.d.len, 800);
	/* 100 restarted with its last fragment: the first two again complete it */
	assert_int_equal(add(0, 400, 1, 7, 0).rc, 0);
	struct res c = add(400, 400, 1, 8, 0);
	assert_int_equal(c.rc, 1);
	assert_whole(&c.d);
	assert_int_equal(c.d.tags[0], 6);
	int n = 0;
	while (ipk_reasm_flush(R, &d))
		n++;
	assert_int_equal(n, 3); /* 101, 102, 103 */
}

static void test_rejects(void **state)
{
	(void)state;
	struct ipk_reasm_dgram d;
	make_dgram(11, IPK_PROTO_UDP, 100, 0);
	assert_int_equal(ipk_reasm_add(R, dgram, dgram_len, 0, 1, NULL, 0, &d), IPK_E_INVAL);
	uint8_t b[200];
	size_t len = frag(b, 0, 48, 1);
	b[11] ^= 1;
	assert_int_equal(ipk_reasm_add(R, b, len, 0, 1, NULL, 0, &d), IPK_E_IP_CHECKSUM);
	b[11] ^= 1;
	/* never past len: a fragment cut short is refused without a read past its end */
	const uint8_t *g = guard_place(b, len - 1);
	assert_non_null(g);
	assert_int_equal(ipk_reasm_add(R, g, len - 1, 0, 1, NULL, 0, &d), IPK_E_IP_TRUNCATED);
	g = guard_place(b, len);
	assert_int_equal(ipk_reasm_add(R, g, len, 0, 1, NULL, 0, &d), 0);
	assert_int_equal(ipk_reasm_flush(R, &d), 1);
	assert_no_more();
}

/* An IGMPv3 report of 300 sources (1216 bytes) in three fragments: the first alone does not sum
 * to 0; the reassembled datagram decodes with a good checksum and every source. */
static void test_igmpv3_report(void **state)
{
	(void)state;
	uint32_t srcs[300];
	for (unsigned i = 0; i < 300; i++)
		srcs[i] = IPK_IP4_ADDR(198, 18, 1, 0) + i;
	struct ipk_igmp_rec_spec rec = {IPK_IGMP_IS_IN, 0, 300, IPK_IP4_ADDR(232, 1, 1, 1), srcs,
					NULL};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, dgram + IPK_IGMP_HDRROOM, sizeof(dgram) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_report(&w, &rec, 1), 0);
	assert_int_equal(w.len, 1216);
	int n = ipk_igmp_dgram_finish(dgram, sizeof(dgram), w.len, SRC);
	assert_int_equal(n, 24 + 1216);
	dgram_len = (size_t)n;

	uint8_t f1[600];
	frag(f1, 0, 480, 1);
	struct ipk_packet p;
	struct ipk_igmp m;
	assert_int_equal(ipk_igmp_parse(f1 + 24, 480, &m, NULL), 0);
	assert_int_equal(m.checksum_ok, 0); /* half a message does not sum to 0 */

	assert_int_equal(add(0, 480, 1, 1, 0).rc, 0);
	assert_int_equal(add(960, 256, 0, 3, 0).rc, 0);
	struct res r = add(480, 480, 1, 2, 0);
	assert_int_equal(r.rc, 1);
	assert_whole(&r.d);
	ipk_packet_decode(IPK_DLT_RAW, r.d.data, r.d.len, r.d.len, &p);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_int_equal(p.u.igmp.checksum_ok, 1);
	for (unsigned i = 0; i < p.findings.n; i++) /* the datagram is clean: no error of any kind */
		fail_msg("finding %s", ipk_errname(p.findings.v[i].code));
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec rr;
	ipk_igmp_rec_iter_init(&it, &p.u.igmp, r.d.data + 24);
	assert_int_equal(ipk_igmp_rec_next(&it, &rr), 1);
	assert_int_equal(rr.nsrcs, 300);
	assert_int_equal(ipk_igmp_addr(rr.srcs, 299), IPK_IP4_ADDR(198, 18, 1, 0) + 299);
}

/* The formatter's reassembly records: a dropped datagram in each style, a complete one marked. */
static void test_fmt(void **state)
{
	(void)state;
	char out[4096];
	struct ipk_fmt_meta m = {21, 1700000021, 0};
	make_dgram(4101, IPK_PROTO_UDP, 48, 0);
	assert_int_equal(add(0, 16, 1, 14, 0).rc, 0);
	assert_int_equal(add(32, 16, 0, 15, 0).rc, 0);
	struct ipk_reasm_dgram d;
	assert_int_equal(ipk_reasm_flush(R, &d), 1);
	int n = ipk_fmt_reasm(NULL, &d, &m, IPK_FMT_TEXT, out, sizeof(out));
	assert_true(n > 0);
	const char *want = "21 22:13:41.000000 reassembly dropped: 198.18.0.1 > 198.18.0.2 id 4101 "
			   "proto 17 (frames 14,15; 32 bytes held) [?REASM_INCOMPLETE]\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, strlen(want));
	n = ipk_fmt_reasm(NULL, &d, &m, IPK_FMT_JSON, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr(out, "\"reassembled\":{\"frames\":[14,15],\"fragments\":2,"
				    "\"complete\":false,\"src\":\"198.18.0.1\",\"dst\":\"198.18.0.2\","
				    "\"id\":4101,\"proto\":17,\"bytes\":32},\"errors\":[],\"findings\":"
				    "[{\"layer\":\"ipv4\",\"code\":\"REASM_INCOMPLETE\",\"offset\":0,"));
	assert_int_equal(ipk_fmt_reasm(NULL, &d, &m, IPK_FMT_VERBOSE, out, 20), IPK_E_NOSPACE);
	assert_int_equal(ipk_fmt_reasm(NULL, &d, &m, 7, out, sizeof(out)), IPK_E_INVAL);

	assert_int_equal(add(0, 16, 1, 1, 0).rc, 0);
	assert_int_equal(add(16, 16, 1, 2, 0).rc, 0);
	struct res c = add(32, 16, 0, 3, 0);
	assert_int_equal(c.rc, 1);
	assert_int_equal(ipk_fmt_reasm(NULL, &c.d, &m, IPK_FMT_TEXT, out, sizeof(out)), IPK_E_INVAL);
	struct ipk_packet p;
	ipk_packet_decode(IPK_DLT_RAW, c.d.data, c.d.len, c.d.len, &p);
	n = ipk_fmt_reasm(&p, &c.d, &m, IPK_FMT_TEXT, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr(out, " reassembled (frames 1,2,3) 198.18.0.1"));
	n = ipk_fmt_reasm(&p, &c.d, &m, IPK_FMT_JSON, out, sizeof(out));
	out[n] = 0;
	assert_non_null(strstr(out, "{\"frame\":21,\"ts\":1700000021.000000,\"reassembled\":"
				    "{\"frames\":[1,2,3],\"fragments\":3,\"complete\":true},\"caplen\":68,"));
	/* a frame through ipk_fmt_packet has no mark */
	n = ipk_fmt_packet(&p, &m, IPK_FMT_JSON, out, sizeof(out));
	out[n] = 0;
	assert_null(strstr(out, "reassembled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_with_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contained_different, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_dist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_igmpv3_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fmt, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
