/* fuzz_ipopt.c - fuzz harness: option walk, typed decode, Linux-rule validation on any option area. */
#include <stdlib.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		if (o.off + o.len > size)
			abort(); /* the walk must stay inside the area */
		if (ipk_opt_decode(&o, &v) == 0 &&
		    (o.type == IPK_OPT_RR || o.type == IPK_OPT_LSRR || o.type == IPK_OPT_SSRR))
			for (size_t i = 0; i < v.u.route.naddr; i++)
				sink += ipk_opt_u32(v.u.route.addrs, i);
	}
	if (rc < 0 && it.err_off >= size)
		abort();
	size_t off = 0;
	struct ipk_findings f = {0};
	if (ipk_opt_validate(data, size, &off, &f, 20) < 0 && off >= size)
		abort();
	(void)sink;
	return 0;
}
