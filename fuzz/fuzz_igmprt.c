/* fuzz_igmprt.c - fuzz harness: IGMP round trip (parse, build again with the codec's builders, parse, compare) for every message the parser accepts (RFC 1112, 2236, 3376). */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXREC 8192 /* a record is at least 8 bytes of a message below 64 KiB */

static struct ipk_igmp_rec_spec spec[MAXREC];
static struct ipk_igmp_rec recs[MAXREC + 1];
static uint32_t srcs[16384];
static uint8_t exact[65536], canon[65536], steps[65536];

/* The fields parse fills from the fixed part of a message (pointers by content). */
static void same_msg(const struct ipk_igmp *a, const struct ipk_igmp *b)
{
	if (a->version != b->version || a->type != b->type || a->code != b->code ||
	    a->group != b->group || a->resv != b->resv || a->s != b->s || a->qrv != b->qrv ||
	    a->qqic != b->qqic || a->nsrcs != b->nsrcs || a->reserved != b->reserved ||
	    a->nrecs != b->nrecs ||
	    (a->nsrcs && memcmp(a->srcs, b->srcs, 4 * (size_t)a->nsrcs) != 0))
		abort();
}

/* Walk the records of m (in msg) and compare them with recs[0..n): 1 when they are the same. */
static void same_recs(const struct ipk_igmp *m, const uint8_t *msg, size_t n)
{
	struct ipk_igmp_rec_iter it;
	struct ipk_igmp_rec r;
	size_t i = 0;
	int rc;
	ipk_igmp_rec_iter_init(&it, m, msg);
	while ((rc = ipk_igmp_rec_next(&it, &r)) == 1) {
		const struct ipk_igmp_rec *o = &recs[i++];
		if (i > n || r.type != o->type || r.aux_words != o->aux_words || r.nsrcs != o->nsrcs ||
		    r.group != o->group || r.off != o->off ||
		    memcmp(r.srcs, o->srcs, 4 * (size_t)r.nsrcs) != 0 ||
		    memcmp(r.aux, o->aux, 4 * (size_t)r.aux_words) != 0)
			abort();
	}
	if (rc != 0 || i != n || it.off != m->len)
		abort();
}

/*
 * The input is one IGMP message. One that parses is
 *  1. rebuilt byte for byte by the builder of its format (8-byte, v3 query, v3 report) with
 *     overrides for what the builder would write otherwise (the checksum, a report's reserved
 *     fields and record count, trailing bytes), and that parses to the same fields;
 *  2. rebuilt without overrides from its fields (for a report: the records that the walk
 *     accepted), which parses to the same fields with a good checksum, nothing after the
 *     message and the same records; the report's two builders (one call; begin/add/end) agree.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipk_igmp m, b;
	struct ipk_wbuf w, c;
	size_t eo = (size_t)-1, end, nrec = 0, nsrc = 0;

	if (size > 0xffff)
		size = 0xffff;
	int rc = ipk_igmp_parse(data, size, &m, &eo);
	if (rc != 0) {
		if (rc > -1000 || eo >= (size ? size : 1))
			abort();
		return 0;
	}
	ipk_wbuf_init(&w, exact, sizeof(exact));
	ipk_wbuf_init(&c, canon, sizeof(canon));
	struct ipk_igmp_over o = {.keep = IPK_IGMP_KEEP_CSUM, .checksum = m.checksum};

	if (m.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		ipk_igmp_rec_iter_init(&it, &m, data);
		while ((rc = ipk_igmp_rec_next(&it, &recs[nrec])) == 1) {
			struct ipk_igmp_rec *r = &recs[nrec];
			if (nrec == MAXREC || nsrc + r->nsrcs > sizeof(srcs) / sizeof(srcs[0]))
				abort(); /* more records or sources than the bytes allow */
			spec[nrec] = (struct ipk_igmp_rec_spec){r->type, r->aux_words, r->nsrcs, r->group,
								srcs + nsrc, r->aux};
			for (uint16_t k = 0; k < r->nsrcs; k++)
				srcs[nsrc++] = ipk_igmp_addr(r->srcs, k);
			nrec++;
		}
		if (rc < 0 && (rc != IPK_E_IGMP_RECORDS || it.err_off > size)) /* == size: missing */
			abort();
		end = it.off; /* the bytes after the last good record trail the report */
		o.keep |= IPK_IGMP_KEEP_CODE | IPK_IGMP_KEEP_COUNT | IPK_IGMP_KEEP_RESV;
		o.code = m.code;
		o.count = m.nrecs;
		o.resv = m.reserved;
		o.trail = data + end;
		o.trail_len = size - end;
		if (ipk_igmp_put_v3_report_over(&w, spec, nrec, &o) != 0 ||
		    ipk_igmp_put_v3_report(&c, spec, nrec) != 0)
			abort();
		/* the same report in steps */
		struct ipk_wbuf s;
		struct ipk_igmp_v3r v;
		ipk_wbuf_init(&s, steps, sizeof(steps));
		if (ipk_igmp_v3r_begin(&s, &v) != 0)
			abort();
		for (size_t i = 0; i < nrec; i++)
			if (ipk_igmp_v3r_add(&s, &v, spec[i].type, spec[i].group, spec[i].srcs,
					     spec[i].nsrcs, spec[i].aux, spec[i].aux_words) != 0)
				abort();
		if (ipk_igmp_v3r_end(&s, &v) != 0 || s.len != c.len || memcmp(steps, canon, c.len) != 0)
			abort();
	} else if (m.version == 3) {
		for (uint16_t k = 0; k < m.nsrcs; k++)
			srcs[k] = ipk_igmp_addr(m.srcs, k);
		end = IPK_IGMP_V3Q_MINLEN + 4 * (size_t)m.nsrcs;
		o.trail = data + end;
		o.trail_len = size - end;
		struct ipk_igmp_v3q q = {m.code, m.resv, m.s, m.qrv, m.qqic, m.group, srcs, m.nsrcs, &o};
		if (ipk_igmp_put_v3_query(&w, &q) != 0)
			abort();
		q.over = NULL;
		if (ipk_igmp_put_v3_query(&c, &q) != 0)
			abort();
	} else {
		end = IPK_IGMP_MINLEN; /* v1/v2 and the other types: the 8-byte header */
		o.trail = data + end;
		o.trail_len = size - end;
		if (ipk_igmp_put8(&w, m.type, m.code, m.group, &o) != 0 ||
		    ipk_igmp_put8(&c, m.type, m.code, m.group, NULL) != 0)
			abort();
	}

	/* 1: the same bytes, the same fields */
	if (w.len != size || memcmp(exact, data, size) != 0)
		abort();
	if (ipk_igmp_parse(exact, w.len, &b, NULL) != 0 || b.checksum != m.checksum ||
	    b.checksum_ok != m.checksum_ok)
		abort();
	same_msg(&m, &b);

	/* 2: built from the fields alone */
	if (c.len != end || ipk_igmp_parse(canon, c.len, &b, NULL) != 0 || !b.checksum_ok)
		abort();
	if (m.type == IPK_IGMP_V3_REPORT) {
		if (b.code || b.reserved || b.nrecs != nrec)
			abort();
		same_recs(&b, canon, nrec);
		struct ipk_igmp t = m;
		t.code = 0;
		t.reserved = 0;
		t.nrecs = b.nrecs;
		same_msg(&t, &b);
	} else {
		same_msg(&m, &b);
	}
	return 0;
}
