/* ip4.c - IPv4 header parse (strict, Go-compatible, lax; raw-socket byte order), check and marshal
 * (RFC 791, 1122). */
#include "codec/csum_inline.h"
#include "codec/internal.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/ipopt.h"

#if defined(__GNUC__)
#define IP4_COLD __attribute__((noinline, cold))
#define IP4_NOINLINE __attribute__((noinline))
#define IP4_LIKELY(x) __builtin_expect(!!(x), 1)
#define IP4_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define IP4_COLD
#define IP4_NOINLINE
#define IP4_LIKELY(x) (x)
#define IP4_UNLIKELY(x) (x)
#endif

/* Host-order 16-bit load/store for IPK_IP4_RAWORDER (Darwin/BSD raw-socket format). */
static inline uint16_t ld16_host(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline void st16_host(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/*
 * Decode every field of the fixed 20-byte header at p (which must hold 20 readable bytes) into h.
 * opts, opts_len, checksum_ok and truncated are left to the caller.
 */
static inline void fill_fixed(const uint8_t *p, unsigned raw, struct ipk_ip4 *h)
{
	uint16_t fw;

	h->version = p[0] >> 4;
	h->ihl = p[0] & 0x0f;
	h->hlen = (uint16_t)(h->ihl * 4);
	h->tos = p[1];
	if (raw) {
		h->total_len = ld16_host(p + 2);
		fw = ld16_host(p + 6);
	} else {
		h->total_len = ipk_be16(p + 2);
		fw = ipk_be16(p + 6);
	}
	h->id = ipk_be16(p + 4);
	h->rf = (uint8_t)(fw >> 15);
	h->df = (uint8_t)(fw >> 14 & 1);
	h->mf = (uint8_t)(fw >> 13 & 1);
	h->frag_off = fw & 0x1fff;
	h->ttl = p[8];
	h->proto = p[9];
	h->checksum = ipk_be16(p + 10);
	h->src = ipk_be32(p + 12);
	h->dst = ipk_be32(p + 16);
}

static inline int fail(size_t *err_off, size_t off, int err)
{
	if (err_off)
		*err_off = off;
	return err;
}

/* Fewer than 20 bytes: fill what the captured bytes give (the rest reads as 0), then fail. */
IP4_COLD static int parse_short(const uint8_t *buf, size_t len, unsigned raw, struct ipk_ip4 *h,
				size_t *err_off)
{
	uint8_t tmp[IPK_IP4_MINLEN] = {0};

	if (len)
		memcpy(tmp, buf, len);
	fill_fixed(tmp, raw, h);
	h->opts = NULL;
	h->opts_len = 0;
	h->checksum_ok = 0;
	h->truncated = 0;
	return fail(err_off, 0, IPK_E_IP_SHORT);
}

/* IHL below 5 or header not captured (len >= 20): Go accepts IHL 0..4, the others fail. */
IP4_COLD static int parse_bad_ihl(const uint8_t *buf, size_t len, unsigned prof, unsigned raw,
				  struct ipk_ip4 *h, size_t *err_off)
{
	fill_fixed(buf, raw, h);
	h->truncated = h->total_len > len;
	h->opts = NULL;
	h->opts_len = 0;
	h->checksum_ok = 0;
	/* Go checks len < IHL*4 only; IHL 0..4 parse with no options. */
	if (prof == IPK_IP4_GO) {
		if (h->hlen > len)
			return fail(err_off, 0, IPK_E_IP_HDR_TRUNC);
		return 0;
	}
	if (prof == IPK_IP4_STRICT && h->version != 4)
		return fail(err_off, 0, IPK_E_IP_VERSION);
	if (h->ihl < 5)
		return fail(err_off, 0, IPK_E_IP_IHL);
	return fail(err_off, 0, IPK_E_IP_HDR_TRUNC);
}

/* The first strict rule a fully captured header with IHL >= 5 breaks (cold path). */
IP4_COLD static int strict_first(const struct ipk_ip4 *h, size_t len, size_t *err_off)
{
	if (h->version != 4)
		return fail(err_off, 0, IPK_E_IP_VERSION);
	if (h->total_len == 0)
		return fail(err_off, 2, IPK_E_IP_TOTLEN_ZERO);
	if (h->total_len < h->hlen)
		return fail(err_off, 2, IPK_E_IP_TOTLEN_SHORT);
	if (h->total_len > len)
		return fail(err_off, 2, IPK_E_IP_TRUNCATED);
	if (!h->checksum_ok)
		return fail(err_off, 10, IPK_E_IP_CHECKSUM);
	return 0;
}

/* Every profile and header shape; ipk_ip4_parse() handles a valid 20-byte strict header inline. */
IP4_NOINLINE static int parse_any(const uint8_t *buf, size_t len, unsigned profile,
				  struct ipk_ip4 *h, size_t *err_off)
{
	unsigned raw = profile & IPK_IP4_RAWORDER;
	unsigned prof = profile & ~(unsigned)IPK_IP4_RAWORDER;

	if (prof > IPK_IP4_LAX)
		return fail(err_off, 0, IPK_E_INVAL);
	if (len < IPK_IP4_MINLEN)
		return parse_short(buf, len, raw, h, err_off);

	unsigned ihl = buf[0] & 0x0f;
	size_t hlen = (size_t)ihl * 4;

	if (IP4_UNLIKELY(ihl < 5 || hlen > len))
		return parse_bad_ihl(buf, len, prof, raw, h, err_off);

	/* Sum first: fewer values live across the call. */
	int csum_ok = ipk_csum(buf, hlen) == 0;
	fill_fixed(buf, raw, h);
	size_t tl = h->total_len;
	int trunc = tl > len;
	h->truncated = (uint8_t)trunc;
	h->opts = hlen > IPK_IP4_MINLEN ? buf + IPK_IP4_MINLEN : NULL;
	h->opts_len = (uint16_t)(hlen - IPK_IP4_MINLEN);
	h->checksum_ok = (uint8_t)csum_ok;
	if (prof != IPK_IP4_STRICT)
		return 0;

	/* One branch for the common valid header; strict_first() finds which rule broke. */
	if (IP4_UNLIKELY(((buf[0] >> 4) != 4) | (tl < hlen) | trunc | !csum_ok))
		return strict_first(h, len, err_off);
	if (hlen > IPK_IP4_MINLEN) {
		size_t eo = 0;
		int rc = ipk_opt_validate(h->opts, h->opts_len, &eo, NULL, IPK_IP4_MINLEN);
		if (rc < 0)
			return fail(err_off, IPK_IP4_MINLEN + eo, rc);
	}
	return 0;
}

/*
 * The common case inline, a strict (or lax) parse of a 20-byte header that passes every rule: byte 0 is
 * 0x45 (version 4, IHL 5), 20 <= total length <= len and the five words sum to 0xffff; then no
 * option rule applies. The sum comes from five native 32-bit loads (csum_inline.h, as ipk_csum);
 * fields are stored as they are read (few live registers; RF/DF/MF from one multiply) and one
 * branch gives the verdict. Anything else, every error included, goes to parse_any(), which
 * rewrites all of h and finds the first rule broken.
 */
int ipk_ip4_parse(const uint8_t *buf, size_t len, unsigned profile, struct ipk_ip4 *h,
		  size_t *err_off)
{
	/* LAX (the whole-packet decoder) gets the same fields from the same path: for a header
	 * that passes every strict rule, the two profiles agree. */
	if (IP4_LIKELY((profile == IPK_IP4_STRICT || profile == IPK_IP4_LAX) &&
		       len >= IPK_IP4_MINLEN && buf[0] == 0x45)) {
		/* the sum of the five native words, byte order being irrelevant to a check for
		 * 0xffff; no overflow in 64 bits */
		uint64_t sum = ipk_csum_sum20_native(buf);
		uint32_t w = ipk_be32(buf);
		uint32_t tl = w & 0xffff;
		/* tl - 20 wraps for tl < 20: one compare for 20 <= tl <= len */
		int bad = ((size_t)tl - IPK_IP4_MINLEN > len - IPK_IP4_MINLEN) |
			  (ipk_csum_fold64_inl(sum) != 0xffff);

		h->version = 4;
		h->ihl = 5;
		h->hlen = IPK_IP4_MINLEN;
		h->tos = buf[1];
		h->total_len = (uint16_t)tl;
		h->opts = NULL;
		w = ipk_be32(buf + 4);
		h->id = (uint16_t)(w >> 16);
		h->frag_off = (uint16_t)(w & 0x1fff);
		/* RF, DF, MF (bits 15..13) spread to bits 0, 8 and 16, one per byte */
		w = ((w >> 13 & 7) * 0x40201u) >> 2 & 0x10101u;
		h->rf = (uint8_t)w;
		h->df = (uint8_t)(w >> 8);
		h->mf = (uint8_t)(w >> 16);
		h->ttl = buf[8];
		h->proto = buf[9];
		h->checksum = ipk_be16(buf + 10);
		h->src = ipk_be32(buf + 12);
		h->dst = ipk_be32(buf + 16);
		if (IP4_LIKELY(!bad)) {
			h->opts_len = 0;
			h->checksum_ok = 1;
			h->truncated = 0;
			return 0;
		}
		return parse_any(buf, len, profile, h, err_off);
	}
	return parse_any(buf, len, profile, h, err_off);
}

int ipk_ip4_check(const struct ipk_ip4 *h, const uint8_t *buf, size_t len, struct ipk_findings *f)
{
	int n0 = f->n + f->dropped;
	const int L = IPK_LAYER_IPV4;

	if (len < IPK_IP4_MINLEN) {
		ipk_findings_add(f, IPK_E_IP_SHORT, L, 0);
		if (len >= 1 && buf[0] >> 4 != 4)
			ipk_findings_add(f, IPK_E_IP_VERSION, L, 0);
		if (len >= 1 && (buf[0] & 0x0f) < 5)
			ipk_findings_add(f, IPK_E_IP_IHL, L, 0);
		return f->n + f->dropped - n0;
	}

	size_t hlen = (size_t)h->ihl * 4;
	int hdr_ok = h->ihl >= 5 && hlen <= len; /* whole header captured and >= 20 bytes */

	if (h->version != 4)
		ipk_findings_add(f, IPK_E_IP_VERSION, L, 0);
	if (h->ihl < 5)
		ipk_findings_add(f, IPK_E_IP_IHL, L, 0);
	if (hlen > len)
		ipk_findings_add(f, IPK_E_IP_HDR_TRUNC, L, 0);
	if (h->total_len == 0)
		ipk_findings_add(f, IPK_E_IP_TOTLEN_ZERO, L, 2);
	else if (h->total_len < hlen)
		ipk_findings_add(f, IPK_E_IP_TOTLEN_SHORT, L, 2);
	else if (h->total_len > len)
		ipk_findings_add(f, IPK_E_IP_TRUNCATED, L, 2);
	if (hdr_ok && !h->checksum_ok) /* parse already summed the header */
		ipk_findings_add(f, IPK_E_IP_CHECKSUM, L, 10);
	if (hdr_ok && hlen > IPK_IP4_MINLEN) {
		size_t eo = 0;
		int rc = ipk_opt_validate(buf + IPK_IP4_MINLEN, hlen - IPK_IP4_MINLEN, &eo, f,
					  IPK_IP4_MINLEN);
		if (rc < 0)
			ipk_findings_add(f, rc, L, IPK_IP4_MINLEN + eo);
	}
	if (h->rf)
		ipk_findings_add(f, IPK_E_IP_RESERVED_FLAG, L, 6);
	/* offset*8 + payload past 65535: the "ping of death" oversize (RFC 791, 6.2 of notes). */
	if (h->total_len >= hlen &&
	    (uint32_t)h->frag_off * 8 + (uint32_t)(h->total_len - hlen) > 65535)
		ipk_findings_add(f, IPK_E_IP_FRAG_OVERSIZE, L, 6);
	return f->n + f->dropped - n0;
}

/* The value whose big-endian store writes v in host byte order (IPK_IP4_RAWORDER fields). */
static inline uint16_t raw16(uint16_t v)
{
	uint8_t b[2];

	st16_host(b, v);
	return ipk_be16(b);
}

/* Options other than one word: copy, pad with EOL, sum the whole header from the buffer. */
static uint16_t put_opts(uint8_t *buf, uint32_t w2, const uint8_t *opts, size_t olen, size_t plen)
{
	memcpy(buf + IPK_IP4_MINLEN, opts, olen);
	memset(buf + IPK_IP4_MINLEN + olen, IPK_OPT_EOL, plen - olen);
	ipk_put32(buf + 8, w2);
	return ipk_csum(buf, IPK_IP4_MINLEN + plen);
}

/*
 * The fixed header is formed as five words in registers and stored once; with no options or a
 * single option word (Router Alert) the checksum is summed from the words, else from the buffer.
 */
int ipk_ip4_marshal(const struct ipk_ip4 *h, size_t payload_len, unsigned flags, uint8_t *buf,
		    size_t cap)
{
	size_t olen = h->opts_len;

	if (olen > IPK_IP4_MAXOPTLEN)
		return IPK_E_TOOLONG;
	if (olen && !h->opts)
		return IPK_E_INVAL;

	size_t plen = (olen + 3) & ~(size_t)3;
	size_t hlen = IPK_IP4_MINLEN + plen;
	size_t tot = h->total_len;

	if (!(flags & IPK_IP4_KEEP_TOTLEN)) {
		if (payload_len > 65535 - hlen)
			return IPK_E_TOOLONG;
		tot = hlen + payload_len;
	}
	if (cap < hlen)
		return IPK_E_NOSPACE;

	uint32_t ver = flags & IPK_IP4_KEEP_VERSION ? (h->version & 0x0fu) : 4;
	uint32_t ihl = flags & IPK_IP4_KEEP_IHL ? (h->ihl & 0x0fu) : (uint32_t)(hlen / 4);
	uint16_t fw = (uint16_t)((h->rf ? 0x8000 : 0) | (h->df ? 0x4000 : 0) |
				 (h->mf ? 0x2000 : 0) | (h->frag_off & 0x1fff));
	uint16_t tl = (uint16_t)tot;

	if (IP4_UNLIKELY(flags & IPK_IP4_RAWORDER)) {
		tl = raw16(tl);
		fw = raw16(fw);
	}
	uint32_t w0 = ver << 28 | ihl << 24 | (uint32_t)h->tos << 16 | tl;
	uint32_t w1 = (uint32_t)h->id << 16 | fw;
	uint32_t w2 = (uint32_t)h->ttl << 24 | (uint32_t)h->proto << 16;
	uint32_t src = h->src, dst = h->dst;
	uint16_t csum;

	ipk_put32(buf, w0);
	ipk_put32(buf + 4, w1);
	ipk_put32(buf + 12, src);
	ipk_put32(buf + 16, dst);
	if (olen == 4) {
		uint32_t o = ipk_be32(h->opts);
		ipk_put32(buf + IPK_IP4_MINLEN, o);
		csum = ipk_csum_words6(w0, w1, w2, src, dst, o);
	} else if (olen == 0) {
		csum = ipk_csum_words5(w0, w1, w2, src, dst);
	} else {
		csum = put_opts(buf, w2, h->opts, olen, plen);
	}
	if (flags & IPK_IP4_KEEP_CSUM)
		csum = h->checksum;
	ipk_put32(buf + 8, w2 | csum);
	return (int)hlen;
}

size_t ipk_ip4_ntoa(uint32_t addr, char *out)
{
	char *p = out;

	for (int i = 3; i >= 0; i--) {
		unsigned v = (addr >> (i * 8)) & 0xff;
		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			v %= 100;
			*p++ = (char)('0' + v / 10);
			*p++ = (char)('0' + v % 10);
		} else if (v >= 10) {
			*p++ = (char)('0' + v / 10);
			*p++ = (char)('0' + v % 10);
		} else {
			*p++ = (char)('0' + v);
		}
		if (i)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - out);
}

int ipk_ip4_aton(const char *s, uint32_t *addr)
{
	uint32_t a = 0;

	/* Exactly four decimal parts 0..255 of 1-3 digits, no leading zeros (as inet_pton). */
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, nd = 0;
		if (i && *s++ != '.')
			return IPK_E_INVAL;
		while (*s >= '0' && *s <= '9') {
			if (nd == 3 || (nd == 1 && v == 0))
				return IPK_E_INVAL;
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || v > 255)
			return IPK_E_INVAL;
		a = a << 8 | v;
	}
	if (*s != '\0')
		return IPK_E_INVAL;
	*addr = a;
	return 0;
}

/* The header's 16-bit words 0 (version, IHL, TOS), 3 (flags, fragment offset) and 4 (TTL,
 * protocol), as marshal writes them (RFC 791 3.1); words 1 and 2 are total length and ID. */
static inline uint16_t ip4_word0(const struct ipk_ip4 *h)
{
	return (uint16_t)((h->version & 15) << 12 | (h->ihl & 15) << 8 | h->tos);
}

static inline uint16_t ip4_word3(const struct ipk_ip4 *h)
{
	return (uint16_t)((h->rf & 1) << 15 | (h->df & 1) << 14 | (h->mf & 1) << 13 |
			  (h->frag_off & 0x1fff));
}

static inline uint16_t ip4_word4(const struct ipk_ip4 *h)
{
	return (uint16_t)(h->ttl << 8 | h->proto);
}

/* ipk_csum_upd*_terms of a field that went from a to b, or nothing when it kept its value: an
 * unchanged field leaves the checksum exactly as it was, 0x0000/0xffff corner included. */
static inline uint32_t delta16(uint16_t a, uint16_t b)
{
	return a == b ? 0 : ipk_csum_upd16_terms(a, b);
}

static inline uint32_t delta32(uint32_t a, uint32_t b)
{
	return a == b ? 0 : ipk_csum_upd32_terms(a, b);
}

/* The terms of every changed word in one sum, folded once (csum_inline.h): the value of one
 * ipk_csum_update16/32 per changed word, without a call per word. At most 19 terms below 0x10000:
 * no carry out of 32 bits. */
uint16_t ipk_ip4_csum_adjust(const struct ipk_ip4 *from, const struct ipk_ip4 *to)
{
	uint32_t s = (uint16_t)~from->checksum;
	/* words 0 and 3 are put together only when one of their fields differs */
	if (from->version != to->version || from->ihl != to->ihl || from->tos != to->tos)
		s += delta16(ip4_word0(from), ip4_word0(to));
	s += delta16(from->total_len, to->total_len);
	s += delta16(from->id, to->id);
	if (from->rf != to->rf || from->df != to->df || from->mf != to->mf ||
	    from->frag_off != to->frag_off)
		s += delta16(ip4_word3(from), ip4_word3(to));
	s += delta16(ip4_word4(from), ip4_word4(to));
	s += delta32(from->src, to->src);
	s += delta32(from->dst, to->dst);
	return (uint16_t)~ipk_csum_fold64_inl(s);
}
