/* verify.c - verify of frames and files: decode, re-marshal the IPv4 header, IPv4/IGMP/UDP checksums (RFC 791/768/1071), counts per protocol and error code. */
#include "capture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

int ipk_verify_snaplen_only(const struct ipk_packet *p, int code)
{
	if (code == IPK_E_IP_TRUNCATED || code == IPK_E_IP_HDR_TRUNC)
		return p->cut;
	return code == IPK_E_LINK_SHORT && p->caplen < p->wirelen;
}

/* a == b for n bytes (a multiple of 4, 20..60): word compares, no library call per frame */
static inline int same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y, d = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	for (; i < n; i++)
		d |= (uint64_t)(a[i] ^ b[i]);
	return d == 0;
}

/* Count a frame that failed: per-protocol and checksum counts of fail. */
static void count_fail(struct ipk_verify_stats *st, unsigned fail)
{
	st->failed++;
	st->ip_csum_bad += !!(fail & IPK_VF_IP_CSUM);
	st->igmp_csum_bad += !!(fail & IPK_VF_IGMP_CSUM);
	st->udp_csum_bad += !!(fail & IPK_VF_UDP_CSUM);
}

/* The findings of a decode that has some: fail bits, per-code counts, *hdr_ok cleared when an
 * IPv4 header error leaves nothing to re-marshal. Out of line: clean frames have none. */
static unsigned verify_findings(const struct ipk_packet *p, unsigned flags,
				struct ipk_verify_stats *st, int *hdr_ok)
{
	unsigned fail = 0;

	for (unsigned i = 0; i < p->findings.n; i++) {
		int c = p->findings.v[i].code;
		if (st)
			st->codes[ipk_verify_code_index(c)]++;
		if (p->findings.v[i].layer == IPK_LAYER_IPV4 && c != IPK_E_IP_CHECKSUM &&
		    c != IPK_E_IP_TRUNCATED && !ipk_err_is_finding(c))
			*hdr_ok = 0;
		if (c == IPK_E_IP_CHECKSUM)
			fail |= IPK_VF_IP_CSUM;
		else if (c == IPK_E_IGMP_CHECKSUM)
			fail |= IPK_VF_IGMP_CSUM;
		else if (ipk_err_is_finding(c))
			fail |= (flags & IPK_VERIFY_STRICT) ? IPK_VF_FINDING : 0;
		else if (!ipk_verify_snaplen_only(p, c))
			fail |= IPK_VF_ERROR;
	}
	if (p->findings.dropped)
		fail |= IPK_VF_ERROR;
	return fail;
}

/*
 * The work of ipk_verify_frame(), inlined into the file loop. The decoder already checked the
 * IPv4 and IGMP checksums (their findings); only a failed one is summed again, for the value it
 * should have. Stats work beyond three counters happens only for odd frames.
 */
static H_INLINE unsigned verify_one(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
				    unsigned flags, struct ipk_packet *p,
				    struct ipk_verify_res *r, struct ipk_verify_stats *st)
{
	unsigned fail = 0;
	int hdr_ok = 1;
	int truncated = caplen < wirelen;
	uint8_t udp_checked = 0;

	memset(r, 0, sizeof(*r));
	ipk_packet_decode(dlt, frame, caplen, wirelen, p);
	if (H_UNLIKELY(p->findings.n || p->findings.dropped))
		fail = verify_findings(p, flags, st, &hdr_ok);

	if (p->has_ip4 && hdr_ok && p->ip4.version == 4 && p->ip4.total_len >= p->ip4.hlen) {
		/* Re-marshal with computed fields; a wrong checksum is kept so the rest compares. */
		uint8_t hb[IPK_IP4_MAXLEN];
		const uint8_t *ip = frame + p->ip_off;
		unsigned mf = p->ip4.checksum_ok ? 0 : IPK_IP4_KEEP_CSUM;
		int n = ipk_ip4_marshal(&p->ip4, (size_t)(p->ip4.total_len - p->ip4.hlen), mf, hb,
					sizeof(hb));
		if (H_UNLIKELY(n != (int)p->ip4.hlen || !same_bytes(hb, ip, p->ip4.hlen))) {
			fail |= IPK_VF_REMARSHAL;
			size_t k = 0;
			while (n > 0 && k < (size_t)n && k < p->ip4.hlen && hb[k] == ip[k])
				k++;
			r->remarshal_off = (uint16_t)k;
			if (st)
				st->remarshal_diff++;
		} else if (st) {
			st->remarshal_same++;
		}
		if (H_UNLIKELY(fail & IPK_VF_IP_CSUM))
			r->ip_csum_want = ipk_csum_expected(ip, p->ip4.hlen, 0, p->ip4.checksum);
	}
	if (H_UNLIKELY(fail & IPK_VF_IGMP_CSUM) && p->l4 == IPK_L4_IGMP)
		r->igmp_csum_want = ipk_csum_expected(frame + p->l4_off, p->l4_len, 0, p->u.igmp.checksum);
	int uc = ipk_packet_udp_check(p, &r->udp_csum_want); /* whole datagrams only */
	if (uc) {
		udp_checked = 1;
		if (st)
			st->udp_csum_checked++;
		if (H_UNLIKELY(uc < 0))
			fail |= IPK_VF_UDP_CSUM;
	}
	r->fail = fail;
	r->truncated = (uint8_t)truncated;
	r->udp_checked = udp_checked;
	if (st) {
		st->packets++;
		ipk_pkt_count(&st->cls, p);
		st->truncated += (unsigned)truncated;
		if (H_UNLIKELY(fail))
			count_fail(st, fail);
		else
			st->passed++;
	}
	return fail;
}

unsigned ipk_verify_frame(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
			  unsigned flags, struct ipk_packet *p, struct ipk_verify_res *r,
			  struct ipk_verify_stats *st)
{
	return verify_one(dlt, frame, caplen, wirelen, flags, p, r, st);
}

/* A verify over a file: the pcap_loop() state first (ipk_cap_run() hands it to verify_pcap_cb). */
struct verify_ctx {
	struct cap_loop l;
	unsigned flags;
	struct ipk_verify_stats *st;
	ipk_verify_fn fn;
	void *ctx;
	struct ipk_packet p;
	struct ipk_reasm *ra;      /* IPK_VERIFY_REASSEMBLE: in ra_mem, else NULL */
	void *ra_mem;
	struct ipk_packet q;       /* a reassembled datagram */
	struct ipk_verify_stats tmp; /* its counts, before the codes join st */
};

/* A datagram the reassembler is done with, at frame: verified and counted in reasm_*. */
static void verify_dgram(struct verify_ctx *v, const struct ipk_reasm_dgram *dg, uint64_t frame)
{
	struct ipk_verify_stats *st = v->st;
	struct ipk_verify_res r;
	unsigned fail;

	if (dg->reason) {
		memset(&r, 0, sizeof(r));
		memset(&v->q, 0, sizeof(v->q));
		ipk_findings_add(&v->q.findings, dg->reason, IPK_LAYER_IPV4, 0);
		st->reasm_dropped++;
		st->codes[ipk_verify_code_index(dg->reason)]++;
		fail = v->flags & IPK_VERIFY_STRICT ? IPK_VF_FINDING : 0;
		r.fail = fail;
	} else {
		memset(&v->tmp, 0, sizeof(v->tmp));
		fail = verify_one(IPK_DLT_RAW, dg->data, dg->len, dg->len, v->flags, &v->q, &r,
				  &v->tmp);
		for (unsigned i = 0; i < IPK_VERIFY_NCODES; i++)
			st->codes[i] += v->tmp.codes[i];
		st->reasm_done++;
		st->reasm_udp_checked += v->tmp.udp_csum_checked;
	}
	r.reasm = dg;
	if (fail) {
		st->reasm_failed++;
		if (v->fn)
			v->fn(v->ctx, frame, &v->q, &r);
	}
}

/* The reassembler's part of a frame already verified (fail, r): datagrams whose time ran out, then
 * the frame itself when it is a fragment, whose findings join its own. Returns the frame's fail
 * bits; *done is 1 when the frame finished a datagram (in *dg). */
static unsigned reasm_frame(struct verify_ctx *v, const struct pcap_pkthdr *h, const uint8_t *data,
			    uint64_t frame, unsigned fail, struct ipk_verify_res *r,
			    struct ipk_reasm_dgram *dg, int *done)
{
	struct ipk_packet *p = &v->p;
	struct ipk_findings rf = {.n = 0};
	uint64_t now = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

	*done = 0;
	while (ipk_reasm_expire(v->ra, now, dg))
		verify_dgram(v, dg, frame);
	if (!p->has_ip4 || !(p->ip4.mf || p->ip4.frag_off))
		return fail;
	*done = ipk_reasm_add(v->ra, data + p->ip_off, h->caplen - p->ip_off, now, frame, &rf,
			      p->ip_off, dg) == 1;
	for (unsigned i = 0; i < rf.n; i++) {
		ipk_findings_add(&p->findings, rf.v[i].code, rf.v[i].layer, rf.v[i].offset);
		v->st->codes[ipk_verify_code_index(rf.v[i].code)]++;
	}
	if (rf.n && (v->flags & IPK_VERIFY_STRICT)) {
		if (!fail) { /* it was counted as passed */
			v->st->passed--;
			count_fail(v->st, IPK_VF_FINDING);
		}
		fail |= IPK_VF_FINDING;
	}
	r->fail = fail;
	return fail;
}

/* pcap_loop() callback of a verify: straight to verify_one(), no ipk_cap_frame in between. */
static void verify_pcap_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct verify_ctx *v = (struct verify_ctx *)(void *)user;
	struct ipk_verify_res r;
	struct ipk_reasm_dgram dg;
	int done = 0;

	if (ipk_cap_check(&v->l, h, v->l.info->frames + 1))
		return;
	uint64_t frame = ++v->l.info->frames;

	unsigned fail = verify_one(v->l.dlt, data, h->caplen, h->len, v->flags, &v->p, &r, v->st);
	if (H_UNLIKELY(v->ra != NULL))
		fail = reasm_frame(v, h, data, frame, fail, &r, &dg, &done);
	if (fail && v->fn)
		v->fn(v->ctx, frame, &v->p, &r);
	if (done)
		verify_dgram(v, &dg, frame);
}

int ipk_verify_file(const char *path, unsigned flags, struct ipk_verify_stats *st,
		    ipk_verify_fn fn, void *ctx, char *err, size_t errlen)
{
	struct verify_ctx *v = malloc(sizeof(*v));
	struct ipk_cap_info info;
	struct ipk_reasm_dgram dg;
	if (!v)
		return -ENOMEM;
	v->l = (struct cap_loop){NULL, NULL, NULL, &info, 0, 0, NULL, NULL, 0};
	v->flags = flags;
	v->st = st;
	v->fn = fn;
	v->ctx = ctx;
	v->ra = NULL;
	v->ra_mem = NULL;
	if (flags & IPK_VERIFY_REASSEMBLE) {
		struct ipk_reasm_cfg cfg;
		ipk_reasm_cfg_default(&cfg);
		v->ra_mem = malloc(cfg.mem);
		v->ra = v->ra_mem ? ipk_reasm_init(v->ra_mem, &cfg) : NULL;
		if (!v->ra) {
			free(v->ra_mem);
			free(v);
			return -ENOMEM;
		}
	}
	int rc = ipk_cap_run(path, verify_pcap_cb, &v->l, err, errlen);
	st->cut_records += info.cut_records;
	while (v->ra && ipk_reasm_flush(v->ra, &dg)) /* the file ended: what is left is incomplete */
		verify_dgram(v, &dg, info.frames);
	free(v->ra_mem);
	free(v);
	return rc;
}
