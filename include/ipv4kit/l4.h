/* l4.h - UDP, TCP and ICMP headers: layout, parse and build with computed or given lengths and checksums (RFC 768, 9293, 792). */
#ifndef IPV4KIT_L4_H
#define IPV4KIT_L4_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPK_UDP_HLEN 8
#define IPK_UDP_CSUM_OFF 6   /* checksum field, from the start of the UDP header */
#define IPK_TCP_MINLEN 20
#define IPK_TCP_MAXLEN 60
#define IPK_TCP_CSUM_OFF 16  /* checksum field, from the start of the TCP header */
#define IPK_ICMP_HLEN 8
#define IPK_ICMP_CSUM_OFF 2

#define IPK_ICMP_ECHO_REPLY 0
#define IPK_ICMP_UNREACH 3
#define IPK_ICMP_ECHO 8
#define IPK_ICMP_TIME_EXCEEDED 11

/* Headers in host byte order: parse output, build input. */
struct ipk_udp {
	uint16_t sport, dport, len, checksum;
};
struct ipk_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;        /* header length in bytes (data offset * 4) */
	uint8_t flags;       /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	uint16_t win;
	uint16_t checksum;
	uint16_t urg;
};
struct ipk_icmp {
	uint8_t type, code;
	uint16_t checksum;
	uint16_t id, seq;    /* bytes 4-7: echo / echo reply identifier and sequence (parse: 0 for
			      * other types; build: written for every type, e.g. 0 for unused) */
};

/*
 * Parse the fixed header at buf[0..len). Return 0 or IPK_E_L4_SHORT (fewer than 8 bytes for
 * UDP/ICMP, 20 for TCP). Never read past len. ICMP id/seq are read for echo and echo reply
 * only (0 otherwise).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_udp_parse(const uint8_t *buf, size_t len, struct ipk_udp *u) IPK_NONNULL(3);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_tcp_parse(const uint8_t *buf, size_t len, struct ipk_tcp *t) IPK_NONNULL(3);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_icmp_parse(const uint8_t *buf, size_t len, struct ipk_icmp *m) IPK_NONNULL(3);

/* Name of an ICMP type as Go's ICMPType.String() ("echo", "echo reply", ...); NULL if unknown. */
IPK_API const char *ipk_icmp_type_name(uint8_t type);

/* Build overrides: by default lengths and checksums are computed. */
#define IPK_L4_KEEP_LEN 0x01  /* UDP: write u->len; TCP: write t->doff / 4 as the data offset */
#define IPK_L4_KEEP_CSUM 0x02 /* write the checksum field as given (wrong on purpose, or UDP 0) */

/*
 * Append a UDP datagram: the 8-byte header from u and payload[0..plen) (payload may be NULL when
 * plen is 0). The length field is 8 + plen (IPK_E_TOOLONG past 65535) unless IPK_L4_KEEP_LEN.
 * The checksum covers the pseudo-header (src, dst host order, protocol 17, the length field as
 * written) and the bytes written; a computed 0 is written as 0xffff (RFC 768). Returns 0,
 * IPK_E_TOOLONG or IPK_E_NOSPACE, writing nothing on failure.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_udp_build(struct ipk_wbuf *w, const struct ipk_udp *u, uint32_t src, uint32_t dst,
			  const void *payload, size_t plen, unsigned keep) IPK_NONNULL(1, 2);

/*
 * Append a TCP segment: the header from t, options opts[0..optlen) padded with zeros (EOL) to a
 * multiple of 4 (more than 40 bytes: IPK_E_TOOLONG), then payload[0..plen). The data offset is
 * the header length written unless IPK_L4_KEEP_LEN (then t->doff / 4, any 4-bit value). The
 * checksum covers the pseudo-header (length: the bytes written; IPK_E_TOOLONG past 65535) and the
 * segment. Returns 0, IPK_E_TOOLONG or IPK_E_NOSPACE, writing nothing on failure.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_tcp_build(struct ipk_wbuf *w, const struct ipk_tcp *t, uint32_t src, uint32_t dst,
			  const uint8_t *opts, size_t optlen, const void *payload, size_t plen,
			  unsigned keep) IPK_NONNULL(1, 2);

/*
 * Append an ICMP message: type, code, checksum, id and seq (bytes 4-7) from m, then
 * payload[0..plen). The checksum covers the whole message unless IPK_L4_KEEP_CSUM. Returns 0 or
 * IPK_E_NOSPACE, writing nothing on failure.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_icmp_build(struct ipk_wbuf *w, const struct ipk_icmp *m, const void *payload,
			   size_t plen, unsigned keep) IPK_NONNULL(1, 2);

#ifdef __cplusplus
}
#endif
#endif
