/* packet.h - whole-packet decode: link, IPv4, options, IGMP, and a one-level UDP/TCP/ICMP summary, with every finding. */
#ifndef IPV4KIT_PACKET_H
#define IPV4KIT_PACKET_H

#include "common.h"
#include "igmp.h"
#include "ip4.h"
#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ipk_udp {
	uint16_t sport, dport, len, checksum;
};
struct ipk_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;        /* header length in bytes */
	uint8_t flags;       /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	uint16_t win;
};
struct ipk_icmp {
	uint8_t type, code;
	uint16_t checksum;
	uint16_t id, seq;    /* echo / echo reply */
};

/* Name of an ICMP type as Go's ICMPType.String() ("echo", "echo reply", ...); NULL if unknown. */
IPK_API const char *ipk_icmp_type_name(uint8_t type);

enum ipk_l4 { IPK_L4_NONE = 0, IPK_L4_IGMP, IPK_L4_UDP, IPK_L4_TCP, IPK_L4_ICMP };

/*
 * A decoded packet. Views point into the frame passed to ipk_packet_decode(), which must stay
 * valid while the struct is used. has_* tell which layers decoded; findings holds every error
 * and finding with its layer, code and offset from the start of the frame.
 */
struct ipk_packet {
	const uint8_t *frame;
	size_t caplen;
	size_t wirelen;
	struct ipk_link link;
	uint8_t has_link;
	uint8_t has_ip4;
	uint8_t l4;          /* enum ipk_l4: which of the unions below is valid */
	uint8_t pad_;
	struct ipk_ip4 ip4;
	size_t ip_off;       /* == link.l3_off */
	size_t l4_off;       /* offset of the IPv4 payload in the frame */
	size_t l4_len;       /* IPv4 payload bytes available (min(total - hlen, captured)) */
	union {
		struct ipk_igmp igmp;
		struct ipk_udp udp;
		struct ipk_tcp tcp;
		struct ipk_icmp icmp;
	} u;
	struct ipk_findings findings;
};

/*
 * Decode one frame of link type dlt: caplen bytes captured of wirelen. Never fails as a whole:
 * each layer that cannot be decoded stops the walk and leaves a finding; the return value is the
 * number of findings (0 = clean). Does not allocate and never reads past caplen.
 */
IPK_API int ipk_packet_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
			      struct ipk_packet *p) IPK_NONNULL(5);

#ifdef __cplusplus
}
#endif
#endif
