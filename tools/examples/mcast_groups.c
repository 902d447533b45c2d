/* mcast_groups.c - mirrors the x/net/ipv4 doc.go "More multicasting" example: one listener joins two groups on IF0 and one of them on IF1, and reports where each datagram arrived. */
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

/* usage: example_mcast_groups IF0 IF1 G1 G2 PORT COUNT [TIMEOUT_S] - joins G1 and G2 on IF0, G2 on IF1 */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 2 ? if_nametoindex(argv[1]) : 0, en1 = argc > 2 ? if_nametoindex(argv[2]) : 0;
	struct timeval tv = {.tv_sec = argc > 7 ? atoi(argv[7]) : 5};
	uint32_t g1, g2;
	char b[1500], s[16], d[16], ifname[IF_NAMESIZE];
	int fd, count;

	if (argc < 7 || !en0 || !en1 || ipk_ip4_aton(argv[3], &g1) || ipk_ip4_aton(argv[4], &g2)) {
		fprintf(stderr, "usage: %s IF0 IF1 G1 G2 PORT COUNT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	count = atoi(argv[6]);
	fd = ipk_udp_open(0, (uint16_t)atoi(argv[5]), 0); /* ListenPacket("udp4", "0.0.0.0:1024") */
	check(fd, "listen");
	check(ipk_mcast_join(fd, en0, g1), "join G1 on IF0");
	check(ipk_mcast_join(fd, en0, g2), "join G2 on IF0");
	check(ipk_mcast_join(fd, en1, g2), "join G2 on IF1");
	check(ipk_sock_set_cm(fd, IPK_CM_PKTINFO | IPK_CM_TTL, 1), "control messages");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("joined %s on %s; %s on %s and %s\n", argv[3], argv[1], argv[4], argv[1], argv[2]);
	fflush(stdout);

	for (int i = 0; i < count; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		int n = ipk_sock_read(fd, &m, IPK_CM_PKTINFO | IPK_CM_TTL, 0);

		check(n, "read");
		ipk_ip4_ntoa(m.addr, s);
		ipk_ip4_ntoa(m.cm.dst, d);
		if (!if_indextoname(m.cm.ifindex, ifname))
			snprintf(ifname, sizeof(ifname), "#%u", m.cm.ifindex);
		printf("from %s:%u to %s on %s ttl %d: %.*s\n", s, m.port, d, ifname, m.cm.ttl, n, b);
		fflush(stdout);
	}
	close(fd);
	return 0;
}
