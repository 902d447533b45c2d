/* test_querier.c - the IGMP querier state machine in virtual time: RFC 3376/9776 6.4 rows, 6.6.3 queries and the S flag, election, compatibility modes, findings, bridge-selftest scenarios, scale. */
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
#include "ipv4kit/querier.h"

#include "igmp_dgram.h"

#define A IPK_IP4_ADDR
#define G1 A(239, 1, 1, 1)
#define ME A(198, 18, 0, 10)
#define HOST A(198, 18, 0, 100)
#define S(n) A(198, 18, 1, n)

/* defaults: GMI 260 s, LMQT 2 s, LMQI 1 s, OQPI 255 s */
#define GMI 260000u
#define LMQT 2000u
#define LMQI 1000u
#define OQPI 255000u
#define T0 1000u

/* ---- fixture: the machine and the events it reported ---- */

#define MAXEV 4096
struct sent {
	struct ipk_querier_query q;
	uint32_t srcs[IPK_QUERIER_DEFAULT_QUERY_SOURCES];
	uint64_t at;
};
static struct {
	struct ipk_querier q;
	void *mem;
	struct ipk_querier_event ev[MAXEV];
	unsigned nev;
	struct sent sent[256];
	unsigned nsent;
	unsigned findings[64]; /* by -(code + 1000) - 50 for IGMP codes */
	uint64_t now;
} F;

static void on_event(void *arg, const struct ipk_querier_event *ev)
{
	(void)arg;
	if (F.nev < MAXEV) {
		F.ev[F.nev] = *ev;
		F.ev[F.nev].query = NULL;
		F.nev++;
	}
	if (ev->type == IPK_QEV_SEND && F.nsent < 256) {
		struct sent *s = &F.sent[F.nsent++];
		s->q = *ev->query;
		if (ev->query->nsrcs)
			memcpy(s->srcs, ev->query->srcs, ev->query->nsrcs * sizeof(uint32_t));
		s->q.srcs = s->srcs;
		s->at = ev->now_ms;
	}
}

static void clear_log(void)
{
	F.nev = 0;
	F.nsent = 0;
}

static void start(struct ipk_querier_cfg *c)
{
	size_t need = ipk_querier_mem_size(c->max_groups, c->max_sources);
	free(F.mem);
	memset(&F, 0, sizeof(F));
	F.mem = malloc(need);
	assert_non_null(F.mem);
	assert_int_equal(ipk_querier_init(&F.q, c, F.mem, need, T0, on_event, NULL), 0);
	F.now = T0;
}

/* Start with c and send the startup queries (both within 40 s); the log starts empty. */
static void start_running(struct ipk_querier_cfg *c)
{
	start(c);
	F.now = T0 + 40000;
	(void)ipk_querier_tick(&F.q, F.now);
	clear_log();
}

/* A querier at ME (lowest on the link in these tests unless said), its startup queries sent. */
static void start_default(void)
{
	struct ipk_querier_cfg c;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	start_running(&c);
}

static void advance(uint64_t ms)
{
	F.now += ms;
	(void)ipk_querier_tick(&F.q, F.now);
}

static void teardown_all(void)
{
	free(F.mem);
	F.mem = NULL;
}

/* ---- datagrams ---- */

static uint8_t dg[2048];

/* Finish the message at dg + IPK_IGMP_HDRROOM (igmp_dgram.h): ttl 0 keeps 1, ra 0 strips Router
 * Alert, dst 0 keeps the default. */
static size_t finish(size_t msglen, uint32_t src, uint8_t ttl, int ra, uint32_t dst)
{
	size_t n = igmp_dgram(dg, sizeof(dg), msglen, src, ttl, ra, dst);
	assert_true(n > 0);
	return n;
}

static int feed(size_t len)
{
	return ipk_querier_input(&F.q, dg, len, F.now);
}

/* A v3 report with one record. */
static int v3rec_from(uint32_t from, uint8_t type, uint32_t group, const uint32_t *srcs, uint16_t n)
{
	struct ipk_wbuf w;
	struct ipk_igmp_rec_spec r = {.type = type, .nsrcs = n, .group = group, .srcs = srcs};
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_report(&w, &r, 1), 0);
	return feed(finish(w.len, from, 0, 1, 0));
}

static int v3rec(uint8_t type, uint32_t group, const uint32_t *srcs, uint16_t n)
{
	return v3rec_from(HOST, type, group, srcs, n);
}

/* v1/v2 report or leave, to its usual destination unless dst. */
static int v12(uint8_t type, uint32_t group, uint32_t dst)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	if (type == IPK_IGMP_V1_REPORT)
		assert_int_equal(ipk_igmp_put_v1(&w, type, group), 0);
	else
		assert_int_equal(ipk_igmp_put_v2(&w, type, 0, group), 0);
	return feed(finish(w.len, HOST, 0, type != IPK_IGMP_V1_REPORT, dst));
}

/* A v3 query from src with QRV and QQIC. */
static int v3query_rq(uint32_t src, uint32_t group, uint8_t s, uint8_t mrc, uint8_t qrv, uint8_t qqic,
		      const uint32_t *srcs, uint16_t n)
{
	struct ipk_wbuf w;
	struct ipk_igmp_v3q q = {.mrc = mrc, .s = s, .qrv = qrv, .qqic = qqic, .group = group,
				 .srcs = srcs, .nsrcs = n};
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	return feed(finish(w.len, src, 0, 1, 0));
}

/* A v3 query from src with the default QRV 2 and QQIC 125. */
static int v3query(uint32_t src, uint32_t group, uint8_t s, uint8_t mrc, const uint32_t *srcs, uint16_t n)
{
	return v3query_rq(src, group, s, mrc, 2, 125, srcs, n);
}

/* ---- reading the state ---- */

static int gmode(uint32_t group)
{
	struct ipk_querier_group g;
	return ipk_querier_group_find(&F.q, group, F.now, &g) ? g.filter_mode : 0;
}

static struct ipk_querier_group ginfo(uint32_t group)
{
	struct ipk_querier_group g;
	assert_int_equal(ipk_querier_group_find(&F.q, group, F.now, &g), 1);
	return g;
}

/* Remaining timer of a source, -1 when it has no record. */
static long stimer(uint32_t group, uint32_t source)
{
	struct ipk_querier_group g;
	struct ipk_querier_source s;
	uint32_t cur = 0;
	if (!ipk_querier_group_find(&F.q, group, F.now, &g))
		return -1;
	while (ipk_querier_source_next(&F.q, &g, &cur, F.now, &s))
		if (s.source == source)
			return (long)s.timer_ms;
	return -1;
}

static unsigned nsources(uint32_t group)
{
	struct ipk_querier_group g;
	return ipk_querier_group_find(&F.q, group, F.now, &g) ? g.nsources : 0;
}

static unsigned count_events(uint8_t type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < F.nev; i++)
		n += F.ev[i].type == type;
	return n;
}

static int has_finding(int code)
{
	for (unsigned i = 0; i < F.nev; i++)
		if (F.ev[i].type == IPK_QEV_FINDING && F.ev[i].code == code)
			return 1;
	return 0;
}

/* The sent query i: group, S flag and its sources (sorted compare). */
static void assert_sent(unsigned i, uint32_t group, uint8_t s, const uint32_t *srcs, uint16_t n)
{
	assert_true(i < F.nsent);
	assert_int_equal(F.sent[i].q.group, group);
	assert_int_equal(F.sent[i].q.dst, group ? group : IPK_IGMP_ALL_SYSTEMS);
	assert_int_equal(F.sent[i].q.s, s);
	assert_int_equal(F.sent[i].q.nsrcs, n);
	for (uint16_t k = 0; k < n; k++) {
		int found = 0;
		for (uint16_t j = 0; j < n; j++)
			found |= F.sent[i].srcs[j] == srcs[k];
		assert_true(found);
	}
}

/* ---- configuration ---- */

static void test_defaults(void **state)
{
	struct ipk_querier_cfg c;
	(void)state;
	ipk_querier_cfg_default(&c);
	assert_int_equal(c.version, 3);
	assert_int_equal(c.robustness, 2);
	assert_int_equal(ipk_querier_cfg_check(&c), 0);
	assert_int_equal(ipk_querier_gmi(&c), 260000);
	assert_int_equal(ipk_querier_oqpi(&c), 255000);
	assert_int_equal(ipk_querier_lmqt(&c), 2000);
	assert_int_equal(ipk_querier_ohpi(&c), 260000);
	assert_int_equal(ipk_querier_sqi(&c), 31250);
	assert_int_equal(ipk_querier_sqc(&c), 2);
	assert_int_equal(ipk_querier_lmqc(&c), 2);
	c.robustness = 3;
	c.query_interval_ms = 60000;
	c.query_response_interval_ms = 5000;
	c.last_member_interval_ms = 500;
	assert_int_equal(ipk_querier_gmi(&c), 185000);
	assert_int_equal(ipk_querier_oqpi(&c), 182500);
	assert_int_equal(ipk_querier_lmqt(&c), 1500);
	assert_int_equal(ipk_querier_sqc(&c), 3);
	c.last_member_count = 4;
	assert_int_equal(ipk_querier_lmqt(&c), 2000);
	/* invalid */
	c.query_response_interval_ms = 60000; /* QRI must be below QI */
	assert_int_equal(ipk_querier_cfg_check(&c), IPK_E_INVAL);
	ipk_querier_cfg_default(&c);
	c.robustness = 0;
	assert_int_equal(ipk_querier_cfg_check(&c), IPK_E_INVAL);
	ipk_querier_cfg_default(&c);
	c.version = 4;
	assert_int_equal(ipk_querier_cfg_check(&c), IPK_E_INVAL);
	ipk_querier_cfg_default(&c);
	c.max_groups = 0;
	assert_int_equal(ipk_querier_cfg_check(&c), IPK_E_INVAL);
	assert_int_equal(ipk_querier_mem_size(0, 1), 0);
	/* memory too small */
	ipk_querier_cfg_default(&c);
	{
		struct ipk_querier q;
		static uint8_t small[64];
		assert_int_equal(ipk_querier_init(&q, &c, small, sizeof(small), 5, NULL, NULL), IPK_E_NOSPACE);
	}
}

/* Startup: SQC general queries SQI apart, then every QI (6.1, 8.6, 8.7). */
static void test_startup_queries(void **state)
{
	struct ipk_querier_cfg c;
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	start(&c);
	assert_int_equal(ipk_querier_next_deadline(&F.q), T0);
	(void)ipk_querier_tick(&F.q, T0 + 125000 + 31250);
	assert_int_equal(F.nsent, 3);
	assert_int_equal(F.sent[0].at, T0);
	assert_int_equal(F.sent[1].at, T0 + 31250);
	assert_int_equal(F.sent[2].at, T0 + 31250 + 125000);
	for (unsigned i = 0; i < 3; i++) {
		assert_sent(i, 0, 0, NULL, 0);
		assert_int_equal(F.sent[i].q.version, 3);
		assert_int_equal(F.sent[i].q.mrc, 100);  /* 10 s */
		assert_int_equal(F.sent[i].q.qqic, 125);
		assert_int_equal(F.sent[i].q.qrv, 2);
	}
	assert_int_equal(ipk_querier_next_deadline(&F.q), T0 + 31250 + 2 * 125000);
	/* v2 querier: Max Resp Time in 1/10 s; v1: 0 */
	c.version = 2;
	start(&c);
	(void)ipk_querier_tick(&F.q, T0);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].q.version, 2);
	assert_int_equal(F.sent[0].q.mrc, 100);
	c.version = 1;
	start(&c);
	(void)ipk_querier_tick(&F.q, T0);
	assert_int_equal(F.sent[0].q.version, 1);
	assert_int_equal(F.sent[0].q.mrc, 0);
	teardown_all();
}

/* ---- 6.4.1 current-state records ---- */

/* INCLUDE(A) IS_IN(B) -> INCLUDE(A+B), (B)=GMI */
static void test_641_incl_is_in(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	advance(10000);
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(stimer(G1, S(1)), GMI - 10000);
	assert_int_equal(stimer(G1, S(2)), GMI);
	assert_int_equal(stimer(G1, S(3)), GMI);
	assert_int_equal(ginfo(G1).group_timer_ms, 0);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* INCLUDE(A) IS_EX(B) -> EXCLUDE(A*B, B-A): (B-A)=0, Delete(A-B), Group Timer=GMI */
static void test_641_incl_is_ex(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	advance(10000);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(1)), -1);
	assert_int_equal(stimer(G1, S(2)), GMI - 10000);
	assert_int_equal(stimer(G1, S(3)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* EXCLUDE(X,Y) with X={2,6} (timers running), Y={3,7} (timer 0), built with rows already
 * tested: INCLUDE{2,6} then IS_EX{2,3,6,7}. */
static void make_excl(void)
{
	uint32_t a[] = {S(2), S(6)}, b[] = {S(2), S(3), S(6), S(7)};
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, b, 4), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(3)), 0);
	assert_int_equal(stimer(G1, S(7)), 0);
	advance(10000);
	clear_log();
}

/* EXCLUDE(X,Y) IS_IN(A) -> EXCLUDE(X+A, Y-A): (A)=GMI */
static void test_641_excl_is_in(void **state)
{
	uint32_t a[] = {S(3), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(2)), GMI - 10000);
	assert_int_equal(stimer(G1, S(6)), GMI - 10000);
	assert_int_equal(stimer(G1, S(3)), GMI); /* left Y */
	assert_int_equal(stimer(G1, S(4)), GMI);
	assert_int_equal(stimer(G1, S(7)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI - 10000);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* EXCLUDE(X,Y) IS_EX(A) -> EXCLUDE(A-Y, Y*A): (A-X-Y)=GMI, Delete(X-A), Delete(Y-A), GT=GMI */
static void test_641_excl_is_ex(void **state)
{
	uint32_t a[] = {S(2), S(3), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, a, 3), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(2)), GMI - 10000); /* X*A keeps its timer */
	assert_int_equal(stimer(G1, S(3)), 0);           /* Y*A stays excluded */
	assert_int_equal(stimer(G1, S(4)), GMI);         /* A-X-Y */
	assert_int_equal(stimer(G1, S(6)), -1);
	assert_int_equal(stimer(G1, S(7)), -1);
	assert_int_equal(nsources(G1), 3);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* ---- 6.4.2 state-change records ---- */

/* INCLUDE(A) ALLOW(B) -> INCLUDE(A+B): (B)=GMI */
static void test_642_incl_allow(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, a, 2), 0);
	advance(5000);
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(stimer(G1, S(1)), GMI - 5000);
	assert_int_equal(stimer(G1, S(2)), GMI);
	assert_int_equal(stimer(G1, S(3)), GMI);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* INCLUDE(A) BLOCK(B) -> INCLUDE(A): Send Q(G, A*B); the source then times out after LMQT */
static void test_642_incl_block(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)}, q[] = {S(2)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(stimer(G1, S(3)), -1);
	assert_int_equal(stimer(G1, S(2)), LMQT);
	assert_int_equal(stimer(G1, S(1)), GMI);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, q, 1);
	assert_int_equal(F.sent[0].q.mrc, 10); /* LMQI 1 s */
	assert_int_equal(F.sent[0].q.retransmission, 0);
	/* LMQC-1 = 1 retransmission after LMQI, then the source expires at LMQT */
	advance(LMQI);
	assert_int_equal(F.nsent, 2);
	assert_sent(1, G1, 0, q, 1);
	assert_int_equal(F.sent[1].q.retransmission, 1);
	advance(LMQT - LMQI - 1);
	assert_int_equal(stimer(G1, S(2)), 1);
	advance(1);
	assert_int_equal(stimer(G1, S(2)), -1);
	assert_int_equal(nsources(G1), 1);
	advance(10 * LMQI);
	assert_int_equal(F.nsent, 2);
	/* a BLOCK of the last source deletes the group after LMQT */
	{
		uint32_t one[] = {S(1)};
		assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, one, 1), 0);
		advance(LMQT);
		assert_int_equal(gmode(G1), 0);
		assert_int_equal(count_events(IPK_QEV_GROUP_DEL), 1);
	}
	teardown_all();
}

/* INCLUDE(A) TO_EX(B) -> EXCLUDE(A*B, B-A): (B-A)=0, Delete(A-B), Send Q(G, A*B), GT=GMI */
static void test_642_incl_to_ex(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)}, q[] = {S(2)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(1)), -1);
	assert_int_equal(stimer(G1, S(2)), LMQT);
	assert_int_equal(stimer(G1, S(3)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, q, 1);
	/* in EXCLUDE mode an expired source stays, in the exclude list (6.3) */
	advance(LMQT);
	assert_int_equal(stimer(G1, S(2)), 0);
	assert_int_equal(nsources(G1), 2);
	teardown_all();
}

/* INCLUDE(A) TO_IN(B) -> INCLUDE(A+B): (B)=GMI, Send Q(G, A-B) */
static void test_642_incl_to_in(void **state)
{
	uint32_t a[] = {S(1), S(2)}, b[] = {S(2), S(3)}, q[] = {S(1)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(v3rec(IPK_IGMP_TO_IN, G1, b, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(stimer(G1, S(1)), LMQT);
	assert_int_equal(stimer(G1, S(2)), GMI);
	assert_int_equal(stimer(G1, S(3)), GMI);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, q, 1);
	teardown_all();
}

/* EXCLUDE(X,Y) ALLOW(A) -> EXCLUDE(X+A, Y-A): (A)=GMI */
static void test_642_excl_allow(void **state)
{
	uint32_t a[] = {S(3), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, a, 2), 0);
	assert_int_equal(stimer(G1, S(2)), GMI - 10000);
	assert_int_equal(stimer(G1, S(3)), GMI);
	assert_int_equal(stimer(G1, S(4)), GMI);
	assert_int_equal(stimer(G1, S(7)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI - 10000);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* EXCLUDE(X,Y) BLOCK(A) -> EXCLUDE(X+(A-Y), Y): (A-X-Y)=Group Timer, Send Q(G, A-Y) */
static void test_642_excl_block(void **state)
{
	uint32_t a[] = {S(2), S(3), S(4)}, q[] = {S(2), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, a, 3), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	/* S(4) got the group timer (GMI - 10 s), then both were lowered to LMQT by the query */
	assert_int_equal(stimer(G1, S(4)), LMQT);
	assert_int_equal(stimer(G1, S(2)), LMQT);
	assert_int_equal(stimer(G1, S(3)), 0);
	assert_int_equal(stimer(G1, S(6)), GMI - 10000);
	assert_int_equal(stimer(G1, S(7)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI - 10000);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, q, 2);
	teardown_all();
}

/* EXCLUDE(X,Y) TO_EX(A) -> EXCLUDE(A-Y, Y*A): (A-X-Y)=Group Timer, Delete(X-A), Delete(Y-A),
 * Send Q(G, A-Y), Group Timer=GMI */
static void test_642_excl_to_ex(void **state)
{
	uint32_t a[] = {S(2), S(3), S(4)}, q[] = {S(2), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, G1, a, 3), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(2)), LMQT);
	assert_int_equal(stimer(G1, S(4)), LMQT);
	assert_int_equal(stimer(G1, S(3)), 0);
	assert_int_equal(stimer(G1, S(6)), -1);
	assert_int_equal(stimer(G1, S(7)), -1);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, q, 2);
	teardown_all();
}

/* The (A-X-Y)=Group Timer part alone: with no query (non-querier), the new source takes the
 * group timer's remaining time, not GMI. */
static void test_642_excl_to_ex_group_timer(void **state)
{
	uint32_t a[] = {S(2), S(3), S(4)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3query(A(198, 18, 0, 1), 0, 0, 100, NULL, 0), 0); /* lower: we stop */
	assert_int_equal(F.q.is_querier, 0);
	advance(5000);
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, G1, a, 3), 0);
	assert_int_equal(stimer(G1, S(4)), GMI - 15000);
	assert_int_equal(stimer(G1, S(2)), GMI - 15000);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* EXCLUDE(X,Y) TO_IN(A) -> EXCLUDE(X+A, Y-A): (A)=GMI, Send Q(G, X-A), Send Q(G) */
static void test_642_excl_to_in(void **state)
{
	uint32_t a[] = {S(3), S(4)}, q[] = {S(2), S(6)};
	(void)state;
	start_default();
	make_excl();
	assert_int_equal(v3rec(IPK_IGMP_TO_IN, G1, a, 2), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(stimer(G1, S(2)), LMQT);
	assert_int_equal(stimer(G1, S(6)), LMQT);
	assert_int_equal(stimer(G1, S(3)), GMI);
	assert_int_equal(stimer(G1, S(4)), GMI);
	assert_int_equal(stimer(G1, S(7)), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, LMQT);
	assert_int_equal(F.nsent, 2);
	assert_sent(0, G1, 0, q, 2);
	assert_sent(1, G1, 0, NULL, 0);
	/* after LMQT: group timer expires, the running sources make INCLUDE(3,4), 2/6/7 gone */
	advance(LMQT);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(nsources(G1), 2);
	assert_int_equal(stimer(G1, S(3)), GMI - LMQT);
	assert_int_equal(stimer(G1, S(7)), -1);
	teardown_all();
}

/* ---- 6.6.3: the S flag and the split source sets ---- */

static void test_663_sflag_split(void **state)
{
	uint32_t a[] = {S(1), S(2), S(3)}, blk[] = {S(1), S(2)}, one[] = {S(1)}, two[] = {S(2)};
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 3), 0);
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, blk, 2), 0);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, blk, 2);
	/* a host still wants S(1): its timer goes back to GMI before the retransmission */
	advance(500);
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, one, 1), 0);
	advance(LMQI - 500);
	/* retransmission: S(1) > LMQT in a query with S set, S(2) <= LMQT with S clear */
	assert_int_equal(F.nsent, 3);
	assert_sent(1, G1, 1, one, 1);
	assert_sent(2, G1, 0, two, 1);
	assert_int_equal(F.sent[1].q.retransmission, 1);
	/* received S=1 queries do not lower timers; nothing more after LMQC transmissions */
	advance(5 * LMQI);
	assert_int_equal(F.nsent, 3);
	assert_int_equal(stimer(G1, S(1)), GMI - (LMQI - 500) - 5 * LMQI);
	assert_int_equal(stimer(G1, S(2)), -1);
	teardown_all();
}

/* Group-specific query: S set in the retransmission after a report raised the group timer. */
static void test_663_group_sflag(void **state)
{
	(void)state;
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	assert_int_equal(v3rec(IPK_IGMP_TO_IN, G1, NULL, 0), 0); /* the v3 leave */
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, NULL, 0);
	assert_int_equal(ginfo(G1).group_timer_ms, LMQT);
	advance(300);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0); /* a member answers */
	advance(LMQI - 300);
	assert_int_equal(F.nsent, 2);
	assert_sent(1, G1, 1, NULL, 0);
	advance(GMI);
	assert_int_equal(gmode(G1), 0);
	teardown_all();
}

/* Last Member Query Count retransmissions: LMQC queries LMQI apart (here 4, 500 ms). */
static void test_lmqc_retransmissions(void **state)
{
	struct ipk_querier_cfg c;
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	c.last_member_count = 4;
	c.last_member_interval_ms = 500;
	start_running(&c);
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
	advance(10000);
	assert_int_equal(F.nsent, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(F.sent[i].at, T0 + 40000 + i * 500);
		assert_int_equal(F.sent[i].q.group, G1);
		assert_int_equal(F.sent[i].q.mrc, 5);
		assert_int_equal(F.sent[i].q.retransmission, i);
	}
	/* the group left after LMQT = 2 s */
	assert_int_equal(gmode(G1), 0);
	assert_int_equal(F.q.ctr.groups_deleted, 1);
	teardown_all();
}

/* ---- election (6.6.2) ---- */

static void test_election(void **state)
{
	(void)state;
	start_default();
	/* a higher address does not win */
	assert_int_equal(v3query(A(198, 18, 0, 20), 0, 0, 100, NULL, 0), 0);
	assert_int_equal(F.q.is_querier, 1);
	assert_false(has_finding(IPK_E_IGMP_QUERY_LOWER));
	/* a lower one does: non-querier, Other Querier Present timer = OQPI */
	assert_int_equal(v3query(A(198, 18, 0, 5), 0, 0, 100, NULL, 0), 0);
	assert_true(has_finding(IPK_E_IGMP_QUERY_LOWER));
	assert_int_equal(count_events(IPK_QEV_ELECTION), 1);
	{
		struct ipk_querier_status s;
		ipk_querier_status(&F.q, F.now, &s);
		assert_int_equal(s.querier, 0);
		assert_int_equal(s.querier_address, A(198, 18, 0, 5));
		assert_int_equal(s.other_querier_present_ms, OQPI);
		assert_int_equal(s.general_query_ms, 0);
	}
	/* a non-querier sends nothing, not even group-specific queries on a leave */
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
	advance(100000);
	assert_int_equal(F.nsent, 0);
	/* a query from between us and the querier does not refresh the timer */
	assert_int_equal(v3query(A(198, 18, 0, 7), 0, 0, 100, NULL, 0), 0);
	advance(OQPI - 100000 - 1);
	assert_int_equal(F.q.is_querier, 0);
	assert_int_equal(F.nsent, 0);
	/* the querier went silent: after OQPI we are querier again and query at once */
	advance(1);
	assert_int_equal(F.q.is_querier, 1);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, 0, 0, NULL, 0);
	assert_int_equal(F.sent[0].at, F.now);
	advance(125000);
	assert_int_equal(F.nsent, 2);
	/* a proxy querier (0.0.0.0) never wins */
	assert_int_equal(v3query(0, 0, 0, 100, NULL, 0), 0);
	assert_int_equal(F.q.is_querier, 1);
	teardown_all();
}

/* Refresh: the current querier's queries keep us non-querier past one OQPI. */
static void test_election_refresh(void **state)
{
	(void)state;
	start_default();
	for (int i = 0; i < 4; i++) {
		assert_int_equal(v3query(A(198, 18, 0, 5), 0, 0, 100, NULL, 0), 0);
		advance(125000);
		assert_int_equal(F.q.is_querier, 0);
	}
	assert_int_equal(F.nsent, 0);
	advance(OQPI);
	assert_int_equal(F.q.is_querier, 1);
	teardown_all();
}

/* RFC 2236 section 3: a v2 querier sending group-specific queries after a leave ignores the
 * transition to non-querier until the last one's response time is over; a v3 querier does not. */
static void test_v2_keeps_querying_after_leave(void **state)
{
	struct ipk_querier_cfg c;
	struct ipk_wbuf w;
	(void)state;
	for (int version = 2; version <= 3; version++) {
		ipk_querier_cfg_default(&c);
		c.address = ME;
		c.version = (uint8_t)version;
		start_running(&c);
		assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
		assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
		advance(100);
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, 100, 0), 0);
		assert_int_equal(feed(finish(w.len, A(198, 18, 0, 5), 0, 1, 0)), 0);
		assert_true(has_finding(IPK_E_IGMP_QUERY_LOWER));
		assert_int_equal(F.q.is_querier, version == 2);
		advance(LMQI);
		assert_int_equal(F.nsent, version == 2 ? 2 : 1); /* the retransmission */
		/* after LMQT the next lower query wins */
		advance(LMQT);
		assert_int_equal(feed(finish(w.len, A(198, 18, 0, 5), 0, 1, 0)), 0);
		assert_int_equal(F.q.is_querier, 0);
		teardown_all();
	}
}

/* IPK_QUERIER_F_START_NONQUERIER: silent for OQPI first, then querier with a general query. */
static void test_start_nonquerier(void **state)
{
	struct ipk_querier_cfg c;
	struct ipk_querier_status st;
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	c.flags = IPK_QUERIER_F_START_NONQUERIER;
	start(&c);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.querier, 0);
	assert_int_equal(st.other_querier_present_ms, OQPI);
	assert_int_equal(ipk_querier_next_deadline(&F.q), T0 + OQPI);
	advance(OQPI - 1);
	assert_int_equal(F.nsent, 0);
	advance(1);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.q.is_querier, 1);
	assert_int_equal(count_events(IPK_QEV_ELECTION), 1);
	teardown_all();
}

/* A non-querier lowers its timers on a specific query with S clear, not with S set (6.6.1). */
static void test_nonquerier_lowers(void **state)
{
	uint32_t a[] = {S(1), S(2)}, q1[] = {S(1)}, q2[] = {S(2)};
	(void)state;
	start_default();
	assert_int_equal(v3query(A(198, 18, 0, 5), 0, 0, 100, NULL, 0), 0);
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, G1, a, 2), 0);
	assert_int_equal(v3query(A(198, 18, 0, 5), G1, 0, 10, q1, 1), 0);
	assert_int_equal(v3query(A(198, 18, 0, 5), G1, 1, 10, q2, 1), 0);
	assert_int_equal(stimer(G1, S(1)), LMQT);
	assert_int_equal(stimer(G1, S(2)), GMI);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	assert_int_equal(v3query(A(198, 18, 0, 5), G1, 0, 10, NULL, 0), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, LMQT);
	assert_int_equal(F.nsent, 0);
	teardown_all();
}

/* A non-querier takes the querier's QRV, QQI and QRI for its timers (4.1.6, 4.1.7), and its own
 * configuration back when it becomes querier; a 0 QRV or QQIC keeps the configured value. */
static void test_nonquerier_adopts(void **state)
{
	struct ipk_querier_status st;
	(void)state;
	start_default();
	assert_int_equal(v3query_rq(A(198, 18, 0, 5), 0, 0, 50, 3, 60, NULL, 0), 0);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.querier, 0);
	assert_int_equal(st.gmi_ms, 3 * 60000 + 5000);
	assert_int_equal(st.oqpi_ms, 3 * 60000 + 2500);
	assert_int_equal(st.ohpi_ms, 3 * 60000 + 5000);
	assert_int_equal(st.other_querier_present_ms, 3 * 60000 + 2500);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, 185000);
	/* QRV 0 and QQIC 0: the configured RV and QI */
	assert_int_equal(v3query_rq(A(198, 18, 0, 5), 0, 0, 100, 0, 0, NULL, 0), 0);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.gmi_ms, GMI);
	/* querier again after OQPI: own values */
	assert_int_equal(v3query_rq(A(198, 18, 0, 5), 0, 0, 50, 3, 60, NULL, 0), 0);
	advance(182500);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.querier, 1);
	assert_int_equal(st.gmi_ms, GMI);
	assert_int_equal(st.oqpi_ms, OQPI);
	teardown_all();
}

/* On a clock 20 times faster than the wire (cfg.time_scale 20) the times heard in queries are
 * multiplied by 20: a querier's QQIC 6 s and Max Resp Code 1 s are 120 s and 20 s here. */
static void test_time_scale_heard(void **state)
{
	struct ipk_querier_cfg c;
	struct ipk_querier_status st;
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	c.time_scale = 20;
	start(&c);
	assert_int_equal(v3query_rq(A(198, 18, 0, 5), 0, 0, 10, 2, 6, NULL, 0), 0);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.gmi_ms, 2 * 120000 + 20000);
	assert_int_equal(st.oqpi_ms, 2 * 120000 + 10000);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	assert_int_equal(v3query_rq(A(198, 18, 0, 5), G1, 0, 10, 2, 6, NULL, 0), 0);
	assert_int_equal(ginfo(G1).group_timer_ms, 2 * 20000); /* LMQC x 1 s x 20 */
	c.time_scale = -1;
	assert_int_equal(ipk_querier_cfg_check(&c), IPK_E_INVAL);
	teardown_all();
}

/* ---- compatibility (7.3.2) ---- */

static void test_compat_v2(void **state)
{
	uint32_t b[] = {S(1)};
	struct ipk_querier_group g;
	(void)state;
	start_default();
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
	g = ginfo(G1);
	assert_int_equal(g.compat_version, 2);
	assert_int_equal(g.filter_mode, IPK_QUERIER_EXCLUDE);
	assert_int_equal(g.v2_host_timer_ms, GMI);
	assert_int_equal(g.v1_host_timer_ms, 0);
	assert_int_equal(g.group_timer_ms, GMI);
	/* BLOCK ignored; TO_EX(x) treated as TO_EX({}) */
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, b, 1), 0);
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, G1, b, 1), 0);
	assert_int_equal(nsources(G1), 0);
	assert_int_equal(F.nsent, 0);
	/* the leave works: TO_IN({}) -> Q(G) */
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, NULL, 0);
	teardown_all();
}

static void test_compat_v1_and_back(void **state)
{
	struct ipk_querier_group g;
	(void)state;
	start_default();
	assert_int_equal(v12(IPK_IGMP_V1_REPORT, G1, 0), 0);
	g = ginfo(G1);
	assert_int_equal(g.compat_version, 1);
	assert_int_equal(g.v1_host_timer_ms, GMI);
	/* v1 mode ignores leaves and TO_IN */
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 1);
	assert_int_equal(v3rec(IPK_IGMP_TO_IN, G1, NULL, 0), 0);
	assert_int_equal(F.nsent, 0);
	assert_int_equal(ginfo(G1).group_timer_ms, GMI);
	/* v3 reports keep the group; the v1 host timer runs out: back to v3 */
	advance(GMI / 2);
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	advance(GMI / 2);
	g = ginfo(G1);
	assert_int_equal(g.compat_version, 3);
	assert_int_equal(count_events(IPK_QEV_COMPAT), 2);
	/* now a leave-like TO_IN({}) queries */
	clear_log();
	assert_int_equal(v3rec(IPK_IGMP_TO_IN, G1, NULL, 0), 0);
	assert_int_equal(F.nsent, 1);
	assert_sent(0, G1, 0, NULL, 0);
	teardown_all();
}

/* A v2 querier: leaves make v2 group-specific queries; no source queries. */
static void test_v2_querier(void **state)
{
	struct ipk_querier_cfg c;
	uint32_t a[] = {S(1)};
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	c.version = 2;
	start_running(&c);
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
	assert_int_equal(ginfo(G1).compat_version, 2);
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
	assert_int_equal(F.nsent, 1);
	assert_int_equal(F.sent[0].q.version, 2);
	assert_int_equal(F.sent[0].q.mrc, 10);
	assert_int_equal(F.sent[0].q.group, G1);
	/* v3 query heard by a v2 querier: finding */
	assert_int_equal(v3query(A(198, 18, 0, 20), 0, 0, 100, NULL, 0), 0);
	assert_true(has_finding(IPK_E_IGMP_QUERY_VERSION));
	(void)a;
	teardown_all();
}

/* ---- findings ---- */

static void test_findings(void **state)
{
	struct ipk_wbuf w;
	size_t len;
	(void)state;
	start_default();
	/* v2 report without Router Alert: finding, still applied */
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, G1), 0);
	assert_int_equal(feed(finish(w.len, HOST, 0, 0, 0)), 0);
	assert_true(has_finding(IPK_E_IGMP_NO_RA));
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	/* TTL 2 */
	clear_log();
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, G1), 0);
	assert_int_equal(feed(finish(w.len, HOST, 2, 1, 0)), 0);
	assert_true(has_finding(IPK_E_IGMP_TTL));
	/* report to the wrong destination */
	clear_log();
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, IPK_IGMP_ALL_SYSTEMS), 0);
	assert_true(has_finding(IPK_E_IGMP_DST));
	/* leave to a unicast address */
	clear_log();
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, ME), 0);
	assert_true(has_finding(IPK_E_IGMP_LEAVE_UNICAST));
	assert_false(has_finding(IPK_E_IGMP_DST));
	/* bad checksum: ignored */
	clear_log();
	advance(LMQT);
	assert_int_equal(gmode(G1), 0);
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, G1), 0);
	len = finish(w.len, HOST, 0, 1, 0);
	dg[len - 1] ^= 1;
	assert_int_equal(feed(len), 1);
	assert_true(has_finding(IPK_E_IGMP_CHECKSUM));
	assert_int_equal(gmode(G1), 0);
	/* a bad IPv4 header checksum: ignored (an IP stack would drop it) */
	clear_log();
	ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, G1), 0);
	len = finish(w.len, HOST, 0, 1, 0);
	dg[10] ^= 0x40;
	assert_int_equal(feed(len), 1);
	assert_true(has_finding(IPK_E_IP_CHECKSUM));
	assert_int_equal(gmode(G1), 0);
	/* truncated datagram */
	clear_log();
	len = finish(w.len, HOST, 0, 1, 0);
	assert_int_equal(feed(len - 1), 1);
	assert_true(has_finding(IPK_E_IP_TRUNCATED));
	/* not IGMP: ignored without a finding */
	clear_log();
	len = finish(w.len, HOST, 0, 1, 0);
	dg[9] = 17;
	dg[10] = dg[11] = 0;
	{
		uint16_t c = ipk_csum(dg, 24);
		dg[10] = (uint8_t)(c >> 8);
		dg[11] = (uint8_t)c;
	}
	assert_int_equal(feed(len), 1);
	assert_int_equal(count_events(IPK_QEV_FINDING), 0);
	assert_int_equal(F.q.ctr.rx_ignored, 4); /* bad IGMP checksum, IP checksum, truncated, UDP */
	/* a 10-byte query: ignored (7.1), no election */
	clear_log();
	{
		struct ipk_igmp_over o = {.trail = (const uint8_t *)"\0\0", .trail_len = 2};
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put8(&w, IPK_IGMP_QUERY, 100, 0, &o), 0);
		assert_int_equal(feed(finish(w.len, A(198, 18, 0, 1), 0, 1, 0)), 1);
		assert_true(has_finding(IPK_E_IGMP_QUERY_LEN));
		assert_int_equal(F.q.is_querier, 1);
	}
	/* a v3 record of unknown type, between two good ones */
	clear_log();
	{
		struct ipk_igmp_rec_spec r[3] = {
		    {.type = IPK_IGMP_IS_EX, .group = G1},
		    {.type = 9, .group = A(239, 1, 1, 2)},
		    {.type = IPK_IGMP_IS_EX, .group = A(239, 1, 1, 3)},
		};
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put_v3_report(&w, r, 3), 0);
		assert_int_equal(feed(finish(w.len, HOST, 0, 1, 0)), 0);
		assert_true(has_finding(IPK_E_IGMP_REC_TYPE));
		assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
		assert_int_equal(gmode(A(239, 1, 1, 2)), 0);
		assert_int_equal(gmode(A(239, 1, 1, 3)), IPK_QUERIER_EXCLUDE);
	}
	/* link-local groups make no state by default */
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, A(224, 0, 0, 251), 0), 1);
	assert_int_equal(gmode(A(224, 0, 0, 251)), 0);
	/* strict mode drops what it reports */
	{
		struct ipk_querier_cfg c;
		ipk_querier_cfg_default(&c);
		c.address = ME;
		c.flags = IPK_QUERIER_F_STRICT;
		start(&c);
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, G1), 0);
		assert_int_equal(feed(finish(w.len, HOST, 0, 0, 0)), 1);
		assert_int_equal(gmode(G1), 0);
		assert_true(has_finding(IPK_E_IGMP_NO_RA));
	}
	teardown_all();
}

/* ---- scenarios of the Linux bridge IGMP selftest (bridge_igmp.sh), in virtual time ---- */

static void test_bridge_selftest(void **state)
{
	uint32_t x[] = {S(1), S(2), S(3)}, y[] = {S(4), S(5), S(6)};
	uint32_t allow[] = {S(10), S(11)}, block[] = {S(2), S(3)};
	(void)state;
	start_default();
	/* v2 report / leave */
	assert_int_equal(v12(IPK_IGMP_V2_REPORT, G1, 0), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(v12(IPK_IGMP_V2_LEAVE, G1, 0), 0);
	advance(LMQT);
	assert_int_equal(gmode(G1), 0);
	advance(GMI); /* let the v2 host timer of nothing matter */
	/* v3 include: ALLOW then BLOCK */
	clear_log();
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, x, 3), 0);
	assert_int_equal(nsources(G1), 3);
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, allow, 2), 0);
	assert_int_equal(nsources(G1), 5);
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, G1, block, 2), 0);
	advance(LMQT);
	assert_int_equal(nsources(G1), 3);
	assert_int_equal(stimer(G1, S(1)), GMI - LMQT);
	/* is_exclude: EXCLUDE(X={}, Y={4,5,6}) with Y not forwarding */
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, y, 3), 0);
	assert_int_equal(gmode(G1), IPK_QUERIER_EXCLUDE);
	assert_int_equal(nsources(G1), 3);
	{
		struct ipk_querier_group g = ginfo(G1);
		struct ipk_querier_source s;
		uint32_t cur = 0;
		unsigned n = 0;
		while (ipk_querier_source_next(&F.q, &g, &cur, F.now, &s)) {
			assert_int_equal(s.forwarding, 0);
			n++;
		}
		assert_int_equal(n, 3);
	}
	/* group timeout with an X source: back to INCLUDE(X) */
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, allow, 1), 0);
	advance(GMI);
	assert_int_equal(gmode(G1), 0); /* S(10) expired with the group: all gone */
	/* EXCLUDE timeout -> INCLUDE with the source that was refreshed later */
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, G1, NULL, 0), 0);
	advance(10000);
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, G1, allow, 1), 0);
	advance(GMI - 10000);
	assert_int_equal(gmode(G1), IPK_QUERIER_INCLUDE);
	assert_int_equal(nsources(G1), 1);
	advance(10000);
	assert_int_equal(gmode(G1), 0);
	teardown_all();
}

/* The Linux bridge's IGMPv3 selftest (tools/testing/selftests/net/forwarding/bridge_igmp.sh),
 * its reports and expectations in our terms: "forwarded" sources have a running timer, "blocked"
 * ones a zero timer, and no other source record exists. Group 239.10.10.10, sources 192.0.2.x. */
#define BG A(239, 10, 10, 10)
#define B(n) A(192, 0, 2, n)

static void expect_sources(const uint32_t *fwd, unsigned nf, const uint32_t *blk, unsigned nb)
{
	for (unsigned i = 0; i < nf; i++)
		assert_true(stimer(BG, fwd[i]) > 0);
	for (unsigned i = 0; i < nb; i++)
		assert_int_equal(stimer(BG, blk[i]), 0);
	assert_int_equal(nsources(BG), nf + nb);
}

static void bridge_include_prepare(void)
{
	uint32_t x[] = {B(1), B(2), B(3)};
	start_default();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, BG, x, 3), 0);
	assert_int_equal(gmode(BG), IPK_QUERIER_INCLUDE);
	expect_sources(x, 3, NULL, 0);
}

static void bridge_exclude_prepare(void)
{
	uint32_t isex[] = {B(1), B(2), B(20), B(21)}, x[] = {B(1), B(2)}, y[] = {B(20), B(21)};
	bridge_include_prepare();
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, BG, isex, 4), 0);
	assert_int_equal(gmode(BG), IPK_QUERIER_EXCLUDE);
	expect_sources(x, 2, y, 2); /* 192.0.2.3 is gone */
}

static void test_bridge_v3_include(void **state)
{
	uint32_t more[] = {B(10), B(11), B(12)};
	uint32_t all[] = {B(1), B(2), B(3), B(10), B(11), B(12)};
	(void)state;
	/* include -> allow */
	bridge_include_prepare();
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, BG, more, 3), 0);
	expect_sources(all, 6, NULL, 0);
	teardown_all();
	/* include -> is_include */
	bridge_include_prepare();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, BG, more, 3), 0);
	expect_sources(all, 6, NULL, 0);
	teardown_all();
	/* include -> is_exclude */
	bridge_exclude_prepare();
	teardown_all();
}

static void test_bridge_v3_to_exclude_block(void **state)
{
	uint32_t toex[] = {B(1), B(20), B(30)};
	(void)state;
	/* include -> to_exclude: X = {1}, Y = {20, 30} */
	bridge_include_prepare();
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, BG, toex, 3), 0);
	assert_int_equal(gmode(BG), IPK_QUERIER_EXCLUDE);
	{
		uint32_t x[] = {B(1)}, y[] = {B(20), B(30)};
		expect_sources(x, 1, y, 2);
	}
	teardown_all();
	/* exclude -> to_exclude: X = {1, 30}, Y = {20} */
	bridge_exclude_prepare();
	assert_int_equal(v3rec(IPK_IGMP_TO_EX, BG, toex, 3), 0);
	{
		uint32_t x[] = {B(1), B(30)}, y[] = {B(20)};
		expect_sources(x, 2, y, 1);
	}
	teardown_all();
	/* include -> block, after the lowered timers ran out: {2, 3} */
	bridge_include_prepare();
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, BG, toex, 3), 0);
	advance(3000);
	{
		uint32_t x[] = {B(2), B(3)};
		expect_sources(x, 2, NULL, 0);
	}
	teardown_all();
	/* exclude -> block: X = {1, 2, 30}, Y = {20, 21} */
	bridge_exclude_prepare();
	assert_int_equal(v3rec(IPK_IGMP_BLOCK, BG, toex, 3), 0);
	{
		uint32_t x[] = {B(1), B(2), B(30)}, y[] = {B(20), B(21)};
		expect_sources(x, 3, y, 2);
	}
	teardown_all();
}

static void test_bridge_v3_exclude(void **state)
{
	uint32_t two[] = {B(20), B(30)};
	uint32_t x4[] = {B(1), B(2), B(20), B(30)}, y1[] = {B(21)};
	(void)state;
	/* exclude -> allow: X = {1, 2, 20, 30}, Y = {21} */
	bridge_exclude_prepare();
	assert_int_equal(v3rec(IPK_IGMP_ALLOW, BG, two, 2), 0);
	expect_sources(x4, 4, y1, 1);
	teardown_all();
	/* exclude -> is_include: the same */
	bridge_exclude_prepare();
	assert_int_equal(v3rec(IPK_IGMP_IS_IN, BG, two, 2), 0);
	expect_sources(x4, 4, y1, 1);
	teardown_all();
	/* exclude -> is_exclude: X = {30}, Y = {20} */
	bridge_exclude_prepare();
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, BG, two, 2), 0);
	{
		uint32_t x[] = {B(30)}, y[] = {B(20)};
		expect_sources(x, 1, y, 1);
	}
	teardown_all();
	/* exclude timeout (GMI about 3 s): the group timer expires, the allowed sources keep the
	 * group in INCLUDE({20, 30}) and 1 and 2 are gone */
	{
		struct ipk_querier_cfg c;
		uint32_t x[] = {B(1), B(2), B(3)}, isex[] = {B(1), B(2), B(20), B(21)};
		ipk_querier_cfg_default(&c);
		c.address = ME;
		c.query_interval_ms = 1000;
		c.query_response_interval_ms = 900;
		start(&c);
		assert_int_equal(ipk_querier_gmi(&c), 2900);
		assert_int_equal(v3rec(IPK_IGMP_IS_IN, BG, x, 3), 0);
		assert_int_equal(v3rec(IPK_IGMP_IS_EX, BG, isex, 4), 0);
		advance(500);
		assert_int_equal(v3rec(IPK_IGMP_ALLOW, BG, two, 2), 0);
		advance(2500);
		assert_int_equal(gmode(BG), IPK_QUERIER_INCLUDE);
		expect_sources(two, 2, NULL, 0);
		advance(500);
		assert_int_equal(gmode(BG), 0);
	}
	teardown_all();
}

/* ---- scale: 10,000 groups x 10 sources ---- */

static void test_scale(void **state)
{
	struct ipk_querier_cfg c;
	struct ipk_querier_status st;
	uint32_t srcs[10];
	(void)state;
	ipk_querier_cfg_default(&c);
	c.address = ME;
	c.max_groups = 10000;
	c.max_sources = 100000;
	start_running(&c);
	for (uint32_t gi = 0; gi < 10000; gi += 20) {
		struct ipk_igmp_rec_spec r[20];
		struct ipk_wbuf w;
		static uint32_t all[20][10];
		for (unsigned k = 0; k < 20; k++) {
			for (unsigned s = 0; s < 10; s++)
				all[k][s] = A(10, 0, (uint8_t)(s + 1), (uint8_t)k);
			r[k] = (struct ipk_igmp_rec_spec){.type = IPK_IGMP_IS_IN, .nsrcs = 10,
							  .group = A(232, 1, 0, 0) + gi + k, .srcs = all[k]};
		}
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		assert_int_equal(ipk_igmp_put_v3_report(&w, r, 20), 0);
		assert_int_equal(feed(finish(w.len, HOST, 0, 1, 0)), 0);
	}
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.ngroups, 10000);
	assert_int_equal(st.nsources, 100000);
	assert_int_equal(st.counters.rx_records, 10000);
	assert_int_equal(st.counters.pool_full, 0);
	/* a second round refreshes, creating nothing */
	advance(100000);
	for (uint32_t gi = 0; gi < 10000; gi++) {
		for (unsigned s = 0; s < 10; s++)
			srcs[s] = A(10, 0, (uint8_t)(s + 1), (uint8_t)(gi % 20));
		assert_int_equal(v3rec(IPK_IGMP_ALLOW, A(232, 1, 0, 0) + gi, srcs, 10), 0);
	}
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.ngroups, 10000);
	assert_int_equal(st.nsources, 100000);
	/* one more group does not fit: reported, not fatal */
	assert_int_equal(v3rec(IPK_IGMP_IS_EX, A(233, 0, 0, 1), NULL, 0), 0);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.counters.pool_full, 1);
	assert_int_equal(st.ngroups, 10000);
	/* nothing expires before GMI after the refresh; everything at it */
	advance(GMI - 1);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.nsources, 100000);
	assert_int_equal(stimer(A(232, 1, 0, 0) + 9999, A(10, 0, 10, 19)), 1);
	advance(1);
	ipk_querier_status(&F.q, F.now, &st);
	assert_int_equal(st.ngroups, 0);
	assert_int_equal(st.nsources, 0);
	assert_int_equal(st.counters.groups_deleted, 10000);
	assert_int_equal(ipk_querier_next_deadline(&F.q), F.q.gq_at);
	teardown_all();
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ipk_querier_ev_name(IPK_QEV_SEND), "send");
	assert_string_equal(ipk_querier_ev_name(IPK_QEV_FULL), "full");
	assert_string_equal(ipk_querier_ev_name(0), "unknown");
	assert_string_equal(ipk_querier_ev_name(99), "unknown");
	assert_string_equal(ipk_querier_timer_name(IPK_QTIMER_V2_HOST), "v2_host");
	assert_string_equal(ipk_querier_timer_name(7), "unknown");
	assert_string_equal(ipk_querier_mode_name(IPK_QUERIER_EXCLUDE), "exclude");
	assert_string_equal(ipk_querier_mode_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_startup_queries),
	    cmocka_unit_test(test_641_incl_is_in),
	    cmocka_unit_test(test_641_incl_is_ex),
	    cmocka_unit_test(test_641_excl_is_in),
	    cmocka_unit_test(test_641_excl_is_ex),
	    cmocka_unit_test(test_642_incl_allow),
	    cmocka_unit_test(test_642_incl_block),
	    cmocka_unit_test(test_642_incl_to_ex),
	    cmocka_unit_test(test_642_incl_to_in),
	    cmocka_unit_test(test_642_excl_allow),
	    cmocka_unit_test(test_642_excl_block),
	    cmocka_unit_test(test_642_excl_to_ex),
	    cmocka_unit_test(test_642_excl_to_ex_group_timer),
	    cmocka_unit_test(test_642_excl_to_in),
	    cmocka_unit_test(test_663_sflag_split),
	    cmocka_unit_test(test_663_group_sflag),
	    cmocka_unit_test(test_lmqc_retransmissions),
	    cmocka_unit_test(test_election),
	    cmocka_unit_test(test_election_refresh),
	    cmocka_unit_test(test_v2_keeps_querying_after_leave),
	    cmocka_unit_test(test_start_nonquerier),
	    cmocka_unit_test(test_nonquerier_lowers),
	    cmocka_unit_test(test_nonquerier_adopts),
	    cmocka_unit_test(test_time_scale_heard),
	    cmocka_unit_test(test_compat_v2),
	    cmocka_unit_test(test_compat_v1_and_back),
	    cmocka_unit_test(test_v2_querier),
	    cmocka_unit_test(test_findings),
	    cmocka_unit_test(test_bridge_selftest),
	    cmocka_unit_test(test_bridge_v3_include),
	    cmocka_unit_test(test_bridge_v3_to_exclude_block),
	    cmocka_unit_test(test_bridge_v3_exclude),
	    cmocka_unit_test(test_scale),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
