/* host.c - `ipv4kit host`: many emulated IGMP hosts on one link (RFC 3376/9776 section 5, RFC 2236, RFC 1112), each with its own address and MAC, driven by --join specs and a scenario timeline, with RFC 3918 join/leave delays of the multicast data (--traffic). */
#define _GNU_SOURCE /* getopt_long, sigaction */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/host.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/sock.h"
#include "scenario.h"

#define PROG "ipv4kit host"
#define PROGRESS_MS 1000    /* live line and --stats refresh, real milliseconds */
#define RX_BATCH 64         /* datagrams per read */
#define RX_CAP 9216         /* IGMP: one datagram (jumbo frames included) */
#define DATA_CAP 64         /* --traffic: the IPv4 header is all that is needed */
#define TXQ IPK_BATCH_MAX   /* frames per link write */
#define OPS_SLICE 4096      /* membership changes between looks at the sockets */
#define STILL_MS 1000.0     /* still forwarded: a datagram after the leave within the run's last second */

/* ---- open-addressing tables: memberships (host, group) and groups (--traffic and counts) ---- */

#define EMPTY UINT64_MAX

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* A set of 64-bit keys (never EMPTY), linear probing, deletion by backward shift. */
struct set {
	uint64_t *k;
	size_t mask, n;
};

static int set_init(struct set *s, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	s->k = malloc(cap * sizeof(uint64_t));
	if (!s->k)
		return -1;
	memset(s->k, 0xff, cap * sizeof(uint64_t));
	s->mask = cap - 1;
	s->n = 0;
	return 0;
}

static size_t set_slot(const struct set *s, uint64_t key)
{
	size_t i = (size_t)mix64(key) & s->mask;
	while (s->k[i] != EMPTY && s->k[i] != key)
		i = (i + 1) & s->mask;
	return i;
}

static int set_has(const struct set *s, uint64_t key)
{
	return s->k[set_slot(s, key)] == key;
}

/* Add key; 0, or -1 when the table would be more than half full (sized from the actions, so
 * only a pool the machine refuses too). */
static int set_add(struct set *s, uint64_t key)
{
	size_t i = set_slot(s, key);
	if (s->k[i] == key)
		return 0;
	if ((s->n + 1) * 2 > s->mask + 1)
		return -1;
	s->k[i] = key;
	s->n++;
	return 0;
}

static void set_del(struct set *s, uint64_t key)
{
	size_t i = set_slot(s, key);
	if (s->k[i] != key)
		return;
	s->k[i] = EMPTY;
	s->n--;
	for (size_t j = (i + 1) & s->mask; s->k[j] != EMPTY; j = (j + 1) & s->mask) {
		size_t home = (size_t)mix64(s->k[j]) & s->mask;
		/* move k[j] into the hole at i unless its home lies cyclically in (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			s->k[i] = s->k[j];
			s->k[j] = EMPTY;
			i = j;
		}
	}
}

/* Per group: members and the RFC 3918 measurements of the current join/leave cycle. */
struct grp {
	uint32_t group, members;
	double join_ms;      /* real ms of the first report of this cycle (-1: never joined) */
	double leave_ms;     /* real ms the last member left (-1: joined now) */
	double first_rx_ms;  /* first datagram after join_ms (-1: none yet) */
	double last_rx_ms;   /* last datagram (-1: none) */
	uint64_t rx, rx_after_leave;
	int arrived_ever;
};

struct gtab {
	struct grp *g;
	uint32_t *slot;      /* index + 1 into g, 0: empty */
	size_t mask, n, cap;
};

static int gtab_init(struct gtab *t, size_t want)
{
	size_t cap = 64;
	while (cap < want * 2)
		cap *= 2;
	t->slot = calloc(cap, sizeof(uint32_t));
	t->g = malloc((cap / 2) * sizeof(struct grp));
	t->mask = cap - 1;
	t->cap = cap / 2;
	t->n = 0;
	return t->slot && t->g ? 0 : -1;
}

static struct grp *gtab_get(struct gtab *t, uint32_t group, int create)
{
	size_t i = (size_t)mix64(group) & t->mask;
	for (; t->slot[i]; i = (i + 1) & t->mask)
		if (t->g[t->slot[i] - 1].group == group)
			return &t->g[t->slot[i] - 1];
	if (!create || t->n == t->cap)
		return NULL;
	struct grp *g = &t->g[t->n];
	memset(g, 0, sizeof(*g));
	g->group = group;
	g->join_ms = g->leave_ms = g->first_rx_ms = g->last_rx_ms = -1;
	t->slot[i] = (uint32_t)++t->n;
	return g;
}

/* ---- statistics: min/avg/max ---- */

struct mam {
	uint64_t n;
	double min, max, sum;
};

static void mam_add(struct mam *m, double v)
{
	if (!m->n || v < m->min)
		m->min = v;
	if (!m->n || v > m->max)
		m->max = v;
	m->sum += v;
	m->n++;
}

/* ---- the command's state ---- */

struct tool {
	struct ipk_host h;
	void *mem;
	struct ipk_cli_clock clk;
	char ifname[IF_NAMESIZE];
	unsigned ifindex;
	int rx, data, tx;        /* IGMP listener, --traffic listener, link sender */
	uint8_t mac[6];          /* the interface's, or --mac-base */
	int per_host_mac;
	/* transmit queue: whole frames, sent TXQ at a time */
	uint8_t *txbuf;
	size_t frame_cap;
	struct ipk_msg txm[TXQ];
	unsigned ntx;
	uint64_t tx_frames, tx_errors, tx_answers, tx_bytes;
	double tx_first_ms, tx_last_ms; /* real ms of the first and the last frame written */
	size_t mem_bytes;        /* the machine's memory and the command's tables */
	int last_tx_err;
	/* actions */
	struct ipk_scen_act *acts;
	size_t nacts, cur;       /* next action */
	uint64_t op;             /* next operation of acts[cur] */
	uint64_t ops_done, ops_failed;
	double ops_first_ms, ops_end_ms;  /* real ms of the first change, and when the last one and
					   * the reports it caused were written (-1: not yet) */
	uint64_t ops_end_frames, ops_end_records; /* frames and v3 records written by then */
	double rate;             /* --rate, 0: at once */
	double tokens, tok_ms;   /* its token bucket (10 ms of burst) */
	struct set mem_set;      /* (host << 32 | group) of every membership */
	uint32_t *host_groups;   /* per host: memberships */
	uint32_t hosts_joined;
	struct gtab gt;
	uint32_t *srcbuf;        /* one membership's sources (allow/block) */
	size_t srccap;
	/* --traffic */
	int traffic;
	uint64_t data_rx, data_other;
	struct mam join_delay, leave_delay;
	/* output */
	FILE *ev;
	uint64_t nev;
	char *line;
	size_t line_cap;
	const char *stats;
	char tmp[4200];
	int progress;            /* live line on a terminal */
	uint64_t seed;
	int forced_version;
	double end_ms;
};

/* ---- sending: the report the machine built, behind an Ethernet header, through the link path ---- */

static void tx_flush(struct tool *t)
{
	unsigned done = 0;
	int tries = 0;
	while (done < t->ntx) {
		int r = ipk_link_write_batch(t->tx, t->txm + done, t->ntx - done, 0);
		if (r > 0) {
			if (!t->tx_frames)
				t->tx_first_ms = ipk_cli_real_ms(&t->clk);
			done += (unsigned)r;
			t->tx_frames += (unsigned)r;
			t->tx_last_ms = ipk_cli_real_ms(&t->clk);
			continue;
		}
		if ((r == -ENOBUFS || r == -EAGAIN || r == -EINTR) && tries++ < 200) {
			struct timespec ts = {0, 500000}; /* the queue drains: wait half a millisecond */
			nanosleep(&ts, NULL);
			continue;
		}
		if (r != t->last_tx_err)
			fprintf(stderr, "%s: sending a report on %s: %s\n", PROG, t->ifname, strerror(-r));
		t->last_tx_err = r;
		t->tx_errors += t->ntx - done;
		break;
	}
	t->ntx = 0;
}

static int queue_report(struct tool *t, const struct ipk_host_report *rp)
{
	if (t->ntx == TXQ)
		tx_flush(t);
	uint8_t *frame = t->txbuf + (size_t)t->ntx * t->frame_cap;
	uint8_t dst[6], src[6];
	ipk_eth_mcast_mac(rp->dst, dst);
	memcpy(src, t->mac, 6);
	if (t->per_host_mac) { /* base + host index, as a 48-bit number */
		uint64_t m = 0;
		for (int i = 0; i < 6; i++)
			m = m << 8 | src[i];
		m += rp->host;
		for (int i = 5; i >= 0; i--, m >>= 8)
			src[i] = (uint8_t)m;
	}
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, frame, t->frame_cap);
	int r = ipk_eth_build(&w, dst, src, IPK_ETHERTYPE_IPV4);
	if (r == 0 && rp->len > t->frame_cap - w.len)
		r = IPK_E_NOSPACE;
	if (r != 0)
		return r;
	memcpy(frame + w.len, rp->dgram, rp->len);
	memset(&t->txm[t->ntx], 0, sizeof(t->txm[0]));
	t->txm[t->ntx].buf = frame;
	t->txm[t->ntx].len = w.len + rp->len;
	t->ntx++;
	t->tx_bytes += w.len + rp->len;
	if (rp->kind == IPK_HOST_RPT_ANSWER)
		t->tx_answers++;
	return 0;
}

/* ---- the event log ---- */

static void log_line(struct tool *t, const char *event, const struct ipk_fmt_kv *kv, size_t n)
{
	ipk_cli_event(t->ev, &t->nev, IPK_FMT_JSON, &t->line, &t->line_cap, event, kv, n);
}

#define KV_IP IPK_KV_IP
#define KV_INT IPK_KV_INT
#define KV_STR IPK_KV_STR
#define NKV(kv) (sizeof(kv) / sizeof((kv)[0]))

static const char *pool_name(unsigned p)
{
	return p == 0 ? "groups" : p == 1 ? "memberships" : "sources";
}

static void log_event(struct tool *t, const struct ipk_host_event *e, int err)
{
	const char *name = ipk_host_ev_name(e->type);
	switch (e->type) {
	case IPK_HEV_HEARD: {
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms),
					  KV_STR("message", ipk_igmp_type_name(e->msg_type)),
					  KV_INT("version", e->version), KV_IP("from", e->from),
					  KV_IP("to", e->to), KV_IP("group", e->group),
					  KV_INT("sources", e->nsrcs), KV_INT("max_resp_ms", e->mrt_ms)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	case IPK_HEV_FINDING: {
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_STR("code", ipk_errname(e->code)),
					  KV_STR("message", ipk_strerror(e->code)),
					  KV_INT("offset", e->offset), KV_IP("from", e->from),
					  KV_IP("group", e->group)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	case IPK_HEV_SEND: {
		const struct ipk_host_report *r = e->report;
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_INT("host", r->host),
					  KV_IP("src", r->src), KV_IP("to", r->dst),
					  KV_STR("report", ipk_host_report_kind_name(r->kind)),
					  KV_STR("message", ipk_igmp_type_name(r->type)),
					  KV_INT("version", r->version), KV_IP("group", e->group),
					  KV_INT("records", r->nrecords), KV_INT("len", r->len),
					  KV_STR("error", err ? ipk_strerror(err) : NULL)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	case IPK_HEV_SCHEDULE: {
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_INT("host", e->host),
					  KV_IP("group", e->group), KV_INT("delay_ms", e->delay_ms)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	case IPK_HEV_SUPPRESS: {
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_INT("host", e->host),
					  KV_IP("group", e->group)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	case IPK_HEV_COMPAT: {
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_INT("old", e->old),
					  KV_INT("new", e->new_)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	default: { /* full, and any later kind */
		struct ipk_fmt_kv kv[] = {KV_INT("clock_ms", e->now_ms), KV_INT("host", e->host),
					  KV_STR("pool", pool_name(e->new_)), KV_IP("group", e->group),
					  KV_IP("source", e->source)};
		log_line(t, name, kv, NKV(kv));
		break;
	}
	}
}

static void on_event(void *arg, const struct ipk_host_event *e)
{
	struct tool *t = arg;
	int err = 0;
	if (e->type == IPK_HEV_SEND && e->report) {
		err = queue_report(t, e->report);
		if (err) {
			t->tx_errors++;
			if (err != t->last_tx_err)
				fprintf(stderr, "%s: a report does not fit in a frame: %s\n", PROG,
					ipk_strerror(err));
			t->last_tx_err = err;
		}
	}
	if (t->ev)
		log_event(t, e, err);
}

/* ---- membership changes ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The sources of host's membership of group into t->srcbuf (sorted); their number, with *mode
 * (IPK_HOST_INCLUDE with 0 sources when not a member); -1 out of memory. */
static long current(struct tool *t, uint32_t host, uint32_t group, unsigned *mode, uint64_t now)
{
	*mode = IPK_HOST_INCLUDE;
	if (!set_has(&t->mem_set, (uint64_t)host << 32 | group))
		return 0;
	uint32_t cur = 0;
	struct ipk_host_membership m;
	while (ipk_host_membership_next(&t->h, host, &cur, now, &m) == 1) {
		if (m.group != group)
			continue;
		*mode = m.filter_mode;
		if (m.nsources + IPK_CLI_MAX_SRCS > t->srccap) {
			size_t cap = m.nsources + IPK_CLI_MAX_SRCS;
			uint32_t *p = realloc(t->srcbuf, cap * sizeof(uint32_t));
			if (!p)
				return -1;
			t->srcbuf = p;
			t->srccap = cap;
		}
		uint32_t sc = 0, s;
		size_t n = 0;
		while (n < m.nsources && ipk_host_source_next(&t->h, &m, &sc, &s) == 1)
			t->srcbuf[n++] = s;
		qsort(t->srcbuf, n, sizeof(uint32_t), cmp_u32);
		return (long)n;
	}
	return 0;
}

/* srcbuf[0..n) (sorted) plus (add) or minus (!add) srcs; the new count. */
static size_t merge(uint32_t *buf, size_t n, const uint32_t *srcs, unsigned ns, int add)
{
	for (unsigned i = 0; i < ns; i++) {
		uint32_t *hit = bsearch(&srcs[i], buf, n, sizeof(uint32_t), cmp_u32);
		if (add && !hit) {
			size_t k = n;
			while (k > 0 && buf[k - 1] > srcs[i]) {
				buf[k] = buf[k - 1];
				k--;
			}
			buf[k] = srcs[i];
			n++;
		} else if (!add && hit) {
			memmove(hit, hit + 1, (size_t)(buf + n - hit - 1) * sizeof(uint32_t));
			n--;
		}
	}
	return n;
}

/* One (host, group) operation of action a at real ms rnow. */
static void apply_op(struct tool *t, const struct ipk_scen_act *a, uint32_t host, uint32_t group,
		     double rnow, uint64_t now)
{
	unsigned cur_mode, mode;
	const struct ipk_cli_group *g = &a->g;
	const uint32_t *srcs = g->src;
	size_t n = g->nsrc;
	long have = 0;
	if (a->action == IPK_ACT_ALLOW || a->action == IPK_ACT_BLOCK) {
		have = current(t, host, group, &cur_mode, now);
		if (have < 0) {
			t->ops_failed++;
			return;
		}
		int add = (a->action == IPK_ACT_ALLOW) == (cur_mode == IPK_HOST_INCLUDE);
		n = merge(t->srcbuf, (size_t)have, g->src, g->nsrc, add);
		srcs = t->srcbuf;
		mode = cur_mode;
	} else if (a->action == IPK_ACT_LEAVE) {
		mode = IPK_HOST_INCLUDE;
		n = 0;
	} else if (a->action == IPK_ACT_INCLUDE) {
		mode = IPK_HOST_INCLUDE;
	} else if (a->action == IPK_ACT_EXCLUDE) {
		mode = IPK_HOST_EXCLUDE;
	} else { /* join: G, G@S (include), G!S (exclude) */
		mode = g->mode == IPK_CLI_INCLUDE ? IPK_HOST_INCLUDE : IPK_HOST_EXCLUDE;
	}
	uint64_t key = (uint64_t)host << 32 | group;
	int was = set_has(&t->mem_set, key);
	int is = !(mode == IPK_HOST_INCLUDE && n == 0);
	if (!was && !is)
		return; /* nothing to leave */
	int r = ipk_host_change(&t->h, host, 0, group, mode, srcs, n, now);
	if (r < 0) {
		t->ops_failed++;
		return;
	}
	t->ops_done++;
	if (was == is)
		return;
	struct grp *gr = gtab_get(&t->gt, group, 1);
	if (is) {
		if (set_add(&t->mem_set, key) != 0) {
			t->ops_failed++;
			return;
		}
		if (t->host_groups[host]++ == 0)
			t->hosts_joined++;
		if (gr && gr->members++ == 0) { /* a new join cycle of the group */
			if (gr->leave_ms >= 0 && gr->last_rx_ms >= gr->leave_ms)
				mam_add(&t->leave_delay, gr->last_rx_ms - gr->leave_ms);
			gr->join_ms = rnow;
			gr->leave_ms = gr->first_rx_ms = -1;
		}
	} else {
		set_del(&t->mem_set, key);
		if (--t->host_groups[host] == 0)
			t->hosts_joined--;
		if (gr && gr->members && --gr->members == 0)
			gr->leave_ms = rnow;
	}
}

/* Run the operations due at real ms rnow (at most OPS_SLICE); 1 when some remain due now. */
static int run_ops(struct tool *t, double rnow, uint64_t now)
{
	unsigned done = 0;
	while (t->cur < t->nacts && done < OPS_SLICE) {
		const struct ipk_scen_act *a = &t->acts[t->cur];
		if (a->t * 1000 > rnow)
			return 0;
		if (t->rate > 0) {
			double burst = t->rate / 100 > 1 ? t->rate / 100 : 1;
			t->tokens += (rnow - t->tok_ms) * t->rate / 1000;
			if (t->tokens > burst)
				t->tokens = burst;
			t->tok_ms = rnow;
			if (t->tokens < 1)
				return 0;
			t->tokens -= 1;
		}
		uint32_t host, group;
		ipk_scen_op(a, t->op, &host, &group);
		if (t->ops_first_ms < 0)
			t->ops_first_ms = rnow;
		apply_op(t, a, host, group, rnow, now);
		done++;
		if (++t->op == ipk_scen_nops(a)) {
			t->cur++;
			t->op = 0;
		}
	}
	return t->cur < t->nacts && done == OPS_SLICE;
}

/* Real ms until the next operation is due (0: now; -1: none left). */
static double ops_wait(struct tool *t, double rnow)
{
	if (t->cur >= t->nacts)
		return -1;
	double w = t->acts[t->cur].t * 1000 - rnow;
	if (t->rate > 0) {
		double tok = t->tokens + (rnow - t->tok_ms) * t->rate / 1000;
		double r = tok >= 1 ? 0 : (1 - tok) * 1000 / t->rate;
		if (r > w)
			w = r;
	}
	return w > 0 ? w : 0;
}

/* ---- --traffic: datagrams to the groups, per group first and last arrival ---- */

static void data_in(struct tool *t, const struct ipk_igmp_rx *x)
{
	if (x->len < 20)
		return;
	uint32_t dst = (uint32_t)x->buf[16] << 24 | (uint32_t)x->buf[17] << 16 |
		       (uint32_t)x->buf[18] << 8 | x->buf[19];
	double at = ipk_cli_stamp_ms(&t->clk, x->ts_ns);
	struct grp *g = gtab_get(&t->gt, dst, 0);
	if (!g || g->join_ms < 0) {
		t->data_other++;
		return;
	}
	t->data_rx++;
	g->rx++;
	g->arrived_ever = 1;
	if (g->members && g->first_rx_ms < 0 && at >= g->join_ms) {
		g->first_rx_ms = at;
		mam_add(&t->join_delay, at - g->join_ms);
	}
	if (!g->members && g->leave_ms >= 0 && at >= g->leave_ms)
		g->rx_after_leave++;
	if (at > g->last_rx_ms)
		g->last_rx_ms = at;
}

/* ---- the report: one JSON object (--json, --stats) or text ---- */

static void mam_json(FILE *f, const char *key, const struct mam *m)
{
	if (m->n)
		fprintf(f, "\"%s\":{\"count\":%llu,\"min\":%.3f,\"avg\":%.3f,\"max\":%.3f}", key,
			(unsigned long long)m->n, m->min, m->sum / (double)m->n, m->max);
	else
		fprintf(f, "\"%s\":{\"count\":0,\"min\":null,\"avg\":null,\"max\":null}", key);
}

/* The leave delays of groups left and not joined again, into a copy of t->leave_delay. */
static void leave_stats(const struct tool *t, struct mam *out)
{
	*out = t->leave_delay;
	for (size_t i = 0; i < t->gt.n; i++) {
		const struct grp *g = &t->gt.g[i];
		if (!g->members && g->leave_ms >= 0 && g->last_rx_ms >= g->leave_ms)
			mam_add(out, g->last_rx_ms - g->leave_ms);
	}
}

static int never_arrived(const struct grp *g)
{
	return g->join_ms >= 0 && g->first_rx_ms < 0 && (g->members || g->leave_ms >= 0) &&
	       !(g->leave_ms >= 0 && g->last_rx_ms >= g->join_ms);
}

static int still_forwarded(const struct grp *g, double end)
{
	return !g->members && g->leave_ms >= 0 && g->last_rx_ms >= g->leave_ms &&
	       g->last_rx_ms >= end - STILL_MS;
}

static int cmp_grp(const void *a, const void *b)
{
	return cmp_u32(&((const struct grp *)a)->group, &((const struct grp *)b)->group);
}

/* Put the groups in address order (for the lists) and index them again. */
static void gtab_sort(struct gtab *t)
{
	if (t->n < 2)
		return;
	qsort(t->g, t->n, sizeof(struct grp), cmp_grp);
	memset(t->slot, 0, (t->mask + 1) * sizeof(uint32_t));
	for (size_t k = 0; k < t->n; k++) {
		size_t i = (size_t)mix64(t->g[k].group) & t->mask;
		while (t->slot[i])
			i = (i + 1) & t->mask;
		t->slot[i] = (uint32_t)(k + 1);
	}
}

/* Addresses of the groups that pass keep(), in address order, as a JSON list or text. */
static void group_list(FILE *f, struct tool *t, int json, double end, int which)
{
	unsigned n = 0;
	for (size_t i = 0; i < t->gt.n; i++) {
		const struct grp *g = &t->gt.g[i];
		if (!(which == 0 ? never_arrived(g) : still_forwarded(g, end)))
			continue;
		char a[16];
		ipk_ip4_ntoa(g->group, a);
		if (json)
			fprintf(f, "%s\"%s\"", n ? "," : "", a);
		else if (n < 32)
			fprintf(f, " %s", a);
		n++;
	}
	if (!json && n > 32)
		fprintf(f, " ... (%u in all)", n);
	if (!json && n == 0)
		fprintf(f, " none");
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static void report(struct tool *t, FILE *f, int json)
{
	double rnow = ipk_cli_real_ms(&t->clk);
	uint64_t now = ipk_cli_virt_now(&t->clk);
	struct ipk_host_status st;
	ipk_host_status(&t->h, now, &st);
	const struct ipk_host_counters *c = &st.counters;
	char fa[16];
	ipk_ip4_ntoa(t->h.cfg.first_address, fa);
	struct mam leave;
	leave_stats(t, &leave);
	gtab_sort(&t->gt);
	if (json) {
		fprintf(f, "{\"interface\":");
		ipk_cli_json_str(f, t->ifname);
		fprintf(f, ",\"hosts\":%u,\"first_address\":\"%s\",\"version\":", t->h.cfg.nhosts, fa);
		if (t->forced_version)
			fprintf(f, "%d", t->forced_version);
		else
			fprintf(f, "\"auto\"");
		fprintf(f, ",\"profile\":\"%s\",\"seed\":%llu,\"time_scale\":%g,\"elapsed_s\":%.3f,"
			   "\"compat_version\":%u,\"robustness\":%u,\"query_interval_ms\":%u,"
			   "\"query_response_interval_ms\":%u,\"v1_querier_ms\":%u,\"v2_querier_ms\":%u,"
			   "\"hosts_joined\":%u,\"groups\":%u,"
			   "\"memberships\":%u,\"sources\":%u,\"pending_reports\":%u,\"changes_applied\":%llu,"
			   "\"changes_failed\":%llu,\"changes_left\":%s,\"tx_first_s\":%.6f,"
			   "\"tx_last_s\":%.6f,\"changes_first_s\":%.6f,\"changes_done_s\":%.6f,"
			   "\"changes_frames\":%llu,\"changes_records\":%llu,\"memory_bytes\":%zu,"
			   "\"peak_rss_kib\":%ld,",
			ipk_host_profile_name(t->h.cfg.profile), (unsigned long long)t->seed, t->clk.scale,
			rnow / 1000, st.compat_version, st.robustness, st.query_interval_ms,
			st.query_response_interval_ms, st.v1_querier_ms, st.v2_querier_ms, t->hosts_joined,
			st.ngroups,
			st.nmemberships, st.nsources, st.pending_reports, (unsigned long long)t->ops_done,
			(unsigned long long)t->ops_failed, t->cur < t->nacts ? "true" : "false",
			t->tx_first_ms / 1000, t->tx_last_ms / 1000, t->ops_first_ms / 1000,
			t->ops_end_ms / 1000, (unsigned long long)t->ops_end_frames,
			(unsigned long long)t->ops_end_records, t->mem_bytes, peak_rss_kib());
		fprintf(f, "\"counters\":{\"rx_messages\":%llu,\"rx_queries\":%llu,\"rx_reports_heard\":%llu,"
			   "\"rx_ignored\":%llu,\"findings\":%llu,\"tx_reports\":%llu,\"tx_records\":%llu,"
			   "\"tx_leaves\":%llu,\"tx_answers\":%llu,\"answers_scheduled\":%llu,"
			   "\"suppressed\":%llu,\"changes\":%llu,\"pool_full\":%llu,\"tx_frames\":%llu,"
			   "\"tx_bytes\":%llu,\"tx_errors\":%llu}",
			(unsigned long long)c->rx_messages, (unsigned long long)c->rx_queries,
			(unsigned long long)c->rx_reports_heard, (unsigned long long)c->rx_ignored,
			(unsigned long long)c->findings, (unsigned long long)c->tx_reports,
			(unsigned long long)c->tx_records, (unsigned long long)c->tx_leaves,
			(unsigned long long)t->tx_answers, (unsigned long long)c->answers_scheduled,
			(unsigned long long)c->suppressed, (unsigned long long)c->changes,
			(unsigned long long)c->pool_full, (unsigned long long)t->tx_frames,
			(unsigned long long)t->tx_bytes, (unsigned long long)t->tx_errors);
		if (t->traffic) {
			fprintf(f, ",\"traffic\":{\"datagrams\":%llu,\"datagrams_other\":%llu,",
				(unsigned long long)t->data_rx, (unsigned long long)t->data_other);
			mam_json(f, "join_delay_ms", &t->join_delay);
			fputc(',', f);
			mam_json(f, "leave_delay_ms", &leave);
			fprintf(f, ",\"never_arrived\":[");
			group_list(f, t, 1, rnow, 0);
			fprintf(f, "],\"still_forwarded\":[");
			group_list(f, t, 1, rnow, 1);
			fprintf(f, "]}");
		}
		fprintf(f, "}\n");
		return;
	}
	fprintf(f, "%u hosts from %s on %s, IGMPv%u (%s), profile %s, seed %llu, %.3f s\n",
		t->h.cfg.nhosts, fa, t->ifname, st.compat_version,
		t->forced_version ? "forced" : "auto", ipk_host_profile_name(t->h.cfg.profile),
		(unsigned long long)t->seed, rnow / 1000);
	fprintf(f, "hosts joined %u, groups %u, memberships %u, sources %u; changes %llu applied, "
		   "%llu failed%s\n",
		t->hosts_joined, st.ngroups, st.nmemberships, st.nsources,
		(unsigned long long)t->ops_done, (unsigned long long)t->ops_failed,
		t->cur < t->nacts ? ", some not yet due" : "");
	fprintf(f, "reports sent %llu (%llu records, %llu leaves, %llu answers; %llu send errors), "
		   "queries heard %llu, reports heard %llu, suppressed %llu, findings %llu\n",
		(unsigned long long)c->tx_reports, (unsigned long long)c->tx_records,
		(unsigned long long)c->tx_leaves, (unsigned long long)t->tx_answers,
		(unsigned long long)t->tx_errors, (unsigned long long)c->rx_queries,
		(unsigned long long)c->rx_reports_heard, (unsigned long long)c->suppressed,
		(unsigned long long)c->findings);
	if (t->traffic) {
		const struct mam *m[2] = {&t->join_delay, &leave};
		const char *nm[2] = {"join delay", "leave delay"};
		fprintf(f, "traffic: %llu datagrams to our groups (%llu to others)\n",
			(unsigned long long)t->data_rx, (unsigned long long)t->data_other);
		for (int i = 0; i < 2; i++)
			if (m[i]->n)
				fprintf(f, "  %s: %llu groups, min %.3f ms, avg %.3f ms, max %.3f ms\n", nm[i],
					(unsigned long long)m[i]->n, m[i]->min, m[i]->sum / (double)m[i]->n,
					m[i]->max);
			else
				fprintf(f, "  %s: not measured\n", nm[i]);
		fprintf(f, "  never arrived:");
		group_list(f, t, 0, rnow, 0);
		fprintf(f, "\n  still forwarded after leaving:");
		group_list(f, t, 0, rnow, 1);
		fputc('\n', f);
	}
}

/* --stats: PATH.tmp.PID written whole, then renamed over PATH. 0 or -1 after saying why. */
static int fill_stats(void *arg, FILE *f)
{
	report(arg, f, 1);
	return 0;
}

static int save_stats(struct tool *t)
{
	return ipk_cli_save(PROG, "--stats", t->stats, t->tmp, fill_stats, t);
}

/* The live line on a terminal (stderr), redrawn in place. */
static void progress(struct tool *t, double rnow, uint64_t *last_tx, double *last_ms)
{
	struct ipk_host_status st;
	ipk_host_status(&t->h, ipk_cli_virt_now(&t->clk), &st);
	double dt = (rnow - *last_ms) / 1000;
	double rps = dt > 0 ? (double)(st.counters.tx_reports - *last_tx) / dt : 0;
	fprintf(stderr, "\r\033[K%.1f s: hosts joined %u/%u, groups %u, memberships %u, reports %llu "
			"(%.0f/s), queries %llu, answered %llu%s",
		rnow / 1000, t->hosts_joined, t->h.cfg.nhosts, st.ngroups, st.nmemberships,
		(unsigned long long)st.counters.tx_reports, rps,
		(unsigned long long)st.counters.rx_queries, (unsigned long long)t->tx_answers, "");
	if (t->traffic)
		fprintf(stderr, ", data %llu", (unsigned long long)t->data_rx);
	*last_tx = st.counters.tx_reports;
	*last_ms = rnow;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit host -i IFACE --hosts N [--first-address A] [--mac-base M]\n"
		"         [-V auto|1|2|3] [--profile rfc|linux] [--join SPEC]... [--scenario FILE]\n"
		"         [--rate CHANGES_PER_S] [--seed N] [--duration S] [--time-scale X] [--traffic]\n"
		"         [--stats FILE] [--events FILE|-] [--json]\n"
		"\n"
		"Emulate N IGMP hosts on the link of IFACE (RFC 3376/9776 section 5, RFC 2236, RFC 1112):\n"
		"each has its own address (and with --mac-base its own MAC), joins and leaves as the\n"
		"--join specs and the scenario say, answers the queries heard on the link and sends\n"
		"its reports as whole frames through a packet socket. docs/host-scenarios.md has examples.\n"
		"  -i, --interface IFACE    the link (name or index); needs CAP_NET_RAW\n"
		"      --hosts N            emulated hosts, 1..65535 (numbered 0..N-1)\n"
		"      --first-address A    host i's address is A + i (default: IFACE's address + 1)\n"
		"      --mac-base M         host i's MAC is M + i (default: every host uses IFACE's MAC)\n"
		"  -V, --igmp-version V     auto (v3, falling back to v2/v1 on older queries; default),\n"
		"                           or 1, 2, 3 forced\n"
		"      --profile P          rfc (default) or linux (the Linux kernel's measured behaviour)\n"
		"      --join [HOSTS:]GROUP[+N|%%N][@SRC,...|!SRC,...]\n"
		"                           at the start, HOSTS (all, *, H or A-B; default all) join GROUP\n"
		"                           (any source), GROUP@SRC (these sources), GROUP!SRC (any but\n"
		"                           these); +N: each host joins N consecutive groups; %%N: host\n"
		"                           A+k joins group GROUP + k mod N only. Repeatable.\n"
		"      --scenario FILE      a timeline, one line each: TIME HOSTS ACTION GROUP[@SRC,...]\n"
		"                           (TIME real seconds; ACTION join, leave, include, exclude,\n"
		"                           allow, block; '#' comments)\n"
		"      --rate R             membership changes per second, 0.001..1e9 (default: at once)\n"
		"      --seed N             random seed of the response delays (default: from the clock;\n"
		"                           printed, so a run can be repeated)\n"
		"      --duration S         stop after S real seconds, 0.001..1e9 (default: at a signal)\n"
		"      --time-scale X       run the protocol's timers X times faster, 0.001..1000, as\n"
		"                           ipv4kit querier --time-scale (scenario times, --rate and\n"
		"                           --duration stay real)\n"
		"      --traffic            also hear the multicast data on IFACE: per group join delay\n"
		"                           (first report to first datagram) and leave delay (leave to\n"
		"                           last datagram), groups that never arrived or still arrive\n"
		"      --stats FILE         write the report as JSON to FILE every second and at the end\n"
		"                           (atomically: a temporary file renamed)\n"
		"      --events FILE|-      one JSON line per event of the hosts (heard, finding, send,\n"
		"                           schedule, suppress, compat, full) to FILE, or - for stdout\n"
		"      --json               the final report as one JSON object (default: text)\n"
		"      --mtu N              the link's MTU, 576..9000: v3 reports hold as many records\n"
		"                           as fit (default 1500)\n"
		"  -h, --help               this help\n"
		"The report goes to stdout (stderr with --events -); on a terminal stderr shows a live\n"
		"line. Exit: 0 stopped by --duration or a signal; 1 a socket error or a membership\n"
		"change the pools refused; 2 usage error, bad scenario or unknown interface.\n");
}

enum {
	O_HOSTS = 256, O_FIRST, O_MACBASE, O_PROFILE, O_JOIN, O_SCEN, O_RATE, O_SEED, O_DURATION,
	O_SCALE, O_TRAFFIC, O_STATS, O_EVENTS, O_JSON, O_MTU,
};

/* Append action a to t->acts (grown 64 at a time, as ipk_scen_load does). */
static int add_act(struct tool *t, const struct ipk_scen_act *a)
{
	if (t->nacts % 64 == 0) {
		struct ipk_scen_act *p = realloc(t->acts, (t->nacts + 64) * sizeof(*p));
		if (!p)
			return -1;
		t->acts = p;
	}
	t->acts[t->nacts++] = *a;
	return 0;
}

static size_t cap24(uint64_t v)
{
	return v > (1u << 24) ? (1u << 24) : (size_t)v;
}

int ipk_cmd_host(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"interface", required_argument, NULL, 'i'}, {"hosts", required_argument, NULL, O_HOSTS},
	    {"first-address", required_argument, NULL, O_FIRST},
	    {"mac-base", required_argument, NULL, O_MACBASE},
	    {"igmp-version", required_argument, NULL, 'V'},
	    {"profile", required_argument, NULL, O_PROFILE}, {"join", required_argument, NULL, O_JOIN},
	    {"scenario", required_argument, NULL, O_SCEN}, {"rate", required_argument, NULL, O_RATE},
	    {"seed", required_argument, NULL, O_SEED}, {"duration", required_argument, NULL, O_DURATION},
	    {"time-scale", required_argument, NULL, O_SCALE}, {"traffic", no_argument, NULL, O_TRAFFIC},
	    {"stats", required_argument, NULL, O_STATS}, {"events", required_argument, NULL, O_EVENTS},
	    {"json", no_argument, NULL, O_JSON}, {"mtu", required_argument, NULL, O_MTU},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ipk_host_cfg cfg;
	ipk_host_cfg_default(&cfg);
	const char *iface = NULL, *events = NULL, *scen = NULL, *joins[256];
	unsigned njoins = 0;
	int json = 0, have_first = 0, have_seed = 0, opt;
	uint32_t first = 0;
	unsigned long v, nhosts = 0;
	double scale = 1, duration = 0;
	struct ipk_igmp_rx *rx = NULL;
	uint8_t *rxbuf = NULL;
	FILE *rep = stdout;
	static struct tool t; /* large buffers hang off it; one per process */
	memset(&t, 0, sizeof(t));
	t.rx = t.data = t.tx = -1;
	t.ops_first_ms = t.ops_end_ms = -1;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:V:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case O_HOSTS:
			if (ipk_cli_num(PROG, "--hosts", optarg, 1, 65535, &nhosts) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_FIRST:
			if (ipk_ip4_aton(optarg, &first) != 0 || ipk_ip4_is_multicast(first) || first == 0 ||
			    first == 0xffffffffu)
				return ipk_cli_usage(PROG, "--first-address: '%s' is not a unicast IPv4 address",
						     optarg);
			have_first = 1;
			break;
		case O_MACBASE:
			if (ipk_cli_mac(PROG, "--mac-base", optarg, t.mac) != 0)
				return IPK_EXIT_USAGE;
			if (t.mac[0] & 1)
				return ipk_cli_usage(PROG, "--mac-base: '%s' is a multicast MAC", optarg);
			t.per_host_mac = 1;
			break;
		case 'V':
			if (strcmp(optarg, "auto") == 0) {
				cfg.version = 0;
				break;
			}
			if (ipk_cli_num(PROG, "-V", optarg, 1, 3, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.version = (uint8_t)v;
			break;
		case O_PROFILE:
			if (strcmp(optarg, "rfc") == 0)
				cfg.profile = IPK_HOST_PROFILE_RFC;
			else if (strcmp(optarg, "linux") == 0)
				cfg.profile = IPK_HOST_PROFILE_LINUX;
			else
				return ipk_cli_usage(PROG, "--profile: '%s' is not rfc or linux", optarg);
			break;
		case O_JOIN:
			if (njoins == sizeof(joins) / sizeof(joins[0]))
				return ipk_cli_usage(PROG, "at most %zu --join options (use --scenario)",
						     sizeof(joins) / sizeof(joins[0]));
			joins[njoins++] = optarg;
			break;
		case O_SCEN: scen = optarg; break;
		case O_RATE:
			if (ipk_cli_real(PROG, "--rate", optarg, 0.001, 1e9, &t.rate) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_SEED:
			if (ipk_cli_num(PROG, "--seed", optarg, 0, ~0UL, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.seed = v;
			have_seed = 1;
			break;
		case O_DURATION:
			if (ipk_cli_real(PROG, "--duration", optarg, 0.001, 1e9, &duration) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_SCALE:
			if (ipk_cli_real(PROG, "--time-scale", optarg, 0.001, 1000, &scale) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_TRAFFIC: t.traffic = 1; break;
		case O_STATS: t.stats = optarg; break;
		case O_EVENTS: events = optarg; break;
		case O_JSON: json = 1; break;
		case O_MTU:
			if (ipk_cli_num(PROG, "--mtu", optarg, 576, 9000, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.mtu = (uint16_t)v;
			break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (optind < argc)
		return ipk_cli_usage(PROG, "unexpected argument '%s'", argv[optind]);
	if (!iface)
		return ipk_cli_usage(PROG, "no interface given (-i IFACE)");
	if (!nhosts)
		return ipk_cli_usage(PROG, "no host count given (--hosts N)");
	cfg.nhosts = (uint32_t)nhosts;
	for (unsigned i = 0; i < njoins; i++) {
		struct ipk_scen_act a;
		char err[160];
		size_t col;
		if (ipk_scen_join(joins[i], cfg.nhosts, &a, err, sizeof(err), &col) != 0)
			return ipk_cli_usage(PROG, "--join '%s': column %zu: %s", joins[i], col, err);
		if (add_act(&t, &a) != 0) {
			fprintf(stderr, "%s: out of memory\n", PROG);
			return IPK_EXIT_USAGE;
		}
	}
	int ret = IPK_EXIT_USAGE;
	if (scen && ipk_scen_load(PROG, scen, cfg.nhosts, &t.acts, &t.nacts) != 0)
		goto out;
	if (ipk_cli_ifindex(PROG, iface, &t.ifindex) != 0) {
		ipk_cli_hint(PROG);
		goto out;
	}
	if (!if_indextoname(t.ifindex, t.ifname))
		snprintf(t.ifname, sizeof(t.ifname), "%s", iface);
	if (!have_first) {
		uint32_t a = ipk_cli_if_addr(t.ifname);
		if (!a) {
			ipk_cli_usage(PROG, "%s has no IPv4 address: give --first-address A", t.ifname);
			goto out;
		}
		first = a + 1;
	}
	cfg.first_address = first;
	if ((uint64_t)first + cfg.nhosts - 1 > 0xdfffffffu) {
		ipk_cli_usage(PROG, "--hosts %u from --first-address would reach 224.0.0.0", cfg.nhosts);
		goto out;
	}
	if (t.stats && ipk_pcapw_tmpname(t.stats, t.tmp, sizeof(t.tmp)) != 0) {
		ipk_cli_usage(PROG, "--stats: file name too long");
		goto out;
	}
	if (!have_seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		cfg.seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
	}
	t.seed = cfg.seed;
	t.forced_version = cfg.version;
	cfg.time_scale = scale;

	/* pools: what the actions can create at most (every join-like operation a new membership) */
	uint64_t nmem = 64, ngrp = 64, nsrc = 64;
	for (size_t i = 0; i < t.nacts; i++) {
		const struct ipk_scen_act *a = &t.acts[i];
		if (a->action == IPK_ACT_LEAVE)
			continue;
		nmem += ipk_scen_nops(a);
		ngrp += a->ngroups;
		nsrc += ipk_scen_nops(a) * a->g.nsrc;
	}
	cfg.max_memberships = (uint32_t)cap24(nmem);
	cfg.max_groups = (uint32_t)cap24(ngrp);
	cfg.max_sources = (uint32_t)cap24(nsrc);
	int r = ipk_host_cfg_check(&cfg);
	if (r != 0) {
		ipk_cli_usage(PROG, "not a valid host configuration: %s", ipk_strerror(r));
		goto out;
	}
	ret = IPK_EXIT_FINDINGS;
	size_t memlen = ipk_host_mem_size(&cfg);
	t.mem = memlen ? malloc(memlen) : NULL;
	t.host_groups = calloc(cfg.nhosts, sizeof(uint32_t));
	t.frame_cap = IPK_ETH_HLEN + cfg.mtu;
	t.txbuf = malloc(TXQ * t.frame_cap);
	t.line_cap = 4096;
	t.line = malloc(t.line_cap);
	rx = calloc(RX_BATCH, sizeof(*rx));
	rxbuf = malloc((size_t)RX_BATCH * RX_CAP);
	t.mem_bytes = memlen + (size_t)cfg.nhosts * sizeof(uint32_t);
	if (!t.mem || !t.host_groups || !t.txbuf || !t.line || !rx || !rxbuf ||
	    set_init(&t.mem_set, cfg.max_memberships) != 0 || gtab_init(&t.gt, cfg.max_groups) != 0) {
		fprintf(stderr, "%s: out of memory (%zu bytes for %u memberships)\n", PROG, memlen,
			cfg.max_memberships);
		goto out;
	}
	t.mem_bytes += (t.mem_set.mask + 1) * sizeof(uint64_t) +
		       (t.gt.mask + 1) * sizeof(uint32_t) + t.gt.cap * sizeof(struct grp);
	if (events) {
		t.ev = strcmp(events, "-") == 0 ? stdout : fopen(events, "w");
		if (!t.ev) {
			fprintf(stderr, "%s: --events: cannot open %s: %s\n", PROG, events, strerror(errno));
			ret = IPK_EXIT_USAGE;
			goto out;
		}
	}
	if (t.ev == stdout)
		rep = stderr;
	t.progress = isatty(STDERR_FILENO);

	/* sockets: hear IGMP (and the data), send frames */
	t.rx = ipk_igmp_listen_open(t.ifindex, 0);
	if (t.rx < 0) {
		fprintf(stderr, "%s: cannot listen for IGMP on %s: %s%s\n", PROG, t.ifname, strerror(-t.rx),
			t.rx == -EPERM ? " (a packet socket needs root or CAP_NET_RAW)" : "");
		goto out;
	}
	if (t.traffic && (t.data = ipk_igmp_listen_open(t.ifindex, IPK_IGMP_RX_MCAST_DATA)) < 0) {
		fprintf(stderr, "%s: --traffic: cannot listen on %s: %s\n", PROG, t.ifname, strerror(-t.data));
		goto out;
	}
	t.tx = ipk_link_open(t.ifindex);
	if (t.tx < 0) {
		fprintf(stderr, "%s: cannot open the link sender on %s: %s%s\n", PROG, t.ifname,
			strerror(-t.tx), t.tx == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		goto out;
	}
	if (!t.per_host_mac && (r = ipk_link_get_mac(t.tx, t.mac)) != 0) {
		fprintf(stderr, "%s: %s has no Ethernet address: %s\n", PROG, t.ifname, strerror(-r));
		goto out;
	}

	ipk_cli_clock_start(&t.clk, scale);
	uint64_t now = ipk_cli_virt_now(&t.clk);
	r = ipk_host_init(&t.h, &cfg, t.mem, memlen, now, on_event, &t);
	if (r != 0) {
		fprintf(stderr, "%s: cannot start the hosts: %s\n", PROG, ipk_strerror(r));
		goto out;
	}
	ipk_cli_signals(1);
	char abuf[16];
	ipk_ip4_ntoa(first, abuf);
	fprintf(stderr, "%s: %u hosts from %s on %s, IGMP %s, profile %s, seed %llu%s\n", PROG,
		cfg.nhosts, abuf, t.ifname,
		cfg.version ? (cfg.version == 1 ? "v1" : cfg.version == 2 ? "v2" : "v3") : "auto",
		ipk_host_profile_name(cfg.profile), (unsigned long long)cfg.seed,
		scale != 1 ? " (time scaled)" : "");

	for (size_t i = 0; i < RX_BATCH; i++) {
		rx[i].buf = rxbuf + i * RX_CAP;
		rx[i].cap = RX_CAP;
	}
	double next_tick = PROGRESS_MS, last_ms = 0;
	uint64_t last_tx = 0;
	ret = IPK_EXIT_OK;
	while (!ipk_cli_stop) {
		double rnow = ipk_cli_real_ms(&t.clk);
		now = ipk_cli_virt_now(&t.clk);
		int more = run_ops(&t, rnow, now);
		ipk_host_tick(&t.h, ipk_cli_virt_now(&t.clk));
		tx_flush(&t);
		if (t.cur == t.nacts && t.ops_end_ms < 0 && t.ops_first_ms >= 0) {
			t.ops_end_ms = ipk_cli_real_ms(&t.clk);
			t.ops_end_frames = t.tx_frames;
			t.ops_end_records = t.h.ctr.tx_records;
		}
		rnow = ipk_cli_real_ms(&t.clk);
		if (duration > 0 && rnow >= duration * 1000)
			break;
		if (rnow >= next_tick) {
			if (t.stats)
				(void)save_stats(&t);
			if (t.progress)
				progress(&t, rnow, &last_tx, &last_ms);
			next_tick = rnow + PROGRESS_MS;
		}
		if (t.ev)
			fflush(t.ev);
		double wait = more ? 0 : 60000;
		uint64_t dl = ipk_host_next_deadline(&t.h);
		if (dl != UINT64_MAX && ipk_cli_real_until(&t.clk, dl) < wait)
			wait = ipk_cli_real_until(&t.clk, dl);
		double ow = ops_wait(&t, rnow);
		if (ow >= 0 && ow < wait)
			wait = ow;
		if ((t.stats || t.progress) && next_tick - rnow < wait)
			wait = next_tick - rnow;
		if (duration > 0 && duration * 1000 - rnow < wait)
			wait = duration * 1000 - rnow;
		struct pollfd pfd[2] = {{t.rx, POLLIN, 0}, {t.data, POLLIN, 0}};
		r = poll(pfd, t.data >= 0 ? 2 : 1, wait > 0 ? (int)wait + (wait < 1 ? 0 : 1) : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
			ret = IPK_EXIT_FINDINGS;
			break;
		}
		for (int s = 0; s < 2 && r > 0; s++) {
			if (!(pfd[s].revents & POLLIN) || (s == 1 && t.data < 0))
				continue;
			for (int i = 0; i < RX_BATCH; i++)
				rx[i].cap = s ? DATA_CAP : RX_CAP;
			int n = ipk_igmp_listen_read(pfd[s].fd, rx, RX_BATCH, MSG_DONTWAIT);
			if (n == -EAGAIN || n == -EINTR || n == -ENETDOWN)
				continue;
			if (n < 0) {
				fprintf(stderr, "%s: receive on %s: %s\n", PROG, t.ifname, strerror(-n));
				ret = IPK_EXIT_FINDINGS;
				ipk_cli_stop = 1;
				break;
			}
			for (int i = 0; i < n; i++) {
				if (s)
					data_in(&t, &rx[i]);
				else
					ipk_host_input(&t.h, rx[i].buf, rx[i].len,
						       ipk_cli_virt_at(&t.clk, ipk_cli_stamp_ms(&t.clk, rx[i].ts_ns)));
			}
			tx_flush(&t);
		}
	}
	tx_flush(&t);
	if (t.progress)
		fputc('\n', stderr);
	if (t.stats && save_stats(&t) != 0 && ret == IPK_EXIT_OK)
		ret = IPK_EXIT_FINDINGS;
	if (t.ev && fflush(t.ev) != 0) {
		fprintf(stderr, "%s: --events: write error\n", PROG);
		if (ret == IPK_EXIT_OK)
			ret = IPK_EXIT_FINDINGS;
	}
	report(&t, rep, json);
	fflush(rep);
	if (t.ops_failed && ret == IPK_EXIT_OK)
		ret = IPK_EXIT_FINDINGS;
out:
	if (t.rx >= 0)
		close(t.rx);
	if (t.data >= 0)
		close(t.data);
	if (t.tx >= 0)
		close(t.tx);
	if (t.ev && t.ev != stdout)
		fclose(t.ev);
	free(t.acts);
	free(t.mem);
	free(t.host_groups);
	free(t.txbuf);
	free(t.line);
	free(t.srcbuf);
	free(t.mem_set.k);
	free(t.gt.g);
	free(t.gt.slot);
	free(rx);
	free(rxbuf);
	return ret;
}
