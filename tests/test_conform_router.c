/* test_conform_router.c - the conformance suite's router checks in virtual time against ipv4kit's own querier: an RFC-configured querier passes, and rig-made departures (the Linux bridge's, pimd's, igmpproxy's) give exactly the named failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/conform.h"
#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/querier.h"

#define A IPK_IP4_ADDR
#define SELF A(198, 18, 0, 1)     /* the suite's competing querier: lower than the target */
#define TARGET A(198, 18, 0, 200) /* the querier under test; the suite's hosts are .2, .3, ... */

/* Departures the rig makes of the querier's output (or input). */
enum {
	BR_SFLAG = 1 << 0,     /* S=1 on every retransmitted group-specific query (Linux bridge) */
	BR_DROP_GSQ = 1 << 1,  /* the first transmission of each group-and-source query dropped (bridge) */
	BR_V2_ALLSYS = 1 << 2, /* group-specific queries to 224.0.0.1, and only once (bridge, v2) */
	NO_YIELD = 1 << 3,     /* queries heard never reach the querier: it never yields (igmpproxy) */
	BAD_FIRST = 1 << 4,    /* the first query after each start has a bad checksum (pimd) */
	QRV_FIXED2 = 1 << 5,   /* QRV 2 on the wire whatever the robustness (bridge) */
	SHORTQ_V3 = 1 << 6,    /* a 9-11 byte query is taken for a v3 query (pimd) */
	TOIN_IGNORED = 1 << 7, /* v3 reports whose first record is TO_IN({}) never arrive (pimd) */
	GQ_FOR_GSQ = 1 << 8,   /* group-and-source queries go out without their sources (pimd) */
};

/* ---- the rig: ipv4kit's querier as the target, a virtual clock ---- */

#define QMAX 256
struct rig {
	struct ipk_querier q;
	struct ipk_querier_cfg qc;
	void *mem;
	size_t memlen;
	unsigned flags;
	unsigned sent_since_start;
	int64_t now_us;
	struct {
		int64_t at;
		uint16_t len;
		uint8_t d[1600];
	} pk[QMAX];
	unsigned head, n;
	/* results */
	unsigned nres;
	char ids[128][8];
	char names[128][40];
	uint8_t verdicts[128];
	char seen[128][200];
};

static void push(struct rig *r, const uint8_t *d, size_t len)
{
	if (r->n == QMAX)
		return;
	unsigned i = (r->head + r->n++) % QMAX;
	r->pk[i].at = r->now_us;
	r->pk[i].len = (uint16_t)len;
	memcpy(r->pk[i].d, d, len);
}

/* Build and "send" a query the querier asked for, as tools/querier.c does, with the rig's
 * departures. */
static void querier_cb(void *arg, const struct ipk_querier_event *ev)
{
	struct rig *r = arg;
	if (ev->type != IPK_QEV_SEND)
		return;
	struct ipk_querier_query qq = *ev->query;
	uint32_t dst = qq.dst;
	if ((r->flags & BR_SFLAG) && qq.group && !qq.nsrcs && qq.retransmission)
		qq.s = 1;
	if ((r->flags & BR_DROP_GSQ) && qq.nsrcs && !qq.retransmission)
		return;
	if ((r->flags & BR_V2_ALLSYS) && qq.group) {
		if (qq.retransmission)
			return;
		dst = IPK_IGMP_ALL_SYSTEMS;
	}
	if (r->flags & QRV_FIXED2)
		qq.qrv = 2;
	if (r->flags & GQ_FOR_GSQ)
		qq.nsrcs = 0;

	uint8_t msg[1500];
	struct ipk_wbuf w;
	int rc;
	ipk_wbuf_init(&w, msg, sizeof(msg));
	if (qq.version == 1)
		rc = ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, qq.group);
	else if (qq.version == 2)
		rc = ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, qq.mrc ? qq.mrc : 1, qq.group);
	else {
		struct ipk_igmp_v3q v3 = {.mrc = qq.mrc, .s = qq.s, .qrv = qq.qrv, .qqic = qq.qqic, .group = qq.group,
					  .srcs = qq.srcs, .nsrcs = qq.nsrcs};
		rc = ipk_igmp_put_v3_query(&w, &v3);
	}
	assert_int_equal(rc, 0);
	if ((r->flags & BAD_FIRST) && r->sent_since_start == 0)
		ipk_igmp_set_checksum(msg, w.len, ((msg[2] << 8) | msg[3]) ^ 0x5a5a);
	r->sent_since_start++;

	uint8_t d[1600];
	struct ipk_ip4 h;
	ipk_igmp_ip4_defaults(msg, w.len, TARGET, &h);
	h.dst = dst;
	int hl = ipk_ip4_marshal(&h, w.len, 0, d, sizeof(d));
	assert_true(hl > 0);
	memcpy(d + hl, msg, w.len);
	push(r, d, (size_t)hl + w.len);
}

static uint64_t ms(const struct rig *r)
{
	return (uint64_t)(r->now_us / 1000);
}

static void start(struct rig *r)
{
	r->sent_since_start = 0;
	assert_int_equal(ipk_querier_init(&r->q, &r->qc, r->mem, r->memlen, ms(r), querier_cb, r), 0);
	(void)ipk_querier_tick(&r->q, ms(r));
}

static int64_t rig_now(void *ctx)
{
	return ((struct rig *)ctx)->now_us;
}

static int rig_send(void *ctx, const uint8_t *d, size_t len)
{
	struct rig *r = ctx;
	struct ipk_ip4 ip;
	size_t off;
	uint8_t pad[1600];
	if (ipk_ip4_parse(d, len, IPK_IP4_LAX, &ip, &off) == 0 && ip.proto == IPK_PROTO_IGMP && len > ip.hlen) {
		const uint8_t *m = d + ip.hlen;
		size_t ml = len - ip.hlen;
		if ((r->flags & NO_YIELD) && m[0] == IPK_IGMP_QUERY)
			return 0;
		/* v3 report, first record TO_IN with no sources (bytes 8: type, 10-11: count) */
		if ((r->flags & TOIN_IGNORED) && m[0] == IPK_IGMP_V3_REPORT && ml >= 16 && m[8] == IPK_IGMP_TO_IN &&
		    m[10] == 0 && m[11] == 0)
			return 0;
		if ((r->flags & SHORTQ_V3) && m[0] == IPK_IGMP_QUERY && ml > 8 && ml < 12 && len + 2 <= sizeof(pad)) {
			/* read as a 12-byte v3 query: pad it and fix the lengths and checksums */
			memcpy(pad, d, len);
			memset(pad + len, 0, 12 - ml);
			size_t nl = ip.hlen + 12;
			pad[2] = (uint8_t)(nl >> 8);
			pad[3] = (uint8_t)nl;
			pad[10] = pad[11] = 0;
			ipk_igmp_set_checksum(pad + ip.hlen, 12, -1);
			struct ipk_ip4 h;
			size_t o2;
			assert_int_equal(ipk_ip4_parse(pad, nl, IPK_IP4_LAX, &h, &o2), 0);
			h.checksum = 0;
			uint8_t hdr[64];
			assert_int_equal(ipk_ip4_marshal(&h, 12, 0, hdr, sizeof(hdr)), (int)ip.hlen);
			memcpy(pad, hdr, ip.hlen);
			(void)ipk_querier_input(&r->q, pad, nl, ms(r));
			return 0;
		}
	}
	(void)ipk_querier_input(&r->q, d, len, ms(r));
	return 0;
}

static int rig_recv(void *ctx, int64_t deadline, uint8_t *buf, size_t cap, int64_t *at)
{
	struct rig *r = ctx;
	for (int guard = 0; guard < 1000000; guard++) {
		if (r->n) {
			unsigned i = r->head;
			r->head = (r->head + 1) % QMAX;
			r->n--;
			size_t n = r->pk[i].len < cap ? r->pk[i].len : cap;
			memcpy(buf, r->pk[i].d, n);
			*at = r->pk[i].at;
			return (int)n;
		}
		uint64_t next = ipk_querier_next_deadline(&r->q);
		if (next == UINT64_MAX || (int64_t)next * 1000 > deadline) {
			if (deadline > r->now_us)
				r->now_us = deadline;
			return 0;
		}
		if ((int64_t)next * 1000 > r->now_us)
			r->now_us = (int64_t)next * 1000;
		(void)ipk_querier_tick(&r->q, ms(r));
	}
	return -EIO;
}

static int rig_has(void *ctx, uint32_t group, uint32_t source)
{
	struct rig *r = ctx;
	struct ipk_querier_group g;
	struct ipk_querier_source s;
	uint32_t cur = 0;
	if (!ipk_querier_group_find(&r->q, group, ms(r), &g))
		return 0;
	if (!source)
		return 1;
	while (ipk_querier_source_next(&r->q, &g, &cur, ms(r), &s))
		if (s.source == source)
			return s.forwarding;
	return 0;
}

static int rig_restart(void *ctx)
{
	struct rig *r = ctx;
	r->n = 0;
	start(r);
	return 0;
}

static void rig_result(void *ctx, const struct ipk_conform_result *res, const struct ipk_conform_pkt *p, size_t n)
{
	struct rig *r = ctx;
	if (getenv("IPK_CONFORM_VERBOSE"))
		fprintf(stderr, "%s %-34s %-12s %8.0f ms | %s | expected: %s | sent: %s\n", res->check->id, res->check->name,
			ipk_conform_verdict_name(res->verdict), (double)(res->end_us - res->start_us) / 1000.0, res->seen,
			res->expected, res->sent);
	/* every check that ran leaves its evidence and says what it sent, expected and saw */
	if (res->verdict != IPK_CONFORM_SKIPPED || res->expected[0]) {
		if (!res->sent[0] || !res->expected[0] || !res->seen[0])
			fail_msg("%s left an empty text: sent '%s' expected '%s' seen '%s'", res->check->id, res->sent,
				 res->expected, res->seen);
	}
	if (res->verdict != IPK_CONFORM_SKIPPED && n == 0)
		fail_msg("%s ran (%s) without evidence", res->check->id, ipk_conform_verdict_name(res->verdict));
	(void)p;
	if (r->nres < 128) {
		snprintf(r->ids[r->nres], sizeof(r->ids[0]), "%s", res->check->id);
		snprintf(r->names[r->nres], sizeof(r->names[0]), "%s", res->check->name);
		r->verdicts[r->nres] = res->verdict;
		snprintf(r->seen[r->nres], sizeof(r->seen[0]), "%.190s", res->seen);
		r->nres++;
	}
}

struct opts {
	unsigned version, flags;
	unsigned robustness, lmqc;
	int has, restart;     /* give the suite target_has / target_restart */
	int tell_robustness;  /* cfg.robustness given to the suite */
};

static struct rig *run_suite(const struct opts *o, struct ipk_conform_summary *sum)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	ipk_querier_cfg_default(&r->qc);
	r->qc.version = (uint8_t)o->version;
	r->qc.robustness = (uint8_t)(o->robustness ? o->robustness : 2);
	r->qc.last_member_count = (uint8_t)o->lmqc;
	r->qc.query_interval_ms = 5000;
	r->qc.query_response_interval_ms = 1000;
	r->qc.last_member_interval_ms = 200;
	r->qc.address = TARGET;
	r->qc.flags = IPK_QUERIER_F_STRICT; /* drops TTL > 1 and reports without Router Alert (MAY) */
	r->qc.max_groups = 4096;
	r->qc.max_sources = 4096;
	r->memlen = ipk_querier_mem_size(r->qc.max_groups, r->qc.max_sources);
	r->mem = malloc(r->memlen);
	r->flags = o->flags;
	r->now_us = 1000000;
	start(r);

	struct ipk_conform_cfg cfg;
	ipk_conform_cfg_default(&cfg, IPK_CONFORM_ROUTER);
	cfg.version = (uint8_t)o->version;
	cfg.self = SELF;
	cfg.target = TARGET;
	if (o->version < 3) /* no QQIC to learn the interval from */
		cfg.query_interval_ms = 5000;
	if (o->version == 1) /* nor (v1) a Max Resp Code to learn QRI from */
		cfg.query_response_interval_ms = 1000;
	if (o->tell_robustness)
		cfg.robustness = (uint8_t)r->qc.robustness;
	cfg.last_member_count = (uint8_t)o->lmqc;
	struct ipk_conform_io io = {r,
				    rig_now,
				    rig_send,
				    rig_recv,
				    NULL,
				    o->has ? rig_has : NULL,
				    o->restart ? rig_restart : NULL,
				    rig_result};
	size_t n;
	assert_non_null(ipk_conform_catalogue(IPK_CONFORM_ROUTER, &n));
	uint8_t *sel = malloc(n);
	assert_int_equal(ipk_conform_select(IPK_CONFORM_ROUTER, NULL, NULL, sel, n, NULL, 0), 0);
	void *mem = malloc(IPK_CONFORM_MEM);
	int64_t t0 = r->now_us;
	assert_int_equal(ipk_conform_run(&cfg, &io, sel, n, mem, IPK_CONFORM_MEM, sum), 0);
	/* a whole run against a short-interval target stays within a few minutes */
	if (getenv("IPK_CONFORM_VERBOSE"))
		fprintf(stderr, "v%u flags %#x: %.1f s of target time\n", o->version, o->flags,
			(double)(r->now_us - t0) / 1e6);
	assert_true(r->now_us - t0 < (int64_t)300 * 1000000);
	free(mem);
	free(sel);
	return r;
}

static void free_rig(struct rig *r)
{
	free(r->mem);
	free(r);
}

/* The verdict of the check named name in r (0 when it did not report). */
static unsigned verdict_of(const struct rig *r, const char *name)
{
	for (unsigned i = 0; i < r->nres; i++)
		if (!strcmp(r->names[i], name) || !strcmp(r->ids[i], name))
			return r->verdicts[i];
	return 0;
}

/* Every check passes or is skipped, except those named in odd (comma-separated, each with its
 * verdict "name=verdict"), which must have exactly that verdict. */
static void expect_only(const struct rig *r, const char *label, const char *odd)
{
	for (unsigned i = 0; i < r->nres; i++) {
		char key[48];
		snprintf(key, sizeof(key), "%s=", r->names[i]);
		const char *p = odd ? strstr(odd, key) : NULL;
		if (p && (p == odd || p[-1] == ',')) {
			const char *v = p + strlen(key);
			size_t vl = strcspn(v, ",");
			const char *got = ipk_conform_verdict_name(r->verdicts[i]);
			if (strlen(got) != vl || strncmp(got, v, vl))
				fail_msg("%s: %s %s: %s (expected %.*s)", label, r->ids[i], r->names[i], got, (int)vl, v);
			continue;
		}
		if (r->verdicts[i] != IPK_CONFORM_PASS && r->verdicts[i] != IPK_CONFORM_SKIPPED)
			fail_msg("%s: %s %s: %s: %s", label, r->ids[i], r->names[i], ipk_conform_verdict_name(r->verdicts[i]),
				 r->seen[i]);
	}
	/* and each named one did report */
	for (const char *p = odd; p && *p;) {
		size_t l = strcspn(p, "=");
		char name[48];
		snprintf(name, sizeof(name), "%.*s", (int)(l < 47 ? l : 47), p);
		if (!verdict_of(r, name))
			fail_msg("%s: %s gave no result", label, name);
		p += strcspn(p, ",");
		p += *p == ',';
	}
}

/* Skipped checks of an RFC run are skipped for a stated reason: another version, or no state
 * reader/restart hook where the run gave none. */
static void expect_skips_stated(const struct rig *r)
{
	for (unsigned i = 0; i < r->nres; i++)
		if (r->verdicts[i] == IPK_CONFORM_SKIPPED)
			assert_true(strstr(r->seen[i], "applies to IGMPv") || strstr(r->seen[i], "needs") ||
				    strstr(r->seen[i], "was not given"));
}

/* ipv4kit's own querier with IPK_QUERIER_F_STRICT (the rig's RFC configuration) ignores what the
 * MAY checks send (TTL 64, no Router Alert, a Leave to its unicast address): nothing deviates. */

static void test_rfc_querier_passes(void **state)
{
	(void)state;
	for (unsigned v = 1; v <= 3; v++) {
		struct ipk_conform_summary s;
		struct opts o = {.version = v, .has = 1, .restart = 1, .tell_robustness = 1};
		struct rig *r = run_suite(&o, &s);
		char label[32];
		snprintf(label, sizeof(label), "RFC v%u", v);
		expect_only(r, label, NULL);
		expect_skips_stated(r);
		assert_int_equal(s.must_failed, 0);
		if (getenv("IPK_CONFORM_VERBOSE"))
			fprintf(stderr, "v%u: %u checks run\n", v, s.run);
		assert_true(s.run >= (v == 3 ? 50u : v == 2 ? 34u : 17u));
		free_rig(r);
	}
}

/* Without a state reader the suite probes the table with leaves; without a restart hook the
 * startup checks are skipped; without cfg.robustness qrv-as-configured is. */
static void test_rfc_querier_probed(void **state)
{
	(void)state;
	for (unsigned v = 2; v <= 3; v++) {
		struct ipk_conform_summary s;
		struct opts o = {.version = v};
		struct rig *r = run_suite(&o, &s);
		expect_only(r, v == 2 ? "probe v2" : "probe v3", NULL);
		expect_skips_stated(r);
		assert_int_equal(verdict_of(r, "startup-query-count"), IPK_CONFORM_SKIPPED);
		assert_int_equal(verdict_of(r, "group-expiry-gmi"), IPK_CONFORM_PASS);
		assert_int_equal(verdict_of(r, "bad-checksum-report-ignored"), IPK_CONFORM_PASS);
		if (v == 3) {
			assert_int_equal(verdict_of(r, "qrv-as-configured"), IPK_CONFORM_SKIPPED);
			assert_int_equal(verdict_of(r, "source-expiry-gmi"), IPK_CONFORM_PASS);
		}
		free_rig(r);
	}
	/* IGMPv1 has no leave to probe with: the table checks are skipped */
	struct ipk_conform_summary s;
	struct opts o = {.version = 1};
	struct rig *r = run_suite(&o, &s);
	expect_only(r, "probe v1", NULL);
	assert_int_equal(verdict_of(r, "group-expiry-gmi"), IPK_CONFORM_SKIPPED);
	free_rig(r);
}

/* The Linux bridge's departures, one rig change at a time. */
static void test_bridge_departures(void **state)
{
	(void)state;
	struct ipk_conform_summary s;
	struct opts o = {.version = 3, .flags = BR_SFLAG, .has = 1, .restart = 1, .tell_robustness = 1};
	struct rig *r = run_suite(&o, &s);
	expect_only(r, "bridge S=1", "lmq-s-rexmit=fail");
	free_rig(r);

	/* LMQC 3 as in the measured bridge: two group-and-source queries reach the wire */
	o = (struct opts){.version = 3, .flags = BR_DROP_GSQ, .lmqc = 3, .has = 1, .restart = 1, .tell_robustness = 1};
	r = run_suite(&o, &s);
	expect_only(r, "bridge LMQC-1", "gsq-count=fail");
	free_rig(r);

	/* v2: one group-specific query, to 224.0.0.1 */
	o = (struct opts){.version = 2, .flags = BR_V2_ALLSYS, .has = 1, .restart = 1};
	r = run_suite(&o, &s);
	expect_only(r, "bridge v2 Q(G)", "lmq-to-group=fail,lmq-count=fail,lmq-interval=inconclusive,"
					 "lmq-mrc=inconclusive,lmq-keeps-querier=inconclusive");
	free_rig(r);

	/* QRV fixed at 2 while configured 3: caught only because the suite is told the robustness */
	o = (struct opts){.version = 3, .flags = QRV_FIXED2, .robustness = 3, .has = 1, .restart = 1, .tell_robustness = 1};
	r = run_suite(&o, &s);
	expect_only(r, "bridge QRV 2", "qrv-as-configured=fail");
	free_rig(r);
}

/* pimd's bad first checksum; igmpproxy's missing election. */
static void test_daemon_departures(void **state)
{
	(void)state;
	struct ipk_conform_summary s;
	struct opts o = {.version = 3, .flags = BAD_FIRST, .has = 1, .restart = 1, .tell_robustness = 1};
	struct rig *r = run_suite(&o, &s);
	expect_only(r, "first query bad checksum", "query-checksum=fail");
	free_rig(r);

	for (unsigned v = 2; v <= 3; v++) {
		o = (struct opts){.version = v, .flags = NO_YIELD, .has = 1, .restart = 1, .tell_robustness = 1};
		r = run_suite(&o, &s);
		expect_only(r, "no election", "election-yield=fail,election-resume=inconclusive,"
						     "nonquerier-ignores-leave=inconclusive");
		assert_true(s.must_failed >= 1);
		free_rig(r);
	}

	/* pimd: a 10-byte query wins the election */
	o = (struct opts){.version = 3, .flags = SHORTQ_V3, .has = 1, .restart = 1, .tell_robustness = 1};
	r = run_suite(&o, &s);
	expect_only(r, "10-byte query", "short-query-ignored=fail");
	free_rig(r);

	/* pimd: TO_IN({}) ignored; the last-member checks, which need the leave, cannot tell */
	o = (struct opts){.version = 3, .flags = TOIN_IGNORED, .has = 1, .restart = 1, .tell_robustness = 1};
	r = run_suite(&o, &s);
	expect_only(r, "TO_IN ignored",
		    "toin-empty-queries-group=fail,lmq-count=inconclusive,lmq-interval=inconclusive,lmq-mrc=inconclusive,"
		    "lmq-to-group=inconclusive,lmq-s-first=inconclusive,lmq-s-rexmit=inconclusive,"
		    "lmq-s-after-report=inconclusive,lmq-group-expiry=inconclusive");
	free_rig(r);

	/* pimd: Q(G) where Q(G,S) is due */
	o = (struct opts){.version = 3, .flags = GQ_FOR_GSQ, .has = 1, .restart = 1, .tell_robustness = 1};
	r = run_suite(&o, &s);
	expect_only(r, "Q(G) for Q(G,S)", "gsq-sources=fail,gsq-count=fail,gsq-interval=inconclusive,"
						  "gsq-s-split=inconclusive");
	free_rig(r);
}

static void test_catalogue(void **state)
{
	(void)state;
	size_t n;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(IPK_CONFORM_ROUTER, &n);
	assert_true(n >= 32);
	for (size_t i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof(id), "R%02u", (unsigned)(i + 1));
		assert_string_equal(cat[i].id, id);
		assert_int_equal(cat[i].side, IPK_CONFORM_ROUTER);
		assert_true(cat[i].level >= IPK_CONFORM_MUST && cat[i].level <= IPK_CONFORM_MAY);
		assert_true(cat[i].versions && !(cat[i].versions & ~0xeu));
		assert_non_null(strstr(cat[i].rfc, "RFC"));
		assert_true(strlen(cat[i].requirement) > 20);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(cat[i].name, cat[j].name);
		assert_ptr_equal(ipk_conform_find(IPK_CONFORM_ROUTER, cat[i].name), &cat[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_rfc_querier_passes),
		cmocka_unit_test(test_rfc_querier_probed),
		cmocka_unit_test(test_bridge_departures),
		cmocka_unit_test(test_daemon_departures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
