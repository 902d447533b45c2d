/* igmp.c - IGMPv1/v2/v3 parse, records, checks, MRC/QQIC, builders (RFC 1112, 2236, 3376). */
#include "codec/csum_inline.h"
#include "codec/internal.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/igmp.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"

#if defined(__GNUC__)
#define IGMP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define IGMP_UNLIKELY(x) (x)
#endif

#define IGMP_ALL_DVMRP IPK_IP4_ADDR(224, 0, 0, 4)
#define IGMP_ALL_SNOOPERS IPK_IP4_ADDR(224, 0, 0, 106) /* RFC 4286 */

/* ---- parse ---- */

int ipk_igmp_parse(const uint8_t *buf, size_t len, struct ipk_igmp *m, size_t *err_off)
{
	memset(m, 0, sizeof(*m));
	/* An IP payload is below 64 KiB; a larger len can only be a caller error: use the first
	 * 65535. */
	if (len > 0xffff)
		len = 0xffff;
	m->len = (uint16_t)len;
	if (len < IPK_IGMP_MINLEN) {
		if (err_off)
			*err_off = 0;
		return IPK_E_IGMP_SHORT;
	}
	m->type = buf[0];
	m->code = buf[1];
	m->checksum = ipk_be16(buf + 2);
	m->checksum_ok = ipk_csum(buf, len) == 0;

	switch (m->type) {
	case IPK_IGMP_QUERY:
		m->group = ipk_be32(buf + 4);
		if (len == IPK_IGMP_MINLEN) {
			/* RFC 3376 7.1: an 8-byte query is v1 when the code is 0, else v2 */
			m->version = m->code ? 2 : 1;
			return 0;
		}
		if (len < IPK_IGMP_V3Q_MINLEN) {
			if (err_off)
				*err_off = IPK_IGMP_MINLEN;
			return IPK_E_IGMP_QUERY_LEN;
		}
		m->version = 3;
		m->resv = buf[8] >> 4;
		m->s = (buf[8] >> 3) & 1;
		m->qrv = buf[8] & 7;
		m->qqic = buf[9];
		m->nsrcs = ipk_be16(buf + 10);
		m->srcs = buf + IPK_IGMP_V3Q_MINLEN;
		if ((size_t)m->nsrcs * 4 > len - IPK_IGMP_V3Q_MINLEN) {
			if (err_off)
				*err_off = 10;
			return IPK_E_IGMP_SOURCES;
		}
		return 0;
	case IPK_IGMP_V1_REPORT:
		m->version = 1;
		m->group = ipk_be32(buf + 4);
		return 0;
	case IPK_IGMP_V2_REPORT:
	case IPK_IGMP_V2_LEAVE:
		m->version = 2;
		m->group = ipk_be32(buf + 4);
		return 0;
	case IPK_IGMP_V3_REPORT:
		m->version = 3;
		m->reserved = ipk_be16(buf + 4);
		m->nrecs = ipk_be16(buf + 6);
		m->recs = buf + IPK_IGMP_MINLEN;
		m->recs_len = (uint16_t)(len - IPK_IGMP_MINLEN);
		return 0;
	default:
		/* DVMRP, PIMv1, mtrace, MRD and unknown types: the fixed 8-byte header only */
		m->group = ipk_be32(buf + 4);
		return 0;
	}
}

uint32_t ipk_igmp_addr(const uint8_t *srcs, size_t i)
{
	return ipk_be32(srcs + 4 * i);
}

/* ---- v3 report records ---- */

void ipk_igmp_rec_iter_init(struct ipk_igmp_rec_iter *it, const struct ipk_igmp *m,
			    const uint8_t *msg)
{
	it->msg = msg;
	it->len = m->len;
	it->off = IPK_IGMP_MINLEN;
	it->left = m->type == IPK_IGMP_V3_REPORT && m->len >= IPK_IGMP_MINLEN ? m->nrecs : 0;
	it->err_off = 0;
}

/*
 * The error is sticky: the iterator does not advance past a bad record, so every later call
 * returns the same error. err_off names the first field that does not fit: the record header
 * field cut by the end (type, aux len, source count, group), else the source count (sources
 * overrun), else the aux data length (aux data overruns).
 */
int ipk_igmp_rec_next(struct ipk_igmp_rec_iter *it, struct ipk_igmp_rec *r)
{
	if (!it->left)
		return 0;
	size_t off = it->off;
	size_t left = it->len > off ? it->len - off : 0;
	if (left < 8) {
		it->err_off = left < 1 ? off : left < 2 ? off + 1 : left < 4 ? off + 2 : off + 4;
		return IPK_E_IGMP_RECORDS;
	}
	const uint8_t *p = it->msg + off;
	size_t nsrcs = ipk_be16(p + 2);
	size_t aux = (size_t)p[1] * 4;
	left -= 8;
	if (nsrcs * 4 > left) {
		it->err_off = off + 2;
		return IPK_E_IGMP_RECORDS;
	}
	left -= nsrcs * 4;
	if (aux > left) {
		it->err_off = off + 1;
		return IPK_E_IGMP_RECORDS;
	}
	r->type = p[0];
	r->aux_words = p[1];
	r->nsrcs = (uint16_t)nsrcs;
	r->group = ipk_be32(p + 4);
	r->off = (uint16_t)off;
	r->srcs = p + 8;
	r->aux = p + 8 + nsrcs * 4;
	it->off = off + 8 + nsrcs * 4 + aux;
	it->left--;
	return 1;
}

/* ---- checks ---- */

static int has_router_alert(const struct ipk_ip4 *ip)
{
	struct ipk_opt_iter it;
	struct ipk_opt o;

	if (!ip->opts || !ip->opts_len)
		return 0;
	ipk_opt_iter_init(&it, ip->opts, ip->opts_len);
	while (ipk_opt_next(&it, &o) == 1)
		if (o.type == IPK_OPT_RA)
			return 1;
	return 0;
}

/*
 * Destination rule: the address a sender must use (RFC 2236 2/9, RFC 3376 4.1.12/4.2.14/9.1),
 * limited to what a receiver may fault. A group-specific query (any version) is not flagged:
 * v3 systems MUST accept queries to any of their addresses, and a v2 group-specific query is
 * a v3 one for a v3 host. A v3 report is flagged when not sent to 224.0.0.22 although routers
 * MUST accept it: a tester wants to see a peer that does not follow the sending rule.
 * Returns 1 when dst is wrong for the message.
 */
static int bad_dst(const struct ipk_igmp *m, uint32_t dst)
{
	switch (m->type) {
	case IPK_IGMP_QUERY:
		return m->group == 0 && dst != IPK_IGMP_ALL_SYSTEMS;
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT:
		return dst != m->group;
	case IPK_IGMP_V2_LEAVE:
		return dst != IPK_IGMP_ALL_ROUTERS;
	case IPK_IGMP_V3_REPORT:
		return dst != IPK_IGMP_V3_ROUTERS;
	default:
		return 0;
	}
}

int ipk_igmp_check(const struct ipk_ip4 *ip, const struct ipk_igmp *m, size_t base_ip, size_t base,
		   struct ipk_findings *f)
{
	unsigned n0 = f->n + f->dropped;
	int membership = m->version != 0;

	if (ip) {
		/* Membership messages only: DVMRP, mtrace and PIMv1 legitimately cross routers
		 * (FreeBSD igmp_input exempts DVMRP the same way). */
		if (membership && ip->ttl != 1)
			ipk_findings_add(f, IPK_E_IGMP_TTL, IPK_LAYER_IGMP, base_ip + 8);
		if ((m->version == 2 || m->version == 3) && !has_router_alert(ip))
			ipk_findings_add(f, IPK_E_IGMP_NO_RA, IPK_LAYER_IGMP, base_ip + 0);
		if (membership && bad_dst(m, ip->dst))
			ipk_findings_add(f, IPK_E_IGMP_DST, IPK_LAYER_IGMP, base_ip + 16);
		if (ip->mf || ip->frag_off)
			ipk_findings_add(f, IPK_E_IGMP_FRAGMENT, IPK_LAYER_IGMP, base_ip + 6);
	}
	/* Not membership and not DVMRP, PIMv1, mtrace or MRD either: a type nobody defined. */
	if (!membership && m->len >= IPK_IGMP_MINLEN &&
	    strcmp(ipk_igmp_type_name(m->type), "unknown") == 0)
		ipk_findings_add(f, IPK_E_IGMP_UNKNOWN_TYPE, IPK_LAYER_IGMP, base);
	if (!membership || m->len < IPK_IGMP_MINLEN)
		return (int)(f->n + f->dropped - n0);

	switch (m->type) {
	case IPK_IGMP_QUERY:
		if (m->group && !ipk_ip4_is_multicast(m->group))
			ipk_findings_add(f, IPK_E_IGMP_GROUP, IPK_LAYER_IGMP, base + 4);
		break;
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT:
	case IPK_IGMP_V2_LEAVE:
		if (!ipk_ip4_is_multicast(m->group))
			ipk_findings_add(f, IPK_E_IGMP_GROUP, IPK_LAYER_IGMP, base + 4);
		break;
	default:
		break;
	}

	if (m->version != 3) {
		if (m->len > IPK_IGMP_MINLEN)
			ipk_findings_add(f, IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP,
					 base + IPK_IGMP_MINLEN);
	} else if (m->type == IPK_IGMP_QUERY) {
		size_t end = IPK_IGMP_V3Q_MINLEN + (size_t)m->nsrcs * 4;
		if (m->group == 0 && m->nsrcs)
			ipk_findings_add(f, IPK_E_IGMP_GQ_SOURCES, IPK_LAYER_IGMP, base + 10);
		if (m->len > end)
			ipk_findings_add(f, IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP, base + end);
	} else {
		/* v3 report: each record's group must be multicast; bytes after the last record
		 * are trailing; a record list that runs past the message is the walk's error. */
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		int rc;
		if (!m->recs)
			return (int)(f->n + f->dropped - n0);
		ipk_igmp_rec_iter_init(&it, m, m->recs - IPK_IGMP_MINLEN);
		while ((rc = ipk_igmp_rec_next(&it, &r)) == 1)
			if (!ipk_ip4_is_multicast(r.group))
				ipk_findings_add(f, IPK_E_IGMP_GROUP, IPK_LAYER_IGMP,
						 base + r.off + 4);
		if (rc == 0 && it.off < m->len)
			ipk_findings_add(f, IPK_E_IGMP_TRAILING, IPK_LAYER_IGMP, base + it.off);
		else if (rc < 0)
			ipk_findings_add(f, rc, IPK_LAYER_IGMP, base + it.err_off);
	}
	return (int)(f->n + f->dropped - n0);
}

/* ---- MRC / QQIC ---- */

unsigned ipk_igmp_code_decode(uint8_t code)
{
	if (code < 128)
		return code;
	return (unsigned)((code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3);
}

uint8_t ipk_igmp_code_encode(unsigned value)
{
	unsigned exp = 0;

	if (value < 128)
		return (uint8_t)value;
	if (value >= 31744)
		return 0xff;
	while ((value >> (exp + 3)) > 0x1f)
		exp++;
	return (uint8_t)(0x80 | exp << 4 | ((value >> (exp + 3)) & 0x0f));
}

/* ---- names ---- */

const char *ipk_igmp_type_name(uint8_t type)
{
	switch (type) {
	case IPK_IGMP_QUERY:
		return "query";
	case IPK_IGMP_V1_REPORT:
		return "v1 report";
	case IPK_IGMP_DVMRP:
		return "dvmrp";
	case IPK_IGMP_PIMV1:
		return "pimv1";
	case IPK_IGMP_V2_REPORT:
		return "v2 report";
	case IPK_IGMP_V2_LEAVE:
		return "leave";
	case IPK_IGMP_MTRACE_RESP:
		return "mtrace resp";
	case IPK_IGMP_MTRACE:
		return "mtrace";
	case IPK_IGMP_V3_REPORT:
		return "v3 report";
	case IPK_IGMP_MRD_ADV:
		return "mrd adv";
	case IPK_IGMP_MRD_SOL:
		return "mrd sol";
	case IPK_IGMP_MRD_TERM:
		return "mrd term";
	default:
		return "unknown";
	}
}

const char *ipk_igmp_rec_name(uint8_t type)
{
	static const char *const names[] = {"unknown", "is_in", "is_ex", "to_in",
					    "to_ex",   "allow", "block"};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

/* ---- builders ---- */

static void put_csum(uint8_t *msg, size_t len)
{
	msg[2] = 0;
	msg[3] = 0;
	ipk_put16(msg + 2, ipk_csum(msg, len));
}

enum { FMT_8, FMT_V3Q, FMT_V3R };

/* IPK_E_NOSPACE unless len bytes and o's trailing bytes fit at the cursor. */
static int over_room(const struct ipk_wbuf *w, size_t len, const struct ipk_igmp_over *o)
{
	size_t t = o ? o->trail_len : 0;
	if (w->cap < w->len || len > w->cap - w->len || t > w->cap - w->len - len)
		return IPK_E_NOSPACE;
	return 0;
}

/* Apply o to the message of format fmt just built at w->buf + start (its room checked by
 * over_room()): trailing bytes, fields, then the checksum over it all. */
static void over_apply(struct ipk_wbuf *w, size_t start, int fmt, const struct ipk_igmp_over *o)
{
	uint8_t *m = w->buf + start;
	if (o->trail_len) {
		memcpy(w->buf + w->len, o->trail, o->trail_len);
		w->len += o->trail_len;
	}
	if (o->keep & IPK_IGMP_KEEP_TYPE)
		m[0] = o->type;
	if (o->keep & IPK_IGMP_KEEP_CODE)
		m[1] = o->code;
	if ((o->keep & IPK_IGMP_KEEP_COUNT) && fmt != FMT_8)
		ipk_put16(m + (fmt == FMT_V3Q ? 10 : 6), o->count);
	if ((o->keep & IPK_IGMP_KEEP_RESV) && fmt == FMT_V3R)
		ipk_put16(m + 4, o->resv);
	if (o->keep & IPK_IGMP_KEEP_CSUM)
		ipk_put16(m + 2, o->checksum);
	else
		put_csum(m, w->len - start);
}

int ipk_igmp_put8(struct ipk_wbuf *w, uint8_t type, uint8_t code, uint32_t group,
		  const struct ipk_igmp_over *o)
{
	size_t start = w->len;
	if (over_room(w, IPK_IGMP_MINLEN, o))
		return IPK_E_NOSPACE;
	uint8_t *p = ipk_wbuf_reserve(w, IPK_IGMP_MINLEN);
	p[0] = type;
	p[1] = code;
	ipk_put32(p + 4, group);
	if (o)
		over_apply(w, start, FMT_8, o);
	else
		put_csum(p, IPK_IGMP_MINLEN);
	return 0;
}

int ipk_igmp_put_v1(struct ipk_wbuf *w, uint8_t type, uint32_t group)
{
	if (type != IPK_IGMP_QUERY && type != IPK_IGMP_V1_REPORT)
		return IPK_E_INVAL;
	return ipk_igmp_put8(w, type, 0, group, NULL);
}

/* Any type is accepted, so this also writes other 8-byte messages (DVMRP probes, crafted types). */
int ipk_igmp_put_v2(struct ipk_wbuf *w, uint8_t type, uint8_t max_resp, uint32_t group)
{
	return ipk_igmp_put8(w, type, max_resp, group, NULL);
}

int ipk_igmp_put_v3_query(struct ipk_wbuf *w, const struct ipk_igmp_v3q *q)
{
	if (q->resv > 15 || q->s > 1 || q->qrv > 7 || (q->nsrcs && !q->srcs))
		return IPK_E_INVAL;
	size_t len = IPK_IGMP_V3Q_MINLEN + (size_t)q->nsrcs * 4, start = w->len;
	if (over_room(w, len, q->over))
		return IPK_E_NOSPACE;
	uint8_t *p = ipk_wbuf_reserve(w, len);
	p[0] = IPK_IGMP_QUERY;
	p[1] = q->mrc;
	ipk_put32(p + 4, q->group);
	p[8] = (uint8_t)(q->resv << 4 | q->s << 3 | q->qrv);
	p[9] = q->qqic;
	ipk_put16(p + 10, q->nsrcs);
	for (size_t i = 0; i < q->nsrcs; i++)
		ipk_put32(p + 12 + 4 * i, q->srcs[i]);
	if (q->over)
		over_apply(w, start, FMT_V3Q, q->over);
	else
		put_csum(p, len);
	return 0;
}

int ipk_igmp_v3r_begin(struct ipk_wbuf *w, struct ipk_igmp_v3r *r)
{
	size_t start = w->len;
	uint8_t *p = ipk_wbuf_reserve(w, IPK_IGMP_MINLEN);
	if (!p)
		return IPK_E_NOSPACE;
	memset(p, 0, IPK_IGMP_MINLEN);
	p[0] = IPK_IGMP_V3_REPORT;
	r->start = start;
	r->nrecs = 0;
	return 0;
}

/* Aux data of a record: copied, or zeros when aux is NULL. */
static void put_aux(uint8_t *p, const uint8_t *aux, size_t alen)
{
	if (aux)
		memcpy(p, aux, alen);
	else
		memset(p, 0, alen);
}

/*
 * Any record type is written (unknown ones too); aux NULL with aux_words > 0 writes zeros.
 * Sources are copied four a turn (a load, a byte swap and a store each), then the rest; aux
 * data, rare, is written out of line.
 */
int ipk_igmp_v3r_add(struct ipk_wbuf *w, struct ipk_igmp_v3r *r, uint8_t type, uint32_t group,
		     const uint32_t *srcs, uint16_t nsrcs, const uint8_t *aux, uint8_t aux_words)
{
	size_t n = nsrcs, len = w->len;
	size_t need = 8 + 4 * (n + aux_words);

	/* the report header must be in w: start + 8 <= len */
	if (IGMP_UNLIKELY((!srcs && n) || r->nrecs == 0xffff || len < IPK_IGMP_MINLEN ||
			  r->start > len - IPK_IGMP_MINLEN))
		return IPK_E_INVAL;
	/* ipk_wbuf_reserve() with the length already loaded */
	if (IGMP_UNLIKELY(w->cap < len || need > w->cap - len))
		return IPK_E_NOSPACE;
	uint8_t *p = w->buf + len;
	w->len = len + need;
	ipk_put32(p, (uint32_t)type << 24 | (uint32_t)aux_words << 16 | (uint32_t)n);
	ipk_put32(p + 4, group);
	r->nrecs++; /* after the byte stores: reloaded, not kept live from the check */
	p += 8;
	if (n) { /* else srcs may be NULL: no arithmetic on it */
		const uint32_t *end = srcs + n;
		for (; end - srcs >= 4; srcs += 4, p += 16) {
			ipk_put32(p, srcs[0]);
			ipk_put32(p + 4, srcs[1]);
			ipk_put32(p + 8, srcs[2]);
			ipk_put32(p + 12, srcs[3]);
		}
		for (; srcs != end; srcs++, p += 4)
			ipk_put32(p, *srcs);
	}
	if (IGMP_UNLIKELY(aux_words))
		put_aux(p, aux, (size_t)aux_words * 4);
	return 0;
}

int ipk_igmp_put_v3_report(struct ipk_wbuf *w, const struct ipk_igmp_rec_spec *recs, size_t n)
{
	size_t need = IPK_IGMP_MINLEN, len = w->len;

	if (n > 0xffff || (n && !recs))
		return IPK_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		if (!recs[i].srcs && recs[i].nsrcs)
			return IPK_E_INVAL;
		need += 8 + 4 * ((size_t)recs[i].nsrcs + recs[i].aux_words);
	}
	if (w->cap < len || need > w->cap - len)
		return IPK_E_NOSPACE;
	uint8_t *msg = w->buf + len, *p = msg + IPK_IGMP_MINLEN;
	/* The one's complement sum of host-order 32-bit words folds to the same 16-bit sum as the
	 * big-endian 16-bit words on the wire (RFC 1071 2(B)), so it is taken from the values. */
	uint64_t sum = (uint32_t)IPK_IGMP_V3_REPORT << 24 | (uint32_t)n;
	ipk_put32(msg, (uint32_t)IPK_IGMP_V3_REPORT << 24);
	ipk_put32(msg + 4, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const struct ipk_igmp_rec_spec *r = &recs[i];
		uint32_t w0 = (uint32_t)r->type << 24 | (uint32_t)r->aux_words << 16 | r->nsrcs;
		ipk_put32(p, w0);
		ipk_put32(p + 4, r->group);
		sum += (uint64_t)w0 + r->group;
		p += 8;
		const uint32_t *s = r->srcs, *end = r->nsrcs ? s + r->nsrcs : s; /* s may be NULL */
		for (; end - s >= 4; s += 4, p += 16) { /* four a turn: independent stores and adds */
			ipk_put32(p, s[0]);
			ipk_put32(p + 4, s[1]);
			ipk_put32(p + 8, s[2]);
			ipk_put32(p + 12, s[3]);
			sum += (uint64_t)s[0] + s[1] + s[2] + s[3];
		}
		for (; s != end; s++, p += 4) {
			ipk_put32(p, *s);
			sum += *s;
		}
		if (IGMP_UNLIKELY(r->aux_words)) {
			size_t alen = (size_t)r->aux_words * 4;
			put_aux(p, r->aux, alen);
			for (size_t k = 0; k < alen; k += 4)
				sum += ipk_be32(p + k);
			p += alen;
		}
	}
	ipk_put16(msg + 2, (uint16_t)~ipk_csum_fold64_inl(sum));
	w->len = len + need;
	return 0;
}

int ipk_igmp_put_v3_report_over(struct ipk_wbuf *w, const struct ipk_igmp_rec_spec *recs,
				size_t n, const struct ipk_igmp_over *o)
{
	if (!o)
		return ipk_igmp_put_v3_report(w, recs, n);
	size_t start = w->len, cap = w->cap;
	if (cap < start || o->trail_len > cap - start)
		return IPK_E_NOSPACE;
	w->cap = cap - o->trail_len; /* the report leaves room for the trailing bytes */
	int rc = ipk_igmp_put_v3_report(w, recs, n);
	w->cap = cap;
	if (rc)
		return rc;
	over_apply(w, start, FMT_V3R, o);
	return 0;
}

int ipk_igmp_v3r_end(struct ipk_wbuf *w, struct ipk_igmp_v3r *r)
{
	if (r->start > w->len || w->len - r->start < IPK_IGMP_MINLEN)
		return IPK_E_INVAL;
	uint8_t *p = w->buf + r->start;
	ipk_put16(p + 6, r->nrecs);
	put_csum(p, w->len - r->start);
	return 0;
}

void ipk_igmp_set_checksum(uint8_t *msg, size_t len, int value)
{
	if (len < 4)
		return;
	if (value < 0)
		put_csum(msg, len);
	else
		ipk_put16(msg + 2, (uint16_t)value);
}

/* ---- IPv4 header ---- */

static const uint8_t igmp_ra[4] = {IPK_OPT_RA, 4, 0, 0};

static uint32_t default_dst(const uint8_t *msg, size_t msglen)
{
	uint32_t group = msglen >= IPK_IGMP_MINLEN ? ipk_be32(msg + 4) : 0;

	if (msglen < 1)
		return IPK_IGMP_ALL_SYSTEMS;
	switch (msg[0]) {
	case IPK_IGMP_QUERY:
		return group ? group : IPK_IGMP_ALL_SYSTEMS;
	case IPK_IGMP_V1_REPORT:
	case IPK_IGMP_V2_REPORT:
		return group;
	case IPK_IGMP_V2_LEAVE:
	case IPK_IGMP_MRD_SOL: /* RFC 4286 5.1 */
		return IPK_IGMP_ALL_ROUTERS;
	case IPK_IGMP_V3_REPORT:
		return IPK_IGMP_V3_ROUTERS;
	case IPK_IGMP_DVMRP:
		return IGMP_ALL_DVMRP;
	case IPK_IGMP_MRD_ADV: /* RFC 4286 4.1, 6.1 */
	case IPK_IGMP_MRD_TERM:
		return IGMP_ALL_SNOOPERS;
	default:
		return IPK_IGMP_ALL_SYSTEMS;
	}
}

/*
 * TOS is 0xC0 (Internetwork Control) for every version, not only v3: Linux's igmp_send_report()
 * and the bridge querier set it for v1/v2 messages too (igmp.pcap: Linux v2 reports and leaves
 * with tos 0xc0), and the v2-report header vector of docs/igmp.md section 6 has it.
 */
void ipk_igmp_ip4_defaults(const uint8_t *msg, size_t msglen, uint32_t src, struct ipk_ip4 *h)
{
	size_t total = IPK_IGMP_HDRROOM + msglen;

	h->version = 4;
	h->ihl = IPK_IGMP_HDRROOM / 4;
	h->hlen = IPK_IGMP_HDRROOM;
	h->tos = 0xc0;
	h->ttl = 1;
	h->proto = IPK_PROTO_IGMP;
	h->rf = 0;
	h->df = 1;
	h->mf = 0;
	h->total_len = (uint16_t)(total > 0xffff ? 0xffff : total);
	h->id = 0;
	h->frag_off = 0;
	h->checksum = 0;
	h->src = src;
	h->dst = default_dst(msg, msglen);
	h->opts = igmp_ra;
	h->opts_len = sizeof(igmp_ra);
	h->checksum_ok = 0;
	h->truncated = 0;
}

/*
 * The header of ipk_igmp_ip4_defaults() + ipk_ip4_marshal(), written as six words straight from
 * the message type: no struct round trip, the checksum summed from the words in registers (the
 * tests compare both ways for every type).
 */
int ipk_igmp_dgram_finish(uint8_t *buf, size_t cap, size_t msglen, uint32_t src)
{
	if (cap < IPK_IGMP_HDRROOM || msglen > cap - IPK_IGMP_HDRROOM)
		return IPK_E_NOSPACE;
	if (msglen > 0xffff - IPK_IGMP_HDRROOM)
		return IPK_E_TOOLONG;

	uint32_t w0 = 0x46c00000u | (uint32_t)(IPK_IGMP_HDRROOM + msglen); /* v4, IHL 6, TOS 0xC0 */
	uint32_t w1 = 0x00004000u;                                          /* ID 0, DF */
	uint32_t w2 = (uint32_t)1 << 24 | (uint32_t)IPK_PROTO_IGMP << 16;   /* TTL 1, IGMP */
	uint32_t dst = msglen && buf[IPK_IGMP_HDRROOM] == IPK_IGMP_V3_REPORT ?
			       IPK_IGMP_V3_ROUTERS : default_dst(buf + IPK_IGMP_HDRROOM, msglen);
	uint32_t ra = ipk_be32(igmp_ra);

	ipk_put32(buf, w0);
	ipk_put32(buf + 4, w1);
	ipk_put32(buf + 8, w2 | ipk_csum_words6(w0, w1, w2, src, dst, ra));
	ipk_put32(buf + 12, src);
	ipk_put32(buf + 16, dst);
	ipk_put32(buf + 20, ra);
	return (int)(IPK_IGMP_HDRROOM + msglen);
}
