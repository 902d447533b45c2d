/* querier_bench.c - ipk-querier-bench: IGMPv3 records per second through the querier state machine (10,000 groups x 10 sources, in process), memory per group and source record, timer cost with the full table. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipv4kit/error.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/querier.h"

#define NGROUPS 10000
#define NSRC 10
#define PER_MSG 20 /* records per report: 8 + 20 * 48 = 968 bytes */
#define NMSG (NGROUPS / PER_MSG)

static uint8_t msgs[NMSG][1100];
static size_t lens[NMSG];
static uint64_t events;

static void count(void *arg, const struct ipk_querier_event *ev)
{
	(void)arg;
	(void)ev;
	events++;
}

static double secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void build(void)
{
	static uint32_t srcs[PER_MSG][NSRC];
	for (unsigned m = 0; m < NMSG; m++) {
		struct ipk_igmp_rec_spec r[PER_MSG];
		struct ipk_wbuf w;
		int n;
		for (unsigned k = 0; k < PER_MSG; k++) {
			for (unsigned s = 0; s < NSRC; s++)
				srcs[k][s] = IPK_IP4_ADDR(10, 0, (uint8_t)s, (uint8_t)k);
			r[k] = (struct ipk_igmp_rec_spec){.type = IPK_IGMP_IS_IN, .nsrcs = NSRC,
							  .group = IPK_IP4_ADDR(232, 1, 0, 0) + m * PER_MSG + k,
							  .srcs = srcs[k]};
		}
		ipk_wbuf_init(&w, msgs[m] + IPK_IGMP_HDRROOM, sizeof(msgs[m]) - IPK_IGMP_HDRROOM);
		if (ipk_igmp_put_v3_report(&w, r, PER_MSG) != 0)
			exit(2);
		n = ipk_igmp_dgram_finish(msgs[m], sizeof(msgs[m]), w.len, IPK_IP4_ADDR(198, 18, 0, 2));
		if (n < 0)
			exit(2);
		lens[m] = (size_t)n;
	}
}

int main(int argc, char **argv)
{
	struct ipk_querier_cfg c;
	struct ipk_querier q;
	struct ipk_querier_status st;
	unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 20;
	size_t memlen;
	void *mem;
	uint64_t now = 1000;
	double t0, t1, best = 0;

	build();
	ipk_querier_cfg_default(&c);
	c.address = IPK_IP4_ADDR(198, 18, 0, 1);
	c.max_groups = NGROUPS;
	c.max_sources = NGROUPS * NSRC;
	memlen = ipk_querier_mem_size(c.max_groups, c.max_sources);
	mem = malloc(memlen);
	if (!mem || ipk_querier_init(&q, &c, mem, memlen, now, count, NULL) != 0)
		return 2;
	(void)ipk_querier_tick(&q, now);

	/* round 0 creates the table; the others refresh it (what a querier sees after each query) */
	for (unsigned r = 0; r <= rounds; r++) {
		t0 = secs();
		for (unsigned m = 0; m < NMSG; m++)
			(void)ipk_querier_input(&q, msgs[m], lens[m], now);
		t1 = secs();
		if (r == 0)
			printf("create: %d records (%d source records) in %.1f ms: %.2f M records/s\n",
			       NGROUPS, NGROUPS * NSRC, (t1 - t0) * 1e3, NGROUPS / (t1 - t0) / 1e6);
		else if (NGROUPS / (t1 - t0) > best)
			best = NGROUPS / (t1 - t0);
		now += 1000;
	}
	ipk_querier_status(&q, now, &st);
	if (st.ngroups != NGROUPS || st.nsources != NGROUPS * NSRC)
		return 1;
	printf("refresh: best of %u rounds: %.2f M records/s (%.1f M source records/s)\n", rounds,
	       best / 1e6, best * NSRC / 1e6);
	printf("memory: %zu bytes for %d groups x %d sources; per group %.0f bytes, per source %.0f bytes\n",
	       memlen, NGROUPS, NSRC,
	       (double)(ipk_querier_mem_size(2 * NGROUPS, 0) - ipk_querier_mem_size(NGROUPS, 0)) / NGROUPS,
	       (double)(ipk_querier_mem_size(1, 2 * NGROUPS * NSRC) - ipk_querier_mem_size(1, NGROUPS * NSRC)) /
		   (NGROUPS * NSRC));
	/* timer cost with the full table: the next deadline, then the whole table expiring */
	{
		volatile uint64_t sink = 0;
		t0 = secs();
		for (unsigned i = 0; i < 1000000; i++)
			sink += ipk_querier_next_deadline(&q);
		t1 = secs();
		(void)sink;
	}
	printf("next deadline: %.1f ns\n", (t1 - t0) * 1e3);
	{
		unsigned n;
		now += ipk_querier_gmi(&c);
		t0 = secs();
		n = ipk_querier_tick(&q, now);
		t1 = secs();
		ipk_querier_status(&q, now, &st);
		if (st.ngroups || st.nsources)
			return 1;
		printf("expiry: %u timers (and %d group deletions) in %.1f ms: %.0f ns per timer\n", n,
		       NGROUPS, (t1 - t0) * 1e3, (t1 - t0) * 1e9 / n);
	}
	printf("events: %llu\n", (unsigned long long)events);
	free(mem);
	return 0;
}
