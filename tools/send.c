/* send.c - `ipv4kit send`: UDP datagrams to a unicast or multicast address with TTL, TOS, interface, loopback and source (IP_PKTINFO), paced and optionally batched (sendmmsg). */
#define _GNU_SOURCE /* getopt_long, clock_nanosleep, sigaction */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/sock.h"

#define PROG "ipv4kit send"
#define DEFAULT_PORT 5000
#define DEFAULT_SIZE 64
#define MAX_SIZE 65507        /* largest UDP payload over IPv4 */
#define PREFIX_MAX 32         /* IPK_SEND_MAGIC, 20 digits, space */
#define RATE_MIN 0.001        /* -r: one datagram every 1000 s at the slowest */
#define RATE_MAX 1e9

static const char filler[] = "abcdefghijklmnopqrstuvwxyz0123456789";

struct payload {
	const char *text;     /* --payload, or NULL for -s */
	size_t textlen;
	size_t size;          /* -s: exact datagram size */
	size_t cap;           /* bytes of each buffer */
};

/* Fill every buffer once: filler for -s (the prefix is written per datagram). */
static void payload_init(const struct payload *pl, uint8_t *buf)
{
	for (size_t i = 0; i < pl->cap; i++)
		buf[i] = (uint8_t)filler[i % (sizeof(filler) - 1)];
}

/* Write the datagram with sequence number seq into buf; returns its length. No allocation. */
static size_t payload_fill(const struct payload *pl, uint8_t *buf, unsigned long long seq)
{
	char pre[PREFIX_MAX];
	int k = snprintf(pre, sizeof(pre), IPK_SEND_MAGIC "%llu ", seq);
	size_t n = (size_t)k;
	if (pl->text) {
		memcpy(buf, pre, n);
		memcpy(buf + n, pl->text, pl->textlen);
		return n + pl->textlen;
	}
	/* -s: the prefix (cut at size) over the filler; the sequence only grows, so the prefix
	 * of a later datagram in this buffer always covers the earlier one. */
	memcpy(buf, pre, n < pl->size ? n : pl->size);
	return pl->size;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ipv4kit send [-i IFACE] [-S SOURCE] [--ttl N] [--tos N] [--loop | --no-loop]\n"
		"                    [-r RATE] [-c COUNT] [-b BATCH] [-s SIZE | --payload TEXT] DEST[:PORT]\n"
		"\n"
		"Send UDP datagrams to a unicast, broadcast or multicast DEST (port %d by default). Each\n"
		"payload starts with \"" IPK_SEND_MAGIC "N \" (N = 1, 2, ...), which ipv4kit listen shows as seq.\n"
		"  -i, --interface IFACE  multicast: outgoing interface (IP_MULTICAST_IF); unicast: send\n"
		"                         through IFACE (IP_PKTINFO ifindex)\n"
		"  -S, --source ADDR      source address of each datagram (IP_PKTINFO spec_dst)\n"
		"      --ttl N            TTL: IP_MULTICAST_TTL (0..255) for a multicast DEST, else IP_TTL\n"
		"                         (1..255); default: the kernel's (multicast 1, unicast 64)\n"
		"      --tos N            TOS byte (0..255, e.g. 0x28 = DSCP AF11)\n"
		"      --loop, --no-loop  multicast loopback to local listeners on or off (default on)\n"
		"  -r, --rate PPS         datagrams per second, 0.001..1e9 (fractions allowed; default:\n"
		"                         no pacing),\n"
		"                         paced to an absolute schedule\n"
		"  -c, --count N          datagrams to send (default 1; 0: until interrupted)\n"
		"  -b, --batch N          datagrams per sendmmsg call, 1..%d (default 1: sendmsg)\n"
		"  -s, --size N           datagram payload size in bytes, 0..%d (default %d)\n"
		"      --payload TEXT     payload after the sequence prefix instead of -s filler\n"
		"  -h, --help             this help\n"
		"A final report (sent, failed, time, achieved rate) goes to stderr.\n"
		"Exit: 0 all datagrams sent; 1 some could not be sent (the first error is named);\n"
		"2 usage error, unknown interface, or a socket option the kernel refused.\n",
		DEFAULT_PORT, IPK_BATCH_MAX, MAX_SIZE, DEFAULT_SIZE);
}

/* DEST[:PORT] */
static int parse_dest(const char *arg, uint32_t *addr, uint16_t *port)
{
	char buf[32];
	size_t len = strlen(arg);
	if (len >= sizeof(buf)) {
		ipk_cli_usage(PROG, "'%s': not ADDRESS[:PORT]", arg);
		return -1;
	}
	memcpy(buf, arg, len + 1);
	char *colon = strchr(buf, ':');
	*port = DEFAULT_PORT;
	if (colon) {
		unsigned long p;
		*colon = '\0';
		if (ipk_cli_num(PROG, "port", colon + 1, 1, 65535, &p) != 0)
			return -1;
		*port = (uint16_t)p;
	}
	if (ipk_ip4_aton(buf, addr) != 0) {
		ipk_cli_usage(PROG, "'%s': bad destination address '%s'", arg, buf);
		return -1;
	}
	if (*addr == 0) {
		ipk_cli_usage(PROG, "'%s': 0.0.0.0 is not a destination", arg);
		return -1;
	}
	return 0;
}

static void ts_add_ns(struct timespec *t, const struct timespec *base, double ns)
{
	long long whole = (long long)(ns / 1e9);
	long extra = (long)(ns - (double)whole * 1e9);
	t->tv_sec = base->tv_sec + (time_t)whole;
	t->tv_nsec = base->tv_nsec + extra;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Apply one socket option; prints and returns -1 when the kernel refuses it. */
static int opt_ok(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "%s: cannot set %s: %s\n", PROG, what, strerror(-r));
		return -1;
	}
	return 0;
}

int ipk_cmd_send(int argc, char **argv)
{
	enum { O_TTL = 256, O_TOS, O_LOOP, O_NOLOOP, O_PAYLOAD };
	static const struct option lopts[] = {
		{"interface", required_argument, NULL, 'i'}, {"source", required_argument, NULL, 'S'},
		{"ttl", required_argument, NULL, O_TTL},     {"tos", required_argument, NULL, O_TOS},
		{"loop", no_argument, NULL, O_LOOP},         {"no-loop", no_argument, NULL, O_NOLOOP},
		{"rate", required_argument, NULL, 'r'},      {"count", required_argument, NULL, 'c'},
		{"batch", required_argument, NULL, 'b'},     {"size", required_argument, NULL, 's'},
		{"payload", required_argument, NULL, O_PAYLOAD}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *iface = NULL, *srcarg = NULL;
	unsigned ifindex = 0;
	unsigned long ttl = 0, tos = 0, count = 1, batch = 1, size = DEFAULT_SIZE;
	int have_ttl = 0, have_tos = 0, loop = -1, have_size = 0, opt;
	double rate = 0;
	struct payload pl;

	memset(&pl, 0, sizeof(pl));
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:i:S:r:c:b:s:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'S': srcarg = optarg; break;
		case O_TTL:
			if (ipk_cli_uint(PROG, "--ttl", optarg, 255, &ttl) != 0)
				return IPK_EXIT_USAGE;
			have_ttl = 1;
			break;
		case O_TOS:
			if (ipk_cli_uint(PROG, "--tos", optarg, 255, &tos) != 0)
				return IPK_EXIT_USAGE;
			have_tos = 1;
			break;
		case O_LOOP: loop = 1; break;
		case O_NOLOOP: loop = 0; break;
		case 'r':
			if (ipk_cli_real(PROG, "-r", optarg, RATE_MIN, RATE_MAX, &rate) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 'c':
			if (ipk_cli_uint(PROG, "-c", optarg, 0xffffffffUL, &count) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 'b':
			if (ipk_cli_num(PROG, "-b", optarg, 1, IPK_BATCH_MAX, &batch) != 0)
				return IPK_EXIT_USAGE;
			break;
		case 's':
			if (ipk_cli_uint(PROG, "-s", optarg, MAX_SIZE, &size) != 0)
				return IPK_EXIT_USAGE;
			have_size = 1;
			break;
		case O_PAYLOAD: pl.text = optarg; break;
		case 'h': usage(stdout); return IPK_EXIT_OK;
		default: return ipk_cli_badopt(PROG, argv, opt);
		}
	}
	if (optind != argc - 1)
		return ipk_cli_usage(PROG, "%s", optind == argc ? "no destination: give DEST[:PORT]"
							 : "one destination only");
	if (have_size && pl.text)
		return ipk_cli_usage(PROG, "-s and --payload cannot be combined");
	uint32_t dst, src = 0;
	uint16_t port;
	if (parse_dest(argv[optind], &dst, &port) != 0)
		return IPK_EXIT_USAGE;
	int mcast = ipk_ip4_is_multicast(dst);
	if (srcarg) {
		if (ipk_ip4_aton(srcarg, &src) != 0 || src == 0 || ipk_ip4_is_multicast(src) ||
		    src == 0xffffffffu) {
			return ipk_cli_usage(PROG, "-S: '%s' is not a unicast source address", srcarg);
		}
		/* the kernel refuses every datagram from an address the host lacks (EINVAL, without
		 * naming it): try a bind first, which says so */
		int t = ipk_udp_open(src, 0, 0);
		if (t < 0) {
			fprintf(stderr, "%s: -S %s: %s%s\n", PROG, srcarg, strerror(-t),
				t == -EADDRNOTAVAIL ? " (not an address of this host)" : "");
			return IPK_EXIT_USAGE;
		}
		close(t);
	}
	if (!mcast && loop >= 0) {
		return ipk_cli_usage(PROG, "--%s applies to multicast destinations only",
				     loop ? "loop" : "no-loop");
	}
	if (have_ttl && !mcast && ttl == 0) {
		return ipk_cli_usage(PROG, "--ttl: '0' is not a number from 1 to 255 (a unicast TTL)");
	}
	if (iface && ipk_cli_ifindex(PROG, iface, &ifindex) != 0)
		return IPK_EXIT_USAGE;
	if (pl.text) {
		pl.textlen = strlen(pl.text);
		if (pl.textlen > MAX_SIZE - PREFIX_MAX) {
			return ipk_cli_usage(PROG, "--payload: longer than %d bytes",
					     MAX_SIZE - PREFIX_MAX);
		}
		pl.cap = PREFIX_MAX + pl.textlen;
	} else {
		pl.size = size;
		pl.cap = size ? size : 1;
	}

	int fd = ipk_udp_open(0, 0, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open a UDP socket: %s\n", PROG, strerror(-fd));
		return IPK_EXIT_USAGE;
	}
	int ret = IPK_EXIT_USAGE;
	uint8_t *bufs = malloc(pl.cap * batch);
	struct ipk_msg *m = calloc(batch, sizeof(*m));
	if (!bufs || !m) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		goto out;
	}
	/* broadcast destinations are allowed (a send tool; SO_BROADCAST only permits them) */
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (mcast) {
		if (ifindex && opt_ok(ipk_mcast_set_if(fd, ifindex), "the multicast interface") != 0)
			goto out;
		if (have_ttl && opt_ok(ipk_mcast_set_ttl(fd, (int)ttl), "the multicast TTL") != 0)
			goto out;
		if (loop >= 0 && opt_ok(ipk_mcast_set_loop(fd, loop), "multicast loopback") != 0)
			goto out;
	} else if (have_ttl && opt_ok(ipk_sock_set_ttl(fd, (int)ttl), "the TTL") != 0) {
		goto out;
	}
	if (have_tos && opt_ok(ipk_sock_set_tos(fd, (int)tos), "the TOS") != 0)
		goto out;
	for (unsigned long i = 0; i < batch; i++) {
		m[i].buf = bufs + i * pl.cap;
		m[i].cap = pl.cap;
		m[i].addr = dst;
		m[i].port = port;
		payload_init(&pl, m[i].buf);
		if (src || (!mcast && ifindex)) {
			m[i].cm.has = IPK_CM_PKTINFO;
			m[i].cm.spec_dst = src;
			m[i].cm.ifindex = ifindex;
		}
	}

	ipk_cli_signals(1);

	double period_ns = rate > 0 ? (double)batch * 1e9 / rate : 0;
	unsigned long long seq = 0, sent = 0, failed = 0, last_n = 0, calls = 0;
	int first_err = 0;
	unsigned long long first_err_seq = 0;
	struct timespec t0, t_first = {0, 0}, t_last = {0, 0}, t_end;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long long k = 0; !ipk_cli_stop && (count == 0 || seq < count); k++) {
		size_t n = batch;
		if (count && count - seq < n)
			n = (size_t)(count - seq);
		if (period_ns > 0) {
			struct timespec at;
			ts_add_ns(&at, &t0, (double)k * period_ns);
			int r;
			while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL)) == EINTR &&
			       !ipk_cli_stop)
				;
			if (ipk_cli_stop)
				break;
		}
		for (size_t i = 0; i < n; i++)
			m[i].len = payload_fill(&pl, m[i].buf, ++seq);
		size_t off = 0;
		while (off < n) {
			int r = batch == 1 ? ipk_sock_write(fd, &m[off], 0)
					   : ipk_sock_write_batch(fd, &m[off], n - off, 0);
			if (r >= 0) {
				off += batch == 1 ? 1 : (size_t)r;
				sent += batch == 1 ? 1 : (unsigned long long)r;
				continue;
			}
			if (!first_err) {
				first_err = -r;
				first_err_seq = seq - n + off + 1;
			}
			failed++; /* this datagram; the rest of the batch is retried */
			off++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t_last);
		if (calls++ == 0)
			t_first = t_last;
		last_n = n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_end);

	char d[16];
	ipk_ip4_ntoa(dst, d);
	/* achieved rate: the datagrams of every call but the last over the time from the first call
	 * to the last (what -r schedules); not shown for one call or when nothing was sent */
	double span = elapsed(&t_first, &t_last);
	char ratebuf[48] = "";
	if (calls > 1 && sent && span > 0)
		snprintf(ratebuf, sizeof(ratebuf), "%.1f pkt/s, ", (double)(seq - last_n) / span);
	fprintf(stderr, "%s: %llu sent, %llu failed to %s:%u in %.3f s (%s%llu %s call%s)%s\n", PROG,
		sent, failed, d, port, elapsed(&t0, &t_end), ratebuf, calls,
		batch > 1 ? "sendmmsg" : "sendmsg", calls == 1 ? "" : "s",
		ipk_cli_stop ? ", interrupted" : "");
	if (first_err)
		fprintf(stderr, "%s: first error at seq %llu: %s%s\n", PROG, first_err_seq,
			strerror(first_err),
			first_err == EINVAL && src ? " (is -S an address of this host?)" : "");
	ret = failed ? IPK_EXIT_FINDINGS : IPK_EXIT_OK;
out:
	free(bufs);
	free(m);
	close(fd);
	return ret;
}
