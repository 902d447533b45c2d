/* libnet_bench.c - ipk-libnet-bench: libnet 1.1 building the same IPv4 header and IPv4+RA+IGMPv3 report as ipk-bench (RFC 791, 2113, 3376), ns/op medians. */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h, getopt, BSD names in libnet.h */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnet.h>

#include "bench_common.h"

struct lctx {
	libnet_t *l;
	libnet_ptag_t t_igmp, t_opt, t_ip;
	uint8_t body[BENCH_V3_MSGLEN - 8]; /* the group records, built by the codec once */
	uint8_t ra[4];
	uint32_t src_n, dst_n;
	uint64_t sink;
};

static _Noreturn void die(const char *what, libnet_t *l)
{
	fprintf(stderr, "ipk-libnet-bench: %s failed: %s\n", what, l ? libnet_geterror(l) : "");
	exit(1);
}

/* Build (ptag 0 after libnet_clear_packet) or rebuild in place (saved ptags) the whole datagram. */
static int build_v3(struct lctx *c)
{
	c->t_igmp = libnet_build_igmp(IPK_IGMP_V3_REPORT, 0, 0, htonl(BENCH_NRECS), c->body,
				      sizeof(c->body), c->l, c->t_igmp);
	c->t_opt = libnet_build_ipv4_options(c->ra, sizeof(c->ra), c->l, c->t_opt);
	c->t_ip = libnet_build_ipv4(IPK_IGMP_HDRROOM + BENCH_V3_MSGLEN, 0xc0, 0, IP_DF, 1, IPPROTO_IGMP, 0,
				    c->src_n, c->dst_n, NULL, 0, c->l, c->t_ip);
	return c->t_igmp < 0 || c->t_opt < 0 || c->t_ip < 0 ? -1 : 0;
}

/* The wire-ready packet with its checksums. libnet_adv_cull_packet() works only in
 * LIBNET_LINK_ADV mode (it would need an interface and an Ethernet header); it is a wrapper around
 * libnet_pblock_coalesce(), which does the same work (copy every pblock, compute the checksums)
 * in LIBNET_NONE mode, with no socket. The packet is malloc'd and freed with
 * libnet_adv_free_packet() (a free()). */
static int get_packet(struct lctx *c, uint8_t **pkt, uint32_t *len)
{
	return libnet_pblock_coalesce(c->l, pkt, len) == 1 ? 1 : -1;
}

static uint64_t coalesce(struct lctx *c)
{
	uint8_t *pkt;
	uint32_t len;

	if (get_packet(c, &pkt, &len) != 1)
		die("libnet_pblock_coalesce", c->l);
	uint64_t s = len + pkt[11];
	libnet_adv_free_packet(c->l, pkt);
	return s;
}

static void op_v3_fresh(void *vc, uint64_t n)
{
	struct lctx *c = vc;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		libnet_clear_packet(c->l);
		c->t_igmp = c->t_opt = c->t_ip = 0;
		if (build_v3(c))
			die("build", c->l);
		s += coalesce(c);
	}
	c->sink += s;
}

static void op_v3_reuse(void *vc, uint64_t n)
{
	struct lctx *c = vc;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (build_v3(c))
			die("build", c->l);
		s += coalesce(c);
	}
	c->sink += s;
}

static libnet_ptag_t build_ip20(struct lctx *c, libnet_ptag_t t)
{
	return libnet_build_ipv4(28, 0xc0, 0x1234, IP_DF, 1, IPPROTO_IGMP, 0, c->src_n, c->dst_n, NULL, 0,
				 c->l, t);
}

static void op_ip_fresh(void *vc, uint64_t n)
{
	struct lctx *c = vc;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		libnet_clear_packet(c->l);
		if (build_ip20(c, 0) < 0)
			die("libnet_build_ipv4", c->l);
		s += coalesce(c);
	}
	c->sink += s;
}

static void op_ip_reuse(void *vc, uint64_t n)
{
	struct lctx *c = vc;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++) {
		if ((c->t_ip = build_ip20(c, c->t_ip)) < 0)
			die("libnet_build_ipv4", c->l);
		s += coalesce(c);
	}
	c->sink += s;
}

static void hex(const char *tag, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s:", tag);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

/* The coalesced datagram must be the codec's datagram byte for byte (both checksums included). */
static void check_v3(struct lctx *c)
{
	uint8_t ref[IPK_IGMP_HDRROOM + BENCH_V3_MSGLEN], *pkt;
	uint32_t len;
	struct ipk_wbuf w;

	ipk_wbuf_init(&w, ref + IPK_IGMP_HDRROOM, BENCH_V3_MSGLEN);
	if (bench_v3_report(&w) ||
	    ipk_igmp_dgram_finish(ref, sizeof(ref), w.len, BENCH_SRC) != (int)sizeof(ref))
		die("codec reference build", NULL);
	if (build_v3(c) || get_packet(c, &pkt, &len) != 1)
		die("libnet build", c->l);
	if (len != sizeof(ref) || memcmp(pkt, ref, len)) {
		hex("codec ", ref, sizeof(ref));
		hex("libnet", pkt, len);
		fprintf(stderr, "ipk-libnet-bench: warning: libnet datagram differs from the codec's\n");
	} else {
		fprintf(stderr, "ipk-libnet-bench: libnet datagram identical to the codec's (%u bytes)\n",
			(unsigned)len);
	}
	libnet_adv_free_packet(c->l, pkt);
}

int main(int argc, char **argv)
{
	static struct lctx c;
	char err[LIBNET_ERRBUF_SIZE];
	int runs = 31, ms = 2, ch;

	while ((ch = getopt(argc, argv, "r:m:")) != -1) {
		if (ch == 'r')
			runs = atoi(optarg);
		else if (ch == 'm')
			ms = atoi(optarg);
		else {
			fprintf(stderr, "usage: ipk-libnet-bench [-r RUNS] [-m MS_PER_RUN]\n");
			return 2;
		}
	}

	c.l = libnet_init(LIBNET_NONE, NULL, err); /* construct only: no socket */
	if (!c.l) {
		fprintf(stderr, "ipk-libnet-bench: libnet_init: %s\n", err);
		return 1;
	}
	uint8_t rep[BENCH_V3_MSGLEN];
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, rep, sizeof(rep));
	if (bench_v3_report(&w))
		die("codec report build", NULL);
	memcpy(c.body, rep + 8, sizeof(c.body));
	ipk_wbuf_init(&w, c.ra, sizeof(c.ra));
	if (ipk_opt_put_ra(&w, 0))
		die("codec RA build", NULL);
	c.src_n = htonl(BENCH_SRC);
	c.dst_n = htonl(IPK_IGMP_V3_ROUTERS);

	check_v3(&c);
	double v3_reuse = bench_median(op_v3_reuse, &c, runs, ms);
	libnet_clear_packet(c.l);
	c.t_igmp = c.t_opt = c.t_ip = 0;
	double v3_fresh = bench_median(op_v3_fresh, &c, runs, ms);
	libnet_clear_packet(c.l);
	c.t_ip = 0;
	double ip_reuse = bench_median(op_ip_reuse, &c, runs, ms);
	double ip_fresh = bench_median(op_ip_fresh, &c, runs, ms);

	printf("libnet_v3dgram_reuse\t%.2f\t-\tlibnet rebuild IPv4+RA+IGMPv3 (ptags reused) + coalesce\n", v3_reuse);
	printf("libnet_v3dgram_fresh\t%.2f\t-\tlibnet clear + build IPv4+RA+IGMPv3 + coalesce\n", v3_fresh);
	printf("libnet_ip20_reuse\t%.2f\t-\tlibnet rebuild IPv4 header (ptag reused) + coalesce\n", ip_reuse);
	printf("libnet_ip20_fresh\t%.2f\t-\tlibnet clear + build IPv4 header + coalesce\n", ip_fresh);
	printf("libnet_version\t%s\n", libnet_version());
	libnet_destroy(c.l);
	return c.sink == 42 ? 3 : 0;
}
