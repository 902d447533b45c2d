/* tcp_marking.c - mirrors Go's ExampleConn_markingTCP (x/net/ipv4 example_test.go; doc.go "Unicasting"): mark an accepted TCP connection AF11 (TOS 0x28), TTL 128. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ipv4kit/ipv4kit.h>

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", what, ipk_strerror(rc));
		exit(1);
	}
}

/* usage: example_tcp_marking ADDR PORT [TIMEOUT_S] - serve one connection, then exit */
int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET}, peer;
	socklen_t plen = sizeof(peer);
	const char msg[] = "HELLO-R-U-THERE-ACK";
	uint32_t addr;
	int ln, c, on = 1, tos = -1, ttl = -1, timeout = argc > 3 ? atoi(argv[3]) : 5;

	if (argc < 3 || ipk_ip4_aton(argv[1], &addr) != 0) {
		fprintf(stderr, "usage: %s ADDR PORT [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons((uint16_t)atoi(argv[2]));
	ln = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ln, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ln < 0 || bind(ln, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(ln, 4) < 0) {
		perror("listen");
		return 1;
	}
	printf("listening on %s:%s\n", argv[1], argv[2]);
	fflush(stdout);

	struct pollfd pfd = {.fd = ln, .events = POLLIN};
	if (poll(&pfd, 1, timeout * 1000) != 1) {
		fprintf(stderr, "no connection within %d s\n", timeout);
		return 1;
	}
	c = accept(ln, (struct sockaddr *)&peer, &plen);
	check(c < 0 ? -1 : 0, "accept");
	if (peer.sin_family == AF_INET) { /* Go: RemoteAddr().IP.To4() != nil */
		check(ipk_sock_set_tos(c, 0x28), "set TOS"); /* DSCP AF11 */
		check(ipk_sock_set_ttl(c, 128), "set TTL");
	}
	check(ipk_sock_get_tos(c, &tos), "get TOS");
	check(ipk_sock_get_ttl(c, &ttl), "get TTL");
	if (write(c, msg, sizeof(msg) - 1) != (ssize_t)sizeof(msg) - 1) {
		perror("write");
		return 1;
	}
	printf("peer %s: tos 0x%02x ttl %d, wrote %s\n", inet_ntoa(peer.sin_addr), tos, ttl, msg);
	close(c);
	close(ln);
	return 0;
}
