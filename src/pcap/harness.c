/* harness.c - the pcap harness: capture reading on libpcap, verify (decode, re-marshal, IPv4/IGMP/UDP checksums, RFC 791/768/1071), golden JSON compare. */
#define _DEFAULT_SOURCE /* u_char in pcap.h */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/internal.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/fmt.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/link.h"
#include "ipv4kit/packet.h"

#define RBUF_SIZE (1u << 20)   /* stdio buffer of a capture that is not a regular file */

/* err = "a: b" */
static void seterr(char *err, size_t errlen, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", a, b);
}

/*
 * Open path as a stream for libpcap, which reads every record with two fread() calls. A regular
 * file is opened in glibc's mmap mode ("m"): stdio maps the file and fread() copies straight out
 * of the mapping, with no read() calls, no kernel copy of every byte and no second buffer (a
 * cookie stream such as fmemopen() costs a copy and a byte loop per record header). Anything
 * else (a FIFO, a character device, an empty file) gets stdio with a large buffer; glibc falls
 * back to read() by itself when the map fails. No stdio locking either way: one thread uses the
 * stream. "-" is standard input. Returns NULL with -errno in *e when path cannot be opened.
 */
static FILE *cap_open(const char *path, int *e)
{
	struct stat st;
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*e = -errno;
		return NULL;
	}
	int map = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	FILE *fp = fdopen(fd, map ? "rbm" : "rb");
	if (!fp) {
		*e = -errno;
		close(fd);
		return NULL;
	}
	if (!map)
		setvbuf(fp, NULL, _IOFBF, RBUF_SIZE);
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	return fp;
}

#if defined(__GNUC__)
#define H_INLINE inline __attribute__((always_inline))
#define H_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define H_INLINE inline
#define H_UNLIKELY(x) (x)
#endif

/* State of one pcap_loop() over a capture. */
struct cap_loop {
	pcap_t *pc;
	ipk_cap_fn fn;
	void *ctx;
	struct ipk_cap_info *info;
	int dlt;
	int ret;
};

/* pcap_loop() callback: one frame to fn; fn's non-zero return breaks the loop. */
static void cap_loop_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct cap_loop *l = (struct cap_loop *)user;
	struct ipk_cap_frame f;

	f.frame = ++l->info->frames;
	f.sec = (int64_t)h->ts.tv_sec;
	f.nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: opened with PCAP_TSTAMP_PRECISION_NANO */
	f.data = data;
	f.caplen = h->caplen;
	f.wirelen = h->len;
	l->ret = l->fn(l->ctx, l->dlt, &f);
	if (l->ret)
		pcap_breakloop(l->pc);
}

/*
 * ipk_cap_read() with the pcap_loop() callback cb, which gets l (l->info set by the caller, zeroed
 * here; l->pc and l->dlt set here). cb counts l->info->frames and sets l->ret to stop.
 */
static int cap_run(const char *path, pcap_handler cb, struct cap_loop *l, char *err,
		   size_t errlen)
{
	struct ipk_cap_info *info = l->info;
	char eb[PCAP_ERRBUF_SIZE] = "";
	int e = 0;

	memset(info, 0, sizeof(*info));
	l->ret = 0;
	if (err && errlen)
		err[0] = 0;
	FILE *fp = cap_open(path, &e);
	if (!fp) {
		seterr(err, errlen, path, strerror(-e));
		return e;
	}
	pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
	if (!pc) {
		fclose(fp);
		if (err && errlen)
			snprintf(err, errlen, "%s: not a pcap or pcapng capture (libpcap: %s)", path, eb);
		return IPK_E_INVAL;
	}
	int dlt = pcap_datalink(pc);
	int rc, ret = 0;
	info->dlt = dlt;
	if (strcmp(ipk_link_name(dlt), "unknown") == 0) {
		const char *n = pcap_datalink_val_to_name(dlt);
		if (err && errlen)
			snprintf(err, errlen, "%s: link type %d (%s) is not one the codec decodes", path,
				 dlt, n ? n : "?");
		ret = IPK_E_LINK_TYPE;
		goto out;
	}
	/* pcap_loop() rather than pcap_next_ex(): one libpcap call for the whole file */
	l->pc = pc;
	l->dlt = dlt;
	rc = pcap_loop(pc, -1, cb, (u_char *)l);
	ret = l->ret;
	if (!ret && rc == PCAP_ERROR) {
		const char *m = pcap_geterr(pc);
		char where[64];
		snprintf(where, sizeof(where), "%llu", (unsigned long long)info->frames);
		if (strstr(m, "truncated")) {
			/* the file ends inside a record: count it, keep what was read */
			info->cut_records = 1;
		} else if (strstr(m, "snapshot length")) {
			char msg[PCAP_ERRBUF_SIZE + 128];
			snprintf(msg, sizeof(msg), "%s (libpcap 1.10 cannot read a pcapng file whose "
				 "interfaces have different snaplens)", m);
			if (err && errlen)
				snprintf(err, errlen, "%s: after frame %s: %s", path, where, msg);
			ret = -EIO;
		} else {
			if (err && errlen)
				snprintf(err, errlen, "%s: after frame %s: %s", path, where, m);
			ret = -EIO;
		}
	}
out:
	pcap_close(pc); /* closes fp */
	return ret;
}

int ipk_cap_read(const char *path, ipk_cap_fn fn, void *ctx, struct ipk_cap_info *info,
		 char *err, size_t errlen)
{
	struct ipk_cap_info dummy;
	struct cap_loop l = {NULL, fn, ctx, info ? info : &dummy, 0, 0};

	return cap_run(path, cap_loop_cb, &l, err, errlen);
}

/* ---- verify ---- */

/* Errors that only say the record was cut by the snaplen. */
static int is_truncation(int code)
{
	switch (code) {
	case IPK_E_IP_TRUNCATED:
	case IPK_E_IP_HDR_TRUNC:
	case IPK_E_IP_SHORT:
	case IPK_E_LINK_SHORT:
	case IPK_E_L4_SHORT:
	case IPK_E_IGMP_SHORT:
	case IPK_E_IGMP_SOURCES:
	case IPK_E_IGMP_RECORDS:
		return 1;
	default:
		return 0;
	}
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
static unsigned verify_findings(const struct ipk_packet *p, unsigned flags, int truncated,
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
		else if (!(truncated && is_truncation(c)))
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
		fail = verify_findings(p, flags, truncated, st, &hdr_ok);

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
	if (p->l4 == IPK_L4_UDP && p->u.udp.checksum != 0 && !p->ip4.mf && p->ip4.frag_off == 0 &&
	    p->u.udp.len >= 8 && p->u.udp.len <= p->l4_len &&
	    p->l4_len == (size_t)(p->ip4.total_len - p->ip4.hlen)) {
		/* the whole datagram is here: recompute over the pseudo-header (RFC 768) */
		const uint8_t *u = frame + p->l4_off;
		uint32_t ps = ipk_csum_pseudo(p->ip4.src, p->ip4.dst, IPK_PROTO_UDP, p->u.udp.len);
		udp_checked = 1;
		if (st)
			st->udp_csum_checked++;
		if (H_UNLIKELY(ipk_csum_fold(ipk_csum_partial(u, p->u.udp.len, ps)) != 0)) {
			fail |= IPK_VF_UDP_CSUM;
			uint16_t w = ipk_csum_expected(u, p->u.udp.len, ps, p->u.udp.checksum);
			r->udp_csum_want = w ? w : 0xffff;
		}
	}
	r->fail = fail;
	r->truncated = (uint8_t)truncated;
	r->udp_checked = udp_checked;
	if (st) {
		st->packets++;
		if (p->has_ip4) {
			switch (p->l4) {
			case IPK_L4_IGMP: st->igmp++; break;
			case IPK_L4_UDP: st->udp++; break;
			case IPK_L4_TCP: st->tcp++; break;
			case IPK_L4_ICMP: st->icmp++; break;
			default: st->other_ip++; break;
			}
		} else if (p->has_link && p->link.ethertype != IPK_ETHERTYPE_IPV4) {
			st->not_ip++;
		} else {
			st->invalid++;
		}
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

/* A verify over a file: the pcap_loop() state first (cap_run() hands it to verify_pcap_cb). */
struct verify_ctx {
	struct cap_loop l;
	unsigned flags;
	struct ipk_verify_stats *st;
	ipk_verify_fn fn;
	void *ctx;
	struct ipk_packet p;
};

/* pcap_loop() callback of a verify: straight to verify_one(), no ipk_cap_frame in between. */
static void verify_pcap_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct verify_ctx *v = (struct verify_ctx *)(void *)user;
	struct ipk_verify_res r;
	uint64_t frame = ++v->l.info->frames;

	if (verify_one(v->l.dlt, data, h->caplen, h->len, v->flags, &v->p, &r, v->st) && v->fn)
		v->fn(v->ctx, frame, &v->p, &r);
}

int ipk_verify_file(const char *path, unsigned flags, struct ipk_verify_stats *st,
		    ipk_verify_fn fn, void *ctx, char *err, size_t errlen)
{
	struct verify_ctx *v = malloc(sizeof(*v));
	struct ipk_cap_info info;
	if (!v)
		return -ENOMEM;
	v->l = (struct cap_loop){NULL, NULL, NULL, &info, 0, 0};
	v->flags = flags;
	v->st = st;
	v->fn = fn;
	v->ctx = ctx;
	int rc = cap_run(path, verify_pcap_cb, &v->l, err, errlen);
	st->cut_records += info.cut_records;
	free(v);
	return rc;
}

/* ---- JSON key diff ---- */

struct leaf {
	size_t path;       /* offset into the path arena */
	const char *val;
	size_t vlen;
	int matched;
};

struct flat {
	struct leaf *v;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
};

struct jp {
	const char *s, *end;
	struct flat *f;
	char path[512];
	size_t plen;
	int depth;
};

static void skip_ws(struct jp *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\n' || *j->s == '\r' || *j->s == '\t'))
		j->s++;
}

static int add_leaf(struct jp *j, const char *val, size_t vlen)
{
	struct flat *f = j->f;
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		struct leaf *nv = realloc(f->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		f->v = nv;
		f->cap = nc;
	}
	if (f->alen + j->plen + 1 > f->acap) {
		size_t nc = (f->acap ? f->acap * 2 : 4096) + j->plen + 1;
		char *na = realloc(f->arena, nc);
		if (!na)
			return -1;
		f->arena = na;
		f->acap = nc;
	}
	memcpy(f->arena + f->alen, j->path, j->plen);
	f->arena[f->alen + j->plen] = 0;
	f->v[f->n++] = (struct leaf){f->alen, val, vlen, 0};
	f->alen += j->plen + 1;
	return 0;
}

static int parse_value(struct jp *j);

/* Append ".key" (a set) or "[idx]" to the path; returns the old length to restore. */
static size_t path_push(struct jp *j, const char *a, size_t alen, size_t idx)
{
	size_t old = j->plen;
	int w;
	if (a)
		w = snprintf(j->path + j->plen, sizeof(j->path) - j->plen, "%s%.*s",
			     j->plen ? "." : "", (int)alen, a);
	else
		w = snprintf(j->path + j->plen, sizeof(j->path) - j->plen, "[%zu]", idx);
	if (w > 0)
		j->plen += (size_t)w < sizeof(j->path) - j->plen ? (size_t)w
								 : sizeof(j->path) - j->plen - 1;
	return old;
}

static int parse_string(struct jp *j, const char **start, size_t *len)
{
	if (j->s >= j->end || *j->s != '"')
		return -1;
	const char *b = j->s++;
	while (j->s < j->end && *j->s != '"') {
		if (*j->s == '\\')
			j->s++;
		j->s++;
	}
	if (j->s >= j->end)
		return -1;
	j->s++;
	*start = b;
	*len = (size_t)(j->s - b);
	return 0;
}

static int parse_value(struct jp *j)
{
	skip_ws(j);
	if (j->s >= j->end || ++j->depth > 32)
		return -1;
	int rc = 0;
	if (*j->s == '{' || *j->s == '[') {
		int obj = *j->s == '{';
		char close = obj ? '}' : ']';
		size_t idx = 0;
		j->s++;
		skip_ws(j);
		if (j->s < j->end && *j->s == close) {
			j->s++;
			/* an empty container is a leaf of its own, so [] vs [x] shows */
			rc = add_leaf(j, obj ? "{}" : "[]", 2);
			j->depth--;
			return rc;
		}
		for (;;) {
			size_t old;
			skip_ws(j);
			if (obj) {
				const char *k;
				size_t kl;
				if (parse_string(j, &k, &kl))
					return -1;
				old = path_push(j, k + 1, kl - 2, 0);
				skip_ws(j);
				if (j->s >= j->end || *j->s != ':')
					return -1;
				j->s++;
			} else {
				old = path_push(j, NULL, 0, idx);
			}
			if (parse_value(j))
				return -1;
			j->plen = old;
			idx++;
			skip_ws(j);
			if (j->s < j->end && *j->s == ',') {
				j->s++;
				continue;
			}
			if (j->s < j->end && *j->s == close) {
				j->s++;
				break;
			}
			return -1;
		}
	} else if (*j->s == '"') {
		const char *v;
		size_t vl;
		if (parse_string(j, &v, &vl))
			return -1;
		rc = add_leaf(j, v, vl);
	} else {
		const char *b = j->s;
		while (j->s < j->end && (strchr("+-.0123456789eE", *j->s) || (*j->s >= 'a' && *j->s <= 'z')))
			j->s++;
		if (j->s == b)
			return -1;
		rc = add_leaf(j, b, (size_t)(j->s - b));
	}
	j->depth--;
	return rc;
}

static int flatten(const char *s, size_t len, struct flat *f)
{
	struct jp j = {s, s + len, f, "", 0, 0};
	if (parse_value(&j))
		return -1;
	skip_ws(&j);
	return j.s == j.end ? 0 : -1;
}

static void flat_free(struct flat *f)
{
	free(f->v);
	free(f->arena);
}

struct outbuf {
	char *p;
	size_t cap, len;
	int full;
};

/* Append s[0..n) (n: strlen when SIZE_MAX); marks the buffer full with "..." when it is. */
static void out_add(struct outbuf *o, const char *s, size_t n)
{
	if (o->full || !o->cap)
		return;
	if (n == SIZE_MAX)
		n = strlen(s);
	if (n >= o->cap - o->len) {
		o->full = 1;
		if (o->cap >= 5) {
			o->len = o->cap - 5;
			memcpy(o->p + o->len, "...\n", 5);
		}
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

/* "  path: a -> b\n" */
static void out_line(struct outbuf *o, const char *path, const char *a, size_t al, const char *mid,
		     const char *b, size_t bl)
{
	out_add(o, "  ", 2);
	out_add(o, path, SIZE_MAX);
	out_add(o, ": ", 2);
	out_add(o, a, al);
	out_add(o, mid, SIZE_MAX);
	out_add(o, b, bl);
	out_add(o, "\n", 1);
}

struct pidx {
	const char *path;
	struct leaf *l;
};

static int cmp_pidx(const void *a, const void *b)
{
	return strcmp(((const struct pidx *)a)->path, ((const struct pidx *)b)->path);
}

int ipk_json_diff(const char *want, size_t wlen, const char *got, size_t glen, char *out,
		  size_t cap)
{
	struct flat w = {0}, g = {0};
	struct outbuf o = {out, cap, 0, 0};
	int ndiff = 0;

	if (cap)
		out[0] = 0;
	while (wlen && (want[wlen - 1] == '\n' || want[wlen - 1] == '\r'))
		wlen--;
	while (glen && (got[glen - 1] == '\n' || got[glen - 1] == '\r'))
		glen--;
	if (flatten(want, wlen, &w) || flatten(got, glen, &g)) {
		flat_free(&w);
		flat_free(&g);
		return IPK_E_INVAL;
	}
	/* Match leaves by path: sorted index of got, binary search for each leaf of want. */
	struct pidx *gi = malloc((g.n + 1) * sizeof(*gi));
	if (!gi) {
		flat_free(&w);
		flat_free(&g);
		return IPK_E_NOSPACE;
	}
	for (size_t i = 0; i < g.n; i++)
		gi[i] = (struct pidx){g.arena + g.v[i].path, &g.v[i]};
	qsort(gi, g.n, sizeof(*gi), cmp_pidx);
	for (size_t i = 0; i < w.n; i++) {
		const char *path = w.arena + w.v[i].path;
		size_t lo = 0, hi = g.n;
		struct leaf *m = NULL;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(gi[mid].path, path);
			if (c == 0) {
				m = gi[mid].l;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!m) {
			ndiff++;
			out_line(&o, path, w.v[i].val, w.v[i].vlen, " -> missing", "", 0);
			continue;
		}
		m->matched = 1;
		if (m->vlen != w.v[i].vlen || memcmp(m->val, w.v[i].val, m->vlen) != 0) {
			ndiff++;
			out_line(&o, path, w.v[i].val, w.v[i].vlen, " -> ", m->val, m->vlen);
		}
	}
	for (size_t i = 0; i < g.n; i++)
		if (!g.v[i].matched) {
			const char *path = g.arena + g.v[i].path;
			ndiff++;
			out_line(&o, path, "", 0, "unexpected ", g.v[i].val, g.v[i].vlen);
		}
	free(gi);
	flat_free(&w);
	flat_free(&g);
	return ndiff;
}

/* ---- golden ---- */

struct golden_ctx {
	FILE *exp;           /* expected lines (compare) */
	FILE *out;           /* output (write) */
	ipk_golden_fn fn;
	void *ctx;
	long ndiff;
	char *line;
	size_t lcap;
	char *js;            /* formatter output, IPK_FMT_HUGE */
	char *diff;
	struct ipk_packet p;
	int werr;
};

#define DIFF_CAP 8192

static int golden_json(struct golden_ctx *g, int dlt, const struct ipk_cap_frame *f)
{
	struct ipk_fmt_meta m = {f->frame, f->sec, f->nsec};
	ipk_packet_decode(dlt, f->data, f->caplen, f->wirelen, &g->p);
	return ipk_fmt_packet(&g->p, &m, IPK_FMT_JSON, g->js, IPK_FMT_HUGE);
}

static int golden_cmp_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct golden_ctx *g = ctx;
	int n = golden_json(g, dlt, f);
	if (n < 0)
		return 1;
	ssize_t ll = getline(&g->line, &g->lcap, g->exp);
	if (ll < 0) {
		g->ndiff++;
		if (g->fn)
			g->fn(g->ctx, f->frame, "  not in the expected file (the capture has more frames)\n");
		return 0;
	}
	size_t a = (size_t)ll, b = (size_t)n;
	while (a && (g->line[a - 1] == '\n' || g->line[a - 1] == '\r'))
		a--;
	while (b && g->js[b - 1] == '\n')
		b--;
	if (a == b && memcmp(g->line, g->js, a) == 0)
		return 0;
	g->ndiff++;
	if (g->fn) {
		int d = ipk_json_diff(g->line, a, g->js, b, g->diff, DIFF_CAP);
		if (d < 0)
			g->fn(g->ctx, f->frame, "  expected line is not valid JSON\n");
		else if (d == 0)
			g->fn(g->ctx, f->frame, "  same keys and values, different text (key order or spacing)\n");
		else
			g->fn(g->ctx, f->frame, g->diff);
	}
	return 0;
}

static int golden_alloc(struct golden_ctx *g)
{
	g->js = malloc(IPK_FMT_HUGE);
	g->diff = malloc(DIFF_CAP);
	return g->js && g->diff ? 0 : -ENOMEM;
}

static void golden_release(struct golden_ctx *g)
{
	free(g->js);
	free(g->diff);
	free(g->line);
}

long ipk_golden_compare(const char *path, const char *expected, ipk_golden_fn fn, void *ctx,
			char *err, size_t errlen)
{
	struct golden_ctx *g = calloc(1, sizeof(*g));
	struct ipk_cap_info info;
	long ret;

	if (!g || golden_alloc(g)) {
		if (g)
			golden_release(g);
		free(g);
		return -ENOMEM;
	}
	g->exp = fopen(expected, "r");
	if (!g->exp) {
		int e = errno;
		seterr(err, errlen, expected, strerror(e));
		golden_release(g);
		free(g);
		return -e;
	}
	g->fn = fn;
	g->ctx = ctx;
	int rc = ipk_cap_read(path, golden_cmp_cb, g, &info, err, errlen);
	if (rc == 0) {
		/* expected lines left over: frames the capture no longer has */
		uint64_t fr = info.frames;
		while (getline(&g->line, &g->lcap, g->exp) >= 0) {
			fr++;
			g->ndiff++;
			if (fn)
				fn(ctx, fr, "  missing from the capture (the expected file has more frames)\n");
		}
		ret = g->ndiff;
	} else if (rc > 0) {
		ret = IPK_E_NOSPACE;
		seterr(err, errlen, path, "a frame's JSON does not fit the formatter buffer");
	} else {
		ret = rc;
	}
	fclose(g->exp);
	golden_release(g);
	free(g);
	return ret;
}

static int golden_write_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct golden_ctx *g = ctx;
	int n = golden_json(g, dlt, f);
	if (n < 0)
		return 1;
	if (fwrite(g->js, 1, (size_t)n, g->out) != (size_t)n)
		g->werr = errno ? errno : EIO;
	return 0;
}

long ipk_golden_write(const char *path, const char *out, char *err, size_t errlen)
{
	char tmp[4096];
	struct ipk_cap_info info;
	struct golden_ctx *g = calloc(1, sizeof(*g));
	if (!g || golden_alloc(g)) {
		if (g)
			golden_release(g);
		free(g);
		return -ENOMEM;
	}
	int w = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
	if (w < 0 || (size_t)w >= sizeof(tmp)) {
		golden_release(g);
		free(g);
		seterr(err, errlen, out, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	g->out = fopen(tmp, "w");
	if (!g->out) {
		int e = errno;
		golden_release(g);
		free(g);
		seterr(err, errlen, tmp, strerror(e));
		return -e;
	}
	long ret = ipk_cap_read(path, golden_write_cb, g, &info, err, errlen);
	if (ret > 0)
		ret = IPK_E_NOSPACE;
	if (fflush(g->out) != 0 && !g->werr)
		g->werr = errno;
	if (fclose(g->out) != 0 && !g->werr)
		g->werr = errno;
	if (ret == 0 && g->werr) {
		seterr(err, errlen, tmp, strerror(g->werr));
		ret = -g->werr;
	}
	if (ret == 0 && rename(tmp, out) != 0) {
		int e = errno;
		seterr(err, errlen, out, strerror(e));
		ret = -e;
	}
	if (ret == 0)
		ret = (long)info.frames;
	else
		unlink(tmp);
	golden_release(g);
	free(g);
	return ret;
}
