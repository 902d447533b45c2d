/* igmp.c - the mutator's IGMP operations: header fields rewritten through the codec's builders, sources and group records located by the codec's parser and record walk (RFC 2236, 3376). */
#include <string.h>

#include "ipv4kit/bytes.h"
#include "ipv4kit/error.h"
#include "mutate/mut.h"

/*
 * RFC 3376 4.2.4: a group record starts with Record Type, Aux Data Len, Number of Sources (16
 * bits) and the multicast address. The record walk says where each record starts (r.off) and
 * where its sources and aux data are; these four offsets are the only ones the mutator names
 * itself, because no builder writes a record header with counts that lie.
 */
enum { REC_TYPE_AT = 0, REC_AUX_AT = 1, REC_NSRCS_AT = 2, REC_GROUP_AT = 4 };

void mut_igmp_scan(struct mut_ctx *c)
{
	unsigned mode = c->m->flags & IPK_MUT_MODE_MASK;
	const struct ipk_ip4 *h = &c->h;
	c->igmp = mode == IPK_MUT_MODE_QUERY || mode == IPK_MUT_MODE_REPORT ||
		  mode == IPK_MUT_MODE_IGMP || (mode == IPK_MUT_MODE_ANY && h->proto == IPK_PROTO_IGMP);
	c->moff = h->hlen;
	size_t end = h->total_len >= h->hlen && h->total_len <= c->len ? h->total_len : c->len;
	c->mlen = end - c->moff;
	c->grc = ipk_igmp_parse(c->buf + c->moff, c->mlen, &c->g, NULL);
	c->nrec = 0;
	c->qsrcs = 0;
	if (c->mlen < IPK_IGMP_MINLEN)
		c->fmt = FMT_NONE;
	else if (c->g.type == IPK_IGMP_QUERY && c->mlen >= IPK_IGMP_V3Q_MINLEN)
		c->fmt = FMT_V3Q;
	else if (c->g.type == IPK_IGMP_V3_REPORT)
		c->fmt = FMT_V3R;
	else
		c->fmt = FMT_8;
	if (c->fmt == FMT_V3Q) {
		size_t room = (size_t)(c->buf + c->moff + c->mlen - c->g.srcs) / 4;
		c->qsrcs = c->g.nsrcs < room ? c->g.nsrcs : room;
	} else if (c->fmt == FMT_V3R) {
		struct ipk_igmp_rec_iter it;
		ipk_igmp_rec_iter_init(&it, &c->g, c->buf + c->moff);
		while (c->nrec < MUT_MAXRECS && ipk_igmp_rec_next(&it, &c->rec[c->nrec]) == 1)
			c->rec_end[c->nrec++] = it.off;
	}
}

/* ---- the header: change the parsed struct, write it back with the builder of its format ---- */

static int hdr_write(struct mut_ctx *c, const struct ipk_igmp *ng)
{
	uint8_t tmp[IPK_IGMP_V3Q_MINLEN];
	struct ipk_wbuf w;
	struct ipk_igmp_over o = {0};
	int rc;
	ipk_wbuf_init(&w, tmp, sizeof(tmp));
	o.type = ng->type;
	o.code = ng->code;
	o.checksum = ng->checksum;
	if (c->fmt == FMT_V3Q) {
		struct ipk_igmp_v3q q = {ng->code, ng->resv, ng->s, ng->qrv, ng->qqic, ng->group,
					 NULL, 0, &o};
		o.keep = IPK_IGMP_KEEP_TYPE | IPK_IGMP_KEEP_COUNT | IPK_IGMP_KEEP_CSUM;
		o.count = ng->nsrcs;
		rc = ipk_igmp_put_v3_query(&w, &q);
	} else if (c->fmt == FMT_V3R) {
		o.keep = IPK_IGMP_KEEP_TYPE | IPK_IGMP_KEEP_CODE | IPK_IGMP_KEEP_COUNT |
			 IPK_IGMP_KEEP_RESV | IPK_IGMP_KEEP_CSUM;
		o.count = ng->nrecs;
		o.resv = ng->reserved;
		rc = ipk_igmp_put_v3_report_over(&w, NULL, 0, &o);
	} else {
		o.keep = IPK_IGMP_KEEP_TYPE | IPK_IGMP_KEEP_CSUM;
		rc = ipk_igmp_put8(&w, ng->type, ng->code, ng->group, &o);
	}
	if (rc || w.len > c->mlen)
		return -1;
	memcpy(c->buf + c->moff, tmp, w.len);
	return 0;
}

/* Write ng and note the first byte that changed. */
static int hdr_change(struct mut_ctx *c, int op, const char *field, const struct ipk_igmp *ng,
		      uint32_t old, uint32_t val)
{
	uint8_t before[IPK_IGMP_V3Q_MINLEN];
	uint8_t *msg = c->buf + c->moff;
	size_t n = c->mlen < sizeof(before) ? c->mlen : sizeof(before), off = 0;
	memcpy(before, msg, n);
	if (hdr_write(c, ng) != 0)
		return -1;
	while (off + 1 < n && before[off] == msg[off])
		off++;
	mut_note(c, op, IPK_LAYER_IGMP, field, -1, c->moff + off, old, val);
	return 0;
}

/* A Max Resp Code or QQIC: 0 (the CVE-2012-0207 trigger for MRC) one time in four, else the
 * edges of the float format (RFC 3376 4.1.1: exact below 128, mantissa/exponent from 128). */
static uint32_t code_value(struct ipk_mutator *m, uint32_t old)
{
	if (old != 0 && mut_rand(m, 4) == 0)
		return 0;
	const uint32_t v[] = {0, 1, 2, 10, 100, 126, 127, 128, 129, 0x8f, 0x90, 0xf0, 0xfe, 0xff,
			      ipk_igmp_code_encode(ipk_igmp_code_decode((uint8_t)old) + 1),
			      ipk_igmp_code_encode(ipk_igmp_code_decode((uint8_t)old) * 2),
			      ipk_igmp_code_encode(31743), ipk_igmp_code_encode(31744),
			      ipk_igmp_code_encode(mut_rand(m, 32000)), old ^ 0x80, mut_rand(m, 256)};
	return mut_pick(m, v, sizeof(v) / sizeof(v[0]), old, 0xff);
}

/* A count against the items present: 0, one less, one more, the bytes' worth plus one, the maximum. */
static uint32_t count_value(struct ipk_mutator *m, uint32_t old, uint32_t present, uint32_t room)
{
	const uint32_t v[] = {0, 1, present - 1, present + 1, present + 2, room + 1, present * 2,
			      0x8000, 0xffff, mut_rand(m, 65536)};
	return mut_pick(m, v, sizeof(v) / sizeof(v[0]), old, 0xffff);
}

static int op_type(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	struct ipk_igmp ng = c->g;
	uint32_t old = c->g.type, val;
	if ((m->flags & IPK_MUT_MODE_MASK) == IPK_MUT_MODE_REPORT) {
		const uint32_t v[] = {IPK_IGMP_V1_REPORT, IPK_IGMP_V2_REPORT, IPK_IGMP_V2_LEAVE,
				      IPK_IGMP_V3_REPORT};
		val = mut_pick(m, v, 4, old, 0xff);
	} else {
		const uint32_t v[] = {IPK_IGMP_QUERY, IPK_IGMP_V1_REPORT, IPK_IGMP_V2_REPORT,
				      IPK_IGMP_V2_LEAVE, IPK_IGMP_V3_REPORT, IPK_IGMP_DVMRP,
				      IPK_IGMP_PIMV1, IPK_IGMP_MTRACE, IPK_IGMP_MTRACE_RESP,
				      IPK_IGMP_MRD_ADV, 0x00, 0x10, 0x21, 0x23, 0xff, mut_rand(m, 256)};
		val = mut_pick(m, v, sizeof(v) / sizeof(v[0]), old, 0xff);
	}
	ng.type = (uint8_t)val;
	return hdr_change(c, IPK_MUT_IGMP_TYPE, "type", &ng, old, val);
}

/* The message length: 8 bytes is v1/v2, 9-11 an invalid query, 12 and more v3 (RFC 3376 7.1). */
static int op_len(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	uint32_t ml = (uint32_t)c->mlen;
	const uint32_t v[] = {mut_rand(m, 8), 8, 9, 10, 11, 12, 12 + 4 * (uint32_t)c->qsrcs, ml - 1,
			      ml + 1, ml - 4, ml + 4, ml + 8, ml + 3};
	uint32_t to = mut_pick(m, v, sizeof(v) / sizeof(v[0]), ml, 0xffffffffu);
	size_t end = c->moff + c->mlen;
	if (to > 0xffff - c->moff)
		return -1;
	if (to > ml) {
		if (mut_open(c, end, to - ml) != 0)
			return -1;
	} else {
		mut_close(c, c->moff + to, ml - to);
	}
	mut_add_totlen(c, (long)to - (long)ml);
	mut_note(c, IPK_MUT_IGMP_LEN, IPK_LAYER_IGMP, "message length", -1, c->moff + (to < ml ? to : ml),
		 ml, to);
	return 0;
}

static int op_code(struct mut_ctx *c, int op)
{
	struct ipk_mutator *m = c->m;
	struct ipk_igmp ng = c->g;
	uint32_t old = op == IPK_MUT_IGMP_QQIC ? c->g.qqic : c->g.code, val;
	if (c->fmt == FMT_V3Q) {
		val = code_value(m, old);
	} else {
		const uint32_t v[] = {0, 1, 10, 100, 255, mut_rand(m, 256)};
		val = mut_pick(m, v, 6, old, 0xff);
	}
	if (op == IPK_MUT_IGMP_QQIC)
		ng.qqic = (uint8_t)val;
	else
		ng.code = (uint8_t)val;
	return hdr_change(c, op, op == IPK_MUT_IGMP_QQIC ? "qqic" : c->fmt == FMT_V3Q ? "mrc" : "code",
			  &ng, old, val);
}

static int op_csum(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	uint8_t *msg = c->buf + c->moff;
	struct ipk_igmp g;
	uint32_t old = c->g.checksum;
	ipk_igmp_set_checksum(msg, c->mlen, -1);
	if (ipk_igmp_parse(msg, c->mlen, &g, NULL) == IPK_E_IGMP_SHORT)
		return -1;
	uint32_t r = g.checksum;
	const uint32_t v[] = {0, 0xffff, r ^ 1, r + 1, r - 1, r ^ 0xffff, mut_rand(m, 65536)};
	uint32_t val = mut_pick(m, v, 7, r, 0xffff);
	struct ipk_igmp ng = c->g;
	ng.checksum = (uint16_t)val;
	return hdr_change(c, IPK_MUT_IGMP_CSUM, "checksum", &ng, old, val);
}

static int op_group(struct mut_ctx *c)
{
	struct ipk_igmp ng = c->g;
	uint32_t old = c->g.group;
	ng.group = mut_addr(c->m, old);
	return hdr_change(c, IPK_MUT_IGMP_GROUP, "group", &ng, old, ng.group);
}

static int op_qrv(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	struct ipk_igmp ng = c->g;
	const struct ipk_igmp *g = &c->g;
	switch (mut_rand(m, 3)) {
	case 0: {
		const uint32_t v[] = {0, 1, 2, 7, mut_rand(m, 8)};
		ng.qrv = (uint8_t)mut_pick(m, v, 5, g->qrv, 7);
		return hdr_change(c, IPK_MUT_IGMP_QRV, "qrv", &ng, g->qrv, ng.qrv);
	}
	case 1:
		ng.s = !g->s;
		return hdr_change(c, IPK_MUT_IGMP_QRV, "s", &ng, g->s, ng.s);
	default: {
		const uint32_t v[] = {0, 1, 8, 15, mut_rand(m, 16)};
		ng.resv = (uint8_t)mut_pick(m, v, 5, g->resv, 15);
		return hdr_change(c, IPK_MUT_IGMP_QRV, "resv", &ng, g->resv, ng.resv);
	}
	}
}

static int op_resv(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	struct ipk_igmp ng = c->g;
	if (mut_rand(m, 2)) {
		const uint32_t v[] = {1, 0x80, 0xff, mut_rand(m, 256)};
		ng.code = (uint8_t)mut_pick(m, v, 4, c->g.code, 0xff);
		return hdr_change(c, IPK_MUT_IGMP_RESV, "reserved", &ng, c->g.code, ng.code);
	}
	const uint32_t v[] = {0, 1, 0x8000, 0xffff, mut_rand(m, 65536)};
	ng.reserved = (uint16_t)mut_pick(m, v, 5, c->g.reserved, 0xffff);
	return hdr_change(c, IPK_MUT_IGMP_RESV, "reserved", &ng, c->g.reserved, ng.reserved);
}

static int op_count(struct mut_ctx *c, int op)
{
	struct ipk_igmp ng = c->g;
	size_t end = c->moff + c->mlen;
	if (op == IPK_MUT_IGMP_NSRCS) {
		uint32_t room = (uint32_t)((size_t)(c->buf + end - c->g.srcs) / 4);
		ng.nsrcs = (uint16_t)count_value(c->m, c->g.nsrcs, (uint32_t)c->qsrcs, room);
		return hdr_change(c, op, "source count", &ng, c->g.nsrcs, ng.nsrcs);
	}
	uint32_t room = (uint32_t)(c->mlen - IPK_IGMP_MINLEN) / 8;
	ng.nrecs = (uint16_t)count_value(c->m, c->g.nrecs, c->nrec, room);
	return hdr_change(c, op, "record count", &ng, c->g.nrecs, ng.nrecs);
}

/* ---- sources: of the query, or of one record ---- */

/* Where the sources are: the query's (rec -1) or record rec's; n present. */
struct srcs_at {
	int rec;
	uint8_t *p;
	uint32_t n;
};

static int rec_with_sources(struct mut_ctx *c)
{
	unsigned cand[MUT_MAXRECS], n = 0;
	for (unsigned i = 0; i < c->nrec; i++)
		if (c->rec[i].nsrcs)
			cand[n++] = i;
	return n ? (int)cand[mut_rand(c->m, n)] : -1;
}

/* Choose a source list: the query's, or a record's (any record when empty is fine). */
static int pick_srcs(struct mut_ctx *c, int need_one, struct srcs_at *s)
{
	if (c->fmt == FMT_V3Q) {
		if (need_one && !c->qsrcs)
			return -1;
		s->rec = -1;
		s->p = (uint8_t *)c->buf + (c->g.srcs - c->buf);
		s->n = (uint32_t)c->qsrcs;
		return 0;
	}
	if (c->fmt != FMT_V3R || !c->nrec)
		return -1;
	int r = need_one ? rec_with_sources(c) : (int)mut_rand(c->m, c->nrec);
	if (r < 0)
		return -1;
	s->rec = r;
	s->p = c->buf + c->moff + (c->rec[r].srcs - (c->buf + c->moff));
	s->n = c->rec[r].nsrcs;
	return 0;
}

static int op_src(struct mut_ctx *c)
{
	struct srcs_at s;
	if (pick_srcs(c, 1, &s) != 0)
		return -1;
	uint32_t i = mut_rand(c->m, s.n);
	uint8_t *p = s.p + 4 * i;
	uint32_t old = ipk_igmp_addr(s.p, i);
	uint32_t val = mut_rand(c->m, 4) == 0 && s.n > 1 ? ipk_igmp_addr(s.p, (i + 1) % s.n)
						       : mut_addr(c->m, old);
	if (val == old)
		val = old + 1;
	ipk_put32(p, val);
	mut_note(c, IPK_MUT_IGMP_SRC, IPK_LAYER_IGMP, s.rec < 0 ? "source" : "record source",
		 (int32_t)i, (size_t)(p - c->buf), old, val);
	return 0;
}

/* The count of the list after one source was added (+1) or removed (-1). */
static void srcs_count(struct mut_ctx *c, const struct srcs_at *s, int d)
{
	if (s->rec < 0) {
		c->g.nsrcs = (uint16_t)(c->g.nsrcs + d);
		(void)hdr_write(c, &c->g); /* the header did not move: fits */
	} else {
		uint8_t *r = c->buf + c->moff + c->rec[s->rec].off;
		ipk_put16(r + REC_NSRCS_AT, (uint16_t)(c->rec[s->rec].nsrcs + d));
	}
}

static int op_src_insdel(struct mut_ctx *c, int op)
{
	struct srcs_at s;
	int ins = op == IPK_MUT_IGMP_SRC_INSERT;
	if (pick_srcs(c, !ins, &s) != 0)
		return -1;
	uint32_t i = mut_rand(c->m, s.n + ins);
	size_t at = (size_t)(s.p - c->buf) + 4 * i;
	uint32_t addr = i < s.n ? ipk_igmp_addr(s.p, i) : s.n ? ipk_igmp_addr(s.p, 0) : c->g.group;
	if (ins) {
		if ((s.rec < 0 ? c->g.nsrcs : c->rec[s.rec].nsrcs) == 0xffff)
			return -1;
		if (mut_open(c, at, 4) != 0)
			return -1;
		addr = mut_rand(c->m, 3) == 0 ? addr : mut_addr(c->m, addr);
		ipk_put32(c->buf + at, addr);
		srcs_count(c, &s, 1);
		mut_add_totlen(c, 4);
	} else {
		mut_close(c, at, 4);
		srcs_count(c, &s, -1);
		mut_add_totlen(c, -4);
	}
	mut_note(c, op, IPK_LAYER_IGMP, s.rec < 0 ? "source" : "record source",
		 s.rec < 0 ? (int32_t)i : s.rec, at, ins ? 0 : addr, ins ? addr : 0);
	return 0;
}

/* ---- group records ---- */

static int op_rec_field(struct mut_ctx *c, int op)
{
	struct ipk_mutator *m = c->m;
	uint32_t k = mut_rand(m, c->nrec);
	const struct ipk_igmp_rec *r = &c->rec[k];
	uint8_t *p = c->buf + c->moff + r->off;
	uint32_t old, val;
	const char *field;
	size_t at;
	switch (op) {
	case IPK_MUT_IGMP_REC_TYPE: {
		const uint32_t v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff, mut_rand(m, 256)};
		old = r->type;
		val = mut_pick(m, v, 12, old, 0xff);
		p[REC_TYPE_AT] = (uint8_t)val;
		field = "record type";
		at = REC_TYPE_AT;
		break;
	}
	case IPK_MUT_IGMP_REC_NSRCS: {
		uint32_t room = (uint32_t)(c->mlen - r->off - 8) / 4;
		old = r->nsrcs;
		val = count_value(m, old, r->nsrcs, room);
		ipk_put16(p + REC_NSRCS_AT, (uint16_t)val);
		field = "record source count";
		at = REC_NSRCS_AT;
		break;
	}
	case IPK_MUT_IGMP_REC_GROUP:
		old = r->group;
		val = mut_addr(m, old);
		ipk_put32(p + REC_GROUP_AT, val);
		field = "record group";
		at = REC_GROUP_AT;
		break;
	default: { /* IPK_MUT_IGMP_REC_AUX */
		old = r->aux_words;
		field = "record aux length";
		at = REC_AUX_AT;
		uint32_t words = 1 + mut_rand(m, 2);
		if (mut_rand(m, 2) && old + words <= 255) {
			/* aux data that is really there: the byte and the words agree */
			size_t end = c->moff + c->rec_end[k];
			if (mut_open(c, end, 4 * words) != 0)
				return -1;
			for (uint32_t i = 0; i < 4 * words; i++)
				c->buf[end + i] = (uint8_t)mut_rand(m, 256);
			val = old + words;
			p[REC_AUX_AT] = (uint8_t)val;
			mut_add_totlen(c, 4 * (long)words);
		} else {
			const uint32_t v[] = {0, 1, 2, 255, old + 1, old - 1};
			val = mut_pick(m, v, 6, old, 0xff);
			p[REC_AUX_AT] = (uint8_t)val;
		}
		break;
	}
	}
	mut_note(c, op, IPK_LAYER_IGMP, field, (int32_t)k, c->moff + r->off + at, old, val);
	return 0;
}

static int op_rec_insert(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	uint8_t tmp[IPK_IGMP_MINLEN + 8 + 4 * 4 + 4];
	uint32_t srcs[3];
	struct ipk_wbuf w;
	struct ipk_igmp_v3r b;
	const uint8_t types[] = {1, 2, 3, 4, 5, 6, 0, 7, 0xff};
	uint16_t n = (uint16_t)mut_rand(m, 4);
	for (unsigned i = 0; i < n; i++)
		srcs[i] = mut_addr(m, IPK_IP4_ADDR(198, 18, 0, 1));
	uint32_t group = mut_rand(m, 2) ? IPK_IP4_ADDR(239, 1, 2, 3) : mut_addr(m, c->g.group);
	ipk_wbuf_init(&w, tmp, sizeof(tmp));
	if (c->g.nrecs == 0xffff || ipk_igmp_v3r_begin(&w, &b) != 0 ||
	    ipk_igmp_v3r_add(&w, &b, types[mut_rand(m, 9)], group, n ? srcs : NULL, n, NULL,
			     (uint8_t)(mut_rand(m, 8) == 0)) != 0)
		return -1;
	uint32_t k = mut_rand(m, c->nrec + 1);
	size_t at = c->moff + (k < c->nrec ? c->rec[k].off
					   : c->nrec ? c->rec_end[c->nrec - 1]
						     : (size_t)(c->g.recs - (c->buf + c->moff)));
	size_t size = w.len - IPK_IGMP_MINLEN;
	if (mut_open(c, at, size) != 0)
		return -1;
	memcpy(c->buf + at, tmp + IPK_IGMP_MINLEN, size);
	c->g.nrecs++;
	(void)hdr_write(c, &c->g); /* the header did not move: fits */
	mut_add_totlen(c, (long)size);
	mut_note(c, IPK_MUT_IGMP_REC_INSERT, IPK_LAYER_IGMP, "record", (int32_t)k, at, 0, tmp[8]);
	return 0;
}

static int op_rec_delete(struct mut_ctx *c)
{
	uint32_t k = mut_rand(c->m, c->nrec);
	size_t at = c->moff + c->rec[k].off, size = c->rec_end[k] - c->rec[k].off;
	uint8_t type = c->rec[k].type;
	mut_close(c, at, size);
	c->g.nrecs--;
	(void)hdr_write(c, &c->g);
	mut_add_totlen(c, -(long)size);
	mut_note(c, IPK_MUT_IGMP_REC_DELETE, IPK_LAYER_IGMP, "record", (int32_t)k, at, type, 0);
	return 0;
}

/* ---- which operation fits which message ---- */

int mut_igmp_can(const struct mut_ctx *c, int op)
{
	unsigned mode = c->m->flags & IPK_MUT_MODE_MASK;
	int v3q = c->fmt == FMT_V3Q, v3r = c->fmt == FMT_V3R;
	switch (op) {
	case IPK_MUT_IGMP_TYPE:
		return c->fmt != FMT_NONE && mode != IPK_MUT_MODE_QUERY;
	case IPK_MUT_IGMP_LEN:
		return 1;
	case IPK_MUT_IGMP_CODE:
	case IPK_MUT_IGMP_CSUM:
		return c->fmt != FMT_NONE;
	case IPK_MUT_IGMP_GROUP:
		return c->fmt == FMT_8 || v3q;
	case IPK_MUT_IGMP_QRV:
	case IPK_MUT_IGMP_QQIC:
	case IPK_MUT_IGMP_NSRCS:
		return v3q;
	case IPK_MUT_IGMP_SRC:
	case IPK_MUT_IGMP_SRC_DELETE:
		return (v3q && c->qsrcs) || (v3r && c->nrec);
	case IPK_MUT_IGMP_SRC_INSERT:
		return v3q || (v3r && c->nrec);
	case IPK_MUT_IGMP_RESV:
	case IPK_MUT_IGMP_NRECS:
	case IPK_MUT_IGMP_REC_INSERT:
		return v3r;
	default: /* the record operations */
		return v3r && c->nrec;
	}
}

int mut_igmp_op(struct mut_ctx *c, int op)
{
	switch (op) {
	case IPK_MUT_IGMP_TYPE:
		return op_type(c);
	case IPK_MUT_IGMP_LEN:
		return op_len(c);
	case IPK_MUT_IGMP_CODE:
	case IPK_MUT_IGMP_QQIC:
		return op_code(c, op);
	case IPK_MUT_IGMP_CSUM:
		return op_csum(c);
	case IPK_MUT_IGMP_GROUP:
		return op_group(c);
	case IPK_MUT_IGMP_QRV:
		return op_qrv(c);
	case IPK_MUT_IGMP_NSRCS:
	case IPK_MUT_IGMP_NRECS:
		return op_count(c, op);
	case IPK_MUT_IGMP_SRC:
		return op_src(c);
	case IPK_MUT_IGMP_SRC_INSERT:
	case IPK_MUT_IGMP_SRC_DELETE:
		return op_src_insdel(c, op);
	case IPK_MUT_IGMP_RESV:
		return op_resv(c);
	case IPK_MUT_IGMP_REC_INSERT:
		return op_rec_insert(c);
	case IPK_MUT_IGMP_REC_DELETE:
		return op_rec_delete(c);
	default:
		return op_rec_field(c, op);
	}
}
