/* test_conform_host.c - the conformance suite's host checks in virtual time against ipv4kit's own host role: the RFC profile passes every check it can run, the Linux profile gives exactly the documented deviations, and a broken host fails. */
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
#include "ipv4kit/host.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"

#define A IPK_IP4_ADDR
#define SELF A(198, 18, 0, 1)
#define TARGET A(198, 18, 0, 2)

/* ---- the rig: one emulated host (the target), a virtual clock, and ways to break the host ---- */

/* Broken hosts: what the rig does to the target's reports or to the suite's commands. */
#define BRK_NO_REXMIT 0x01 /* drops every state-change retransmission */
#define BRK_LATE 0x02      /* sends its answers to queries 2 s late */
#define BRK_TTL2 0x04      /* sends every report with TTL 2 */
#define BRK_DST 0x08       /* sends v3 reports to 224.0.0.2 instead of 224.0.0.22 */
#define BRK_NO_LEAVE 0x10  /* ignores leaves: keeps the membership and answers for it */
#define RIG_NO_HOOK 0x100  /* no target_set: the host joined EXPECT_G beforehand (cfg.expect) */
#define EXPECT_G A(239, 9, 0, 1)

#define QMAX 256
struct rig {
	struct ipk_host h;
	void *mem;
	int64_t now_us;
	unsigned broken;
	struct {
		int64_t at;
		uint16_t len;
		uint8_t d[1600];
	} q[QMAX]; /* the target's datagrams, in time order */
	unsigned qn;
	/* results */
	unsigned nres;
	char ids[128][8];
	uint8_t verdicts[128];
	char seen[128][160];
	int64_t run_us; /* time the checks that ran took */
};

/* Rewrite a report's IPv4 header (TTL, destination) through the codec. */
static void rewrite(uint8_t *d, size_t len, int ttl, uint32_t dst)
{
	struct ipk_ip4 h;
	size_t off = 0;
	assert_int_equal(ipk_ip4_parse(d, len, IPK_IP4_LAX, &h, &off), 0);
	if (ttl)
		h.ttl = (uint8_t)ttl;
	if (dst)
		h.dst = dst;
	uint8_t opts[40];
	memcpy(opts, h.opts, h.opts_len);
	h.opts = opts;
	assert_int_equal(ipk_ip4_marshal(&h, len - h.hlen, 0, d, len), (int)h.hlen);
}

static void host_cb(void *arg, const struct ipk_host_event *ev)
{
	struct rig *r = arg;
	if (ev->type != IPK_HEV_SEND || r->qn == QMAX)
		return;
	const struct ipk_host_report *rp = ev->report;
	if ((r->broken & BRK_NO_REXMIT) && rp->kind == IPK_HOST_RPT_REXMIT)
		return;
	int64_t at = (int64_t)ev->now_ms * 1000;
	if ((r->broken & BRK_LATE) && rp->kind == IPK_HOST_RPT_ANSWER)
		at += 2000000;
	unsigned i = r->qn;
	while (i > 0 && r->q[i - 1].at > at) {
		r->q[i] = r->q[i - 1];
		i--;
	}
	r->qn++;
	r->q[i].at = at;
	r->q[i].len = rp->len;
	memcpy(r->q[i].d, rp->dgram, rp->len);
	if (r->broken & (BRK_TTL2 | BRK_DST))
		rewrite(r->q[i].d, rp->len, r->broken & BRK_TTL2 ? 2 : 0,
			(r->broken & BRK_DST) && rp->version == 3 ? IPK_IGMP_ALL_ROUTERS : 0);
}

static int64_t rig_now(void *ctx)
{
	return ((struct rig *)ctx)->now_us;
}

static int rig_send(void *ctx, const uint8_t *d, size_t len)
{
	struct rig *r = ctx;
	(void)ipk_host_input(&r->h, d, len, (uint64_t)(r->now_us / 1000));
	(void)ipk_host_tick(&r->h, (uint64_t)(r->now_us / 1000));
	return 0;
}

static int rig_recv(void *ctx, int64_t deadline, uint8_t *buf, size_t cap, int64_t *at)
{
	struct rig *r = ctx;
	for (;;) {
		int64_t qa = r->qn ? r->q[0].at : INT64_MAX;
		uint64_t hn = ipk_host_next_deadline(&r->h);
		int64_t ha = hn == UINT64_MAX ? INT64_MAX : (int64_t)hn * 1000;
		if (qa != INT64_MAX && qa <= ha) {
			if (qa > deadline)
				break;
			if (qa > r->now_us)
				r->now_us = qa;
			size_t n = r->q[0].len < cap ? r->q[0].len : cap;
			memcpy(buf, r->q[0].d, n);
			*at = qa;
			memmove(&r->q[0], &r->q[1], sizeof(r->q[0]) * --r->qn);
			return (int)n;
		}
		if (ha == INT64_MAX || ha > deadline)
			break;
		if (ha > r->now_us)
			r->now_us = ha;
		(void)ipk_host_tick(&r->h, (uint64_t)(r->now_us / 1000));
	}
	if (deadline > r->now_us)
		r->now_us = deadline;
	return 0;
}

static int rig_target(void *ctx, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n)
{
	struct rig *r = ctx;
	uint64_t now = (uint64_t)(r->now_us / 1000);
	if (!mode && (r->broken & BRK_NO_LEAVE))
		return 0;
	int rc = ipk_host_change(&r->h, 0, 0, group, mode ? mode : IPK_HOST_INCLUDE, mode ? srcs : NULL, mode ? n : 0,
				 now);
	(void)ipk_host_tick(&r->h, now);
	return rc < 0 ? -EINVAL : 0;
}

static void rig_result(void *ctx, const struct ipk_conform_result *res, const struct ipk_conform_pkt *p, size_t n)
{
	struct rig *r = ctx;
	if (getenv("IPK_CONFORM_VERBOSE"))
		fprintf(stderr, "%s %-30s %-12s %6.0f ms %s | sent: %s | expected: %s\n", res->check->id,
			res->check->name, ipk_conform_verdict_name(res->verdict), res->measured_ms, res->seen, res->sent,
			res->expected);
	if (res->verdict == IPK_CONFORM_SKIPPED) {
		assert_int_equal(n, 0);
	} else {
		/* every check that ran leaves evidence and says what it did, expected and saw */
		if (n == 0 || !res->sent[0] || !res->expected[0] || !res->seen[0])
			fail_msg("%s: %zu packets, sent '%s' expected '%s' seen '%s'", res->check->id, n, res->sent,
				 res->expected, res->seen);
		for (size_t i = 0; i < n; i++)
			assert_true(p[i].len >= 20 && p[i].data != NULL);
		assert_true(res->end_us >= res->start_us);
		r->run_us += res->end_us - res->start_us;
	}
	if (r->nres < 128) {
		snprintf(r->ids[r->nres], sizeof(r->ids[0]), "%s", res->check->id);
		r->verdicts[r->nres] = res->verdict;
		snprintf(r->seen[r->nres], sizeof(r->seen[0]), "%.150s", res->seen);
		r->nres++;
	}
}

/* Run the host catalogue (only: NULL for all) against a host of this profile and version. */
static struct rig *run_only(unsigned profile, unsigned host_version, unsigned suite_version, unsigned broken,
			    const char *only, struct ipk_conform_summary *sum)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct ipk_host_cfg hc;
	ipk_host_cfg_default(&hc);
	hc.profile = (uint8_t)profile;
	hc.version = (uint8_t)host_version;
	hc.nhosts = 1;
	hc.first_address = TARGET;
	hc.seed = 7;
	/* the host's Query Interval as the fallback checks announce it in QQIC (2 s): the RFC profile
	 * keeps its configured one, the Linux profile takes it from the query */
	hc.query_interval_ms = 2000;
	size_t ms = ipk_host_mem_size(&hc);
	r->mem = malloc(ms);
	r->now_us = 1000000;
	r->broken = broken;
	assert_int_equal(ipk_host_init(&r->h, &hc, r->mem, ms, 1000, host_cb, r), 0);

	struct ipk_conform_cfg cfg;
	ipk_conform_cfg_default(&cfg, IPK_CONFORM_HOST);
	cfg.version = (uint8_t)suite_version;
	cfg.self = SELF;
	cfg.target = TARGET;
	struct ipk_conform_io io = {r, rig_now, rig_send, rig_recv, rig_target, NULL, NULL, rig_result};
	if (broken & RIG_NO_HOOK) {
		io.target_set = NULL;
		cfg.nexpect = 1;
		cfg.expect[0].group = EXPECT_G;
		cfg.expect[0].mode = IPK_CONFORM_EXCLUDE;
		assert_int_equal(ipk_host_change(&r->h, 0, 0, EXPECT_G, IPK_HOST_EXCLUDE, NULL, 0, 1000), 1);
		/* joined long ago: its unsolicited reports are over */
		uint8_t buf[2048];
		int64_t at;
		while (rig_recv(r, 30000000, buf, sizeof(buf), &at) > 0)
			;
	}
	size_t n;
	assert_non_null(ipk_conform_catalogue(IPK_CONFORM_HOST, &n));
	uint8_t *sel = malloc(n);
	assert_int_equal(ipk_conform_select(IPK_CONFORM_HOST, only, NULL, sel, n, NULL, 0), 0);
	void *mem = malloc(IPK_CONFORM_MEM);
	assert_int_equal(ipk_conform_run(&cfg, &io, sel, n, mem, IPK_CONFORM_MEM, sum), 0);
	free(mem);
	free(sel);
	return r;
}

static struct rig *run_suite(unsigned profile, unsigned host_version, unsigned suite_version,
			     struct ipk_conform_summary *sum)
{
	return run_only(profile, host_version, suite_version, 0, NULL, sum);
}

static void free_rig(struct rig *r)
{
	free(r->mem);
	free(r);
}

/* The verdict of check id in r (0 when it did not report). */
static unsigned verdict_of(const struct rig *r, const char *id)
{
	for (unsigned i = 0; i < r->nres; i++)
		if (strcmp(r->ids[i], id) == 0)
			return r->verdicts[i];
	return 0;
}

/*
 * Every check of r passed or was skipped for its version, except those in devs (",ID,..." each a
 * deviation) and fails (each a failure).
 */
static void expect_verdicts(const struct rig *r, const char *what, const char *devs, const char *fails)
{
	size_t n;
	unsigned ran = 0;
	assert_non_null(ipk_conform_catalogue(IPK_CONFORM_HOST, &n));
	assert_int_equal(r->nres, n);
	for (unsigned i = 0; i < r->nres; i++) {
		char key[12];
		snprintf(key, sizeof(key), ",%s,", r->ids[i]);
		unsigned want = strstr(devs, key) ? IPK_CONFORM_DEVIATION
				: strstr(fails, key)  ? IPK_CONFORM_FAIL
						      : IPK_CONFORM_PASS;
		if (r->verdicts[i] == IPK_CONFORM_SKIPPED && want == IPK_CONFORM_PASS) {
			/* skipped only because the check is for other versions */
			if (strncmp(r->seen[i], "applies to IGMPv", 16) != 0)
				fail_msg("%s %s: skipped: %s", what, r->ids[i], r->seen[i]);
			continue;
		}
		ran++;
		if (r->verdicts[i] != want)
			fail_msg("%s %s: %s (expected %s): %s", what, r->ids[i], ipk_conform_verdict_name(r->verdicts[i]),
				 ipk_conform_verdict_name(want), r->seen[i]);
	}
	assert_true(ran > 0);
}

/* The RFC profile, forced to v1 and v2 with the suite at that version, and automatic with the
 * suite at v3: every check that runs passes; the others are for other versions. */
static void test_rfc_host_passes(void **state)
{
	(void)state;
	static const unsigned hv[] = {1, 2, 0};
	for (unsigned i = 0; i < 3; i++) {
		unsigned sv = hv[i] ? hv[i] : 3;
		struct ipk_conform_summary s;
		struct rig *r = run_suite(IPK_HOST_PROFILE_RFC, hv[i], sv, &s);
		char what[32];
		snprintf(what, sizeof(what), "rfc host v%u suite v%u", hv[i], sv);
		expect_verdicts(r, what, "", "");
		assert_int_equal(s.must_failed, 0);
		assert_int_equal(s.verdicts[IPK_CONFORM_PASS], s.run);
		/* the real-time cost of a run (1 s Max Resp Time; v1/v2 at their 10 s URI and v1's 10 s) */
		fprintf(stderr, "%s: %u checks run in %.1f s\n", what, s.run, (double)r->run_us / 1e6);
		if (sv == 3)
			assert_true(r->run_us < 120 * 1000000LL);
		free_rig(r);
	}
}

/* Forced to v3 the host has no fallback (unlike the kernel's force_igmp_version 3, which still
 * falls back): the three compatibility checks fail, nothing else does. */
static void test_rfc_host_forced_v3(void **state)
{
	(void)state;
	struct ipk_conform_summary s;
	struct rig *r = run_suite(IPK_HOST_PROFILE_RFC, 3, 3, &s);
	expect_verdicts(r, "rfc host forced v3", "", ",H43,H44,H45,");
	assert_int_equal(s.must_failed, 3);
	free_rig(r);
}

/* The Linux profile: exactly the kernel's documented departures are deviations. */
static void test_linux_host_deviations(void **state)
{
	(void)state;
	struct ipk_conform_summary s;
	struct rig *r = run_suite(IPK_HOST_PROFILE_LINUX, 0, 3, &s);
	expect_verdicts(r, "linux host v3", ",H06,H36,H37,", "");
	assert_int_equal(s.must_failed, 0);
	assert_int_equal(s.verdicts[IPK_CONFORM_DEVIATION], 3);
	free_rig(r);
	r = run_suite(IPK_HOST_PROFILE_LINUX, 2, 2, &s);
	expect_verdicts(r, "linux host forced v2", ",H36,H37,", "");
	assert_int_equal(s.verdicts[IPK_CONFORM_DEVIATION], 2);
	free_rig(r);
	r = run_suite(IPK_HOST_PROFILE_LINUX, 1, 1, &s);
	expect_verdicts(r, "linux host forced v1", "", "");
	free_rig(r);
}

/* Without a hook the checks that need only an any-source membership use the group of cfg.expect;
 * every other check is skipped, saying why. */
static void test_no_hook_expect(void **state)
{
	(void)state;
	struct ipk_conform_summary s;
	struct rig *r = run_only(IPK_HOST_PROFILE_RFC, 0, 3, RIG_NO_HOOK, NULL, &s);
	unsigned pass = 0;
	for (unsigned i = 0; i < r->nres; i++) {
		if (r->verdicts[i] == IPK_CONFORM_PASS) {
			pass++;
			continue;
		}
		if (r->verdicts[i] != IPK_CONFORM_SKIPPED ||
		    (strncmp(r->seen[i], "applies to IGMPv", 16) != 0 && !strstr(r->seen[i], "--join-cmd")))
			fail_msg("no hook %s: %s: %s", r->ids[i], ipk_conform_verdict_name(r->verdicts[i]), r->seen[i]);
	}
	/* H01, H05, H29-H42 but H40's trailing bytes... every query check on an any-source group */
	assert_int_equal(verdict_of(r, "H01"), IPK_CONFORM_PASS);
	assert_int_equal(verdict_of(r, "H31"), IPK_CONFORM_PASS);
	assert_int_equal(verdict_of(r, "H41"), IPK_CONFORM_PASS);
	assert_int_equal(verdict_of(r, "H16"), IPK_CONFORM_SKIPPED);
	assert_true(pass >= 15);
	assert_int_equal(s.run, pass);
	free_rig(r);
}

/* Deliberately broken hosts: the check aimed at each fault fails, the others selected pass. */
static void test_broken_hosts(void **state)
{
	(void)state;
	static const struct {
		unsigned broken, version;
		const char *only, *fails; /* fails: ",ID," each */
	} cases[] = {
		{BRK_NO_REXMIT, 3, "H23,H16", ",H23,"},
		{BRK_NO_REXMIT, 2, "H24,H12", ",H24,"},
		{BRK_LATE, 3, "H01,H02,H16", ",H01,H02,"},
		{BRK_LATE, 2, "H01,H12", ",H01,"},
		{BRK_TTL2, 3, "H09,H08", ",H09,"},
		{BRK_TTL2, 1, "H09,H14", ",H09,"},
		{BRK_DST, 3, "H08,H09", ",H08,"},
		{BRK_NO_LEAVE, 3, "H07,H18,H19,H16", ",H07,H18,H19,"},
		{BRK_NO_LEAVE, 2, "H07,H12", ",H07,"},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipk_conform_summary s;
		struct rig *r = run_only(IPK_HOST_PROFILE_RFC, cases[i].version, cases[i].version, cases[i].broken,
					 cases[i].only, &s);
		unsigned nfail = 0;
		for (unsigned k = 0; k < r->nres; k++) {
			char key[12];
			snprintf(key, sizeof(key), ",%s,", r->ids[k]);
			const struct ipk_conform_check *k_ = ipk_conform_find(IPK_CONFORM_HOST, r->ids[k]);
			assert_non_null(k_);
			unsigned want = !strstr(cases[i].fails, key)	      ? IPK_CONFORM_PASS
					: k_->level == IPK_CONFORM_MUST ? IPK_CONFORM_FAIL
									: IPK_CONFORM_DEVIATION; /* a SHOULD broken */
			nfail += want == IPK_CONFORM_FAIL;
			if (r->verdicts[k] != want)
				fail_msg("broken 0x%x v%u %s: %s: %s", cases[i].broken, cases[i].version, r->ids[k],
					 ipk_conform_verdict_name(r->verdicts[k]), r->seen[k]);
		}
		assert_int_equal(s.run, r->nres);
		assert_int_equal(s.must_failed, nfail);
		free_rig(r);
	}
}

/* The catalogue: IDs in order, every field filled, levels and versions valid, names unique. */
static void test_catalogue(void **state)
{
	(void)state;
	size_t n;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(IPK_CONFORM_HOST, &n);
	assert_true(n >= 32);
	for (size_t i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof(id), "H%02u", (unsigned)(i + 1));
		assert_string_equal(cat[i].id, id);
		assert_int_equal(cat[i].side, IPK_CONFORM_HOST);
		assert_true(cat[i].level >= IPK_CONFORM_MUST && cat[i].level <= IPK_CONFORM_MAY);
		assert_true(cat[i].negative <= 1);
		assert_true(cat[i].versions != 0 && (cat[i].versions & ~0x0eu) == 0);
		assert_true(strstr(cat[i].rfc, "RFC ") == cat[i].rfc);
		assert_true(strlen(cat[i].requirement) > 20 && strlen(cat[i].name) > 3);
		assert_non_null(cat[i].run);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(cat[i].name, cat[k].name);
	}
}

static void test_select(void **state)
{
	(void)state;
	size_t n;
	const struct ipk_conform_check *cat = ipk_conform_catalogue(IPK_CONFORM_HOST, &n);
	uint8_t sel[256];
	char err[128];
	assert_true(n > 0 && n <= sizeof(sel));
	assert_int_equal(ipk_conform_select(IPK_CONFORM_HOST, cat[0].id, NULL, sel, n, err, sizeof(err)), 0);
	assert_int_equal(sel[0], 1);
	assert_int_equal(ipk_conform_select(IPK_CONFORM_HOST, NULL, cat[0].name, sel, n, err, sizeof(err)), 0);
	assert_int_equal(sel[0], 0);
	assert_int_equal(ipk_conform_select(IPK_CONFORM_HOST, "H01,nope", NULL, sel, n, err, sizeof(err)), IPK_E_INVAL);
	assert_non_null(strstr(err, "'nope'"));
	assert_ptr_equal(ipk_conform_find(IPK_CONFORM_HOST, cat[0].name), &cat[0]);
	assert_null(ipk_conform_find(IPK_CONFORM_ROUTER, "H01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_rfc_host_passes),
		cmocka_unit_test(test_rfc_host_forced_v3),
		cmocka_unit_test(test_linux_host_deviations),
		cmocka_unit_test(test_broken_hosts),
		cmocka_unit_test(test_no_hook_expect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
