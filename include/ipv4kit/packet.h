/* packet.h - whole-packet decode: link, IPv4, options, IGMP, and a one-level UDP/TCP/ICMP summary, with every finding. */
#ifndef IPV4KIT_PACKET_H
#define IPV4KIT_PACKET_H

#include "common.h"
#include "igmp.h"
#include "ip4.h"
#include "l4.h"
#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

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
	uint8_t cut;         /* 1: the snaplen cut the datagram (see ipk_packet_decode) */
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
 * A fragment (MF set or offset != 0) is an incomplete message and is not validated: a later
 * fragment has no transport layer; in a first fragment IGMP is not decoded (l4 stays
 * IPK_L4_NONE, only the IPK_E_IGMP_FRAGMENT finding), and a UDP/TCP/ICMP header is decoded when
 * whole (a shorter one is no error there: its rest is in the next fragment).
 * A frame captured short (caplen < wirelen) whose datagram the wire frame held whole but the
 * capture did not is "cut by the snaplen": p->cut is 1 and the cut is reported once, as
 * IPK_E_IP_HDR_TRUNC (inside the IPv4 header) or IPK_E_IP_TRUNCATED (inside the payload), never
 * as a length error of the layer that lost its bytes (IP_SHORT, IGMP_SHORT, IGMP_QUERY_LEN,
 * IGMP_SOURCES, IGMP_RECORDS, L4_SHORT), and the IGMP checksum is not judged. Without wirelen
 * (wirelen == caplen) the same bytes are a short datagram and get those length errors.
 */
IPK_API int ipk_packet_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
			      struct ipk_packet *p) IPK_NONNULL(5);

/*
 * What a decoded packet is, for the per-protocol counts of decode and verify summaries: IGMP,
 * UDP, TCP, ICMP (their header decoded), another IPv4 packet (other protocol, later fragment,
 * transport header cut), not IPv4 (the link says another protocol), or invalid (IPv4 that did not
 * decode, or a link header that did not).
 */
enum ipk_pkt_class {
	IPK_PC_IGMP = 0,
	IPK_PC_UDP,
	IPK_PC_TCP,
	IPK_PC_ICMP,
	IPK_PC_OTHER_IP,
	IPK_PC_NOT_IP,
	IPK_PC_INVALID,
	IPK_PC_COUNT
};
IPK_API enum ipk_pkt_class ipk_packet_class(const struct ipk_packet *p) IPK_NONNULL(1);

/* Name of a class as summaries print it: "igmp", "udp", "tcp", "icmp", "other ipv4",
 * "not ipv4", "invalid" ("unknown" out of range). */
IPK_API const char *ipk_packet_class_name(int cls);

/* Counts per class (n[IPK_PC_UDP] ...), as decode and verify print them. */
struct ipk_pkt_counts {
	uint64_t n[IPK_PC_COUNT];
};
/* Add 1 to the count of p's class. */
IPK_API void ipk_pkt_count(struct ipk_pkt_counts *c, const struct ipk_packet *p) IPK_NONNULL(1, 2);

/*
 * Check the UDP checksum of a decoded packet over its pseudo-header (RFC 768), reading the frame p
 * was decoded from. Returns 0 when it cannot be checked (not UDP, checksum 0: none sent, a
 * fragment, a length field below 8 or past the payload, a datagram not wholly captured), 1 when it
 * is right, -1 when it is wrong; then *want (may be NULL) is the value it should hold (a computed
 * 0 given as 0xffff).
 */
IPK_API int ipk_packet_udp_check(const struct ipk_packet *p, uint16_t *want) IPK_NONNULL(1);

/*
 * Frame offset of the UDP or TCP checksum field that covers the pseudo-header, or 0 when there
 * is none to maintain: not UDP/TCP, a fragment (first or later), UDP checksum 0 (none sent).
 */
IPK_API size_t ipk_packet_l4_csum_off(const struct ipk_packet *p) IPK_NONNULL(1);

/*
 * After the IPv4 addresses of p change to src/dst (host order), update the UDP/TCP checksum in
 * frame (the writable buffer p was decoded from) by RFC 1624 (a UDP result of 0 is written as
 * 0xffff). The IPv4 header itself is not touched. Returns 1 when a checksum was updated, 0 when
 * there is none (see ipk_packet_l4_csum_off()) or the addresses did not change.
 */
IPK_API int ipk_packet_readdress(const struct ipk_packet *p, uint8_t *frame, uint32_t src,
				 uint32_t dst) IPK_NONNULL(1, 2);

#ifdef __cplusplus
}
#endif
#endif
