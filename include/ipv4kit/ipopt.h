/* ipopt.h - IPv4 options: iterator, typed decode, Linux-rule validation and builders (RFC 791, 1108, 2113, 4782). */
#ifndef IPV4KIT_IPOPT_H
#define IPV4KIT_IPOPT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ipk_opt_type {
	IPK_OPT_EOL = 0,
	IPK_OPT_NOP = 1,
	IPK_OPT_RR = 7,
	IPK_OPT_QS = 25,    /* Quick-Start, RFC 4782 */
	IPK_OPT_TS = 68,
	IPK_OPT_SEC = 130,  /* Security, RFC 791 / RFC 1108 BSO */
	IPK_OPT_LSRR = 131,
	IPK_OPT_ESEC = 133, /* Extended Security, RFC 1108 */
	IPK_OPT_CIPSO = 134,
	IPK_OPT_SID = 136,  /* Stream ID */
	IPK_OPT_SSRR = 137,
	IPK_OPT_RA = 148,   /* Router Alert, RFC 2113 */
};

/* Timestamp flags (low nibble of byte 3). */
#define IPK_OPT_TS_TSONLY 0
#define IPK_OPT_TS_TSADDR 1
#define IPK_OPT_TS_PRESPEC 3

/* One option as walked: a view into the option area. */
struct ipk_opt {
	uint8_t type;
	uint8_t len;         /* 1 for EOL/NOP, else the length byte */
	uint16_t off;        /* offset of the type byte from the start of the option area */
	const uint8_t *data; /* the whole option, type byte first, len bytes */
};

/*
 * Iterator (FreeBSD ip_dooptions walk). After EOL the iterator ends; it->after_eol_nonzero tells
 * whether the padding after EOL had non-zero bytes. On a malformed option, ipk_opt_next returns
 * the error and it->err_off holds the offset of the bad byte from the start of the option area.
 */
struct ipk_opt_iter {
	const uint8_t *p;
	size_t len;
	size_t off;
	size_t err_off;
	uint8_t done;
	uint8_t after_eol_nonzero;
};

IPK_API void ipk_opt_iter_init(struct ipk_opt_iter *it, const uint8_t *opts, size_t len)
	IPK_NONNULL(1);

/* 1: *o holds the next option (EOL is returned once, len 1, and ends the walk); 0: end of options;
 * < 0: IPK_E_OPT_TRUNC or IPK_E_OPT_LEN (the iterator does not advance: calling again returns the
 * same error). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_next(struct ipk_opt_iter *it, struct ipk_opt *o) IPK_NONNULL(1, 2);

/* Typed views. Addresses and timestamps are zero-copy: read entry i with ipk_opt_u32(). */
struct ipk_opt_route { /* RR, LSRR, SSRR */
	uint8_t ptr;
	uint8_t naddr;       /* (len - 3) / 4 slots */
	const uint8_t *addrs;
};
struct ipk_opt_ts {
	uint8_t ptr;
	uint8_t oflw;
	uint8_t flag;
	uint8_t nent;        /* entries: 4-byte stamps (flag 0) or 8-byte addr+stamp pairs */
	const uint8_t *data;
};
struct ipk_opt_sec { /* 130: RFC 791 form when len == 11, else RFC 1108 BSO */
	uint8_t rfc791;
	uint16_t s, c, h;    /* RFC 791 form */
	uint32_t tcc;        /* RFC 791 form, 24 bits */
	uint8_t level;       /* BSO classification level */
	uint8_t nflags;      /* BSO protection authority bytes */
	const uint8_t *flags;
};
struct ipk_opt_cipso {
	uint32_t doi;
	uint8_t tags_len;
	const uint8_t *tags;
};
struct ipk_opt_qs {
	uint8_t func;        /* 0 request, 8 report */
	uint8_t rate;
	uint8_t qs_ttl;
	uint32_t nonce;      /* 30 bits */
};

struct ipk_optv {
	uint8_t type, len;
	uint16_t off;
	const uint8_t *data; /* whole option */
	union {
		struct ipk_opt_route route;
		struct ipk_opt_ts ts;
		uint16_t ra_value;
		struct ipk_opt_sec sec;
		struct ipk_opt_cipso cipso;
		uint16_t stream_id;
		struct ipk_opt_qs qs;
		struct {
			uint8_t len;
			const uint8_t *bytes; /* data after type and length (ESEC, unknown kinds) */
		} raw;
	} u;
};

/* Decode one walked option into its typed view. Returns 0, or IPK_E_OPT_BAD_LEN when the
 * option is too short for its kind (v->u.raw is then set). Minimum lengths: RR/LSRR/SSRR 3,
 * TS 4 (nent counts 4-byte entries for flag 0 and 8-byte pairs for any other flag, as tcpdump),
 * RA 4, SID 4, SEC 3 (11 = RFC 791 form), ESEC 3, CIPSO 6, QS 8. ESEC and unknown kinds use u.raw. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_decode(const struct ipk_opt *o, struct ipk_optv *v) IPK_NONNULL(1, 2);

/* Short (tcpdump-like) name of an option type: 0 "EOL", 1 "NOP", 7 "RR", 25 "QS", 68 "TS",
 * 130 "SEC", 131 "LSRR", 133 "ESEC", 134 "CIPSO", 136 "SID", 137 "SSRR", 148 "RA", any other
 * type "unknown". Never NULL; static storage. */
IPK_API const char *ipk_opt_name(uint8_t type);

/* Big-endian 32-bit entry i of a zero-copy address/timestamp array. */
IPK_API uint32_t ipk_opt_u32(const uint8_t *arr, size_t i);

/*
 * Validate an option area with Linux's receive-path rules (docs/linux-options.md sections 2-3
 * and its matrix, section 4). Returns 0 or the first error; *err_off is the offset of the bad
 * byte from the start of the option area (add 20 for Linux's ICMP Parameter Problem pointer).
 * If f is not NULL, findings that do not drop the packet (bytes after EOL, TS flag, RA value)
 * are appended with offsets base + offset (f is never cleared: zero it before the first call).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_validate(const uint8_t *opts, size_t len, size_t *err_off,
			     struct ipk_findings *f, size_t base);

/* Builders: append to w (use a cursor of cap 40 for a header's options). Each returns 0 or
 * IPK_E_NOSPACE / IPK_E_INVAL without writing anything. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_eol(struct ipk_wbuf *w) IPK_NONNULL(1);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_nop(struct ipk_wbuf *w) IPK_NONNULL(1);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_ra(struct ipk_wbuf *w, uint16_t value) IPK_NONNULL(1);
/* RR/LSRR/SSRR: n addresses (host order; NULL = zeros), pointer ptr (0 = 4). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_route(struct ipk_wbuf *w, uint8_t type, uint8_t ptr, const uint32_t *addrs,
			      size_t n) IPK_NONNULL(1);
/* Timestamp: flag, overflow, pointer (0 = 5), n entries; addrs used for flags 1 and 3
 * (NULL = zeros), stamps NULL = zeros. Flag 0 writes 4-byte stamps, any other flag 8-byte
 * (addr, stamp) pairs. IPK_E_INVAL: flag or oflw > 15, or length byte would pass 255. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_ts(struct ipk_wbuf *w, uint8_t flag, uint8_t oflw, uint8_t ptr,
			   const uint32_t *addrs, const uint32_t *stamps, size_t n) IPK_NONNULL(1);
/* Security, RFC 791 form (len 11). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_sec(struct ipk_wbuf *w, uint16_t s, uint16_t c, uint16_t h, uint32_t tcc)
	IPK_NONNULL(1);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_sid(struct ipk_wbuf *w, uint16_t stream_id) IPK_NONNULL(1);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_qs(struct ipk_wbuf *w, uint8_t func, uint8_t rate, uint8_t qs_ttl,
			   uint32_t nonce) IPK_NONNULL(1);
/* CIPSO: DOI and raw tag bytes. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_cipso(struct ipk_wbuf *w, uint32_t doi, const uint8_t *tags, size_t tags_len)
	IPK_NONNULL(1);
/* Any TLV option: type, then data (the length byte is 2 + data_len). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_tlv(struct ipk_wbuf *w, uint8_t type, const uint8_t *data, size_t data_len)
	IPK_NONNULL(1);
/* Raw bytes, written as given (malformed options on purpose). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_put_raw(struct ipk_wbuf *w, const uint8_t *bytes, size_t n) IPK_NONNULL(1);
/* Pad with EOL to a multiple of 4; IPK_E_TOOLONG if the result would pass 40 bytes. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_opt_pad(struct ipk_wbuf *w) IPK_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
