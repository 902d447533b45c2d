/* raw.c - net_raw: RawConn against real peers: the kernel's IGMPv3/v2 reports read and decoded, and
 * IP_HDRINCL writes captured byte for byte with libpcap (RFC 791, 2113, 2236, 3376). */
#include "net/netutil.h"
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "ipv4kit/bytes.h"

/*
 * Usage: net_raw igmp3|igmp2|hdrincl NS1 NS2 IF1 IF2 ADDR1 ADDR2
 *   igmp3: sockets in NS1 join an any-source and a source-specific group; a RawConn in NS2 reads
 *          the kernel's IGMPv3 reports (TO_EX {} / ALLOW {S} / TO_IN {} on leave).
 *   igmp2: NS1's IF1 is forced to IGMPv2 by the caller; reads the v2 report and the leave.
 *   hdrincl: RawConn writes from NS1 captured with libpcap on IF2 in NS2 and read by a RawConn.
 */

static const char *ns1, *ns2;
static unsigned if1, if2;
static const char *if2name;
static uint32_t a1, a2, k;

/* One IGMP message from a1 seen by the RawConn, with its IP header facts. */
struct seen {
	struct ipk_ip4 ip;
	int ip_err;
	uint8_t has_ra;
	uint8_t msg[512];
	size_t len;
};

static int has_router_alert(const struct ipk_ip4 *h)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;
	ipk_opt_iter_init(&it, h->opts, h->opts_len);
	for (int i = 0; i < 40 && ipk_opt_next(&it, &o) == 1; i++)
		if (o.type == IPK_OPT_RA && o.len == 4)
			return 1;
	return 0;
}

/*
 * Read IGMP from a1 on the RawConn rr until match() accepts one or ms pass. Messages from other
 * hosts (NS2's own reports looped back) are skipped. Returns 1 and fills *s when found.
 */
static int wait_igmp(int rr, int ms, int (*match)(const struct ipk_igmp *, const uint8_t *, void *),
		     void *arg, struct seen *s, int *others)
{
	long long end = nu_now_ms() + ms;
	*others = 0;
	for (int i = 0; i < 200; i++) {
		long long left = end - nu_now_ms();
		if (left <= 0 || !nu_wait(rr, POLLIN, (int)left))
			return 0;
		uint8_t buf[1024];
		struct ipk_raw_pkt p;
		int n = ipk_raw_read(rr, buf, sizeof(buf), 0, &p, MSG_DONTWAIT);
		if (n < 0)
			continue;
		if (p.hdr.src != a1 || p.hdr.proto != IPK_PROTO_IGMP) {
			(*others)++;
			continue;
		}
		struct ipk_igmp m;
		if (ipk_igmp_parse(p.payload, p.payload_len, &m, NULL) != 0)
			continue;
		if (!match(&m, p.payload, arg))
			continue;
		s->ip = p.hdr;
		s->ip_err = p.parse_err;
		s->has_ra = (uint8_t)has_router_alert(&p.hdr);
		s->len = p.payload_len < sizeof(s->msg) ? p.payload_len : sizeof(s->msg);
		memcpy(s->msg, p.payload, s->len);
		s->ip.opts = NULL; /* points into buf, gone after return */
		return 1;
	}
	return 0;
}

/* A v3 report holding a record of type/group with exactly the source src (0: no sources). */
struct want_rec {
	uint8_t type;
	uint32_t group;
	uint32_t src;
};

static int match_v3(const struct ipk_igmp *m, const uint8_t *msg, void *arg)
{
	const struct want_rec *w = arg;
	if (m->version != 3 || m->type != IPK_IGMP_V3_REPORT)
		return 0;
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec r;
	ipk_igmp_rec_iter_init(&it, m, msg);
	for (int i = 0; i < 64 && ipk_igmp_rec_next(&it, &r) == 1; i++) {
		if (r.type != w->type || r.group != w->group)
			continue;
		if (w->src == 0 && r.nsrcs == 0)
			return 1;
		if (w->src != 0 && r.nsrcs == 1 && ipk_igmp_addr(r.srcs, 0) == w->src)
			return 1;
	}
	return 0;
}

static int match_v2(const struct ipk_igmp *m, const uint8_t *msg, void *arg)
{
	(void)msg;
	const struct want_rec *w = arg;
	return m->type == w->type && m->group == w->group;
}

/* IP header rules of an IGMP message as Linux sends it: TTL 1, Router Alert, TOS 0xC0. */
static int igmp_ip_ok(const struct seen *s, uint32_t dst)
{
	return s->ip_err == 0 && s->ip.ttl == 1 && s->ip.proto == IPK_PROTO_IGMP && s->has_ra &&
	       s->ip.tos == 0xc0 && s->ip.dst == dst && s->ip.checksum_ok;
}

static void show_ip(const struct seen *s, char *out, size_t cap)
{
	char d[16];
	snprintf(out, cap, "ip err %d ttl %u proto %u ra %u tos %#x dst %s csum_ok %u", s->ip_err,
		 s->ip.ttl, s->ip.proto, s->has_ra, s->ip.tos, nu_ntoa(s->ip.dst, d),
		 s->ip.checksum_ok);
}

static int open_igmp_reader(const uint32_t *groups, int n)
{
	nu_enter(ns2);
	int rr = ipk_raw_open(IPK_PROTO_IGMP, 1);
	if (rr < 0)
		nu_die("ipk_raw_open(IGMP) = %d", rr);
	for (int i = 0; i < n; i++) {
		int rc = ipk_mcast_join(rr, if2, groups[i]);
		if (rc)
			nu_die("RawConn join of group %d: %d", i, rc);
	}
	return rr;
}

static void test_igmp3(void)
{
	uint32_t g = IPK_IP4_ADDR(239, 198, k, 21), gs = IPK_IP4_ADDR(232, 198, k, 22);
	uint32_t v3r = IPK_IGMP_V3_ROUTERS;
	int rr = open_igmp_reader(&v3r, 1);
	struct seen s;
	char info[200];
	int others;

	nu_enter(ns1);
	int u = ipk_udp_open(0, 0, 0);
	int rc = ipk_mcast_join(u, if1, g);
	struct want_rec w = {IPK_IGMP_TO_EX, g, 0};
	int found = wait_igmp(rr, 3000, match_v3, &w, &s, &others);
	show_ip(&s, info, sizeof(info));
	CHECK(rc == 0 && found, "igmp3_asm_join_to_ex_record",
	      "join %d, no v3 report with TO_EX {} for the group from the peer (%d other)", rc,
	      others);
	if (found) {
		struct ipk_igmp m;
		int pe = ipk_igmp_parse(s.msg, s.len, &m, NULL);
		CHECK(pe == 0 && m.checksum_ok && m.nrecs >= 1 && igmp_ip_ok(&s, v3r),
		      "igmp3_report_header", "parse %d csum_ok %u nrecs %u, %s", pe, m.checksum_ok,
		      m.nrecs, info);
	}

	int rs = ipk_mcast_join_source(u, if1, gs, a2);
	w = (struct want_rec){IPK_IGMP_ALLOW, gs, a2};
	found = wait_igmp(rr, 3000, match_v3, &w, &s, &others);
	CHECK(rs == 0 && found, "igmp3_ssm_join_allow_record",
	      "join_source %d, no v3 report with ALLOW {%s} (%d other)", rs, "ADDR2", others);

	rc = ipk_mcast_leave(u, if1, g);
	w = (struct want_rec){IPK_IGMP_TO_IN, g, 0};
	found = wait_igmp(rr, 3000, match_v3, &w, &s, &others);
	CHECK(rc == 0 && found, "igmp3_leave_to_in_record", "leave %d, no TO_IN {} (%d other)", rc,
	      others);
	rc = ipk_mcast_leave_source(u, if1, gs, a2);
	w = (struct want_rec){IPK_IGMP_BLOCK, gs, a2};
	found = wait_igmp(rr, 3000, match_v3, &w, &s, &others);
	CHECK(rc == 0 && found, "igmp3_ssm_leave_block_record",
	      "leave_source %d, no BLOCK {S} (%d other)", rc, others);
	close(u);
	close(rr);
}

static void test_igmp2(void)
{
	uint32_t g = IPK_IP4_ADDR(239, 198, k, 23);
	uint32_t groups[2] = {g, IPK_IGMP_ALL_ROUTERS};
	int rr = open_igmp_reader(groups, 2);
	struct seen s;
	char info[200];
	int others;

	nu_enter(ns1);
	int u = ipk_udp_open(0, 0, 0);
	int rc = ipk_mcast_join(u, if1, g);
	struct want_rec w = {IPK_IGMP_V2_REPORT, g, 0};
	int found = wait_igmp(rr, 3000, match_v2, &w, &s, &others);
	show_ip(&s, info, sizeof(info));
	CHECK(rc == 0 && found, "igmp2_join_v2_report",
	      "join %d, no v2 report for the group (%d other)", rc, others);
	if (found) {
		struct ipk_igmp m;
		int pe = ipk_igmp_parse(s.msg, s.len, &m, NULL);
		CHECK(pe == 0 && m.version == 2 && m.checksum_ok && s.len == 8 && igmp_ip_ok(&s, g),
		      "igmp2_report_header", "parse %d version %u csum_ok %u len %zu, %s", pe,
		      m.version, m.checksum_ok, s.len, info);
	}
	rc = ipk_mcast_leave(u, if1, g);
	w = (struct want_rec){IPK_IGMP_V2_LEAVE, g, 0};
	found = wait_igmp(rr, 3000, match_v2, &w, &s, &others);
	show_ip(&s, info, sizeof(info));
	CHECK(rc == 0 && found && igmp_ip_ok(&s, IPK_IGMP_ALL_ROUTERS),
	      "igmp2_leave_to_all_routers", "leave %d found %d, %s", rc, found, info);
	close(u);
	close(rr);
}

/* ---- IP_HDRINCL writes seen on the wire ---- */

#define TEST_PROTO 253 /* RFC 3692 experimentation */

static pcap_t *cap_open(const char *ifname)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_create(ifname, err);
	if (!pc)
		nu_die("pcap_create %s: %s", ifname, err);
	pcap_set_snaplen(pc, 2048);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_timeout(pc, 10);
	if (pcap_activate(pc) < 0)
		nu_die("pcap_activate: %s", pcap_geterr(pc));
	struct bpf_program bp;
	if (pcap_compile(pc, &bp, "ip proto 253", 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(pc, &bp) < 0)
		nu_die("pcap filter: %s", pcap_geterr(pc));
	pcap_freecode(&bp);
	if (pcap_setnonblock(pc, 1, err) < 0)
		nu_die("pcap_setnonblock: %s", err);
	return pc;
}

/* Next captured IPv4 datagram (Ethernet stripped) within ms; returns its length or 0. */
static size_t cap_next(pcap_t *pc, uint8_t *out, size_t cap, int ms)
{
	long long end = nu_now_ms() + ms;
	int fd = pcap_get_selectable_fd(pc);
	for (int i = 0; i < 200; i++) {
		struct pcap_pkthdr *ph;
		const u_char *data;
		int r = pcap_next_ex(pc, &ph, &data);
		if (r == 1) {
			struct ipk_link l;
			if (ipk_link_decode(pcap_datalink(pc), data, ph->caplen, &l) != 0 ||
			    l.ethertype != IPK_ETHERTYPE_IPV4)
				continue;
			size_t n = ph->caplen - l.l3_off;
			if (n > cap)
				n = cap;
			memcpy(out, data + l.l3_off, n);
			return n;
		}
		if (r < 0)
			return 0;
		long long left = end - nu_now_ms();
		if (left <= 0)
			return 0;
		nu_wait(fd, POLLIN, left > 50 ? 50 : (int)left);
	}
	return 0;
}

static void hexdiff(const uint8_t *a, const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && o + 24 < cap; i++)
		if (a[i] != b[i])
			o += (size_t)snprintf(out + o, cap - o, " @%zu %02x!=%02x", i, a[i], b[i]);
}

static void test_hdrincl(void)
{
	char info[512];
	nu_enter(ns2);
	pcap_t *pc = cap_open(if2name);
	int rr = ipk_raw_open(TEST_PROTO, 1);
	if (rr < 0)
		nu_die("NS2 ipk_raw_open(%d) = %d", TEST_PROTO, rr);
	nu_enter(ns1);
	int w = ipk_raw_open(TEST_PROTO, 1);
	if (w < 0)
		nu_die("NS1 ipk_raw_open(%d) = %d", TEST_PROTO, w);

	/* Router Alert + Record Route with two empty slots, padded to 16 bytes */
	uint8_t opts[40];
	struct ipk_wbuf ob;
	ipk_wbuf_init(&ob, opts, sizeof(opts));
	if (ipk_opt_put_ra(&ob, 0) || ipk_opt_put_route(&ob, IPK_OPT_RR, 4, NULL, 2) ||
	    ipk_opt_pad(&ob))
		nu_die("option builders failed");
	uint8_t payload[40];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(0xa0 + i);
	struct ipk_ip4 h = {0};
	h.version = 4;
	h.tos = 0x2c;
	h.id = 0x4242;
	h.ttl = 9;
	h.proto = TEST_PROTO;
	h.src = a1;
	h.dst = a2;
	h.checksum = 0xdead;
	h.total_len = 0x1234;
	h.opts = opts;
	h.opts_len = (uint16_t)ob.len;
	unsigned fl = IPK_IP4_KEEP_CSUM | IPK_IP4_KEEP_TOTLEN;

	uint8_t exp[128];
	int hl = ipk_ip4_marshal(&h, sizeof(payload), fl, exp, sizeof(exp));
	if (hl != 36)
		nu_die("ipk_ip4_marshal = %d (want 36)", hl);
	memcpy(exp + hl, payload, sizeof(payload));
	size_t explen = (size_t)hl + sizeof(payload);

	int sent = ipk_raw_write(w, &h, fl, payload, sizeof(payload), 0, NULL);
	uint8_t got[2048];
	size_t n = cap_next(pc, got, sizeof(got), 2000);
	uint16_t wire_csum = n >= 20 ? ipk_be16(got + 10) : 0;
	CHECK(sent == (int)explen && n == explen, "hdrincl_write_captured",
	      "sent %d, captured %zu (want %zu)", sent, n, explen);
	if (n == explen) {
		/* everything but total length (2-3) and checksum (10-11) as written */
		uint8_t a[128], b[128];
		memcpy(a, exp, explen);
		memcpy(b, got, explen);
		a[2] = a[3] = a[10] = a[11] = b[2] = b[3] = b[10] = b[11] = 0;
		hexdiff(a, b, explen, info, sizeof(info));
		CHECK(!memcmp(a, b, explen), "hdrincl_bytes_as_written", "differs:%s", info);
		CHECK(ipk_be16(got + 2) == explen && ipk_be16(got + 2) != 0x1234,
		      "hdrincl_totlen_rewritten",
		      "wire total length %#x (sent 0x1234, datagram %zu)", ipk_be16(got + 2),
		      explen);
		CHECK(ipk_be16(got + 10) != 0xdead && ipk_csum(got, 36) == 0,
		      "hdrincl_checksum_rewritten", "wire checksum %#x sums to %#x",
		      ipk_be16(got + 10), ipk_csum(got, 36));
	}

	/* The RawConn in NS2 reads it back parsed: header fields, options and payload. The checksum
	 * is the one on the wire, but it no longer verifies: see the Record Route check below. */
	uint8_t rb[2048];
	struct ipk_raw_pkt p;
	int rn =
	    nu_wait(rr, POLLIN, 1000) ? ipk_raw_read(rr, rb, sizeof(rb), 0, &p, MSG_DONTWAIT) : 0;
	int ra = 0, rr_ok = 0;
	uint8_t rr_ptr = 0;
	uint32_t rr0 = 0;
	if (rn > 0) {
		struct ipk_opt_iter it;
		struct ipk_opt o;
		ipk_opt_iter_init(&it, p.hdr.opts, p.hdr.opts_len);
		for (int i = 0; i < 40 && ipk_opt_next(&it, &o) == 1; i++) {
			struct ipk_optv v;
			if (o.type == IPK_OPT_RA && o.len == 4)
				ra = 1;
			if (o.type == IPK_OPT_RR && ipk_opt_decode(&o, &v) == 0 &&
			    v.u.route.naddr == 2) {
				rr_ok = 1;
				rr_ptr = v.u.route.ptr;
				rr0 = ipk_opt_u32(v.u.route.addrs, 0);
			}
		}
	}
	char s1[16], s2[16];
	CHECK(rn == (int)explen && p.parse_err == 0 && p.hdr.src == a1 && p.hdr.dst == a2 &&
		  p.hdr.ttl == 9 && p.hdr.tos == 0x2c && p.hdr.id == 0x4242 &&
		  p.hdr.proto == TEST_PROTO && p.hdr.hlen == 36 && p.hdr.total_len == explen &&
		  p.hdr.checksum == wire_csum && p.payload_len == sizeof(payload) &&
		  !memcmp(p.payload, payload, sizeof(payload)),
	      "rawconn_read_parsed",
	      "read %d err %d src %s dst %s ttl %u tos %#x id %#x hlen %u tot %u csum %#x (wire "
	      "%#x) plen %zu",
	      rn, rn > 0 ? p.parse_err : 0, nu_ntoa(rn > 0 ? p.hdr.src : 0, s1),
	      nu_ntoa(rn > 0 ? p.hdr.dst : 0, s2), rn > 0 ? p.hdr.ttl : 0, rn > 0 ? p.hdr.tos : 0,
	      rn > 0 ? p.hdr.id : 0, rn > 0 ? p.hdr.hlen : 0, rn > 0 ? p.hdr.total_len : 0,
	      rn > 0 ? p.hdr.checksum : 0, wire_csum, rn > 0 ? p.payload_len : 0);
	/* the receiving kernel processes Record Route before raw delivery: it stamps its own
	 * address in the first slot and advances the pointer (ip_options_compile) without updating
	 * the header checksum, so the raw socket sees a header whose checksum no longer verifies */
	CHECK(ra && rr_ok && rr_ptr == 8 && rr0 == a2 && rn > 0 && !p.hdr.checksum_ok,
	      "rawconn_read_options", "router alert %d, record route %d ptr %u slot0 %s csum_ok %d",
	      ra, rr_ok, rr_ptr, nu_ntoa(rr0, s1), rn > 0 ? p.hdr.checksum_ok : -1);

	/* zero ID with DF clear is filled in, zero source too */
	h.opts = NULL;
	h.opts_len = 0;
	h.id = 0;
	h.src = 0;
	h.df = 0;
	uint16_t ids[2] = {0, 0};
	uint32_t srcs[2] = {0, 0};
	int ok = 1;
	for (int i = 0; i < 2; i++) {
		sent = ipk_raw_write(w, &h, 0, payload, 8, 0, NULL);
		n = cap_next(pc, got, sizeof(got), 2000);
		if (sent != 28 || n != 28)
			ok = 0;
		else {
			ids[i] = ipk_be16(got + 4);
			srcs[i] = ipk_be32(got + 12);
		}
	}
	CHECK(ok && (ids[0] || ids[1]) && ids[0] != ids[1], "hdrincl_zero_id_filled_df_clear",
	      "captured ids %#x %#x (ok %d)", ids[0], ids[1], ok);
	CHECK(ok && srcs[0] == a1 && srcs[1] == a1, "hdrincl_zero_source_filled", "sources %s %s",
	      nu_ntoa(srcs[0], s1), nu_ntoa(srcs[1], s2));

	/* zero ID with DF set stays 0 */
	h.df = 1;
	sent = ipk_raw_write(w, &h, 0, payload, 8, 0, NULL);
	n = cap_next(pc, got, sizeof(got), 2000);
	CHECK(sent == 28 && n == 28 && ipk_be16(got + 4) == 0 && (got[6] & 0x40),
	      "hdrincl_zero_id_kept_df_set", "sent %d captured %zu id %#x flags %#x", sent, n,
	      n >= 8 ? ipk_be16(got + 4) : 0, n >= 8 ? got[6] : 0);

	/* a nonzero ID with DF clear is kept as written */
	h.df = 0;
	h.id = 0x0b0b;
	sent = ipk_raw_write(w, &h, 0, payload, 8, 0, NULL);
	n = cap_next(pc, got, sizeof(got), 2000);
	CHECK(sent == 28 && n == 28 && ipk_be16(got + 4) == 0x0b0b, "hdrincl_id_kept", "id %#x",
	      n >= 8 ? ipk_be16(got + 4) : 0);

	/* the dst argument overrides h->dst as the routing destination; the header keeps h->dst */
	h.dst = IPK_IP4_ADDR(198, 18, k, 77);
	sent = ipk_raw_write(w, &h, 0, payload, 8, a2, NULL);
	n = cap_next(pc, got, sizeof(got), 2000);
	CHECK(sent == 28 && n == 28 && ipk_be32(got + 16) == h.dst, "hdrincl_dst_argument_routes",
	      "sent %d captured %zu header dst %s", sent, n,
	      nu_ntoa(n >= 20 ? ipk_be32(got + 16) : 0, s1));

	/* a codec error is returned as is and nothing is sent */
	uint8_t big[44];
	memset(big, 1, sizeof(big));
	h.opts = big;
	h.opts_len = sizeof(big);
	sent = ipk_raw_write(w, &h, 0, payload, 8, 0, NULL);
	n = cap_next(pc, got, sizeof(got), 300);
	CHECK(sent == IPK_E_TOOLONG && n == 0, "hdrincl_codec_error_nothing_sent",
	      "write %d (want %d), captured %zu", sent, IPK_E_TOOLONG, n);
	close(w);
	close(rr);
	pcap_close(pc);
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: %s igmp3|igmp2|hdrincl NS1 NS2 IF1 IF2 ADDR1 ADDR2\n",
			argv[0]);
		return 2;
	}
	ns1 = argv[2];
	ns2 = argv[3];
	a1 = nu_addr(argv[6]);
	a2 = nu_addr(argv[7]);
	k = (a1 >> 8) & 0xff;
	nu_enter(ns1);
	if1 = nu_ifindex(argv[4]);
	nu_enter(ns2);
	if2name = argv[5];
	if2 = nu_ifindex(argv[5]);
	if (!strcmp(argv[1], "igmp3"))
		test_igmp3();
	else if (!strcmp(argv[1], "igmp2"))
		test_igmp2();
	else if (!strcmp(argv[1], "hdrincl"))
		test_hdrincl();
	else
		nu_die("unknown mode %s", argv[1]);
	return nu_exit();
}
