/* ospf_hello.c - mirrors Go's ExampleRawConn_advertisingOSPFHello (x/net/ipv4 example_test.go): a RawConn joins AllSPFRouters and writes a hand-built IPv4 header (TOS 0xc0, TTL 1, protocol 89) out of one interface (RFC 2328). */
#define _DEFAULT_SOURCE
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <ipv4kit/ipv4kit.h>

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", what, ipk_strerror(rc));
		exit(1);
	}
}

/* usage: example_ospf_hello IFNAME [COUNT] */
int main(int argc, char **argv)
{
	unsigned en0 = argc > 1 ? if_nametoindex(argv[1]) : 0;
	uint32_t all_spf_routers = 0xe0000005; /* 224.0.0.5 */
	uint8_t ospf[24 + 24] = {2, 1};        /* version 2, hello; fake header and hello data */
	int fd, count = argc > 2 ? atoi(argv[2]) : 1;

	if (!en0) {
		fprintf(stderr, "usage: %s IFNAME [COUNT]\n", argv[0]);
		return 2;
	}
	fd = ipk_raw_open(89, 1); /* Go: ListenPacket("ip4:89", "0.0.0.0") + NewRawConn */
	check(fd, "listen");
	check(ipk_mcast_join(fd, en0, all_spf_routers), "join");

	struct ipk_ip4 iph = {
		.version = 4,
		.ihl = 5,
		.tos = 0xc0, /* DSCP CS6 */
		.ttl = 1,
		.proto = 89,
		.dst = all_spf_routers,
	};
	/* Linux takes the outgoing interface from IP_PKTINFO (Go: ControlMessage{IfIndex}) */
	struct ipk_cm cm = {.has = IPK_CM_PKTINFO, .ifindex = en0};
	for (int i = 0; i < count; i++) {
		int n = ipk_raw_write(fd, &iph, 0, ospf, sizeof(ospf), 0, &cm);
		check(n, "write");
		printf("sent OSPF hello: %d bytes to 224.0.0.5 on %s, tos 0xc0 ttl 1\n", n, argv[1]);
	}
	check(ipk_mcast_leave(fd, en0, all_spf_routers), "leave");
	close(fd);
	return 0;
}
