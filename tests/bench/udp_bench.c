/* udp_bench.c - UDP datagrams per second through a veth pair (run by udp.sh in two namespaces): plain sendto/recvfrom, ipk_sock_write/read with control messages, batches (sendmmsg/recvmmsg); flat-out, queue-drain (receive path) and sender-CPU (send path) forms. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ipv4kit/ipv4kit.h>

/*
 * usage: ipk-udp-bench recv MODE BATCH PORT
 *        ipk-udp-bench send MODE BATCH PORT DST IFNAME MS
 * MODE: plain (sendto/recvfrom), cm (ipk_sock_write with IP_PKTINFO / ipk_sock_read parsing TTL
 * and PKTINFO), batch (ipk_sock_write_batch / ipk_sock_read_batch of BATCH, same control messages).
 * recv prints "ready", then, once the sender has been idle for 300 ms, "rx COUNT SECONDS BAD"
 * (SECONDS from the first to the last datagram; BAD: datagrams whose control messages were
 * missing or wrong). send runs flat out for MS milliseconds and prints "tx COUNT".
 *
 * Receive path, receiver-limited (queue drain; same protocol in go/udp/main.go):
 *        ipk-udp-bench drain MODE BATCH PORT N ROUNDS
 *        ipk-udp-bench fill PORT DST IFNAME N ROUNDS
 * drain binds PORT (data, SO_RCVBUFFORCE N * 2048 so the queue holds N datagrams) and PORT+1
 * (control) and prints "ready". Each round fill sends N datagrams (batches of 64, IP_PKTINFO)
 * while drain sleeps on the control socket, then "done N" to PORT+1; in-order delivery through
 * the one veth queue puts it behind the data. drain then reads the queue dry with MODE, prints
 * "round GOT N SECONDS BAD CPU" (SECONDS: first read to N-th datagram; CPU: user + system seconds
 * of the process meanwhile, getrusage; a round that times out after 200 ms is short, GOT < N)
 * and answers "go" so fill starts the next round.
 *
 * Send path: ipk-udp-bench txcpu MODE BATCH PORT DST IFNAME N sends N datagrams with MODE and
 * prints "txcpu SENT CPU WALL" (CPU: user + system seconds of the process, getrusage, around the
 * send loop only). ipk-udp-bench sink PORT MS binds PORT and never reads (for txcpu to hit).
 */
#define PAYLOAD 64
#define RX_CM (IPK_CM_TTL | IPK_CM_PKTINFO)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bad_cm(const struct ipk_msg *m)
{
	return (m->cm.has & RX_CM) != RX_CM || m->cm.ttl != 64 || m->cm.ifindex == 0;
}

static int do_recv(const char *mode, int batch, uint16_t port)
{
	static char bufs[IPK_BATCH_MAX][2048];
	struct ipk_msg m[IPK_BATCH_MAX];
	struct timeval tv = {.tv_usec = 300000};
	long long count = 0, bad = 0;
	double first = 0, last = 0, start = now();
	int fd = ipk_udp_open(0, port, 0), rcv = 4 << 20;

	if (fd < 0) {
		fprintf(stderr, "udp open: %s\n", ipk_strerror(fd));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (strcmp(mode, "plain") != 0 && ipk_sock_set_cm(fd, RX_CM, 1) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int n;
		if (!strcmp(mode, "plain")) {
			struct sockaddr_in sin;
			socklen_t sl = sizeof(sin);
			n = (int)recvfrom(fd, bufs[0], sizeof(bufs[0]), 0, (struct sockaddr *)&sin, &sl);
			if (n < 0)
				n = -errno;
			else
				n = 1;
		} else if (!strcmp(mode, "cm")) {
			m[0] = (struct ipk_msg){.buf = bufs[0], .cap = sizeof(bufs[0])};
			n = ipk_sock_read(fd, &m[0], RX_CM, 0);
			if (n >= 0) {
				bad += bad_cm(&m[0]);
				n = 1;
			}
		} else {
			for (int i = 0; i < batch; i++)
				m[i] = (struct ipk_msg){.buf = bufs[i], .cap = sizeof(bufs[i])};
			n = ipk_sock_read_batch(fd, m, (size_t)batch, RX_CM, MSG_WAITFORONE);
			for (int i = 0; i < n; i++)
				bad += bad_cm(&m[i]);
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			if (count > 0 || now() - start > 20)
				break;
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "read: %s\n", ipk_strerror(n));
			return 1;
		}
		last = now();
		if (count == 0)
			first = last;
		count += n;
	}
	printf("rx %lld %.6f %lld\n", count, last - first, bad);
	return 0;
}

static int do_send(const char *mode, int batch, uint16_t port, uint32_t dst, unsigned ifindex, int ms)
{
	static char payload[PAYLOAD];
	struct ipk_msg m[IPK_BATCH_MAX];
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(dst)};
	long long count = 0;
	double end = now() + ms / 1e3;
	int fd = ipk_udp_open(0, 0, 0);

	if (fd < 0) {
		fprintf(stderr, "udp open: %s\n", ipk_strerror(fd));
		return 1;
	}
	for (int i = 0; i < IPK_BATCH_MAX; i++)
		m[i] = (struct ipk_msg){.buf = payload, .len = sizeof(payload), .addr = dst, .port = port,
					.cm = {.has = IPK_CM_PKTINFO, .ifindex = ifindex}};
	for (unsigned long it = 0;; it++) {
		if ((it & 255) == 0 && now() >= end)
			break;
		int n;
		if (!strcmp(mode, "plain"))
			n = sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? -errno : 1;
		else if (!strcmp(mode, "cm"))
			n = ipk_sock_write(fd, &m[0], 0) < 0 ? -errno : 1;
		else
			n = ipk_sock_write_batch(fd, m, (size_t)batch, 0);
		if (n > 0)
			count += n;
	}
	printf("tx %lld\n", count);
	return 0;
}

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void set_timeo(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* one read with MODE into m/bufs: datagrams read (>= 1) or -errno; *bad counts wrong control messages */
static int read_mode(int fd, const char *mode, int batch, struct ipk_msg *m, char (*bufs)[2048],
		     long long *bad)
{
	int n;

	if (mode[0] == 'p') {
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);
		return recvfrom(fd, bufs[0], 2048, 0, (struct sockaddr *)&sin, &sl) < 0 ? -errno : 1;
	}
	if (mode[0] == 'c') {
		m[0] = (struct ipk_msg){.buf = bufs[0], .cap = 2048};
		n = ipk_sock_read(fd, &m[0], RX_CM, 0);
		if (n < 0)
			return n;
		*bad += bad_cm(&m[0]);
		return 1;
	}
	for (int i = 0; i < batch; i++)
		m[i] = (struct ipk_msg){.buf = bufs[i], .cap = 2048};
	n = ipk_sock_read_batch(fd, m, (size_t)batch, RX_CM, MSG_WAITFORONE);
	for (int i = 0; i < n; i++)
		*bad += bad_cm(&m[i]);
	return n;
}

static int do_drain(const char *mode, int batch, uint16_t port, long want, int rounds)
{
	static char bufs[IPK_BATCH_MAX][2048];
	struct ipk_msg m[IPK_BATCH_MAX];
	int fd = ipk_udp_open(0, port, 0), cfd = ipk_udp_open(0, (uint16_t)(port + 1), 0);
	int rcv = (int)(want * 2048);

	if (fd < 0 || cfd < 0) {
		fprintf(stderr, "udp open: %s\n", ipk_strerror(fd < 0 ? fd : cfd));
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (mode[0] != 'p' && ipk_sock_set_cm(fd, RX_CM, 1) < 0)
		return 1;
	set_timeo(fd, 200);
	set_timeo(cfd, 10000);
	printf("ready\n");
	fflush(stdout);
	for (int r = 0; r < rounds; r++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		char ctl[32] = {0};
		long long got = 0, bad = 0;
		if (recvfrom(cfd, ctl, sizeof(ctl) - 1, 0, (struct sockaddr *)&from, &fl) < 0) {
			fprintf(stderr, "drain: no word from the sender: %s\n", strerror(errno));
			return 1;
		}
		long n = strncmp(ctl, "done ", 5) ? 0 : strtol(ctl + 5, NULL, 10);
		double c0 = cpu_now(), t0 = now();
		while (got < n) {
			int k = read_mode(fd, mode, batch < n - got ? batch : (int)(n - got), m, bufs, &bad);
			if (k < 0)
				break;
			got += k;
		}
		double t1 = now(), c1 = cpu_now();
		printf("round %lld %ld %.6f %lld %.6f\n", got, n, t1 - t0, bad, c1 - c0);
		while (recv(fd, bufs[0], sizeof(bufs[0]), MSG_DONTWAIT) >= 0)
			; /* late leftovers of a short round, so the next round starts empty */
		sendto(cfd, "go", 2, 0, (struct sockaddr *)&from, fl);
	}
	fflush(stdout);
	return 0;
}

static void init_tx(struct ipk_msg *m, void *payload, uint32_t dst, uint16_t port, unsigned ifindex)
{
	for (int i = 0; i < IPK_BATCH_MAX; i++)
		m[i] = (struct ipk_msg){.buf = payload, .len = PAYLOAD, .addr = dst, .port = port,
					.cm = {.has = IPK_CM_PKTINFO, .ifindex = ifindex}};
}

static int do_fill(uint16_t port, uint32_t dst, unsigned ifindex, long want, int rounds)
{
	static char payload[PAYLOAD];
	struct ipk_msg m[IPK_BATCH_MAX];
	struct sockaddr_in cto = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 1)),
				  .sin_addr.s_addr = htonl(dst)};
	int fd = ipk_udp_open(0, 0, 0), cfd = ipk_udp_open(0, 0, 0);

	if (fd < 0 || cfd < 0) {
		fprintf(stderr, "udp open: %s\n", ipk_strerror(fd < 0 ? fd : cfd));
		return 1;
	}
	set_timeo(cfd, 10000);
	init_tx(m, payload, dst, port, ifindex);
	for (int r = 0; r < rounds; r++) {
		char ctl[32];
		long sent = 0;
		while (sent < want) {
			long k = want - sent < IPK_BATCH_MAX ? want - sent : IPK_BATCH_MAX;
			int n = ipk_sock_write_batch(fd, m, (size_t)k, 0);
			if (n > 0)
				sent += n;
		}
		int l = snprintf(ctl, sizeof(ctl), "done %ld", sent);
		sendto(cfd, ctl, (size_t)l, 0, (struct sockaddr *)&cto, sizeof(cto));
		if (recv(cfd, ctl, sizeof(ctl), 0) < 0) {
			fprintf(stderr, "fill: no answer from the receiver: %s\n", strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int do_txcpu(const char *mode, int batch, uint16_t port, uint32_t dst, unsigned ifindex, long want)
{
	static char payload[PAYLOAD];
	struct ipk_msg m[IPK_BATCH_MAX];
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(dst)};
	long sent = 0;
	int fd = ipk_udp_open(0, 0, 0);

	if (fd < 0) {
		fprintf(stderr, "udp open: %s\n", ipk_strerror(fd));
		return 1;
	}
	init_tx(m, payload, dst, port, ifindex);
	double c0 = cpu_now(), t0 = now();
	while (sent < want) {
		int n;
		if (mode[0] == 'p')
			n = sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? -errno : 1;
		else if (mode[0] == 'c')
			n = ipk_sock_write(fd, &m[0], 0) < 0 ? -errno : 1;
		else
			n = ipk_sock_write_batch(fd, m, (size_t)batch, 0);
		if (n > 0)
			sent += n;
	}
	double c1 = cpu_now(), t1 = now();
	printf("txcpu %ld %.6f %.6f\n", sent, c1 - c0, t1 - t0);
	return 0;
}

static int do_sink(uint16_t port, int ms)
{
	int fd = ipk_udp_open(0, port, 0);
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	if (fd < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	nanosleep(&ts, NULL);
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s recv MODE BATCH PORT | send MODE BATCH PORT DST IFNAME MS |\n"
		"\tdrain MODE BATCH PORT N ROUNDS | fill PORT DST IFNAME N ROUNDS |\n"
		"\ttxcpu MODE BATCH PORT DST IFNAME N | sink PORT MS\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	uint32_t dst = 0;
	int batch = argc > 3 ? atoi(argv[3]) : 1;

	if (argc == 4 && !strcmp(argv[1], "sink"))
		return do_sink((uint16_t)atoi(argv[2]), atoi(argv[3]));
	if (argc == 7 && !strcmp(argv[1], "fill")) {
		if (ipk_ip4_aton(argv[3], &dst) != 0 || !if_nametoindex(argv[4]) || atol(argv[5]) < 1)
			return usage(argv[0]);
		return do_fill((uint16_t)atoi(argv[2]), dst, if_nametoindex(argv[4]), atol(argv[5]), atoi(argv[6]));
	}
	if (argc < 5 || batch < 1 || batch > IPK_BATCH_MAX ||
	    (strcmp(argv[2], "plain") && strcmp(argv[2], "cm") && strcmp(argv[2], "batch"))) {
		return usage(argv[0]);
	}
	if (!strcmp(argv[1], "recv"))
		return do_recv(argv[2], batch, (uint16_t)atoi(argv[4]));
	if (!strcmp(argv[1], "drain")) {
		if (argc < 7 || atol(argv[5]) < 1 || atol(argv[5]) > (1L << 19))
			return usage(argv[0]);
		return do_drain(argv[2], batch, (uint16_t)atoi(argv[4]), atol(argv[5]), atoi(argv[6]));
	}
	if (argc < 8 || ipk_ip4_aton(argv[5], &dst) != 0 || !if_nametoindex(argv[6]))
		return usage(argv[0]);
	if (!strcmp(argv[1], "txcpu"))
		return do_txcpu(argv[2], batch, (uint16_t)atoi(argv[4]), dst, if_nametoindex(argv[6]), atol(argv[7]));
	if (strcmp(argv[1], "send"))
		return usage(argv[0]);
	return do_send(argv[2], batch, (uint16_t)atoi(argv[4]), dst, if_nametoindex(argv[6]), atoi(argv[7]));
}
