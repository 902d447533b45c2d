/* fuzz_packet.c - fuzz harness: whole-packet decode of every link type, all three output styles, header round trip. */
#include <stdlib.h>
#include <string.h>

#include "ipv4kit/ipv4kit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {IPK_DLT_RAW,        IPK_DLT_EN10MB,     IPK_DLT_IPV4, IPK_DLT_LINUX_SLL,
			   IPK_DLT_LINUX_SLL2, IPK_DLT_NULL,       IPK_DLT_LOOP, IPK_DLT_LINKTYPE_RAW};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	const uint8_t *frame = data + 1;
	size_t len = size - 1;

	struct ipk_packet p;
	ipk_packet_decode(dlt, frame, len, len, &p);

	static char out[IPK_FMT_MAX];
	struct ipk_fmt_meta m = {1, 0, 0};
	for (int style = IPK_FMT_TEXT; style <= IPK_FMT_JSON; style++)
		if (ipk_fmt_packet(&p, &m, style, out, sizeof(out)) < 0)
			abort(); /* IPK_FMT_MAX is documented to always suffice */

	/* A header that passes strict validation must marshal back to the same bytes. */
	if (p.has_ip4) {
		const uint8_t *ip = frame + p.ip_off;
		size_t iplen = len - p.ip_off;
		struct ipk_ip4 h;
		if (ipk_ip4_parse(ip, iplen, IPK_IP4_STRICT, &h, NULL) == 0 && h.hlen % 4 == 0) {
			uint8_t buf[IPK_IP4_MAXLEN];
			int n = ipk_ip4_marshal(&h, (size_t)(h.total_len - h.hlen), 0, buf, sizeof(buf));
			if (n != h.hlen || memcmp(buf, ip, h.hlen) != 0)
				abort();
		}
	}
	return 0;
}
