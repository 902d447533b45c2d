/* trace_route.c - mirrors Go's ExamplePacketConn_tracingIPPacketRoute (x/net/ipv4 example_test.go): ICMP echo with rising TTL, reading Time Exceeded and Echo Reply with control messages (RFC 792). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ipv4kit/ipv4kit.h>

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", what, ipk_strerror(rc));
		exit(1);
	}
}

static double now_ms(void)
{
	struct timespec ts;
	return clock_gettime(CLOCK_MONOTONIC, &ts), ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* usage: example_trace_route DST [MAX_HOPS [TIMEOUT_S]] */
int main(int argc, char **argv)
{
	uint8_t wb[8 + 15] = {8, 0}, rb[1500]; /* ICMP echo request, "HELLO-R-U-THERE" */
	struct timeval tv = {.tv_sec = argc > 3 ? atoi(argv[3]) : 1};
	int fd, hops = argc > 2 ? atoi(argv[2]) : 64;
	uint32_t dst;
	char peer[16], cdst[16];

	if (argc < 2 || ipk_ip4_aton(argv[1], &dst) != 0)
		return fprintf(stderr, "usage: %s DST [MAX_HOPS [TIMEOUT_S]]\n", argv[0]), 2;
	fd = ipk_raw_open(IPK_PROTO_ICMP, 0); /* Go: ListenPacket("ip4:1", "0.0.0.0") */
	check(fd, "listen");
	check(ipk_sock_set_cm(fd, IPK_CM_TTL | IPK_CM_PKTINFO, 1), "control messages");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memcpy(wb + 8, "HELLO-R-U-THERE", 15), wb[4] = (uint8_t)(getpid() >> 8), wb[5] = (uint8_t)getpid();
	printf("tracing the route to %s\n", argv[1]);

	for (int i = 1; i <= hops && i < 256; i++) {
		wb[2] = wb[3] = 0, wb[6] = (uint8_t)(i >> 8), wb[7] = (uint8_t)i;
		uint16_t c = ipk_csum(wb, sizeof(wb));
		wb[2] = (uint8_t)(c >> 8), wb[3] = (uint8_t)c;
		check(ipk_sock_set_ttl(fd, i), "set TTL");
		double begin = now_ms();
		struct ipk_msg w = {.buf = wb, .len = sizeof(wb), .addr = dst};
		check(ipk_sock_write(fd, &w, 0), "write");

		for (int tries = 0;; tries++) { /* skip ICMP that is not the answer to this probe */
			struct ipk_raw_pkt p;
			int n = ipk_raw_read(fd, rb, sizeof(rb), IPK_CM_TTL | IPK_CM_PKTINFO, &p, 0);
			if (n == -EAGAIN || tries == 16) { /* no answer: a silent hop */
				printf("%d\t*\n", i);
				break;
			}
			check(n, "read");
			const uint8_t *m = p.payload, *e = m; /* the echo: ours, or quoted in an error */
			if (p.payload_len >= 8 + 20 + 8 && m[0] == 11) /* time exceeded quotes the probe */
				e = m + 8 + (m[8] & 0x0f) * 4;
			if (p.payload_len < 8 || (e == m && m[0] != 0) || e + 8 > m + p.payload_len ||
			    e[4] != wb[4] || e[5] != wb[5] || e[7] != (uint8_t)i)
				continue;
			ipk_ip4_ntoa(p.hdr.src, peer), ipk_ip4_ntoa(p.cm.dst, cdst);
			printf("%d\t%s %s %.3f ms\n\tcm: ttl %d src %s dst %s ifindex %u\n", i, peer,
			       m[0] == 0 ? "echo-reply" : "time-exceeded", now_ms() - begin, p.cm.ttl,
			       peer, cdst, p.cm.ifindex);
			if (m[0] == 0)
				return close(fd), 0;
			break;
		}
		fflush(stdout);
	}
	return close(fd), 1;
}
