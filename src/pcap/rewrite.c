/* rewrite.c - capture rewrite: TTL, TOS, ID, addresses and prefix maps with RFC 1624 incremental updates of the IPv4 and UDP/TCP checksums (RFC 791, 768, 793, 1624). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/bytes.h"
#include "ipv4kit/checksum.h"
#include "ipv4kit/error.h"
#include "ipv4kit/harness.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/packet.h"
#include "ipv4kit/pcapio.h"

void ipk_rewrite_init(struct ipk_rewrite *rw)
{
	memset(rw, 0, sizeof(*rw));
	rw->ttl = IPK_REWRITE_KEEP;
	rw->tos = IPK_REWRITE_KEEP;
	rw->id = IPK_REWRITE_KEEP;
}

static uint32_t prefix_mask(unsigned n)
{
	return n == 0 ? 0 : 0xffffffffu << (32 - n);
}

/* "A.B.C.D[/n]" into addr and mask. */
static int parse_prefix(const char *s, size_t len, uint32_t *addr, uint32_t *mask)
{
	char buf[32];
	unsigned n = 32;
	if (len == 0 || len >= sizeof(buf))
		return IPK_E_INVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *slash = strchr(buf, '/');
	if (slash) {
		char *end;
		*slash = 0;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || *end || v > 32)
			return IPK_E_INVAL;
		n = (unsigned)v;
	}
	if (ipk_ip4_aton(buf, addr) != 0)
		return IPK_E_INVAL;
	*mask = prefix_mask(n);
	return 0;
}

int ipk_prefix_map_parse(const char *s, struct ipk_prefix_map *m)
{
	const char *eq = strchr(s, '=');
	if (!eq)
		return IPK_E_INVAL;
	if (parse_prefix(s, (size_t)(eq - s), &m->from, &m->from_mask) ||
	    parse_prefix(eq + 1, strlen(eq + 1), &m->to, &m->to_mask))
		return IPK_E_INVAL;
	m->from &= m->from_mask;
	m->to &= m->to_mask;
	return 0;
}

static uint32_t map_addr(uint32_t a, const struct ipk_prefix_map *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if ((a & m[i].from_mask) == m[i].from)
			return m[i].to | (a & ~m[i].to_mask);
	return a;
}

int ipk_rewrite_frame(const struct ipk_rewrite *rw, int dlt, uint8_t *frame, size_t caplen,
		      size_t wirelen)
{
	struct ipk_packet p;
	ipk_packet_decode(dlt, frame, caplen, wirelen, &p);
	if (!p.has_ip4 || p.ip_off + p.ip4.hlen > caplen || p.ip4.hlen < IPK_IP4_MINLEN)
		return 0;
	struct ipk_ip4 h = p.ip4;
	uint16_t c = h.checksum;

	/* 16-bit words of the header that hold the fields (RFC 791 layout) */
	uint16_t w0 = (uint16_t)((h.version << 12) | (h.ihl << 8) | h.tos);
	uint16_t w8 = (uint16_t)(h.ttl << 8 | h.proto);
	if (rw->tos >= 0 && rw->tos != h.tos) {
		h.tos = (uint8_t)rw->tos;
		c = ipk_csum_update16(c, w0, (uint16_t)((w0 & 0xff00) | h.tos));
	}
	if (rw->ttl >= 0 && rw->ttl != h.ttl) {
		h.ttl = (uint8_t)rw->ttl;
		c = ipk_csum_update16(c, w8, (uint16_t)(h.ttl << 8 | h.proto));
	}
	uint16_t id = h.id;
	if (rw->id >= 0)
		id = (uint16_t)rw->id;
	id = (uint16_t)(id + (uint16_t)rw->id_add);
	if (id != h.id) {
		c = ipk_csum_update16(c, h.id, id);
		h.id = id;
	}
	uint32_t src = rw->set_src ? rw->src : h.src;
	uint32_t dst = rw->set_dst ? rw->dst : h.dst;
	src = map_addr(src, rw->src_map, rw->nsrc_map);
	dst = map_addr(dst, rw->dst_map, rw->ndst_map);
	uint32_t osrc = h.src, odst = h.dst;
	if (src != osrc)
		c = ipk_csum_update32(c, osrc, src);
	if (dst != odst)
		c = ipk_csum_update32(c, odst, dst);
	h.src = src;
	h.dst = dst;
	h.checksum = c;
	if (memcmp(&h, &p.ip4, sizeof(h)) == 0)
		return 0;

	/* every field kept as it was (version, IHL, total length, flags), checksum as updated */
	uint8_t hb[IPK_IP4_MAXLEN];
	size_t plen = h.total_len >= h.hlen ? (size_t)(h.total_len - h.hlen) : 0;
	int n = ipk_ip4_marshal(&h, plen, IPK_IP4_KEEP_ALL, hb, sizeof(hb));
	if (n != (int)h.hlen)
		return 0;
	memcpy(frame + p.ip_off, hb, (size_t)n);

	if ((src != osrc || dst != odst) && !h.mf && h.frag_off == 0) {
		/* the pseudo-header changed: UDP/TCP checksums of a first fragment follow */
		size_t at = 0;
		if (p.l4 == IPK_L4_UDP && p.l4_len >= 8 && p.u.udp.checksum != 0)
			at = p.l4_off + 6;
		else if (p.l4 == IPK_L4_TCP && p.l4_len >= 18)
			at = p.l4_off + 16;
		if (at && at + 2 <= caplen) {
			uint16_t l4c = ipk_be16(frame + at);
			l4c = ipk_csum_update32(l4c, osrc, src);
			l4c = ipk_csum_update32(l4c, odst, dst);
			if (p.l4 == IPK_L4_UDP && l4c == 0)
				l4c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
			ipk_put16(frame + at, l4c);
			return 2;
		}
	}
	return 1;
}

struct rw_ctx {
	const struct ipk_rewrite *rw;
	struct ipk_pcapw w;
	const char *out;
	unsigned flags;
	int opened;
	int werr;
	struct ipk_rewrite_stats *st;
	char *err;
	size_t errlen;
	uint8_t buf[262144];
};

static int rw_cb(void *ctx, int dlt, const struct ipk_cap_frame *f)
{
	struct rw_ctx *r = ctx;
	if (!r->opened) {
		int rc = ipk_pcapw_open(&r->w, r->out, dlt, r->flags, r->err, r->errlen);
		if (rc) {
			r->werr = rc;
			return 1;
		}
		r->opened = 1;
	}
	size_t n = f->caplen < sizeof(r->buf) ? f->caplen : sizeof(r->buf);
	memcpy(r->buf, f->data, n);
	int k = ipk_rewrite_frame(r->rw, dlt, r->buf, n, f->wirelen);
	r->st->packets++;
	r->st->rewritten += k > 0;
	r->st->l4_updated += k == 2;
	int rc = ipk_pcapw_write(&r->w, f->sec, f->nsec, r->buf, n, f->wirelen);
	if (rc) {
		if (r->err && r->errlen)
			snprintf(r->err, r->errlen, "%s: frame %llu: %s", r->out,
				 (unsigned long long)f->frame, strerror(-rc));
		r->werr = rc;
		return 1;
	}
	return 0;
}

int ipk_rewrite_file(const struct ipk_rewrite *rw, const char *in, const char *out,
		     unsigned pcapw_flags, struct ipk_rewrite_stats *st, char *err, size_t errlen)
{
	struct ipk_rewrite_stats dummy;
	struct ipk_cap_info info;
	struct rw_ctx *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	r->rw = rw;
	r->st = st;
	r->flags = pcapw_flags & IPK_PCAPW_PCAPNG;
	r->err = err;
	r->errlen = errlen;
	r->out = out;
	int rc = ipk_cap_read(in, rw_cb, r, &info, err, errlen);
	if (rc > 0)
		rc = r->werr;
	if (rc == 0 && !r->opened) {
		/* an empty capture still gives an (empty) output of the same link type */
		rc = ipk_pcapw_open(&r->w, out, info.dlt, r->flags, err, errlen);
		r->opened = rc == 0;
	}
	if (rc == 0)
		rc = ipk_pcapw_commit(&r->w, err, errlen);
	else if (r->opened)
		ipk_pcapw_abort(&r->w);
	free(r);
	return rc;
}
