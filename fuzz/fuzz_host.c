/* fuzz_host.c - fuzz harness: sequences of socket filter changes, IGMP messages and clock steps through the host role, with its invariants checked after every step and the pools empty once everyone has left. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

#include "../tests/igmp_dgram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a configuration byte (bit 7 set: bit 0 Linux profile, bits 1-2 version, bit 3 batch,
 * bit 4 MTU 576, bit 5 report link-local groups), then steps, each starting with an opcode byte (low 3 bits) whose high 5 bits
 * scale the clock step before it (0..31 x 100 ms), then operands:
 *   0 tick                        -
 *   1 change                      host, socket (0..3), group, mode|n (bit 0 EXCLUDE, bits 1-3
 *                                 n 0..7), n source bytes
 *   2 v1/v2 report heard          kind (bit 0 v2, bit 1 from one of our hosts), group
 *   3 query                       flags (bits 0-1 version 1..3, bit 2 no Router Alert, bits 3-4
 *                                 destination: default, host 1's address, 239.9.9.9, 224.0.0.1),
 *                                 group (0: general), mrc, qrv|qqic, n (0..7), n source bytes
 *   4 raw datagram                n, then n bytes given to ipk_host_input as they are
 *   5 long clock step             count x 10 s
 * Hosts are 198.18.0.10 + 0..5; groups 239.1.0.<byte & 15> (224.0.0.2..5 for 0xf0 and up);
 * sources 198.18.1.<byte & 15>. Small pools make the full-pool paths reachable.
 */

#define NH 6
#define MAXG 8
#define MAXM 16
#define MAXS 40
#define FIRST IPK_IP4_ADDR(198, 18, 0, 10)

static struct ipk_host h;
static uint8_t mem[1 << 17];
static uint8_t dg[2048];
static uint64_t now;

static void on_event(void *arg, const struct ipk_host_event *ev)
{
	(void)arg;
	if (ev->now_ms > now)
		abort(); /* events never come from the future */
	if (ev->type == IPK_HEV_SEND) {
		const struct ipk_host_report *r = ev->report;
		struct ipk_ip4 ip;
		struct ipk_igmp m;
		struct ipk_findings f;
		size_t off;
		if (r->host >= NH || r->src != FIRST + r->host || r->len > h.cfg.mtu)
			abort();
		if (ipk_ip4_parse(r->dgram, r->len, IPK_IP4_STRICT, &ip, &off) != 0 || ip.ttl != 1 ||
		    ip.tos != 0xc0 || !ip.df || ip.dst != r->dst)
			abort();
		if (ipk_igmp_parse(r->dgram + ip.hlen, ip.total_len - ip.hlen, &m, &off) != 0 ||
		    !m.checksum_ok || m.type != r->type)
			abort();
		memset(&f, 0, sizeof(f));
		if (ipk_igmp_check(&ip, &m, 0, ip.hlen, &f) != 0)
			abort(); /* what we send is clean */
		if (m.type == IPK_IGMP_V3_REPORT) {
			struct ipk_igmp_rec_iter it;
			struct ipk_igmp_rec rec;
			unsigned n = 0;
			ipk_igmp_rec_iter_init(&it, &m, r->dgram + ip.hlen);
			while (ipk_igmp_rec_next(&it, &rec) == 1) {
				n++;
				if (rec.type < IPK_IGMP_IS_IN || rec.type > IPK_IGMP_BLOCK ||
				    !ipk_ip4_is_multicast(rec.group) || rec.group == IPK_IGMP_ALL_SYSTEMS)
					abort();
				if ((rec.type == IPK_IGMP_ALLOW || rec.type == IPK_IGMP_BLOCK) && rec.nsrcs == 0)
					abort(); /* empty source-list changes are left out */
			}
			if (n != r->nrecords || n == 0)
				abort();
		}
	}
}

/* Group slots: 0..15 are 239.1.0.<slot>, 16..19 are 224.0.0.2..5 (link-local). */
#define NSLOT 20
static unsigned slot_of(uint8_t b)
{
	return b >= 0xf0 ? 16 + (b & 3) : b & 15;
}

static uint32_t group_at(unsigned slot)
{
	return slot >= 16 ? IPK_IP4_ADDR(224, 0, 0, 2 + slot - 16) : IPK_IP4_ADDR(239, 1, 0, slot);
}

static uint32_t group_of(uint8_t b)
{
	return group_at(slot_of(b));
}

static size_t finish(size_t msglen, uint32_t src, uint32_t dst, int ra)
{
	size_t n = igmp_dgram(dg, sizeof(dg), msglen, src, 0, ra, dst);
	if (!n)
		abort();
	return n;
}

/* Every invariant, walked from the public read functions. */
static void check(void)
{
	struct ipk_host_status st;
	struct ipk_host_membership m;
	uint32_t cur = 0, nm = 0, nsrc = 0;
	ipk_host_status(&h, now, &st);
	if (st.ngroups > MAXG || st.nmemberships > MAXM || st.nsources > MAXS)
		abort();
	if (st.pending_reports > NH + MAXM || st.compat_version < 1 || st.compat_version > 3)
		abort();
	if (st.robustness < 1 || st.robustness > 7)
		abort();
	if (ipk_host_next_deadline(&h) <= now)
		abort(); /* everything due has run */
	while (ipk_host_membership_next(&h, UINT32_MAX, &cur, now, &m)) {
		uint32_t sc = 0, n = 0, src, hc = 0;
		struct ipk_host_membership again;
		int seen = 0;
		nm++;
		if (m.host >= NH || (m.filter_mode != IPK_HOST_INCLUDE && m.filter_mode != IPK_HOST_EXCLUDE))
			abort();
		if (m.filter_mode == IPK_HOST_INCLUDE && m.nsources == 0)
			abort(); /* INCLUDE({}) is not a membership */
		if (m.answer_ms > 3174400u + 10000u)
			abort();
		while (ipk_host_source_next(&h, &m, &sc, &src)) {
			if (++n > MAXS)
				abort();
		}
		if (n != m.nsources || n > st.nsources)
			abort();
		nsrc += n;
		/* the host's own list holds it too */
		while (ipk_host_membership_next(&h, m.host, &hc, now, &again))
			seen |= again.group == m.group && again.id_ == m.id_;
		if (!seen)
			abort();
	}
	if (nm > st.nmemberships)
		abort();
	if (nsrc > st.nsources || (st.pending_reports == 0 && nm != st.nmemberships))
		abort(); /* with nothing pending, every membership record is a membership (entries of
			  * sources only some sockets list stay: they are socket state) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipk_host_cfg c;
	size_t i = 0;
	uint32_t srcs[8];
	uint8_t sockmask[NH][NSLOT] = {{0}};

	ipk_host_cfg_default(&c);
	c.nhosts = NH;
	c.first_address = FIRST;
	c.max_groups = MAXG;
	c.max_memberships = MAXM;
	c.max_sources = MAXS;
	c.query_interval_ms = 20000;
	c.query_response_interval_ms = 2000;
	if (size && (data[0] & 0x80)) {
		c.profile = data[0] & 1;
		c.version = (uint8_t)((data[0] >> 1) & 3);
		c.flags = (data[0] & 8) ? IPK_HOST_F_BATCH : 0;
		c.mtu = (data[0] & 16) ? 576 : 1500;
		c.flags |= (data[0] & 32) ? IPK_HOST_F_LINK_LOCAL : 0;
		i = 1;
	}
	now = 1000;
	if (ipk_host_mem_size(&c) > sizeof(mem) ||
	    ipk_host_init(&h, &c, mem, sizeof(mem), now, on_event, NULL) != 0)
		abort();
	while (i < size) {
		uint8_t op = data[i++];
		uint8_t b[6] = {0};
		struct ipk_wbuf w;
		now += (uint64_t)(op >> 3) * 100;
		(void)ipk_host_tick(&h, now);
		for (int k = 0; k < 6 && i + (size_t)k < size; k++)
			b[k] = data[i + (size_t)k];
		ipk_wbuf_init(&w, dg + IPK_IGMP_HDRROOM, sizeof(dg) - IPK_IGMP_HDRROOM);
		switch (op & 7) {
		case 1: {
			uint32_t host = b[0] % NH;
			unsigned sock = b[1] & 3, n = (b[3] >> 1) & 7;
			uint32_t grp = group_of(b[2]);
			int rc;
			i += 4;
			for (unsigned k = 0; k < n; k++)
				srcs[k] = IPK_IP4_ADDR(198, 18, 1, i < size ? data[i++] & 15 : 0);
			rc = ipk_host_change(&h, host, sock, grp, (b[3] & 1) ? IPK_HOST_EXCLUDE : IPK_HOST_INCLUDE,
					     srcs, n, now);
			if (rc < 0 && rc != IPK_E_NOSPACE)
				abort();
			if (rc >= 0)
				sockmask[host][slot_of(b[2])] |= (uint8_t)(1u << sock);
			(void)ipk_host_tick(&h, now);
			break;
		}
		case 2: {
			uint32_t from = (b[0] & 2) ? FIRST + 1 : IPK_IP4_ADDR(198, 18, 0, 3);
			i += 2;
			if (ipk_igmp_put_v2(&w, (b[0] & 1) ? IPK_IGMP_V2_REPORT : IPK_IGMP_V1_REPORT, 0,
					    group_of(b[1])) != 0)
				abort();
			(void)ipk_host_input(&h, dg, finish(w.len, from, 0, 1), now);
			break;
		}
		case 3: {
			static const uint32_t dsts[4] = {0, FIRST + 1, IPK_IP4_ADDR(239, 9, 9, 9),
							 IPK_IGMP_ALL_SYSTEMS};
			unsigned ver = 1 + (b[0] & 3) % 3, n = b[4] & 7;
			uint32_t grp = b[1] ? group_of(b[1]) : 0;
			i += 5;
			for (unsigned k = 0; k < n; k++)
				srcs[k] = IPK_IP4_ADDR(198, 18, 1, i < size ? data[i++] & 15 : 0);
			if (ver == 3) {
				struct ipk_igmp_v3q x = {.mrc = b[2], .qrv = b[3] & 7, .qqic = b[3] >> 3,
							 .group = grp, .srcs = srcs, .nsrcs = (uint16_t)n};
				if (ipk_igmp_put_v3_query(&w, &x) != 0)
					abort();
			} else if (ipk_igmp_put_v2(&w, IPK_IGMP_QUERY, ver == 1 ? 0 : b[2], grp) != 0) {
				abort();
			}
			(void)ipk_host_input(&h, dg,
					     finish(w.len, IPK_IP4_ADDR(198, 18, 0, 1), dsts[(b[0] >> 3) & 3],
						    !(b[0] & 4)),
					     now);
			break;
		}
		case 4: {
			size_t n = b[0];
			i += 1;
			if (n > size - (i < size ? i : size))
				n = size - (i < size ? i : size);
			(void)ipk_host_input(&h, data + i, n, now);
			i += n;
			break;
		}
		case 5:
			i += 1;
			now += (uint64_t)b[0] * 10000;
			(void)ipk_host_tick(&h, now);
			break;
		default:
			break;
		}
		/* what became due at now (a MRC 0 answer, a batched change) goes out now */
		(void)ipk_host_tick(&h, now);
		check();
	}
	/* Everyone leaves every group on every socket used; after a silence longer than every
	 * timer (the fallback timeout included) nothing is left in the pools. */
	for (uint32_t host = 0; host < NH; host++)
		for (unsigned g = 0; g < NSLOT; g++)
			for (unsigned sock = 0; sock < 4; sock++)
				if ((sockmask[host][g] & (1u << sock)) &&
				    ipk_host_change(&h, host, sock, group_at(g), IPK_HOST_INCLUDE, NULL, 0, now) < 0)
					abort();
	now += 1000;
	(void)ipk_host_tick(&h, now);
	now += 10000000;
	(void)ipk_host_tick(&h, now);
	check();
	{
		struct ipk_host_status st;
		ipk_host_status(&h, now, &st);
		if (st.ngroups || st.nmemberships || st.nsources || st.pending_reports ||
		    ipk_host_next_deadline(&h) != UINT64_MAX)
			abort();
	}
	return 0;
}
