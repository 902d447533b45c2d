/* link.h - link-layer headers in front of IPv4: Ethernet (802.1Q/802.1ad), raw, Linux SLL/SLL2, BSD NULL/loopback. */
#ifndef IPV4KIT_LINK_H
#define IPV4KIT_LINK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* pcap link types (LINKTYPE_/DLT_ values as libpcap's pcap_datalink() returns them). */
#define IPK_DLT_NULL 0
#define IPK_DLT_EN10MB 1
#define IPK_DLT_RAW 12       /* DLT_RAW on most systems */
#define IPK_DLT_RAW_OPENBSD 14
#define IPK_DLT_LOOP 108     /* OpenBSD loopback: AF in network order */
#define IPK_DLT_LINKTYPE_RAW 101
#define IPK_DLT_LINUX_SLL 113
#define IPK_DLT_IPV4 228
#define IPK_DLT_LINUX_SLL2 276

#define IPK_ETHERTYPE_IPV4 0x0800
#define IPK_ETHERTYPE_ARP 0x0806
#define IPK_ETHERTYPE_VLAN 0x8100
#define IPK_ETHERTYPE_QINQ 0x88a8
#define IPK_ETHERTYPE_IPV6 0x86dd

struct ipk_link {
	int dlt;
	uint16_t ethertype;  /* of the payload (after tags); 0x0800 for raw IPv4 links */
	uint16_t l3_off;     /* offset of the network header in the frame */
	uint8_t ntags;       /* 802.1Q/802.1ad tags, outermost first */
	uint16_t tag_tpid[2];
	uint16_t tag_tci[2]; /* PCP(3) DEI(1) VID(12) */
	uint8_t src[8], dst[8]; /* Ethernet MACs, or the SLL link address in src (addr_len bytes) */
	uint8_t addr_len;
	uint16_t pkttype;    /* SLL/SLL2 packet type */
	uint32_t ifindex;    /* SLL2 */
	uint32_t af;         /* NULL/LOOP address family */
};

/*
 * Decode the link header of a frame of link type dlt. Returns 0 with l->l3_off/l->ethertype
 * set (ethertype is set for every link type, IPv4 = 0x0800; a NULL/LOOP AF_INET frame gives
 * 0x0800, raw links give 0x0800 or 0x86dd by the version nibble), IPK_E_LINK_SHORT, or
 * IPK_E_LINK_TYPE. At most two VLAN tags are decoded; deeper tags leave ethertype at the tag.
 * On IPK_E_LINK_SHORT, l->l3_off is the offset where the missing part of the link header starts
 * (0, or the tag that is cut). NULL/LOOP frames with another AF give ethertype 0 (l->af set).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_link_decode(int dlt, const uint8_t *frame, size_t len, struct ipk_link *l)
	IPK_NONNULL(4);

/* Short name of a link type: "ether", "raw", "ipv4", "sll", "sll2", "null", "loop", "unknown". */
IPK_API const char *ipk_link_name(int dlt);

#define IPK_ETH_HLEN 14  /* destination, source, EtherType */
#define IPK_VLAN_TAGLEN 4 /* TCI and the next EtherType, after a 0x8100/0x88a8 EtherType */

/*
 * Append an Ethernet header (destination MAC, source MAC, EtherType) to w. dst and src are
 * 6 bytes each, copied (the caller keeps them). For a tagged frame pass IPK_ETHERTYPE_VLAN
 * (or IPK_ETHERTYPE_QINQ) and append the tag with ipk_vlan_build(). Returns 0, or
 * IPK_E_NOSPACE writing nothing.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_eth_build(struct ipk_wbuf *w, const uint8_t dst[6], const uint8_t src[6],
			  uint16_t ethertype) IPK_NONNULL(1, 2, 3);

/*
 * Append the rest of an 802.1Q/802.1ad tag after an EtherType of 0x8100/0x88a8: the TCI
 * (PCP 3 bits, DEI 1, VID 12) and the EtherType that follows. Returns 0, or IPK_E_NOSPACE
 * writing nothing.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_vlan_build(struct ipk_wbuf *w, uint16_t tci, uint16_t ethertype) IPK_NONNULL(1);

/* Replace the destination (dst not NULL) and source (src not NULL) MAC of the Ethernet frame
 * frame[0..len); an address the frame is too short to hold whole is left as it is. */
IPK_API void ipk_eth_set_addrs(uint8_t *frame, size_t len, const uint8_t *dst, const uint8_t *src)
	IPK_NONNULL(1);

/* The Ethernet MAC of an IPv4 multicast group (RFC 1112 6.4): 01:00:5e and the low 23 bits of
 * the group (host order). Any address is mapped; check ipk_ip4_is_multicast() first. */
IPK_API void ipk_eth_mcast_mac(uint32_t group_host_order, uint8_t mac[6]) IPK_NONNULL(2);

#ifdef __cplusplus
}
#endif
#endif
