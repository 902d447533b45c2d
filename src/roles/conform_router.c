/* conform_router.c - the router checks of the conformance suite (the suite plays hosts and a competing querier; RFC 3376/9776 sections 4 and 6-9, RFC 2236 sections 2-4, RFC 1112 appendix I). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conform_int.h"
#include "ipv4kit/ipopt.h"

#define V1 (1u << 1)
#define V2 (1u << 2)
#define V3 (1u << 3)
#define VALL (V1 | V2 | V3)
#define V23 (V2 | V3)

#define MUST IPK_CONFORM_MUST
#define SHOULD IPK_CONFORM_SHOULD
#define MAY IPK_CONFORM_MAY
#define PASS IPK_CONFORM_PASS
#define INCONCL IPK_CONFORM_INCONCLUSIVE
#define SKIP IPK_CONFORM_SKIPPED

/*
 * How the checks see the target: only through what it sends (queries), and through
 * io->target_has when the caller can read its group table. Whether it holds a group is otherwise
 * probed: a leave (v2 Leave, v3 TO_IN({})) for a group it holds in EXCLUDE mode makes a querier
 * send Q(G) at once (RFC 3376 6.4.2, RFC 2236 3), one for a group it does not hold makes it send
 * nothing; a BLOCK of a source it forwards makes it send Q(G,S). Timers come from c->learn: the
 * cfg overrides, else what the target advertised (QQIC, QRV, Max Resp Code) and the spacing it
 * keeps, else the defaults of RFC 3376 section 8. Every wait is bounded by windows derived from
 * them.
 */

/* ---- the target's timers ---- */

static uint32_t t_qi(const struct ipk_conform_ctx *c)
{
	return c->learn->qi_ms ? c->learn->qi_ms : 125000;
}
static uint32_t t_qri(const struct ipk_conform_ctx *c)
{
	return c->learn->qri_ms ? c->learn->qri_ms : 10000;
}
static unsigned t_qrv(const struct ipk_conform_ctx *c)
{
	return c->learn->qrv ? c->learn->qrv : 2;
}
static uint32_t t_lmqi(const struct ipk_conform_ctx *c)
{
	return c->learn->lmqi_ms ? c->learn->lmqi_ms : 1000;
}
static unsigned t_lmqc(const struct ipk_conform_ctx *c)
{
	return c->learn->lmqc ? c->learn->lmqc : t_qrv(c);
}
static uint32_t t_oqpi(const struct ipk_conform_ctx *c)
{
	return t_qrv(c) * t_qi(c) + t_qri(c) / 2;
}
static uint32_t t_gmi(const struct ipk_conform_ctx *c)
{
	return t_qrv(c) * t_qi(c) + t_qri(c);
}
static uint32_t slack(const struct ipk_conform_ctx *c)
{
	return c->cfg->slack_ms;
}
/* The latest a periodic query may come after the one before: QI plus a tenth, 2 s (the Linux
 * bridge runs up to ~2 s late on 125 s timers) and the slack. */
static uint32_t late(const struct ipk_conform_ctx *c, uint32_t ms)
{
	return ms + ms / 10 + 2000 + slack(c);
}
static int64_t after(const struct ipk_conform_ctx *c, uint32_t ms)
{
	return ipk_ck_now(c) + (int64_t)ms * 1000;
}

/* ---- a query heard ---- */

struct qs {
	int64_t at;
	uint32_t dst, group, mrc_ms;
	uint8_t ver, s, qrv, qqic, csum_ok, ttl, tos, ra;
	uint16_t nsrcs;
	uint32_t srcs[8];
	char d[200];
};

static void qs_fill(const struct ipk_ck_msg *m, struct qs *q)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;

	memset(q, 0, sizeof(*q));
	q->at = m->at_us;
	q->dst = m->ip.dst;
	q->group = m->igmp.group;
	q->ver = m->igmp.version;
	q->mrc_ms = q->ver == 3 ? ipk_igmp_code_decode(m->igmp.code) * 100u : q->ver == 2 ? m->igmp.code * 100u : 0;
	q->s = m->igmp.s;
	q->qrv = m->igmp.qrv;
	q->qqic = m->igmp.qqic;
	q->csum_ok = m->igmp.checksum_ok;
	q->ttl = m->ip.ttl;
	q->tos = m->ip.tos;
	ipk_opt_iter_init(&it, m->ip.opts, m->ip.opts_len);
	while (ipk_opt_next(&it, &o) == 1)
		if (o.type == 0x94)
			q->ra = 1;
	q->nsrcs = m->igmp.nsrcs;
	for (unsigned i = 0; i < q->nsrcs && i < 8; i++)
		q->srcs[i] = ipk_igmp_addr(m->igmp.srcs, i);
	ipk_ck_describe(m, q->d, sizeof(q->d));
	size_t l = strlen(q->d);
	if (q->ver == 3 && l < sizeof(q->d))
		snprintf(q->d + l, sizeof(q->d) - l, " S=%u QRV %u QQIC %u MRC %u ms%s", q->s, q->qrv, q->qqic, q->mrc_ms,
			 q->csum_ok ? "" : " BAD CHECKSUM");
	else if (l < sizeof(q->d))
		snprintf(q->d + l, sizeof(q->d) - l, " v%u max resp %u ms%s", q->ver, q->mrc_ms,
			 q->csum_ok ? "" : " BAD CHECKSUM");
}

static int qs_has(const struct qs *q, uint32_t s)
{
	for (unsigned i = 0; i < q->nsrcs && i < 8; i++)
		if (q->srcs[i] == s)
			return 1;
	return 0;
}

/* Learn from a general query of the target (cfg values stay). */
static void note_gq(struct ipk_conform_ctx *c, const struct qs *q)
{
	struct ipk_ck_learn *l = c->learn;
	const struct ipk_conform_cfg *cfg = c->cfg;

	if (l->last_gq_us && q->at > l->last_gq_us)
		l->gq_gap_ms = (uint32_t)((q->at - l->last_gq_us) / 1000);
	l->last_gq_us = q->at;
	l->version = q->ver;
	if (q->ver == 3)
		l->qqic = q->qqic;
	if (!cfg->query_interval_ms) {
		if (q->ver == 3 && q->qqic)
			l->qi_ms = ipk_igmp_code_decode(q->qqic) * 1000u;
		else if (l->gq_gap_ms > l->qi_ms)
			l->qi_ms = l->gq_gap_ms; /* no QQIC: the longest spacing seen (startup ones are shorter) */
	}
	if (!cfg->query_response_interval_ms && q->mrc_ms)
		l->qri_ms = q->mrc_ms;
	if (!cfg->robustness && q->ver == 3 && q->qrv)
		l->qrv = q->qrv;
}

/* The next query from the target whose group field is g (0: a general query) before until: 1,
 * 0 (none), -1 (aborting). Every query heard on the way teaches general-query values. */
static int next_query(struct ipk_conform_ctx *c, int64_t until, uint32_t g, struct qs *q)
{
	struct ipk_ck_msg m;
	int r;

	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		if (m.igmp.type != IPK_IGMP_QUERY)
			continue;
		qs_fill(&m, q);
		if (!q->group)
			note_gq(c, q);
		if (q->group == g)
			return 1;
	}
	return r < 0 ? -1 : 0;
}

/* Let time pass until `until`, keeping what is heard as evidence. 0, or -1 when aborting. */
static int idle(struct ipk_conform_ctx *c, int64_t until)
{
	struct ipk_ck_msg m;
	int r;
	while ((r = ipk_ck_recv(c, until, &m)) > 0)
		;
	return r < 0 ? -1 : 0;
}

/* ---- what the hosts send ---- */

static int v3rec(struct ipk_conform_ctx *c, unsigned host, uint8_t type, uint32_t g, const uint32_t *srcs,
		 uint16_t n)
{
	struct ipk_igmp_rec_spec r = {.type = type, .group = g, .srcs = srcs, .nsrcs = n};
	return ipk_ck_send_v3r(c, host, &r, 1, NULL, NULL);
}

/* Host joins g in EXCLUDE({}) in the suite's version: v1/v2 report, v3 IS_EX({}). */
static int join(struct ipk_conform_ctx *c, unsigned host, uint32_t g)
{
	unsigned v = ipk_ck_version(c);
	if (v == 3)
		return v3rec(c, host, IPK_IGMP_IS_EX, g, NULL, 0);
	return ipk_ck_send_v12(c, host, v == 1 ? IPK_IGMP_V1_REPORT : IPK_IGMP_V2_REPORT, g, NULL, NULL);
}

/* Host leaves g: v2 Leave, v3 TO_IN({}) (ip and over may be NULL). */
static int leave(struct ipk_conform_ctx *c, unsigned host, uint32_t g, const struct ipk_ck_ip *ip,
		 const struct ipk_igmp_over *over)
{
	if (ipk_ck_version(c) == 3) {
		struct ipk_igmp_rec_spec r = {.type = IPK_IGMP_TO_IN, .group = g};
		return ipk_ck_send_v3r(c, host, &r, 1, ip, over);
	}
	return ipk_ck_send_v12(c, host, IPK_IGMP_V2_LEAVE, g, ip, over);
}

/* The suite's own general query from cfg->self (lower than the target's address), carrying the
 * target's own QRV, QQIC and QRI so a non-querier target derives the same OQPI (4.1.6, 4.1.7). */
static int our_gq(struct ipk_conform_ctx *c, int cut, const struct ipk_igmp_over *over)
{
	unsigned qrv = t_qrv(c);
	struct ipk_ck_query q = {
		.version = (uint8_t)(cut ? 3 : ipk_ck_version(c)),
		.mrt_ms = t_qri(c),
		.qrv = (uint8_t)(qrv > 7 ? 7 : qrv),
		.qqic = ipk_igmp_code_encode(t_qi(c) / 1000 ? t_qi(c) / 1000 : 1),
		.over = over,
		.cut = cut,
	};
	return ipk_ck_send_query(c, &q);
}

/*
 * Whether the target holds g (s != 0: source s in g): 1, 0, or -1 (the verdict is set: skipped
 * or inconclusive). io->target_has when it answers (polled for the slack); else (v2, v3) the
 * probe: host leaves g (v3 with s: BLOCK{s}) and a query naming g within LMQI + slack means it
 * held it. The probe starts the target's last-member queries: g is on its way out afterwards.
 */
static int held(struct ipk_conform_ctx *c, uint32_t g, uint32_t s, unsigned host)
{
	char ga[16];
	struct qs q;

	if (c->io->target_has) {
		int64_t until = after(c, slack(c));
		for (;;) {
			int r = c->io->target_has(c->io->ctx, g, s);
			if (r == -ENOTSUP)
				break;
			if (r < 0) {
				ipk_ck_verdict(c, INCONCL, "reading the target's group table failed (error %d)", -r);
				return -1;
			}
			if (r == 1 || ipk_ck_now(c) >= until) {
				ipk_ck_sent(c, "read the target's table: %s %s", ipk_ck_addr(g, ga), r ? "held" : "absent");
				return r;
			}
			int64_t step = after(c, 50);
			if (idle(c, step < until ? step : until) < 0)
				return -1;
		}
	}
	if (ipk_ck_version(c) == 1) {
		ipk_ck_verdict(c, SKIP, "IGMPv1 has no leave to probe the target's table with: needs a state reader (--state-cmd)");
		return -1;
	}
	int r = s ? v3rec(c, host, IPK_IGMP_BLOCK, g, &s, 1) : leave(c, host, g, NULL, NULL);
	if (r < 0)
		return -1;
	r = next_query(c, after(c, t_lmqi(c) + slack(c)), g, &q);
	return r < 0 ? -1 : r;
}

/* ---- general queries ---- */

/* The target's next general query (within QI's window): 1, else the verdict is set. */
static int gq(struct ipk_conform_ctx *c, struct qs *q)
{
	uint32_t w = late(c, t_qi(c));
	ipk_ck_sent(c, "nothing: listened for the target's next general query");
	int r = next_query(c, after(c, w), 0, q);
	if (r == 0)
		ipk_ck_verdict(c, INCONCL, "no general query from the target within %u ms", w);
	return r == 1;
}

/* R01 */
static void r_gq_dst(struct ipk_conform_ctx *c)
{
	struct qs q;
	ipk_ck_expect(c, "a general query to 224.0.0.1");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.dst == IPK_IGMP_ALL_SYSTEMS ? PASS : ipk_ck_broken(c), "%s", q.d);
}

/* R02 */
static void r_gq_ttl_ra(struct ipk_conform_ctx *c)
{
	struct qs q;
	unsigned v = ipk_ck_version(c);
	ipk_ck_expect(c, "a general query with IP TTL 1%s", v > 1 ? " and the Router Alert option" : "");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.ttl == 1 && (v == 1 || q.ra) ? PASS : ipk_ck_broken(c), "%s", q.d);
}

/* R03 */
static void r_gq_tos(struct ipk_conform_ctx *c)
{
	struct qs q;
	ipk_ck_expect(c, "a general query with TOS 0xc0 (precedence Internetwork Control)");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.tos == 0xc0 ? PASS : ipk_ck_broken(c), "%s", q.d);
}

/* R04 */
static void r_query_version(struct ipk_conform_ctx *c)
{
	struct qs q;
	unsigned v = ipk_ck_version(c);
	ipk_ck_expect(c, "general queries of IGMPv%u (%s)", v,
		      v == 3 ? "12 bytes or more" : v == 2 ? "8 bytes, Max Resp Time not 0" : "8 bytes, code 0");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.ver == v ? PASS : ipk_ck_broken(c), "an IGMPv%u query: %s", q.ver, q.d);
}

/* R05 */
static void r_gq_no_sources(struct ipk_conform_ctx *c)
{
	struct qs q;
	ipk_ck_expect(c, "a v3 general query with Number of Sources 0");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.nsrcs == 0 ? PASS : ipk_ck_broken(c), "%s, %u sources", q.d, q.nsrcs);
}

/* R06 */
static void r_gq_s_clear(struct ipk_conform_ctx *c)
{
	struct qs q;
	ipk_ck_expect(c, "a v3 general query with the S flag clear");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.s == 0 ? PASS : ipk_ck_broken(c), "%s", q.d);
}

/* R07 */
static void r_qrv_range(struct ipk_conform_ctx *c)
{
	struct qs q;
	int big = c->cfg->robustness > 7;
	ipk_ck_expect(c, "QRV 1..7%s", big ? " or 0 (configured robustness above 7)" : " (0 only for a robustness above 7)");
	if (!gq(c, &q))
		return;
	int ok = big ? q.qrv == 0 || q.qrv == 7 : q.qrv >= 1;
	ipk_ck_verdict(c, ok ? PASS : ipk_ck_broken(c), "QRV %u%s: %s", q.qrv,
		       q.qrv == 1 ? " (allowed, though robustness SHOULD NOT be 1)" : "", q.d);
}

/* R08 */
static void r_qrv_config(struct ipk_conform_ctx *c)
{
	struct qs q;
	unsigned rv = c->cfg->robustness;
	if (!rv) {
		ipk_ck_sent(c, "nothing");
		ipk_ck_expect(c, "QRV equal to the configured robustness");
		ipk_ck_verdict(c, SKIP, "the target's configured robustness was not given (--robustness)");
		return;
	}
	ipk_ck_expect(c, "QRV %u (the configured robustness%s)", rv > 7 ? 0 : rv, rv > 7 ? " is above 7" : "");
	if (gq(c, &q))
		ipk_ck_verdict(c, q.qrv == (rv > 7 ? 0 : rv) ? PASS : ipk_ck_broken(c), "QRV %u: %s", q.qrv, q.d);
}

/* R09 */
static void r_mrc(struct ipk_conform_ctx *c)
{
	struct qs q;
	unsigned v = ipk_ck_version(c);
	uint32_t qri = c->cfg->query_response_interval_ms, qi = t_qi(c);

	if (v == 1)
		ipk_ck_expect(c, "a v1 general query with code 0");
	else if (qri)
		ipk_ck_expect(c, "Max Resp Code decoding to the configured %u ms (to 100 ms), below QI %u ms", qri, qi);
	else
		ipk_ck_expect(c, "Max Resp Code decoding to more than 0 and less than QI %u ms", qi);
	if (!gq(c, &q))
		return;
	ipk_ck_measured(c, q.mrc_ms);
	int ok = v == 1 ? q.mrc_ms == 0
			: q.mrc_ms > 0 && q.mrc_ms < qi && (!qri || (q.mrc_ms + 100 > qri && q.mrc_ms < qri + 100));
	ipk_ck_verdict(c, ok ? PASS : ipk_ck_broken(c), "max resp %u ms: %s", q.mrc_ms, q.d);
}

/*
 * Two consecutive general queries past the startup ones: hears up to QRV + 2 of them and keeps
 * the first spacing of at least half of ref_ms (startup queries come every QI/4), else the last.
 * 1 and *gap_ms / *b set, else the verdict is set.
 */
static int gq_pair(struct ipk_conform_ctx *c, uint32_t ref_ms, uint32_t *gap_ms, struct qs *b)
{
	struct qs a;
	if (!gq(c, &a))
		return 0;
	for (unsigned k = 0; k < t_qrv(c) + 1; k++) {
		uint32_t w = late(c, ref_ms);
		int r = next_query(c, a.at + (int64_t)w * 1000, 0, b);
		if (r < 0)
			return 0;
		if (r == 0) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "no general query within %u ms of the one before (%s)", w, a.d);
			return 0;
		}
		*gap_ms = (uint32_t)((b->at - a.at) / 1000);
		if (*gap_ms >= ref_ms / 2)
			break;
		a = *b;
	}
	ipk_ck_measured(c, *gap_ms);
	return 1;
}

static void judge_gap(struct ipk_conform_ctx *c, uint32_t ref, uint32_t gap, const char *what, const struct qs *b)
{
	uint32_t lo = ref - ref / 10 > slack(c) ? ref - ref / 10 - slack(c) : 0, hi = late(c, ref);
	ipk_ck_verdict(c, gap >= lo && gap <= hi ? PASS : ipk_ck_broken(c), "general queries %u ms apart (%s %u ms, window %u..%u ms); last: %s",
		       gap, what, ref, lo, hi, b->d);
}

/* R10 */
static void r_qqic(struct ipk_conform_ctx *c)
{
	struct qs b;
	uint32_t gap = 0;
	ipk_ck_expect(c, "general queries spaced as their QQIC says (a tenth, 2 s and the slack late at most)");
	if (!gq_pair(c, t_qi(c), &gap, &b))
		return;
	uint32_t qqi = ipk_igmp_code_decode(b.qqic) * 1000u;
	if (c->cfg->query_interval_ms && qqi != c->cfg->query_interval_ms / 1000 * 1000) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "QQIC %u (%u ms) but the configured query interval is %u ms: %s", b.qqic,
			       qqi, c->cfg->query_interval_ms, b.d);
		return;
	}
	judge_gap(c, qqi, gap, "QQIC says", &b);
}

/* R11 */
static void r_gq_interval(struct ipk_conform_ctx *c)
{
	struct qs b;
	uint32_t gap = 0, ref = c->cfg->query_interval_ms;
	const char *what = "configured QI";
	if (!ref && ipk_ck_version(c) == 3 && !c->learn->qqic && !gq(c, &b))
		return; /* learn its QQIC first */
	if (!ref && ipk_ck_version(c) == 3 && c->learn->qqic) {
		ref = ipk_igmp_code_decode(c->learn->qqic) * 1000u;
		what = "advertised QI";
	} else if (!ref) {
		ref = 125000;
		what = "RFC default QI";
	}
	ipk_ck_expect(c, "general queries every %u ms (%s; a tenth, 2 s and the slack late at most)", ref, what);
	if (gq_pair(c, ref, &gap, &b))
		judge_gap(c, ref, gap, what, &b);
}

/* ---- startup (needs io->target_restart) ---- */

/* Restart the target and hear its general queries until the first spacing longer than halfway
 * between SQI and QI: times into at[] (*n of them). 1, else the verdict is set. */
static int startup(struct ipk_conform_ctx *c, int64_t *at, unsigned *n, uint8_t *first_csum)
{
	struct qs q;
	uint32_t qi = t_qi(c), sqi = qi / 4, split = (sqi + qi) / 2;

	*n = 0;
	int r = c->io->target_restart ? c->io->target_restart(c->io->ctx) : -ENOTSUP;
	if (r == -ENOTSUP) {
		ipk_ck_sent(c, "nothing");
		ipk_ck_verdict(c, SKIP, "needs a way to restart the target (--restart-cmd)");
		return 0;
	}
	if (r < 0) {
		ipk_ck_verdict(c, INCONCL, "restarting the target failed (error %d)", -r);
		return 0;
	}
	int64_t t0 = ipk_ck_now(c);
	ipk_ck_sent(c, "restarted the target; listened to its general queries");
	int64_t until = t0 + (int64_t)late(c, sqi) * 1000;
	while (*n < 16 && (r = next_query(c, until, 0, &q)) > 0) {
		if (*n == 0)
			*first_csum = q.csum_ok;
		at[(*n)++] = q.at;
		until = q.at + (int64_t)split * 1000;
	}
	if (r < 0)
		return 0;
	if (*n == 0) {
		ipk_ck_verdict(c, INCONCL, "no general query within %u ms of the restart", late(c, sqi));
		return 0;
	}
	return 1;
}

/* R12 */
static void r_startup_count(struct ipk_conform_ctx *c)
{
	int64_t at[16];
	unsigned n;
	uint8_t ok1;
	unsigned sqc = t_qrv(c);
	ipk_ck_expect(c, "%u general queries at startup (Startup Query Count = robustness), about QI/4 apart", sqc);
	if (!startup(c, at, &n, &ok1))
		return;
	ipk_ck_measured(c, n);
	ipk_ck_verdict(c, n == sqc ? PASS : ipk_ck_broken(c), "%u general queries before the first spacing near QI %u ms",
		       n, t_qi(c));
}

/* R13 */
static void r_startup_interval(struct ipk_conform_ctx *c)
{
	int64_t at[16];
	unsigned n;
	uint8_t ok1;
	uint32_t sqi = t_qi(c) / 4, lo = sqi - sqi / 10 > slack(c) ? sqi - sqi / 10 - slack(c) : 0,
		 hi = sqi + sqi / 10 + slack(c);
	ipk_ck_expect(c, "startup general queries %u ms apart (SQI = QI/4; window %u..%u ms)", sqi, lo, hi);
	if (!startup(c, at, &n, &ok1))
		return;
	if (n < 2) {
		ipk_ck_verdict(c, INCONCL, "one general query at startup: no spacing to measure (startup-query-count judges the count)");
		return;
	}
	for (unsigned i = 1; i < n; i++) {
		uint32_t gap = (uint32_t)((at[i] - at[i - 1]) / 1000);
		ipk_ck_measured(c, gap);
		if (gap < lo || gap > hi) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "startup queries %u and %u were %u ms apart", i, i + 1, gap);
			return;
		}
	}
	ipk_ck_verdict(c, PASS, "%u startup queries, spacing within %u..%u ms", n, lo, hi);
}

/* R14 */
static void r_query_checksum(struct ipk_conform_ctx *c)
{
	int64_t at[16];
	unsigned n;
	uint8_t ok1 = 0;
	struct qs q;
	ipk_ck_expect(c, "a correct IGMP checksum on the target's queries, its first one after a start included");
	if (c->io->target_restart) {
		if (!startup(c, at, &n, &ok1))
			return;
		ipk_ck_verdict(c, ok1 ? PASS : ipk_ck_broken(c), "the first query after the restart had a %s checksum (%u startup queries)",
			       ok1 ? "correct" : "BAD", n);
		return;
	}
	if (gq(c, &q))
		ipk_ck_verdict(c, q.csum_ok ? PASS : ipk_ck_broken(c), "(no restart hook: the next query only) %s", q.d);
}

/* ---- last-member queries after a leave ---- */

struct round {
	struct qs q[16];
	unsigned n;
	int64_t t_leave, t_report; /* t_report: when host 2 reported again (0: not) */
	unsigned n_report;         /* queries heard before that report */
};

/* Collect the target's queries naming g from now: the first within LMQI + slack, then until
 * none came for 1.5 LMQI + slack (at most LMQC + 1 spacings). With rereport, host 2 reports g
 * again (IS_EX({}) / v2 report) as soon as the first one is heard; with rerec, host 2 sends that
 * record instead. */
static int collect(struct ipk_conform_ctx *c, uint32_t g, const struct ipk_igmp_rec_spec *rerec, int rereport,
		   struct round *rd)
{
	struct qs q;
	int r;
	int64_t start = ipk_ck_now(c);
	int64_t cap = start + ((int64_t)(t_lmqc(c) + 2) * t_lmqi(c) * 2 + slack(c)) * 1000;
	int64_t until = start + (int64_t)(t_lmqi(c) + slack(c)) * 1000;

	while (rd->n < 16 && (r = next_query(c, until < cap ? until : cap, g, &q)) > 0) {
		rd->q[rd->n++] = q;
		if (rd->n == 1 && !c->cfg->last_member_interval_ms && q.mrc_ms)
			c->learn->lmqi_ms = q.mrc_ms; /* the first specific query's MRC is LMQI */
		if (rd->n == 1 && (rereport || rerec)) {
			if ((rerec ? ipk_ck_send_v3r(c, 2, rerec, 1, NULL, NULL) : join(c, 2, g)) < 0)
				return -1;
			rd->t_report = ipk_ck_now(c);
			rd->n_report = rd->n;
		}
		until = q.at + (int64_t)(t_lmqi(c) * 3 / 2 + slack(c)) * 1000;
	}
	return r < 0 ? -1 : 0;
}

/* Host 1 joins group k and leaves it; rd gets the target's queries for it. 0, or -1 (verdict set
 * or aborting). */
static int lmq_round(struct ipk_conform_ctx *c, unsigned k, int rereport, struct round *rd)
{
	uint32_t g = ipk_ck_group(c, k);
	memset(rd, 0, sizeof(*rd));
	if (join(c, 1, g) < 0 || idle(c, after(c, 100)) < 0 || leave(c, 1, g, NULL, NULL) < 0)
		return -1;
	rd->t_leave = ipk_ck_now(c);
	return collect(c, g, NULL, rereport, rd);
}

/* The spacing of the queries of rd (from index from) against LMQI: the configured one, else
 * the Max Resp Code of the first (RFC: the MRC of specific queries is LMQI). */
static uint32_t lmqi_ref(const struct ipk_conform_ctx *c, const struct round *rd)
{
	return c->cfg->last_member_interval_ms ? c->cfg->last_member_interval_ms : rd->n ? rd->q[0].mrc_ms : t_lmqi(c);
}

static void judge_spacing(struct ipk_conform_ctx *c, const struct round *rd, const char *kind)
{
	uint32_t ref = lmqi_ref(c, rd), lo = ref / 2, hi = ref * 3 / 2 + slack(c);
	if (rd->n < 2) {
		ipk_ck_verdict(c, INCONCL, "%u %s heard: no spacing to measure", rd->n, kind);
		return;
	}
	for (unsigned i = 1; i < rd->n; i++) {
		uint32_t gap = (uint32_t)((rd->q[i].at - rd->q[i - 1].at) / 1000);
		ipk_ck_measured(c, gap);
		if (gap < lo || gap > hi) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "%s %u and %u were %u ms apart (LMQI %u ms, window %u..%u ms)", kind, i,
				       i + 1, gap, ref, lo, hi);
			return;
		}
	}
	ipk_ck_verdict(c, PASS, "%u %s, spacing within %u..%u ms of LMQI %u ms", rd->n, kind, lo, hi, ref);
}

static void expect_lmq(struct ipk_conform_ctx *c, const char *what)
{
	ipk_ck_expect(c, "after the leave: %s (LMQC %u, LMQI %u ms)", what, t_lmqc(c), t_lmqi(c));
}

/* R15, R16 */
static void r_leave_queries(struct ipk_conform_ctx *c)
{
	struct round rd;
	expect_lmq(c, "a group-specific query for the group within LMQI + slack");
	if (lmq_round(c, 0, 0, &rd) < 0)
		return;
	if (!rd.n) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "no query for %s within %u ms of the leave",
			       ipk_ck_addr(ipk_ck_group(c, 0), (char[16]){0}), t_lmqi(c) + slack(c));
		return;
	}
	ipk_ck_measured(c, (double)(rd.q[0].at - rd.t_leave) / 1000.0);
	ipk_ck_verdict(c, PASS, "%s after %.0f ms", rd.q[0].d, (double)(rd.q[0].at - rd.t_leave) / 1000.0);
}

/* A round with at least one query, else inconclusive. */
static int lmq_heard(struct ipk_conform_ctx *c, int rereport, struct round *rd)
{
	if (lmq_round(c, 0, rereport, rd) < 0)
		return 0;
	if (!rd->n) {
		ipk_ck_verdict(c, INCONCL, "no group-specific query after the leave (leave-queries-group judges that)");
		return 0;
	}
	return 1;
}

/* R17 */
static void r_lmq_count(struct ipk_conform_ctx *c)
{
	struct round rd;
	expect_lmq(c, "exactly LMQC group-specific queries");
	if (!lmq_heard(c, 0, &rd))
		return;
	ipk_ck_measured(c, rd.n);
	ipk_ck_verdict(c, rd.n == t_lmqc(c) ? PASS : ipk_ck_broken(c), "%u group-specific queries (expected %u); last: %s", rd.n,
		       t_lmqc(c), rd.q[rd.n - 1].d);
}

/* R18 */
static void r_lmq_interval(struct ipk_conform_ctx *c)
{
	struct round rd;
	expect_lmq(c, "group-specific queries LMQI apart (window LMQI/2 .. 1.5 LMQI + slack)");
	if (lmq_heard(c, 0, &rd))
		judge_spacing(c, &rd, "group-specific queries");
}

/* R19 */
static void r_lmq_mrc(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t cf = c->cfg->last_member_interval_ms;
	expect_lmq(c, cf ? "Max Resp Code = the configured LMQI (to 100 ms)"
			 : "Max Resp Code = LMQI = the spacing of the retransmissions (a tenth and the slack)");
	if (!lmq_heard(c, 0, &rd))
		return;
	uint32_t mrc = rd.q[0].mrc_ms, ref = cf;
	ipk_ck_measured(c, mrc);
	if (!ref) {
		if (rd.n < 2) {
			ipk_ck_verdict(c, INCONCL, "one query (max resp %u ms) and no configured LMQI to compare with", mrc);
			return;
		}
		ref = (uint32_t)((rd.q[rd.n - 1].at - rd.q[0].at) / 1000 / (rd.n - 1));
	}
	uint32_t tol = cf ? 100 : ref / 10 + slack(c);
	for (unsigned i = 0; i < rd.n; i++)
		if (rd.q[i].mrc_ms + tol < ref || rd.q[i].mrc_ms > ref + tol) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "max resp %u ms but LMQI %s %u ms: %s", rd.q[i].mrc_ms,
				       cf ? "configured" : "(mean spacing)", ref, rd.q[i].d);
			return;
		}
	ipk_ck_verdict(c, PASS, "max resp %u ms, LMQI %u ms: %s", mrc, ref, rd.q[0].d);
}

/* R20 */
static void r_lmq_dst(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t g = ipk_ck_group(c, 0);
	char ga[16];
	expect_lmq(c, "every group-specific query sent to the group address");
	if (!lmq_heard(c, 0, &rd))
		return;
	for (unsigned i = 0; i < rd.n; i++)
		if (rd.q[i].dst != g) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "query %u went to %s: %s", i + 1, ipk_ck_addr(rd.q[i].dst, ga), rd.q[i].d);
			return;
		}
	ipk_ck_verdict(c, PASS, "%u queries to %s", rd.n, ipk_ck_addr(g, ga));
}

/* R21 */
static void r_lmq_s_first(struct ipk_conform_ctx *c)
{
	struct round rd;
	expect_lmq(c, "the first group-specific query with S clear (the group timer was just lowered to LMQT)");
	if (lmq_heard(c, 0, &rd))
		ipk_ck_verdict(c, rd.q[0].s == 0 ? PASS : ipk_ck_broken(c), "%s", rd.q[0].d);
}

/* R22 */
static void r_lmq_s_rexmit(struct ipk_conform_ctx *c)
{
	struct round rd;
	expect_lmq(c, "retransmissions with S clear: no report came, the group timer stays at or below LMQT");
	if (!lmq_heard(c, 0, &rd))
		return;
	if (rd.n < 2) {
		ipk_ck_verdict(c, INCONCL, "no retransmission heard (lmq-count judges the count)");
		return;
	}
	for (unsigned i = 1; i < rd.n; i++)
		if (rd.q[i].s) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "retransmission %u has S=1 though no report refreshed the group: %s", i,
				       rd.q[i].d);
			return;
		}
	ipk_ck_verdict(c, PASS, "%u retransmissions, all S=0", rd.n - 1);
}

/* R23 */
static void r_lmq_s_report(struct ipk_conform_ctx *c)
{
	struct round rd;
	unsigned after_n = 0;
	expect_lmq(c, "after host 2 reports the group again (group timer back to GMI > LMQT), the remaining retransmissions with S=1");
	if (t_lmqc(c) < 2) {
		ipk_ck_verdict(c, SKIP, "LMQC is 1: no retransmission to look at");
		return;
	}
	if (!lmq_heard(c, 1, &rd))
		return;
	for (unsigned i = rd.n_report ? rd.n_report : rd.n; i < rd.n; i++) {
		after_n++;
		if (!rd.q[i].s) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "retransmission %u after the report has S=0: %s", i, rd.q[i].d);
			return;
		}
	}
	if (!after_n)
		ipk_ck_verdict(c, INCONCL, "no retransmission after the report");
	else
		ipk_ck_verdict(c, PASS, "%u retransmissions after the report, all S=1", after_n);
}

/* R24 */
static void r_lmq_expiry(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t g = ipk_ck_group(c, 0);
	expect_lmq(c, "the group gone LMQT after the first group-specific query (no report answered)");
	if (!lmq_heard(c, 0, &rd))
		return;
	uint32_t lmqt = t_lmqc(c) * lmqi_ref(c, &rd);
	int64_t at = rd.q[0].at + (int64_t)(lmqt + lmqi_ref(c, &rd) / 2 + slack(c)) * 1000;
	if (idle(c, at) < 0)
		return;
	int h = held(c, g, 0, 3);
	if (h < 0)
		return;
	ipk_ck_measured(c, (double)(ipk_ck_now(c) - rd.q[0].at) / 1000.0);
	ipk_ck_verdict(c, h ? ipk_ck_broken(c) : PASS, "%.0f ms after the first query (LMQT %u ms) the group was %s",
		       (double)(ipk_ck_now(c) - rd.q[0].at) / 1000.0, lmqt, h ? "still held" : "gone");
}

/* ---- group-and-source-specific queries (v3) ---- */

/* Host 1 has INCLUDE({S1, S2}) in SSM group k, then BLOCKs block[0..n); with refresh, host 2
 * reports IS_IN({S2}) as soon as the first query is heard. */
static int gs_round(struct ipk_conform_ctx *c, const uint32_t *block, uint16_t n, int refresh, struct round *rd)
{
	uint32_t g = ipk_ck_ssm(c, 0), s[2] = {ipk_ck_src(c, 1), ipk_ck_src(c, 2)};
	struct ipk_igmp_rec_spec re = {.type = IPK_IGMP_IS_IN, .group = g, .srcs = &s[1], .nsrcs = 1};

	memset(rd, 0, sizeof(*rd));
	if (v3rec(c, 1, IPK_IGMP_ALLOW, g, s, 2) < 0 || idle(c, after(c, 100)) < 0 ||
	    v3rec(c, 1, IPK_IGMP_BLOCK, g, block, n) < 0)
		return -1;
	rd->t_leave = ipk_ck_now(c);
	if (collect(c, g, refresh ? &re : NULL, 0, rd) < 0)
		return -1;
	if (!rd->n) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "no query for %s after the BLOCK within %u ms",
			       ipk_ck_addr(g, (char[16]){0}), t_lmqi(c) + slack(c));
		return -1;
	}
	return 0;
}

/* Keep only the queries of rd that list source s. */
static void only_listing(struct round *rd, uint32_t s)
{
	unsigned k = 0;
	for (unsigned i = 0; i < rd->n; i++)
		if (qs_has(&rd->q[i], s))
			rd->q[k++] = rd->q[i];
	rd->n = k;
}

static void expect_gs(struct ipk_conform_ctx *c, const char *what)
{
	ipk_ck_expect(c, "INCLUDE({S1,S2}), then BLOCK({S1}): %s (LMQC %u, LMQI %u ms)", what, t_lmqc(c), t_lmqi(c));
}

/* R25 */
static void r_gsq_sources(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t s1 = ipk_ck_src(c, 1);
	expect_gs(c, "a group-and-source query listing exactly S1");
	if (gs_round(c, &s1, 1, 0, &rd) < 0)
		return;
	const struct qs *q = &rd.q[0];
	if (!q->nsrcs)
		ipk_ck_verdict(c, ipk_ck_broken(c), "a group-specific query where Q(G,{S1}) was due: %s", q->d);
	else
		ipk_ck_verdict(c, q->nsrcs == 1 && q->srcs[0] == s1 ? PASS : ipk_ck_broken(c), "%s", q->d);
}

/* R26 */
static void r_gsq_count(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t s1 = ipk_ck_src(c, 1);
	expect_gs(c, "exactly LMQC group-and-source queries listing S1");
	if (gs_round(c, &s1, 1, 0, &rd) < 0)
		return;
	only_listing(&rd, s1);
	ipk_ck_measured(c, rd.n);
	ipk_ck_verdict(c, rd.n == t_lmqc(c) ? PASS : ipk_ck_broken(c), "%u queries listing S1 (expected %u)", rd.n, t_lmqc(c));
}

/* R27 */
static void r_gsq_interval(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t s1 = ipk_ck_src(c, 1);
	expect_gs(c, "the queries listing S1 LMQI apart (window LMQI/2 .. 1.5 LMQI + slack)");
	if (gs_round(c, &s1, 1, 0, &rd) < 0)
		return;
	only_listing(&rd, s1);
	judge_spacing(c, &rd, "group-and-source queries");
}

/* R28 */
static void r_gsq_split(struct ipk_conform_ctx *c)
{
	struct round rd;
	uint32_t s[2] = {ipk_ck_src(c, 1), ipk_ck_src(c, 2)};
	unsigned later = 0;
	ipk_ck_expect(c, "INCLUDE({S1,S2}), BLOCK({S1,S2}), then IS_IN({S2}) after the first query: later "
			 "retransmissions list S2 (timer > LMQT) only with S=1 and S1 only with S=0");
	if (t_lmqc(c) < 2) {
		ipk_ck_verdict(c, SKIP, "LMQC is 1: no retransmission to split");
		return;
	}
	if (gs_round(c, s, 2, 1, &rd) < 0)
		return;
	for (unsigned i = 0; i < rd.n; i++) {
		const struct qs *q = &rd.q[i];
		if (!rd.n_report || i < rd.n_report || !q->nsrcs)
			continue;
		later++;
		if ((q->s && qs_has(q, s[0])) || (!q->s && qs_has(q, s[1]))) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "%s lists %s with S=%u after the refresh of S2: %s",
				       i ? "a retransmission" : "a query", qs_has(q, s[0]) && q->s ? "S1" : "S2", q->s, q->d);
			return;
		}
	}
	if (!later)
		ipk_ck_verdict(c, INCONCL, "no group-and-source query after the refresh of S2");
	else
		ipk_ck_verdict(c, PASS, "%u group-and-source queries after the refresh, split by timer as required", later);
}

/* ---- election ---- */

/* Listen until the target sends a general query again (it is querier again), bounded by OQPI +
 * its window. 1 and *q, 0 none, -1 aborting. */
static int until_querier(struct ipk_conform_ctx *c, int64_t from, struct qs *q)
{
	uint32_t w = late(c, t_oqpi(c)) + t_qi(c);
	return next_query(c, from + (int64_t)w * 1000, 0, q);
}

/* R29 */
static void r_election_yield(struct ipk_conform_ctx *c)
{
	struct qs q;
	uint32_t w = t_qi(c) + t_qi(c) / 2;
	if (w + slack(c) > t_oqpi(c))
		w = t_oqpi(c) > 2 * slack(c) ? t_oqpi(c) - 2 * slack(c) : t_oqpi(c) / 2;
	ipk_ck_expect(c, "no general query from the target for %u ms after a general query from the lower %s", w,
		      ipk_ck_addr(c->cfg->self, (char[16]){0}));
	if (our_gq(c, 0, NULL) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	int r = next_query(c, t0 + (int64_t)w * 1000, 0, &q);
	if (r < 0)
		return;
	if (r > 0 && q.at > t0 + (int64_t)slack(c) * 1000) {
		c->learn->yielded = 2;
		ipk_ck_measured(c, (double)(q.at - t0) / 1000.0);
		ipk_ck_verdict(c, ipk_ck_broken(c), "it kept querying: %s %.0f ms after ours", q.d, (double)(q.at - t0) / 1000.0);
		return;
	}
	c->learn->yielded = 1;
	ipk_ck_verdict(c, PASS, "no general query for %u ms", w);
	/* let it become querier again for the checks after this one */
	(void)until_querier(c, t0, &q);
}

/* R30 */
static void r_election_resume(struct ipk_conform_ctx *c)
{
	struct qs q;
	uint32_t oqpi = t_oqpi(c), lo = oqpi - oqpi / 10 > slack(c) ? oqpi - oqpi / 10 - slack(c) : 0,
		 hi = late(c, oqpi);
	ipk_ck_expect(c, "querying again Other Querier Present Interval %u ms (RV*QI + QRI/2) after our last query (window "
			 "%u..%u ms)", oqpi, lo, hi);
	if (our_gq(c, 0, NULL) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	int r;
	/* queries within the slack of ours were on their way already */
	while ((r = next_query(c, t0 + (int64_t)(hi + t_qi(c)) * 1000, 0, &q)) > 0 && q.at <= t0 + (int64_t)slack(c) * 1000)
		;
	if (r < 0)
		return;
	if (r == 0) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "no general query within %u ms of ours", hi + t_qi(c));
		return;
	}
	uint32_t d = (uint32_t)((q.at - t0) / 1000);
	ipk_ck_measured(c, d);
	if (d < lo && c->learn->yielded == 2)
		ipk_ck_verdict(c, INCONCL, "it did not yield (election-yield): nothing to resume from");
	else
		ipk_ck_verdict(c, d >= lo && d <= hi ? PASS : ipk_ck_broken(c), "first general query %u ms after ours: %s", d, q.d);
}

/* R31 */
static void r_nonquerier_leave(struct ipk_conform_ctx *c)
{
	struct qs q;
	uint32_t g = ipk_ck_group(c, 0), w = t_lmqc(c) * t_lmqi(c) + t_lmqi(c) + slack(c);
	ipk_ck_expect(c, "as non-querier (a lower address queried) no query for a group left by its last member, for %u ms", w);
	if (join(c, 1, g) < 0 || our_gq(c, 0, NULL) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	if (idle(c, after(c, slack(c))) < 0 || leave(c, 1, g, NULL, NULL) < 0)
		return;
	int r = next_query(c, after(c, w), g, &q);
	if (r < 0)
		return;
	if (r > 0 && c->learn->yielded == 2)
		ipk_ck_verdict(c, INCONCL, "it did not yield (election-yield), so it was never a non-querier: %s", q.d);
	else if (r > 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "a non-querier sent %s", q.d);
	else
		ipk_ck_verdict(c, PASS, "no query for the group in %u ms", w);
	(void)until_querier(c, t0, &q);
}

/* R32 */
static void r_lmq_keeps_querier(struct ipk_conform_ctx *c)
{
	struct round rd;
	struct qs q;
	uint32_t g = ipk_ck_group(c, 0);
	ipk_ck_expect(c, "all LMQC (%u) group-specific queries although a lower address queries after the first", t_lmqc(c));
	if (t_lmqc(c) < 2) {
		ipk_ck_verdict(c, SKIP, "LMQC is 1: nothing follows the first query");
		return;
	}
	memset(&rd, 0, sizeof(rd));
	if (join(c, 1, g) < 0 || idle(c, after(c, 100)) < 0 || leave(c, 1, g, NULL, NULL) < 0)
		return;
	int r = next_query(c, after(c, t_lmqi(c) + slack(c)), g, &rd.q[0]);
	if (r <= 0) {
		if (r == 0)
			ipk_ck_verdict(c, INCONCL, "no group-specific query after the leave");
		return;
	}
	rd.n = 1;
	if (our_gq(c, 0, NULL) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	if (collect(c, g, NULL, 0, &rd) < 0)
		return;
	ipk_ck_measured(c, rd.n);
	if (rd.n >= t_lmqc(c)) {
		ipk_ck_verdict(c, PASS, "%u group-specific queries in all (expected %u)", rd.n, t_lmqc(c));
		(void)until_querier(c, t0, &q);
		return;
	}
	/* fewer: did it give up because it yielded, or does it send fewer anyway (lmq-count)? */
	int r2 = next_query(c, after(c, late(c, t_qi(c))), 0, &q);
	if (r2 < 0)
		return;
	if (r2)
		ipk_ck_verdict(c, INCONCL, "%u group-specific queries (expected %u), but it stayed querier (%s): lmq-count judges the count",
			       rd.n, t_lmqc(c), q.d);
	else
		ipk_ck_verdict(c, ipk_ck_broken(c), "%u group-specific queries (expected %u), then silent: it yielded during them",
			       rd.n, t_lmqc(c));
	(void)until_querier(c, t0, &q);
}

/* R33, R34, R35: a malformed query from the lower address must not silence the target. */
static void keeps_querying(struct ipk_conform_ctx *c, int cut, const struct ipk_igmp_over *over, const char *what)
{
	struct qs q;
	uint32_t w = late(c, t_qi(c));
	ipk_ck_expect(c, "%s from the lower %s ignored: the target's next general query within %u ms", what,
		      ipk_ck_addr(c->cfg->self, (char[16]){0}), w);
	if (our_gq(c, cut, over) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	int r = next_query(c, t0 + (int64_t)w * 1000, 0, &q);
	if (r < 0)
		return;
	if (r > 0) {
		ipk_ck_measured(c, (double)(q.at - t0) / 1000.0);
		ipk_ck_verdict(c, PASS, "still querying: %s %.0f ms later", q.d, (double)(q.at - t0) / 1000.0);
		return;
	}
	ipk_ck_verdict(c, ipk_ck_broken(c), "silent for %u ms: the malformed query won the election", w);
	(void)until_querier(c, t0, &q);
}

static void r_short_query(struct ipk_conform_ctx *c)
{
	keeps_querying(c, 10, NULL, "a 10-byte query");
}

static void r_bad_csum_query(struct ipk_conform_ctx *c)
{
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_CSUM, .checksum = 0x1234};
	keeps_querying(c, 0, &o, "a general query with a bad checksum");
}

static void r_query_sources_overrun(struct ipk_conform_ctx *c)
{
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_COUNT, .count = 4};
	keeps_querying(c, 0, &o, "a v3 general query claiming 4 sources it does not carry");
}

/* ---- leaves that must be ignored ---- */

/* Host 1 joins group 0; a crafted leave must bring no query; then a valid leave must (control). */
static void leave_ignored(struct ipk_conform_ctx *c, const struct ipk_ck_ip *ip, const struct ipk_igmp_over *over,
			  int v2leave, const char *what)
{
	struct qs q;
	uint32_t g = ipk_ck_group(c, 0), w = t_lmqi(c) + slack(c);
	ipk_ck_expect(c, "no query for the group within %u ms of %s; then one after a valid leave", w, what);
	if (join(c, 1, g) < 0 || idle(c, after(c, 100)) < 0 ||
	    (v2leave ? ipk_ck_send_v12(c, 1, IPK_IGMP_V2_LEAVE, g, ip, over) : leave(c, 1, g, ip, over)) < 0)
		return;
	int r = next_query(c, after(c, w), g, &q);
	if (r < 0)
		return;
	if (r > 0) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "it acted on %s: %s", what, q.d);
		return;
	}
	int h = held(c, g, 0, 1);
	if (h < 0)
		return;
	if (h)
		ipk_ck_verdict(c, PASS, "no query after %s; the valid leave was queried", what);
	else
		ipk_ck_verdict(c, INCONCL, "no query after %s, but none after a valid leave either (cannot tell)", what);
}

/* R36 */
static void r_bad_csum_leave(struct ipk_conform_ctx *c)
{
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_CSUM, .checksum = 0x4321};
	leave_ignored(c, NULL, &o, 0, "a leave with a bad checksum");
}

/* R37 */
/* The checks that address the target itself need its address. */
static int need_target(struct ipk_conform_ctx *c)
{
	if (c->cfg->target)
		return 1;
	ipk_ck_sent(c, "nothing");
	ipk_ck_expect(c, "a message sent to the target's unicast address");
	ipk_ck_verdict(c, SKIP, "needs the target's address (--target)");
	return 0;
}

static void r_leave_unicast(struct ipk_conform_ctx *c)
{
	struct ipk_ck_ip ip = {.dst = c->cfg->target};
	if (!need_target(c))
		return;
	leave_ignored(c, &ip, NULL, 1, "a v2 Leave sent to the target's unicast address");
}

/* ---- reports: crafted ones against a valid control ---- */

/* What a crafted report does differently. */
struct craft {
	struct ipk_ck_ip ip;
	struct ipk_igmp_over over;
	int cut;          /* > 0: the IGMP message cut to this many bytes (checksum recomputed) */
	uint8_t type;     /* v1/v2 message type instead of the version's report */
	uint8_t rec_type; /* v3 record type instead of IS_EX */
	uint8_t v2;       /* a v2 report whatever the suite's version */
	uint32_t group;   /* instead of the check's group 1 */
	uint16_t nsrcs;   /* v3: sources in the record (S1, S2, ...) */
};

static int send_craft(struct ipk_conform_ctx *c, unsigned host, uint32_t g, const struct craft *k, const char *what)
{
	uint8_t m[256];
	struct ipk_wbuf w;
	unsigned v = k->v2 ? 2 : ipk_ck_version(c);
	uint32_t s[4] = {ipk_ck_src(c, 1), ipk_ck_src(c, 2), ipk_ck_src(c, 3), ipk_ck_src(c, 4)};
	int r;

	ipk_wbuf_init(&w, m, sizeof(m));
	if (v == 3) {
		struct ipk_igmp_rec_spec rec = {.type = k->rec_type ? k->rec_type : IPK_IGMP_IS_EX, .group = g,
						.srcs = s, .nsrcs = k->nsrcs};
		r = ipk_igmp_put_v3_report_over(&w, &rec, 1, &k->over);
	} else {
		uint8_t t = k->type ? k->type : v == 1 ? IPK_IGMP_V1_REPORT : IPK_IGMP_V2_REPORT;
		r = ipk_igmp_put8(&w, t, 0, g, &k->over);
	}
	if (r < 0) {
		ipk_ck_verdict(c, INCONCL, "could not build %s", what);
		return -1;
	}
	size_t len = w.len;
	if (k->cut > 0 && (size_t)k->cut < len) {
		len = (size_t)k->cut;
		ipk_igmp_set_checksum(m, len, -1);
	}
	struct ipk_ck_ip ip = k->ip;
	if (!ip.src && !ip.src0)
		ip.src = ipk_ck_host_addr(c, host);
	if (!ip.dst && v < 3 && !k->type)
		ip.dst = g; /* a report goes to its group, whatever it is */
	char d[160];
	snprintf(d, sizeof(d), "%s for %s from host %u", what, ipk_ck_addr(g, (char[16]){0}), host);
	return ipk_ck_send_igmp(c, m, len, &ip, d);
}

/*
 * Host 1 reports control group 0 validly, host 2 sends the crafted report for group 1 (or
 * k->group). accept: the RFC wants the crafted one applied (else ignored). Judged by held().
 */
static void crafted_report(struct ipk_conform_ctx *c, const struct craft *k, int accept, const char *what)
{
	uint32_t gc = ipk_ck_group(c, 0), gt = k->group ? k->group : ipk_ck_group(c, 1);
	char ga[16];

	ipk_ck_expect(c, "%s for %s %s (a valid report for %s is the control)", what, ipk_ck_addr(gt, ga),
		      accept ? "applied: the target holds the group" : "ignored: the target does not hold the group",
		      ipk_ck_addr(gc, (char[16]){0}));
	if (join(c, 1, gc) < 0 || send_craft(c, 2, gt, k, what) < 0 || idle(c, after(c, 100)) < 0)
		return;
	int ht = held(c, gt, 0, 2);
	if (ht < 0)
		return;
	int hc = held(c, gc, 0, 1);
	if (hc < 0)
		return;
	if (!hc && !ht) {
		ipk_ck_verdict(c, INCONCL, "neither the control group nor %s seen held: the target cannot be probed", ipk_ck_addr(gt, ga));
		return;
	}
	ipk_ck_verdict(c, ht == accept ? PASS : ipk_ck_broken(c), "%s %s after %s", ipk_ck_addr(gt, ga),
		       ht ? "held" : "not held", what);
}

/* R38 */
static void r_bad_csum_report(struct ipk_conform_ctx *c)
{
	struct craft k = {.over = {.keep = IPK_IGMP_KEEP_CSUM, .checksum = 0x5555}};
	crafted_report(c, &k, 0, "a report with a bad IGMP checksum");
}

/* R39 */
static void r_short_report(struct ipk_conform_ctx *c)
{
	struct craft k = {.cut = 6};
	crafted_report(c, &k, 0, "a report cut to 6 bytes");
}

/* R40 */
static void r_records_overrun(struct ipk_conform_ctx *c)
{
	struct craft k = {.nsrcs = 2, .cut = 16 + 4};
	crafted_report(c, &k, 0, "a v3 report whose IS_EX record claims 2 sources and carries 1");
}

/* R41 */
static void r_report_ttl(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.ttl = 64}};
	crafted_report(c, &k, 0, "a report with TTL 64");
}

/* R42 */
static void r_report_no_ra(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.no_ra = 1}};
	crafted_report(c, &k, 0, "a report without Router Alert");
}

/* R43 */
static void r_report_unicast(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.dst = c->cfg->target}, .v2 = ipk_ck_version(c) == 3};
	if (!need_target(c))
		return;
	crafted_report(c, &k, 1, ipk_ck_version(c) == 1 ? "a v1 report to the target's unicast address"
							: "a v2 report to the target's unicast address");
}

/* R44 */
static void r_report_group_unicast(struct ipk_conform_ctx *c)
{
	struct craft k = {.group = c->cfg->source_base + 16 * c->index + 100, .ip = {.dst = IPK_IGMP_V3_ROUTERS}};
	if (ipk_ck_version(c) < 3)
		k.ip.dst = IPK_IGMP_ALL_ROUTERS;
	crafted_report(c, &k, 0, "a report naming a unicast address as its group");
}

/* R45: an unknown record type is skipped, the record after it applied. */
static void r_unknown_record(struct ipk_conform_ctx *c)
{
	uint32_t gt = ipk_ck_group(c, 1), gc = ipk_ck_group(c, 0);
	char ga[16];
	struct ipk_igmp_rec_spec r[2] = {{.type = 9, .group = gt}, {.type = IPK_IGMP_IS_EX, .group = gc}};
	ipk_ck_expect(c, "a report [type 9 %s][IS_EX %s]: the first record ignored, the second applied", ipk_ck_addr(gt, ga),
		      ipk_ck_addr(gc, (char[16]){0}));
	if (ipk_ck_send_v3r(c, 2, r, 2, NULL, NULL) < 0 || idle(c, after(c, 100)) < 0)
		return;
	int ht = held(c, gt, 0, 2);
	if (ht < 0)
		return;
	int hc = held(c, gc, 0, 2);
	if (hc < 0)
		return;
	if (ht)
		ipk_ck_verdict(c, ipk_ck_broken(c), "%s held after a record of unknown type", ipk_ck_addr(gt, ga));
	else if (!hc)
		ipk_ck_verdict(c, INCONCL, "the valid record after the unknown one was not applied either (cannot tell)");
	else
		ipk_ck_verdict(c, PASS, "unknown record ignored, the next one applied");
}

/* R46 */
static void r_unknown_type(struct ipk_conform_ctx *c)
{
	struct craft k = {.type = 0x99, .ip = {.dst = IPK_IGMP_ALL_ROUTERS}};
	if (ipk_ck_version(c) == 3)
		k.v2 = 1;
	crafted_report(c, &k, 0, "an IGMP message of unknown type 0x99 naming the group");
}

/* R47 */
static void r_ip_csum(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.bad_ip_csum = 1}};
	crafted_report(c, &k, 0, "a report with a bad IPv4 header checksum");
}

/* R48 */
static void r_fragment(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.mf = 1}};
	crafted_report(c, &k, 0, "a report in a first fragment (More Fragments set, no rest)");
}

/* R49 */
static void r_trailing(struct ipk_conform_ctx *c)
{
	static const uint8_t tail[4] = {0xde, 0xad, 0xbe, 0xef};
	struct craft k = {.over = {.trail = tail, .trail_len = sizeof(tail)}, .v2 = 1};
	crafted_report(c, &k, 1, "a v2 report with 4 bytes after the message (checksum over all 12)");
}

/* R50 */
static void r_report_src0(struct ipk_conform_ctx *c)
{
	struct craft k = {.ip = {.src0 = 1}};
	crafted_report(c, &k, 1, "a v3 report from 0.0.0.0");
}

/* ---- compatibility with older hosts (RFC 3376 7.3.2) ---- */

/* Host 1 reports group 0 in v1 or v2; host 2 then sends rec (v3) or a v2 leave; no query naming
 * source `s` (0: none at all) must follow. The control is group 1: a v2 report and leave, which
 * must be queried. */
static void compat_ignores(struct ipk_conform_ctx *c, uint8_t report, const struct ipk_igmp_rec_spec *rec, uint32_t s,
			   const char *what)
{
	uint32_t g = ipk_ck_group(c, 0), gc = ipk_ck_group(c, 1), w = t_lmqi(c) + slack(c);
	struct qs q;
	int r;
	ipk_ck_expect(c, "after a %s report, %s: no query%s within %u ms (control: a v2 report and leave of another group are queried)",
		      report == IPK_IGMP_V1_REPORT ? "v1" : "v2", what, s ? " listing the source" : "", w);
	if (ipk_ck_send_v12(c, 1, report, g, NULL, NULL) < 0 || idle(c, after(c, 100)) < 0)
		return;
	if ((rec ? ipk_ck_send_v3r(c, 2, rec, 1, NULL, NULL) : ipk_ck_send_v12(c, 2, IPK_IGMP_V2_LEAVE, g, NULL, NULL)) < 0)
		return;
	int64_t until = after(c, w);
	while ((r = next_query(c, until, g, &q)) > 0)
		if (!s || qs_has(&q, s)) {
			ipk_ck_verdict(c, ipk_ck_broken(c), "it acted on it: %s", q.d);
			return;
		}
	if (r < 0 || ipk_ck_send_v12(c, 1, IPK_IGMP_V2_REPORT, gc, NULL, NULL) < 0 || idle(c, after(c, 100)) < 0 ||
	    ipk_ck_send_v12(c, 1, IPK_IGMP_V2_LEAVE, gc, NULL, NULL) < 0)
		return;
	r = next_query(c, after(c, w), gc, &q);
	if (r < 0)
		return;
	if (r)
		ipk_ck_verdict(c, PASS, "ignored; the control leave was queried: %s", q.d);
	else
		ipk_ck_verdict(c, INCONCL, "ignored, but the control leave was not queried either (cannot tell)");
}

/* R51 */
static void r_v2compat_block(struct ipk_conform_ctx *c)
{
	uint32_t s = ipk_ck_src(c, 1);
	struct ipk_igmp_rec_spec rec = {.type = IPK_IGMP_BLOCK, .group = ipk_ck_group(c, 0), .srcs = &s, .nsrcs = 1};
	compat_ignores(c, IPK_IGMP_V2_REPORT, &rec, 0, "a v3 BLOCK({S1}) from another host is ignored");
}

/* R52 */
static void r_v2compat_toex(struct ipk_conform_ctx *c)
{
	uint32_t s = ipk_ck_src(c, 1);
	struct ipk_igmp_rec_spec rec = {.type = IPK_IGMP_TO_EX, .group = ipk_ck_group(c, 0), .srcs = &s, .nsrcs = 1};
	compat_ignores(c, IPK_IGMP_V2_REPORT, &rec, s, "a v3 TO_EX({S1}) is taken as TO_EX({}) (S1 never queried)");
}

/* R53 */
static void r_v1compat_leave(struct ipk_conform_ctx *c)
{
	compat_ignores(c, IPK_IGMP_V1_REPORT, NULL, 0, "a v2 Leave is ignored");
}

/* R54 */
static void r_v2_leave_in_v3(struct ipk_conform_ctx *c)
{
	struct qs q;
	uint32_t g = ipk_ck_group(c, 0), w = t_lmqi(c) + slack(c);
	ipk_ck_expect(c, "a v2 report, then a v2 Leave: a group-specific query within %u ms (the leave is TO_IN({}))", w);
	if (ipk_ck_send_v12(c, 1, IPK_IGMP_V2_REPORT, g, NULL, NULL) < 0 || idle(c, after(c, 100)) < 0 ||
	    ipk_ck_send_v12(c, 1, IPK_IGMP_V2_LEAVE, g, NULL, NULL) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	int r = next_query(c, after(c, w), g, &q);
	if (r < 0)
		return;
	if (!r) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "no query within %u ms", w);
		return;
	}
	ipk_ck_measured(c, (double)(q.at - t0) / 1000.0);
	ipk_ck_verdict(c, PASS, "%s", q.d);
}

/* ---- timers ---- */

/* Reports group/source 0 and 1 at once; group 0 (source S1) must still be held GMI - margin
 * later, group 1 gone GMI + margin later (two groups: the probe of one disturbs it). */
static void expires(struct ipk_conform_ctx *c, int source)
{
	uint32_t gmi = t_gmi(c), margin = gmi / 10 + slack(c), s = source ? ipk_ck_src(c, 1) : 0;
	uint32_t g0 = source ? ipk_ck_ssm(c, 0) : ipk_ck_group(c, 0), g1 = source ? ipk_ck_ssm(c, 1) : ipk_ck_group(c, 1);
	char ga[16];
	int r;

	ipk_ck_expect(c, "%s held %u ms after the report and gone %u ms after it (GMI %u ms = RV*QI + QRI; no report in between)",
		      source ? "the source" : "the group", gmi - margin, gmi + margin, gmi);
	if (source) {
		struct ipk_igmp_rec_spec rs[2] = {{.type = IPK_IGMP_ALLOW, .group = g0, .srcs = &s, .nsrcs = 1},
						  {.type = IPK_IGMP_ALLOW, .group = g1, .srcs = &s, .nsrcs = 1}};
		r = ipk_ck_send_v3r(c, 1, rs, 2, NULL, NULL);
	} else {
		r = join(c, 1, g0);
		if (r == 0)
			r = join(c, 1, g1);
	}
	if (r < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	if (idle(c, t0 + (int64_t)(gmi - margin) * 1000) < 0)
		return;
	int h0 = held(c, g0, s, 2);
	if (h0 < 0)
		return;
	if (!h0) {
		ipk_ck_measured(c, gmi - margin);
		ipk_ck_verdict(c, ipk_ck_broken(c), "%s already gone %u ms after the report (GMI %u ms)", ipk_ck_addr(g0, ga),
			       gmi - margin, gmi);
		return;
	}
	if (idle(c, t0 + (int64_t)(gmi + margin) * 1000) < 0)
		return;
	int h1 = held(c, g1, s, 2);
	if (h1 < 0)
		return;
	ipk_ck_measured(c, (double)(ipk_ck_now(c) - t0) / 1000.0);
	ipk_ck_verdict(c, h1 ? ipk_ck_broken(c) : PASS, "held at %u ms; %s %s at %.0f ms", gmi - margin, ipk_ck_addr(g1, ga),
		       h1 ? "STILL held" : "gone", (double)(ipk_ck_now(c) - t0) / 1000.0);
}

static void r_group_expiry(struct ipk_conform_ctx *c)
{
	expires(c, 0);
}

static void r_source_expiry(struct ipk_conform_ctx *c)
{
	expires(c, 1);
}

#define R IPK_CONFORM_ROUTER
#define RFC_GQ "RFC 3376 4.1.12; RFC 9776 4.1.12; RFC 2236 2"
#define RFC_LMQ "RFC 3376 6.6.3.1; RFC 9776 6.6.3.1; RFC 2236 3"
#define RFC_GSQ "RFC 3376 6.6.3.2; RFC 9776 6.6.3.2"
#define RFC_EL "RFC 3376 6.6.2; RFC 9776 6.6.2; RFC 2236 3"

const struct ipk_conform_check ipk_conform_router_checks[] = {
	{"R01", "gq-to-all-systems", R, MUST, 0, VALL, RFC_GQ "; RFC 1112 app. I",
	 "general queries are sent to the all-systems group 224.0.0.1", r_gq_dst},
	{"R02", "gq-ttl-ra", R, MUST, 0, VALL, "RFC 3376 4; RFC 9776 4; RFC 2236 2; RFC 1112 app. I",
	 "IGMP messages go out with IP TTL 1, and (v2, v3) with the Router Alert option", r_gq_ttl_ra},
	{"R03", "gq-tos", R, SHOULD, 0, V3, "RFC 3376 4; RFC 9776 4",
	 "v3 messages carry IP precedence Internetwork Control (TOS 0xc0)", r_gq_tos},
	{"R04", "query-version", R, MUST, 0, VALL, "RFC 3376 7.1, 7.3.1; RFC 9776 7.1, 7.3.1; RFC 2236 4",
	 "the querier sends queries of the version it runs (v3: 12 bytes or more; v2: 8 bytes, MRC not 0; v1: code 0)",
	 r_query_version},
	{"R05", "gq-no-sources", R, MUST, 0, V3, "RFC 3376 4.1.8, 4.1.9; RFC 9776 4.1.8, 4.1.9",
	 "a general query lists no sources (Number of Sources 0)", r_gq_no_sources},
	{"R06", "gq-s-clear", R, SHOULD, 0, V3, "RFC 3376 4.1.5, 6.6.1; RFC 9776 4.1.5, 6.6.1",
	 "the S flag is for specific queries whose timers must not be lowered; a general query leaves it clear",
	 r_gq_s_clear},
	{"R07", "qrv-range", R, MUST, 0, V3, "RFC 3376 4.1.6, 8.1; RFC 9776 4.1.6, 8.1",
	 "QRV carries the querier's robustness, which must not be 0; 0 on the wire only when it exceeds 7", r_qrv_range},
	{"R08", "qrv-as-configured", R, MUST, 0, V3, "RFC 3376 4.1.6; RFC 9776 4.1.6",
	 "QRV is the robustness the querier was configured with", r_qrv_config},
	{"R09", "mrc-below-qi", R, MUST, 0, VALL, "RFC 3376 4.1.1, 8.3; RFC 9776 4.1.1, 8.3; RFC 2236 2.2, 8.3; RFC 1112 app. I",
	 "the Max Resp Code of general queries encodes the Query Response Interval, which is shorter than the Query "
	 "Interval (v1: the field is 0)",
	 r_mrc},
	{"R10", "qqic-matches-interval", R, MUST, 0, V3, "RFC 3376 4.1.7, 8.2; RFC 9776 4.1.7, 8.2",
	 "QQIC holds the query interval the querier really keeps between its general queries", r_qqic},
	{"R11", "gq-interval", R, MUST, 0, VALL, "RFC 3376 6.6.2, 8.2; RFC 9776 6.6.2, 8.2; RFC 2236 3, 8.2",
	 "the querier sends a general query every Query Interval", r_gq_interval},
	{"R12", "startup-query-count", R, SHOULD, 0, VALL, "RFC 3376 6.6.2, 8.7; RFC 9776 6.6.2, 8.7; RFC 2236 3, 8.7",
	 "on startup a querier sends Startup Query Count (default: robustness) general queries", r_startup_count},
	{"R13", "startup-query-interval", R, SHOULD, 0, VALL, "RFC 3376 8.6; RFC 9776 8.6; RFC 2236 8.6",
	 "startup general queries are Startup Query Interval (default QI/4) apart", r_startup_interval},
	{"R14", "query-checksum", R, MUST, 0, VALL, "RFC 3376 4.1.2; RFC 9776 4.1.2; RFC 2236 2.3; RFC 1112 app. I",
	 "every query carries a correct checksum, the first one after a start included (receivers drop bad ones)",
	 r_query_checksum},
	{"R15", "v2-leave-queries-group", R, MUST, 0, V2, "RFC 2236 3",
	 "a querier hearing a Leave for a group with members sends group-specific queries for it", r_leave_queries},
	{"R16", "toin-empty-queries-group", R, MUST, 0, V3, "RFC 3376 6.4.2, 6.6.3.1; RFC 9776 6.4.2, 6.6.3.1",
	 "TO_IN({}) for a group in EXCLUDE mode triggers Send Q(G)", r_leave_queries},
	{"R17", "lmq-count", R, MUST, 0, V23, RFC_LMQ "; RFC 3376 8.9",
	 "after a leave the querier sends Last Member Query Count group-specific queries", r_lmq_count},
	{"R18", "lmq-interval", R, MUST, 0, V23, RFC_LMQ "; RFC 3376 8.8",
	 "the group-specific queries of a leave are Last Member Query Interval apart", r_lmq_interval},
	{"R19", "lmq-mrc", R, MUST, 0, V23, RFC_LMQ "; RFC 3376 8.8; RFC 2236 8.8",
	 "group-specific queries carry Max Resp Code = Last Member Query Interval", r_lmq_mrc},
	{"R20", "lmq-to-group", R, MUST, 0, V23, "RFC 3376 4.1.12; RFC 9776 4.1.12; RFC 2236 2, 3",
	 "group-specific queries are sent to the group being queried", r_lmq_dst},
	{"R21", "lmq-s-first", R, MUST, 0, V3, RFC_LMQ,
	 "the first group-specific query of a leave has S clear: the group timer was just lowered to LMQT", r_lmq_s_first},
	{"R22", "lmq-s-rexmit", R, MUST, 0, V3, RFC_LMQ,
	 "a retransmitted group-specific query sets S only while the group timer is above LMQT", r_lmq_s_rexmit},
	{"R23", "lmq-s-after-report", R, MUST, 0, V3, RFC_LMQ,
	 "once a report lifts the group timer above LMQT, the remaining retransmissions set S", r_lmq_s_report},
	{"R24", "lmq-group-expiry", R, MUST, 0, V23, RFC_LMQ "; RFC 3376 6.5",
	 "a group whose last-member queries went unanswered is gone after LMQT", r_lmq_expiry},
	{"R25", "gsq-sources", R, MUST, 0, V3, RFC_GSQ "; RFC 3376 6.4.2",
	 "BLOCK(B) on INCLUDE(A) sends Q(G, A*B): a group-and-source query listing exactly the blocked sources",
	 r_gsq_sources},
	{"R26", "gsq-count", R, MUST, 0, V3, RFC_GSQ,
	 "each source of Q(G,A) is queried Last Member Query Count times", r_gsq_count},
	{"R27", "gsq-interval", R, MUST, 0, V3, RFC_GSQ,
	 "the retransmissions of a group-and-source query are Last Member Query Interval apart", r_gsq_interval},
	{"R28", "gsq-s-split", R, MUST, 0, V3, RFC_GSQ,
	 "each transmission splits its sources: timer above LMQT in a query with S set, the others in one with S clear",
	 r_gsq_split},
	{"R29", "election-yield", R, MUST, 0, V23, RFC_EL,
	 "a querier hearing a query from a lower address becomes non-querier and stops sending general queries",
	 r_election_yield},
	{"R30", "election-resume", R, MUST, 0, V23, RFC_EL "; RFC 3376 8.5",
	 "a non-querier becomes querier again when no query came for Other Querier Present Interval (RV*QI + QRI/2)",
	 r_election_resume},
	{"R31", "nonquerier-ignores-leave", R, MUST, 1, V23, RFC_EL "; RFC 3376 6.6.3",
	 "only the querier sends group-specific queries: a non-querier ignores leaves", r_nonquerier_leave},
	{"R32", "lmq-keeps-querier", R, MUST, 0, V2, "RFC 2236 3",
	 "while sending last-member queries a querier ignores a transition to non-querier and sends them all",
	 r_lmq_keeps_querier},
	{"R33", "short-query-ignored", R, MUST, 1, V23, "RFC 3376 7.1; RFC 9776 7.1",
	 "a query of 9 to 11 bytes is silently ignored: it cannot win the election", r_short_query},
	{"R34", "bad-checksum-query-ignored", R, MUST, 1, V23, "RFC 3376 4.1.2; RFC 9776 4.1.2; RFC 2236 2.3",
	 "a query with a wrong checksum is dropped before processing: it cannot win the election", r_bad_csum_query},
	{"R35", "query-sources-overrun-ignored", R, SHOULD, 1, V3, "RFC 3376 4.1.8; RFC 9776 4.1.8",
	 "a v3 query whose Number of Sources runs past the message is malformed and not acted on",
	 r_query_sources_overrun},
	{"R36", "bad-checksum-leave-ignored", R, MUST, 1, V23, "RFC 3376 4.2.2; RFC 9776 4.2.2; RFC 2236 2.3",
	 "a leave with a wrong checksum is dropped: no group-specific query follows it", r_bad_csum_leave},
	{"R37", "leave-unicast-ignored", R, MAY, 1, V23, "RFC 2236 3, 9",
	 "leaves go to all-routers 224.0.0.2; a router may drop one sent to a unicast address (as ANVL IGMP 5.10 expects)",
	 r_leave_unicast},
	{"R38", "bad-checksum-report-ignored", R, MUST, 1, VALL, "RFC 3376 4.2.2; RFC 9776 4.2.2; RFC 2236 2.3; RFC 1112 app. I",
	 "a report with a wrong checksum is dropped: it creates no membership", r_bad_csum_report},
	{"R39", "short-report-ignored", R, SHOULD, 1, VALL, "RFC 2236 2; RFC 3376 4.2; RFC 1112 app. I",
	 "a message shorter than the 8-byte IGMP header is not a report", r_short_report},
	{"R40", "report-records-overrun-ignored", R, SHOULD, 1, V3, "RFC 3376 4.2.4, 4.2.6; RFC 9776 4.2.4, 4.2.6",
	 "a group record whose Number of Sources runs past the message is malformed and not applied",
	 r_records_overrun},
	{"R41", "report-ttl-ignored", R, MAY, 1, VALL, "RFC 3376 4, 9.2; RFC 2236 2",
	 "reports are sent with TTL 1; a router may drop one with a larger TTL, which cannot come from the link",
	 r_report_ttl},
	{"R42", "report-no-ra-ignored", R, MAY, 1, V23, "RFC 3376 4, 9.2; RFC 2236 2",
	 "reports carry Router Alert; a router may drop one without it (at the cost of old senders)", r_report_no_ra},
	{"R43", "report-to-unicast-accepted", R, MUST, 0, VALL, "RFC 3376 4.2.14; RFC 9776 4.2.14",
	 "a v1/v2 report sent to any address of the receiving interface, unicast included, is accepted and processed",
	 r_report_unicast},
	{"R44", "report-group-not-multicast-ignored", R, SHOULD, 1, VALL, "RFC 2236 2.4; RFC 3376 4.2.8; RFC 1112 app. I",
	 "a report whose group field is not a multicast address creates no membership", r_report_group_unicast},
	{"R45", "unknown-record-type-ignored", R, MUST, 1, V3, "RFC 3376 4.2.12; RFC 9776 4.2.12",
	 "a group record of an unknown type is silently ignored; the other records of the report still count",
	 r_unknown_record},
	{"R46", "unknown-type-ignored", R, MUST, 1, VALL, "RFC 3376 4; RFC 9776 4; RFC 2236 2.1",
	 "an IGMP message of an unknown type is silently ignored", r_unknown_type},
	{"R47", "ip-checksum-ignored", R, MUST, 1, VALL, "RFC 1122 3.2.1.2; RFC 791",
	 "a datagram with a wrong IPv4 header checksum is discarded before IGMP sees it", r_ip_csum},
	{"R48", "report-fragment-ignored", R, SHOULD, 1, VALL, "RFC 791 3.2; RFC 3376 4",
	 "a lone first fragment is not a datagram: the report in it is not applied until reassembled", r_fragment},
	{"R49", "report-trailing-accepted", R, MUST, 0, V23, "RFC 2236 2.5",
	 "bytes after the 8-byte message are ignored (the checksum covers them) and the report is processed",
	 r_trailing},
	{"R50", "report-from-zero-accepted", R, MUST, 0, V3, "RFC 3376 4.2.13; RFC 9776 4.2.13",
	 "routers accept a report whose source address is 0.0.0.0", r_report_src0},
	{"R51", "v2-compat-block-ignored", R, MUST, 1, V3, "RFC 3376 7.3.2; RFC 9776 7.3.2",
	 "in IGMPv2 compatibility mode BLOCK records are ignored", r_v2compat_block},
	{"R52", "v2-compat-toex-no-sources", R, MUST, 1, V3, "RFC 3376 7.3.2; RFC 9776 7.3.2",
	 "in IGMPv2 compatibility mode the source list of TO_EX is ignored (TO_EX({}))", r_v2compat_toex},
	{"R53", "v1-compat-leave-ignored", R, MUST, 1, V23, "RFC 3376 7.3.2; RFC 9776 7.3.2; RFC 2236 4",
	 "while a v1 host is present for a group, leaves for it are ignored", r_v1compat_leave},
	{"R54", "v2-leave-in-v3", R, MUST, 0, V3, "RFC 3376 7.3.2; RFC 9776 7.3.2",
	 "a v3 router takes a v2 Leave as TO_IN({}) and queries the group", r_v2_leave_in_v3},
	{"R55", "group-expiry-gmi", R, MUST, 0, VALL, "RFC 3376 6.5, 8.4; RFC 9776 6.5, 8.4; RFC 2236 3, 8.4",
	 "a group no host reports again is removed after Group Membership Interval (RV*QI + QRI), not before",
	 r_group_expiry},
	{"R56", "source-expiry-gmi", R, MUST, 0, V3, "RFC 3376 6.3, 6.5, 8.4; RFC 9776 6.3, 6.5, 8.4",
	 "an INCLUDE source no host reports again expires after Group Membership Interval, and the group with it",
	 r_source_expiry},
};
const size_t ipk_conform_router_nchecks = sizeof(ipk_conform_router_checks) / sizeof(ipk_conform_router_checks[0]);
