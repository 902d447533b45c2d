/* reasm.c - IPv4 fragment reassembly in caller memory (RFC 791 section 3.2, RFC 815), with the
 * bounds and overlap policy of Linux's ip_fragment.c (ipfrag_high_thresh, ipfrag_time,
 * ipfrag_max_dist; overlaps drop the datagram, duplicates are ignored). */
#include "codec/internal.h"
#include "ipv4kit/ip4.h"
#include "ipv4kit/reasm.h"

#define MAXPAY (65535u - IPK_IP4_MINLEN)  /* the most payload any datagram can carry */
#define NUNITS ((MAXPAY + 7) / 8)         /* 8-byte blocks of payload */

/* One datagram in progress: a fixed slot that holds a whole datagram. */
struct slot {
	uint8_t used;
	uint8_t have_first;  /* the offset-0 fragment (its header is hdr) arrived */
	uint8_t have_last;   /* a fragment with MF clear arrived: end is final */
	uint8_t hlen;        /* header length of the offset-0 fragment */
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint32_t end;        /* payload end: final with have_last, else the highest seen */
	uint32_t held;       /* payload bytes held (never overlapping) */
	uint32_t dist;       /* fragments of the same source for other datagrams since our last */
	uint64_t born;       /* creation order: the smallest is evicted first */
	uint64_t first_ns, last_ns;
	uint32_t nfrags, ntags;
	uint64_t tags[IPK_REASM_MAXTAGS];
	uint8_t hdr[IPK_IP4_MAXLEN];
	uint8_t map[(NUNITS + 7) / 8];      /* bit per 8-byte block received */
	uint8_t buf[IPK_IP4_MAXLEN + MAXPAY]; /* payload at buf + IPK_IP4_MAXLEN */
};

struct ipk_reasm {
	struct ipk_reasm_cfg cfg;
	size_t nslots;
	uint64_t born;
	struct slot slots[];
};

void ipk_reasm_cfg_default(struct ipk_reasm_cfg *cfg)
{
	cfg->mem = IPK_REASM_MEM_DEFAULT;
	cfg->timeout_ns = IPK_REASM_TIMEOUT_DEFAULT_NS;
	cfg->max_dist = IPK_REASM_MAXDIST_DEFAULT;
}

size_t ipk_reasm_capacity(size_t mem)
{
	if (mem < sizeof(struct ipk_reasm))
		return 0;
	return (mem - sizeof(struct ipk_reasm)) / sizeof(struct slot);
}

struct ipk_reasm *ipk_reasm_init(void *mem, const struct ipk_reasm_cfg *cfg)
{
	size_t n = ipk_reasm_capacity(cfg->mem);
	struct ipk_reasm *r = mem;

	if (n == 0)
		return NULL;
	r->cfg = *cfg;
	r->nslots = n;
	r->born = 0;
	for (size_t i = 0; i < n; i++)
		r->slots[i].used = 0;
	return r;
}

static int bit(const struct slot *s, unsigned u)
{
	return s->map[u >> 3] >> (u & 7) & 1;
}

/* Fill out from s (not the data) with reason, and free the slot. */
static int report(struct slot *s, int reason, struct ipk_reasm_dgram *out)
{
	out->src = s->src;
	out->dst = s->dst;
	out->id = s->id;
	out->proto = s->proto;
	out->pad_ = 0;
	out->reason = reason;
	out->data = NULL;
	out->len = s->held;
	out->nfrags = s->nfrags;
	out->ntags = s->ntags;
	memcpy(out->tags, s->tags, s->ntags * sizeof(s->tags[0]));
	out->first_ns = s->first_ns;
	out->last_ns = s->last_ns;
	s->used = 0;
	return 1;
}

/* Empty a slot for (a new start of) the datagram of h. */
static void start(struct ipk_reasm *r, struct slot *s, const struct ipk_ip4 *h, uint64_t now)
{
	s->used = 1;
	s->have_first = s->have_last = 0;
	s->hlen = 0;
	s->src = h->src;
	s->dst = h->dst;
	s->id = h->id;
	s->proto = h->proto;
	s->end = s->held = s->dist = 0;
	s->born = ++r->born;
	s->first_ns = s->last_ns = now;
	s->nfrags = s->ntags = 0;
	memset(s->map, 0, sizeof(s->map));
}

static void remember(struct slot *s, uint64_t tag, uint64_t now)
{
	if (s->ntags < IPK_REASM_MAXTAGS)
		s->tags[s->ntags++] = tag;
	s->nfrags++;
	s->last_ns = now;
}

int ipk_reasm_expire(struct ipk_reasm *r, uint64_t now_ns, struct ipk_reasm_dgram *out)
{
	uint64_t t = r->cfg.timeout_ns;

	if (t == 0)
		return 0;
	for (size_t i = 0; i < r->nslots; i++) {
		struct slot *s = &r->slots[i];
		if (s->used && now_ns >= s->first_ns && now_ns - s->first_ns >= t)
			return report(s, IPK_E_REASM_TIMEOUT, out);
	}
	return 0;
}

int ipk_reasm_flush(struct ipk_reasm *r, struct ipk_reasm_dgram *out)
{
	for (size_t i = 0; i < r->nslots; i++)
		if (r->slots[i].used)
			return report(&r->slots[i], IPK_E_REASM_INCOMPLETE, out);
	return 0;
}

static void add_finding(struct ipk_findings *f, int code, size_t off)
{
	if (f)
		ipk_findings_add(f, code, IPK_LAYER_IPV4, off);
}

/*
 * How the payload bytes pay[off..end) meet what s holds: 0 none held before, 1 all held and
 * identical, 2 some held (identical), and *diff set when any held byte differs.
 */
static int overlap(const struct slot *s, const uint8_t *pay, uint32_t off, uint32_t end, int *diff)
{
	const uint8_t *held = s->buf + IPK_IP4_MAXLEN;
	unsigned u0 = off / 8, u1 = (end + 7) / 8, seen = 0;

	*diff = 0;
	for (unsigned u = u0; u < u1; u++) {
		if (!bit(s, u))
			continue;
		uint32_t a = u * 8 > off ? u * 8 : off, b = u * 8 + 8 < end ? u * 8 + 8 : end;
		if (memcmp(held + a, pay + (a - off), b - a) != 0)
			*diff = 1;
		seen++;
	}
	return seen == 0 ? 0 : seen == u1 - u0 ? 1 : 2;
}

/* The datagram of s is whole: write its header before the payload and report it. */
static int complete(struct slot *s, struct ipk_reasm_dgram *out)
{
	struct ipk_ip4 h;
	uint8_t *at = s->buf + IPK_IP4_MAXLEN - s->hlen;

	if (ipk_ip4_parse(s->hdr, s->hlen, IPK_IP4_LAX, &h, NULL) < 0)
		return report(s, IPK_E_INVAL, out); /* cannot happen: it parsed STRICT before */
	h.mf = 0;
	h.frag_off = 0;
	if (ipk_ip4_marshal(&h, s->held, 0, at, s->hlen) != (int)s->hlen)
		return report(s, IPK_E_REASM_TOOBIG, out);
	report(s, 0, out);
	out->data = at;
	out->len = (size_t)s->hlen + s->held;
	return 1;
}

/* The slot of the datagram with h's key, counting this fragment in the distance of the source's
 * other datagrams; NULL when there is none. *free_slot: an unused slot, or NULL. */
static struct slot *lookup(struct ipk_reasm *r, const struct ipk_ip4 *h, struct slot **free_slot)
{
	struct slot *found = NULL;

	*free_slot = NULL;
	for (size_t i = 0; i < r->nslots; i++) {
		struct slot *s = &r->slots[i];
		if (!s->used) {
			if (!*free_slot)
				*free_slot = s;
		} else if (s->src == h->src) {
			if (s->dst == h->dst && s->id == h->id && s->proto == h->proto)
				found = s;
			else
				s->dist++;
		}
	}
	return found;
}

int ipk_reasm_add(struct ipk_reasm *r, const uint8_t *ip, size_t len, uint64_t now_ns,
		  uint64_t tag, struct ipk_findings *f, size_t f_off, struct ipk_reasm_dgram *out)
{
	struct ipk_ip4 h;
	struct slot *s, *spare;
	uint32_t off, end;
	int rc = ipk_ip4_parse(ip, len, IPK_IP4_STRICT, &h, NULL);
	int diff, ov;

	if (rc < 0)
		return rc;
	if (!h.mf && h.frag_off == 0)
		return IPK_E_INVAL;
	const uint8_t *pay = ip + h.hlen;
	off = (uint32_t)h.frag_off * 8;
	end = off + (uint32_t)(h.total_len - h.hlen);
	if (h.mf)
		end &= ~7u; /* Linux trims a non-last fragment to whole 8-byte blocks */
	size_t fo = f_off + 6; /* findings point at the flags/offset field */

	s = lookup(r, &h, &spare);
	if (s && r->cfg.max_dist && s->dist + 1 > r->cfg.max_dist) {
		/* Too many fragments of the source came between: what s held is stale. */
		add_finding(f, IPK_E_REASM_TOOFAR, fo);
		report(s, IPK_E_REASM_TOOFAR, out);
		start(r, s, &h, now_ns);
		rc = 1;
	}
	if (s)
		s->dist = 0;

	/* Checks that need nothing held: a new datagram is not even started for these. */
	int bad = end > MAXPAY ? IPK_E_REASM_TOOBIG : end <= off ? IPK_E_REASM_EMPTY : 0;
	if (!bad && s) {
		if (!h.mf && (end < s->end || (s->have_last && end != s->end)))
			bad = IPK_E_REASM_END;
		else if (h.mf && s->have_last && end > s->end)
			bad = IPK_E_REASM_END;
	}
	if (bad) {
		add_finding(f, bad, fo);
		if (s && s->nfrags) { /* what it held is dropped with it (Linux: discard_qp) */
			remember(s, tag, now_ns);
			return report(s, bad, out);
		}
		if (s)
			s->used = 0; /* restarted above with nothing in it */
		return rc > 0 ? rc : 0;
	}

	if (!s) {
		s = spare;
		if (!s) {
			/* Memory full: the oldest datagram makes room (Linux before 4.17 evicted
			 * the oldest queues; later kernels refuse new fragments instead). */
			s = &r->slots[0];
			for (size_t i = 1; i < r->nslots; i++)
				if (r->slots[i].born < s->born)
					s = &r->slots[i];
			rc = report(s, IPK_E_REASM_EVICTED, out);
		}
		start(r, s, &h, now_ns);
	}
	remember(s, tag, now_ns);

	ov = overlap(s, pay, off, end, &diff);
	if (ov == 1 || ov == 2) {
		add_finding(f, diff ? IPK_E_REASM_OVERLAP_DIFF : ov == 1 ? IPK_E_REASM_DUP
								      : IPK_E_REASM_OVERLAP, fo);
		if (ov == 1)
			return rc > 0 ? rc : 0; /* all held already: the first copy stays */
		return report(s, diff ? IPK_E_REASM_OVERLAP_DIFF : IPK_E_REASM_OVERLAP, out);
	}

	memcpy(s->buf + IPK_IP4_MAXLEN + off, pay, end - off);
	for (unsigned u = off / 8; u < (end + 7) / 8; u++)
		s->map[u >> 3] |= (uint8_t)(1u << (u & 7));
	s->held += end - off;
	if (end > s->end)
		s->end = end;
	if (!h.mf)
		s->have_last = 1;
	if (off == 0) {
		s->have_first = 1;
		s->hlen = (uint8_t)h.hlen;
		memcpy(s->hdr, ip, h.hlen);
	}
	if (s->have_first && s->have_last && s->held == s->end) {
		if (rc > 0) /* cannot happen: a restarted or new datagram holds one fragment */
			return rc;
		return complete(s, out);
	}
	return rc > 0 ? rc : 0;
}
