/* reasm.h - IPv4 fragment reassembly (RFC 791, RFC 815 holes), bounded in memory and time the way
 * Linux's ipfrag defaults bound it, with overlaps, duplicates and give-ups reported as findings. */
#ifndef IPV4KIT_REASM_H
#define IPV4KIT_REASM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Linux defaults (net.ipv4.ipfrag_high_thresh, ipfrag_time, ipfrag_max_dist). */
#define IPK_REASM_MEM_DEFAULT (4u << 20)
#define IPK_REASM_TIMEOUT_DEFAULT_NS (30ull * 1000000000ull)
#define IPK_REASM_MAXDIST_DEFAULT 64u

/* Fragments remembered per datagram by their caller tag (frame numbers); more are counted. */
#define IPK_REASM_MAXTAGS 64

struct ipk_reasm_cfg {
	size_t mem;          /* bytes the reassembler may use: the size of the memory given to
			      * ipk_reasm_init() (Linux ipfrag_high_thresh) */
	uint64_t timeout_ns; /* a datagram not complete this long after its first fragment is dropped
			      * (Linux ipfrag_time); 0: never */
	unsigned max_dist;   /* a datagram is restarted when more than max_dist fragments from the
			      * same source arrived between two of its own (ipfrag_max_dist); 0: off */
};

/* The Linux defaults: 4 MiB, 30 s, 64. */
IPK_API void ipk_reasm_cfg_default(struct ipk_reasm_cfg *cfg) IPK_NONNULL(1);

/* A datagram the reassembler is done with: complete, or given up. */
struct ipk_reasm_dgram {
	uint32_t src, dst;       /* the key, as RFC 791 and Linux: (src, dst, id, protocol) */
	uint16_t id;
	uint8_t proto;
	uint8_t pad_;
	int reason;              /* 0: complete; else the IPK_E_REASM_* finding that dropped it */
	const uint8_t *data;     /* complete: IPv4 header (MF 0, offset 0, total length, checksum
				  * written by ipk_ip4_marshal) and payload; NULL when dropped. Points
				  * into the reassembler's memory, valid until its next call */
	size_t len;              /* complete: bytes at data; dropped: payload bytes held */
	uint32_t nfrags;         /* fragments handed to this datagram (duplicates included) */
	uint32_t ntags;          /* tags[] filled: min(nfrags, IPK_REASM_MAXTAGS) */
	uint64_t tags[IPK_REASM_MAXTAGS]; /* the caller's tag of each fragment, in arrival order */
	uint64_t first_ns, last_ns; /* times of its first and last fragment */
};

/* The reassembler: a small header at the start of the memory given to ipk_reasm_init(). */
struct ipk_reasm;

/*
 * Datagrams in progress that cfg->mem bytes hold at once. Each takes a fixed slot of about 66 KiB
 * (room for a 65535-byte datagram and a map of the 8-byte blocks received): 62 for the 4 MiB
 * default. Returns 0 when mem is too small for one.
 */
IPK_API size_t ipk_reasm_capacity(size_t mem);

/*
 * Set up a reassembler in mem[0..cfg->mem) (caller-owned, suitably aligned for uint64_t, e.g. from
 * malloc; it must outlive the reassembler and is never freed by it). No other memory is used
 * and nothing is allocated later. Returns the reassembler (== mem) or NULL when cfg->mem has
 * no room for one datagram.
 */
IPK_API struct ipk_reasm *ipk_reasm_init(void *mem, const struct ipk_reasm_cfg *cfg)
	IPK_NONNULL(1, 2);

/*
 * Report one datagram whose time ran out at now_ns (a capture timestamp; time only moves forward
 * through these calls): fills *out (reason IPK_E_REASM_TIMEOUT), forgets it and returns 1;
 * returns 0 when none is left. Call it until it returns 0 before each ipk_reasm_add().
 */
IPK_API int ipk_reasm_expire(struct ipk_reasm *r, uint64_t now_ns, struct ipk_reasm_dgram *out)
	IPK_NONNULL(1, 3);

/*
 * Add the fragment ip[0..len) (an IPv4 header with MF set or a non-zero offset; bytes past its
 * total length are ignored) that arrived at now_ns, remembered by tag. The header must pass
 * ipk_ip4_parse(IPK_IP4_STRICT): otherwise that error is returned and nothing changes. The same
 * for IPK_E_INVAL: not a fragment. Findings about this fragment are appended to f (may be NULL;
 * never cleared: zero it before the first call) with offsets f_off + offset in ip:
 *   IPK_E_REASM_DUP          all its bytes arrived before, identical: ignored
 *   IPK_E_REASM_OVERLAP_DIFF some of its bytes arrived before with other values: when all did,
 *                            it is ignored (the first copy wins); else the datagram is dropped
 *   IPK_E_REASM_OVERLAP      some (not all) of its bytes arrived before, identical: dropped
 *   IPK_E_REASM_END          it ends past the end a last fragment set, or is a last fragment
 *                            that disagrees with it or with bytes already held: dropped
 *   IPK_E_REASM_EMPTY        no payload (after Linux trims a non-last fragment to 8 bytes)
 *   IPK_E_REASM_TOOBIG       the datagram would pass 65535 bytes: dropped
 *   IPK_E_REASM_EVICTED      (on the evicted datagram, see below)
 *   IPK_E_REASM_TOOFAR       more than max_dist fragments of the source between two of this
 *                            datagram: what it held is dropped and it restarts with this one
 * As Linux: a partial overlap drops the whole datagram (RFC 5722 applied to IPv4), a fragment
 * inside bytes already held is dropped alone. Returns 1 with *out filled when a datagram is done
 * (complete, or dropped with out->reason): this fragment's, or the oldest datagram evicted to
 * make room for a new one; 0 when the fragment was held or ignored; or a negative IPK_E_* as
 * above. At most one datagram is reported per call. No allocation, no system call.
 */
IPK_API IPK_WARN_UNUSED_RESULT int ipk_reasm_add(struct ipk_reasm *r, const uint8_t *ip, size_t len, uint64_t now_ns,
			  uint64_t tag, struct ipk_findings *f, size_t f_off,
			  struct ipk_reasm_dgram *out) IPK_NONNULL(1, 2, 8);

/* At the end of the input: report one datagram still in progress (reason
 * IPK_E_REASM_INCOMPLETE), forget it and return 1; 0 when none is left. */
IPK_API int ipk_reasm_flush(struct ipk_reasm *r, struct ipk_reasm_dgram *out) IPK_NONNULL(1, 2);

#ifdef __cplusplus
}
#endif
#endif
