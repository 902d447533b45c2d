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

#define A IPK_IP4_ADDR
#define SELF A(198, 18, 0, 1)
#define TARGET A(198, 18, 0, 2)

/* ---- the rig: one emulated host (the target) and a virtual clock ---- */

#define QMAX 256
struct rig {
	struct ipk_host h;
	void *mem;
	int64_t now_us;
	struct {
		int64_t at;
		uint16_t len;
		uint8_t d[1600];
	} q[QMAX];
	unsigned qhead, qn;
	/* results */
	unsigned nres;
	char ids[128][8];
	uint8_t verdicts[128];
	char seen[128][160];
};

static void host_cb(void *arg, const struct ipk_host_event *ev)
{
	struct rig *r = arg;
	if (ev->type != IPK_HEV_SEND || r->qn == QMAX)
		return;
	unsigned i = (r->qhead + r->qn++) % QMAX;
	r->q[i].at = (int64_t)ev->now_ms * 1000;
	r->q[i].len = ev->report->len;
	memcpy(r->q[i].d, ev->report->dgram, ev->report->len);
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
		if (r->qn) {
			unsigned i = r->qhead;
			r->qhead = (r->qhead + 1) % QMAX;
			r->qn--;
			size_t n = r->q[i].len < cap ? r->q[i].len : cap;
			memcpy(buf, r->q[i].d, n);
			*at = r->q[i].at;
			return (int)n;
		}
		uint64_t next = ipk_host_next_deadline(&r->h);
		if (next == UINT64_MAX || (int64_t)next * 1000 > deadline) {
			if (deadline > r->now_us)
				r->now_us = deadline;
			return 0;
		}
		if ((int64_t)next * 1000 > r->now_us)
			r->now_us = (int64_t)next * 1000;
		(void)ipk_host_tick(&r->h, (uint64_t)(r->now_us / 1000));
	}
}

static int rig_target(void *ctx, uint32_t group, unsigned mode, const uint32_t *srcs, size_t n)
{
	struct rig *r = ctx;
	uint64_t now = (uint64_t)(r->now_us / 1000);
	int rc = ipk_host_change(&r->h, 0, 0, group, mode ? mode : IPK_HOST_INCLUDE, mode ? srcs : NULL, mode ? n : 0,
				 now);
	(void)ipk_host_tick(&r->h, now);
	return rc < 0 ? -EINVAL : 0;
}

static void rig_result(void *ctx, const struct ipk_conform_result *res, const struct ipk_conform_pkt *p, size_t n)
{
	struct rig *r = ctx;
	(void)p;
	(void)n;
	if (getenv("IPK_CONFORM_VERBOSE"))
		fprintf(stderr, "%s %-28s %-12s %s | sent: %s\n", res->check->id, res->check->name,
			ipk_conform_verdict_name(res->verdict), res->seen, res->sent);
	if (r->nres < 128) {
		snprintf(r->ids[r->nres], sizeof(r->ids[0]), "%s", res->check->id);
		r->verdicts[r->nres] = res->verdict;
		snprintf(r->seen[r->nres], sizeof(r->seen[0]), "%.150s", res->seen);
		r->nres++;
	}
}

/* Run the whole host catalogue against a host of this profile and version; returns the rig. */
static struct rig *run_suite(unsigned profile, unsigned host_version, unsigned suite_version,
			     struct ipk_conform_summary *sum)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct ipk_host_cfg hc;
	ipk_host_cfg_default(&hc);
	hc.profile = (uint8_t)profile;
	hc.version = (uint8_t)host_version;
	hc.nhosts = 1;
	hc.first_address = TARGET;
	hc.seed = 7;
	size_t ms = ipk_host_mem_size(&hc);
	r->mem = malloc(ms);
	r->now_us = 1000000;
	assert_int_equal(ipk_host_init(&r->h, &hc, r->mem, ms, 1000, host_cb, r), 0);

	struct ipk_conform_cfg cfg;
	ipk_conform_cfg_default(&cfg, IPK_CONFORM_HOST);
	cfg.version = (uint8_t)suite_version;
	cfg.self = SELF;
	cfg.target = TARGET;
	struct ipk_conform_io io = {r, rig_now, rig_send, rig_recv, rig_target, NULL, NULL, rig_result};
	size_t n;
	assert_non_null(ipk_conform_catalogue(IPK_CONFORM_HOST, &n));
	uint8_t *sel = malloc(n);
	assert_int_equal(ipk_conform_select(IPK_CONFORM_HOST, NULL, NULL, sel, n, NULL, 0), 0);
	void *mem = malloc(IPK_CONFORM_MEM);
	assert_int_equal(ipk_conform_run(&cfg, &io, sel, n, mem, IPK_CONFORM_MEM, sum), 0);
	free(mem);
	free(sel);
	return r;
}

static void free_rig(struct rig *r)
{
	free(r->mem);
	free(r);
}

static void test_rfc_host_passes(void **state)
{
	(void)state;
	for (unsigned v = 1; v <= 3; v++) {
		struct ipk_conform_summary s;
		struct rig *r = run_suite(IPK_HOST_PROFILE_RFC, (uint8_t)v, v, &s);
		for (unsigned i = 0; i < r->nres; i++)
			if (r->verdicts[i] != IPK_CONFORM_PASS && r->verdicts[i] != IPK_CONFORM_SKIPPED)
				fail_msg("v%u %s: %s: %s", v, r->ids[i], ipk_conform_verdict_name(r->verdicts[i]),
					 r->seen[i]);
		assert_int_equal(s.must_failed, 0);
		assert_true(s.run > 0);
		free_rig(r);
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
		cmocka_unit_test(test_rfc_host_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
