/* ssm_exclude.c - mirrors the x/net/ipv4 doc.go "Source-specific multicasting" exclude mode: JoinGroup, ExcludeSourceSpecificGroup, IncludeSourceSpecificGroup, LeaveGroup (RFC 3678 block/unblock). */
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

/* Read up to max datagrams; print each source; stop early at the first one from stop_at. */
static void receive(int fd, const char *phase, int max, uint32_t stop_at)
{
	char b[1500], s[16];

	for (int i = 0; i < max; i++) {
		struct ipk_msg m = {.buf = b, .cap = sizeof(b)};
		check(ipk_sock_read(fd, &m, 0, 0), "read");
		ipk_ip4_ntoa(m.addr, s);
		printf("%s: from %s\n", phase, s);
		if (m.addr == stop_at)
			break;
	}
	fflush(stdout);
}

/* usage: example_ssm_exclude IFNAME GROUP EXCLUDED_SOURCE PORT COUNT [TIMEOUT_S] */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	struct timeval tv = {.tv_sec = argc > 6 ? atoi(argv[6]) : 5};
	uint32_t group, exclsource;
	int fd, count;

	if (argc < 6 || !en0 || ipk_ip4_aton(argv[2], &group) || ipk_ip4_aton(argv[3], &exclsource)) {
		fprintf(stderr, "usage: %s IFNAME GROUP EXCLUDED_SOURCE PORT COUNT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	count = atoi(argv[5]);
	fd = ipk_udp_open(0, (uint16_t)atoi(argv[4]), 0);
	check(fd, "listen");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	check(ipk_mcast_join(fd, en0, group), "join");
	check(ipk_mcast_block_source(fd, en0, group, exclsource), "exclude source");
	printf("joined %s on %s excluding %s\n", argv[2], argv[1], argv[3]);
	fflush(stdout);
	receive(fd, "excluding", count, 0);

	check(ipk_mcast_unblock_source(fd, en0, group, exclsource), "include source");
	receive(fd, "included", 10 * count, exclsource);
	check(ipk_mcast_leave(fd, en0, group), "leave");
	close(fd);
	return 0;
}
