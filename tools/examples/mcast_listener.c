/* mcast_listener.c - mirrors the x/net/ipv4 doc.go "Multicasting" listener: join a group on two interfaces, read the destination from control messages, answer unicast (TOS 0, TTL 16) and multicast per interface (multicast TTL 2). */
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

/* usage: example_mcast_listener IF0 IF1 GROUP PORT [TIMEOUT_S] - serve one datagram to GROUP */
int main(int argc, char **argv)
{
	unsigned ifs[2] = {argc > 2 ? if_nametoindex(argv[1]) : 0, argc > 2 ? if_nametoindex(argv[2]) : 0};
	struct timeval tv = {.tv_sec = argc > 5 ? atoi(argv[5]) : 5};
	char b[1500], s[16], d[16], data[] = "HELLO-FROM-IPV4KIT";
	uint32_t group;
	int fd, i, port;

	if (argc < 5 || !ifs[0] || !ifs[1] || ipk_ip4_aton(argv[3], &group) != 0) {
		fprintf(stderr, "usage: %s IF0 IF1 GROUP PORT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	port = atoi(argv[4]);
	fd = ipk_udp_open(0, (uint16_t)port, 0); /* ListenPacket("udp4", "0.0.0.0:1024") */
	check(fd, "listen");
	check(ipk_mcast_join(fd, ifs[0], group), "join on IF0");
	check(ipk_mcast_join(fd, ifs[1], group), "join on IF1");
	check(ipk_sock_set_cm(fd, IPK_CM_PKTINFO, 1), "control messages"); /* FlagDst */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("joined %s on %s and %s\n", argv[3], argv[1], argv[2]);
	fflush(stdout);

	for (i = 0; i < 100; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		check(ipk_sock_read(fd, &m, IPK_CM_PKTINFO, 0), "read");
		ipk_ip4_ntoa(m.addr, s);
		ipk_ip4_ntoa(m.cm.dst, d);
		if (ipk_ip4_is_multicast(m.cm.dst)) {
			if (m.cm.dst != group) {
				printf("unknown group %s, discard\n", d); /* unknown group, discard */
				continue;
			}
			printf("joined group: %s:%u -> %s on ifindex %u\n", s, m.port, d, m.cm.ifindex);
		}
		/* the application can also send both unicast and multicast packets */
		check(ipk_sock_set_tos(fd, 0), "set TOS");
		check(ipk_sock_set_ttl(fd, 16), "set TTL");
		struct ipk_msg w = {.buf = data, .len = sizeof(data) - 1, .addr = m.addr, .port = m.port};
		check(ipk_sock_write(fd, &w, 0), "write unicast");
		w.addr = group;
		w.port = (uint16_t)port;
		for (int k = 0; k < 2; k++) {
			check(ipk_mcast_set_if(fd, ifs[k]), "set multicast interface");
			check(ipk_mcast_set_ttl(fd, 2), "set multicast TTL");
			check(ipk_sock_write(fd, &w, 0), "write multicast");
		}
		printf("answered %s unicast (ttl 16) and %s on both interfaces (ttl 2)\n", s, d);
		break;
	}
	close(fd);
	return i < 100 ? 0 : 1;
}
