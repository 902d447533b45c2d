/* host_bench.c - ipk-host-bench: the IGMP host role in process: one-record and 256-record reports built per second, memberships changed per second (65,535 hosts), memory per host and per membership; medians of runs, printed as a Markdown table (tests/bench/run.sh and host.sh print it). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipv4kit/host.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"

#define NHOSTS 65535u
#define MAXRUNS 64

static uint64_t sent, records;

static void count(void *arg, const struct ipk_host_event *ev)
{
	(void)arg;
	if (ev->type == IPK_HEV_SEND) {
		sent++;
		records += ev->report->nrecords;
	}
}

static double secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
	fprintf(stderr, "ipk-host-bench: %s\n", what);
	exit(2);
}

static void *start(struct ipk_host *h, const struct ipk_host_cfg *c, uint64_t now)
{
	size_t need = ipk_host_mem_size(c);
	void *mem = need ? malloc(need) : NULL;
	if (!mem || ipk_host_init(h, c, mem, need, now, count, NULL) != 0)
		die("init");
	return mem;
}

/* A general query with MRC 100 (answers spread over 10 s) as heard from 198.18.0.1. */
static size_t general_query(uint8_t *buf, size_t cap)
{
	struct ipk_igmp_v3q q;
	struct ipk_wbuf w;
	int n;
	memset(&q, 0, sizeof(q));
	q.mrc = 100;
	q.qrv = 2;
	q.qqic = 125;
	ipk_wbuf_init(&w, buf + IPK_IGMP_HDRROOM, cap - IPK_IGMP_HDRROOM);
	if (ipk_igmp_put_v3_query(&w, &q) != 0)
		die("query");
	n = ipk_igmp_dgram_finish(buf, cap, w.len, IPK_IP4_ADDR(198, 18, 0, 1));
	if (n < 0)
		die("query");
	return (size_t)n;
}

/* Seconds for one general query answered by every host (scheduling, the timer heap, building
 * and handing over every report): reports and records counted. */
static double answer_round(struct ipk_host *h, const uint8_t *q, size_t qlen, uint64_t *now,
			   uint64_t *nrep, uint64_t *nrec)
{
	double t0;
	uint64_t s0 = sent, r0 = records;
	*now += 20000;
	t0 = secs();
	if (ipk_host_input(h, q, qlen, *now) != 0)
		die("query ignored");
	(void)ipk_host_tick(h, *now + 10000);
	t0 = secs() - t0;
	*nrep = sent - s0;
	*nrec = records - r0;
	return t0;
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	double one[MAXRUNS], big[MAXRUNS], chg_rfc[MAXRUNS], chg_batch[MAXRUNS];
	uint8_t q[64];
	size_t qlen = general_query(q, sizeof(q));
	struct ipk_host_cfg c;
	double per_host, per_memb, per_src;

	if (runs < 1 || runs > MAXRUNS)
		die("runs: 1..64");
	for (unsigned r = 0; r < runs; r++) {
		struct ipk_host h;
		void *mem;
		uint64_t now = 1000, nrep, nrec;
		double t;

		/* 65,535 hosts, one group each: a general query gives 65,535 one-record reports */
		ipk_host_cfg_default(&c);
		c.nhosts = NHOSTS;
		c.first_address = IPK_IP4_ADDR(198, 18, 0, 0);
		c.max_groups = 32000;
		c.max_memberships = 2 * NHOSTS;
		c.max_sources = 16;
		mem = start(&h, &c, now);
		t = secs();
		for (uint32_t i = 0; i < NHOSTS; i++)
			if (ipk_host_change(&h, i, 0, IPK_IP4_ADDR(239, 1, 0, 0) + i % 32000, IPK_HOST_EXCLUDE,
					    NULL, 0, now) != 1)
				die("join");
		chg_rfc[r] = NHOSTS / (secs() - t);
		now += 60000;
		(void)ipk_host_tick(&h, now);
		t = 0;
		for (unsigned k = 0; k < 10; k++) {
			t += answer_round(&h, q, qlen, &now, &nrep, &nrec);
			if (nrep != NHOSTS || nrec != NHOSTS)
				die("one-record answers");
		}
		one[r] = 10.0 * NHOSTS / t;
		free(mem);

		/* the same joins batched: one merged report per host at the tick */
		c.flags = IPK_HOST_F_BATCH;
		mem = start(&h, &c, now);
		t = secs();
		for (uint32_t i = 0; i < NHOSTS; i++)
			if (ipk_host_change(&h, i, 0, IPK_IP4_ADDR(239, 1, 0, 0) + i % 32000, IPK_HOST_EXCLUDE,
					    NULL, 0, now) != 1 ||
			    ipk_host_change(&h, i, 0, IPK_IP4_ADDR(239, 1, 0, 0) + (i + 16000) % 32000,
					    IPK_HOST_EXCLUDE, NULL, 0, now) != 1)
				die("join");
		(void)ipk_host_tick(&h, now);
		chg_batch[r] = 2.0 * NHOSTS / (secs() - t);
		free(mem);

		/* one host in 256 groups, MTU 9000: 256 records in one report */
		ipk_host_cfg_default(&c);
		c.mtu = 9000;
		mem = start(&h, &c, now);
		for (uint32_t g = 0; g < 256; g++)
			if (ipk_host_change(&h, 0, 0, IPK_IP4_ADDR(239, 2, 0, 0) + g, IPK_HOST_EXCLUDE, NULL, 0,
					    now) != 1)
				die("join");
		now += 60000;
		(void)ipk_host_tick(&h, now);
		t = 0;
		for (unsigned k = 0; k < 20000; k++) {
			t += answer_round(&h, q, qlen, &now, &nrep, &nrec);
			if (nrep != 1 || nrec != 256)
				die("256-record answers");
		}
		big[r] = 20000 / t;
		free(mem);
	}

	/* memory: the growth of ipk_host_mem_size per host, membership (with its bucket and heap
	 * slot) and source */
	ipk_host_cfg_default(&c);
	c.max_memberships = 1u << 16;
	c.max_sources = 1u << 16;
	{
		struct ipk_host_cfg d = c;
		d.nhosts = NHOSTS;
		per_host = (double)(ipk_host_mem_size(&d) - ipk_host_mem_size(&c)) / (NHOSTS - 1);
		d = c;
		d.max_memberships = 1u << 17;
		per_memb = (double)(ipk_host_mem_size(&d) - ipk_host_mem_size(&c)) / (1u << 16);
		d = c;
		d.max_sources = 1u << 17;
		per_src = (double)(ipk_host_mem_size(&d) - ipk_host_mem_size(&c)) / (1u << 16);
	}
	printf("| host role in process (ipk-host-bench, median of %u runs) | value |\n", runs);
	printf("| --- | --- |\n");
	printf("| one-record reports built (general query answered by 65,535 hosts) | %.2f M/s |\n",
	       median(one, runs) / 1e6);
	printf("| 256-record reports built (one host, 256 groups, MTU 9000) | %.0f k/s (%.1f M records/s) |\n",
	       median(big, runs) / 1e3, median(big, runs) * 256 / 1e6);
	printf("| memberships joined, report sent at once (RFC profile, 65,535 hosts) | %.2f M/s |\n",
	       median(chg_rfc, runs) / 1e6);
	printf("| memberships joined, batched per host (2 per host, one report each) | %.2f M/s |\n",
	       median(chg_batch, runs) / 1e6);
	printf("| memory per host | %.0f bytes |\n", per_host);
	printf("| memory per membership (record, hash bucket, heap slot) | %.0f bytes |\n", per_memb);
	printf("| memory per source entry (record, hash bucket) | %.0f bytes |\n", per_src);
	{
		ipk_host_cfg_default(&c);
		c.nhosts = NHOSTS;
		c.max_groups = 32000;
		c.max_memberships = NHOSTS * 2;
		c.max_sources = NHOSTS * 2;
		printf("| memory for 65,535 hosts, 32,000 groups, 131,070 memberships, 131,070 sources | %.1f MiB |\n",
		       (double)ipk_host_mem_size(&c) / 1048576.0);
	}
	return 0;
}
