/* linkrx.c - net_linkrx: print the frames an interface receives from one MAC, byte for byte, as hex lines (the format of `ipv4kit craft --hex`), for tests that compare what was sent with what arrived. */
#include "net/netutil.h"
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

/*
 * Usage: net_linkrx IFACE SRCMAC COUNT SECONDS READYFILE
 * Binds a packet socket (every protocol) to IFACE, creates READYFILE, then prints each incoming
 * frame whose source MAC is SRCMAC (ARP left out: the sender's kernel resolves addresses on its
 * own) as one line of hex, until COUNT frames or SECONDS have passed. Frames the interface sends
 * itself are not printed. Exit 0 when COUNT frames arrived, 1 on timeout, 2 on setup errors.
 */
int main(int argc, char **argv)
{
	static uint8_t buf[65536 + 64];
	unsigned m[6];
	uint8_t mac[6];
	char c;

	if (argc != 6 || sscanf(argv[2], "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
				&m[5], &c) != 6) {
		fprintf(stderr, "usage: net_linkrx IFACE SRCMAC COUNT SECONDS READYFILE\n");
		return 2;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	long want = atol(argv[3]);
	double secs = atof(argv[4]);
	int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0 until bound: no other interface's */
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (fd < 0 || sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		fprintf(stderr, "net_linkrx: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	FILE *ready = fopen(argv[5], "w");
	if (!ready)
		return 2;
	fclose(ready);

	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long got = 0;
	while (got < want) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		double left = secs - (double)(t.tv_sec - t0.tv_sec) - (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (n < 0 || from.sll_pkttype == PACKET_OUTGOING || n < 12 || memcmp(buf + 6, mac, 6))
			continue;
		if (n >= 14 && buf[12] == 0x08 && buf[13] == 0x06)
			continue;
		if ((size_t)n > sizeof(buf))
			n = (ssize_t)sizeof(buf); /* cannot happen below 64 KiB frames */
		for (ssize_t i = 0; i < n; i++)
			printf("%02x%c", buf[i], i + 1 < n ? ' ' : '\n');
		fflush(stdout);
		got++;
	}
	close(fd);
	return got == want ? 0 : 1;
}
