/* harness.h - the pcap harness on libpcap: verify (decode, re-marshal, checksums), golden JSON compare, rewrite with RFC 1624 incremental checksums, replay through a RawConn (RFC 768, 791, 1071, 1624). */
#ifndef IPV4KIT_HARNESS_H
#define IPV4KIT_HARNESS_H

#include "common.h"
#include "packet.h"
#include "reasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every function reads captures with libpcap (pcap or pcapng, any link type ipk_link_decode()
 * knows, several pcapng interfaces as far as libpcap accepts them) and decodes every frame with
 * ipk_packet_decode(). Errors are returned as negative values with a message in err (errlen
 * bytes, may be NULL) that names the file:
 *   -errno             the file cannot be opened (-ENOENT, -EACCES, ...)
 *   IPK_E_INVAL        not a pcap or pcapng capture at all (one clear message)
 *   IPK_E_LINK_TYPE    a link type the codec does not decode
 *   -EIO               the file is readable up to a bad record, and the frames before it were
 *                      processed: a record cut by the end of the file (a truncated file:
 *                      ipk_cap_info.cut_records is 1), a record whose captured length exceeds its
 *                      original length, or one libpcap refuses (e.g. a pcapng whose interfaces
 *                      have different snaplens, which libpcap 1.10 cannot read); the message
 *                      names the file and the frame number of the bad record
 */

/* One frame as read from a capture. */
struct ipk_cap_frame {
	uint64_t frame;      /* 1-based */
	int64_t sec;
	uint32_t nsec;
	const uint8_t *data; /* valid until the callback returns */
	size_t caplen;
	size_t wirelen;
};

/* Called for every frame; a non-zero return stops reading and is returned by ipk_cap_read(). */
typedef int (*ipk_cap_fn)(void *ctx, int dlt, const struct ipk_cap_frame *f);

struct ipk_cap_info {
	int dlt;
	uint64_t frames;      /* frames handed to the callback */
	uint64_t cut_records; /* 1 when the file ends inside a record (returned as -EIO) */
};

/* Read path ("-": standard input; nanosecond timestamps) and call fn for each frame. Returns 0, fn's non-zero value
 * or an error as above; info (may be NULL) is filled in every case. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_cap_read(const char *path, ipk_cap_fn fn, void *ctx, struct ipk_cap_info *info,
			 char *err, size_t errlen) IPK_NONNULL(1, 2);

/* ---- verify ---- */

#define IPK_VERIFY_STRICT 0x1 /* findings (ipk_err_is_finding) fail a frame too */
/* ipk_verify_file(): reassemble fragments (ipk_reasm_add, Linux defaults) and verify each
 * reassembled datagram like a frame (raw IPv4); see ipk_verify_file(). */
#define IPK_VERIFY_REASSEMBLE 0x2

/* Why a frame failed: bits of ipk_verify_res.fail. */
#define IPK_VF_ERROR 0x01     /* the decoder reported an error (not a finding, not truncation) */
#define IPK_VF_FINDING 0x02   /* a finding, with IPK_VERIFY_STRICT */
#define IPK_VF_REMARSHAL 0x04 /* ipk_ip4_marshal() of the parsed header differs from the bytes */
#define IPK_VF_IP_CSUM 0x08   /* IPv4 header checksum wrong */
#define IPK_VF_IGMP_CSUM 0x10 /* IGMP checksum wrong */
#define IPK_VF_UDP_CSUM 0x20  /* UDP checksum (with pseudo-header) wrong */

/* What verify found in one frame. The *_want values are set only with the matching fail bit. */
struct ipk_verify_res {
	unsigned fail;
	uint8_t truncated;        /* caplen < wirelen: cut by the snaplen (counted, not a failure) */
	uint8_t udp_checked;      /* the UDP checksum was recomputed */
	uint16_t ip_csum_want, igmp_csum_want, udp_csum_want;
	uint16_t remarshal_off;   /* first differing byte, from the start of the IPv4 header */
	const struct ipk_reasm_dgram *reasm; /* NULL: a frame; else the packet is this datagram,
					      * reassembled (or, with reason set, given up) */
};

/* Per-code counts are indexed by ipk_verify_code_index(code). */
#define IPK_VERIFY_NCODES 128
static inline unsigned ipk_verify_code_index(int code)
{
	int i = -1000 - code;
	return i > 0 && i < IPK_VERIFY_NCODES ? (unsigned)i : 0;
}

struct ipk_verify_stats {
	uint64_t packets, passed, failed, truncated;
	struct ipk_pkt_counts cls; /* per class: ipk_packet_class() */
	uint64_t remarshal_same, remarshal_diff;
	uint64_t ip_csum_bad, igmp_csum_bad, udp_csum_checked, udp_csum_bad;
	uint64_t codes[IPK_VERIFY_NCODES]; /* errors and findings per code (0: any other code) */
	uint64_t cut_records;
	/* IPK_VERIFY_REASSEMBLE: datagrams reassembled, given up (findings), failed (reassembled
	 * ones that failed, and with IPK_VERIFY_STRICT those given up), UDP checksums checked on
	 * reassembled datagrams */
	uint64_t reasm_done, reasm_dropped, reasm_failed, reasm_udp_checked;
};

/*
 * Verify one frame: decode it into *p, count it in st (may be NULL), and when the IPv4 header is
 * valid re-marshal it with computed fields (IHL, total length, checksum; the captured checksum is
 * kept when it is wrong, so the rest is still compared) and require the captured bytes; check the
 * IPv4 and IGMP checksums (through the decoder) and the UDP checksum over the pseudo-header when
 * the whole datagram was captured and is not a fragment (checksum 0 means none). No allocation.
 * Returns r->fail (0: the frame passed).
 */
IPK_API unsigned ipk_verify_frame(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
				  unsigned flags, struct ipk_packet *p, struct ipk_verify_res *r,
				  struct ipk_verify_stats *st) IPK_NONNULL(6, 7);

/* 1 when the error code of decoded packet p only says that the capture's snaplen cut the frame
 * (the codec's one report of a cut datagram, IPK_E_IP_HDR_TRUNC or IPK_E_IP_TRUNCATED with p->cut
 * set, or IPK_E_LINK_SHORT in a frame captured short): verify counts the frame as truncated and
 * does not fail it for that code. 0 otherwise. */
IPK_API int ipk_verify_snaplen_only(const struct ipk_packet *p, int code) IPK_NONNULL(1);

/* Called for each failed frame (the decoded packet and the result). */
typedef void (*ipk_verify_fn)(void *ctx, uint64_t frame, const struct ipk_packet *p,
			      const struct ipk_verify_res *r);

/* Verify every frame of path, adding to *st (zero it first). fn (may be NULL) sees each failed
 * frame. Returns 0 when the file was read to its end (failed frames are in st), or an error as
 * described at the top. With IPK_VERIFY_REASSEMBLE, the reassembler's findings on a fragment
 * join the frame's; each reassembled datagram is verified as a raw IPv4 frame (IGMP and UDP
 * checksums, re-marshal) and counted in reasm_* (its codes in codes[]), not in the frame counts;
 * fn sees a failed one with r->reasm set, at the frame that completed it. A datagram given up
 * (overlap, timeout, end of file, ...) is a finding: counted, and failed only with
 * IPK_VERIFY_STRICT (fn gets a packet with no layers and that one finding). Memory: 4 MiB more
 * while the file is read. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_verify_file(const char *path, unsigned flags, struct ipk_verify_stats *st,
			    ipk_verify_fn fn, void *ctx, char *err, size_t errlen) IPK_NONNULL(1, 3);

/* ---- golden ---- */

/*
 * Key-level difference of two JSON lines as the formatter writes them: each leaf is named by its
 * path (ipv4.ttl, ipv4.options[0].name, errors[1].code) and reported want first, one per line
 * ("  " indent) into out[0..cap) (cut with "..." when full; always NUL-terminated when cap > 0):
 *   "path: want -> got"        a value that differs
 *   "path: want -> (none)"     a leaf only want has ("path: (none) -> got": only got has it)
 *   "path: [] -> 2 entries"    a list (or "{}" -> "N keys" an object) empty on one side, with
 *                              entries on the other; the entries follow, each "(none)" on the
 *                              empty side ("path: 1 entry -> []" the other way round)
 * Returns the number of lines (0: equal), IPK_E_INVAL when either side is not well-formed JSON,
 * or IPK_E_NOSPACE when memory runs out.
 */
IPK_API int ipk_json_diff(const char *want, size_t wlen, const char *got, size_t glen, char *out,
			  size_t cap) IPK_NONNULL(1, 3);

/* Called for each frame whose JSON differs: diff is the text of ipk_json_diff(), or a sentence
 * for a frame present on one side only. */
typedef void (*ipk_golden_fn)(void *ctx, uint64_t frame, const char *diff);

/*
 * Decode path to JSON lines (ipk_fmt_packet, IPK_FMT_JSON) and compare them with the file
 * expected, line by line. Returns the number of differing frames (0: identical; a frame missing
 * on either side counts as one), or an error as above (-errno also for expected); an expected
 * file with a line that is not JSON is IPK_E_INVAL with one message naming it and the line.
 */
IPK_API IPK_WARN_UNUSED_RESULT long ipk_golden_compare(const char *path, const char *expected, ipk_golden_fn fn,
				void *ctx, char *err, size_t errlen) IPK_NONNULL(1, 2);

/* Write the JSON decode of path to out (through the temporary file ipk_pcapw_tmpname() names
 * beside out, renamed when complete).
 * Returns the number of frames written or an error as above. */
IPK_API IPK_WARN_UNUSED_RESULT long ipk_golden_write(const char *path, const char *out, char *err, size_t errlen)
	IPK_NONNULL(1, 2);

/* ---- rewrite ---- */

/* An address prefix map FROM/n=TO/m: an address in FROM/n gets its top m bits from TO. */
struct ipk_prefix_map {
	uint32_t from, from_mask, to, to_mask;
};

/* Parse "A.B.C.D/n=E.F.G.H/m" (a missing /n is /32). Returns 0 or IPK_E_INVAL. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_prefix_map_parse(const char *s, struct ipk_prefix_map *m) IPK_NONNULL(1, 2);

#define IPK_REWRITE_MAXMAP 16
#define IPK_REWRITE_KEEP (-1)

/* What to change; IPK_REWRITE_KEEP (or 0 for the flags) leaves a field as it is. */
struct ipk_rewrite {
	int ttl;           /* 0..255 */
	int tos;           /* 0..255 */
	int id;            /* 0..65535: set the ID */
	int id_add;        /* non-zero: add to the ID (mod 65536), after id */
	uint8_t set_src, set_dst;
	uint32_t src, dst; /* with set_src / set_dst; applied before the maps */
	unsigned nsrc_map, ndst_map; /* first matching map wins */
	struct ipk_prefix_map src_map[IPK_REWRITE_MAXMAP], dst_map[IPK_REWRITE_MAXMAP];
};

/* A rewrite that changes nothing. */
IPK_API void ipk_rewrite_init(struct ipk_rewrite *rw) IPK_NONNULL(1);

/*
 * Rewrite the IPv4 header of frame[0..caplen) (link type dlt) in place: the header is re-written
 * by ipk_ip4_marshal() with every field kept (IPK_IP4_KEEP_ALL) but the changed ones, and its
 * checksum is updated with ipk_csum_update16/32 (RFC 1624), so a wrong checksum stays exactly as
 * wrong; when an address changes, the UDP or TCP checksum of a first fragment is updated over
 * the pseudo-header (UDP checksum 0 stays 0; a result of 0 is written 0xffff). Frames that are
 * not IPv4 or whose header is not whole are left alone. Returns 1 if the frame changed, 0 if not.
 */
IPK_API int ipk_rewrite_frame(const struct ipk_rewrite *rw, int dlt, uint8_t *frame,
			      size_t caplen, size_t wirelen) IPK_NONNULL(1, 3);

struct ipk_rewrite_stats {
	uint64_t packets, rewritten, l4_updated;
};

/* Rewrite every frame of in into a new capture out (same link type; pcapng with
 * pcapw_flags IPK_PCAPW_PCAPNG) written through ipk_pcapw_*: out is replaced only when the whole
 * file was written. Returns 0 or an error as above (nothing is left at out on error). */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_rewrite_file(const struct ipk_rewrite *rw, const char *in, const char *out,
			     unsigned pcapw_flags, struct ipk_rewrite_stats *st, char *err,
			     size_t errlen) IPK_NONNULL(1, 2, 3);

/* ---- replay ---- */

/* A capture's IPv4 datagrams loaded in memory for sending (opaque). */
struct ipk_replay_cap;

/* Load the IPv4 datagrams of path (frames that are not IPv4 or whose header does not decode are
 * skipped and counted). Returns 0 with *out set (free with ipk_replay_free), or an error as
 * above, or -ENOMEM. */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_replay_load(const char *path, struct ipk_replay_cap **out, char *err,
			    size_t errlen) IPK_NONNULL(1, 2);
/* Ethernet addresses of a link-mode replay. */
struct ipk_replay_eth {
	uint8_t src[6];  /* source of the headers built for non-Ethernet frames (the interface's) */
	uint8_t dst[6];
	int set_src;     /* 1: every frame gets src; 0: Ethernet frames keep the captured source, and
			  * so do Linux SLL/SLL2 frames with a 6-byte link address */
	int set_dst;     /* 1: every frame gets dst; 0: Ethernet frames keep theirs, built headers
			  * get the multicast MAC of an IPv4 multicast destination, else broadcast */
};
/*
 * Link mode: load every frame, whatever it holds (no IPv4 check: wrong versions, header lengths,
 * lengths and checksums all go out as captured). An Ethernet (DLT_EN10MB) frame is kept as
 * captured, link header and trailer included, with the addresses eth says to replace. Any other
 * link type gets its link header replaced by an Ethernet header built by the codec (addresses
 * from eth or a 6-byte SLL source, the EtherType and VLAN tags its link header gives; raw-IP
 * links say IPv4 or IPv6 by the version nibble, so a version-6 header there goes out as IPv6).
 * Frames whose link header is cut, of an unknown link type or without an EtherType (NULL/LOOP
 * of another address family) are skipped and counted. Frames cut by the snapshot length go out
 * as captured. eth is copied.
 * ipk_replay_run() then sends them through a packet socket.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_replay_load_link(const char *path, const struct ipk_replay_eth *eth,
				 struct ipk_replay_cap **out, char *err, size_t errlen)
	IPK_NONNULL(1, 2, 3);
/* 1 when c was loaded by ipk_replay_load_link(). */
IPK_API int ipk_replay_is_link(const struct ipk_replay_cap *c) IPK_NONNULL(1);
IPK_API void ipk_replay_free(struct ipk_replay_cap *c);
/* Datagrams (link mode: frames) loaded, frames skipped, and the capture's duration in seconds. */
IPK_API uint64_t ipk_replay_count(const struct ipk_replay_cap *c) IPK_NONNULL(1);
IPK_API uint64_t ipk_replay_skipped(const struct ipk_replay_cap *c) IPK_NONNULL(1);
IPK_API double ipk_replay_duration(const struct ipk_replay_cap *c) IPK_NONNULL(1);

struct ipk_replay_stats {
	uint64_t sent, failed, bytes; /* bytes: of IPv4 datagrams, or of whole frames in link mode */
	uint64_t loops_done;
	int last_err;        /* -errno of the last failed send, 0 if none */
	double seconds;      /* wall time of the run so far */
};

/* Timing: exactly one of the modes. */
enum ipk_replay_mode {
	IPK_REPLAY_TIMED = 0, /* capture timestamps divided by speed */
	IPK_REPLAY_RATE = 1,  /* a fixed rate of pps datagrams per second */
	IPK_REPLAY_TOP = 2,   /* as fast as possible, batches of IPK_BATCH_MAX via sendmmsg */
};

struct ipk_replay_opts {
	int mode;            /* enum ipk_replay_mode */
	double speed;        /* TIMED: > 0, 1 = original timing */
	double pps;          /* RATE: > 0 */
	uint64_t loops;      /* passes over the capture, >= 1 */
	unsigned ifindex;    /* 0: the route decides; else the socket is bound to it (SO_BINDTODEVICE);
			      * ignored in link mode (ipk_link_open bound the socket) */
	const volatile int *stop; /* may be NULL; non-zero stops the run */
	/* called about every interval seconds (0: never) and once at the end */
	void (*progress)(void *ctx, const struct ipk_replay_stats *st);
	void *ctx;
	double interval;
};

/*
 * Send the loaded datagrams on fd, a raw socket with IP_HDRINCL (ipk_raw_open(IPPROTO_RAW, 1)),
 * through ipk_raw_write_batch() with every header field kept (IPK_IP4_KEEP_ALL), so the header
 * bytes go out as captured except what Linux rewrites (checksum, total length, a zero ID without
 * DF, a zero source; see ipk_raw_write). A datagram the kernel refuses is counted in failed and
 * the run goes on. Returns 0 or -EINVAL for bad options; st is filled in either case.
 * Link mode (c from ipk_replay_load_link): fd is a packet socket from ipk_link_open() and each
 * frame goes out as it is through ipk_link_write_batch(), skipping the kernel's IP output path;
 * same timing modes, loops and stats.
 */
IPK_API int ipk_replay_run(int fd, const struct ipk_replay_cap *c, const struct ipk_replay_opts *o,
			   struct ipk_replay_stats *st) IPK_NONNULL(2, 3, 4);

#ifdef __cplusplus
}
#endif
#endif
