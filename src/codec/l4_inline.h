/* l4_inline.h - private inline parsers of the UDP, TCP and ICMP headers (RFC 768, 9293, 792), shared by l4.c's exported ipk_*_parse and the per-frame decoder in packet.c. */
#ifndef IPK_L4_INLINE_H
#define IPK_L4_INLINE_H

#include "codec/internal.h"
#include "ipv4kit/l4.h"

/* Each parses a header of len captured bytes into its struct: 0, or IPK_E_L4_SHORT (nothing
 * written) when len is below the header's fixed length. Inline because packet.c calls them for
 * every frame; see l4.h for the fields. */
static inline int l4_udp_parse(const uint8_t *buf, size_t len, struct ipk_udp *u)
{
	if (len < IPK_UDP_HLEN)
		return IPK_E_L4_SHORT;
	u->sport = ipk_be16(buf);
	u->dport = ipk_be16(buf + 2);
	u->len = ipk_be16(buf + 4);
	u->checksum = ipk_be16(buf + IPK_UDP_CSUM_OFF);
	return 0;
}

static inline int l4_tcp_parse(const uint8_t *buf, size_t len, struct ipk_tcp *t)
{
	if (len < IPK_TCP_MINLEN)
		return IPK_E_L4_SHORT;
	t->sport = ipk_be16(buf);
	t->dport = ipk_be16(buf + 2);
	t->seq = ipk_be32(buf + 4);
	t->ack = ipk_be32(buf + 8);
	t->doff = (uint8_t)((buf[12] >> 4) * 4);
	t->flags = buf[13];
	t->win = ipk_be16(buf + 14);
	t->checksum = ipk_be16(buf + IPK_TCP_CSUM_OFF);
	t->urg = ipk_be16(buf + 18);
	return 0;
}

static inline int l4_icmp_parse(const uint8_t *buf, size_t len, struct ipk_icmp *m)
{
	if (len < IPK_ICMP_HLEN)
		return IPK_E_L4_SHORT;
	m->type = buf[0];
	m->code = buf[1];
	m->checksum = ipk_be16(buf + IPK_ICMP_CSUM_OFF);
	if (buf[0] == IPK_ICMP_ECHO || buf[0] == IPK_ICMP_ECHO_REPLY) {
		m->id = ipk_be16(buf + 4);
		m->seq = ipk_be16(buf + 6);
	} else {
		m->id = 0;
		m->seq = 0;
	}
	return 0;
}

#endif
