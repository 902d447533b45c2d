/* igmp.c - net_igmp: the querier sockets under test (ipk_igmp_listen_*, ipk_igmp_tx_*) and a kernel-host joiner, for tests/net_igmp_listen.sh. */
#include "net/netutil.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

/*
 * Usage:
 *   net_igmp join IFNAME SECONDS SPEC...   hold memberships (SPEC asm:G | ssm:S@G | block:S@G) on
 *                                          IFNAME until SECONDS pass or SIGTERM, then close
 *                                          (the kernel reports the leave)
 *   net_igmp listen IFNAME SECONDS READY [out|count|querier]  print every datagram
 *                                          ipk_igmp_listen_read hears for SECONDS (READY is
 *                                          created once listening; "out" sets
 *                                          IPK_IGMP_RX_OUTGOING; "count" prints only
 *                                          "count datagrams=D records=R seconds=S cpu=C" at the
 *                                          end, S from the first stamp to the last, C the
 *                                          process's CPU seconds; "querier" counts the same and
 *                                          also gives every datagram, at its arrival stamp, to
 *                                          an ipk_querier (20,000 groups, 200,000 sources) and
 *                                          appends " groups=G sources=S applied=A"), one line
 *                                          each:
 *     rx pkttype=P mac=M len=L wirelen=W ts=ok|bad src=A dst=A ttl=T tos=0xXX ra=0|1
 *        type=0xTT group=G recs=TYPE:GROUP:S,S;... findings=N hex=...
 *   net_igmp rawlisten IFNAME SECONDS READY  the same through a raw IPPROTO_IGMP socket bound to
 *                                          IFNAME (what the IP layer hands a raw socket), one
 *                                          "raw src=A dst=A type=0xTT" line each
 *   net_igmp llreports ON                  ipk_igmp_link_local_reports(ON): prints "old A now B"
 *                                          (B read back with -1)
 *   net_igmp tagged IFNAME SRC GROUP VID   send a v2 report for GROUP from SRC twice through
 *                                          the link path: in an 802.1Q tag with VID, then
 *                                          untagged
 *   net_igmp query IFNAME raw|link SRC V MRC [loop]   build a general query of version V (1, 2, 3)
 *                                          with the codec, print "built HEX" (what
 *                                          ipk_igmp_tx_build gives) and send it once (SRC 0:
 *                                          the interface address on the raw path); "loop" turns
 *                                          multicast loopback back on after open
 * Exit 0, or 1 on an error (printed as "not ok ...").
 */

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Stop on SIGTERM, and tell the script the socket is open: create path. */
static void ready(const char *path)
{
	FILE *f;

	signal(SIGTERM, on_term);
	f = fopen(path, "w");
	if (!f)
		nu_die("%s: %s", path, strerror(errno));
	fclose(f);
}

static void hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static int join(int argc, char **argv)
{
	unsigned ifx = nu_ifindex(argv[2]);
	double secs = atof(argv[3]);
	int fds[16], nfd = 0;

	signal(SIGTERM, on_term);
	for (int i = 4; i < argc && nfd < 16; i++) {
		char spec[64], *at, *colon;
		uint32_t s = 0, g;
		int r, fd;
		snprintf(spec, sizeof(spec), "%s", argv[i]);
		colon = strchr(spec, ':');
		if (!colon)
			nu_die("bad spec %s", argv[i]);
		*colon = 0;
		at = strchr(colon + 1, '@');
		if (at) {
			*at = 0;
			s = nu_addr(colon + 1);
			g = nu_addr(at + 1);
		} else {
			g = nu_addr(colon + 1);
		}
		fd = ipk_udp_open(0, 0, 0);
		if (fd < 0)
			nu_die("socket: %s", strerror(-fd));
		if (!strcmp(spec, "asm"))
			r = ipk_mcast_join(fd, ifx, g);
		else if (!strcmp(spec, "ssm"))
			r = ipk_mcast_join_source(fd, ifx, g, s);
		else if (!strcmp(spec, "block")) {
			r = ipk_mcast_join(fd, ifx, g);
			if (r == 0)
				r = ipk_mcast_block_source(fd, ifx, g, s);
		} else
			nu_die("bad spec %s", argv[i]);
		if (r)
			nu_die("%s: %s", argv[i], strerror(-r));
		fds[nfd++] = fd;
	}
	printf("joined %d\n", nfd);
	fflush(stdout);
	long long end = nu_now_ms() + (long long)(secs * 1000);
	while (!stop && nu_now_ms() < end)
		nu_sleep_ms(20);
	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	return 0;
}

/* One line per datagram: the metadata, the codec's decode, the bytes. */
static void print_rx(const struct ipk_igmp_rx *x, long long t0_ns, long long t1_ns)
{
	struct ipk_packet p;
	char a[16], b[16];
	int nf = ipk_packet_decode(IPK_DLT_IPV4, x->buf, x->len, x->len, &p);
	int ra = 0;

	printf("rx pkttype=%u mac=%02x:%02x:%02x:%02x:%02x:%02x len=%zu wirelen=%zu ts=%s", x->pkttype,
	       x->mac[0], x->mac[1], x->mac[2], x->mac[3], x->mac[4], x->mac[5], x->len, x->wirelen,
	       x->ts_real_ns != 0 && x->ts_ns >= t0_ns && x->ts_ns <= t1_ns ? "ok" : "bad");
	if (p.has_ip4) {
		for (size_t i = 0; i + 1 < p.ip4.opts_len; i++)
			if (p.ip4.opts[i] == 0x94 && p.ip4.opts[i + 1] == 4)
				ra = 1;
		printf(" src=%s dst=%s ttl=%u tos=0x%02x ra=%d", nu_ntoa(p.ip4.src, a),
		       nu_ntoa(p.ip4.dst, b), p.ip4.ttl, p.ip4.tos, ra);
	}
	if (p.l4 == IPK_L4_IGMP) {
		const struct ipk_igmp *m = &p.u.igmp;
		printf(" type=0x%02x group=%s", m->type, nu_ntoa(m->group, a));
		if (m->type == IPK_IGMP_V3_REPORT) {
			struct ipk_igmp_rec_iter it;
			struct ipk_igmp_rec r;
			printf(" recs=");
			ipk_igmp_rec_iter_init(&it, m, x->buf + p.l4_off);
			while (ipk_igmp_rec_next(&it, &r) == 1) {
				printf("%s:%s:", ipk_igmp_rec_name(r.type), nu_ntoa(r.group, a));
				for (uint16_t i = 0; i < r.nsrcs; i++)
					printf("%s%s", i ? "," : "", nu_ntoa(ipk_igmp_addr(r.srcs, i), a));
				printf(";");
			}
		}
	}
	printf(" findings=%d hex=", nf);
	hex(x->buf, x->len);
	printf("\n");
	fflush(stdout);
}

/* Count mode: datagrams and v3 records decoded by the codec, and the span of their stamps;
 * querier mode also feeds each datagram to a querier state machine (q != NULL). */
struct counts {
	long long dgrams, recs, first_ns, last_ns, applied;
	struct ipk_querier *q;
	void *mem;
};

static int querier_start(struct counts *c, uint64_t now_ms)
{
	struct ipk_querier_cfg cfg;
	size_t len;

	ipk_querier_cfg_default(&cfg);
	cfg.address = IPK_IP4_ADDR(198, 18, 0, 1);
	cfg.max_groups = 20000;
	cfg.max_sources = 200000;
	len = ipk_querier_mem_size(cfg.max_groups, cfg.max_sources);
	c->q = malloc(sizeof(*c->q));
	c->mem = malloc(len);
	if (!c->q || !c->mem || ipk_querier_init(c->q, &cfg, c->mem, len, now_ms, NULL, NULL) != 0)
		return -1;
	return 0;
}

static void count_rx(const struct ipk_igmp_rx *x, struct counts *c)
{
	struct ipk_packet p;
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec r;

	if (c->q && ipk_querier_input(c->q, x->buf, x->len, (uint64_t)x->ts_ns / 1000000) == 0)
		c->applied++;
	(void)ipk_packet_decode(IPK_DLT_IPV4, x->buf, x->len, x->len, &p);
	if (!c->dgrams++)
		c->first_ns = x->ts_ns;
	c->last_ns = x->ts_ns;
	if (p.l4 != IPK_L4_IGMP || p.u.igmp.type != IPK_IGMP_V3_REPORT)
		return;
	ipk_igmp_rec_iter_init(&it, &p.u.igmp, x->buf + p.l4_off);
	while (ipk_igmp_rec_next(&it, &r) == 1)
		c->recs++;
}

static int listen_cmd(int argc, char **argv)
{
	enum { B = 64 };
	static uint8_t bufs[B][2048];
	struct ipk_igmp_rx m[B];
	struct counts c = {0};
	int querier = argc > 5 && !strcmp(argv[5], "querier");
	int counting = querier || (argc > 5 && !strcmp(argv[5], "count"));
	unsigned flags = argc > 5 && !strcmp(argv[5], "out") ? IPK_IGMP_RX_OUTGOING : 0;
	int fd = ipk_igmp_listen_open(nu_ifindex(argv[2]), flags);
	long long end = nu_now_ms() + (long long)(atof(argv[3]) * 1000);
	struct timespec t;

	if (fd < 0)
		nu_die("ipk_igmp_listen_open: %s", strerror(-fd));
	if (counting) { /* room for a burst */
		int big = 32 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	}
	if (querier && querier_start(&c, (uint64_t)nu_now_ms()) != 0)
		nu_die("ipk_querier_init failed");
	ready(argv[4]);
	while (!stop && nu_now_ms() < end) {
		if (!nu_wait(fd, POLLIN, 50))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long long t0 = (long long)t.tv_sec * 1000000000LL + t.tv_nsec - 1000000000LL;
		for (int i = 0; i < B; i++) {
			memset(&m[i], 0, sizeof(m[i]));
			m[i].buf = bufs[i];
			m[i].cap = sizeof(bufs[i]);
		}
		int n = ipk_igmp_listen_read(fd, m, counting ? B : 8, MSG_DONTWAIT);
		clock_gettime(CLOCK_MONOTONIC, &t);
		long long t1 = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
		if (n == -EAGAIN)
			continue;
		if (n < 0) {
			printf("not ok read: %s\n", strerror(-n));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (counting)
				count_rx(&m[i], &c);
			else
				print_rx(&m[i], t0, t1);
		}
	}
	if (counting) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		printf("count datagrams=%lld records=%lld seconds=%.6f cpu=%.6f", c.dgrams, c.recs,
		       (double)(c.last_ns - c.first_ns) / 1e9,
		       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
		if (c.q) {
			struct ipk_querier_status st;
			ipk_querier_status(c.q, (uint64_t)c.last_ns / 1000000, &st);
			printf(" groups=%u sources=%u applied=%lld", st.ngroups, st.nsources, c.applied);
		}
		printf("\n");
		free(c.q);
		free(c.mem);
	}
	close(fd);
	return 0;
}

static int rawlisten(char **argv)
{
	static uint8_t buf[2048];
	struct ipk_raw_pkt p;
	char a[16], b[16];
	int fd = ipk_raw_open(IPK_PROTO_IGMP, 0), r;
	long long end = nu_now_ms() + (long long)(atof(argv[3]) * 1000);

	if (fd < 0)
		nu_die("raw socket: %s", strerror(-fd));
	if ((r = ipk_sock_bind_device(fd, nu_ifindex(argv[2]))) != 0)
		nu_die("bind: %s", strerror(-r));
	ready(argv[4]);
	while (!stop && nu_now_ms() < end) {
		if (!nu_wait(fd, POLLIN, 50))
			continue;
		if (ipk_raw_read(fd, buf, sizeof(buf), 0, &p, MSG_DONTWAIT) < 0 || p.parse_err)
			continue;
		printf("raw src=%s dst=%s type=0x%02x\n", nu_ntoa(p.hdr.src, a), nu_ntoa(p.hdr.dst, b),
		       p.payload_len ? p.payload[0] : 0);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int llreports(char **argv)
{
	int old = -5, now = -5;
	int r = ipk_igmp_link_local_reports(atoi(argv[2]), &old);

	if (r == 0)
		r = ipk_igmp_link_local_reports(-1, &now);
	if (r)
		nu_die("ipk_igmp_link_local_reports: %s", strerror(-r));
	printf("old %d now %d\n", old, now);
	return 0;
}

static int tagged(char **argv)
{
	uint8_t f[64], mac[6], gmac[6];
	uint32_t src = nu_addr(argv[3]), group = nu_addr(argv[4]);
	int fd = ipk_link_open(nu_ifindex(argv[2])), r;

	if (fd < 0 || ipk_link_get_mac(fd, mac) != 0)
		nu_die("link socket on %s", argv[2]);
	ipk_eth_mcast_mac(group, gmac);
	for (int tag = 1; tag >= 0; tag--) {
		size_t l2 = IPK_ETH_HLEN + (tag ? IPK_VLAN_TAGLEN : 0);
		struct ipk_wbuf w;
		struct ipk_msg m;
		ipk_wbuf_init(&w, f, sizeof(f));
		r = ipk_eth_build(&w, gmac, mac, tag ? IPK_ETHERTYPE_VLAN : IPK_ETHERTYPE_IPV4);
		if (r == 0 && tag)
			r = ipk_vlan_build(&w, (uint16_t)atoi(argv[5]), IPK_ETHERTYPE_IPV4);
		ipk_wbuf_init(&w, f + l2 + IPK_IGMP_HDRROOM, sizeof(f) - l2 - IPK_IGMP_HDRROOM);
		if (r == 0)
			r = ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, group);
		int n = r ? r : ipk_igmp_dgram_finish(f + l2, sizeof(f) - l2, w.len, src);
		if (n < 0)
			nu_die("build: %d", n);
		memset(&m, 0, sizeof(m));
		m.buf = f;
		m.len = l2 + (size_t)n;
		if (ipk_link_write_batch(fd, &m, 1, 0) != 1)
			nu_die("send: %s", strerror(errno));
	}
	close(fd);
	return 0;
}

static int query(int argc, char **argv)
{
	uint8_t msg[64], out[256];
	struct ipk_wbuf w;
	struct ipk_igmp_tx t;
	int link = !strcmp(argv[3], "link");
	int v = atoi(argv[5]), mrc = atoi(argv[6]), r;

	ipk_wbuf_init(&w, msg, sizeof(msg));
	if (v == 1)
		r = ipk_igmp_put_v1(&w, IPK_IGMP_QUERY, 0);
	else if (v == 2)
		r = ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, (uint8_t)mrc, 0);
	else {
		struct ipk_igmp_v3q q;
		memset(&q, 0, sizeof(q));
		q.mrc = (uint8_t)mrc;
		q.qrv = 2;
		q.qqic = 125;
		r = ipk_igmp_put_v3_query(&w, &q);
	}
	if (r)
		nu_die("query build: %d", r);
	r = ipk_igmp_tx_open(&t, nu_ifindex(argv[2]), nu_addr(argv[4]), link ? IPK_IGMP_TX_LINK : 0);
	if (r)
		nu_die("ipk_igmp_tx_open: %s", strerror(-r));
	if (argc > 7 && !strcmp(argv[7], "loop") && (r = ipk_mcast_set_loop(t.fd, 1)) != 0)
		nu_die("loop: %s", strerror(-r));
	int n = ipk_igmp_tx_build(&t, msg, w.len, 0, out, sizeof(out));
	if (n < 0)
		nu_die("ipk_igmp_tx_build: %d", n);
	printf("built ");
	hex(out, (size_t)n);
	printf("\n");
	r = ipk_igmp_tx_send(&t, msg, w.len, 0);
	if (r != n) {
		printf("not ok send: %d (%s), expected %d\n", r, r < 0 ? strerror(-r) : "short", n);
		return 1;
	}
	ipk_igmp_tx_close(&t);
	ipk_igmp_tx_close(&t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "join"))
		return join(argc, argv);
	if (argc >= 5 && !strcmp(argv[1], "listen"))
		return listen_cmd(argc, argv);
	if (argc >= 5 && !strcmp(argv[1], "rawlisten"))
		return rawlisten(argv);
	if (argc >= 3 && !strcmp(argv[1], "llreports"))
		return llreports(argv);
	if (argc >= 6 && !strcmp(argv[1], "tagged"))
		return tagged(argv);
	if (argc >= 7 && !strcmp(argv[1], "query"))
		return query(argc, argv);
	fprintf(stderr, "usage: net_igmp join IFNAME SECONDS SPEC... | listen IFNAME SECONDS READY "
			"[out|count] | rawlisten IFNAME SECONDS READY | llreports 0|1|-1 | tagged IFNAME SRC GROUP VID | query IFNAME raw|link SRC V MRC [loop]\n");
	return 2;
}
