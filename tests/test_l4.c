/* test_l4.c - UDP/TCP/ICMP and Ethernet builders against bytes scapy 2.5 wrote, overrides, NOSPACE writing nothing, parse bounds, readdress. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS for guard.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "ipv4kit/bytes.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/l4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define H1 IPK_IP4_ADDR(198, 18, 0, 1)
#define H10 IPK_IP4_ADDR(198, 18, 0, 10)
#define SRV IPK_IP4_ADDR(198, 19, 0, 1)
#define GRP IPK_IP4_ADDR(239, 1, 1, 1)

/*
 * Every builder: with room for one byte less than the result it fails with IPK_E_NOSPACE and
 * leaves the cursor and the buffer (filled with 0xcc) as they were.
 */
typedef int (*build_fn)(struct ipk_wbuf *w);
static void check_nospace(build_fn fn, size_t need)
{
	uint8_t buf[128];
	struct ipk_wbuf w;
	for (size_t cap = 0; cap < need; cap++) {
		memset(buf, 0xcc, sizeof(buf));
		ipk_wbuf_init(&w, buf, cap);
		assert_int_equal(fn(&w), IPK_E_NOSPACE);
		assert_int_equal(w.len, 0);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xcc);
	}
	ipk_wbuf_init(&w, buf, need);
	assert_int_equal(fn(&w), 0);
	assert_int_equal(w.len, need);
}

/* scapy: IP(src='198.18.0.1',dst='239.1.1.1')/UDP(sport=40000,dport=5000)/Raw(b'hello') */
static const uint8_t udp_hello[] = {0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0x56, 0x23,
				    0x68, 0x65, 0x6c, 0x6c, 0x6f};

static int build_udp_hello(struct ipk_wbuf *w)
{
	struct ipk_udp u = {.sport = 40000, .dport = 5000};
	return ipk_udp_build(w, &u, H1, GRP, "hello", 5, 0);
}

static void test_udp_build(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct ipk_wbuf w;
	struct ipk_udp u = {.sport = 40000, .dport = 5000, .len = 99, .checksum = 0xdead};

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(build_udp_hello(&w), 0);
	assert_int_equal(w.len, sizeof(udp_hello));
	assert_memory_equal(buf, udp_hello, sizeof(udp_hello));
	check_nospace(build_udp_hello, sizeof(udp_hello));

	/* appended after what the cursor holds */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	w.len = 3;
	assert_int_equal(build_udp_hello(&w), 0);
	assert_memory_equal(buf + 3, udp_hello, sizeof(udp_hello));

	/* overrides: the length field and the checksum as given */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_udp_build(&w, &u, H1, GRP, "hello", 5, IPK_L4_KEEP_LEN | IPK_L4_KEEP_CSUM), 0);
	assert_int_equal(buf[4] << 8 | buf[5], 99);
	assert_int_equal(buf[6] << 8 | buf[7], 0xdead);
	/* checksum 0 (none) on purpose */
	u.checksum = 0;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_udp_build(&w, &u, H1, GRP, "hello", 5, IPK_L4_KEEP_CSUM), 0);
	assert_int_equal(buf[4] << 8 | buf[5], 13);
	assert_int_equal(buf[6] << 8 | buf[7], 0);
	/* a given length goes into the pseudo-header: the checksum verifies with it */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_udp_build(&w, &u, H1, GRP, "hello", 5, IPK_L4_KEEP_LEN), 0);
	assert_int_equal(ipk_csum_fold(ipk_csum_partial(buf, 13, ipk_csum_pseudo(H1, GRP, 17, 99))), 0);

	/* scapy: UDP(sport=1,dport=2)/Raw(b'\x73\xaf') 198.18.0.1 > 198.19.0.1: computed 0 sent as
	 * 0xffff */
	static const uint8_t zero[] = {0x00, 0x01, 0x00, 0x02, 0x00, 0x0a, 0xff, 0xff, 0x73, 0xaf};
	u = (struct ipk_udp){.sport = 1, .dport = 2};
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, "\x73\xaf", 2, 0), 0);
	assert_memory_equal(buf, zero, sizeof(zero));

	/* no payload: NULL is fine */
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, NULL, 0, 0), 0);
	assert_int_equal(w.len, 8);
	assert_int_equal(buf[5], 8);
}

static void test_udp_toolong(void **state)
{
	(void)state;
	static uint8_t big[65536 + 16];
	struct ipk_wbuf w;
	struct ipk_udp u = {.sport = 1, .dport = 2, .len = 7};

	ipk_wbuf_init(&w, big, sizeof(big));
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, big + 8, 65528, 0), IPK_E_TOOLONG);
	assert_int_equal(w.len, 0);
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, big + 8, 65527, 0), 0);
	assert_int_equal(big[4] << 8 | big[5], 65535);
	/* with a given length the datagram may be longer than its field says */
	ipk_wbuf_init(&w, big, sizeof(big));
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, big + 16, 65528, IPK_L4_KEEP_LEN), 0);
	assert_int_equal(w.len, 65536);
	assert_int_equal(big[4] << 8 | big[5], 7);
}

/* scapy: ICMP(type=8,id=0x4242,seq=1)/Raw(bytes(range(0x10,0x30))) */
static const uint8_t icmp_echo[] = {
    0x08, 0x00, 0xc3, 0xba, 0x42, 0x42, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
    0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};

static int build_icmp_echo(struct ipk_wbuf *w)
{
	struct ipk_icmp m = {.type = IPK_ICMP_ECHO, .id = 0x4242, .seq = 1};
	return ipk_icmp_build(w, &m, icmp_echo + 8, 32, 0);
}

static void test_icmp_build(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct ipk_wbuf w;
	struct ipk_icmp m = {.type = IPK_ICMP_TIME_EXCEEDED};
	/* scapy: ICMP(type=11,code=0)/Raw(b'\x45\0\0\x14') */
	static const uint8_t te[] = {0x0b, 0x00, 0xaf, 0xeb, 0, 0, 0, 0, 0x45, 0x00, 0x00, 0x14};

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(build_icmp_echo(&w), 0);
	assert_int_equal(w.len, sizeof(icmp_echo));
	assert_memory_equal(buf, icmp_echo, sizeof(icmp_echo));
	check_nospace(build_icmp_echo, sizeof(icmp_echo));

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_icmp_build(&w, &m, te + 8, 4, 0), 0);
	assert_memory_equal(buf, te, sizeof(te));

	m.checksum = 0xbeef;
	m.code = 7;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_icmp_build(&w, &m, NULL, 0, IPK_L4_KEEP_CSUM), 0);
	assert_int_equal(w.len, 8);
	assert_int_equal(buf[1], 7);
	assert_int_equal(buf[2] << 8 | buf[3], 0xbeef);
}

/* scapy: TCP(sport=40000,dport=80,seq=0x01020304,flags='S',window=64240,options=[('MSS',1460)])
 * 198.18.0.10 > 198.19.0.1 */
static const uint8_t tcp_syn[] = {0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
				  0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0, 0x70, 0x6e, 0x00, 0x00,
				  0x02, 0x04, 0x05, 0xb4};

static int build_tcp_syn(struct ipk_wbuf *w)
{
	static const uint8_t mss[] = {2, 4, 0x05, 0xb4};
	struct ipk_tcp t = {.sport = 40000, .dport = 80, .seq = 0x01020304, .flags = 0x02, .win = 64240};
	return ipk_tcp_build(w, &t, H10, SRV, mss, sizeof(mss), NULL, 0, 0);
}

static void test_tcp_build(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct ipk_wbuf w;
	/* scapy: TCP(sport=40000,dport=80,seq=1,ack=2,flags='PA',window=512,
	 * options=[('NOP',None),('NOP',None),('Timestamp',(1,2))])/Raw(b'GET') */
	static const uint8_t psh[] = {0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
				      0x00, 0x02, 0x80, 0x18, 0x02, 0x00, 0xb0, 0xa5, 0x00, 0x00,
				      0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
				      0x00, 0x02, 0x47, 0x45, 0x54};
	struct ipk_tcp t = {.sport = 40000, .dport = 80, .seq = 1, .ack = 2, .flags = 0x18, .win = 512};

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(build_tcp_syn(&w), 0);
	assert_int_equal(w.len, sizeof(tcp_syn));
	assert_memory_equal(buf, tcp_syn, sizeof(tcp_syn));
	check_nospace(build_tcp_syn, sizeof(tcp_syn));

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_tcp_build(&w, &t, H10, SRV, psh + 20, 12, "GET", 3, 0), 0);
	assert_int_equal(w.len, sizeof(psh));
	assert_memory_equal(buf, psh, sizeof(psh));

	/* options padded with EOL to 4 bytes; data offset and checksum given */
	t.doff = 4 * 15;
	t.checksum = 0x1234;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(ipk_tcp_build(&w, &t, H10, SRV, (const uint8_t *)"\x01", 1, NULL, 0,
				       IPK_L4_KEEP_LEN | IPK_L4_KEEP_CSUM), 0);
	assert_int_equal(w.len, 24);
	assert_int_equal(buf[12], 0xf0);
	assert_int_equal(buf[16] << 8 | buf[17], 0x1234);
	assert_int_equal(buf[20], 1);
	assert_int_equal(buf[21] | buf[22] | buf[23], 0);
	uint8_t opts[41] = {0};
	assert_int_equal(ipk_tcp_build(&w, &t, H10, SRV, opts, 41, NULL, 0, 0), IPK_E_TOOLONG);
	assert_int_equal(w.len, 24);
}

static void test_parse(void **state)
{
	(void)state;
	struct ipk_udp u;
	struct ipk_tcp t;
	struct ipk_icmp m;

	for (size_t n = 0; n < 8; n++) {
		assert_int_equal(ipk_udp_parse(guard_place(udp_hello, n), n, &u), IPK_E_L4_SHORT);
		assert_int_equal(ipk_icmp_parse(guard_place(icmp_echo, n), n, &m), IPK_E_L4_SHORT);
	}
	for (size_t n = 0; n < 20; n++)
		assert_int_equal(ipk_tcp_parse(guard_place(tcp_syn, n), n, &t), IPK_E_L4_SHORT);
	assert_int_equal(ipk_udp_parse(guard_place(udp_hello, 8), 8, &u), 0);
	assert_int_equal(u.sport, 40000);
	assert_int_equal(u.dport, 5000);
	assert_int_equal(u.len, 13);
	assert_int_equal(u.checksum, 0x5623);
	assert_int_equal(ipk_icmp_parse(guard_place(icmp_echo, 8), 8, &m), 0);
	assert_int_equal(m.type, 8);
	assert_int_equal(m.checksum, 0xc3ba);
	assert_int_equal(m.id, 0x4242);
	assert_int_equal(m.seq, 1);
	assert_int_equal(ipk_tcp_parse(guard_place(tcp_syn, 20), 20, &t), 0);
	assert_int_equal(t.seq, 0x01020304);
	assert_int_equal(t.doff, 24);
	assert_int_equal(t.flags, 2);
	assert_int_equal(t.win, 64240);
	assert_int_equal(t.checksum, 0x706e);
	/* parse gives back what build took */
	uint8_t buf[64];
	struct ipk_wbuf w;
	struct ipk_icmp te = {.type = 11, .code = 1}, te2;
	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(ipk_icmp_build(&w, &te, NULL, 0, 0), 0);
	assert_int_equal(ipk_icmp_parse(buf, w.len, &te2), 0);
	assert_int_equal(te2.type, 11);
	assert_int_equal(te2.code, 1);
	assert_int_equal(te2.id, 0);
	assert_int_equal(te2.checksum, ipk_csum_expected(buf, 8, 0, te2.checksum));
}

/* scapy: Ether(dst='01:00:5e:01:01:01',src='02:00:00:00:00:01',type=0x8100)/Dot1Q(prio=5,vlan=100) */
static const uint8_t eth_vlan[] = {0x01, 0x00, 0x5e, 0x01, 0x01, 0x01, 0x02, 0x00, 0x00,
				   0x00, 0x00, 0x01, 0x81, 0x00, 0xa0, 0x64, 0x08, 0x00};
static const uint8_t mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

static int build_eth(struct ipk_wbuf *w)
{
	uint8_t mac[6];
	ipk_eth_mcast_mac(GRP, mac);
	return ipk_eth_build(w, mac, mac_src, IPK_ETHERTYPE_VLAN);
}

static int build_vlan(struct ipk_wbuf *w)
{
	return ipk_vlan_build(w, 5 << 13 | 100, IPK_ETHERTYPE_IPV4);
}

static void test_eth_build(void **state)
{
	(void)state;
	uint8_t buf[64], mac[6];
	struct ipk_wbuf w;
	static const uint8_t top[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfe};

	ipk_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(build_eth(&w), 0);
	assert_int_equal(build_vlan(&w), 0);
	assert_int_equal(w.len, sizeof(eth_vlan));
	assert_memory_equal(buf, eth_vlan, sizeof(eth_vlan));
	check_nospace(build_eth, IPK_ETH_HLEN);
	check_nospace(build_vlan, IPK_VLAN_TAGLEN);

	/* the 9th bit of the group is dropped: 239.255.255.254 and 224.127.255.254 share a MAC */
	ipk_eth_mcast_mac(IPK_IP4_ADDR(239, 255, 255, 254), mac);
	assert_memory_equal(mac, top, 6);
	ipk_eth_mcast_mac(IPK_IP4_ADDR(224, 127, 255, 254), mac);
	assert_memory_equal(mac, top, 6);

	/* addresses replaced in place; a frame too short for one keeps it */
	uint8_t f2[sizeof(eth_vlan)];
	static const uint8_t other[6] = {0x0a, 1, 2, 3, 4, 5};
	memcpy(f2, eth_vlan, sizeof(f2));
	ipk_eth_set_addrs(f2, sizeof(f2), other, NULL);
	assert_memory_equal(f2, other, 6);
	assert_memory_equal(f2 + 6, eth_vlan + 6, sizeof(f2) - 6);
	ipk_eth_set_addrs(f2, 11, eth_vlan, other);
	assert_memory_equal(f2, eth_vlan, sizeof(f2));
	ipk_eth_set_addrs(f2, 12, NULL, other);
	assert_memory_equal(f2 + 6, other, 6);
	assert_memory_equal(f2 + 12, eth_vlan + 12, sizeof(f2) - 12);

	/* the decoder reads back what was built */
	struct ipk_link l;
	uint8_t frame[64];
	memcpy(frame, eth_vlan, sizeof(eth_vlan));
	memset(frame + sizeof(eth_vlan), 0x45, 20);
	assert_int_equal(ipk_link_decode(IPK_DLT_EN10MB, frame, sizeof(eth_vlan) + 20, &l), 0);
	assert_int_equal(l.ntags, 1);
	assert_int_equal(l.tag_tci[0], 5 << 13 | 100);
	assert_int_equal(l.ethertype, IPK_ETHERTYPE_IPV4);
	assert_int_equal(l.l3_off, 18);
}

static void test_is_multicast(void **state)
{
	(void)state;
	assert_false(ipk_ip4_is_multicast(IPK_IP4_ADDR(223, 255, 255, 255)));
	assert_true(ipk_ip4_is_multicast(IPK_IP4_ADDR(224, 0, 0, 0)));
	assert_true(ipk_ip4_is_multicast(IPK_IP4_ADDR(239, 255, 255, 255)));
	assert_false(ipk_ip4_is_multicast(IPK_IP4_ADDR(240, 0, 0, 0)));
	assert_false(ipk_ip4_is_multicast(0xffffffffu));
	assert_false(ipk_ip4_is_multicast(0));
}

/* A UDP and a TCP packet readdressed: the transport checksum equals a fresh build's; UDP checksum
 * 0 and fragments are left alone. */
static void test_readdress(void **state)
{
	(void)state;
	uint8_t f[128], want[128];
	struct ipk_wbuf w;
	struct ipk_packet p;
	struct ipk_ip4 h = {.ttl = 64, .proto = IPK_PROTO_UDP, .src = H1, .dst = SRV};
	struct ipk_udp u = {.sport = 1000, .dport = 53};
	uint32_t nsrc = IPK_IP4_ADDR(10, 1, 2, 3), ndst = IPK_IP4_ADDR(172, 16, 0, 9);

	for (int proto = 0; proto < 2; proto++) {
		struct ipk_tcp t = {.sport = 1, .dport = 2, .seq = 3, .flags = 2, .win = 100};
		h.proto = proto ? IPK_PROTO_TCP : IPK_PROTO_UDP;
		for (int pass = 0; pass < 2; pass++) {
			uint8_t *o = pass ? want : f;
			uint32_t s = pass ? nsrc : H1, d = pass ? ndst : SRV;
			ipk_wbuf_init(&w, o + 20, sizeof(f) - 20);
			if (proto)
				assert_int_equal(ipk_tcp_build(&w, &t, s, d, NULL, 0, "abc", 3, 0), 0);
			else
				assert_int_equal(ipk_udp_build(&w, &u, s, d, "abc", 3, 0), 0);
			h.src = s;
			h.dst = d;
			assert_int_equal(ipk_ip4_marshal(&h, w.len, 0, o, 20), 20);
		}
		ipk_packet_decode(IPK_DLT_RAW, f, 20 + w.len, 20 + w.len, &p);
		assert_int_equal(ipk_packet_l4_csum_off(&p), 20 + (proto ? IPK_TCP_CSUM_OFF : IPK_UDP_CSUM_OFF));
		assert_int_equal(ipk_packet_readdress(&p, f, H1, SRV), 0);
		assert_int_equal(ipk_packet_readdress(&p, f, nsrc, ndst), 1);
		assert_memory_equal(f + 20, want + 20, w.len);
	}
	/* UDP without a checksum, and a first fragment: nothing to update */
	u.checksum = 0;
	h.proto = IPK_PROTO_UDP;
	h.src = H1;
	h.dst = SRV;
	ipk_wbuf_init(&w, f + 20, sizeof(f) - 20);
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, "abc", 3, IPK_L4_KEEP_CSUM), 0);
	assert_int_equal(ipk_ip4_marshal(&h, w.len, 0, f, 20), 20);
	ipk_packet_decode(IPK_DLT_RAW, f, 20 + w.len, 20 + w.len, &p);
	assert_int_equal(ipk_packet_l4_csum_off(&p), 0);
	assert_int_equal(ipk_packet_readdress(&p, f, nsrc, ndst), 0);
	assert_int_equal(f[26] | f[27], 0);
	h.mf = 1;
	ipk_wbuf_init(&w, f + 20, sizeof(f) - 20);
	assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, "abc", 3, 0), 0);
	assert_int_equal(ipk_ip4_marshal(&h, w.len, 0, f, 20), 20);
	ipk_packet_decode(IPK_DLT_RAW, f, 20 + w.len, 20 + w.len, &p);
	assert_int_equal(p.l4, IPK_L4_UDP);
	assert_int_equal(ipk_packet_l4_csum_off(&p), 0);
}

/* One class per packet, as decode and verify count them. */
static void test_class(void **state)
{
	(void)state;
	uint8_t f[128];
	struct ipk_packet p;
	struct ipk_pkt_counts c;
	struct ipk_ip4 h = {.ttl = 64, .proto = 99, .src = H1, .dst = SRV};
	static const uint8_t arp[14 + 28] = {[12] = 0x08, [13] = 0x06};

	memset(&c, 0, sizeof(c));
	assert_int_equal(ipk_ip4_marshal(&h, 0, 0, f, sizeof(f)), 20);
	ipk_packet_decode(IPK_DLT_RAW, f, 20, 20, &p);
	assert_int_equal(ipk_packet_class(&p), IPK_PC_OTHER_IP);
	ipk_pkt_count(&c, &p);
	h.proto = IPK_PROTO_UDP; /* UDP header cut: counted as other IPv4 */
	assert_int_equal(ipk_ip4_marshal(&h, 4, 0, f, sizeof(f)), 20);
	ipk_packet_decode(IPK_DLT_RAW, f, 24, 24, &p);
	assert_int_equal(ipk_packet_class(&p), IPK_PC_OTHER_IP);
	ipk_pkt_count(&c, &p);
	ipk_packet_decode(IPK_DLT_EN10MB, arp, sizeof(arp), sizeof(arp), &p);
	assert_int_equal(ipk_packet_class(&p), IPK_PC_NOT_IP);
	ipk_pkt_count(&c, &p);
	ipk_packet_decode(IPK_DLT_RAW, f, 10, 10, &p);
	assert_int_equal(ipk_packet_class(&p), IPK_PC_INVALID);
	ipk_pkt_count(&c, &p);
	ipk_packet_decode(IPK_DLT_EN10MB, f, 10, 10, &p); /* link header cut */
	assert_int_equal(ipk_packet_class(&p), IPK_PC_INVALID);
	ipk_pkt_count(&c, &p);
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, f + 20, sizeof(f) - 20);
	assert_int_equal(build_icmp_echo(&w), 0);
	h.proto = IPK_PROTO_ICMP;
	assert_int_equal(ipk_ip4_marshal(&h, w.len, 0, f, 20), 20);
	ipk_packet_decode(IPK_DLT_RAW, f, 20 + w.len, 20 + w.len, &p);
	assert_int_equal(ipk_packet_class(&p), IPK_PC_ICMP);
	ipk_pkt_count(&c, &p);
	assert_int_equal(c.n[IPK_PC_OTHER_IP], 2);
	assert_int_equal(c.n[IPK_PC_NOT_IP], 1);
	assert_int_equal(c.n[IPK_PC_INVALID], 2);
	assert_int_equal(c.n[IPK_PC_ICMP], 1);
	assert_int_equal(c.n[IPK_PC_IGMP] + c.n[IPK_PC_UDP] + c.n[IPK_PC_TCP], 0);
	assert_string_equal(ipk_packet_class_name(IPK_PC_OTHER_IP), "other ipv4");
	assert_string_equal(ipk_packet_class_name(IPK_PC_COUNT), "unknown");
}

/* ipk_packet_readdress folds both addresses' terms once: the value of two ipk_csum_update32 calls
 * (and UDP's 0 sent as 0xffff) for random stored checksums and addresses, corners included. */
static void test_readdress_by_word(void **state)
{
	(void)state;
	static const uint32_t pick[4] = {0, 0xffffffffu, 0xffff, 0xffff0000u};
	uint8_t f[64];
	struct ipk_wbuf w;
	struct ipk_packet p;
	struct ipk_ip4 h = {.ttl = 64, .src = H1, .dst = SRV};
	struct ipk_udp u = {.sport = 1000, .dport = 53};
	struct ipk_tcp t = {.sport = 1, .dport = 2, .seq = 3, .flags = 2, .win = 100};
	uint32_t x = 7;
	int corner = 0;

	for (int proto = 0; proto < 2; proto++) {
		h.proto = proto ? IPK_PROTO_TCP : IPK_PROTO_UDP;
		ipk_wbuf_init(&w, f + 20, sizeof(f) - 20);
		if (proto)
			assert_int_equal(ipk_tcp_build(&w, &t, H1, SRV, NULL, 0, "abc", 3, 0), 0);
		else
			assert_int_equal(ipk_udp_build(&w, &u, H1, SRV, "abc", 3, 0), 0);
		assert_int_equal(ipk_ip4_marshal(&h, w.len, 0, f, 20), 20);
		ipk_packet_decode(IPK_DLT_RAW, f, 20 + w.len, 20 + w.len, &p);
		size_t at = ipk_packet_l4_csum_off(&p);
		assert_true(at != 0);
		for (int i = 0; i < 100000; i++) {
			uint32_t r[6];
			for (int j = 0; j < 6; j++) {
				x = x * 1103515245u + 12345u;
				r[j] = (x >> 8) & 4 ? pick[(x >> 12) & 3] : x * 2654435761u;
			}
			p.ip4.src = r[0];
			p.ip4.dst = r[1];
			uint32_t ns = r[5] & 0x100 ? r[0] : r[2], nd = r[5] & 0x200 ? r[1] : r[3];
			uint16_t c = (uint16_t)r[4];
			ipk_put16(f + at, c);
			uint16_t want = ipk_csum_update32(ipk_csum_update32(c, r[0], ns), r[1], nd);
			if (!proto && want == 0)
				want = 0xffff;
			int changed = ns != r[0] || nd != r[1];
			assert_int_equal(ipk_packet_readdress(&p, f, ns, nd), changed);
			assert_int_equal(ipk_be16(f + at), changed ? want : c);
			corner += changed && (want == 0 || want == 0xffff);
		}
	}
	assert_true(corner > 50); /* the 0x0000/0xffff corners were reached */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp_build),   cmocka_unit_test(test_udp_toolong),
	    cmocka_unit_test(test_icmp_build),  cmocka_unit_test(test_tcp_build),
	    cmocka_unit_test(test_parse),       cmocka_unit_test(test_eth_build),
	    cmocka_unit_test(test_is_multicast), cmocka_unit_test(test_readdress),
	    cmocka_unit_test(test_readdress_by_word),
	    cmocka_unit_test(test_class),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
