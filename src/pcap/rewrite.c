/* rewrite.c - capture rewrite: TTL, TOS, ID, addresses and prefix maps with RFC 1624 incremental updates of the IPv4 and UDP/TCP checksums (RFC 791, 768, 793, 1624). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (rw->tos >= 0)
		h.tos = (uint8_t)rw->tos;
	if (rw->ttl >= 0)
		h.ttl = (uint8_t)rw->ttl;
	if (rw->id >= 0)
		h.id = (uint16_t)rw->id;
	h.id = (uint16_t)(h.id + (uint16_t)rw->id_add);
	h.src = map_addr(rw->set_src ? rw->src : h.src, rw->src_map, rw->nsrc_map);
	h.dst = map_addr(rw->set_dst ? rw->dst : h.dst, rw->dst_map, rw->ndst_map);
	h.checksum = ipk_ip4_csum_adjust(&p.ip4, &h); /* a wrong checksum stays wrong */
	if (memcmp(&h, &p.ip4, sizeof(h)) == 0)
		return 0;

	/* every field kept as it was (version, IHL, total length, flags), checksum as updated */
	uint8_t hb[IPK_IP4_MAXLEN];
	size_t plen = h.total_len >= h.hlen ? (size_t)(h.total_len - h.hlen) : 0;
	int n = ipk_ip4_marshal(&h, plen, IPK_IP4_KEEP_ALL, hb, sizeof(hb));
	if (n != (int)h.hlen)
		return 0;
	memcpy(frame + p.ip_off, hb, (size_t)n);

	/* the pseudo-header changed: the UDP/TCP checksum of an unfragmented datagram follows */
	if ((h.src != p.ip4.src || h.dst != p.ip4.dst) &&
	    ipk_packet_readdress(&p, frame, h.src, h.dst))
		return 2;
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
