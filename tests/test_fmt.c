/* test_fmt.c - the formatter (src/fmt): exact text, verbose and JSON lines for packets built with the codec builders; received datagrams with hostile strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ipv4kit/ipv4kit.h"

#define SRC IPK_IP4_ADDR(198, 18, 0, 1)

static uint8_t pkt[2048];
static struct ipk_packet P;
static char out[IPK_FMT_MAX];
static const struct ipk_fmt_meta META = {1, 1699963200, 1000}; /* 2023-11-14 12:00:00.000001 UTC */

/* Decode pkt[0..n) as a raw IPv4 frame and format it; returns the NUL-terminated output. */
static const char *fmt(size_t n, int style)
{
	ipk_packet_decode(IPK_DLT_RAW, pkt, n, n, &P);
	int r = ipk_fmt_packet(&P, &META, style, out, sizeof(out) - 1);
	assert_true(r > 0);
	assert_int_equal(out[r - 1], '\n');
	out[r] = 0;
	return out;
}

/* Set the TOS of the header in pkt and recompute its checksum (the builders' default TOS is
 * not what these tests are about). */
static void set_tos(uint8_t tos)
{
	size_t hl = (size_t)(pkt[0] & 15) * 4;
	pkt[1] = tos;
	pkt[10] = pkt[11] = 0;
	uint16_t c = ipk_csum(pkt, hl);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
}

/* IGMP message built at pkt + HDRROOM by put(), then the default header (TTL 1, DF, RA, tos). */
static size_t igmp_v2(uint8_t type, uint8_t mrt, uint32_t group)
{
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, pkt + IPK_IGMP_HDRROOM, sizeof(pkt) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v2(&w, type, mrt, group), 0);
	int n = ipk_igmp_dgram_finish(pkt, sizeof(pkt), w.len, SRC);
	assert_true(n > 0);
	set_tos(0);
	return (size_t)n;
}

static size_t v3_query(void)
{
	static const uint32_t srcs[] = {IPK_IP4_ADDR(198, 18, 0, 9), IPK_IP4_ADDR(198, 18, 0, 10)};
	struct ipk_igmp_v3q q = {.mrc = 100, .s = 1, .qrv = 2, .qqic = 125,
				 .group = IPK_IP4_ADDR(232, 1, 1, 1), .srcs = srcs, .nsrcs = 2};
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, pkt + IPK_IGMP_HDRROOM, sizeof(pkt) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_put_v3_query(&w, &q), 0);
	int n = ipk_igmp_dgram_finish(pkt, sizeof(pkt), w.len, SRC);
	assert_true(n > 0);
	set_tos(0xc0);
	return (size_t)n;
}

static size_t v3_report(void)
{
	static const uint32_t srcs[] = {IPK_IP4_ADDR(198, 18, 0, 9)};
	struct ipk_igmp_v3r r;
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, pkt + IPK_IGMP_HDRROOM, sizeof(pkt) - IPK_IGMP_HDRROOM);
	assert_int_equal(ipk_igmp_v3r_begin(&w, &r), 0);
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_TO_EX, IPK_IP4_ADDR(239, 1, 1, 1), NULL,
					  0, NULL, 0), 0);
	assert_int_equal(ipk_igmp_v3r_add(&w, &r, IPK_IGMP_ALLOW, IPK_IP4_ADDR(232, 1, 1, 1), srcs,
					  1, NULL, 0), 0);
	assert_int_equal(ipk_igmp_v3r_end(&w, &r), 0);
	int n = ipk_igmp_dgram_finish(pkt, sizeof(pkt), w.len, SRC);
	assert_true(n > 0);
	set_tos(0xc0);
	return (size_t)n;
}

/* IPv4 + 8-byte UDP header + 4 payload bytes, with the given option bytes. */
static size_t udp_with_opts(const uint8_t *opts, size_t olen, uint8_t ttl)
{
	struct ipk_ip4 h = {.version = 4, .tos = 0, .ttl = ttl, .proto = IPK_PROTO_UDP, .id = 7,
			    .src = SRC, .dst = IPK_IP4_ADDR(239, 9, 9, 9), .opts = opts,
			    .opts_len = (uint16_t)olen};
	int hl = ipk_ip4_marshal(&h, 12, 0, pkt, sizeof(pkt));
	assert_true(hl >= 20);
	uint8_t *u = pkt + hl;
	u[0] = 0x13, u[1] = 0x88, u[2] = 0x17, u[3] = 0x70, u[4] = 0, u[5] = 12, u[6] = 0, u[7] = 0;
	memcpy(u + 8, "abcd", 4);
	return (size_t)hl + 12;
}

static void t_igmpv2_report(void **state)
{
	(void)state;
	size_t n = igmp_v2(IPK_IGMP_V2_REPORT, 0, IPK_IP4_ADDR(239, 1, 2, 3));
	assert_string_equal(fmt(n, IPK_FMT_TEXT),
			    "1 12:00:00.000001 198.18.0.1 > 239.1.2.3: IGMP v2 report 239.1.2.3 "
			    "[ttl 1, DF, RA]\n");
	assert_string_equal(
		fmt(n, IPK_FMT_JSON),
		"{\"frame\":1,\"ts\":1699963200.000001,\"caplen\":32,\"len\":32,\"link\":\"raw\","
		"\"ipv4\":{\"version\":4,\"ihl\":6,\"hlen\":24,\"tos\":0,\"dscp\":0,\"ecn\":0,"
		"\"total_len\":32,\"id\":0,\"rf\":0,\"df\":1,\"mf\":0,\"frag_off\":0,\"ttl\":1,"
		"\"proto\":2,\"checksum\":11712,\"checksum_ok\":true,\"src\":\"198.18.0.1\","
		"\"dst\":\"239.1.2.3\",\"options\":[{\"type\":148,\"name\":\"RA\",\"len\":4,"
		"\"value\":0}]},\"igmp\":{\"version\":2,\"type\":22,\"name\":\"v2 report\","
		"\"checksum\":63738,\"checksum_ok\":true,\"max_resp_code\":0,\"max_resp_ds\":0,"
		"\"group\":\"239.1.2.3\"},\"errors\":[],\"findings\":[]}\n");
}

static void t_v3_query(void **state)
{
	(void)state;
	size_t n = v3_query();
	assert_string_equal(fmt(n, IPK_FMT_TEXT),
			    "1 12:00:00.000001 198.18.0.1 > 232.1.1.1: IGMP v3 query 232.1.1.1, "
			    "max resp 10.0s, S, qrv 2, qqi 125s, 2 sources [ttl 1, tos 0xc0, DF, RA]\n");
	const char *v = fmt(n, IPK_FMT_VERBOSE);
	assert_non_null(strstr(v, "\n    igmp: v3 query, type 0x11, code 100 (max resp 10.0s), "));
	assert_non_null(strstr(v, "group 232.1.1.1, s 1, qrv 2, qqic 125 (125s), 2 sources\n"
				  "      source 198.18.0.9\n      source 198.18.0.10\n"));
	assert_non_null(strstr(v, "\n    option RA (148) len 4: value 0\n"));
	const char *j = fmt(n, IPK_FMT_JSON);
	assert_non_null(strstr(j, "\"max_resp_code\":100,\"max_resp_ds\":100,\"group\":\"232.1.1.1\","
				  "\"s\":1,\"qrv\":2,\"qqic\":125,\"qqi_s\":125,"
				  "\"sources\":[\"198.18.0.9\",\"198.18.0.10\"]}"));
}

static void t_v3_report(void **state)
{
	(void)state;
	size_t n = v3_report();
	assert_string_equal(fmt(n, IPK_FMT_TEXT),
			    "1 12:00:00.000001 198.18.0.1 > 224.0.0.22: IGMP v3 report, 2 records "
			    "[ttl 1, tos 0xc0, DF, RA]\n");
	const char *v = fmt(n, IPK_FMT_VERBOSE);
	assert_non_null(strstr(v, "\n    record 1: to_ex (4) group 239.1.1.1, 0 sources, aux len 0\n"
				  "    record 2: allow (5) group 232.1.1.1, 1 source, aux len 0\n"
				  "      source 198.18.0.9\n"));
	const char *j = fmt(n, IPK_FMT_JSON);
	assert_non_null(strstr(j, "\"records\":[{\"type\":4,\"name\":\"to_ex\",\"group\":\"239.1.1.1\","
				  "\"aux_len\":0,\"sources\":[]},{\"type\":5,\"name\":\"allow\","
				  "\"group\":\"232.1.1.1\",\"aux_len\":0,\"sources\":[\"198.18.0.9\"]}]"));
	assert_null(strstr(j, "\"group\":\"0.0.0.0\"")); /* a v3 report has no group field */
}

static void t_udp_ra(void **state)
{
	(void)state;
	static const uint8_t ra[] = {0x94, 0x04, 0x00, 0x00};
	size_t n = udp_with_opts(ra, sizeof(ra), 1);
	assert_string_equal(fmt(n, IPK_FMT_TEXT),
			    "1 12:00:00.000001 198.18.0.1.5000 > 239.9.9.9.6000: UDP, length 4 "
			    "[ttl 1, RA]\n");
	const char *j = fmt(n, IPK_FMT_JSON);
	assert_non_null(strstr(j, ",\"udp\":{\"sport\":5000,\"dport\":6000,\"len\":12,\"checksum\":0},"
				  "\"errors\":[],\"findings\":[]}\n"));
}

static void t_options(void **state)
{
	(void)state;
	uint8_t ob[40];
	struct ipk_wbuf w;
	static const uint32_t rr[] = {IPK_IP4_ADDR(10, 0, 0, 1), 0};
	static const uint32_t ts[] = {1000, 2000};
	ipk_wbuf_init(&w, ob, sizeof(ob));
	assert_int_equal(ipk_opt_put_nop(&w), 0);
	assert_int_equal(ipk_opt_put_route(&w, IPK_OPT_RR, 8, rr, 2), 0);
	assert_int_equal(ipk_opt_put_ts(&w, IPK_OPT_TS_TSONLY, 0, 13, NULL, ts, 2), 0);
	assert_int_equal(ipk_opt_put_sid(&w, 0x1234), 0);
	assert_int_equal(ipk_opt_pad(&w), 0);
	size_t n = udp_with_opts(ob, w.len, 64);
	assert_string_equal(fmt(n, IPK_FMT_TEXT),
			    "1 12:00:00.000001 198.18.0.1.5000 > 239.9.9.9.6000: UDP, length 4 "
			    "[ttl 64, RR, TS, SID]\n");
	const char *v = fmt(n, IPK_FMT_VERBOSE);
	assert_non_null(strstr(v, "\n    option NOP (1) len 1\n"
				  "    option RR (7) len 11: ptr 8, 10.0.0.1 0.0.0.0\n"
				  "    option TS (68) len 12: ptr 13, oflw 0, flag 0 (tsonly) 1000 2000\n"
				  "    option SID (136) len 4: stream id 4660\n"));
	const char *j = fmt(n, IPK_FMT_JSON);
	assert_non_null(strstr(j, "\"options\":[{\"type\":1,\"name\":\"NOP\",\"len\":1},"
				  "{\"type\":7,\"name\":\"RR\",\"len\":11,\"ptr\":8,"
				  "\"addrs\":[\"10.0.0.1\",\"0.0.0.0\"]},"
				  "{\"type\":68,\"name\":\"TS\",\"len\":12,\"ptr\":13,\"oflw\":0,\"flag\":0,"
				  "\"entries\":[{\"ts\":1000},{\"ts\":2000}]},"
				  "{\"type\":136,\"name\":\"SID\",\"len\":4,\"stream_id\":4660}"));
}

static void t_malformed(void **state)
{
	(void)state;
	size_t n = igmp_v2(IPK_IGMP_V2_REPORT, 0, IPK_IP4_ADDR(239, 1, 2, 3));
	pkt[8] = 5; /* TTL 5 */
	pkt[10] = 0;
	pkt[11] = 0;
	char want[64];
	snprintf(want, sizeof(want), " bad (should be 0x%04x)\n", ipk_csum(pkt, 24));
	pkt[10] ^= 0xff; /* IPv4 checksum */
	const char *t = fmt(n, IPK_FMT_TEXT);
	assert_non_null(strstr(t, "[ttl 5, DF, RA] [!IP_CHECKSUM]"));
	assert_non_null(strstr(t, "[?IGMP_TTL]")); /* a finding: '?', an error: '!' */
	assert_null(strstr(t, "[!IGMP_TTL]"));
	const char *v = fmt(n, IPK_FMT_VERBOSE);
	assert_non_null(strstr(v, "checksum 0x"));
	assert_non_null(strstr(v, want)); /* the value a correct header carries */
	assert_non_null(strstr(v, "\n    error ipv4 IP_CHECKSUM at offset 10: bad IPv4 header checksum"));
	assert_non_null(strstr(v, "\n    finding igmp IGMP_TTL at offset "));
	const char *j = fmt(n, IPK_FMT_JSON);
	assert_non_null(strstr(j, "\"checksum_ok\":false"));
	/* errors hold the wire-format error, findings the protocol rule, each in its own list */
	assert_non_null(strstr(j, ",\"errors\":[{\"layer\":\"ipv4\",\"code\":\"IP_CHECKSUM\","
				  "\"offset\":10,\"message\":\"bad IPv4 header checksum\"}],"
				  "\"findings\":[{\"layer\":\"igmp\",\"code\":\"IGMP_TTL\",\"offset\":8,"
				  "\"message\":\"IGMP sent with TTL other than 1\"}]}\n"));

	/* Too short to be IPv4 at all: one line with the error, no ipv4 object. */
	assert_string_equal(fmt(3, IPK_FMT_TEXT),
			    "1 12:00:00.000001 IPv4 (invalid), length 3 [!IP_SHORT]\n");
	j = fmt(3, IPK_FMT_JSON);
	assert_null(strstr(j, "\"ipv4\":{"));
	assert_non_null(strstr(j, "\"code\":\"IP_SHORT\",\"offset\":0,"));
}

/* Every JSON line: braces and brackets balance outside strings, strings hold no raw control bytes
 * or unescaped quotes, and it is one line. */
static void check_json(const char *s)
{
	int depth = 0, in_str = 0;
	size_t len = strlen(s);
	assert_true(len > 2 && s[len - 1] == '\n');
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		assert_true(c >= 0x20);
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			assert_true(--depth >= 0);
	}
	assert_int_equal(in_str, 0);
	assert_int_equal(depth, 0);
}

static void t_json_valid(void **state)
{
	(void)state;
	size_t lens[4];
	lens[0] = v3_query();
	check_json(fmt(lens[0], IPK_FMT_JSON));
	lens[1] = v3_report();
	check_json(fmt(lens[1], IPK_FMT_JSON));
	static const uint8_t bad[] = {0x44, 0x02}; /* TS with a bad length */
	lens[2] = udp_with_opts(bad, sizeof(bad), 1);
	check_json(fmt(lens[2], IPK_FMT_JSON));
	check_json(fmt(1, IPK_FMT_JSON));
	/* Every frame length of a v3 report: cut captures still give balanced JSON. */
	size_t n = v3_report();
	for (size_t k = 1; k <= n; k++)
		check_json(fmt(k, IPK_FMT_JSON));
}

static void t_nospace(void **state)
{
	(void)state;
	size_t n = v3_report();
	ipk_packet_decode(IPK_DLT_RAW, pkt, n, n, &P);
	for (int style = 0; style <= 2; style++) {
		char big[IPK_FMT_MAX];
		int full = ipk_fmt_packet(&P, &META, style, big, sizeof(big));
		assert_true(full > 0);
		/* Every smaller cap fails with NOSPACE and writes nothing past cap. */
		for (size_t cap = 0; cap < (size_t)full; cap += (cap < 64 ? 1 : 37)) {
			char small[IPK_FMT_MAX];
			memset(small, 0x5a, sizeof(small));
			assert_int_equal(ipk_fmt_packet(&P, &META, style, small, cap), IPK_E_NOSPACE);
			assert_int_equal((unsigned char)small[cap], 0x5a);
		}
		assert_int_equal(ipk_fmt_packet(&P, &META, style, big, (size_t)full), full);
	}
	assert_int_equal(ipk_fmt_packet(&P, &META, 99, out, sizeof(out)), IPK_E_INVAL);
}

static void t_timestamps(void **state)
{
	(void)state;
	size_t n = igmp_v2(IPK_IGMP_V2_LEAVE, 0, IPK_IP4_ADDR(239, 1, 2, 3));
	ipk_packet_decode(IPK_DLT_RAW, pkt, n, n, &P);
	struct ipk_fmt_meta m = {42, 86399, 999999999};
	int r = ipk_fmt_packet(&P, &m, IPK_FMT_TEXT, out, sizeof(out) - 1);
	assert_true(r > 0);
	out[r] = 0;
	assert_string_equal(out, "42 23:59:59.999999999 198.18.0.1 > 224.0.0.2: IGMP v2 leave 239.1.2.3 "
				 "[ttl 1, DF, RA]\n");
	m.ts_sec = 86400 * 365 + 3600 + 61;
	m.ts_nsec = 5000;
	r = ipk_fmt_packet(&P, &m, IPK_FMT_JSON, out, sizeof(out) - 1);
	out[r] = 0;
	assert_non_null(strstr(out, "\"ts\":31539661.000005,"));
	r = ipk_fmt_packet(&P, &m, IPK_FMT_TEXT, out, sizeof(out) - 1);
	out[r] = 0;
	assert_true(strncmp(out, "42 01:01:01.000005 ", 19) == 0);
}

/* A received datagram (ipv4kit listen): text and JSON, unknown values, hostile strings. */
static void t_dgram(void **state)
{
	(void)state;
	static const uint8_t pl[] = "ipk seq=1 klmnopqrstuvwxyz0123";
	struct ipk_fmt_dgram d = {.src = IPK_IP4_ADDR(198, 18, 133, 1),
				  .dst = IPK_IP4_ADDR(239, 1, 2, 3),
				  .sport = 54859,
				  .dport = 5001,
				  .has_dst = 1,
				  .ttl = 5,
				  .tos = 0x28,
				  .ifindex = 2,
				  .ifname = "veth2",
				  .len = 64,
				  .seq = 1,
				  .data = pl,
				  .data_len = sizeof(pl) - 1};
	struct ipk_fmt_meta m = {1, 86400 + 3600, 983312000};
	int r = ipk_fmt_dgram(&d, &m, IPK_FMT_TEXT, out, sizeof(out) - 1);
	assert_true(r > 0);
	out[r] = 0;
	assert_string_equal(out, "1 01:00:00.983312 veth2 198.18.133.1.54859 > 239.1.2.3.5001: UDP, "
				 "length 64 [ttl 5, tos 0x28] seq 1 \"ipk seq=1 klmnopqrstuvwx\"...\n");
	r = ipk_fmt_dgram(&d, &m, IPK_FMT_JSON, out, sizeof(out) - 1);
	out[r] = 0;
	assert_string_equal(out, "{\"frame\":1,\"ts\":90000.983312,\"src\":\"198.18.133.1\","
				 "\"sport\":54859,\"dst\":\"239.1.2.3\",\"dport\":5001,\"ifindex\":2,"
				 "\"ifname\":\"veth2\",\"ttl\":5,\"tos\":40,\"len\":64,\"seq\":1,"
				 "\"data\":\"69706b207365713d31206b6c6d6e6f70\"}\n");

	/* Nothing known from control messages, a cut datagram, no payload. */
	struct ipk_fmt_dgram u = {.src = IPK_IP4_ADDR(198, 18, 0, 9), .sport = 1, .dport = 2,
				  .ttl = -1, .tos = -1, .seq = -1, .truncated = 1, .len = 9000};
	r = ipk_fmt_dgram(&u, &m, IPK_FMT_TEXT, out, sizeof(out) - 1);
	out[r] = 0;
	assert_string_equal(out, "1 01:00:00.983312 ? 198.18.0.9.1 > ?.2: UDP, length 9000 [] "
				 "[truncated] \"\"\n");
	r = ipk_fmt_dgram(&u, &m, IPK_FMT_JSON, out, sizeof(out) - 1);
	out[r] = 0;
	assert_string_equal(out, "{\"frame\":1,\"ts\":90000.983312,\"src\":\"198.18.0.9\",\"sport\":1,"
				 "\"dst\":null,\"dport\":2,\"ifindex\":0,\"ifname\":null,\"ttl\":null,"
				 "\"tos\":null,\"len\":9000,\"truncated\":true,\"data\":\"\"}\n");
	check_json(out);

	/* Hostile bytes: an interface name with quotes, backslashes and control bytes is escaped in
	 * JSON; payload bytes that are not plain printable characters show as '.' in text. */
	static const uint8_t bad[] = {'"', '\\', '\n', 0x01, 'x', 0xff};
	d.ifname = "a\"b\\c\n\x01\x1f\xc3\xa9";
	d.data = bad;
	d.data_len = sizeof(bad);
	r = ipk_fmt_dgram(&d, &m, IPK_FMT_JSON, out, sizeof(out) - 1);
	out[r] = 0;
	check_json(out);
	assert_non_null(strstr(out, ",\"ifname\":\"a\\\"b\\\\c\\n\\u0001\\u001f\xc3\xa9\",\"ttl\":5,"));
	assert_non_null(strstr(out, ",\"data\":\"225c0a0178ff\"}\n"));
	r = ipk_fmt_dgram(&d, &m, IPK_FMT_TEXT, out, sizeof(out) - 1);
	out[r] = 0;
	assert_non_null(strstr(out, " seq 1 \"....x.\"\n"));

	/* Every smaller buffer: NOSPACE, nothing written past it; bad arguments: INVAL. */
	char big[512];
	for (int style = IPK_FMT_TEXT; style <= IPK_FMT_JSON; style += 2) {
		int full = ipk_fmt_dgram(&d, &m, style, big, sizeof(big));
		assert_true(full > 0);
		for (size_t cap = 0; cap < (size_t)full; cap++) {
			char small[512];
			memset(small, 0x5a, sizeof(small));
			assert_int_equal(ipk_fmt_dgram(&d, &m, style, small, cap), IPK_E_NOSPACE);
			assert_int_equal((unsigned char)small[cap], 0x5a);
		}
	}
	assert_int_equal(ipk_fmt_dgram(&d, &m, IPK_FMT_VERBOSE, big, sizeof(big)), IPK_E_INVAL);
	d.data = NULL;
	assert_int_equal(ipk_fmt_dgram(&d, &m, IPK_FMT_JSON, big, sizeof(big)), IPK_E_INVAL);
}

/* The querier's state JSON (head, groups, tail concatenated) and event lines, text and JSON. */
static void t_querier(void **st)
{
	(void)st;
	char buf[2048];
	size_t len = 0;
	struct ipk_fmt_qstate s = {.ifname = "q\"0", .address = IPK_IP4_ADDR(198, 18, 0, 1),
				   .version = 3, .querier = 0,
				   .querier_address = IPK_IP4_ADDR(198, 18, 0, 0),
				   .other_querier_present_ms = 254999};
	int r = ipk_fmt_qstate_head(&s, buf, sizeof(buf));
	assert_true(r > 0);
	len += (size_t)r;
	struct ipk_fmt_qsource src[2] = {{IPK_IP4_ADDR(198, 18, 0, 50), 0, 0},
					 {IPK_IP4_ADDR(198, 18, 0, 51), 1234, 1}};
	struct ipk_fmt_qgroup g = {.group = IPK_IP4_ADDR(239, 1, 1, 1), .exclude = 1,
				   .compat_version = 2, .group_timer_ms = 260000,
				   .v1_host_timer_ms = -5, .v2_host_timer_ms = 1, .nsources = 2,
				   .sources = src};
	r = ipk_fmt_qstate_group(&g, 1, buf + len, sizeof(buf) - len);
	assert_true(r > 0 && (size_t)r <= IPK_FMT_QGROUP_MAX(2));
	len += (size_t)r;
	struct ipk_fmt_qgroup g2 = {.group = IPK_IP4_ADDR(232, 1, 1, 1), .compat_version = 3};
	r = ipk_fmt_qstate_group(&g2, 0, buf + len, sizeof(buf) - len);
	assert_true(r > 0);
	len += (size_t)r;
	struct ipk_fmt_counter c[2] = {{"queries_sent", 3}, {"reports", 18446744073709551615ULL}};
	r = ipk_fmt_qstate_tail(c, 2, buf + len, sizeof(buf) - len - 1);
	assert_true(r > 0);
	len += (size_t)r;
	buf[len] = 0;
	assert_string_equal(
	    buf, "{\"interface\":\"q\\\"0\",\"address\":\"198.18.0.1\",\"version\":3,\"querier\":false,"
		 "\"querier_address\":\"198.18.0.0\",\"other_querier_present_ms\":254999,\"groups\":["
		 "{\"group\":\"239.1.1.1\",\"filter_mode\":\"exclude\",\"compat_version\":2,"
		 "\"group_timer_ms\":260000,\"v1_host_timer_ms\":0,\"v2_host_timer_ms\":1,\"sources\":["
		 "{\"source\":\"198.18.0.50\",\"timer_ms\":0,\"forwarding\":false},"
		 "{\"source\":\"198.18.0.51\",\"timer_ms\":1234,\"forwarding\":true}]},"
		 "{\"group\":\"232.1.1.1\",\"filter_mode\":\"include\",\"compat_version\":3,"
		 "\"group_timer_ms\":0,\"v1_host_timer_ms\":0,\"v2_host_timer_ms\":0,\"sources\":[]}],"
		 "\"counters\":{\"queries_sent\":3,\"reports\":18446744073709551615}}\n");
	check_json(buf);
	/* too small: NOSPACE, nothing past cap; bad input: INVAL */
	for (size_t cap = 0; cap < 40; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		assert_int_equal(ipk_fmt_qstate_group(&g, 0, buf, cap), IPK_E_NOSPACE);
		assert_int_equal((unsigned char)buf[cap], 0x5a);
	}
	g.sources = NULL;
	assert_int_equal(ipk_fmt_qstate_group(&g, 0, buf, sizeof(buf)), IPK_E_INVAL);
	c[1].name = NULL;
	assert_int_equal(ipk_fmt_qstate_tail(c, 2, buf, sizeof(buf)), IPK_E_INVAL);

	/* events */
	static const uint32_t ips[] = {IPK_IP4_ADDR(198, 18, 0, 9), IPK_IP4_ADDR(198, 18, 0, 10)};
	struct ipk_fmt_kv kv[] = {
	    {.key = "from", .type = IPK_FMT_KV_IP, .ip = IPK_IP4_ADDR(198, 18, 0, 2)},
	    {.key = "type", .type = IPK_FMT_KV_STR, .s = "to_ex"},
	    {.key = "mrc", .type = IPK_FMT_KV_INT, .i = -1},
	    {.key = "s", .type = IPK_FMT_KV_BOOL, .i = 1},
	    {.key = "sources", .type = IPK_FMT_KV_IPS, .ips = ips, .n = 2},
	    {.key = "none", .type = IPK_FMT_KV_IPS},
	    {.key = "why", .type = IPK_FMT_KV_STR, .s = "a b=\"c\"\n"},
	    {.key = "null", .type = IPK_FMT_KV_STR},
	};
	struct ipk_fmt_meta m = {7, 86400 + 3600, 5000000};
	r = ipk_fmt_event(&m, "report", kv, 8, IPK_FMT_TEXT, buf, sizeof(buf) - 1);
	assert_true(r > 0);
	buf[r] = 0;
	assert_string_equal(buf, "01:00:00.005000 report from=198.18.0.2 type=to_ex mrc=-1 s=yes "
				 "sources=198.18.0.9,198.18.0.10 none=- why=\"a b=\\\"c\\\"\\n\" "
				 "null=-\n");
	r = ipk_fmt_event(&m, "report", kv, 8, IPK_FMT_JSON, buf, sizeof(buf) - 1);
	assert_true(r > 0);
	buf[r] = 0;
	check_json(buf);
	assert_string_equal(buf, "{\"seq\":7,\"ts\":90000.005000,\"event\":\"report\",\"from\":"
				 "\"198.18.0.2\",\"type\":\"to_ex\",\"mrc\":-1,\"s\":true,\"sources\":"
				 "[\"198.18.0.9\",\"198.18.0.10\"],\"none\":[],\"why\":\"a b=\\\"c\\\"\\n\","
				 "\"null\":null}\n");
	for (size_t cap = 0; cap < (size_t)r; cap++) {
		memset(buf, 0x5a, sizeof(buf));
		assert_int_equal(ipk_fmt_event(&m, "report", kv, 8, IPK_FMT_JSON, buf, cap),
				 IPK_E_NOSPACE);
		assert_int_equal((unsigned char)buf[cap], 0x5a);
	}
	assert_int_equal(ipk_fmt_event(&m, "x", kv, 8, IPK_FMT_VERBOSE, buf, sizeof(buf)),
			 IPK_E_INVAL);
	kv[4].ips = NULL;
	assert_int_equal(ipk_fmt_event(&m, "x", kv, 8, IPK_FMT_JSON, buf, sizeof(buf)), IPK_E_INVAL);
	kv[4].type = 99;
	assert_int_equal(ipk_fmt_event(&m, "x", kv, 8, IPK_FMT_TEXT, buf, sizeof(buf)), IPK_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_igmpv2_report), cmocka_unit_test(t_v3_query),
		cmocka_unit_test(t_v3_report),     cmocka_unit_test(t_udp_ra),
		cmocka_unit_test(t_options),       cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_json_valid),    cmocka_unit_test(t_nospace),
		cmocka_unit_test(t_timestamps),    cmocka_unit_test(t_dgram),
		cmocka_unit_test(t_querier),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
