/* link.c - link headers before IPv4: decode of Ethernet+802.1Q/ad, raw, Linux SLL/SLL2, BSD NULL/LOOP; Ethernet and VLAN tag builders, multicast MACs (RFC 1112 6.4). */
#include "codec/internal.h"
#include "ipv4kit/link.h"

#define ETH_HLEN IPK_ETH_HLEN
#define VLAN_TAGLEN IPK_VLAN_TAGLEN
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define NULL_HLEN 4

/* BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS),
 * 28 (FreeBSD, DragonFly) or 30 (Darwin). */
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

/*
 * Walk up to two 802.1Q/802.1ad tags whose TPID is at frame[off - 2] (already read into
 * l->ethertype). Sets l3_off past the tags; a third tag is left undecoded (ethertype stays at
 * the TPID, l3_off points at its TCI).
 */
static int link_tags(const uint8_t *frame, size_t len, size_t off, struct ipk_link *l)
{
	while ((l->ethertype == IPK_ETHERTYPE_VLAN || l->ethertype == IPK_ETHERTYPE_QINQ) &&
	       l->ntags < 2) {
		if (len - off < VLAN_TAGLEN) {
			l->l3_off = (uint16_t)off;
			return IPK_E_LINK_SHORT;
		}
		l->tag_tpid[l->ntags] = l->ethertype;
		l->tag_tci[l->ntags] = ipk_be16(frame + off);
		l->ntags++;
		l->ethertype = ipk_be16(frame + off + 2);
		off += VLAN_TAGLEN;
	}
	l->l3_off = (uint16_t)off;
	return 0;
}

static uint16_t af_ethertype(uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return IPK_ETHERTYPE_IPV4;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return IPK_ETHERTYPE_IPV6;
	default:
		return 0;
	}
}

int ipk_link_decode(int dlt, const uint8_t *frame, size_t len, struct ipk_link *l)
{
	uint32_t af;

	l->dlt = dlt;
	l->ethertype = 0;
	l->l3_off = 0;
	l->ntags = 0;
	l->addr_len = 0;
	l->pkttype = 0;
	l->ifindex = 0;
	l->af = 0;

	switch (dlt) {
	case IPK_DLT_EN10MB:
		if (len < ETH_HLEN)
			return IPK_E_LINK_SHORT;
		memcpy(l->dst, frame, 6);
		memcpy(l->src, frame + 6, 6);
		l->addr_len = 6;
		l->ethertype = ipk_be16(frame + 12);
		return link_tags(frame, len, ETH_HLEN, l);

	case IPK_DLT_RAW:
	case IPK_DLT_RAW_OPENBSD:
	case IPK_DLT_LINKTYPE_RAW:
		/* No header: the version nibble says IPv4 or IPv6; anything else (or an empty
		 * frame) goes to the IPv4 decoder, which reports it. */
		l->ethertype =
		    len && (frame[0] >> 4) == 6 ? IPK_ETHERTYPE_IPV6 : IPK_ETHERTYPE_IPV4;
		return 0;

	case IPK_DLT_IPV4:
		/* The link type itself says IPv4: an IPv6 packet here is a bad IPv4 version. */
		l->ethertype = IPK_ETHERTYPE_IPV4;
		return 0;

	case IPK_DLT_LINUX_SLL:
		if (len < SLL_HLEN)
			return IPK_E_LINK_SHORT;
		l->pkttype = ipk_be16(frame);
		l->addr_len = ipk_be16(frame + 4) > 8 ? 8 : (uint8_t)ipk_be16(frame + 4);
		memcpy(l->src, frame + 6, 8);
		l->ethertype = ipk_be16(frame + 14);
		return link_tags(frame, len, SLL_HLEN, l);

	case IPK_DLT_LINUX_SLL2:
		if (len < SLL2_HLEN)
			return IPK_E_LINK_SHORT;
		l->ethertype = ipk_be16(frame);
		l->ifindex = ipk_be32(frame + 4);
		l->pkttype = frame[10];
		l->addr_len = frame[11] > 8 ? 8 : frame[11];
		memcpy(l->src, frame + 12, 8);
		return link_tags(frame, len, SLL2_HLEN, l);

	case IPK_DLT_NULL:
	case IPK_DLT_LOOP:
		if (len < NULL_HLEN)
			return IPK_E_LINK_SHORT;
		af = ipk_be32(frame);
		/* NULL: the capturing host's byte order. Family values are small, so a value
		 * with bits in the high half was written little-endian (tcpdump's rule). */
		if (dlt == IPK_DLT_NULL && (af & 0xffff0000u))
			af = (af >> 24) | (af >> 8 & 0xff00u) | (af << 8 & 0xff0000u) | af << 24;
		l->af = af;
		l->ethertype = af_ethertype(af);
		l->l3_off = NULL_HLEN;
		return 0;

	default:
		return IPK_E_LINK_TYPE;
	}
}

const char *ipk_link_name(int dlt)
{
	switch (dlt) {
	case IPK_DLT_EN10MB:
		return "ether";
	case IPK_DLT_RAW:
	case IPK_DLT_RAW_OPENBSD:
	case IPK_DLT_LINKTYPE_RAW:
		return "raw";
	case IPK_DLT_IPV4:
		return "ipv4";
	case IPK_DLT_LINUX_SLL:
		return "sll";
	case IPK_DLT_LINUX_SLL2:
		return "sll2";
	case IPK_DLT_NULL:
		return "null";
	case IPK_DLT_LOOP:
		return "loop";
	default:
		return "unknown";
	}
}

/* ---- builders ---- */

int ipk_eth_build(struct ipk_wbuf *w, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	uint8_t *p = ipk_wbuf_reserve(w, ETH_HLEN);
	if (!p)
		return IPK_E_NOSPACE;
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	ipk_put16(p + 12, ethertype);
	return 0;
}

int ipk_vlan_build(struct ipk_wbuf *w, uint16_t tci, uint16_t ethertype)
{
	uint8_t *p = ipk_wbuf_reserve(w, VLAN_TAGLEN);
	if (!p)
		return IPK_E_NOSPACE;
	ipk_put16(p, tci);
	ipk_put16(p + 2, ethertype);
	return 0;
}

void ipk_eth_mcast_mac(uint32_t group_host_order, uint8_t mac[6])
{
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (uint8_t)(group_host_order >> 16 & 0x7f);
	mac[4] = (uint8_t)(group_host_order >> 8);
	mac[5] = (uint8_t)group_host_order;
}

void ipk_eth_set_addrs(uint8_t *frame, size_t len, const uint8_t *dst, const uint8_t *src)
{
	if (dst && len >= 6)
		memcpy(frame, dst, 6);
	if (src && len >= 12)
		memcpy(frame + 6, src, 6);
}
