/* test_bpf.c - ipk_bpf_compile (libpcap) vs tcpdump -dd, errors, the ipk_bpf_netoff rewrite, and what UDP/raw socket filters see (namespace). */
#define _GNU_SOURCE /* unshare, u_char in pcap.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipv4kit/bpf.h"
#include "ipv4kit/sock.h"

#define CAP 256

/* Run `tcpdump -s 65535 -dd -y RAW EXPR` and read its C array into out; returns the count. */
static size_t tcpdump_dd(const char *expr, struct ipk_bpf_insn *out, size_t cap)
{
	char cmd[512], line[256];
	size_t n = 0;
	snprintf(cmd, sizeof(cmd), "tcpdump -s 65535 -dd -y RAW '%s' 2>/dev/null", expr);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned code, jt, jf, k;
		if (sscanf(line, " { 0x%x, %u, %u, 0x%x },", &code, &jt, &jf, &k) != 4)
			continue;
		assert_true(n < cap);
		out[n].code = (uint16_t)code;
		out[n].jt = (uint8_t)jt;
		out[n].jf = (uint8_t)jf;
		out[n].k = k;
		n++;
	}
	assert_int_equal(pclose(f), 0);
	return n;
}

static void test_same_as_tcpdump(void **state)
{
	(void)state;
	static const char *const exprs[] = {
		"udp",
		"udp dst port 5000 and src host 198.18.0.1",
		"ip[8] == 5",
		"ip[1] & 0xfc == 0x20 and dst net 239.0.0.0/8",
		"igmp or (udp and not src net 198.19.0.0/16)",
		"ip[6:2] & 0x3fff != 0",
	};
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct ipk_bpf_insn a[CAP], b[CAP];
		size_t n = 0;
		char err[256];
		assert_int_equal(ipk_bpf_compile(exprs[i], IPK_BPF_DLT_RAW, a, CAP, &n, err,
						      sizeof(err)), 0);
		assert_string_equal(err, "");
		size_t m = tcpdump_dd(exprs[i], b, CAP);
		assert_true(m >= 2);
		assert_int_equal(n, m);
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(a[j].code, b[j].code);
			assert_int_equal(a[j].jt, b[j].jt);
			assert_int_equal(a[j].jf, b[j].jf);
			assert_int_equal(a[j].k, b[j].k);
		}
		assert_int_equal(a[n - 1].code, BPF_RET | BPF_K);
	}
}

static void test_errors(void **state)
{
	(void)state;
	struct ipk_bpf_insn a[CAP];
	size_t n = 99;
	char err[256];

	assert_int_equal(ipk_bpf_compile("udp and", IPK_BPF_DLT_RAW, a, CAP, &n, err,
					      sizeof(err)), -EINVAL);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "udp and: "));
	assert_non_null(strstr(err, "syntax error"));
	assert_int_equal(ipk_bpf_compile("dst port 99999", IPK_BPF_DLT_RAW, a, CAP, &n,
					      err, sizeof(err)), -EINVAL);
	assert_true(strncmp(err, "dst port 99999: ", 16) == 0);
	/* no room: the size needed is reported, nothing else is required of out */
	size_t full;
	assert_int_equal(ipk_bpf_compile("udp", IPK_BPF_DLT_RAW, a, CAP, &full, NULL, 0), 0);
	assert_true(full > 3);
	assert_int_equal(ipk_bpf_compile("udp", IPK_BPF_DLT_RAW, a, full - 1, &n, err,
					      sizeof(err)), -ENOSPC);
	assert_int_equal(n, full);
	char want[64];
	snprintf(want, sizeof(want), "room for %zu", full - 1);
	assert_non_null(strstr(err, want));
	assert_int_equal(ipk_bpf_compile("udp", IPK_BPF_DLT_RAW, a, full, &n, NULL, 0), 0);
	assert_int_equal(n, full);
	/* the empty expression accepts everything */
	assert_int_equal(ipk_bpf_compile("", IPK_BPF_DLT_RAW, a, CAP, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].code, BPF_RET | BPF_K);
	assert_int_equal(a[0].k, 65535);
	/* a short err buffer is truncated, never overrun */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(ipk_bpf_compile("udp and", IPK_BPF_DLT_RAW, a, CAP, &n, tiny, 5),
			 -EINVAL);
	assert_string_equal(tiny, "udp ");
	assert_int_equal(tiny[5], 'x');
}

static void test_netoff_rewrite(void **state)
{
	(void)state;
	struct ipk_bpf_insn a[CAP], b[CAP];
	size_t n;
	char err[256];

	assert_int_equal(ipk_bpf_compile("udp dst port 5000", IPK_BPF_DLT_RAW, a, CAP, &n, err,
					      sizeof(err)), 0);
	memcpy(b, a, sizeof(a));
	assert_int_equal(ipk_bpf_netoff(b, n), 0);
	int loads = 0, msh = 0, ind = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t c = a[i].code;
		int pkt = (BPF_CLASS(c) == BPF_LD && (BPF_MODE(c) == BPF_ABS || BPF_MODE(c) == BPF_IND)) ||
			  (BPF_CLASS(c) == BPF_LDX && BPF_MODE(c) == BPF_MSH);
		assert_int_equal(b[i].code, c);
		assert_int_equal(b[i].jt, a[i].jt);
		assert_int_equal(b[i].jf, a[i].jf);
		if (pkt) {
			assert_int_equal(b[i].k, a[i].k + (uint32_t)SKF_NET_OFF);
			loads++;
			msh += BPF_CLASS(c) == BPF_LDX;
			ind += BPF_MODE(c) == BPF_IND;
		} else {
			assert_int_equal(b[i].k, a[i].k);
		}
	}
	assert_true(loads >= 4);
	assert_int_equal(msh, 1);
	assert_int_equal(ind, 1);
	/* an ancillary load (already negative) or an offset past the network area: refused, unchanged */
	struct ipk_bpf_insn anc[2] = {
		{BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)},
		{BPF_RET | BPF_K, 0, 0, 0xffff},
	};
	assert_int_equal(ipk_bpf_netoff(anc, 2), -EINVAL);
	assert_int_equal(anc[0].k, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL));
	struct ipk_bpf_insn big[2] = {
		{BPF_LD | BPF_B | BPF_ABS, 0, 0, 8},
		{BPF_LD | BPF_B | BPF_IND, 0, 0, 0x100000},
	};
	assert_int_equal(ipk_bpf_netoff(big, 2), -EINVAL);
	assert_int_equal(big[0].k, 8);
	big[1].k = 0xfffff;
	assert_int_equal(ipk_bpf_netoff(big, 2), 0);
	assert_int_equal(big[0].k, (uint32_t)SKF_NET_OFF + 8);
}

/* ---- real sockets in a private namespace ---- */

#define PORT 5000

static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	assert_true(s >= 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

static struct sockaddr_in lo_addr(void)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(PORT);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Attach prog to fd as a plain sock_fprog (the socket layer is someone else's, not used here). */
static void attach(int fd, const struct ipk_bpf_insn *prog, size_t n)
{
	struct sock_fprog fp = {.len = (unsigned short)n, .filter = (struct sock_filter *)(uintptr_t)prog};
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)), 0);
}

/* Send four datagrams: (ttl, first payload byte) = (5,1) (6,5) (5,7) (6,2). */
static void send_four(void)
{
	static const int ttl[4] = {5, 6, 5, 6};
	static const uint8_t first[4] = {1, 5, 7, 2};
	struct sockaddr_in a = lo_addr();
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	for (int i = 0; i < 4; i++) {
		uint8_t pl[4] = {first[i], 0xaa, 0xbb, (uint8_t)i};
		assert_int_equal(setsockopt(s, IPPROTO_IP, IP_TTL, &ttl[i], sizeof(int)), 0);
		assert_int_equal(sendto(s, pl, sizeof(pl), 0, (struct sockaddr *)&a, sizeof(a)), 4);
	}
	close(s);
}

/* Read what arrived within 200 ms; returns a mask of the datagram numbers (last payload byte). */
static unsigned drain(int fd, int raw)
{
	unsigned mask = 0;
	uint8_t buf[256];
	for (int i = 0; i < 16; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 200) != 1)
			break;
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		assert_true(r > 0);
		size_t hl = raw ? (size_t)(buf[0] & 15) * 4 + 8 : 0; /* raw: IP + UDP headers */
		if (raw && ((buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP || r < (ssize_t)hl + 4))
			continue;
		if ((size_t)r != hl + 4)
			continue; /* something else on the loopback */
		assert_true(buf[hl + 3] < 4);
		mask |= 1u << buf[hl + 3];
	}
	return mask;
}

/* Open a receiver (UDP on PORT or raw IPPROTO_UDP) with expr compiled for DLT_RAW, optionally
 * rewritten to SKF_NET_OFF; send the four datagrams and return which arrived. */
static unsigned run_filter(int raw, const char *expr, int netoff)
{
	struct ipk_bpf_insn prog[CAP];
	size_t n;
	char err[256];
	struct sockaddr_in a = lo_addr();
	int fd = raw ? socket(AF_INET, SOCK_RAW, IPPROTO_UDP) : socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	if (!raw)
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(ipk_bpf_compile(expr, IPK_BPF_DLT_RAW, prog, CAP, &n, err, sizeof(err)),
			 0);
	if (netoff)
		assert_int_equal(ipk_bpf_netoff(prog, n), 0);
	attach(fd, prog, n);
	send_four();
	unsigned m = drain(fd, raw);
	close(fd);
	return m;
}

static void test_socket_offsets(void **state)
{
	(void)state;
	lo_up();
	/* no filter: all four arrive on both socket types */
	assert_int_equal(run_filter(0, "", 0), 0xf);
	assert_int_equal(run_filter(1, "", 0), 0xf);
	/* raw socket: offset 0 is the IPv4 header, so ip[8] is the TTL */
	assert_int_equal(run_filter(1, "ip[8] == 5", 0), 0x5);
	assert_int_equal(run_filter(1, "udp dst port 5000 and ip[8] == 6", 0), 0xa);
	/* UDP socket, program unchanged: offset 0 is the UDP header: link[2:2] is the destination
	 * port, link[8] the first payload byte (datagram 1 has payload 5); "ip"/"udp" fail their
	 * version check (the nibble at [0] is the top of the ephemeral source port, 8..14) */
	assert_int_equal(run_filter(0, "link[8] == 5", 0), 0x2);
	assert_int_equal(run_filter(0, "link[2:2] == 5000", 0), 0xf);
	assert_int_equal(run_filter(1, "link[2:2] == 5000", 0), 0); /* raw: that is the IP length */
	assert_int_equal(run_filter(0, "ip[8] == 5", 0), 0);
	assert_int_equal(run_filter(0, "udp dst port 5000", 0), 0);
	/* UDP socket, SKF_NET_OFF rewrite: the same expressions see the IP header */
	assert_int_equal(run_filter(0, "ip[8] == 5", 1), 0x5);
	assert_int_equal(run_filter(0, "udp dst port 5000 and ip[8] == 6", 1), 0xa);
	assert_int_equal(run_filter(0, "src host 127.0.0.1 and dst host 127.0.0.1 and udp[8] == 7",
				    1), 0x4);
	assert_int_equal(run_filter(0, "udp dst port 5001", 1), 0);
	/* and the rewritten program behaves the same on a raw socket */
	assert_int_equal(run_filter(1, "udp dst port 5000 and ip[8] == 6", 1), 0xa);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_same_as_tcpdump),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_netoff_rewrite),
	};
	const struct CMUnitTest net[] = {
		cmocka_unit_test(test_socket_offsets),
	};
	int rc = cmocka_run_group_tests_name("bpf", pure, NULL, NULL);
	if (unshare(CLONE_NEWNET) != 0) {
		printf("SKIP: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return rc ? rc : 77;
	}
	return rc + cmocka_run_group_tests_name("bpf_netns", net, NULL, NULL);
}
