/* bench_common.h - the packets every benchmark builds (IPv4 + Router Alert + IGMPv3 report, RFC 3376), shared by ipk-bench and ipk-libnet-bench. */
#ifndef IPK_BENCH_COMMON_H
#define IPK_BENCH_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

/* The IGMPv3 report of the build benchmarks: 4 records of 4 sources each (104-byte message). */
#define BENCH_SRC IPK_IP4_ADDR(198, 18, 0, 1)
#define BENCH_NRECS 4
#define BENCH_NSRCS 4
#define BENCH_V3_MSGLEN (8 + BENCH_NRECS * (8 + 4 * BENCH_NSRCS))

static const uint8_t bench_rec_types[BENCH_NRECS] = {
	IPK_IGMP_IS_IN, IPK_IGMP_ALLOW, IPK_IGMP_BLOCK, IPK_IGMP_TO_IN,
};
static const uint32_t bench_groups[BENCH_NRECS] = {
	IPK_IP4_ADDR(239, 1, 0, 1), IPK_IP4_ADDR(239, 1, 0, 2),
	IPK_IP4_ADDR(232, 1, 0, 3), IPK_IP4_ADDR(232, 1, 0, 4),
};
static const uint32_t bench_srcs[BENCH_NRECS][BENCH_NSRCS] = {
	{ IPK_IP4_ADDR(198, 18, 1, 1), IPK_IP4_ADDR(198, 18, 1, 2), IPK_IP4_ADDR(198, 18, 1, 3), IPK_IP4_ADDR(198, 18, 1, 4) },
	{ IPK_IP4_ADDR(198, 18, 2, 1), IPK_IP4_ADDR(198, 18, 2, 2), IPK_IP4_ADDR(198, 18, 2, 3), IPK_IP4_ADDR(198, 18, 2, 4) },
	{ IPK_IP4_ADDR(198, 18, 3, 1), IPK_IP4_ADDR(198, 18, 3, 2), IPK_IP4_ADDR(198, 18, 3, 3), IPK_IP4_ADDR(198, 18, 3, 4) },
	{ IPK_IP4_ADDR(198, 18, 4, 1), IPK_IP4_ADDR(198, 18, 4, 2), IPK_IP4_ADDR(198, 18, 4, 3), IPK_IP4_ADDR(198, 18, 4, 4) },
};

/* Append the benchmark report to w with the one-call builder (the record list is filled from
 * the same arrays on every call). Returns 0 or a negative IPK_E_*. */
static inline int bench_v3_report(struct ipk_wbuf *w)
{
	struct ipk_igmp_rec_spec recs[BENCH_NRECS];

	for (int i = 0; i < BENCH_NRECS; i++) {
		recs[i].type = bench_rec_types[i];
		recs[i].aux_words = 0;
		recs[i].nsrcs = BENCH_NSRCS;
		recs[i].group = bench_groups[i];
		recs[i].srcs = bench_srcs[i];
		recs[i].aux = NULL;
	}
	return ipk_igmp_put_v3_report(w, recs, BENCH_NRECS);
}

/* The same report with the incremental builder (begin, add per record, end). */
static inline int bench_v3_report_inc(struct ipk_wbuf *w)
{
	struct ipk_igmp_v3r r;
	int rc = ipk_igmp_v3r_begin(w, &r);

	for (int i = 0; rc == 0 && i < BENCH_NRECS; i++)
		rc = ipk_igmp_v3r_add(w, &r, bench_rec_types[i], bench_groups[i], bench_srcs[i],
				      BENCH_NSRCS, NULL, 0);
	return rc ? rc : ipk_igmp_v3r_end(w, &r);
}

/* Compiler barriers: make the optimizer treat p (and the memory it points to) as used, and v as
 * unknown, so timed work is neither hoisted out of the loop nor removed. */
#define BENCH_USE(p) __asm__ __volatile__("" : : "r"(p) : "memory")
#define BENCH_LAUNDER(v) __asm__ __volatile__("" : "+r"(v))

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Time fn(ctx, n): calibrate n so that one run takes about ms milliseconds, then take `runs`
 * runs and return the median ns per op.
 */
static inline double bench_median(void (*fn)(void *ctx, uint64_t n), void *ctx, int runs, int ms)
{
	uint64_t target = (uint64_t)ms * 1000000u, n = 1;
	double v[64];

	if (runs > 64)
		runs = 64;
	if (runs < 1)
		runs = 1;
	for (;;) {
		uint64_t t0 = bench_now_ns();
		fn(ctx, n);
		uint64_t d = bench_now_ns() - t0;
		if (d >= target / 4 || n >= (1ull << 32)) {
			n = d ? (uint64_t)((double)n * (double)target / (double)d) : n * 4;
			if (n < 1)
				n = 1;
			break;
		}
		n *= 2;
	}
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns();
		fn(ctx, n);
		v[r] = (double)(bench_now_ns() - t0) / (double)n;
	}
	qsort(v, (size_t)runs, sizeof(v[0]), bench_cmp_double);
	return v[runs / 2];
}

#endif
