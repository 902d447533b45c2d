/* fuzz_querier.c - fuzz harness: sequences of IGMP messages and clock steps through the querier state machine, with the table's invariants checked after every step. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: steps, each starting with an opcode byte (low 3 bits) whose high 5 bits scale the clock
 * step before it (0..31 x 250 ms), then operands:
 *   0 tick                       -
 *   1 v3 report, one record      type, group, n (0..7), n source bytes
 *   2 v1/v2 report or leave      kind (0 v1, 1 v2, 2 leave, 3 leave to a unicast address), group
 *   3 query                      from, group (0: general), flags (bit 0 S, bits 1-2 version),
 *                                mrc, n (0..7), n source bytes
 *   4 raw datagram               n, then n bytes given to ipk_querier_input as they are
 *   5 long clock step            count x 60 s
 * Groups are 239.1.0.<byte>, 224.0.0.<byte> when the byte is >= 0xf0; sources 198.18.1.<byte>;
 * peers 198.18.0.<byte> (we are 198.18.0.100). Small pools make the full-pool paths reachable.
 */

#define MAXG 16
#define MAXS 48

static struct ipk_querier q;
static uint8_t mem[1 << 16];
static uint8_t dg[2048];
static uint64_t now;
static uint32_t max_gmi; /* the largest GMI/OHPI in use so far (a non-querier adopts the querier's) */
static uint64_t nev[16];  /* events seen, by type */
static uint64_t ninput;   /* ipk_querier_input() calls */
static struct ipk_querier_counters last; /* the counters after the step before */

static void on_event(void *arg, const struct ipk_querier_event *ev)
{
	(void)arg;
	if (ev->now_ms > now)
		abort(); /* events never come from the future */
	if (ev->type >= sizeof(nev) / sizeof(nev[0]))
		abort();
	nev[ev->type]++;
	if (ev->type == IPK_QEV_SEND) {
		const struct ipk_querier_query *x = ev->query;
		if (!q.is_querier || x->nsrcs > IPK_QUERIER_DEFAULT_QUERY_SOURCES)
			abort(); /* only the querier sends */
		if (x->group == 0 && (x->nsrcs || x->s))
			abort();
		if (x->dst != (x->group ? x->group : IPK_IGMP_ALL_SYSTEMS))
			abort();
	}
}

static uint32_t group_of(uint8_t b)
{
	return b >= 0xf0 ? IPK_IP4_ADDR(224, 0, 0, b & 0x0f) : IPK_IP4_ADDR(239, 1, 0, b);
}

static size_t finish(size_t msglen, uint32_t src, uint32_t dst)
{
	struct ipk_ip4 h;
	uint8_t msg[1024];
	int n;
	memcpy(msg, dg + IPK_IGMP_HDRROOM, msglen);
	ipk_igmp_ip4_defaults(msg, msglen, src, &h);
	if (dst)
		h.dst = dst;
	n = ipk_ip4_marshal(&h, msglen, 0, dg, sizeof(dg));
	if (n < 20)
		abort();
	memcpy(dg + n, msg, msglen);
	return (size_t)n + msglen;
}

/* Hear a datagram now. */
static void feed(const uint8_t *d, size_t len)
{
	ninput++;
	(void)ipk_querier_input(&q, d, len, now);
}

/* The counters never go back, and agree with the events and the calls seen. */
static void check_counters(const struct ipk_querier_counters *c)
{
	uint64_t a[sizeof(*c) / 8], b[sizeof(*c) / 8];
	memcpy(a, c, sizeof(a));
	memcpy(b, &last, sizeof(b));
	for (size_t k = 0; k < sizeof(a) / sizeof(a[0]); k++)
		if (a[k] < b[k])
			abort();
	last = *c;
	if (c->rx_messages != ninput ||
	    c->tx_general + c->tx_group + c->tx_group_source != nev[IPK_QEV_SEND] ||
	    c->groups_added != nev[IPK_QEV_GROUP_ADD] || c->groups_deleted != nev[IPK_QEV_GROUP_DEL] ||
	    c->elections != nev[IPK_QEV_ELECTION] || c->timers_expired != nev[IPK_QEV_TIMER] ||
	    c->pool_full != nev[IPK_QEV_FULL] || c->rx_ignored > c->rx_messages)
		abort();
}

static void tmin(uint32_t *m, uint32_t ms)
{
	if (ms && ms < *m)
		*m = ms;
}

/* Every invariant of the table, walked from the public read functions. */
static void check(void)
{
	struct ipk_querier_status st;
	struct ipk_querier_group g;
	uint32_t cur = 0, ng = 0, ns = 0, soonest = UINT32_MAX; /* the first running timer */
	ipk_querier_status(&q, now, &st);
	check_counters(&st.counters);
	tmin(&soonest, st.general_query_ms);
	tmin(&soonest, st.other_querier_present_ms);
	if (st.gmi_ms > max_gmi)
		max_gmi = st.gmi_ms;
	if (st.ohpi_ms != st.gmi_ms)
		abort();
	if (st.ngroups > MAXG || st.nsources > MAXS)
		abort();
	if (ipk_querier_next_deadline(&q) <= now)
		abort(); /* everything due has run */
	if (st.querier != (st.other_querier_present_ms == 0))
		abort();
	if (st.querier && st.general_query_ms == 0)
		abort();
	while (ipk_querier_group_next(&q, &cur, now, &g)) {
		struct ipk_querier_source s;
		uint32_t sc = 0, n = 0;
		struct ipk_querier_group again;
		ng++;
		if (!ipk_querier_group_find(&q, g.group, now, &again) || again.id_ != g.id_)
			abort();
		if (g.group_timer_ms > max_gmi || g.v1_host_timer_ms > max_gmi ||
		    g.v2_host_timer_ms > max_gmi)
			abort();
		tmin(&soonest, g.group_timer_ms);
		tmin(&soonest, g.v1_host_timer_ms);
		tmin(&soonest, g.v2_host_timer_ms);
		if (g.filter_mode == IPK_QUERIER_INCLUDE) {
			if (g.group_timer_ms != 0 || g.nsources == 0)
				abort(); /* no group timer in INCLUDE, no empty INCLUDE group */
		} else if (g.filter_mode != IPK_QUERIER_EXCLUDE || g.group_timer_ms == 0) {
			abort();
		}
		{
			unsigned want = g.v1_host_timer_ms ? 1 : g.v2_host_timer_ms ? 2 : 3;
			if (g.compat_version != (want < q.cfg.version ? want : q.cfg.version))
				abort(); /* 7.3.2, capped by the querier version */
		}
		while (ipk_querier_source_next(&q, &g, &sc, now, &s)) {
			n++;
			if (s.timer_ms > max_gmi || s.forwarding != (s.timer_ms != 0))
				abort();
			if (g.filter_mode == IPK_QUERIER_INCLUDE && !s.forwarding)
				abort(); /* INCLUDE has no source without a running timer */
			tmin(&soonest, s.timer_ms);
			if (n > MAXS)
				abort();
		}
		if (n != g.nsources)
			abort();
		ns += n;
	}
	if (ng != st.ngroups || ns != st.nsources)
		abort();
	if (st.counters.groups_added - st.counters.groups_deleted != st.ngroups)
		abort();
	if (soonest != UINT32_MAX && ipk_querier_next_deadline(&q) > now + soonest)
		abort(); /* the next deadline may be early, never late (docs/querier.md) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipk_querier_cfg c;
	size_t i = 0;
	uint32_t srcs[8];

	ipk_querier_cfg_default(&c);
	c.address = IPK_IP4_ADDR(198, 18, 0, 100);
	c.max_groups = MAXG;
	c.max_sources = MAXS;
	c.query_interval_ms = 20000;
	c.query_response_interval_ms = 2000;
	if (size && (data[0] & 0x80)) {
		c.version = (uint8_t)(1 + data[0] % 3);
		c.max_query_sources = 2; /* splits source queries in several messages */
		i = 1;
	}
	now = 1000;
	max_gmi = 0;
	ninput = 0;
	memset(nev, 0, sizeof(nev));
	memset(&last, 0, sizeof(last));
	if (ipk_querier_init(&q, &c, mem, sizeof(mem), now, on_event, NULL) != 0)
		abort();
	while (i < size) {
		uint8_t op = data[i++];
		uint8_t b[5] = {0};
		struct ipk_wbuf w;
		now += (uint64_t)(op >> 3) * 250;
		(void)ipk_querier_tick(&q, now);
		for (int k = 0; k < 5 && i + (size_t)k < size; k++)
			b[k] = data[i + (size_t)k];
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		switch (op & 7) {
		case 1: {
			uint16_t n = b[2] & 7;
			struct ipk_igmp_rec_spec r = {.type = b[0], .group = group_of(b[1]), .nsrcs = n,
						      .srcs = srcs};
			i += 3;
			for (uint16_t k = 0; k < n; k++)
				srcs[k] = IPK_IP4_ADDR(198, 18, 1, i < size ? data[i++] : 0);
			if (ipk_igmp_put_v3_report(&w, &r, 1) != 0)
				abort();
			feed(dg, finish(w.len, IPK_IP4_ADDR(198, 18, 0, 7), 0));
			break;
		}
		case 2: {
			static const uint8_t type[4] = {IPK_IGMP_V1_REPORT, IPK_IGMP_V2_REPORT,
							IPK_IGMP_V2_LEAVE, IPK_IGMP_V2_LEAVE};
			i += 2;
			if (ipk_igmp_put_v2(&w, type[b[0] & 3], 0, group_of(b[1])) != 0)
				abort();
			feed(dg, finish(w.len, IPK_IP4_ADDR(198, 18, 0, 7), (b[0] & 3) == 3 ? c.address : 0));
			break;
		}
		case 3: {
			uint16_t n = b[4] & 7;
			uint32_t grp = b[1] ? group_of(b[1]) : 0;
			int ver = (b[2] >> 1) & 3;
			i += 5;
			for (uint16_t k = 0; k < n; k++)
				srcs[k] = IPK_IP4_ADDR(198, 18, 1, i < size ? data[i++] : 0);
			if (ver == 3 || ver == 0) {
				struct ipk_igmp_v3q x = {.mrc = b[3], .s = b[2] & 1, .qrv = 2, .qqic = 20,
							 .group = grp, .srcs = srcs, .nsrcs = grp ? n : 0};
				if (ipk_igmp_put_v3_query(&w, &x) != 0)
					abort();
			} else if (ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, ver == 1 ? 0 : b[3], grp) != 0) {
				abort();
			}
			feed(dg, finish(w.len, IPK_IP4_ADDR(198, 18, 0, b[0]), 0));
			break;
		}
		case 4: {
			size_t n = b[0];
			i += 1;
			if (n > size - (i < size ? i : size))
				n = size - (i < size ? i : size);
			feed(data + i, n);
			i += n;
			break;
		}
		case 5:
			i += 1;
			now += (uint64_t)b[0] * 60000;
			(void)ipk_querier_tick(&q, now);
			break;
		default:
			(void)ipk_querier_tick(&q, now);
			break;
		}
		check();
	}
	/* Silence for longer than every timer: the table empties and we are querier. */
	now += 10u * (uint64_t)max_gmi;
	(void)ipk_querier_tick(&q, now);
	check();
	{
		struct ipk_querier_status st;
		ipk_querier_status(&q, now, &st);
		if (st.ngroups || st.nsources || !st.querier)
			abort();
	}
	return 0;
}
