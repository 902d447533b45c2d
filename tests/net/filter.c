/* filter.c - net_filter: the ICMP type filter (all 256 types) on a raw ICMP socket and classic BPF
 * programs on UDP and raw sockets, verified by what arrives from the peer namespace (RFC 792). */
#include "net/netutil.h"
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "ipv4kit/bytes.h"

/* Usage: net_filter NS1 NS2 IF1 IF2 ADDR1 ADDR2 */

#define PORT 43000
#define XPORT 43001 /* source port the UDP filter drops */
#define YPORT 43002
#define PORT2 43003 /* destination port the pcap-compiled filter drops */

static uint32_t a1, a2;
static const char *ns1, *ns2;

/* Send an ICMP message of type (code 0, identifier 0x4b4b, sequence seq) from NS1 through a
 * RawConn: the header and the message built with the codec. */
static int send_icmp(int w, uint8_t type, uint16_t seq)
{
	uint8_t msg[16];
	struct ipk_icmp m = {.type = type, .id = 0x4b4b, .seq = seq};
	struct ipk_wbuf b;
	ipk_wbuf_init(&b, msg, sizeof(msg));
	if (ipk_icmp_build(&b, &m, "ipv4kit!", 8, 0))
		return -1;
	struct ipk_ip4 h = {0};
	h.version = 4;
	h.ttl = 64;
	h.proto = IPK_PROTO_ICMP;
	h.src = a1;
	h.dst = a2;
	h.df = 1;
	return ipk_raw_write(w, &h, 0, msg, sizeof(msg), 0, NULL);
}

/* Count ICMP messages of type with sequence seq from a1 arriving on fd within ms; stop early
 * once stop_at arrived (then only 30 ms more are given to duplicates). */
static int count_icmp(int fd, uint8_t type, uint16_t seq, int ms, int stop_at)
{
	long long end = nu_now_ms() + ms;
	int n = 0;
	for (int i = 0; i < 100; i++) {
		long long left = end - nu_now_ms();
		if (left <= 0 || !nu_wait(fd, POLLIN, (int)left))
			break;
		uint8_t buf[256];
		struct ipk_raw_pkt p;
		if (ipk_raw_read(fd, buf, sizeof(buf), 0, &p, MSG_DONTWAIT) < 0)
			continue;
		if (p.hdr.src == a1 && p.payload_len >= 8 && p.payload[0] == type &&
		    ipk_be16(p.payload + 4) == 0x4b4b && ipk_be16(p.payload + 6) == seq &&
		    ++n == stop_at)
			end = nu_now_ms() + 30;
	}
	return n;
}

/* Send one ICMP message and see whether the filtered socket and the unfiltered control socket
 * get it. */
static void probe(int w, int fil, int ctl, uint8_t type, uint16_t seq, int want, const char *name)
{
	int s = send_icmp(w, type, seq);
	/* raw delivery copies a datagram to every matching socket at once: once the control
	 * socket has it, the filtered one would have it too */
	int got_ctl = count_icmp(ctl, type, seq, 1000, 1);
	int got = count_icmp(fil, type, seq, want ? 1000 : 100, want ? 1 : 0);
	CHECK(s > 0 && got_ctl == 1 && got == want, name,
	      "type %u seq %u: write %d, control socket got %d (want 1), filtered socket got %d "
	      "(want %d)",
	      type, seq, s, got_ctl, got, want);
}

static void test_icmp_filter(void)
{
	nu_enter(ns2);
	int fil = ipk_raw_open(IPK_PROTO_ICMP, 0);
	int ctl = ipk_raw_open(IPK_PROTO_ICMP, 0);
	nu_enter(ns1);
	int w = ipk_raw_open(IPK_PROTO_ICMP, 1);
	if (fil < 0 || ctl < 0 || w < 0)
		nu_die("raw ICMP sockets: %d %d %d", fil, ctl, w);

	probe(w, fil, ctl, 8, 1, 1, "icmp_nofilter_echo_arrives");

	struct ipk_icmp_filter f, g;
	ipk_icmp_filter_set_all(&f, 0);
	ipk_icmp_filter_block(&f, 8);
	int rc = ipk_sock_set_icmp_filter(fil, &f);
	memset(&g, 0xee, sizeof(g));
	int gr = ipk_sock_get_icmp_filter(fil, &g);
	CHECK(rc == 0 && gr == 0 && !memcmp(&f, &g, sizeof(f)), "icmp_filter_roundtrip",
	      "set %d get %d bits0 %#x (want %#x)", rc, gr, g.bits[0], f.bits[0]);
	probe(w, fil, ctl, 8, 2, 0, "icmp_block_echo_drops");

	ipk_icmp_filter_accept(&f, 8);
	rc = ipk_sock_set_icmp_filter(fil, &f);
	CHECK(rc == 0, "icmp_accept_echo_set", "set %d", rc);
	probe(w, fil, ctl, 8, 3, 1, "icmp_accept_echo_arrives");

	/* type 40 (Photuris) blocked: Go's &31 would alias it onto 8 and block echo */
	ipk_icmp_filter_set_all(&f, 0);
	ipk_icmp_filter_block(&f, 40);
	rc = ipk_sock_set_icmp_filter(fil, &f);
	memset(&g, 0, sizeof(g));
	gr = ipk_sock_get_icmp_filter(fil, &g);
	CHECK(rc == 0 && gr == 0 && ipk_icmp_filter_will_block(&g, 40) &&
		  !ipk_icmp_filter_will_block(&g, 8) && !memcmp(&f, &g, sizeof(f)),
	      "icmp_filter_high_type_roundtrip", "set %d get %d will_block(40) %d will_block(8) %d",
	      rc, gr, ipk_icmp_filter_will_block(&g, 40), ipk_icmp_filter_will_block(&g, 8));
	probe(w, fil, ctl, 8, 4, 1, "icmp_block_40_echo_still_arrives");
	probe(w, fil, ctl, 40, 5, 0, "icmp_block_40_drops_40");

	/* low and high types together */
	ipk_icmp_filter_block(&f, 8);
	rc = ipk_sock_set_icmp_filter(fil, &f);
	probe(w, fil, ctl, 8, 6, 0, "icmp_block_8_and_40_drops_8");
	probe(w, fil, ctl, 40, 7, 0, "icmp_block_8_and_40_drops_40");
	probe(w, fil, ctl, 13, 8, 1, "icmp_block_8_and_40_keeps_13");

	ipk_icmp_filter_set_all(&f, 0);
	rc = ipk_sock_set_icmp_filter(fil, &f);
	CHECK(rc == 0, "icmp_filter_cleared", "set %d", rc);
	probe(w, fil, ctl, 40, 9, 1, "icmp_cleared_40_arrives");
	probe(w, fil, ctl, 8, 10, 1, "icmp_cleared_echo_arrives");

	/* a rejected call (wrong socket type) leaves the filter in place */
	ipk_icmp_filter_block(&f, 8);
	ipk_sock_set_icmp_filter(fil, &f);
	nu_enter(ns2);
	int u = ipk_udp_open(0, 0, 0);
	struct ipk_icmp_filter all;
	ipk_icmp_filter_set_all(&all, 0);
	rc = ipk_sock_set_icmp_filter(u, &all);
	int rr = ipk_raw_open(IPK_PROTO_IGMP, 0);
	int rc2 = ipk_sock_set_icmp_filter(rr, &all);
	CHECK(rc == -EPROTOTYPE && rc2 == -EPROTOTYPE, "icmp_filter_wrong_socket",
	      "udp %d raw igmp %d (want %d)", rc, rc2, -EPROTOTYPE);
	nu_enter(ns1);
	probe(w, fil, ctl, 8, 11, 0, "icmp_filter_kept_after_rejected_call");
	close(u);
	close(rr);
	close(w);
	close(fil);
	close(ctl);
}

/* Collect UDP datagrams on fd within ms; count those from source port sport, stopping 30 ms
 * after stop_at of them arrived (the ones a filter should drop are always sent first). */
static int count_udp(int fd, uint16_t sport, int ms, int stop_at, int *others)
{
	long long end = nu_now_ms() + ms;
	int n = 0;
	*others = 0;
	for (int i = 0; i < 100; i++) {
		long long left = end - nu_now_ms();
		if (left <= 0)
			break;
		char buf[64];
		struct ipk_msg m = {.buf = buf, .cap = sizeof(buf)};
		if (nu_read(fd, &m, 0, (int)left) <= 0)
			break;
		if (m.addr == a1 && m.port == sport) {
			if (++n == stop_at)
				end = nu_now_ms() + 30;
		} else
			(*others)++;
	}
	return n;
}

static int send_udp(int s, uint16_t dport, int count)
{
	int ok = 0;
	for (int i = 0; i < count; i++) {
		static char t[] = "bpf";
		struct ipk_msg m = {.buf = t, .len = 3, .addr = a2, .port = dport};
		ok += ipk_sock_write(s, &m, 0) == 3;
	}
	return ok;
}

static void test_bpf_udp(void)
{
	nu_enter(ns2);
	int u = ipk_udp_open(0, PORT, 0);
	nu_enter(ns1);
	int sx = ipk_udp_open(a1, XPORT, 0), sy = ipk_udp_open(a1, YPORT, 0);
	if (u < 0 || sx < 0 || sy < 0)
		nu_die("udp sockets: %d %d %d", u, sx, sy);

	/* on a UDP socket the program sees the UDP header at offset 0: drop source port XPORT */
	const struct ipk_bpf_insn prog[] = {
	    {0x28, 0, 0, 0},           /* ldh [0] */
	    {0x15, 0, 1, XPORT},       /* jeq #XPORT, drop, keep */
	    {0x06, 0, 0, 0},           /* drop: ret #0 */
	    {0x06, 0, 0, 0xffffffffu}, /* keep: ret #-1 */
	};
	int rc = ipk_sock_attach_bpf(u, prog, 4);
	int others;
	int sent = send_udp(sx, PORT, 3) + send_udp(sy, PORT, 3);
	int gy = count_udp(u, YPORT, 1000, 3, &others);
	CHECK(rc == 0 && sent == 6 && gy == 3 && others == 0, "bpf_udp_drops_port",
	      "attach %d sent %d: from Y %d (want 3), others %d (want 0)", rc, sent, gy, others);

	rc = ipk_sock_detach_bpf(u);
	sent = send_udp(sx, PORT, 2);
	int gx = count_udp(u, XPORT, 1000, 2, &others);
	CHECK(rc == 0 && sent == 2 && gx == 2, "bpf_udp_detach_arrives", "detach %d sent %d got %d",
	      rc, sent, gx);

	/* a rejected program leaves the socket unfiltered */
	rc = ipk_sock_attach_bpf(u, prog, 0);
	sent = send_udp(sx, PORT, 1);
	gx = count_udp(u, XPORT, 1000, 1, &others);
	CHECK(rc == -EINVAL && gx == 1, "bpf_empty_rejected_socket_unchanged",
	      "attach(n=0) %d, got %d", rc, gx);
	close(u);

	/* a tcpdump expression compiled by libpcap for raw IPv4 (DLT_RAW) on a raw UDP socket */
	nu_enter(ns2);
	int ru = ipk_raw_open(IPK_PROTO_UDP, 0);
	if (ru < 0)
		nu_die("raw UDP socket: %d", ru);
	pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
	struct bpf_program bp;
	char expr[64];
	snprintf(expr, sizeof(expr), "not udp dst port %d", PORT2);
	if (!dead || pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		nu_die("pcap_compile %s", expr);
	rc = ipk_sock_attach_bpf(ru, (const struct ipk_bpf_insn *)bp.bf_insns, bp.bf_len);
	pcap_freecode(&bp);
	pcap_close(dead);
	nu_enter(ns1);
	sent = send_udp(sy, PORT2, 2) + send_udp(sy, PORT, 2);
	int to_port = 0, to_port2 = 0;
	long long end = nu_now_ms() + 1000;
	for (int i = 0; i < 100; i++) {
		long long left = end - nu_now_ms();
		if (left <= 0 || !nu_wait(ru, POLLIN, (int)left))
			break;
		uint8_t buf[256];
		struct ipk_raw_pkt p;
		struct ipk_udp uh;
		if (ipk_raw_read(ru, buf, sizeof(buf), 0, &p, MSG_DONTWAIT) < 0 ||
		    p.hdr.src != a1 || ipk_udp_parse(p.payload, p.payload_len, &uh) < 0)
			continue;
		uint16_t dp = uh.dport;
		to_port2 += dp == PORT2;
		if (dp == PORT && ++to_port == 2)
			end = nu_now_ms() + 30;
	}
	CHECK(rc == 0 && sent == 4 && to_port == 2 && to_port2 == 0,
	      "bpf_pcap_expression_raw_socket",
	      "attach %d sent %d: to PORT %d (want 2), to PORT2 %d (want 0)", rc, sent, to_port,
	      to_port2);
	close(ru);
	close(sx);
	close(sy);
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: %s NS1 NS2 IF1 IF2 ADDR1 ADDR2\n", argv[0]);
		return 2;
	}
	ns1 = argv[1];
	ns2 = argv[2];
	a1 = nu_addr(argv[5]);
	a2 = nu_addr(argv[6]);
	test_icmp_filter();
	test_bpf_udp();
	return nu_exit();
}
