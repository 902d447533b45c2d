/* fuzz.c - `ipv4kit fuzz`: fuzz another IPv4/IGMP stack over the wire with the structure-aware mutator, a liveness probe every N packets, and a delta-debugged (ddmin) reproducer saved as pcap when the target stops answering. */
#define _GNU_SOURCE /* getopt_long, clock_nanosleep */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/bpf.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/l4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/mutate.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit fuzz"
#define MAXSEEDS 256
#define DGRAM_MAX 1500 /* a mutated datagram never grows past this (the usual Ethernet MTU) */
#define FRAME_MAX (IPK_ETH_HLEN + DGRAM_MAX)
#define WHAT_MAX 96
#define KEEP_MAX 100000
#define TRIES_MAX 400  /* ddmin replays at most */
#define PROBE_GROUP IPK_IP4_ADDR(239, 255, 90, 90) /* igmp-router probe: report, leave, expect a query */

enum mode { M_IP, M_HOST, M_ROUTER };
static const char *const mode_names[] = {"ip", "igmp-host", "igmp-router"};
enum probe { P_ICMP, P_IGMP, P_TCP, P_CMD, P_NONE };
static const char *const probe_names[] = {"icmp", "igmp", "tcp", "cmd", "none"};

struct seed {
	uint8_t eth[IPK_ETH_HLEN];
	uint8_t d[DGRAM_MAX];
	size_t len;
};

/* One packet sent: the frame and what the mutator did to it. */
struct pkt {
	uint64_t idx;   /* 1-based packet number of the run */
	int64_t sec;
	uint32_t nsec;
	uint16_t seed;  /* index into seeds */
	uint16_t len;   /* frame bytes */
	char what[WHAT_MAX];
	uint8_t f[FRAME_MAX];
};

struct fz {
	/* options */
	const char *iface, *restart_cmd, *probe_cmd, *outdir, *wpath;
	unsigned ifindex;
	uint32_t target;
	uint64_t seed;
	int mode, probe, json, hdrincl, tty, verbose;
	uint16_t tcp_port;
	unsigned long count, every, keep;
	double duration, rate, wait, recover;
	/* sockets */
	int lfd, rfd, icmp_fd, rx_fd;
	struct ipk_igmp_tx tx;
	uint8_t mac[6], tmac[6];
	int have_tmac;
	uint32_t addr;          /* IFACE's address: the source of the default seeds and probes */
	uint32_t host_group;    /* igmp-host: a group the target reported */
	/* seeds and the packets sent */
	struct seed *seeds;
	size_t nseeds;
	struct ipk_mutator mut;
	struct pkt *ring;       /* packet idx lives in ring[(idx - 1) % nring] */
	size_t nring;
	/* counters */
	uint64_t sent, failed, probes, probe_fail;
	uint64_t stalls, stall_first; /* the target came back by itself: how often, first packet */
	double stall_max;             /* the longest, seconds */
	uint64_t run_sent, run_probes, run_probe_fail; /* of the run itself: the counters above
						* go on counting ddmin's replays and probes */
	int last_err;
	uint16_t probe_seq;
	struct timespec t0;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR && !ipk_cli_stop)
		;
}

static double since(const struct fz *z)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - z->t0.tv_sec) + (double)(t.tv_nsec - z->t0.tv_nsec) / 1e9;
}

/* ---- seeds ---- */

/* The destination in a seed's header (0 when it is shorter than a header). */
static uint32_t seed_dst(const struct seed *s)
{
	struct ipk_ip4 h;
	memset(&h, 0, sizeof(h));
	return ipk_ip4_parse(s->d, s->len, IPK_IP4_GO, &h, NULL) == 0 ? h.dst : 0;
}

/* The Ethernet header for a seed: to the group MAC, broadcast, or the target's MAC. */
static void seed_eth(struct fz *z, struct seed *s)
{
	static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint32_t dst = seed_dst(s);
	uint8_t gm[6];
	const uint8_t *dmac = z->tmac;
	struct ipk_wbuf w;
	if (ipk_ip4_is_multicast(dst)) {
		ipk_eth_mcast_mac(dst, gm);
		dmac = gm;
	} else if (dst == 0xffffffffu) {
		dmac = bc;
	}
	ipk_wbuf_init(&w, s->eth, sizeof(s->eth));
	if (ipk_eth_build(&w, dmac, z->mac, IPK_ETHERTYPE_IPV4))
		memset(s->eth, 0, sizeof(s->eth)); /* 14 bytes of room: cannot happen */
}

static int seed_unicast(const struct seed *s)
{
	uint32_t dst = seed_dst(s);
	return !ipk_ip4_is_multicast(dst) && dst != 0xffffffffu;
}

static struct seed *seed_new(struct fz *z, const char *what)
{
	if (z->nseeds >= MAXSEEDS) {
		ipk_cli_usage(PROG, "%s: more than %d seed packets", what, MAXSEEDS);
		return NULL;
	}
	return &z->seeds[z->nseeds];
}

/* --craft 'SPEC': craft's words, split at blanks. */
static int seed_craft(struct fz *z, const char *spec)
{
	char buf[4096], *words[256], *save = NULL;
	int n = 0;
	struct seed *s = seed_new(z, "--craft");
	if (!s)
		return -1;
	if (strlen(spec) >= sizeof(buf))
		return ipk_cli_usage(PROG, "--craft: spec longer than %zu bytes", sizeof(buf) - 1), -1;
	strcpy(buf, spec);
	words[n++] = (char *)"craft";
	for (char *w = strtok_r(buf, " \t\n", &save); w && n < 255; w = strtok_r(NULL, " \t\n", &save))
		words[n++] = w;
	words[n] = NULL;
	int len = ipk_craft_dgram(n, words, s->d, sizeof(s->d));
	if (len < 0) {
		fprintf(stderr, "%s: in --craft '%s'\n", PROG, spec);
		return -1;
	}
	s->len = (size_t)len;
	z->nseeds++;
	return 0;
}

struct from_ctx {
	struct fz *z;
	const char *path;
	uint64_t skipped;
};

/* --from FILE: every IPv4 datagram of the capture (up to DGRAM_MAX bytes) is a seed. */
static int from_frame(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct from_ctx *c = ctx;
	struct ipk_link l;
	if (ipk_link_decode(dlt, f->data, f->caplen, &l) < 0 || l.ethertype != IPK_ETHERTYPE_IPV4 ||
	    f->caplen - l.l3_off < IPK_IP4_MINLEN || f->caplen - l.l3_off > DGRAM_MAX) {
		c->skipped++;
		return 0;
	}
	struct seed *s = seed_new(c->z, c->path);
	if (!s)
		return 1;
	s->len = f->caplen - l.l3_off;
	memcpy(s->d, f->data + l.l3_off, s->len);
	c->z->nseeds++;
	return 0;
}

static int seed_from(struct fz *z, const char *path)
{
	char err[512];
	struct from_ctx c = {z, path, 0};
	int r = ipk_cap_read(path, from_frame, &c, NULL, err, sizeof(err));
	if (r == 1)
		return -1;
	if (r) {
		fprintf(stderr, "%s: --from: %s\n", PROG, err);
		return -1;
	}
	if (c.skipped)
		fprintf(stderr, "%s: --from %s: %llu frames skipped (not IPv4, or longer than %d bytes)\n",
			PROG, path, (unsigned long long)c.skipped, DGRAM_MAX);
	return 0;
}

/* The valid seeds of each mode when neither --from nor --craft is given: from IFACE's address;
 * igmp-host queries name the group the target reported to the first probe. */
static int seed_defaults(struct fz *z)
{
	char me[16], t[16], g[16], spec[6][256];
	size_t n = 0;
	ipk_ip4_ntoa(z->addr, me);
	ipk_ip4_ntoa(z->target, t);
	ipk_ip4_ntoa(z->host_group ? z->host_group : IPK_IP4_ADDR(239, 1, 2, 3), g);
#define SPEC(...) snprintf(spec[n++], sizeof(spec[0]), __VA_ARGS__)
	if (z->mode == M_IP) {
		SPEC("ip src=%s dst=%s icmp-echo id=1 seq=1 payload=ipv4kit-fuzz", me, t);
		SPEC("ip src=%s dst=%s opt=rr:3 icmp-echo id=1 seq=2", me, t);
		SPEC("ip src=%s dst=%s udp sport=4000 dport=9 payload=ipv4kit-fuzz", me, t);
	} else if (z->mode == M_HOST) {
		SPEC("ip src=%s igmp3-query mrc=10", me);
		SPEC("ip src=%s igmp2-query", me);
		SPEC("ip src=%s igmp3-query mrc=10 group=%s", me, g);
		SPEC("ip src=%s igmp3-query mrc=10 group=%s src=%s", me, g, t);
	} else {
		SPEC("ip src=%s igmp3-report rec=to_ex,%s rec=allow,232.1.2.3,%s", me, g, me);
		SPEC("ip src=%s igmp2-report group=%s", me, g);
		SPEC("ip src=%s igmp2-leave group=%s", me, g);
		SPEC("ip src=%s igmp3-report rec=to_in,%s", me, g);
	}
#undef SPEC
	for (size_t i = 0; i < n; i++)
		if (seed_craft(z, spec[i]))
			return -1;
	return 0;
}

/* ---- sending ---- */

/* Send frames m[0..n): the link path (whole frames, nothing rewritten), or with --hdrincl the
 * datagram after the Ethernet header through a raw IP_HDRINCL socket, every field kept (a header
 * that does not parse as one, IHL < 5 or past the data, is counted failed: the kernel refuses
 * it). A full queue is waited out, bounded. */
static void xmit(struct fz *z, struct ipk_msg *m, size_t n)
{
	size_t off = 0;
	int spins = 0;
	while (off < n) {
		int r;
		if (z->hdrincl) {
			struct ipk_ip4 h;
			const uint8_t *d = (const uint8_t *)m[off].buf + IPK_ETH_HLEN;
			size_t len = m[off].len - IPK_ETH_HLEN;
			r = ipk_ip4_parse(d, len, IPK_IP4_LAX, &h, NULL);
			if (r == 0) {
				struct ipk_raw_out o = {&h, d + h.hlen, len - h.hlen, z->target, NULL};
				r = ipk_raw_write_batch(z->rfd, &o, 1, IPK_IP4_KEEP_ALL, 0);
			}
		} else {
			r = ipk_link_write_batch(z->lfd, &m[off], n - off, 0);
		}
		if (r > 0) {
			z->sent += (uint64_t)r;
			off += (size_t)r;
			spins = 0;
			continue;
		}
		if ((r == -ENOBUFS || r == -EAGAIN) && spins++ < 1000) {
			struct pollfd p = {z->hdrincl ? z->rfd : z->lfd, POLLOUT, 0};
			(void)poll(&p, 1, 1);
			continue;
		}
		z->failed++;
		z->last_err = r;
		off++;
		spins = 0;
	}
}

/* Build packet idx (1-based) into its ring slot: a copy of its seed, mutated once. */
static struct pkt *make(struct fz *z, uint64_t idx)
{
	struct pkt *p = &z->ring[(idx - 1) % z->nring];
	size_t si = (size_t)((idx - 1) % z->nseeds);
	const struct seed *s = &z->seeds[si];
	struct ipk_mut_info info;
	memcpy(p->f, s->eth, IPK_ETH_HLEN);
	memcpy(p->f + IPK_ETH_HLEN, s->d, s->len);
	size_t len = ipk_mut_datagram(&z->mut, p->f + IPK_ETH_HLEN, s->len, DGRAM_MAX, &info);
	p->idx = idx;
	p->seed = (uint16_t)si;
	p->len = (uint16_t)(IPK_ETH_HLEN + len);
	ipk_mut_describe(&info, p->what, sizeof(p->what));
	return p;
}

/* ---- probes ---- */

static int wait_readable(int fd, double until)
{
	double left = until - now_s();
	if (left <= 0)
		return 0;
	struct pollfd p = {fd, POLLIN, 0};
	int r = poll(&p, 1, (int)(left * 1000) + 1);
	return r > 0;
}

static int probe_icmp(struct fz *z)
{
	uint8_t buf[128], rb[2048];
	struct ipk_wbuf w;
	uint16_t id = (uint16_t)getpid(), seq = ++z->probe_seq;
	struct ipk_icmp m = {.type = 8, .id = id, .seq = seq};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	if (ipk_icmp_build(&w, &m, "ipv4kit fuzz probe", 18, 0))
		return 0;
	struct ipk_msg om = {.buf = buf, .len = w.len, .addr = z->target};
	/* drop what queued since the last probe (the target's answers to fuzzed echoes), so the
	 * socket buffer has room for this answer */
	for (int i = 0; i < 100000 && recv(z->icmp_fd, rb, sizeof(rb), MSG_DONTWAIT) >= 0; i++)
		;
	if (ipk_sock_write(z->icmp_fd, &om, 0) < 0)
		return 0;
	double until = now_s() + z->wait;
	while (wait_readable(z->icmp_fd, until)) {
		struct ipk_raw_pkt p;
		struct ipk_icmp r;
		if (ipk_raw_read(z->icmp_fd, rb, sizeof(rb), 0, &p, MSG_DONTWAIT) < 0 || p.parse_err)
			continue;
		if (p.hdr.src == z->target && ipk_icmp_parse(p.payload, p.payload_len, &r) == 0 &&
		    r.type == 0 && r.id == id && r.seq == seq)
			return 1;
	}
	return 0;
}

static void rx_drain(struct fz *z)
{
	uint8_t b[64];
	struct ipk_igmp_rx rx = {.buf = b, .cap = sizeof(b)};
	for (int i = 0; i < 100000 && ipk_igmp_listen_read(z->rx_fd, &rx, 1, MSG_DONTWAIT) == 1; i++)
		rx.cap = sizeof(b);
}

/* Wait for an IGMP message of type want (a report when want is 0) from the target (a report) or
 * from anyone (a query for group). */
static int rx_wait(struct fz *z, int want_query, uint32_t group, double until)
{
	uint8_t b[2048];
	while (wait_readable(z->rx_fd, until)) {
		struct ipk_igmp_rx rx = {.buf = b, .cap = sizeof(b)};
		struct ipk_ip4 h;
		struct ipk_igmp m;
		size_t eo;
		if (ipk_igmp_listen_read(z->rx_fd, &rx, 1, MSG_DONTWAIT) != 1 ||
		    ipk_ip4_parse(b, rx.len, IPK_IP4_LAX, &h, NULL) < 0 ||
		    ipk_igmp_parse(b + h.hlen, rx.len - h.hlen, &m, &eo) < 0)
			continue;
		if (want_query) {
			if (m.type == IPK_IGMP_QUERY && m.group == group)
				return 1;
			continue;
		}
		if (h.src != z->target || (m.type != IPK_IGMP_V1_REPORT && m.type != IPK_IGMP_V2_REPORT &&
					   m.type != IPK_IGMP_V3_REPORT))
			continue;
		if (!z->host_group) { /* remember a group the target is a member of */
			struct ipk_igmp_rec_iter it;
			struct ipk_igmp_rec r;
			if (m.type != IPK_IGMP_V3_REPORT) {
				z->host_group = m.group;
			} else {
				ipk_igmp_rec_iter_init(&it, &m, b + h.hlen);
				if (ipk_igmp_rec_next(&it, &r) == 1)
					z->host_group = r.group;
			}
		}
		return 1;
	}
	return 0;
}

static int probe_igmp(struct fz *z)
{
	uint8_t msg[64];
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, msg, sizeof(msg));
	rx_drain(z);
	if (z->mode == M_ROUTER) {
		/* a host's report and leave of the probe group: a live querier asks about it */
		if (ipk_igmp_put_v2(&w, IPK_IGMP_V2_REPORT, 0, PROBE_GROUP) ||
		    ipk_igmp_tx_send(&z->tx, msg, w.len, 0) < 0)
			return 0;
		ipk_wbuf_init(&w, msg, sizeof(msg));
		if (ipk_igmp_put_v2(&w, IPK_IGMP_V2_LEAVE, 0, PROBE_GROUP) ||
		    ipk_igmp_tx_send(&z->tx, msg, w.len, 0) < 0)
			return 0;
		return rx_wait(z, 1, PROBE_GROUP, now_s() + z->wait);
	}
	/* a general query whose Max Resp Time is the probe wait: a joined host answers in it */
	unsigned ds = (unsigned)(z->wait * 10);
	struct ipk_igmp_v3q q = {.mrc = ipk_igmp_code_encode(ds ? ds : 1), .qrv = 2, .qqic = 125};
	if (ipk_igmp_put_v3_query(&w, &q) || ipk_igmp_tx_send(&z->tx, msg, w.len, 0) < 0)
		return 0;
	return rx_wait(z, 0, 0, now_s() + z->wait + 0.2);
}

static int probe_tcp(struct fz *z)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(z->tcp_port),
				 .sin_addr.s_addr = htonl(z->target)};
	int ok = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		ok = 1;
	} else if (errno == EINPROGRESS) {
		struct pollfd p = {fd, POLLOUT, 0};
		int e = 0;
		socklen_t el = sizeof(e);
		if (poll(&p, 1, (int)(z->wait * 1000)) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0)
			ok = 1;
	}
	close(fd);
	return ok;
}

/* Run a shell command; 1 when it exits 0. */
static int run_cmd(const char *cmd)
{
	fflush(stdout);
	int st = system(cmd);
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int probe_once(struct fz *z)
{
	z->probes++;
	switch (z->probe) {
	case P_ICMP: return probe_icmp(z);
	case P_IGMP: return probe_igmp(z);
	case P_TCP: return probe_tcp(z);
	case P_CMD: return run_cmd(z->probe_cmd);
	default: return 1;
	}
}

/* The target is alive when a probe is answered; one failure is retried once (a lost answer). */
static int alive(struct fz *z)
{
	for (int i = 0; i < 2; i++) {
		if (probe_once(z))
			return 1;
		z->probe_fail++;
		if (ipk_cli_stop)
			break;
	}
	return 0;
}

/* --restart-cmd, then probes until the target answers (at most 20 probe waits and 5 s). */
static int restart(struct fz *z)
{
	if (!z->restart_cmd)
		return 0;
	(void)run_cmd(z->restart_cmd);
	double until = now_s() + 5 + 20 * z->wait;
	while (!ipk_cli_stop && now_s() < until) {
		z->probes++;
		if (probe_once(z))
			return 1;
		sleep_s(0.05);
	}
	return 0;
}

/* ---- the target stopped answering: keep, replay, minimise ---- */

struct finding {
	uint64_t down_after;   /* packets sent when the probe failed */
	double found_s;        /* seconds from the start */
	char kept_path[4096], min_path[4096];
	size_t nkept, nmin;
	int saved, minimised, reproduced, back;
	unsigned tries, restarts;
	struct pkt **kept;     /* the last packets sent, oldest first */
	struct pkt **min;      /* the smallest subset that still stops the target */
};

static int save_pcap(struct fz *z, const char *path, struct pkt *const *p, size_t n)
{
	char err[512];
	struct ipk_pcapw w;
	if (ipk_pcapw_open(&w, path, IPK_DLT_EN10MB, 0, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return -1;
	}
	(void)ipk_cli_tmp(w.tmp);
	for (size_t i = 0; i < n; i++)
		if (ipk_pcapw_write(&w, p[i]->sec, p[i]->nsec, p[i]->f, p[i]->len, p[i]->len)) {
			fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
			ipk_pcapw_abort(&w);
			(void)ipk_cli_tmp(NULL);
			return -1;
		}
	int r = ipk_pcapw_commit(&w, err, sizeof(err));
	(void)ipk_cli_tmp(NULL);
	if (r)
		fprintf(stderr, "%s: %s\n", PROG, err);
	(void)z;
	return r ? -1 : 0;
}

/* Replay p[0..n) and look: 1 when the target stopped answering (it is restarted then). */
static int kills(struct fz *z, struct finding *fd, struct pkt *const *p, size_t n)
{
	struct ipk_msg m[IPK_BATCH_MAX];
	fd->tries++;
	for (size_t i = 0; i < n; i += IPK_BATCH_MAX) {
		size_t k = n - i < IPK_BATCH_MAX ? n - i : IPK_BATCH_MAX;
		for (size_t j = 0; j < k; j++)
			m[j] = (struct ipk_msg){.buf = p[i + j]->f, .len = p[i + j]->len};
		xmit(z, m, k);
	}
	/* let answers to the replayed packets arrive first: the probe drains them, so an answer the
	 * target sent before it fell over is not taken for one to the probe */
	sleep_s(0.05);
	int up = alive(z);
	if (z->verbose)
		fprintf(stderr, "%s: ddmin replay %u: %zu packet%s from %llu: %s\n", PROG, fd->tries, n,
			n == 1 ? "" : "s", (unsigned long long)p[0]->idx, up ? "still answers" : "down");
	if (up)
		return 0;
	fd->restarts++;
	if (!restart(z))
		fd->back = 0;
	return 1;
}

/* Delta debugging (Zeller and Hildebrandt's ddmin): the smallest subset of c[0..*n) found that
 * still stops the target, in place; 1-minimal unless the try budget runs out. */
static void ddmin(struct fz *z, struct finding *fd, struct pkt **c, size_t *n)
{
	size_t gran = 2;
	struct pkt **tmp = malloc(*n * sizeof(*tmp));
	if (!tmp)
		return;
	while (*n >= 2 && fd->tries < TRIES_MAX && fd->back && !ipk_cli_stop) {
		size_t len = *n, chunk = (len + gran - 1) / gran, reduced = 0;
		/* each chunk alone, then each complement */
		for (size_t s = 0; s < len && !reduced; s += chunk) {
			size_t e = s + chunk < len ? s + chunk : len;
			if (kills(z, fd, c + s, e - s)) {
				memmove(c, c + s, (e - s) * sizeof(*c));
				*n = e - s;
				gran = 2;
				reduced = 1;
			}
		}
		for (size_t s = 0; s < len && !reduced && gran > 2; s += chunk) {
			size_t e = s + chunk < len ? s + chunk : len, k = 0;
			for (size_t i = 0; i < len; i++)
				if (i < s || i >= e)
					tmp[k++] = c[i];
			if (kills(z, fd, tmp, k)) {
				memcpy(c, tmp, k * sizeof(*c));
				*n = k;
				gran = gran > 3 ? gran - 1 : 2;
				reduced = 1;
			}
		}
		if (!reduced) {
			if (gran >= len)
				break;
			gran = gran * 2 < len ? gran * 2 : len;
		}
	}
	free(tmp);
}

static void investigate(struct fz *z, struct finding *fd, uint64_t idx)
{
	size_t n = idx < z->keep ? (size_t)idx : z->keep;
	fd->down_after = idx;
	fd->found_s = since(z);
	fd->kept = malloc(n * sizeof(*fd->kept));
	fd->min = malloc(n * sizeof(*fd->min));
	if (!fd->kept || !fd->min) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fd->kept[i] = &z->ring[(idx - n + i) % z->nring];
	fd->nkept = n;
	snprintf(fd->kept_path, sizeof(fd->kept_path), "%s/fuzz-%llu-%llu.pcap", z->outdir,
		 (unsigned long long)z->seed, (unsigned long long)idx);
	fd->saved = save_pcap(z, fd->kept_path, fd->kept, n) == 0;
	if (!z->restart_cmd)
		return;
	fd->back = restart(z);
	if (!fd->back)
		return;
	memcpy(fd->min, fd->kept, n * sizeof(*fd->min));
	fd->nmin = n;
	fd->reproduced = kills(z, fd, fd->min, n);
	if (!fd->reproduced)
		return;
	ddmin(z, fd, fd->min, &fd->nmin);
	snprintf(fd->min_path, sizeof(fd->min_path), "%s/fuzz-%llu-%llu-min.pcap", z->outdir,
		 (unsigned long long)z->seed, (unsigned long long)idx);
	fd->minimised = save_pcap(z, fd->min_path, fd->min, fd->nmin) == 0;
}

/* ---- report ---- */

/* One line of decode text for a kept packet (no newline). */
static const char *decode_line(const struct pkt *p)
{
	static struct ipk_packet pk;
	static char line[IPK_FMT_MAX];
	struct ipk_fmt_meta m = {p->idx, p->sec, p->nsec};
	ipk_packet_decode(IPK_DLT_EN10MB, p->f, p->len, p->len, &pk);
	int k = ipk_fmt_packet(&pk, &m, IPK_FMT_TEXT, line, sizeof(line));
	if (k <= 0)
		return "";
	line[strcspn(line, "\n")] = 0;
	return line;
}

static void report_pkts_json(struct pkt *const *p, size_t n)
{
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"index\":%llu,\"seed\":%u,\"mutation\":", i ? "," : "",
		       (unsigned long long)p[i]->idx, p[i]->seed + 1u);
		ipk_cli_json_str(stdout, p[i]->what);
		printf(",\"decode\":");
		ipk_cli_json_str(stdout, decode_line(p[i]));
		fputc('}', stdout);
	}
	fputc(']', stdout);
}

static void report(struct fz *z, const struct finding *fd, double secs)
{
	char t[16];
	ipk_ip4_ntoa(z->target, t);
	double pps = secs > 0 ? (double)z->run_sent / secs : 0;
	if (z->json) {
		printf("{\"seed\":%llu,\"mode\":\"%s\",\"target\":\"%s\",\"interface\":",
		       (unsigned long long)z->seed, mode_names[z->mode], t);
		ipk_cli_json_str(stdout, z->iface);
		printf(",\"seeds\":%zu,\"sent\":%llu,\"failed\":%llu,\"seconds\":%.3f,\"pps\":%.0f,"
		       "\"probe\":\"%s\",\"probes\":%llu,\"probe_failures\":%llu,\"stalls\":%llu,"
		       "\"stall_first\":%llu,\"stall_max_s\":%.3f,\"interrupted\":%s,\"down\":%s",
		       z->nseeds, (unsigned long long)z->run_sent, (unsigned long long)z->failed, secs, pps,
		       probe_names[z->probe], (unsigned long long)z->run_probes,
		       (unsigned long long)z->run_probe_fail, (unsigned long long)z->stalls,
		       (unsigned long long)z->stall_first, z->stall_max, ipk_cli_stop ? "true" : "false",
		       fd ? "true" : "false");
		if (fd) {
			printf(",\"down_after\":%llu,\"found_s\":%.3f,\"kept\":%zu,\"kept_path\":",
			       (unsigned long long)fd->down_after, fd->found_s, fd->nkept);
			if (fd->saved)
				ipk_cli_json_str(stdout, fd->kept_path);
			else
				printf("null");
			printf(",\"restarted\":%s,\"reproduced\":%s,\"tries\":%u,\"restarts\":%u,"
			       "\"reproducer\":",
			       z->restart_cmd ? "true" : "false", fd->reproduced ? "true" : "false",
			       fd->tries, fd->restarts);
			if (fd->minimised)
				ipk_cli_json_str(stdout, fd->min_path);
			else
				printf("null");
			printf(",\"packets\":");
			if (fd->minimised)
				report_pkts_json(fd->min, fd->nmin);
			else
				report_pkts_json(fd->kept, fd->nkept);
		}
		printf("}\n");
		fflush(stdout);
		return;
	}
	printf("seed %llu, mode %s, target %s on %s: %llu packets sent in %.3f s (%.0f pkt/s, %llu "
	       "failed), %llu probes (%s), %llu failed%s\n",
	       (unsigned long long)z->seed, mode_names[z->mode], t, z->iface,
	       (unsigned long long)z->run_sent, secs, pps, (unsigned long long)z->failed,
	       (unsigned long long)z->run_probes, probe_names[z->probe],
	       (unsigned long long)z->run_probe_fail,
	       ipk_cli_stop ? ", interrupted" : "");
	if (z->stalls)
		printf("target stalled %llu time%s (first after packet %llu; the longest %.1f s without an "
		       "answer) and answered again by itself\n", (unsigned long long)z->stalls,
		       z->stalls == 1 ? "" : "s", (unsigned long long)z->stall_first, z->stall_max);
	if (!fd) {
		printf("target alive: %s\n", z->stalls ? "it answered the last probe" : "it answered every probe");
		return;
	}
	printf("target DOWN: the probe failed after packet %llu (%.3f s into the run)\n",
	       (unsigned long long)fd->down_after, fd->found_s);
	if (fd->saved)
		printf("last %zu packets: %s\n", fd->nkept, fd->kept_path);
	if (!z->restart_cmd) {
		printf("no --restart-cmd: not minimised\n");
	} else if (!fd->reproduced) {
		printf("replaying the last %zu packets after a restart did not stop the target again "
		       "(%s)\n", fd->nkept, fd->back ? "a timing or state problem" : "it did not come back");
	} else {
		printf("reproducer: %zu packet%s, %s (ddmin: %u replays, %u restarts)\n", fd->nmin,
		       fd->nmin == 1 ? "" : "s", fd->minimised ? fd->min_path : "(not saved)", fd->tries,
		       fd->restarts);
	}
	struct pkt *const *p = fd->reproduced ? fd->min : fd->kept;
	size_t n = fd->reproduced ? fd->nmin : fd->nkept;
	for (size_t i = n > 20 && !fd->reproduced ? n - 20 : 0; i < n; i++)
		printf("  packet %llu (seed %u): %s\n    %s\n", (unsigned long long)p[i]->idx,
		       p[i]->seed + 1u, p[i]->what, decode_line(p[i]));
}

/* ---- setup ---- */

/* The target's MAC from the neighbour table, after traffic to it. Bounded: 2 s. */
static int resolve_tmac(struct fz *z)
{
	return ipk_cli_neigh_mac(z->iface, z->target, z->tmac, 2000);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit fuzz -i IFACE --target ADDR [--seed N] [--from FILE | --craft 'SPEC'...]\n"
		"                    [--mode ip|igmp-host|igmp-router] [--rate PPS] [--count N | --duration S]\n"
		"                    [--probe icmp|igmp|tcp:PORT|cmd:CMD|none] [--probe-every N] [--probe-wait S]\n"
		"                    [--recover S] [--restart-cmd CMD] [--keep K] [--out DIR] [--hdrincl] [--mac-dst MAC]\n"
		"                    [-w FILE] [--json] [-v]\n"
		"\n"
		"Send mutated copies of valid seed packets (one field changed per packet by the\n"
		"structure-aware mutator) out of IFACE to the stack at ADDR, probe it every N packets, and\n"
		"when it stops answering save the last K packets as a pcap, restart it and minimise them\n"
		"(ddmin) to the smallest sequence that still stops it. Deterministic: the same seed and\n"
		"seed packets give the same packets.\n"
		"  -i, --interface IFACE   send out of IFACE (needs root)\n"
		"  -t, --target ADDR       the stack under test (unicast IPv4 on IFACE's link)\n"
		"  -s, --seed N            mutator seed, 0..2^64-1 (default: from the clock; printed)\n"
		"      --from FILE         seed packets: every IPv4 datagram of a pcap/pcapng file\n"
		"      --craft 'SPEC'      a seed packet in craft's words (ipv4kit craft --help); repeat\n"
		"                          (default seeds: per mode, valid packets from IFACE's address)\n"
		"  -m, --mode MODE         ip: mutate whole datagrams (default); igmp-host: the target is\n"
		"                          a host with memberships, mutate queries; igmp-router: play\n"
		"                          hosts, mutate reports and leaves\n"
		"  -r, --rate PPS          packets per second, 1..1e8 (default: as fast as possible)\n"
		"  -c, --count N           stop after N packets (default: none)\n"
		"  -d, --duration S        stop after S seconds (default: none)\n"
		"  -p, --probe P           liveness probe: icmp (echo, default in ip mode), igmp (the\n"
		"                          default in igmp modes: a general query a host answers with a\n"
		"                          report; for a router a report and leave it answers with a\n"
		"                          group-specific query), tcp:PORT (a connect), cmd:CMD (exit\n"
		"                          status 0), none\n"
		"      --probe-every N     packets between probes, 1..1e9 (default 1000)\n"
		"      --probe-wait S      seconds to wait for an answer, 0.01..60 (default 0.5; the\n"
		"                          igmp probe's Max Resp Time)\n"
		"      --recover S         after a failed probe and its retry, probe S more seconds,\n"
		"                          0..600 (default 2): a target that answers again stalled (counted,\n"
		"                          the run goes on); one that does not is down\n"
		"      --restart-cmd CMD   shell command that restarts the target; without it a finding\n"
		"                          is saved but not minimised\n"
		"  -k, --keep K            packets kept for the reproducer, 1..%d (default: twice\n"
		"                          --probe-every: an answer already on its way can hide a fault\n"
		"                          for one probe)\n"
		"  -v, --verbose           say what each ddmin replay found\n"
		"  -o, --out DIR           where reproducers go (default .): fuzz-SEED-N.pcap (the last K\n"
		"                          packets), fuzz-SEED-N-min.pcap (minimised)\n"
		"      --hdrincl           send through a raw IP_HDRINCL socket (the kernel fixes length\n"
		"                          and checksum, refuses IHL < 5) instead of whole frames\n"
		"      --mac-dst MAC       the target's MAC (default: from the neighbour table)\n"
		"  -w, --write FILE        write the packets to a pcap instead of sending (no probes)\n"
		"      --json              the report as one JSON object\n"
		"  -h, --help              this help\n"
		"Exit: 0 the target answered every probe; 1 it stopped answering (a finding); 2 usage\n"
		"error, interface or sockets unavailable, or no answer to the first probe.\n",
		KEEP_MAX);
}

static int parse_probe(struct fz *z, const char *s)
{
	unsigned long port;
	if (!strcmp(s, "icmp"))
		z->probe = P_ICMP;
	else if (!strcmp(s, "igmp"))
		z->probe = P_IGMP;
	else if (!strcmp(s, "none"))
		z->probe = P_NONE;
	else if (!strncmp(s, "tcp:", 4)) {
		if (ipk_cli_num(PROG, "--probe tcp:PORT", s + 4, 1, 65535, &port))
			return -1;
		z->probe = P_TCP;
		z->tcp_port = (uint16_t)port;
	} else if (!strncmp(s, "cmd:", 4) && s[4]) {
		z->probe = P_CMD;
		z->probe_cmd = s + 4;
	} else {
		ipk_cli_usage(PROG, "--probe: '%s' is not icmp, igmp, tcp:PORT, cmd:CMD or none", s);
		return -1;
	}
	return 0;
}

static int open_sockets(struct fz *z)
{
	int r;
	if ((z->lfd = ipk_link_open(z->ifindex)) < 0 || (r = ipk_link_get_mac(z->lfd, z->mac)) < 0) {
		r = z->lfd < 0 ? z->lfd : r;
		fprintf(stderr, "%s: -i %s: cannot open a packet socket: %s%s\n", PROG, z->iface,
			strerror(-r), r == -EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -1;
	}
	/* the raw IGMP path: the probe's queries and the interface's address */
	if ((r = ipk_igmp_tx_open(&z->tx, z->ifindex, 0, 0)) < 0) {
		fprintf(stderr, "%s: -i %s: %s%s\n", PROG, z->iface, strerror(-r),
			r == -EADDRNOTAVAIL ? " (the interface needs an IPv4 address)" : "");
		return -1;
	}
	z->addr = z->tx.src;
	if (z->hdrincl && (z->rfd = ipk_raw_open(IPPROTO_RAW, 1)) < 0) {
		fprintf(stderr, "%s: --hdrincl: cannot open a raw socket: %s\n", PROG, strerror(-z->rfd));
		return -1;
	}
	if (z->hdrincl)
		(void)ipk_sock_bind_device(z->rfd, z->ifindex);
	if (z->probe == P_ICMP && (z->icmp_fd = ipk_raw_open(IPK_PROTO_ICMP, 0)) < 0) {
		fprintf(stderr, "%s: --probe icmp: cannot open a raw ICMP socket: %s\n", PROG,
			strerror(-z->icmp_fd));
		return -1;
	}
	if (z->probe == P_ICMP) {
		/* only the echo replies to the probes: the target's answers to thousands of fuzzed
		 * echoes would fill the socket buffer and crowd out the probe's */
		char expr[128], t[16], err[256];
		struct ipk_bpf_insn prog[64];
		size_t n;
		ipk_ip4_ntoa(z->target, t);
		snprintf(expr, sizeof(expr), "src host %s and icmp[0] == 0 and icmp[4:2] == %u", t,
			 (unsigned)(uint16_t)getpid());
		if ((r = ipk_bpf_compile(expr, IPK_BPF_DLT_RAW, prog, 64, &n, err, sizeof(err))) ||
		    (r = ipk_sock_attach_bpf(z->icmp_fd, prog, n))) {
			fprintf(stderr, "%s: --probe icmp: cannot filter the replies: %s\n", PROG,
				err[0] ? err : strerror(-r));
			return -1;
		}
	}
	if (z->probe == P_IGMP && (z->rx_fd = ipk_igmp_listen_open(z->ifindex, 0)) < 0) {
		fprintf(stderr, "%s: --probe igmp: cannot listen on %s: %s\n", PROG, z->iface,
			strerror(-z->rx_fd));
		return -1;
	}
	return 0;
}

static void close_all(struct fz *z)
{
	int fds[] = {z->lfd, z->rfd, z->icmp_fd, z->rx_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ipk_igmp_tx_close(&z->tx);
}

static void progress(struct fz *z, double secs)
{
	fprintf(stderr, "\r%s: %llu sent, %.0f pkt/s, %llu probes, %llu failed, %.1f s  ", PROG,
		(unsigned long long)z->sent, secs > 0 ? (double)z->sent / secs : 0,
		(unsigned long long)z->probes, (unsigned long long)z->probe_fail, secs);
}

/* -w FILE: the packets the run would send, with their packet number as timestamp (microseconds)
 * so two runs with one seed give identical files. */
static int write_only(struct fz *z)
{
	char err[512];
	struct ipk_pcapw w;
	if (ipk_pcapw_open(&w, z->wpath, IPK_DLT_EN10MB, 0, err, sizeof(err))) {
		fprintf(stderr, "%s: -w: %s\n", PROG, err);
		return IPK_EXIT_USAGE;
	}
	if (!w.to_stdout)
		(void)ipk_cli_tmp(w.tmp);
	uint64_t n = z->count ? z->count : 1000;
	for (uint64_t i = 1; i <= n && !ipk_cli_stop; i++) {
		struct pkt *p = make(z, i);
		if (ipk_pcapw_write(&w, (int64_t)(i / 1000000), (uint32_t)(i % 1000000) * 1000, p->f,
				    p->len, p->len)) {
			fprintf(stderr, "%s: -w %s: %s\n", PROG, z->wpath, strerror(errno));
			ipk_pcapw_abort(&w);
			return IPK_EXIT_FINDINGS;
		}
	}
	if (ipk_cli_stop) {
		ipk_pcapw_abort(&w);
		fprintf(stderr, "%s: interrupted: %s not written\n", PROG, z->wpath);
		return IPK_EXIT_FINDINGS;
	}
	int r = ipk_pcapw_commit(&w, err, sizeof(err));
	(void)ipk_cli_tmp(NULL);
	if (r) {
		fprintf(stderr, "%s: -w: %s\n", PROG, err);
		return IPK_EXIT_FINDINGS;
	}
	fprintf(stderr, "%s: %llu packets written to %s\n", PROG, (unsigned long long)n, z->wpath);
	return IPK_EXIT_OK;
}

/* After a failed probe: whether the target answers again by itself within --recover seconds (a
 * stall, counted, and the run goes on) or stays silent (down). */
static int recovers(struct fz *z, uint64_t idx)
{
	double t0 = now_s();
	while (now_s() - t0 < z->recover && !ipk_cli_stop) {
		z->probes++;
		if (probe_once(z)) {
			double d = now_s() - t0 + 2 * z->wait; /* the two failed probes too */
			if (!z->stalls++)
				z->stall_first = idx;
			if (d > z->stall_max)
				z->stall_max = d;
			return 1;
		}
		z->probe_fail++;
	}
	return 0;
}

/* The fuzzing loop: batches of mutated packets, a probe every z->every packets. Returns the
 * packet count at which the target stopped answering, or 0. */
static uint64_t run(struct fz *z)
{
	struct ipk_msg m[IPK_BATCH_MAX];
	uint64_t idx = 0, next_probe = z->every;
	double t_prog = 0, period = z->rate > 0 ? 1.0 / z->rate : 0;
	struct timespec at = z->t0;
	while (!ipk_cli_stop && (!z->count || idx < z->count) &&
	       (z->duration <= 0 || since(z) < z->duration)) {
		uint64_t n = IPK_BATCH_MAX;
		if (z->count && z->count - idx < n)
			n = z->count - idx;
		if (next_probe - idx < n)
			n = next_probe - idx;
		if (period > 0) {
			double off = (double)(idx + n) * period;
			at.tv_sec = z->t0.tv_sec + (time_t)off;
			at.tv_nsec = z->t0.tv_nsec + (long)((off - (double)(time_t)off) * 1e9);
			if (at.tv_nsec >= 1000000000L) {
				at.tv_nsec -= 1000000000L;
				at.tv_sec++;
			}
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR &&
			       !ipk_cli_stop)
				;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (uint64_t j = 0; j < n; j++) {
			struct pkt *p = make(z, idx + j + 1);
			p->sec = ts.tv_sec;
			p->nsec = (uint32_t)ts.tv_nsec;
			m[j] = (struct ipk_msg){.buf = p->f, .len = p->len};
		}
		xmit(z, m, (size_t)n);
		idx += n;
		if (idx >= next_probe) {
			next_probe += z->every;
			if (z->probe != P_NONE && !alive(z) && !ipk_cli_stop && !recovers(z, idx))
				return idx;
		}
		if (z->tty) {
			double s = since(z);
			if (s - t_prog >= 0.5) {
				progress(z, s);
				t_prog = s;
			}
		}
	}
	return 0;
}

int ipk_cmd_fuzz(int argc, char **argv)
{
	enum { O_FROM = 256, O_CRAFT, O_EVERY, O_WAIT, O_RESTART, O_JSON, O_HDRINCL, O_MACDST, O_RECOVER };
	static const struct option lopts[] = {
		{"interface", required_argument, NULL, 'i'}, {"target", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 's'},      {"from", required_argument, NULL, O_FROM},
		{"craft", required_argument, NULL, O_CRAFT}, {"mode", required_argument, NULL, 'm'},
		{"rate", required_argument, NULL, 'r'},      {"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},  {"probe", required_argument, NULL, 'p'},
		{"probe-every", required_argument, NULL, O_EVERY},
		{"probe-wait", required_argument, NULL, O_WAIT},
		{"recover", required_argument, NULL, O_RECOVER},
		{"restart-cmd", required_argument, NULL, O_RESTART},
		{"keep", required_argument, NULL, 'k'},      {"out", required_argument, NULL, 'o'},
		{"hdrincl", no_argument, NULL, O_HDRINCL},   {"mac-dst", required_argument, NULL, O_MACDST},
		{"write", required_argument, NULL, 'w'},     {"json", no_argument, NULL, O_JSON},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
	};
	static struct fz z;
	const char *target = NULL, *from = NULL, *crafts[MAXSEEDS];
	size_t ncraft = 0;
	int have_seed = 0, have_probe = 0, opt;
	memset(&z, 0, sizeof(z));
	z.lfd = z.rfd = z.icmp_fd = z.rx_fd = z.tx.fd = -1;
	z.every = 1000;
	z.wait = 0.5;
	z.recover = 2;
	z.outdir = ".";
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:t:s:m:r:c:d:p:k:o:w:vh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': z.iface = optarg; break;
		case 't': target = optarg; break;
		case 's': {
			char *end;
			errno = 0;
			unsigned long long s = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-')
				return ipk_cli_usage(PROG, "--seed: '%s' is not a number from 0 to "
						     "18446744073709551615", optarg);
			z.seed = s;
			have_seed = 1;
			break;
		}
		case O_FROM: from = optarg; break;
		case O_CRAFT:
			if (ncraft >= MAXSEEDS)
				return ipk_cli_usage(PROG, "--craft: more than %d seed packets", MAXSEEDS);
			crafts[ncraft++] = optarg;
			break;
		case 'm':
			for (z.mode = 0; z.mode < 3 && strcmp(optarg, mode_names[z.mode]); z.mode++)
				;
			if (z.mode == 3)
				return ipk_cli_usage(PROG, "--mode: '%s' is not ip, igmp-host or igmp-router",
						     optarg);
			break;
		case 'r':
			if (ipk_cli_real(PROG, "--rate", optarg, 1, 1e8, &z.rate))
				return IPK_EXIT_USAGE;
			break;
		case 'c':
			if (ipk_cli_num(PROG, "--count", optarg, 1, 0xffffffffffUL, &z.count))
				return IPK_EXIT_USAGE;
			break;
		case 'd':
			if (ipk_cli_real(PROG, "--duration", optarg, 0.001, 1e7, &z.duration))
				return IPK_EXIT_USAGE;
			break;
		case 'p':
			if (parse_probe(&z, optarg))
				return IPK_EXIT_USAGE;
			have_probe = 1;
			break;
		case O_EVERY:
			if (ipk_cli_num(PROG, "--probe-every", optarg, 1, 1000000000UL, &z.every))
				return IPK_EXIT_USAGE;
			break;
		case O_WAIT:
			if (ipk_cli_real(PROG, "--probe-wait", optarg, 0.01, 60, &z.wait))
				return IPK_EXIT_USAGE;
			break;
		case O_RECOVER:
			if (ipk_cli_real(PROG, "--recover", optarg, 0, 600, &z.recover))
				return IPK_EXIT_USAGE;
			break;
		case O_RESTART: z.restart_cmd = optarg; break;
		case 'k':
			if (ipk_cli_num(PROG, "--keep", optarg, 1, KEEP_MAX, &z.keep))
				return IPK_EXIT_USAGE;
			break;
		case 'o': z.outdir = optarg; break;
		case 'w': z.wpath = optarg; break;
		case O_JSON: z.json = 1; break;
		case 'v': z.verbose = 1; break;
		case O_HDRINCL: z.hdrincl = 1; break;
		case O_MACDST:
			if (ipk_cli_mac(PROG, "--mac-dst", optarg, z.tmac))
				return IPK_EXIT_USAGE;
			z.have_tmac = 1;
			break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (optind < argc)
		return ipk_cli_usage(PROG, "unexpected argument '%s'", argv[optind]);
	if (!z.iface)
		return ipk_cli_usage(PROG, "no interface: give -i IFACE");
	if (!target)
		return ipk_cli_usage(PROG, "no target: give --target ADDR");
	if (ipk_ip4_aton(target, &z.target) || z.target == 0 || ipk_ip4_is_multicast(z.target) ||
	    z.target == 0xffffffffu)
		return ipk_cli_usage(PROG, "--target: '%s' is not a unicast IPv4 address", target);
	if (from && ncraft)
		return ipk_cli_usage(PROG, "--from and --craft cannot be combined");
	if (z.count && z.duration > 0)
		return ipk_cli_usage(PROG, "--count and --duration cannot be combined");
	if (!z.keep)
		z.keep = 2 * z.every < KEEP_MAX ? 2 * z.every : KEEP_MAX;
	if (!have_probe)
		z.probe = z.mode == M_IP ? P_ICMP : P_IGMP;
	if (z.probe == P_IGMP && z.mode == M_IP)
		return ipk_cli_usage(PROG, "--probe igmp needs --mode igmp-host or igmp-router");
	if (ipk_cli_ifindex(PROG, z.iface, &z.ifindex))
		return IPK_EXIT_USAGE;
	if (!have_seed) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		z.seed = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	}
	if (!z.wpath) {
		struct stat st;
		if (stat(z.outdir, &st) || !S_ISDIR(st.st_mode))
			return ipk_cli_usage(PROG, "--out: '%s' is not a directory", z.outdir);
	}

	int status = IPK_EXIT_USAGE;
	z.seeds = calloc(MAXSEEDS, sizeof(*z.seeds));
	z.nring = z.keep > IPK_BATCH_MAX ? z.keep : IPK_BATCH_MAX;
	z.ring = calloc(z.nring, sizeof(*z.ring));
	struct finding fd;
	memset(&fd, 0, sizeof(fd));
	if (!z.seeds || !z.ring) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	ipk_cli_signals(1);
	if (open_sockets(&z))
		goto out;
	/* the target must answer before anything is sent (igmp-host: and says which group) */
	if (!z.wpath && z.probe != P_NONE && !alive(&z)) {
		char t[16];
		ipk_ip4_ntoa(z.target, t);
		fprintf(stderr, "%s: the target %s does not answer the %s probe before fuzzing%s\n", PROG,
			t, probe_names[z.probe],
			z.mode == M_HOST && z.probe == P_IGMP ? " (is it a member of a group?)" : "");
		goto out;
	}
	z.probes = z.probe_fail = 0;
	if (from && seed_from(&z, from))
		goto out;
	for (size_t i = 0; i < ncraft; i++)
		if (seed_craft(&z, crafts[i]))
			goto out;
	if (!from && !ncraft && seed_defaults(&z))
		goto out;
	if (!z.nseeds) {
		fprintf(stderr, "%s: --from %s: no IPv4 datagram to start from\n", PROG, from);
		goto out;
	}
	int unicast = 0;
	for (size_t i = 0; i < z.nseeds; i++)
		unicast |= seed_unicast(&z.seeds[i]);
	if (unicast && !z.have_tmac && !z.wpath && !z.hdrincl && resolve_tmac(&z)) {
		fprintf(stderr, "%s: no neighbour entry for the target on %s: give --mac-dst\n", PROG,
			z.iface);
		goto out;
	}
	for (size_t i = 0; i < z.nseeds; i++)
		seed_eth(&z, &z.seeds[i]);
	ipk_mut_init(&z.mut, z.seed,
		     z.mode == M_IP ? IPK_MUT_MODE_IP : z.mode == M_HOST ? IPK_MUT_MODE_QUERY : IPK_MUT_MODE_REPORT);
	fprintf(stderr, "%s: seed %llu (--seed %llu repeats this run), %zu seed packet%s, mode %s\n",
		PROG, (unsigned long long)z.seed, (unsigned long long)z.seed, z.nseeds,
		z.nseeds == 1 ? "" : "s", mode_names[z.mode]);
	if (z.wpath) {
		status = write_only(&z);
		goto out;
	}
	z.tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &z.t0);
	uint64_t down = run(&z);
	double secs = since(&z);
	z.run_sent = z.sent;
	z.run_probes = z.probes;
	z.run_probe_fail = z.probe_fail;
	if (z.tty)
		fputc('\n', stderr);
	if (down) {
		investigate(&z, &fd, down);
		report(&z, &fd, secs);
		status = IPK_EXIT_FINDINGS;
	} else {
		report(&z, NULL, secs);
		status = IPK_EXIT_OK;
	}
	if (z.failed)
		fprintf(stderr, "%s: %llu packets could not be sent (last: %s)\n", PROG,
			(unsigned long long)z.failed,
			z.last_err <= -1000 ? ipk_strerror(z.last_err) : strerror(-z.last_err));
out:
	close_all(&z);
	free(fd.kept);
	free(fd.min);
	free(z.seeds);
	free(z.ring);
	return status;
}
