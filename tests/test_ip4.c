/* test_ip4.c - IPv4 header tests: fields from real vectors, every error and its offset, Go parity,
 * raw order, marshal, check (RFC 791). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h, inet_pton */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "guard.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ' || *s == '\n') {
			s++;
			continue;
		}
		char b[3] = {s[0], s[1], 0};
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
		s += 2;
	}
	return n;
}

/* Recompute the header checksum of a header of hlen bytes in place. */
static void fix_csum(uint8_t *b, size_t hlen)
{
	b[10] = b[11] = 0;
	uint16_t c = ipk_csum(b, hlen);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
}

/* docs/igmp.md section 6: IPv4 header + RA for the v2 report, and for the v3 general query,
 * with the message. */
#define V2REP_HEX                                                                 \
	"46 c0 00 20 00 00 40 00 01 02 32 63 c0 a8 01 0a ef 01 01 01 94 04 00 00" \
	"16 00 f9 fc ef 01 01 01"
#define V3GQ_HEX                                                                  \
	"46 c0 00 24 00 00 40 00 01 02 42 69 c0 a8 01 01 e0 00 00 01 94 04 00 00" \
	"11 64 ec 1e 00 00 00 00 02 7d 00 00"
/* Go's rawconn_readfrom_linux_amd64 vector (docs/go-differences.md section 3):
 * header + "HELLO-R-U-THERE". */
#define GO_RAW_HEX "45 00 00 23 00 00 40 00 01 fd 7a dc 7f 00 00 01 7f 00 00 01"

static void test_fields_v2_report(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex(V2REP_HEX, b);
	struct ipk_ip4 h;
	size_t eo = 999;
	assert_int_equal(n, 32);
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_STRICT, &h, &eo), 0);
	assert_int_equal(eo, 999); /* untouched on success */
	assert_int_equal(h.version, 4);
	assert_int_equal(h.ihl, 6);
	assert_int_equal(h.hlen, 24);
	assert_int_equal(h.tos, 0xc0);
	assert_int_equal(IPK_IP4_DSCP(&h), 48);
	assert_int_equal(IPK_IP4_ECN(&h), 0);
	assert_int_equal(h.total_len, 32);
	assert_int_equal(h.id, 0);
	assert_int_equal(h.rf, 0);
	assert_int_equal(h.df, 1);
	assert_int_equal(h.mf, 0);
	assert_int_equal(h.frag_off, 0);
	assert_int_equal(h.ttl, 1);
	assert_int_equal(h.proto, IPK_PROTO_IGMP);
	assert_int_equal(h.checksum, 0x3263);
	assert_int_equal(h.src, IPK_IP4_ADDR(192, 168, 1, 10));
	assert_int_equal(h.dst, IPK_IP4_ADDR(239, 1, 1, 1));
	assert_ptr_equal(h.opts, b + 20);
	assert_int_equal(h.opts_len, 4);
	assert_int_equal(h.opts[0], IPK_OPT_RA);
	assert_int_equal(h.checksum_ok, 1);
	assert_int_equal(h.truncated, 0);
}

static void test_fields_v3_gq_and_go_vector(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex(V3GQ_HEX, b);
	struct ipk_ip4 h;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(h.total_len, 36);
	assert_int_equal(h.checksum, 0x4269);
	assert_int_equal(h.src, IPK_IP4_ADDR(192, 168, 1, 1));
	assert_int_equal(h.dst, IPK_IP4_ADDR(224, 0, 0, 1));
	assert_int_equal(h.checksum_ok, 1);

	n = unhex(GO_RAW_HEX, b);
	memcpy(b + n, "HELLO-R-U-THERE", 15);
	n += 15;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(h.ihl, 5);
	assert_int_equal(h.hlen, 20);
	assert_null(h.opts);
	assert_int_equal(h.opts_len, 0);
	assert_int_equal(h.total_len, 35);
	assert_int_equal(h.ttl, 1);
	assert_int_equal(h.proto, 0xfd);
	assert_int_equal(h.df, 1);
	assert_int_equal(h.checksum, 0x7adc);
	assert_int_equal(h.src, IPK_IP4_ADDR(127, 0, 0, 1));
	assert_int_equal(h.dst, IPK_IP4_ADDR(127, 0, 0, 1));
}

/* Flags and fragment offset bits, and the reserved bit. */
static void test_fields_frag(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex(GO_RAW_HEX, b);
	memset(b + n, 0, 15);
	b[6] = 0xbf; /* RF, MF, offset 0x1fff */
	b[7] = 0xff;
	fix_csum(b, 20);
	struct ipk_ip4 h;
	assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(h.rf, 1);
	assert_int_equal(h.df, 0);
	assert_int_equal(h.mf, 1);
	assert_int_equal(h.frag_off, 0x1fff);
}

struct errcase {
	const char *name;
	int err;
	size_t off;
};

static void expect_err(const uint8_t *b, size_t n, unsigned prof, int err, size_t off)
{
	struct ipk_ip4 h;
	size_t eo = 12345;
	int rc = ipk_ip4_parse(b, n, prof, &h, &eo);
	if (rc != err)
		fail_msg("got %s want %s", ipk_errname(rc), ipk_errname(err));
	if (err)
		assert_int_equal(eo, off);
}

/* Every STRICT error with its offset, one fault at a time on the v2 report. */
static void test_strict_errors(void **state)
{
	(void)state;
	uint8_t base[64], b[64];
	size_t n = unhex(V2REP_HEX, base);

	for (size_t l = 0; l < 20; l++)
		expect_err(base, l, IPK_IP4_STRICT, IPK_E_IP_SHORT, 0);

	memcpy(b, base, n);
	b[0] = 0x66;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_VERSION, 0);

	memcpy(b, base, n);
	b[0] = 0x44;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_IHL, 0);
	b[0] = 0x40;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_IHL, 0);

	for (size_t l = 20; l < 24; l++)
		expect_err(base, l, IPK_IP4_STRICT, IPK_E_IP_HDR_TRUNC, 0);
	memcpy(b, base, n);
	b[0] = 0x4f; /* 60-byte header in a 32-byte buffer */
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_HDR_TRUNC, 0);

	memcpy(b, base, n);
	b[2] = 0;
	b[3] = 0;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TOTLEN_ZERO, 2);
	b[3] = 23;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TOTLEN_SHORT, 2);
	b[3] = 24; /* header only, no payload: valid */
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, 0, 0);
	b[3] = 33;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TRUNCATED, 2);
	/* a capture that stops before the total length */
	expect_err(base, 31, IPK_IP4_STRICT, IPK_E_IP_TRUNCATED, 2);

	memcpy(b, base, n);
	b[11] ^= 1;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_CHECKSUM, 10);

	/* options: NOP NOP, then LSRR with length 0 -> OPT_LEN at option byte 2 = offset 22 */
	memcpy(b, base, n);
	b[20] = 1;
	b[21] = 1;
	b[22] = IPK_OPT_LSRR;
	b[23] = 0;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_OPT_LEN, 22);
	/* NOP x3 then a TS type byte with no length byte -> OPT_TRUNC at 23 */
	b[22] = 1;
	b[23] = IPK_OPT_TS;
	fix_csum(b, 24);
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_OPT_TRUNC, 23);
	/* the same area through ipk_opt_validate agrees (offset base 20 added by ip4) */
	size_t oe = 0;
	assert_int_equal(ipk_opt_validate(b + 20, 4, &oe, NULL, 0), IPK_E_OPT_TRUNC);
	assert_int_equal(oe + 20, 23);

	/* LAX does not look at options, checksum, version or total length */
	expect_err(b, n, IPK_IP4_LAX, 0, 0);
}

/* docs/linux-options.md section 1 order when several rules break at once: the first one wins. */
static void test_strict_order(void **state)
{
	(void)state;
	uint8_t base[64], b[64];
	size_t n = unhex(V2REP_HEX, base);

	memcpy(b, base, n);
	b[0] = 0x64; /* version 6 and IHL 4: version first */
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_VERSION, 0);
	b[0] = 0x6f; /* version 6 and header not captured */
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_VERSION, 0);
	b[0] = 0x43; /* IHL 3 with len 20..: IHL before HDR_TRUNC */
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_IHL, 0);

	memcpy(b, base, n);
	b[0] = 0x56; /* version 5 plus bad checksum, zero total length */
	b[2] = b[3] = 0;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_VERSION, 0);
	b[0] = 0x46;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TOTLEN_ZERO, 2);
	b[3] = 10;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TOTLEN_SHORT, 2);
	b[3] = 200;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_TRUNCATED, 2);
	b[3] = 32;
	b[20] = b[21] = IPK_OPT_NOP;
	b[22] = IPK_OPT_LSRR; /* bad option and bad checksum: checksum first */
	b[23] = 0;
	expect_err(b, n, IPK_IP4_STRICT, IPK_E_IP_CHECKSUM, 10);
}

/* The tcpdump captures' malformed IPv4 headers, as bytes (Ethernet header removed). */
#define TD_DNS_TAIL                                                                                \
	"9c98b7003500406ecb92aa01200001000000000001037777770774637064756d70036f726700000100010000" \
	"2904d000000000000c000a00088bc0e5f53e713bbd"
static const struct tdcase {
	const char *file;
	const char *hex; /* captured IPv4 bytes (first up to 84) */
	int strict;
	size_t off;
	int lax;
	int go;
	uint8_t truncated;
} td_cases[] = {
    /* IHL 4: tcpdump "header length 16 < 20"; Go accepts it (Len 16) */
    {"ipv4_invalid_hdr_length.pcap", "44000054f1a60000401145948cd309ce2d217f" TD_DNS_TAIL,
     IPK_E_IP_IHL, 0, IPK_E_IP_IHL, 0, 1},
    /* 19 bytes: "length 19 < 20" */
    {"ipv4_invalid_length.pcap", "45000054fc35000040113b058cd309ce2d217f", IPK_E_IP_SHORT, 0,
     IPK_E_IP_SHORT, IPK_E_IP_SHORT, 0},
    /* total length 85 > 84 captured: truncated capture */
    {"ipv4_invalid_total_length.pcap", "45000055f1a60000401145938cd309ce2d217f" TD_DNS_TAIL,
     IPK_E_IP_TRUNCATED, 2, 0, 0, 1},
    /* total length 19 < header 20 */
    {"ipv4_invalid_total_length_2.pcap", "45000013f1a60000401145948cd309ce2d217f" TD_DNS_TAIL,
     IPK_E_IP_TOTLEN_SHORT, 2, 0, 0, 0},
    /* version 6 in an Ethertype IPv4 frame */
    {"bad-ipv4-version-pgm-heapoverflow.pcap", "6530303030300000307130303030303030303030",
     IPK_E_IP_VERSION, 0, 0, 0, 1},
    /* TSO capture: total length 0 and checksum 0 (first 20 bytes, then TCP) */
    {"ipv4_tcp_http_xml_tso.pcap",
     "4500000042c94000800600001e07b579c72b44a39a841f9070bb89c82b5b50d750180100df550000",
     IPK_E_IP_TOTLEN_ZERO, 2, 0, 0, 0},
    /* fuzzed: bad checksum, total length 12336 far past the capture */
    {"heapoverflow-in_checksum.pcap",
     "45303030303040003067303030303030303030302030303030303030303030303030", IPK_E_IP_TRUNCATED, 2,
     0, 0, 1},
};

static void test_tcpdump_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(td_cases) / sizeof(td_cases[0]); i++) {
		const struct tdcase *c = &td_cases[i];
		uint8_t b[128];
		size_t n = unhex(c->hex, b);
		struct ipk_ip4 h;
		size_t eo = 777;
		int rc = ipk_ip4_parse(b, n, IPK_IP4_STRICT, &h, &eo);
		if (rc != c->strict)
			fail_msg("%s: strict %s want %s", c->file, ipk_errname(rc),
				 ipk_errname(c->strict));
		assert_int_equal(eo, c->off);
		rc = ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL);
		if (rc != c->lax)
			fail_msg("%s: lax %s want %s", c->file, ipk_errname(rc),
				 ipk_errname(c->lax));
		if (rc == 0)
			assert_int_equal(h.truncated, c->truncated);
		rc = ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL);
		if (rc != c->go)
			fail_msg("%s: go %s want %s", c->file, ipk_errname(rc), ipk_errname(c->go));
	}
	/* specifics: tcpdump "(->2947)" for the fuzzed header; TSO checksum not computed */
	uint8_t b[128];
	struct ipk_ip4 h;
	size_t n = unhex(td_cases[6].hex, b);
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(h.checksum, 0x3030);
	assert_int_equal(h.checksum_ok, 0);
	assert_int_equal(h.total_len, 12336);
	assert_int_equal(h.df, 1);
	b[10] = b[11] = 0;
	assert_int_equal(ipk_csum(b, 20), 0x2947);
	n = unhex(td_cases[5].hex, b);
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(h.checksum_ok, 0);
	b[10] = b[11] = 0;
	assert_int_equal(ipk_csum(b, 20), 0xd8df); /* tcpdump "bad cksum 0 (->d8df)" */
}

/* The same cases read from the shared captures with libpcap: bytes and verdicts agree. */
static void test_tcpdump_files(void **state)
{
	(void)state;
	int seen = 0;
	for (size_t i = 0; i < sizeof(td_cases) / sizeof(td_cases[0]); i++) {
		char path[512], eb[PCAP_ERRBUF_SIZE];
		snprintf(path, sizeof(path), "%s/tcpdump/%s", IPK_THIRD_PARTY_PCAPS, td_cases[i].file);
		pcap_t *p = pcap_open_offline(path, eb);
		if (!p)
			continue;
		struct pcap_pkthdr *ph;
		const u_char *d;
		if (pcap_next_ex(p, &ph, &d) == 1 && ph->caplen > 14) {
			const uint8_t *ip = d + 14;
			size_t n = ph->caplen - 14;
			uint8_t want[128];
			size_t wn = unhex(td_cases[i].hex, want);
			assert_memory_equal(ip, want, wn < n ? wn : n);
			if (wn == n || n <= 84) {
				assert_int_equal(wn, n);
				struct ipk_ip4 h;
				size_t eo = 0;
				assert_int_equal(ipk_ip4_parse(ip, n, IPK_IP4_STRICT, &h, &eo),
						 td_cases[i].strict);
			}
			seen++;
		}
		pcap_close(p);
	}
	if (!seen)
		skip();
}

/* GO profile parity with Go's Header.Parse (docs/go-differences.md section 1). */
static void test_go_profile(void **state)
{
	(void)state;
	uint8_t base[64], b[64];
	size_t n = unhex(V2REP_HEX, base);
	struct ipk_ip4 h;
	size_t eo;

	/* IHL 4 accepted, Len 16, no options view */
	memcpy(b, base, n);
	b[0] = 0x44;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), 0);
	assert_int_equal(h.ihl, 4);
	assert_int_equal(h.hlen, 16);
	assert_null(h.opts);
	assert_int_equal(h.opts_len, 0);
	assert_int_equal(h.ttl, 1);
	/* IHL 0: Len 0 */
	b[0] = 0x40;
	assert_int_equal(ipk_ip4_parse(b, 20, IPK_IP4_GO, &h, NULL), 0);
	assert_int_equal(h.hlen, 0);
	/* version 6 accepted */
	memcpy(b, base, n);
	b[0] = 0x66;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), 0);
	assert_int_equal(h.version, 6);
	assert_ptr_equal(h.opts, b + 20);
	/* bad checksum, total length 0 / short / long, bad options: all accepted */
	memcpy(b, base, n);
	b[11] ^= 0xff;
	b[2] = b[3] = 0;
	b[20] = b[21] = IPK_OPT_NOP;
	b[22] = IPK_OPT_LSRR;
	b[23] = 0;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), 0);
	assert_int_equal(h.checksum_ok, 0);
	assert_int_equal(h.total_len, 0);
	b[2] = 0xff;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), 0);
	assert_int_equal(h.truncated, 1);
	/* the only two errors: len < 20 ("header too short"), len < IHL*4 ("extension header too
	 * short") */
	for (size_t l = 0; l < 20; l++)
		expect_err(base, l, IPK_IP4_GO, IPK_E_IP_SHORT, 0);
	for (size_t l = 20; l < 24; l++)
		expect_err(base, l, IPK_IP4_GO, IPK_E_IP_HDR_TRUNC, 0);
	memcpy(b, base, n);
	b[0] = 0x6f;
	eo = 5;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, &eo), IPK_E_IP_HDR_TRUNC);
	assert_int_equal(eo, 0);
	/* bytes after IHL*4 are ignored, options view is buf[20..IHL*4) */
	assert_int_equal(ipk_ip4_parse(base, n, IPK_IP4_GO, &h, NULL), 0);
	assert_ptr_equal(h.opts, base + 20);
	assert_int_equal(h.opts_len, 4);
	/* unknown profile */
	assert_int_equal(ipk_ip4_parse(base, n, 7, &h, NULL), IPK_E_INVAL);
}

/* LAX: structure only. */
static void test_lax_profile(void **state)
{
	(void)state;
	uint8_t base[64], b[64];
	size_t n = unhex(V2REP_HEX, base);
	struct ipk_ip4 h;
	memcpy(b, base, n);
	b[0] = 0x66;
	b[11] ^= 1;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(h.version, 6);
	assert_int_equal(h.checksum_ok, 0);
	b[0] = 0x44;
	expect_err(b, n, IPK_IP4_LAX, IPK_E_IP_IHL, 0);
	expect_err(base, 23, IPK_IP4_LAX, IPK_E_IP_HDR_TRUNC, 0);
	expect_err(base, 19, IPK_IP4_LAX, IPK_E_IP_SHORT, 0);
	assert_int_equal(ipk_ip4_parse(base, 28, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(h.truncated, 1);
	assert_int_equal(h.checksum_ok, 1);
	assert_int_equal(ipk_ip4_parse(base, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(h.truncated, 0);
}

/* On error h is filled from the bytes that exist. */
static void test_partial_fill(void **state)
{
	(void)state;
	uint8_t base[64];
	size_t n = unhex(V2REP_HEX, base);
	struct ipk_ip4 h;
	memset(&h, 0xaa, sizeof(h));
	assert_int_equal(ipk_ip4_parse(base, 10, IPK_IP4_STRICT, &h, NULL), IPK_E_IP_SHORT);
	assert_int_equal(h.version, 4);
	assert_int_equal(h.ihl, 6);
	assert_int_equal(h.total_len, 32);
	assert_int_equal(h.ttl, 1);
	assert_int_equal(h.proto, 2);
	assert_int_equal(h.checksum, 0); /* byte 10 not captured */
	assert_int_equal(h.src, 0);
	assert_null(h.opts);
	assert_int_equal(ipk_ip4_parse(base, n - 1, IPK_IP4_STRICT, &h, NULL), IPK_E_IP_TRUNCATED);
	assert_int_equal(h.truncated, 1);
	assert_int_equal(h.checksum_ok, 1);
	assert_int_equal(h.dst, IPK_IP4_ADDR(239, 1, 1, 1));
}

/* IPK_IP4_RAWORDER: total length and flags/fragment word in host order, both ways. */
static void test_raworder(void **state)
{
	(void)state;
	uint8_t b[64], opt[4] = {0x94, 0x04, 0x00, 0x00};
	struct ipk_ip4 in = {0}, out;
	in.tos = 0x10;
	in.id = 0xbeef;
	in.df = 1;
	in.mf = 1;
	in.frag_off = 0x123;
	in.ttl = 64;
	in.proto = 17;
	in.src = IPK_IP4_ADDR(198, 18, 0, 1);
	in.dst = IPK_IP4_ADDR(198, 18, 0, 2);
	in.opts = opt;
	in.opts_len = 4;
	int hl = ipk_ip4_marshal(&in, 11, IPK_IP4_RAWORDER, b, sizeof(b));
	assert_int_equal(hl, 24);
	uint16_t tl, fw;
	memcpy(&tl, b + 2, 2);
	memcpy(&fw, b + 6, 2);
	assert_int_equal(tl, 35);
	assert_int_equal(fw, 0x4000 | 0x2000 | 0x123);
	assert_int_equal(b[4], 0xbe); /* ID stays big-endian */
	assert_int_equal(b[5], 0xef);
	assert_int_equal(ipk_csum(b, 24), 0);
	memset(b + 24, 0, 11);
	assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_STRICT | IPK_IP4_RAWORDER, &out, NULL), 0);
	assert_int_equal(out.total_len, 35);
	assert_int_equal(out.df, 1);
	assert_int_equal(out.mf, 1);
	assert_int_equal(out.frag_off, 0x123);
	assert_int_equal(out.id, 0xbeef);
	assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_GO | IPK_IP4_RAWORDER, &out, NULL), 0);
	assert_int_equal(out.total_len,
			 35); /* no +hlen: only the byte-order part of Go's darwin rule */
	assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_LAX | IPK_IP4_RAWORDER, &out, NULL), 0);
	assert_int_equal(out.frag_off, 0x123);
	/* read as wire order on a little-endian host the fields are byte-swapped */
	uint16_t probe = 1;
	if (*(uint8_t *)&probe == 1) {
		assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_LAX, &out, NULL), 0);
		assert_int_equal(out.total_len, 0x2300);
		assert_int_equal(ipk_ip4_parse(b, 35, IPK_IP4_STRICT, &out, NULL),
				 IPK_E_IP_TRUNCATED);
	}
}

/* Marshal defaults and every override written verbatim. */
static void test_marshal_overrides(void **state)
{
	(void)state;
	uint8_t b[64];
	struct ipk_ip4 in = {0};
	in.ttl = 1;
	in.proto = 2;
	in.src = IPK_IP4_ADDR(192, 168, 1, 10);
	in.dst = IPK_IP4_ADDR(239, 1, 1, 1);
	in.df = 1;
	in.tos = 0xc0;
	uint8_t ra[4] = {0x94, 0x04, 0x00, 0x00};
	in.opts = ra;
	in.opts_len = 4;
	/* default: exactly the docs/igmp.md section 6 header */
	uint8_t want[64];
	unhex(V2REP_HEX, want);
	assert_int_equal(ipk_ip4_marshal(&in, 8, 0, b, sizeof(b)), 24);
	assert_memory_equal(b, want, 24);
	/* version and IHL in the struct are ignored by default */
	in.version = 9;
	in.ihl = 2;
	in.total_len = 7;
	in.checksum = 0x1111;
	assert_int_equal(ipk_ip4_marshal(&in, 8, 0, b, sizeof(b)), 24);
	assert_memory_equal(b, want, 24);

	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_CSUM, b, sizeof(b)), 24);
	assert_int_equal(b[10], 0x11);
	assert_int_equal(b[11], 0x11);
	in.checksum = 0xdead;
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_CSUM, b, sizeof(b)), 24);
	assert_int_equal(b[10], 0xde);
	assert_int_equal(b[11], 0xad);
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_IHL, b, sizeof(b)), 24);
	assert_int_equal(b[0], 0x42);
	assert_int_equal(ipk_csum(b, 24), 0); /* checksum computed over what was written */
	in.ihl = 15;
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_IHL, b, sizeof(b)), 24);
	assert_int_equal(b[0], 0x4f);
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_VERSION, b, sizeof(b)), 24);
	assert_int_equal(b[0], 0x96);
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_TOTLEN, b, sizeof(b)), 24);
	assert_int_equal(b[2], 0);
	assert_int_equal(b[3], 7);
	assert_int_equal(ipk_csum(b, 24), 0);
	in.total_len = 0;
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_ALL, b, sizeof(b)), 24);
	assert_int_equal(b[0], 0x9f);
	assert_int_equal(b[2] | b[3], 0);
	assert_int_equal(b[10] << 8 | b[11], 0xdead);
	/* a written-wrong header is then rejected by strict parse with the right code */
	struct ipk_ip4 h;
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_CSUM, b, sizeof(b)), 24);
	memset(b + 24, 0, 8);
	expect_err(b, 32, IPK_IP4_STRICT, IPK_E_IP_CHECKSUM, 10);
	in.total_len = 19;
	assert_int_equal(ipk_ip4_marshal(&in, 8, IPK_IP4_KEEP_TOTLEN, b, sizeof(b)), 24);
	assert_int_equal(ipk_ip4_parse(b, 32, IPK_IP4_STRICT, &h, NULL), IPK_E_IP_TOTLEN_SHORT);
	/* all flag bits and a 13-bit offset */
	in.rf = 1;
	in.mf = 1;
	in.frag_off = 0xffff; /* masked to 13 bits */
	assert_int_equal(ipk_ip4_marshal(&in, 8, 0, b, sizeof(b)), 24);
	assert_int_equal(b[6], 0xff);
	assert_int_equal(b[7], 0xff);
}

/* Option padding, limits, NOSPACE writes nothing. */
static void test_marshal_limits(void **state)
{
	(void)state;
	uint8_t b[80], opts[41];
	struct ipk_ip4 in = {0};
	in.ttl = 64;
	memset(opts, 1, sizeof(opts));
	in.opts = opts;
	for (size_t ol = 0; ol <= 40; ol++) {
		in.opts_len = (uint16_t)ol;
		memset(b, 0xee, sizeof(b));
		size_t want = 20 + ((ol + 3) & ~(size_t)3);
		assert_int_equal(ipk_ip4_marshal(&in, 0, 0, b, sizeof(b)), (int)want);
		assert_int_equal(b[0] & 0x0f, want / 4);
		for (size_t i = 20; i < 20 + ol; i++)
			assert_int_equal(b[i], 1);
		for (size_t i = 20 + ol; i < want; i++)
			assert_int_equal(b[i], 0); /* EOL padding */
		assert_int_equal(b[want], 0xee);
		assert_int_equal(ipk_csum(b, want), 0);
		assert_int_equal(b[2] << 8 | b[3], want);
		/* one byte short: nothing written */
		memset(b, 0xee, sizeof(b));
		assert_int_equal(ipk_ip4_marshal(&in, 0, 0, b, want - 1), IPK_E_NOSPACE);
		for (size_t i = 0; i < sizeof(b); i++)
			assert_int_equal(b[i], 0xee);
	}
	in.opts_len = 41;
	assert_int_equal(ipk_ip4_marshal(&in, 0, 0, b, sizeof(b)), IPK_E_TOOLONG);
	in.opts_len = 0;
	assert_int_equal(ipk_ip4_marshal(&in, 65535 - 20, 0, b, sizeof(b)), 20);
	assert_int_equal(b[2] << 8 | b[3], 65535);
	assert_int_equal(ipk_ip4_marshal(&in, 65535 - 19, 0, b, sizeof(b)), IPK_E_TOOLONG);
	assert_int_equal(ipk_ip4_marshal(&in, (size_t)-1, 0, b, sizeof(b)), IPK_E_TOOLONG);
	/* an explicit total length skips the payload limit */
	assert_int_equal(ipk_ip4_marshal(&in, 70000, IPK_IP4_KEEP_TOTLEN, b, sizeof(b)), 20);
	in.opts = NULL;
	in.opts_len = 4;
	assert_int_equal(ipk_ip4_marshal(&in, 0, 0, b, sizeof(b)), IPK_E_INVAL);
	assert_int_equal(ipk_ip4_marshal(&in, 0, 0, b, 0), IPK_E_INVAL);
}

/* parse(marshal(h)) == h over many generated headers, with all profiles. */
static void test_round_trip(void **state)
{
	(void)state;
	uint32_t x = 99;
	uint8_t b[80], opts[40];
	for (int it = 0; it < 2000; it++) {
		struct ipk_ip4 in = {0}, out;
		x = x * 1103515245u + 12345u;
		in.tos = (uint8_t)(x >> 8);
		in.id = (uint16_t)(x >> 12);
		in.rf = x >> 1 & 1;
		in.df = x >> 2 & 1;
		in.mf = x >> 3 & 1;
		x = x * 1103515245u + 12345u;
		in.frag_off = (uint16_t)(x >> 5) & 0x1fff;
		in.ttl = (uint8_t)(x >> 20);
		in.proto = (uint8_t)(x >> 24);
		x = x * 1103515245u + 12345u;
		in.src = x;
		x = x * 1103515245u + 12345u;
		in.dst = x;
		/* options: NOPs then an RA, a multiple of 4 so parse returns the same length */
		size_t ol = (size_t)(it % 11) * 4;
		memset(opts, IPK_OPT_NOP, sizeof(opts));
		if (ol >= 4) {
			opts[ol - 4] = IPK_OPT_RA;
			opts[ol - 3] = 4;
			opts[ol - 2] = 0;
			opts[ol - 1] = 0;
		}
		in.opts = ol ? opts : NULL;
		in.opts_len = (uint16_t)ol;
		size_t pl = (size_t)(it % 7);
		unsigned raw = (it & 1) ? IPK_IP4_RAWORDER : 0;
		int hl = ipk_ip4_marshal(&in, pl, raw, b, sizeof(b));
		assert_int_equal(hl, 20 + (int)ol);
		memset(b + hl, 0x5a, pl);
		assert_int_equal(
		    ipk_ip4_parse(b, (size_t)hl + pl, IPK_IP4_STRICT | raw, &out, NULL), 0);
		assert_int_equal(out.version, 4);
		assert_int_equal(out.hlen, hl);
		assert_int_equal(out.ihl, hl / 4);
		assert_int_equal(out.total_len, hl + (int)pl);
		assert_int_equal(out.tos, in.tos);
		assert_int_equal(out.id, in.id);
		assert_int_equal(out.rf, in.rf);
		assert_int_equal(out.df, in.df);
		assert_int_equal(out.mf, in.mf);
		assert_int_equal(out.frag_off, in.frag_off);
		assert_int_equal(out.ttl, in.ttl);
		assert_int_equal(out.proto, in.proto);
		assert_int_equal(out.src, in.src);
		assert_int_equal(out.dst, in.dst);
		assert_int_equal(out.opts_len, ol);
		if (ol)
			assert_memory_equal(out.opts, opts, ol);
		assert_int_equal(out.checksum_ok, 1);
		assert_int_equal(out.truncated, 0);
		/* and back: marshal(parse) with the parsed checksum kept gives the same bytes */
		uint8_t c[80];
		assert_int_equal(ipk_ip4_marshal(&out, pl, raw | IPK_IP4_KEEP_ALL, c, sizeof(c)),
				 hl);
		assert_memory_equal(b, c, (size_t)hl);
	}
}

/*
 * ipk_ip4_parse() takes a valid strict 20-byte header inline and every other input through the
 * general parser. Random headers near the edges of each rule (byte 0, total length around 20 and
 * len, checksum right or off by one): the STRICT result is the independent model's, and on success
 * every field equals what the general parser (LAX) fills; h is poisoned first so an unwritten
 * field shows.
 */
static void test_fast_path_model(void **state)
{
	(void)state;
	uint32_t x = 7;
	uint8_t b[64];
	static const uint8_t b0[] = {0x45, 0x45, 0x45, 0x44, 0x46, 0x55, 0x35, 0x4f, 0x05};
	for (int it = 0; it < 20000; it++) {
		for (size_t i = 0; i < sizeof(b); i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		x = x * 1103515245u + 12345u;
		size_t len = 20 + (x >> 8) % 40;
		b[0] = b0[(x >> 16) % sizeof(b0)];
		size_t tl;
		switch ((x >> 20) & 7) {
		case 0: tl = 0; break;
		case 1: tl = 19; break;
		case 2: tl = 20; break;
		case 3: tl = len; break;
		case 4: tl = len + 1; break;
		default: tl = 20 + (x >> 24) % (len - 19); break;
		}
		b[2] = (uint8_t)(tl >> 8);
		b[3] = (uint8_t)tl;
		int csum_ok = (x >> 28) != 0;
		fix_csum(b, 20);
		if (!csum_ok)
			b[11] ^= 1;
		int ok = b[0] == 0x45 && tl >= 20 && tl <= len && csum_ok;
		struct ipk_ip4 h, g;
		size_t eo = 999;
		memset(&h, 0xa5, sizeof(h));
		memset(&g, 0x5a, sizeof(g));
		int rc = ipk_ip4_parse(b, len, IPK_IP4_STRICT, &h, &eo);
		if (!ok) {
			assert_true(rc < 0);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(eo, 999);
		assert_int_equal(ipk_ip4_parse(b, len, IPK_IP4_LAX, &g, NULL), 0);
		assert_int_equal(h.version, g.version);
		assert_int_equal(h.ihl, g.ihl);
		assert_int_equal(h.hlen, g.hlen);
		assert_int_equal(h.tos, g.tos);
		assert_int_equal(h.ttl, g.ttl);
		assert_int_equal(h.proto, g.proto);
		assert_int_equal(h.rf, g.rf);
		assert_int_equal(h.df, g.df);
		assert_int_equal(h.mf, g.mf);
		assert_int_equal(h.total_len, g.total_len);
		assert_int_equal(h.id, g.id);
		assert_int_equal(h.frag_off, g.frag_off);
		assert_int_equal(h.checksum, g.checksum);
		assert_int_equal(h.src, g.src);
		assert_int_equal(h.dst, g.dst);
		assert_ptr_equal(h.opts, NULL);
		assert_ptr_equal(g.opts, NULL);
		assert_int_equal(h.opts_len, 0);
		assert_int_equal(h.checksum_ok, 1);
		assert_int_equal(g.checksum_ok, 1);
		assert_int_equal(h.truncated, 0);
		assert_int_equal(g.truncated, 0);
		/* and the fields against the bytes themselves */
		assert_int_equal(h.tos, b[1]);
		assert_int_equal(h.id, b[4] << 8 | b[5]);
		assert_int_equal(h.rf, b[6] >> 7);
		assert_int_equal(h.df, b[6] >> 6 & 1);
		assert_int_equal(h.mf, b[6] >> 5 & 1);
		assert_int_equal(h.frag_off, (b[6] & 0x1f) << 8 | b[7]);
		assert_int_equal(h.ttl, b[8]);
		assert_int_equal(h.proto, b[9]);
		assert_int_equal(h.checksum, b[10] << 8 | b[11]);
		assert_int_equal(h.src, (uint32_t)b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15]);
		assert_int_equal(h.dst, (uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]);
	}
}

/* Marshal sums the checksum from the header words for no options and for one option word, and
 * from the buffer otherwise: every option length, each flag, the checksum always verifies and
 * equals a byte-wise recomputation. */
static void test_marshal_csum_paths(void **state)
{
	(void)state;
	uint32_t x = 3;
	uint8_t b[64], c[64], opts[40];
	for (int it = 0; it < 4000; it++) {
		struct ipk_ip4 in = {0};
		x = x * 1103515245u + 12345u;
		in.tos = (uint8_t)(x >> 8);
		in.id = (uint16_t)(x >> 16);
		in.rf = x & 1;
		in.df = x >> 1 & 1;
		in.mf = x >> 2 & 1;
		x = x * 1103515245u + 12345u;
		in.frag_off = (uint16_t)(x >> 3);
		in.ttl = (uint8_t)(x >> 16);
		in.proto = (uint8_t)(x >> 24);
		x = x * 1103515245u + 12345u;
		in.src = it & 1 ? 0xffffffffu : x;
		x = x * 1103515245u + 12345u;
		in.dst = it & 2 ? 0xffffffffu : x;
		in.version = (uint8_t)(x >> 4);
		in.ihl = (uint8_t)(x >> 8);
		in.total_len = (uint16_t)(x >> 12);
		in.checksum = (uint16_t)(x >> 3);
		for (size_t i = 0; i < sizeof(opts); i++)
			opts[i] = (uint8_t)(x >> (i % 24));
		size_t ol = (size_t)it % 41;
		in.opts = ol ? opts : NULL;
		in.opts_len = (uint16_t)ol;
		unsigned flags = (unsigned)(it >> 3) & (IPK_IP4_KEEP_VERSION | IPK_IP4_KEEP_IHL |
							IPK_IP4_KEEP_TOTLEN);
		if (it & 4)
			flags |= IPK_IP4_RAWORDER;
		int hl = ipk_ip4_marshal(&in, 7, flags, b, sizeof(b));
		assert_int_equal(hl, 20 + (int)((ol + 3) & ~(size_t)3));
		assert_int_equal(ipk_csum(b, (size_t)hl), 0);
		memcpy(c, b, (size_t)hl);
		fix_csum(c, (size_t)hl);
		assert_memory_equal(b, c, (size_t)hl);
		if (ol)
			assert_memory_equal(b + 20, opts, ol);
		for (size_t i = 20 + ol; i < (size_t)hl; i++)
			assert_int_equal(b[i], IPK_OPT_EOL);
		/* KEEP_CSUM writes the given value over any path */
		assert_int_equal(ipk_ip4_marshal(&in, 7, flags | IPK_IP4_KEEP_CSUM, c, sizeof(c)),
				 hl);
		assert_int_equal(c[10] << 8 | c[11], in.checksum);
		c[10] = b[10];
		c[11] = b[11];
		assert_memory_equal(b, c, (size_t)hl);
	}
}

/* ipk_ip4_check: collects everything, no early stop, offsets from buf. */
static int has(const struct ipk_findings *f, int code, size_t off)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->v[i].code == code && f->v[i].offset == off &&
		    f->v[i].layer == IPK_LAYER_IPV4)
			return 1;
	return 0;
}

static void test_check(void **state)
{
	(void)state;
	uint8_t base[64], b[128];
	size_t n = unhex(V2REP_HEX, base);
	struct ipk_ip4 h;
	struct ipk_findings f;

	/* a clean header: nothing */
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(base, n, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, base, n, &f), 0);
	assert_int_equal(f.n, 0);

	/* version 6, bad checksum, reserved flag, link padding, after-EOL option bytes */
	memcpy(b, base, n);
	memset(b + n, 0, 10);
	b[0] = 0x66;
	b[6] |= 0x80;
	b[20] = IPK_OPT_EOL;
	b[21] = 0;
	b[22] = 7;
	b[23] = 0;
	b[11] ^= 0x55;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n + 10, IPK_IP4_LAX, &h, NULL), 0);
	int k = ipk_ip4_check(&h, b, n + 10, &f);
	assert_int_equal(k, f.n);
	assert_true(has(&f, IPK_E_IP_VERSION, 0));
	assert_true(has(&f, IPK_E_IP_CHECKSUM, 10));
	assert_true(has(&f, IPK_E_IP_RESERVED_FLAG, 6));
	assert_false(has(&f, IPK_E_IP_LINK_PADDING, 32)); /* link-aware: packet.c reports it */
	assert_true(has(&f, IPK_E_OPT_AFTER_EOL, 22));
	assert_int_equal(k, 4);
	/* order: errors in docs/linux-options.md section 1 order, version first */
	assert_int_equal(f.v[0].code, IPK_E_IP_VERSION);
	assert_int_equal(f.v[1].code, IPK_E_IP_CHECKSUM);

	/* total length 0 plus bad checksum (the TSO capture) */
	n = unhex(td_cases[5].hex, b);
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, b, n, &f), 2);
	assert_true(has(&f, IPK_E_IP_TOTLEN_ZERO, 2));
	assert_true(has(&f, IPK_E_IP_CHECKSUM, 10));

	/* fragment past 65535, and an option error with offset base 20 */
	n = unhex(V2REP_HEX, b);
	b[6] = 0x1f; /* offset 8191 * 8 = 65528, + 8 payload bytes */
	b[7] = 0xff;
	b[20] = b[21] = IPK_OPT_NOP;
	b[22] = IPK_OPT_LSRR;
	b[23] = 0;
	fix_csum(b, 24);
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, b, n, &f), 2);
	assert_true(has(&f, IPK_E_IP_FRAG_OVERSIZE, 6));
	assert_true(has(&f, IPK_E_OPT_LEN, 22));
	b[7] = 0xfe; /* 65520 + 8 fits */
	b[22] = IPK_OPT_NOP;
	b[23] = IPK_OPT_NOP;
	fix_csum(b, 24);
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, b, n, &f), 0);

	/* truncated capture, short total length, IHL 4 from the GO profile, short buffer */
	n = unhex(V2REP_HEX, b);
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, 28, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, b, 28, &f), 1);
	assert_true(has(&f, IPK_E_IP_TRUNCATED, 2));
	b[0] = 0x44;
	b[3] = 10;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), 0);
	ipk_ip4_check(&h, b, n, &f);
	assert_true(has(&f, IPK_E_IP_IHL, 0));
	assert_true(has(&f, IPK_E_IP_TOTLEN_SHORT, 2));
	assert_false(has(&f, IPK_E_IP_CHECKSUM, 10)); /* no header to sum */
	b[0] = 0x4f;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_GO, &h, NULL), IPK_E_IP_HDR_TRUNC);
	ipk_ip4_check(&h, b, n, &f);
	assert_true(has(&f, IPK_E_IP_HDR_TRUNC, 0));
	memset(&f, 0, sizeof(f));
	b[0] = 0x63;
	assert_int_equal(ipk_ip4_parse(b, 5, IPK_IP4_LAX, &h, NULL), IPK_E_IP_SHORT);
	assert_int_equal(ipk_ip4_check(&h, b, 5, &f), 3);
	assert_true(has(&f, IPK_E_IP_SHORT, 0));
	assert_true(has(&f, IPK_E_IP_VERSION, 0));
	assert_true(has(&f, IPK_E_IP_IHL, 0));

	/* findings list overflow is counted, the return still counts everything */
	memset(&f, 0, sizeof(f));
	f.n = IPK_MAX_FINDINGS - 1;
	n = unhex(V2REP_HEX, b);
	b[0] = 0x66;
	b[6] |= 0x80;
	assert_int_equal(ipk_ip4_parse(b, n, IPK_IP4_LAX, &h, NULL), 0);
	assert_int_equal(ipk_ip4_check(&h, b, n, &f), 3);
	assert_int_equal(f.dropped, 2);
}

/* Guard page: every length 0..60 of a valid 60-byte header, every profile, and check. */
static void test_guard(void **state)
{
	(void)state;
	uint8_t hdr[60];
	struct ipk_ip4 in = {0}, h;
	uint8_t opts[40];
	memset(opts, IPK_OPT_NOP, sizeof(opts));
	opts[36] = IPK_OPT_RA;
	opts[37] = 4;
	opts[38] = 0;
	opts[39] = 0;
	in.ttl = 1;
	in.proto = 2;
	in.opts = opts;
	in.opts_len = 40;
	assert_int_equal(ipk_ip4_marshal(&in, 0, 0, hdr, sizeof(hdr)), 60);
	for (size_t l = 0; l <= 60; l++) {
		const uint8_t *g = guard_place(hdr, l);
		assert_non_null(g);
		int want = l < 20 ? IPK_E_IP_SHORT : l < 60 ? IPK_E_IP_HDR_TRUNC : 0;
		for (unsigned p = 0; p <= IPK_IP4_LAX; p++) {
			size_t eo = 99;
			assert_int_equal(ipk_ip4_parse(g, l, p, &h, &eo), want);
			assert_int_equal(ipk_ip4_parse(g, l, p | IPK_IP4_RAWORDER, &h, &eo) == 0,
					 l == 60 && p != IPK_IP4_STRICT);
			struct ipk_findings f;
			memset(&f, 0, sizeof(f));
			int lr = ipk_ip4_parse(g, l, IPK_IP4_LAX, &h, NULL);
			assert_true(lr == 0 || lr == IPK_E_IP_SHORT || lr == IPK_E_IP_HDR_TRUNC);
			ipk_ip4_check(&h, g, l, &f);
			if (l == 60)
				assert_int_equal(f.n, 0);
		}
	}
	/* and a 60-byte header with a long payload view capped at the guard */
	const uint8_t *g = guard_place(hdr, 60);
	assert_int_equal(ipk_ip4_parse(g, 60, IPK_IP4_STRICT, &h, NULL), 0);
	assert_int_equal(h.opts_len, 40);
}

static void test_ntoa_aton(void **state)
{
	(void)state;
	char s[16], r[INET_ADDRSTRLEN];
	uint32_t a;
	const uint32_t addrs[] = {0,
				  0xffffffff,
				  IPK_IP4_ADDR(192, 168, 1, 10),
				  IPK_IP4_ADDR(224, 0, 0, 22),
				  IPK_IP4_ADDR(10, 0, 100, 9),
				  IPK_IP4_ADDR(1, 20, 255, 100)};
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		size_t n = ipk_ip4_ntoa(addrs[i], s);
		uint32_t be = htonl(addrs[i]);
		assert_non_null(inet_ntop(AF_INET, &be, r, sizeof(r)));
		assert_string_equal(s, r);
		assert_int_equal(n, strlen(r));
		assert_int_equal(ipk_ip4_aton(s, &a), 0);
		assert_int_equal(a, addrs[i]);
	}
	uint32_t x = 7;
	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245u + 12345u;
		ipk_ip4_ntoa(x, s);
		assert_int_equal(ipk_ip4_aton(s, &a), 0);
		assert_int_equal(a, x);
	}
	assert_int_equal(ipk_ip4_ntoa(IPK_IP4_ADDR(255, 255, 255, 255), s), 15);
	/* strictness matches inet_pton(AF_INET) */
	const char *cases[] = {
	    "",           "1.2.3",     "1.2.3.4.",        "256.1.1.1", "01.2.3.4",  "1.2.3.4 ",
	    " 1.2.3.4",   "1..2.3",    "a.b.c.d",         "1.2.3.-4",  "0x1.2.3.4", "1234.1.1.1",
	    "1.2.3.4.5",  "0.0.0.0",   "255.255.255.255", "1.2.3.04",  "1.2.3.255", "1.2.3.256",
	    "9.99.199.0", "1.2.3.4\n", "+1.2.3.4",        "1.2.3.",    ".1.2.3",    "00.1.2.3"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in_addr ia;
		int ok = inet_pton(AF_INET, cases[i], &ia) == 1;
		a = 0xdeadbeef;
		int rc = ipk_ip4_aton(cases[i], &a);
		if ((rc == 0) != ok)
			fail_msg("aton(\"%s\") = %d, inet_pton ok=%d", cases[i], rc, ok);
		if (ok)
			assert_int_equal(a, ntohl(ia.s_addr));
		else
			assert_int_equal(rc, IPK_E_INVAL);
	}
}

/* ipk_ip4_csum_adjust: a right checksum stays right for every field a rewrite changes (the
 * marshal of the new header computes the same value); a wrong one stays off by as much. */
static void test_csum_adjust(void **state)
{
	(void)state;
	struct ipk_ip4 a = {.version = 4, .ihl = 5, .hlen = 20, .tos = 0x10, .ttl = 64, .proto = 17,
			    .df = 1, .total_len = 48, .id = 0x1234, .src = 0xc6120001, .dst = 0xc6130001};
	uint8_t buf[20];
	for (int field = 0; field < 8; field++) {
		struct ipk_ip4 b;
		assert_int_equal(ipk_ip4_marshal(&a, 28, 0, buf, sizeof(buf)), 20);
		a.checksum = (uint16_t)(buf[10] << 8 | buf[11]);
		b = a;
		switch (field) {
		case 0: b.tos = 0xb8; break;
		case 1: b.ttl = 1; break;
		case 2: b.id = 0xffff; break;
		case 3: b.src = 0x0a000001; break;
		case 4: b.dst = 0xe0000016; break;
		case 5: b.total_len = 1500; break;
		case 6: b.mf = 1; b.frag_off = 0x1fff; break;
		default: b.proto = 2; b.ttl = 255; b.src = 0; break;
		}
		assert_int_equal(ipk_ip4_marshal(&b, (size_t)b.total_len - 20, IPK_IP4_KEEP_TOTLEN, buf, sizeof(buf)), 20);
		assert_int_equal(ipk_ip4_csum_adjust(&a, &b), buf[10] << 8 | buf[11]);
		/* wrong by 0x0101 before: wrong by the same after */
		struct ipk_ip4 w = a;
		w.checksum = (uint16_t)(a.checksum + 0x0101);
		uint16_t right = ipk_ip4_csum_adjust(&a, &b), wrong = ipk_ip4_csum_adjust(&w, &b);
		assert_int_not_equal(right, wrong);
		b.checksum = wrong; /* and back: the wrong value it started from */
		assert_int_equal(ipk_ip4_csum_adjust(&b, &w), w.checksum);
	}
}

/* The step-by-step RFC 1624 update, one ipk_csum_update16/32 per changed word (TOS word, TTL
 * word, ID, total length, flags word, source, destination): what ipk_ip4_csum_adjust must equal,
 * the 0x0000/0xffff corners included. */
static uint16_t adjust_by_word(const struct ipk_ip4 *a, const struct ipk_ip4 *b)
{
	uint16_t wa[5], wb[5], c = a->checksum;
	const struct ipk_ip4 *h[2] = {a, b};
	uint16_t *w[2] = {wa, wb};
	for (int i = 0; i < 2; i++) {
		const struct ipk_ip4 *q = h[i];
		w[i][0] = (uint16_t)((q->version & 15) << 12 | (q->ihl & 15) << 8 | q->tos);
		w[i][1] = (uint16_t)(q->ttl << 8 | q->proto);
		w[i][2] = q->id;
		w[i][3] = q->total_len;
		w[i][4] = (uint16_t)((q->rf & 1) << 15 | (q->df & 1) << 14 | (q->mf & 1) << 13 |
				     (q->frag_off & 0x1fff));
	}
	for (int k = 0; k < 5; k++)
		if (wa[k] != wb[k])
			c = ipk_csum_update16(c, wa[k], wb[k]);
	if (a->src != b->src)
		c = ipk_csum_update32(c, a->src, b->src);
	if (a->dst != b->dst)
		c = ipk_csum_update32(c, a->dst, b->dst);
	return c;
}

/* ipk_ip4_csum_adjust sums the changed words and folds once: the same value as the word-by-word
 * update on random headers whose fields and checksums favour 0, 0xffff and 0xff. */
static void test_csum_adjust_by_word(void **state)
{
	(void)state;
	uint32_t x = 0x12345678u;
	int corner = 0;
	for (int i = 0; i < 200000; i++) {
		struct ipk_ip4 h[2];
		uint32_t r[16];
		for (int j = 0; j < 16; j++) {
			x = x * 1103515245u + 12345u;
			uint32_t v = x >> 8;
			static const uint32_t pick[3] = {0, 0xffffffffu, 0xff};
			r[j] = (v & 3) < 3 ? pick[v & 3] : v * 2654435761u;
		}
		for (int k = 0; k < 2; k++) {
			struct ipk_ip4 *p = &h[k];
			memset(p, 0, sizeof(*p));
			/* the second header keeps the first's fields whose bit in keep is set */
			uint32_t keep = k ? r[15] : 0;
			p->version = (uint8_t)((keep & 1) ? h[0].version : r[0] >> (8 * k));
			p->ihl = (uint8_t)((keep & 2) ? h[0].ihl : r[1] >> (8 * k));
			p->tos = (uint8_t)((keep & 4) ? h[0].tos : r[2] >> (8 * k));
			p->ttl = (uint8_t)((keep & 8) ? h[0].ttl : r[3] >> (8 * k));
			p->proto = (uint8_t)((keep & 16) ? h[0].proto : r[4] >> (8 * k));
			p->rf = (uint8_t)((keep & 32) ? h[0].rf : (r[5] >> k) & 1);
			p->df = (uint8_t)((keep & 64) ? h[0].df : (r[6] >> k) & 1);
			p->mf = (uint8_t)((keep & 128) ? h[0].mf : (r[7] >> k) & 1);
			p->total_len = (uint16_t)((keep & 256) ? h[0].total_len : r[8] >> (16 * k));
			p->id = (uint16_t)((keep & 512) ? h[0].id : r[9] >> (16 * k));
			p->frag_off = (uint16_t)((keep & 1024) ? h[0].frag_off
							       : (r[10] >> (16 * k)) & 0x1fff);
			p->src = (keep & 2048) ? h[0].src : r[11] ^ (k ? r[13] : 0);
			p->dst = (keep & 4096) ? h[0].dst : r[12] ^ (k ? r[14] : 0);
			p->checksum = (uint16_t)(r[13] >> 16);
		}
		uint16_t want = adjust_by_word(&h[0], &h[1]);
		corner += want == 0 || want == 0xffff;
		assert_int_equal(ipk_ip4_csum_adjust(&h[0], &h[1]), want);
	}
	assert_true(corner > 100); /* the corners were reached */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csum_adjust),
	    cmocka_unit_test(test_csum_adjust_by_word),
	    cmocka_unit_test(test_fields_v2_report),
	    cmocka_unit_test(test_fields_v3_gq_and_go_vector),
	    cmocka_unit_test(test_fields_frag),
	    cmocka_unit_test(test_strict_errors),
	    cmocka_unit_test(test_strict_order),
	    cmocka_unit_test(test_tcpdump_cases),
	    cmocka_unit_test(test_tcpdump_files),
	    cmocka_unit_test(test_go_profile),
	    cmocka_unit_test(test_lax_profile),
	    cmocka_unit_test(test_partial_fill),
	    cmocka_unit_test(test_raworder),
	    cmocka_unit_test(test_marshal_overrides),
	    cmocka_unit_test(test_marshal_limits),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_fast_path_model),
	    cmocka_unit_test(test_marshal_csum_paths),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_guard),
	    cmocka_unit_test(test_ntoa_aton),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
