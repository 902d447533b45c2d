/* fmt.h - the one packet formatter: one-line text, verbose text and JSON lines (docs/json.md). */
#ifndef IPV4KIT_FMT_H
#define IPV4KIT_FMT_H

#include "common.h"
#include "packet.h"

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
	IPK_FMT_TEXT = 0,    /* one line per packet */
	IPK_FMT_VERBOSE = 1, /* header line plus one indented line per option, record, finding */
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
IPK_API int ipk_fmt_packet(const struct ipk_packet *p, const struct ipk_fmt_meta *m, int style,
			   char *out, size_t cap) IPK_NONNULL(1, 2, 4);

#define IPK_FMT_MAX 16384
/* Always suffices: the worst case is a 65535-byte IGMPv3 report of 8188 empty records (about
 * 80 bytes of JSON or verbose text each); the decoder never hands the formatter more. */
#define IPK_FMT_HUGE (1024 * 1024)

#ifdef __cplusplus
}
#endif
#endif
