/* fuzz_reasm.c - fuzz harness: fragment reassembly (ipk_reasm_add/_expire/_flush) over a sequence of fragments, with two datagrams of room so eviction runs too, and every complete datagram compared with the fragments it came from (RFC 791, RFC 815). */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room for two datagrams in progress (found once). */
static size_t two_slots(void)
{
	static size_t m;
	for (size_t x = 65536; !m; x += 1024)
		if (ipk_reasm_capacity(x) == 2)
			m = x;
	return m;
}

/* What the harness knows of each fragment handed to ipk_reasm_add(), by tag: where its payload
 * goes (Linux's trim of a non-last fragment to 8-byte blocks applied) and whether a finding said it
 * was ignored (all its bytes held before: DUP, or OVERLAP_DIFF where the first copy stays). */
struct frag_rec {
	const uint8_t *ip; /* the input's bytes (the checksum bytes aside) */
	const uint8_t *pay;
	uint32_t off, end;
	uint8_t hlen, ignored;
};
#define MAXFRAGS (65536 / 3 + 2)
static struct frag_rec frags[MAXFRAGS];
static uint8_t covered[65536];
static uint64_t now_ns, timeout_ns;

/* A complete datagram whose fragments are all known by tag: its payload is theirs, each at its
 * offset, every byte covered by a fragment that was not ignored; its header is the offset-0
 * fragment's but for total length, MF, offset and checksum. */
static void same_as_fragments(const struct ipk_reasm_dgram *d, size_t hl)
{
	const uint8_t *pay = d->data + hl, *first = NULL;
	size_t plen = d->len - hl;

	memset(covered, 0, plen);
	for (uint32_t i = 0; i < d->ntags; i++) {
		const struct frag_rec *x = &frags[d->tags[i]];
		if (d->tags[i] == 0 || d->tags[i] >= MAXFRAGS || x->end > plen || x->end <= x->off)
			abort();
		if (x->ignored)
			continue;
		if (memcmp(pay + x->off, x->pay, x->end - x->off) != 0)
			abort();
		memset(covered + x->off, 1, x->end - x->off);
		if (x->off == 0) {
			if (first || x->hlen != hl)
				abort(); /* one first fragment, whose header length the datagram has */
			first = x->ip;
		}
	}
	if (!first || (plen && memchr(covered, 0, plen)))
		abort();
	if (memcmp(d->data, first, 2) != 0 || memcmp(d->data + 4, first + 4, 2) != 0 ||
	    (d->data[6] & 0xc0) != (first[6] & 0xc0) || memcmp(d->data + 8, first + 8, 2) != 0 ||
	    memcmp(d->data + 12, first + 12, hl - 12) != 0)
		abort();
}

/* A datagram done: a complete one has a header that passes strict validation, says MF 0, offset 0
 * and its own length, came from at least two fragments, and is what they said (above); a timed-out
 * one is at least the timeout old; every one formats. */
static void done(const struct ipk_reasm_dgram *d)
{
	static char out[IPK_FMT_HUGE];
	struct ipk_fmt_meta m = {1, 0, 0};
	struct ipk_packet p;

	if (d->ntags > IPK_REASM_MAXTAGS || d->ntags > d->nfrags || d->first_ns > d->last_ns ||
	    d->last_ns > now_ns)
		abort();
	if (d->reason == IPK_E_REASM_TIMEOUT && now_ns - d->first_ns < timeout_ns)
		abort();
	if (!d->reason && now_ns - d->first_ns >= timeout_ns)
		abort(); /* expired before it could complete */
	if (d->reason) {
		if (d->data || !ipk_err_is_finding(d->reason))
			abort();
		for (int style = IPK_FMT_TEXT; style <= IPK_FMT_JSON; style++)
			if (ipk_fmt_reasm(NULL, d, &m, style, out, sizeof(out)) <= 0)
				abort();
		return;
	}
	struct ipk_ip4 h;
	if (!d->data || d->len > 65535 || d->nfrags < 2 ||
	    ipk_ip4_parse(d->data, d->len, IPK_IP4_STRICT, &h, NULL) != 0 || h.mf || h.frag_off ||
	    h.total_len != d->len || h.src != d->src || h.dst != d->dst || h.id != d->id ||
	    h.proto != d->proto)
		abort();
	if (d->ntags == d->nfrags)
		same_as_fragments(d, h.hlen);
	ipk_packet_decode(IPK_DLT_RAW, d->data, d->len, d->len, &p);
	for (int style = IPK_FMT_TEXT; style <= IPK_FMT_JSON; style++)
		if (ipk_fmt_reasm(&p, d, &m, style, out, sizeof(out)) <= 0)
			abort();
}

/*
 * The input is a list of records: 2 bytes big-endian length n, 1 byte of time to add (in
 * seconds; 0xff: 31 s, past the timeout), then n bytes, an IPv4 header and payload, handed to
 * ipk_reasm_add as a fragment (the header checksum is fixed first, so most records pass strict
 * parsing and reach the reassembler). Every finding points at the fragment's flags and offset
 * field.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	static uint8_t frag[65536];
	struct ipk_reasm_cfg cfg;
	struct ipk_reasm_dgram d;
	uint64_t tag = 0;

	ipk_reasm_cfg_default(&cfg);
	cfg.mem = two_slots();
	cfg.max_dist = 3;
	timeout_ns = cfg.timeout_ns;
	now_ns = 0;
	if (!mem && !(mem = malloc(cfg.mem)))
		return 0;
	struct ipk_reasm *r = ipk_reasm_init(mem, &cfg);
	if (!r)
		abort();
	while (size >= 3 && tag + 1 < MAXFRAGS) {
		size_t n = (size_t)data[0] << 8 | data[1];
		uint8_t dt = data[2];
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		memcpy(frag, data, n);
		const uint8_t *orig = data;
		data += n;
		size -= n;
		now_ns += (dt == 0xff ? 31ull : dt) * 1000000000ull;
		if (n >= 20 && (frag[0] & 0x0f) >= 5 && (size_t)(frag[0] & 0x0f) * 4 <= n) {
			size_t hl = (size_t)(frag[0] & 0x0f) * 4;
			frag[10] = frag[11] = 0;
			uint16_t c = ipk_csum(frag, hl);
			frag[10] = (uint8_t)(c >> 8);
			frag[11] = (uint8_t)c;
		}
		while (ipk_reasm_expire(r, now_ns, &d))
			done(&d);
		struct ipk_findings f = {.n = 0};
		struct frag_rec *x = &frags[++tag];
		struct ipk_ip4 h;
		memset(x, 0, sizeof(*x));
		if (ipk_ip4_parse(frag, n, IPK_IP4_STRICT, &h, NULL) == 0) {
			x->ip = orig;
			x->pay = orig + h.hlen;
			x->hlen = (uint8_t)h.hlen;
			x->off = (uint32_t)h.frag_off * 8;
			x->end = x->off + (uint32_t)(h.total_len - h.hlen);
			if (h.mf)
				x->end &= ~7u;
		}
		int rc = ipk_reasm_add(r, frag, n, now_ns, tag, &f, 0, &d);
		for (unsigned i = 0; i < f.n; i++) {
			if (f.v[i].offset != 6 || !ipk_err_is_finding(f.v[i].code))
				abort();
			if (f.v[i].code == IPK_E_REASM_DUP || f.v[i].code == IPK_E_REASM_OVERLAP_DIFF)
				x->ignored = 1;
		}
		if (rc == 1)
			done(&d);
		else if (rc != 0 && rc > -1000)
			abort(); /* 0, 1 or an ipk_err code */
		if (rc < 0 && f.n)
			abort(); /* a refused fragment changes nothing */
	}
	while (ipk_reasm_flush(r, &d))
		done(&d);
	return 0;
}
