/* error.h - the codec's error and finding codes: one table yields the enum, ipk_strerror() and
 * ipk_errname(). */
#ifndef IPV4KIT_ERROR_H
#define IPV4KIT_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * XX(NAME, value, kind, message). Values are fixed, negative and below -1000 so they never collide
 * with the -errno values the socket functions return; never renumber, only append.
 * kind is ERROR (the bytes break the wire format: the parser of that layer stops, or a value cannot
 * be trusted) or FINDING (the packet decodes, but a protocol rule a peer should follow is broken).
 * Socket functions use -errno instead. docs/errors.md lists the table; a test keeps it in step.
 */
#define IPK_ERRNO_MAP(XX)                                                                          \
	/* generic */                                                                              \
	XX(NOSPACE, -1001, ERROR, "output buffer too small")                                       \
	XX(INVAL, -1002, ERROR, "invalid argument")                                                \
	XX(TOOLONG, -1003, ERROR, "value too long for its field")                                  \
	/* IPv4 header (RFC 791) */                                                                \
	XX(IP_SHORT, -1010, ERROR, "fewer than 20 bytes: not a whole IPv4 header")                 \
	XX(IP_VERSION, -1011, ERROR, "IP version is not 4")                                        \
	XX(IP_IHL, -1012, ERROR, "IHL below 5 (header shorter than 20 bytes)")                     \
	XX(IP_HDR_TRUNC, -1013, ERROR,                                                             \
	   "capture ends inside the IPv4 header (IHL*4 > captured bytes)")                         \
	XX(IP_TOTLEN_SHORT, -1014, ERROR, "total length smaller than the header length")           \
	XX(IP_TRUNCATED, -1015, ERROR,                                                             \
	   "total length larger than the captured bytes (truncated capture)")                      \
	XX(IP_CHECKSUM, -1016, ERROR, "bad IPv4 header checksum")                                  \
	XX(IP_TOTLEN_ZERO, -1017, ERROR, "total length 0 (TSO/GSO capture)")                       \
	XX(IP_RESERVED_FLAG, -1018, FINDING, "reserved flag (evil bit) set")                       \
	XX(IP_FRAG_OVERSIZE, -1019, FINDING, "fragment ends past 65535 bytes")                     \
	XX(IP_LINK_PADDING, -1020, FINDING, "bytes after total length (link padding)")             \
	/* IPv4 options (Linux __ip_options_compile rules; offset = the bad byte) */               \
	XX(OPT_TRUNC, -1030, ERROR, "option type byte with no room for its length byte")           \
	XX(OPT_LEN, -1031, ERROR, "option length below 2 or past the end of the option area")      \
	XX(OPT_BAD_LEN, -1032, ERROR, "option length too small for its kind")                      \
	XX(OPT_PTR, -1033, ERROR, "option pointer below its minimum")                              \
	XX(OPT_SPACE, -1034, ERROR,                                                                \
	   "option pointer leaves some room but not enough for an entry")                          \
	XX(OPT_DUP, -1035, ERROR, "option kind that may appear once appears twice")                \
	XX(OPT_TS_OVERFLOW, -1036, ERROR,                                                          \
	   "timestamp option full and its overflow counter already 15")                            \
	XX(OPT_CIPSO_DOI, -1037, ERROR, "CIPSO option with DOI 0")                                 \
	XX(OPT_CIPSO_TAG, -1038, ERROR, "CIPSO tag with length 0 or past the end of the option")   \
	XX(OPT_AFTER_EOL, -1039, FINDING, "non-zero bytes after End of Option List")               \
	XX(OPT_TS_FLAG, -1040, FINDING, "timestamp flag not 0, 1 or 3")                            \
	XX(OPT_RA_VALUE, -1041, FINDING, "router alert value not 0")                               \
	/* IGMP (RFC 1112, 2236, 3376) */                                                          \
	XX(IGMP_SHORT, -1050, ERROR, "IGMP message shorter than 8 bytes")                          \
	XX(IGMP_QUERY_LEN, -1051, ERROR, "IGMP query of 9 to 11 bytes (RFC 3376 7.1: ignore)")     \
	XX(IGMP_CHECKSUM, -1052, ERROR, "bad IGMP checksum")                                       \
	XX(IGMP_SOURCES, -1053, ERROR, "IGMPv3 query source count runs past the message")          \
	XX(IGMP_RECORDS, -1054, ERROR, "IGMPv3 report group record runs past the message")         \
	XX(IGMP_GQ_SOURCES, -1055, FINDING, "general query carries sources")                       \
	XX(IGMP_TTL, -1056, FINDING, "IGMP sent with TTL other than 1")                            \
	XX(IGMP_NO_RA, -1057, FINDING, "IGMPv2/v3 message without Router Alert")                   \
	XX(IGMP_DST, -1058, FINDING, "IGMP destination address wrong for the message type")        \
	XX(IGMP_FRAGMENT, -1059, FINDING, "IGMP message in a fragment")                            \
	XX(IGMP_GROUP, -1060, FINDING, "group address not multicast")                              \
	XX(IGMP_TRAILING, -1061, FINDING,                                                          \
	   "bytes after the IGMP message (covered by the checksum)")                               \
	XX(IGMP_UNKNOWN_TYPE, -1062, FINDING,                                                      \
	   "unknown IGMP type (not membership, DVMRP, PIMv1, mtrace or MRD)")                      \
	/* IGMP heard by the querier (querier.h) */                                                \
	XX(IGMP_QUERY_LOWER, -1063, FINDING,                                                       \
	   "query from a lower address than ours: another querier wins the election")              \
	XX(IGMP_LEAVE_UNICAST, -1064, FINDING, "IGMPv2 leave sent to a unicast address")           \
	XX(IGMP_REC_TYPE, -1065, FINDING, "IGMPv3 group record of unknown type (ignored)")         \
	XX(IGMP_QUERY_VERSION, -1066, FINDING,                                                     \
	   "query of another IGMP version than the querier's (RFC 3376 7.3.1: warn)")              \
	/* link layers */                                                                          \
	XX(LINK_SHORT, -1070, ERROR, "frame shorter than its link-layer header")                   \
	XX(LINK_TYPE, -1071, ERROR, "unsupported link type")                                       \
	/* UDP/TCP/ICMP summary */                                                                 \
	XX(L4_SHORT, -1080, ERROR, "transport header truncated")                                   \
	/* fragment reassembly (ipk_reasm_add, Linux ip_fragment.c policy) */                      \
	XX(REASM_DUP, -1090, FINDING, "duplicate fragment: its bytes arrived before, identical")   \
	XX(REASM_OVERLAP, -1091, FINDING,                                                          \
	   "fragment overlaps bytes that arrived before (same values): datagram dropped")          \
	XX(REASM_OVERLAP_DIFF, -1092, FINDING,                                                     \
	   "fragment overlaps bytes that arrived before with different values")                    \
	XX(REASM_END, -1093, FINDING,                                                              \
	   "fragment disagrees with the end of the datagram: datagram dropped")                    \
	XX(REASM_EMPTY, -1094, FINDING, "fragment without payload bytes")                          \
	XX(REASM_TOOBIG, -1095, FINDING, "reassembled datagram would pass 65535 bytes: dropped")   \
	XX(REASM_TIMEOUT, -1096, FINDING, "datagram not complete within the reassembly time")      \
	XX(REASM_INCOMPLETE, -1097, FINDING, "input ended before the datagram was complete")       \
	XX(REASM_EVICTED, -1098, FINDING, "datagram dropped to keep reassembly memory bounded")    \
	XX(REASM_TOOFAR, -1099, FINDING,                                                           \
	   "more than max_dist fragments of the source between two of this datagram: restarted")   \
	/* UDP over a whole datagram (decode --reassemble: the reassembled one) */                  \
	XX(UDP_CHECKSUM, -1100, ERROR, "bad UDP checksum (pseudo-header and datagram)")

/* The kind column as values: IPK_ERRKIND_##kind. */
enum ipk_err_kind {
	IPK_ERRKIND_ERROR = 0,
	IPK_ERRKIND_FINDING = 1,
};

enum ipk_err {
	IPK_OK = 0,
#define IPK_ERR_ENUM_(name, val, kind, msg) IPK_E_##name = (val),
	IPK_ERRNO_MAP(IPK_ERR_ENUM_)
#undef IPK_ERR_ENUM_
};

/* Human-readable message for an ipk_err code or a negative errno; never NULL. */
IPK_API const char *ipk_strerror(int err);

/* Stable short name ("IP_CHECKSUM", "OK", or "ERRNO_<n>" for a -errno value); never NULL.
 * This is the `code` string in JSON output. */
IPK_API const char *ipk_errname(int err);

/* 1 if code is a table code of kind FINDING (the packet still decodes), 0 otherwise (an error,
 * OK, a -errno value or an unknown code). */
IPK_API int ipk_err_is_finding(int err);

#ifdef __cplusplus
}
#endif
#endif
