/* packet.c - whole-packet decode: link, IPv4, IGMP, UDP/TCP/ICMP (RFC 791 3376 768 9293 792). */
#include "codec/csum_inline.h"
#include "codec/internal.h"
#include "codec/l4_inline.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/l4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define ETH_MIN_L3 50 /* 46-byte minimum Ethernet payload + FCS */
/* 1 when the capture holds fewer than the end bytes of the frame that a layer needs only because
 * of the snaplen: the frame on the wire (wirelen) had them all. */
static int snap_cut(const struct ipk_packet *p, size_t end)
{
	return p->caplen < end && end <= p->wirelen;
}

/* IGMP: parse, then the protocol findings (which include the v3 record walk's errors). A message
 * cut by the snaplen (p->cut) shows what was captured; its lengths, records and checksum are not
 * judged (IP_TRUNCATED says why). */
static void decode_igmp(struct ipk_packet *p, const uint8_t *msg, int truncated)
{
	struct ipk_igmp *m = &p->u.igmp;
	struct ipk_findings *f = &p->findings;
	size_t eoff = 0;
	int rc = ipk_igmp_parse(msg, p->l4_len, m, &eoff);

	if (rc < 0) {
		if (!p->cut)
			ipk_findings_add(f, rc, IPK_LAYER_IGMP, p->l4_off + eoff);
		return;
	}
	p->l4 = IPK_L4_IGMP;
	/* A cut capture cannot verify the checksum: IP_TRUNCATED already says why. */
	if (!m->checksum_ok && !truncated)
		ipk_findings_add(f, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, p->l4_off + 2);
	int n0 = f->n;
	ipk_igmp_check(&p->ip4, m, p->ip_off, p->l4_off, f); /* also walks the v3 records */
	if (p->cut) {
		/* the record walk ran into the end of the capture, not of the message */
		int k = n0;
		for (int i = n0; i < f->n; i++)
			if (f->v[i].code != IPK_E_IGMP_RECORDS)
				f->v[k++] = f->v[i];
		f->n = k;
	}
}

/* A transport header: parse it (rc 0) or report it cut, except in a first fragment (MF set),
 * where the rest of the header is in the next fragment (RFC 1858 tiny fragments), and when the
 * snaplen cut it (IP_TRUNCATED says so). */
static inline void l4_done(struct ipk_packet *p, int rc, enum ipk_l4 l4, int layer)
{
	if (rc >= 0)
		p->l4 = (uint8_t)l4;
	else if (!p->ip4.mf && !p->cut)
		ipk_findings_add(&p->findings, rc, layer, p->l4_off);
}

int ipk_packet_decode(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
		      struct ipk_packet *p)
{
	struct ipk_findings *f = &p->findings;
	struct ipk_ip4 *h = &p->ip4;
	const uint8_t *b;
	size_t iplen, eoff = 0, paylen;
	int rc, n0;

	p->frame = frame;
	p->caplen = caplen;
	p->wirelen = wirelen;
	p->has_link = 0;
	p->has_ip4 = 0;
	p->l4 = IPK_L4_NONE;
	p->cut = 0;
	p->ip_off = 0;
	p->l4_off = 0;
	p->l4_len = 0;
	f->n = 0;
	f->dropped = 0;

	rc = ipk_link_decode(dlt, frame, caplen, &p->link);
	if (rc < 0) {
		ipk_findings_add(f, rc, IPK_LAYER_LINK, p->link.l3_off);
		return f->n + f->dropped;
	}
	p->has_link = 1;
	if (p->link.ethertype != IPK_ETHERTYPE_IPV4)
		return 0;

	/* IPv4: structure first (LAX), then every rule, all reported. */
	p->ip_off = p->link.l3_off;
	b = frame + p->ip_off;
	iplen = caplen - p->ip_off;
	rc = ipk_ip4_parse(b, iplen, IPK_IP4_LAX, h, &eoff);
	if (rc < 0) {
		/* Lengths come first; past them a non-4 version explains a bad IHL. */
		if (rc != IPK_E_IP_SHORT && (b[0] >> 4) != 4) {
			rc = IPK_E_IP_VERSION;
			eoff = 0;
		}
		if (rc == IPK_E_IP_SHORT && snap_cut(p, p->ip_off + IPK_IP4_MINLEN)) {
			rc = IPK_E_IP_HDR_TRUNC; /* the header was there, the capture stops inside it */
			eoff = 0;
			p->cut = 1;
		} else if (rc == IPK_E_IP_HDR_TRUNC) {
			p->cut = (uint8_t)snap_cut(p, p->ip_off + h->hlen);
		}
		ipk_findings_add(f, rc, IPK_LAYER_IPV4, p->ip_off + eoff);
		return f->n + f->dropped;
	}
	p->has_ip4 = 1;
	n0 = f->n;
	ipk_ip4_check(h, b, iplen, f);
	for (int i = n0; i < f->n; i++)
		f->v[i].offset += (uint32_t)p->ip_off;
	/* Bytes past total length are link padding. Up to the Ethernet minimum (46-byte payload plus
	 * a 4-byte FCS) that is normal on any link that carried Ethernet; past it, worth a finding. */
	if (h->total_len >= h->hlen && h->total_len && iplen > h->total_len && iplen > ETH_MIN_L3)
		ipk_findings_add(f, IPK_E_IP_LINK_PADDING, IPK_LAYER_IPV4, p->ip_off + h->total_len);

	if (h->version != 4 || (h->total_len && h->total_len < h->hlen))
		return f->n + f->dropped;

	p->l4_off = p->ip_off + h->hlen;
	iplen -= h->hlen;                                               /* captured payload bytes */
	/* total length 0 (TSO/GSO capture): the captured bytes, but never past what a datagram can
	 * carry, which keeps every view (and the formatter's output) bounded. */
	paylen = h->total_len ? (size_t)h->total_len - h->hlen
			      : (iplen < 65535u - h->hlen ? iplen : 65535u - h->hlen);
	p->l4_len = paylen < iplen ? paylen : iplen;
	p->cut = (uint8_t)(p->l4_len < paylen && snap_cut(p, p->l4_off + paylen));

	if (h->frag_off || h->mf) {
		/* An incomplete datagram. A later fragment has no transport header: normal, except
		 * that IGMP must never be fragmented. A first fragment holds the start of the message
		 * only: IGMP is then not decoded at all (its checksum, lengths and records cover bytes
		 * that are not here), just the finding; a UDP/TCP/ICMP header is decoded when whole,
		 * and nothing is checked against the datagram's length. */
		if (h->proto == IPK_PROTO_IGMP)
			ipk_findings_add(f, IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, p->ip_off + 6);
		if (h->frag_off || h->proto == IPK_PROTO_IGMP)
			return f->n + f->dropped;
	}

	b = frame + p->l4_off;
	switch (h->proto) {
	case IPK_PROTO_IGMP:
		decode_igmp(p, b, p->l4_len < paylen);
		break;
	case IPK_PROTO_UDP:
		l4_done(p, l4_udp_parse(b, p->l4_len, &p->u.udp), IPK_L4_UDP, IPK_LAYER_UDP);
		break;
	case IPK_PROTO_TCP:
		l4_done(p, l4_tcp_parse(b, p->l4_len, &p->u.tcp), IPK_L4_TCP, IPK_LAYER_TCP);
		break;
	case IPK_PROTO_ICMP:
		l4_done(p, l4_icmp_parse(b, p->l4_len, &p->u.icmp), IPK_L4_ICMP, IPK_LAYER_ICMP);
		break;
	default:
		break;
	}
	return f->n + f->dropped;
}

/* The classification, inlined into ipk_pkt_count: a per-frame call in every summary loop. */
static inline enum ipk_pkt_class pkt_class(const struct ipk_packet *p)
{
	if (!p->has_ip4)
		return p->has_link && p->link.ethertype != IPK_ETHERTYPE_IPV4 ? IPK_PC_NOT_IP :
									      IPK_PC_INVALID;
	switch (p->l4) {
	case IPK_L4_IGMP:
		return IPK_PC_IGMP;
	case IPK_L4_UDP:
		return IPK_PC_UDP;
	case IPK_L4_TCP:
		return IPK_PC_TCP;
	case IPK_L4_ICMP:
		return IPK_PC_ICMP;
	default:
		return IPK_PC_OTHER_IP;
	}
}

enum ipk_pkt_class ipk_packet_class(const struct ipk_packet *p)
{
	return pkt_class(p);
}

const char *ipk_packet_class_name(int cls)
{
	static const char *const names[IPK_PC_COUNT] = {"igmp", "udp",      "tcp",    "icmp",
							"other ipv4", "not ipv4", "invalid"};
	return cls >= 0 && cls < IPK_PC_COUNT ? names[cls] : "unknown";
}

void ipk_pkt_count(struct ipk_pkt_counts *c, const struct ipk_packet *p)
{
	c->n[pkt_class(p)]++;
}

/* ipk_packet_l4_csum_off, inlined into ipk_packet_readdress (a per-frame call in rewrite) */
static inline size_t l4_csum_off(const struct ipk_packet *p)
{
	if (!p->has_ip4 || p->ip4.mf || p->ip4.frag_off)
		return 0;
	if (p->l4 == IPK_L4_UDP && p->u.udp.checksum != 0)
		return p->l4_off + IPK_UDP_CSUM_OFF;
	if (p->l4 == IPK_L4_TCP)
		return p->l4_off + IPK_TCP_CSUM_OFF;
	return 0;
}

size_t ipk_packet_l4_csum_off(const struct ipk_packet *p)
{
	return l4_csum_off(p);
}

int ipk_packet_readdress(const struct ipk_packet *p, uint8_t *frame, uint32_t src, uint32_t dst)
{
	if (src == p->ip4.src && dst == p->ip4.dst)
		return 0;
	size_t at = l4_csum_off(p);
	if (!at)
		return 0;
	/* both addresses' terms, as two ipk_csum_update32 calls would add them, folded once */
	uint32_t s = (uint16_t)~ipk_be16(frame + at);
	s += ipk_csum_upd32_terms(p->ip4.src, src) + ipk_csum_upd32_terms(p->ip4.dst, dst);
	uint16_t c = (uint16_t)~ipk_csum_fold64_inl(s);
	if (p->l4 == IPK_L4_UDP && c == 0)
		c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	ipk_put16(frame + at, c);
	return 1;
}

int ipk_packet_udp_check(const struct ipk_packet *p, uint16_t *want)
{
	const struct ipk_udp *u = &p->u.udp;
	if (p->l4 != IPK_L4_UDP || u->checksum == 0 || p->ip4.mf || p->ip4.frag_off ||
	    u->len < IPK_UDP_HLEN || u->len > p->l4_len ||
	    p->l4_len != (size_t)(p->ip4.total_len - p->ip4.hlen))
		return 0;
	const uint8_t *b = p->frame + p->l4_off;
	uint32_t ps = ipk_csum_pseudo(p->ip4.src, p->ip4.dst, IPK_PROTO_UDP, u->len);
	if (ipk_csum_fold(ipk_csum_partial(b, u->len, ps)) == 0)
		return 1;
	if (want) {
		uint16_t w = ipk_csum_expected(b, u->len, ps, u->checksum);
		*want = w ? w : 0xffff;
	}
	return -1;
}
