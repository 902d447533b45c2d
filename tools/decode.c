/* decode.c - `ipv4kit decode`: pcap/pcapng files, live capture or hex into text, verbose text or JSON lines. */
#define _DEFAULT_SOURCE /* u_char in pcap.h, getline */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/reasm.h"

#define PROG "ipv4kit decode"
/* Output buffer: one write(2) per megabyte, never a per-packet flush (live capture flushes per
 * batch). Large enough for the longest verbose/JSON packet (a 64 KiB datagram of sources). */
#define OBUF_SIZE (1u << 20)
#define HEX_MAX 262144

struct stats {
	uint64_t packets;
	struct ipk_pkt_counts cls;
	uint64_t with_findings;
	uint64_t reassembled, reasm_dropped; /* --reassemble: datagrams completed, given up */
	unsigned ncodes;
	int code[64];       /* distinct error and finding codes seen, in order of first sight */
	uint64_t code_n[64];
};

struct decoder {
	int style;
	int quiet;
	uint64_t count;     /* stop after this many packets (0: no limit) */
	uint64_t done;
	struct stats st;
	char *obuf;
	size_t olen;
	int out_err;
	struct ipk_reasm *ra; /* --reassemble: the reassembler (4 MiB, Linux defaults), else NULL */
	uint64_t last_frame;  /* the last frame seen, and its time: where the end of input is */
	int64_t last_sec;
	uint32_t last_nsec;
};

static volatile sig_atomic_t stop_flag;
static pcap_t *live_pcap;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	if (live_pcap)
		pcap_breakloop(live_pcap);
}

static void flush_out(struct decoder *d)
{
	if (d->olen && fwrite(d->obuf, 1, d->olen, stdout) != d->olen)
		d->out_err = 1;
	d->olen = 0;
	if (fflush(stdout) != 0)
		d->out_err = 1;
}

static void count_codes(struct stats *st, const struct ipk_findings *f)
{
	for (unsigned i = 0; i < f->n; i++) {
		int c = f->v[i].code;
		unsigned k = 0;
		while (k < st->ncodes && st->code[k] != c)
			k++;
		if (k == st->ncodes) {
			if (k == sizeof(st->code) / sizeof(st->code[0]))
				continue;
			st->code[st->ncodes++] = c;
		}
		st->code_n[k]++;
	}
}

static void count_packet(struct stats *st, const struct ipk_packet *p)
{
	st->packets++;
	ipk_pkt_count(&st->cls, p);
	if (p->findings.n) {
		st->with_findings++;
		count_codes(st, &p->findings);
	}
}

/* Format a frame (dg NULL), a reassembled datagram (p decoded from dg) or a datagram the
 * reassembler gave up on (p NULL) into the output buffer. */
static void emit(struct decoder *d, const struct ipk_packet *p, const struct ipk_reasm_dgram *dg,
		 const struct ipk_fmt_meta *m)
{
	for (int retry = 0; retry < 2; retry++) {
		char *o = d->obuf + d->olen;
		size_t cap = OBUF_SIZE - d->olen;
		int n = dg ? ipk_fmt_reasm(p, dg, m, d->style, o, cap)
			   : ipk_fmt_packet(p, m, d->style, o, cap);
		if (n == IPK_E_NOSPACE && d->olen && !retry) {
			flush_out(d);
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "%s: frame %llu: cannot format: %s\n", PROG,
				(unsigned long long)m->frame, ipk_strerror(n));
			return;
		}
		d->olen += (size_t)n;
		return;
	}
}

/* A datagram the reassembler is done with, reported at frame/sec/nsec: a complete one is decoded
 * as a raw IPv4 datagram (IGMP checks by the decoder, the UDP checksum here), a dropped one is
 * its finding. */
static void reasm_done(struct decoder *d, const struct ipk_reasm_dgram *dg, uint64_t frame,
		       int64_t sec, uint32_t nsec)
{
	struct ipk_fmt_meta m = {frame, sec, nsec};
	struct ipk_packet q;

	if (dg->reason) {
		struct ipk_findings f = {.n = 0};
		ipk_findings_add(&f, dg->reason, IPK_LAYER_IPV4, 0);
		d->st.reasm_dropped++;
		count_codes(&d->st, &f);
		if (!d->quiet)
			emit(d, NULL, dg, &m);
		return;
	}
	ipk_packet_decode(IPK_DLT_RAW, dg->data, dg->len, dg->len, &q);
	uint16_t want;
	if (ipk_packet_udp_check(&q, &want) < 0)
		ipk_findings_add(&q.findings, IPK_E_UDP_CHECKSUM, IPK_LAYER_UDP, q.l4_off + 6);
	d->st.reassembled++;
	count_codes(&d->st, &q.findings);
	if (!d->quiet)
		emit(d, &q, dg, &m);
}

/* Decode one frame, count it, and (unless quiet) format it into the output buffer; with
 * --reassemble, a whole fragment goes to the reassembler (its findings join the frame's) and
 * what the reassembler is done with follows the frame. */
static void handle(struct decoder *d, int dlt, const uint8_t *data, size_t caplen, size_t wirelen,
		   uint64_t frame, int64_t sec, uint32_t nsec)
{
	struct ipk_packet p;
	struct ipk_reasm_dgram dg;
	int done = 0;

	ipk_packet_decode(dlt, data, caplen, wirelen, &p);
	if (d->ra) {
		uint64_t now = (uint64_t)sec * 1000000000u + nsec;
		d->last_frame = frame;
		d->last_sec = sec;
		d->last_nsec = nsec;
		while (ipk_reasm_expire(d->ra, now, &dg))
			reasm_done(d, &dg, frame, sec, nsec);
		if (p.has_ip4 && (p.ip4.mf || p.ip4.frag_off))
			done = ipk_reasm_add(d->ra, data + p.ip_off, caplen - p.ip_off, now, frame,
					     &p.findings, p.ip_off, &dg) == 1;
	}
	count_packet(&d->st, &p);
	d->done++;
	if (!d->quiet) {
		struct ipk_fmt_meta m = {frame, sec, nsec};
		emit(d, &p, NULL, &m);
	}
	if (done)
		reasm_done(d, &dg, frame, sec, nsec);
}

/* End of an input: the datagrams still in progress are reported incomplete at its last frame. */
static void reasm_end(struct decoder *d)
{
	struct ipk_reasm_dgram dg;
	while (d->ra && ipk_reasm_flush(d->ra, &dg))
		reasm_done(d, &dg, d->last_frame, d->last_sec, d->last_nsec);
}

static int limit_reached(const struct decoder *d)
{
	return stop_flag || (d->count && d->done >= d->count);
}

static int cap_frame(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct decoder *d = ctx;
	if (limit_reached(d))
		return 1; /* stop reading */
	handle(d, dlt, f->data, f->caplen, f->wirelen, f->frame, f->sec, f->nsec);
	return 0;
}

/* Read one capture file (pcap or pcapng, "-" for stdin) through the harness's reader, the one
 * every tool shares. Returns an exit code. */
static int decode_file(struct decoder *d, const char *path)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	int rc = ipk_cap_read(path, cap_frame, d, NULL, err, sizeof(err));

	reasm_end(d); /* fragments of one file never join those of the next */

	if (rc > 0) /* stopped by -c or a signal */
		return IPK_EXIT_OK;
	if (rc < 0) {
		flush_out(d);
		fprintf(stderr, "%s: %s\n", PROG, err);
		return ipk_cli_read_exit(rc); /* -EIO: the frames before the bad record were decoded */
	}
	return IPK_EXIT_OK;
}

struct live_ctx {
	struct decoder *d;
	int dlt;
	uint64_t frame;
};

static void live_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live_ctx *c = (struct live_ctx *)(void *)user;
	if (limit_reached(c->d))
		return;
	handle(c->d, c->dlt, data, h->caplen, h->len, ++c->frame, (int64_t)h->ts.tv_sec,
	       (uint32_t)h->ts.tv_usec);
}

/* Live capture on iface with an optional tcpdump filter expression. Returns an exit code. */
static int decode_live(struct decoder *d, const char *iface, const char *expr)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_create(iface, err);
	if (!pc) {
		fprintf(stderr, "%s: %s: %s\n", PROG, iface, err);
		return IPK_EXIT_USAGE;
	}
	pcap_set_snaplen(pc, 262144);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(pc);
	if (rc < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, iface, pcap_geterr(pc));
		pcap_close(pc);
		return IPK_EXIT_USAGE;
	}
	if (expr && *expr) {
		struct bpf_program prog;
		if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			fprintf(stderr, "%s: bad filter expression '%s': %s\n", PROG, expr,
				pcap_geterr(pc));
			pcap_close(pc);
			return IPK_EXIT_USAGE;
		}
		rc = pcap_setfilter(pc, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			fprintf(stderr, "%s: %s: cannot set filter: %s\n", PROG, iface, pcap_geterr(pc));
			pcap_close(pc);
			return IPK_EXIT_USAGE;
		}
	}
	int dlt = pcap_datalink(pc);
	if (strcmp(ipk_link_name(dlt), "unknown") == 0) {
		fprintf(stderr, "%s: %s: link type %d is not supported\n", PROG, iface, dlt);
		pcap_close(pc);
		return IPK_EXIT_USAGE;
	}
	struct live_ctx c = {d, dlt, 0};
	live_pcap = pc;
	int ret = IPK_EXIT_OK;
	while (!limit_reached(d)) {
		rc = pcap_dispatch(pc, -1, live_cb, (u_char *)&c);
		flush_out(d);
		if (rc == PCAP_ERROR) {
			fprintf(stderr, "%s: %s: %s\n", PROG, iface, pcap_geterr(pc));
			ret = IPK_EXIT_USAGE;
			break;
		}
		if (rc == PCAP_ERROR_BREAK)
			break;
	}
	live_pcap = NULL;
	pcap_close(pc);
	reasm_end(d);
	return ret;
}

static int decode_hex_line(struct decoder *d, int dlt, const char *line, unsigned long lineno,
			   uint64_t *frame, uint8_t *buf)
{
	size_t col = 0, n = 0;
	const char *why = ipk_cli_hex(line, buf, HEX_MAX, &n, &col);
	if (why) {
		unsigned char c = (unsigned char)line[col - 1];
		char at[8] = "";
		if (c && c != '\n' && c != '\r')
			snprintf(at, sizeof(at), " ('%c')", isprint(c) ? c : '?');
		flush_out(d);
		if (!lineno) /* the --hex argument itself */
			return ipk_cli_usage(PROG, "--hex: column %zu: %s%s", col, why, at);
		fprintf(stderr, "%s: hex line %lu, column %zu: %s%s\n", PROG, lineno, col, why, at);
		return IPK_EXIT_FINDINGS;
	}
	if (n == 0)
		return IPK_EXIT_OK;
	handle(d, dlt, buf, n, n, ++*frame, 0, 0);
	return IPK_EXIT_OK;
}

static int decode_hex(struct decoder *d, const char *arg, int dlt)
{
	uint8_t *buf = malloc(HEX_MAX);
	uint64_t frame = 0;
	int ret = IPK_EXIT_OK;
	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return IPK_EXIT_USAGE;
	}
	if (strcmp(arg, "-") != 0) {
		ret = decode_hex_line(d, dlt, arg, 0, &frame, buf);
		if (frame == 0 && ret == IPK_EXIT_OK) {
			ret = ipk_cli_usage(PROG, "--hex: no bytes given");
		}
	} else {
		char *line = NULL;
		size_t lcap = 0;
		unsigned long lineno = 0;
		while (!limit_reached(d) && getline(&line, &lcap, stdin) >= 0)
			if (decode_hex_line(d, dlt, line, ++lineno, &frame, buf) != IPK_EXIT_OK)
				ret = IPK_EXIT_FINDINGS;
		free(line);
	}
	reasm_end(d);
	free(buf);
	return ret;
}

static void summary(const struct stats *st)
{
	fprintf(stderr, "%llu packets", (unsigned long long)st->packets);
	for (int k = 0; k < IPK_PC_COUNT; k++)
		fprintf(stderr, "%s%s %llu", k ? ", " : ": ", ipk_packet_class_name(k),
			(unsigned long long)st->cls.n[k]);
	fprintf(stderr, "; %llu with errors or findings\n", (unsigned long long)st->with_findings);
	if (st->reassembled || st->reasm_dropped)
		fprintf(stderr, "reassembled %llu datagrams, %llu dropped\n",
			(unsigned long long)st->reassembled, (unsigned long long)st->reasm_dropped);
	for (unsigned k = 0; k < st->ncodes; k++)
		fprintf(stderr, "  %-7s %-18s %llu\n",
			ipk_err_is_finding(st->code[k]) ? "finding" : "error",
			ipk_errname(st->code[k]), (unsigned long long)st->code_n[k]);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit decode [-v | --json] [-q] [-c N] [--reassemble] FILE...\n"
		"       ipv4kit decode [-v | --json] [-q] [-c N] [--reassemble] -i IFACE [EXPRESSION]\n"
		"       ipv4kit decode [-v | --json] [-q] [--reassemble] [--link ether|raw] --hex HEX|-\n"
		"\n"
		"Decode IPv4/IGMP packets from pcap or pcapng files ('-': a capture on stdin), a live\n"
		"interface, or hex.\n"
		"  -i IFACE        capture live on IFACE; EXPRESSION is a tcpdump filter\n"
		"  -c N            stop after N packets\n"
		"      --hex HEX   decode one packet given in hex ('-': one packet per line of stdin;\n"
		"                  an even number of digits; blanks, ':', '-', '.', '_' between bytes)\n"
		"      --link L    link type of --hex input: raw (IPv4, the default) or ether\n"
		"  -v              verbose: every header field, option, record and finding\n"
		"      --json      one JSON object per packet (keys: see ipv4kit(1))\n"
		"  -q, --quiet     print no packets, only a summary on stderr\n"
		"      --reassemble  after the fragment that completes a datagram, print the datagram\n"
		"                  (marked reassembled, with its frames) decoded with IGMP and UDP\n"
		"                  checks; overlaps, duplicates and datagrams given up (30 s, 4 MiB,\n"
		"                  the end of the input) are findings\n"
		"  -h, --help      this help\n"
		"Exit: 0 all input read (malformed packets are reported, not fatal); 1 some input\n"
		"could not be read (bad hex line, corrupt capture); 2 usage, file or interface error.\n");
}

int ipk_cmd_decode(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"hex", required_argument, NULL, 'x'}, {"link", required_argument, NULL, 'l'},
		{"json", no_argument, NULL, 'j'},      {"verbose", no_argument, NULL, 'v'},
		{"quiet", no_argument, NULL, 'q'},     {"count", required_argument, NULL, 'c'},
		{"interface", required_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'},
		{"reassemble", no_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	struct decoder *d = calloc(1, sizeof(*d));
	const char *iface = NULL, *hex = NULL;
	int dlt_hex = IPK_DLT_RAW, verbose = 0, json = 0, reasm = 0, opt, ret = IPK_EXIT_OK;
	void *reasm_mem = NULL;

	if (!d)
		return IPK_EXIT_USAGE;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:c:vqh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'x': hex = optarg; break;
		case 'v': verbose = 1; break;
		case 'j': json = 1; break;
		case 'q': d->quiet = 1; break;
		case 'R': reasm = 1; break;
		case 'h':
			usage(stdout);
			free(d);
			return IPK_EXIT_OK;
		case 'c': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || v == 0) {
				free(d);
				return ipk_cli_usage(PROG, "-c: '%s' is not a number from 1 to %llu",
						     optarg, ULLONG_MAX);
			}
			d->count = v;
			break;
		}
		case 'l':
			if (strcmp(optarg, "ether") == 0 || strcmp(optarg, "eth") == 0) {
				dlt_hex = IPK_DLT_EN10MB;
			} else if (strcmp(optarg, "raw") == 0 || strcmp(optarg, "ip") == 0) {
				dlt_hex = IPK_DLT_RAW;
			} else {
				free(d);
				return ipk_cli_usage(PROG, "--link: '%s' is not ether or raw", optarg);
			}
			break;
		default:
			free(d);
			return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	int nsrc = (iface != NULL) + (hex != NULL) + (optind < argc && !iface && !hex);
	if ((iface && hex) || nsrc == 0 || (hex && optind < argc) || (verbose && json)) {
		free(d);
		return ipk_cli_usage(PROG, "%s",
				     verbose && json	    ? "-v and --json cannot be combined"
				     : hex && optind < argc ? "--hex takes no FILE arguments"
				     : nsrc == 0 ? "no input: give FILE... ('-': stdin), -i IFACE or --hex"
						 : "-i and --hex cannot be combined");
	}
	d->style = json ? IPK_FMT_JSON : verbose ? IPK_FMT_VERBOSE : IPK_FMT_TEXT;
	d->obuf = malloc(OBUF_SIZE);
	if (reasm) {
		struct ipk_reasm_cfg cfg;
		ipk_reasm_cfg_default(&cfg);
		reasm_mem = malloc(cfg.mem);
		d->ra = reasm_mem ? ipk_reasm_init(reasm_mem, &cfg) : NULL;
	}
	if (!d->obuf || (reasm && !d->ra)) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		free(reasm_mem);
		free(d->obuf);
		free(d);
		return IPK_EXIT_USAGE;
	}

	if (iface) {
		/* The expression is every word after the options, joined by spaces (tcpdump). */
		size_t len = 1;
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		char *expr = calloc(1, len);
		if (!expr) {
			ret = IPK_EXIT_USAGE;
		} else {
			for (int i = optind; i < argc; i++) {
				if (i > optind)
					strcat(expr, " ");
				strcat(expr, argv[i]);
			}
			signal(SIGINT, on_signal);
			signal(SIGTERM, on_signal);
			ret = decode_live(d, iface, expr);
			free(expr);
		}
	} else if (hex) {
		ret = decode_hex(d, hex, dlt_hex);
	} else {
		for (int i = optind; i < argc && !limit_reached(d); i++) {
			int r = decode_file(d, argv[i]);
			if (r > ret)
				ret = r;
		}
	}
	flush_out(d);
	if (d->quiet)
		summary(&d->st);
	if (d->out_err) {
		fprintf(stderr, "%s: error writing output\n", PROG);
		if (ret < IPK_EXIT_FINDINGS)
			ret = IPK_EXIT_FINDINGS;
	}
	free(reasm_mem);
	free(d->obuf);
	free(d);
	return ret;
}
