/* mcast_shared_port.c - mirrors the x/net/ipv4 doc.go "More multicasting" example of two listeners on 224.0.0.0:1024 (reusable port) joining the same group: both receive each datagram. */
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

/* usage: example_mcast_shared_port IFNAME GROUP PORT [TIMEOUT_S] */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	struct timeval tv = {.tv_sec = argc > 4 ? atoi(argv[4]) : 5};
	uint32_t group;
	uint16_t port;
	char b[1500], s[16], d[16];
	int c[2];

	if (argc < 4 || !en0 || ipk_ip4_aton(argv[2], &group) != 0) {
		fprintf(stderr, "usage: %s IFNAME GROUP PORT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	port = (uint16_t)atoi(argv[3]);
	for (int i = 0; i < 2; i++) {
		/* Go: ListenPacket("udp4", "224.0.0.0:1024"), which binds the wildcard address with a
		 * reusable port when given a multicast address (golang.org/issue/3978) */
		c[i] = ipk_udp_open(0, port, 1);
		check(c[i], "listen");
		check(ipk_mcast_join(c[i], en0, group), "join");
		check(ipk_sock_set_cm(c[i], IPK_CM_PKTINFO, 1), "control messages");
		setsockopt(c[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	printf("two listeners on port %u joined %s on %s\n", port, argv[2], argv[1]);
	fflush(stdout);

	for (int i = 0; i < 2; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		int n = ipk_sock_read(c[i], &m, IPK_CM_PKTINFO, 0);

		check(n, "read");
		ipk_ip4_ntoa(m.addr, s);
		ipk_ip4_ntoa(m.cm.dst, d);
		printf("listener %d: from %s:%u to %s: %.*s\n", i + 1, s, m.port, d, n, b);
	}
	for (int i = 0; i < 2; i++) {
		check(ipk_mcast_leave(c[i], en0, group), "leave");
		close(c[i]);
	}
	return 0;
}
