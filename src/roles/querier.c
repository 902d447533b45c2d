/* querier.c - the IGMP router-side state machine of querier.h: group table (hash), timer heap, election, the RFC 3376/9776 6.4 transitions, specific queries and compatibility modes. */
#include <ipv4kit/error.h>
#include <ipv4kit/igmp.h>
#include <ipv4kit/ip4.h>
#include <ipv4kit/querier.h>

#include "role.h"

#include <string.h>

/* A group record. Deadlines are absolute ms on the caller's clock; 0 means not running. */
struct ipk_qgroup_ {
	uint64_t key;       /* heap key (see the timer heap below) */
	uint64_t timer;     /* group timer (EXCLUDE mode only) */
	uint64_t v1_at;     /* IGMPv1 host present */
	uint64_t v2_at;     /* IGMPv2 host present */
	uint64_t rexmit_at; /* next specific-query retransmission */
	uint32_t addr;
	uint32_t hnext;     /* hash chain or free list: index + 1 */
	uint32_t src_head;  /* first source: index + 1 */
	uint32_t nsrc;
	uint32_t hpos;      /* heap position + 1, 0 when not in the heap */
	uint8_t used;
	uint8_t mode;       /* IPK_QUERIER_INCLUDE / _EXCLUDE */
	uint8_t compat;     /* 1..3 */
	uint8_t g_rexmit;   /* group-specific queries still to send */
	uint8_t seq;        /* transmissions since the last Send Q action started */
};

struct ipk_qsource_ {
	uint64_t key;       /* heap key (see the timer heap below) */
	uint64_t timer;     /* deadline, 0: not running (EXCLUDE mode: the exclude list) */
	uint32_t addr;
	uint32_t group;     /* group index */
	uint32_t next, prev; /* the group's list, index + 1 */
	uint32_t hnext;     /* hash chain or free list, index + 1 */
	uint32_t hpos;
	uint8_t used;
	uint8_t rexmit;     /* group-and-source-specific queries still to carry it */
	uint8_t mark;       /* scratch during one record: 1 in the record, 2 to query */
};

#define MAX_POOL (1u << 24)
#define QSRC_MAX IPK_QUERIER_DEFAULT_QUERY_SOURCES
#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* ---- configuration ---- */

void ipk_querier_cfg_default(struct ipk_querier_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->version = 3;
	c->robustness = 2;
	c->query_interval_ms = 125000;
	c->query_response_interval_ms = 10000;
	c->last_member_interval_ms = 1000;
	c->max_groups = 1024;
	c->max_sources = 8192;
}

int ipk_querier_cfg_check(const struct ipk_querier_cfg *c)
{
	if (c->version < 1 || c->version > 3 || c->robustness < 1 || c->robustness > 7)
		return IPK_E_INVAL;
	if (c->query_interval_ms < 2 || c->query_interval_ms > 31744000u)
		return IPK_E_INVAL;
	if (c->query_response_interval_ms < 1 ||
	    c->query_response_interval_ms >= c->query_interval_ms)
		return IPK_E_INVAL;
	if (c->last_member_interval_ms < 1 || c->last_member_interval_ms > 3174400u)
		return IPK_E_INVAL;
	if (c->startup_query_interval_ms > c->query_interval_ms || c->last_member_count > 7 ||
	    c->startup_query_count > 7)
		return IPK_E_INVAL;
	if (c->max_groups == 0 || c->max_groups > MAX_POOL || c->max_sources > MAX_POOL)
		return IPK_E_INVAL;
	if (c->max_query_sources > QSRC_MAX)
		return IPK_E_INVAL;
	if (!(c->time_scale >= 0 && c->time_scale <= 1e6)) /* NaN fails too */
		return IPK_E_INVAL;
	return 0;
}

uint32_t ipk_querier_sqi(const struct ipk_querier_cfg *c)
{
	return c->startup_query_interval_ms ? c->startup_query_interval_ms : c->query_interval_ms / 4;
}

unsigned ipk_querier_sqc(const struct ipk_querier_cfg *c)
{
	return c->startup_query_count ? c->startup_query_count : c->robustness;
}

unsigned ipk_querier_lmqc(const struct ipk_querier_cfg *c)
{
	return c->last_member_count ? c->last_member_count : c->robustness;
}

uint32_t ipk_querier_gmi(const struct ipk_querier_cfg *c)
{
	return c->robustness * c->query_interval_ms + c->query_response_interval_ms;
}

uint32_t ipk_querier_ohpi(const struct ipk_querier_cfg *c)
{
	return ipk_querier_gmi(c);
}

uint32_t ipk_querier_oqpi(const struct ipk_querier_cfg *c)
{
	return c->robustness * c->query_interval_ms + c->query_response_interval_ms / 2;
}

uint32_t ipk_querier_lmqt(const struct ipk_querier_cfg *c)
{
	return c->last_member_interval_ms * ipk_querier_lmqc(c);
}


/* Offsets of the regions in the caller's memory; returns the total, 0 on overflow. */
static size_t layout(uint32_t ng, uint32_t ns, size_t off[6])
{
	uint64_t sz[6], total = 0;
	if (ng == 0 || ng > MAX_POOL || ns > MAX_POOL)
		return 0;
	sz[0] = (uint64_t)ng * sizeof(struct ipk_qgroup_);
	sz[1] = (uint64_t)ns * sizeof(struct ipk_qsource_);
	sz[2] = (uint64_t)ipk_role_pow2(ng) * 4;
	sz[3] = (uint64_t)ipk_role_pow2(ns ? ns : 1) * 4;
	sz[4] = ((uint64_t)ng + ns) * 4;
	sz[5] = (uint64_t)QSRC_MAX * 4;
	for (int i = 0; i < 6; i++) {
		off[i] = (size_t)total;
		total += ALIGN8(sz[i]);
	}
	if (total > (uint64_t)SIZE_MAX - 8)
		return 0;
	return (size_t)total + 8; /* room to align the start */
}

size_t ipk_querier_mem_size(uint32_t max_groups, uint32_t max_sources)
{
	size_t off[6];
	return layout(max_groups, max_sources, off);
}

/* ---- events ---- */

static void emit(struct ipk_querier *q, struct ipk_querier_event *ev)
{
	ev->now_ms = q->now;
	if (q->cb)
		q->cb(q->cb_arg, ev);
}

static void emit_simple(struct ipk_querier *q, uint8_t type, uint32_t group, uint32_t source,
			uint8_t old, uint8_t new_)
{
	struct ipk_querier_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.group = group;
	ev.source = source;
	ev.old = old;
	ev.new_ = new_;
	emit(q, &ev);
}

static void emit_timer(struct ipk_querier *q, uint8_t timer, uint32_t group, uint32_t source)
{
	struct ipk_querier_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_QEV_TIMER;
	ev.timer = timer;
	ev.group = group;
	ev.source = source;
	q->ctr.timers_expired++;
	emit(q, &ev);
}

static void emit_finding(struct ipk_querier *q, int code, size_t off, uint32_t from, uint32_t to,
			 uint32_t group)
{
	struct ipk_querier_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_QEV_FINDING;
	ev.code = code;
	ev.offset = (uint32_t)off;
	ev.from = from;
	ev.to = to;
	ev.group = group;
	q->ctr.findings++;
	emit(q, &ev);
}

/* ---- timer heap: ids are index << 1 | kind (0 group, 1 source) ----
 *
 * Each record in the heap has a key, the time it is scheduled at; its real deadline is its timer
 * (source) or the earliest of its timers (group). A deadline that moves earlier moves the record
 * up at once (O(log n)); one that moves later, as every refreshing report does, costs nothing:
 * the record is rescheduled when its old key comes up (at most once per timer period). So
 * key <= deadline holds for every record in the heap, and a stale key is only ever early. */

static uint64_t *hkey_p(struct ipk_querier *q, uint32_t id)
{
	return (id & 1) ? &q->sources[id >> 1].key : &q->groups[id >> 1].key;
}

static uint64_t hkey(const struct ipk_querier *q, uint32_t id)
{
	return (id & 1) ? q->sources[id >> 1].key : q->groups[id >> 1].key;
}

static uint32_t *hpos(struct ipk_querier *q, uint32_t id)
{
	return (id & 1) ? &q->sources[id >> 1].hpos : &q->groups[id >> 1].hpos;
}


/* The real deadline of a record (0: nothing runs). */
static uint64_t deadline_of(const struct ipk_querier *q, uint32_t id)
{
	const struct ipk_qgroup_ *g;
	if (id & 1)
		return q->sources[id >> 1].timer;
	g = &q->groups[id >> 1];
	return ipk_role_min_running(ipk_role_min_running(g->timer, g->v1_at), ipk_role_min_running(g->v2_at, g->rexmit_at));
}

static void hset(struct ipk_querier *q, uint32_t pos, uint32_t id)
{
	q->heap[pos] = id;
	*hpos(q, id) = pos + 1;
}

static void sift_up(struct ipk_querier *q, uint32_t pos)
{
	uint32_t id = q->heap[pos];
	uint64_t k = hkey(q, id);
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (hkey(q, q->heap[parent]) <= k)
			break;
		hset(q, pos, q->heap[parent]);
		pos = parent;
	}
	hset(q, pos, id);
}

static void sift_down(struct ipk_querier *q, uint32_t pos)
{
	uint32_t id = q->heap[pos];
	uint64_t k = hkey(q, id);
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= q->heap_len)
			break;
		if (c + 1 < q->heap_len && hkey(q, q->heap[c + 1]) < hkey(q, q->heap[c]))
			c++;
		if (k <= hkey(q, q->heap[c]))
			break;
		hset(q, pos, q->heap[c]);
		pos = c;
	}
	hset(q, pos, id);
}

static void heap_remove(struct ipk_querier *q, uint32_t id)
{
	uint32_t *p = hpos(q, id);
	if (*p) {
		uint32_t pos = *p - 1, last = q->heap[--q->heap_len];
		*p = 0;
		if (pos != q->heap_len) {
			hset(q, pos, last);
			sift_up(q, pos);
			sift_down(q, *hpos(q, last) - 1);
		}
	}
}

/* After a deadline of id changed: schedule it earlier at once, leave later moves lazy. */
static void heap_sched(struct ipk_querier *q, uint32_t id)
{
	uint64_t want = deadline_of(q, id);
	uint32_t *p = hpos(q, id);
	if (!want)
		return; /* stays until its key comes up, then leaves */
	if (!*p) {
		*hkey_p(q, id) = want;
		hset(q, q->heap_len++, id);
		sift_up(q, q->heap_len - 1);
	} else if (want < hkey(q, id)) {
		*hkey_p(q, id) = want;
		sift_up(q, *p - 1);
	}
}

/* Key id exactly at its deadline (out of the heap when none). */
static void heap_exact(struct ipk_querier *q, uint32_t id)
{
	uint64_t want = deadline_of(q, id);
	uint32_t *p = hpos(q, id);
	if (!want) {
		heap_remove(q, id);
	} else if (!*p) {
		heap_sched(q, id);
	} else {
		*hkey_p(q, id) = want;
		sift_up(q, *p - 1);
		sift_down(q, *p - 1);
	}
}

static void gsched(struct ipk_querier *q, uint32_t gi)
{
	heap_sched(q, gi << 1);
}

static void sset(struct ipk_querier *q, uint32_t si, uint64_t deadline)
{
	q->sources[si].timer = deadline;
	heap_sched(q, si << 1 | 1);
}


/* ---- group and source tables ---- */


static uint32_t ghash(const struct ipk_querier *q, uint32_t addr)
{
	return ipk_role_mix32(addr) & (q->nbuckets - 1);
}

static uint32_t shash(const struct ipk_querier *q, uint32_t gi, uint32_t addr)
{
	return ipk_role_mix32(addr ^ ipk_role_mix32(gi + 1)) & (q->nsbuckets - 1);
}

/* Index + 1 of the group, or 0. */
static uint32_t gfind(const struct ipk_querier *q, uint32_t addr)
{
	for (uint32_t i = q->buckets[ghash(q, addr)]; i; i = q->groups[i - 1].hnext)
		if (q->groups[i - 1].addr == addr)
			return i;
	return 0;
}

static uint32_t sfind(const struct ipk_querier *q, uint32_t gi, uint32_t addr)
{
	for (uint32_t i = q->sbuckets[shash(q, gi, addr)]; i; i = q->sources[i - 1].hnext)
		if (q->sources[i - 1].addr == addr && q->sources[i - 1].group == gi)
			return i;
	return 0;
}

static uint8_t compat_of(const struct ipk_querier *q, const struct ipk_qgroup_ *g)
{
	uint8_t c = g->v1_at ? 1 : g->v2_at ? 2 : 3;
	return c < q->cfg.version ? c : q->cfg.version;
}

static uint32_t gadd(struct ipk_querier *q, uint32_t addr)
{
	uint32_t i = q->group_free, b;
	struct ipk_qgroup_ *g;
	if (!i) {
		q->ctr.pool_full++;
		emit_simple(q, IPK_QEV_FULL, addr, 0, 0, 0);
		return 0;
	}
	g = &q->groups[i - 1];
	q->group_free = g->hnext;
	memset(g, 0, sizeof(*g));
	g->used = 1;
	g->addr = addr;
	g->mode = IPK_QUERIER_INCLUDE;
	g->compat = compat_of(q, g);
	b = ghash(q, addr);
	g->hnext = q->buckets[b];
	q->buckets[b] = i;
	q->ngroups++;
	q->ctr.groups_added++;
	emit_simple(q, IPK_QEV_GROUP_ADD, addr, 0, 0, 0);
	return i;
}

static uint32_t sadd(struct ipk_querier *q, uint32_t gi, uint32_t addr)
{
	uint32_t i = q->source_free, b;
	struct ipk_qgroup_ *g = &q->groups[gi];
	struct ipk_qsource_ *s;
	if (!i) {
		q->ctr.pool_full++;
		emit_simple(q, IPK_QEV_FULL, g->addr, addr, 1, 0);
		return 0;
	}
	s = &q->sources[i - 1];
	q->source_free = s->hnext;
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->addr = addr;
	s->group = gi;
	s->next = g->src_head;
	if (g->src_head)
		q->sources[g->src_head - 1].prev = i;
	g->src_head = i;
	g->nsrc++;
	b = shash(q, gi, addr);
	s->hnext = q->sbuckets[b];
	q->sbuckets[b] = i;
	q->nsources++;
	return i;
}

static void sdel(struct ipk_querier *q, uint32_t si)
{
	struct ipk_qsource_ *s = &q->sources[si];
	struct ipk_qgroup_ *g = &q->groups[s->group];
	uint32_t *pp = &q->sbuckets[shash(q, s->group, s->addr)];
	s->timer = 0;
	heap_remove(q, si << 1 | 1);
	while (*pp != si + 1)
		pp = &q->sources[*pp - 1].hnext;
	*pp = s->hnext;
	if (s->prev)
		q->sources[s->prev - 1].next = s->next;
	else
		g->src_head = s->next;
	if (s->next)
		q->sources[s->next - 1].prev = s->prev;
	g->nsrc--;
	q->nsources--;
	s->used = 0;
	s->hnext = q->source_free;
	q->source_free = si + 1;
}

static void gdel(struct ipk_querier *q, uint32_t gi)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	uint32_t *pp = &q->buckets[ghash(q, g->addr)];
	uint32_t addr = g->addr;
	while (g->src_head)
		sdel(q, g->src_head - 1);
	g->timer = g->v1_at = g->v2_at = g->rexmit_at = 0;
	heap_remove(q, gi << 1);
	while (*pp != gi + 1)
		pp = &q->groups[*pp - 1].hnext;
	*pp = g->hnext;
	g->used = 0;
	g->hnext = q->group_free;
	q->group_free = gi + 1;
	q->ngroups--;
	q->ctr.groups_deleted++;
	emit_simple(q, IPK_QEV_GROUP_DEL, addr, 0, 0, 0);
}

/* Change a group's filter mode or compatibility version, reporting it (MODE or COMPAT event). */
static void set_field(struct ipk_querier *q, struct ipk_qgroup_ *g, uint8_t *field, uint8_t v,
		      uint8_t ev)
{
	if (*field != v) {
		uint8_t old = *field;
		*field = v;
		emit_simple(q, ev, g->addr, 0, old, v);
	}
}

static void set_mode(struct ipk_querier *q, struct ipk_qgroup_ *g, uint8_t mode)
{
	set_field(q, g, &g->mode, mode, IPK_QEV_MODE);
}

static void update_compat(struct ipk_querier *q, struct ipk_qgroup_ *g)
{
	set_field(q, g, &g->compat, compat_of(q, g), IPK_QEV_COMPAT);
}

/* ---- queries ---- */

static uint8_t v3_code(uint32_t ms)
{
	return ipk_igmp_code_encode(ms / 100);
}

static void send_query(struct ipk_querier *q, uint32_t group, uint8_t s, uint8_t seq,
		       const uint32_t *srcs, uint16_t n)
{
	struct ipk_querier_query qq;
	struct ipk_querier_event ev;
	uint32_t mrt = group ? q->cfg.last_member_interval_ms : q->cfg.query_response_interval_ms;
	memset(&qq, 0, sizeof(qq));
	qq.version = q->cfg.version;
	qq.group = group;
	qq.dst = group ? group : IPK_IGMP_ALL_SYSTEMS;
	qq.retransmission = seq;
	if (q->cfg.version == 2)
		qq.mrc = (uint8_t)(mrt / 100 > 255 ? 255 : mrt / 100);
	if (q->cfg.version == 3) {
		qq.mrc = v3_code(mrt);
		qq.s = s;
		qq.qrv = q->cfg.robustness;
		qq.qqic = ipk_igmp_code_encode(q->cfg.query_interval_ms / 1000);
		qq.srcs = srcs;
		qq.nsrcs = n;
	}
	if (!group)
		q->ctr.tx_general++;
	else if (n)
		q->ctr.tx_group_source++;
	else
		q->ctr.tx_group++;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_QEV_SEND;
	ev.group = group;
	ev.query = &qq;
	emit(q, &ev);
}

/* One group-specific query (6.6.3.1): S set when the group timer is above LMQT. */
static void tx_group_query(struct ipk_querier *q, struct ipk_qgroup_ *g)
{
	uint8_t s = ipk_role_remaining(g->timer, q->now) > q->lmqt;
	g->g_rexmit--;
	send_query(q, g->addr, s, g->seq, NULL, 0);
}

/* The group-and-source-specific queries of one transmission (6.6.3.2): sources with
 * retransmissions left (and, when only_marked, marked to query), split by timer > LMQT (S set)
 * and <= LMQT (S clear), each in messages of at most max_query_sources. */
static void tx_source_queries(struct ipk_querier *q, struct ipk_qgroup_ *g, int only_marked)
{
	for (int s = 1; s >= 0; s--) {
		uint16_t n = 0;
		for (uint32_t i = g->src_head; i; i = q->sources[i - 1].next) {
			struct ipk_qsource_ *x = &q->sources[i - 1];
			if (!x->rexmit || (only_marked && !(x->mark & 2)))
				continue;
			if ((ipk_role_remaining(x->timer, q->now) > q->lmqt) != s)
				continue;
			x->rexmit--;
			q->qsrcs[n++] = x->addr;
			if (n == q->cfg.max_query_sources) {
				send_query(q, g->addr, (uint8_t)s, g->seq, q->qsrcs, n);
				n = 0;
			}
		}
		if (n)
			send_query(q, g->addr, (uint8_t)s, g->seq, q->qsrcs, n);
	}
}

static int rexmit_left(const struct ipk_querier *q, const struct ipk_qgroup_ *g)
{
	if (g->g_rexmit)
		return 1;
	for (uint32_t i = g->src_head; i; i = q->sources[i - 1].next)
		if (q->sources[i - 1].rexmit)
			return 1;
	return 0;
}

static void schedule_rexmit(struct ipk_querier *q, uint32_t gi)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	if (!rexmit_left(q, g))
		g->rexmit_at = 0;
	else if (!g->rexmit_at)
		g->rexmit_at = q->now + q->cfg.last_member_interval_ms;
	gsched(q, gi);
}

/* "Send Q(G)" (6.6.3.1): querier only, v2 or v3. */
static void action_query_group(struct ipk_querier *q, uint32_t gi)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	if (!q->is_querier || q->cfg.version < 2)
		return;
	if (ipk_role_remaining(g->timer, q->now) > q->lmqt)
		g->timer = q->now + q->lmqt;
	if (!g->g_rexmit && !g->rexmit_at)
		g->seq = 0;
	g->g_rexmit = (uint8_t)ipk_querier_lmqc(&q->cfg);
	if (q->now + q->lmqt > q->lmq_until)
		q->lmq_until = q->now + q->lmqt;
	tx_group_query(q, g);
	schedule_rexmit(q, gi);
}

/* "Send Q(G,X)" (6.6.3.2) for the sources marked 2: querier only, v3. Clears the marks. */
static void action_query_sources(struct ipk_querier *q, uint32_t gi)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	int any = 0;
	if (q->is_querier && q->cfg.version == 3) {
		for (uint32_t i = g->src_head; i; i = q->sources[i - 1].next) {
			struct ipk_qsource_ *x = &q->sources[i - 1];
			if ((x->mark & 2) && ipk_role_remaining(x->timer, q->now) > q->lmqt) {
				x->rexmit = (uint8_t)ipk_querier_lmqc(&q->cfg);
				sset(q, i - 1, q->now + q->lmqt);
				any = 1;
			} else if (x->mark & 2) {
				x->mark &= (uint8_t)~2; /* already being queried or excluded */
			}
		}
		if (any) {
			if (!g->g_rexmit && !g->rexmit_at)
				g->seq = 0;
			tx_source_queries(q, g, 1);
			schedule_rexmit(q, gi);
		}
	}
	for (uint32_t i = g->src_head; i; i = q->sources[i - 1].next)
		q->sources[i - 1].mark = 0;
}

/* ---- records (6.4) ---- */

/* Apply one record of type t with n sources (big-endian at srcs) to group gi; the group may be
 * deleted on return. */
static void apply_record(struct ipk_querier *q, uint32_t gi, uint8_t t, const uint8_t *srcs,
			 uint16_t n)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	uint64_t gmi_at = q->now + q->gmi;
	int excl = g->mode == IPK_QUERIER_EXCLUDE;
	int is_ex = t == IPK_IGMP_IS_EX || t == IPK_IGMP_TO_EX;
	uint32_t i, next;

	/* mark the existing sources that are in the record (IS_IN and ALLOW need no marks) */
	for (uint16_t k = 0; t != IPK_IGMP_IS_IN && t != IPK_IGMP_ALLOW && k < n; k++) {
		uint32_t si = sfind(q, gi, ipk_igmp_addr(srcs, k));
		if (si)
			q->sources[si - 1].mark = 1;
	}

	if (t == IPK_IGMP_BLOCK) {
		if (!excl) {
			/* INCLUDE(A) BLOCK(B): Send Q(G, A*B) */
			for (i = g->src_head; i; i = q->sources[i - 1].next)
				if (q->sources[i - 1].mark & 1)
					q->sources[i - 1].mark |= 2;
		} else {
			/* EXCLUDE(X,Y) BLOCK(A): (A-X-Y)=Group Timer; Send Q(G, A-Y) */
			for (uint16_t k = 0; k < n; k++) {
				uint32_t a = ipk_igmp_addr(srcs, k), si = sfind(q, gi, a);
				if (!si && (si = sadd(q, gi, a)) != 0) {
					sset(q, si - 1, g->timer);
					q->sources[si - 1].mark = 1;
				}
			}
			for (i = g->src_head; i; i = q->sources[i - 1].next)
				if ((q->sources[i - 1].mark & 1) && q->sources[i - 1].timer)
					q->sources[i - 1].mark |= 2;
		}
		action_query_sources(q, gi);
		return;
	}

	if (!is_ex) {
		/* IS_IN, ALLOW, TO_IN: (B)=GMI; TO_IN also queries A-B (INCLUDE) or X-A and G
		 * (EXCLUDE). Sources not in the record, marked now, are the ones to query. */
		if (t == IPK_IGMP_TO_IN)
			for (i = g->src_head; i; i = q->sources[i - 1].next) {
				struct ipk_qsource_ *x = &q->sources[i - 1];
				if (!(x->mark & 1) && (!excl || x->timer))
					x->mark |= 2;
			}
		for (uint16_t k = 0; k < n; k++) {
			uint32_t a = ipk_igmp_addr(srcs, k), si = sfind(q, gi, a);
			if (!si)
				si = sadd(q, gi, a);
			if (si)
				sset(q, si - 1, gmi_at);
		}
		if (t == IPK_IGMP_TO_IN) {
			action_query_sources(q, gi);
			if (excl)
				action_query_group(q, gi);
		}
		return;
	}

	/* IS_EX, TO_EX */
	{
		uint64_t new_timer = excl ? (t == IPK_IGMP_TO_EX ? g->timer : gmi_at) : 0;
		/* delete the sources not in the record: INCLUDE A-B, EXCLUDE X-A and Y-A */
		for (i = g->src_head; i; i = next) {
			next = q->sources[i - 1].next;
			if (!(q->sources[i - 1].mark & 1))
				sdel(q, i - 1);
		}
		/* the record's new sources: INCLUDE (B-A)=0; EXCLUDE (A-X-Y)=GMI (IS_EX) or
		 * Group Timer (TO_EX) */
		for (uint16_t k = 0; k < n; k++) {
			uint32_t a = ipk_igmp_addr(srcs, k), si = sfind(q, gi, a);
			if (!si && (si = sadd(q, gi, a)) != 0) {
				sset(q, si - 1, new_timer);
				q->sources[si - 1].mark = excl ? 1 : 0; /* INCLUDE: B-A is not queried */
			}
		}
		if (t == IPK_IGMP_TO_EX) /* INCLUDE: Q(G, A*B); EXCLUDE: Q(G, A-Y) */
			for (i = g->src_head; i; i = q->sources[i - 1].next)
				if ((q->sources[i - 1].mark & 1) && q->sources[i - 1].timer)
					q->sources[i - 1].mark |= 2;
		set_mode(q, g, IPK_QUERIER_EXCLUDE);
		if (t == IPK_IGMP_TO_EX)
			action_query_sources(q, gi);
		else
			for (i = g->src_head; i; i = q->sources[i - 1].next)
				q->sources[i - 1].mark = 0;
		g->timer = gmi_at;
		gsched(q, gi);
	}
}

/* A record (or a translated v1/v2 message) for group addr; compat rules of 7.3.2 first. */
static void group_record(struct ipk_querier *q, uint32_t addr, uint8_t t, const uint8_t *srcs,
			 uint16_t n, uint8_t host_version)
{
	uint32_t gi = gfind(q, addr);
	struct ipk_qgroup_ *g;
	if (!gi) {
		/* records that leave a new group INCLUDE({}) make no state */
		if ((t == IPK_IGMP_IS_IN || t == IPK_IGMP_ALLOW || t == IPK_IGMP_TO_IN) && n == 0 &&
		    host_version == 3)
			return;
		if (t == IPK_IGMP_BLOCK)
			return;
		if (!(gi = gadd(q, addr)))
			return;
	}
	g = &q->groups[gi - 1];
	if (host_version == 1 || host_version == 2) {
		uint64_t at = q->now + q->ohpi;
		if (host_version == 1)
			g->v1_at = at;
		else
			g->v2_at = at;
		gsched(q, gi - 1);
		update_compat(q, g);
	}
	if (g->compat < 3) {
		if (t == IPK_IGMP_BLOCK)
			goto done;
		if (t == IPK_IGMP_TO_EX)
			n = 0;
		if (g->compat == 1 && t == IPK_IGMP_TO_IN)
			goto done;
	}
	apply_record(q, gi - 1, t, srcs, n);
done:
	g = &q->groups[gi - 1];
	if (g->used && g->mode == IPK_QUERIER_INCLUDE && g->nsrc == 0)
		gdel(q, gi - 1);
}

/* ---- election and queries heard ---- */

/* GMI, OQPI and the older host present interval from a robustness, query interval and query
 * response interval, each 0 for the configured value (8.4, 8.5, 8.13). */
static void derive(struct ipk_querier *q, unsigned rv, uint32_t qi, uint32_t qri)
{
	uint64_t gmi, oqpi;
	rv = rv ? rv : q->cfg.robustness;
	qi = qi ? qi : q->cfg.query_interval_ms;
	qri = qri ? qri : q->cfg.query_response_interval_ms;
	gmi = (uint64_t)rv * qi + qri;
	oqpi = (uint64_t)rv * qi + qri / 2;
	q->gmi = gmi > UINT32_MAX ? UINT32_MAX : (uint32_t)gmi;
	q->oqpi = oqpi > UINT32_MAX ? UINT32_MAX : (uint32_t)oqpi;
	q->ohpi = q->gmi;
}


/* Election order: lower address wins; 0.0.0.0 (a proxy querier) never wins. */
static uint64_t elect_key(uint32_t a)
{
	return a ? a : (uint64_t)1 << 32;
}

static void become(struct ipk_querier *q, int querier, uint32_t addr)
{
	uint8_t old = q->is_querier;
	q->querier_addr = addr;
	if (old == querier)
		return;
	q->is_querier = (uint8_t)querier;
	q->ctr.elections++;
	{
		struct ipk_querier_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = IPK_QEV_ELECTION;
		ev.old = old;
		ev.new_ = (uint8_t)querier;
		ev.from = addr;
		emit(q, &ev);
	}
}

static void heard_query(struct ipk_querier *q, const struct ipk_igmp *m, uint32_t src, uint32_t dst,
			size_t base)
{
	uint64_t k = elect_key(src);
	if (m->version != q->cfg.version)
		emit_finding(q, IPK_E_IGMP_QUERY_VERSION, base, src, dst, m->group);
	if (src != q->cfg.address && k < elect_key(q->cfg.address)) {
		emit_finding(q, IPK_E_IGMP_QUERY_LOWER, base, src, dst, m->group);
		/* a non-querier refreshes only for the current querier or a better one; a v2
		 * querier keeps querying until its group-specific queries are answered (RFC 2236
		 * section 3: the transition is ignored during that time) */
		if (q->is_querier && q->cfg.version == 2 && q->now < q->lmq_until) {
			/* ignored */
		} else if (q->is_querier || k <= elect_key(q->querier_addr)) {
			/* 4.1.6, 4.1.7: a non-querier adopts the querier's QRV and QQI (and its
			 * QRI from a general query's Max Resp Code) unless they are 0 */
			if (m->version == 3 && m->group == 0)
				derive(q, m->qrv, ipk_role_heard_ms(q->cfg.time_scale, ipk_igmp_code_decode(m->qqic) * 1000u),
				       ipk_role_heard_ms(q->cfg.time_scale, ipk_igmp_code_decode(m->code) * 100u));
			q->oqp_at = q->now + q->oqpi;
			q->gq_at = 0;
			q->startup_left = 0;
			become(q, 0, src);
		}
	}
	/* 6.6.1: a specific query with S clear lowers the timers it names to LMQT (the querier's:
	 * LMQC times its Max Resp Time; RFC 2236 3 for v2). */
	if (m->group && !m->s) {
		uint32_t gi = gfind(q, m->group);
		uint32_t mrt = ipk_role_heard_ms(q->cfg.time_scale, (m->version == 3 ? ipk_igmp_code_decode(m->code) : m->code) * 100u);
		uint32_t lmqt = mrt ? mrt * ipk_querier_lmqc(&q->cfg) : q->lmqt;
		if (gi) {
			struct ipk_qgroup_ *g = &q->groups[gi - 1];
			if (m->version != 3 || m->nsrcs == 0) {
				if (ipk_role_remaining(g->timer, q->now) > lmqt) {
					g->timer = q->now + lmqt;
					gsched(q, gi - 1);
				}
			} else {
				for (uint16_t k2 = 0; k2 < m->nsrcs; k2++) {
					uint32_t si = sfind(q, gi - 1, ipk_igmp_addr(m->srcs, k2));
					if (si && ipk_role_remaining(q->sources[si - 1].timer, q->now) > lmqt)
						sset(q, si - 1, q->now + lmqt);
				}
			}
		}
	}
}

/* ---- init, input, timers ---- */

int ipk_querier_init(struct ipk_querier *q, const struct ipk_querier_cfg *cfg, void *mem,
		     size_t memlen, uint64_t now_ms, ipk_querier_cb cb, void *cb_arg)
{
	size_t off[6], need;
	uint8_t *base;
	int rc = ipk_querier_cfg_check(cfg);
	if (rc)
		return rc;
	need = layout(cfg->max_groups, cfg->max_sources, off);
	if (!mem || memlen < need)
		return IPK_E_NOSPACE;
	memset(q, 0, sizeof(*q));
	q->cfg = *cfg;
	q->cfg.last_member_count = (uint8_t)ipk_querier_lmqc(cfg);
	q->cfg.startup_query_count = (uint8_t)ipk_querier_sqc(cfg);
	q->cfg.startup_query_interval_ms = ipk_querier_sqi(cfg);
	if (!q->cfg.max_query_sources)
		q->cfg.max_query_sources = QSRC_MAX;
	if (q->cfg.time_scale == 0)
		q->cfg.time_scale = 1;
	derive(q, 0, 0, 0);
	q->lmqt = ipk_querier_lmqt(&q->cfg);
	q->cb = cb;
	q->cb_arg = cb_arg;
	q->now = now_ms;

	base = (uint8_t *)mem + ((8 - ((uintptr_t)mem & 7)) & 7);
	memset(base, 0, need - 8);
	q->groups = (struct ipk_qgroup_ *)(void *)(base + off[0]);
	q->sources = (struct ipk_qsource_ *)(void *)(base + off[1]);
	q->buckets = (uint32_t *)(void *)(base + off[2]);
	q->sbuckets = (uint32_t *)(void *)(base + off[3]);
	q->heap = (uint32_t *)(void *)(base + off[4]);
	q->qsrcs = (uint32_t *)(void *)(base + off[5]);
	q->nbuckets = ipk_role_pow2(cfg->max_groups);
	q->nsbuckets = ipk_role_pow2(cfg->max_sources ? cfg->max_sources : 1);
	for (uint32_t i = 0; i < cfg->max_groups; i++)
		q->groups[i].hnext = i + 2 <= cfg->max_groups ? i + 2 : 0;
	for (uint32_t i = 0; i < cfg->max_sources; i++)
		q->sources[i].hnext = i + 2 <= cfg->max_sources ? i + 2 : 0;
	q->group_free = 1;
	q->source_free = cfg->max_sources ? 1 : 0;

	if (cfg->flags & IPK_QUERIER_F_START_NONQUERIER) {
		q->is_querier = 0;
		q->oqp_at = now_ms + q->oqpi;
	} else {
		q->is_querier = 1;
		q->querier_addr = cfg->address;
		q->startup_left = q->cfg.startup_query_count;
		q->gq_at = now_ms ? now_ms : 1; /* 0 means "not running" */
	}
	return 0;
}

uint64_t ipk_querier_next_deadline(const struct ipk_querier *q)
{
	uint64_t d = ipk_role_min_running(q->gq_at, q->oqp_at);
	if (q->heap_len)
		d = ipk_role_min_running(d, hkey(q, q->heap[0]));
	return d ? d : UINT64_MAX;
}

static void fire_group(struct ipk_querier *q, uint32_t gi, uint64_t t)
{
	struct ipk_qgroup_ *g = &q->groups[gi];
	uint32_t addr = g->addr;
	if (g->v1_at && g->v1_at <= t) {
		g->v1_at = 0;
		emit_timer(q, IPK_QTIMER_V1_HOST, addr, 0);
		update_compat(q, g);
	}
	if (g->v2_at && g->v2_at <= t) {
		g->v2_at = 0;
		emit_timer(q, IPK_QTIMER_V2_HOST, addr, 0);
		update_compat(q, g);
	}
	if (g->rexmit_at && g->rexmit_at <= t) {
		g->rexmit_at = 0;
		g->seq++;
		if (q->is_querier) {
			if (g->g_rexmit)
				tx_group_query(q, g);
			tx_source_queries(q, g, 0);
		} else {
			g->g_rexmit = 0;
			for (uint32_t i = g->src_head; i; i = q->sources[i - 1].next)
				q->sources[i - 1].rexmit = 0;
		}
		schedule_rexmit(q, gi);
	}
	if (g->timer && g->timer <= t) {
		/* 6.5: EXCLUDE group timer: to INCLUDE with the running sources, or delete */
		uint32_t i, next;
		g->timer = 0;
		emit_timer(q, IPK_QTIMER_GROUP, addr, 0);
		for (i = g->src_head; i; i = next) {
			next = q->sources[i - 1].next;
			if (!q->sources[i - 1].timer)
				sdel(q, i - 1);
		}
		set_mode(q, g, IPK_QUERIER_INCLUDE);
	}
	if (g->mode == IPK_QUERIER_INCLUDE && g->nsrc == 0)
		gdel(q, gi);
}

static void fire_source(struct ipk_querier *q, uint32_t si)
{
	struct ipk_qsource_ *s = &q->sources[si];
	uint32_t gi = s->group;
	struct ipk_qgroup_ *g = &q->groups[gi];
	emit_timer(q, IPK_QTIMER_SOURCE, g->addr, s->addr);
	if (g->mode == IPK_QUERIER_EXCLUDE) {
		s->timer = 0; /* 6.3: stays, in the exclude list */
		return;
	}
	sdel(q, si);
	if (g->nsrc == 0)
		gdel(q, gi);
}

unsigned ipk_querier_tick(struct ipk_querier *q, uint64_t now_ms)
{
	unsigned n = 0;
	for (;;) {
		uint64_t d = ipk_querier_next_deadline(q);
		if (d == UINT64_MAX || d > now_ms)
			break;
		if (d > q->now)
			q->now = d;
		if (q->gq_at == d) {
			n++;
			emit_timer(q, IPK_QTIMER_GENERAL, 0, 0);
			send_query(q, 0, 0, 0, NULL, 0);
			if (q->startup_left)
				q->startup_left--;
			q->gq_at = d + (q->startup_left ? q->cfg.startup_query_interval_ms
							 : q->cfg.query_interval_ms);
		} else if (q->oqp_at == d) {
			n++;
			q->oqp_at = 0;
			emit_timer(q, IPK_QTIMER_OTHER_QUERIER, 0, 0);
			become(q, 1, q->cfg.address);
			derive(q, 0, 0, 0); /* our own configuration again */
			q->gq_at = d; /* 6.6.2: a general query at once */
		} else {
			uint32_t id = q->heap[0];
			if (deadline_of(q, id) != d) { /* a stale key: reschedule, nothing is due */
				heap_exact(q, id);
				continue;
			}
			n++;
			if (id & 1)
				fire_source(q, id >> 1);
			else
				fire_group(q, id >> 1, d);
			if ((id & 1) ? q->sources[id >> 1].used : q->groups[id >> 1].used)
				heap_exact(q, id);
		}
	}
	if (now_ms > q->now)
		q->now = now_ms;
	return n;
}

static int is_link_local(uint32_t g)
{
	return (g & 0xffffff00u) == IPK_IP4_ADDR(224, 0, 0, 0);
}

int ipk_querier_input(struct ipk_querier *q, const uint8_t *dgram, size_t len, uint64_t now_ms)
{
	struct ipk_ip4 ip;
	struct ipk_igmp m;
	struct ipk_findings f;
	struct ipk_querier_event ev;
	size_t off = 0;
	const uint8_t *p;
	int rc, strict_drop = 0;

	(void)ipk_querier_tick(q, now_ms);
	q->ctr.rx_messages++;
	rc = ipk_role_rx(dgram, len, &ip, &m, &off);
	if (rc != 0) {
		if (rc < 0)
			emit_finding(q, rc, off, ip.src, ip.dst, 0);
		q->ctr.rx_ignored++;
		return 1;
	}
	p = dgram + ip.hlen;
	memset(&f, 0, sizeof(f));
	(void)ipk_igmp_check(&ip, &m, 0, ip.hlen, &f);

	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_QEV_HEARD;
	ev.msg_type = m.type;
	ev.version = m.version;
	ev.from = ip.src;
	ev.to = ip.dst;
	ev.group = m.group;
	ev.nsrcs = m.type == IPK_IGMP_QUERY ? m.nsrcs : m.nrecs;
	emit(q, &ev);

	for (unsigned i = 0; i < f.n; i++) {
		int code = f.v[i].code;
		if (code == IPK_E_IGMP_DST && m.type == IPK_IGMP_V2_LEAVE && !ipk_ip4_is_multicast(ip.dst))
			code = IPK_E_IGMP_LEAVE_UNICAST;
		if (code == IPK_E_IGMP_TTL || code == IPK_E_IGMP_NO_RA || code == IPK_E_IGMP_LEAVE_UNICAST)
			strict_drop = 1;
		emit_finding(q, code, f.v[i].offset, ip.src, ip.dst, m.group);
	}
	if (!m.checksum_ok) {
		emit_finding(q, IPK_E_IGMP_CHECKSUM, ip.hlen + 2, ip.src, ip.dst, m.group);
		q->ctr.rx_ignored++;
		return 1;
	}
	if (m.version == 0 || ip.mf || ip.frag_off ||
	    (strict_drop && (q->cfg.flags & IPK_QUERIER_F_STRICT))) {
		q->ctr.rx_ignored++;
		return 1;
	}

	switch (m.type) {
	case IPK_IGMP_QUERY:
		q->ctr.rx_queries++;
		heard_query(q, &m, ip.src, ip.dst, ip.hlen);
		return 0;
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT:
	case IPK_IGMP_V2_LEAVE: {
		int leave = m.type == IPK_IGMP_V2_LEAVE;
		uint32_t gi;
		if (m.type == IPK_IGMP_V1_REPORT)
			q->ctr.rx_v1_reports++;
		else if (leave)
			q->ctr.rx_leaves++;
		else
			q->ctr.rx_v2_reports++;
		if (!ipk_ip4_is_multicast(m.group) ||
		    (is_link_local(m.group) && !(q->cfg.flags & IPK_QUERIER_F_LINK_LOCAL))) {
			q->ctr.rx_ignored++;
			return 1;
		}
		if (leave) {
			/* 7.3.2: v1 compatibility (or a v1 querier) ignores leaves */
			gi = gfind(q, m.group);
			if (!gi || q->groups[gi - 1].compat == 1) {
				q->ctr.rx_ignored++;
				return 1;
			}
			group_record(q, m.group, IPK_IGMP_TO_IN, NULL, 0, 3);
			return 0;
		}
		group_record(q, m.group, IPK_IGMP_IS_EX, NULL, 0, m.type == IPK_IGMP_V1_REPORT ? 1 : 2);
		return 0;
	}
	case IPK_IGMP_V3_REPORT: {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		q->ctr.rx_v3_reports++;
		ipk_igmp_rec_iter_init(&it, &m, p);
		while (ipk_igmp_rec_next(&it, &r) == 1) {
			memset(&ev, 0, sizeof(ev));
			ev.type = IPK_QEV_HEARD;
			ev.msg_type = m.type;
			ev.version = 3;
			ev.rec_type = r.type;
			ev.from = ip.src;
			ev.to = ip.dst;
			ev.group = r.group;
			ev.nsrcs = r.nsrcs;
			emit(q, &ev);
			q->ctr.rx_records++;
			if (r.type < IPK_IGMP_IS_IN || r.type > IPK_IGMP_BLOCK) {
				emit_finding(q, IPK_E_IGMP_REC_TYPE, ip.hlen + r.off, ip.src, ip.dst,
					     r.group);
				continue;
			}
			if (!ipk_ip4_is_multicast(r.group) ||
			    (is_link_local(r.group) && !(q->cfg.flags & IPK_QUERIER_F_LINK_LOCAL)))
				continue;
			group_record(q, r.group, r.type, r.srcs, r.nsrcs, 3);
		}
		return 0;
	}
	default:
		q->ctr.rx_ignored++;
		return 1;
	}
}

/* ---- reading ---- */

void ipk_querier_status(const struct ipk_querier *q, uint64_t now_ms, struct ipk_querier_status *s)
{
	memset(s, 0, sizeof(*s));
	s->querier = q->is_querier;
	s->startup_left = q->startup_left;
	s->querier_address = q->querier_addr;
	s->other_querier_present_ms = ipk_role_remaining(q->oqp_at, now_ms);
	s->general_query_ms = ipk_role_remaining(q->gq_at, now_ms);
	s->ngroups = q->ngroups;
	s->nsources = q->nsources;
	s->gmi_ms = q->gmi;
	s->lmqt_ms = q->lmqt;
	s->oqpi_ms = q->oqpi;
	s->ohpi_ms = q->ohpi;
	s->counters = q->ctr;
}

static void group_info(const struct ipk_querier *q, uint32_t gi, uint64_t now,
		       struct ipk_querier_group *out)
{
	const struct ipk_qgroup_ *g = &q->groups[gi];
	memset(out, 0, sizeof(*out));
	out->group = g->addr;
	out->filter_mode = g->mode;
	out->compat_version = g->compat;
	out->group_timer_ms = ipk_role_remaining(g->timer, now);
	out->v1_host_timer_ms = ipk_role_remaining(g->v1_at, now);
	out->v2_host_timer_ms = ipk_role_remaining(g->v2_at, now);
	out->nsources = g->nsrc;
	out->id_ = gi;
}

int ipk_querier_group_next(const struct ipk_querier *q, uint32_t *cursor, uint64_t now_ms,
			   struct ipk_querier_group *g)
{
	while (*cursor < q->cfg.max_groups) {
		uint32_t gi = (*cursor)++;
		if (q->groups[gi].used) {
			group_info(q, gi, now_ms, g);
			return 1;
		}
	}
	return 0;
}

int ipk_querier_group_find(const struct ipk_querier *q, uint32_t group, uint64_t now_ms,
			   struct ipk_querier_group *g)
{
	uint32_t gi = gfind(q, group);
	if (!gi)
		return 0;
	group_info(q, gi - 1, now_ms, g);
	return 1;
}

int ipk_querier_source_next(const struct ipk_querier *q, const struct ipk_querier_group *g,
			    uint32_t *cursor, uint64_t now_ms, struct ipk_querier_source *s)
{
	uint32_t i;
	if (g->id_ >= q->cfg.max_groups || !q->groups[g->id_].used ||
	    q->groups[g->id_].addr != g->group)
		return 0;
	/* the cursor is the next source's index + 1; ~0 when done */
	i = *cursor == 0 ? q->groups[g->id_].src_head : *cursor == UINT32_MAX ? 0 : *cursor;
	if (!i)
		return 0;
	{
		const struct ipk_qsource_ *x = &q->sources[i - 1];
		s->source = x->addr;
		s->timer_ms = ipk_role_remaining(x->timer, now_ms);
		s->forwarding = x->timer != 0;
		*cursor = x->next ? x->next : UINT32_MAX;
	}
	return 1;
}

const char *ipk_querier_ev_name(unsigned type)
{
	static const char *const names[] = {NULL,	  "heard",     "finding",   "send",
					    "timer",	  "election",  "group_add", "group_del",
					    "mode",	  "compat",    "full"};
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "unknown";
}

const char *ipk_querier_timer_name(unsigned timer)
{
	static const char *const names[] = {NULL,    "general", "other_querier", "group",
					    "source", "v1_host", "v2_host"};
	return timer < sizeof(names) / sizeof(names[0]) && names[timer] ? names[timer] : "unknown";
}

const char *ipk_querier_mode_name(unsigned mode)
{
	return mode == IPK_QUERIER_INCLUDE ? "include" : mode == IPK_QUERIER_EXCLUDE ? "exclude" : "unknown";
}
