/* mutate.h - structure-aware IPv4/IGMP mutator for fuzzers: one field of a parsed datagram changed per call, checksums fixed, deterministic from a seed, caller-owned memory. */
#ifndef IPV4KIT_MUTATE_H
#define IPV4KIT_MUTATE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The mutator parses a datagram with the codec (ipk_ip4_parse, ipk_opt_next, ipk_igmp_parse,
 * ipk_igmp_rec_next), picks one operation among those the datagram's structure allows, and changes
 * one field (or inserts/removes one option, source or record) in place. Values are drawn from the
 * boundaries a parser is most likely to get wrong (0, 1, the maximum, the bytes present +-1, the
 * MRC/QQIC float boundaries). Input that does not parse as IPv4 gets byte-level havoc instead.
 * No allocation, no clock, no global state: a struct ipk_mutator is all there is, and the same
 * seed, flags and inputs give the same outputs on every platform.
 */

/* Operations. IPV4 ones change the header or the bytes present; IGMP ones the message. */
enum ipk_mut_op {
	IPK_MUT_IP_VERSION = 0,
	IPK_MUT_IP_IHL,
	IPK_MUT_IP_TOS,
	IPK_MUT_IP_TOTLEN,
	IPK_MUT_IP_ID,
	IPK_MUT_IP_FLAGS,
	IPK_MUT_IP_FRAGOFF,
	IPK_MUT_IP_TTL,
	IPK_MUT_IP_PROTO,
	IPK_MUT_IP_SRC,
	IPK_MUT_IP_DST,
	IPK_MUT_IP_CSUM,      /* a wrong header checksum (never fixed afterwards) */
	IPK_MUT_IP_TRUNCATE,  /* cut bytes off the end, total length unchanged */
	IPK_MUT_IP_EXTEND,    /* append bytes (link padding), total length unchanged */
	IPK_MUT_OPT_INSERT,   /* insert RA, NOP, EOL, TS, RR, LSRR, SSRR or an unknown option */
	IPK_MUT_OPT_DELETE,
	IPK_MUT_OPT_LEN,      /* the length byte of one option */
	IPK_MUT_OPT_PTR,      /* the pointer byte of RR, LSRR, SSRR or TS */
	IPK_MUT_OPT_DATA,     /* one byte of an option's data (TS overflow/flags, RA value, ...) */
	IPK_MUT_IGMP_TYPE,
	IPK_MUT_IGMP_LEN,     /* message length: 8 (v1/v2), 9-11 (invalid query), 12 (v3), +-1, +-4 */
	IPK_MUT_IGMP_CODE,    /* Max Resp Code: 0, 1, 127, 128, 255, float boundaries */
	IPK_MUT_IGMP_CSUM,    /* a wrong IGMP checksum (never fixed afterwards) */
	IPK_MUT_IGMP_GROUP,
	IPK_MUT_IGMP_QRV,     /* v3 query: Resv/S/QRV */
	IPK_MUT_IGMP_QQIC,
	IPK_MUT_IGMP_NSRCS,   /* v3 query source count against the sources present */
	IPK_MUT_IGMP_SRC,     /* one source address (query or record) */
	IPK_MUT_IGMP_SRC_INSERT,
	IPK_MUT_IGMP_SRC_DELETE,
	IPK_MUT_IGMP_RESV,    /* v3 report reserved fields (byte 1, bytes 4-5) */
	IPK_MUT_IGMP_NRECS,   /* v3 report record count against the records present */
	IPK_MUT_IGMP_REC_TYPE,
	IPK_MUT_IGMP_REC_NSRCS,
	IPK_MUT_IGMP_REC_AUX, /* aux data length (the byte alone, or with aux words inserted) */
	IPK_MUT_IGMP_REC_GROUP,
	IPK_MUT_IGMP_REC_INSERT,
	IPK_MUT_IGMP_REC_DELETE,
	IPK_MUT_HAVOC,        /* byte-level changes, for input that does not parse as IPv4 */
	IPK_MUT_SPLICE,       /* ipk_mut_splice(): parts of two datagrams */
	IPK_MUT_NOPS
};

/* Flags of ipk_mut_init(). */
#define IPK_MUT_KEEP_CSUM 0x01     /* leave checksums as the change left them (default: the IPv4
				    * header and IGMP checksums are recomputed after the change,
				    * except the one an IP_CSUM/IGMP_CSUM operation set) */
#define IPK_MUT_MODE_ANY 0x00      /* every operation the structure allows */
#define IPK_MUT_MODE_IP 0x10       /* IPv4 header, options and length only; the payload is kept */
#define IPK_MUT_MODE_QUERY 0x20    /* IGMP queries (fuzzing hosts): query fields, versions by
				    * length and IPv4 fields; the type stays a query */
#define IPK_MUT_MODE_REPORT 0x30   /* IGMP reports and leaves (fuzzing routers): report and
				    * record fields and IPv4 fields; the type stays a report/leave */
#define IPK_MUT_MODE_IGMP 0x40     /* IGMP operations only, any message (a harness that takes a
				    * bare message wraps it in a header and unwraps the result) */
#define IPK_MUT_MODE_OPTS 0x50     /* option operations only (a harness that takes an option area) */
#define IPK_MUT_MODE_MASK 0x70

/* The whole state: caller-owned, no pointers. Fill with ipk_mut_init(). */
struct ipk_mutator {
	uint64_t rng;      /* splitmix64 state */
	unsigned flags;
	uint32_t count;    /* calls so far */
};

/* What one call changed, for logs and reproducers. */
struct ipk_mut_info {
	uint8_t op;          /* enum ipk_mut_op */
	uint8_t layer;       /* IPK_LAYER_IGMP for IGMP operations, else IPK_LAYER_IPV4 */
	const char *field;   /* static name of the field ("ttl", "mrc", "record type", ...) */
	int32_t index;       /* option, source or record index (from 0), -1 when none */
	uint32_t offset;     /* byte offset of the change from the start of the datagram */
	uint32_t old_val;    /* the field before and after (for inserts/deletes: the item's
			      * first byte or address; for lengths: bytes) */
	uint32_t new_val;
	uint32_t old_len;    /* datagram length before and after */
	uint32_t new_len;
};

/* Start a mutator: seed picks the sequence, flags are IPK_MUT_* (unknown bits are ignored). */
IPK_API void ipk_mut_init(struct ipk_mutator *m, uint64_t seed, unsigned flags) IPK_NONNULL(1);

/*
 * Mutate the IPv4 datagram buf[0..len) in place; buf has room for cap bytes (len > cap is taken
 * as cap). Returns the new length, 1..cap (0 only when cap is 0). Never reads buf past len nor
 * writes past cap. When info is not NULL it says what changed. A datagram always changes unless
 * cap is 0; the caller's copy is its own business (the mutator keeps no pointer to buf).
 */
IPK_API IPK_WARN_UNUSED_RESULT size_t ipk_mut_datagram(struct ipk_mutator *m, uint8_t *buf, size_t len, size_t cap,
				       struct ipk_mut_info *info) IPK_NONNULL(1, 2);

/*
 * Crossover of buf[0..len) with other[0..olen) into buf (room cap), for libFuzzer's
 * CustomCrossOver and AFL++'s splice: when both parse, buf's IPv4 header with the payload of
 * other (total length fixed), three times in four;
 * else the bytes of buf up to a cut point followed by other's from one. other must not overlap
 * buf. Checksums as for ipk_mut_datagram(). Returns the new length (0 only when cap is 0).
 */
IPK_API IPK_WARN_UNUSED_RESULT size_t ipk_mut_splice(struct ipk_mutator *m, uint8_t *buf, size_t len,
				     const uint8_t *other, size_t olen, size_t cap,
				     struct ipk_mut_info *info) IPK_NONNULL(1, 2, 4);

/* Name of an operation ("ip ttl", "igmp code", "option insert", ...); "unknown" past the enum.
 * Static storage, never NULL. */
IPK_API const char *ipk_mut_op_name(int op);

/*
 * One line (no newline) describing info into out[0..cap), NUL-terminated:
 * "igmp code mrc @21: 100 -> 0 (len 36 -> 36)". Returns the length it needed (as snprintf).
 */
IPK_API size_t ipk_mut_describe(const struct ipk_mut_info *info, char *out, size_t cap)
	IPK_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
