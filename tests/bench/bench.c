/* bench.c - ipk-bench: ns/op medians of the codec's hot paths (RFC 791 header, RFC 1071 checksum, options, RFC 3376 IGMPv3), figures not assertions. */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h, getopt, BSD names in libnet.h */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bench_common.h"

#define MAXFRAMES 4096
#define BIGLEN 65536

struct ctx {
	struct ipk_ip4 h20, h60;
	uint8_t p20[28], p60[68];   /* header + 8-byte payload, as the Go benchmark */
	uint8_t opts[40];            /* Router Alert, Record Route (8 slots), EOL */
	uint8_t v3[BENCH_V3_MSGLEN]; /* the benchmark report */
	uint8_t out[512];
	uint8_t *big;
	/* frames of a capture, for the in-process decode figures */
	int dlt;
	size_t nframes;
	uint8_t *frames[MAXFRAMES];
	uint32_t caplen[MAXFRAMES], wirelen[MAXFRAMES];
	char *fmtbuf;
	uint64_t sink;
};

static void op_parse20(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->p20;
	struct ipk_ip4 h;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(p);
		if (ipk_ip4_parse(p, sizeof(c->p20), IPK_IP4_STRICT, &h, NULL) == 0)
			s += h.total_len;
		BENCH_USE(&h);
	}
	c->sink += s;
}

static void op_parse60(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->p60;
	struct ipk_ip4 h;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(p);
		if (ipk_ip4_parse(p, sizeof(c->p60), IPK_IP4_STRICT, &h, NULL) == 0)
			s += h.total_len;
		BENCH_USE(&h);
	}
	c->sink += s;
}

static void op_parse20_go(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->p20;
	struct ipk_ip4 h;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(p);
		if (ipk_ip4_parse(p, sizeof(c->p20), IPK_IP4_GO, &h, NULL) == 0)
			s += h.total_len;
		BENCH_USE(&h);
	}
	c->sink += s;
}

static void op_marshal20(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const struct ipk_ip4 *h = &c->h20;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(h);
		s += (uint64_t)ipk_ip4_marshal(h, 8, 0, c->out, sizeof(c->out));
		BENCH_USE(c->out);
	}
	c->sink += s;
}

static void op_marshal60(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const struct ipk_ip4 *h = &c->h60;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(h);
		s += (uint64_t)ipk_ip4_marshal(h, 8, 0, c->out, sizeof(c->out));
		BENCH_USE(c->out);
	}
	c->sink += s;
}

static void csum_n(struct ctx *c, uint64_t n, size_t len)
{
	const uint8_t *p = c->big;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		BENCH_LAUNDER(p);
		s += ipk_csum(p, len);
	}
	c->sink += s;
}

static void op_csum20(void *vc, uint64_t n)
{
	csum_n(vc, n, 20);
}

static void op_csum1500(void *vc, uint64_t n)
{
	csum_n(vc, n, 1500);
}

static void op_csum65535(void *vc, uint64_t n)
{
	csum_n(vc, n, 65535);
}

static void op_optwalk(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->opts;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ipk_opt_iter it;
		struct ipk_opt o;
		struct ipk_optv v;

		BENCH_LAUNDER(p);
		ipk_opt_iter_init(&it, p, sizeof(c->opts));
		while (ipk_opt_next(&it, &o) == 1) {
			if (ipk_opt_decode(&o, &v) == 0)
				s += v.type + v.len;
		}
		BENCH_USE(&v);
	}
	c->sink += s;
}

static void op_optvalidate(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->opts;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		size_t off = 0;

		BENCH_LAUNDER(p);
		s += (uint64_t)ipk_opt_validate(p, sizeof(c->opts), &off, NULL, 0) + off;
	}
	c->sink += s;
}

static void op_v3parse(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	const uint8_t *p = c->v3;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ipk_igmp m;
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;

		BENCH_LAUNDER(p);
		if (ipk_igmp_parse(p, sizeof(c->v3), &m, NULL) != 0 || !m.checksum_ok)
			continue;
		ipk_igmp_rec_iter_init(&it, &m, p);
		while (ipk_igmp_rec_next(&it, &r) == 1)
			s += r.group + r.nsrcs + r.type;
		BENCH_USE(&r);
	}
	c->sink += s;
}

static void op_v3build(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	uint8_t *out = c->out;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ipk_wbuf w;

		BENCH_LAUNDER(out);
		ipk_wbuf_init(&w, out, sizeof(c->out));
		if (bench_v3_report(&w) == 0)
			s += w.len;
		BENCH_USE(out);
	}
	c->sink += s;
}

static void op_v3build_inc(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	uint8_t *out = c->out;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ipk_wbuf w;

		BENCH_LAUNDER(out);
		ipk_wbuf_init(&w, out, sizeof(c->out));
		if (bench_v3_report_inc(&w) == 0)
			s += w.len;
		BENCH_USE(out);
	}
	c->sink += s;
}

static void op_v3dgram(void *vc, uint64_t n)
{
	struct ctx *c = vc;
	uint8_t *out = c->out;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct ipk_wbuf w;

		BENCH_LAUNDER(out);
		ipk_wbuf_init(&w, out + IPK_IGMP_HDRROOM, sizeof(c->out) - IPK_IGMP_HDRROOM);
		if (bench_v3_report(&w) == 0)
			s += (uint64_t)ipk_igmp_dgram_finish(out, sizeof(c->out), w.len, BENCH_SRC);
		BENCH_USE(out);
	}
	c->sink += s;
}

static void decode_n(struct ctx *c, uint64_t n, int style)
{
	struct ipk_packet p;
	struct ipk_fmt_meta m = { 0, 1700000000, 0 };
	uint64_t s = 0;
	size_t k = 0;

	for (uint64_t i = 0; i < n; i++) {
		s += (uint64_t)ipk_packet_decode(c->dlt, c->frames[k], c->caplen[k], c->wirelen[k], &p);
		if (style >= 0) {
			m.frame = i + 1;
			s += (uint64_t)ipk_fmt_packet(&p, &m, style, c->fmtbuf, IPK_FMT_MAX);
			BENCH_USE(c->fmtbuf);
		}
		BENCH_USE(&p);
		if (++k == c->nframes)
			k = 0;
	}
	c->sink += s;
}

static void op_decode(void *vc, uint64_t n)
{
	decode_n(vc, n, -1);
}

static void op_fmt_text(void *vc, uint64_t n)
{
	decode_n(vc, n, IPK_FMT_TEXT);
}

static void op_fmt_verbose(void *vc, uint64_t n)
{
	decode_n(vc, n, IPK_FMT_VERBOSE);
}

static void op_fmt_json(void *vc, uint64_t n)
{
	decode_n(vc, n, IPK_FMT_JSON);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "ipk-bench: %s failed: %d (%s)\n", what, rc, rc < 0 ? ipk_strerror(rc) : "");
	exit(1);
}

/* Build the inputs with the codec and check that every timed operation succeeds on them, so a
 * fast figure is never the figure of an early error return. */
static void setup(struct ctx *c)
{
	struct ipk_wbuf w;
	int rc;

	ipk_wbuf_init(&w, c->opts, sizeof(c->opts));
	if ((rc = ipk_opt_put_ra(&w, 0)) || (rc = ipk_opt_put_route(&w, IPK_OPT_RR, 0, NULL, 8)) ||
	    (rc = ipk_opt_pad(&w)))
		die("options build", rc);
	if (w.len != sizeof(c->opts))
		die("options length", (int)w.len);

	struct ipk_ip4 h = { 0 };
	h.tos = 0xc0;
	h.id = 0x1234;
	h.df = 1;
	h.ttl = 1;
	h.proto = IPK_PROTO_IGMP;
	h.src = BENCH_SRC;
	h.dst = IPK_IGMP_V3_ROUTERS;
	c->h20 = h;
	h.opts = c->opts;
	h.opts_len = sizeof(c->opts);
	c->h60 = h;
	if ((rc = ipk_ip4_marshal(&c->h20, 8, 0, c->p20, sizeof(c->p20))) != 20)
		die("marshal 20", rc);
	if ((rc = ipk_ip4_marshal(&c->h60, 8, 0, c->p60, sizeof(c->p60))) != 60)
		die("marshal 60", rc);

	struct ipk_ip4 ph;
	size_t off;
	if ((rc = ipk_ip4_parse(c->p20, sizeof(c->p20), IPK_IP4_STRICT, &ph, &off)) || !ph.checksum_ok)
		die("strict parse 20", rc);
	if ((rc = ipk_ip4_parse(c->p60, sizeof(c->p60), IPK_IP4_STRICT, &ph, &off)) || !ph.checksum_ok ||
	    ph.hlen != 60)
		die("strict parse 60", rc);

	if ((rc = ipk_opt_validate(c->opts, sizeof(c->opts), &off, NULL, 0)))
		die("options validate", rc);
	struct ipk_opt_iter it;
	struct ipk_opt o;
	int nopt = 0;
	ipk_opt_iter_init(&it, c->opts, sizeof(c->opts));
	while ((rc = ipk_opt_next(&it, &o)) == 1)
		nopt++;
	if (rc < 0 || nopt < 2)
		die("options walk", rc < 0 ? rc : nopt);

	ipk_wbuf_init(&w, c->v3, sizeof(c->v3));
	if ((rc = bench_v3_report(&w)) || w.len != sizeof(c->v3))
		die("v3 report build", rc);
	struct ipk_igmp m;
	if ((rc = ipk_igmp_parse(c->v3, sizeof(c->v3), &m, &off)) || !m.checksum_ok ||
	    m.nrecs != BENCH_NRECS)
		die("v3 report parse", rc);

	ipk_wbuf_init(&w, c->out + IPK_IGMP_HDRROOM, sizeof(c->out) - IPK_IGMP_HDRROOM);
	if ((rc = bench_v3_report(&w)))
		die("v3 dgram report", rc);
	rc = ipk_igmp_dgram_finish(c->out, sizeof(c->out), w.len, BENCH_SRC);
	if (rc != IPK_IGMP_HDRROOM + BENCH_V3_MSGLEN)
		die("v3 dgram finish", rc);
	if ((rc = ipk_ip4_parse(c->out, (size_t)rc, IPK_IP4_STRICT, &ph, &off)) || !ph.checksum_ok ||
	    ph.hlen != 24 || ph.dst != IPK_IGMP_V3_ROUTERS)
		die("v3 dgram ip parse", rc);
	if ((rc = ipk_igmp_parse(c->out + 24, BENCH_V3_MSGLEN, &m, &off)) || !m.checksum_ok)
		die("v3 dgram igmp parse", rc);

	c->big = malloc(BIGLEN);
	if (!c->big)
		die("malloc", -1);
	for (size_t i = 0; i < BIGLEN; i++)
		c->big[i] = (uint8_t)(i * 131 + 7);
}

static void load_pcap(struct ctx *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	struct pcap_pkthdr *ph;
	const u_char *data;

	if (!pc) {
		fprintf(stderr, "ipk-bench: %s\n", err);
		exit(1);
	}
	c->dlt = pcap_datalink(pc);
	while (c->nframes < MAXFRAMES && pcap_next_ex(pc, &ph, &data) == 1) {
		c->frames[c->nframes] = malloc(ph->caplen ? ph->caplen : 1);
		if (!c->frames[c->nframes])
			die("malloc", -1);
		memcpy(c->frames[c->nframes], data, ph->caplen);
		c->caplen[c->nframes] = ph->caplen;
		c->wirelen[c->nframes] = ph->len;
		c->nframes++;
	}
	pcap_close(pc);
	c->fmtbuf = malloc(IPK_FMT_MAX);
	if (!c->nframes || !c->fmtbuf)
		die("reading the capture", -1);
}

/* -R: read every frame of a capture with libpcap and touch it, nothing else: the floor under
 * `ipv4kit decode -q` (run.sh times it like the CLI). */
static int read_only(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	struct pcap_pkthdr *ph;
	const u_char *data;
	uint64_t n = 0, s = 0;

	if (!pc) {
		fprintf(stderr, "ipk-bench: %s\n", err);
		return 2;
	}
	while (pcap_next_ex(pc, &ph, &data) == 1) {
		s += data[ph->caplen ? ph->caplen - 1 : 0] + ph->len;
		n++;
	}
	pcap_close(pc);
	printf("%llu frames (%llu)\n", (unsigned long long)n, (unsigned long long)s);
	return 0;
}

struct op {
	const char *name;
	void (*fn)(void *ctx, uint64_t n);
	size_t bytes;   /* for GB/s */
	int needs_pcap;
	const char *what;
};

static const struct op ops[] = {
	{ "parse20", op_parse20, 0, 0, "ipk_ip4_parse STRICT, 20-byte header (checksum verified)" },
	{ "parse60", op_parse60, 0, 0, "ipk_ip4_parse STRICT, 60-byte header (RA+RR, options validated)" },
	{ "parse20_go", op_parse20_go, 0, 0, "ipk_ip4_parse GO profile, 20-byte header" },
	{ "marshal20", op_marshal20, 0, 0, "ipk_ip4_marshal 20-byte header (checksum computed)" },
	{ "marshal60", op_marshal60, 0, 0, "ipk_ip4_marshal 60-byte header (checksum computed)" },
	{ "csum20", op_csum20, 20, 0, "ipk_csum 20 bytes" },
	{ "csum1500", op_csum1500, 1500, 0, "ipk_csum 1500 bytes" },
	{ "csum65535", op_csum65535, 65535, 0, "ipk_csum 65535 bytes" },
	{ "optwalk", op_optwalk, 0, 0, "ipk_opt_next+ipk_opt_decode over 40 bytes (RA, RR, EOL)" },
	{ "optvalidate", op_optvalidate, 0, 0, "ipk_opt_validate over 40 bytes (RA, RR, EOL)" },
	{ "v3parse", op_v3parse, 0, 0, "ipk_igmp_parse + record walk, v3 report 4x4 (104 B)" },
	{ "v3build", op_v3build, 0, 0, "v3 report build 4 records x 4 sources, checksum" },
	{ "v3build_inc", op_v3build_inc, 0, 0, "the same with begin/add/end" },
	{ "v3dgram", op_v3dgram, 0, 0, "IPv4+RA+v3 report (4x4) build, both checksums" },
	{ "decode", op_decode, 0, 1, "ipk_packet_decode per frame of the capture mix" },
	{ "fmt_text", op_fmt_text, 0, 1, "decode + ipk_fmt_packet TEXT per frame" },
	{ "fmt_verbose", op_fmt_verbose, 0, 1, "decode + ipk_fmt_packet VERBOSE per frame" },
	{ "fmt_json", op_fmt_json, 0, 1, "decode + ipk_fmt_packet JSON per frame" },
};

/* 1 if name is one of the comma-separated names in list. */
static int selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !memcmp(p, name, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ipk-bench [-r RUNS] [-m MS_PER_RUN] [-p CAPTURE] [-f NAME,...] [-l] [-n N]\n"
			"prints NAME<TAB>median ns/op<TAB>GB/s or -<TAB>description\n"
			"-R CAPTURE: only read every frame with libpcap (the floor under decode -q)\n"
			"-n N: run each operation exactly N times, untimed (for valgrind --tool=callgrind\n"
			"      instruction counts: (Ir with -n N - Ir with -n 0) / N)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct ctx c;
	int runs = 31, ms = 2, list = 0, ch;
	long long fixed = -1;
	const char *pcap = NULL, *filter = NULL;

	while ((ch = getopt(argc, argv, "r:m:p:f:ln:R:h")) != -1) {
		switch (ch) {
		case 'r': runs = atoi(optarg); break;
		case 'm': ms = atoi(optarg); break;
		case 'p': pcap = optarg; break;
		case 'f': filter = optarg; break;
		case 'l': list = 1; break;
		case 'n': fixed = atoll(optarg); break;
		case 'R': return read_only(optarg);
		default: usage();
		}
	}
	if (runs < 1 || ms < 1)
		usage();
	if (list) {
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			printf("%s\t%s\n", ops[i].name, ops[i].what);
		return 0;
	}
	setup(&c);
	if (pcap)
		load_pcap(&c, pcap);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *o = &ops[i];

		if ((o->needs_pcap && !pcap) || (filter && !selected(filter, o->name)))
			continue;
		if (fixed >= 0) {
			o->fn(&c, (uint64_t)fixed);
			printf("%s\t%lld\tfixed\n", o->name, fixed);
			continue;
		}
		double ns = bench_median(o->fn, &c, runs, ms);
		if (o->bytes)
			printf("%s\t%.2f\t%.2f\t%s\n", o->name, ns, (double)o->bytes / ns, o->what);
		else
			printf("%s\t%.2f\t-\t%s\n", o->name, ns, o->what);
		fflush(stdout);
	}
	return c.sink == 42 ? 3 : 0; /* keep the sink alive */
}
