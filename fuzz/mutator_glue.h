/* mutator_glue.h - fuzz side of the structure-aware mutator: how each harness's input holds an IPv4 datagram, shared by the AFL++ and libFuzzer custom mutators. */
#ifndef IPK_FUZZ_MUTATOR_GLUE_H
#define IPK_FUZZ_MUTATOR_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "ipv4kit/mutate.h"

/* What a harness's input is. */
enum glue_fmt {
	GLUE_RAW = 0,   /* not a datagram (querier steps, control messages, captures, ...): the mutator's
			 * havoc, or the fuzzer's own mutations */
	GLUE_DGRAM,     /* an IPv4 datagram */
	GLUE_PREFIXED,  /* one selector byte, then an IPv4 datagram (ip4rt) */
	GLUE_PACKET,    /* one link-type selector byte, then a frame (packet: fuzz_packet.c's table) */
	GLUE_IGMP,      /* a bare IGMP message (igmp, igmprt): wrapped in a default header to mutate */
	GLUE_OPTS,      /* an IPv4 option area (ipopt): wrapped in a header to mutate */
};

/* The format of a harness from its name or a program path: "igmp", "fuzz_igmp", ".../fuzz_igmp_afl",
 * "fuzz_igmp_mut". The environment variable IPK_MUT_FORMAT (raw, dgram, prefixed, packet, igmp,
 * opts), when set, wins. */
int glue_format(const char *name);

/* Start m for harness format fmt (the mutator mode it needs). */
void glue_init(struct ipk_mutator *m, uint64_t seed, int fmt);

/*
 * Mutate data[0..size) (room max) in place as input of a harness of format fmt; with other (not
 * NULL) splice it with other[0..osize) instead. Returns the new size, 1..max (0 when max is 0).
 * The datagram is found and put back by the harness's format; GLUE_RAW mutates the bytes as they
 * are. Not thread-safe (one work buffer).
 */
size_t glue_mutate(struct ipk_mutator *m, int fmt, uint8_t *data, size_t size, size_t max,
		   const uint8_t *other, size_t osize);

#endif
