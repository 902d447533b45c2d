/* mut.h - private to src/mutate: the parsed view of a datagram the operations work on, and the helpers they share. */
#ifndef IPV4KIT_SRC_MUTATE_MUT_H
#define IPV4KIT_SRC_MUTATE_MUT_H

#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/mutate.h"

/* At most this many options and records are looked at (the rest are left alone). */
#define MUT_MAXOPTS 40
#define MUT_MAXRECS 64

/* Which builder writes the IGMP header back: none (under 8 bytes), the 8-byte form, the v3
 * query (12 bytes), the v3 report (8 bytes). */
enum mut_fmt { FMT_NONE, FMT_8, FMT_V3Q, FMT_V3R };

/* Everything found by parsing the datagram once, before the change. */
struct mut_ctx {
	struct ipk_mutator *m;
	uint8_t *buf;
	size_t len, cap;
	int ip_ok;                 /* ipk_ip4_parse(LAX) succeeded: h is valid */
	struct ipk_ip4 h;
	uint8_t opts[IPK_IP4_MAXOPTLEN]; /* a copy of the option area (h.opts points here) */
	unsigned nopt;             /* options walked (up to the first malformed one) */
	struct ipk_opt opt[MUT_MAXOPTS];
	int igmp;                  /* the payload is taken as IGMP (protocol 2 or an IGMP mode) */
	size_t moff, mlen;         /* the message: buf[moff .. moff + mlen) */
	int grc;                   /* ipk_igmp_parse() result */
	struct ipk_igmp g;
	enum mut_fmt fmt;
	size_t qsrcs;              /* v3 query: sources present (count bounded by the bytes) */
	unsigned nrec;             /* v3 report: records walked (up to the first that overruns) */
	struct ipk_igmp_rec rec[MUT_MAXRECS];
	size_t rec_end[MUT_MAXRECS]; /* offset in the message just past each record */
	struct ipk_mut_info *info;
};

uint64_t mut_rand64(struct ipk_mutator *m);
/* 0 .. n-1 (n > 0). */
uint32_t mut_rand(struct ipk_mutator *m, uint32_t n);
/* One of v[0..n), different from old where possible (else old + 1 within mask). */
uint32_t mut_pick(struct ipk_mutator *m, const uint32_t *v, size_t n, uint32_t old, uint32_t mask);
/* An interesting IPv4 address (0, broadcast, the IGMP groups, loopback, a neighbour of old, random). */
uint32_t mut_addr(struct ipk_mutator *m, uint32_t old);

/* Open n bytes at buf[at] (the rest moves up; the gap is zeroed) or close n bytes at buf[at].
 * 0, or -1 when the bytes do not fit in cap (nothing changes). */
int mut_open(struct mut_ctx *c, size_t at, size_t n);
void mut_close(struct mut_ctx *c, size_t at, size_t n);
/* Write header nh (its opts may point anywhere but into buf) over the datagram's, moving the
 * payload when the header length changes; checksum as nh->checksum. 0 or -1 (no room). */
int mut_set_header(struct mut_ctx *c, const struct ipk_ip4 *nh);
/* Add delta to the total length of the header (the message grew or shrank by delta). */
void mut_add_totlen(struct mut_ctx *c, long delta);
/* Fill c->info for a change at offset off of the datagram. */
void mut_note(struct mut_ctx *c, int op, int layer, const char *field, int32_t index, size_t off,
	      uint32_t old_val, uint32_t new_val);

/* IGMP operations (igmp.c): 1 when op applies to c, and the operation (0 done, -1 not possible). */
int mut_igmp_can(const struct mut_ctx *c, int op);
int mut_igmp_op(struct mut_ctx *c, int op);
/* Parse the message part of c (sets igmp, moff, mlen, grc, g, fmt, qsrcs, nrec, rec). */
void mut_igmp_scan(struct mut_ctx *c);

#endif
