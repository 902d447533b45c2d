/* fuzz_igmp.c - fuzz harness: IGMP parse, v3 record walk, policy checks and re-encode of v1/v2 messages. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

	volatile uint32_t sink = 0;
	for (uint16_t i = 0; i < m.nsrcs; i++)
		sink += ipk_igmp_addr(m.srcs, i);
	if (m.type == IPK_IGMP_V3_REPORT) {
		struct ipk_igmp_rec_iter it;
		struct ipk_igmp_rec r;
		ipk_igmp_rec_iter_init(&it, &m, data);
		while (ipk_igmp_rec_next(&it, &r) == 1)
			for (uint16_t i = 0; i < r.nsrcs; i++)
				sink += ipk_igmp_addr(r.srcs, i);
	}
	/* Exactly 8-byte v1/v2 messages re-encode to the same bytes when the checksum is right. */
	if (size == 8 && m.checksum_ok && (m.version == 1 || m.version == 2)) {
		uint8_t buf[8];
		struct ipk_wbuf w;
		ipk_wbuf_init(&w, buf, sizeof(buf));
		int rc = m.version == 1 && data[1] == 0 ? ipk_igmp_put_v1(&w, m.type, m.group)
							: ipk_igmp_put_v2(&w, m.type, m.code, m.group);
		if (rc != 0 || memcmp(buf, data, 8) != 0)
			abort();
	}
	(void)sink;
	return 0;
}
