/* listen.c - `ipv4kit listen`: join any-source/source-specific groups (RFC 3376, RFC 4607), print datagrams with TTL, TOS, destination and interface from control messages. */
#define _GNU_SOURCE /* getopt_long, if_indextoname, gmtime_r, sigaction */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/bpf.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit listen"
#define DEFAULT_PORT 5000
#define MAX_GROUPS 64        /* GROUP arguments */
#define RBATCH 16            /* datagrams per recvmmsg */
#define RBUF 65536           /* one datagram */
#define BPF_MAX 4096         /* Linux BPF_MAXINSNS */
#define CM_FLAGS (IPK_CM_TTL | IPK_CM_TOS | IPK_CM_PKTINFO)

struct group {
	const char *arg;
	struct ipk_cli_group c;
	int joined;
};

/* Interface index -> name, looked up once per index (if_indextoname is an ioctl). */
#define IFCACHE 8
struct ifcache {
	unsigned idx[IFCACHE];
	char name[IFCACHE][IF_NAMESIZE];
	unsigned n, next;
};


/* One GROUP argument (ipk_cli_group) in a file with the usage error "PROG: 'ARG': WHY". */
static int parse_group(const char *arg, struct group *g)
{
	char err[128];
	size_t col;
	memset(g, 0, sizeof(*g));
	g->arg = arg;
	if (ipk_cli_group(arg, strlen(arg), &g->c, err, sizeof(err), &col) == 0)
		return 0;
	fprintf(stderr, "%s: '%s': %s\n", PROG, arg, err);
	return -1;
}

static const char *mode_name(int mode)
{
	return mode == IPK_CLI_INCLUDE ? "source-specific" : mode == IPK_CLI_EXCLUDE ? "any-source excluding"
									     : "any-source";
}

static void join_error(const struct group *g, const char *what, uint32_t src, const char *ifname,
		       int err)
{
	char s[16];
	ipk_ip4_ntoa(src, s);
	fprintf(stderr, "%s: '%s': %s%s%s on %s: %s%s\n", PROG, g->arg, what, src ? " " : "",
		src ? s : "", ifname, strerror(-err),
		err == -EADDRINUSE ? " (group or source given twice?)" : "");
}

/* Join (and block sources of) one group. Returns 0 or -1 after printing the reason. */
static int join_group(int fd, unsigned ifindex, const char *ifname, struct group *g)
{
	int r;
	if (g->c.mode == IPK_CLI_INCLUDE) {
		for (unsigned i = 0; i < g->c.nsrc; i++) {
			r = ipk_mcast_join_source(fd, ifindex, g->c.group, g->c.src[i]);
			if (r < 0) {
				join_error(g, "source-specific join of", g->c.src[i], ifname, r);
				for (unsigned k = 0; k < i; k++)
					ipk_mcast_leave_source(fd, ifindex, g->c.group, g->c.src[k]);
				return -1;
			}
		}
	} else {
		r = ipk_mcast_join(fd, ifindex, g->c.group);
		if (r < 0) {
			join_error(g, "join", 0, ifname, r);
			return -1;
		}
		for (unsigned i = 0; i < g->c.nsrc; i++) {
			r = ipk_mcast_block_source(fd, ifindex, g->c.group, g->c.src[i]);
			if (r < 0) {
				join_error(g, "exclude source", g->c.src[i], ifname, r);
				ipk_mcast_leave(fd, ifindex, g->c.group);
				return -1;
			}
		}
	}
	g->joined = 1;
	return 0;
}

static void leave_group(int fd, unsigned ifindex, struct group *g)
{
	if (!g->joined)
		return;
	if (g->c.mode == IPK_CLI_INCLUDE) {
		for (unsigned i = 0; i < g->c.nsrc; i++)
			ipk_mcast_leave_source(fd, ifindex, g->c.group, g->c.src[i]);
	} else {
		ipk_mcast_leave(fd, ifindex, g->c.group); /* drops the blocked sources too */
	}
	g->joined = 0;
}

static const char *ifname_of(struct ifcache *c, unsigned idx)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->idx[i] == idx)
			return c->name[i];
	unsigned k = c->n < IFCACHE ? c->n++ : c->next++ % IFCACHE;
	c->idx[k] = idx;
	if (!if_indextoname(idx, c->name[k]))
		snprintf(c->name[k], IF_NAMESIZE, "if%u", idx);
	return c->name[k];
}

/* The sequence number of an `ipv4kit send` payload, or -1. */
static long long payload_seq(const uint8_t *p, size_t len)
{
	size_t m = sizeof(IPK_SEND_MAGIC) - 1, i;
	long long v = 0;
	if (len <= m || memcmp(p, IPK_SEND_MAGIC, m) != 0)
		return -1;
	for (i = m; i < len && i < m + 10 && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	return i > m ? v : -1;
}

struct out {
	int json;
	uint16_t port;
	struct ifcache ifc;
};

/* One datagram through the formatter (text or JSON, escaped), with what its control messages
 * said. */
static void print_msg(struct out *o, uint64_t frame, const struct timespec *ts,
		      const struct ipk_msg *m)
{
	const struct ipk_cm *cm = &m->cm;
	int pktinfo = (cm->has & IPK_CM_PKTINFO) != 0;
	struct ipk_fmt_dgram d = {
	    .src = m->addr,
	    .dst = pktinfo ? cm->dst : 0,
	    .sport = m->port,
	    .dport = o->port,
	    .has_dst = (uint8_t)pktinfo,
	    .truncated = (m->flags & MSG_TRUNC) != 0,
	    .ttl = (int16_t)((cm->has & IPK_CM_TTL) ? cm->ttl : -1),
	    .tos = (int16_t)((cm->has & IPK_CM_TOS) ? cm->tos : -1),
	    .ifindex = pktinfo ? (unsigned)cm->ifindex : 0u,
	    .ifname = pktinfo && cm->ifindex ? ifname_of(&o->ifc, cm->ifindex) : NULL,
	    .len = m->len,
	    .data = m->buf,
	    .data_len = m->len < m->cap ? m->len : m->cap,
	};
	d.seq = payload_seq(d.data, d.data_len);
	/* whole microseconds, as the socket timestamps are */
	struct ipk_fmt_meta fm = {frame, (int64_t)ts->tv_sec, (uint32_t)(ts->tv_nsec / 1000 * 1000)};
	char line[512 + 4 * IF_NAMESIZE];
	int n = ipk_fmt_dgram(&d, &fm, o->json ? IPK_FMT_JSON : IPK_FMT_TEXT, line, sizeof(line));
	if (n > 0)
		fwrite(line, 1, (size_t)n, stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit listen [-i IFACE] [-p PORT] [-c N] [-t SECONDS] [-f EXPR] [--json] [-q]\n"
		"                      GROUP...\n"
		"\n"
		"Join multicast groups on IFACE and print each UDP datagram that arrives on PORT, with\n"
		"source, destination, interface, TTL and TOS from the control messages.\n"
		"GROUP is one of (quote it in an interactive shell: '!' is history expansion):\n"
		"  239.1.1.1                         any-source join (IGMPv3 EXCLUDE {})\n"
		"  232.1.1.1@198.18.0.1[,SRC...]     source-specific join: only these sources\n"
		"  239.1.1.1!198.18.0.5[,SRC...]     any-source join blocking these sources\n"
		"With no GROUP, unicast and broadcast datagrams to PORT are printed.\n"
		"  -i, --interface IFACE  join on IFACE (name or index; default: the route's choice)\n"
		"  -p, --port PORT        UDP port 1..65535 (default %d), shared with other listeners\n"
		"                         (SO_REUSEADDR)\n"
		"  -c, --count N          stop after N datagrams\n"
		"  -t, --timeout SECONDS  stop after SECONDS, 0.001..1e9 (fractions allowed)\n"
		"  -f, --filter EXPR      keep only datagrams matching a tcpdump expression (classic BPF\n"
		"                         on the socket; loads see the IPv4 header, as with tcpdump)\n"
		"      --json             one JSON object per datagram (keys: frame ts src sport dst dport\n"
		"                         ifindex ifname ttl tos len [truncated] [seq] data)\n"
		"  -q, --quiet            no messages on stderr except errors\n"
		"  -h, --help             this help\n"
		"Exit: 0 stopped after N datagrams, or by -t/a signal after at least one arrived;\n"
		"3 stopped by -t or a signal before any arrived; 1 a receive error; 2 usage error,\n"
		"unknown interface, or a join the kernel refused.\n",
		DEFAULT_PORT);
}

/* Seconds from a to b. */
static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

struct listener {
	struct group g[MAX_GROUPS];
	unsigned ng;
	struct ipk_msg m[RBATCH];
	uint8_t buf[RBATCH][RBUF];
	struct ipk_bpf_insn prog[BPF_MAX];
};

int ipk_cmd_listen(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"interface", required_argument, NULL, 'i'}, {"port", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'c'},     {"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},            {"quiet", no_argument, NULL, 'q'},
		{"filter", required_argument, NULL, 'f'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *iface = NULL, *filter = NULL;
	unsigned ifindex = 0;
	unsigned long port = DEFAULT_PORT, count = 0;
	double timeout = 0;
	int quiet = 0, opt;
	struct out o;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:p:c:t:f:qh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'p':
			if (ipk_cli_num(PROG, "-p", optarg, 1, 65535, &port) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 'c':
			if (ipk_cli_num(PROG, "-c", optarg, 1, 0xffffffffUL, &count) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 't':
			if (ipk_cli_real(PROG, "-t", optarg, 0.001, 1e9, &timeout) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 'f': filter = optarg; break;
		case 'j': o.json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (argc - optind > MAX_GROUPS)
		return ipk_cli_usage(PROG, "at most %d groups", MAX_GROUPS);
	struct listener *l = calloc(1, sizeof(*l));
	if (!l) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return IPK_EXIT_USAGE;
	}
	int ret = IPK_EXIT_USAGE, fd = -1;
	for (int i = optind; i < argc; i++)
		if (parse_group(argv[i], &l->g[l->ng++]) != 0) {
			ipk_cli_hint(PROG);
			goto out;
		}
	if (iface && ipk_cli_ifindex(PROG, iface, &ifindex) != 0)
		goto out;
	o.port = (uint16_t)port;
	size_t nprog = 0;
	if (filter) {
		char err[256];
		int r = ipk_bpf_compile(filter, IPK_BPF_DLT_RAW, l->prog, BPF_MAX, &nprog, err,
					sizeof(err));
		if (r == 0 && ipk_bpf_netoff(l->prog, nprog) != 0) {
			snprintf(err, sizeof(err), "%s: cannot be run on a UDP socket", filter);
			r = -EINVAL;
		}
		if (r != 0) {
			fprintf(stderr, "%s: -f: bad filter expression: %s\n", PROG, err);
			goto out;
		}
	}

	fd = ipk_udp_open(0, (uint16_t)port, 1);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open UDP port %lu: %s\n", PROG, port, strerror(-fd));
		goto out;
	}
	/* Only the groups this socket joined: Linux otherwise delivers every group any socket on
	 * the host joined to a wildcard-bound socket of the port (IP_MULTICAST_ALL). */
	int zero = 0;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) != 0)
		fprintf(stderr, "%s: warning: IP_MULTICAST_ALL: %s\n", PROG, strerror(errno));
	int r = ipk_sock_set_cm(fd, CM_FLAGS, 1);
	if (r < 0) {
		fprintf(stderr, "%s: cannot enable control messages: %s\n", PROG, strerror(-r));
		goto out;
	}
	if (filter && (r = ipk_sock_attach_bpf(fd, l->prog, nprog)) < 0) {
		fprintf(stderr, "%s: -f: cannot attach the filter: %s\n", PROG, strerror(-r));
		goto out;
	}
	const char *ifname = iface ? iface : "the default interface";
	for (unsigned i = 0; i < l->ng; i++)
		if (join_group(fd, ifindex, ifname, &l->g[i]) != 0)
			goto out;
	if (!quiet) {
		fprintf(stderr, "%s: listening on UDP port %lu", PROG, port);
		for (unsigned i = 0; i < l->ng; i++)
			fprintf(stderr, "%s %s %s", i ? ";" : ":", l->g[i].arg, mode_name(l->g[i].c.mode));
		fprintf(stderr, "%s%s\n", l->ng ? " on " : "", l->ng ? ifname : "");
	}

	ipk_cli_signals(1); /* SIGINT, SIGTERM, SIGHUP: no SA_RESTART, poll returns EINTR */

	for (unsigned i = 0; i < RBATCH; i++) {
		l->m[i].buf = l->buf[i];
		l->m[i].cap = RBUF;
	}
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t got = 0;
	const char *why = "interrupted";
	ret = IPK_EXIT_OK;
	while (!ipk_cli_stop) {
		if (count && got >= count) {
			why = "count reached";
			break;
		}
		int wait_ms = -1;
		if (timeout > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			double left = timeout - elapsed(&t0, &now);
			if (left <= 0) {
				why = "timeout";
				break;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
			ret = IPK_EXIT_FINDINGS;
			break;
		}
		if (r == 0)
			continue;
		size_t want = RBATCH;
		if (count && count - got < want)
			want = (size_t)(count - got);
		for (size_t i = 0; i < want; i++)
			memset(&l->m[i].cm, 0, sizeof(l->m[i].cm));
		r = ipk_sock_read_batch(fd, l->m, want, CM_FLAGS, MSG_DONTWAIT);
		if (r == -EAGAIN || r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: receive: %s\n", PROG, strerror(-r));
			ret = IPK_EXIT_FINDINGS;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (int i = 0; i < r; i++)
			print_msg(&o, ++got, &ts, &l->m[i]);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "%s: error writing output\n", PROG);
			ret = IPK_EXIT_FINDINGS;
			break;
		}
	}
	for (unsigned i = 0; i < l->ng; i++)
		leave_group(fd, ifindex, &l->g[i]);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!quiet || (ret == IPK_EXIT_OK && got == 0))
		fprintf(stderr, "%s: %llu datagram%s received in %.3f s (%s)\n", PROG,
			(unsigned long long)got, got == 1 ? "" : "s", elapsed(&t0, &now),
			ret == IPK_EXIT_OK ? why : "error");
	if (ret == IPK_EXIT_OK && got == 0)
		ret = IPK_EXIT_NODATA;
out:
	if (fd >= 0)
		close(fd);
	free(l);
	return ret;
}
