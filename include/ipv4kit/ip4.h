/* ip4.h - IPv4 header parse, check and marshal (RFC 791), with strict, Go-compatible and raw-socket profiles. */
#ifndef IPV4KIT_IP4_H
#define IPV4KIT_IP4_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPK_IP4_MINLEN 20
#define IPK_IP4_MAXLEN 60
#define IPK_IP4_MAXOPTLEN 40

#define IPK_PROTO_ICMP 1
#define IPK_PROTO_IGMP 2
#define IPK_PROTO_TCP 6
#define IPK_PROTO_UDP 17

/* Make an address in host order from dotted quad parts: IPK_IP4_ADDR(224,0,0,1). */
#define IPK_IP4_ADDR(a, b, c, d)                                                                   \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* 1 when addr (host order) is an IPv4 multicast address, 224.0.0.0/4 (RFC 5771); the one rule
 * every part of ipv4kit uses. */
static inline int ipk_ip4_is_multicast(uint32_t addr)
{
	return (addr >> 28) == 0xe;
}

/*
 * A parsed header, host byte order. opts points into the parsed buffer (zero copy) and is valid
 * as long as that buffer is. For marshal the same struct is the input: opts/opts_len are the
 * option bytes to write (padded to 4 bytes with EOL).
 */
struct ipk_ip4 {
	uint8_t version;    /* byte 0 high nibble */
	uint8_t ihl;        /* byte 0 low nibble, 32-bit words */
	uint16_t hlen;      /* ihl * 4 */
	uint8_t tos;        /* DSCP = tos >> 2, ECN = tos & 3 */
	uint8_t ttl;
	uint8_t proto;
	uint8_t rf, df, mf; /* flags, 0 or 1 */
	uint16_t total_len;
	uint16_t id;
	uint16_t frag_off;  /* in 8-byte units, as on the wire (bytes = frag_off * 8); the JSON
			     * "frag_off" is in bytes (docs/conventions.md section 5) */
	uint16_t checksum;  /* as found on the wire (parse) or to write (marshal, with IPK_IP4_KEEP_CSUM) */
	uint32_t src, dst;
	const uint8_t *opts;
	uint16_t opts_len;  /* hlen - 20 on parse */
	/* set by parse, ignored by marshal */
	uint8_t checksum_ok; /* 1 when the header sums to 0 (only if the whole header was captured) */
	uint8_t truncated;   /* 1 when total_len > captured bytes: a truncated capture, not malformed */
};

#define IPK_IP4_DSCP(h) ((uint8_t)((h)->tos >> 2))
#define IPK_IP4_ECN(h) ((uint8_t)((h)->tos & 3))

/* Validation profiles for ipk_ip4_parse(). */
enum ipk_ip4_profile {
	/* Every rule, in the order of docs/linux-options.md section 1: length, version, IHL, header
	 * captured, total length (>= hlen, <= captured; 0 is IPK_E_IP_TOTLEN_ZERO), checksum,
	 * options (Linux rules). */
	IPK_IP4_STRICT = 0,
	/* Exactly Go's Header.Parse: only len >= 20 and len >= IHL*4; no version, checksum,
	 * total length or option checks; IHL 0..4 accepted. */
	IPK_IP4_GO = 1,
	/* Structure only (len >= 20, IHL >= 5, header captured); everything else is left to
	 * ipk_ip4_check(). Used by the whole-packet decoder. */
	IPK_IP4_LAX = 2,
};

/* OR into the profile: TotalLen and the flags/fragment word are in host byte order, as Darwin,
 * NetBSD and DragonFly raw sockets deliver and expect them (Go's golang/go#43386 parameter).
 * Only the byte order is applied: Go's Parse on darwin/dragonfly/netbsd also adds the header
 * length to TotalLen (the kernel subtracted it on input); ipv4kit does not, so add h->hlen to
 * h->total_len yourself for such input. Marshal writes total_len as given (as Go does). */
#define IPK_IP4_RAWORDER 0x100

/*
 * Parse the header at buf[0..len). len is the number of captured bytes from the start of the
 * header. Returns 0 or the first IPK_E_* error of the profile; on error *err_off (if not NULL)
 * is the byte offset of the offending field from buf and *h is filled as far as it could be
 * (never from bytes past len). IPK_E_IP_TRUNCATED is reported by STRICT only; LAX sets
 * h->truncated instead. Never allocates, never reads past len.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_ip4_parse(const uint8_t *buf, size_t len, unsigned profile, struct ipk_ip4 *h,
			  size_t *err_off) IPK_NONNULL(4);

/*
 * Run every strict rule on a header parsed from buf[0..len) and append each violation to f
 * (offsets from buf), including findings (reserved flag, fragment past 65535, link padding) and
 * option errors. Does not stop at the first problem. Returns the number of findings added.
 * f is appended to, never cleared: zero it before the first call.
 */
IPK_API int ipk_ip4_check(const struct ipk_ip4 *h, const uint8_t *buf, size_t len,
			  struct ipk_findings *f) IPK_NONNULL(1, 2, 4);

/* Marshal overrides: by default version 4, IHL, total length and checksum are computed. */
#define IPK_IP4_KEEP_VERSION 0x01 /* write h->version (any 4-bit value) */
#define IPK_IP4_KEEP_IHL 0x02     /* write h->ihl (any 4-bit value); header bytes still 20+opts */
#define IPK_IP4_KEEP_TOTLEN 0x04  /* write h->total_len */
#define IPK_IP4_KEEP_CSUM 0x08    /* write h->checksum verbatim */
#define IPK_IP4_KEEP_ALL 0x0f

/*
 * Write the header for a datagram whose payload is payload_len bytes into buf[0..cap).
 * Options h->opts[0..opts_len) are copied and padded with EOL to a multiple of 4; more than 40
 * bytes gives IPK_E_TOOLONG. total_len defaults to header + payload_len (IPK_E_TOOLONG past
 * 65535). flags: IPK_IP4_KEEP_* and IPK_IP4_RAWORDER. Returns the header length written or a
 * negative IPK_E_* (IPK_E_NOSPACE writes nothing).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_ip4_marshal(const struct ipk_ip4 *h, size_t payload_len, unsigned flags,
			    uint8_t *buf, size_t cap) IPK_NONNULL(1, 4);

/*
 * The checksum of header `to`, derived from from->checksum by RFC 1624 updates for each 16-bit
 * word that differs between the two (version/IHL/TOS, total length, ID, flags/fragment offset,
 * TTL/protocol, addresses; options are not compared). A wrong checksum stays exactly as wrong,
 * which a rewrite of captured packets wants; ipk_ip4_marshal() computes a right one.
 */
IPK_API uint16_t ipk_ip4_csum_adjust(const struct ipk_ip4 *from, const struct ipk_ip4 *to)
	IPK_NONNULL(1, 2);

/* Format a host-order address as dotted quad into out (at least 16 bytes); returns length. */
IPK_API size_t ipk_ip4_ntoa(uint32_t addr, char *out);

/* Parse a dotted quad; returns 0 or IPK_E_INVAL. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_ip4_aton(const char *s, uint32_t *addr) IPK_NONNULL(1, 2);

#ifdef __cplusplus
}
#endif
#endif
