/* fuzz_reasm.c - fuzz harness: fragment reassembly (ipk_reasm_add/_expire/_flush) over a sequence of fragments, with two datagrams of room so eviction runs too. */
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

/* A datagram done: a complete one has a header that passes strict validation, says MF 0, offset 0
 * and its own length, and came from at least two fragments; every one formats. */
static void done(const struct ipk_reasm_dgram *d)
{
	static char out[IPK_FMT_HUGE];
	struct ipk_fmt_meta m = {1, 0, 0};
	struct ipk_packet p;

	if (d->ntags > IPK_REASM_MAXTAGS || d->ntags > d->nfrags)
		abort();
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
	uint64_t now = 0, tag = 0;

	ipk_reasm_cfg_default(&cfg);
	cfg.mem = two_slots();
	cfg.max_dist = 3;
	if (!mem && !(mem = malloc(cfg.mem)))
		return 0;
	struct ipk_reasm *r = ipk_reasm_init(mem, &cfg);
	if (!r)
		abort();
	while (size >= 3) {
		size_t n = (size_t)data[0] << 8 | data[1];
		uint8_t dt = data[2];
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		memcpy(frag, data, n);
		data += n;
		size -= n;
		now += (dt == 0xff ? 31ull : dt) * 1000000000ull;
		if (n >= 20 && (frag[0] & 0x0f) >= 5 && (size_t)(frag[0] & 0x0f) * 4 <= n) {
			size_t hl = (size_t)(frag[0] & 0x0f) * 4;
			frag[10] = frag[11] = 0;
			uint16_t c = ipk_csum(frag, hl);
			frag[10] = (uint8_t)(c >> 8);
			frag[11] = (uint8_t)c;
		}
		while (ipk_reasm_expire(r, now, &d))
			done(&d);
		struct ipk_findings f = {.n = 0};
		int rc = ipk_reasm_add(r, frag, n, now, ++tag, &f, 0, &d);
		if (rc == 1)
			done(&d);
		else if (rc != 0 && rc > -1000)
			abort(); /* 0, 1 or an ipk_err code */
		for (unsigned i = 0; i < f.n; i++)
			if (f.v[i].offset != 6 || !ipk_err_is_finding(f.v[i].code))
				abort();
		if (rc < 0 && f.n)
			abort(); /* a refused fragment changes nothing */
	}
	while (ipk_reasm_flush(r, &d))
		done(&d);
	return 0;
}
