/* test_pcaps.c - shared captures through ipk_packet_decode: findings, over-reads, round trip. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h, DT_* for readdir */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <pcap/pcap.h>

#include "guard.h"
#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define MAX_FILES 128

/* Called for each frame of a capture; frame numbers start at 1 as in tcpdump -#. */
typedef void (*frame_fn)(void *ctx, int dlt, unsigned frame, const uint8_t *d, size_t caplen,
			 size_t wirelen);

/* Read a capture with libpcap. Returns the frame count, or -1 with libpcap's message in err. */
static long read_capture(const char *path, frame_fn fn, void *ctx, char *err, size_t errlen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline(path, eb);
	struct pcap_pkthdr *ph;
	const u_char *d;
	long n = 0;
	int rc;

	if (!pc) {
		snprintf(err, errlen, "%s", eb);
		return -1;
	}
	int dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &ph, &d)) == 1) {
		n++;
		fn(ctx, dlt, (unsigned)n, d, ph->caplen, ph->len);
	}
	if (rc != PCAP_ERROR_BREAK) {
		snprintf(err, errlen, "%s", pcap_geterr(pc));
		n = -1;
	}
	pcap_close(pc);
	return n;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Every *.pcap / *.pcapng in IPK_THIRD_PARTY_PCAPS/{tcpdump,other}. */
static size_t list_captures(char paths[][512], size_t max)
{
	static const char *const dirs[] = {"tcpdump", "other"};
	size_t n = 0;

	for (size_t i = 0; i < 2; i++) {
		char dir[256];
		snprintf(dir, sizeof(dir), "%s/%s", IPK_THIRD_PARTY_PCAPS, dirs[i]);
		DIR *dp = opendir(dir);
		if (!dp)
			continue;
		struct dirent *e;
		while ((e = readdir(dp)) && n < max) {
			if (!has_suffix(e->d_name, ".pcap") && !has_suffix(e->d_name, ".pcapng"))
				continue;
			int w = snprintf(paths[n], 512, "%s/%s", dir, e->d_name);
			if (w > 0 && w < 512)
				n++;
		}
		closedir(dp);
	}
	return n;
}

static char *cap_path(const char *rel)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s/%s", IPK_THIRD_PARTY_PCAPS, rel);
	return buf;
}

/* ---- whole corpus: no crash, invariants, round trip ---- */

struct corpus {
	unsigned long frames, ip4, findings, roundtrip_ok, roundtrip_bad, roundtrip_pristine, cuts;
};

static const int all_dlts[] = {IPK_DLT_EN10MB,     IPK_DLT_RAW,  IPK_DLT_IPV4, IPK_DLT_LINUX_SLL,
			       IPK_DLT_LINUX_SLL2, IPK_DLT_NULL, IPK_DLT_LOOP};

static void check_invariants(const struct ipk_packet *p, int rc, size_t caplen)
{
	assert_int_equal(rc, p->findings.n + p->findings.dropped);
	assert_true(p->findings.n <= IPK_MAX_FINDINGS);
	for (int i = 0; i < p->findings.n; i++) {
		const struct ipk_finding *x = &p->findings.v[i];
		assert_true(x->code < 0);
		assert_true(x->layer <= IPK_LAYER_ICMP);
		/* Offsets point at a field of the frame, which may be cut. */
		assert_true(x->offset <= caplen + 2);
	}
	if (p->has_ip4) {
		assert_true(p->has_link);
		assert_true(p->ip_off + p->ip4.hlen <= caplen);
	}
	if (p->l4 != IPK_L4_NONE)
		assert_true(p->l4_off + p->l4_len <= caplen);
}

static void corpus_frame(void *ctx, int dlt, unsigned frame, const uint8_t *d, size_t caplen,
			 size_t wirelen)
{
	struct corpus *c = ctx;
	struct ipk_packet p;
	(void)frame;

	int rc = ipk_packet_decode(dlt, d, caplen, wirelen, &p);
	check_invariants(&p, rc, caplen);
	c->frames++;
	c->findings += (unsigned long)rc;

	/* Round trip: a header with no IPv4-layer error re-marshals, with computed version,
	 * IHL, total length and checksum, to the same bytes. */
	if (p.has_ip4) {
		int clean = 1, pristine = 1;
		c->ip4++;
		for (int i = 0; i < p.findings.n; i++) {
			if (p.findings.v[i].layer != IPK_LAYER_IPV4)
				continue;
			pristine = 0;
			if (!ipk_err_is_finding(p.findings.v[i].code))
				clean = 0;
		}
		if (clean) {
			uint8_t hdr[IPK_IP4_MAXLEN];
			int n = ipk_ip4_marshal(&p.ip4, (size_t)p.ip4.total_len - p.ip4.hlen, 0,
						hdr, sizeof(hdr));
			if (n == p.ip4.hlen && memcmp(hdr, d + p.ip_off, (size_t)n) == 0) {
				c->roundtrip_ok++;
				c->roundtrip_pristine += (unsigned long)pristine;
			} else {
				c->roundtrip_bad++;
				print_message(
				    "round trip mismatch: frame %u (marshal %d, hlen %u)\n", frame,
				    n, p.ip4.hlen);
			}
		}
	}

	/* Every prefix of small frames, and the whole frame under every link type, right
	 * against a guard page: nothing reads past caplen. */
	if (caplen <= 600) {
		for (size_t len = 0; len <= caplen; len++) {
			const uint8_t *g = guard_place(d, len);
			assert_non_null(g);
			rc = ipk_packet_decode(dlt, g, len, wirelen, &p);
			check_invariants(&p, rc, len);
			c->cuts++;
		}
		const uint8_t *g = guard_place(d, caplen);
		for (size_t i = 0; i < sizeof(all_dlts) / sizeof(all_dlts[0]); i++) {
			rc = ipk_packet_decode(all_dlts[i], g, caplen, wirelen, &p);
			check_invariants(&p, rc, caplen);
		}
	}
}

static void test_corpus(void **state)
{
	(void)state;
	static char paths[MAX_FILES][512];
	size_t nfiles = list_captures(paths, MAX_FILES);
	struct corpus c = {0};
	char err[PCAP_ERRBUF_SIZE + 64];
	size_t refused = 0;

	if (nfiles == 0) {
		print_message("no captures under %s\n", IPK_THIRD_PARTY_PCAPS);
		fail();
	}
	for (size_t i = 0; i < nfiles; i++) {
		long n = read_capture(paths[i], corpus_frame, &c, err, sizeof(err));
		if (n < 0) {
			/* Only the pcapng with mismatched per-interface snaplens is refused. */
			print_message("libpcap refused %s: %s\n", paths[i], err);
			assert_true(has_suffix(paths[i], "/ipv4-malformed.pcap"));
			refused++;
		} else {
			assert_true(n > 0);
		}
	}
	print_message("%zu captures, %lu frames, %lu IPv4, %lu findings, %lu prefixes; "
		      "round trip %lu ok (%lu with no IPv4 finding at all), %lu mismatched\n",
		      nfiles, c.frames, c.ip4, c.findings, c.cuts, c.roundtrip_ok,
		      c.roundtrip_pristine, c.roundtrip_bad);
	assert_true(nfiles >= 30);
	assert_true(refused <= 1);
	assert_true(c.frames > 900);
	assert_true(c.roundtrip_ok > 500);
	assert_true(c.roundtrip_pristine > 500);
	assert_int_equal(c.roundtrip_bad, 0);
}

/* ---- the capture libpcap refuses ---- */

static void ignore_frame(void *ctx, int dlt, unsigned frame, const uint8_t *d, size_t caplen,
			 size_t wirelen)
{
	(void)dlt, (void)frame, (void)d, (void)caplen, (void)wirelen;
	(*(unsigned *)ctx)++;
}

static void test_refused_capture(void **state)
{
	(void)state;
	char err[PCAP_ERRBUF_SIZE + 64] = "";
	unsigned frames = 0;

	/* A pcapng whose two interfaces have different snaplens: libpcap 1.10 gives up with a
	 * message (at open or at the first read); we pass that on, with no crash. */
	long n = read_capture(cap_path("other/ipv4-malformed.pcap"), ignore_frame, &frames, err,
			      sizeof(err));
	assert_int_equal(n, -1);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "snapshot length"));
	print_message("ipv4-malformed.pcap: %s\n", err);

	/* A file that does not exist also fails with a message. */
	err[0] = 0;
	n = read_capture(cap_path("other/no-such-file.pcap"), ignore_frame, &frames, err,
			 sizeof(err));
	assert_int_equal(n, -1);
	assert_true(strlen(err) > 0);
}

/* ---- known frames ---- */

#define MAX_FRAMES 1024
struct decoded {
	unsigned n;
	int dlt;
	struct ipk_packet p[MAX_FRAMES];
	uint8_t data[MAX_FRAMES][256]; /* copy of the first bytes so views stay valid */
};

static void keep_frame(void *ctx, int dlt, unsigned frame, const uint8_t *d, size_t caplen,
		       size_t wirelen)
{
	struct decoded *x = ctx;
	(void)frame;
	if (x->n >= MAX_FRAMES)
		return;
	x->dlt = dlt;
	/* Decode the original (whole) frame; keep views only for the frames that fit. */
	int rc = ipk_packet_decode(dlt, d, caplen, wirelen, &x->p[x->n]);
	check_invariants(&x->p[x->n], rc, caplen);
	if (caplen <= sizeof(x->data[0])) {
		memcpy(x->data[x->n], d, caplen);
		ipk_packet_decode(dlt, x->data[x->n], caplen, wirelen, &x->p[x->n]);
	}
	x->n++;
}

static struct decoded dec;

static void load(const char *rel)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	memset(&dec, 0, sizeof(dec));
	long n = read_capture(cap_path(rel), keep_frame, &dec, err, sizeof(err));
	if (n < 0)
		fail_msg("%s: %s", rel, err);
	assert_int_equal((unsigned long)n, dec.n);
}

static int find(const struct ipk_packet *p, int code, int layer)
{
	for (int i = 0; i < p->findings.n; i++)
		if (p->findings.v[i].code == code && p->findings.v[i].layer == layer)
			return i;
	return -1;
}

/* Frame (1-based) has finding code/layer at offset. */
static void expect(unsigned frame, int code, int layer, uint32_t off)
{
	assert_true(frame >= 1 && frame <= dec.n);
	const struct ipk_packet *p = &dec.p[frame - 1];
	int i = find(p, code, layer);
	if (i < 0)
		fail_msg("frame %u: %s missing", frame, ipk_errname(code));
	assert_int_equal(p->findings.v[i].offset, off);
}

/* Frame has exactly this one finding. */
static void expect_only(unsigned frame, int code, int layer, uint32_t off)
{
	expect(frame, code, layer, off);
	assert_int_equal(dec.p[frame - 1].findings.n, 1);
}

/* Frames that carry code. */
static unsigned count_code(int code)
{
	unsigned k = 0;
	for (unsigned i = 0; i < dec.n; i++)
		for (int j = 0; j < dec.p[i].findings.n; j++)
			if (dec.p[i].findings.v[j].code == code) {
				k++;
				break;
			}
	return k;
}

static void test_malformed_ipv4(void **state)
{
	(void)state;
	/* IHL 4: "IP bad-hlen 16". */
	load("tcpdump/ipv4_invalid_hdr_length.pcap");
	expect_only(1, IPK_E_IP_IHL, IPK_LAYER_IPV4, 14);
	assert_false(dec.p[0].has_ip4);

	/* Total length 85, 84 captured: "truncated-ip - 1 bytes missing!"; UDP still read. */
	load("tcpdump/ipv4_invalid_total_length.pcap");
	expect_only(1, IPK_E_IP_TRUNCATED, IPK_LAYER_IPV4, 14 + 2);
	assert_int_equal(dec.p[0].l4, IPK_L4_UDP);
	assert_int_equal(dec.p[0].u.udp.dport, 53);

	/* Total length 19 < 20: "IP bad-len 19"; nothing above IP. */
	load("tcpdump/ipv4_invalid_total_length_2.pcap");
	expect(1, IPK_E_IP_TOTLEN_SHORT, IPK_LAYER_IPV4, 14 + 2);
	assert_int_equal(dec.p[0].l4, IPK_L4_NONE);

	/* Capture ends 19 bytes into the IP header: "[|ip]". */
	load("tcpdump/ipv4_invalid_length.pcap");
	expect_only(1, IPK_E_IP_SHORT, IPK_LAYER_IPV4, 14);

	/* Version 6 behind ethertype 0x0800 (snaplen 34). */
	load("tcpdump/bad-ipv4-version-pgm-heapoverflow.pcap");
	expect(1, IPK_E_IP_VERSION, IPK_LAYER_IPV4, 14);
	assert_int_equal(dec.p[0].l4, IPK_L4_NONE);

	/* An IPv6 packet in a LINKTYPE_IPV4 file: "[version 6 != 4] (invalid)". */
	load("tcpdump/LINKTYPE_IPV4_invalid.pcap");
	assert_int_equal(dec.dlt, IPK_DLT_IPV4);
	expect_only(1, IPK_E_IP_VERSION, IPK_LAYER_IPV4, 0);

	/* TSO: total length 0, the TCP segment is still summarised. */
	load("tcpdump/ipv4_tcp_http_xml_tso.pcap");
	expect(1, IPK_E_IP_TOTLEN_ZERO, IPK_LAYER_IPV4, 14 + 2);
	assert_int_equal(dec.p[0].l4, IPK_L4_TCP);
	/* tcpdump: "length 2016 [was 0, presumed TSO]", 39556 > 8080, seq 1891338696,
	 * ack 727404759, win 256, Flags [P.] */
	assert_int_equal(dec.p[0].l4_len, 2016 - 20);
	assert_int_equal(dec.p[0].u.tcp.sport, 39556);
	assert_int_equal(dec.p[0].u.tcp.dport, 8080);
	assert_int_equal(dec.p[0].u.tcp.seq, 1891338696u);
	assert_int_equal(dec.p[0].u.tcp.ack, 727404759u);
	assert_int_equal(dec.p[0].u.tcp.win, 256);
	assert_int_equal(dec.p[0].u.tcp.flags, 0x18);

	/* IHL 15 with 46 header bytes captured (snaplen 60). */
	load("tcpdump/ip_printroute_asan.pcap");
	expect_only(1, IPK_E_IP_HDR_TRUNC, IPK_LAYER_IPV4, 14);

	/* LINKTYPE_IPV4, snaplen 31: option with bad length 3, ICMP cut by the snaplen (the record
	 * says 65598 bytes on the wire): truncated, not a short ICMP header. */
	load("tcpdump/extract_read2_asan.pcap");
	expect(1, IPK_E_IP_CHECKSUM, IPK_LAYER_IPV4, 10);
	expect(1, IPK_E_OPT_LEN, IPK_LAYER_IPV4, 26);
	expect(1, IPK_E_IP_TRUNCATED, IPK_LAYER_IPV4, 2);
	assert_int_equal(find(&dec.p[0], IPK_E_L4_SHORT, IPK_LAYER_ICMP), -1);
	assert_int_equal(dec.p[0].cut, 1);
}

static void test_clean_captures(void **state)
{
	(void)state;
	load("tcpdump/ipv4_tcp_http_xml.pcap");
	assert_int_equal(dec.p[0].findings.n, 0);
	assert_int_equal(dec.p[0].l4, IPK_L4_TCP);
	/* tcpdump: 10.21.11.94.80 > 10.114.101.120.5767: Flags [P.], seq 908588050:908588655,
	 * ack 2693707125, win 63750 */
	assert_int_equal(dec.p[0].u.tcp.sport, 80);
	assert_int_equal(dec.p[0].u.tcp.dport, 5767);
	assert_int_equal(dec.p[0].u.tcp.seq, 908588050u);
	assert_int_equal(dec.p[0].u.tcp.ack, 2693707125u);
	assert_int_equal(dec.p[0].u.tcp.win, 63750);
	assert_int_equal(dec.p[0].u.tcp.flags, 0x18);
	assert_int_equal(dec.p[0].u.tcp.doff, 20);

	static const char *const raw[] = {"tcpdump/LINKTYPE_RAW_ipv4.pcap",
					  "tcpdump/LINKTYPE_IPV4.pcap"};
	for (int i = 0; i < 2; i++) {
		load(raw[i]);
		assert_int_equal(dec.n, 1);
		assert_int_equal(dec.p[0].findings.n, 0);
		assert_true(dec.p[0].has_ip4);
		assert_int_equal(dec.p[0].ip_off, 0);
	}

	/* BSD NULL, little-endian AF_INET; every header checksum is 0 (loopback offload). */
	load("tcpdump/dns-badcookie.pcap");
	assert_int_equal(dec.dlt, IPK_DLT_NULL);
	for (unsigned f = 1; f <= dec.n; f++) {
		expect_only(f, IPK_E_IP_CHECKSUM, IPK_LAYER_IPV4, 4 + 10);
		assert_int_equal(dec.p[f - 1].link.af, 2);
		assert_int_equal(dec.p[f - 1].l4, IPK_L4_UDP);
	}

	/* Frame Relay is not a link type we decode. */
	load("tcpdump/icmp-icmp_print-oobr-2.pcap");
	for (unsigned f = 1; f <= dec.n; f++)
		expect_only(f, IPK_E_LINK_TYPE, IPK_LAYER_LINK, 0);
}

static void test_igmp_captures(void **state)
{
	(void)state;
	/* Only frame 5 has a bad IGMP checksum ("bad igmp cksum 905!"), at 14 + 24 + 2. */
	load("other/igmp-bad-checksum.pcap");
	assert_int_equal(dec.n, 12);
	expect(5, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, 40);
	assert_int_equal(count_code(IPK_E_IGMP_CHECKSUM), 1);
	assert_int_equal(dec.p[4].u.igmp.type, IPK_IGMP_V2_REPORT);
	load("other/igmp.pcap");
	assert_int_equal(count_code(IPK_E_IGMP_CHECKSUM), 0);
	for (unsigned i = 0; i < dec.n; i++) {
		assert_int_equal(dec.p[i].l4, IPK_L4_IGMP);
		assert_true(dec.p[i].u.igmp.version == 2 || dec.p[i].u.igmp.version == 3);
	}

	/* home-multicast-short: IP total length 46 with IHL 6 leaves 22 IGMP bytes; frame 1 is
	 * a 12-byte v3 general query (no sources) plus 10 zero bytes, frame 2 a one-record v3
	 * report (16 bytes) plus 6. Both decode; the extra bytes are IGMP_TRAILING. */
	load("other/home-multicast-short.pcap");
	const struct ipk_packet *p = &dec.p[0];
	assert_int_equal(p->l4, IPK_L4_IGMP);
	assert_int_equal(p->ip4.total_len, 46);
	assert_int_equal(p->l4_len, 22);
	assert_int_equal(p->u.igmp.version, 3);
	assert_int_equal(p->u.igmp.type, IPK_IGMP_QUERY);
	assert_int_equal(p->u.igmp.len, 22);
	assert_int_equal(p->u.igmp.nsrcs, 0);
	assert_int_equal(p->u.igmp.group, 0);
	expect_only(1, IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP, 38 + 12);
	p = &dec.p[1];
	assert_int_equal(p->u.igmp.type, IPK_IGMP_V3_REPORT);
	assert_int_equal(p->u.igmp.nrecs, 1);
	expect_only(2, IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP, 38 + 16);
	assert_int_equal(dec.p[2].findings.n, 0); /* the 2-record report is exact */
	assert_int_equal(dec.p[2].u.igmp.nrecs, 2);

	/* IGMPv1 and v2 captures decode as their versions. */
	load("tcpdump/IGMP_V1.pcap");
	unsigned v1 = 0;
	for (unsigned i = 0; i < dec.n; i++)
		v1 += dec.p[i].l4 == IPK_L4_IGMP && dec.p[i].u.igmp.version == 1;
	assert_true(v1 >= 25);
	load("tcpdump/igmpv3-queries.pcap");
	assert_int_equal(dec.n, 6);
	for (unsigned i = 0; i < dec.n; i++) {
		assert_int_equal(dec.p[i].u.igmp.version, 3);
		assert_int_equal(dec.p[i].u.igmp.type, IPK_IGMP_QUERY);
	}

	/* 11 frames with IPv4 header checksum 0 (transmit offload), still decoded as IGMP. */
	load("other/IGMPv3_Multihost.pcap");
	assert_int_equal(dec.n, 79);
	assert_int_equal(count_code(IPK_E_IP_CHECKSUM), 11);
	for (unsigned i = 0; i < dec.n; i++)
		assert_int_equal(dec.p[i].l4, IPK_L4_IGMP);
}

static void test_fragment_captures(void **state)
{
	(void)state;
	/* One NFS reply in 3 fragments: offsets 0, 1480, 2960. */
	load("other/IPv4Frag.pcap");
	assert_int_equal(dec.n, 3);
	assert_int_equal(dec.p[0].l4, IPK_L4_UDP);
	assert_true(dec.p[0].ip4.mf);
	for (int i = 1; i < 3; i++) { /* later fragments: no transport header, nothing wrong */
		assert_int_equal(dec.p[i].findings.n, 0);
		assert_int_equal(dec.p[i].l4, IPK_L4_NONE);
	}
	assert_int_equal(dec.p[1].ip4.frag_off * 8, 1480);
	assert_int_equal(dec.p[2].ip4.frag_off * 8, 2960);

	/* afs.pcap: 149 non-first fragments (tshark: ip.frag_offset > 0). */
	load("tcpdump/afs.pcap");
	size_t later = 0;
	for (size_t i = 0; i < dec.n; i++)
		if (dec.p[i].has_ip4 && dec.p[i].ip4.frag_off) {
			later++;
			assert_int_equal(dec.p[i].l4, IPK_L4_NONE);
		}
	assert_int_equal(later, 149);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),         cmocka_unit_test(test_refused_capture),
	    cmocka_unit_test(test_malformed_ipv4), cmocka_unit_test(test_clean_captures),
	    cmocka_unit_test(test_igmp_captures),  cmocka_unit_test(test_fragment_captures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
