/* conform_router.c - the router checks of the conformance suite (the suite plays hosts and a competing querier; RFC 3376/9776 sections 6-8, RFC 2236 sections 3, 7 and 8). */
#include <stdio.h>
#include <string.h>

#include "conform_int.h"

#define V1 (1u << 1)
#define V2 (1u << 2)
#define V3 (1u << 3)
#define VALL (V1 | V2 | V3)

/* R01: the target, as querier, sends general queries to 224.0.0.1 (RFC 3376 4.1.12). */
static void r_gq_dst(struct ipk_conform_ctx *c)
{
	struct ipk_ck_msg m;
	char d[300];
	uint32_t qi = c->learn->qi_ms ? c->learn->qi_ms : 125000;
	int64_t until = ipk_ck_now(c) + (int64_t)(qi + qi / 4 + c->cfg->slack_ms) * 1000;
	int r;

	ipk_ck_sent(c, "nothing: listened for the target's next general query");
	ipk_ck_expect(c, "a general query to 224.0.0.1 within %u ms", qi + qi / 4 + c->cfg->slack_ms);
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		if (m.igmp.type != IPK_IGMP_QUERY || m.igmp.group)
			continue;
		ipk_ck_describe(&m, d, sizeof(d));
		ipk_ck_verdict(c, m.ip.dst == IPK_IGMP_ALL_SYSTEMS ? IPK_CONFORM_PASS : ipk_ck_broken(c), "%s", d);
		return;
	}
	if (r == 0)
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no general query heard");
}

const struct ipk_conform_check ipk_conform_router_checks[] = {
	{"R01", "gq-to-all-systems", IPK_CONFORM_ROUTER, IPK_CONFORM_MUST, 0, VALL, "RFC 3376 4.1.12; RFC 2236 2",
	 "general queries are sent to the all-systems group 224.0.0.1", r_gq_dst},
};
const size_t ipk_conform_router_nchecks = sizeof(ipk_conform_router_checks) / sizeof(ipk_conform_router_checks[0]);
