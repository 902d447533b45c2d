/* members.c - net_members: makes the Linux kernel in this namespace a scripted IGMP host (RFC 3376 section 5, RFC 3678 socket API): joins, leaves, source joins and blocks read as commands from stdin. */
#include "net/netutil.h"

/*
 * Usage: net_members IFACE < COMMANDS
 * One command a line; each acts on the kernel's membership of IFACE and prints "done LINE" (or
 * "error LINE: reason" and exit 1):
 *   asm G            any-source join (the kernel sends TO_EX {})
 *   leave G          leave an any-source join (TO_IN {})
 *   ssm S G          source-specific join (ALLOW {S}, or TO_IN when it changes the mode)
 *   ssmleave S G     leave it (BLOCK {S})
 *   block S G        exclude S from the any-source join of G (BLOCK {S})
 *   unblock S G      include S again (ALLOW {S})
 * End of input or "quit": exit 0 without leaving; the kernel drops the memberships as the socket
 * closes (the leave reports go out then).
 */
int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: net_members IFACE < COMMANDS\n");
		return 2;
	}
	unsigned ifx = if_nametoindex(argv[1]);
	if (!ifx) {
		fprintf(stderr, "net_members: unknown interface %s\n", argv[1]);
		return 2;
	}
	int fd = ipk_udp_open(0, 0, 1);
	if (fd < 0) {
		fprintf(stderr, "net_members: socket: %s\n", strerror(-fd));
		return 2;
	}
	char line[256];
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		char cmd[16], a[32], b[32];
		int n = sscanf(line, "%15s %31s %31s", cmd, a, b);
		if (n <= 0)
			continue;
		if (strcmp(cmd, "quit") == 0)
			break;
		uint32_t x = 0, y = 0;
		int r = -EINVAL;
		if (n >= 2 && ipk_ip4_aton(a, &x) == 0 && (n == 2 || ipk_ip4_aton(b, &y) == 0)) {
			if (n == 2 && strcmp(cmd, "asm") == 0)
				r = ipk_mcast_join(fd, ifx, x);
			else if (n == 2 && strcmp(cmd, "leave") == 0)
				r = ipk_mcast_leave(fd, ifx, x);
			else if (n == 3 && strcmp(cmd, "ssm") == 0)
				r = ipk_mcast_join_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "ssmleave") == 0)
				r = ipk_mcast_leave_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "block") == 0)
				r = ipk_mcast_block_source(fd, ifx, y, x);
			else if (n == 3 && strcmp(cmd, "unblock") == 0)
				r = ipk_mcast_unblock_source(fd, ifx, y, x);
		}
		if (r < 0) {
			printf("error %s: %s\n", line, strerror(-r));
			return 1;
		}
		printf("done %s\n", line);
	}
	close(fd);
	return 0;
}
