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
	uint8_t wb[IPK_ICMP_HLEN + 15], rb[1500]; /* ICMP echo request, "HELLO-R-U-THERE" */
	struct ipk_icmp echo = {.type = IPK_ICMP_ECHO, .id = (uint16_t)getpid()};
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
	printf("tracing the route to %s\n", argv[1]);

	for (int i = 1; i <= hops && i < 256; i++) {
		struct ipk_wbuf b;
		echo.seq = (uint16_t)i;
		ipk_wbuf_init(&b, wb, sizeof(wb));
		check(ipk_icmp_build(&b, &echo, "HELLO-R-U-THERE", 15, 0), "build");
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
			struct ipk_icmp m, e; /* the answer, and the echo: ours, or quoted in an error */
			struct ipk_ip4 q;
			if (ipk_icmp_parse(p.payload, p.payload_len, &m) < 0)
				continue;
			e = m;
			if (m.type == IPK_ICMP_TIME_EXCEEDED && /* quotes the probe's header and 8 bytes */
			    (ipk_ip4_parse(p.payload + 8, p.payload_len - 8, IPK_IP4_GO, &q, NULL) < 0 ||
			     ipk_icmp_parse(p.payload + 8 + q.hlen, p.payload_len - 8 - q.hlen, &e) < 0 ||
			     e.type != IPK_ICMP_ECHO))
				continue;
			if ((m.type != IPK_ICMP_ECHO_REPLY && m.type != IPK_ICMP_TIME_EXCEEDED) ||
			    e.id != echo.id || e.seq != echo.seq)
				continue;
			ipk_ip4_ntoa(p.hdr.src, peer), ipk_ip4_ntoa(p.cm.dst, cdst);
			printf("%d\t%s %s %.3f ms\n\tcm: ttl %d src %s dst %s ifindex %u\n", i, peer,
			       m.type == IPK_ICMP_ECHO_REPLY ? "echo-reply" : "time-exceeded", now_ms() - begin, p.cm.ttl,
			       peer, cdst, p.cm.ifindex);
			if (m.type == IPK_ICMP_ECHO_REPLY)
				return close(fd), 0;
			break;
		}
		fflush(stdout);
	}
	return close(fd), 1;
}
