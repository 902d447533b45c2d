/* l4.c - UDP, TCP and ICMP headers: parse and build with pseudo-header checksums and overrides (RFC 768, 9293, 792, 1071). */
#include "codec/internal.h"
#include "codec/l4_inline.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/l4.h"

int ipk_udp_parse(const uint8_t *buf, size_t len, struct ipk_udp *u)
{
	return l4_udp_parse(buf, len, u);
}

int ipk_tcp_parse(const uint8_t *buf, size_t len, struct ipk_tcp *t)
{
	return l4_tcp_parse(buf, len, t);
}

int ipk_icmp_parse(const uint8_t *buf, size_t len, struct ipk_icmp *m)
{
	return l4_icmp_parse(buf, len, m);
}

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

/* ---- builders ---- */

/* Append payload[0..plen) after a header of hlen bytes reserved at the cursor; NULL when the
 * whole does not fit (nothing reserved). */
static uint8_t *reserve_msg(struct ipk_wbuf *w, size_t hlen, const void *payload, size_t plen)
{
	if (plen > SIZE_MAX - hlen)
		return NULL;
	uint8_t *p = ipk_wbuf_reserve(w, hlen + plen);
	if (p && plen)
		memmove(p + hlen, payload, plen);
	return p;
}

int ipk_udp_build(struct ipk_wbuf *w, const struct ipk_udp *u, uint32_t src, uint32_t dst,
		  const void *payload, size_t plen, unsigned keep)
{
	size_t n = IPK_UDP_HLEN + plen;
	if (plen > 0xffff - IPK_UDP_HLEN && !(keep & IPK_L4_KEEP_LEN))
		return IPK_E_TOOLONG;
	uint8_t *p = reserve_msg(w, IPK_UDP_HLEN, payload, plen);
	if (!p)
		return IPK_E_NOSPACE;
	uint16_t len = (keep & IPK_L4_KEEP_LEN) ? u->len : (uint16_t)n;
	ipk_put16(p, u->sport);
	ipk_put16(p + 2, u->dport);
	ipk_put16(p + 4, len);
	ipk_put16(p + IPK_UDP_CSUM_OFF, 0);
	uint16_t c = u->checksum;
	if (!(keep & IPK_L4_KEEP_CSUM)) {
		c = ipk_csum_fold(ipk_csum_partial(p, n, ipk_csum_pseudo(src, dst, IPK_PROTO_UDP, len)));
		c = c ? c : 0xffff;
	}
	ipk_put16(p + IPK_UDP_CSUM_OFF, c);
	return 0;
}

int ipk_tcp_build(struct ipk_wbuf *w, const struct ipk_tcp *t, uint32_t src, uint32_t dst,
		  const uint8_t *opts, size_t optlen, const void *payload, size_t plen, unsigned keep)
{
	if (optlen > IPK_TCP_MAXLEN - IPK_TCP_MINLEN)
		return IPK_E_TOOLONG;
	size_t hlen = IPK_TCP_MINLEN + ((optlen + 3) & ~(size_t)3), n = hlen + plen;
	if (plen > 0xffff - hlen)
		return IPK_E_TOOLONG;
	uint8_t *p = reserve_msg(w, hlen, payload, plen);
	if (!p)
		return IPK_E_NOSPACE;
	memset(p + IPK_TCP_MINLEN, 0, hlen - IPK_TCP_MINLEN);
	if (optlen)
		memcpy(p + IPK_TCP_MINLEN, opts, optlen);
	ipk_put16(p, t->sport);
	ipk_put16(p + 2, t->dport);
	ipk_put32(p + 4, t->seq);
	ipk_put32(p + 8, t->ack);
	p[12] = (uint8_t)(((keep & IPK_L4_KEEP_LEN) ? t->doff / 4 & 0xf : hlen / 4) << 4);
	p[13] = t->flags;
	ipk_put16(p + 14, t->win);
	ipk_put16(p + IPK_TCP_CSUM_OFF, 0);
	ipk_put16(p + 18, t->urg);
	uint16_t c = (keep & IPK_L4_KEEP_CSUM) ? t->checksum :
		     ipk_csum_fold(ipk_csum_partial(p, n, ipk_csum_pseudo(src, dst, IPK_PROTO_TCP,
									   (uint16_t)n)));
	ipk_put16(p + IPK_TCP_CSUM_OFF, c);
	return 0;
}

int ipk_icmp_build(struct ipk_wbuf *w, const struct ipk_icmp *m, const void *payload, size_t plen,
		   unsigned keep)
{
	uint8_t *p = reserve_msg(w, IPK_ICMP_HLEN, payload, plen);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = m->type;
	p[1] = m->code;
	ipk_put16(p + IPK_ICMP_CSUM_OFF, 0);
	ipk_put16(p + 4, m->id);
	ipk_put16(p + 6, m->seq);
	ipk_put16(p + IPK_ICMP_CSUM_OFF,
		  (keep & IPK_L4_KEEP_CSUM) ? m->checksum : ipk_csum(p, IPK_ICMP_HLEN + plen));
	return 0;
}
