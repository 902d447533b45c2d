/* replay.c - `ipv4kit replay`: the pcap harness from the command line: verify, golden, rewrite, send (replay onto an interface). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/error.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit replay"
#define SHOW_FAILED 20 /* failed frames listed per file without -v */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit replay verify [-q | -v] [--strict] [--reassemble] FILE...\n"
		"       ipv4kit replay golden [--update] FILE EXPECTED.json\n"
		"       ipv4kit replay rewrite [--ttl N] [--tos N] [--id N|+N] [--src A] [--dst A]\n"
		"                              [--src-map A/n=B/m]... [--dst-map A/n=B/m]... [--pcapng] IN OUT\n"
		"       ipv4kit replay send [-i IFACE] [--link [--mac-src MAC] [--mac-dst MAC]]\n"
		"                           [--speed X | --rate PPS | --topspeed] [--loop N] [-q] FILE\n"
		"\n"
		"verify   decode every frame, re-marshal each valid IPv4 header and require the same\n"
		"         bytes, check the IPv4, IGMP and UDP checksums; per-protocol and per-code counts.\n"
		"         A frame fails on an error (wire format broken; truncation by the snaplen\n"
		"         excepted); --strict: on a finding (protocol rule broken) too; -v: list every\n"
		"         failed frame (default: the first %d per file); -q: summary only.\n"
		"         --reassemble: reassemble fragments (Linux limits: 30 s, 4 MiB) and verify each\n"
		"         datagram the same way; overlaps, duplicates and datagrams given up are findings.\n"
		"golden   compare the JSON decode of FILE with EXPECTED.json, key by key per frame;\n"
		"         --update rewrites EXPECTED.json.\n"
		"rewrite  change TTL, TOS, ID (N sets, +N adds), addresses (single values or prefix maps)\n"
		"         with RFC 1624 incremental checksum updates (IPv4, and UDP/TCP when addresses\n"
		"         change); writes OUT (pcap, or pcapng with --pcapng) only when complete.\n"
		"send     send the IPv4 datagrams through a raw IP_HDRINCL socket (needs CAP_NET_RAW):\n"
		"         original timing (default), --speed X times faster (0.001..1e6), --rate PPS\n"
		"         (0.001..1e9), or --topspeed (sendmmsg batches); --loop N passes (1..1e9);\n"
		"         -i IFACE picks the interface; the kernel refuses IHL < 5 or past the data and\n"
		"         rewrites length, checksum, zero ID/source.\n"
		"         --link (needs -i): every frame goes out byte for byte through a packet socket,\n"
		"         whatever it holds; frames of other link types get an Ethernet header (source:\n"
		"         --mac-src, an SLL frame's own MAC, else IFACE's; destination: --mac-dst, else\n"
		"         the multicast MAC of a multicast IPv4 destination, else broadcast).\n"
		"         --mac-src/--mac-dst also replace the addresses of Ethernet frames. See\n"
		"         docs/send-paths.md.\n"
		"Exit: 0 ok; 1 frames failed, frames differ or datagrams were refused; 2 usage or file error.\n",
		SHOW_FAILED);
}

/* ---- verify ---- */

struct vctx {
	const char *path;
	int verbose, quiet;
	unsigned flags;
	uint64_t shown, failed;
};

static void on_fail(void *ctx, uint64_t frame, const struct ipk_packet *p,
		    const struct ipk_verify_res *r)
{
	struct vctx *v = ctx;
	v->failed++;
	if (v->quiet || (!v->verbose && v->shown >= SHOW_FAILED))
		return;
	v->shown++;
	char line[2048];
	size_t n = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		int w_ = snprintf(line + n, sizeof(line) - n, __VA_ARGS__);                        \
		if (w_ > 0)                                                                        \
			n += (size_t)w_ < sizeof(line) - n ? (size_t)w_ : sizeof(line) - n - 1;    \
	} while (0)
	ADD("%s: frame %llu:", v->path, (unsigned long long)frame);
	if (r->reasm) {
		ADD(" %s datagram (frames", r->reasm->reason ? "dropped" : "reassembled");
		for (uint32_t i = 0; i < r->reasm->ntags; i++)
			ADD("%s%llu", i ? "," : " ", (unsigned long long)r->reasm->tags[i]);
		ADD("%s):", r->reasm->nfrags > r->reasm->ntags ? ",..." : "");
	}
	for (unsigned i = 0; i < p->findings.n; i++) {
		const struct ipk_finding *x = &p->findings.v[i];
		int c = x->code;
		if (ipk_err_is_finding(c) && !(v->flags & IPK_VERIFY_STRICT))
			continue;
		if (ipk_verify_snaplen_only(p, c))
			continue;
		ADD(" %s (%s%s at %u", ipk_errname(c), ipk_err_is_finding(c) ? "finding, " : "",
		    ipk_layer_name(x->layer), (unsigned)x->offset);
		if (c == IPK_E_IP_CHECKSUM && r->ip_csum_want)
			ADD(", 0x%04x should be 0x%04x", p->ip4.checksum, r->ip_csum_want);
		if (c == IPK_E_IGMP_CHECKSUM)
			ADD(", 0x%04x should be 0x%04x", p->u.igmp.checksum, r->igmp_csum_want);
		ADD(")");
	}
	if (r->fail & IPK_VF_REMARSHAL)
		ADD(" REMARSHAL (ipv4 header byte %u differs)", (unsigned)r->remarshal_off);
	if (r->fail & IPK_VF_UDP_CSUM)
		ADD(" UDP_CHECKSUM (udp at %zu, 0x%04x should be 0x%04x)", p->l4_off + IPK_UDP_CSUM_OFF,
		    p->u.udp.checksum, r->udp_csum_want);
	printf("%s\n", line);
#undef ADD
}

static void print_stats(const char *name, const struct ipk_verify_stats *st, int dlt)
{
	printf("%s: %llu frames: %llu passed, %llu failed, %llu truncated", name,
	       (unsigned long long)st->packets, (unsigned long long)st->passed,
	       (unsigned long long)st->failed, (unsigned long long)st->truncated);
	if (dlt >= 0)
		printf(" (%s)", ipk_link_name(dlt));
	if (st->cut_records)
		printf(", last record cut by the end of the file");
	for (int k = 0; k < IPK_PC_COUNT; k++)
		printf("%s%s %llu", k ? ", " : "\n  ", ipk_packet_class_name(k),
		       (unsigned long long)st->cls.n[k]);
	printf("\n");
	printf("  ipv4 header re-marshal: %llu identical, %llu differ; bad checksums: ip %llu, "
	       "igmp %llu, udp %llu of %llu checked\n",
	       (unsigned long long)st->remarshal_same, (unsigned long long)st->remarshal_diff,
	       (unsigned long long)st->ip_csum_bad, (unsigned long long)st->igmp_csum_bad,
	       (unsigned long long)st->udp_csum_bad, (unsigned long long)st->udp_csum_checked);
	if (st->reasm_done || st->reasm_dropped)
		printf("  reassembled %llu datagrams (udp checksums checked %llu), %llu given up; "
		       "%llu failed\n",
		       (unsigned long long)st->reasm_done, (unsigned long long)st->reasm_udp_checked,
		       (unsigned long long)st->reasm_dropped, (unsigned long long)st->reasm_failed);
	/* One line of error codes (other: codes outside the table), one of finding codes. */
	for (int kind = 0; kind < 2; kind++) {
		const char *lead = kind ? "  findings:" : "  errors:";
		int any = 0;
		for (unsigned k = 1; k < IPK_VERIFY_NCODES; k++) {
			int c = -1000 - (int)k;
			if (!st->codes[k] || ipk_err_is_finding(c) != kind)
				continue;
			printf("%s %s %llu", any ? "," : lead, ipk_errname(c),
			       (unsigned long long)st->codes[k]);
			any = 1;
		}
		if (!kind && st->codes[0]) {
			printf("%s other %llu", any ? "," : lead, (unsigned long long)st->codes[0]);
			any = 1;
		}
		if (any)
			printf("\n");
	}
}

static void add_stats(struct ipk_verify_stats *a, const struct ipk_verify_stats *b)
{
	uint64_t *x = (uint64_t *)(void *)a;
	const uint64_t *y = (const uint64_t *)(const void *)b;
	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		x[i] += y[i];
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"strict", no_argument, NULL, 's'}, {"quiet", no_argument, NULL, 'q'},
		{"reassemble", no_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct vctx v = {0};
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":qvh", lopts, NULL)) != -1) {
		switch (opt) {
		case 's': v.flags |= IPK_VERIFY_STRICT; break;
		case 'R': v.flags |= IPK_VERIFY_REASSEMBLE; break;
		case 'q': v.quiet = 1; break;
		case 'v': v.verbose = 1; break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG " verify", argv, opt);
		}
	}
	if (optind >= argc)
		return ipk_cli_usage(PROG " verify", "no FILE given");
	int ret = IPK_EXIT_OK, nfiles = 0;
	struct ipk_verify_stats *tot = calloc(1, sizeof(*tot)), *st = calloc(1, sizeof(*st));
	if (!tot || !st) {
		free(tot);
		free(st);
		return IPK_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		char err[512];
		memset(st, 0, sizeof(*st));
		v.path = argv[i];
		v.shown = v.failed = 0;
		int rc = ipk_verify_file(argv[i], v.flags, st, on_fail, &v, err, sizeof(err));
		if (rc < 0 && st->packets == 0 && rc != -EIO) {
			fprintf(stderr, "%s verify: %s\n", PROG, err);
			ret = IPK_EXIT_USAGE;
			continue;
		}
		if (v.failed > v.shown && !v.quiet)
			printf("%s: ... %llu more failed frames (-v lists all)\n", argv[i],
			       (unsigned long long)(v.failed - v.shown));
		print_stats(argv[i], st, -1);
		if (rc < 0) {
			fprintf(stderr, "%s verify: %s\n", PROG, err);
			if (ret < IPK_EXIT_FINDINGS)
				ret = IPK_EXIT_FINDINGS;
		}
		if ((st->failed || st->reasm_failed) && ret < IPK_EXIT_FINDINGS)
			ret = IPK_EXIT_FINDINGS;
		add_stats(tot, st);
		nfiles++;
	}
	if (nfiles > 1)
		print_stats("total", tot, -1);
	free(tot);
	free(st);
	return ret;
}

/* ---- golden ---- */

static void on_diff(void *ctx, uint64_t frame, const char *diff)
{
	(void)ctx;
	printf("frame %llu:\n%s", (unsigned long long)frame, diff);
}

static int cmd_golden(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"update", no_argument, NULL, 'u'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, update = 0;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'u': update = 1; break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG " golden", argv, opt);
		}
	}
	if (argc - optind != 2)
		return ipk_cli_usage(PROG " golden", "give FILE and EXPECTED.json");
	char err[512];
	const char *cap = argv[optind], *exp = argv[optind + 1];
	if (update) {
		/* an interrupt removes the temporary file beside exp (exp is left as it was) */
		char tmp[4096];
		if (ipk_pcapw_tmpname(exp, tmp, sizeof(tmp)) == 0 && ipk_cli_tmp(tmp) == 0)
			ipk_cli_signals(0);
		long n = ipk_golden_write(cap, exp, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "%s golden: %s\n", PROG, err);
			return ipk_cli_read_exit((int)n);
		}
		printf("%s: wrote %ld frames\n", exp, n);
		return IPK_EXIT_OK;
	}
	long n = ipk_golden_compare(cap, exp, on_diff, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s golden: %s\n", PROG, err);
		return ipk_cli_read_exit((int)n);
	}
	if (n) {
		printf("%s: %ld frames differ from %s\n", cap, n, exp);
		return IPK_EXIT_FINDINGS;
	}
	printf("%s: matches %s\n", cap, exp);
	return IPK_EXIT_OK;
}

/* ---- rewrite ---- */

static int cmd_rewrite(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"ttl", required_argument, NULL, 't'},     {"tos", required_argument, NULL, 'T'},
		{"id", required_argument, NULL, 'I'},      {"src", required_argument, NULL, 's'},
		{"dst", required_argument, NULL, 'd'},     {"src-map", required_argument, NULL, 'S'},
		{"dst-map", required_argument, NULL, 'D'}, {"pcapng", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct ipk_rewrite rw;
	unsigned long v;
	unsigned flags = 0;
	int opt;
	ipk_rewrite_init(&rw);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (ipk_cli_uint(PROG " rewrite", "--ttl", optarg, 255, &v))
				return IPK_EXIT_USAGE;
			rw.ttl = (int)v;
			break;
		case 'T':
			if (ipk_cli_uint(PROG " rewrite", "--tos", optarg, 255, &v))
				return IPK_EXIT_USAGE;
			rw.tos = (int)v;
			break;
		case 'I':
			if (optarg[0] == '+') {
				if (ipk_cli_uint(PROG " rewrite", "--id", optarg + 1, 65535, &v))
					return IPK_EXIT_USAGE;
				rw.id_add = (int)v;
			} else {
				if (ipk_cli_uint(PROG " rewrite", "--id", optarg, 65535, &v))
					return IPK_EXIT_USAGE;
				rw.id = (int)v;
			}
			break;
		case 's':
		case 'd': {
			uint32_t a;
			if (ipk_ip4_aton(optarg, &a))
				return ipk_cli_usage(PROG " rewrite", "%s: not an IPv4 address: '%s'",
						     opt == 's' ? "--src" : "--dst", optarg);
			if (opt == 's') {
				rw.set_src = 1;
				rw.src = a;
			} else {
				rw.set_dst = 1;
				rw.dst = a;
			}
			break;
		}
		case 'S':
		case 'D': {
			unsigned *n = opt == 'S' ? &rw.nsrc_map : &rw.ndst_map;
			struct ipk_prefix_map *m = opt == 'S' ? rw.src_map : rw.dst_map;
			if (*n == IPK_REWRITE_MAXMAP)
				return ipk_cli_usage(PROG " rewrite", "at most %d maps each",
						     IPK_REWRITE_MAXMAP);
			if (ipk_prefix_map_parse(optarg, &m[*n]))
				return ipk_cli_usage(PROG " rewrite", "%s: not A.B.C.D/n=E.F.G.H/m: '%s'",
						     opt == 'S' ? "--src-map" : "--dst-map", optarg);
			(*n)++;
			break;
		}
		case 'n': flags |= IPK_PCAPW_PCAPNG; break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG " rewrite", argv, opt);
		}
	}
	if (argc - optind != 2)
		return ipk_cli_usage(PROG " rewrite", "give IN and OUT");
	char err[512], tmp[4096];
	struct ipk_rewrite_stats st;
	/* an interrupt removes the temporary file beside OUT (OUT is left as it was) */
	if (ipk_pcapw_tmpname(argv[optind + 1], tmp, sizeof(tmp)) == 0 && ipk_cli_tmp(tmp) == 0)
		ipk_cli_signals(0);
	int rc = ipk_rewrite_file(&rw, argv[optind], argv[optind + 1], flags, &st, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s rewrite: %s (%s left as it was)\n", PROG, err, argv[optind + 1]);
		return ipk_cli_read_exit(rc);
	}
	printf("%s: %llu frames, %llu rewritten, %llu UDP/TCP checksums updated\n",
	       argv[optind + 1], (unsigned long long)st.packets, (unsigned long long)st.rewritten,
	       (unsigned long long)st.l4_updated);
	return IPK_EXIT_OK;
}

/* ---- send ---- */

struct sctx {
	uint64_t total;
	int tty;
};

static void on_progress(void *ctx, const struct ipk_replay_stats *st)
{
	struct sctx *s = ctx;
	if (!s->tty)
		return;
	fprintf(stderr, "\r%s: sent %llu/%llu, failed %llu, %.0f pkt/s   ", PROG,
		(unsigned long long)st->sent, (unsigned long long)s->total,
		(unsigned long long)st->failed, st->seconds > 0 ? (double)st->sent / st->seconds : 0);
}

static int cmd_send(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"interface", required_argument, NULL, 'i'}, {"speed", required_argument, NULL, 'x'},
		{"rate", required_argument, NULL, 'r'},      {"topspeed", no_argument, NULL, 't'},
		{"loop", required_argument, NULL, 'l'},      {"quiet", no_argument, NULL, 'q'},
		{"link", no_argument, NULL, 'L'},            {"help", no_argument, NULL, 'h'},
		{"mac-src", required_argument, NULL, 'S'},   {"mac-dst", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	struct ipk_replay_opts o = {0};
	struct ipk_replay_eth eth = {0};
	int opt, nmodes = 0, quiet = 0, link = 0;
	unsigned long v;
	o.mode = IPK_REPLAY_TIMED;
	o.speed = 1;
	o.loops = 1;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":i:qh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (ipk_cli_ifindex(PROG " send", optarg, &o.ifindex))
				return IPK_EXIT_USAGE;
			break;
		case 'x':
			if (ipk_cli_real(PROG " send", "--speed", optarg, 0.001, 1e6, &o.speed))
				return IPK_EXIT_USAGE;
			o.mode = IPK_REPLAY_TIMED;
			nmodes++;
			break;
		case 'r':
			if (ipk_cli_real(PROG " send", "--rate", optarg, 0.001, 1e9, &o.pps))
				return IPK_EXIT_USAGE;
			o.mode = IPK_REPLAY_RATE;
			nmodes++;
			break;
		case 't': o.mode = IPK_REPLAY_TOP; nmodes++; break;
		case 'l':
			if (ipk_cli_num(PROG " send", "--loop", optarg, 1, 1000000000UL, &v))
				return IPK_EXIT_USAGE;
			o.loops = v;
			break;
		case 'q': quiet = 1; break;
		case 'L': link = 1; break;
		case 'S':
			if (ipk_cli_mac(PROG " send", "--mac-src", optarg, eth.src))
				return IPK_EXIT_USAGE;
			eth.set_src = 1;
			break;
		case 'D':
			if (ipk_cli_mac(PROG " send", "--mac-dst", optarg, eth.dst))
				return IPK_EXIT_USAGE;
			eth.set_dst = 1;
			break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG " send", argv, opt);
		}
	}
	if (link && !o.ifindex)
		return ipk_cli_usage(PROG " send", "--link needs -i IFACE");
	if (!link && (eth.set_src || eth.set_dst))
		return ipk_cli_usage(PROG " send", "--mac-src and --mac-dst need --link");
	if (nmodes > 1)
		return ipk_cli_usage(PROG " send", "--speed, --rate and --topspeed exclude each other");
	if (argc - optind != 1) {
		ipk_cli_usage(PROG " send", "give one FILE");
		return IPK_EXIT_USAGE;
	}
	int fd = link ? ipk_link_open(o.ifindex) : ipk_raw_open(IPPROTO_RAW, 1);
	if (fd < 0) {
		fprintf(stderr, "%s send: %s socket: %s%s\n", PROG, link ? "packet" : "raw", strerror(-fd),
			fd == -EPERM ? " (needs CAP_NET_RAW)" : "");
		return IPK_EXIT_USAGE;
	}
	/* built Ethernet headers come from the interface's own address unless --mac-src says */
	int mr = link && !eth.set_src ? ipk_link_get_mac(fd, eth.src) : 0;
	if (mr) {
		fprintf(stderr, "%s send: -i: no Ethernet address to send from (%s); give --mac-src\n",
			PROG, strerror(-mr));
		close(fd);
		return IPK_EXIT_USAGE;
	}
	char err[512];
	struct ipk_replay_cap *c;
	err[0] = 0;
	int rc = link ? ipk_replay_load_link(argv[optind], &eth, &c, err, sizeof(err))
		      : ipk_replay_load(argv[optind], &c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s send: %s\n", PROG, err[0] ? err : ipk_strerror(rc));
		close(fd);
		return IPK_EXIT_USAGE;
	}
	struct sctx s = {ipk_replay_count(c) * o.loops, !quiet && isatty(2)};
	o.stop = &ipk_cli_stop;
	o.progress = on_progress;
	o.ctx = &s;
	o.interval = 0.5;
	ipk_cli_signals(1); /* SIGINT, SIGTERM, SIGHUP stop the run; a second one kills */
	struct ipk_replay_stats st;
	ipk_replay_run(fd, c, &o, &st);
	close(fd);
	if (s.tty)
		fprintf(stderr, "\n");
	printf("sent %llu datagrams (%llu bytes) in %.3f s: %.0f pkt/s; %llu failed, %llu frames "
	       "skipped (%s); %llu of %llu loops\n",
	       (unsigned long long)st.sent, (unsigned long long)st.bytes, st.seconds,
	       st.seconds > 0 ? (double)st.sent / st.seconds : 0.0, (unsigned long long)st.failed,
	       (unsigned long long)ipk_replay_skipped(c),
	       link ? "no EtherType to send them with" : "not IPv4", (unsigned long long)st.loops_done,
	       (unsigned long long)o.loops);
	if (st.failed)
		printf("last error: %s\n", ipk_strerror(st.last_err));
	ipk_replay_free(c);
	return st.failed || ipk_cli_stop ? IPK_EXIT_FINDINGS : IPK_EXIT_OK;
}

int ipk_cmd_replay(int argc, char **argv)
{
	if (argc < 2)
		return ipk_cli_usage(PROG, "no mode given (verify, golden, rewrite, send)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return IPK_EXIT_OK;
	}
	const char *m = argv[1];
	if (strcmp(m, "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(m, "golden") == 0)
		return cmd_golden(argc - 1, argv + 1);
	if (strcmp(m, "rewrite") == 0)
		return cmd_rewrite(argc - 1, argv + 1);
	if (strcmp(m, "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	return ipk_cli_usage(PROG, "unknown mode '%s' (verify, golden, rewrite, send)", m);
}
