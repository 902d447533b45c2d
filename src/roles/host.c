/* host.c - the IGMP host-side state machine of host.h: socket filters merged per host and group, RFC 3376/9776 5.1 state-change reports, 5.2 answers, v1/v2 compatibility, one timer heap for every emulated host. */
#include <ipv4kit/bytes.h>
#include <ipv4kit/error.h>
#include <ipv4kit/host.h>
#include <ipv4kit/igmp.h>
#include <ipv4kit/ip4.h>

#include <string.h>

#include "role.h"

/*
 * Records live in pools in the caller's memory, linked by index + 1 (0: none):
 *   host:       the two per-host timers (general-query answer, state-change retransmission)
 *               and the host's membership list;
 *   group:      one per distinct group address (hash), with the list of its members;
 *   membership: one per (host, group) with the socket masks, the interface filter mode, the
 *               filter-mode retransmission count, the group answer / v1-v2 report timer and
 *               the source list;
 *   source:     one per (membership, address): the mask of sockets that list it, its
 *               retransmission count and the "queried" mark of a pending G&S answer.
 * Deadlines are absolute ms on the caller's clock, 0 meaning "not running". One binary heap
 * holds every host and membership with a running timer, keyed by its earliest deadline.
 */

struct hhost_ {
	uint64_t ifc_at;   /* answer to a general query (v3) */
	uint64_t rex_at;   /* next state-change report (v3) */
	uint32_t mhead;    /* first membership */
	uint32_t hpos;     /* heap position + 1 */
	uint32_t nmemb;
	uint8_t fresh;     /* rex_at holds a first transmission (deferred change) */
	uint8_t pad_[3];
};

struct hgroup_ {
	uint32_t addr;
	uint32_t hnext;    /* hash chain or free list */
	uint32_t mhead;    /* first member */
	uint32_t nmemb;
};

struct hmemb_ {
	uint64_t at;       /* v3: group answer; v1/v2: report timer */
	uint32_t host, group;  /* host index, group index */
	uint32_t hnext, hprev; /* host's list (hnext: also the free list) */
	uint32_t gnext, gprev; /* group's list */
	uint32_t mhnext;   /* (host, group) hash chain */
	uint32_t shead;    /* sources */
	uint32_t nsrc, nstate, nrx, nq; /* entries, in the interface state, with retransmissions,
					 * queried */
	uint32_t sock_in, sock_ex; /* sockets in INCLUDE (with sources) and in EXCLUDE */
	uint32_t hpos;
	uint8_t used;
	uint8_t mode;      /* interface filter mode */
	uint8_t fmc;       /* filter-mode-change reports still to send */
	uint8_t last_rep;  /* v1/v2: this host sent the last report for the group */
	uint8_t urep;      /* v1/v2: unsolicited repeats still to send */
	uint8_t gsq;       /* the pending v3 answer is group-and-source-specific */
	uint8_t pad_[2];
};

struct hsrc_ {
	uint32_t addr;
	uint32_t memb;
	uint32_t next, prev; /* membership's list */
	uint32_t hnext;      /* hash chain or free list */
	uint32_t mask;       /* sockets listing it */
	uint8_t rx;          /* ALLOW/BLOCK retransmissions still to send */
	uint8_t q;           /* in the pending G&S answer's list */
	uint8_t was;         /* scratch: in the interface state before a change */
	uint8_t used;
};

struct hent_ {
	uint64_t key;
	uint32_t id;        /* host << 1, or membership << 1 | 1 */
	uint32_t pad_;
};

struct hst_ {
	uint64_t now, rng;
	uint64_t v1_at, v2_at;  /* Older Version Querier Present timers */
	uint32_t qi;            /* Query Interval in use */
	uint8_t compat;         /* 1..3 */
	uint8_t rv;             /* Robustness Variable in use */
	uint8_t in_send_;
	uint8_t pad_;
	struct hhost_ *hosts;
	struct hgroup_ *groups;
	struct hmemb_ *membs;
	struct hsrc_ *srcs;
	uint32_t *gb, *mb, *sb;  /* hash buckets */
	struct hent_ *heap;
	uint32_t *scratch;       /* sources of one record */
	uint8_t *pkt;            /* one datagram */
	uint32_t ngb, nmb, nsb;  /* powers of two */
	uint32_t heap_len;
	uint32_t gfree, mfree, sfree;
	uint32_t ngroups, nmembs, nsrcs;
	uint32_t scratch_cap;
};

#define MAX_POOL (1u << 24)
#define ALIGN8(x) (((x) + 7u) & ~(uint64_t)7u)
#define NREG 11

static struct hst_ *ST(const struct ipk_host *h)
{
	return (struct hst_ *)h->priv_;
}

/* ---- configuration ---- */

void ipk_host_cfg_default(struct ipk_host_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->robustness = 2;
	c->unsolicited_report_interval_ms = 1000;
	c->v2_unsolicited_report_interval_ms = 10000;
	c->query_interval_ms = 125000;
	c->query_response_interval_ms = 10000;
	c->nhosts = 1;
	c->max_groups = 1024;
	c->max_memberships = 4096;
	c->max_sources = 16384;
	c->mtu = 1500;
	c->seed = 1;
}

int ipk_host_cfg_check(const struct ipk_host_cfg *c)
{
	if (c->version > 3 || c->profile > IPK_HOST_PROFILE_LINUX || c->robustness < 1 ||
	    c->robustness > 7)
		return IPK_E_INVAL;
	if (c->nhosts < 1 || c->nhosts > 65535 || c->first_address > UINT32_MAX - (c->nhosts - 1))
		return IPK_E_INVAL;
	if (c->mtu < 576)
		return IPK_E_INVAL;
	if (c->max_groups < 1 || c->max_groups > MAX_POOL || c->max_memberships < 1 ||
	    c->max_memberships > MAX_POOL || c->max_sources < 1 || c->max_sources > MAX_POOL)
		return IPK_E_INVAL;
	if (c->unsolicited_report_interval_ms < 1 || c->v2_unsolicited_report_interval_ms < 1 ||
	    c->query_interval_ms < 1 || c->query_response_interval_ms < 1)
		return IPK_E_INVAL;
	if (!(c->time_scale >= 0 && c->time_scale <= 1e6)) /* NaN fails too */
		return IPK_E_INVAL;
	return 0;
}


/* Offsets of the regions; returns the total (with room to align the start), 0 on overflow. */
static size_t layout(const struct ipk_host_cfg *c, size_t off[NREG])
{
	uint64_t sz[NREG], total = 0;
	if (ipk_host_cfg_check(c))
		return 0;
	sz[0] = sizeof(struct hst_);
	sz[1] = (uint64_t)c->nhosts * sizeof(struct hhost_);
	sz[2] = (uint64_t)c->max_groups * sizeof(struct hgroup_);
	sz[3] = (uint64_t)c->max_memberships * sizeof(struct hmemb_);
	sz[4] = (uint64_t)c->max_sources * sizeof(struct hsrc_);
	sz[5] = (uint64_t)ipk_role_pow2(c->max_groups) * 4;
	sz[6] = (uint64_t)ipk_role_pow2(c->max_memberships) * 4;
	sz[7] = (uint64_t)ipk_role_pow2(c->max_sources) * 4;
	sz[8] = ((uint64_t)c->nhosts + c->max_memberships) * sizeof(struct hent_);
	sz[9] = ((uint64_t)c->mtu / 4 + 1) * 4;
	sz[10] = c->mtu;
	for (int i = 0; i < NREG; i++) {
		off[i] = (size_t)total;
		total += ALIGN8(sz[i]);
	}
	if (total > (uint64_t)SIZE_MAX - 8)
		return 0;
	return (size_t)total + 8;
}

size_t ipk_host_mem_size(const struct ipk_host_cfg *c)
{
	size_t off[NREG];
	return layout(c, off);
}

/* ---- events ---- */

static void emit(struct ipk_host *h, struct ipk_host_event *ev)
{
	ev->now_ms = ST(h)->now;
	if (h->cb)
		h->cb(h->cb_arg, ev);
}

static void emit_finding(struct ipk_host *h, int code, size_t off, uint32_t from, uint32_t to,
			 uint32_t group)
{
	struct ipk_host_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_HEV_FINDING;
	ev.code = code;
	ev.offset = (uint32_t)off;
	ev.from = from;
	ev.to = to;
	ev.group = group;
	h->ctr.findings++;
	emit(h, &ev);
}

static void emit_host(struct ipk_host *h, uint8_t type, uint32_t host, uint32_t group,
		      uint32_t source, uint32_t delay, uint8_t old, uint8_t new_)
{
	struct ipk_host_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.host = host;
	ev.group = group;
	ev.source = source;
	ev.delay_ms = delay;
	ev.old = old;
	ev.new_ = new_;
	emit(h, &ev);
}

/* ---- random numbers (splitmix64: the same seed gives the same sequence) ---- */

static uint64_t rnd64(struct hst_ *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_in(struct hst_ *s, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (uint32_t)(rnd64(s) % ((uint64_t)hi - lo + 1));
}

/* ---- timer heap ---- */


static uint32_t *hpos_of(struct hst_ *s, uint32_t id)
{
	return (id & 1) ? &s->membs[id >> 1].hpos : &s->hosts[id >> 1].hpos;
}

static uint64_t deadline_of(const struct hst_ *s, uint32_t id)
{
	if (id & 1)
		return s->membs[id >> 1].at;
	return ipk_role_min_running(s->hosts[id >> 1].ifc_at, s->hosts[id >> 1].rex_at);
}

static void hset(struct hst_ *s, uint32_t pos, struct hent_ e)
{
	s->heap[pos] = e;
	*hpos_of(s, e.id) = pos + 1;
}

static void sift(struct hst_ *s, uint32_t pos)
{
	struct hent_ e = s->heap[pos];
	while (pos > 0 && s->heap[(pos - 1) / 2].key > e.key) {
		hset(s, pos, s->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= s->heap_len)
			break;
		if (c + 1 < s->heap_len && s->heap[c + 1].key < s->heap[c].key)
			c++;
		if (e.key <= s->heap[c].key)
			break;
		hset(s, pos, s->heap[c]);
		pos = c;
	}
	hset(s, pos, e);
}

/* Key id at its deadline now (in the heap while one runs, out of it when none). */
static void heap_update(struct hst_ *s, uint32_t id)
{
	uint64_t want = deadline_of(s, id);
	uint32_t *p = hpos_of(s, id);
	if (!want) {
		if (*p) {
			uint32_t pos = *p - 1;
			*p = 0;
			if (pos != --s->heap_len) {
				hset(s, pos, s->heap[s->heap_len]);
				sift(s, pos);
			}
		}
		return;
	}
	if (!*p) {
		struct hent_ e = {want, id, 0};
		hset(s, s->heap_len++, e);
	} else {
		s->heap[*p - 1].key = want;
	}
	sift(s, *p - 1);
}


/* A deadline delay ms from now (never 0, which means "not running"). */
static uint64_t at_after(const struct hst_ *s, uint32_t delay)
{
	uint64_t t = s->now + delay;
	return t ? t : 1;
}

/* ---- tables ---- */


static uint32_t *gbucket(struct hst_ *s, uint32_t addr)
{
	return &s->gb[ipk_role_mix32(addr) & (s->ngb - 1)];
}

static uint32_t *mbucket(struct hst_ *s, uint32_t host, uint32_t gi)
{
	return &s->mb[ipk_role_mix32(gi ^ ipk_role_mix32(host + 0x9e37u)) & (s->nmb - 1)];
}

static uint32_t *sbucket(struct hst_ *s, uint32_t mi, uint32_t addr)
{
	return &s->sb[ipk_role_mix32(addr ^ ipk_role_mix32(mi + 1)) & (s->nsb - 1)];
}

static uint32_t gfind(struct hst_ *s, uint32_t addr)
{
	for (uint32_t i = *gbucket(s, addr); i; i = s->groups[i - 1].hnext)
		if (s->groups[i - 1].addr == addr)
			return i;
	return 0;
}

static uint32_t mfind(struct hst_ *s, uint32_t host, uint32_t gi)
{
	for (uint32_t i = *mbucket(s, host, gi); i; i = s->membs[i - 1].mhnext)
		if (s->membs[i - 1].host == host && s->membs[i - 1].group == gi)
			return i;
	return 0;
}

static uint32_t sfind(struct hst_ *s, uint32_t mi, uint32_t addr)
{
	for (uint32_t i = *sbucket(s, mi, addr); i; i = s->srcs[i - 1].hnext)
		if (s->srcs[i - 1].addr == addr && s->srcs[i - 1].memb == mi)
			return i;
	return 0;
}

/* Unlink entry i (index + 1) from the chain at *pp, following next fields at stride. */
#define UNCHAIN(pp, arr, i)                                                                        \
	do {                                                                                       \
		while (*(pp) != (i))                                                               \
			(pp) = &(arr)[*(pp) - 1].hnext;                                            \
		*(pp) = (arr)[(i) - 1].hnext;                                                      \
	} while (0)

static uint32_t gget(struct hst_ *s, uint32_t addr)
{
	uint32_t i = gfind(s, addr), *b;
	struct hgroup_ *g;
	if (i || !s->gfree)
		return i;
	i = s->gfree;
	g = &s->groups[i - 1];
	s->gfree = g->hnext;
	memset(g, 0, sizeof(*g));
	g->addr = addr;
	b = gbucket(s, addr);
	g->hnext = *b;
	*b = i;
	s->ngroups++;
	return i;
}

static void gput(struct hst_ *s, uint32_t gi)
{
	struct hgroup_ *g = &s->groups[gi];
	uint32_t *pp = gbucket(s, g->addr);
	if (g->nmemb)
		return;
	UNCHAIN(pp, s->groups, gi + 1);
	g->hnext = s->gfree;
	s->gfree = gi + 1;
	s->ngroups--;
}

static uint32_t madd(struct hst_ *s, uint32_t host, uint32_t gi)
{
	uint32_t i = s->mfree, *b;
	struct hmemb_ *m;
	struct hgroup_ *g = &s->groups[gi];
	struct hhost_ *hh = &s->hosts[host];
	m = &s->membs[i - 1];
	s->mfree = m->hnext;
	memset(m, 0, sizeof(*m));
	m->used = 1;
	m->host = host;
	m->group = gi;
	m->mode = IPK_HOST_INCLUDE;
	m->hnext = hh->mhead;
	if (hh->mhead)
		s->membs[hh->mhead - 1].hprev = i;
	hh->mhead = i;
	hh->nmemb++;
	m->gnext = g->mhead;
	if (g->mhead)
		s->membs[g->mhead - 1].gprev = i;
	g->mhead = i;
	g->nmemb++;
	b = mbucket(s, host, gi);
	m->mhnext = *b;
	*b = i;
	s->nmembs++;
	return i;
}

static uint32_t sadd(struct hst_ *s, uint32_t mi, uint32_t addr)
{
	uint32_t i = s->sfree, *b;
	struct hsrc_ *x = &s->srcs[i - 1];
	struct hmemb_ *m = &s->membs[mi];
	s->sfree = x->hnext;
	memset(x, 0, sizeof(*x));
	x->used = 1;
	x->addr = addr;
	x->memb = mi;
	x->next = m->shead;
	if (m->shead)
		s->srcs[m->shead - 1].prev = i;
	m->shead = i;
	m->nsrc++;
	b = sbucket(s, mi, addr);
	x->hnext = *b;
	*b = i;
	s->nsrcs++;
	return i;
}

static void sdel(struct hst_ *s, uint32_t si)
{
	struct hsrc_ *x = &s->srcs[si];
	struct hmemb_ *m = &s->membs[x->memb];
	uint32_t *pp = sbucket(s, x->memb, x->addr);
	UNCHAIN(pp, s->srcs, si + 1);
	if (x->prev)
		s->srcs[x->prev - 1].next = x->next;
	else
		m->shead = x->next;
	if (x->next)
		s->srcs[x->next - 1].prev = x->prev;
	m->nsrc--;
	if (x->rx)
		m->nrx--;
	if (x->q)
		m->nq--;
	x->used = 0;
	x->hnext = s->sfree;
	s->sfree = si + 1;
	s->nsrcs--;
}

/* A source in the interface state (RFC 3376 3.2): EXCLUDE when any socket excludes: excluded
 * by every EXCLUDE socket and included by no INCLUDE socket; else included by some socket. */
static int in_state(uint32_t mask, uint32_t sin, uint32_t sex)
{
	if (sex)
		return (mask & sex) == sex && !(mask & sin);
	return (mask & sin) != 0;
}

static int src_in_state(const struct hmemb_ *m, const struct hsrc_ *x)
{
	return in_state(x->mask, m->sock_in, m->sock_ex);
}

static int is_member(const struct hmemb_ *m)
{
	return m->mode == IPK_HOST_EXCLUDE || m->nstate > 0;
}

/* 224.0.0.0/24 groups are kept but not reported unless IPK_HOST_F_LINK_LOCAL. */
static int quiet(const struct ipk_host *h, uint32_t group)
{
	return (group & 0xffffff00u) == IPK_IP4_ADDR(224, 0, 0, 0) && !(h->cfg.flags & IPK_HOST_F_LINK_LOCAL);
}

/* Drop source entries that no socket lists, with nothing to retransmit or answer. */
static void sgc(struct hst_ *s, uint32_t mi)
{
	uint32_t i, next;
	for (i = s->membs[mi].shead; i; i = next) {
		next = s->srcs[i - 1].next;
		if (!s->srcs[i - 1].mask && !s->srcs[i - 1].rx && !s->srcs[i - 1].q)
			sdel(s, i - 1);
	}
}

static void clear_query_marks(struct hst_ *s, uint32_t mi)
{
	struct hmemb_ *m = &s->membs[mi];
	if (!m->nq)
		return;
	for (uint32_t i = m->shead; i; i = s->srcs[i - 1].next)
		s->srcs[i - 1].q = 0;
	m->nq = 0;
	m->gsq = 0;
}

/* Free the membership when it holds nothing: no socket, nothing to send. */
static void mgc(struct hst_ *s, uint32_t mi)
{
	struct hmemb_ *m = &s->membs[mi];
	struct hhost_ *hh;
	struct hgroup_ *g;
	uint32_t *pp, gi;
	if (m->sock_in || m->sock_ex || m->fmc || m->nrx || m->at)
		return;
	clear_query_marks(s, mi);
	while (m->shead)
		sdel(s, m->shead - 1);
	heap_update(s, mi << 1 | 1);
	hh = &s->hosts[m->host];
	if (m->hprev)
		s->membs[m->hprev - 1].hnext = m->hnext;
	else
		hh->mhead = m->hnext;
	if (m->hnext)
		s->membs[m->hnext - 1].hprev = m->hprev;
	hh->nmemb--;
	gi = m->group;
	g = &s->groups[gi];
	if (m->gprev)
		s->membs[m->gprev - 1].gnext = m->gnext;
	else
		g->mhead = m->gnext;
	if (m->gnext)
		s->membs[m->gnext - 1].gprev = m->gprev;
	g->nmemb--;
	pp = mbucket(s, m->host, gi);
	while (*pp != mi + 1)
		pp = &s->membs[*pp - 1].mhnext;
	*pp = m->mhnext;
	m->used = 0;
	m->hnext = s->mfree;
	s->mfree = mi + 1;
	s->nmembs--;
	gput(s, gi);
}

/* ---- reports ---- */

/* One report under construction for one host: a v3 report grown record by record, sent and
 * restarted when the next record does not fit in the MTU. */
struct rb_ {
	struct ipk_host *h;
	uint32_t host;
	uint8_t kind;
	uint8_t open;
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;
};

static uint32_t host_addr(const struct ipk_host *h, uint32_t host)
{
	return h->cfg.first_address + host;
}

static void send_dgram(struct ipk_host *h, uint32_t host, uint8_t kind, size_t msglen,
		       uint16_t nrecs)
{
	struct hst_ *s = ST(h);
	struct ipk_host_report rp;
	struct ipk_host_event ev;
	int n = ipk_igmp_dgram_finish(s->pkt, h->cfg.mtu, msglen, host_addr(h, host));
	if (n < 0)
		return; /* cannot happen: the message was built to fit */
	memset(&rp, 0, sizeof(rp));
	rp.host = host;
	rp.src = host_addr(h, host);
	rp.dst = ipk_be32(s->pkt + 16);
	rp.type = s->pkt[IPK_IGMP_HDRROOM];
	rp.version = rp.type == IPK_IGMP_V1_REPORT ? 1 : rp.type == IPK_IGMP_V3_REPORT ? 3 : 2;
	rp.kind = kind;
	rp.nrecords = nrecs;
	rp.len = (uint16_t)n;
	rp.dgram = s->pkt;
	h->ctr.tx_reports++;
	h->ctr.tx_records += nrecs;
	if (kind == IPK_HOST_RPT_LEAVE)
		h->ctr.tx_leaves++;
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_HEV_SEND;
	ev.host = host;
	ev.group = rp.type == IPK_IGMP_V3_REPORT ? 0 : ipk_be32(s->pkt + IPK_IGMP_HDRROOM + 4);
	ev.report = &rp;
	emit(h, &ev);
}

static void rb_init(struct rb_ *b, struct ipk_host *h, uint32_t host, uint8_t kind)
{
	struct hst_ *s = ST(h);
	b->h = h;
	b->host = host;
	b->kind = kind;
	b->open = 0;
	ipk_wbuf_init(&b->w, s->pkt + IPK_IGMP_HDRROOM, (size_t)h->cfg.mtu - IPK_IGMP_HDRROOM);
}

static void rb_flush(struct rb_ *b)
{
	if (b->open && b->r.nrecs > 0 && ipk_igmp_v3r_end(&b->w, &b->r) == 0)
		send_dgram(b->h, b->host, b->kind, b->w.len, b->r.nrecs);
	b->open = 0;
}

/* Sources that fit in one more record of the open report (-1: not even the record header). */
static long rb_room(struct rb_ *b)
{
	size_t left;
	if (!b->open) {
		b->w.len = 0;
		if (ipk_igmp_v3r_begin(&b->w, &b->r) != 0)
			return -1;
		b->open = 1;
	}
	left = b->w.cap - b->w.len;
	return left < 8 ? -1 : (long)((left - 8) / 4);
}

/* Which sources of a membership a record carries. */
enum {
	P_STATE,   /* the interface source list */
	P_ALLOW,   /* retransmission state, to forward (consumes one retransmission) */
	P_BLOCK,   /* retransmission state, to block (consumes one) */
	P_Q_IN,    /* queried and in the interface list (INCLUDE: A*B) */
	P_Q_OUT,   /* queried and not in it (EXCLUDE: B-A) */
};

static int src_pick(const struct hmemb_ *m, const struct hsrc_ *x, int pred)
{
	int st = src_in_state(m, x);
	int fwd = m->mode == IPK_HOST_EXCLUDE ? !st : st;
	switch (pred) {
	case P_STATE:
		return st;
	case P_ALLOW:
		return x->rx && fwd;
	case P_BLOCK:
		return x->rx && !fwd;
	case P_Q_IN:
		return x->q && st;
	default:
		return x->q && !st;
	}
}

/* Next source index + 1 from i on that pred picks. */
static uint32_t src_seek(struct hst_ *s, const struct hmemb_ *m, uint32_t i, int pred)
{
	while (i && !src_pick(m, &s->srcs[i - 1], pred))
		i = s->srcs[i - 1].next;
	return i;
}

/*
 * Add the record (type, group of membership mi, the sources pred picks) to the report, split as
 * RFC 3376 4.2.16 says: a record that does not fit starts a new report; IS_EX and TO_EX keep as
 * many sources as fit in one report and drop the rest; the other types continue in further
 * records in the next reports. omit_empty: no record when no source is picked.
 */
static void rb_record(struct rb_ *b, uint32_t mi, uint8_t type, int pred, int omit_empty)
{
	struct hst_ *s = ST(b->h);
	struct hmemb_ *m = &s->membs[mi];
	uint32_t addr = s->groups[m->group].addr;
	uint32_t cur = src_seek(s, m, m->shead, pred);
	int truncate = type == IPK_IGMP_IS_EX || type == IPK_IGMP_TO_EX;
	if (!cur && omit_empty)
		return;
	for (;;) {
		long room = rb_room(b);
		uint16_t n = 0;
		if (b->r.nrecs > 0) {
			/* a record that does not fit after the others starts the next report */
			uint32_t k = cur, cnt = 0;
			while (room >= 0 && k && cnt <= (uint32_t)room) {
				cnt++;
				k = src_seek(s, m, s->srcs[k - 1].next, pred);
			}
			if (room < 0 || cnt > (uint32_t)room) {
				rb_flush(b);
				continue;
			}
		}
		while (cur && n < (uint32_t)room && n < s->scratch_cap) {
			struct hsrc_ *x = &s->srcs[cur - 1];
			s->scratch[n++] = x->addr;
			if (pred == P_ALLOW || pred == P_BLOCK) {
				if (--x->rx == 0)
					m->nrx--;
			}
			cur = src_seek(s, m, x->next, pred);
		}
		if (ipk_igmp_v3r_add(&b->w, &b->r, type, addr, s->scratch, n, NULL, 0) != 0)
			return; /* cannot happen: room was computed */
		if (!cur || truncate)
			return;
		rb_flush(b);
	}
}

/* The state-change records of membership mi (5.1): the filter-mode-change record while its
 * count runs, else the source-list-change records. */
static void change_records(struct rb_ *b, uint32_t mi)
{
	struct hst_ *s = ST(b->h);
	struct hmemb_ *m = &s->membs[mi];
	if (m->fmc) {
		m->fmc--;
		rb_record(b, mi, m->mode == IPK_HOST_EXCLUDE ? IPK_IGMP_TO_EX : IPK_IGMP_TO_IN, P_STATE, 0);
	} else if (m->nrx) {
		rb_record(b, mi, IPK_IGMP_ALLOW, P_ALLOW, 1);
		rb_record(b, mi, IPK_IGMP_BLOCK, P_BLOCK, 1);
	}
}

static uint32_t uri(const struct ipk_host *h)
{
	return h->cfg.unsolicited_report_interval_ms;
}

/* Every pending state-change record of host (one report, split as needed); the next one is
 * scheduled within the Unsolicited Report Interval while any is left. */
static void send_changes(struct ipk_host *h, uint32_t host, uint8_t kind)
{
	struct hst_ *s = ST(h);
	struct rb_ b;
	uint32_t i, next;
	int left = 0;
	rb_init(&b, h, host, kind);
	for (i = s->hosts[host].mhead; i; i = s->membs[i - 1].hnext)
		if (s->membs[i - 1].fmc || s->membs[i - 1].nrx)
			change_records(&b, i - 1);
	rb_flush(&b);
	for (i = s->hosts[host].mhead; i; i = next) {
		next = s->membs[i - 1].hnext;
		sgc(s, i - 1);
		if (s->membs[i - 1].fmc || s->membs[i - 1].nrx)
			left = 1;
		mgc(s, i - 1);
	}
	s->hosts[host].rex_at = left ? at_after(s, rnd_in(s, 1, uri(h))) : 0;
	heap_update(s, host << 1);
}

/* Current-state records (answer to a general query) of every group of host with state. */
static void send_current(struct ipk_host *h, uint32_t host)
{
	struct hst_ *s = ST(h);
	struct rb_ b;
	rb_init(&b, h, host, IPK_HOST_RPT_ANSWER);
	for (uint32_t i = s->hosts[host].mhead; i; i = s->membs[i - 1].hnext) {
		struct hmemb_ *m = &s->membs[i - 1];
		if (quiet(h, s->groups[m->group].addr))
			continue;
		if (m->mode == IPK_HOST_EXCLUDE)
			rb_record(&b, i - 1, IPK_IGMP_IS_EX, P_STATE, 0);
		else if (m->nstate)
			rb_record(&b, i - 1, IPK_IGMP_IS_IN, P_STATE, 0);
	}
	rb_flush(&b);
}

/* The answer of a group timer (5.2): the group's state, or for a G&S query with list B:
 * INCLUDE(A) -> IS_IN(A*B), EXCLUDE(A) -> IS_IN(B-A); nothing when empty. The Linux profile
 * answers EXCLUDE(A) with IS_EX(A) unless B is all in A. */
static void send_group_answer(struct ipk_host *h, uint32_t mi)
{
	struct hst_ *s = ST(h);
	struct hmemb_ *m = &s->membs[mi];
	struct rb_ b;
	rb_init(&b, h, m->host, IPK_HOST_RPT_ANSWER);
	if (!m->gsq) {
		if (m->mode == IPK_HOST_EXCLUDE)
			rb_record(&b, mi, IPK_IGMP_IS_EX, P_STATE, 0);
		else
			rb_record(&b, mi, IPK_IGMP_IS_IN, P_STATE, 1);
	} else if (m->mode == IPK_HOST_INCLUDE) {
		rb_record(&b, mi, IPK_IGMP_IS_IN, P_Q_IN, 1);
	} else if (h->cfg.profile == IPK_HOST_PROFILE_LINUX) {
		if (src_seek(s, m, m->shead, P_Q_OUT))
			rb_record(&b, mi, IPK_IGMP_IS_EX, P_STATE, 0);
	} else {
		rb_record(&b, mi, IPK_IGMP_IS_IN, P_Q_OUT, 1);
	}
	rb_flush(&b);
	clear_query_marks(s, mi);
	sgc(s, mi);
}

/* ---- v1/v2 ---- */

static void send_v12(struct ipk_host *h, uint32_t host, uint8_t type, uint32_t group, uint8_t kind)
{
	struct hst_ *s = ST(h);
	struct ipk_wbuf w;
	int rc;
	ipk_wbuf_init(&w, s->pkt + IPK_IGMP_HDRROOM, (size_t)h->cfg.mtu - IPK_IGMP_HDRROOM);
	rc = type == IPK_IGMP_V1_REPORT ? ipk_igmp_put_v1(&w, type, group) : ipk_igmp_put_v2(&w, type, 0, group);
	if (rc == 0)
		send_dgram(h, host, kind, w.len, 0);
}

/* Another host's v1/v2 report for the group was heard (or sent by an emulated host, on the same
 * link): the others stop their timers and are no longer the last reporter (RFC 2236 3). */
static void heard_v12_report(struct ipk_host *h, uint32_t group, uint32_t from_host)
{
	struct hst_ *s = ST(h);
	uint32_t gi = gfind(s, group);
	if (!gi)
		return;
	for (uint32_t i = s->groups[gi - 1].mhead; i; i = s->membs[i - 1].gnext) {
		struct hmemb_ *m = &s->membs[i - 1];
		if (m->host == from_host)
			continue;
		m->last_rep = 0;
		if (s->compat < 3 && (m->at || m->urep)) {
			m->at = 0;
			m->urep = 0;
			heap_update(s, (i - 1) << 1 | 1);
			h->ctr.suppressed++;
			emit_host(h, IPK_HEV_SUPPRESS, m->host, group, 0, 0, 0, 0);
		}
	}
}

static void v12_report(struct ipk_host *h, uint32_t mi, uint8_t kind)
{
	struct hst_ *s = ST(h);
	struct hmemb_ *m = &s->membs[mi];
	uint32_t group = s->groups[m->group].addr;
	m->last_rep = 1;
	send_v12(h, m->host, s->compat == 1 ? IPK_IGMP_V1_REPORT : IPK_IGMP_V2_REPORT, group, kind);
	heard_v12_report(h, group, s->membs[mi].host);
}

/* ---- compatibility ---- */

static uint8_t compat_now(const struct ipk_host *h)
{
	const struct hst_ *s = ST(h);
	uint8_t v = h->cfg.version;
	if (v == 1 || v == 2 || (v == 3 && h->cfg.profile == IPK_HOST_PROFILE_RFC))
		return v;
	return s->v1_at ? 1 : s->v2_at ? 2 : 3;
}

/* RFC 3376 7.2.1: a change of compatibility mode cancels every pending response and
 * retransmission. */
static void update_compat(struct ipk_host *h)
{
	struct hst_ *s = ST(h);
	uint8_t c = compat_now(h), old = s->compat;
	if (c == old)
		return;
	s->compat = c;
	for (uint32_t i = 0; i < s->heap_len; i++)
		*hpos_of(s, s->heap[i].id) = 0;
	s->heap_len = 0;
	for (uint32_t hi = 0; hi < h->cfg.nhosts; hi++) {
		uint32_t i, next;
		s->hosts[hi].ifc_at = s->hosts[hi].rex_at = 0;
		s->hosts[hi].fresh = 0;
		for (i = s->hosts[hi].mhead; i; i = next) {
			struct hmemb_ *m = &s->membs[i - 1];
			next = m->hnext;
			m->at = 0;
			m->urep = 0;
			m->fmc = 0;
			for (uint32_t k = m->shead; k; k = s->srcs[k - 1].next)
				s->srcs[k - 1].rx = 0;
			m->nrx = 0;
			clear_query_marks(s, i - 1);
			sgc(s, i - 1);
			mgc(s, i - 1);
		}
	}
	emit_host(h, IPK_HEV_COMPAT, 0, 0, 0, 0, old, c);
}

/* ---- changes ---- */

static unsigned rv(const struct ipk_host *h)
{
	return ST(h)->rv;
}

int ipk_host_change(struct ipk_host *h, uint32_t host, unsigned sock, uint32_t group,
		    unsigned mode, const uint32_t *srcs, size_t nsrcs, uint64_t now_ms)
{
	struct hst_ *s = ST(h);
	uint32_t gi, mi, bit, missing = 0, i;
	struct hmemb_ *m;
	uint8_t old_mode;
	int old_member, changed = 0, mode_changed, silent;

	if (host >= h->cfg.nhosts || sock >= IPK_HOST_MAX_SOCKETS ||
	    (mode != IPK_HOST_INCLUDE && mode != IPK_HOST_EXCLUDE) || !ipk_ip4_is_multicast(group) ||
	    group == IPK_IGMP_ALL_SYSTEMS || (nsrcs && !srcs) || nsrcs > MAX_POOL)
		return IPK_E_INVAL;
	if (now_ms)
		(void)ipk_host_tick(h, now_ms - 1); /* changes of one instant merge (BATCH, Linux) */
	if (now_ms > s->now)
		s->now = now_ms;
	bit = 1u << sock;

	/* room first: nothing changes when a pool is full */
	gi = gfind(s, group);
	mi = gi ? mfind(s, host, gi - 1) : 0;
	if (!mi && mode == IPK_HOST_INCLUDE && nsrcs == 0)
		return 0; /* leaving what was never joined */
	for (size_t k = 0; k < nsrcs; k++)
		if (!mi || !sfind(s, mi - 1, srcs[k]))
			missing++;
	if ((!gi && !s->gfree) || (!mi && !s->mfree) || missing > MAX_POOL ||
	    s->nsrcs + missing > h->cfg.max_sources) {
		uint8_t which = (!gi && !s->gfree) ? 0 : (!mi && !s->mfree) ? 1 : 2;
		h->ctr.pool_full++;
		emit_host(h, IPK_HEV_FULL, host, group, 0, 0, 0, which);
		return IPK_E_NOSPACE;
	}
	if (!gi)
		gi = gget(s, group);
	if (!mi)
		mi = madd(s, host, gi - 1);
	mi--;
	m = &s->membs[mi];
	old_mode = m->mode;
	old_member = is_member(m);
	silent = quiet(h, group);

	/* 3.2: the socket's filter replaces its old one; the interface state is the merge */
	for (i = m->shead; i; i = s->srcs[i - 1].next) {
		struct hsrc_ *x = &s->srcs[i - 1];
		x->was = (uint8_t)src_in_state(m, x);
		x->mask &= ~bit;
	}
	for (size_t k = 0; k < nsrcs; k++) {
		uint32_t si = sfind(s, mi, srcs[k]);
		if (!si) {
			si = sadd(s, mi, srcs[k]);
			s->srcs[si - 1].was = 0;
		}
		s->srcs[si - 1].mask |= bit;
	}
	m->sock_in &= ~bit;
	m->sock_ex &= ~bit;
	if (mode == IPK_HOST_EXCLUDE)
		m->sock_ex |= bit;
	else if (nsrcs)
		m->sock_in |= bit;
	m->mode = m->sock_ex ? IPK_HOST_EXCLUDE : IPK_HOST_INCLUDE;
	mode_changed = m->mode != old_mode;
	m->nstate = 0;
	for (i = m->shead; i; i = s->srcs[i - 1].next) {
		struct hsrc_ *x = &s->srcs[i - 1];
		int now_in = src_in_state(m, x);
		m->nstate += (uint32_t)now_in;
		if (now_in != x->was) {
			changed = 1;
			if (s->compat == 3 && !mode_changed && !silent) {
				/* 5.1: the source's retransmission state restarts */
				if (!x->rx)
					m->nrx++;
				x->rx = (uint8_t)rv(h);
			}
		}
	}
	changed |= mode_changed;
	if (changed)
		h->ctr.changes++;

	if (silent) {
		/* kept, never reported */
	} else if (s->compat == 3) {
		if (mode_changed) {
			/* 5.1: a filter-mode change: TO_IN/TO_EX for the next RV reports, the
			 * per-source state is covered by them */
			for (i = m->shead; i; i = s->srcs[i - 1].next)
				s->srcs[i - 1].rx = 0;
			m->nrx = 0;
			m->fmc = (uint8_t)rv(h);
		}
		if (!is_member(m) && m->at) {
			m->at = 0;
			clear_query_marks(s, mi);
			heap_update(s, mi << 1 | 1);
		}
		sgc(s, mi);
		if (changed) {
			struct hhost_ *hh = &s->hosts[host];
			if (h->cfg.profile == IPK_HOST_PROFILE_LINUX || (h->cfg.flags & IPK_HOST_F_BATCH)) {
				/* sent by the next tick at this time, merged with every change made
				 * until then (the kernel's one-jiffy delay) */
				hh->rex_at = ipk_role_min_running(hh->rex_at, at_after(s, 0));
				hh->fresh = 1;
			} else {
				struct rb_ b;
				rb_init(&b, h, host, IPK_HOST_RPT_CHANGE);
				change_records(&b, mi);
				rb_flush(&b);
				sgc(s, mi);
				if ((m->fmc || m->nrx) && !hh->rex_at)
					hh->rex_at = at_after(s, rnd_in(s, 1, uri(h)));
			}
			heap_update(s, host << 1);
		}
	} else if (old_member != is_member(m)) {
		if (is_member(m)) {
			/* RFC 2236 3: report at once, repeated after short delays */
			m->urep = (uint8_t)(rv(h) - 1);
			m->at = m->urep ? at_after(s, rnd_in(s, 1, h->cfg.v2_unsolicited_report_interval_ms)) : 0;
			v12_report(h, mi, IPK_HOST_RPT_CHANGE);
		} else {
			if (s->compat == 2 && (m->last_rep || (h->cfg.flags & IPK_HOST_F_LEAVE_ALWAYS)))
				send_v12(h, host, IPK_IGMP_V2_LEAVE, group, IPK_HOST_RPT_LEAVE);
			m->at = 0;
			m->urep = 0;
			m->last_rep = 0;
		}
		heap_update(s, mi << 1 | 1);
	}
	sgc(s, mi);
	mgc(s, mi);
	return changed;
}

/* ---- queries ---- */


/* Older Version Querier Present Timeout (RFC 9776 8.12, RFC 3376 erratum 4375): RV times QI
 * plus the Max Response Time of the older query just heard. Linux: its own QRI (clamped to
 * QI - 1 s when not below QI) instead of the query's. */
static uint64_t ovqpt(const struct ipk_host *h, uint32_t mrt)
{
	const struct hst_ *s = ST(h);
	uint64_t qri = mrt;
	if (h->cfg.profile == IPK_HOST_PROFILE_LINUX) {
		uint32_t one = ipk_role_heard_ms(h->cfg.time_scale, 1000);
		qri = h->cfg.query_response_interval_ms;
		if (s->qi <= qri)
			qri = s->qi > one ? s->qi - one : 0;
	}
	return (uint64_t)s->rv * s->qi + qri;
}

/* 5.2 rules 1-5 for one membership (v3), or RFC 2236 3 (v1/v2). */
static void schedule_group(struct ipk_host *h, uint32_t mi, uint32_t mrt, const struct ipk_igmp *q)
{
	struct hst_ *s = ST(h);
	struct hmemb_ *m = &s->membs[mi];
	uint32_t delay;
	uint64_t t;
	if (!is_member(m) || quiet(h, s->groups[m->group].addr))
		return; /* INCLUDE({}): nothing to answer */
	delay = rnd_in(s, 0, mrt);
	t = at_after(s, delay);
	if (s->compat < 3) {
		if (m->at && m->at <= at_after(s, mrt))
			return;
		m->at = t;
	} else {
		uint64_t ifc = s->hosts[m->host].ifc_at;
		if (ifc && ifc <= t)
			return; /* rule 1 */
		if (q->version == 3 && q->nsrcs && (!m->at || m->gsq)) {
			/* rules 3 and 5: record (add) the queried sources */
			uint32_t need = 0;
			for (uint16_t k = 0; k < q->nsrcs; k++)
				if (!sfind(s, mi, ipk_igmp_addr(q->srcs, k)))
					need++;
			if (s->nsrcs + need > h->cfg.max_sources) {
				h->ctr.pool_full++;
				emit_host(h, IPK_HEV_FULL, m->host, s->groups[m->group].addr, 0, 0, 0, 2);
				clear_query_marks(s, mi); /* a group answer covers it */
			} else {
				for (uint16_t k = 0; k < q->nsrcs; k++) {
					uint32_t a = ipk_igmp_addr(q->srcs, k), si = sfind(s, mi, a);
					if (!si)
						si = sadd(s, mi, a);
					if (!s->srcs[si - 1].q) {
						s->srcs[si - 1].q = 1;
						m->nq++;
					}
				}
				m->gsq = 1;
			}
		} else {
			clear_query_marks(s, mi); /* rule 4 */
			sgc(s, mi);
		}
		if (m->at && m->at < t)
			t = m->at;
	}
	m->at = t;
	heap_update(s, mi << 1 | 1);
	h->ctr.answers_scheduled++;
	emit_host(h, IPK_HEV_SCHEDULE, m->host, s->groups[m->group].addr, 0, ipk_role_remaining(t, s->now), 0, 0);
}

/* A query's Max Response Time on the machine's clock: v1 10 s (RFC 3376 7.2.1), v2 linear,
 * v3 float coded (4.1.1). */
static uint32_t query_mrt(const struct ipk_host *h, const struct ipk_igmp *q)
{
	uint32_t tenths = q->version == 1 ? 100 : q->version == 2 ? q->code : ipk_igmp_code_decode(q->code);
	return ipk_role_heard_ms(h->cfg.time_scale, tenths * 100u);
}

/* The hosts a query reaches: all, or the one whose unicast address it was sent to. */
static int target_range(const struct ipk_host *h, uint32_t dst, uint32_t *lo, uint32_t *hi)
{
	if (ipk_ip4_is_multicast(dst)) {
		*lo = 0;
		*hi = h->cfg.nhosts;
		return 1;
	}
	if (dst - h->cfg.first_address >= h->cfg.nhosts)
		return 0;
	*lo = dst - h->cfg.first_address;
	*hi = *lo + 1;
	return 1;
}

static int heard_query(struct ipk_host *h, const struct ipk_igmp *q, uint32_t dst)
{
	struct hst_ *s = ST(h);
	uint32_t mrt, lo, hi;
	if (!target_range(h, dst, &lo, &hi))
		return 1; /* to another machine's unicast address */
	mrt = query_mrt(h, q);
	if (q->version == 3 && h->cfg.profile == IPK_HOST_PROFILE_LINUX) {
		/* the kernel takes RV and QI from every v3 query (QRV 0: its own value) */
		uint32_t qi = ipk_role_heard_ms(h->cfg.time_scale, ipk_igmp_code_decode(q->qqic) * 1000u);
		s->rv = q->qrv ? q->qrv : h->cfg.robustness;
		s->qi = qi ? qi : h->cfg.query_interval_ms;
	}
	if (q->version < 3 && (h->cfg.version == 0 ||
			       (h->cfg.version == 3 && h->cfg.profile == IPK_HOST_PROFILE_LINUX))) {
		uint64_t until = s->now + ovqpt(h, mrt);
		if (q->version == 1)
			s->v1_at = until;
		else
			s->v2_at = until;
		update_compat(h);
	}
	if (q->group == 0) {
		if (s->compat == 3) {
			for (uint32_t hj = lo; hj < hi; hj++) {
				struct hhost_ *hh = &s->hosts[hj];
				uint32_t delay;
				uint64_t t;
				if (!hh->nmemb)
					continue;
				delay = rnd_in(s, 0, mrt);
				t = at_after(s, delay);
				if (hh->ifc_at && hh->ifc_at <= t)
					continue; /* rule 1 */
				hh->ifc_at = t; /* rule 2 */
				heap_update(s, hj << 1);
				h->ctr.answers_scheduled++;
				emit_host(h, IPK_HEV_SCHEDULE, hj, 0, 0, delay, 0, 0);
			}
		} else {
			for (uint32_t hj = lo; hj < hi; hj++) {
				uint32_t i, next;
				for (i = s->hosts[hj].mhead; i; i = next) {
					next = s->membs[i - 1].hnext;
					schedule_group(h, i - 1, mrt, q);
				}
			}
		}
		return 0;
	}
	{
		uint32_t gi = gfind(s, q->group), i, next;
		if (!gi)
			return 0;
		for (i = s->groups[gi - 1].mhead; i; i = next) {
			next = s->membs[i - 1].gnext;
			if (s->membs[i - 1].host >= lo && s->membs[i - 1].host < hi)
				schedule_group(h, i - 1, mrt, q);
		}
	}
	return 0;
}

/* ---- init, timers, input ---- */

int ipk_host_init(struct ipk_host *h, const struct ipk_host_cfg *cfg, void *mem, size_t memlen,
		  uint64_t now_ms, ipk_host_cb cb, void *cb_arg)
{
	size_t off[NREG], need;
	uint8_t *base;
	struct hst_ *s;
	int rc = ipk_host_cfg_check(cfg);
	if (rc)
		return rc;
	need = layout(cfg, off);
	if (!mem || !need || memlen < need)
		return IPK_E_NOSPACE;
	memset(h, 0, sizeof(*h));
	h->cfg = *cfg;
	if (h->cfg.time_scale == 0)
		h->cfg.time_scale = 1;
	h->cb = cb;
	h->cb_arg = cb_arg;
	base = (uint8_t *)mem + ((8 - ((uintptr_t)mem & 7)) & 7);
	memset(base, 0, need - 8);
	s = (struct hst_ *)(void *)(base + off[0]);
	h->priv_ = s;
	s->hosts = (struct hhost_ *)(void *)(base + off[1]);
	s->groups = (struct hgroup_ *)(void *)(base + off[2]);
	s->membs = (struct hmemb_ *)(void *)(base + off[3]);
	s->srcs = (struct hsrc_ *)(void *)(base + off[4]);
	s->gb = (uint32_t *)(void *)(base + off[5]);
	s->mb = (uint32_t *)(void *)(base + off[6]);
	s->sb = (uint32_t *)(void *)(base + off[7]);
	s->heap = (struct hent_ *)(void *)(base + off[8]);
	s->scratch = (uint32_t *)(void *)(base + off[9]);
	s->pkt = base + off[10];
	s->scratch_cap = cfg->mtu / 4 + 1;
	s->ngb = ipk_role_pow2(cfg->max_groups);
	s->nmb = ipk_role_pow2(cfg->max_memberships);
	s->nsb = ipk_role_pow2(cfg->max_sources);
	for (uint32_t i = 0; i < cfg->max_groups; i++)
		s->groups[i].hnext = i + 2 <= cfg->max_groups ? i + 2 : 0;
	for (uint32_t i = 0; i < cfg->max_memberships; i++)
		s->membs[i].hnext = i + 2 <= cfg->max_memberships ? i + 2 : 0;
	for (uint32_t i = 0; i < cfg->max_sources; i++)
		s->srcs[i].hnext = i + 2 <= cfg->max_sources ? i + 2 : 0;
	s->gfree = s->mfree = s->sfree = 1;
	s->now = now_ms;
	s->rng = cfg->seed;
	s->rv = cfg->robustness;
	s->qi = cfg->query_interval_ms;
	s->compat = compat_now(h);
	return 0;
}

uint64_t ipk_host_next_deadline(const struct ipk_host *h)
{
	const struct hst_ *s = ST(h);
	uint64_t d = ipk_role_min_running(s->v1_at, s->v2_at);
	if (s->heap_len)
		d = ipk_role_min_running(d, s->heap[0].key);
	return d ? d : UINT64_MAX;
}

static void fire_memb(struct ipk_host *h, uint32_t mi)
{
	struct hst_ *s = ST(h);
	struct hmemb_ *m = &s->membs[mi];
	m->at = 0;
	if (s->compat == 3) {
		send_group_answer(h, mi);
	} else if (is_member(m)) {
		uint8_t kind = m->urep ? IPK_HOST_RPT_REXMIT : IPK_HOST_RPT_ANSWER;
		if (m->urep) {
			m->urep--;
			if (m->urep)
				m->at = at_after(s, rnd_in(s, 1, h->cfg.v2_unsolicited_report_interval_ms));
		}
		v12_report(h, mi, kind);
	}
	heap_update(s, mi << 1 | 1);
	sgc(s, mi);
	mgc(s, mi);
}

unsigned ipk_host_tick(struct ipk_host *h, uint64_t now_ms)
{
	struct hst_ *s = ST(h);
	unsigned n = 0;
	for (;;) {
		uint64_t d = ipk_host_next_deadline(h);
		if (d == UINT64_MAX || d > now_ms)
			break;
		if (d > s->now)
			s->now = d;
		n++;
		if (s->v1_at == d || s->v2_at == d) {
			if (s->v1_at == d)
				s->v1_at = 0;
			if (s->v2_at == d)
				s->v2_at = 0;
			update_compat(h);
		} else {
			uint32_t id = s->heap[0].id;
			if (id & 1) {
				fire_memb(h, id >> 1);
			} else {
				struct hhost_ *hh = &s->hosts[id >> 1];
				if (hh->ifc_at && hh->ifc_at <= d) {
					hh->ifc_at = 0;
					send_current(h, id >> 1);
				}
				if (hh->rex_at && hh->rex_at <= d) {
					uint8_t kind = hh->fresh ? IPK_HOST_RPT_CHANGE : IPK_HOST_RPT_REXMIT;
					hh->fresh = 0;
					send_changes(h, id >> 1, kind);
				}
				heap_update(s, id);
			}
		}
	}
	if (now_ms > s->now)
		s->now = now_ms;
	return n;
}

int ipk_host_input(struct ipk_host *h, const uint8_t *dgram, size_t len, uint64_t now_ms)
{
	struct ipk_ip4 ip;
	struct ipk_igmp m;
	struct ipk_findings f;
	struct ipk_host_event ev;
	size_t off = 0;
	int rc, no_ra = 0, bad_dst = 0;

	(void)ipk_host_tick(h, now_ms);
	h->ctr.rx_messages++;
	rc = ipk_role_rx(dgram, len, &ip, &m, &off);
	if (rc != 0) {
		if (rc < 0)
			emit_finding(h, rc, off, ip.src, ip.dst, 0);
		h->ctr.rx_ignored++;
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = IPK_HEV_HEARD;
	ev.msg_type = m.type;
	ev.version = m.version;
	ev.from = ip.src;
	ev.to = ip.dst;
	ev.group = m.group;
	ev.nsrcs = m.type == IPK_IGMP_QUERY ? m.nsrcs : m.nrecs;
	if (m.type == IPK_IGMP_QUERY)
		ev.mrt_ms = query_mrt(h, &m);
	emit(h, &ev);

	memset(&f, 0, sizeof(f));
	(void)ipk_igmp_check(&ip, &m, 0, ip.hlen, &f);
	for (unsigned i = 0; i < f.n; i++) {
		if (f.v[i].code == IPK_E_IGMP_NO_RA)
			no_ra = 1;
		if (f.v[i].code == IPK_E_IGMP_DST)
			bad_dst = 1;
		emit_finding(h, f.v[i].code, f.v[i].offset, ip.src, ip.dst, m.group);
	}
	if (!m.checksum_ok) {
		emit_finding(h, IPK_E_IGMP_CHECKSUM, ip.hlen + 2, ip.src, ip.dst, m.group);
		h->ctr.rx_ignored++;
		return 1;
	}
	if (m.version == 0 || ip.mf || ip.frag_off) {
		h->ctr.rx_ignored++;
		return 1;
	}
	switch (m.type) {
	case IPK_IGMP_QUERY: {
		int linux_ = h->cfg.profile == IPK_HOST_PROFILE_LINUX;
		h->ctr.rx_queries++;
		/* a general query with sources is ignored (RFC 3376 4.1.8 and 4.1.9; Linux too);
		 * RFC profile: a general query to a multicast address other than 224.0.0.1 and a
		 * v2/v3 query without Router Alert are ignored (RFC 3376 9.1) */
		if ((m.group == 0 && m.nsrcs) || (m.group && !ipk_ip4_is_multicast(m.group)) ||
		    (!linux_ && m.group == 0 && bad_dst && ipk_ip4_is_multicast(ip.dst)) ||
		    (!linux_ && no_ra && m.version > 1)) {
			h->ctr.rx_ignored++;
			return 1;
		}
		if (heard_query(h, &m, ip.dst)) {
			h->ctr.rx_ignored++;
			return 1;
		}
		return 0;
	}
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT: {
		uint32_t from = ip.src - h->cfg.first_address;
		h->ctr.rx_reports_heard++;
		if (!ipk_ip4_is_multicast(m.group)) {
			h->ctr.rx_ignored++;
			return 1;
		}
		heard_v12_report(h, m.group, from < h->cfg.nhosts ? from : UINT32_MAX);
		return 0;
	}
	default:
		/* leaves and v3 reports are for routers (RFC 3376 5.2: no suppression in v3) */
		h->ctr.rx_ignored++;
		return 1;
	}
}

/* ---- reading ---- */

void ipk_host_status(const struct ipk_host *h, uint64_t now_ms, struct ipk_host_status *st)
{
	const struct hst_ *s = ST(h);
	memset(st, 0, sizeof(*st));
	st->compat_version = s->compat;
	st->robustness = s->rv;
	st->v1_querier_ms = ipk_role_remaining(s->v1_at, now_ms);
	st->v2_querier_ms = ipk_role_remaining(s->v2_at, now_ms);
	st->query_interval_ms = s->qi;
	st->query_response_interval_ms = h->cfg.query_response_interval_ms;
	st->ngroups = s->ngroups;
	st->nmemberships = s->nmembs;
	st->nsources = s->nsrcs;
	st->pending_reports = s->heap_len;
	st->counters = h->ctr;
}

static void memb_info(const struct hst_ *s, uint32_t mi, uint64_t now,
		      struct ipk_host_membership *out)
{
	const struct hmemb_ *m = &s->membs[mi];
	memset(out, 0, sizeof(*out));
	out->host = m->host;
	out->group = s->groups[m->group].addr;
	out->filter_mode = m->mode;
	out->last_reporter = m->last_rep;
	out->nsources = m->nstate;
	out->answer_ms = ipk_role_remaining(m->at, now);
	out->id_ = mi;
}

int ipk_host_membership_next(const struct ipk_host *h, uint32_t host, uint32_t *cursor,
			     uint64_t now_ms, struct ipk_host_membership *m)
{
	const struct hst_ *s = ST(h);
	if (host == UINT32_MAX) {
		while (*cursor < h->cfg.max_memberships) {
			uint32_t mi = (*cursor)++;
			if (s->membs[mi].used && is_member(&s->membs[mi])) {
				memb_info(s, mi, now_ms, m);
				return 1;
			}
		}
		return 0;
	}
	if (host >= h->cfg.nhosts)
		return 0;
	/* the cursor is the next membership's index + 1; UINT32_MAX when done */
	for (uint32_t i = *cursor == 0 ? s->hosts[host].mhead : *cursor == UINT32_MAX ? 0 : *cursor; i;
	     i = s->membs[i - 1].hnext) {
		if (s->membs[i - 1].host != host || !s->membs[i - 1].used)
			return 0;
		if (is_member(&s->membs[i - 1])) {
			memb_info(s, i - 1, now_ms, m);
			*cursor = s->membs[i - 1].hnext ? s->membs[i - 1].hnext : UINT32_MAX;
			return 1;
		}
	}
	*cursor = UINT32_MAX;
	return 0;
}

int ipk_host_source_next(const struct ipk_host *h, const struct ipk_host_membership *m,
			 uint32_t *cursor, uint32_t *src)
{
	const struct hst_ *s = ST(h);
	const struct hmemb_ *mm;
	uint32_t i;
	if (m->id_ >= h->cfg.max_memberships || !s->membs[m->id_].used ||
	    s->membs[m->id_].host != m->host)
		return 0;
	mm = &s->membs[m->id_];
	i = *cursor == 0 ? mm->shead : *cursor == UINT32_MAX ? 0 : *cursor;
	for (; i; i = s->srcs[i - 1].next) {
		if (src_in_state(mm, &s->srcs[i - 1])) {
			*src = s->srcs[i - 1].addr;
			*cursor = s->srcs[i - 1].next ? s->srcs[i - 1].next : UINT32_MAX;
			return 1;
		}
	}
	*cursor = UINT32_MAX;
	return 0;
}

const char *ipk_host_ev_name(unsigned type)
{
	static const char *const names[] = {NULL,	"heard",    "finding", "send",
					    "schedule", "suppress", "compat",  "full"};
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "unknown";
}

const char *ipk_host_report_kind_name(unsigned kind)
{
	static const char *const names[] = {NULL, "change", "rexmit", "answer", "leave"};
	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "unknown";
}

const char *ipk_host_profile_name(unsigned profile)
{
	return profile == IPK_HOST_PROFILE_RFC ? "rfc" : profile == IPK_HOST_PROFILE_LINUX ? "linux" : "unknown";
}
