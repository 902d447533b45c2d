/* mkcap.c - ipk-mkcap: writes deterministic Ethernet pcaps of IGMPv1/v2/v3, UDP (with and without Router Alert) and odd packets, built with the codec (RFC 791, 1112, 2113, 2236, 3376). */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h, getopt, BSD names in libnet.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/l4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define SNAP 65535
#define TS0 1700000000 /* 2023-11-14T22:13:20Z */

#define A(a, b, c, d) IPK_IP4_ADDR(a, b, c, d)
#define QUERIER A(198, 18, 0, 254)
#define HOST1 A(198, 18, 0, 10)
#define HOST2 A(198, 18, 0, 11)
#define SERVER A(198, 19, 0, 1)
#define GRP1 A(239, 1, 1, 1)
#define GRP2 A(239, 1, 1, 2)
#define GRP3 A(239, 1, 1, 3)
#define SSM1 A(232, 1, 1, 1)

struct out {
	pcap_dumper_t *d;
	uint64_t n;          /* frames written */
	uint64_t us_step;    /* timestamp step */
	uint8_t f[SNAP + 64];
};

static void die(const char *what, int rc)
{
	fprintf(stderr, "ipk-mkcap: %s: %d (%s)\n", what, rc, rc < 0 ? ipk_strerror(rc) : "");
	exit(1);
}

/* Ethernet header for an IPv4 frame: multicast destinations map to 01:00:5e + low 23 bits
 * (RFC 1112 6.4), unicast ones get a locally administered MAC derived from the address. */
static size_t put_eth(uint8_t *f, uint32_t src, uint32_t dst, int vlan)
{
	uint8_t dmac[6] = {0x02, 0x00, 0x5e, (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst};
	uint8_t smac[6] = {0x02, 0x00, (uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8),
			   (uint8_t)src};
	struct ipk_wbuf w;
	int rc;

	if (ipk_ip4_is_multicast(dst))
		ipk_eth_mcast_mac(dst, dmac);
	ipk_wbuf_init(&w, f, IPK_ETH_HLEN + IPK_VLAN_TAGLEN);
	if (vlan < 0)
		rc = ipk_eth_build(&w, dmac, smac, IPK_ETHERTYPE_IPV4);
	else if (!(rc = ipk_eth_build(&w, dmac, smac, IPK_ETHERTYPE_VLAN)))
		rc = ipk_vlan_build(&w, (uint16_t)vlan, IPK_ETHERTYPE_IPV4);
	if (rc)
		die("ipk_eth_build", rc);
	return w.len;
}

/* Write frame o->f[0..len) with `caplen` bytes captured (0 = all). */
static void dump(struct out *o, size_t len, size_t caplen)
{
	struct pcap_pkthdr ph;
	uint64_t us = o->n * o->us_step;

	ph.ts.tv_sec = (time_t)(TS0 + us / 1000000);
	ph.ts.tv_usec = (suseconds_t)(us % 1000000);
	ph.len = (bpf_u_int32)len;
	ph.caplen = (bpf_u_int32)(caplen && caplen < len ? caplen : len);
	pcap_dump((u_char *)o->d, &ph, o->f);
	o->n++;
}

struct frame_opts {
	int vlan;            /* -1: untagged */
	size_t pad_to;       /* Ethernet frame padded with zeros to this length */
	size_t caplen;       /* 0: whole frame captured */
	unsigned flags;      /* ipk_ip4_marshal flags */
};
static const struct frame_opts PLAIN = { -1, 0, 0, 0 };

/* Marshal h in front of payload pl[0..plen) into an Ethernet frame and dump it. */
static void emit(struct out *o, const struct ipk_ip4 *h, const uint8_t *pl, size_t plen,
		 const struct frame_opts *fo)
{
	size_t l2 = put_eth(o->f, h->src, h->dst, fo->vlan);
	int hl = ipk_ip4_marshal(h, plen, fo->flags, o->f + l2, sizeof(o->f) - l2);

	if (hl < 0)
		die("ipk_ip4_marshal", hl);
	memcpy(o->f + l2 + (size_t)hl, pl, plen);
	size_t len = l2 + (size_t)hl + plen;
	if (fo->pad_to > len) {
		memset(o->f + len, 0, fo->pad_to - len);
		len = fo->pad_to;
	}
	dump(o, len, fo->caplen);
}

/* An IGMP message with the header the codec gives it (TTL 1, RA, DF, destination by type). */
static void emit_igmp(struct out *o, uint32_t src, const uint8_t *msg, size_t len,
		      const struct frame_opts *fo)
{
	struct ipk_ip4 h;

	ipk_igmp_ip4_defaults(msg, len, src, &h);
	emit(o, &h, msg, len, fo);
}

static struct ipk_ip4 ip_default(uint32_t src, uint32_t dst, uint8_t proto, uint16_t id)
{
	struct ipk_ip4 h = { 0 };

	h.ttl = ipk_ip4_is_multicast(dst) ? 1 : 64;
	h.df = 1;
	h.proto = proto;
	h.id = id;
	h.src = src;
	h.dst = dst;
	return h;
}

/* UDP datagram (header + plen bytes of a deterministic payload) into u; checksum with the codec. */
static size_t put_udp(uint8_t *u, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		      size_t plen, uint32_t seed)
{
	struct ipk_udp h = { .sport = sport, .dport = dport };
	struct ipk_wbuf w;
	int rc;

	for (size_t i = 0; i < plen; i++)
		u[IPK_UDP_HLEN + i] = (uint8_t)(seed + i * 7);
	ipk_wbuf_init(&w, u, IPK_UDP_HLEN + plen);
	if ((rc = ipk_udp_build(&w, &h, src, dst, u + IPK_UDP_HLEN, plen, 0)))
		die("ipk_udp_build", rc);
	return w.len;
}

static const uint8_t *ra_opt(void)
{
	static uint8_t ra[4];
	struct ipk_wbuf w;

	ipk_wbuf_init(&w, ra, sizeof(ra));
	if (ipk_opt_put_ra(&w, 0))
		die("ipk_opt_put_ra", -1);
	return ra;
}

static void emit_udp(struct out *o, uint32_t src, uint32_t dst, int with_ra, uint16_t id,
		     uint16_t dport, size_t plen)
{
	uint8_t u[1500];
	struct ipk_ip4 h = ip_default(src, dst, IPK_PROTO_UDP, id);
	size_t ulen = put_udp(u, src, dst, (uint16_t)(40000 + (id & 0x3ff)), dport, plen, id);

	if (with_ra) {
		h.opts = ra_opt();
		h.opts_len = 4;
	}
	emit(o, &h, u, ulen, &PLAIN);
}

static size_t v2(uint8_t *m, uint8_t type, uint8_t mrt, uint32_t group)
{
	struct ipk_wbuf w;
	int rc;

	ipk_wbuf_init(&w, m, 64);
	if ((rc = ipk_igmp_put_v2(&w, type, mrt, group)))
		die("ipk_igmp_put_v2", rc);
	return w.len;
}

static size_t v1(uint8_t *m, uint8_t type, uint32_t group)
{
	struct ipk_wbuf w;
	int rc;

	ipk_wbuf_init(&w, m, 64);
	if ((rc = ipk_igmp_put_v1(&w, type, group)))
		die("ipk_igmp_put_v1", rc);
	return w.len;
}

static size_t v3q(uint8_t *m, unsigned mrt_ds, unsigned qqi_s, uint8_t s, uint32_t group,
		  const uint32_t *srcs, uint16_t nsrcs)
{
	struct ipk_igmp_v3q q = { 0 };
	struct ipk_wbuf w;
	int rc;

	q.mrc = ipk_igmp_code_encode(mrt_ds);
	q.qqic = ipk_igmp_code_encode(qqi_s);
	q.s = s;
	q.qrv = 2;
	q.group = group;
	q.srcs = srcs;
	q.nsrcs = nsrcs;
	ipk_wbuf_init(&w, m, 1400);
	if ((rc = ipk_igmp_put_v3_query(&w, &q)))
		die("ipk_igmp_put_v3_query", rc);
	return w.len;
}

struct rec {
	uint8_t type;
	uint32_t group;
	uint16_t nsrcs;
	uint8_t aux_words;
};

/* v3 report of n records; record i gets nsrcs sources 198.18.(10+i).(1..) and aux words of 0xa5. */
static size_t v3r(uint8_t *m, size_t cap, const struct rec *recs, size_t n)
{
	static const uint8_t aux[16] = { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
					 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 };
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;
	uint32_t srcs[16];
	int rc;

	ipk_wbuf_init(&w, m, cap);
	if ((rc = ipk_igmp_v3r_begin(&w, &r)))
		die("ipk_igmp_v3r_begin", rc);
	for (size_t i = 0; i < n; i++) {
		for (uint16_t j = 0; j < recs[i].nsrcs && j < 16; j++)
			srcs[j] = A(198, 18, 10 + i, 1 + j);
		rc = ipk_igmp_v3r_add(&w, &r, recs[i].type, recs[i].group, srcs, recs[i].nsrcs,
				      recs[i].aux_words ? aux : NULL, recs[i].aux_words);
		if (rc)
			die("ipk_igmp_v3r_add", rc);
	}
	if ((rc = ipk_igmp_v3r_end(&w, &r)))
		die("ipk_igmp_v3r_end", rc);
	return w.len;
}

/* ICMP echo request (8) or reply (0) with a 32-byte payload, checksum by the codec. */
static size_t icmp_echo(uint8_t *m, uint8_t type, uint16_t id, uint16_t seq)
{
	struct ipk_icmp h = { .type = type, .id = id, .seq = seq };
	uint8_t data[32];
	struct ipk_wbuf w;
	int rc;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0x10 + i);
	ipk_wbuf_init(&w, m, IPK_ICMP_HLEN + sizeof(data));
	if ((rc = ipk_icmp_build(&w, &h, data, sizeof(data), 0)))
		die("ipk_icmp_build", rc);
	return w.len;
}

/* The 1M-packet benchmark capture: IGMPv2 report, IGMPv3 report (1-4 records, 0-4 sources), UDP
 * with Router Alert, plain UDP, cycling. */
static void write_mix(struct out *o, uint64_t count)
{
	uint8_t m[1500];
	struct rec recs[4];

	for (uint64_t i = 0; i < count; i++) {
		/* 1024 hosts, 1024 groups, 256 servers: a realistic number of distinct addresses
		 * (tcpdump caches every address string it prints in a 4096-bucket hash table, so
		 * hundreds of thousands of distinct addresses make it quadratic). */
		uint32_t k = (uint32_t)(i / 4);
		uint32_t host = A(198, 18, (k >> 7) & 7, 1 + (k & 0x7f));
		uint32_t group = A(239, 1, (k >> 3) & 0x7f, 1 + 16 * (k & 7));
		uint16_t id = (uint16_t)(i * 7 + 1);
		size_t len;

		switch (i % 4) {
		case 0:
			len = v2(m, IPK_IGMP_V2_REPORT, 0, group);
			emit_igmp(o, host, m, len, &PLAIN);
			break;
		case 1: {
			size_t n = 1 + k % 4;
			for (size_t r = 0; r < n; r++) {
				recs[r].type = (uint8_t)(1 + (k + r) % 6);
				recs[r].group = group + (uint32_t)r;
				recs[r].nsrcs = (uint16_t)((k + r) % 5);
				recs[r].aux_words = 0;
			}
			len = v3r(m, sizeof(m), recs, n);
			emit_igmp(o, host, m, len, &PLAIN);
			break;
		}
		case 2:
			emit_udp(o, host, group, 1, id, 5000, 32 + k % 64);
			break;
		default:
			emit_udp(o, host, A(198, 19, 0, 1 + (k % 251)), 0, id, 9,
				 16 + k % 200);
			break;
		}
	}
}

/* The small, rich capture kept as pcaps/sample.pcap (about 40 frames). */
static void write_sample(struct out *o)
{
	uint8_t m[1500], u[1500];
	struct ipk_ip4 h;
	struct frame_opts fo;
	size_t len;
	const uint32_t s3[3] = { A(198, 18, 5, 1), A(198, 18, 5, 2), A(198, 18, 5, 3) };
	int rc;

	/* IGMPv1 */
	len = v1(m, IPK_IGMP_QUERY, 0);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v1(m, IPK_IGMP_V1_REPORT, GRP1);
	emit_igmp(o, HOST1, m, len, &PLAIN);
	len = v1(m, IPK_IGMP_V1_REPORT, GRP2);
	emit_igmp(o, HOST2, m, len, &PLAIN);

	/* IGMPv2: general query (10 s), group-specific query (1 s), report, padded report, leave */
	len = v2(m, IPK_IGMP_QUERY, 100, 0);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v2(m, IPK_IGMP_QUERY, 10, GRP1);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v2(m, IPK_IGMP_V2_REPORT, 0, GRP1);
	emit_igmp(o, HOST1, m, len, &PLAIN);
	fo = PLAIN;
	fo.pad_to = 60; /* as received from an Ethernet: padding after the datagram */
	len = v2(m, IPK_IGMP_V2_REPORT, 0, GRP2);
	emit_igmp(o, HOST2, m, len, &fo);
	len = v2(m, IPK_IGMP_V2_LEAVE, 0, GRP1);
	emit_igmp(o, HOST1, m, len, &PLAIN);
	fo = PLAIN;
	fo.vlan = 100 | 5 << 13; /* 802.1Q, VID 100, PCP 5 */
	len = v2(m, IPK_IGMP_V2_REPORT, 0, GRP3);
	emit_igmp(o, HOST2, m, len, &fo);

	/* IGMPv3 queries: MRC and QQIC below and above 128 (exact and float-coded) */
	len = v3q(m, 100, 125, 0, 0, NULL, 0);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v3q(m, 1000, 300, 0, 0, NULL, 0);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v3q(m, 10, 125, 1, GRP1, NULL, 0);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v3q(m, 10, 125, 0, SSM1, s3, 3);
	emit_igmp(o, QUERIER, m, len, &PLAIN);
	len = v3q(m, 3000, 1000, 1, SSM1, s3, 2);
	emit_igmp(o, QUERIER, m, len, &PLAIN);

	/* IGMPv3 reports: all six record types, aux data, join, leave, SSM, 4x4 */
	{
		const struct rec six[6] = {
			{ IPK_IGMP_IS_IN, GRP1, 2, 0 }, { IPK_IGMP_IS_EX, GRP2, 0, 0 },
			{ IPK_IGMP_TO_IN, GRP3, 1, 0 }, { IPK_IGMP_TO_EX, A(239, 1, 1, 4), 1, 0 },
			{ IPK_IGMP_ALLOW, SSM1, 2, 0 }, { IPK_IGMP_BLOCK, A(232, 1, 1, 2), 1, 0 },
		};
		const struct rec aux[2] = { { IPK_IGMP_IS_IN, GRP1, 1, 2 }, { IPK_IGMP_IS_EX, GRP2, 0, 1 } };
		const struct rec join[1] = { { IPK_IGMP_TO_EX, GRP3, 0, 0 } };
		const struct rec leave[1] = { { IPK_IGMP_TO_IN, GRP3, 0, 0 } };
		const struct rec ssm[1] = { { IPK_IGMP_ALLOW, SSM1, 3, 0 } };
		const struct rec four[4] = {
			{ IPK_IGMP_IS_IN, GRP1, 4, 0 }, { IPK_IGMP_ALLOW, GRP2, 4, 0 },
			{ IPK_IGMP_BLOCK, SSM1, 4, 0 }, { IPK_IGMP_TO_IN, A(232, 1, 1, 2), 4, 0 },
		};

		len = v3r(m, sizeof(m), six, 6);
		emit_igmp(o, HOST1, m, len, &PLAIN);
		len = v3r(m, sizeof(m), aux, 2);
		emit_igmp(o, HOST2, m, len, &PLAIN);
		len = v3r(m, sizeof(m), join, 1);
		emit_igmp(o, HOST1, m, len, &PLAIN);
		len = v3r(m, sizeof(m), leave, 1);
		emit_igmp(o, HOST1, m, len, &PLAIN);
		len = v3r(m, sizeof(m), ssm, 1);
		emit_igmp(o, HOST2, m, len, &PLAIN);
		len = v3r(m, sizeof(m), four, 4);
		emit_igmp(o, HOST2, m, len, &PLAIN);

		/* truncated v3 report: the last record runs past the message (checksum still right) */
		len = v3r(m, sizeof(m), four, 2) - 6;
		ipk_igmp_set_checksum(m, len, -1);
		emit_igmp(o, HOST1, m, len, &PLAIN);
	}

	/* Protocol findings: TTL 2, no Router Alert, report sent to all-systems, general query with
	 * sources */
	len = v2(m, IPK_IGMP_V2_REPORT, 0, GRP1);
	ipk_igmp_ip4_defaults(m, len, HOST1, &h);
	h.ttl = 2;
	emit(o, &h, m, len, &PLAIN);
	ipk_igmp_ip4_defaults(m, len, HOST1, &h);
	h.opts = NULL;
	h.opts_len = 0;
	emit(o, &h, m, len, &PLAIN);
	ipk_igmp_ip4_defaults(m, len, HOST1, &h);
	h.dst = IPK_IGMP_ALL_SYSTEMS;
	emit(o, &h, m, len, &PLAIN);
	len = v3q(m, 100, 125, 0, 0, s3, 1);
	emit_igmp(o, QUERIER, m, len, &PLAIN);

	/* Malformed: bad IP checksum, bad IGMP checksum, 10-byte query */
	len = v2(m, IPK_IGMP_V2_REPORT, 0, GRP2);
	ipk_igmp_ip4_defaults(m, len, HOST2, &h);
	h.checksum = 0xbeef;
	fo = PLAIN;
	fo.flags = IPK_IP4_KEEP_CSUM;
	emit(o, &h, m, len, &fo);
	ipk_igmp_set_checksum(m, len, 0xdead);
	emit_igmp(o, HOST2, m, len, &PLAIN);
	{
		static const uint8_t two[2] = { 0, 0 };
		const struct ipk_igmp_over o10 = { .trail = two, .trail_len = sizeof(two) };
		struct ipk_wbuf w;

		ipk_wbuf_init(&w, m, sizeof(m));
		if ((rc = ipk_igmp_put8(&w, IPK_IGMP_QUERY, 100, 0, &o10)))
			die("ipk_igmp_put8", rc);
		emit_igmp(o, QUERIER, m, w.len, &PLAIN);
	}

	/* UDP with Router Alert, plain UDP (multicast and unicast), reserved flag set */
	emit_udp(o, HOST1, GRP1, 1, 0x1001, 5000, 48);
	emit_udp(o, HOST1, GRP1, 0, 0x1002, 5000, 48);
	emit_udp(o, HOST1, SERVER, 0, 0x1003, 9, 29);
	len = put_udp(u, HOST2, SERVER, 40001, 9, 12, 3);
	h = ip_default(HOST2, SERVER, IPK_PROTO_UDP, 0x1004);
	h.rf = 1;
	emit(o, &h, u, len, &PLAIN);

	/* ICMP echo and reply */
	len = icmp_echo(m, 8, 0x4242, 1);
	h = ip_default(HOST1, SERVER, IPK_PROTO_ICMP, 0x2001);
	emit(o, &h, m, len, &PLAIN);
	len = icmp_echo(m, 0, 0x4242, 1);
	h = ip_default(SERVER, HOST1, IPK_PROTO_ICMP, 0x2002);
	emit(o, &h, m, len, &PLAIN);

	/* ICMP echo with Record Route (2 of 4 slots filled) and Timestamp (2 of 4 stamps) */
	{
		static uint8_t opts[40];
		const uint32_t rr[4] = { A(198, 18, 0, 1), A(198, 19, 0, 254), 0, 0 };
		const uint32_t ts[4] = { 36000000, 36000010, 0, 0 };
		struct ipk_wbuf w;

		ipk_wbuf_init(&w, opts, sizeof(opts));
		if ((rc = ipk_opt_put_route(&w, IPK_OPT_RR, 12, rr, 4)) ||
		    (rc = ipk_opt_put_ts(&w, IPK_OPT_TS_TSONLY, 0, 13, NULL, ts, 4)) ||
		    (rc = ipk_opt_pad(&w)))
			die("RR+TS options", rc);
		len = icmp_echo(m, 8, 0x4243, 2);
		h = ip_default(HOST1, SERVER, IPK_PROTO_ICMP, 0x2003);
		h.opts = opts;
		h.opts_len = (uint16_t)w.len;
		emit(o, &h, m, len, &PLAIN);
	}

	/* TCP SYN with an MSS option; checksum with the codec */
	{
		static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
		const struct ipk_tcp syn = { .sport = 40000, .dport = 80, .seq = 0x01020304,
					     .flags = 0x02, .win = 64240 };
		struct ipk_wbuf w;

		ipk_wbuf_init(&w, m, sizeof(m));
		if ((rc = ipk_tcp_build(&w, &syn, HOST1, SERVER, mss, sizeof(mss), NULL, 0, 0)))
			die("ipk_tcp_build", rc);
		h = ip_default(HOST1, SERVER, IPK_PROTO_TCP, 0x3001);
		emit(o, &h, m, w.len, &PLAIN);
	}

	/* A 600-byte UDP datagram in two fragments: first (MF, offset 0), last (offset 504) */
	len = put_udp(u, HOST1, SERVER, 40002, 5000, 592, 9);
	h = ip_default(HOST1, SERVER, IPK_PROTO_UDP, 0x4001);
	h.df = 0;
	h.mf = 1;
	emit(o, &h, u, 504, &PLAIN);
	h.mf = 0;
	h.frag_off = 504 / 8;
	emit(o, &h, u + 504, len - 504, &PLAIN);

	/* A capture cut by the snap length: 64 of 142 bytes */
	fo = PLAIN;
	fo.caplen = 64;
	len = put_udp(u, HOST2, SERVER, 40003, 5000, 100, 11);
	h = ip_default(HOST2, SERVER, IPK_PROTO_UDP, 0x4002);
	emit(o, &h, u, len, &fo);

	/* Closing: v2 leave and v3 leave of the last group */
	len = v2(m, IPK_IGMP_V2_LEAVE, 0, GRP2);
	emit_igmp(o, HOST2, m, len, &PLAIN);
}

static void usage(void)
{
	fprintf(stderr, "usage: ipk-mkcap [-n COUNT] FILE    the benchmark mix (default 1000000 frames)\n"
			"       ipk-mkcap --sample FILE      the small capture kept as pcaps/sample.pcap\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct out o;
	uint64_t count = 1000000;
	int sample = 0, i;
	const char *path = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sample"))
			sample = 1;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' && argv[i][1])
			usage();
		else if (!path)
			path = argv[i];
		else
			usage();
	}
	if (!path)
		usage();

	pcap_t *pd = pcap_open_dead(DLT_EN10MB, SNAP);
	if (!pd)
		die("pcap_open_dead", -1);
	o.d = pcap_dump_open(pd, path);
	if (!o.d) {
		fprintf(stderr, "ipk-mkcap: %s: %s\n", path, pcap_geterr(pd));
		return 1;
	}
	if (sample) {
		o.us_step = 250000;
		write_sample(&o);
	} else {
		o.us_step = 1000;
		write_mix(&o, count);
	}
	if (pcap_dump_flush(o.d)) {
		fprintf(stderr, "ipk-mkcap: %s: write failed\n", path);
		return 1;
	}
	pcap_dump_close(o.d);
	pcap_close(pd);
	fprintf(stderr, "ipk-mkcap: wrote %llu frames to %s\n", (unsigned long long)o.n, path);
	return 0;
}
