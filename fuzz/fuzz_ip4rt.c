/* fuzz_ip4rt.c - fuzz harness: IPv4 header round trip (parse, marshal, parse, compare) in every profile and byte order, and RFC 1624 checksum updates (RFC 791). */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[65536 + IPK_IP4_MAXLEN];

/* Every field parse fills, options by content; checksum_ok and truncated too when all is set. */
static void same(const struct ipk_ip4 *a, const struct ipk_ip4 *b, int all)
{
	if (a->version != b->version || a->ihl != b->ihl || a->hlen != b->hlen || a->tos != b->tos ||
	    a->ttl != b->ttl || a->proto != b->proto || a->rf != b->rf || a->df != b->df ||
	    a->mf != b->mf || a->total_len != b->total_len || a->id != b->id ||
	    a->frag_off != b->frag_off || a->checksum != b->checksum || a->src != b->src ||
	    a->dst != b->dst || a->opts_len != b->opts_len ||
	    (a->opts_len && memcmp(a->opts, b->opts, a->opts_len) != 0))
		abort();
	if (all && (a->checksum_ok != b->checksum_ok || a->truncated != b->truncated))
		abort();
}

/*
 * Byte 0: bits 0-1 the profile (0 STRICT, 1 GO, 2 LAX, 3 STRICT), bit 2 RAWORDER; the rest is a
 * header and payload as captured.
 *  1. a header that parses marshals (every field kept) to the bytes it came from, and those
 *     parse to the same fields;
 *  2. marshalled with computed version, IHL, total length and checksum it parses in the LAX
 *     profile to the same fields, and in the STRICT one exactly when its options pass
 *     ipk_opt_validate();
 *  3. a header with a good checksum whose TTL, TOS, ID, flags and addresses change keeps a good
 *     checksum through ipk_ip4_csum_adjust() (network byte order only: RFC 1624 words).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (size > 65536)
		size = 65536; /* an IPv4 datagram's worth */
	unsigned prof = data[0] & 3;
	unsigned raw = data[0] & 4 ? IPK_IP4_RAWORDER : 0;
	const uint8_t *buf = data + 1;
	size_t len = size - 1;
	struct ipk_ip4 h, b;
	size_t eo = (size_t)-1;

	if (prof == 3)
		prof = IPK_IP4_STRICT;
	int rc = ipk_ip4_parse(buf, len, prof | raw, &h, &eo);
	if (rc != 0) {
		if (rc > -1000 || eo >= (len ? len : 1))
			abort(); /* an ipk_err code, at a field inside the header */
		return 0;
	}
	size_t hl = IPK_IP4_MINLEN + (size_t)h.opts_len; /* bytes marshal writes */
	if (hl > len || (prof != IPK_IP4_GO && hl != h.hlen))
		abort();

	/* 1: every field as found */
	int n = ipk_ip4_marshal(&h, 0, IPK_IP4_KEEP_ALL | raw, out, sizeof(out));
	if (n < 0 || (size_t)n != hl || memcmp(out, buf, hl) != 0)
		abort();
	memcpy(out + hl, buf + hl, len - hl);
	if (ipk_ip4_parse(out, len, prof | raw, &b, NULL) != 0)
		abort();
	same(&h, &b, 1);

	/* 2: computed version, IHL, total length, checksum */
	size_t pl = len - hl;
	if (pl > 65535 - hl)
		pl = 65535 - hl;
	n = ipk_ip4_marshal(&h, pl, raw, out, sizeof(out));
	if (n < 0 || (size_t)n != hl)
		abort();
	memcpy(out + hl, buf + hl, pl);
	if (ipk_ip4_parse(out, hl + pl, IPK_IP4_LAX | raw, &b, NULL) != 0)
		abort();
	if (b.version != 4 || b.ihl != hl / 4 || b.total_len != hl + pl || !b.checksum_ok ||
	    b.truncated)
		abort();
	{
		struct ipk_ip4 c = h;
		c.version = b.version;
		c.ihl = b.ihl;
		c.hlen = b.hlen;
		c.total_len = b.total_len;
		c.checksum = b.checksum;
		same(&c, &b, 0);
	}
	size_t oo = 0;
	int orc = h.opts_len ? ipk_opt_validate(h.opts, h.opts_len, &oo, NULL, IPK_IP4_MINLEN) : 0;
	rc = ipk_ip4_parse(out, hl + pl, IPK_IP4_STRICT | raw, &b, &eo);
	if ((orc < 0 ? orc : 0) != rc || (rc && eo != IPK_IP4_MINLEN + oo))
		abort(); /* only the options can break a strict rule now */

	/* 3: incremental checksum update of a header that verifies */
	if (!raw && h.checksum_ok) {
		struct ipk_ip4 c = h;
		c.ttl = (uint8_t)(h.ttl - 1);
		c.tos = (uint8_t)(h.tos ^ 0x03);
		c.id = (uint16_t)(h.id + 0x0101);
		c.df = !h.df;
		c.frag_off = (uint16_t)(~h.frag_off & 0x1fff);
		c.src = h.dst;
		c.dst = ~h.src;
		c.total_len = (uint16_t)(h.total_len + 7);
		c.checksum = ipk_ip4_csum_adjust(&h, &c);
		n = ipk_ip4_marshal(&c, 0, IPK_IP4_KEEP_ALL, out, sizeof(out));
		if (n < 0 || (size_t)n != hl || ipk_csum(out, hl) != 0)
			abort();
	}
	return 0;
}
