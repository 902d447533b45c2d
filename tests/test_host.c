/* test_host.c - the IGMP host-side state machine in virtual time: RFC 3376/9776 5.1 rows, merging and retransmissions, 5.2 rules, MTU splits, v1/v2 suppression and leaves, compatibility timeouts, forced versions, the Linux profile, seeds, pools, bad input and a round trip into the querier. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/error.h"
#include "ipv4kit/host.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/querier.h"

#include "igmp_dgram.h"

#define A IPK_IP4_ADDR
#define G1 A(239, 1, 1, 1)
#define G2 A(239, 1, 1, 2)
#define SSM A(232, 1, 1, 1)
#define H0 A(198, 18, 0, 100)
#define QR A(198, 18, 0, 1)
#define S(n) A(198, 18, 1, n)
#define T0 1000u
#define IN IPK_HOST_INCLUDE
#define EX IPK_HOST_EXCLUDE

/* ---- fixture: the machine, its events and the reports it sent ---- */

#define MAXSENT 1024
#define MAXREC 64
#define MAXSRC 400
struct rec {
	uint8_t type;
	uint32_t group;
	uint16_t nsrcs;
	uint32_t srcs[MAXSRC];
};
struct sent {
	uint32_t host, dst;
	uint8_t version, type, kind;
	uint16_t len, nrec;
	uint64_t at;
	struct rec *rec; /* nrec parsed records (v3) */
	uint32_t group;  /* v1/v2 */
};
static struct {
	struct ipk_host h;
	void *mem;
	struct sent sent[MAXSENT];
	unsigned nsent, nsent_all;
	unsigned nsched, nsupp, ncompat, nfull, nfind;
	int last_find;
	uint8_t compat_old, compat_new;
	uint64_t now;
	uint64_t bytes_hash; /* FNV over every datagram and its time */
	struct ipk_querier *q; /* when set, every report is fed to it (round trip) */
} F;

static void add_sent(const struct ipk_host_event *ev)
{
	const struct ipk_host_report *r = ev->report;
	struct ipk_ip4 ip;
	struct ipk_igmp m;
	size_t off;
	struct sent *s;
	F.nsent_all++;
	for (unsigned i = 0; i < r->len; i++)
		F.bytes_hash = (F.bytes_hash ^ r->dgram[i]) * 0x100000001b3ull;
	F.bytes_hash = (F.bytes_hash ^ ev->now_ms) * 0x100000001b3ull;
	/* every datagram parses, with the IP header IGMP needs */
	assert_int_equal(ipk_ip4_parse(r->dgram, r->len, IPK_IP4_STRICT, &ip, &off), 0);
	assert_int_equal(ip.ttl, 1);
	assert_int_equal(ip.tos, 0xc0);
	assert_int_equal(ip.df, 1);
	assert_int_equal(ip.opts_len, 4);
	assert_int_equal(ip.opts[0], 0x94);
	assert_int_equal(ip.src, r->src);
	assert_int_equal(ip.dst, r->dst);
	assert_true(r->len <= F.h.cfg.mtu);
	assert_int_equal(ipk_igmp_parse(r->dgram + ip.hlen, ip.total_len - ip.hlen, &m, &off), 0);
	assert_true(m.checksum_ok);
	{
		struct ipk_findings f;
		memset(&f, 0, sizeof(f));
		assert_int_equal(ipk_igmp_check(&ip, &m, 0, ip.hlen, &f), 0);
	}
	assert_int_equal(m.type, r->type);
	if (F.q)
		(void)ipk_querier_input(F.q, r->dgram, r->len, ev->now_ms);
	if (F.nsent >= MAXSENT)
		return;
	s = &F.sent[F.nsent++];
	memset(s, 0, sizeof(*s));
	s->host = r->host;
	s->dst = r->dst;
	s->version = r->version;
	s->type = r->type;
	s->kind = r->kind;
	s->len = r->len;
	s->at = ev->now_ms;
	s->group = m.group;
	if (m.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec rr;
		assert_int_equal(m.nrecs, r->nrecords);
		s->rec = calloc(m.nrecs ? m.nrecs : 1, sizeof(struct rec));
		assert_non_null(s->rec);
		ipk_igmp_rec_iter_init(&it, &m, r->dgram + ip.hlen);
		while (ipk_igmp_rec_next(&it, &rr) == 1) {
			struct rec *x = &s->rec[s->nrec++];
			x->type = rr.type;
			x->group = rr.group;
			x->nsrcs = rr.nsrcs;
			for (unsigned k = 0; k < rr.nsrcs && k < MAXSRC; k++)
				x->srcs[k] = ipk_igmp_addr(rr.srcs, k);
		}
		assert_int_equal(s->nrec, m.nrecs);
	}
}

static void on_event(void *arg, const struct ipk_host_event *ev)
{
	(void)arg;
	switch (ev->type) {
	case IPK_HEV_SEND:
		add_sent(ev);
		break;
	case IPK_HEV_SCHEDULE:
		F.nsched++;
		break;
	case IPK_HEV_SUPPRESS:
		F.nsupp++;
		break;
	case IPK_HEV_COMPAT:
		F.ncompat++;
		F.compat_old = ev->old;
		F.compat_new = ev->new_;
		break;
	case IPK_HEV_FULL:
		F.nfull++;
		break;
	case IPK_HEV_FINDING:
		F.nfind++;
		F.last_find = ev->code;
		break;
	}
}

static void clear_log(void)
{
	for (unsigned i = 0; i < F.nsent; i++)
		free(F.sent[i].rec);
	F.nsent = F.nsent_all = 0;
	F.nsched = F.nsupp = F.ncompat = F.nfull = F.nfind = 0;
	F.last_find = 0;
}

static void start(const struct ipk_host_cfg *c)
{
	size_t need = ipk_host_mem_size(c);
	clear_log();
	free(F.mem);
	memset(&F, 0, sizeof(F));
	assert_true(need > 0);
	F.mem = malloc(need);
	assert_non_null(F.mem);
	assert_int_equal(ipk_host_init(&F.h, c, F.mem, need, T0, on_event, NULL), 0);
	F.now = T0;
	F.bytes_hash = 0xcbf29ce484222325ull;
}

static void cfg_base(struct ipk_host_cfg *c, uint32_t nhosts)
{
	ipk_host_cfg_default(c);
	c->nhosts = nhosts;
	c->first_address = H0;
}

static void start_n(uint32_t nhosts, uint8_t profile, uint8_t version)
{
	struct ipk_host_cfg c;
	cfg_base(&c, nhosts);
	c.profile = profile;
	c.version = version;
	start(&c);
}

static int teardown(void **st)
{
	(void)st;
	clear_log();
	free(F.mem);
	F.mem = NULL;
	return 0;
}

static void advance(uint64_t ms)
{
	F.now += ms;
	(void)ipk_host_tick(&F.h, F.now);
}

static int chg(uint32_t host, unsigned sock, uint32_t group, unsigned mode, const uint32_t *srcs,
	       size_t n)
{
	return ipk_host_change(&F.h, host, sock, group, mode, srcs, n, F.now);
}

#define SRCS(...) ((const uint32_t[]){__VA_ARGS__}), (sizeof((const uint32_t[]){__VA_ARGS__}) / 4)

/* ---- queries on the wire ---- */

static uint8_t dg[2048];

/* Finish the message at dg + IPK_IGMP_HDRROOM from src (igmp_dgram.h): ra 0 strips Router Alert,
 * dst 0 keeps the default destination. */
static size_t finish(size_t msglen, uint32_t src, int ra, uint32_t dst)
{
	size_t n = igmp_dgram(dg, sizeof(dg), msglen, src, 0, ra, dst);
	assert_true(n > 0);
	return n;
}

static size_t v3q_full(uint32_t group, uint8_t mrc, uint8_t qrv, uint8_t qqic, const uint32_t *srcs,
		       uint16_t n, int ra, uint32_t dst)
{
	struct ipk_wbuf w;
	struct ipk_igmp_v3q q;
	memset(&q, 0, sizeof(q));
	q.mrc = mrc;
	q.qrv = qrv;
	q.qqic = qqic;
	q.group = group;
	q.srcs = srcs;
	q.nsrcs = n;
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	return finish(w.len, QR, ra, dst);
}

/* Hear a v3 query: group 0 general, MRC 100 (10 s), QRV 2, QQIC 125. */
static int hear_v3q(uint32_t group, uint8_t mrc, const uint32_t *srcs, uint16_t n)
{
	size_t len = v3q_full(group, mrc, 2, 125, srcs, n, 1, 0);
	return ipk_host_input(&F.h, dg, len, F.now);
}

static int hear_v12(uint8_t type, uint8_t code, uint32_t group, uint32_t src)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, type, code, group), 0);
	return ipk_host_input(&F.h, dg, finish(w.len, src, 1, 0), F.now);
}

/* ---- reading the log ---- */

static const struct rec *rec_of(unsigned i, unsigned k)
{
	assert_true(i < F.nsent);
	assert_true(k < F.sent[i].nrec);
	return &F.sent[i].rec[k];
}

/* Assert report i holds exactly one record (type, group, sources as a set). */
static void expect_rec(unsigned i, unsigned k, uint8_t type, uint32_t group, const uint32_t *srcs,
		       size_t n)
{
	const struct rec *r = rec_of(i, k);
	assert_int_equal(r->type, type);
	assert_int_equal(r->group, group);
	assert_int_equal(r->nsrcs, n);
	for (size_t a = 0; a < n; a++) {
		int found = 0;
		for (size_t b = 0; b < n; b++)
			found |= r->srcs[b] == srcs[a];
		assert_true(found);
	}
}

static void expect_only(unsigned i, uint8_t type, uint32_t group, const uint32_t *srcs, size_t n)
{
	assert_int_equal(F.sent[i].nrec, 1);
	expect_rec(i, 0, type, group, srcs, n);
}

/* Run the retransmissions out: returns the number of reports sent meanwhile, asserting every
 * gap after the first lies in (0, URI]. */
static unsigned run_rexmits(uint32_t uri)
{
	unsigned first = F.nsent;
	uint64_t last = F.nsent ? F.sent[F.nsent - 1].at : F.now;
	for (int k = 0; k < 20; k++)
		advance(uri);
	for (unsigned i = first; i < F.nsent; i++) {
		assert_true(F.sent[i].at > last);
		assert_true(F.sent[i].at - last <= uri);
		last = F.sent[i].at;
	}
	return F.nsent - first;
}

/* ---- configuration ---- */

static void test_defaults(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	(void)st;
	ipk_host_cfg_default(&c);
	assert_int_equal(c.robustness, 2);
	assert_int_equal(c.unsolicited_report_interval_ms, 1000);
	assert_int_equal(c.v2_unsolicited_report_interval_ms, 10000);
	assert_int_equal(c.query_interval_ms, 125000);
	assert_int_equal(c.mtu, 1500);
	assert_int_equal(ipk_host_cfg_check(&c), 0);
	c.nhosts = 0;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	c.nhosts = 65536;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	c.nhosts = 65535;
	assert_int_equal(ipk_host_cfg_check(&c), 0);
	c.first_address = 0xffffff00u;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	ipk_host_cfg_default(&c);
	c.mtu = 575;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	ipk_host_cfg_default(&c);
	c.robustness = 8;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	c.robustness = 0;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	ipk_host_cfg_default(&c);
	c.version = 4;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	c.version = 0;
	c.profile = 2;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	assert_int_equal(ipk_host_mem_size(&c), 0);
	ipk_host_cfg_default(&c);
	c.max_sources = (1u << 24) + 1;
	assert_int_equal(ipk_host_cfg_check(&c), IPK_E_INVAL);
	ipk_host_cfg_default(&c);
	{
		size_t need = ipk_host_mem_size(&c);
		void *mem = malloc(need);
		struct ipk_host h;
		assert_int_equal(ipk_host_init(&h, &c, mem, need - 1, 0, NULL, NULL), IPK_E_NOSPACE);
		assert_int_equal(ipk_host_init(&h, &c, mem, need, 0, NULL, NULL), 0);
		ipk_host_status(&h, 0, &s);
		assert_int_equal(s.compat_version, 3);
		assert_int_equal(s.robustness, 2);
		assert_int_equal(s.query_interval_ms, 125000);
		assert_int_equal(ipk_host_next_deadline(&h), UINT64_MAX);
		free(mem);
	}
	start_n(4, 0, 0);
	assert_int_equal(chg(4, 0, G1, EX, NULL, 0), IPK_E_INVAL);
	assert_int_equal(chg(0, 32, G1, EX, NULL, 0), IPK_E_INVAL);
	assert_int_equal(chg(0, 0, A(10, 0, 0, 1), EX, NULL, 0), IPK_E_INVAL);
	assert_int_equal(chg(0, 0, IPK_IGMP_ALL_SYSTEMS, EX, NULL, 0), IPK_E_INVAL);
	assert_int_equal(chg(0, 0, G1, 3, NULL, 0), IPK_E_INVAL);
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 0); /* never joined */
	assert_int_equal(F.nsent, 0);
}

/* ---- 5.1: one row each, RV copies in total, gaps within the URI ---- */

static void row(unsigned sock_setup_mode, const uint32_t *a, size_t na, unsigned mode_b,
		const uint32_t *b, size_t nb, uint8_t t1, const uint32_t *s1, size_t n1, uint8_t t2,
		const uint32_t *s2, size_t n2)
{
	start_n(1, 0, 0);
	if (sock_setup_mode) {
		assert_int_equal(chg(0, 0, G1, sock_setup_mode, a, na), 1);
		advance(60000);
		clear_log();
	}
	assert_int_equal(chg(0, 0, G1, mode_b, b, nb), 1);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].kind, IPK_HOST_RPT_CHANGE);
	assert_int_equal(F.sent[0].dst, IPK_IGMP_V3_ROUTERS);
	assert_int_equal(F.sent[0].nrec, t2 ? 2 : 1);
	expect_rec(0, 0, t1, G1, s1, n1);
	if (t2)
		expect_rec(0, 1, t2, G1, s2, n2);
	assert_int_equal(run_rexmits(1000), 1); /* RV 2: one more */
	assert_int_equal(F.sent[1].kind, IPK_HOST_RPT_REXMIT);
	assert_int_equal(F.sent[1].nrec, F.sent[0].nrec);
	assert_int_equal(ipk_host_next_deadline(&F.h), UINT64_MAX);
}

static void test_51_rows(void **st)
{
	(void)st;
	/* join ASM: INCLUDE({}) -> EXCLUDE({}): TO_EX({}) */
	row(0, NULL, 0, EX, NULL, 0, IPK_IGMP_TO_EX, NULL, 0, 0, NULL, 0);
	/* leave: EXCLUDE({}) -> INCLUDE({}): TO_IN({}) */
	row(EX, NULL, 0, IN, NULL, 0, IPK_IGMP_TO_IN, NULL, 0, 0, NULL, 0);
	/* SSM join: ALLOW, not TO_IN */
	row(0, NULL, 0, IN, SRCS(S(1)), IPK_IGMP_ALLOW, SRCS(S(1)), 0, NULL, 0);
	/* SSM leave: BLOCK */
	row(IN, SRCS(S(1)), IN, NULL, 0, IPK_IGMP_BLOCK, SRCS(S(1)), 0, NULL, 0);
	/* INCLUDE(A) -> INCLUDE(B): ALLOW(B-A), BLOCK(A-B) */
	row(IN, SRCS(S(1), S(2)), IN, SRCS(S(2), S(3)), IPK_IGMP_ALLOW, SRCS(S(3)), IPK_IGMP_BLOCK,
	    SRCS(S(1)));
	/* EXCLUDE(A) -> EXCLUDE(B): ALLOW(A-B), BLOCK(B-A) */
	row(EX, SRCS(S(1), S(2)), EX, SRCS(S(2), S(3)), IPK_IGMP_ALLOW, SRCS(S(1)), IPK_IGMP_BLOCK,
	    SRCS(S(3)));
	/* INCLUDE(A) -> EXCLUDE(B): TO_EX(B) */
	row(IN, SRCS(S(1)), EX, SRCS(S(2), S(3)), IPK_IGMP_TO_EX, SRCS(S(2), S(3)), 0, NULL, 0);
	/* EXCLUDE(A) -> INCLUDE(B): TO_IN(B) */
	row(EX, SRCS(S(1)), IN, SRCS(S(4)), IPK_IGMP_TO_IN, SRCS(S(4)), 0, NULL, 0);
}

/* RFC 3376 3.2: the interface state is the merge of the sockets' filters. */
static void test_socket_merge(void **st)
{
	struct ipk_host_membership m;
	uint32_t cur = 0, sc = 0, src, got[8];
	unsigned n = 0;
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, G1, EX, SRCS(S(1), S(2), S(3))), 1);
	assert_int_equal(chg(0, 1, G1, EX, SRCS(S(2), S(3), S(4))), 1); /* EX{2,3} */
	assert_int_equal(chg(0, 2, G1, IN, SRCS(S(3), S(9))), 1);       /* EX{2} */
	assert_int_equal(ipk_host_membership_next(&F.h, 0, &cur, F.now, &m), 1);
	assert_int_equal(m.group, G1);
	assert_int_equal(m.filter_mode, EX);
	while (ipk_host_source_next(&F.h, &m, &sc, &src) == 1)
		got[n++] = src;
	assert_int_equal(n, 1);
	assert_int_equal(got[0], S(2));
	assert_int_equal(ipk_host_membership_next(&F.h, 0, &cur, F.now, &m), 0);
	/* the same filter again changes nothing and sends nothing */
	clear_log();
	assert_int_equal(chg(0, 1, G1, EX, SRCS(S(2), S(3), S(4))), 0);
	assert_int_equal(F.nsent, 0);
	/* the EXCLUDE sockets go: INCLUDE{3, 9} */
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	assert_int_equal(chg(0, 1, G1, IN, NULL, 0), 1);
	cur = 0;
	assert_int_equal(ipk_host_membership_next(&F.h, UINT32_MAX, &cur, F.now, &m), 1);
	assert_int_equal(m.filter_mode, IN);
	assert_int_equal(m.nsources, 2);
	expect_only(F.nsent - 1, IPK_IGMP_TO_IN, G1, SRCS(S(3), S(9)));
}

/* 5.1 merging: a change inside the retransmission window sends at once, merged, with a counter
 * per source (the kernel's measured sequence: allow{100}, allow{100 101}, allow{101}). */
static void test_merge_sources(void **st)
{
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, SSM, IN, SRCS(S(100))), 1);
	expect_only(0, IPK_IGMP_ALLOW, SSM, SRCS(S(100)));
	F.now += 1; /* before the retransmission (at least 1 ms later) */
	assert_int_equal(chg(0, 1, SSM, IN, SRCS(S(101))), 1);
	assert_int_equal(F.nsent, 2);
	expect_only(1, IPK_IGMP_ALLOW, SSM, SRCS(S(100), S(101)));
	assert_int_equal(run_rexmits(1000), 1);
	expect_only(2, IPK_IGMP_ALLOW, SSM, SRCS(S(101)));
}

/* A filter-mode change restarts its count; source changes during it ride in TO_EX and go out as
 * BLOCK afterwards, RV times. */
static void test_merge_mode(void **st)
{
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, G1, IN, SRCS(S(1))), 1);
	F.now += 1;
	assert_int_equal(chg(0, 1, G1, EX, NULL, 0), 1); /* IN{1} -> EX{} */
	expect_only(1, IPK_IGMP_TO_EX, G1, NULL, 0);
	F.now += 1;
	assert_int_equal(chg(0, 1, G1, EX, SRCS(S(5))), 1); /* EX{} -> EX{5} */
	expect_only(2, IPK_IGMP_TO_EX, G1, SRCS(S(5)));
	assert_int_equal(run_rexmits(1000), 2);
	expect_only(3, IPK_IGMP_BLOCK, G1, SRCS(S(5)));
	expect_only(4, IPK_IGMP_BLOCK, G1, SRCS(S(5)));
	/* mode change twice in the window: TO_EX RV times after the last */
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	F.now += 1;
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	F.now += 1;
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.nsent, 3);
	expect_only(2, IPK_IGMP_TO_EX, G1, NULL, 0);
	assert_int_equal(run_rexmits(1000), 1);
	expect_only(3, IPK_IGMP_TO_EX, G1, NULL, 0);
}

/* Robustness 4: four copies of each change; the retransmissions of several groups of one host
 * share one report. */
static void test_rexmit_count(void **st)
{
	struct ipk_host_cfg c;
	(void)st;
	cfg_base(&c, 1);
	c.robustness = 4;
	c.unsolicited_report_interval_ms = 5000;
	start(&c);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(chg(0, 0, G2, EX, NULL, 0), 1);
	assert_int_equal(F.nsent, 2);
	assert_int_equal(run_rexmits(5000), 3);
	for (unsigned i = 2; i < 5; i++)
		assert_int_equal(F.sent[i].nrec, 2);
}

/* ---- 5.2 ---- */

static void join3(void)
{
	/* 239.1.1.1 EX{}, 232.1.1.1 IN{100, 101}, 239.1.1.2 EX{50} */
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(chg(0, 0, SSM, IN, SRCS(S(100), S(101))), 1);
	assert_int_equal(chg(0, 0, G2, EX, SRCS(S(50))), 1);
	advance(60000);
	clear_log();
}

static void test_52_general(void **st)
{
	(void)st;
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(0, 20, NULL, 0), 0); /* MRC 20: 2 s */
	assert_int_equal(F.nsched, 1);
	assert_true(ipk_host_next_deadline(&F.h) <= F.now + 2000);
	advance(2000);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].kind, IPK_HOST_RPT_ANSWER);
	assert_int_equal(F.sent[0].nrec, 3);
	for (unsigned k = 0; k < 3; k++) {
		const struct rec *r = rec_of(0, k);
		if (r->group == G1)
			expect_rec(0, k, IPK_IGMP_IS_EX, G1, NULL, 0);
		else if (r->group == SSM)
			expect_rec(0, k, IPK_IGMP_IS_IN, SSM, SRCS(S(100), S(101)));
		else
			expect_rec(0, k, IPK_IGMP_IS_EX, G2, SRCS(S(50)));
	}
	/* answered once, not repeated */
	advance(60000);
	assert_int_equal(F.nsent, 1);
}

static void test_52_rules(void **st)
{
	struct ipk_host_membership m;
	uint32_t cur;
	(void)st;
	/* rule 1: a pending general answer sooner than the delay: the GSQ schedules nothing */
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(0, 1, NULL, 0), 0);    /* answer within 100 ms */
	assert_int_equal(hear_v3q(G1, 0xff, NULL, 0), 0); /* within 3174 s: later (this seed) */
	assert_int_equal(F.nsched, 1);
	advance(100);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].nrec, 3);
	advance(20000);
	assert_int_equal(F.nsent, 1);

	/* rule 3 + 4: a GSQ pending, then a G&S query: one group answer at the earlier time */
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(SSM, 100, NULL, 0), 0);
	cur = 0;
	while (ipk_host_membership_next(&F.h, 0, &cur, F.now, &m) == 1 && m.group != SSM)
		;
	assert_int_equal(m.group, SSM);
	assert_true(m.answer_ms <= 10000);
	assert_int_equal(hear_v3q(SSM, 1, SRCS(S(100))), 0); /* MRC 1: 100 ms */
	advance(100);
	assert_int_equal(F.nsent, 1);
	expect_only(0, IPK_IGMP_IS_IN, SSM, SRCS(S(100), S(101)));
	advance(20000);
	assert_int_equal(F.nsent, 1);

	/* rule 5: two G&S queries: the lists are added */
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(SSM, 100, SRCS(S(100))), 0);
	assert_int_equal(hear_v3q(SSM, 100, SRCS(S(101), S(7))), 0);
	advance(10000);
	assert_int_equal(F.nsent, 1);
	expect_only(0, IPK_IGMP_IS_IN, SSM, SRCS(S(100), S(101)));

	/* rule 4 the other way: G&S pending, then a GSQ: the list is cleared */
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(SSM, 100, SRCS(S(100))), 0);
	assert_int_equal(hear_v3q(SSM, 100, NULL, 0), 0);
	advance(10000);
	expect_only(0, IPK_IGMP_IS_IN, SSM, SRCS(S(100), S(101)));

	/* rule 2: a second general query reschedules the interface timer */
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	advance(10000);
	assert_int_equal(F.nsent, 1);
}

/* Group-and-source answers: INCLUDE(A) -> IS_IN(A*B), EXCLUDE(A) -> IS_IN(B-A), empty: none. */
static void test_52_gs_answers(void **st)
{
	(void)st;
	start_n(1, 0, 0);
	join3();
	assert_int_equal(hear_v3q(SSM, 10, SRCS(S(100), S(102))), 0);
	assert_int_equal(hear_v3q(G2, 10, SRCS(S(50), S(60))), 0);
	assert_int_equal(hear_v3q(SSM, 10, NULL, 0), 0); /* a member of nothing else */
	advance(1000);
	assert_int_equal(F.nsent, 2);
	for (unsigned i = 0; i < 2; i++) {
		if (F.sent[i].rec[0].group == SSM)
			expect_only(i, IPK_IGMP_IS_IN, SSM, SRCS(S(100), S(101)));
		else
			expect_only(i, IPK_IGMP_IS_IN, G2, SRCS(S(60)));
	}
	clear_log();
	assert_int_equal(hear_v3q(SSM, 10, SRCS(S(102))), 0);
	assert_int_equal(hear_v3q(G2, 10, SRCS(S(50))), 0);
	assert_int_equal(hear_v3q(A(239, 9, 9, 9), 10, NULL, 0), 0);
	advance(1000);
	assert_int_equal(F.nsent, 0);
	assert_int_equal(F.nsched, 2);
	{
		struct ipk_host_status s;
		ipk_host_status(&F.h, F.now, &s);
		assert_int_equal(s.nsources, 3); /* queried entries are gone again */
		assert_int_equal(s.pending_reports, 0);
	}
}

/* Every answer delay lies in [0, MRT], for MRC float codes too. */
static void test_52_delays(void **st)
{
	(void)st;
	start_n(200, 0, 0);
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(chg(i, 0, G1, EX, NULL, 0), 1);
	advance(60000);
	clear_log();
	assert_int_equal(hear_v3q(0, 0x8f, NULL, 0), 0); /* 24.8 s */
	{
		uint64_t q = F.now, lo = UINT64_MAX, hi = 0;
		advance(24800);
		assert_int_equal(F.nsent, 200);
		for (unsigned i = 0; i < F.nsent; i++) {
			lo = F.sent[i].at < lo ? F.sent[i].at : lo;
			hi = F.sent[i].at > hi ? F.sent[i].at : hi;
		}
		assert_true(hi - q <= 24800);
		assert_true(hi - lo > 12000); /* spread over the window */
	}
}

/* ---- 4.2.16: MTU splits ---- */

static void test_mtu_split(void **st)
{
	struct ipk_host_cfg c;
	uint32_t srcs[1000];
	unsigned total = 0;
	(void)st;
	cfg_base(&c, 1);
	c.max_sources = 4096;
	start(&c);
	for (uint32_t g = 0; g < 256; g++)
		assert_int_equal(chg(0, 0, A(239, 2, 0, 0) + g, EX, NULL, 0), 1);
	advance(60000);
	clear_log();
	assert_int_equal(hear_v3q(0, 0, NULL, 0), 0);
	advance(0);
	/* (1500 - 24 - 8) / 8 = 183 records, then 73 */
	assert_int_equal(F.nsent, 2);
	assert_int_equal(F.sent[0].nrec, 183);
	assert_int_equal(F.sent[1].nrec, 73);
	assert_int_equal(F.sent[0].len, 24 + 8 + 183 * 8);

	/* 1000 sources: IS_IN splits into 365 + 365 + 270; IS_EX keeps the 365 that fit */
	start(&c);
	for (uint32_t k = 0; k < 1000; k++)
		srcs[k] = A(10, 0, 0, 0) + k;
	assert_int_equal(chg(0, 0, SSM, IN, srcs, 1000), 1);
	assert_int_equal(chg(0, 0, G1, EX, srcs, 1000), 1);
	advance(60000);
	clear_log();
	assert_int_equal(hear_v3q(SSM, 0, NULL, 0), 0);
	advance(0);
	assert_int_equal(F.nsent, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(F.sent[i].nrec, 1);
		assert_int_equal(F.sent[i].rec[0].type, IPK_IGMP_IS_IN);
		total += F.sent[i].rec[0].nsrcs;
		assert_true(F.sent[i].len <= 1500);
	}
	assert_int_equal(F.sent[0].rec[0].nsrcs, 365);
	assert_int_equal(total, 1000);
	clear_log();
	assert_int_equal(hear_v3q(G1, 0, NULL, 0), 0);
	advance(0);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].rec[0].type, IPK_IGMP_IS_EX);
	assert_int_equal(F.sent[0].rec[0].nsrcs, 365);
	/* a general answer: SSM's IS_IN continues in the next reports, G1's IS_EX gets a
	 * report of its own, truncated */
	clear_log();
	assert_int_equal(hear_v3q(0, 0, NULL, 0), 0);
	advance(0);
	assert_int_equal(F.nsent, 4);
	total = 0;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(F.sent[i].nrec, 1);
		if (F.sent[i].rec[0].type == IPK_IGMP_IS_IN)
			total += F.sent[i].rec[0].nsrcs;
		else
			assert_int_equal(F.sent[i].rec[0].nsrcs, 365);
	}
	assert_int_equal(total, 1000);
}

/* ---- v1/v2 ---- */

static void test_v2_suppression_and_leave(void **st)
{
	struct ipk_host_status s;
	(void)st;
	start_n(2, 0, 0);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0); /* v2 querier present */
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.compat_version, 2);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V2_REPORT);
	assert_int_equal(F.sent[0].dst, G1);
	F.now += 5;
	assert_int_equal(chg(1, 0, G1, EX, NULL, 0), 1); /* host 1's report suppresses host 0 */
	assert_int_equal(F.nsent, 2);
	assert_int_equal(F.sent[1].host, 1);
	assert_int_equal(F.nsupp, 1);
	advance(20000);
	/* only host 1 repeats its report */
	assert_int_equal(F.nsent, 3);
	assert_int_equal(F.sent[2].host, 1);
	/* a query: both schedule, the first to answer suppresses the other */
	clear_log();
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0);
	advance(10000);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.nsupp, 1);
	{
		uint32_t last = F.sent[0].host, other = 1 - last;
		/* leave: only the last reporter sends a Leave, to 224.0.0.2 */
		clear_log();
		assert_int_equal(chg(other, 0, G1, IN, NULL, 0), 1);
		assert_int_equal(F.nsent, 0);
		assert_int_equal(chg(last, 0, G1, IN, NULL, 0), 1);
		assert_int_equal(F.nsent, 1);
		assert_int_equal(F.sent[0].type, IPK_IGMP_V2_LEAVE);
		assert_int_equal(F.sent[0].dst, IPK_IGMP_ALL_ROUTERS);
		assert_int_equal(F.sent[0].kind, IPK_HOST_RPT_LEAVE);
	}
	/* another host's report on the link suppresses too */
	clear_log();
	assert_int_equal(chg(0, 0, G2, EX, NULL, 0), 1);
	assert_int_equal(hear_v12(IPK_IGMP_V2_REPORT, 0, G2, A(198, 18, 0, 3)), 0);
	assert_int_equal(F.nsupp, 1);
	assert_int_equal(chg(0, 0, G2, IN, NULL, 0), 1);
	assert_int_equal(F.nsent, 1); /* the join's report, no leave */
}

/* Older Version Querier Present timeout: RV * QI + the older query's Max Resp Time (RFC 9776
 * 8.12, erratum 4375); v1 first, v2 kept, then back to v3. */
static void test_ovqpt(void **st)
{
	struct ipk_host_status s;
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 50, 0, QR), 0); /* v2, MRT 5 s */
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.compat_version, 2);
	assert_int_equal(s.v2_querier_ms, 2 * 125000 + 5000);
	assert_int_equal(F.ncompat, 1);
	F.now += 1000;
	{
		/* v1 query: MRT 10 s */
		struct ipk_wbuf w;
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0), 0);
		assert_int_equal(ipk_host_input(&F.h, dg, finish(w.len, QR, 0, 0), F.now), 0);
	}
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.compat_version, 1);
	assert_int_equal(s.v1_querier_ms, 260000);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V1_REPORT);
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	assert_int_equal(F.nsent, 1); /* no leave in v1 */
	advance(255000 - 1000 - 1);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.compat_version, 1);
	advance(260000 - 255000 + 1000 + 1);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.compat_version, 3);
	assert_int_equal(F.compat_old, 1);
	assert_int_equal(F.compat_new, 3);
	clear_log();
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V3_REPORT);
}

/* Times heard in queries are scaled; configured ones are not. */
static void test_time_scale(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	(void)st;
	cfg_base(&c, 1);
	c.time_scale = 0.1;
	start(&c);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	advance(5000);
	clear_log();
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0); /* 10 s on the wire: 1 s here */
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.v2_querier_ms, 2 * 125000 + 1000);
	advance(1000);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V2_REPORT);
}

/* A pending v3 retransmission is cancelled by a change of compatibility mode (7.2.1). */
static void test_compat_cancels(void **st)
{
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0);
	/* the v2 query schedules a v2 answer; no v3 report goes out */
	advance(20000);
	for (unsigned i = 1; i < F.nsent; i++)
		assert_int_equal(F.sent[i].type, IPK_IGMP_V2_REPORT);
	assert_true(F.nsent >= 2);
}

static void test_forced(void **st)
{
	(void)st;
	start_n(1, 0, 2);
	assert_int_equal(chg(0, 0, SSM, IN, SRCS(S(1))), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V2_REPORT);
	assert_int_equal(F.sent[0].dst, SSM);
	advance(20000);
	assert_int_equal(F.nsent, 2); /* repeated once */
	clear_log();
	assert_int_equal(hear_v3q(0, 10, NULL, 0), 0); /* v3 query answered in v2 */
	advance(1000);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V2_REPORT);
	assert_int_equal(chg(0, 0, SSM, IN, NULL, 0), 1);
	assert_int_equal(F.sent[1].type, IPK_IGMP_V2_LEAVE);

	start_n(1, 0, 1);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V1_REPORT);
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	assert_int_equal(F.nsent, 1);

	/* forced 3 (RFC profile): an older query does not make it fall back */
	start_n(1, 0, 3);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V3_REPORT);
	/* Linux: force 3 is the same as automatic */
	start_n(1, 1, 3);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0);
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.sent[0].type, IPK_IGMP_V2_REPORT);
}

/* ---- the Linux profile ---- */

static void test_linux_profile(void **st)
{
	struct ipk_host_status s;
	(void)st;
	/* repeat count from the heard QRV; QRV 0 goes back to the configured value */
	start_n(1, 1, 0);
	{
		size_t len = v3q_full(0, 100, 3, 125, NULL, 0, 1, 0);
		assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 0);
	}
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(F.nsent, 0); /* deferred to the tick at this time */
	assert_int_equal(chg(0, 0, G2, EX, NULL, 0), 1);
	assert_int_equal(ipk_host_next_deadline(&F.h), F.now);
	advance(0);
	assert_int_equal(F.nsent, 1); /* merged: both joins in one report */
	assert_int_equal(F.sent[0].nrec, 2);
	assert_int_equal(F.sent[0].kind, IPK_HOST_RPT_CHANGE);
	assert_int_equal(run_rexmits(1000), 2);
	{
		size_t len = v3q_full(0, 100, 0, 10, NULL, 0, 1, 0);
		assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 0);
	}
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.robustness, 2);
	assert_int_equal(s.query_interval_ms, 10000);
	/* fallback: 2 * 10 s + min(10 s, QI - 1 s) = 29 s */
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 100, 0, QR), 0);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.v2_querier_ms, 29000);

	/* IS_EX(full list) for a G&S query on an EXCLUDE group; nothing when all are excluded */
	start_n(1, 1, 0);
	join3();
	assert_int_equal(hear_v3q(G2, 10, SRCS(S(50), S(60))), 0);
	advance(1000);
	expect_only(0, IPK_IGMP_IS_EX, G2, SRCS(S(50)));
	assert_int_equal(hear_v3q(G2, 10, SRCS(S(50))), 0);
	advance(1000);
	assert_int_equal(F.nsent, 1);

	/* a general query to another multicast address, and one without Router Alert: answered
	 * by Linux, ignored by the RFC profile */
	for (int prof = 0; prof < 2; prof++) {
		size_t len;
		start_n(1, (uint8_t)prof, 0);
		join3();
		len = v3q_full(0, 10, 2, 125, NULL, 0, 1, G1);
		assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), prof ? 0 : 1);
		len = v3q_full(0, 10, 2, 125, NULL, 0, 0, 0);
		assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), prof ? 0 : 1);
		advance(1000);
		assert_int_equal(F.nsent, prof ? 1 : 0);
	}
	/* RFC default fallback with the same v2 query: RV * QI + its MRT = 260 s either way */
	start_n(1, 1, 0);
	assert_int_equal(hear_v12(IPK_IGMP_QUERY, 50, 0, QR), 0);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.v2_querier_ms, 260000);
}

/* 224.0.0.0/24 groups are kept but not reported unless IPK_HOST_F_LINK_LOCAL. */
static void test_link_local(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	(void)st;
	start_n(1, 0, 0);
	assert_int_equal(chg(0, 0, A(224, 0, 0, 5), EX, NULL, 0), 1);
	assert_int_equal(hear_v3q(0, 0, NULL, 0), 0);
	assert_int_equal(hear_v3q(A(224, 0, 0, 5), 0, NULL, 0), 0);
	advance(10000);
	assert_int_equal(F.nsent, 0);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.nmemberships, 1);
	assert_int_equal(chg(0, 0, A(224, 0, 0, 5), IN, NULL, 0), 1);
	assert_int_equal(F.nsent, 0);
	cfg_base(&c, 1);
	c.flags = IPK_HOST_F_LINK_LOCAL;
	start(&c);
	assert_int_equal(chg(0, 0, A(224, 0, 0, 5), EX, NULL, 0), 1);
	expect_only(0, IPK_IGMP_TO_EX, A(224, 0, 0, 5), NULL, 0);
}

/* A query to one host's unicast address reaches that host only. */
static void test_unicast_query(void **st)
{
	size_t len;
	(void)st;
	start_n(3, 0, 0);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(chg(i, 0, G1, EX, NULL, 0), 1);
	advance(60000);
	clear_log();
	len = v3q_full(0, 10, 2, 125, NULL, 0, 1, H0 + 1);
	assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 0);
	advance(1000);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].host, 1);
	len = v3q_full(0, 10, 2, 125, NULL, 0, 1, A(198, 18, 9, 9));
	assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 1);
}

/* ---- seeds ---- */

static uint64_t seeded_run(uint64_t seed)
{
	struct ipk_host_cfg c;
	cfg_base(&c, 50);
	c.seed = seed;
	start(&c);
	for (uint32_t i = 0; i < 50; i++)
		assert_int_equal(chg(i, 0, G1 + (i % 5), EX, NULL, 0), 1);
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	advance(60000);
	assert_true(F.nsent_all >= 150);
	return F.bytes_hash;
}

static void test_seeds(void **st)
{
	uint64_t a, b, c2;
	(void)st;
	a = seeded_run(7);
	b = seeded_run(7);
	c2 = seeded_run(8);
	assert_true(a == b);
	assert_true(a != c2);
}

/* ---- pools ---- */

static void test_pool_full(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	(void)st;
	cfg_base(&c, 4);
	c.max_groups = 1;
	c.max_memberships = 2;
	c.max_sources = 3;
	start(&c);
	assert_int_equal(chg(0, 0, G1, IN, SRCS(S(1), S(2))), 1);
	assert_int_equal(chg(0, 0, G2, EX, NULL, 0), IPK_E_NOSPACE); /* group pool */
	assert_int_equal(F.nfull, 1);
	assert_int_equal(chg(1, 0, G1, IN, SRCS(S(1), S(2))), IPK_E_NOSPACE); /* sources */
	assert_int_equal(chg(1, 0, G1, IN, SRCS(S(1))), 1);
	assert_int_equal(chg(2, 0, G1, EX, NULL, 0), IPK_E_NOSPACE); /* memberships */
	assert_int_equal(F.nfull, 3);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.nmemberships, 2);
	assert_int_equal(s.nsources, 3);
	assert_int_equal(s.counters.pool_full, 3);
	/* leaving frees them once the retransmissions are done */
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	assert_int_equal(chg(1, 0, G1, IN, NULL, 0), 1);
	advance(10000);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.nmemberships, 0);
	assert_int_equal(s.nsources, 0);
	assert_int_equal(s.ngroups, 0);
	assert_int_equal(chg(2, 0, G2, EX, NULL, 0), 1);
}

/* ---- bad input ---- */

static void test_bad_queries(void **st)
{
	struct ipk_wbuf w;
	size_t len;
	(void)st;
	start_n(1, 0, 0);
	join3();
	/* 10-byte query: ignored */
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	{
		static const uint8_t two[2] = {0, 0};
		struct ipk_igmp_over o;
		memset(&o, 0, sizeof(o));
		o.trail = two;
		o.trail_len = 2;
		assert_int_equal(ipk_igmp_put8(&w, IPK_IGMP_QUERY, 100, 0, &o), 0);
	}
	assert_int_equal(ipk_host_input(&F.h, dg, finish(w.len, QR, 1, 0), F.now), 1);
	assert_int_equal(F.last_find, IPK_E_IGMP_QUERY_LEN);
	/* bad checksum */
	len = v3q_full(0, 10, 2, 125, NULL, 0, 1, 0);
	dg[24 + 2] ^= 1;
	assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 1);
	assert_int_equal(F.last_find, IPK_E_IGMP_CHECKSUM);
	/* general query with sources */
	len = v3q_full(0, 10, 2, 125, SRCS(S(1)), 1, 0);
	assert_int_equal(ipk_host_input(&F.h, dg, len, F.now), 1);
	/* not IGMP, truncated */
	assert_int_equal(ipk_host_input(&F.h, dg, 10, F.now), 1);
	advance(2000);
	assert_int_equal(F.nsent, 0);
	assert_int_equal(F.nsched, 0);
	/* v3 reports and leaves are heard, not applied */
	assert_int_equal(hear_v12(IPK_IGMP_V2_LEAVE, 0, G1, A(198, 18, 0, 3)), 1);
}

/* Random bytes and mutated queries: never a crash, and the invariants hold. */
static void test_fuzz(void **st)
{
	static const uint32_t fz_srcs[3] = {S(1), S(2), S(3)};
	uint64_t x = 0x1234567;
	(void)st;
	start_n(8, 0, 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(chg(i, i % 3, G1 + (i % 3), i & 1 ? EX : IN, SRCS(S(i), S(i + 1))), 1);
	for (int round = 0; round < 4000; round++) {
		size_t len;
		uint64_t before;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (round % 3 == 0)
			len = v3q_full(x & 1 ? 0 : G1 + (x >> 8) % 3, (uint8_t)(x >> 16), 2, 10, fz_srcs,
				       x & 2 ? 3 : 0, 1, 0);
		else if (round % 3 == 1)
			len = v3q_full(0, (uint8_t)x, (uint8_t)(x >> 8) & 7, (uint8_t)(x >> 16), NULL, 0, 1, 0);
		else
			len = 20 + (x >> 20) % 60;
		for (int k = 0; k < 3; k++)
			dg[(x >> (8 * k + 24)) % len] ^= (uint8_t)(x >> (8 * k));
		(void)ipk_host_input(&F.h, dg, len, F.now);
		if (round % 50 == 0)
			(void)chg((uint32_t)(x % 8), (unsigned)(x >> 3) % 4, G1 + (x >> 5) % 4,
				  (x >> 9) & 1 ? EX : IN, SRCS(S((x >> 11) % 4)));
		before = ipk_host_next_deadline(&F.h);
		F.now += (x >> 40) % 700;
		(void)ipk_host_tick(&F.h, F.now);
		assert_true(ipk_host_next_deadline(&F.h) > F.now);
		(void)before;
		if (F.nsent > MAXSENT - 10)
			clear_log();
	}
}

/* ---- round trip into the querier ---- */

static void test_round_trip(void **st)
{
	struct ipk_querier_cfg qc;
	struct ipk_querier q;
	struct ipk_querier_group g;
	struct ipk_querier_source qs;
	void *qm;
	uint32_t cur;
	unsigned n;
	(void)st;
	ipk_querier_cfg_default(&qc);
	qc.address = QR; /* querier; its own queries are not delivered to the hosts */
	qm = malloc(ipk_querier_mem_size(qc.max_groups, qc.max_sources));
	assert_int_equal(ipk_querier_init(&q, &qc, qm, ipk_querier_mem_size(qc.max_groups, qc.max_sources),
					  T0, NULL, NULL),
			 0);
	start_n(3, 0, 0);
	F.q = &q;
	assert_int_equal(chg(0, 0, G1, EX, NULL, 0), 1);
	assert_int_equal(chg(1, 0, SSM, IN, SRCS(S(100), S(101))), 1);
	assert_int_equal(chg(2, 0, G2, EX, SRCS(S(50))), 1);
	assert_int_equal(chg(1, 1, SSM, IN, SRCS(S(102))), 1);
	advance(5000);
	assert_int_equal(ipk_querier_group_find(&q, G1, F.now, &g), 1);
	assert_int_equal(g.filter_mode, IPK_QUERIER_EXCLUDE);
	assert_int_equal(g.nsources, 0);
	assert_int_equal(ipk_querier_group_find(&q, G2, F.now, &g), 1);
	assert_int_equal(g.filter_mode, IPK_QUERIER_EXCLUDE);
	assert_int_equal(g.nsources, 1);
	cur = 0;
	assert_int_equal(ipk_querier_source_next(&q, &g, &cur, F.now, &qs), 1);
	assert_int_equal(qs.source, S(50));
	assert_int_equal(qs.forwarding, 0);
	assert_int_equal(ipk_querier_group_find(&q, SSM, F.now, &g), 1);
	assert_int_equal(g.filter_mode, IPK_QUERIER_INCLUDE);
	assert_int_equal(g.nsources, 3);
	/* S(101) is blocked and host 0 leaves G1: the querier's last-member queries (not answered
	 * for them) end both after LMQT */
	assert_int_equal(chg(1, 0, SSM, IN, SRCS(S(100))), 1);
	assert_int_equal(chg(0, 0, G1, IN, NULL, 0), 1);
	advance(5000);
	(void)ipk_querier_tick(&q, F.now);
	assert_int_equal(ipk_querier_group_find(&q, G1, F.now, &g), 0);
	assert_int_equal(ipk_querier_group_find(&q, SSM, F.now, &g), 1);
	n = 0;
	cur = 0;
	while (ipk_querier_source_next(&q, &g, &cur, F.now, &qs) == 1) {
		assert_true(qs.source == S(100) || qs.source == S(102));
		n++;
	}
	assert_int_equal(n, 2);
	/* answers to a general query refresh every group */
	clear_log();
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	advance(10000);
	assert_int_equal(F.nsent, 2);
	assert_int_equal(ipk_querier_group_find(&q, G2, F.now, &g), 1);
	assert_true(g.group_timer_ms > 250000);
	F.q = NULL;
	free(qm);
}

/* ---- scale: 65,535 hosts, a general query is linear ---- */

static void test_scale(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	(void)st;
	cfg_base(&c, 65535);
	c.max_groups = 32000;
	c.max_memberships = 131070;
	c.max_sources = 65536;
	c.flags = IPK_HOST_F_BATCH;
	start(&c);
	for (uint32_t i = 0; i < 65535; i++) {
		assert_int_equal(chg(i, 0, A(239, 3, 0, 0) + i % 32000, EX, NULL, 0), 1);
		assert_int_equal(chg(i, 0, A(239, 3, 0, 0) + (i + 16000) % 32000, EX, NULL, 0), 1);
	}
	advance(0);
	assert_int_equal(F.nsent_all, 65535); /* one merged report per host */
	advance(60000);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.nmemberships, 131070);
	assert_int_equal(s.ngroups, 32000);
	assert_int_equal(s.pending_reports, 0);
	clear_log();
	assert_int_equal(hear_v3q(0, 100, NULL, 0), 0);
	assert_int_equal(F.nsched, 65535);
	advance(10000);
	assert_int_equal(F.nsent_all, 65535);
	/* a group-specific query reaches only the group's members */
	clear_log();
	assert_int_equal(hear_v3q(A(239, 3, 0, 7), 100, NULL, 0), 0);
	assert_int_equal(F.nsched, 5); /* hosts 7, 32007, 64007 and 16007, 48007 */
	advance(10000);
	assert_int_equal(F.nsent_all, 5);
}

/* One host in 32,000 groups: joins and leaves stay linear (memberships are unlinked in O(1)),
 * and the records go out in full reports. */
static void test_one_host_many_groups(void **st)
{
	struct ipk_host_cfg c;
	struct ipk_host_status s;
	uint64_t recs = 0;
	(void)st;
	cfg_base(&c, 1);
	c.max_groups = 32000;
	c.max_memberships = 32000;
	c.flags = IPK_HOST_F_BATCH;
	start(&c);
	for (uint32_t g = 0; g < 32000; g++)
		assert_int_equal(chg(0, 0, A(239, 5, 0, 0) + g, EX, NULL, 0), 1);
	advance(0);
	assert_int_equal(F.nsent_all, (32000 + 182) / 183);
	advance(5000);
	clear_log();
	for (uint32_t g = 0; g < 32000; g++)
		assert_int_equal(chg(0, 0, A(239, 5, 0, 0) + g, IN, NULL, 0), 1);
	advance(0);
	for (unsigned i = 0; i < F.nsent; i++)
		recs += F.sent[i].nrec;
	assert_int_equal(recs, 32000);
	assert_int_equal(F.sent[0].rec[0].type, IPK_IGMP_TO_IN);
	advance(5000);
	ipk_host_status(&F.h, F.now, &s);
	assert_int_equal(s.nmemberships, 0);
	assert_int_equal(s.ngroups, 0);
	assert_int_equal(s.counters.tx_records, 4 * 32000);
}

static void test_names(void **st)
{
	(void)st;
	assert_string_equal(ipk_host_ev_name(IPK_HEV_SEND), "send");
	assert_string_equal(ipk_host_ev_name(IPK_HEV_FULL), "full");
	assert_string_equal(ipk_host_ev_name(99), "unknown");
	assert_string_equal(ipk_host_report_kind_name(IPK_HOST_RPT_LEAVE), "leave");
	assert_string_equal(ipk_host_report_kind_name(0), "unknown");
	assert_string_equal(ipk_host_profile_name(IPK_HOST_PROFILE_LINUX), "linux");
	assert_string_equal(ipk_host_profile_name(7), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_defaults, teardown),
	    cmocka_unit_test_teardown(test_51_rows, teardown),
	    cmocka_unit_test_teardown(test_socket_merge, teardown),
	    cmocka_unit_test_teardown(test_merge_sources, teardown),
	    cmocka_unit_test_teardown(test_merge_mode, teardown),
	    cmocka_unit_test_teardown(test_rexmit_count, teardown),
	    cmocka_unit_test_teardown(test_52_general, teardown),
	    cmocka_unit_test_teardown(test_52_rules, teardown),
	    cmocka_unit_test_teardown(test_52_gs_answers, teardown),
	    cmocka_unit_test_teardown(test_52_delays, teardown),
	    cmocka_unit_test_teardown(test_mtu_split, teardown),
	    cmocka_unit_test_teardown(test_v2_suppression_and_leave, teardown),
	    cmocka_unit_test_teardown(test_ovqpt, teardown),
	    cmocka_unit_test_teardown(test_compat_cancels, teardown),
	    cmocka_unit_test_teardown(test_time_scale, teardown),
	    cmocka_unit_test_teardown(test_forced, teardown),
	    cmocka_unit_test_teardown(test_linux_profile, teardown),
	    cmocka_unit_test_teardown(test_link_local, teardown),
	    cmocka_unit_test_teardown(test_unicast_query, teardown),
	    cmocka_unit_test_teardown(test_seeds, teardown),
	    cmocka_unit_test_teardown(test_pool_full, teardown),
	    cmocka_unit_test_teardown(test_bad_queries, teardown),
	    cmocka_unit_test_teardown(test_fuzz, teardown),
	    cmocka_unit_test_teardown(test_round_trip, teardown),
	    cmocka_unit_test_teardown(test_scale, teardown),
	    cmocka_unit_test_teardown(test_one_host_many_groups, teardown),
	    cmocka_unit_test_teardown(test_names, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
