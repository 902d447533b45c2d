/* fuzz_igmp.c - fuzz harness: IGMP parse, v3 record walk, policy checks and re-encode of v1/v2/v3 messages (RFC 2236, 3376). */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A rebuilt message must equal the input. The checksum may differ only between 0x0000 and
 * 0xffff: both verify when the other words sum to 0xffff (RFC 1624 section 3), and a builder
 * writes only the first.
 */
static void same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint16_t ca = (uint16_t)(a[2] << 8 | a[3]), cb = (uint16_t)(b[2] << 8 | b[3]);
	if (memcmp(a, b, 2) != 0 || memcmp(a + 4, b + 4, n - 4) != 0 ||
	    (ca != cb && !((ca == 0 && cb == 0xffff) || (ca == 0xffff && cb == 0))))
		abort();
}

static uint32_t srcs[16384];
static uint8_t out[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipk_igmp m;
	size_t off = 0;
	if (ipk_igmp_parse(data, size, &m, &off) != 0) {
		if (off >= size && size >= 8)
			abort(); /* an error offset must point inside the message */
		return 0;
	}
	struct ipk_findings f = {0};
	ipk_igmp_check(NULL, &m, 0, 0, &f);
	for (unsigned i = 0; i < f.n; i++) /* a missing v3 record may point at the end */
		if (f.v[i].offset > size || (f.v[i].offset == size && f.v[i].code != IPK_E_IGMP_RECORDS))
			abort();

	volatile uint32_t sink = *ipk_igmp_type_name(m.type);
	for (uint16_t i = 0; i < m.nsrcs; i++)
		sink += ipk_igmp_addr(m.srcs, i);
	struct ipk_wbuf w;
	ipk_wbuf_init(&w, out, sizeof(out));
	if (m.type == IPK_IGMP_V3_REPORT) {
		/* Walk the records and rebuild the report from them; equal when both reserved
		 * fields are 0 (the builder writes 0), every record checked out and nothing
		 * trails them. */
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		struct ipk_igmp_v3r b;
		int rc, ok = m.code == 0 && m.reserved == 0 && ipk_igmp_v3r_begin(&w, &b) == 0;
		ipk_igmp_rec_iter_init(&it, &m, data);
		while ((rc = ipk_igmp_rec_next(&it, &r)) == 1) {
			sink += *ipk_igmp_rec_name(r.type);
			for (uint16_t i = 0; i < r.nsrcs; i++)
				sink += srcs[i] = ipk_igmp_addr(r.srcs, i);
			ok = ok && ipk_igmp_v3r_add(&w, &b, r.type, r.group, srcs, r.nsrcs, r.aux,
						    r.aux_words) == 0;
		}
		if (rc < 0 && it.err_off > size) /* == size: the missing record starts at the end */
			abort();
		if (rc == 0 && ok && it.off == size && m.checksum_ok) {
			if (ipk_igmp_v3r_end(&w, &b) != 0 || w.len != size)
				abort();
			same(out, data, size);
		}
	} else if (m.version == 3 && m.checksum_ok && size == 12 + 4 * (size_t)m.nsrcs) {
		struct ipk_igmp_v3q q = {m.code, m.resv, m.s, m.qrv, m.qqic, m.group, srcs, m.nsrcs};
		for (uint16_t i = 0; i < m.nsrcs; i++)
			srcs[i] = ipk_igmp_addr(m.srcs, i);
		if (ipk_igmp_put_v3_query(&w, &q) != 0 || w.len != size)
			abort();
		same(out, data, size);
		/* RFC 3376 4.1.1 float codes: every code is the encoding of its value */
		if (ipk_igmp_code_encode(ipk_igmp_code_decode(m.code)) != m.code ||
		    ipk_igmp_code_encode(ipk_igmp_code_decode(m.qqic)) != m.qqic)
			abort();
	} else if (size == 8 && m.checksum_ok && (m.version == 1 || m.version == 2)) {
		int rc = m.version == 1 && data[1] == 0 ? ipk_igmp_put_v1(&w, m.type, m.group)
							: ipk_igmp_put_v2(&w, m.type, m.code, m.group);
		if (rc != 0)
			abort();
		same(out, data, 8);
	}
	(void)sink;
	return 0;
}
