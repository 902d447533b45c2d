/* conform_host.c - the host checks of the conformance suite (the suite plays the router; RFC 3376/9776 section 5, RFC 2236 sections 3 and 6, RFC 1112 appendix I). */
#include <stdio.h>
#include <string.h>

#include "conform_int.h"

#define V1 (1u << 1)
#define V2 (1u << 2)
#define V3 (1u << 3)
#define VALL (V1 | V2 | V3)

/* H01: the target answers a general query for a group it has joined, within Max Resp Time. */
static void h_gq_answer(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_group(c, 0);
	char ga[16], d[300];
	struct ipk_ck_msg m;
	unsigned v = ipk_ck_version(c);
	/* v1 queries carry no time: hosts answer within 10 s (RFC 1112 appendix I, RFC 2236 4) */
	unsigned mrt = v == 1 ? 10000 : c->cfg->mrt_ms;

	if (ipk_ck_target(c, g, IPK_CONFORM_EXCLUDE, NULL, 0) < 0)
		return;
	/* let the unsolicited reports go by: they are not answers */
	int64_t quiet = ipk_ck_now(c) + (int64_t)(v == 3 ? 2 : 1) * (c->cfg->uri_ms ? c->cfg->uri_ms : v == 3 ? 1000 : 10000) * 1000;
	while (ipk_ck_recv(c, quiet, &m) > 0)
		;
	struct ipk_ck_query q = {.mrt_ms = mrt};
	int64_t t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, &q) < 0)
		return;
	ipk_ck_expect(c, "a report naming %s within %u ms (+%u ms slack)", ipk_ck_addr(g, ga), mrt, c->cfg->slack_ms);
	int64_t until = t0 + (int64_t)(mrt + c->cfg->slack_ms) * 1000;
	int r;
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		if (ipk_ck_names(&m, g, NULL) && m.igmp.type != 0x17) {
			ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
			ipk_ck_describe(&m, d, sizeof(d));
			ipk_ck_verdict(c, IPK_CONFORM_PASS, "%s after %.0f ms", d, (double)(m.at_us - t0) / 1000.0);
			return;
		}
	}
	if (r == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report for %s within %u ms", ipk_ck_addr(g, ga),
			       mrt + c->cfg->slack_ms);
}

const struct ipk_conform_check ipk_conform_host_checks[] = {
	{"H01", "gq-answer-in-time", IPK_CONFORM_HOST, IPK_CONFORM_MUST, 0, VALL,
	 "RFC 3376 5.2; RFC 9776 5.2; RFC 2236 3; RFC 1112 app. I",
	 "a host answers a General Query for each group it is a member of, at a random time within the Max Resp Time",
	 h_gq_answer},
};
const size_t ipk_conform_host_nchecks = sizeof(ipk_conform_host_checks) / sizeof(ipk_conform_host_checks[0]);
