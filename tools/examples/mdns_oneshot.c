/* mdns_oneshot.c - mirrors Go's ExamplePacketConn_servingOneShotMulticastDNS (x/net/ipv4 example_test.go): join 224.0.0.251, answer the first query sent to the group (RFC 6762). */
#define _DEFAULT_SOURCE
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <ipv4kit/ipv4kit.h>

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", what, ipk_strerror(rc));
		exit(1);
	}
}

/* usage: example_mdns_oneshot IFNAME [GROUP [PORT [TIMEOUT_S]]] (224.0.0.251 5353 5) */
int main(int argc, char **argv)
{
	uint32_t group = 0xe00000fb; /* 224.0.0.251, mDNS link-local */
	int port = argc > 3 ? atoi(argv[3]) : 5353;
	struct timeval tv = {.tv_sec = argc > 4 ? atoi(argv[4]) : 5};
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	char b[1500], s[16], d[16];
	int fd, i;

	if (en0 == 0 || (argc > 2 && ipk_ip4_aton(argv[2], &group) != 0)) {
		fprintf(stderr, "usage: %s IFNAME [GROUP [PORT [TIMEOUT_S]]]\n", argv[0]);
		return 2;
	}
	fd = ipk_udp_open(0, (uint16_t)port, 0); /* Go: ListenPacket("udp4", "0.0.0.0:5353") */
	check(fd, "listen");
	check(ipk_mcast_join(fd, en0, group), "join");
	check(ipk_sock_set_cm(fd, IPK_CM_PKTINFO, 1), "control messages"); /* Go: FlagDst */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));       /* bounded wait */
	printf("joined %s on %s, port %d\n", argv[2] ? argv[2] : "224.0.0.251", argv[1], port);
	fflush(stdout);

	for (i = 0; i < 100; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		int n = ipk_sock_read(fd, &m, IPK_CM_PKTINFO, 0);

		check(n, "read");
		ipk_ip4_ntoa(m.addr, s);
		ipk_ip4_ntoa(m.cm.dst, d);
		if (!(m.cm.has & IPK_CM_PKTINFO) || !ipk_ip4_is_multicast(m.cm.dst) || m.cm.dst != group) {
			printf("skipped datagram from %s to %s\n", s, d);
			continue;
		}
		char answers[] = "FAKE-MDNS-ANSWERS"; /* you need to implement this */
		struct ipk_msg w = {.buf = answers, .len = sizeof(answers) - 1,
				    .addr = m.addr, .port = m.port};
		check(ipk_sock_write(fd, &w, 0), "write");
		printf("answered query from %s:%u to %s on ifindex %u\n", s, m.port, d, m.cm.ifindex);
		break;
	}
	check(ipk_mcast_leave(fd, en0, group), "leave");
	close(fd);
	return i < 100 ? 0 : 1;
}
