/* ipopt.c - IPv4 options: walk, typed decode, Linux receive-path validation and builders (RFC 791, 1108, 2113, 4782). */
#include "codec/internal.h"
#include "ipv4kit/ipopt.h"

/* ---- iterator (FreeBSD ip_dooptions-style walk) ---- */

void ipk_opt_iter_init(struct ipk_opt_iter *it, const uint8_t *opts, size_t len)
{
	it->p = opts;
	it->len = opts ? len : 0;
	it->off = 0;
	it->err_off = 0;
	it->done = 0;
	it->after_eol_nonzero = 0;
}

/*
 * EOL is returned as an option of length 1 and ends the walk. An error does not advance the
 * iterator, so calling again returns the same error.
 */
int ipk_opt_next(struct ipk_opt_iter *it, struct ipk_opt *o)
{
	if (it->done || it->off >= it->len) {
		it->done = 1;
		return 0;
	}
	size_t off = it->off, left = it->len - off;
	const uint8_t *p = it->p + off;

	o->type = p[0];
	o->off = (uint16_t)off;
	o->data = p;
	if (p[0] == IPK_OPT_EOL || p[0] == IPK_OPT_NOP) {
		o->len = 1;
		it->off = off + 1;
		if (p[0] == IPK_OPT_EOL) {
			for (size_t i = 1; i < left; i++)
				if (p[i]) {
					it->after_eol_nonzero = 1;
					break;
				}
			it->off = it->len;
			it->done = 1;
		}
		return 1;
	}
	if (left < 2) {
		it->err_off = off;
		return IPK_E_OPT_TRUNC;
	}
	if (p[1] < 2 || p[1] > left) {
		it->err_off = off;
		return IPK_E_OPT_LEN;
	}
	o->len = p[1];
	it->off = off + p[1];
	return 1;
}

/* ---- typed decode ---- */

static int bad_len(struct ipk_optv *v)
{
	v->u.raw.len = v->len > 2 ? (uint8_t)(v->len - 2) : 0;
	v->u.raw.bytes = v->len > 2 ? v->data + 2 : NULL;
	return IPK_E_OPT_BAD_LEN;
}

int ipk_opt_decode(const struct ipk_opt *o, struct ipk_optv *v)
{
	const uint8_t *d = o->data;
	uint8_t len = o->len;

	memset(v, 0, sizeof(*v));
	v->type = o->type;
	v->len = len;
	v->off = o->off;
	v->data = d;

	switch (o->type) {
	case IPK_OPT_EOL:
	case IPK_OPT_NOP:
		return 0;
	case IPK_OPT_RR:
	case IPK_OPT_LSRR:
	case IPK_OPT_SSRR:
		if (len < 3)
			return bad_len(v);
		v->u.route.ptr = d[2];
		v->u.route.naddr = (uint8_t)((len - 3) / 4);
		v->u.route.addrs = d + 3;
		return 0;
	case IPK_OPT_TS:
		if (len < 4)
			return bad_len(v);
		v->u.ts.ptr = d[2];
		v->u.ts.oflw = d[3] >> 4;
		v->u.ts.flag = d[3] & 0x0f;
		/* 4-byte stamps for flag 0, 8-byte pairs for any other flag (as tcpdump) */
		v->u.ts.nent = (uint8_t)((len - 4) / (v->u.ts.flag == IPK_OPT_TS_TSONLY ? 4 : 8));
		v->u.ts.data = d + 4;
		return 0;
	case IPK_OPT_RA:
		if (len < 4)
			return bad_len(v);
		v->u.ra_value = ipk_be16(d + 2);
		return 0;
	case IPK_OPT_SID:
		if (len < 4)
			return bad_len(v);
		v->u.stream_id = ipk_be16(d + 2);
		return 0;
	case IPK_OPT_SEC:
		if (len == 11) {
			v->u.sec.rfc791 = 1;
			v->u.sec.s = ipk_be16(d + 2);
			v->u.sec.c = ipk_be16(d + 4);
			v->u.sec.h = ipk_be16(d + 6);
			v->u.sec.tcc = (uint32_t)d[8] << 16 | (uint32_t)d[9] << 8 | d[10];
			return 0;
		}
		if (len < 3)
			return bad_len(v);
		v->u.sec.level = d[2];
		v->u.sec.nflags = (uint8_t)(len - 3);
		v->u.sec.flags = len > 3 ? d + 3 : NULL;
		return 0;
	case IPK_OPT_CIPSO:
		if (len < 6)
			return bad_len(v);
		v->u.cipso.doi = ipk_be32(d + 2);
		v->u.cipso.tags_len = (uint8_t)(len - 6);
		v->u.cipso.tags = len > 6 ? d + 6 : NULL;
		return 0;
	case IPK_OPT_QS:
		if (len < 8)
			return bad_len(v);
		v->u.qs.func = d[2] >> 4;
		v->u.qs.rate = d[2] & 0x0f;
		v->u.qs.qs_ttl = d[3];
		v->u.qs.nonce = ipk_be32(d + 4) >> 2;
		return 0;
	case IPK_OPT_ESEC:
		bad_len(v);
		return len < 3 ? IPK_E_OPT_BAD_LEN : 0;
	default:
		bad_len(v);
		return len < 2 ? IPK_E_OPT_BAD_LEN : 0;
	}
}

const char *ipk_opt_name(uint8_t type)
{
	switch (type) {
	case IPK_OPT_EOL: return "EOL";
	case IPK_OPT_NOP: return "NOP";
	case IPK_OPT_RR: return "RR";
	case IPK_OPT_QS: return "QS";
	case IPK_OPT_TS: return "TS";
	case IPK_OPT_SEC: return "SEC";
	case IPK_OPT_LSRR: return "LSRR";
	case IPK_OPT_ESEC: return "ESEC";
	case IPK_OPT_CIPSO: return "CIPSO";
	case IPK_OPT_SID: return "SID";
	case IPK_OPT_SSRR: return "SSRR";
	case IPK_OPT_RA: return "RA";
	default: return "unknown";
	}
}

uint32_t ipk_opt_u32(const uint8_t *arr, size_t i)
{
	return ipk_be32(arr + 4 * i);
}

/* ---- validation: Linux __ip_options_compile(), receive path (skb != NULL) ---- */

/* Linux cipso_v4_validate() as built without CONFIG_NETLABEL (rule C2). p is the option,
 * olen >= 2 and within the area. Returns 0 or an error with *rel = offset inside the option. */
static int cipso_check(const uint8_t *p, size_t olen, size_t *rel)
{
	if (olen < 8) {
		*rel = 1;
		return IPK_E_OPT_BAD_LEN;
	}
	if (ipk_be32(p + 2) == 0) {
		*rel = 2;
		return IPK_E_OPT_CIPSO_DOI;
	}
	for (size_t i = 6; i < olen;) {
		if (i + 1 == olen) {
			*rel = i;
			return IPK_E_OPT_CIPSO_TAG;
		}
		size_t tl = p[i + 1];
		if (tl == 0 || tl > olen - i) {
			*rel = i + 1;
			return IPK_E_OPT_CIPSO_TAG;
		}
		i += tl;
	}
	return 0;
}

#define FAIL(code, at)                                                                             \
	do {                                                                                       \
		if (err_off)                                                                       \
			*err_off = (at);                                                           \
		return (code);                                                                     \
	} while (0)

int ipk_opt_validate(const uint8_t *opts, size_t len, size_t *err_off, struct ipk_findings *f,
		     size_t base)
{
	int srr = 0, rr = 0, ts = 0, cipso = 0;
	size_t off = 0;

	if (err_off)
		*err_off = 0;
	if (!opts)
		len = 0;
	/* The option area of every IGMP datagram and most others that carry options: one Router
	 * Alert with value 0 (94 04 00 00), valid under every rule below. */
	if (len == 4 && opts[0] == IPK_OPT_RA && opts[1] == 4 && opts[2] == 0 && opts[3] == 0)
		return 0;
	while (off < len) {
		const uint8_t *p = opts + off;
		size_t l = len - off;

		if (p[0] == IPK_OPT_EOL) { /* G1: Linux rewrites later bytes to EOL */
			for (size_t i = 1; i < l; i++)
				if (p[i]) {
					if (f)
						ipk_findings_add(f, IPK_E_OPT_AFTER_EOL, IPK_LAYER_IPV4,
								 base + off + i);
					break;
				}
			return 0;
		}
		if (p[0] == IPK_OPT_NOP) { /* G2 */
			off++;
			continue;
		}
		if (l < 2) /* G3 */
			FAIL(IPK_E_OPT_TRUNC, off);
		size_t olen = p[1];
		if (olen < 2 || olen > l) /* G4 */
			FAIL(IPK_E_OPT_LEN, off);

		switch (p[0]) {
		case IPK_OPT_SSRR:
		case IPK_OPT_LSRR:
			if (olen < 3) /* S1 */
				FAIL(IPK_E_OPT_BAD_LEN, off + 1);
			if (p[2] < 4) /* S2 */
				FAIL(IPK_E_OPT_PTR, off + 2);
			if (srr) /* S3: a second source route of either kind */
				FAIL(IPK_E_OPT_DUP, off);
			srr = 1;
			break;
		case IPK_OPT_RR:
			if (rr) /* R1 */
				FAIL(IPK_E_OPT_DUP, off);
			if (olen < 3) /* R2 */
				FAIL(IPK_E_OPT_BAD_LEN, off + 1);
			if (p[2] < 4) /* R3 */
				FAIL(IPK_E_OPT_PTR, off + 2);
			if (p[2] <= olen && p[2] + 3u > olen) /* R4; R5 full and R6 unaligned pass */
				FAIL(IPK_E_OPT_SPACE, off + 2);
			rr = 1;
			break;
		case IPK_OPT_TS: {
			if (ts) /* T1 */
				FAIL(IPK_E_OPT_DUP, off);
			if (olen < 4) /* T2 */
				FAIL(IPK_E_OPT_BAD_LEN, off + 1);
			if (p[2] < 5) /* T3 */
				FAIL(IPK_E_OPT_PTR, off + 2);
			unsigned flag = p[3] & 0x0f;
			if (p[2] <= olen) {
				if (p[2] + 3u > olen) /* T4 */
					FAIL(IPK_E_OPT_SPACE, off + 2);
				if ((flag == IPK_OPT_TS_TSADDR || flag == IPK_OPT_TS_PRESPEC) &&
				    p[2] + 7u > olen) /* T5 */
					FAIL(IPK_E_OPT_SPACE, off + 2);
			} else if (flag != IPK_OPT_TS_PRESPEC && p[3] >> 4 == 15) { /* T8; T9 passes */
				FAIL(IPK_E_OPT_TS_OVERFLOW, off + 3);
			}
			/* T7: undefined flags are accepted on receive; report them */
			if (flag != IPK_OPT_TS_TSONLY && flag != IPK_OPT_TS_TSADDR &&
			    flag != IPK_OPT_TS_PRESPEC && f)
				ipk_findings_add(f, IPK_E_OPT_TS_FLAG, IPK_LAYER_IPV4, base + off + 3);
			ts = 1;
			break;
		}
		case IPK_OPT_RA:
			if (olen < 4) /* A1; A3 longer RA passes */
				FAIL(IPK_E_OPT_BAD_LEN, off + 1);
			if ((p[2] || p[3]) && f) /* A2 */
				ipk_findings_add(f, IPK_E_OPT_RA_VALUE, IPK_LAYER_IPV4, base + off + 2);
			break;
		case IPK_OPT_CIPSO: {
			if (cipso) /* C1 */
				FAIL(IPK_E_OPT_DUP, off);
			cipso = 1;
			size_t rel = 0;
			int r = cipso_check(p, olen, &rel); /* C2 */
			if (r)
				FAIL(r, off + rel);
			break;
		}
		default: /* X1: SEC, SID and unknown kinds are ignored on receive */
			break;
		}
		off += olen;
	}
	return 0;
}

#undef FAIL

/* ---- builders ---- */

int ipk_opt_put_eol(struct ipk_wbuf *w)
{
	uint8_t *p = ipk_wbuf_reserve(w, 1);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_EOL;
	return 0;
}

int ipk_opt_put_nop(struct ipk_wbuf *w)
{
	uint8_t *p = ipk_wbuf_reserve(w, 1);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_NOP;
	return 0;
}

int ipk_opt_put_ra(struct ipk_wbuf *w, uint16_t value)
{
	uint8_t *p = ipk_wbuf_reserve(w, 4);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_RA;
	p[1] = 4;
	ipk_put16(p + 2, value);
	return 0;
}

int ipk_opt_put_route(struct ipk_wbuf *w, uint8_t type, uint8_t ptr, const uint32_t *addrs,
		      size_t n)
{
	if (n > (255 - 3) / 4)
		return IPK_E_INVAL;
	size_t len = 3 + 4 * n;
	uint8_t *p = ipk_wbuf_reserve(w, len);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = type;
	p[1] = (uint8_t)len;
	p[2] = ptr ? ptr : 4;
	for (size_t i = 0; i < n; i++)
		ipk_put32(p + 3 + 4 * i, addrs ? addrs[i] : 0);
	return 0;
}

/* Flag 0 writes 4-byte stamps; any other flag writes (address, stamp) pairs, as decode reads them. */
int ipk_opt_put_ts(struct ipk_wbuf *w, uint8_t flag, uint8_t oflw, uint8_t ptr,
		   const uint32_t *addrs, const uint32_t *stamps, size_t n)
{
	if (flag > 15 || oflw > 15)
		return IPK_E_INVAL;
	size_t esz = flag == IPK_OPT_TS_TSONLY ? 4 : 8;
	if (n > (255 - 4) / esz)
		return IPK_E_INVAL;
	size_t len = 4 + esz * n;
	uint8_t *p = ipk_wbuf_reserve(w, len);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_TS;
	p[1] = (uint8_t)len;
	p[2] = ptr ? ptr : 5;
	p[3] = (uint8_t)(oflw << 4 | flag);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = p + 4 + esz * i;
		if (esz == 8) {
			ipk_put32(e, addrs ? addrs[i] : 0);
			e += 4;
		}
		ipk_put32(e, stamps ? stamps[i] : 0);
	}
	return 0;
}

int ipk_opt_put_sec(struct ipk_wbuf *w, uint16_t s, uint16_t c, uint16_t h, uint32_t tcc)
{
	if (tcc > 0xffffff)
		return IPK_E_INVAL;
	uint8_t *p = ipk_wbuf_reserve(w, 11);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_SEC;
	p[1] = 11;
	ipk_put16(p + 2, s);
	ipk_put16(p + 4, c);
	ipk_put16(p + 6, h);
	p[8] = (uint8_t)(tcc >> 16);
	p[9] = (uint8_t)(tcc >> 8);
	p[10] = (uint8_t)tcc;
	return 0;
}

int ipk_opt_put_sid(struct ipk_wbuf *w, uint16_t stream_id)
{
	uint8_t *p = ipk_wbuf_reserve(w, 4);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_SID;
	p[1] = 4;
	ipk_put16(p + 2, stream_id);
	return 0;
}

int ipk_opt_put_qs(struct ipk_wbuf *w, uint8_t func, uint8_t rate, uint8_t qs_ttl, uint32_t nonce)
{
	if (func > 15 || rate > 15 || nonce > 0x3fffffff)
		return IPK_E_INVAL;
	uint8_t *p = ipk_wbuf_reserve(w, 8);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_QS;
	p[1] = 8;
	p[2] = (uint8_t)(func << 4 | rate);
	p[3] = qs_ttl;
	ipk_put32(p + 4, nonce << 2); /* reserved R bits 0 */
	return 0;
}

int ipk_opt_put_cipso(struct ipk_wbuf *w, uint32_t doi, const uint8_t *tags, size_t tags_len)
{
	if (tags_len > 255 - 6 || (!tags && tags_len))
		return IPK_E_INVAL;
	uint8_t *p = ipk_wbuf_reserve(w, 6 + tags_len);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = IPK_OPT_CIPSO;
	p[1] = (uint8_t)(6 + tags_len);
	ipk_put32(p + 2, doi);
	if (tags_len)
		memcpy(p + 6, tags, tags_len);
	return 0;
}

int ipk_opt_put_tlv(struct ipk_wbuf *w, uint8_t type, const uint8_t *data, size_t data_len)
{
	if (data_len > 255 - 2 || (!data && data_len))
		return IPK_E_INVAL;
	uint8_t *p = ipk_wbuf_reserve(w, 2 + data_len);
	if (!p)
		return IPK_E_NOSPACE;
	p[0] = type;
	p[1] = (uint8_t)(2 + data_len);
	if (data_len)
		memcpy(p + 2, data, data_len);
	return 0;
}

int ipk_opt_put_raw(struct ipk_wbuf *w, const uint8_t *bytes, size_t n)
{
	if (!bytes && n)
		return IPK_E_INVAL;
	uint8_t *p = ipk_wbuf_reserve(w, n);
	if (!p)
		return IPK_E_NOSPACE;
	if (n)
		memcpy(p, bytes, n);
	return 0;
}

int ipk_opt_pad(struct ipk_wbuf *w)
{
	size_t pad = (4 - (w->len & 3)) & 3;
	if (w->len + pad > 40)
		return IPK_E_TOOLONG;
	uint8_t *p = ipk_wbuf_reserve(w, pad);
	if (!p)
		return IPK_E_NOSPACE;
	if (pad)
		memset(p, IPK_OPT_EOL, pad);
	return 0;
}
