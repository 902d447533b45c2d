/* udp_bench.c - UDP datagrams per second through a veth pair (run by udp.sh in two namespaces): plain sendto/recvfrom, ipk_sock_write/read with control messages, and batches (sendmmsg/recvmmsg). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
	uint32_t dst = 0;
	int batch = argc > 3 ? atoi(argv[3]) : 1;

	if (argc < 5 || batch < 1 || batch > IPK_BATCH_MAX ||
	    (strcmp(argv[2], "plain") && strcmp(argv[2], "cm") && strcmp(argv[2], "batch"))) {
		fprintf(stderr, "usage: %s recv MODE BATCH PORT | send MODE BATCH PORT DST IFNAME MS\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "recv"))
		return do_recv(argv[2], batch, (uint16_t)atoi(argv[4]));
	if (argc < 8 || ipk_ip4_aton(argv[5], &dst) != 0 || !if_nametoindex(argv[6]))
		return 2;
	return do_send(argv[2], batch, (uint16_t)atoi(argv[4]), dst, if_nametoindex(argv[6]), atoi(argv[7]));
}
