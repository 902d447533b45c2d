/* test_harness.c - the pcap harness: verify, golden, rewrite (RFC 1624 incremental = full recomputation), capture errors. */
#define _DEFAULT_SOURCE /* u_char in pcap.h, mkstemp */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "ipv4kit/bytes.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"

#define A(a, b, c, d) IPK_IP4_ADDR(a, b, c, d)
#define ETH 14

static char dir[64];

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

/* Ethernet header for IPv4 into f. */
static void eth(uint8_t *f)
{
	static const uint8_t h[ETH] = {0x01, 0x00, 0x5e, 0, 0, 1, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
	memcpy(f, h, ETH);
}

/* IPv4 header (computed lengths and checksum) for a payload of plen at f[off]. */
static size_t ip(uint8_t *f, size_t off, uint8_t proto, uint32_t src, uint32_t dst, int ra,
		 size_t plen, uint16_t id, uint8_t ttl)
{
	static const uint8_t raopt[4] = {0x94, 4, 0, 0};
	struct ipk_ip4 h = {0};
	h.tos = 0xc0;
	h.ttl = ttl;
	h.proto = proto;
	h.id = id;
	h.df = 1;
	h.src = src;
	h.dst = dst;
	if (ra) {
		h.opts = raopt;
		h.opts_len = 4;
	}
	int n = ipk_ip4_marshal(&h, plen, 0, f + off, 60);
	assert_true(n >= 20);
	return (size_t)n;
}

/* The frames of the test capture: IGMPv2 report, UDP, UDP with checksum 0, TCP; returns len. */
static size_t build(int kind, uint8_t *f)
{
	eth(f);
	size_t n, o;
	struct ipk_wbuf w;
	switch (kind) {
	case 0: /* IGMPv2 report with RA */
		n = ip(f, ETH, IPK_PROTO_IGMP, A(198, 18, 0, 10), A(239, 1, 1, 1), 1, 8, 0, 1);
		ipk_wbuf_init(&w, f + ETH + n, 8);
		assert_int_equal(ipk_igmp_put_v2(&w, 0x16, 0, A(239, 1, 1, 1)), 0);
		return ETH + n + 8;
	case 1:
	case 2: { /* UDP with 12 payload bytes, checksum computed (kind 1) or 0 (kind 2) */
		n = ip(f, ETH, IPK_PROTO_UDP, A(192, 168, 1, 7), A(192, 168, 2, 9), 0, 20, 0x1234, 64);
		o = ETH + n;
		ipk_put16(f + o, 40000);
		ipk_put16(f + o + 2, 5000);
		ipk_put16(f + o + 4, 20);
		ipk_put16(f + o + 6, 0);
		memcpy(f + o + 8, "harness test", 12);
		if (kind == 1) {
			uint32_t s = ipk_csum_pseudo(A(192, 168, 1, 7), A(192, 168, 2, 9), 17, 20);
			uint16_t c = ipk_csum_fold(ipk_csum_partial(f + o, 20, s));
			ipk_put16(f + o + 6, c ? c : 0xffff);
		}
		return o + 20;
	}
	default: { /* TCP SYN, 20-byte header */
		n = ip(f, ETH, IPK_PROTO_TCP, A(192, 168, 1, 7), A(10, 0, 0, 1), 0, 20, 7, 64);
		o = ETH + n;
		memset(f + o, 0, 20);
		ipk_put16(f + o, 33000);
		ipk_put16(f + o + 2, 80);
		ipk_put32(f + o + 4, 0x01020304);
		f[o + 12] = 5 << 4;
		f[o + 13] = 0x02;
		ipk_put16(f + o + 14, 64240);
		uint32_t s = ipk_csum_pseudo(A(192, 168, 1, 7), A(10, 0, 0, 1), 6, 20);
		ipk_put16(f + o + 16, ipk_csum_fold(ipk_csum_partial(f + o, 20, s)));
		return o + 20;
	}
	}
}

/* Write nframes frames (kinds cycling) through the pcap writer; corrupt(i, f, len) may edit. */
typedef void (*edit_fn)(unsigned i, uint8_t *f, size_t *len, size_t *wire);
static void write_cap(const char *path, unsigned nframes, unsigned flags, edit_fn ed)
{
	struct ipk_pcapw w;
	char err[256];
	assert_int_equal(ipk_pcapw_open(&w, path, IPK_DLT_EN10MB, flags, err, sizeof(err)), 0);
	for (unsigned i = 0; i < nframes; i++) {
		uint8_t f[256];
		size_t len = build((int)(i % 4), f), wire = len;
		if (ed)
			ed(i, f, &len, &wire);
		assert_int_equal(ipk_pcapw_write(&w, 1700000000 + i, i * 1000, f, len, wire), 0);
	}
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), 0);
}

/* One record of raw_cap(): the lengths in its header and the data bytes that follow. */
struct rawrec {
	uint32_t caplen, len, data;
};

/* A classic pcap (Ethernet, snaplen 65535) written byte by byte, so that record headers can say
 * what the pcap writer refuses to write; data bytes come from d. */
static void raw_cap(const char *path, const struct rawrec *r, unsigned n, const uint8_t *d)
{
	const uint32_t fh[6] = {0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, 1};
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(fh, 4, 6, f), 6);
	for (unsigned i = 0; i < n; i++) {
		const uint32_t rh[4] = {i + 1, 0, r[i].caplen, r[i].len};
		assert_int_equal(fwrite(rh, 4, 4, f), 4);
		assert_int_equal(fwrite(d, 1, r[i].data, f), r[i].data);
	}
	assert_int_equal(fclose(f), 0);
}

/* Cut the last n bytes off the file at path. */
static void cut_tail(const char *path, long n)
{
	FILE *g = fopen(path, "r");
	assert_non_null(g);
	assert_int_equal(fseek(g, 0, SEEK_END), 0);
	long size = ftell(g);
	fclose(g);
	assert_int_equal(truncate(path, size - n), 0);
}

static int count_frames(void *ctx, int dlt, const struct ipk_cap_frame *fr)
{
	(void)ctx, (void)dlt, (void)fr;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ipk-harness-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_verify_clean(void **state)
{
	(void)state;
	char p[128];
	for (unsigned fmt = 0; fmt < 2; fmt++) {
		path_in(p, sizeof(p), fmt ? "clean.pcapng" : "clean.pcap");
		write_cap(p, 8, fmt ? IPK_PCAPW_PCAPNG : 0, NULL);
		struct ipk_verify_stats st = {0};
		char err[256];
		assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), 0);
		assert_int_equal(st.packets, 8);
		assert_int_equal(st.passed, 8);
		assert_int_equal(st.failed, 0);
		assert_int_equal(st.cls.n[IPK_PC_IGMP], 2);
		assert_int_equal(st.cls.n[IPK_PC_UDP], 4);
		assert_int_equal(st.cls.n[IPK_PC_TCP], 2);
		assert_int_equal(st.remarshal_same, 8);
		assert_int_equal(st.udp_csum_checked, 2); /* checksum 0 means none */
		assert_int_equal(st.codes[ipk_verify_code_index(IPK_E_IP_CHECKSUM)], 0);
	}
}

static void corrupt(unsigned i, uint8_t *f, size_t *len, size_t *wire)
{
	(void)wire;
	(void)len;
	if (i == 0)
		f[ETH + 24 + 2] ^= 0x5a; /* IGMP checksum */
	if (i == 1)
		f[ETH + 20 + 6] ^= 0x01; /* UDP checksum */
	if (i == 3)
		ipk_put16(f + ETH + 10, 0xbeef); /* IP checksum */
	if (i == 4)
		f[ETH] = 0x65; /* version 6 */
	if (i == 5)
		*len -= 5, *wire = *len + 5; /* cut by the snaplen: not a failure */
}

struct seen {
	unsigned n;
	uint64_t frame[16];
	unsigned fail[16];
	struct ipk_verify_res r[16];
};

static void on_fail(void *ctx, uint64_t frame, const struct ipk_packet *p,
		    const struct ipk_verify_res *r)
{
	(void)p;
	struct seen *s = ctx;
	if (s->n < 16) {
		s->frame[s->n] = frame;
		s->fail[s->n] = r->fail;
		s->r[s->n++] = *r;
	}
}

static void test_verify_bad(void **state)
{
	(void)state;
	char p[128], err[256];
	path_in(p, sizeof(p), "bad.pcap");
	write_cap(p, 8, 0, corrupt);
	struct ipk_verify_stats st = {0};
	struct seen s = {0};
	assert_int_equal(ipk_verify_file(p, 0, &st, on_fail, &s, err, sizeof(err)), 0);
	assert_int_equal(st.packets, 8);
	assert_int_equal(st.failed, 4);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.frame[0], 1);
	assert_int_equal(s.fail[0], IPK_VF_IGMP_CSUM);
	assert_int_equal(s.frame[1], 2);
	assert_int_equal(s.fail[1], IPK_VF_UDP_CSUM);
	assert_int_equal(s.frame[2], 4);
	assert_int_equal(s.fail[2], IPK_VF_IP_CSUM);
	assert_int_equal(s.frame[3], 5);
	assert_true(s.fail[3] & IPK_VF_ERROR);
	assert_int_equal(st.codes[ipk_verify_code_index(IPK_E_IP_VERSION)], 1);
	assert_int_equal(st.codes[ipk_verify_code_index(IPK_E_IGMP_CHECKSUM)], 1);

	/* the "should be" values are the checksums of the clean frames */
	uint8_t f[256];
	build(0, f);
	assert_int_equal(s.r[0].igmp_csum_want, ipk_be16(f + ETH + 24 + 2));
	build(1, f);
	assert_int_equal(s.r[1].udp_csum_want, ipk_be16(f + ETH + 20 + 6));
	build(3, f);
	assert_int_equal(s.r[2].ip_csum_want, ipk_be16(f + ETH + 10));
	/* the bad-checksum header still re-marshals identically (its checksum kept) */
	assert_int_equal(st.remarshal_diff, 0);
}

static void test_capture_errors(void **state)
{
	(void)state;
	char p[128], err[256];
	struct ipk_verify_stats st = {0};

	/* not a capture: one clear error */
	path_in(p, sizeof(p), "notcap.pcap");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("this is not a capture, just text long enough for a header\n", f);
	fclose(f);
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), IPK_E_INVAL);
	assert_non_null(strstr(err, "not a pcap or pcapng capture"));
	assert_non_null(strstr(err, p));
	assert_int_equal(st.packets, 0);

	path_in(p, sizeof(p), "missing.pcap");
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), -ENOENT);

	/* a file cut in the middle of its last record (data, then record header): -EIO after the
	 * frames before it, cut_records 1, the file and the frame named; the reader's own words */
	for (int cut = 7; cut <= 60; cut += 53) {
		path_in(p, sizeof(p), "cut.pcap");
		write_cap(p, 6, 0, NULL);
		cut_tail(p, cut);
		memset(&st, 0, sizeof(st));
		assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), -EIO);
		assert_int_equal(st.packets, 5);
		assert_int_equal(st.cut_records, 1);
		assert_int_equal(st.failed, 0);
		assert_non_null(strstr(err, p));
		assert_non_null(strstr(err, "frame 6: the file ends inside the record"));
		struct ipk_cap_info ci;
		assert_int_equal(ipk_cap_read(p, count_frames, NULL, &ci, err, sizeof(err)), -EIO);
		assert_int_equal(ci.frames, 5);
		assert_int_equal(ci.cut_records, 1);
	}

	/* a corrupt record in the middle (caplen beyond any snaplen) is not a cut file */
	path_in(p, sizeof(p), "huge.pcap");
	static const uint8_t frame60[60];
	const struct rawrec huge[] = {{60, 60, 60}, {900000, 900000, 60}, {60, 60, 60}};
	raw_cap(p, huge, 3, frame60);
	struct ipk_cap_info hi;
	assert_int_equal(ipk_cap_read(p, count_frames, NULL, &hi, err, sizeof(err)), -EIO);
	assert_int_equal(hi.frames, 1);
	assert_int_equal(hi.cut_records, 0);
	assert_non_null(strstr(err, "frame 2: "));

	/* a link type the codec does not decode */
	path_in(p, sizeof(p), "fr.pcap");
	pcap_t *pd = pcap_open_dead(107, 65535);
	pcap_dumper_t *d = pcap_dump_open(pd, p);
	assert_non_null(d);
	struct pcap_pkthdr h = {{1, 0}, 4, 4};
	pcap_dump((u_char *)d, &h, (const u_char *)"\x03\xcc\x45\x00");
	pcap_dump_close(d);
	pcap_close(pd);
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), IPK_E_LINK_TYPE);
	assert_non_null(strstr(err, "107"));
}

/* A DLT_RAW capture written with libpcap's own pcap_dump. */
static void test_verify_raw_link(void **state)
{
	(void)state;
	char p[128], err[256];
	path_in(p, sizeof(p), "raw.pcap");
	pcap_t *pd = pcap_open_dead(DLT_RAW, 65535);
	pcap_dumper_t *d = pcap_dump_open(pd, p);
	assert_non_null(d);
	for (int k = 0; k < 4; k++) {
		uint8_t f[256];
		size_t n = build(k, f);
		struct pcap_pkthdr h = {{k, 0}, (bpf_u_int32)(n - ETH), (bpf_u_int32)(n - ETH)};
		pcap_dump((u_char *)d, &h, f + ETH);
	}
	pcap_dump_close(d);
	pcap_close(pd);
	struct ipk_verify_stats st = {0};
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(st.packets, 4);
	assert_int_equal(st.passed, 4);
	assert_int_equal(st.remarshal_same, 4);
}

/* Full recomputation: IPv4 header sums to 0; UDP/TCP over the pseudo-header sum to 0. */
static void check_full(const uint8_t *f, size_t len)
{
	struct ipk_packet p;
	ipk_packet_decode(IPK_DLT_EN10MB, f, len, len, &p);
	assert_true(p.has_ip4);
	assert_int_equal(ipk_csum(f + p.ip_off, p.ip4.hlen), 0);
	if (p.l4 == IPK_L4_UDP || p.l4 == IPK_L4_TCP) {
		uint16_t l4len = (uint16_t)(p.ip4.total_len - p.ip4.hlen);
		if (p.l4 == IPK_L4_UDP && p.u.udp.checksum == 0)
			return;
		uint32_t s = ipk_csum_pseudo(p.ip4.src, p.ip4.dst, p.ip4.proto, l4len);
		assert_int_equal(ipk_csum_fold(ipk_csum_partial(f + p.l4_off, l4len, s)), 0);
	}
	struct ipk_verify_res r;
	assert_int_equal(ipk_verify_frame(IPK_DLT_EN10MB, f, len, len, 0, &p, &r, NULL), 0);
}

static void test_rewrite_incremental(void **state)
{
	(void)state;
	struct ipk_rewrite rw;
	struct ipk_prefix_map m;
	assert_int_equal(ipk_prefix_map_parse("192.168.0.0/16=198.18.0.0/16", &m), 0);
	assert_int_equal(m.from, A(192, 168, 0, 0));
	assert_int_equal(m.to_mask, 0xffff0000u);
	assert_int_equal(ipk_prefix_map_parse("192.168.0.0/33=1.2.3.4", &m), IPK_E_INVAL);
	assert_int_equal(ipk_prefix_map_parse("192.168.0.0/16", &m), IPK_E_INVAL);

	for (int field = 0; field < 8; field++) {
		for (int kind = 0; kind < 4; kind++) {
			/* many values, so carries and the 0x0000/0xffff case are crossed */
			for (unsigned v = 0; v < 256; v += 7) {
				uint8_t f[256], orig[256];
				size_t len = build(kind, f);
				memcpy(orig, f, len);
				ipk_rewrite_init(&rw);
				switch (field) {
				case 0: rw.ttl = (int)v; break;
				case 1: rw.tos = (int)v; break;
				case 2: rw.id = (int)(v * 257); break;
				case 3: rw.id_add = (int)(v * 131 + 1); break;
				case 4: rw.set_src = 1; rw.src = A(198, 18, v, 255 - v); break;
				case 5: rw.set_dst = 1; rw.dst = A(10, v, 1, v); break;
				case 6:
					rw.nsrc_map = 1;
					assert_int_equal(ipk_prefix_map_parse("192.168.0.0/16=198.18.0.0/15", &rw.src_map[0]), 0);
					rw.src_map[0].to |= v << 16 & 0x10000;
					break;
				default:
					rw.ndst_map = 1;
					assert_int_equal(ipk_prefix_map_parse("0.0.0.0/0=203.0.113.0/24", &rw.dst_map[0]), 0);
					break;
				}
				int rc = ipk_rewrite_frame(&rw, IPK_DLT_EN10MB, f, len, len);
				assert_true(rc >= 0);
				check_full(f, len);
				struct ipk_packet p;
				ipk_packet_decode(IPK_DLT_EN10MB, f, len, len, &p);
				if (field == 0)
					assert_int_equal(p.ip4.ttl, v);
				if (field == 1)
					assert_int_equal(p.ip4.tos, v);
				if (field == 4)
					assert_int_equal(p.ip4.src, rw.src);
				if (field == 6 && kind >= 1)
					assert_int_equal(p.ip4.src >> 16, (198u << 8 | 18u) | (v & 1));
				if (field == 7)
					assert_int_equal(p.ip4.dst & 0xffffff00u, A(203, 0, 113, 0));
				if (kind == 2 && p.l4 == IPK_L4_UDP)
					assert_int_equal(p.u.udp.checksum, 0); /* 0 stays 0 */
				/* bytes outside the IPv4 header and the L4 checksum are untouched */
				assert_memory_equal(f, orig, ETH);
				if (kind == 1 || kind == 2)
					assert_memory_equal(f + len - 12, orig + len - 12, 12);
				if (kind == 3)
					assert_memory_equal(f + len - 20, orig + len - 20, 16);
			}
		}
	}

	/* a wrong IPv4 checksum stays exactly as wrong (RFC 1624 keeps the difference) */
	uint8_t f[256];
	size_t len = build(1, f);
	uint16_t good = ipk_be16(f + ETH + 10);
	ipk_put16(f + ETH + 10, (uint16_t)(good + 1));
	ipk_rewrite_init(&rw);
	rw.ttl = 9;
	assert_int_equal(ipk_rewrite_frame(&rw, IPK_DLT_EN10MB, f, len, len), 1);
	uint16_t bad = ipk_be16(f + ETH + 10);
	ipk_put16(f + ETH + 10, 0);
	assert_int_equal((uint16_t)(ipk_csum(f + ETH, 20) + 1), bad);

	/* no change: returns 0 and leaves the bytes alone */
	len = build(0, f);
	uint8_t o2[256];
	memcpy(o2, f, len);
	ipk_rewrite_init(&rw);
	rw.ttl = 1; /* already 1 */
	assert_int_equal(ipk_rewrite_frame(&rw, IPK_DLT_EN10MB, f, len, len), 0);
	assert_memory_equal(f, o2, len);
}

static void test_rewrite_file(void **state)
{
	(void)state;
	char in[128], out[128], err[256];
	path_in(in, sizeof(in), "rw-in.pcap");
	path_in(out, sizeof(out), "rw-out.pcapng");
	write_cap(in, 8, 0, NULL);
	struct ipk_rewrite rw;
	ipk_rewrite_init(&rw);
	rw.ttl = 33;
	rw.nsrc_map = 1;
	assert_int_equal(ipk_prefix_map_parse("192.168.0.0/16=198.18.0.0/16", &rw.src_map[0]), 0);
	struct ipk_rewrite_stats st;
	assert_int_equal(ipk_rewrite_file(&rw, in, out, IPK_PCAPW_PCAPNG, &st, err, sizeof(err)), 0);
	assert_int_equal(st.packets, 8);
	assert_int_equal(st.rewritten, 8);
	assert_int_equal(st.l4_updated, 4); /* UDP with a checksum and TCP; UDP 0 stays 0 */
	struct ipk_verify_stats vs = {0};
	assert_int_equal(ipk_verify_file(out, 0, &vs, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(vs.packets, 8);
	assert_int_equal(vs.passed, 8);

	/* input that is not a capture: error, and nothing at the output path */
	char bad[128], out2[128];
	path_in(bad, sizeof(bad), "notcap2.pcap");
	path_in(out2, sizeof(out2), "never.pcap");
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("garbage garbage garbage garbage\n", f);
	fclose(f);
	assert_int_equal(ipk_rewrite_file(&rw, bad, out2, 0, &st, err, sizeof(err)), IPK_E_INVAL);
	assert_int_equal(access(out2, F_OK), -1);
}

/* A record whose captured length exceeds its original length is refused by every reader of the
 * harness (tcpdump refuses it too), naming the file, the frame and both lengths. */
static void test_caplen_over_len(void **state)
{
	(void)state;
	char p[128], out[128], err[256];
	uint8_t f[256];
	size_t n = build(0, f);
	const struct rawrec r[] = {{(uint32_t)n, (uint32_t)n, (uint32_t)n},
				   {(uint32_t)n, (uint32_t)n - 4, (uint32_t)n},
				   {(uint32_t)n, (uint32_t)n, (uint32_t)n}};
	char want[64];
	snprintf(want, sizeof(want), "frame 2: captured length %zu exceeds the original length %zu",
		 n, n - 4);
	path_in(p, sizeof(p), "biglen.pcap");
	path_in(out, sizeof(out), "biglen-out.pcap");
	raw_cap(p, r, 3, f);

	struct ipk_cap_info ci;
	assert_int_equal(ipk_cap_read(p, count_frames, NULL, &ci, err, sizeof(err)), -EIO);
	assert_int_equal(ci.frames, 1);
	assert_non_null(strstr(err, p));
	assert_non_null(strstr(err, want));

	struct ipk_verify_stats st = {0};
	err[0] = 0;
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), -EIO);
	assert_int_equal(st.packets, 1);
	assert_non_null(strstr(err, want));

	struct ipk_rewrite rw;
	ipk_rewrite_init(&rw);
	rw.ttl = 9;
	err[0] = 0;
	assert_int_equal(ipk_rewrite_file(&rw, p, out, 0, NULL, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, want));
	assert_int_equal(access(out, F_OK), -1);

	/* caplen == len and caplen < len (snaplen) are fine */
	const struct rawrec ok[] = {{(uint32_t)n, (uint32_t)n, (uint32_t)n},
				    {(uint32_t)n - 4, (uint32_t)n, (uint32_t)n - 4}};
	raw_cap(p, ok, 2, f);
	assert_int_equal(ipk_cap_read(p, count_frames, NULL, &ci, err, sizeof(err)), 0);
	assert_int_equal(ci.frames, 2);
}

/* A file cut inside its last record: rewrite fails naming the file and the frame and writes
 * nothing (it never drops the cut record silently). */
static void test_rewrite_cut_file(void **state)
{
	(void)state;
	char in[128], out[128], err[256];
	path_in(in, sizeof(in), "rw-cut.pcap");
	path_in(out, sizeof(out), "rw-cut-out.pcap");
	write_cap(in, 4, 0, NULL);
	cut_tail(in, 5);
	struct ipk_rewrite rw;
	ipk_rewrite_init(&rw);
	rw.ttl = 9;
	struct ipk_rewrite_stats st;
	assert_int_equal(ipk_rewrite_file(&rw, in, out, 0, &st, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, in));
	assert_non_null(strstr(err, "frame 4: the file ends inside the record"));
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(ipk_golden_write(in, out, err, sizeof(err)), -EIO);
	assert_int_equal(access(out, F_OK), -1);
}

static void test_json_diff(void **state)
{
	(void)state;
	char out[1024];
	const char *a = "{\"frame\":1,\"ipv4\":{\"ttl\":1,\"options\":[{\"name\":\"RA\"}]},\"errors\":[]}";
	const char *b = "{\"frame\":1,\"ipv4\":{\"ttl\":2,\"options\":[]},"
			"\"errors\":[{\"code\":\"X\"},{\"code\":\"Y\"}]}";
	assert_int_equal(ipk_json_diff(a, strlen(a), a, strlen(a), out, sizeof(out)), 0);
	int n = ipk_json_diff(a, strlen(a), b, strlen(b), out, sizeof(out));
	/* a list empty on one side: one line for the list, then its entries; never "missing" */
	assert_string_equal(out, "  ipv4.ttl: 1 -> 2\n"
				 "  ipv4.options: 1 entry -> []\n"
				 "  ipv4.options[0].name: \"RA\" -> (none)\n"
				 "  errors: [] -> 2 entries\n"
				 "  errors[0].code: (none) -> \"X\"\n"
				 "  errors[1].code: (none) -> \"Y\"\n");
	assert_int_equal(n, 6);
	/* the other way round, and an object */
	const char *c = "{\"a\":{},\"b\":1}", *d = "{\"a\":{\"k\":1,\"j\":[2]}}";
	n = ipk_json_diff(d, strlen(d), c, strlen(c), out, sizeof(out));
	assert_string_equal(out, "  a: 2 keys -> {}\n"
				 "  a.k: 1 -> (none)\n"
				 "  a.j[0]: 2 -> (none)\n"
				 "  b: (none) -> 1\n");
	assert_int_equal(n, 4);
	assert_null(strstr(out, "missing"));
	assert_int_equal(ipk_json_diff("{\"a\":", 5, a, strlen(a), out, sizeof(out)), IPK_E_INVAL);
	/* a small buffer is cut with "..." and stays terminated */
	n = ipk_json_diff(a, strlen(a), b, strlen(b), out, 24);
	assert_int_equal(n, 6);
	assert_true(strlen(out) < 24);
	assert_non_null(strstr(out, "..."));
}

struct diffs {
	unsigned n;
	uint64_t frame[8];
	char text[8][512];
};

static void on_diff(void *ctx, uint64_t frame, const char *diff)
{
	struct diffs *d = ctx;
	if (d->n < 8) {
		d->frame[d->n] = frame;
		snprintf(d->text[d->n++], 512, "%s", diff);
	}
}

static void test_golden(void **state)
{
	(void)state;
	char cap[128], exp[128], cap2[128], err[256];
	path_in(cap, sizeof(cap), "g.pcap");
	path_in(exp, sizeof(exp), "g.json");
	path_in(cap2, sizeof(cap2), "g2.pcap");
	write_cap(cap, 4, 0, NULL);
	assert_int_equal(ipk_golden_write(cap, exp, err, sizeof(err)), 4);
	assert_int_equal(ipk_golden_compare(cap, exp, NULL, NULL, err, sizeof(err)), 0);

	/* TTL of frame 2 (UDP) changed: one frame differs in ipv4.ttl and ipv4.checksum */
	struct ipk_rewrite rw;
	ipk_rewrite_init(&rw);
	rw.ttl = 64;
	assert_int_equal(ipk_rewrite_file(&rw, cap, cap2, 0, NULL, err, sizeof(err)), 0);
	struct diffs d = {0};
	assert_int_equal(ipk_golden_compare(cap2, exp, on_diff, &d, err, sizeof(err)), 1);
	assert_int_equal(d.frame[0], 1); /* the IGMP frame had TTL 1; the others had 64 already */
	assert_non_null(strstr(d.text[0], "ipv4.ttl: 1 -> 64"));
	assert_non_null(strstr(d.text[0], "ipv4.checksum:"));

	/* fewer frames in the capture than in the expected file */
	char cap3[128];
	path_in(cap3, sizeof(cap3), "g3.pcap");
	write_cap(cap3, 3, 0, NULL);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ipk_golden_compare(cap3, exp, on_diff, &d, err, sizeof(err)), 1);
	assert_int_equal(d.frame[0], 4);
	assert_non_null(strstr(d.text[0], "missing from the capture"));
	assert_true(ipk_golden_compare(cap3, "/nonexistent/x.json", NULL, NULL, err, sizeof(err)) < 0);

	/* an expected file that is not JSON: one error naming it and the line, no per-frame diffs;
	 * also when the bad line is past the capture's frames */
	char txt[128];
	path_in(txt, sizeof(txt), "g.txt");
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen(txt, "w");
		assert_non_null(f);
		if (k == 1) {
			FILE *e = fopen(exp, "r");
			char line[4096];
			assert_non_null(e);
			for (int i = 0; i < 3; i++) {
				assert_non_null(fgets(line, sizeof(line), e));
				fputs(line, f);
			}
			fclose(e);
		}
		fputs("frame,ttl\n1,64\n", f);
		fclose(f);
		memset(&d, 0, sizeof(d));
		err[0] = 0;
		assert_int_equal(ipk_golden_compare(cap3, txt, on_diff, &d, err, sizeof(err)),
				 IPK_E_INVAL);
		assert_int_equal(d.n, 0);
		assert_non_null(strstr(err, txt));
		assert_non_null(strstr(err, k ? "line 4 is not JSON" : "line 1 is not JSON"));
	}
}

/* A pcapng with two interfaces (same link type and snaplen, which libpcap 1.10 reads), packets on
 * both: every frame is verified whichever interface it came from. */
static void test_verify_pcapng_two_interfaces(void **state)
{
	(void)state;
	char p[128];
	path_in(p, sizeof(p), "two-if.pcapng");
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	const uint32_t shb[7] = {0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0xffffffff, 0xffffffff, 28};
	const uint32_t idb[5] = {1, 20, 1 /* LINKTYPE_ETHERNET */, 65535, 20};
	fwrite(shb, 4, 7, f);
	fwrite(idb, 4, 5, f);
	fwrite(idb, 4, 5, f);
	for (int i = 0; i < 6; i++) {
		uint8_t b[2048];
		size_t len = build(i % 4, b), pad = (4 - len % 4) % 4;
		uint64_t ts = 1700000000ull * 1000000 + (uint64_t)i;
		uint32_t blen = (uint32_t)(32 + len + pad);
		uint32_t epb[7] = {6, blen, (uint32_t)(i & 1), (uint32_t)(ts >> 32), (uint32_t)ts,
				   (uint32_t)len, (uint32_t)len};
		memset(b + len, 0, pad);
		fwrite(epb, 4, 7, f);
		fwrite(b, 1, len + pad, f);
		fwrite(&blen, 4, 1, f);
	}
	fclose(f);
	struct ipk_verify_stats st = {0};
	char err[256];
	assert_int_equal(ipk_verify_file(p, 0, &st, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(st.packets, 6);
	assert_int_equal(st.passed, 6);
	assert_int_equal(st.remarshal_same, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_pcapng_two_interfaces),
		cmocka_unit_test(test_verify_clean),      cmocka_unit_test(test_verify_bad),
		cmocka_unit_test(test_capture_errors),    cmocka_unit_test(test_verify_raw_link),
		cmocka_unit_test(test_rewrite_incremental), cmocka_unit_test(test_rewrite_file),
		cmocka_unit_test(test_caplen_over_len),   cmocka_unit_test(test_rewrite_cut_file),
		cmocka_unit_test(test_json_diff),         cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
