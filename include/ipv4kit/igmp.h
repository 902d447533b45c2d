/* igmp.h - IGMPv1/v2/v3 parse, policy checks, MRC/QQIC coding and builders (RFC 1112, 2236, 3376/9776). */
#ifndef IPV4KIT_IGMP_H
#define IPV4KIT_IGMP_H

#include "common.h"
#include "ip4.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ipk_igmp_type {
	IPK_IGMP_QUERY = 0x11,
	IPK_IGMP_V1_REPORT = 0x12,
	IPK_IGMP_DVMRP = 0x13,
	IPK_IGMP_PIMV1 = 0x14,
	IPK_IGMP_V2_REPORT = 0x16,
	IPK_IGMP_V2_LEAVE = 0x17,
	IPK_IGMP_MTRACE_RESP = 0x1e,
	IPK_IGMP_MTRACE = 0x1f,
	IPK_IGMP_V3_REPORT = 0x22,
	IPK_IGMP_MRD_ADV = 0x30,  /* RFC 4286 */
	IPK_IGMP_MRD_SOL = 0x31,
	IPK_IGMP_MRD_TERM = 0x32,
};

enum ipk_igmp_rec_type {
	IPK_IGMP_IS_IN = 1,
	IPK_IGMP_IS_EX = 2,
	IPK_IGMP_TO_IN = 3,
	IPK_IGMP_TO_EX = 4,
	IPK_IGMP_ALLOW = 5,
	IPK_IGMP_BLOCK = 6,
};

#define IPK_IGMP_MINLEN 8
#define IPK_IGMP_V3Q_MINLEN 12

/* Well-known destinations. */
#define IPK_IGMP_ALL_SYSTEMS IPK_IP4_ADDR(224, 0, 0, 1)
#define IPK_IGMP_ALL_ROUTERS IPK_IP4_ADDR(224, 0, 0, 2)
#define IPK_IGMP_V3_ROUTERS IPK_IP4_ADDR(224, 0, 0, 22)

/*
 * A parsed IGMP message, host order; srcs/recs point into the parsed buffer (zero copy).
 * version: 1, 2 or 3 for membership messages (queries by length per RFC 3376 7.1; reports by
 * type), 0 for other types (DVMRP, PIMv1, mtrace, MRD), which are parsed as the 8-byte header.
 */
struct ipk_igmp {
	uint8_t version;
	uint8_t type;
	uint8_t code;        /* byte 1: Max Resp Time/Code (v2 linear 1/10 s, v3 float coded) */
	uint8_t checksum_ok;
	uint16_t checksum;
	uint16_t len;        /* message length given to the parser */
	uint32_t group;      /* bytes 4-7 (for a v3 report: 0, see reserved) */
	/* v3 query */
	uint8_t resv;        /* high 4 bits of byte 8 */
	uint8_t s;
	uint8_t qrv;
	uint8_t qqic;
	uint16_t nsrcs;
	const uint8_t *srcs; /* nsrcs big-endian addresses: ipk_igmp_addr(srcs, i) */
	/* v3 report */
	uint16_t reserved;   /* bytes 4-5 */
	uint16_t nrecs;
	const uint8_t *recs; /* first group record */
	uint16_t recs_len;   /* bytes from recs to the end of the message */
};

/*
 * Parse an IGMP message. len must be the IP payload length (total length - IHL*4, link padding
 * excluded) or the captured part of it. The checksum covers all len bytes (RFC 2236 2.5,
 * RFC 3376 4.1.10). Returns 0, IPK_E_IGMP_SHORT, IPK_E_IGMP_QUERY_LEN or IPK_E_IGMP_SOURCES
 * (*err_off = offset of the offending field); a bad checksum is not an error here:
 * m->checksum_ok is 0. v3 report records are checked lazily by the record iterator.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_parse(const uint8_t *buf, size_t len, struct ipk_igmp *m, size_t *err_off)
	IPK_NONNULL(1, 3);

/* Big-endian address i of a zero-copy source list. */
IPK_API uint32_t ipk_igmp_addr(const uint8_t *srcs, size_t i);

/* One v3 group record. */
struct ipk_igmp_rec {
	uint8_t type;
	uint8_t aux_words;   /* aux data length in 32-bit words */
	uint16_t nsrcs;
	uint32_t group;
	uint16_t off;        /* offset of the record from the start of the message */
	const uint8_t *srcs;
	const uint8_t *aux;  /* aux_words * 4 bytes, skipped by receivers */
};

struct ipk_igmp_rec_iter {
	const uint8_t *msg;
	size_t len;
	size_t off;
	uint16_t left;       /* records still to read */
	size_t err_off;
};

IPK_API void ipk_igmp_rec_iter_init(struct ipk_igmp_rec_iter *it, const struct ipk_igmp *m,
				    const uint8_t *msg) IPK_NONNULL(1, 2);

/* 1: *r holds the next record; 0: done; IPK_E_IGMP_RECORDS: a record (or its count) runs past
 * the message (it->err_off = offset of the field that overran). Every count is bounded by the
 * bytes left; aux data is skipped by 4 * aux_words. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_rec_next(struct ipk_igmp_rec_iter *it, struct ipk_igmp_rec *r)
	IPK_NONNULL(1, 2);

/*
 * Protocol findings for a message carried in header ip (which may be NULL: IP rules skipped):
 * TTL != 1, Router Alert missing (v2/v3), destination per type, fragment, non-multicast group,
 * general query with sources, bytes past the message (v1/v2: past 8; v3 query: past 12 + 4N;
 * v3 report: past the last record), a type that is neither membership nor DVMRP, PIMv1, mtrace
 * or MRD (IPK_E_IGMP_UNKNOWN_TYPE at base + 0, the type byte; m->type holds the value). Destination: a general query not to 224.0.0.1, a v1/v2
 * report not to its group, a leave not to 224.0.0.2, a v3 report not to 224.0.0.22;
 * group-specific queries are not flagged (RFC 3376 4.1.12: accepted on any interface address).
 * A v3 report whose records run past the message also gets the record walk's IPK_E_IGMP_RECORDS
 * error (the walk is done once, here). Offsets are base + offset in the message (or the IP header
 * field for IP rules, base_ip + offset). Returns findings added. f is appended to, never cleared:
 * zero it before the first call.
 */
IPK_API int ipk_igmp_check(const struct ipk_ip4 *ip, const struct ipk_igmp *m, size_t base_ip,
			   size_t base, struct ipk_findings *f) IPK_NONNULL(2, 5);

/* RFC 3376 4.1.1/4.1.7 float coding: value of a code (MRC: 1/10 s; QQIC: s) and the code of a
 * value (truncating, saturating at 0xFF for >= 31744). */
IPK_API unsigned ipk_igmp_code_decode(uint8_t code);
IPK_API uint8_t ipk_igmp_code_encode(unsigned value);

/* Names: "query", "v1 report", "v2 report", "leave", "v3 report", "dvmrp", "pimv1",
 * "mtrace", "mtrace resp", "mrd adv", ... and "unknown". */
IPK_API const char *ipk_igmp_type_name(uint8_t type);
/* Record names: "is_in", "is_ex", "to_in", "to_ex", "allow", "block", "unknown". */
IPK_API const char *ipk_igmp_rec_name(uint8_t type);

/* Builders: append to w, compute the checksum, return 0 or IPK_E_NOSPACE/IPK_E_INVAL writing
 * nothing on failure. To write any field wrong on purpose, pass a struct ipk_igmp_over. */

/* Overrides: which fields of struct ipk_igmp_over are written instead of what the builder
 * computes or fixes. */
#define IPK_IGMP_KEEP_TYPE 0x01  /* byte 0 */
#define IPK_IGMP_KEEP_CODE 0x02  /* byte 1 (Max Resp Code; the v3 report's reserved byte) */
#define IPK_IGMP_KEEP_COUNT 0x04 /* v3 query Number of Sources, v3 report Number of Group Records */
#define IPK_IGMP_KEEP_RESV 0x08  /* v3 report bytes 4-5 (reserved) */
#define IPK_IGMP_KEEP_CSUM 0x10  /* the checksum field as given */

/*
 * What a builder writes instead of its own values (for crafting wrong messages on purpose). The
 * layout is the builder's (count and resv apply to the v3 formats only), whatever type is
 * written. trail[0..trail_len) is appended after the message whatever keep says, and the
 * computed checksum covers it. A zeroed struct changes nothing.
 */
struct ipk_igmp_over {
	unsigned keep;         /* IPK_IGMP_KEEP_* */
	uint8_t type;
	uint8_t code;
	uint16_t count;
	uint16_t resv;
	uint16_t checksum;
	const uint8_t *trail;  /* may be NULL when trail_len is 0 */
	size_t trail_len;
};

/* Any 8-byte message (v1/v2 query, report, leave, DVMRP, crafted types): type, code, checksum,
 * group; o (may be NULL) overrides. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put8(struct ipk_wbuf *w, uint8_t type, uint8_t code, uint32_t group,
			  const struct ipk_igmp_over *o) IPK_NONNULL(1);
/* v1 query (type 0x11) or report (0x12): byte 1 is 0. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put_v1(struct ipk_wbuf *w, uint8_t type, uint32_t group) IPK_NONNULL(1);
/* v2 query (general: group 0, or group-specific), report, leave; max_resp linear 1/10 s. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put_v2(struct ipk_wbuf *w, uint8_t type, uint8_t max_resp, uint32_t group)
	IPK_NONNULL(1);

struct ipk_igmp_v3q {
	uint8_t mrc;         /* already coded: use ipk_igmp_code_encode() */
	uint8_t resv;        /* 4 bits, 0 on transmit */
	uint8_t s;
	uint8_t qrv;         /* 3 bits */
	uint8_t qqic;        /* already coded */
	uint32_t group;
	const uint32_t *srcs; /* host order */
	uint16_t nsrcs;
	const struct ipk_igmp_over *over; /* NULL: none */
};
/* v3 query: general (group 0, no sources), group-specific, group-and-source-specific. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put_v3_query(struct ipk_wbuf *w, const struct ipk_igmp_v3q *q)
	IPK_NONNULL(1, 2);

/* v3 report, built in steps: begin, add records, end (writes the record count and checksum). */
struct ipk_igmp_v3r {
	size_t start;        /* offset of the report in w */
	uint16_t nrecs;
};
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_v3r_begin(struct ipk_wbuf *w, struct ipk_igmp_v3r *r) IPK_NONNULL(1, 2);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_v3r_add(struct ipk_wbuf *w, struct ipk_igmp_v3r *r, uint8_t type,
			     uint32_t group, const uint32_t *srcs, uint16_t nsrcs,
			     const uint8_t *aux, uint8_t aux_words) IPK_NONNULL(1, 2);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_v3r_end(struct ipk_wbuf *w, struct ipk_igmp_v3r *r) IPK_NONNULL(1, 2);

/* One group record to write with ipk_igmp_put_v3_report(). */
struct ipk_igmp_rec_spec {
	uint8_t type;         /* IPK_IGMP_IS_IN .. IPK_IGMP_BLOCK, or any value on purpose */
	uint8_t aux_words;    /* aux data length in 32-bit words (senders MUST use 0) */
	uint16_t nsrcs;
	uint32_t group;
	const uint32_t *srcs; /* host order; may be NULL when nsrcs is 0 */
	const uint8_t *aux;   /* aux_words * 4 bytes, or NULL for zeros */
};

/*
 * A whole v3 report in one call: header, the n records of recs, record count and checksum, with
 * the checksum summed from the words as they are written (no second pass over the message).
 * Same bytes as begin/add/end. Returns 0, IPK_E_INVAL (n > 65535, NULL sources with a count) or
 * IPK_E_NOSPACE, writing nothing on failure.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put_v3_report(struct ipk_wbuf *w, const struct ipk_igmp_rec_spec *recs,
				   size_t n) IPK_NONNULL(1);
/* The same with overrides o (may be NULL). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_put_v3_report_over(struct ipk_wbuf *w, const struct ipk_igmp_rec_spec *recs,
					size_t n, const struct ipk_igmp_over *o) IPK_NONNULL(1);

/* Recompute (value < 0) or force (0..0xffff) the checksum of the message at msg[0..len). */
IPK_API void ipk_igmp_set_checksum(uint8_t *msg, size_t len, int value) IPK_NONNULL(1);

/*
 * The IPv4 header an IGMP message needs (RFC 2236 2, RFC 3376 4): protocol 2, TTL 1, DF, Router
 * Alert (opts -> static "94 04 00 00"), TOS 0xC0 (Internetwork Control; every version, as Linux's
 * igmp_send_report() sends v1/v2 too), ID 0, destination by type (general query 224.0.0.1,
 * group-specific query/v1/v2 report: the group, leave 224.0.0.2, v3 report 224.0.0.22; DVMRP
 * 224.0.0.4, MRD advertisement/termination 224.0.0.106, MRD solicitation 224.0.0.2, other types
 * 224.0.0.1), source src. Every version gets Router Alert, as Linux sends them. Fill h, change
 * what you want, then ipk_ip4_marshal(h, msglen, ...).
 */
IPK_API void ipk_igmp_ip4_defaults(const uint8_t *msg, size_t msglen, uint32_t src,
				   struct ipk_ip4 *h) IPK_NONNULL(1, 4);

/*
 * Whole datagram in one call: the message is already at buf + IPK_IGMP_HDRROOM (20-byte header
 * + Router Alert), msglen bytes; writes the default header in front. Returns the datagram length
 * or a negative IPK_E_*.
 */
#define IPK_IGMP_HDRROOM 24
IPK_API IPK_WARN_UNUSED_RESULT int ipk_igmp_dgram_finish(uint8_t *buf, size_t cap, size_t msglen, uint32_t src)
	IPK_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
