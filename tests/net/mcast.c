/* mcast.c - net_mcast: multicast delivery (ASM, SSM, block/unblock, leave/rejoin, shared port),
 * control messages, IP_RECVERR and error codes between two namespaces (RFC 1112, 3376, 3678). */
#include "net/netutil.h"
#include <sys/socket.h>

/*
 * Usage: net_mcast NS1 NS2 IF1 IF2 ADDR1 ADDR1B ADDR2
 *   NS1 holds the senders (ADDR1 and ADDR1B on IF1), NS2 the receivers (ADDR2 on IF2).
 * Prints one "ok"/"not ok" line per check.
 */

static const char *ns1, *ns2;
static unsigned if1, if2;
static uint32_t a1, a1b, a2;
static uint32_t g_asm, g_ssm, g_blk, g_reuse;
static const uint16_t port = 41000;

/* Send text to dst:dport from source address src (IP_PKTINFO spec_dst) out of IF1. */
static int send_from(int s, uint32_t src, uint32_t dst, uint16_t dport, const char *text)
{
	char buf[64];
	struct ipk_msg m = {0};
	m.len = strlen(text);
	if (m.len > sizeof(buf))
		m.len = sizeof(buf);
	memcpy(buf, text, m.len);
	m.buf = buf;
	m.addr = dst;
	m.port = dport;
	m.cm.has = IPK_CM_PKTINFO;
	m.cm.spec_dst = src;
	m.cm.ifindex = if1;
	return ipk_sock_write(s, &m, 0);
}

/* What arrived on r within ms: up to 16 (source, text) pairs. */
struct got {
	int n;
	uint32_t src[16];
	char text[16][64];
};

/* Read everything arriving within ms (a window, not a deadline per datagram). */
static void collect(int r, int ms, struct got *g)
{
	long long end = nu_now_ms() + ms;
	g->n = 0;
	for (int i = 0; i < 64; i++) {
		long long left = end - nu_now_ms();
		if (left <= 0)
			break;
		char buf[64];
		struct ipk_msg m = {.buf = buf, .cap = sizeof(buf) - 1};
		int n = nu_read(r, &m, 0, (int)left);
		if (n <= 0)
			break;
		if (g->n < 16) {
			g->src[g->n] = m.addr;
			memcpy(g->text[g->n], buf, (size_t)n);
			g->text[g->n][n] = 0;
			g->n++;
		}
	}
}

static int has(const struct got *g, uint32_t src, const char *text)
{
	for (int i = 0; i < g->n; i++)
		if (g->src[i] == src && !strcmp(g->text[i], text))
			return 1;
	return 0;
}

static const char *show(const struct got *g)
{
	static char out[1024];
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < g->n && o < sizeof(out) - 100; i++) {
		char a[16];
		o += (size_t)snprintf(out + o, sizeof(out) - o, "[%s from %s] ", g->text[i],
				      nu_ntoa(g->src[i], a));
	}
	return g->n ? out : "(nothing)";
}

static void test_asm(int s, int r)
{
	struct got g;
	int rc = ipk_mcast_join(r, if2, g_asm);
	CHECK(rc == 0, "asm_join", "ipk_mcast_join = %d", rc);
	send_from(s, a1, g_asm, port, "asm-1");
	collect(r, 400, &g);
	CHECK(g.n == 1 && has(&g, a1, "asm-1"), "asm_receives", "got %s", show(&g));

	rc = ipk_mcast_leave(r, if2, g_asm);
	CHECK(rc == 0, "asm_leave", "ipk_mcast_leave = %d", rc);
	send_from(s, a1, g_asm, port, "asm-2");
	collect(r, 300, &g);
	CHECK(g.n == 0, "asm_after_leave_nothing", "got %s", show(&g));

	rc = ipk_mcast_join(r, if2, g_asm);
	send_from(s, a1, g_asm, port, "asm-3");
	collect(r, 400, &g);
	CHECK(rc == 0 && g.n == 1 && has(&g, a1, "asm-3"), "asm_rejoin_receives", "join %d, got %s",
	      rc, show(&g));
}

static void test_ssm(int s, int r)
{
	struct got g;
	int rc = ipk_mcast_join_source(r, if2, g_ssm, a1);
	CHECK(rc == 0, "ssm_join_source", "ipk_mcast_join_source = %d", rc);
	send_from(s, a1b, g_ssm, port, "ssm-b1");
	send_from(s, a1, g_ssm, port, "ssm-a1");
	collect(r, 400, &g);
	CHECK(g.n == 1 && has(&g, a1, "ssm-a1"), "ssm_only_joined_source", "got %s", show(&g));

	rc = ipk_mcast_join_source(r, if2, g_ssm, a1b);
	send_from(s, a1b, g_ssm, port, "ssm-b2");
	send_from(s, a1, g_ssm, port, "ssm-a2");
	collect(r, 400, &g);
	CHECK(rc == 0 && g.n == 2 && has(&g, a1, "ssm-a2") && has(&g, a1b, "ssm-b2"),
	      "ssm_second_source_added", "join %d, got %s", rc, show(&g));

	rc = ipk_mcast_leave_source(r, if2, g_ssm, a1);
	send_from(s, a1, g_ssm, port, "ssm-a3");
	send_from(s, a1b, g_ssm, port, "ssm-b3");
	collect(r, 400, &g);
	CHECK(rc == 0 && g.n == 1 && has(&g, a1b, "ssm-b3"), "ssm_leave_source", "leave %d, got %s",
	      rc, show(&g));
	rc = ipk_mcast_leave_source(r, if2, g_ssm, a1b);
	send_from(s, a1b, g_ssm, port, "ssm-b4");
	collect(r, 300, &g);
	CHECK(rc == 0 && g.n == 0, "ssm_left_nothing", "leave %d, got %s", rc, show(&g));
}

static void test_block(int s, int r)
{
	struct got g;
	int rc = ipk_mcast_join(r, if2, g_blk);
	int rb = ipk_mcast_block_source(r, if2, g_blk, a1b);
	CHECK(rc == 0 && rb == 0, "block_source", "join %d, block %d", rc, rb);
	send_from(s, a1b, g_blk, port, "blk-b1");
	send_from(s, a1, g_blk, port, "blk-a1");
	collect(r, 400, &g);
	CHECK(g.n == 1 && has(&g, a1, "blk-a1"), "blocked_source_dropped", "got %s", show(&g));

	rc = ipk_mcast_unblock_source(r, if2, g_blk, a1b);
	send_from(s, a1b, g_blk, port, "blk-b2");
	send_from(s, a1, g_blk, port, "blk-a2");
	collect(r, 400, &g);
	CHECK(rc == 0 && g.n == 2 && has(&g, a1b, "blk-b2") && has(&g, a1, "blk-a2"),
	      "unblocked_source_arrives", "unblock %d, got %s", rc, show(&g));
	ipk_mcast_leave(r, if2, g_blk);
}

/* Two listeners bound to group:port with reuse, both joined: both get each datagram. */
static void test_reuse(int s)
{
	struct got g1, g2;
	nu_enter(ns2);
	int r1 = ipk_udp_open(g_reuse, port + 1, 1);
	int r2 = ipk_udp_open(g_reuse, port + 1, 1);
	int j1 = r1 >= 0 ? ipk_mcast_join(r1, if2, g_reuse) : r1;
	int j2 = r2 >= 0 ? ipk_mcast_join(r2, if2, g_reuse) : r2;
	/* a listener on the same port bound to another group must not see it */
	int r3 = ipk_udp_open(g_asm, port + 1, 1);
	nu_enter(ns1);
	CHECK(r1 >= 0 && r2 >= 0 && r3 >= 0 && j1 == 0 && j2 == 0, "reuse_open_join",
	      "open %d %d %d, join %d %d", r1, r2, r3, j1, j2);
	if (r1 < 0 || r2 < 0 || r3 < 0)
		return;
	send_from(s, a1, g_reuse, port + 1, "reuse-1");
	collect(r1, 400, &g1);
	collect(r2, 100, &g2);
	CHECK(g1.n == 1 && has(&g1, a1, "reuse-1") && g2.n == 1 && has(&g2, a1, "reuse-1"),
	      "reuse_both_listeners_receive", "first %s; second %s", show(&g1), show(&g2));
	collect(r3, 100, &g1);
	CHECK(g1.n == 0, "reuse_other_group_bind_filtered", "got %s", show(&g1));
	close(r1);
	close(r2);
	close(r3);
}

/* Multicast loopback: with it on, a member socket on the sending host gets a copy; with it off,
 * only the peer does (the peer's copy proves the datagram was sent). */
static void test_loop(int s)
{
	struct got gl, gp;
	nu_enter(ns2);
	int peer = ipk_udp_open(0, port + 2, 1);
	int jp = peer >= 0 ? ipk_mcast_join(peer, if2, g_reuse) : peer;
	nu_enter(ns1);
	int local = ipk_udp_open(0, port + 2, 1);
	int jl = local >= 0 ? ipk_mcast_join(local, if1, g_reuse) : local;
	CHECK(jp == 0 && jl == 0, "loop_setup", "peer join %d, local join %d", jp, jl);
	if (peer < 0 || local < 0)
		return;
	int on = -1;
	int r1 = ipk_mcast_set_loop(s, 1), r2 = ipk_mcast_get_loop(s, &on);
	send_from(s, a1, g_reuse, port + 2, "loop-on");
	collect(peer, 400, &gp);
	collect(local, 100, &gl);
	CHECK(!r1 && !r2 && on == 1 && has(&gp, a1, "loop-on") && gl.n == 1 &&
		  has(&gl, a1, "loop-on"),
	      "mcast_loop_on_local_copy", "set %d get %d on %d; peer %s; local %s", r1, r2, on,
	      show(&gp), show(&gl));
	r1 = ipk_mcast_set_loop(s, 0);
	r2 = ipk_mcast_get_loop(s, &on);
	send_from(s, a1, g_reuse, port + 2, "loop-off");
	collect(peer, 400, &gp);
	collect(local, 100, &gl);
	CHECK(!r1 && !r2 && on == 0 && has(&gp, a1, "loop-off") && gl.n == 0,
	      "mcast_loop_off_no_local_copy", "set %d get %d on %d; peer %s; local %s", r1, r2, on,
	      show(&gp), show(&gl));
	ipk_mcast_set_loop(s, 1);
	close(peer);
	close(local);
}

/* Control messages: TTL, TOS, destination and interface of multicast and unicast datagrams. */
static void test_cmsg(int s, int r)
{
	char a[16], b[16];
	int rc = ipk_sock_set_cm(r, IPK_CM_TTL | IPK_CM_TOS | IPK_CM_PKTINFO, 1);
	CHECK(rc == 0, "cm_enable", "ipk_sock_set_cm = %d", rc);
	unsigned want = IPK_CM_TTL | IPK_CM_TOS | IPK_CM_PKTINFO;
	/* interface indexes are checked in the caller's namespace: be where s lives */
	nu_enter(ns1);

	/* multicast with socket options: multicast TTL 7, TOS 0x28 */
	int t1 = ipk_mcast_set_ttl(s, 7), t2 = ipk_sock_set_tos(s, 0x28),
	    t3 = ipk_mcast_set_if(s, if1);
	int ttl = -1, tos = -1;
	unsigned ifi = 0;
	uint32_t ifaddr = 1;
	int g1 = ipk_mcast_get_ttl(s, &ttl), g2 = ipk_sock_get_tos(s, &tos);
	int g3 = ipk_mcast_get_if(s, &ifi, &ifaddr);
	CHECK(!t1 && !t2 && !t3 && !g1 && !g2 && !g3 && ttl == 7 && tos == 0x28 && ifi == if1,
	      "sockopt_roundtrip", "set %d %d %d get %d %d %d: ttl %d tos %#x if %u (want %u)", t1,
	      t2, t3, g1, g2, g3, ttl, tos, ifi, if1);

	struct ipk_msg m = {0};
	static char s1[] = "cm-mc";
	m.buf = s1;
	m.len = 5;
	m.addr = g_asm;
	m.port = port;
	rc = ipk_sock_write(s, &m, 0);
	char buf[64];
	struct ipk_msg in = {.buf = buf, .cap = sizeof(buf)};
	int n = nu_read(r, &in, want, 1000);
	CHECK(rc == 5 && n == 5 && (in.cm.has & want) == want && in.cm.ttl == 7 &&
		  in.cm.tos == 0x28 && in.cm.dst == g_asm && in.cm.ifindex == if2 && in.addr == a1,
	      "cm_multicast",
	      "write %d read %d has %#x ttl %d tos %#x dst %s if %u (want %u) src %s", rc, n,
	      in.cm.has, in.cm.ttl, in.cm.tos, nu_ntoa(in.cm.dst, a), in.cm.ifindex, if2,
	      nu_ntoa(in.addr, b));

	/* multicast with per-datagram TTL and TOS control messages overriding the socket's */
	static char s2[] = "cm-mc2";
	m.buf = s2;
	m.len = 6;
	m.cm.has = IPK_CM_TTL | IPK_CM_TOS;
	m.cm.ttl = 5;
	m.cm.tos = 0x10;
	rc = ipk_sock_write(s, &m, 0);
	memset(&in, 0, sizeof(in));
	in.buf = buf;
	in.cap = sizeof(buf);
	n = nu_read(r, &in, want, 1000);
	CHECK(rc == 6 && n == 6 && in.cm.ttl == 5 && in.cm.tos == 0x10 && in.cm.dst == g_asm,
	      "cm_send_ttl_tos", "write %d read %d ttl %d tos %#x dst %s", rc, n, in.cm.ttl,
	      in.cm.tos, nu_ntoa(in.cm.dst, a));

	/* unicast: TTL 33, TOS 0x48 */
	t1 = ipk_sock_set_ttl(s, 33);
	t2 = ipk_sock_set_tos(s, 0x48);
	g1 = ipk_sock_get_ttl(s, &ttl);
	CHECK(!t1 && !t2 && !g1 && ttl == 33, "unicast_ttl_roundtrip", "set %d %d get %d ttl %d",
	      t1, t2, g1, ttl);
	memset(&m, 0, sizeof(m));
	static char s3[] = "cm-uc";
	m.buf = s3;
	m.len = 5;
	m.addr = a2;
	m.port = port;
	rc = ipk_sock_write(s, &m, 0);
	memset(&in, 0, sizeof(in));
	in.buf = buf;
	in.cap = sizeof(buf);
	n = nu_read(r, &in, want, 1000);
	CHECK(rc == 5 && n == 5 && (in.cm.has & want) == want && in.cm.ttl == 33 &&
		  in.cm.tos == 0x48 && in.cm.dst == a2 && in.cm.spec_dst == a2 &&
		  in.cm.ifindex == if2 && in.addr == a1 && !memcmp(buf, "cm-uc", 5),
	      "cm_unicast", "write %d read %d has %#x ttl %d tos %#x dst %s spec %s if %u src %s",
	      rc, n, in.cm.has, in.cm.ttl, in.cm.tos, nu_ntoa(in.cm.dst, a),
	      nu_ntoa(in.cm.spec_dst, b), in.cm.ifindex, nu_ntoa(in.addr, b));

	/* turning a message off stops its delivery */
	rc = ipk_sock_set_cm(r, IPK_CM_TTL, 0);
	static char s4[] = "cm-uc2";
	m.buf = s4;
	m.len = 6;
	ipk_sock_write(s, &m, 0);
	memset(&in, 0, sizeof(in));
	in.buf = buf;
	in.cap = sizeof(buf);
	n = nu_read(r, &in, want, 1000);
	CHECK(rc == 0 && n == 6 && !(in.cm.has & IPK_CM_TTL) && (in.cm.has & IPK_CM_PKTINFO),
	      "cm_disable_ttl", "off %d read %d has %#x", rc, n, in.cm.has);
	ipk_sock_set_cm(r, IPK_CM_ALL & ~IPK_CM_ERR, 0);
	ipk_sock_set_tos(s, 0);
	ipk_sock_set_ttl(s, 64);
}

/* IP_RECVERR: a datagram to a closed port comes back as ICMP port unreachable from ADDR2. */
static void test_recverr(void)
{
	char a[16];
	nu_enter(ns1);
	int e = ipk_udp_open(0, 0, 0);
	if (e < 0)
		nu_die("udp open: %d", e);
	int rc = ipk_sock_set_cm(e, IPK_CM_ERR, 1);
	char buf[64];
	struct ipk_msg m = {.buf = buf, .cap = sizeof(buf)};
	int empty = ipk_sock_read_err(e, &m);
	CHECK(rc == 0 && empty == -EAGAIN, "recverr_empty_queue", "set_cm %d, read_err %d", rc,
	      empty);

	static char tc[] = "to-closed-port";
	struct ipk_msg out = {.buf = tc, .len = 14, .addr = a2, .port = 9};
	int w = ipk_sock_write(e, &out, 0);
	int ready = nu_wait(e, 0, 2000);
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.cap = sizeof(buf);
	int n = ready ? ipk_sock_read_err(e, &m) : -ETIMEDOUT;
	const struct ipk_sock_err *er = &m.cm.err;
	CHECK(w == 14 && n == 14 && !memcmp(buf, "to-closed-port", 14) && (m.cm.has & IPK_CM_ERR) &&
		  er->err == ECONNREFUSED && er->origin == IPK_EE_ORIGIN_ICMP && er->type == 3 &&
		  er->code == 3 && er->has_offender && er->offender == a2,
	      "recverr_port_unreachable",
	      "write %d ready %d read_err %d has %#x err %u origin %u type %u code %u offender(%u) "
	      "%s",
	      w, ready, n, m.cm.has, er->err, er->origin, er->type, er->code, er->has_offender,
	      nu_ntoa(er->offender, a));
	memset(&m, 0, sizeof(m));
	m.buf = buf;
	m.cap = sizeof(buf);
	n = ipk_sock_read_err(e, &m);
	CHECK(n == -EAGAIN, "recverr_queue_drained", "second read_err %d", n);
	close(e);
}

/* Documented error codes on real sockets, and the socket unchanged after a rejected call. */
static void test_errors(int s, int r)
{
	int rc;
	nu_enter(ns2);
	rc = ipk_mcast_join(r, if2, a2);
	CHECK(rc == -EINVAL, "err_join_unicast_group", "got %d want %d", rc, -EINVAL);
	rc = ipk_mcast_join(r, 9999, g_blk);
	CHECK(rc == -ENODEV, "err_join_unknown_ifindex", "got %d want %d", rc, -ENODEV);
	rc = ipk_mcast_join(r, if2, g_asm);
	CHECK(rc == -EADDRINUSE, "err_join_twice", "got %d want %d", rc, -EADDRINUSE);
	rc = ipk_mcast_leave(r, if2, g_blk);
	CHECK(rc == -EADDRNOTAVAIL, "err_leave_not_joined", "got %d want %d", rc, -EADDRNOTAVAIL);
	rc = ipk_mcast_join_source(r, if2, g_ssm, 0xffffffffu);
	CHECK(rc == -EINVAL, "err_join_source_broadcast_source", "got %d want %d", rc, -EINVAL);

	int c = ipk_udp_open(0, 0, 0);
	close(c);
	rc = ipk_mcast_join(c, if2, g_blk);
	CHECK(rc == -EBADF, "err_closed_fd", "got %d want %d", rc, -EBADF);
	int p[2];
	if (pipe(p) == 0) {
		rc = ipk_sock_set_ttl(p[0], 9);
		CHECK(rc == -ENOTSOCK, "err_not_a_socket", "got %d want %d", rc, -ENOTSOCK);
		close(p[0]);
		close(p[1]);
	}
	int t = socket(AF_INET, SOCK_STREAM, 0);
	rc = ipk_mcast_join(t, if2, g_blk);
	CHECK(rc == -EPROTOTYPE, "err_join_on_tcp", "got %d want %d", rc, -EPROTOTYPE);
	close(t);
	struct ipk_icmp_filter f;
	ipk_icmp_filter_set_all(&f, 1);
	rc = ipk_sock_set_icmp_filter(r, &f);
	CHECK(rc == -EPROTOTYPE, "err_icmp_filter_on_udp", "got %d want %d", rc, -EPROTOTYPE);
	rc = ipk_sock_attach_bpf(r, NULL, 0);
	CHECK(rc == -EINVAL, "err_bpf_empty_program", "got %d want %d", rc, -EINVAL);

	/* rejected settings leave the old values */
	nu_enter(ns1);
	int ttl = 0;
	ipk_sock_set_ttl(s, 21);
	int e1 = ipk_sock_set_ttl(s, 0), e2 = ipk_sock_set_ttl(s, 256);
	ipk_sock_get_ttl(s, &ttl);
	CHECK(e1 == -EINVAL && e2 == -EINVAL && ttl == 21, "err_ttl_range",
	      "ttl 0: %d, 256: %d, kept %d", e1, e2, ttl);
	int tos = 0;
	ipk_sock_set_tos(s, 0x20);
	e1 = ipk_sock_set_tos(s, 256);
	ipk_sock_get_tos(s, &tos);
	CHECK(e1 == -EINVAL && tos == 0x20, "err_tos_range", "tos 256: %d, kept %#x", e1, tos);
	unsigned ifi = 0;
	e1 = ipk_mcast_set_if(s, 9999);
	e2 = ipk_mcast_get_if(s, &ifi, NULL);
	CHECK(e1 == -ENODEV && e2 == 0 && ifi == if1, "err_mcast_if_unknown_kept",
	      "set %d get %d if %u", e1, e2, ifi);
	ipk_sock_set_tos(s, 0);
	ipk_sock_set_ttl(s, 64);

	/* the receiver still works after all the rejected calls */
	struct got g;
	send_from(s, a1, g_asm, port, "after-errors");
	collect(r, 400, &g);
	CHECK(g.n == 1 && has(&g, a1, "after-errors"), "socket_unchanged_after_errors", "got %s",
	      show(&g));
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: %s NS1 NS2 IF1 IF2 ADDR1 ADDR1B ADDR2\n", argv[0]);
		return 2;
	}
	ns1 = argv[1];
	ns2 = argv[2];
	a1 = nu_addr(argv[5]);
	a1b = nu_addr(argv[6]);
	a2 = nu_addr(argv[7]);
	uint32_t k = (a1 >> 8) & 0xff; /* the per-run subnet byte keeps groups apart between runs */
	g_asm = IPK_IP4_ADDR(239, 198, k, 1);
	g_blk = IPK_IP4_ADDR(239, 198, k, 3);
	g_reuse = IPK_IP4_ADDR(239, 198, k, 4);
	g_ssm = IPK_IP4_ADDR(232, 198, k, 2);

	nu_enter(ns2);
	if2 = nu_ifindex(argv[4]);
	int r = ipk_udp_open(0, port, 1);
	if (r < 0)
		nu_die("receiver ipk_udp_open: %d", r);
	nu_enter(ns1);
	if1 = nu_ifindex(argv[3]);
	int s = ipk_udp_open(0, 0, 0);
	if (s < 0)
		nu_die("sender ipk_udp_open: %d", s);
	ipk_mcast_set_if(s, if1);

	/* the calls on r validate the interface index in the current namespace */
	nu_enter(ns2);
	test_asm(s, r);
	test_ssm(s, r);
	test_block(s, r);
	test_reuse(s);
	test_loop(s);
	nu_enter(ns2);
	test_cmsg(s, r);
	test_recverr();
	test_errors(s, r);
	close(s);
	close(r);
	return nu_exit();
}
