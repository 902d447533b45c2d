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

/* ---- the IGMP querier's state and event log (ipv4kit querier; docs/querier.md) ---- */

/* The querier's state, filled by its user from the state machine (host order, times in ms left). */
struct ipk_fmt_qstate {
	const char *ifname;              /* interface name (any bytes: escaped) */
	uint32_t address;                /* the querier's own query source (0: 0.0.0.0) */
	int version;                     /* configured IGMP version, 1..3 */
	int querier;                     /* 1: this querier is the elected querier */
	uint32_t querier_address;        /* the elected querier's address */
	int64_t other_querier_present_ms;/* Other Querier Present timer left, 0 when not running */
};
struct ipk_fmt_qsource {
	uint32_t source;
	int64_t timer_ms;                /* source timer left, 0 when not running */
	int forwarding;                  /* 1: traffic from this source is forwarded */
};
struct ipk_fmt_qgroup {
	uint32_t group;
	int exclude;                     /* filter mode: 1 exclude, 0 include */
	int compat_version;              /* group compatibility mode, 1..3 */
	int64_t group_timer_ms, v1_host_timer_ms, v2_host_timer_ms; /* left; 0 when not running */
	size_t nsources;
	const struct ipk_fmt_qsource *sources; /* may be NULL when nsources is 0 */
};
/* A named count (names are static strings of letters, digits and '_'). */
struct ipk_fmt_counter {
	const char *name;
	uint64_t value;
};

/*
 * The state JSON in three pieces, concatenated by the caller so that a table of any size goes
 * out one group at a time: head writes {"interface":...,"other_querier_present_ms":N,"groups":[ ;
 * group writes one group object (preceded by ',' unless first) with its sources; tail writes
 * ],"counters":{NAME:N,...}} and '\n'. Keys and their meaning: docs/querier.md. Each returns
 * the bytes written to out[0..cap), IPK_E_NOSPACE when cap was too small (out undefined), or
 * IPK_E_INVAL (NULL sources with nsources > 0, a counter without a name). A group needs at most
 * IPK_FMT_QGROUP_MAX(nsources) bytes; head needs 256 plus the escaped interface name (6 bytes
 * a byte at worst); tail 32 plus, per counter, its name and 24.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_fmt_qstate_head(const struct ipk_fmt_qstate *s, char *out, size_t cap)
	IPK_NONNULL(1, 2);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_fmt_qstate_group(const struct ipk_fmt_qgroup *g, int first, char *out,
						     size_t cap) IPK_NONNULL(1, 3);
IPK_API IPK_WARN_UNUSED_RESULT int ipk_fmt_qstate_tail(const struct ipk_fmt_counter *c, size_t n, char *out,
						    size_t cap) IPK_NONNULL(3);
#define IPK_FMT_QGROUP_MAX(nsources) (256 + (size_t)(nsources) * 80)

/* One field of an event line. */
enum ipk_fmt_kv_type {
	IPK_FMT_KV_STR = 0,  /* s (NULL: null in JSON, '-' in text) */
	IPK_FMT_KV_IP = 1,   /* ip */
	IPK_FMT_KV_INT = 2,  /* i */
	IPK_FMT_KV_BOOL = 3, /* i != 0 */
	IPK_FMT_KV_IPS = 4,  /* ips[0..n): a list of addresses */
};
struct ipk_fmt_kv {
	const char *key;     /* letters, digits and '_' */
	int type;
	const char *s;
	int64_t i;
	uint32_t ip;
	const uint32_t *ips;
	size_t n;
};

/*
 * One event line: IPK_FMT_TEXT "HH:MM:SS.ffffff EVENT key=value ..." (UTC time of day of
 * m->ts_sec/ts_nsec; strings with a blank, '=', '"', '\\' or a control byte are quoted with those
 * escaped; lists comma-separated, "-" when empty), or IPK_FMT_JSON
 * {"seq":m->frame,"ts":SECONDS,"event":EVENT,key:value,...} (lists as arrays of strings).
 * Returns the bytes written (ending with '\n'), IPK_E_NOSPACE, or IPK_E_INVAL (another style,
 * a field of unknown type, NULL key, or NULL ips with n > 0). No allocation.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_fmt_event(const struct ipk_fmt_meta *m, const char *event,
					      const struct ipk_fmt_kv *kv, size_t n, int style,
					      char *out, size_t cap) IPK_NONNULL(1, 2, 6);

#define IPK_FMT_MAX 16384
/* Always suffices: the worst case is a 65535-byte IGMPv3 report of 8188 empty records (about
 * 80 bytes of JSON or verbose text each); the decoder never hands the formatter more. */
#define IPK_FMT_HUGE (1024 * 1024)

#ifdef __cplusplus
}
#endif
#endif
