/* test_packet.c - whole-frame decode of built IGMP/UDP/TCP/ICMP frames: findings, offsets. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define SRC IPK_IP4_ADDR(198, 18, 0, 1)
#define DST IPK_IP4_ADDR(198, 18, 0, 2)
#define GROUP IPK_IP4_ADDR(239, 1, 2, 3)

static const uint8_t ra_opt[4] = {0x94, 0x04, 0x00, 0x00};

/* Ethernet header with ntags 802.1Q tags (VID 10, 20) and the given ethertype. */
static size_t put_eth(uint8_t *f, int ntags, uint16_t ethertype)
{
	static const uint8_t macs[12] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03,
					 0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	size_t off = 12;

	memcpy(f, macs, 12);
	for (int i = 0; i < ntags; i++) {
		f[off] = 0x81;
		f[off + 1] = 0x00;
		f[off + 2] = 0;
		f[off + 3] = (uint8_t)(10 * (i + 1));
		off += 4;
	}
	f[off] = (uint8_t)(ethertype >> 8);
	f[off + 1] = (uint8_t)ethertype;
	return off + 2;
}

/* Frame = Ethernet (ntags) + marshalled h + payload. Returns the frame length. */
static size_t build(uint8_t *f, size_t cap, int ntags, const struct ipk_ip4 *h, unsigned flags,
		    const uint8_t *pl, size_t plen)
{
	size_t off = put_eth(f, ntags, IPK_ETHERTYPE_IPV4);
	int hl = ipk_ip4_marshal(h, plen, flags, f + off, cap - off);

	assert_true(hl >= 20);
	assert_true(off + (size_t)hl + plen <= cap);
	memcpy(f + off + hl, pl, plen);
	return off + (size_t)hl + plen;
}

static void ip_defaults(struct ipk_ip4 *h, uint8_t proto, const uint8_t *opts, uint16_t opts_len)
{
	memset(h, 0, sizeof(*h));
	h->version = 4;
	h->ttl = 64;
	h->proto = proto;
	h->df = 1;
	h->id = 0x1234;
	h->src = SRC;
	h->dst = DST;
	h->opts = opts;
	h->opts_len = opts_len;
}

static size_t igmp_v2(uint8_t *msg, uint8_t type, uint32_t group)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, msg, 64);
	assert_int_equal(ipk_igmp_put_v2(&w, type, 100, group), 0);
	return w.len;
}

/* IGMP frame: message + the default IGMP header (TTL 1, RA, destination by type). */
static size_t igmp_frame(uint8_t *f, size_t cap, int ntags, const uint8_t *msg, size_t mlen)
{
	struct ipk_ip4 h;
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	return build(f, cap, ntags, &h, 0, msg, mlen);
}

static int decode(const uint8_t *f, size_t len, struct ipk_packet *p)
{
	return ipk_packet_decode(IPK_DLT_EN10MB, f, len, len, p);
}

/* Index of the finding (code, layer) in p, or -1. */
static int find(const struct ipk_packet *p, int code, int layer)
{
	for (int i = 0; i < p->findings.n; i++)
		if (p->findings.v[i].code == code && p->findings.v[i].layer == layer)
			return i;
	return -1;
}

static void assert_only(const struct ipk_packet *p, int rc, int code, int layer, size_t off)
{
	assert_int_equal(rc, 1);
	assert_int_equal(p->findings.n, 1);
	assert_int_equal(p->findings.dropped, 0);
	assert_int_equal(p->findings.v[0].code, code);
	assert_int_equal(p->findings.v[0].layer, layer);
	assert_int_equal(p->findings.v[0].offset, off);
}

static void assert_has(const struct ipk_packet *p, int code, int layer, size_t off)
{
	int i = find(p, code, layer);
	if (i < 0)
		fail_msg("finding %s (layer %s) missing", ipk_errname(code), ipk_layer_name(layer));
	assert_int_equal(p->findings.v[i].offset, off);
}

static void test_igmpv2_report_ra(void **state)
{
	(void)state;
	uint8_t msg[64], f[256];
	struct ipk_packet p;
	size_t n = igmp_frame(f, sizeof(f), 0, msg, igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP));

	assert_int_equal(n, 14 + 24 + 8);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.findings.n, 0);
	assert_true(p.has_link && p.has_ip4);
	assert_ptr_equal(p.frame, f);
	assert_int_equal(p.caplen, n);
	assert_int_equal(p.link.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(p.ip_off, 14);
	assert_int_equal(p.l4_off, 38);
	assert_int_equal(p.l4_len, 8);
	assert_int_equal(p.ip4.hlen, 24);
	assert_int_equal(p.ip4.ttl, 1);
	assert_int_equal(p.ip4.dst, GROUP);
	assert_memory_equal(p.ip4.opts, ra_opt, 4);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_int_equal(p.u.igmp.version, 2);
	assert_int_equal(p.u.igmp.type, IPK_IGMP_V2_REPORT);
	assert_int_equal(p.u.igmp.code, 100);
	assert_int_equal(p.u.igmp.group, GROUP);
	assert_true(p.u.igmp.checksum_ok);

	/* Leave goes to 224.0.0.2, also clean. */
	n = igmp_frame(f, sizeof(f), 0, msg, igmp_v2(msg, IPK_IGMP_V2_LEAVE, GROUP));
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.ip4.dst, IPK_IGMP_ALL_ROUTERS);
	assert_int_equal(p.u.igmp.type, IPK_IGMP_V2_LEAVE);
}

static void test_igmpv3_report(void **state)
{
	(void)state;
	static const uint32_t srcs[2] = {IPK_IP4_ADDR(198, 18, 1, 1), IPK_IP4_ADDR(198, 18, 1, 2)};
	uint8_t msg[128], f[256];
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;
	struct ipk_packet p;

	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_TO_EX, IPK_IP4_ADDR(239, 255, 255, 250),
					  NULL, 0, NULL, 0),
			 0);
	assert_int_equal(
	    ipk_igmp_v3r_add(&w, &r, IPK_IGMP_ALLOW, IPK_IP4_ADDR(232, 1, 1, 1), srcs, 2, NULL, 0),
	    0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	assert_int_equal(w.len, 8 + 8 + 16);
	size_t n = igmp_frame(f, sizeof(f), 0, msg, w.len);

	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_int_equal(p.ip4.dst, IPK_IGMP_V3_ROUTERS);
	assert_int_equal(p.u.igmp.version, 3);
	assert_int_equal(p.u.igmp.type, IPK_IGMP_V3_REPORT);
	assert_int_equal(p.u.igmp.nrecs, 2);
	assert_int_equal(p.l4_len, 32);

	/* The views point into the frame: walk them. */
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec rec;
	ipk_igmp_rec_iter_init(&it, &p.u.igmp, f + p.l4_off);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
	assert_int_equal(rec.type, IPK_IGMP_TO_EX);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), 1);
	assert_int_equal(rec.nsrcs, 2);
	assert_int_equal(ipk_igmp_addr(rec.srcs, 1), srcs[1]);
	assert_int_equal(ipk_igmp_rec_next(&it, &rec), 0);

	/* A record count past the records: IGMP_RECORDS, with the checksum still right. */
	f[p.l4_off + 7] = 3;
	ipk_igmp_set_checksum(f + p.l4_off, p.l4_len, -1);
	assert_int_equal(decode(f, n, &p), 1);
	assert_int_equal(p.findings.v[0].code, IPK_E_IGMP_RECORDS);
	assert_int_equal(p.findings.v[0].layer, IPK_LAYER_IGMP);
	/* The third record would start at the end of the message: frame 38 + 32. */
	assert_int_equal(p.findings.v[0].offset, 38 + 32);

	/* The second record claims more sources than there are bytes. */
	f[p.l4_off + 7] = 2;
	f[p.l4_off + 16 + 3] = 9;
	ipk_igmp_set_checksum(f + p.l4_off, p.l4_len, -1);
	assert_int_equal(decode(f, n, &p), 1);
	assert_int_equal(p.findings.v[0].code, IPK_E_IGMP_RECORDS);
	/* The second record's source count field: frame 38 + 16 + 2. */
	assert_int_equal(p.findings.v[0].offset, 38 + 16 + 2);
}

static void test_igmpv3_queries(void **state)
{
	(void)state;
	static const uint32_t srcs[3] = {IPK_IP4_ADDR(198, 18, 1, 1), IPK_IP4_ADDR(198, 18, 1, 2),
					 IPK_IP4_ADDR(198, 18, 1, 3)};
	uint8_t msg[64], f[256];
	struct ipk_wbuf w;
	struct ipk_packet p;
	struct ipk_igmp_v3q q = {.mrc = 100, .qrv = 2, .qqic = 125};

	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	size_t n = igmp_frame(f, sizeof(f), 0, msg, w.len);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.ip4.dst, IPK_IGMP_ALL_SYSTEMS);
	assert_int_equal(p.u.igmp.version, 3);
	assert_int_equal(p.u.igmp.qrv, 2);
	assert_int_equal(p.u.igmp.qqic, 125);
	assert_int_equal(p.u.igmp.nsrcs, 0);

	/* Group-and-source-specific query. */
	q.group = GROUP;
	q.srcs = srcs;
	q.nsrcs = 3;
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	n = igmp_frame(f, sizeof(f), 0, msg, w.len);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.ip4.dst, GROUP);
	assert_int_equal(p.u.igmp.nsrcs, 3);
	assert_int_equal(ipk_igmp_addr(p.u.igmp.srcs, 2), srcs[2]);
	assert_ptr_equal(p.u.igmp.srcs, f + 38 + 12);

	/* A general query carrying sources: finding at the source count (frame 38 + 10). */
	q.group = 0;
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	n = igmp_frame(f, sizeof(f), 0, msg, w.len);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_GQ_SOURCES, IPK_LAYER_IGMP, 48);

	/* The home-multicast-short shape: a 12-byte general query and 10 zero bytes inside the
	 * IP total length (22-byte IGMP payload): decoded, trailing bytes at frame 38 + 12. */
	q.nsrcs = 0;
	q.srcs = NULL;
	memset(msg, 0, sizeof(msg));
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	ipk_igmp_set_checksum(msg, 22, -1);
	n = igmp_frame(f, sizeof(f), 0, msg, 22);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP, 50);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_int_equal(p.u.igmp.len, 22);

	/* 10 bytes: a query of 9-11 bytes is to be ignored (RFC 3376 7.1). */
	n = igmp_frame(f, sizeof(f), 0, msg, 10);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_QUERY_LEN, IPK_LAYER_IGMP, 38 + 8);
	assert_int_equal(p.l4, IPK_L4_NONE);
}

/* A type nobody defined (0x55): decoded as the 8-byte header, one finding at the type byte; the
 * known non-membership types (DVMRP, mtrace, ...) get none. */
static void test_igmp_unknown_type(void **state)
{
	(void)state;
	uint8_t msg[8] = {0x55, 0, 0, 0, 239, 1, 2, 3}, f[128];
	struct ipk_packet p;
	ipk_igmp_set_checksum(msg, sizeof(msg), -1);
	size_t n = igmp_frame(f, sizeof(f), 0, msg, sizeof(msg));
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_UNKNOWN_TYPE, IPK_LAYER_IGMP, 38);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_int_equal(p.u.igmp.type, 0x55);
	assert_true(ipk_err_is_finding(p.findings.v[0].code));

	static const uint8_t known[] = {IPK_IGMP_DVMRP, IPK_IGMP_PIMV1, IPK_IGMP_MTRACE,
					IPK_IGMP_MTRACE_RESP, IPK_IGMP_MRD_ADV};
	for (size_t i = 0; i < sizeof(known); i++) {
		msg[0] = known[i];
		ipk_igmp_set_checksum(msg, sizeof(msg), -1);
		n = igmp_frame(f, sizeof(f), 0, msg, sizeof(msg));
		decode(f, n, &p);
		assert_true(find(&p, IPK_E_IGMP_UNKNOWN_TYPE, IPK_LAYER_IGMP) < 0);
	}
}

static void test_igmp_policy_findings(void **state)
{
	(void)state;
	uint8_t msg[64], f[256];
	struct ipk_packet p;
	struct ipk_ip4 h;
	size_t mlen = igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP);

	/* No Router Alert, TTL 64: NO_RA at the IP header start, TTL at its TTL byte. */
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	h.opts = NULL;
	h.opts_len = 0;
	h.ttl = 64;
	size_t n = build(f, sizeof(f), 0, &h, 0, msg, mlen);
	assert_int_equal(decode(f, n, &p), 2);
	assert_has(&p, IPK_E_IGMP_NO_RA, IPK_LAYER_IGMP, 14);
	assert_has(&p, IPK_E_IGMP_TTL, IPK_LAYER_IGMP, 14 + 8);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l4, IPK_L4_IGMP);

	/* The same behind two VLAN tags: every offset moves by 8. */
	n = build(f, sizeof(f), 2, &h, 0, msg, mlen);
	assert_int_equal(decode(f, n, &p), 2);
	assert_int_equal(p.link.ntags, 2);
	assert_int_equal(p.ip_off, 22);
	assert_has(&p, IPK_E_IGMP_NO_RA, IPK_LAYER_IGMP, 22);
	assert_has(&p, IPK_E_IGMP_TTL, IPK_LAYER_IGMP, 22 + 8);

	/* Wrong destination for a report. */
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	h.dst = IPK_IGMP_ALL_SYSTEMS;
	n = build(f, sizeof(f), 0, &h, 0, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_DST, IPK_LAYER_IGMP, 14 + 16);
}

static void test_bad_checksums(void **state)
{
	(void)state;
	uint8_t msg[64], f[256];
	struct ipk_packet p;
	struct ipk_ip4 h;
	size_t mlen = igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP);

	/* Bad IGMP checksum: finding at the IGMP checksum field, 14 + 24 + 2. */
	ipk_igmp_set_checksum(msg, mlen, 0x1234);
	size_t n = igmp_frame(f, sizeof(f), 0, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, 40);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_false(p.u.igmp.checksum_ok);
	assert_int_equal(p.u.igmp.checksum, 0x1234);

	/* Same, one VLAN tag: 44. */
	n = igmp_frame(f, sizeof(f), 1, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, 44);

	/* Bad IP header checksum: reported at 14 + 10, and IGMP is still decoded. */
	ipk_igmp_set_checksum(msg, mlen, -1);
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	h.checksum = 0xdead;
	n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_CSUM, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_CHECKSUM, IPK_LAYER_IPV4, 24);
	assert_false(p.ip4.checksum_ok);
	assert_int_equal(p.l4, IPK_L4_IGMP);
	assert_true(p.u.igmp.checksum_ok);

	/* Raw IP link: the offsets are from the frame, which starts at the IP header. */
	ipk_igmp_set_checksum(msg, mlen, 0x1234);
	n = igmp_frame(f, sizeof(f), 0, msg, mlen);
	struct ipk_packet q;
	int rc = ipk_packet_decode(IPK_DLT_RAW, f + 14, n - 14, n - 14, &q);
	assert_only(&q, rc, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, 26);
	assert_int_equal(q.ip_off, 0);
}

static void test_udp_with_ra(void **state)
{
	(void)state;
	uint8_t f[256], pl[12] = {0x30, 0x39, 0x00, 0x35, 0x00, 12, 0xab, 0xcd, 'a', 'b', 'c', 'd'};
	struct ipk_ip4 h;
	struct ipk_packet p;

	ip_defaults(&h, IPK_PROTO_UDP, ra_opt, 4);
	size_t n = build(f, sizeof(f), 0, &h, 0, pl, sizeof(pl));
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_UDP);
	assert_int_equal(p.l4_off, 38);
	assert_int_equal(p.l4_len, 12);
	assert_int_equal(p.ip4.opts_len, 4);
	assert_int_equal(p.u.udp.sport, 12345);
	assert_int_equal(p.u.udp.dport, 53);
	assert_int_equal(p.u.udp.len, 12);
	assert_int_equal(p.u.udp.checksum, 0xabcd);

	/* Total length leaves 6 UDP bytes: L4_SHORT at the UDP header, no summary. */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	n = build(f, sizeof(f), 0, &h, 0, pl, 6);
	assert_only(&p, decode(f, n, &p), IPK_E_L4_SHORT, IPK_LAYER_UDP, 34);
	assert_int_equal(p.l4, IPK_L4_NONE);
	assert_int_equal(p.l4_len, 6);
}

static void test_tcp(void **state)
{
	(void)state;
	uint8_t f[256], seg[32] = {0x01, 0xbb, 0xc3, 0x50, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
				   0x77, 0x88, 0x80, 0x12, 0xfa, 0xf0, 0,    0,    0,    0};
	struct ipk_ip4 h;
	struct ipk_packet p;

	ip_defaults(&h, IPK_PROTO_TCP, NULL, 0);
	size_t n = build(f, sizeof(f), 0, &h, 0, seg, sizeof(seg));
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_TCP);
	assert_int_equal(p.u.tcp.sport, 443);
	assert_int_equal(p.u.tcp.dport, 50000);
	assert_int_equal(p.u.tcp.seq, 0x11223344);
	assert_int_equal(p.u.tcp.ack, 0x55667788);
	assert_int_equal(p.u.tcp.doff, 32);
	assert_int_equal(p.u.tcp.flags, 0x12); /* SYN ACK */
	assert_int_equal(p.u.tcp.win, 0xfaf0);

	/* 19 bytes of TCP: short. */
	n = build(f, sizeof(f), 0, &h, 0, seg, 19);
	assert_only(&p, decode(f, n, &p), IPK_E_L4_SHORT, IPK_LAYER_TCP, 34);
	assert_int_equal(p.l4, IPK_L4_NONE);
}

static void test_icmp(void **state)
{
	(void)state;
	uint8_t f[256], m[16] = {8, 0, 0, 0, 0x12, 0x34, 0x00, 0x07, 'p', 'i', 'n', 'g'};
	struct ipk_ip4 h;
	struct ipk_packet p;
	uint16_t c = ipk_csum(m, 12);

	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	ip_defaults(&h, IPK_PROTO_ICMP, NULL, 0);
	size_t n = build(f, sizeof(f), 0, &h, 0, m, 12);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_ICMP);
	assert_int_equal(p.u.icmp.type, 8);
	assert_int_equal(p.u.icmp.code, 0);
	assert_int_equal(p.u.icmp.checksum, c);
	assert_int_equal(p.u.icmp.id, 0x1234);
	assert_int_equal(p.u.icmp.seq, 7);
	assert_string_equal(ipk_icmp_type_name(p.u.icmp.type), "echo");

	/* Destination unreachable: bytes 4-7 are not id/seq. */
	m[0] = 3;
	m[1] = 1;
	n = build(f, sizeof(f), 0, &h, 0, m, 12);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.u.icmp.type, 3);
	assert_int_equal(p.u.icmp.code, 1);
	assert_int_equal(p.u.icmp.id, 0);
	assert_int_equal(p.u.icmp.seq, 0);

	n = build(f, sizeof(f), 0, &h, 0, m, 7);
	assert_only(&p, decode(f, n, &p), IPK_E_L4_SHORT, IPK_LAYER_ICMP, 34);
}

static void test_icmp_names(void **state)
{
	(void)state;
	/* Go x/net/ipv4 iana.go icmpTypes, exactly. */
	static const char *const go[256] = {
	    [0] = "echo reply",
	    [3] = "destination unreachable",
	    [5] = "redirect",
	    [8] = "echo",
	    [9] = "router advertisement",
	    [10] = "router solicitation",
	    [11] = "time exceeded",
	    [12] = "parameter problem",
	    [13] = "timestamp",
	    [14] = "timestamp reply",
	    [40] = "photuris",
	    [42] = "extended echo request",
	    [43] = "extended echo reply",
	};
	for (int t = 0; t < 256; t++) {
		const char *s = ipk_icmp_type_name((uint8_t)t);
		if (go[t])
			assert_string_equal(s, go[t]);
		else
			assert_null(s);
	}
}

static void test_fragments(void **state)
{
	(void)state;
	uint8_t f[256], pl[24] = {0x30, 0x39, 0x00, 0x35, 0x00, 40, 0, 0};
	struct ipk_ip4 h;
	struct ipk_packet p;

	/* First fragment (MF, offset 0): the UDP header is there. */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	h.df = 0;
	h.mf = 1;
	size_t n = build(f, sizeof(f), 0, &h, 0, pl, 24);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_UDP);
	assert_int_equal(p.u.udp.dport, 53);

	/* Middle fragment (MF, offset 3 units = 24 bytes): no transport header. */
	h.frag_off = 3;
	n = build(f, sizeof(f), 0, &h, 0, pl, 8);
	assert_int_equal(decode(f, n, &p), 0); /* normal: no transport header, no finding */
	assert_int_equal(p.l4, IPK_L4_NONE);
	assert_true(p.has_ip4);
	assert_int_equal(p.ip4.frag_off, 3);
	assert_int_equal(p.l4_len, 8);

	/* Last fragment (no MF, offset 4). */
	h.mf = 0;
	h.frag_off = 4;
	n = build(f, sizeof(f), 1, &h, 0, pl, 8);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_NONE);

	/* A tiny first fragment (4 bytes of UDP header): the rest of the header is in the next
	 * fragment, which is no error; nothing is decoded. */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	h.df = 0;
	h.mf = 1;
	n = build(f, sizeof(f), 0, &h, 0, pl, 4);
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.l4, IPK_L4_NONE);
	/* Without MF the same 4 bytes are a whole datagram whose UDP header is short. */
	h.mf = 0;
	n = build(f, sizeof(f), 0, &h, 0, pl, 4);
	assert_only(&p, decode(f, n, &p), IPK_E_L4_SHORT, IPK_LAYER_UDP, 34);

	/* IGMP in a first fragment: the start of a message is not validated (no checksum, length
	 * or record checks) and not decoded; IGMP_FRAGMENT flags it. */
	uint8_t msg[64];
	size_t mlen = igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP);
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	h.df = 0;
	h.mf = 1;
	n = build(f, sizeof(f), 0, &h, 0, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, 14 + 6);
	assert_int_equal(p.l4, IPK_L4_NONE);
	/* The start of a v3 report: 2 records announced, the fragment ends inside the first one,
	 * and the checksum covers bytes that are not here. Only the finding. */
	static const struct ipk_igmp_rec_spec recs[2] = {
	    {.type = 4, .group = IPK_IP4_ADDR(239, 1, 1, 1)},
	    {.type = 4, .group = IPK_IP4_ADDR(239, 1, 1, 2)}};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_put_v3_report(&w, recs, 2), 0);
	ipk_igmp_ip4_defaults(msg, w.len, SRC, &h);
	h.df = 0;
	h.mf = 1;
	n = build(f, sizeof(f), 0, &h, 0, msg, 12); /* header + 4 bytes of record 1 */
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, 14 + 6);
	assert_int_equal(p.l4, IPK_L4_NONE);
	/* The same bytes as a whole datagram: checksum and record errors. */
	h.mf = 0;
	n = build(f, sizeof(f), 0, &h, 0, msg, 12);
	decode(f, n, &p);
	assert_true(find(&p, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP) >= 0);
	assert_true(find(&p, IPK_E_IGMP_RECORDS, IPK_LAYER_IGMP) >= 0);
	assert_true(find(&p, IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP) < 0);

	mlen = igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP);
	ipk_igmp_ip4_defaults(msg, mlen, SRC, &h);
	h.df = 0;
	h.mf = 1;
	/* ... and in a later one: not decoded, still flagged. */
	h.frag_off = 1;
	n = build(f, sizeof(f), 0, &h, 0, msg, mlen);
	assert_only(&p, decode(f, n, &p), IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, 14 + 6);
	assert_int_equal(p.l4, IPK_L4_NONE);

	/* Unknown protocol (GRE) fragment: nothing to say. */
	ip_defaults(&h, 47, NULL, 0);
	h.frag_off = 2;
	n = build(f, sizeof(f), 0, &h, 0, pl, 8);
	assert_int_equal(decode(f, n, &p), 0);
}

/*
 * Cut a frame at every length, input against a guard page; the findings must follow the layers.
 * Cut by the snaplen (wirelen = full): link short, then one truncation report (IP_HDR_TRUNC inside
 * the header, IP_TRUNCATED past it) and nothing else, p.cut set. The same bytes as a whole frame
 * (wirelen = len, a short datagram on the wire): link short, IP short, IP header cut, then a
 * truncated datagram whose transport header is or is not there, with its length error.
 * need = bytes the transport summary needs; code/layer = its short error.
 */
static void cut_everywhere(const uint8_t *f, size_t full, size_t hlen, size_t need, int code,
			   int layer, int l4)
{
	struct ipk_packet p;

	for (int snap = 0; snap <= 1; snap++)
	for (size_t len = 0; len <= full; len++) {
		const uint8_t *g = guard_place(f, len);
		assert_non_null(g);
		int rc = ipk_packet_decode(IPK_DLT_EN10MB, g, len, snap ? full : len, &p);
		assert_int_equal(rc, p.findings.n + p.findings.dropped);
		assert_int_equal(p.wirelen, snap ? full : len);
		assert_int_equal(p.cut, snap && len >= 14 && len < full);
		if (len < 14) {
			assert_only(&p, rc, IPK_E_LINK_SHORT, IPK_LAYER_LINK, 0);
			assert_false(p.has_link);
			continue;
		}
		assert_true(p.has_link);
		if (len < 14 + 20) {
			assert_only(&p, rc, snap ? IPK_E_IP_HDR_TRUNC : IPK_E_IP_SHORT, IPK_LAYER_IPV4, 14);
			assert_false(p.has_ip4);
			continue;
		}
		if (len < 14 + hlen) {
			assert_only(&p, rc, IPK_E_IP_HDR_TRUNC, IPK_LAYER_IPV4, 14);
			assert_false(p.has_ip4);
			continue;
		}
		assert_true(p.has_ip4);
		assert_int_equal(p.l4_len, len - 14 - hlen);
		if (len == full) {
			assert_int_equal(rc, 0);
			assert_int_equal(p.l4, l4);
			continue;
		}
		/* Truncated datagram: IP_TRUNCATED at the total length field, never a checksum
		 * complaint about bytes that were not captured. */
		assert_has(&p, IPK_E_IP_TRUNCATED, IPK_LAYER_IPV4, 16);
		assert_int_equal(find(&p, IPK_E_IP_CHECKSUM, IPK_LAYER_IPV4), -1);
		assert_int_equal(find(&p, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP), -1);
		if (snap)
			assert_only(&p, rc, IPK_E_IP_TRUNCATED, IPK_LAYER_IPV4, 16);
		if (p.l4_len < need) {
			if (!snap) {
				assert_int_equal(rc, 2);
				assert_has(&p, code, layer, 14 + hlen);
			}
			assert_int_equal(p.l4, IPK_L4_NONE);
		} else {
			assert_int_equal(p.l4, l4);
		}
	}
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	uint8_t f[256], msg[128], pl[40] = {0x30, 0x39, 0x00, 0x35, 0x00, 40, 0, 0};
	struct ipk_ip4 h;
	struct ipk_wbuf w;
	struct ipk_igmp_v3r r;
	static const uint32_t srcs[2] = {IPK_IP4_ADDR(198, 18, 1, 1), IPK_IP4_ADDR(198, 18, 1, 2)};

	/* IGMPv3 report with Router Alert. */
	ipk_wbuf_init(&w, msg, sizeof(msg));
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_IS_IN, GROUP, srcs, 2, NULL, 0), 0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	size_t n = igmp_frame(f, sizeof(f), 0, msg, w.len);
	cut_everywhere(f, n, 24, 8, IPK_E_IGMP_SHORT, IPK_LAYER_IGMP, IPK_L4_IGMP);

	/* IGMPv2 report with Router Alert. */
	n = igmp_frame(f, sizeof(f), 0, msg, igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP));
	cut_everywhere(f, n, 24, 8, IPK_E_IGMP_SHORT, IPK_LAYER_IGMP, IPK_L4_IGMP);

	ip_defaults(&h, IPK_PROTO_UDP, ra_opt, 4);
	n = build(f, sizeof(f), 0, &h, 0, pl, 12);
	cut_everywhere(f, n, 24, 8, IPK_E_L4_SHORT, IPK_LAYER_UDP, IPK_L4_UDP);

	ip_defaults(&h, IPK_PROTO_TCP, NULL, 0);
	pl[12] = 0x50;
	n = build(f, sizeof(f), 0, &h, 0, pl, 40);
	cut_everywhere(f, n, 20, 20, IPK_E_L4_SHORT, IPK_LAYER_TCP, IPK_L4_TCP);

	ip_defaults(&h, IPK_PROTO_ICMP, NULL, 0);
	pl[0] = 8;
	n = build(f, sizeof(f), 0, &h, 0, pl, 16);
	cut_everywhere(f, n, 20, 8, IPK_E_L4_SHORT, IPK_LAYER_ICMP, IPK_L4_ICMP);
}

static void test_ip_layer_errors(void **state)
{
	(void)state;
	uint8_t f[256], pl[16] = {0x30, 0x39, 0x00, 0x35, 0x00, 16, 0, 0};
	struct ipk_ip4 h;
	struct ipk_packet p;

	/* Version 6 with IHL 5 behind ethertype IPv4 (bad-ipv4-version shape). */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	h.version = 6;
	size_t n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_VERSION, pl, 16);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_VERSION, IPK_LAYER_IPV4, 14);
	assert_int_equal(p.l4, IPK_L4_NONE);

	/* Version 6 and IHL 0 (a real IPv6 header): the version is what is wrong. */
	f[14] = 0x60;
	assert_only(&p, decode(f, n, &p), IPK_E_IP_VERSION, IPK_LAYER_IPV4, 14);
	assert_false(p.has_ip4);

	/* IHL 4. */
	h.version = 4;
	h.ihl = 4;
	n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_IHL, pl, 16);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_IHL, IPK_LAYER_IPV4, 14);
	assert_false(p.has_ip4);

	/* Total length 19 < header length 20: no transport decode. */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	h.total_len = 19;
	n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_TOTLEN, pl, 16);
	assert_int_equal(decode(f, n, &p), 1);
	assert_has(&p, IPK_E_IP_TOTLEN_SHORT, IPK_LAYER_IPV4, 16);
	assert_int_equal(p.l4, IPK_L4_NONE);

	/* Total length 0 (TSO capture): the transport is decoded from the captured bytes. */
	h.total_len = 0;
	n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_TOTLEN, pl, 16);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_TOTLEN_ZERO, IPK_LAYER_IPV4, 16);
	assert_int_equal(p.l4, IPK_L4_UDP);
	assert_int_equal(p.l4_len, 16);

	/* Total length 1 byte past the capture (ipv4_invalid_total_length shape). */
	h.total_len = 20 + 17;
	n = build(f, sizeof(f), 0, &h, IPK_IP4_KEEP_TOTLEN, pl, 16);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_TRUNCATED, IPK_LAYER_IPV4, 16);
	assert_int_equal(p.l4, IPK_L4_UDP);

	/* Reserved flag: a finding, the packet still decodes. */
	ip_defaults(&h, IPK_PROTO_UDP, NULL, 0);
	h.rf = 1;
	n = build(f, sizeof(f), 0, &h, 0, pl, 16);
	assert_only(&p, decode(f, n, &p), IPK_E_IP_RESERVED_FLAG, IPK_LAYER_IPV4, 20);
	assert_int_equal(p.l4, IPK_L4_UDP);

	/* A bad option: its offset in the frame (option area starts at 34). */
	static const uint8_t badopt[4] = {0x01, 0x07, 0x09, 0x00}; /* NOP, RR with len 9 > room */
	ip_defaults(&h, IPK_PROTO_UDP, badopt, 4);
	n = build(f, sizeof(f), 0, &h, 0, pl, 16);
	assert_int_equal(decode(f, n, &p), 1);
	assert_int_equal(p.findings.v[0].layer, IPK_LAYER_IPV4);
	assert_int_equal(p.findings.v[0].code, IPK_E_OPT_LEN);
	assert_true(p.findings.v[0].offset >= 35 && p.findings.v[0].offset <= 36);
}

static void test_link_padding(void **state)
{
	(void)state;
	uint8_t msg[64], f[256];
	struct ipk_packet p;
	size_t n = igmp_frame(f, sizeof(f), 0, msg, igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP));

	/* Pad to the 60-byte Ethernet minimum (and a 4-byte FCS): normal, no finding; the padding
	 * is not IGMP (no TRAILING, len 8). */
	memset(f + n, 0, 80 - n);
	assert_int_equal(decode(f, 60, &p), 0);
	assert_int_equal(decode(f, 64, &p), 0);
	assert_int_equal(p.l4_len, 8);
	assert_int_equal(p.u.igmp.len, 8);
	assert_true(p.u.igmp.checksum_ok);
	/* Padding past the Ethernet minimum is a finding at the first byte after total length. */
	assert_only(&p, decode(f, 65, &p), IPK_E_IP_LINK_PADDING, IPK_LAYER_IPV4, 14 + 32);
	assert_int_equal(p.u.igmp.len, 8);
}

static void test_not_ipv4(void **state)
{
	(void)state;
	uint8_t f[128] = {0};
	struct ipk_packet p;

	size_t off = put_eth(f, 0, IPK_ETHERTYPE_ARP);
	assert_int_equal(decode(f, off + 28, &p), 0);
	assert_true(p.has_link);
	assert_false(p.has_ip4);
	assert_int_equal(p.findings.n, 0);
	assert_int_equal(p.l4, IPK_L4_NONE);
	assert_int_equal(p.link.ethertype, IPK_ETHERTYPE_ARP);

	off = put_eth(f, 1, IPK_ETHERTYPE_IPV6);
	f[off] = 0x60;
	assert_int_equal(decode(f, off + 40, &p), 0);
	assert_false(p.has_ip4);
	assert_int_equal(p.link.ethertype, IPK_ETHERTYPE_IPV6);

	/* Three VLAN tags: undecoded third tag, not IPv4, not an error. */
	off = put_eth(f, 3, IPK_ETHERTYPE_IPV4);
	assert_int_equal(decode(f, off + 20, &p), 0);
	assert_false(p.has_ip4);

	/* BSD NULL with AF_INET6 (Darwin 30). */
	static const uint8_t null6[8] = {30, 0, 0, 0, 0x60, 0, 0, 0};
	assert_int_equal(ipk_packet_decode(IPK_DLT_NULL, null6, 8, 8, &p), 0);
	assert_true(p.has_link);
	assert_false(p.has_ip4);
}

static void test_link_errors(void **state)
{
	(void)state;
	uint8_t msg[64], f[256];
	struct ipk_packet p;
	size_t n = igmp_frame(f, sizeof(f), 1, msg, igmp_v2(msg, IPK_IGMP_V2_REPORT, GROUP));

	/* Frame Relay (107) is not supported. */
	int rc = ipk_packet_decode(107, f, n, n, &p);
	assert_only(&p, rc, IPK_E_LINK_TYPE, IPK_LAYER_LINK, 0);
	assert_false(p.has_link);
	assert_false(p.has_ip4);

	/* Cut inside the VLAN tag: LINK_SHORT where the tag starts. */
	rc = decode(guard_place(f, 16), 16, &p);
	assert_only(&p, rc, IPK_E_LINK_SHORT, IPK_LAYER_LINK, 14);

	/* The struct is reused: a clean frame after a bad one has no stale findings. */
	assert_int_equal(decode(f, n, &p), 0);
	assert_int_equal(p.findings.n, 0);
	assert_int_equal(p.ip_off, 18);
	assert_int_equal(p.l4, IPK_L4_IGMP);

	/* Linux SLL2 in front of the same datagram. */
	uint8_t s[256] = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
	memcpy(s + 20, f + 18, n - 18);
	rc = ipk_packet_decode(IPK_DLT_LINUX_SLL2, s, 20 + n - 18, 20 + n - 18, &p);
	assert_int_equal(rc, 0);
	assert_int_equal(p.link.ifindex, 3);
	assert_int_equal(p.ip_off, 20);
	assert_int_equal(p.l4, IPK_L4_IGMP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_igmpv2_report_ra),
	    cmocka_unit_test(test_igmpv3_report),
	    cmocka_unit_test(test_igmpv3_queries),
	    cmocka_unit_test(test_igmp_unknown_type),
	    cmocka_unit_test(test_igmp_policy_findings),
	    cmocka_unit_test(test_bad_checksums),
	    cmocka_unit_test(test_udp_with_ra),
	    cmocka_unit_test(test_tcp),
	    cmocka_unit_test(test_icmp),
	    cmocka_unit_test(test_icmp_names),
	    cmocka_unit_test(test_fragments),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_ip_layer_errors),
	    cmocka_unit_test(test_link_padding),
	    cmocka_unit_test(test_not_ipv4),
	    cmocka_unit_test(test_link_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
