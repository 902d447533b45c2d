/* fmt.h - the one formatter: packets as text, verbose text or JSON, received datagrams as text or JSON (docs/json.md). */
#ifndef IPV4KIT_FMT_H
#define IPV4KIT_FMT_H

#include "common.h"
#include "packet.h"
#include "reasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-frame metadata that is not in the packet bytes. */
struct ipk_fmt_meta {
	uint64_t frame;      /* 1-based frame number */
	int64_t ts_sec;      /* capture time, seconds since the epoch (UTC) */
	uint32_t ts_nsec;    /* nanoseconds */
};

enum ipk_fmt_style {
	IPK_FMT_TEXT = 0,    /* one line per packet; [!CODE] per error, [?CODE] per finding */
	IPK_FMT_VERBOSE = 1, /* that line plus one indented line per layer, option, record, error, finding */
	IPK_FMT_JSON = 2,    /* one JSON object per line, keys as docs/json.md */
};

/*
 * Format p into out[0..cap) ending with '\n' (no NUL is needed or written past the length).
 * Returns the bytes written, or IPK_E_NOSPACE if cap was too small (the contents of out are
 * then undefined). IPK_FMT_MAX (16 KiB) suffices for ordinary packets; verbose or JSON output of
 * a datagram near 64 KiB full of IGMPv3 sources can need up to IPK_FMT_HUGE: on IPK_E_NOSPACE,
 * retry with a bigger buffer. Returns IPK_E_INVAL for an unknown style. No allocation, no
 * printf; timestamps are UTC computed from ts_sec (never localtime()).
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_fmt_packet(const struct ipk_packet *p, const struct ipk_fmt_meta *m, int style,
			   char *out, size_t cap) IPK_NONNULL(1, 2, 4);

/*
 * A UDP datagram received on a socket (ipv4kit listen): what arrived with it as control messages,
 * in host byte order. Unknown values: has_dst 0, ifindex 0, ifname NULL, ttl/tos -1, seq -1.
 */
struct ipk_fmt_dgram {
	uint32_t src, dst;    /* addresses; dst only when has_dst */
	uint16_t sport, dport;
	uint8_t has_dst;      /* the destination is known (IP_PKTINFO) */
	uint8_t truncated;    /* the datagram was longer than the buffer (MSG_TRUNC) */
	int16_t ttl, tos;     /* -1: not known */
	unsigned ifindex;     /* arrival interface, 0: not known */
	const char *ifname;   /* its name (any bytes: escaped in JSON), or NULL */
	size_t len;           /* datagram length */
	int64_t seq;          /* `ipv4kit send` sequence number found in the payload, or -1 */
	const uint8_t *data;  /* the received bytes (NULL allowed when data_len is 0) */
	size_t data_len;
};

/*
 * Format d into out[0..cap) ending with '\n', as IPK_FMT_TEXT (one line: frame, time, interface,
 * addresses, length, [ttl, tos], [truncated], seq, the first 24 payload bytes as characters) or
 * IPK_FMT_JSON (one object: frame, ts, src, sport, dst, dport, ifindex, ifname, ttl, tos, len,
 * truncated when set, seq when known, data = the first 16 payload bytes in hex; unknown values
 * are null). Returns the bytes written, IPK_E_NOSPACE if cap was too small (256 bytes plus the
 * JSON-escaped interface name always suffice), IPK_E_INVAL for another style or data NULL with
 * data_len > 0. No allocation.
 */
IPK_API int ipk_fmt_dgram(const struct ipk_fmt_dgram *d, const struct ipk_fmt_meta *m, int style,
			  char *out, size_t cap) IPK_NONNULL(1, 2, 4);

/*
 * A datagram the reassembler is done with (ipk_reasm_add, _expire, _flush), reported at the frame
 * and time in m (the frame that completed it, or at which it was given up). Complete (d->reason
 * 0): p is the datagram decoded from d->data (link type raw), formatted as ipk_fmt_packet does,
 * marked reassembled with the frames it came from. Dropped: p is NULL (ignored); one line naming
 * the datagram, its frames and d->reason as a finding. Same returns as ipk_fmt_packet (and
 * IPK_E_INVAL for a complete datagram without p).
 */
IPK_API int ipk_fmt_reasm(const struct ipk_packet *p, const struct ipk_reasm_dgram *d,
			  const struct ipk_fmt_meta *m, int style, char *out, size_t cap)
	IPK_NONNULL(2, 3, 5);

#define IPK_FMT_MAX 16384
/* Always suffices: the worst case is a 65535-byte IGMPv3 report of 8188 empty records (about
 * 80 bytes of JSON or verbose text each); the decoder never hands the formatter more. */
#define IPK_FMT_HUGE (1024 * 1024)

#ifdef __cplusplus
}
#endif
#endif
