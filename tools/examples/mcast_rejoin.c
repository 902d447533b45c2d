/* mcast_rejoin.c - mirrors the x/net/ipv4 doc.go "More multicasting" leave-and-rejoin example: leave one group, join another on the same interface, and see which datagrams arrive. */
#define _DEFAULT_SOURCE
#include <errno.h>
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

/* Read count datagrams and print their destination, labelled with phase. */
static void receive(int fd, const char *phase, int count)
{
	char b[1500], d[16];

	for (int i = 0; i < count; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		check(ipk_sock_read(fd, &m, IPK_CM_PKTINFO, 0), "read");
		ipk_ip4_ntoa(m.cm.dst, d);
		printf("%s: datagram to %s\n", phase, d);
	}
	fflush(stdout);
}

/* usage: example_mcast_rejoin IFNAME OLD_GROUP NEW_GROUP PORT COUNT [TIMEOUT_S] */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	struct timeval tv = {.tv_sec = argc > 6 ? atoi(argv[6]) : 5};
	uint32_t old_g, new_g;
	char b[1500];
	int fd, n = 0;

	if (argc < 6 || !en0 || ipk_ip4_aton(argv[2], &old_g) || ipk_ip4_aton(argv[3], &new_g)) {
		fprintf(stderr, "usage: %s IFNAME OLD_GROUP NEW_GROUP PORT COUNT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	fd = ipk_udp_open(0, (uint16_t)atoi(argv[4]), 0);
	check(fd, "listen");
	check(ipk_sock_set_cm(fd, IPK_CM_PKTINFO, 1), "control messages");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	check(ipk_mcast_join(fd, en0, old_g), "join");
	receive(fd, "joined old", atoi(argv[5]));

	check(ipk_mcast_leave(fd, en0, old_g), "leave"); /* p.LeaveGroup(en0, 224.0.0.248) */
	check(ipk_mcast_join(fd, en0, new_g), "rejoin");  /* p.JoinGroup(en0, 224.0.0.250) */
	/* datagrams queued before the leave are still in the socket: discard them (bounded) */
	while (n < 1000) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		if (ipk_sock_read(fd, &m, IPK_CM_PKTINFO, MSG_DONTWAIT) == -EAGAIN)
			break;
		n++;
	}
	printf("left %s, joined %s (%d queued datagrams discarded)\n", argv[2], argv[3], n);
	receive(fd, "joined new", atoi(argv[5]));
	check(ipk_mcast_leave(fd, en0, new_g), "leave");
	close(fd);
	return 0;
}
