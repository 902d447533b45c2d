/* test_replay.c - replay link mode without a network: every frame of each link type loaded as the Ethernet frame that will be sent (codec-built header, EtherType and VLAN tags kept, MAC rules), read back through a socket pair. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipv4kit/harness.h"
#include "ipv4kit/link.h"
#include "ipv4kit/pcapio.h"

static char dir[] = "/tmp/ipk-test-replay-XXXXXX";

struct fr {
	const uint8_t *b;
	size_t n;
};

/* A capture of link type dlt holding the frames f[0..n). */
static void write_cap(const char *path, int dlt, const struct fr *f, size_t n)
{
	struct ipk_pcapw w;
	char err[256];
	assert_int_equal(ipk_pcapw_open(&w, path, dlt, 0, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ipk_pcapw_write(&w, 1, (uint32_t)i, f[i].b, f[i].n, f[i].n), 0);
	assert_int_equal(ipk_pcapw_commit(&w, err, sizeof(err)), 0);
}

/* Load path in link mode with eth, send it through one end of a datagram socket pair and check
 * that the other end reads exactly want[0..nwant), and that nskip frames were skipped. */
static void check_replay(const char *name, int dlt, const struct fr *in, size_t nin,
			 const struct ipk_replay_eth *eth, const struct fr *want, size_t nwant,
			 uint64_t nskip)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
	write_cap(path, dlt, in, nin);
	struct ipk_replay_cap *c;
	char err[256];
	assert_int_equal(ipk_replay_load_link(path, eth, &c, err, sizeof(err)), 0);
	assert_true(ipk_replay_is_link(c));
	assert_int_equal(ipk_replay_count(c), nwant);
	assert_int_equal(ipk_replay_skipped(c), nskip);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	struct ipk_replay_opts o = {.mode = IPK_REPLAY_TOP, .loops = 1};
	struct ipk_replay_stats st;
	assert_int_equal(ipk_replay_run(sv[0], c, &o, &st), 0);
	assert_int_equal(st.sent, nwant);
	assert_int_equal(st.failed, 0);
	for (size_t i = 0; i < nwant; i++) {
		uint8_t got[256];
		ssize_t k = recv(sv[1], got, sizeof(got), MSG_DONTWAIT);
		assert_int_equal(k, (ssize_t)want[i].n);
		assert_memory_equal(got, want[i].b, want[i].n);
	}
	assert_int_equal(recv(sv[1], (uint8_t[4]){0}, 4, MSG_DONTWAIT), -1); /* nothing more */
	close(sv[0]);
	close(sv[1]);
	ipk_replay_free(c);
	unlink(path);
}

#define FR(a) {a, sizeof(a)}

static const struct ipk_replay_eth eth_if = {.src = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}};

/* IPv4 header with IHL 3 to 239.1.2.3 and a wrong everything: only the destination matters. */
#define BAD_IP4_MC 0x43, 0, 0, 1, 0, 0, 0, 0, 0, 253, 0xde, 0xad, 198, 18, 0, 1, 239, 1, 2, 3

/* Linux SLL: a VLAN-tagged frame keeps its tag behind a built header and its 6-byte source
 * address; a 4-byte link address gives way to the interface's; a cut header is skipped. */
static void test_sll(void **state)
{
	(void)state;
	static const uint8_t tagged[] = {0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x81, 0x00,
					 0x20, 0x05, 0x08, 0x00, BAD_IP4_MC, 0x77};
	static const uint8_t cut[] = {0, 4, 0, 1, 0, 6, 1, 2, 3, 4};
	static const uint8_t addr4[] = {0, 0, 0x03, 0x0a, 0, 4, 9, 9, 9, 9, 0, 0, 0, 0, 0x08, 0x00,
					0x45};
	static const uint8_t sent[] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03, 1, 2, 3, 4, 5, 6,
				       0x81, 0x00, 0x20, 0x05, 0x08, 0x00, BAD_IP4_MC, 0x77};
	static const uint8_t sent4[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xaa, 0xbb, 0xcc,
					0xdd, 0xee, 0x08, 0x00, 0x45};
	struct fr in[] = {FR(tagged), FR(cut), FR(addr4)}, want[] = {FR(sent), FR(sent4)};
	check_replay("sll", IPK_DLT_LINUX_SLL, in, 3, &eth_if, want, 2, 1);
	/* set_src: the interface's address in every frame */
	static const uint8_t sent_if[] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03, 0x02, 0xaa, 0xbb, 0xcc,
					  0xdd, 0xee, 0x81, 0x00, 0x20, 0x05, 0x08, 0x00, BAD_IP4_MC,
					  0x77};
	struct ipk_replay_eth e = eth_if;
	e.set_src = 1;
	struct fr want2[] = {FR(sent_if), FR(sent4)};
	check_replay("sll-src", IPK_DLT_LINUX_SLL, in, 3, &e, want2, 2, 1);
}

/* BSD NULL: AF_INET in host order, an IPv4 header cut at 19 bytes with version 0 goes to
 * broadcast; another family has no EtherType and is skipped. */
static void test_null(void **state)
{
	(void)state;
	static const uint8_t v0[] = {2, 0, 0, 0, 0x05, 0, 0, 19, 0, 0, 0, 0, 64, 17, 0, 0,
				     198, 18, 0, 1, 198, 18, 0};
	static const uint8_t other[] = {99, 0, 0, 0, 0x45, 0};
	static const uint8_t sent[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xaa, 0xbb, 0xcc,
				       0xdd, 0xee, 0x08, 0x00, 0x05, 0, 0, 19, 0, 0, 0, 0, 64, 17, 0,
				       0, 198, 18, 0, 1, 198, 18, 0};
	struct fr in[] = {FR(v0), FR(other)}, want[] = {FR(sent)};
	check_replay("null", IPK_DLT_NULL, in, 2, &eth_if, want, 1, 1);
}

/* Raw IP: version 6 goes as IPv6, version 15 as IPv4; --mac-dst replaces every destination. */
static void test_raw(void **state)
{
	(void)state;
	static const uint8_t v6[] = {0x60, 1, 2, 3};
	static const uint8_t v15[] = {0xf0, BAD_IP4_MC};
	static const uint8_t s6[] = {9, 8, 7, 6, 5, 4, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x86, 0xdd,
				     0x60, 1, 2, 3};
	static const uint8_t s15[] = {9, 8, 7, 6, 5, 4, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x08, 0x00,
				      0xf0, BAD_IP4_MC};
	struct ipk_replay_eth e = eth_if;
	memcpy(e.dst, (uint8_t[]){9, 8, 7, 6, 5, 4}, 6);
	e.set_dst = 1;
	struct fr in[] = {FR(v6), FR(v15)}, want[] = {FR(s6), FR(s15)};
	check_replay("raw", IPK_DLT_RAW, in, 2, &e, want, 2, 0);
}

/* Ethernet: frames are kept whatever they hold (a 10-byte runt, ARP), the captured source
 * replaced only with set_src. */
static void test_ether(void **state)
{
	(void)state;
	static const uint8_t runt[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint8_t arp[] = {1, 2, 3, 4, 5, 6, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
				      0x08, 0x06, 0, 1, 8, 0};
	struct fr in[] = {FR(runt), FR(arp)};
	check_replay("ether", IPK_DLT_EN10MB, in, 2, &eth_if, in, 2, 0);
	static const uint8_t arp2[] = {1, 2, 3, 4, 5, 6, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
				       0x08, 0x06, 0, 1, 8, 0};
	struct ipk_replay_eth e = eth_if;
	e.set_src = 1;
	struct fr want[] = {FR(runt), FR(arp2)};
	check_replay("ether-src", IPK_DLT_EN10MB, in, 2, &e, want, 2, 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_ether),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
