/* mutator_glue.c - fuzz side of the structure-aware mutator: finds the IPv4 datagram in a harness's input (wrapping a bare IGMP message or option area in a header), mutates it with ipk_mut_datagram/ipk_mut_splice and puts it back. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"
#include "mutator_glue.h"

#define WORK (65536 + IPK_IP4_MAXLEN)
#define WRAP_SRC IPK_IP4_ADDR(198, 18, 0, 1)

/* fuzz_packet.c: byte 0 bits 0-2 pick the link type from this table (same order). */
static const int packet_dlts[] = {IPK_DLT_RAW,        IPK_DLT_EN10MB, IPK_DLT_IPV4, IPK_DLT_LINUX_SLL,
				  IPK_DLT_LINUX_SLL2, IPK_DLT_NULL,   IPK_DLT_LOOP, IPK_DLT_LINKTYPE_RAW};

static const struct {
	const char *name;
	int fmt;
} harnesses[] = {
	{"igmp", GLUE_IGMP},   {"igmprt", GLUE_IGMP},      {"ip4rt", GLUE_PREFIXED},
	{"packet", GLUE_PACKET}, {"ipopt", GLUE_OPTS},     {"dgram", GLUE_DGRAM},
	{"raw", GLUE_RAW},     {"prefixed", GLUE_PREFIXED}, {"igmpmsg", GLUE_IGMP},
	{"opts", GLUE_OPTS},
};

int glue_format(const char *name)
{
	const char *env = getenv("IPK_MUT_FORMAT");
	char base[64];
	if (env && *env)
		name = env;
	if (!name)
		return GLUE_RAW;
	const char *slash = strrchr(name, '/');
	name = slash ? slash + 1 : name;
	if (strncmp(name, "fuzz_", 5) == 0)
		name += 5;
	size_t n = strlen(name);
	if (n >= sizeof(base))
		return GLUE_RAW;
	memcpy(base, name, n + 1);
	const char *suffixes[] = {"_afl", "_replay", "_mut"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcmp(base + n - k, suffixes[i]) == 0)
			base[n -= k] = 0;
	}
	for (size_t i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++)
		if (strcmp(base, harnesses[i].name) == 0)
			return harnesses[i].fmt;
	return GLUE_RAW;
}

void glue_init(struct ipk_mutator *m, uint64_t seed, int fmt)
{
	unsigned mode = fmt == GLUE_IGMP ? IPK_MUT_MODE_IGMP : fmt == GLUE_OPTS ? IPK_MUT_MODE_OPTS
										  : IPK_MUT_MODE_ANY;
	ipk_mut_init(m, seed, mode);
}

/* One input taken apart: keep[0..nkeep) stays in front; the datagram is work[0..len). */
struct part {
	size_t nkeep;
	size_t len;
	size_t hdr;   /* GLUE_IGMP: the made-up header's length */
};

/* Wrap or locate the datagram of in[0..size) into work (room cap). 0, or -1: use the bytes as they are. */
static int take(int fmt, const uint8_t *in, size_t size, uint8_t *work, size_t cap, struct part *p)
{
	memset(p, 0, sizeof(*p));
	switch (fmt) {
	case GLUE_DGRAM:
		break;
	case GLUE_PREFIXED:
	case GLUE_PACKET: {
		if (size < 1)
			return -1;
		p->nkeep = 1;
		if (fmt == GLUE_PACKET) {
			struct ipk_link l;
			/* no IPv4 after the link header: the whole frame is mutated as bytes */
			if (ipk_link_decode(packet_dlts[in[0] & 7], in + 1, size - 1, &l) == 0 &&
			    l.ethertype == IPK_ETHERTYPE_IPV4)
				p->nkeep += l.l3_off;
		}
		break;
	}
	case GLUE_IGMP: {
		struct ipk_ip4 h;
		if (size > 0xffff - IPK_IGMP_HDRROOM || size < 1)
			return -1;
		ipk_igmp_ip4_defaults(in, size, WRAP_SRC, &h);
		int n = ipk_ip4_marshal(&h, size, 0, work, cap);
		if (n < 0 || size > cap - (size_t)n)
			return -1;
		memcpy(work + n, in, size);
		p->hdr = (size_t)n;
		p->len = (size_t)n + size;
		return 0;
	}
	case GLUE_OPTS: {
		struct ipk_ip4 h = {0};
		h.ttl = 64;
		h.proto = IPK_PROTO_UDP;
		h.src = WRAP_SRC;
		h.dst = IPK_IP4_ADDR(198, 18, 0, 2);
		h.opts = in;
		h.opts_len = (uint16_t)(size < IPK_IP4_MAXOPTLEN ? size : IPK_IP4_MAXOPTLEN);
		int n = ipk_ip4_marshal(&h, 0, 0, work, cap);
		if (n < 0)
			return -1;
		p->len = (size_t)n;
		return 0;
	}
	default:
		return -1;
	}
	if (p->nkeep > size || size - p->nkeep > cap)
		return -1;
	p->len = size - p->nkeep;
	memcpy(work, in + p->nkeep, p->len);
	return 0;
}

/* Put the mutated datagram work[0..len) back into out (room max) in the format; returns the size. */
static size_t give(int fmt, const struct part *p, const uint8_t *work, size_t len, uint8_t *out,
		   size_t max)
{
	const uint8_t *from = work;
	struct ipk_ip4 h;
	if (fmt == GLUE_IGMP || fmt == GLUE_OPTS) {
		if (ipk_ip4_parse(work, len, IPK_IP4_LAX, &h, NULL) != 0) {
			/* havoc broke the header: what follows the made-up one */
			size_t skip = p->hdr < len ? p->hdr : 0;
			from = work + skip;
			len -= skip;
		} else if (fmt == GLUE_IGMP) {
			size_t end = h.total_len >= h.hlen && h.total_len <= len ? h.total_len : len;
			from = work + h.hlen;
			len = end - h.hlen;
		} else {
			from = h.opts;
			len = h.opts_len;
		}
	}
	size_t n = p->nkeep + len > max ? max - p->nkeep : len;
	if (n)
		memcpy(out + p->nkeep, from, n);
	n += p->nkeep;
	if (n == 0 && max > 0) /* an empty result: one byte, so the fuzzer has something to run */
		out[n++] = 0;
	return n;
}

static uint8_t work[WORK], work2[WORK];

size_t glue_mutate(struct ipk_mutator *m, int fmt, uint8_t *data, size_t size, size_t max,
		   const uint8_t *other, size_t osize)
{
	struct part p, q;
	if (max == 0)
		return 0;
	if (size > max)
		size = max;
	/* the selector byte of ip4rt and packet (profile, link type) matters too: one call in eight
	 * flips one of its bits besides the change to the datagram */
	if ((fmt == GLUE_PREFIXED || fmt == GLUE_PACKET) && size >= 1 && (m->count & 7) == 7)
		data[0] ^= (uint8_t)(1u << ((m->count >> 3) & 7));
	if (take(fmt, data, size, work, sizeof(work), &p) != 0) {
		if (other)
			return ipk_mut_splice(m, data, size, other, osize, max, NULL);
		return ipk_mut_datagram(m, data, size, max, NULL);
	}
	/* the datagram may grow by what the input has left, and the made-up header comes on top */
	size_t room = max - p.nkeep + p.hdr;
	if (fmt == GLUE_OPTS)
		room = IPK_IP4_MAXLEN;
	if (room > sizeof(work))
		room = sizeof(work);
	if (room < p.len)
		room = p.len;
	size_t len;
	if (other && take(fmt, other, osize, work2, sizeof(work2), &q) == 0)
		len = ipk_mut_splice(m, work, p.len, work2, q.len, room, NULL);
	else
		len = ipk_mut_datagram(m, work, p.len, room, NULL);
	return give(fmt, &p, work, len, data, max);
}
