/* ssm_include.c - mirrors the x/net/ipv4 doc.go "Source-specific multicasting" include mode: JoinSourceSpecificGroup / LeaveSourceSpecificGroup (RFC 4607, RFC 3678). */
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

/* usage: example_ssm_include IFNAME GROUP SOURCE PORT COUNT [TIMEOUT_S] */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	struct timeval tv = {.tv_sec = argc > 6 ? atoi(argv[6]) : 5};
	uint32_t ssmgroup, ssmsource;
	char b[1500], s[16], d[16];
	int fd, count;

	if (argc < 6 || !en0 || ipk_ip4_aton(argv[2], &ssmgroup) || ipk_ip4_aton(argv[3], &ssmsource)) {
		fprintf(stderr, "usage: %s IFNAME GROUP SOURCE PORT COUNT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	count = atoi(argv[5]);
	fd = ipk_udp_open(0, (uint16_t)atoi(argv[4]), 0);
	check(fd, "listen");
	check(ipk_mcast_join_source(fd, en0, ssmgroup, ssmsource), "join source-specific group");
	check(ipk_sock_set_cm(fd, IPK_CM_PKTINFO, 1), "control messages");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	printf("joined (%s, %s) on %s\n", argv[3], argv[2], argv[1]);
	fflush(stdout);

	for (int i = 0; i < count; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		check(ipk_sock_read(fd, &m, IPK_CM_PKTINFO, 0), "read");
		ipk_ip4_ntoa(m.addr, s);
		ipk_ip4_ntoa(m.cm.dst, d);
		printf("from %s to %s\n", s, d);
		fflush(stdout);
	}
	check(ipk_mcast_leave_source(fd, en0, ssmgroup, ssmsource), "leave source-specific group");
	close(fd);
	return 0;
}
