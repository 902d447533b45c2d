/* querier.c - `ipv4kit querier`: an IGMPv1/v2/v3 querier on one link (RFC 3376/9776 section 6, RFC 2236 sections 3 and 7) with its state as JSON, an event log and a live table. */
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/querier.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit querier"
#define TABLE_MS 1000       /* live table refresh, real milliseconds */
#define RX_BATCH 32         /* datagrams per read */
#define RX_CAP 9216         /* one datagram (jumbo frames included) */
#define MAX_GROUPS 65536    /* pools of the state machine */
#define MAX_SOURCES 1048576

/* ---- the command ---- */

struct qtool {
	struct ipk_querier q;
	void *mem;
	struct ipk_cli_clock clk;
	struct ipk_igmp_tx tx;
	int rx;
	char ifname[IF_NAMESIZE];
	const char *state;      /* --state FILE */
	char tmp[4200];         /* its temporary name */
	FILE *ev;               /* --events, or NULL */
	int json;
	int table;              /* live table on stdout */
	uint64_t nev;           /* events logged */
	uint64_t tx_errors;
	int last_tx_err;
	/* scratch for one group's sources (state JSON, table) */
	struct ipk_fmt_qsource *src;
	size_t src_cap;
	uint32_t *groups;       /* group addresses, sorted */
	size_t groups_cap;
	char *line;
	size_t line_cap;
};

/* ---- queries: built by the codec, the time fields divided by --time-scale ---- */

/* A v3 coded time (MRC tenths, QQIC seconds) divided by the scale, coded again. */
static uint8_t scale_code(uint8_t code, double scale)
{
	if (scale == 1)
		return code;
	double v = (double)ipk_igmp_code_decode(code) / scale + 0.5;
	return code && v < 1 ? 1 : ipk_igmp_code_encode((unsigned)v); /* never 0 from non-0 */
}

static int send_query(struct qtool *t, const struct ipk_querier_query *q)
{
	uint8_t msg[IPK_IGMP_TX_MAX];
	struct ipk_wbuf w;
	int r;
	ipk_wbuf_init(&w, msg, sizeof(msg) - IPK_IGMP_HDRROOM);
	double sc = t->clk.scale;
	if (q->version == 1) {
		r = ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, q->group);
	} else if (q->version == 2) {
		double v = q->mrc / sc + 0.5; /* linear tenths; 0 would make it a v1 query */
		r = ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, (uint8_t)(v > 255 ? 255 : v < 1 ? 1 : v),
				    q->group);
	} else {
		struct ipk_igmp_v3q v3 = {.mrc = scale_code(q->mrc, sc), .s = q->s, .qrv = q->qrv,
					  .qqic = scale_code(q->qqic, sc), .group = q->group,
					  .srcs = q->srcs, .nsrcs = q->nsrcs};
		r = ipk_igmp_put_v3_query(&w, &v3);
	}
	if (r == 0)
		r = ipk_igmp_tx_send(&t->tx, msg, w.len, q->dst);
	return r < 0 ? r : 0;
}

/* ---- the event log: every event of the machine, one line each, through the formatter ---- */

static const char *query_kind(const struct ipk_querier_query *q)
{
	return !q->group ? "general" : q->nsrcs ? "group_source" : "group";
}

static const char *mode_of(unsigned m)
{
	return ipk_querier_mode_name(m);
}

static void log_line(struct qtool *t, const char *event, const struct ipk_fmt_kv *kv, size_t n)
{
	if (t->ev)
		ipk_cli_event(t->ev, &t->nev, t->json ? IPK_FMT_JSON : IPK_FMT_TEXT, &t->line,
			      &t->line_cap, event, kv, n);
}

#define KV_IP IPK_KV_IP
#define KV_INT IPK_KV_INT
#define KV_STR IPK_KV_STR
#define KV_BOOL IPK_KV_BOOL

static void log_event(struct qtool *t, const struct ipk_querier_event *e, int send_err)
{
	const char *name = ipk_querier_ev_name(e->type);
	switch (e->type) {
	case IPK_QEV_HEARD: {
		struct ipk_fmt_kv kv[] = {
		    KV_STR("message", ipk_igmp_type_name(e->msg_type)), KV_INT("version", e->version),
		    KV_IP("from", e->from), KV_IP("to", e->to), KV_IP("group", e->group),
		    KV_STR("record", e->rec_type ? ipk_igmp_rec_name(e->rec_type) : NULL),
		    KV_INT("sources", e->nsrcs)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_FINDING: {
		struct ipk_fmt_kv kv[] = {KV_STR("code", ipk_errname(e->code)),
					  KV_STR("message", ipk_strerror(e->code)),
					  KV_INT("offset", e->offset), KV_IP("from", e->from),
					  KV_IP("group", e->group)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_SEND: {
		const struct ipk_querier_query *q = e->query;
		struct ipk_fmt_kv kv[] = {
		    KV_STR("query", query_kind(q)), KV_INT("version", q->version), KV_IP("group", q->group),
		    KV_IP("to", q->dst), KV_BOOL("s", q->s), KV_INT("mrc", q->mrc),
		    KV_INT("qrv", q->qrv), KV_INT("qqic", q->qqic),
		    KV_INT("retransmission", q->retransmission),
		    {.key = "sources", .type = IPK_FMT_KV_IPS, .ips = q->srcs, .n = q->nsrcs},
		    KV_STR("error", send_err ? ipk_strerror(send_err) : NULL)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_TIMER: {
		struct ipk_fmt_kv kv[] = {KV_STR("timer", ipk_querier_timer_name(e->timer)),
					  KV_IP("group", e->group), KV_IP("source", e->source)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_ELECTION: {
		struct ipk_fmt_kv kv[] = {KV_BOOL("was_querier", e->old), KV_BOOL("querier", e->new_),
					  KV_IP("querier_address", e->from)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_MODE: {
		struct ipk_fmt_kv kv[] = {KV_IP("group", e->group), KV_STR("old", mode_of(e->old)),
					  KV_STR("new", mode_of(e->new_))};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_COMPAT: {
		struct ipk_fmt_kv kv[] = {KV_IP("group", e->group), KV_INT("old", e->old),
					  KV_INT("new", e->new_)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	case IPK_QEV_FULL: {
		struct ipk_fmt_kv kv[] = {KV_STR("pool", e->old ? "sources" : "groups"),
					  KV_IP("group", e->group), KV_IP("source", e->source)};
		log_line(t, name, kv, sizeof(kv) / sizeof(kv[0]));
		break;
	}
	default: { /* group_add, group_del and any later kind: the group */
		struct ipk_fmt_kv kv[] = {KV_IP("group", e->group)};
		log_line(t, name, kv, 1);
		break;
	}
	}
}

/* The machine's callback: send what it asks for, log everything. */
static void on_event(void *arg, const struct ipk_querier_event *e)
{
	struct qtool *t = arg;
	int err = 0;
	if (e->type == IPK_QEV_SEND && e->query) {
		err = send_query(t, e->query);
		if (err) {
			t->tx_errors++;
			if (err != t->last_tx_err) /* say it once per kind of error, not per query */
				fprintf(stderr, "%s: sending a query on %s: %s\n", PROG, t->ifname,
					ipk_strerror(err));
		}
		t->last_tx_err = err;
	}
	log_event(t, e, err);
}

/* ---- the state: JSON through the formatter, written atomically; the live table ---- */

/* Grow buffer *p of *cap bytes to at least need; 0 or -1 (out of memory). */
static int grow(void **p, size_t *cap, size_t need)
{
	if (*cap >= need)
		return 0;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_src(const void *a, const void *b)
{
	return cmp_u32(&((const struct ipk_fmt_qsource *)a)->source,
		       &((const struct ipk_fmt_qsource *)b)->source);
}

/* The sources of g, in address order, into t->src; their number, or -1 (out of memory). */
static long read_sources(struct qtool *t, const struct ipk_querier_group *g, uint64_t now)
{
	size_t bytes = t->src_cap * sizeof(*t->src);
	if (grow((void **)&t->src, &bytes, (g->nsources + 1) * sizeof(*t->src)) != 0)
		return -1;
	t->src_cap = bytes / sizeof(*t->src);
	uint32_t cur = 0;
	size_t n = 0;
	struct ipk_querier_source s;
	while (n < t->src_cap && ipk_querier_source_next(&t->q, g, &cur, now, &s) == 1) {
		t->src[n].source = s.source;
		t->src[n].timer_ms = s.timer_ms;
		t->src[n].forwarding = s.forwarding;
		n++;
	}
	if (n > 1)
		qsort(t->src, n, sizeof(*t->src), cmp_src);
	return (long)n;
}

/* The group addresses in address order (the state's order, docs/querier.md) into t->groups;
 * their number, or -1 (out of memory). */
static long sorted_groups(struct qtool *t, uint64_t now)
{
	uint32_t cur = 0;
	size_t n = 0;
	struct ipk_querier_group g;
	while (ipk_querier_group_next(&t->q, &cur, now, &g) == 1) {
		size_t bytes = t->groups_cap * sizeof(uint32_t);
		if (grow((void **)&t->groups, &bytes, (n + 1) * sizeof(uint32_t)) != 0)
			return -1;
		t->groups_cap = bytes / sizeof(uint32_t);
		t->groups[n++] = g.group;
	}
	if (n > 1)
		qsort(t->groups, n, sizeof(uint32_t), cmp_u32);
	return (long)n;
}

#define NCOUNTERS 18
static void counters(const struct ipk_querier_counters *c, uint64_t tx_errors,
		     struct ipk_fmt_counter out[NCOUNTERS])
{
	const struct ipk_fmt_counter v[NCOUNTERS] = {
	    {"rx_messages", c->rx_messages},   {"rx_queries", c->rx_queries},
	    {"rx_v1_reports", c->rx_v1_reports}, {"rx_v2_reports", c->rx_v2_reports},
	    {"rx_leaves", c->rx_leaves},       {"rx_v3_reports", c->rx_v3_reports},
	    {"rx_records", c->rx_records},     {"rx_ignored", c->rx_ignored},
	    {"findings", c->findings},         {"tx_general", c->tx_general},
	    {"tx_group", c->tx_group},         {"tx_group_source", c->tx_group_source},
	    {"groups_added", c->groups_added},
	    {"groups_deleted", c->groups_deleted}, {"timers_expired", c->timers_expired},
	    {"pool_full", c->pool_full},       {"elections", c->elections},
	    {"tx_errors", tx_errors}, /* the command's own: queries the socket refused */
	};
	memcpy(out, v, sizeof(v));
}

/* Format with f into t->line (grown on NOSPACE) and write it to out; 0 or -1. */
#define EMIT(t, out, call)                                                                          \
	do {                                                                                        \
		int r_;                                                                             \
		while ((r_ = (call)) == IPK_E_NOSPACE)                                              \
			if (grow((void **)&(t)->line, &(t)->line_cap, (t)->line_cap * 2) != 0)      \
				return -1;                                                          \
		if (r_ < 0 || fwrite((t)->line, 1, (size_t)r_, (out)) != (size_t)r_)                \
			return -1;                                                                  \
	} while (0)

/* The whole state as one JSON object and a newline (docs/querier.md). 0 or -1. */
static int write_state(struct qtool *t, FILE *out, uint64_t now)
{
	struct ipk_querier_status st;
	ipk_querier_status(&t->q, now, &st);
	struct ipk_fmt_qstate h = {.ifname = t->ifname,
				   .address = t->q.cfg.address,
				   .version = t->q.cfg.version,
				   .querier = st.querier,
				   .querier_address = st.querier_address,
				   .other_querier_present_ms = st.other_querier_present_ms};
	EMIT(t, out, ipk_fmt_qstate_head(&h, t->line, t->line_cap));
	long ng = sorted_groups(t, now);
	if (ng < 0)
		return -1;
	struct ipk_querier_group g;
	int first = 1;
	for (long k = 0; k < ng; k++) {
		if (ipk_querier_group_find(&t->q, t->groups[k], now, &g) != 1)
			continue;
		long n = read_sources(t, &g, now);
		if (n < 0)
			return -1;
		struct ipk_fmt_qgroup fg = {.group = g.group,
					    .exclude = g.filter_mode == IPK_QUERIER_EXCLUDE,
					    .compat_version = g.compat_version,
					    .group_timer_ms = g.group_timer_ms,
					    .v1_host_timer_ms = g.v1_host_timer_ms,
					    .v2_host_timer_ms = g.v2_host_timer_ms,
					    .nsources = (size_t)n,
					    .sources = t->src};
		if (grow((void **)&t->line, &t->line_cap, IPK_FMT_QGROUP_MAX(n)) != 0)
			return -1;
		EMIT(t, out, ipk_fmt_qstate_group(&fg, first, t->line, t->line_cap));
		first = 0;
	}
	struct ipk_fmt_counter c[NCOUNTERS];
	counters(&st.counters, t->tx_errors, c);
	EMIT(t, out, ipk_fmt_qstate_tail(c, NCOUNTERS, t->line, t->line_cap));
	return 0;
}

/* --state: PATH.tmp.PID written whole, then renamed over PATH (a signal removes the temporary
 * file: ipk_cli_tmp). Returns 0 or -1 after saying why on stderr. */
static int fill_state(void *arg, FILE *f)
{
	struct qtool *t = arg;
	return write_state(t, f, ipk_cli_virt_now(&t->clk));
}

static int save_state(struct qtool *t)
{
	uint64_t now = ipk_cli_virt_now(&t->clk);
	if (!t->state) { /* SIGUSR1 without --state: one line on stdout */
		if (!t->table && write_state(t, stdout, now) == 0)
			fflush(stdout);
		return 0;
	}
	return ipk_cli_save(PROG, "--state", t->state, t->tmp, fill_state, t);
}

/* Seconds with one decimal, "-" for 0 (not running). */
static void secs(char *b, size_t n, uint32_t ms)
{
	if (ms)
		snprintf(b, n, "%.1f", ms / 1000.0);
	else
		snprintf(b, n, "-");
}

/* The live table: the screen redrawn from the top, as many groups as the terminal has rows. */
static void draw_table(struct qtool *t)
{
	uint64_t now = ipk_cli_virt_now(&t->clk);
	struct ipk_querier_status st;
	ipk_querier_status(&t->q, now, &st);
	struct winsize ws;
	unsigned rows = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 6 ? ws.ws_row : 24;
	char a[16], qa[16], b1[16], b2[16], b3[16];
	ipk_ip4_ntoa(t->q.cfg.address, a);
	ipk_ip4_ntoa(st.querier_address, qa);
	secs(b1, sizeof(b1), st.other_querier_present_ms);
	secs(b2, sizeof(b2), st.general_query_ms);
	printf("\033[H\033[2Jipv4kit querier on %s  address %s  IGMPv%u  %s (querier %s, other "
	       "querier present %s s, next query %s s)\n",
	       t->ifname, a, t->q.cfg.version, st.querier ? "QUERIER" : "non-querier", qa, b1, b2);
	printf("%u groups, %u sources; rx %llu, findings %llu, queries sent %llu%s\n\n", st.ngroups,
	       st.nsources, (unsigned long long)st.counters.rx_messages,
	       (unsigned long long)st.counters.findings,
	       (unsigned long long)(st.counters.tx_general + st.counters.tx_group +
				    st.counters.tx_group_source),
	       t->clk.scale != 1 ? "  (time scaled: RFC-scale times)" : "");
	printf("%-15s %-7s %-6s %8s %8s %8s  %s\n", "GROUP", "MODE", "COMPAT", "TIMER", "V1HOST",
	       "V2HOST", "SOURCES (timer s, * forwarding)");
	unsigned line = 4;
	long ng = sorted_groups(t, now);
	struct ipk_querier_group g;
	for (long k = 0; k < ng; k++) {
		if (ipk_querier_group_find(&t->q, t->groups[k], now, &g) != 1)
			continue;
		if (line + 2 > rows) {
			printf("... %u more groups\n", st.ngroups - (line - 4));
			break;
		}
		line++;
		ipk_ip4_ntoa(g.group, a);
		secs(b1, sizeof(b1), g.group_timer_ms);
		secs(b2, sizeof(b2), g.v1_host_timer_ms);
		secs(b3, sizeof(b3), g.v2_host_timer_ms);
		printf("%-15s %-7s v%-5u %8s %8s %8s ", a, mode_of(g.filter_mode), g.compat_version, b1,
		       b2, b3);
		long n = read_sources(t, &g, now);
		for (long i = 0; i < n && i < 6; i++) {
			ipk_ip4_ntoa(t->src[i].source, a);
			secs(b1, sizeof(b1), (uint32_t)t->src[i].timer_ms);
			printf(" %s%s(%s)", t->src[i].forwarding ? "*" : "", a, b1);
		}
		if (n > 6)
			printf(" +%ld", n - 6);
		printf("%s\n", n == 0 ? " -" : "");
	}
	fflush(stdout);
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit querier -i IFACE [-V 1|2|3] [--address A] [--robustness N]\n"
		"         [--query-interval S] [--query-response-interval S] [--last-member-interval S]\n"
		"         [--last-member-count N] [--startup-query-interval S] [--startup-query-count N]\n"
		"         [--time-scale X] [--state FILE] [--state-interval S] [--events FILE|-] [--json]\n"
		"         [--duration S] [--strict]\n"
		"\n"
		"Be the IGMP querier of the link on IFACE (RFC 3376/9776 section 6, RFC 2236): hear every\n"
		"IGMP message there (a packet socket; the host joins nothing), keep each group's filter\n"
		"mode, timers, sources and compatibility mode, elect the querier (lowest address wins),\n"
		"and send general, group-specific and group-and-source-specific queries (TTL 1, Router\n"
		"Alert, TOS 0xc0). Groups 224.0.0.0/24 are not kept. Times S are seconds (fractions\n"
		"allowed); the defaults are the RFC's.\n"
		"  -i, --interface IFACE          the link (name or index); needs CAP_NET_RAW\n"
		"  -V, --igmp-version N           querier version 1, 2 or 3 (default 3)\n"
		"      --address A                query source and election address (default: IFACE's\n"
		"                                 address); 0.0.0.0 sends through a packet socket and\n"
		"                                 loses every election, as the Linux bridge does\n"
		"      --robustness N             Robustness Variable 1..7 (default 2)\n"
		"      --query-interval S         1..31744 (default 125)\n"
		"      --query-response-interval S  0.1..3174.4, v2 0.1..25.5, below the query\n"
		"                                 interval (default 10)\n"
		"      --last-member-interval S   0.1..3174.4, v2 0.1..25.5 (default 1)\n"
		"      --last-member-count N      1..255 (default: the robustness)\n"
		"      --startup-query-interval S 0.1..31744 (default: a quarter of the query interval)\n"
		"      --startup-query-count N    1..255 (default: the robustness)\n"
		"      --time-scale X             run every timer X times faster, 0.001..1000 (default\n"
		"                                 1); queries carry the divided times, the state and\n"
		"                                 the log show RFC-scale times\n"
		"      --state FILE               write the state as JSON to FILE (atomically: a\n"
		"                                 temporary file renamed) on SIGUSR1, every\n"
		"                                 --state-interval and at exit\n"
		"      --state-interval S         real seconds between state writes, 0.01..1e6\n"
		"      --events FILE|-            log every event (message heard, finding, query sent,\n"
		"                                 timer expired, election, group and mode changes) to\n"
		"                                 FILE, or - for stdout\n"
		"      --json                     events as JSON lines (default: text lines)\n"
		"      --duration S               stop after S real seconds, 0.001..1e9\n"
		"      --strict                   ignore (after the finding) messages with TTL other than\n"
		"                                 1, v2/v3 messages without Router Alert and v2 Leaves\n"
		"                                 sent to a unicast address (RFC 3376 9.2, RFC 2236 9\n"
		"                                 allow it); default: report them and act on them\n"
		"  -h, --help                     this help\n"
		"On a terminal (and without --events -) stdout shows a live table of the groups.\n"
		"Exit: 0 stopped by SIGINT, SIGTERM, SIGHUP or --duration; 1 a socket error (no\n"
		"CAP_NET_RAW, interface gone); 2 usage error or unknown interface.\n");
}

enum {
	O_ADDR = 256, O_RV, O_QI, O_QRI, O_LMQI, O_LMQC, O_SQI, O_SQC, O_SCALE, O_STATE, O_STATEI,
	O_EVENTS, O_JSON, O_DURATION, O_STRICT,
};

/* Seconds S in [min, max] into ms; 0 or -1 after a usage error. */
static int opt_ms(const char *what, const char *s, double min, double max, uint32_t *ms)
{
	double v;
	if (ipk_cli_real(PROG, what, s, min, max, &v) != 0)
		return -1;
	*ms = (uint32_t)(v * 1000 + 0.5);
	return 0;
}

static volatile sig_atomic_t usr1;
static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

int ipk_cmd_querier(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"igmp-version", required_argument, NULL, 'V'},
	    {"address", required_argument, NULL, O_ADDR},
	    {"robustness", required_argument, NULL, O_RV},
	    {"query-interval", required_argument, NULL, O_QI},
	    {"query-response-interval", required_argument, NULL, O_QRI},
	    {"last-member-interval", required_argument, NULL, O_LMQI},
	    {"last-member-count", required_argument, NULL, O_LMQC},
	    {"startup-query-interval", required_argument, NULL, O_SQI},
	    {"startup-query-count", required_argument, NULL, O_SQC},
	    {"time-scale", required_argument, NULL, O_SCALE},
	    {"state", required_argument, NULL, O_STATE},
	    {"state-interval", required_argument, NULL, O_STATEI},
	    {"events", required_argument, NULL, O_EVENTS},
	    {"json", no_argument, NULL, O_JSON},
	    {"duration", required_argument, NULL, O_DURATION}, {"strict", no_argument, NULL, O_STRICT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ipk_querier_cfg cfg;
	ipk_querier_cfg_default(&cfg);
	cfg.max_groups = MAX_GROUPS;
	cfg.max_sources = MAX_SOURCES;
	const char *iface = NULL, *events = NULL, *state = NULL, *qri_arg = NULL, *lmqi_arg = NULL;
	int have_addr = 0, json = 0, opt;
	uint32_t addr = 0;
	double scale = 1, state_iv = 0, duration = 0;
	unsigned long v;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:V:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'V':
			if (ipk_cli_num(PROG, "-V", optarg, 1, 3, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.version = (uint8_t)v;
			break;
		case O_ADDR:
			if (ipk_ip4_aton(optarg, &addr) != 0 || ipk_ip4_is_multicast(addr) ||
			    addr == 0xffffffffu)
				return ipk_cli_usage(PROG, "--address: '%s' is not a unicast IPv4 "
							   "address (or 0.0.0.0)", optarg);
			have_addr = 1;
			break;
		case O_RV:
			if (ipk_cli_num(PROG, "--robustness", optarg, 1, 7, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.robustness = (uint8_t)v;
			break;
		case O_QI:
			if (opt_ms("--query-interval", optarg, 1, 31744, &cfg.query_interval_ms) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_QRI: qri_arg = optarg; break;
		case O_LMQI: lmqi_arg = optarg; break;
		case O_LMQC:
			if (ipk_cli_num(PROG, "--last-member-count", optarg, 1, 255, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.last_member_count = (uint8_t)v;
			break;
		case O_SQI:
			if (opt_ms("--startup-query-interval", optarg, 0.1, 31744,
				   &cfg.startup_query_interval_ms) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_SQC:
			if (ipk_cli_num(PROG, "--startup-query-count", optarg, 1, 255, &v) != 0)
				return IPK_EXIT_USAGE;
			cfg.startup_query_count = (uint8_t)v;
			break;
		case O_SCALE:
			if (ipk_cli_real(PROG, "--time-scale", optarg, 0.001, 1000, &scale) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_STATE: state = optarg; break;
		case O_STATEI:
			if (ipk_cli_real(PROG, "--state-interval", optarg, 0.01, 1e6, &state_iv) != 0)
				return IPK_EXIT_USAGE;
			break;
		case O_EVENTS: events = optarg; break;
		case O_JSON: json = 1; break;
		case O_STRICT: cfg.flags |= IPK_QUERIER_F_STRICT; break;
		case O_DURATION:
			if (ipk_cli_real(PROG, "--duration", optarg, 0.001, 1e9, &duration) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (optind < argc)
		return ipk_cli_usage(PROG, "unexpected argument '%s'", argv[optind]);
	if (!iface)
		return ipk_cli_usage(PROG, "no interface given (-i IFACE)");
	/* the response intervals are coded in the query: v2 carries at most 25.5 s */
	double rmax = cfg.version == 2 ? 25.5 : 3174.4;
	if (qri_arg && opt_ms("--query-response-interval", qri_arg, 0.1, rmax,
			      &cfg.query_response_interval_ms) != 0)
		return IPK_EXIT_USAGE;
	if (lmqi_arg && opt_ms("--last-member-interval", lmqi_arg, 0.1, rmax,
			       &cfg.last_member_interval_ms) != 0)
		return IPK_EXIT_USAGE;
	if (cfg.query_response_interval_ms >= cfg.query_interval_ms)
		return ipk_cli_usage(PROG, "--query-response-interval (%.1f s) must be below the "
					   "query interval (%.1f s)",
				     cfg.query_response_interval_ms / 1000.0,
				     cfg.query_interval_ms / 1000.0);
	if (state_iv > 0 && !state)
		return ipk_cli_usage(PROG, "--state-interval needs --state FILE");
	if (json && !events)
		return ipk_cli_usage(PROG, "--json applies to the event log: give --events FILE|-");

	static struct qtool t; /* large pools hang off it; one per process */
	memset(&t, 0, sizeof(t));
	t.rx = -1;
	t.tx.fd = -1;
	t.json = json;
	t.state = state;
	unsigned ifindex;
	if (ipk_cli_ifindex(PROG, iface, &ifindex) != 0) {
		ipk_cli_hint(PROG);
		return IPK_EXIT_USAGE;
	}
	if (!if_indextoname(ifindex, t.ifname))
		snprintf(t.ifname, sizeof(t.ifname), "%s", iface);
	if (state && ipk_pcapw_tmpname(state, t.tmp, sizeof(t.tmp)) != 0)
		return ipk_cli_usage(PROG, "--state: file name too long");
	if (!have_addr && !(addr = ipk_cli_if_addr(t.ifname)))
		return ipk_cli_usage(PROG, "%s has no IPv4 address: give one with --address A "
					   "(0.0.0.0: query from 0.0.0.0)", t.ifname);
	cfg.address = addr;
	cfg.time_scale = scale; /* times heard in other queriers' queries, onto the machine's clock */
	if (ipk_querier_cfg_check(&cfg) != 0)
		return ipk_cli_usage(PROG, "these timer values are not a valid configuration");
	int ret = IPK_EXIT_FINDINGS, ll_old = -1;
	t.line_cap = 4096;
	t.line = malloc(t.line_cap);
	size_t memlen = ipk_querier_mem_size(cfg.max_groups, cfg.max_sources);
	t.mem = memlen ? malloc(memlen) : NULL;
	struct ipk_igmp_rx *rx = calloc(RX_BATCH, sizeof(*rx));
	uint8_t *rxbuf = malloc((size_t)RX_BATCH * RX_CAP);
	if (!t.line || !t.mem || !rx || !rxbuf) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	if (events) {
		t.ev = strcmp(events, "-") == 0 ? stdout : fopen(events, "w");
		if (!t.ev) {
			fprintf(stderr, "%s: --events: cannot open %s: %s\n", PROG, events,
				strerror(errno));
			ret = IPK_EXIT_USAGE;
			goto out;
		}
	}
	t.table = isatty(STDOUT_FILENO) && t.ev != stdout;

	/* sockets: hear everything (packet socket), send from addr (raw, or link for 0.0.0.0) */
	t.rx = ipk_igmp_listen_open(ifindex, 0);
	if (t.rx < 0) {
		fprintf(stderr, "%s: cannot listen for IGMP on %s: %s%s\n", PROG, t.ifname,
			strerror(-t.rx),
			t.rx == -EPERM ? " (a packet socket needs root or CAP_NET_RAW)" : "");
		goto out;
	}
	int r = ipk_igmp_tx_open(&t.tx, ifindex, addr, addr ? 0 : IPK_IGMP_TX_LINK);
	if (r < 0) {
		fprintf(stderr, "%s: cannot open the query sender on %s: %s%s\n", PROG, t.ifname,
			strerror(-r), r == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		goto out;
	}

	/* this host must not show up as a member of its own link-local groups (put back at exit) */
	r = ipk_igmp_link_local_reports(0, &ll_old);
	if (r < 0) {
		fprintf(stderr, "%s: warning: cannot set net.ipv4.igmp_link_local_mcast_reports to 0 "
				"(%s): this host may report its own link-local groups\n", PROG,
			strerror(-r));
		ll_old = -1;
	}

	ipk_cli_clock_start(&t.clk, scale);
	uint64_t now = ipk_cli_virt_now(&t.clk);
	r = ipk_querier_init(&t.q, &cfg, t.mem, memlen, now, on_event, &t);
	if (r != 0) {
		fprintf(stderr, "%s: cannot start the querier: %s\n", PROG, ipk_strerror(r));
		goto out;
	}
	ipk_cli_signals(1);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	char abuf[16];
	ipk_ip4_ntoa(t.tx.src, abuf);
	fprintf(stderr, "%s: IGMPv%u querier on %s, address %s%s\n", PROG, cfg.version, t.ifname,
		abuf, scale != 1 ? " (time scaled)" : "");

	/* The loop: run what is due, then wait for a datagram, the machine's next deadline, the
	 * next state write, the table refresh or the end, whichever comes first (real time). */
	for (size_t i = 0; i < RX_BATCH; i++) {
		rx[i].buf = rxbuf + i * RX_CAP;
		rx[i].cap = RX_CAP;
	}
	double next_state = state_iv > 0 ? state_iv * 1000 : -1, next_table = 0;
	ret = IPK_EXIT_OK;
	while (!ipk_cli_stop) {
		now = ipk_cli_virt_now(&t.clk);
		ipk_querier_tick(&t.q, now);
		double rnow = ipk_cli_real_ms(&t.clk);
		if (duration > 0 && rnow >= duration * 1000)
			break;
		if (usr1 || (next_state >= 0 && rnow >= next_state)) {
			usr1 = 0;
			(void)save_state(&t);
			while (next_state >= 0 && next_state <= rnow)
				next_state += state_iv * 1000;
		}
		if (t.table && rnow >= next_table) {
			draw_table(&t);
			next_table = rnow + TABLE_MS;
		}
		if (t.ev)
			fflush(t.ev);
		double wait = 60000;
		uint64_t dl = ipk_querier_next_deadline(&t.q);
		if (dl != UINT64_MAX && ipk_cli_real_until(&t.clk, dl) < wait)
			wait = ipk_cli_real_until(&t.clk, dl);
		rnow = ipk_cli_real_ms(&t.clk);
		if (next_state >= 0 && next_state - rnow < wait)
			wait = next_state - rnow;
		if (t.table && next_table - rnow < wait)
			wait = next_table - rnow;
		if (duration > 0 && duration * 1000 - rnow < wait)
			wait = duration * 1000 - rnow;
		struct pollfd pfd = {t.rx, POLLIN, 0};
		r = poll(&pfd, 1, wait > 0 ? (int)wait + 1 : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
			ret = IPK_EXIT_FINDINGS;
			break;
		}
		if (r == 0)
			continue;
		r = ipk_igmp_listen_read(t.rx, rx, RX_BATCH, MSG_DONTWAIT);
		if (r == -EAGAIN || r == -EINTR)
			continue;
		if (r == -ENETDOWN) /* the link went down (and may come back): keep going */
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: receive on %s: %s\n", PROG, t.ifname, strerror(-r));
			ret = IPK_EXIT_FINDINGS;
			break;
		}
		for (int i = 0; i < r; i++) {
			/* the kernel's arrival stamp, on the machine's clock */
			double at = ipk_cli_stamp_ms(&t.clk, rx[i].ts_ns);
			ipk_querier_input(&t.q, rx[i].buf, rx[i].len, ipk_cli_virt_at(&t.clk, at));
		}
	}
	if (t.table)
		draw_table(&t);
	if (save_state(&t) != 0 && ret == IPK_EXIT_OK)
		ret = IPK_EXIT_FINDINGS;
	if (t.ev && fflush(t.ev) != 0) {
		fprintf(stderr, "%s: --events: write error\n", PROG);
		if (ret == IPK_EXIT_OK)
			ret = IPK_EXIT_FINDINGS;
	}
	{
		struct ipk_querier_status st;
		ipk_querier_status(&t.q, ipk_cli_virt_now(&t.clk), &st);
		fprintf(stderr, "%s: %s after %.3f s: %u groups, %llu messages heard, %llu queries sent\n",
			PROG, ipk_cli_stop ? "stopped by a signal" : ret ? "error" : "done",
			ipk_cli_real_ms(&t.clk) / 1000, st.ngroups,
			(unsigned long long)st.counters.rx_messages,
			(unsigned long long)(st.counters.tx_general + st.counters.tx_group +
					     st.counters.tx_group_source));
	}
out:
	if (ll_old == 1)
		(void)ipk_igmp_link_local_reports(1, NULL);
	if (t.rx >= 0)
		close(t.rx);
	ipk_igmp_tx_close(&t.tx);
	if (t.ev && t.ev != stdout)
		fclose(t.ev);
	free(rx);
	free(rxbuf);
	free(t.mem);
	free(t.src);
	free(t.groups);
	free(t.line);
	return ret;
}
