/* mutate.c - the mutator's core: seeding, parsing a datagram into a mut_ctx, choosing an operation, the IPv4 header and option operations, havoc, splice and the checksum fix-up. */
#include <stdio.h>
#include <string.h>

#include "ipv4kit/checksum.h"
#include "mutate/mut.h"

/* ---- random numbers: splitmix64, the same on every platform ---- */

uint64_t mut_rand64(struct ipk_mutator *m)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t mut_rand(struct ipk_mutator *m, uint32_t n)
{
	return (uint32_t)(mut_rand64(m) % n);
}

uint32_t mut_pick(struct ipk_mutator *m, const uint32_t *v, size_t n, uint32_t old, uint32_t mask)
{
	for (int i = 0; i < 8; i++) {
		uint32_t x = v[mut_rand(m, (uint32_t)n)] & mask;
		if (x != old)
			return x;
	}
	return (old + 1) & mask;
}

uint32_t mut_addr(struct ipk_mutator *m, uint32_t old)
{
	const uint32_t v[] = {0,
			      0xffffffffu,
			      IPK_IGMP_ALL_SYSTEMS,
			      IPK_IGMP_ALL_ROUTERS,
			      IPK_IGMP_V3_ROUTERS,
			      IPK_IP4_ADDR(224, 0, 0, 0),
			      IPK_IP4_ADDR(239, 255, 255, 255),
			      IPK_IP4_ADDR(232, 1, 1, 1),
			      IPK_IP4_ADDR(127, 0, 0, 1),
			      IPK_IP4_ADDR(198, 18, 0, 1),
			      old + 1,
			      old - 1,
			      old ^ 0x80000000u,
			      (uint32_t)mut_rand64(m)};
	return mut_pick(m, v, sizeof(v) / sizeof(v[0]), old, 0xffffffffu);
}

void ipk_mut_init(struct ipk_mutator *m, uint64_t seed, unsigned flags)
{
	m->rng = seed;
	m->flags = flags & (IPK_MUT_KEEP_CSUM | IPK_MUT_MODE_MASK);
	m->count = 0;
}

/* ---- buffer surgery ---- */

int mut_open(struct mut_ctx *c, size_t at, size_t n)
{
	if (at > c->len || n > c->cap - c->len)
		return -1;
	memmove(c->buf + at + n, c->buf + at, c->len - at);
	memset(c->buf + at, 0, n);
	c->len += n;
	return 0;
}

void mut_close(struct mut_ctx *c, size_t at, size_t n)
{
	if (at > c->len)
		return;
	if (n > c->len - at)
		n = c->len - at;
	memmove(c->buf + at, c->buf + at + n, c->len - at - n);
	c->len -= n;
}

int mut_set_header(struct mut_ctx *c, const struct ipk_ip4 *nh)
{
	uint8_t hb[IPK_IP4_MAXLEN];
	int n = ipk_ip4_marshal(nh, 0, IPK_IP4_KEEP_ALL, hb, sizeof(hb));
	if (n < 0)
		return -1;
	size_t oldh = c->h.hlen, newh = (size_t)n;
	if (newh > oldh && mut_open(c, oldh, newh - oldh) != 0)
		return -1;
	if (newh < oldh)
		mut_close(c, newh, oldh - newh);
	memcpy(c->buf, hb, newh);
	return 0;
}

void mut_add_totlen(struct mut_ctx *c, long delta)
{
	struct ipk_ip4 nh = c->h;
	nh.opts = c->opts;
	nh.total_len = (uint16_t)(c->h.total_len + delta);
	(void)mut_set_header(c, &nh); /* same header length: always fits */
}

void mut_note(struct mut_ctx *c, int op, int layer, const char *field, int32_t index, size_t off,
	      uint32_t old_val, uint32_t new_val)
{
	struct ipk_mut_info *i = c->info;
	i->op = (uint8_t)op;
	i->layer = (uint8_t)layer;
	i->field = field;
	i->index = index;
	i->offset = (uint32_t)off;
	i->old_val = old_val;
	i->new_val = new_val;
}

/* ---- parsing ---- */

static void scan(struct mut_ctx *c)
{
	c->ip_ok = ipk_ip4_parse(c->buf, c->len, IPK_IP4_LAX, &c->h, NULL) == 0;
	c->nopt = 0;
	c->igmp = 0;
	c->fmt = FMT_NONE;
	if (!c->ip_ok)
		return;
	if (c->h.opts_len)
		memcpy(c->opts, c->h.opts, c->h.opts_len);
	c->h.opts = c->opts;
	struct ipk_opt_iter it;
	struct ipk_opt o;
	ipk_opt_iter_init(&it, c->opts, c->h.opts_len);
	while (c->nopt < MUT_MAXOPTS && ipk_opt_next(&it, &o) == 1)
		c->opt[c->nopt++] = o;
	mut_igmp_scan(c);
}

/* ---- IPv4 header fields: parse, change the struct, marshal ---- */

static const char *const ip_field_names[] = {
	[IPK_MUT_IP_VERSION] = "version", [IPK_MUT_IP_IHL] = "ihl",     [IPK_MUT_IP_TOS] = "tos",
	[IPK_MUT_IP_TOTLEN] = "total length", [IPK_MUT_IP_ID] = "id",  [IPK_MUT_IP_FLAGS] = "flags",
	[IPK_MUT_IP_FRAGOFF] = "fragment offset", [IPK_MUT_IP_TTL] = "ttl",
	[IPK_MUT_IP_PROTO] = "protocol", [IPK_MUT_IP_SRC] = "source", [IPK_MUT_IP_DST] = "destination",
	[IPK_MUT_IP_CSUM] = "checksum",
};

static uint32_t flags_of(const struct ipk_ip4 *h)
{
	return (uint32_t)(h->rf << 2 | h->df << 1 | h->mf);
}

/* The right header checksum of h: marshal it once without keeping the field. */
static uint16_t right_csum(const struct ipk_ip4 *h)
{
	uint8_t hb[IPK_IP4_MAXLEN];
	struct ipk_ip4 p;
	int n = ipk_ip4_marshal(h, 0, IPK_IP4_KEEP_VERSION | IPK_IP4_KEEP_IHL | IPK_IP4_KEEP_TOTLEN,
				hb, sizeof(hb));
	if (n < 0 || ipk_ip4_parse(hb, (size_t)n, IPK_IP4_LAX, &p, NULL) != 0)
		return h->checksum;
	return p.checksum;
}

static int ip_field(struct mut_ctx *c, int op)
{
	struct ipk_mutator *m = c->m;
	struct ipk_ip4 n = c->h;
	const struct ipk_ip4 *h = &c->h;
	uint32_t old = 0, val = 0, len = (uint32_t)c->len, hl = h->hlen;
	switch (op) {
	case IPK_MUT_IP_VERSION: {
		const uint32_t v[] = {0, 4, 5, 6, 15, mut_rand(m, 16)};
		old = h->version;
		n.version = (uint8_t)(val = mut_pick(m, v, 6, old, 15));
		break;
	}
	case IPK_MUT_IP_IHL: {
		const uint32_t v[] = {0, 1, 4, 5, 6, 15, h->ihl - 1u, h->ihl + 1u, mut_rand(m, 16)};
		old = h->ihl;
		n.ihl = (uint8_t)(val = mut_pick(m, v, 9, old, 15));
		break;
	}
	case IPK_MUT_IP_TOS: {
		const uint32_t v[] = {0, 0xc0, 0xff, 0x01, 0x02, 0x03, 0xb8, 0xfc, mut_rand(m, 256)};
		old = h->tos;
		n.tos = (uint8_t)(val = mut_pick(m, v, 9, old, 0xff));
		break;
	}
	case IPK_MUT_IP_TOTLEN: {
		const uint32_t v[] = {0, 1, 19, 20, hl - 1, hl, hl + 1, hl + 7, hl + 8, len - 1, len,
				      len + 1, 576, 0xffff, h->total_len - 4u, h->total_len + 4u,
				      mut_rand(m, 65536)};
		old = h->total_len;
		n.total_len = (uint16_t)(val = mut_pick(m, v, 17, old, 0xffff));
		break;
	}
	case IPK_MUT_IP_ID: {
		const uint32_t v[] = {0, 1, 0x7fff, 0x8000, 0xffff, h->id + 1u, mut_rand(m, 65536)};
		old = h->id;
		n.id = (uint16_t)(val = mut_pick(m, v, 7, old, 0xffff));
		break;
	}
	case IPK_MUT_IP_FLAGS: {
		old = flags_of(h);
		const uint32_t v[] = {old ^ 4, old ^ 2, old ^ 1, 7, 0, 1, 3};
		val = mut_pick(m, v, 7, old, 7);
		n.rf = (uint8_t)(val >> 2 & 1);
		n.df = (uint8_t)(val >> 1 & 1);
		n.mf = (uint8_t)(val & 1);
		break;
	}
	case IPK_MUT_IP_FRAGOFF: {
		const uint32_t v[] = {0, 1, 2, 0x1fff, 0x1ffe, (65536 - len) / 8, (65536 - len) / 8 + 1,
				      h->frag_off + 1u, h->frag_off - 1u, mut_rand(m, 0x2000)};
		old = h->frag_off;
		n.frag_off = (uint16_t)(val = mut_pick(m, v, 10, old, 0x1fff));
		break;
	}
	case IPK_MUT_IP_TTL: {
		const uint32_t v[] = {0, 1, 2, 64, 127, 128, 254, 255, mut_rand(m, 256)};
		old = h->ttl;
		n.ttl = (uint8_t)(val = mut_pick(m, v, 9, old, 0xff));
		break;
	}
	case IPK_MUT_IP_PROTO: {
		const uint32_t v[] = {0, IPK_PROTO_ICMP, IPK_PROTO_IGMP, 4, IPK_PROTO_TCP, IPK_PROTO_UDP,
				      103, 255, mut_rand(m, 256)};
		old = h->proto;
		n.proto = (uint8_t)(val = mut_pick(m, v, 9, old, 0xff));
		break;
	}
	case IPK_MUT_IP_SRC:
		old = h->src;
		n.src = val = mut_addr(m, old);
		break;
	case IPK_MUT_IP_DST:
		old = h->dst;
		n.dst = val = mut_addr(m, old);
		break;
	default: { /* IPK_MUT_IP_CSUM */
		uint32_t r = right_csum(h);
		const uint32_t v[] = {0, 0xffff, r ^ 1, r + 1, r - 1, r ^ 0xffff, mut_rand(m, 65536)};
		old = h->checksum;
		n.checksum = (uint16_t)(val = mut_pick(m, v, 7, r, 0xffff));
		break;
	}
	}
	uint8_t before[IPK_IP4_MAXLEN];
	memcpy(before, c->buf, hl);
	if (mut_set_header(c, &n) != 0)
		return -1;
	size_t off = 0;
	while (off + 1 < hl && before[off] == c->buf[off])
		off++;
	mut_note(c, op, IPK_LAYER_IPV4, ip_field_names[op], -1, off, old, val);
	return 0;
}

/* Cut bytes off the end or append some: the total length no longer matches the bytes present. */
static int ip_length(struct mut_ctx *c, int op)
{
	struct ipk_mutator *m = c->m;
	uint32_t len = (uint32_t)c->len, hl = c->h.hlen;
	if (op == IPK_MUT_IP_TRUNCATE) {
		const uint32_t v[] = {len - 1, len - 4, hl, hl + 1, hl + 7, hl + 8, hl + 11,
				      1 + mut_rand(m, len - 1)};
		uint32_t to = mut_pick(m, v, 8, len, 0xffffffffu);
		if (to == 0 || to >= len)
			return -1;
		mut_close(c, to, len - to);
		mut_note(c, op, IPK_LAYER_IPV4, "bytes present", -1, to, len, to);
		return 0;
	}
	const uint32_t v[] = {1, 2, 4, 8, 18, 1 + mut_rand(m, 64)};
	uint32_t n = v[mut_rand(m, 6)], fill = mut_rand(m, 3);
	if (mut_open(c, len, n) != 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		c->buf[len + i] = fill == 0 ? 0 : fill == 1 ? 0xff : (uint8_t)mut_rand(m, 256);
	mut_note(c, op, IPK_LAYER_IPV4, "bytes present", -1, len, len, len + n);
	return 0;
}

/* ---- options: the area is rebuilt in a copy and written back through the header ---- */

/* A new option area: the old one with [at, at + cut) replaced by ins[0..n), padded with NOP to
 * 4 bytes. Written through mut_set_header() with IHL and total length following. */
static int opt_rewrite(struct mut_ctx *c, size_t at, size_t cut, const uint8_t *ins, size_t n)
{
	uint8_t area[IPK_IP4_MAXOPTLEN + 4];
	struct ipk_wbuf w;
	size_t olen = c->h.opts_len;
	ipk_wbuf_init(&w, area, IPK_IP4_MAXOPTLEN);
	if (ipk_opt_put_raw(&w, c->opts, at) || ipk_opt_put_raw(&w, ins, n))
		return -1;
	while ((w.len + olen - at - cut) % 4)
		if (ipk_opt_put_nop(&w))
			return -1;
	if (ipk_opt_put_raw(&w, c->opts + at + cut, olen - at - cut))
		return -1;
	struct ipk_ip4 nh = c->h;
	long delta = (long)w.len - (long)olen;
	nh.opts = area;
	nh.opts_len = (uint16_t)w.len;
	nh.ihl = (uint8_t)(c->h.ihl + delta / 4);
	nh.total_len = (uint16_t)(c->h.total_len + delta);
	return mut_set_header(c, &nh);
}

static int opt_insert(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	uint8_t ob[IPK_IP4_MAXOPTLEN];
	struct ipk_wbuf w;
	size_t room = IPK_IP4_MAXOPTLEN - c->h.opts_len;
	ipk_wbuf_init(&w, ob, room);
	uint32_t n = 1 + mut_rand(m, 4);
	const uint8_t unknown[] = {0x5a, 0xa5, 0, 0xff, 1, 2};
	int rc;
	switch (mut_rand(m, 9)) {
	case 0: {
		const uint32_t v[] = {0, 1, 0xffff, mut_rand(m, 65536)};
		rc = ipk_opt_put_ra(&w, (uint16_t)v[mut_rand(m, 4)]);
		break;
	}
	case 1:
		rc = ipk_opt_put_nop(&w);
		break;
	case 2:
		rc = ipk_opt_put_eol(&w);
		break;
	case 3: {
		const uint8_t flag[] = {IPK_OPT_TS_TSONLY, IPK_OPT_TS_TSADDR, IPK_OPT_TS_PRESPEC, 2, 15};
		rc = ipk_opt_put_ts(&w, flag[mut_rand(m, 5)], (uint8_t)mut_rand(m, 16), 0, NULL, NULL, n);
		break;
	}
	case 4:
		rc = ipk_opt_put_route(&w, IPK_OPT_RR, 0, NULL, n);
		break;
	case 5:
		rc = ipk_opt_put_route(&w, mut_rand(m, 2) ? IPK_OPT_LSRR : IPK_OPT_SSRR, 0, NULL, n);
		break;
	case 6:
		rc = ipk_opt_put_sid(&w, (uint16_t)mut_rand(m, 65536));
		break;
	case 7:
		rc = ipk_opt_put_qs(&w, 0, (uint8_t)mut_rand(m, 16), 0, (uint32_t)mut_rand64(m));
		break;
	default: { /* a kind no stack knows, with or without the copied bit */
		const uint8_t type[] = {2, 30, 94, 0x80 | 30, 0xff};
		rc = ipk_opt_put_tlv(&w, type[mut_rand(m, 5)], unknown, mut_rand(m, 7));
		break;
	}
	}
	if (rc || w.len == 0)
		return -1;
	/* at an option boundary, or at the end of the area */
	uint32_t k = mut_rand(m, c->nopt + 1);
	size_t at = k < c->nopt ? c->opt[k].off : c->h.opts_len;
	uint8_t type = ob[0];
	if (opt_rewrite(c, at, 0, ob, w.len) != 0)
		return -1;
	mut_note(c, IPK_MUT_OPT_INSERT, IPK_LAYER_IPV4, ipk_opt_name(type), (int32_t)k,
		 IPK_IP4_MINLEN + at, 0, type);
	return 0;
}

static int opt_delete(struct mut_ctx *c)
{
	uint32_t k = mut_rand(c->m, c->nopt);
	const struct ipk_opt *o = &c->opt[k];
	/* a lone NOP or EOL in a 4-byte area would come back as padding: no change */
	if (o->len < 2 && c->h.opts_len <= 4)
		return -1;
	uint8_t type = o->type;
	size_t at = o->off;
	if (opt_rewrite(c, at, o->len, NULL, 0) != 0)
		return -1;
	mut_note(c, IPK_MUT_OPT_DELETE, IPK_LAYER_IPV4, ipk_opt_name(type), (int32_t)k,
		 IPK_IP4_MINLEN + at, type, 0);
	return 0;
}

/* The length byte (second byte of a TLV option) or the pointer (third byte of RR/LSRR/SSRR/TS):
 * located by the option walk, changed in place. */
static int is_routed(uint8_t type)
{
	return type == IPK_OPT_RR || type == IPK_OPT_LSRR || type == IPK_OPT_SSRR || type == IPK_OPT_TS;
}

static int opt_byte(struct mut_ctx *c, int op)
{
	struct ipk_mutator *m = c->m;
	unsigned cand[MUT_MAXOPTS], n = 0;
	for (unsigned i = 0; i < c->nopt; i++) {
		const struct ipk_opt *o = &c->opt[i];
		if (op == IPK_MUT_OPT_LEN ? o->len >= 2
		    : op == IPK_MUT_OPT_PTR ? is_routed(o->type) && o->len >= 3
					    : o->len > 2 + is_routed(o->type))
			cand[n++] = i;
	}
	if (!n)
		return -1;
	unsigned k = cand[mut_rand(m, n)];
	const struct ipk_opt *o = &c->opt[k];
	/* the data: after the type, length and (RR/LSRR/SSRR/TS) pointer bytes */
	unsigned first = 2 + (unsigned)is_routed(o->type);
	size_t at = IPK_IP4_MINLEN + o->off +
		    (op == IPK_MUT_OPT_LEN ? 1 : op == IPK_MUT_OPT_PTR ? 2 : first + mut_rand(m, o->len - first));
	uint32_t old = c->buf[at], l = o->len, left = (uint32_t)(c->h.opts_len - o->off);
	uint32_t val;
	const char *field = op == IPK_MUT_OPT_LEN ? "option length" : op == IPK_MUT_OPT_PTR ? "option pointer"
											 : "option data";
	if (op == IPK_MUT_OPT_DATA) {
		const uint32_t v[] = {0, 1, 0x0f, 0x10, 0x11, 0x13, 0x7f, 0x80, 0xf0, 0xff, old + 1, old - 1,
				      mut_rand(m, 256)};
		val = mut_pick(m, v, 13, old, 0xff);
	} else if (op == IPK_MUT_OPT_LEN) {
		const uint32_t v[] = {0, 1, 2, 3, l - 1, l + 1, l + 4, left, left + 1, 40, 255};
		val = mut_pick(m, v, 11, old, 0xff);
	} else {
		const uint32_t v[] = {0, 1, 3, 4, 5, old + 4, old - 4, old + 1, l, l + 1, l + 4, 255};
		val = mut_pick(m, v, 12, old, 0xff);
	}
	c->buf[at] = (uint8_t)val;
	mut_note(c, op, IPK_LAYER_IPV4, field, (int32_t)k, at, old, val);
	return 0;
}

/* ---- havoc: for what does not parse ---- */

static void havoc(struct mut_ctx *c)
{
	struct ipk_mutator *m = c->m;
	unsigned rounds = 1 + mut_rand(m, 4);
	size_t first = 0;
	uint32_t fold = 0, fnew = 0;
	for (unsigned r = 0; r < rounds; r++) {
		size_t at = c->len ? mut_rand(m, (uint32_t)c->len) : 0;
		uint32_t old = c->len ? c->buf[at] : 0, val;
		unsigned what = c->len ? mut_rand(m, 6) : 4;
		switch (what) {
		case 0:
			val = old ^ (1u << mut_rand(m, 8));
			break;
		case 1: {
			const uint32_t v[] = {0, 1, 0x7f, 0x80, 0xff, 0x11, 0x22, 0x45, 0x46};
			val = mut_pick(m, v, 9, old, 0xff);
			break;
		}
		case 2:
			val = (old + 1 + mut_rand(m, 255)) & 0xff;
			break;
		case 3:
			if (c->len < 2) {
				val = old ^ 0xff;
				break;
			}
			/* at most len - 1 bytes: never empty */
			mut_close(c, at, 1 + mut_rand(m, c->len - 1 < 4 ? (uint32_t)c->len - 1 : 4));
			val = c->len;
			at = c->len; /* noted as a length */
			break;
		default:
			if (mut_open(c, at, 1) != 0) {
				val = old ^ 0xff;
				if (!c->len)
					continue;
				break;
			}
			val = mut_rand(m, 256);
			break;
		}
		if (at < c->len)
			c->buf[at] = (uint8_t)val;
		if (r == 0) {
			first = at;
			fold = old;
			fnew = val;
		}
	}
	mut_note(c, IPK_MUT_HAVOC, IPK_LAYER_IPV4, "bytes", -1, first, fold, fnew);
}

/* ---- choice, fix-up, entry points ---- */

static int ip_can(const struct mut_ctx *c, int op)
{
	switch (op) {
	case IPK_MUT_IP_TRUNCATE:
		return c->len > c->h.hlen;
	case IPK_MUT_IP_EXTEND:
		return c->len < c->cap;
	case IPK_MUT_OPT_INSERT:
		return c->h.opts_len < IPK_IP4_MAXOPTLEN && c->len + 4 <= c->cap;
	case IPK_MUT_OPT_DELETE:
		return c->nopt > 0;
	case IPK_MUT_OPT_LEN:
	case IPK_MUT_OPT_PTR:
	case IPK_MUT_OPT_DATA:
		return c->nopt > 0;
	default:
		return op <= IPK_MUT_IP_CSUM;
	}
}

static int can(const struct mut_ctx *c, int op)
{
	unsigned mode = c->m->flags & IPK_MUT_MODE_MASK;
	if (mode == IPK_MUT_MODE_OPTS && (op < IPK_MUT_OPT_INSERT || op > IPK_MUT_OPT_DATA))
		return 0;
	if (op <= IPK_MUT_OPT_DATA)
		return mode != IPK_MUT_MODE_IGMP && ip_can(c, op);
	if (op <= IPK_MUT_IGMP_REC_DELETE)
		return c->igmp && mut_igmp_can(c, op);
	return 0;
}

static int apply(struct mut_ctx *c, int op)
{
	if (op <= IPK_MUT_IP_CSUM)
		return ip_field(c, op);
	switch (op) {
	case IPK_MUT_IP_TRUNCATE:
	case IPK_MUT_IP_EXTEND:
		return ip_length(c, op);
	case IPK_MUT_OPT_INSERT:
		return opt_insert(c);
	case IPK_MUT_OPT_DELETE:
		return opt_delete(c);
	case IPK_MUT_OPT_LEN:
	case IPK_MUT_OPT_PTR:
	case IPK_MUT_OPT_DATA:
		return opt_byte(c, op);
	default:
		return mut_igmp_op(c, op);
	}
}

/* Recompute the IGMP checksum after an IGMP change (IPv4 changes leave the message alone), then
 * the header checksum, unless the operation was to set that checksum or IPK_MUT_KEEP_CSUM. */
static void fix_checksums(struct mut_ctx *c, int op, int igmp_changed)
{
	if (c->m->flags & IPK_MUT_KEEP_CSUM)
		return;
	struct ipk_ip4 h;
	if (ipk_ip4_parse(c->buf, c->len, IPK_IP4_LAX, &h, NULL) != 0)
		return;
	if (igmp_changed && op != IPK_MUT_IGMP_CSUM) {
		size_t end = h.total_len >= h.hlen && h.total_len <= c->len ? h.total_len : c->len;
		ipk_igmp_set_checksum(c->buf + h.hlen, end - h.hlen, -1);
	}
	if (op != IPK_MUT_IP_CSUM) {
		uint8_t area[IPK_IP4_MAXOPTLEN];
		if (h.opts_len)
			memcpy(area, h.opts, h.opts_len);
		h.opts = area;
		h.checksum = right_csum(&h);
		c->h.hlen = h.hlen;
		(void)mut_set_header(c, &h); /* same length: fits */
	}
}

static void start(struct mut_ctx *c, struct ipk_mutator *m, uint8_t *buf, size_t len, size_t cap,
		  struct ipk_mut_info *info, struct ipk_mut_info *scratch)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->buf = buf;
	c->len = len < cap ? len : cap;
	c->cap = cap;
	c->info = info ? info : scratch;
	memset(c->info, 0, sizeof(*c->info));
	c->info->index = -1;
	c->info->old_len = (uint32_t)c->len;
	m->count++;
}

size_t ipk_mut_datagram(struct ipk_mutator *m, uint8_t *buf, size_t len, size_t cap,
			struct ipk_mut_info *info)
{
	struct mut_ctx c;
	struct ipk_mut_info scratch;
	if (cap == 0)
		return 0;
	start(&c, m, buf, len, cap, info, &scratch);
	scan(&c);
	int done = 0, op = IPK_MUT_HAVOC;
	if (c.ip_ok) {
		int ops[IPK_MUT_NOPS], n = 0;
		for (int o = 0; o < IPK_MUT_HAVOC; o++)
			if (can(&c, o))
				ops[n++] = o;
		/* in the IGMP modes, three changes in four go to the message */
		unsigned mode = m->flags & IPK_MUT_MODE_MASK;
		int first_igmp = 0;
		while (first_igmp < n && ops[first_igmp] < IPK_MUT_IGMP_TYPE)
			first_igmp++;
		for (int tries = 0; tries < 8 && n > 0 && !done; tries++) {
			int k;
			if ((mode == IPK_MUT_MODE_QUERY || mode == IPK_MUT_MODE_REPORT) && first_igmp < n &&
			    mut_rand(m, 4) != 0)
				k = first_igmp + (int)mut_rand(m, (uint32_t)(n - first_igmp));
			else
				k = (int)mut_rand(m, (uint32_t)n);
			op = ops[k];
			done = apply(&c, op) == 0;
		}
	}
	if (!done) {
		op = IPK_MUT_HAVOC;
		havoc(&c);
	} else {
		fix_checksums(&c, op, op >= IPK_MUT_IGMP_TYPE);
	}
	c.info->new_len = (uint32_t)c.len;
	return c.len;
}

size_t ipk_mut_splice(struct ipk_mutator *m, uint8_t *buf, size_t len, const uint8_t *other,
		      size_t olen, size_t cap, struct ipk_mut_info *info)
{
	struct mut_ctx c;
	struct ipk_mut_info scratch;
	struct ipk_ip4 oh;
	if (cap == 0)
		return 0;
	start(&c, m, buf, len, cap, info, &scratch);
	scan(&c);
	int structured = c.ip_ok && ipk_ip4_parse(other, olen, IPK_IP4_LAX, &oh, NULL) == 0 &&
			 olen > oh.hlen && mut_rand(m, 4) != 0;
	if (structured) {
		/* this header, the other's payload (up to its total length) */
		size_t oend = oh.total_len >= oh.hlen && oh.total_len <= olen ? oh.total_len : olen;
		size_t plen = oend - oh.hlen, hl = c.h.hlen;
		if (plen > cap - hl)
			plen = cap - hl;
		memcpy(buf + hl, other + oh.hlen, plen);
		c.len = hl + plen;
		struct ipk_ip4 nh = c.h;
		nh.total_len = (uint16_t)(hl + plen);
		(void)mut_set_header(&c, &nh); /* same header length: fits */
		mut_note(&c, IPK_MUT_SPLICE, IPK_LAYER_IPV4, "payload", -1, hl, (uint32_t)len,
			 (uint32_t)c.len);
		fix_checksums(&c, IPK_MUT_SPLICE, 0);
	} else {
		size_t cut = c.len ? mut_rand(m, (uint32_t)c.len + 1) : 0;
		size_t from = olen ? mut_rand(m, (uint32_t)olen) : 0;
		size_t n = olen - from;
		if (n > cap - cut)
			n = cap - cut;
		memcpy(buf + cut, other + from, n);
		c.len = cut + n;
		if (c.len == 0)
			buf[c.len++] = 0;
		mut_note(&c, IPK_MUT_SPLICE, IPK_LAYER_IPV4, "bytes", -1, cut, (uint32_t)len,
			 (uint32_t)c.len);
	}
	c.info->new_len = (uint32_t)c.len;
	return c.len;
}

static const char *const op_names[IPK_MUT_NOPS] = {
	"ip version", "ip ihl", "ip tos", "ip total length", "ip id", "ip flags",
	"ip fragment offset", "ip ttl", "ip protocol", "ip source", "ip destination",
	"ip checksum", "ip truncate", "ip extend", "option insert", "option delete",
	"option length", "option pointer", "option data", "igmp type", "igmp length", "igmp code",
	"igmp checksum", "igmp group", "igmp qrv", "igmp qqic", "igmp source count",
	"igmp source", "igmp source insert", "igmp source delete", "igmp reserved",
	"igmp record count", "record type", "record source count", "record aux length",
	"record group", "record insert", "record delete", "havoc", "splice",
};

const char *ipk_mut_op_name(int op)
{
	return op >= 0 && op < IPK_MUT_NOPS ? op_names[op] : "unknown";
}

size_t ipk_mut_describe(const struct ipk_mut_info *info, char *out, size_t cap)
{
	char idx[16] = "";
	if (info->index >= 0)
		snprintf(idx, sizeof(idx), "[%d]", (int)info->index);
	int n = snprintf(out, cap, "%s %s%s @%u: %u -> %u (len %u -> %u)", ipk_mut_op_name(info->op),
			 info->field ? info->field : "-", idx, (unsigned)info->offset,
			 (unsigned)info->old_val, (unsigned)info->new_val, (unsigned)info->old_len,
			 (unsigned)info->new_len);
	return n < 0 ? 0 : (size_t)n;
}
