/* fuzz_ipopt.c - fuzz harness: option walk, typed decode, builder round trip, Linux-rule validation (RFC 791). */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rebuild a well-formed decoded option with its builder; 1 if built, 0 if the form has none. */
static int rebuild(const struct ipk_optv *v, struct ipk_wbuf *w)
{
	uint32_t a[64], t[32];
	const uint8_t *d = v->data;
	size_t n, esz;

	switch (v->type) {
	case IPK_OPT_RR:
	case IPK_OPT_LSRR:
	case IPK_OPT_SSRR:
		n = v->u.route.naddr;
		if (v->len != 3 + 4 * n || !v->u.route.ptr) /* ptr 0 means "default" to the builder */
			return 0;
		for (size_t i = 0; i < n; i++)
			a[i] = ipk_opt_u32(v->u.route.addrs, i);
		return ipk_opt_put_route(w, v->type, v->u.route.ptr, a, n) == 0;
	case IPK_OPT_TS:
		n = v->u.ts.nent;
		esz = v->u.ts.flag == IPK_OPT_TS_TSONLY ? 4 : 8;
		if (v->len != 4 + esz * n || !v->u.ts.ptr)
			return 0;
		for (size_t i = 0; i < n; i++) {
			a[i] = esz == 8 ? ipk_opt_u32(v->u.ts.data, 2 * i) : 0;
			t[i] = ipk_opt_u32(v->u.ts.data, esz == 8 ? 2 * i + 1 : i);
		}
		return ipk_opt_put_ts(w, v->u.ts.flag, v->u.ts.oflw, v->u.ts.ptr, a, t, n) == 0;
	case IPK_OPT_RA:
		return v->len == 4 && ipk_opt_put_ra(w, v->u.ra_value) == 0;
	case IPK_OPT_SID:
		return v->len == 4 && ipk_opt_put_sid(w, v->u.stream_id) == 0;
	case IPK_OPT_SEC:
		if (v->u.sec.rfc791)
			return ipk_opt_put_sec(w, v->u.sec.s, v->u.sec.c, v->u.sec.h, v->u.sec.tcc) == 0;
		return ipk_opt_put_tlv(w, v->type, d + 2, (size_t)v->len - 2) == 0;
	case IPK_OPT_CIPSO:
		return ipk_opt_put_cipso(w, v->u.cipso.doi, v->u.cipso.tags, v->u.cipso.tags_len) == 0;
	case IPK_OPT_QS:
		return v->len == 8 && !(d[7] & 3) && /* reserved bits are written as 0 */
		       ipk_opt_put_qs(w, v->u.qs.func, v->u.qs.rate, v->u.qs.qs_ttl, v->u.qs.nonce) == 0;
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > IPK_IP4_MAXOPTLEN)
		size = IPK_IP4_MAXOPTLEN;
	struct ipk_opt_iter it;
	struct ipk_opt o;
	struct ipk_optv v;
	volatile uint32_t sink = 0;
	int rc;
	ipk_opt_iter_init(&it, data, size);
	while ((rc = ipk_opt_next(&it, &o)) == 1) {
		if (o.off + o.len > size || o.data != data + o.off)
			abort(); /* the walk must stay inside the area */
		sink += *ipk_opt_name(o.type);
		if (ipk_opt_decode(&o, &v) != 0)
			continue;
		if (o.type == IPK_OPT_RR || o.type == IPK_OPT_LSRR || o.type == IPK_OPT_SSRR)
			for (size_t i = 0; i < v.u.route.naddr; i++)
				sink += ipk_opt_u32(v.u.route.addrs, i);
		/* A decoded option that its builder can express must come back byte for byte. */
		uint8_t buf[256];
		struct ipk_wbuf w;
		ipk_wbuf_init(&w, buf, sizeof(buf));
		if (rebuild(&v, &w) && (w.len != o.len || memcmp(buf, o.data, o.len) != 0))
			abort();
	}
	if (rc < 0 && (it.err_off >= size || ipk_opt_next(&it, &o) != rc))
		abort(); /* errors point inside the area and are sticky */
	size_t off = 0;
	struct ipk_findings f = {0};
	if (ipk_opt_validate(data, size, &off, &f, 20) < 0 && off >= size)
		abort();
	for (unsigned i = 0; i < f.n; i++)
		if (f.v[i].offset < 20 || f.v[i].offset >= 20 + size)
			abort(); /* findings carry base + an offset inside the area */
	(void)sink;
	return 0;
}
