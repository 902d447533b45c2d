/* conform_host.c - the host checks of the conformance suite (the suite plays the router; RFC 3376/9776 sections 4, 5, 7 and 9, RFC 2236 sections 2-4 and 6, RFC 1112 appendix I). */
#include <stdio.h>
#include <string.h>

#include "conform_int.h"
#include "ipv4kit/error.h"

#define V1 (1u << 1)
#define V2 (1u << 2)
#define V3 (1u << 3)
#define V23 (V2 | V3)
#define VALL (V1 | V2 | V3)

#define MS(x) ((int64_t)(x) * 1000)

/* ---- what the checks know of the target's timers ---- */

static unsigned rv(const struct ipk_conform_ctx *c)
{
	return c->cfg->robustness ? c->cfg->robustness : 2;
}

/* Unsolicited Report Interval: cfg->uri_ms, else RFC 3376 8.11 (1 s) / RFC 2236 8.10 (10 s). */
static unsigned uri(const struct ipk_conform_ctx *c)
{
	return c->cfg->uri_ms ? c->cfg->uri_ms : ipk_ck_version(c) == 3 ? 1000 : 10000;
}

/* The answer window of the suite's ordinary queries: v1 queries carry no time, hosts answer
 * within 10 s (RFC 1112 appendix I, RFC 2236 4). */
static unsigned mrt(const struct ipk_conform_ctx *c)
{
	return ipk_ck_version(c) == 1 ? 10000 : c->cfg->mrt_ms;
}

/* The emulated host whose reports the checks send as another member (ipk_ck_host_addr keeps it
 * off the target's address). */
#define OTHER_HOST 1

static int64_t slack(const struct ipk_conform_ctx *c)
{
	return MS(c->cfg->slack_ms);
}

/* Whether m names one of this check's own groups (ipk_ck_group/ipk_ck_ssm k < 4). */
static int names_mine(const struct ipk_conform_ctx *c, const struct ipk_ck_msg *m, uint32_t *which)
{
	for (unsigned k = 0; k < 4; k++)
		for (unsigned s = 0; s < 2; s++) {
			uint32_t g = s ? ipk_ck_ssm(c, k) : ipk_ck_group(c, k);
			if (ipk_ck_names(m, g, NULL)) {
				if (which)
					*which = g;
				return 1;
			}
		}
	return 0;
}

/* A report (not a v2 Leave) naming g. */
static int reports(const struct ipk_ck_msg *m, uint32_t g, struct ipk_igmp_rec *rec)
{
	return m->igmp.type != IPK_IGMP_V2_LEAVE && ipk_ck_names(m, g, rec);
}

/*
 * Collect the target's messages naming g until deadline or until `stop` of them came (0: no
 * limit); the first max of them go to out (may be NULL). Leaves count only when leaves is set.
 * Returns how many came, or -1 when the run is aborting.
 */
static int collect(struct ipk_conform_ctx *c, uint32_t g, int64_t deadline, unsigned stop, int leaves,
		   struct ipk_ck_msg *out, unsigned max)
{
	struct ipk_ck_msg m;
	unsigned n = 0;
	int r;

	while ((!stop || n < stop) && (r = ipk_ck_recv_target(c, deadline, &m)) > 0) {
		if (!(leaves ? ipk_ck_names(&m, g, NULL) : reports(&m, g, NULL)))
			continue;
		if (out && n < max)
			out[n] = m;
		n++;
	}
	return c->abort ? -1 : (int)n;
}

/*
 * Make the target's state for g (mode, srcs[0..n)) and let its unsolicited reports go by: they
 * are not answers. A state change is sent Robustness Variable times in total (RFC 3376 5.1,
 * RFC 2236 3), the last at most (RV - 1) URI after the first; waiting stops as soon as RV
 * messages naming g came. Returns the number heard, or < 0 with the verdict set.
 */
static int set_settle(struct ipk_conform_ctx *c, uint32_t g, unsigned mode, const uint32_t *srcs, size_t n)
{
	int r = ipk_ck_target(c, g, mode, srcs, n);
	if (r < 0)
		return r;
	if (mode == IPK_CONFORM_LEAVE && ipk_ck_version(c) < 3) /* one v2 Leave at most, not repeated */
		return collect(c, g, ipk_ck_now(c) + slack(c), 1, 1, NULL, 0);
	return collect(c, g, ipk_ck_now(c) + MS((rv(c) - 1) * uri(c)) + slack(c), rv(c), 1, NULL, 0);
}

static int join_asm(struct ipk_conform_ctx *c, uint32_t g)
{
	return set_settle(c, g, IPK_CONFORM_EXCLUDE, NULL, 0);
}

/*
 * The any-source group a check uses: its own group 0, joined now through the hook; without a
 * hook the first any-source group of cfg->expect (joined beforehand). 0 when there is none (the
 * verdict is then set: skipped).
 */
static uint32_t asm_group(struct ipk_conform_ctx *c)
{
	char ga[16];

	for (unsigned i = 0; !c->io->target_set && i < c->cfg->nexpect && i < 16; i++)
		if (c->cfg->expect[i].mode == IPK_CONFORM_EXCLUDE && !c->cfg->expect[i].nsrcs) {
			ipk_ck_sent(c, "target joined %s beforehand", ipk_ck_addr(c->cfg->expect[i].group, ga));
			return c->cfg->expect[i].group;
		}
	uint32_t g = ipk_ck_group(c, 0);
	return join_asm(c, g) < 0 ? 0 : g;
}

/* The suite's ordinary query for g (v1: general, it has no other). */
static struct ipk_ck_query query_for(const struct ipk_conform_ctx *c, uint32_t g)
{
	struct ipk_ck_query q = {.group = ipk_ck_version(c) == 1 ? 0 : g};
	return q;
}

/*
 * Send q and wait for the first report naming g, at most window_us after the query. 1: *m holds
 * it and the delay is measured; 0: none came; -1: the send failed or the run is aborting
 * (verdict set). *t0 gets the time of the query.
 */
static int ask(struct ipk_conform_ctx *c, const struct ipk_ck_query *q, uint32_t g, int64_t window_us,
	       struct ipk_ck_msg *m, int64_t *t0)
{
	*t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, q) < 0)
		return -1;
	int n = collect(c, g, *t0 + window_us, 1, 0, m, 1);
	if (n == 1)
		ipk_ck_measured(c, (double)(m->at_us - *t0) / 1000.0);
	return n;
}

/* "seen" text for a heard message with its delay after t0. */
static void seen_msg(struct ipk_conform_ctx *c, unsigned verdict, const char *pre, const struct ipk_ck_msg *m,
		     int64_t t0)
{
	char d[300];
	ipk_ck_describe(m, d, sizeof(d));
	ipk_ck_verdict(c, verdict, "%s%s after %.0f ms", pre, d, (double)(m->at_us - t0) / 1000.0);
}

/* ---- answers to queries ---- */

/*
 * A positive query check: the target is in an any-source group g (asm_group), hears what pre
 * sends (may be NULL), then query q (for g when q_for_g); it must answer with a report naming g
 * within window_ms + slack.
 */
typedef int (*send_fn)(struct ipk_conform_ctx *c, uint32_t g);

static void answered(struct ipk_conform_ctx *c, struct ipk_ck_query q, int q_for_g, unsigned window_ms, send_fn pre)
{
	char ga[16];
	struct ipk_ck_msg m;
	int64_t t0;
	uint32_t g = asm_group(c);

	if (!g || (pre && pre(c, g) < 0))
		return;
	if (q_for_g)
		q.group = g;
	ipk_ck_expect(c, "a report naming %s within %u ms (+%u ms slack)", ipk_ck_addr(g, ga), window_ms,
		      c->cfg->slack_ms);
	int r = ask(c, &q, g, MS(window_ms) + slack(c), &m, &t0);
	if (r == 1)
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else if (r == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report for %s within %u ms", ipk_ck_addr(g, ga),
			       window_ms + c->cfg->slack_ms);
}

/* H01: the target answers a general query for a group it has joined, within Max Resp Time. */
static void h_gq_answer(struct ipk_conform_ctx *c)
{
	struct ipk_ck_query q = {.mrt_ms = mrt(c)};
	answered(c, q, 0, mrt(c), NULL);
}

/* H02: a group-specific query is answered within Max Resp Time, for that group only. */
static void h_gsq_answer(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_group(c, 0), other = ipk_ck_group(c, 1);
	char ga[16], oa[16];
	struct ipk_ck_msg m;
	int64_t t0;

	if (join_asm(c, other) < 0 || join_asm(c, g) < 0)
		return;
	struct ipk_ck_query q = {.group = g};
	ipk_ck_expect(c, "a report naming %s within %u ms (+%u ms slack), none naming %s", ipk_ck_addr(g, ga),
		      mrt(c), c->cfg->slack_ms, ipk_ck_addr(other, oa));
	t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, &q) < 0)
		return;
	int64_t until = t0 + MS(mrt(c)) + slack(c);
	int got = 0, r;
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		if (reports(&m, other, NULL)) {
			seen_msg(c, ipk_ck_broken(c), "answered for a group not queried: ", &m, t0);
			return;
		}
		if (!got && reports(&m, g, NULL)) {
			got = 1;
			ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
			seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
		}
	}
	if (r == 0 && !got)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report for %s within %u ms", ipk_ck_addr(g, ga),
			       mrt(c) + c->cfg->slack_ms);
}

/* The first record of type t for g in v3 report m (*rec filled): 1, or 0 when there is none. */
static int find_rec(const struct ipk_ck_msg *m, uint32_t g, uint8_t t, struct ipk_igmp_rec *rec)
{
	struct ipk_igmp_rec_iter it;

	if (!m->ok || m->igmp.type != IPK_IGMP_V3_REPORT)
		return 0;
	ipk_igmp_rec_iter_init(&it, &m->igmp, m->msg);
	while (ipk_igmp_rec_next(&it, rec) > 0)
		if (rec->group == g && rec->type == t)
			return 1;
	return 0;
}

/* Whether rec is of type t with exactly the sources want[0..n). */
static int rec_is(const struct ipk_igmp_rec *rec, uint8_t t, const uint32_t *want, unsigned n)
{
	if (rec->type != t || rec->nsrcs != n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (!ipk_ck_rec_has(rec, want[i]))
			return 0;
	return 1;
}

/*
 * A group-and-source-specific query for g whose state is (mode, have[0..nhave)), asking for
 * ask_srcs[0..nask): the answer must be one record of type want_type with want[0..nwant).
 * dev_type/dev (ndev): an answer that is the Linux kernel's measured departure (a deviation).
 */
static void gss_answer(struct ipk_conform_ctx *c, unsigned mode, const uint32_t *have, unsigned nhave,
		       const uint32_t *ask_srcs, unsigned nask, uint8_t want_type, const uint32_t *want,
		       unsigned nwant, uint8_t dev_type, const uint32_t *dev, unsigned ndev)
{
	uint32_t g = mode == IPK_CONFORM_INCLUDE ? ipk_ck_ssm(c, 0) : ipk_ck_group(c, 0);
	char ga[16];
	struct ipk_ck_msg m;
	struct ipk_igmp_rec rec;
	int64_t t0;

	if (set_settle(c, g, mode, have, nhave) < 0)
		return;
	struct ipk_ck_query q = {.group = g, .srcs = ask_srcs, .nsrcs = (uint16_t)nask};
	ipk_ck_expect(c, "one %s record for %s with the %u source(s) RFC 3376 5.2 gives, within %u ms (+%u ms)",
		      ipk_igmp_rec_name(want_type), ipk_ck_addr(g, ga), nwant, mrt(c), c->cfg->slack_ms);
	int r = ask(c, &q, g, MS(mrt(c)) + slack(c), &m, &t0);
	if (r == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no answer for %s within %u ms", ipk_ck_addr(g, ga),
			       mrt(c) + c->cfg->slack_ms);
	if (r != 1)
		return;
	if (m.igmp.type != IPK_IGMP_V3_REPORT || !ipk_ck_names(&m, g, &rec)) {
		seen_msg(c, ipk_ck_broken(c), "not a v3 answer: ", &m, t0);
		return;
	}
	if (rec_is(&rec, want_type, want, nwant))
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else if (dev && rec_is(&rec, dev_type, dev, ndev))
		seen_msg(c, IPK_CONFORM_DEVIATION,
			 "the Linux kernel's measured behaviour (the whole state instead of the queried part): ", &m,
			 t0);
	else
		seen_msg(c, ipk_ck_broken(c), "wrong records: ", &m, t0);
}

/* H03: G&S query on INCLUDE{S0,S1} for {S0,S2}: IS_IN{S0}, the intersection. */
static void h_gss_include(struct ipk_conform_ctx *c)
{
	uint32_t have[2] = {ipk_ck_src(c, 0), ipk_ck_src(c, 1)};
	uint32_t q[2] = {ipk_ck_src(c, 0), ipk_ck_src(c, 2)};
	gss_answer(c, IPK_CONFORM_INCLUDE, have, 2, q, 2, IPK_IGMP_IS_IN, have, 1, 0, NULL, 0);
}

/* H06: G&S query on EXCLUDE{S0} for {S0,S1}: IS_IN{S1} (queried sources not excluded). */
static void h_gss_exclude(struct ipk_conform_ctx *c)
{
	uint32_t have[1] = {ipk_ck_src(c, 0)};
	uint32_t q[2] = {ipk_ck_src(c, 0), ipk_ck_src(c, 1)};
	gss_answer(c, IPK_CONFORM_EXCLUDE, have, 1, q, 2, IPK_IGMP_IS_IN, q + 1, 1, IPK_IGMP_IS_EX, have, 1);
}

/*
 * A negative query check: the target's state is (mode, S0..S[nsrcs-1]) for the check's group 0
 * (ipk_ck_ssm when ssm), it hears what send_bad sends, and must then stay silent about every
 * group of the check for the answer window; a valid query for the group follows, which it must
 * answer (else the silence proves nothing: inconclusive).
 */
static void negative(struct ipk_conform_ctx *c, int ssm, unsigned mode, unsigned nsrcs, send_fn send_bad,
		     const char *what)
{
	uint32_t g = ssm ? ipk_ck_ssm(c, 0) : ipk_ck_group(c, 0), srcs[4], which = 0;
	char ga[16];
	struct ipk_ck_msg m;
	int64_t t0;
	int r;

	for (unsigned i = 0; i < nsrcs && i < 4; i++)
		srcs[i] = ipk_ck_src(c, i);
	if (mode == IPK_CONFORM_EXCLUDE && !nsrcs)
		g = asm_group(c);
	else if (set_settle(c, g, mode, srcs, nsrcs) < 0)
		g = 0;
	if (!g)
		return;
	ipk_ck_expect(c, "no report for %s's groups within %u ms (+%u ms) of %s; then an answer to a valid query",
		      c->check->id, mrt(c), c->cfg->slack_ms, what);
	t0 = ipk_ck_now(c);
	if (send_bad(c, g) < 0)
		return;
	int64_t until = t0 + MS(mrt(c)) + slack(c);
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0)
		if (m.igmp.type != IPK_IGMP_V2_LEAVE && (reports(&m, g, NULL) || names_mine(c, &m, &which))) {
			ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
			seen_msg(c, ipk_ck_broken(c), "answered: ", &m, t0);
			return;
		}
	if (r < 0)
		return;
	/* the valid query: a G&S query on INCLUDE asks for a source the target has */
	struct ipk_ck_query q = query_for(c, g);
	if (mode == IPK_CONFORM_INCLUDE && ipk_ck_version(c) == 3) {
		q.srcs = srcs;
		q.nsrcs = 1;
	}
	r = ask(c, &q, g, MS(mrt(c)) + slack(c), &m, &t0);
	if (r == 1) {
		ipk_ck_measured(c, -1);
		seen_msg(c, IPK_CONFORM_PASS, "silent; the valid query that followed got ", &m, t0);
	} else if (r == 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE,
			       "silent, but it did not answer the valid query for %s that followed either",
			       ipk_ck_addr(g, ga));
	}
}

/* A negative check on an any-source membership (asm_group): send_bad, then silence. */
#define NEG_ASM(fn, send_bad, what)                                                                \
	static void fn(struct ipk_conform_ctx *c)                                                  \
	{                                                                                          \
		negative(c, 0, IPK_CONFORM_EXCLUDE, 0, send_bad, what);                            \
	}

/* H04: G&S query on INCLUDE{S0} naming only S2: no answer (the intersection is empty). */
static int bad_gss_other(struct ipk_conform_ctx *c, uint32_t g)
{
	uint32_t s[1] = {ipk_ck_src(c, 2)};
	struct ipk_ck_query q = {.group = g, .srcs = s, .nsrcs = 1};
	return ipk_ck_send_query(c, &q);
}
static void h_gss_none(struct ipk_conform_ctx *c)
{
	negative(c, 1, IPK_CONFORM_INCLUDE, 1, bad_gss_other, "a G&S query naming only a source it does not want");
}

/* H05: a group-specific query for a group the target is not in: no answer. */
static int bad_gsq_nonmember(struct ipk_conform_ctx *c, uint32_t g)
{
	(void)g;
	struct ipk_ck_query q = {.group = ipk_ck_group(c, 1)};
	return ipk_ck_send_query(c, &q);
}
NEG_ASM(h_gsq_nonmember, bad_gsq_nonmember, "a group-specific query for a group it is not in")

/* H07: after leaving a group the target does not report it to a general query. */
static void h_left_silent(struct ipk_conform_ctx *c)
{
	uint32_t stay = ipk_ck_group(c, 0), left = ipk_ck_group(c, 1);
	char sa[16], la[16];
	struct ipk_ck_msg m;
	int64_t t0;
	int r, stayed = 0;

	if (join_asm(c, stay) < 0 || join_asm(c, left) < 0 ||
	    set_settle(c, left, IPK_CONFORM_LEAVE, NULL, 0) < 0)
		return;
	struct ipk_ck_query q = {.mrt_ms = mrt(c)};
	ipk_ck_expect(c, "a report for %s, none for the group it left (%s), within %u ms (+%u ms)",
		      ipk_ck_addr(stay, sa), ipk_ck_addr(left, la), mrt(c), c->cfg->slack_ms);
	t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, &q) < 0)
		return;
	int64_t until = t0 + MS(mrt(c)) + slack(c);
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		struct ipk_igmp_rec rec = {0};
		/* a late TO_IN/BLOCK of the leave itself is not a report of membership */
		if (reports(&m, left, &rec) &&
		    !(m.igmp.type == IPK_IGMP_V3_REPORT && (rec.type == IPK_IGMP_TO_IN || rec.type == IPK_IGMP_BLOCK))) {
			seen_msg(c, ipk_ck_broken(c), "reported the group it left: ", &m, t0);
			return;
		}
		stayed |= reports(&m, stay, NULL);
	}
	if (r < 0)
		return;
	if (stayed)
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "reported %s only", sa);
	else
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report at all (not even for %s, still joined)", sa);
}

/* ---- what reports look like ---- */

enum hdr_rule { HDR_DST22, HDR_TTL1, HDR_RA, HDR_TOS, HDR_V2_GROUP, HDR_V1 };

/* Whether report m for g keeps rule; *why says what is wrong. */
static int hdr_ok(const struct ipk_ck_msg *m, uint32_t g, enum hdr_rule rule)
{
	switch (rule) {
	case HDR_DST22:
		return m->igmp.type == IPK_IGMP_V3_REPORT && m->ip.dst == IPK_IGMP_V3_ROUTERS;
	case HDR_TTL1:
		return m->ip.ttl == 1;
	case HDR_RA:
		return ipk_ck_has_ra(m);
	case HDR_TOS:
		return m->ip.tos == 0xc0;
	case HDR_V2_GROUP:
		return m->igmp.type == IPK_IGMP_V2_REPORT && m->ip.dst == g;
	case HDR_V1:
		return m->igmp.type == IPK_IGMP_V1_REPORT && m->ip.dst == g;
	}
	return 0;
}

/*
 * The target joins the check's group; every report naming it (the unsolicited ones and, v2/v3,
 * the answer to a group-specific query) must keep rule.
 */
static void hdr_check(struct ipk_conform_ctx *c, enum hdr_rule rule, const char *expect)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m[8];
	int64_t t0 = ipk_ck_now(c);

	ipk_ck_expect(c, "every report naming the group %s", expect);
	if (ipk_ck_target(c, g, IPK_CONFORM_EXCLUDE, NULL, 0) < 0)
		return;
	int n = collect(c, g, ipk_ck_now(c) + MS((rv(c) - 1) * uri(c)) + slack(c), rv(c), 0, m, 4);
	if (n < 0)
		return;
	unsigned have = (unsigned)(n < 4 ? n : 4);
	if (ipk_ck_version(c) > 1) {
		struct ipk_ck_query q = {.group = g};
		int64_t tq;
		int a = ask(c, &q, g, MS(mrt(c)) + slack(c), &m[have], &tq);
		if (a < 0)
			return;
		have += (unsigned)a;
	}
	if (!have) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report for the group came");
		return;
	}
	for (unsigned i = 0; i < have; i++)
		if (!hdr_ok(&m[i], g, rule)) {
			seen_msg(c, ipk_ck_broken(c), "", &m[i], t0);
			return;
		}
	char d[300];
	ipk_ck_describe(&m[0], d, sizeof(d));
	ipk_ck_verdict(c, IPK_CONFORM_PASS, "%u report(s), all right; first: %s", have, d);
}

static void h_dst22(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_DST22, "is a v3 report sent to 224.0.0.22");
}
static void h_ttl1(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_TTL1, "has IP TTL 1");
}
static void h_ra(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_RA, "carries the Router Alert option");
}
static void h_tos(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_TOS, "has TOS 0xc0 (Internetwork Control)");
}
static void h_v2_dst(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_V2_GROUP, "is a v2 report (type 0x16) sent to the group address");
}
static void h_v1_report(struct ipk_conform_ctx *c)
{
	hdr_check(c, HDR_V1, "is a v1 report (type 0x12) sent to the group address");
}

/* Leave the check's group after joining it, and collect what names it for window_ms. */
static int join_leave(struct ipk_conform_ctx *c, uint32_t g, unsigned window_ms, struct ipk_ck_msg *m,
		      int64_t *t0)
{
	int n = join_asm(c, g);
	if (n < 0)
		return n;
	if (n == 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report when joining: the leave proves nothing");
		return -1;
	}
	*t0 = ipk_ck_now(c);
	if (ipk_ck_target(c, g, IPK_CONFORM_LEAVE, NULL, 0) < 0)
		return -1;
	return collect(c, g, *t0 + MS(window_ms) + slack(c), 1, 1, m, 1);
}

/* H13: in v2 the last reporter's leave is a Leave Group message to 224.0.0.2. */
static void h_v2_leave(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	int64_t t0;

	ipk_ck_expect(c, "a v2 Leave for the group to 224.0.0.2 within %u ms of leaving", c->cfg->slack_ms + 1000);
	int n = join_leave(c, g, 1000, &m, &t0);
	if (n < 0)
		return;
	if (n == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no Leave");
	else if (m.igmp.type == IPK_IGMP_V2_LEAVE && m.ip.dst == IPK_IGMP_ALL_ROUTERS)
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else
		seen_msg(c, ipk_ck_broken(c), "", &m, t0);
}

/* H15: a host in v1 sends nothing when it leaves (v1 has no Leave). */
static void h_v1_no_leave(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	int64_t t0;

	ipk_ck_expect(c, "nothing naming the group within %u ms of leaving", c->cfg->slack_ms + 1000);
	int n = join_leave(c, g, 1000, &m, &t0);
	if (n == 0)
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "silent after the leave");
	else if (n > 0)
		seen_msg(c, ipk_ck_broken(c), "sent on leaving: ", &m, t0);
}

/* H28: a v2 host that heard another member's report after its own sends no Leave. */
static void h_v2_leave_not_last(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	char ga[16];

	ipk_ck_expect(c, "no Leave for %s within %u ms of leaving: another host reported it last",
		      ipk_ck_addr(g, ga), c->cfg->slack_ms + 1000);
	int n = join_asm(c, g);
	if (n < 0)
		return;
	if (n == 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report when joining");
		return;
	}
	if (ipk_ck_send_v12(c, OTHER_HOST, IPK_IGMP_V2_REPORT, g, NULL, NULL) < 0)
		return;
	(void)collect(c, g, ipk_ck_now(c) + MS(100), 0, 1, NULL, 0);
	int64_t t0 = ipk_ck_now(c);
	if (ipk_ck_target(c, g, IPK_CONFORM_LEAVE, NULL, 0) < 0)
		return;
	n = collect(c, g, t0 + MS(1000) + slack(c), 1, 1, &m, 1);
	if (n == 0)
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "no Leave");
	else if (n > 0)
		seen_msg(c, ipk_ck_broken(c), "sent although not the last reporter: ", &m, t0);
}

/* ---- state-change reports (RFC 3376 5.1) ---- */

/*
 * From state (from, S[f0..f1)) to (to, S[t0..t1)) of the check's group: the first report after
 * the change must hold one record of type want with sources S[w0..w1). from IPK_CONFORM_LEAVE:
 * no state before.
 */
struct change {
	unsigned from, f0, f1, to, t0, t1;
	uint8_t want;
	unsigned w0, w1;
};

static void change_check(struct ipk_conform_ctx *c, const struct change *ch)
{
	uint32_t s[8], g = ch->from == IPK_CONFORM_INCLUDE || ch->to == IPK_CONFORM_INCLUDE ? ipk_ck_ssm(c, 0)
												: ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	struct ipk_igmp_rec rec;
	char ga[16];

	for (unsigned i = 0; i < 8; i++)
		s[i] = ipk_ck_src(c, i);
	ipk_ck_expect(c, "a v3 report with one %s record for %s naming %u source(s), within %u ms of the change",
		      ipk_igmp_rec_name(ch->want), ipk_ck_addr(g, ga), ch->w1 - ch->w0, c->cfg->slack_ms);
	if (ch->from != IPK_CONFORM_LEAVE && set_settle(c, g, ch->from, s + ch->f0, ch->f1 - ch->f0) < 0)
		return;
	int64_t t0 = ipk_ck_now(c);
	if (ipk_ck_target(c, g, ch->to, s + ch->t0, ch->t1 - ch->t0) < 0)
		return;
	int n = collect(c, g, t0 + slack(c), 1, 1, &m, 1);
	if (n < 0)
		return;
	if (n == 0) {
		ipk_ck_verdict(c, IPK_CONFORM_FAIL, "no report within %u ms of the change", c->cfg->slack_ms);
		return;
	}
	ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
	if (find_rec(&m, g, ch->want, &rec) && rec_is(&rec, ch->want, s + ch->w0, ch->w1 - ch->w0))
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else
		seen_msg(c, ipk_ck_broken(c), "", &m, t0);
}

/* One check per row of the RFC 3376 5.1 table: (from, sources) -> (to, sources): the record. */
#define CHANGE_CHECK(fn, ...)                                                                      \
	static void fn(struct ipk_conform_ctx *c)                                                  \
	{                                                                                          \
		static const struct change ch = {__VA_ARGS__};                                     \
		change_check(c, &ch);                                                              \
	}
CHANGE_CHECK(h_rec_asm_join, IPK_CONFORM_LEAVE, 0, 0, IPK_CONFORM_EXCLUDE, 0, 0, IPK_IGMP_TO_EX, 0, 0)
CHANGE_CHECK(h_rec_ssm_join, IPK_CONFORM_LEAVE, 0, 0, IPK_CONFORM_INCLUDE, 0, 1, IPK_IGMP_ALLOW, 0, 1)
CHANGE_CHECK(h_rec_asm_leave, IPK_CONFORM_EXCLUDE, 0, 0, IPK_CONFORM_LEAVE, 0, 0, IPK_IGMP_TO_IN, 0, 0)
CHANGE_CHECK(h_rec_ssm_leave, IPK_CONFORM_INCLUDE, 0, 1, IPK_CONFORM_LEAVE, 0, 0, IPK_IGMP_BLOCK, 0, 1)
CHANGE_CHECK(h_rec_ex_block, IPK_CONFORM_EXCLUDE, 0, 0, IPK_CONFORM_EXCLUDE, 0, 1, IPK_IGMP_BLOCK, 0, 1)
CHANGE_CHECK(h_rec_in_to_ex, IPK_CONFORM_INCLUDE, 0, 1, IPK_CONFORM_EXCLUDE, 1, 2, IPK_IGMP_TO_EX, 1, 2)
CHANGE_CHECK(h_rec_ex_to_in, IPK_CONFORM_EXCLUDE, 0, 0, IPK_CONFORM_INCLUDE, 0, 1, IPK_IGMP_TO_IN, 0, 1)

/*
 * H23 (v3) / H24 (v1, v2): a join's report is sent Robustness Variable times in total (v1/v2:
 * repeated once or twice), at gaps of at most the Unsolicited Report Interval. v3 waits long
 * enough to see one copy too many; v1/v2 stop at the second copy (a third one is allowed).
 */
static void repeats(struct ipk_conform_ctx *c, unsigned lo, unsigned hi)
{
	unsigned stop = lo == hi ? hi + 1 : lo, span = lo == hi ? hi : lo - 1;

	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m[8];
	char ga[16];

	ipk_ck_expect(c, "%u to %u reports naming %s in all, at gaps of at most %u ms (+%u ms)", lo, hi,
		      ipk_ck_addr(g, ga), uri(c), c->cfg->slack_ms);
	int64_t t0 = ipk_ck_now(c);
	if (ipk_ck_target(c, g, IPK_CONFORM_EXCLUDE, NULL, 0) < 0)
		return;
	/* long enough to see one copy too many */
	int n = collect(c, g, t0 + MS(span * uri(c)) + slack(c), stop, 0, m, 8);
	if (n < 0)
		return;
	double gap = 0;
	for (int i = 1; i < n && i < 8; i++)
		if ((double)(m[i].at_us - m[i - 1].at_us) / 1000.0 > gap)
			gap = (double)(m[i].at_us - m[i - 1].at_us) / 1000.0;
	ipk_ck_measured(c, n > 1 ? gap : -1);
	if (n == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report at all");
	else if ((unsigned)n < lo || (unsigned)n > hi)
		ipk_ck_verdict(c, ipk_ck_broken(c), "%d report(s) naming the group (largest gap %.0f ms)", n, gap);
	else if (gap > (double)(uri(c) + c->cfg->slack_ms))
		ipk_ck_verdict(c, ipk_ck_broken(c), "%d reports, but a gap of %.0f ms", n, gap);
	else
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "%d reports, largest gap %.0f ms", n, gap);
}

static void h_v3_repeat(struct ipk_conform_ctx *c)
{
	repeats(c, rv(c), rv(c));
}
static void h_v12_repeat(struct ipk_conform_ctx *c)
{
	repeats(c, 2, 3);
}

/* H25: a change while the previous one is still being retransmitted goes out at once, merged. */
static void h_merge(struct ipk_conform_ctx *c)
{
	uint32_t g = ipk_ck_ssm(c, 0), s[2] = {ipk_ck_src(c, 0), ipk_ck_src(c, 1)};
	struct ipk_ck_msg m;
	struct ipk_igmp_rec rec = {0};
	char ga[16];
	int r;

	ipk_ck_expect(c, "right after the second change (within %u ms): ALLOW for %s with the new source, and the first"
			 " one while its retransmission was pending", c->cfg->slack_ms, ipk_ck_addr(g, ga));
	if (ipk_ck_target(c, g, IPK_CONFORM_INCLUDE, s, 1) < 0)
		return;
	r = collect(c, g, ipk_ck_now(c) + slack(c), 1, 0, &m, 1);
	if (r <= 0) {
		if (r == 0)
			ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report for the first change");
		return;
	}
	int64_t t0 = ipk_ck_now(c);
	if (ipk_ck_target(c, g, IPK_CONFORM_INCLUDE, s, 2) < 0)
		return;
	/* the first source's retransmission may have gone out in between: then it is not pending */
	int pending = 1;
	for (;;) {
		r = collect(c, g, t0 + slack(c), 1, 0, &m, 1);
		if (r <= 0)
			break;
		(void)ipk_ck_names(&m, g, &rec);
		if (!(rec.type == IPK_IGMP_ALLOW && rec.nsrcs == 1 && ipk_ck_rec_has(&rec, s[0])))
			break;
		pending = 0;
	}
	if (r < 0)
		return;
	if (r == 0) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report within %u ms of the second change", c->cfg->slack_ms);
		return;
	}
	ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
	if (m.igmp.type == IPK_IGMP_V3_REPORT && rec.type == IPK_IGMP_ALLOW && ipk_ck_rec_has(&rec, s[1]) &&
	    (!pending || ipk_ck_rec_has(&rec, s[0])))
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else
		seen_msg(c, ipk_ck_broken(c), "", &m, t0);
	(void)collect(c, g, ipk_ck_now(c) + MS((rv(c) - 1) * uri(c)) + slack(c), rv(c), 0, NULL, 0);
}

/* ---- suppression ---- */

/*
 * Another host's reports for the check's group (OTHER_HOST) right after a general
 * query. v1/v2 (H26): the target must not answer; v3 (H27): it must.
 */
static void suppression(struct ipk_conform_ctx *c, int must_answer)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	char ga[16];
	int64_t t0;
	unsigned v = ipk_ck_version(c);

	if (join_asm(c, g) < 0)
		return;
	struct ipk_ck_query q = {.mrt_ms = mrt(c)};
	t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, &q) < 0)
		return;
	int r = ipk_ck_send_v12(c, OTHER_HOST, v == 1 ? IPK_IGMP_V1_REPORT : IPK_IGMP_V2_REPORT, g, NULL, NULL);
	if (r == 0 && v == 3) {
		struct ipk_igmp_rec_spec rec = {.type = IPK_IGMP_IS_EX, .group = g};
		r = ipk_ck_send_v3r(c, OTHER_HOST, &rec, 1, NULL, NULL);
	}
	if (r < 0)
		return;
	int64_t t_other = ipk_ck_now(c);
	ipk_ck_expect(c, must_answer ? "a report for %s within %u ms (+%u ms): v3 hosts do not suppress"
				     : "no report for %s within %u ms (+%u ms): another host answered",
		      ipk_ck_addr(g, ga), mrt(c), c->cfg->slack_ms);
	int n = collect(c, g, t0 + MS(mrt(c)) + slack(c), 1, 0, &m, 1);
	if (n < 0)
		return;
	if (n == 1)
		ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
	if (must_answer && n)
		seen_msg(c, IPK_CONFORM_PASS, "", &m, t0);
	else if (must_answer)
		ipk_ck_verdict(c, ipk_ck_broken(c), "no report: it suppressed its answer");
	else if (!n)
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "no report: suppressed");
	else if (m.at_us < t_other)
		seen_msg(c, IPK_CONFORM_INCONCLUSIVE, "answered before the other host's report went out: ", &m, t0);
	else
		seen_msg(c, ipk_ck_broken(c), "answered anyway: ", &m, t0);
}

static void h_suppress(struct ipk_conform_ctx *c)
{
	suppression(c, 0);
}
static void h_no_suppress_v3(struct ipk_conform_ctx *c)
{
	suppression(c, 1);
}

/* ---- query validation ---- */

/* The ordinary query for g with ip knobs changed. */
static int send_q(struct ipk_conform_ctx *c, struct ipk_ck_query q)
{
	return ipk_ck_send_query(c, &q);
}

static int bad_len(struct ipk_conform_ctx *c, uint32_t g)
{
	static const uint8_t pad[3];
	for (int n = 9; n <= 11; n++) {
		struct ipk_igmp_over o = {.trail = pad, .trail_len = (size_t)(n - 8)};
		struct ipk_ck_query q = query_for(c, g);
		if (ipk_ck_version(c) == 3)
			q.cut = n;
		else
			q.over = &o;
		if (ipk_ck_send_query(c, &q) < 0)
			return -1;
	}
	ipk_ck_sent(c, "(9, 10 and 11 bytes long)");
	return 0;
}
NEG_ASM(h_len, bad_len, "queries of 9, 10 and 11 bytes")

static int bad_short(struct ipk_conform_ctx *c, uint32_t g)
{
	struct ipk_ck_query q = query_for(c, g);
	q.cut = 7;
	return send_q(c, q);
}
NEG_ASM(h_short, bad_short, "a 7-byte query")

/* A query with its IGMP checksum off: built by the codec, the checksum then forced wrong. */
static int bad_igmp_csum(struct ipk_conform_ctx *c, uint32_t g)
{
	uint8_t b[64];
	struct ipk_wbuf w;
	struct ipk_igmp p;
	size_t off;
	unsigned v = ipk_ck_version(c);
	int r;

	ipk_wbuf_init(&w, b, sizeof(b));
	if (v == 3) {
		struct ipk_igmp_v3q q = {.mrc = ipk_igmp_code_encode(mrt(c) / 100), .qrv = 2,
					 .qqic = ipk_igmp_code_encode(10), .group = g};
		r = ipk_igmp_put_v3_query(&w, &q);
	} else {
		r = ipk_igmp_put8(&w, IPK_IGMP_QUERY, v == 1 ? 0 : (uint8_t)(mrt(c) / 100), v == 1 ? 0 : g, NULL);
	}
	if (r < 0 || ipk_igmp_parse(b, w.len, &p, &off) < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the query");
		return -1;
	}
	ipk_igmp_set_checksum(b, w.len, p.checksum ^ 0x0101);
	return ipk_ck_send_igmp(c, b, w.len, NULL, v == 1 ? "general query, bad IGMP checksum"
							  : "group query, bad IGMP checksum");
}
NEG_ASM(h_igmp_csum, bad_igmp_csum, "a query with a bad IGMP checksum")

static int bad_ip_csum(struct ipk_conform_ctx *c, uint32_t g)
{
	struct ipk_ck_query q = query_for(c, g);
	q.ip.bad_ip_csum = 1;
	ipk_ck_sent(c, "(IPv4 header checksum off by one)");
	return send_q(c, q);
}
NEG_ASM(h_ip_csum, bad_ip_csum, "a query with a bad IPv4 header checksum")

static int bad_count(struct ipk_conform_ctx *c, uint32_t g)
{
	uint32_t s[1] = {ipk_ck_src(c, 1)};
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_COUNT, .count = 40};
	struct ipk_ck_query q = {.group = g, .srcs = s, .nsrcs = 1, .over = &o};
	ipk_ck_sent(c, "(Number of Sources 40, one present)");
	return send_q(c, q);
}
NEG_ASM(h_count, bad_count, "a G&S query whose source count runs past its end")

static int bad_gq_srcs(struct ipk_conform_ctx *c, uint32_t g)
{
	(void)g;
	uint32_t s[1] = {ipk_ck_src(c, 1)};
	struct ipk_ck_query q = {.srcs = s, .nsrcs = 1};
	return send_q(c, q);
}
NEG_ASM(h_gq_srcs, bad_gq_srcs, "a general query with a source")

static int bad_no_ra(struct ipk_conform_ctx *c, uint32_t g)
{
	struct ipk_ck_query q = query_for(c, g);
	q.ip.no_ra = 1;
	ipk_ck_sent(c, "(no Router Alert)");
	return send_q(c, q);
}
NEG_ASM(h_no_ra, bad_no_ra, "a query without Router Alert")

static int bad_gq_dst(struct ipk_conform_ctx *c, uint32_t g)
{
	char ga[16];
	struct ipk_ck_query q = {.ip.dst = g};
	ipk_ck_sent(c, "(to %s)", ipk_ck_addr(g, ga));
	return send_q(c, q);
}
NEG_ASM(h_gq_dst, bad_gq_dst, "a general query sent to the group address")

static int bad_frag(struct ipk_conform_ctx *c, uint32_t g)
{
	struct ipk_ck_query q = query_for(c, g);
	q.ip.mf = 1;
	ipk_ck_sent(c, "(More Fragments set: a first fragment)");
	return send_q(c, q);
}
NEG_ASM(h_frag, bad_frag, "a query in a first fragment whose rest never comes")

static int bad_group(struct ipk_conform_ctx *c, uint32_t g)
{
	(void)g;
	struct ipk_ck_query q = {.group = ipk_ck_src(c, 9), .ip.dst = IPK_IGMP_ALL_SYSTEMS};
	ipk_ck_sent(c, "(to 224.0.0.1)");
	return send_q(c, q);
}
NEG_ASM(h_group, bad_group, "a group query for a unicast address")

/* Positive validation checks: the target must answer q (for its group); note says what is odd. */
static void must_answer(struct ipk_conform_ctx *c, struct ipk_ck_query q, const char *note)
{
	ipk_ck_sent(c, "(%s)", note);
	if (ipk_ck_version(c) == 1)
		answered(c, q, 0, mrt(c), NULL);
	else
		answered(c, q, 1, mrt(c), NULL);
}

static void h_ttl2(struct ipk_conform_ctx *c)
{
	struct ipk_ck_query q = {.ip.ttl = 2};
	must_answer(c, q, "IP TTL 2");
}

static void h_trailing(struct ipk_conform_ctx *c)
{
	static const uint8_t extra[5] = {1, 2, 3, 4, 5};
	struct ipk_igmp_over o = {.trail = extra, .trail_len = sizeof(extra)};
	struct ipk_ck_query q = {.over = &o};
	must_answer(c, q, "5 bytes after the query, inside its checksum");
}

static void h_src0(struct ipk_conform_ctx *c)
{
	struct ipk_ck_query q = {.ip.src0 = 1};
	must_answer(c, q, "source 0.0.0.0");
}

/* H41: a message of an unknown type first; the valid query that follows is still answered. */
static int send_unknown(struct ipk_conform_ctx *c, uint32_t g)
{
	uint8_t b[16];
	struct ipk_wbuf w;

	ipk_wbuf_init(&w, b, sizeof(b));
	if (ipk_igmp_put8(&w, 0x42, 0, g, NULL) < 0) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "could not build the message of type 0x42");
		return -1;
	}
	return ipk_ck_send_igmp(c, b, w.len, NULL, "IGMP type 0x42 (unknown) naming the group");
}
static void h_unknown(struct ipk_conform_ctx *c)
{
	struct ipk_ck_query q = {0};
	answered(c, q, ipk_ck_version(c) > 1, mrt(c), send_unknown);
}

/* ---- compatibility modes (RFC 3376 7.2.1, 8.12) ---- */

/* The suite primes the target with QRV 2 and a QQIC of a few seconds (2 s; 5 s before a v1 query,
 * so that even the kernel's shorter timeout outlasts the 10 s answer window) so the fallback lasts
 * seconds. The kernel lowers its QRI for good to QQI - 1 s whenever a query's QQI is not above it
 * (1 s once it heard QQIC 2 s): its timeout lies between RV * QQI + 1 s and + min(10 s, QQI - 1 s). */

/*
 * Which version the target is in now: it joins the check's group 2 and its first report tells
 * (then it leaves again). 1, 2, 3; 0 no report; -1 aborting. A report naming group `also` (0:
 * none) heard meanwhile is kept in *also_m (*also_got 1): the answer to a query sent just before
 * the probe may come during it.
 */
static int probe_mode(struct ipk_conform_ctx *c, uint32_t also, struct ipk_ck_msg *also_m, int *also_got)
{
	uint32_t g = ipk_ck_group(c, 2);
	struct ipk_ck_msg m;
	struct ipk_igmp_rec rec;
	int v = 0, r;

	if (ipk_ck_target(c, g, IPK_CONFORM_EXCLUDE, NULL, 0) < 0)
		return -1;
	int64_t until = ipk_ck_now(c) + slack(c);
	while ((r = ipk_ck_recv_target(c, until, &m)) > 0) {
		if (also && !*also_got && reports(&m, also, NULL)) {
			*also_m = m;
			*also_got = 1;
			continue;
		}
		if (!reports(&m, g, &rec))
			continue;
		if (m.igmp.type == IPK_IGMP_V3_REPORT && (rec.type == IPK_IGMP_TO_IN || rec.type == IPK_IGMP_BLOCK))
			continue; /* the leave of the previous probe */
		v = m.igmp.version;
		break;
	}
	if (r < 0 || ipk_ck_target(c, g, IPK_CONFORM_LEAVE, NULL, 0) < 0)
		return -1;
	return v;
}

/*
 * Wait, probing every 500 ms, for the target to be back in v3 after an older query at t_old
 * whose Max Resp Time was old_mrt_ms. The RFC (RFC 9776 8.12, RFC 3376 8.12 with erratum 4375)
 * gives RV * QI + that Max Resp Time; the Linux kernel RV * QI + min(its QRI 10 s, QI - 1 s).
 * *lo and *hi get the window both admit. Returns 1 back (*t_back: first v3 probe, *t_last: last old
 * one, 0 none), 0 not back by hi + slack + 1.5 s, -1 aborting.
 */
static void return_window(const struct ipk_conform_ctx *c, unsigned qqi_ms, unsigned old_mrt_ms, unsigned *lo,
			  unsigned *hi)
{
	unsigned base = rv(c) * qqi_ms, linux_qri = qqi_ms - 1000 < 10000 ? qqi_ms - 1000 : 10000;
	*lo = base + (old_mrt_ms < 1000 ? old_mrt_ms : 1000);
	*hi = base + (old_mrt_ms > linux_qri ? old_mrt_ms : linux_qri);
}

static int await_v3(struct ipk_conform_ctx *c, int64_t t_old, unsigned qqi_ms, unsigned old_mrt_ms, int64_t *t_back,
		    int64_t *t_last, unsigned *lo, unsigned *hi)
{
	return_window(c, qqi_ms, old_mrt_ms, lo, hi);
	int64_t first = t_old + MS(*lo) - slack(c) - MS(700), end = t_old + MS(*hi) + slack(c) + MS(1500);

	*t_last = 0;
	for (int64_t at = first; at <= end; at += MS(500)) {
		if (at > ipk_ck_now(c) && collect(c, 0, at, 0, 1, NULL, 0) < 0)
			return -1; /* (nothing names group 0: this only waits) */
		int64_t t = ipk_ck_now(c);
		int v = probe_mode(c, 0, NULL, NULL);
		if (v < 0)
			return -1;
		if (v == 3) {
			*t_back = t;
			return 1;
		}
		if (v)
			*t_last = t;
	}
	return 0;
}

/*
 * Fallback: primed by a v3 general query (QRV 2, QQIC 2 s), the target hears a general query of
 * version old and must answer it in that version (H43: v2, H44: v1); then the check waits for
 * the target to be back in v3 (so later checks find it there). H45 judges that return.
 */
static void fallback(struct ipk_conform_ctx *c, unsigned old, int judge_return, unsigned qqi_ms)
{
	uint32_t g = ipk_ck_group(c, 0);
	struct ipk_ck_msg m;
	int64_t t0;
	char ga[16];

	if (join_asm(c, g) < 0)
		return;
	struct ipk_ck_query prime = {.qrv = 2, .qqic = ipk_igmp_code_encode(qqi_ms / 1000)};
	int r = ask(c, &prime, g, MS(mrt(c)) + slack(c), &m, &t0);
	if (r < 0)
		return;
	if (r == 0 || m.igmp.type != IPK_IGMP_V3_REPORT) {
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no v3 answer to the v3 general query that starts the check");
		return;
	}
	ipk_ck_measured(c, -1);
	unsigned old_mrt = old == 1 ? 10000 : c->cfg->mrt_ms, lo, hi;
	struct ipk_ck_query q = {.version = (uint8_t)old, .mrt_ms = old_mrt};
	ipk_ck_expect(c, "a join right after a v%u general query reported in v%u, and a report for %s within %u ms"
			 " (+%u ms) in v%u%s",
		      old, old, ipk_ck_addr(g, ga), old_mrt, c->cfg->slack_ms, old,
		      judge_return ? ", then back in v3 on time" : "");
	t0 = ipk_ck_now(c);
	if (ipk_ck_send_query(c, &q) < 0)
		return;
	/* the mode now: the version of the report for a join right after the query */
	int got = 0;
	int pm = probe_mode(c, g, &m, &got);
	if (pm < 0)
		return;
	r = got ? 1 : collect(c, g, t0 + MS(old_mrt) + slack(c), 1, 0, &m, 1);
	if (r < 0)
		return;
	if (r == 1)
		ipk_ck_measured(c, (double)(m.at_us - t0) / 1000.0);
	/* a short fallback may end before a late answer is due (the kernel's, after a v1 query: 5 s
	 * against the 10 s window): an answer in v3 after the earliest return is no fault */
	return_window(c, qqi_ms, old_mrt, &lo, &hi);
	int in_old = pm == (int)old;
	int answer_ok = r == 1 && (m.igmp.version == old || m.at_us >= t0 + MS(lo) - slack(c));
	if (!pm)
		ipk_ck_verdict(c, IPK_CONFORM_INCONCLUSIVE, "no report for a join right after the v%u query", old);
	else if (!in_old)
		ipk_ck_verdict(c, ipk_ck_broken(c), "a join right after the v%u query was reported in v%d", old, pm);
	else if (r == 0)
		ipk_ck_verdict(c, ipk_ck_broken(c), "in v%u, but no answer within %u ms", old, old_mrt + c->cfg->slack_ms);
	else if (!answer_ok)
		seen_msg(c, ipk_ck_broken(c), "answered in another version: ", &m, t0);
	else
		seen_msg(c, IPK_CONFORM_PASS,
			 m.igmp.version == old ? "fell back; " : "fell back; answered after its earliest return: ", &m, t0);
	int64_t t_back = 0, t_last = 0;
	char seen[sizeof(c->r->seen)];
	memcpy(seen, c->r->seen, sizeof(seen));
	unsigned verdict = c->r->verdict;
	r = await_v3(c, t0, qqi_ms, old_mrt, &t_back, &t_last, &lo, &hi);
	if (r < 0)
		return;
	if (!judge_return || !in_old) {
		ipk_ck_verdict(c, verdict, "%s; back in v3: %s", seen, r ? "yes" : "no, not by the end of the window");
		return;
	}
	ipk_ck_expect(c, "back in v3 between %u and %u ms (+/- %u ms) after the v2 query: RV * QQI + the older"
			 " query's Max Resp Time (RFC) or + min(QRI, QQI - 1 s) (Linux)",
		      lo, hi, c->cfg->slack_ms);
	if (!r) {
		ipk_ck_verdict(c, ipk_ck_broken(c), "still in v%u %.0f ms after the v2 query", old,
			       (double)(ipk_ck_now(c) - t0) / 1000.0);
		return;
	}
	ipk_ck_measured(c, (double)(t_back - t0) / 1000.0);
	if (!t_last || t_back < t0 + MS(lo) - slack(c))
		ipk_ck_verdict(c, ipk_ck_broken(c), "back in v3 too early: a join %.0f ms after the v2 query was"
						    " already reported in v3", (double)(t_back - t0) / 1000.0);
	else if (t_last > t0 + MS(hi) + slack(c))
		ipk_ck_verdict(c, ipk_ck_broken(c), "still in v2 %.0f ms after the v2 query",
			       (double)(t_last - t0) / 1000.0);
	else
		ipk_ck_verdict(c, IPK_CONFORM_PASS, "back in v3 between %.0f and %.0f ms after the v2 query",
			       (double)(t_last - t0) / 1000.0, (double)(t_back - t0) / 1000.0);
}

static void h_fallback_v2(struct ipk_conform_ctx *c)
{
	fallback(c, 2, 0, 2000);
}
static void h_fallback_v1(struct ipk_conform_ctx *c)
{
	fallback(c, 1, 0, 5000);
}
static void h_return_v3(struct ipk_conform_ctx *c)
{
	fallback(c, 2, 1, 2000);
}

/* ---- the catalogue ---- */

#define H IPK_CONFORM_HOST
#define MUST IPK_CONFORM_MUST
#define SHOULD IPK_CONFORM_SHOULD
#define MAY IPK_CONFORM_MAY

const struct ipk_conform_check ipk_conform_host_checks[] = {
	{"H01", "gq-answer-in-time", H, MUST, 0, VALL, "RFC 3376 5.2; RFC 9776 5.2; RFC 2236 3; RFC 1112 app. I",
	 "a host answers a General Query for each group it is a member of, at a random time within the Max Resp Time",
	 h_gq_answer},
	{"H02", "gsq-answer-in-time", H, MUST, 0, V23, "RFC 3376 5.2; RFC 9776 5.2; RFC 2236 3",
	 "a Group-Specific Query is answered within its Max Resp Time, for the queried group only", h_gsq_answer},
	{"H03", "gssq-include-intersection", H, MUST, 0, V3, "RFC 3376 5.2; RFC 9776 5.2",
	 "a G&S Query on an INCLUDE group is answered with IS_IN of the queried sources the host includes",
	 h_gss_include},
	{"H04", "gssq-no-source-silent", H, MUST, 1, V3, "RFC 3376 5.2; RFC 9776 5.2",
	 "when none of the queried sources is wanted the record is empty and no answer is sent", h_gss_none},
	{"H05", "gsq-nonmember-silent", H, MUST, 1, V23, "RFC 3376 5.2; RFC 9776 5.2; RFC 2236 3",
	 "a Group-Specific Query for a group without reception state gets no answer", h_gsq_nonmember},
	{"H06", "gssq-exclude-answer", H, MUST, 0, V3, "RFC 3376 5.2; RFC 9776 5.2",
	 "a G&S Query on an EXCLUDE(A) group asking B is answered with IS_IN(B-A), the queried sources not excluded",
	 h_gss_exclude},
	{"H07", "left-group-silent", H, MUST, 1, VALL, "RFC 3376 5.2; RFC 9776 5.2; RFC 2236 3, 6; RFC 1112 app. I",
	 "after leaving a group the host no longer reports it in answers to queries", h_left_silent},
	{"H08", "v3-report-dst", H, MUST, 0, V3, "RFC 3376 4.2.14; RFC 9776 4.2.14",
	 "IGMPv3 reports are sent to 224.0.0.22", h_dst22},
	{"H09", "report-ttl-1", H, MUST, 0, VALL, "RFC 3376 4; RFC 9776 4; RFC 2236 2; RFC 1112 app. I",
	 "reports are sent with IP TTL 1", h_ttl1},
	{"H10", "report-router-alert", H, MUST, 0, V23, "RFC 3376 4; RFC 9776 4; RFC 2236 2",
	 "v2 and v3 reports carry the IP Router Alert option", h_ra},
	{"H11", "report-tos-c0", H, MUST, 0, V3, "RFC 3376 4; RFC 9776 4",
	 "v3 reports are sent with IP precedence Internetwork Control (TOS 0xc0)", h_tos},
	{"H12", "v2-report-dst", H, MUST, 0, V2, "RFC 2236 2.1, 9; RFC 3376 7.2.1",
	 "in v2 a membership is reported with a v2 Membership Report sent to the group address", h_v2_dst},
	{"H13", "v2-leave-all-routers", H, SHOULD, 0, V2, "RFC 2236 3, 6",
	 "the last host to report a group sends a Leave Group message to 224.0.0.2 when it leaves", h_v2_leave},
	{"H14", "v1-report", H, MUST, 0, V1, "RFC 1112 app. I; RFC 2236 4; RFC 3376 7.2.1",
	 "in v1 a membership is reported with a v1 Host Membership Report sent to the group address", h_v1_report},
	{"H15", "v1-no-leave", H, MUST, 1, V1, "RFC 2236 4; RFC 3376 7.2.1; RFC 9776 7.2.1",
	 "a host in v1 mode sends no Leave Group message when it leaves", h_v1_no_leave},
	{"H16", "rec-asm-join-to-ex", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "joining for any source (INCLUDE{} to EXCLUDE{}) is reported as TO_EX{}", h_rec_asm_join},
	{"H17", "rec-ssm-join-allow", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "joining for source S (INCLUDE{} to INCLUDE{S}) is reported as ALLOW{S}", h_rec_ssm_join},
	{"H18", "rec-asm-leave-to-in", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "leaving an any-source group (EXCLUDE{} to INCLUDE{}) is reported as TO_IN{}", h_rec_asm_leave},
	{"H19", "rec-ssm-leave-block", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "leaving a source-specific group (INCLUDE{S} to INCLUDE{}) is reported as BLOCK{S}", h_rec_ssm_leave},
	{"H20", "rec-exclude-add-block", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "excluding one more source (EXCLUDE{} to EXCLUDE{S}) is reported as BLOCK{S}", h_rec_ex_block},
	{"H21", "rec-include-to-exclude", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "a change from INCLUDE(A) to EXCLUDE(B) is reported as TO_EX(B)", h_rec_in_to_ex},
	{"H22", "rec-exclude-to-include", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "a change from EXCLUDE(A) to INCLUDE(B) is reported as TO_IN(B)", h_rec_ex_to_in},
	{"H23", "v3-change-repeated", H, MUST, 0, V3, "RFC 3376 5.1, 8.1, 8.11; RFC 9776 5.1",
	 "a state-change report goes out Robustness Variable times in all, at random gaps below the Unsolicited"
	 " Report Interval",
	 h_v3_repeat},
	{"H24", "v12-report-repeated", H, SHOULD, 0, V1 | V2, "RFC 2236 3; RFC 1112 app. I",
	 "the unsolicited report of a join is repeated once or twice after short delays (the Unsolicited Report"
	 " Interval)",
	 h_v12_repeat},
	{"H25", "v3-changes-merged", H, MUST, 0, V3, "RFC 3376 5.1; RFC 9776 5.1",
	 "a change during the retransmissions of an earlier one is sent at once, merged with what is still pending",
	 h_merge},
	{"H26", "v12-suppression", H, MUST, 1, V1 | V2, "RFC 2236 3; RFC 1112 app. I",
	 "a host that hears another host's report for a group while its own answer is pending does not send it",
	 h_suppress},
	{"H27", "v3-no-suppression", H, MUST, 0, V3, "RFC 3376 5.2, A.2; RFC 9776 5.2",
	 "an IGMPv3 host answers even when other hosts' reports for the group were heard (no suppression)",
	 h_no_suppress_v3},
	{"H28", "v2-leave-last-reporter-only", H, MAY, 1, V2, "RFC 2236 3, 6",
	 "a host that was not the last to report a group may send nothing when it leaves", h_v2_leave_not_last},
	{"H29", "query-len-9-11-ignored", H, MUST, 1, V23, "RFC 3376 7.1; RFC 9776 7.1",
	 "queries of 9, 10 or 11 bytes match no version and are silently ignored", h_len},
	{"H30", "query-short-ignored", H, MUST, 1, V23, "RFC 3376 7.1; RFC 9776 7.1; RFC 2236 2",
	 "a query shorter than 8 bytes matches no version and is silently ignored", h_short},
	{"H31", "query-bad-igmp-checksum", H, MUST, 1, VALL, "RFC 3376 4.1.2; RFC 9776 4.1.2; RFC 2236 2.3",
	 "the IGMP checksum is verified before a message is processed: a query with a wrong one is dropped",
	 h_igmp_csum},
	{"H32", "query-bad-ip-checksum", H, MUST, 1, V23, "RFC 1122 3.2.1.2",
	 "a datagram whose IPv4 header checksum is wrong is silently discarded", h_ip_csum},
	{"H33", "query-source-count-overrun", H, SHOULD, 1, V3, "RFC 3376 4.1.8; RFC 9776 4.1.8",
	 "a query whose Number of Sources runs past the message is malformed and dropped", h_count},
	{"H34", "gq-with-sources-ignored", H, SHOULD, 1, V3, "RFC 3376 4.1.8, 4.1.9; RFC 9776 4.1.8",
	 "a General Query carries no sources: one that does is malformed and dropped", h_gq_srcs},
	{"H35", "query-ttl-above-1", H, MAY, 0, V23, "RFC 3376 4; RFC 9776 4; RFC 2236 2",
	 "queries are sent with TTL 1 but no rule tells hosts to drop one with a higher TTL: it may be answered",
	 h_ttl2},
	{"H36", "query-no-router-alert-ignored", H, SHOULD, 1, V23, "RFC 3376 9.1; RFC 9776 9.1",
	 "hosts should ignore v2 and v3 queries without the Router Alert option", h_no_ra},
	{"H37", "gq-to-group-ignored", H, SHOULD, 1, V23, "RFC 3376 9.1; RFC 9776 9.1",
	 "hosts should ignore a General Query not sent to 224.0.0.1", h_gq_dst},
	{"H38", "query-fragment-ignored", H, MUST, 1, V23, "RFC 791 3.2; RFC 1122 3.3.2",
	 "a first fragment whose rest never comes is never delivered, so the query in it is not acted on", h_frag},
	{"H39", "query-unicast-group-ignored", H, SHOULD, 1, V23, "RFC 3376 4.1.3; RFC 9776 4.1.3; RFC 2236 2.4",
	 "a group query names a multicast group: one for a unicast address triggers no answer", h_group},
	{"H40", "query-trailing-answered", H, MUST, 0, V3, "RFC 3376 4.1.10, 7.1; RFC 9776 4.1.10, 7.1",
	 "bytes after a v3 query are ignored and the query is processed", h_trailing},
	{"H41", "unknown-type-ignored", H, MUST, 0, VALL, "RFC 3376 4; RFC 9776 4; RFC 2236 2",
	 "a message of an unknown type is silently ignored: a valid query after it is still answered", h_unknown},
	{"H42", "query-from-zero-answered", H, SHOULD, 0, V23, "RFC 3376 5.2; RFC 9776 5.2; RFC 4541 2.1.1",
	 "a query from source 0.0.0.0 (a snooping switch's proxy query) is a valid query and is answered", h_src0},
	{"H43", "fallback-v2", H, MUST, 0, V3, "RFC 3376 7.2.1; RFC 9776 7.2.1",
	 "after hearing a v2 query a v3 host is in v2 compatibility mode and answers with v2 reports",
	 h_fallback_v2},
	{"H44", "fallback-v1", H, MUST, 0, V3, "RFC 3376 7.2.1; RFC 9776 7.2.1",
	 "after hearing a v1 query (Max Resp 0) a v3 host answers with v1 reports within 10 s", h_fallback_v1},
	{"H45", "fallback-return", H, MUST, 0, V3, "RFC 3376 7.2.1, 8.12 (erratum 4375); RFC 9776 7.2.1, 8.12",
	 "the host returns to v3 when the Older Version Querier Present timer (RV * QI + Max Resp Time) runs out",
	 h_return_v3},
};
const size_t ipk_conform_host_nchecks = sizeof(ipk_conform_host_checks) / sizeof(ipk_conform_host_checks[0]);
