/* packet.c - whole-packet decode: link, IPv4, IGMP, UDP/TCP/ICMP (RFC 791 3376 768 9293 792). */
#include "codec/internal.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define ETH_MIN_L3 50 /* 46-byte minimum Ethernet payload + FCS */
#define UDP_HLEN 8
#define TCP_HLEN 20
#define ICMP_HLEN 8

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8

/* Go's x/net/ipv4 ICMPType.String() table (iana.go). */
const char *ipk_icmp_type_name(uint8_t type)
{
	switch (type) {
	case 0:
		return "echo reply";
	case 3:
		return "destination unreachable";
	case 5:
		return "redirect";
	case 8:
		return "echo";
	case 9:
		return "router advertisement";
	case 10:
		return "router solicitation";
	case 11:
		return "time exceeded";
	case 12:
		return "parameter problem";
	case 13:
		return "timestamp";
	case 14:
		return "timestamp reply";
	case 40:
		return "photuris";
	case 42:
		return "extended echo request";
	case 43:
		return "extended echo reply";
	default:
		return NULL;
	}
}

/* IGMP: parse, then the protocol findings (which include the v3 record walk's errors). */
static void decode_igmp(struct ipk_packet *p, const uint8_t *msg, int truncated)
{
	struct ipk_igmp *m = &p->u.igmp;
	struct ipk_findings *f = &p->findings;
	size_t eoff = 0;
	int rc = ipk_igmp_parse(msg, p->l4_len, m, &eoff);

	if (rc < 0) {
		ipk_findings_add(f, rc, IPK_LAYER_IGMP, p->l4_off + eoff);
		return;
	}
	p->l4 = IPK_L4_IGMP;
	/* A cut capture cannot verify the checksum: IP_TRUNCATED already says why. */
	if (!m->checksum_ok && !truncated)
		ipk_findings_add(f, IPK_E_IGMP_CHECKSUM, IPK_LAYER_IGMP, p->l4_off + 2);
	ipk_igmp_check(&p->ip4, m, p->ip_off, p->l4_off, f); /* also walks the v3 records */
}

static int l4_short(struct ipk_packet *p, size_t need, int layer)
{
	if (p->l4_len >= need)
		return 0;
	ipk_findings_add(&p->findings, IPK_E_L4_SHORT, layer, p->l4_off);
	return 1;
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
	p->pad_ = 0;
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

	if (h->frag_off) {
		/* A later fragment has no transport header: normal, except that IGMP must
		 * never be fragmented. */
		if (h->proto == IPK_PROTO_IGMP)
			ipk_findings_add(f, IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, p->ip_off + 6);
		return f->n + f->dropped;
	}

	b = frame + p->l4_off;
	switch (h->proto) {
	case IPK_PROTO_IGMP:
		decode_igmp(p, b, p->l4_len < paylen);
		break;
	case IPK_PROTO_UDP:
		if (l4_short(p, UDP_HLEN, IPK_LAYER_UDP))
			break;
		p->u.udp.sport = ipk_be16(b);
		p->u.udp.dport = ipk_be16(b + 2);
		p->u.udp.len = ipk_be16(b + 4);
		p->u.udp.checksum = ipk_be16(b + 6);
		p->l4 = IPK_L4_UDP;
		break;
	case IPK_PROTO_TCP:
		if (l4_short(p, TCP_HLEN, IPK_LAYER_TCP))
			break;
		p->u.tcp.sport = ipk_be16(b);
		p->u.tcp.dport = ipk_be16(b + 2);
		p->u.tcp.seq = ipk_be32(b + 4);
		p->u.tcp.ack = ipk_be32(b + 8);
		p->u.tcp.doff = (uint8_t)((b[12] >> 4) * 4);
		p->u.tcp.flags = b[13];
		p->u.tcp.win = ipk_be16(b + 14);
		p->l4 = IPK_L4_TCP;
		break;
	case IPK_PROTO_ICMP:
		if (l4_short(p, ICMP_HLEN, IPK_LAYER_ICMP))
			break;
		p->u.icmp.type = b[0];
		p->u.icmp.code = b[1];
		p->u.icmp.checksum = ipk_be16(b + 2);
		if (b[0] == ICMP_ECHO || b[0] == ICMP_ECHO_REPLY) {
			p->u.icmp.id = ipk_be16(b + 4);
			p->u.icmp.seq = ipk_be16(b + 6);
		} else {
			p->u.icmp.id = 0;
			p->u.icmp.seq = 0;
		}
		p->l4 = IPK_L4_ICMP;
		break;
	default:
		break;
	}
	return f->n + f->dropped;
}
