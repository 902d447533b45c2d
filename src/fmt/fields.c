/* fields.c - the field writer: the verbose lines and the JSON object of a decoded packet, each
 * layer's fields listed once for both (docs/json.md, docs/errors.md). */
#include "fmt/out.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/ipopt.h"
#include "ipv4kit/link.h"

/*
 * The verbose lines and the JSON object list the same fields of each layer in the same order, so
 * each layer is walked once by a function that takes the style `j` (1: JSON, 0: verbose text).
 * Those functions are always inlined into a caller that passes a constant, so each style gets its
 * own copy with the other style's branches folded away (JSON speed is what the decode tool needs).
 *
 * A field is a key and a value. sput() writes the key of the style: `,"ttl":` in JSON, `, ttl `
 * (or ` ttl ` for the first field after a verbose heading) in text. Values: put_u() is decimal in
 * both; val_x() and val_x4() are hex in text (0x.. / 0x and 4 digits) and decimal in JSON;
 * val_ip() is quoted in JSON; val_hex() is a byte string, quoted in JSON. What only one style
 * writes stays under `if (j)` / `if (!j)` and uses the plain primitives.
 */
#define STYLED static inline __attribute__((always_inline))

/* Text that differs by style: jtext in JSON, vtext in verbose text (literals: the length folds). */
STYLED void sput(struct ob *o, int j, const char *jtext, const char *vtext)
{
	const char *s = j ? jtext : vtext;
	put(o, s, strlen(s));
}

STYLED void val_x(struct ob *o, int j, uint32_t v)
{
	if (j)
		put_u(o, v);
	else
		put_hex(o, v);
}

STYLED void val_x4(struct ob *o, int j, uint16_t v)
{
	if (j)
		put_u(o, v);
	else
		put_hex4(o, v);
}

STYLED void val_ip(struct ob *o, int j, uint32_t a)
{
	if (j)
		put_jip(o, a);
	else
		put_ip(o, a);
}

STYLED void val_hex(struct ob *o, int j, const uint8_t *b, size_t n)
{
	if (j)
		putc_(o, '"');
	put_hexbytes(o, b, n);
	if (j)
		putc_(o, '"');
}

/* A list item's lead: a comma between JSON items, vpre before every verbose one. */
STYLED void item(struct ob *o, int j, size_t i, const char *vpre)
{
	if (!j)
		put(o, vpre, strlen(vpre));
	else if (i)
		putc_(o, ',');
}

/* Addresses (IGMP sources): a JSON array, or one verbose line each. */
STYLED void addr_list(struct ob *o, int j, const uint8_t *srcs, size_t n)
{
	if (j)
		putc_(o, '[');
	for (size_t i = 0; i < n; i++) {
		item(o, j, i, "\n      source ");
		val_ip(o, j, ipk_igmp_addr(srcs, i));
	}
	if (j)
		putc_(o, ']');
}

/* A checksum's verdict: "checksum_ok" in JSON; " ok" or " bad (should be ..)" in verbose text,
 * the expected value only when the covered bytes `data` (NULL: not all captured) are there. */
STYLED void csum_verdict(struct ob *o, int j, int ok, const uint8_t *data, size_t len, uint16_t ck)
{
	if (j) {
		if (ok)
			PUTS(o, ",\"checksum_ok\":true");
		else
			PUTS(o, ",\"checksum_ok\":false");
	} else if (ok) {
		PUTS(o, " ok");
	} else if (data) {
		PUTS(o, " bad (should be ");
		put_hex4(o, ipk_csum_expected(data, len, 0, ck));
		putc_(o, ')');
	} else {
		PUTS(o, " bad");
	}
}

STYLED void s_option(struct ob *o, int j, const struct ipk_opt *opt)
{
	struct ipk_optv v;
	int r = ipk_opt_decode(opt, &v);
	if (j) {
		PUTS(o, "{\"type\":");
		put_u(o, opt->type);
		PUTS(o, ",\"name\":");
		put_jstr(o, ipk_opt_name(opt->type));
		PUTS(o, ",\"len\":");
	} else {
		PUTS(o, "\n    option ");
		puts_(o, ipk_opt_name(opt->type));
		PUTS(o, " (");
		put_u(o, opt->type);
		PUTS(o, ") len ");
	}
	put_u(o, opt->len);
	if (opt->type == IPK_OPT_EOL || opt->type == IPK_OPT_NOP) {
		if (j)
			putc_(o, '}');
		return;
	}
	if (!j)
		putc_(o, ':');
	if (r < 0) {
		sput(o, j, ",\"bad_len\":true,\"data\":\"", " (too short for its kind) ");
		put_hexbytes(o, v.u.raw.bytes, v.u.raw.len);
		if (j)
			PUTS(o, "\"}");
		return;
	}
	switch (opt->type) {
	case IPK_OPT_RR:
	case IPK_OPT_LSRR:
	case IPK_OPT_SSRR:
		sput(o, j, ",\"ptr\":", " ptr ");
		put_u(o, v.u.route.ptr);
		sput(o, j, ",\"addrs\":[", ",");
		for (size_t i = 0; i < v.u.route.naddr; i++) {
			item(o, j, i, " ");
			val_ip(o, j, ipk_opt_u32(v.u.route.addrs, i));
		}
		if (j)
			putc_(o, ']');
		break;
	case IPK_OPT_TS: {
		int addrs = v.u.ts.flag == IPK_OPT_TS_TSADDR || v.u.ts.flag == IPK_OPT_TS_PRESPEC;
		sput(o, j, ",\"ptr\":", " ptr ");
		put_u(o, v.u.ts.ptr);
		sput(o, j, ",\"oflw\":", ", oflw ");
		put_u(o, v.u.ts.oflw);
		sput(o, j, ",\"flag\":", ", flag ");
		put_u(o, v.u.ts.flag);
		if (j)
			PUTS(o, ",\"entries\":[");
		else if (v.u.ts.flag == IPK_OPT_TS_TSONLY)
			PUTS(o, " (tsonly)");
		else if (v.u.ts.flag == IPK_OPT_TS_TSADDR)
			PUTS(o, " (tsaddr)");
		else if (v.u.ts.flag == IPK_OPT_TS_PRESPEC)
			PUTS(o, " (prespec)");
		for (size_t i = 0; i < v.u.ts.nent; i++) {
			item(o, j, i, " ");
			if (addrs) {
				if (j)
					PUTS(o, "{\"addr\":");
				val_ip(o, j, ipk_opt_u32(v.u.ts.data, 2 * i));
				sput(o, j, ",\"ts\":", "@");
				put_u(o, ipk_opt_u32(v.u.ts.data, 2 * i + 1));
			} else {
				if (j)
					PUTS(o, "{\"ts\":");
				put_u(o, ipk_opt_u32(v.u.ts.data, i));
			}
			if (j)
				putc_(o, '}');
		}
		if (j)
			putc_(o, ']');
		break;
	}
	case IPK_OPT_RA:
		sput(o, j, ",\"value\":", " value ");
		put_u(o, v.u.ra_value);
		break;
	case IPK_OPT_SEC:
		if (v.u.sec.rfc791) {
			sput(o, j, ",\"s\":", " s ");
			val_x4(o, j, v.u.sec.s);
			sput(o, j, ",\"c\":", ", c ");
			val_x4(o, j, v.u.sec.c);
			sput(o, j, ",\"h\":", ", h ");
			val_x4(o, j, v.u.sec.h);
			sput(o, j, ",\"tcc\":", ", tcc ");
			val_x(o, j, v.u.sec.tcc);
		} else {
			sput(o, j, ",\"level\":", " level ");
			val_x(o, j, v.u.sec.level);
			sput(o, j, ",\"authority\":", ", authority ");
			val_hex(o, j, v.u.sec.flags, v.u.sec.nflags);
		}
		break;
	case IPK_OPT_CIPSO:
		sput(o, j, ",\"doi\":", " doi ");
		put_u(o, v.u.cipso.doi);
		sput(o, j, ",\"tags\":", ", tags ");
		val_hex(o, j, v.u.cipso.tags, v.u.cipso.tags_len);
		break;
	case IPK_OPT_SID:
		sput(o, j, ",\"stream_id\":", " stream id ");
		put_u(o, v.u.stream_id);
		break;
	case IPK_OPT_QS:
		sput(o, j, ",\"func\":", " func ");
		put_u(o, v.u.qs.func);
		sput(o, j, ",\"rate\":", ", rate ");
		put_u(o, v.u.qs.rate);
		sput(o, j, ",\"qs_ttl\":", ", ttl ");
		put_u(o, v.u.qs.qs_ttl);
		sput(o, j, ",\"nonce\":", ", nonce ");
		put_u(o, v.u.qs.nonce);
		break;
	default:
		sput(o, j, ",\"data\":", " ");
		val_hex(o, j, v.u.raw.bytes, v.u.raw.len);
		break;
	}
	if (j)
		putc_(o, '}');
}

STYLED void s_ip4(struct ob *o, int j, const struct ipk_packet *p)
{
	const struct ipk_ip4 *h = &p->ip4;
	sput(o, j, ",\"ipv4\":{\"version\":", "\n    ipv4: version ");
	put_u(o, h->version);
	sput(o, j, ",\"ihl\":", ", ihl ");
	put_u(o, h->ihl);
	if (j) {
		PUTS(o, ",\"hlen\":");
		put_u(o, h->hlen);
	} else {
		PUTS(o, " (");
		put_u(o, h->hlen);
		PUTS(o, " bytes)");
	}
	sput(o, j, ",\"tos\":", ", tos ");
	val_x(o, j, h->tos);
	sput(o, j, ",\"dscp\":", " (dscp ");
	put_u(o, IPK_IP4_DSCP(h));
	sput(o, j, ",\"ecn\":", ", ecn ");
	put_u(o, IPK_IP4_ECN(h));
	if (!j)
		putc_(o, ')');
	sput(o, j, ",\"total_len\":", ", length ");
	put_u(o, h->total_len);
	sput(o, j, ",\"id\":", ", id ");
	put_u(o, h->id);
	if (j) {
		PUTS(o, ",\"rf\":");
		put_u(o, h->rf);
		PUTS(o, ",\"df\":");
		put_u(o, h->df);
		PUTS(o, ",\"mf\":");
		put_u(o, h->mf);
	} else {
		PUTS(o, ", flags [");
		if (h->rf)
			PUTS(o, "rsvd");
		if (h->df) {
			if (h->rf)
				putc_(o, ' ');
			PUTS(o, "DF");
		}
		if (h->mf) {
			if (h->rf || h->df)
				putc_(o, ' ');
			PUTS(o, "MF");
		}
		if (!h->rf && !h->df && !h->mf)
			PUTS(o, "none");
		putc_(o, ']');
	}
	sput(o, j, ",\"frag_off\":", ", offset ");
	put_u(o, (uint32_t)h->frag_off * 8);
	sput(o, j, ",\"ttl\":", ", ttl ");
	put_u(o, h->ttl);
	sput(o, j, ",\"proto\":", ", proto ");
	const char *n = j ? NULL : ipk_fmt_proto_name_(h->proto);
	if (n) {
		puts_(o, n);
		PUTS(o, " (");
		put_u(o, h->proto);
		putc_(o, ')');
	} else {
		put_u(o, h->proto);
	}
	sput(o, j, ",\"checksum\":", ", checksum ");
	val_x4(o, j, h->checksum);
	int whole = h->hlen >= IPK_IP4_MINLEN && p->ip_off + h->hlen <= p->caplen;
	csum_verdict(o, j, h->checksum_ok, whole ? p->frame + p->ip_off : NULL, h->hlen, h->checksum);
	if (j) {
		PUTS(o, ",\"src\":");
		put_jip(o, h->src);
		PUTS(o, ",\"dst\":");
		put_jip(o, h->dst);
		PUTS(o, ",\"options\":[");
	} else if (h->truncated) {
		PUTS(o, ", truncated capture");
	}
	if (h->opts_len) {
		struct ipk_opt_iter it;
		struct ipk_opt opt;
		int r;
		size_t i = 0;
		ipk_opt_iter_init(&it, h->opts, h->opts_len);
		while ((r = ipk_opt_next(&it, &opt)) > 0) {
			if (j && i++)
				putc_(o, ',');
			s_option(o, j, &opt);
		}
		if (!j && r < 0) {
			PUTS(o, "\n    option walk stopped at option byte ");
			put_u(o, it.err_off);
			PUTS(o, ": ");
			puts_(o, ipk_strerror(r));
		}
	}
	if (j)
		PUTS(o, "]}");
}

STYLED void s_igmp(struct ob *o, int j, const struct ipk_packet *p)
{
	const struct ipk_igmp *m = &p->u.igmp;
	const char *tn = ipk_igmp_type_name(m->type);
	const uint8_t *msg = m->len >= IPK_IGMP_MINLEN ? (p->frame + p->l4_off) : NULL;
	if (j) {
		PUTS(o, ",\"igmp\":{\"version\":");
		put_u(o, m->version);
		PUTS(o, ",\"type\":");
		put_u(o, m->type);
		PUTS(o, ",\"name\":");
		put_jstr(o, tn);
		PUTS(o, ",\"checksum\":");
		put_u(o, m->checksum);
		csum_verdict(o, j, m->checksum_ok, msg, m->len, m->checksum);
		PUTS(o, ",\"max_resp_code\":");
		put_u(o, m->code);
		PUTS(o, ",\"max_resp_ds\":");
		put_u(o, ipk_fmt_mrt_ds_(m));
	} else {
		PUTS(o, "\n    igmp: ");
		if (m->version && tn[0] != 'v') {
			putc_(o, 'v');
			put_u(o, m->version);
			putc_(o, ' ');
		}
		puts_(o, tn);
		PUTS(o, ", type ");
		put_hex(o, m->type);
		PUTS(o, ", code ");
		put_u(o, m->code);
		if (m->type == IPK_IGMP_QUERY && m->version >= 2) {
			PUTS(o, " (max resp ");
			put_ds(o, ipk_fmt_mrt_ds_(m));
			putc_(o, ')');
		}
		PUTS(o, ", checksum ");
		put_hex4(o, m->checksum);
		if (p->cut)
			PUTS(o, " not checked (cut by the snaplen)");
		else
			csum_verdict(o, j, m->checksum_ok, msg, m->len, m->checksum);
		PUTS(o, ", length ");
		put_u(o, m->len);
	}
	if (m->type != IPK_IGMP_V3_REPORT) {
		sput(o, j, ",\"group\":", ", group ");
		val_ip(o, j, m->group);
	}
	if (m->type == IPK_IGMP_QUERY && m->version == 3) {
		sput(o, j, ",\"s\":", ", s ");
		put_u(o, m->s);
		sput(o, j, ",\"qrv\":", ", qrv ");
		put_u(o, m->qrv);
		sput(o, j, ",\"qqic\":", ", qqic ");
		put_u(o, m->qqic);
		sput(o, j, ",\"qqi_s\":", " (");
		put_u(o, ipk_igmp_code_decode(m->qqic));
		if (j) {
			PUTS(o, ",\"sources\":");
		} else {
			PUTS(o, "s), ");
			put_u(o, m->nsrcs);
			puts_(o, m->nsrcs == 1 ? " source" : " sources");
		}
		addr_list(o, j, m->srcs, m->nsrcs);
	} else if (m->type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		int rc;
		unsigned k = 0;
		if (j) {
			PUTS(o, ",\"records\":[");
		} else {
			PUTS(o, ", ");
			put_u(o, m->nrecs);
			puts_(o, m->nrecs == 1 ? " record" : " records");
		}
		ipk_igmp_rec_iter_init(&it, m, (p->frame + p->l4_off));
		while ((rc = ipk_igmp_rec_next(&it, &r)) > 0) {
			if (j) {
				if (k++)
					putc_(o, ',');
				PUTS(o, "{\"type\":");
				put_u(o, r.type);
				PUTS(o, ",\"name\":");
				put_jstr(o, ipk_igmp_rec_name(r.type));
				PUTS(o, ",\"group\":");
				put_jip(o, r.group);
				PUTS(o, ",\"aux_len\":");
				put_u(o, r.aux_words);
				PUTS(o, ",\"sources\":");
			} else {
				PUTS(o, "\n    record ");
				put_u(o, ++k);
				PUTS(o, ": ");
				puts_(o, ipk_igmp_rec_name(r.type));
				PUTS(o, " (");
				put_u(o, r.type);
				PUTS(o, ") group ");
				put_ip(o, r.group);
				PUTS(o, ", ");
				put_u(o, r.nsrcs);
				puts_(o, r.nsrcs == 1 ? " source, aux len " : " sources, aux len ");
				put_u(o, r.aux_words);
			}
			addr_list(o, j, r.srcs, r.nsrcs);
			if (j)
				putc_(o, '}');
		}
		if (j)
			putc_(o, ']');
		else if (rc < 0 && p->cut)
			PUTS(o, "\n    records stop: the capture ends (cut by the snaplen)");
		else if (rc < 0)
			PUTS(o, "\n    records stop: a record runs past the message");
	}
	if (j)
		putc_(o, '}');
}

STYLED void s_l4(struct ob *o, int j, const struct ipk_packet *p)
{
	switch (p->l4) {
	case IPK_L4_IGMP:
		s_igmp(o, j, p);
		return;
	case IPK_L4_UDP:
		sput(o, j, ",\"udp\":{\"sport\":", "\n    udp: sport ");
		put_u(o, p->u.udp.sport);
		sput(o, j, ",\"dport\":", ", dport ");
		put_u(o, p->u.udp.dport);
		sput(o, j, ",\"len\":", ", length ");
		put_u(o, p->u.udp.len);
		sput(o, j, ",\"checksum\":", ", checksum ");
		val_x4(o, j, p->u.udp.checksum);
		break;
	case IPK_L4_TCP:
		sput(o, j, ",\"tcp\":{\"sport\":", "\n    tcp: sport ");
		put_u(o, p->u.tcp.sport);
		sput(o, j, ",\"dport\":", ", dport ");
		put_u(o, p->u.tcp.dport);
		sput(o, j, ",\"seq\":", ", seq ");
		put_u(o, p->u.tcp.seq);
		sput(o, j, ",\"ack\":", ", ack ");
		put_u(o, p->u.tcp.ack);
		sput(o, j, ",\"doff\":", ", doff ");
		put_u(o, p->u.tcp.doff);
		sput(o, j, ",\"flags\":", ", flags ");
		if (j) {
			put_u(o, p->u.tcp.flags);
		} else {
			putc_(o, '[');
			ipk_fmt_tcp_flags_(o, p->u.tcp.flags);
			putc_(o, ']');
		}
		sput(o, j, ",\"win\":", ", win ");
		put_u(o, p->u.tcp.win);
		break;
	case IPK_L4_ICMP:
		sput(o, j, ",\"icmp\":{\"type\":", "\n    icmp: type ");
		put_u(o, p->u.icmp.type);
		if (j) {
			const char *n = ipk_icmp_type_name(p->u.icmp.type);
			PUTS(o, ",\"name\":");
			put_jstr(o, n ? n : "unknown");
		}
		sput(o, j, ",\"code\":", ", code ");
		put_u(o, p->u.icmp.code);
		sput(o, j, ",\"checksum\":", ", checksum ");
		val_x4(o, j, p->u.icmp.checksum);
		if (p->u.icmp.type == 0 || p->u.icmp.type == 8) {
			sput(o, j, ",\"id\":", ", id ");
			put_u(o, p->u.icmp.id);
			sput(o, j, ",\"seq\":", ", seq ");
			put_u(o, p->u.icmp.seq);
		}
		break;
	default:
		return;
	}
	if (j)
		putc_(o, '}');
}

/* ---- JSON --------------------------------------------------------------------------------- */

/* "errors" (kind 0) or "findings" (kind 1): the recorded problems of that kind, in order. */
static inline void json_problems(struct ob *o, const struct ipk_packet *p, int kind)
{
	int first = 1;
	if (kind)
		PUTS(o, ",\"findings\":[");
	else
		PUTS(o, ",\"errors\":[");
	for (unsigned i = 0; i < p->findings.n; i++) {
		const struct ipk_finding *f = &p->findings.v[i];
		if (ipk_err_is_finding(f->code) != kind)
			continue;
		if (!first)
			putc_(o, ',');
		first = 0;
		PUTS(o, "{\"layer\":");
		put_jstr(o, ipk_layer_name(f->layer));
		PUTS(o, ",\"code\":");
		put_jstr(o, ipk_errname(f->code));
		PUTS(o, ",\"offset\":");
		put_u(o, f->offset);
		PUTS(o, ",\"message\":");
		put_jstr(o, ipk_strerror(f->code));
		putc_(o, '}');
	}
	putc_(o, ']');
}

/* The JSON object of a packet (docs/json.md). */
void ipk_fmt_json_(struct ob *o, const struct ipk_packet *p, const struct ipk_fmt_meta *m,
		   const struct ipk_reasm_dgram *ra)
{
	PUTS(o, "{\"frame\":");
	put_u(o, m->frame);
	PUTS(o, ",\"ts\":");
	put_i(o, m->ts_sec);
	put_frac(o, m->ts_nsec);
	if (ra)
		ipk_fmt_reasm_json_(o, ra);
	PUTS(o, ",\"caplen\":");
	put_u(o, p->caplen);
	PUTS(o, ",\"len\":");
	put_u(o, p->wirelen);
	PUTS(o, ",\"link\":");
	put_jstr(o, ipk_link_name(p->link.dlt));
	if (p->has_ip4) {
		s_ip4(o, 1, p);
		s_l4(o, 1, p);
	}
	if (p->findings.n) {
		json_problems(o, p, 0);
		json_problems(o, p, 1);
	} else {
		PUTS(o, ",\"errors\":[],\"findings\":[]");
	}
	if (p->findings.dropped) {
		PUTS(o, ",\"errors_dropped\":");
		put_u(o, p->findings.dropped);
	}
	putc_(o, '}');
}

/* The verbose lines of a packet after its text line: the IPv4 header with its options, the layer
 * above it, then one line per error and per finding. Out of line from the JSON walk: measured,
 * JSON runs about 10% slower when both copies are inlined into one function. */
void ipk_fmt_verbose_(struct ob *o, const struct ipk_packet *p)
{
	if (p->has_ip4) {
		s_ip4(o, 0, p);
		s_l4(o, 0, p);
	}
	for (unsigned i = 0; i < p->findings.n; i++) {
		const struct ipk_finding *f = &p->findings.v[i];
		puts_(o, ipk_err_is_finding(f->code) ? "\n    finding " : "\n    error ");
		puts_(o, ipk_layer_name(f->layer));
		putc_(o, ' ');
		puts_(o, ipk_errname(f->code));
		PUTS(o, " at offset ");
		put_u(o, f->offset);
		PUTS(o, ": ");
		puts_(o, ipk_strerror(f->code));
	}
	if (p->findings.dropped) {
		PUTS(o, "\n    ... ");
		put_u(o, p->findings.dropped);
		PUTS(o, " more errors or findings not recorded");
	}
}
